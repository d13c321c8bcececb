// The annotation language of RETORT_TABLE, RETORT_COLUMN and RETORT_ENUM (documented in
// retort/model.hpp): parsing the arguments' spelling, and reading it as a table, column or
// enum annotation. No Clang here (LLVM's StringRef only): a mistake carries its byte offset
// into the text, which the scanner turns into a source location.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "retort/schema.hpp"

namespace retort::scan {

/// A mistake in an annotation, `offset` bytes into its text.
struct annotation_error {
  std::size_t offset = 0;
  std::string message;
  friend bool operator==(const annotation_error&, const annotation_error&) = default;
};

/// A value after `=`, or a positional argument.
struct option_value {
  enum class kind { string, identifier, integer };
  kind what = kind::string;
  std::string text;           ///< the string's content (unescaped), or the spelling
  std::int64_t integer = 0;   ///< when what == integer
  std::size_t offset = 0;     ///< where the value starts
};

/// One option: `name`, `name = value`, `name(arguments...)`, or a positional value.
struct option {
  std::string name;                              ///< empty for a positional value
  std::size_t offset = 0;                        ///< of the name, or of the positional value
  std::optional<option_value> value;             ///< `= value`, or the positional value itself
  std::optional<std::vector<option>> arguments;  ///< `name(...)`; arguments have no calls
};

/// Options in order, and the syntax error that stopped the parse (if any).
struct parsed_options {
  std::vector<option> options;
  std::vector<annotation_error> errors;
};

/// Parses `a, b = "x", c(d, e = 1)`.
[[nodiscard]] parsed_options parse_options(std::string_view text);

/// A value with the offset of its spelling.
template <class T>
struct located {
  T value;
  std::size_t offset = 0;
  friend bool operator==(const located&, const located&) = default;
};

/// The target of `references`: "table.column", "schema.table.column", "table(a, b)",
/// "schema.table(a, b)".
struct reference {
  std::optional<std::string> schema;  ///< nullopt: resolve by table name
  std::string table;
  std::vector<std::string> columns;
  friend bool operator==(const reference&, const reference&) = default;
};

/// nullopt when `text` is none of the reference forms.
[[nodiscard]] std::optional<reference> parse_reference(std::string_view text);

/// Where each option given in an annotation starts (the first time, for repeatable ones);
/// a positional name is recorded as "name".
using option_offsets = std::map<std::string, std::size_t, std::less<>>;

/// RETORT_COLUMN(...)
struct column_annotation {
  std::optional<std::string> name;
  bool primary_key = false;
  identity_kind identity = identity_kind::none;
  bool unique = false;
  bool index = false;
  std::optional<int> length;
  std::optional<column_type> type;  ///< `type = "..."`, parsed
  std::optional<located<reference>> references;  ///< offset of the string
  fk_action on_delete = fk_action::no_action;
  fk_action on_update = fk_action::no_action;
  std::optional<std::string> check;
  std::optional<std::string> server_default;
  std::optional<std::string> comment;
  std::optional<std::string> generated;  ///< GENERATED ALWAYS AS (...) STORED
  std::optional<std::string> collation;
  std::optional<std::string> backfill;
  std::optional<int> backfill_batch;  ///< rows per transaction of the backfill
  std::vector<std::string> renamed_from;
  option_offsets offsets;
};

/// primary_key(...) or unique(...) at table level.
struct key_annotation {
  std::vector<located<std::string>> columns;
  std::optional<std::string> name;
  std::size_t offset = 0;
};

/// index(...) at table level.
struct index_annotation {
  std::vector<located<std::string>> columns;
  bool unique = false;
  std::optional<std::string> where;
  std::string method = "btree";
  std::optional<std::string> name;
  std::size_t offset = 0;
};

/// check("...") at table level.
struct check_annotation {
  std::string expression;
  std::optional<std::string> name;
  std::size_t offset = 0;
};

/// foreign_key(...) at table level.
struct foreign_key_annotation {
  std::vector<located<std::string>> columns;
  located<reference> references;
  fk_action on_delete = fk_action::no_action;
  fk_action on_update = fk_action::no_action;
  std::optional<std::string> name;
  std::size_t offset = 0;
};

/// RETORT_TABLE(...)
struct table_annotation {
  std::optional<std::string> name;
  std::optional<std::string> schema;
  std::optional<std::string> comment;
  std::vector<located<std::string>> renamed_from;  ///< "old" or "schema.old"
  std::optional<key_annotation> primary_key;
  std::vector<key_annotation> uniques;
  std::vector<index_annotation> indexes;
  std::vector<check_annotation> checks;
  std::vector<foreign_key_annotation> foreign_keys;
  option_offsets offsets;
};

/// RETORT_ENUM(...)
struct enum_annotation {
  std::optional<std::string> name;
  std::optional<std::string> schema;
  option_offsets offsets;
};

/// RETORT_EXTENSION(...)
struct extension_annotation {
  std::optional<std::string> name;
  std::optional<std::string> schema;
  std::optional<std::string> version;
  option_offsets offsets;
};

/// An annotation as far as it could be read, and every mistake found in it.
template <class T>
struct read_result {
  T annotation;
  std::vector<annotation_error> errors;
};

/// Reads RETORT_TABLE's arguments (the text after "retort:table:").
[[nodiscard]] read_result<table_annotation> read_table_annotation(std::string_view text);
/// Reads RETORT_COLUMN's arguments.
[[nodiscard]] read_result<column_annotation> read_column_annotation(std::string_view text);
/// Reads RETORT_ENUM's arguments.
[[nodiscard]] read_result<enum_annotation> read_enum_annotation(std::string_view text);
/// Reads RETORT_EXTENSION's arguments.
[[nodiscard]] read_result<extension_annotation> read_extension_annotation(std::string_view text);

/// The known name nearest to a misspelt one, for "did you mean" hints: a few edits away, or
/// one it is the start of ("primary" for "primary_key"). nullopt when none is near.
[[nodiscard]] std::optional<std::string> nearest_name(std::string_view name, const std::vector<std::string_view>& known);

}  // namespace retort::scan
