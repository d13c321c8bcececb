// libpg_query's parse tree (JSON) read with nlohmann_json: the few node kinds the lint needs.
#include "retort/sql_analysis.hpp"

#include <algorithm>
#include <memory>

#include <fmt/format.h>
#include <nlohmann/json.hpp>
#include <pg_query.h>

#include "retort/errors.hpp"

namespace retort::sql {

namespace {

using nlohmann::json;

// The parse tree of `text`, or retort::error with the parser's message.
json parse_tree(std::string_view text) {
  const std::string owned(text);
  PgQueryParseResult result = pg_query_parse(owned.c_str());
  const std::unique_ptr<PgQueryParseResult, void (*)(PgQueryParseResult*)> guard(
      &result, [](PgQueryParseResult* r) { pg_query_free_parse_result(*r); });
  if (result.error) throw error(fmt::format("SQL does not parse: {}", result.error->message));
  return json::parse(result.parse_tree);
}

std::optional<qualified_name> range_var(const json& rv) {
  if (!rv.is_object() || !rv.contains("relname")) return std::nullopt;
  return qualified_name{rv.value("schemaname", std::string("public")), rv.at("relname").get<std::string>()};
}

statement_facts facts_of(const json& stmt, std::string text) {
  statement_facts f;
  f.text = std::move(text);
  if (auto it = stmt.find("IndexStmt"); it != stmt.end()) {
    f.creates_index = true;
    f.concurrently = it->value("concurrent", false);
    f.table = range_var(it->value("relation", json()));
  } else if (auto drop = stmt.find("DropStmt"); drop != stmt.end()) {
    f.concurrently = drop->value("concurrent", false);
  } else if (auto lock = stmt.find("LockStmt"); lock != stmt.end()) {
    f.locks_table = true;
    const auto& relations = lock->value("relations", json::array());
    if (!relations.empty()) f.table = range_var(relations.front().value("RangeVar", json()));
  } else if (auto alter = stmt.find("AlterTableStmt"); alter != stmt.end()) {
    f.table = range_var(alter->value("relation", json()));
    for (const auto& cmd : alter->value("cmds", json::array())) {
      const json& c = cmd.value("AlterTableCmd", json::object());
      const std::string subtype = c.value("subtype", "");
      if (subtype == "AT_SetNotNull") f.sets_not_null = true;
      if (subtype == "AT_AlterColumnType") f.changes_column_type = true;
      if (subtype == "AT_ValidateConstraint") f.validates_constraint = true;
      if (subtype == "AT_AddConstraint") {
        const json& con = c.value("def", json::object()).value("Constraint", json::object());
        const std::string type = con.value("contype", "");
        if ((type == "CONSTR_FOREIGN" || type == "CONSTR_CHECK") && !con.value("skip_validation", false))
          f.adds_validated_constraint = true;
      }
    }
  }
  return f;
}

void collect_functions(const json& node, std::vector<std::string>& out) {
  if (node.is_object()) {
    if (auto call = node.find("FuncCall"); call != node.end()) {
      const auto& names = call->value("funcname", json::array());
      if (!names.empty()) {
        std::string name = names.back().value("String", json::object()).value("sval", "");
        std::transform(name.begin(), name.end(), name.begin(), [](unsigned char ch) { return std::tolower(ch); });
        out.push_back(name);
      }
    }
    for (const auto& [_, child] : node.items()) collect_functions(child, out);
  } else if (node.is_array()) {
    for (const auto& child : node) collect_functions(child, out);
  }
}

}  // namespace

std::vector<statement_facts> analyze(std::string_view text) {
  const json tree = parse_tree(text);
  std::vector<statement_facts> out;
  for (const auto& s : tree.value("stmts", json::array())) {
    const std::size_t at = s.value("stmt_location", std::size_t{0});
    const std::size_t length = s.value("stmt_len", text.size() - std::min(at, text.size()));
    out.push_back(facts_of(s.value("stmt", json::object()), std::string(text.substr(std::min(at, text.size()), length))));
  }
  return out;
}

std::vector<std::string> functions_called(std::string_view expression) {
  const json tree = parse_tree(fmt::format("SELECT ({})", expression));
  if (tree.value("stmts", json::array()).size() != 1) throw error("not one SQL expression");
  std::vector<std::string> out;
  collect_functions(tree, out);
  return out;
}

}  // namespace retort::sql
