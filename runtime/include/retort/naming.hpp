// The one naming convention for constraints and indexes (pk_, uq_, ix_, fk_, ck_, ex_),
// shortened with a stable hash so every name fits PostgreSQL's 63-byte identifiers.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "retort/schema.hpp"

namespace retort::naming {

/// PostgreSQL truncates identifiers longer than this many bytes.
inline constexpr std::size_t max_identifier_bytes = 63;

/// What makes `name` no valid PostgreSQL identifier for Retort (empty, a NUL byte, longer
/// than max_identifier_bytes, which the server would truncate silently); nullopt if none.
/// The one rule for names in models, snapshots and migration files.
[[nodiscard]] std::optional<std::string> identifier_problem(std::string_view name);

/// The longest prefix of `s` of at most `bytes` bytes that does not cut a UTF-8 character.
[[nodiscard]] std::string_view utf8_prefix(std::string_view s, std::size_t bytes);

/// `name` if it fits; else a prefix, "_" and 8 hex digits of its SHA-256.
[[nodiscard]] std::string fit(std::string_view name);

[[nodiscard]] std::string primary_key(const qualified_name& table);
[[nodiscard]] std::string unique(const qualified_name& table, const std::vector<std::string>& columns);
[[nodiscard]] std::string index(const qualified_name& table, const std::vector<std::string>& columns);
/// ix_<table>_<keys>: a column key by its name, an expression key by its label().
[[nodiscard]] std::string index_by_keys(const qualified_name& table, const std::vector<index_key>& keys);
[[nodiscard]] std::string foreign_key(const qualified_name& table, const std::vector<std::string>& columns,
                                      const qualified_name& ref_table);
/// ex_<table>_<elements>: a column element by its name, an expression by its label().
[[nodiscard]] std::string exclusion(const qualified_name& table, const std::vector<exclusion_element>& elements);
/// `label` is a column name for a column check, or the caller's name for a table check.
[[nodiscard]] std::string check(const qualified_name& table, std::string_view label);

/// A readable name part for an SQL expression: its words in lower case, comparison operators
/// spelled (ge, gt, le, lt, eq, ne), the rest dropped: "quantity * unit_price >= 0" ->
/// "quantity_unit_price_ge_0", "lower(email)" -> "lower_email".
[[nodiscard]] std::string label(std::string_view expression);

/// "UserProfile" -> "user_profile", "HTTPRequest" -> "http_request": the default SQL name of a
/// table or enum type from its C++ name.
[[nodiscard]] std::string snake_case(std::string_view identifier);

/// Gives every unnamed constraint and index of the schema its conventional name (order kept).
/// An unnamed table check is ck_<table>_<label of its expression>, with 8 hex digits of the
/// expression's SHA-256 appended when another check of the table has that label.
void assign_names(schema& s);

}  // namespace retort::naming
