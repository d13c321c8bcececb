// SQL expressions written in models and migration files (defaults, checks, index predicates,
// backfills) are used as SQL, by design; this unit makes sure each stays one expression: a
// top-level `;` would turn it into a second statement.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "retort/ops.hpp"
#include "retort/schema.hpp"

namespace retort {

/// The byte offset of the first `;` of `sql` outside string literals ('...', E'...'), quoted
/// identifiers, dollar quotes ($tag$...$tag$), comments (--, nested /* */) and parentheses
/// (a `)` without its `(` counts as outside), or npos. Read as PostgreSQL reads it with
/// standard_conforming_strings on, which the applier pins.
[[nodiscard]] std::size_t top_level_semicolon(std::string_view sql);

/// An expression that would become several statements: where it is and why.
struct expression_problem {
  std::string path;  ///< JSON path of the element ("columns[2].default")
  std::string message;
};

/// The first expression of `t` (server defaults, checks, index predicates, backfills) with a
/// top-level `;`; `path` prefixes the element paths ("tables[3]").
[[nodiscard]] std::optional<expression_problem> multi_statement_expression(const table& t, const std::string& path);

/// The same for every expression an operation carries; paths are relative to the operation.
[[nodiscard]] std::optional<expression_problem> multi_statement_expression(const ops::operation& op);

/// Throws model_error at the element's path for the first expression of `s` with a top-level `;`.
void require_single_expressions(const schema& s);

}  // namespace retort
