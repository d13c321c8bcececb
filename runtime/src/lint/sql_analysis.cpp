// libpg_query's parse tree (JSON, read with simdjson's DOM): the few node kinds the lint needs.
#include "retort/sql_analysis.hpp"

#include <algorithm>
#include <cctype>
#include <memory>

#include <fmt/format.h>
#include <pg_query.h>
#include <simdjson.h>

#include "retort/errors.hpp"

namespace retort::sql {

namespace {

using simdjson::dom::array;
using simdjson::dom::element;
using simdjson::dom::object;

// The parse tree of `text`, kept in `parser` (valid until its next parse), or retort::error with
// PostgreSQL's parser message.
element parse_tree(simdjson::dom::parser& parser, std::string_view text) {
  const std::string owned(text);
  PgQueryParseResult result = pg_query_parse(owned.c_str());
  const std::unique_ptr<PgQueryParseResult, void (*)(PgQueryParseResult*)> guard(
      &result, [](PgQueryParseResult* r) { pg_query_free_parse_result(*r); });
  if (result.error) throw error(fmt::format("SQL does not parse: {}", result.error->message));
  return parser.parse(std::string_view(result.parse_tree));  // copies the text: the guard may free it
}

// Member `key` of `o` when it has the kind asked for, else nothing (libpg_query leaves out
// defaults: false, zero, empty).
std::optional<object> object_at(object o, std::string_view key) {
  object out;
  if (o[key].get(out) == simdjson::SUCCESS) return out;
  return std::nullopt;
}
// The objects in array member `key` (an absent member: none).
std::vector<object> objects_at(object o, std::string_view key) {
  std::vector<object> out;
  array a;
  if (o[key].get(a) != simdjson::SUCCESS) return out;
  for (element e : a) {
    object item;
    if (e.get(item) == simdjson::SUCCESS) out.push_back(item);
  }
  return out;
}
bool bool_at(object o, std::string_view key) {
  bool out = false;
  return o[key].get(out) == simdjson::SUCCESS && out;
}
std::string_view string_at(object o, std::string_view key) {
  std::string_view out;
  if (o[key].get(out) == simdjson::SUCCESS) return out;
  return {};
}

std::optional<qualified_name> range_var(std::optional<object> rv) {
  if (!rv) return std::nullopt;
  const std::string_view relname = string_at(*rv, "relname");
  if (relname.empty()) return std::nullopt;
  const std::string_view schema = string_at(*rv, "schemaname");
  return qualified_name{std::string(schema.empty() ? "public" : schema), std::string(relname)};
}

statement_facts facts_of(object stmt, std::string text) {
  statement_facts f;
  f.text = std::move(text);
  if (auto index = object_at(stmt, "IndexStmt")) {
    f.creates_index = true;
    f.concurrently = bool_at(*index, "concurrent");
    f.table = range_var(object_at(*index, "relation"));
  } else if (auto drop = object_at(stmt, "DropStmt")) {
    f.concurrently = bool_at(*drop, "concurrent");
  } else if (auto lock = object_at(stmt, "LockStmt")) {
    f.locks_table = true;
    const auto relations = objects_at(*lock, "relations");
    if (!relations.empty()) f.table = range_var(object_at(relations.front(), "RangeVar"));
  } else if (auto alter = object_at(stmt, "AlterTableStmt")) {
    f.table = range_var(object_at(*alter, "relation"));
    for (object wrapper : objects_at(*alter, "cmds")) {
      const auto c = object_at(wrapper, "AlterTableCmd");
      if (!c) continue;
      const std::string_view subtype = string_at(*c, "subtype");
      if (subtype == "AT_SetNotNull") f.sets_not_null = true;
      if (subtype == "AT_AlterColumnType") f.changes_column_type = true;
      if (subtype == "AT_ValidateConstraint") f.validates_constraint = true;
      if (subtype == "AT_AddConstraint") {
        const auto def = object_at(*c, "def");
        const auto con = def ? object_at(*def, "Constraint") : std::nullopt;
        if (!con) continue;
        const std::string_view type = string_at(*con, "contype");
        if ((type == "CONSTR_FOREIGN" || type == "CONSTR_CHECK") && !bool_at(*con, "skip_validation"))
          f.adds_validated_constraint = true;
      }
    }
  }
  return f;
}

void collect_functions(element node, std::vector<std::string>& out) {
  object o;
  array a;
  if (node.get(o) == simdjson::SUCCESS) {
    if (auto call = object_at(o, "FuncCall")) {
      const auto parts = objects_at(*call, "funcname");
      if (!parts.empty())
        if (auto str = object_at(parts.back(), "String")) {
          std::string name(string_at(*str, "sval"));
          std::transform(name.begin(), name.end(), name.begin(), [](unsigned char ch) { return std::tolower(ch); });
          if (!name.empty()) out.push_back(std::move(name));
        }
    }
    for (auto field : o) collect_functions(field.value, out);
  } else if (node.get(a) == simdjson::SUCCESS) {
    for (element child : a) collect_functions(child, out);
  }
}

}  // namespace

std::vector<statement_facts> analyze(std::string_view text) {
  simdjson::dom::parser parser;
  const element tree = parse_tree(parser, text);
  std::vector<statement_facts> out;
  object root;
  if (tree.get(root) != simdjson::SUCCESS) return out;
  for (object o : objects_at(root, "stmts")) {
    // Both are left out when zero (the first statement; the last one's length: the rest).
    std::uint64_t at = 0;
    if (o["stmt_location"].get(at) != simdjson::SUCCESS) at = 0;
    at = std::min<std::uint64_t>(at, text.size());
    std::uint64_t length = 0;
    if (o["stmt_len"].get(length) != simdjson::SUCCESS || length == 0) length = text.size() - at;
    std::string statement(text.substr(at, length));
    if (auto stmt = object_at(o, "stmt")) out.push_back(facts_of(*stmt, std::move(statement)));
    else {
      statement_facts bare;
      bare.text = std::move(statement);
      out.push_back(std::move(bare));
    }
  }
  return out;
}

std::vector<std::string> functions_called(std::string_view expression) {
  simdjson::dom::parser parser;
  const element tree = parse_tree(parser, fmt::format("SELECT ({})", expression));
  object root;
  if (tree.get(root) != simdjson::SUCCESS || objects_at(root, "stmts").size() != 1)
    throw error("not one SQL expression");
  std::vector<std::string> out;
  collect_functions(tree, out);
  return out;
}

}  // namespace retort::sql
