// JSON codecs shared by snapshots and migration files: schema elements to canonical JSON,
// and a reader that tracks the JSON path so every mistake is reported where it is.
#pragma once

#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "retort/schema.hpp"

namespace retort::json_codec {

using ojson = nlohmann::ordered_json;

/// A JSON value with the file and path it was found at; every accessor fails with a
/// file_error "file: path: message".
class reader {
 public:
  reader(const nlohmann::json& value, const std::string& file, std::string path = {})
      : value_(&value), file_(&file), path_(std::move(path)) {}

  [[noreturn]] void fail(const std::string& message) const;

  [[nodiscard]] const nlohmann::json& value() const noexcept { return *value_; }
  [[nodiscard]] const std::string& path() const noexcept { return path_; }
  [[nodiscard]] const std::string& file() const noexcept { return *file_; }

  /// Requires an object whose keys are all in `allowed`.
  void expect_object(std::initializer_list<std::string_view> allowed) const;
  [[nodiscard]] bool has(std::string_view key) const;
  /// A required member.
  [[nodiscard]] reader at(std::string_view key) const;
  /// An optional member (absent or null gives nullopt).
  [[nodiscard]] std::optional<reader> maybe(std::string_view key) const;
  /// Elements of a required array.
  [[nodiscard]] std::vector<reader> items() const;

  [[nodiscard]] std::string string() const;
  [[nodiscard]] int integer() const;
  [[nodiscard]] bool boolean() const;
  [[nodiscard]] std::vector<std::string> strings() const;

  // Shorthands for members.
  [[nodiscard]] std::string string(std::string_view key) const { return at(key).string(); }
  [[nodiscard]] std::optional<std::string> optional_string(std::string_view key) const;
  [[nodiscard]] bool boolean(std::string_view key, bool otherwise) const;
  [[nodiscard]] std::vector<std::string> strings(std::string_view key) const;  ///< absent: empty

 private:
  const nlohmann::json* value_;
  const std::string* file_;
  std::string path_;
};

/// Parses JSON text, reporting syntax errors as file_error with line and column.
[[nodiscard]] nlohmann::json parse(std::string_view text, const std::string& file);

/// Two-space indented text with a trailing newline.
[[nodiscard]] std::string dump(const ojson& j);

// Schema elements. Readers parse one element; enum references in column types are resolved
// later by validate(), so a column may name an enum that only the schema knows.
[[nodiscard]] ojson to_json(const qualified_name& q);
[[nodiscard]] qualified_name read_qualified_name(const reader& r);
[[nodiscard]] ojson to_json(const column& c);
[[nodiscard]] column read_column(const reader& r);
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
[[nodiscard]] ojson to_json(const table& t);
[[nodiscard]] table read_table(const reader& r);
[[nodiscard]] ojson to_json(const enum_type& e);
[[nodiscard]] enum_type read_enum(const reader& r);

}  // namespace retort::json_codec
