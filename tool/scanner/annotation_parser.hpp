// The annotation language of RETORT_TABLE, RETORT_COLUMN, RETORT_ENUM, RETORT_VALUE, RETORT_EXTENSION and
// RETORT_SEQUENCE (documented in
// retort/model.hpp): parsing the arguments' tokens, and reading them as a table, column, enum or
// enum value annotation. No Clang here (LLVM's StringRef only): the tokens come from the
// scanner's lexer, and a mistake carries the offset of a token, which the scanner turns into a
// source location.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "annotation_tokens.hpp"
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
  std::string text;           ///< the string's content (decoded), or the spelling (`scope::name` for a qualified name)
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
[[nodiscard]] parsed_options parse_options(const annotation_tokens& tokens);

/// What a named constant in a value is worth (`length = kMaxEmail`): the scanner evaluates it
/// with Clang where the model is declared. Without a value, `problem` says why not.
struct constant_value {
  std::optional<std::int64_t> value;
  std::string problem;
};
/// Evaluates the constant a name (`kMax`, `Limits::email`) denotes.
using constant_evaluator = std::function<constant_value(std::string_view name)>;

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
  deferral deferrable = deferral::not_deferrable;  ///< of the `references` foreign key
  std::optional<std::string> check;
  std::optional<std::string> server_default;
  std::optional<std::string> comment;
  std::optional<std::string> generated;  ///< GENERATED ALWAYS AS (...) STORED
  std::optional<std::string> collation;
  std::optional<std::string> backfill;
  std::optional<int> backfill_batch;  ///< rows per transaction of the backfill
  std::vector<std::string> renamed_from;
  bool skip = false;  ///< `skip`: the member is not a column
  option_offsets offsets;
};

/// primary_key(...) or unique(...) at table level.
struct key_annotation {
  std::vector<located<std::string>> columns;
  std::optional<std::string> name;
  deferral deferrable = deferral::not_deferrable;  ///< unique(...) only
  std::size_t offset = 0;
};

/// index(...) at table level.
struct index_annotation {
  /// The keys as written: a bare column name, or a string holding a key's SQL ("lower(email)",
  /// "payload jsonb_path_ops", "created_at DESC NULLS FIRST"), read by parse_index_key.
  std::vector<located<std::string>> columns;
  static constexpr bool string_keys = true;  ///< read_call takes positional strings as keys
  bool unique = false;
  std::optional<std::string> where;
  std::string method = "btree";
  std::vector<std::string> include;  ///< `include = "a, b"`
  bool nulls_not_distinct = false;
  std::vector<std::string> with;     ///< `with = "fillfactor=70, deduplicate_items=off"`
  std::optional<std::string> name;
  std::size_t offset = 0;
};

/// A key of index(...) from its SQL: `[expression | column] [opclass] [ASC | DESC] [NULLS FIRST | LAST]`.
/// A key that is one identifier is a column; anything else before the optional opclass is an
/// expression, kept as written. nullopt for an empty key.
[[nodiscard]] std::optional<index_key> parse_index_key(std::string_view text);

/// "a, b" -> {"a", "b"}: a comma-separated list, each item trimmed, empty items dropped.
[[nodiscard]] std::vector<std::string> comma_list(std::string_view text);

/// check("...") at table level.
struct check_annotation {
  std::string expression;
  std::optional<std::string> name;
  std::size_t offset = 0;
};

/// exclude(...) at table level: EXCLUDE USING method (element WITH operator, ...).
struct exclusion_annotation {
  /// The elements as written: "room WITH =", "during WITH &&", "lower(name) WITH =", read by
  /// parse_exclusion_element.
  std::vector<located<std::string>> columns;
  static constexpr bool string_keys = true;  ///< read_call takes positional strings as elements
  std::string method = "gist";
  std::optional<std::string> where;
  std::vector<std::string> include;  ///< `include = "a, b"`
  deferral deferrable = deferral::not_deferrable;
  std::optional<std::string> name;
  std::size_t offset = 0;
};

/// An element of exclude(...) from its SQL: `<index key> WITH <operator>`, the key as
/// parse_index_key reads it. nullopt without `WITH`, a key or an operator.
[[nodiscard]] std::optional<exclusion_element> parse_exclusion_element(std::string_view text);

/// policy("name", ...) at table level: CREATE POLICY.
struct policy_annotation {
  std::optional<std::string> name;
  policy_command command = policy_command::all;  ///< `for = select`
  bool restrictive = false;                      ///< `as = restrictive`
  std::vector<std::string> roles;                ///< `to = "a, b"`; none (or "public"): PUBLIC
  std::optional<std::string> using_expression;   ///< `using = "..."`
  std::optional<std::string> check_expression;   ///< `with_check = "..."`
  std::size_t offset = 0;
};

/// foreign_key(...) at table level.
struct foreign_key_annotation {
  std::vector<located<std::string>> columns;
  located<reference> references;
  fk_action on_delete = fk_action::no_action;
  fk_action on_update = fk_action::no_action;
  deferral deferrable = deferral::not_deferrable;
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
  std::vector<exclusion_annotation> exclusions = {};
  row_security rls = {};  ///< `row_level_security` or `row_level_security = forced`
  std::vector<policy_annotation> policies = {};
  std::optional<partition_key> partition_by = std::nullopt;  ///< `partition_by = "range (created_at)"`
};

/// RETORT_ENUM(...)
struct enum_annotation {
  std::optional<std::string> name;
  std::optional<std::string> schema;
  option_offsets offsets;
};

/// RETORT_VALUE(...) on an enumerator.
struct value_annotation {
  std::optional<std::string> name;  ///< the label in SQL, when not the enumerator's name
  std::vector<located<std::string>> renamed_from;  ///< earlier labels
  option_offsets offsets;
};

/// RETORT_EXTENSION(...)
struct extension_annotation {
  std::optional<std::string> name;
  std::optional<std::string> schema;
  std::optional<std::string> version;
  option_offsets offsets;
};

/// RETORT_VIEW(...)
struct view_annotation {
  std::optional<std::string> name;
  std::optional<std::string> schema;
  std::optional<located<std::string>> query;       ///< `query = "SELECT ..."`, at the string
  std::optional<located<std::string>> query_file;  ///< `query_file = "views/x.sql"`, relative to the header
  bool materialized = false;
  std::vector<index_annotation> indexes;  ///< index(...), as a table's (materialized views only)
  option_offsets offsets;
};

/// RETORT_SEQUENCE(...)
struct sequence_annotation {
  std::optional<std::string> name;
  std::optional<std::string> schema;
  std::optional<std::string> type;  ///< smallint, integer or bigint (aliases spelt out)
  std::optional<std::int64_t> increment, start, min_value, max_value, cache;
  bool cycle = false;
  std::optional<sequence_owner> owned_by;  ///< `owned_by = "table.column"`
  option_offsets offsets;
};

/// An annotation as far as it could be read, and every mistake found in it.
template <class T>
struct read_result {
  T annotation;
  std::vector<annotation_error> errors;
};

/// Reads RETORT_TABLE's arguments; integer values may name constants that `evaluate` knows.
[[nodiscard]] read_result<table_annotation> read_table_annotation(const annotation_tokens& tokens,
                                                                  const constant_evaluator& evaluate = {});
/// Reads RETORT_COLUMN's arguments; integer values may name constants that `evaluate` knows.
[[nodiscard]] read_result<column_annotation> read_column_annotation(const annotation_tokens& tokens,
                                                                    const constant_evaluator& evaluate = {});
/// Reads RETORT_ENUM's arguments.
[[nodiscard]] read_result<enum_annotation> read_enum_annotation(const annotation_tokens& tokens);
/// Reads RETORT_VALUE's arguments.
[[nodiscard]] read_result<value_annotation> read_value_annotation(const annotation_tokens& tokens);
/// Reads RETORT_VIEW's arguments.
[[nodiscard]] read_result<view_annotation> read_view_annotation(const annotation_tokens& tokens);
/// Reads RETORT_EXTENSION's arguments.
[[nodiscard]] read_result<extension_annotation> read_extension_annotation(const annotation_tokens& tokens);
/// Reads RETORT_SEQUENCE's arguments; integer values may name constants that `evaluate` knows.
[[nodiscard]] read_result<sequence_annotation> read_sequence_annotation(const annotation_tokens& tokens,
                                                                        const constant_evaluator& evaluate = {});

/// The known name nearest to a misspelt one, for "did you mean" hints: a few edits away, or
/// one it is the start of ("primary" for "primary_key"). nullopt when none is near.
[[nodiscard]] std::optional<std::string> nearest_name(std::string_view name, const std::vector<std::string_view>& known);

}  // namespace retort::scan
