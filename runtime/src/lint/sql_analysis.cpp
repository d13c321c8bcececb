// libpg_query's parse tree (JSON) read with nlohmann_json: the few node kinds the lint needs.
#include "retort/sql_analysis.hpp"

#include <algorithm>
#include <cstdlib>
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
        if (type == "CONSTR_EXCLUSION") f.adds_exclusion_constraint = true;
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

namespace {

// The parse tree of `SELECT (expression)` (the text expression_key reads locations in), checked
// to be one statement.
json expression_tree(std::string_view expression) {
  json tree = parse_tree(fmt::format("SELECT ({})", expression));
  if (tree.value("stmts", json::array()).size() != 1) throw error("not one SQL expression");
  return tree;
}

// A constant by its text: `0`, `'0'` and a stored `(0)::numeric` are one value. (libpg_query
// leaves out a field that holds its type's zero, and writes a negative integer the same way,
// `{"ival": {}}`: an integer is read from the statement's text at its location.)
std::string constant_text(const json& c, std::string_view text) {
  if (auto v = c.find("ival"); v != c.end()) {
    const auto at = c.value("location", -1);
    if (at >= 0 && static_cast<std::size_t>(at) < text.size())
      return std::to_string(std::strtoll(std::string(text.substr(static_cast<std::size_t>(at))).c_str(), nullptr, 10));
    return std::to_string(v->value("ival", 0));
  }
  if (auto v = c.find("fval"); v != c.end()) return v->value("fval", "");
  if (auto v = c.find("sval"); v != c.end()) return v->value("sval", "");
  if (auto v = c.find("boolval"); v != c.end()) return v->value("boolval", false) ? "true" : "false";
  if (auto v = c.find("bsval"); v != c.end()) return v->value("bsval", "");
  return "NULL";
}

// `x IN (a, b)` is stored as `x = ANY (ARRAY[a, b])` (NOT IN as `<> ALL`), `LIKE` as the `~~`
// operator: the stored form.
void as_stored(json& a_expr) {
  const std::string kind = a_expr.value("kind", "");
  if (kind == "AEXPR_LIKE" || kind == "AEXPR_ILIKE") a_expr["kind"] = "AEXPR_OP";
  if (kind == "AEXPR_IN") {
    const auto& op = a_expr.value("name", json::array());
    const bool negated = !op.empty() && op.back().value("String", json::object()).value("sval", "") == "<>";
    a_expr["kind"] = negated ? "AEXPR_OP_ALL" : "AEXPR_OP_ANY";
    json items = a_expr.value("rexpr", json::object()).value("List", json::object()).value("items", json::array());
    a_expr["rexpr"] = json{{"A_ArrayExpr", {{"elements", std::move(items)}}}};
  }
}

// The tree without what storing an expression adds or changes (see expression_key); `text` is
// the statement it was parsed from.
json canonical(const json& node, std::string_view text) {
  if (node.is_array()) {
    json out = json::array();
    for (const auto& n : node) out.push_back(canonical(n, text));
    return out;
  }
  if (!node.is_object()) return node;
  if (auto cast = node.find("TypeCast"); cast != node.end() && node.size() == 1)
    return canonical(cast->value("arg", json()), text);
  if (auto c = node.find("A_Const"); c != node.end() && node.size() == 1 && c->is_object())
    return json{{"A_Const", constant_text(*c, text)}};
  json out = json::object();
  for (const auto& [key, value] : node.items())
    if (key != "location") out[key] = canonical(value, text);
  if (auto e = out.find("A_Expr"); e != out.end()) {
    as_stored(*e);
    *e = canonical(*e, text);  // the array built for IN, like any other
  }
  return out;
}

}  // namespace

std::string expression_key(std::string_view expression) {
  const std::string text = fmt::format("SELECT ({})", expression);
  const json tree = expression_tree(expression);
  return canonical(tree["stmts"][0]["stmt"]["SelectStmt"]["targetList"][0]["ResTarget"]["val"], text).dump();
}

std::vector<std::string> functions_called(std::string_view expression) {
  const json tree = expression_tree(expression);
  std::vector<std::string> out;
  collect_functions(tree, out);
  return out;
}

}  // namespace retort::sql
