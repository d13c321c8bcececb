// The PostgreSQL renderer: operations -> a plan of SQL statements. Identifiers are always
// quoted and literals escaped, so nothing in a model or a file can inject SQL.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "retort/ops.hpp"
#include "retort/schema.hpp"

namespace retort::pg {

/// One SQL statement of a plan.
struct statement {
  std::string sql;
  bool transactional = true;  ///< false: PostgreSQL refuses it inside a transaction block
  std::size_t operation = 0;  ///< index of the operation it renders
  friend bool operator==(const statement&, const statement&) = default;
};

/// "name" with embedded quotes doubled.
[[nodiscard]] std::string quote_ident(std::string_view name);
/// "schema"."name"
[[nodiscard]] std::string quote_ident(const qualified_name& name);
/// 'text' with embedded quotes doubled (standard_conforming_strings is on since 9.1);
/// throws retort::error on a NUL byte.
[[nodiscard]] std::string quote_literal(std::string_view text);
/// SQL spelling of a column type.
[[nodiscard]] std::string type_sql(const column_type& t);

/// Renders operations applied in order to `before` (the schema they start from; some
/// operations, like dropping an enum value, need to know which columns use a type).
[[nodiscard]] std::vector<statement> render(const std::vector<ops::operation>& operations, const schema& before);

/// The same, leaving `s` (sorted canonically, as replay leaves it) at the schema the
/// operations produce: a planner that renders revision after revision replays each once.
[[nodiscard]] std::vector<statement> render_and_replay(const std::vector<ops::operation>& operations, schema& s);

}  // namespace retort::pg
