// JSON codecs shared by snapshots and migration files: schema elements to canonical JSON,
// and a reader that tracks the JSON path so every mistake is reported where it is.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>
#include <simdjson.h>

#include "retort/schema.hpp"

namespace retort::json_codec {

using ojson = nlohmann::ordered_json;

/// A parsed JSON text (simdjson's DOM: the read path parses at close to the speed the bytes
/// are read; bench/parse_bench.cpp measures it against nlohmann_json's DOM and SAX).
class document {
 public:
  /// Parses `text` with `parser` (whose buffers it reuses: valid until the parser parses
  /// again); a leading UTF-8 byte order mark is skipped. Throws file_error with the line and
  /// column of a syntax error.
  document(simdjson::dom::parser& parser, std::string_view text, const std::string& file);
  /// The same for a string with SIMDJSON_PADDING bytes of capacity past its end (read_bytes'
  /// `spare`): parsed in place, without the copy the parser otherwise makes.
  document(simdjson::dom::parser& parser, const std::string& text, const std::string& file);
  [[nodiscard]] simdjson::dom::element root() const noexcept { return root_; }

 private:
  void parse(simdjson::dom::parser& parser, std::string_view text, bool padded, const std::string& file);
  simdjson::dom::element root_;
};

/// A JSON value with the file and path it was found at; every accessor fails with a
/// file_error "file: path: message". The path is built only on failure, from the chain of
/// readers that led here: a reader must not outlive the one it came from.
class reader {
 public:
  reader(simdjson::dom::element value, const std::string& file) : value_(value), file_(&file) {}

  [[noreturn]] void fail(const std::string& message) const;
  /// "upgrade[3].table.name"
  [[nodiscard]] std::string path() const;

  /// The same value, whose expect_object() also lets `keys` pass (another reader reads them).
  [[nodiscard]] reader also_allowing(std::span<const std::string_view> keys) const {
    reader copy = *this;
    copy.also_allowed_ = keys;
    return copy;
  }

  /// Requires an object whose keys are all in `allowed`, none of them twice.
  void expect_object(std::initializer_list<std::string_view> allowed) const;
  [[nodiscard]] bool has(std::string_view key) const;
  /// A required member.
  [[nodiscard]] reader at(std::string_view key) const;
  /// An optional member (absent or null gives nullopt).
  [[nodiscard]] std::optional<reader> maybe(std::string_view key) const;
  /// Whether the value is an array.
  [[nodiscard]] bool is_array() const noexcept { return value_.is_array(); }
  [[nodiscard]] bool is_string() const noexcept { return value_.is_string(); }
  /// Elements of a required array.
  [[nodiscard]] std::vector<reader> items() const;
  /// Members of a required object, in file order: (key, value).
  [[nodiscard]] std::vector<std::pair<std::string_view, reader>> members() const;

  [[nodiscard]] std::string string() const;
  /// A PostgreSQL identifier: what validate() requires of a name (not empty, no NUL byte,
  /// at most 63 bytes), so a file cannot carry a name the server would truncate.
  [[nodiscard]] std::string identifier() const;
  [[nodiscard]] std::int64_t integer() const;
  [[nodiscard]] bool boolean() const;
  [[nodiscard]] std::vector<std::string> strings() const;
  [[nodiscard]] std::vector<std::string> identifiers() const;

  // Shorthands for members.
  [[nodiscard]] std::string string(std::string_view key) const { return at(key).string(); }
  [[nodiscard]] std::string identifier(std::string_view key) const { return at(key).identifier(); }
  [[nodiscard]] std::optional<std::string> optional_string(std::string_view key) const;
  [[nodiscard]] std::optional<std::string> optional_identifier(std::string_view key) const;
  [[nodiscard]] bool boolean(std::string_view key, bool otherwise) const;
  [[nodiscard]] std::vector<std::string> strings(std::string_view key) const;  ///< absent: empty
  [[nodiscard]] std::vector<std::string> identifiers(std::string_view key) const;  ///< absent: empty

 private:
  reader(simdjson::dom::element value, const reader& parent, std::string_view key)
      : value_(value), file_(parent.file_), parent_(&parent), key_(key), member_(true) {}
  reader(simdjson::dom::element value, const reader& parent, std::size_t index)
      : value_(value), file_(parent.file_), parent_(&parent), index_(index) {}
  void append_path(std::string& out) const;

  simdjson::dom::element value_;
  const std::string* file_;
  const reader* parent_ = nullptr;  ///< null at the root
  std::string_view key_;            ///< the member name (member_), else
  std::size_t index_ = 0;           ///< the array index
  bool member_ = false;
  std::span<const std::string_view> also_allowed_;
};

/// The line and column (1-based) where the value at `json_path` (as reader::path() writes it,
/// "targets[3].url"; empty: the root) starts in `text`, or nullopt when the text has no such
/// value. For errors only: it parses the text again, tracking positions.
[[nodiscard]] std::optional<std::pair<int, int>> position_of(std::string_view text, std::string_view json_path);

/// Two-space indented text with a trailing newline.
[[nodiscard]] std::string dump(const ojson& j);
/// The same JSON for review (migration files): each column, index, constraint or name on one
/// line, one member per line only for what holds a list of them, and an operation on one line
/// when it names one element or fits in 120 columns; two-space indentation, trailing newline.
[[nodiscard]] std::string dump_compact(const ojson& j);

// Schema elements. Readers parse one element; enum references in column types are resolved
// later by validate(), so a column may name an enum that only the schema knows.
[[nodiscard]] ojson to_json(const qualified_name& q);
[[nodiscard]] qualified_name read_qualified_name(const reader& r);
[[nodiscard]] ojson to_json(const column& c);
[[nodiscard]] column read_column(const reader& r);
/// Some attributes of a column, by key ("type", written as "enum" for an enum type, "nullable",
/// "default", "identity", "comment"; an absent default or comment is left out): the form in
/// which an alter_column states what it changes.
[[nodiscard]] ojson attributes_json(const column& c, std::span<const std::string_view> keys);
/// Reads such attributes into `c` (absent: as a default column has them); other keys are refused.
void read_attributes(const reader& r, column& c);
[[nodiscard]] ojson to_json(const primary_key& pk);
[[nodiscard]] primary_key read_primary_key(const reader& r);
[[nodiscard]] ojson to_json(const unique_constraint& u);
[[nodiscard]] unique_constraint read_unique(const reader& r);
[[nodiscard]] ojson to_json(const index& i);
[[nodiscard]] index read_index(const reader& r);
[[nodiscard]] ojson to_json(const foreign_key& f);
[[nodiscard]] foreign_key read_foreign_key(const reader& r);
[[nodiscard]] ojson to_json(const check_constraint& c);
[[nodiscard]] check_constraint read_check(const reader& r);
[[nodiscard]] ojson to_json(const exclusion_constraint& x);
[[nodiscard]] exclusion_constraint read_exclusion(const reader& r);
[[nodiscard]] ojson to_json(const row_security& rls);
[[nodiscard]] row_security read_row_security(const reader& r);
[[nodiscard]] ojson to_json(const policy& p);
[[nodiscard]] policy read_policy(const reader& r);
[[nodiscard]] ojson to_json(const table& t);
[[nodiscard]] table read_table(const reader& r);
[[nodiscard]] ojson to_json(const enum_type& e);
[[nodiscard]] enum_type read_enum(const reader& r);
[[nodiscard]] ojson to_json(const extension& e);
[[nodiscard]] extension read_extension(const reader& r);
[[nodiscard]] ojson to_json(const view& v);
[[nodiscard]] view read_view(const reader& r);
/// A sequence as its non-default values ({"schema", "name", "start": 1000, "owned_by": "t.c"}).
[[nodiscard]] ojson to_json(const sequence& s);
/// Reads a sequence, canonical(): a value given at its default reads as absent.
[[nodiscard]] sequence read_sequence(const reader& r);
[[nodiscard]] ojson to_json(const sql_object& o);
[[nodiscard]] sql_object read_sql_object(const reader& r);

}  // namespace retort::json_codec
