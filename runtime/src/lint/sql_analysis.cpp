// libpg_query's parse tree (JSON): the statement facts the lint needs, read with simdjson, and the
// expression and query keys, read with nlohmann_json.
#include "retort/sql_analysis.hpp"

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <memory>
#include <set>
#include <unordered_map>

#include <fmt/format.h>
#include <nlohmann/json.hpp>
#include <pg_query.h>
#include <simdjson.h>

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

// The statement facts are read with simdjson: analyze() reads every statement of every revision
// a check lints, and the tree's few fields need no mutable document.
using element = simdjson::dom::element;

std::optional<qualified_name> range_var(element rv) {
  std::string_view relname;
  if (rv["relname"].get(relname)) return std::nullopt;  // not an object, or no relname
  std::string_view schemaname;
  if (rv["schemaname"].get(schemaname)) schemaname = "public";
  return qualified_name{std::string(schemaname), std::string(relname)};
}

bool flag(element object, std::string_view key) {
  bool value = false;
  return !object[key].get(value) && value;  // libpg_query leaves out a false field
}

std::string_view text_field(element object, std::string_view key) {
  std::string_view value;
  return object[key].get(value) ? std::string_view{} : value;
}

statement_facts facts_of(element stmt, std::string text) {
  statement_facts f;
  f.text = std::move(text);
  element node;
  if (!stmt["IndexStmt"].get(node)) {
    f.creates_index = true;
    f.concurrently = flag(node, "concurrent");
    f.table = range_var(node["relation"].value_unsafe());
  } else if (!stmt["DropStmt"].get(node)) {
    f.concurrently = flag(node, "concurrent");
  } else if (!stmt["LockStmt"].get(node)) {
    f.locks_table = true;
    simdjson::dom::array relations;
    if (!node["relations"].get(relations) && relations.size() > 0)
      f.table = range_var(relations.at(0)["RangeVar"].value_unsafe());
  } else if (!stmt["AlterTableStmt"].get(node)) {
    element relation;
    if (!node["relation"].get(relation)) f.table = range_var(relation);
    simdjson::dom::array cmds;
    if (!node["cmds"].get(cmds))
      for (element cmd : cmds) {
        element c;
        if (cmd["AlterTableCmd"].get(c)) continue;
        const std::string_view subtype = text_field(c, "subtype");
        if (subtype == "AT_SetNotNull") f.sets_not_null = true;
        if (subtype == "AT_AlterColumnType") f.changes_column_type = true;
        if (subtype == "AT_ValidateConstraint") f.validates_constraint = true;
        element con;
        if (subtype == "AT_AddConstraint" && !c["def"]["Constraint"].get(con)) {
          const std::string_view type = text_field(con, "contype");
          if ((type == "CONSTR_FOREIGN" || type == "CONSTR_CHECK") && !flag(con, "skip_validation"))
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
  const std::string owned(text);
  PgQueryParseResult result = pg_query_parse(owned.c_str());
  const std::unique_ptr<PgQueryParseResult, void (*)(PgQueryParseResult*)> guard(
      &result, [](PgQueryParseResult* r) { pg_query_free_parse_result(*r); });
  if (result.error) throw error(fmt::format("SQL does not parse: {}", result.error->message));
  thread_local simdjson::dom::parser parser;  // its buffers serve every statement
  element tree;
  if (const auto e = parser.parse(result.parse_tree, std::strlen(result.parse_tree)).get(tree))
    throw error(fmt::format("libpg_query's parse tree does not read as JSON: {}", simdjson::error_message(e)));
  std::vector<statement_facts> out;
  simdjson::dom::array stmts;
  if (tree["stmts"].get(stmts)) return out;  // no statement: only comments or blanks
  for (element s : stmts) {
    std::int64_t location = 0;
    if (s["stmt_location"].get(location)) location = 0;  // left out when 0
    const std::size_t at = std::min(static_cast<std::size_t>(location), text.size());
    std::int64_t length = 0;
    if (s["stmt_len"].get(length) || length == 0) length = static_cast<std::int64_t>(text.size() - at);  // 0: to the end
    element stmt;
    if (s["stmt"].get(stmt)) continue;
    out.push_back(facts_of(stmt, std::string(text.substr(at, static_cast<std::size_t>(length)))));
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
  // A history repeats a few defaults (`0`, `now()`) in thousands of revisions: each text is
  // parsed once per thread. Bounded, for a process that lints many histories.
  thread_local std::unordered_map<std::string, std::vector<std::string>> known;
  if (auto it = known.find(std::string(expression)); it != known.end()) return it->second;
  const json tree = expression_tree(expression);
  std::vector<std::string> out;
  collect_functions(tree, out);
  if (known.size() >= 4096) known.clear();
  known.emplace(std::string(expression), out);
  return out;
}

// ---- view queries ------------------------------------------------------------------------

namespace {

// The one statement of `query`, which must be a SELECT.
json select_statement(const json& tree) {
  const auto& stmts = tree.value("stmts", json::array());
  if (stmts.size() != 1) throw error("a view's query is one SELECT statement");
  const json& stmt = stmts[0].value("stmt", json::object());
  if (!stmt.contains("SelectStmt")) throw error("a view's query is a SELECT statement");
  return stmt;
}

void visit_nodes(const json& node, const std::function<void(const std::string&, const json&)>& f) {
  if (node.is_object()) {
    for (const auto& [key, child] : node.items()) {
      if (child.is_object()) f(key, child);
      visit_nodes(child, f);
    }
  } else if (node.is_array()) {
    for (const auto& child : node) visit_nodes(child, f);
  }
}

// libpg_query's deparser reads the protobuf form of the parse tree.
std::string deparsed(const std::string& text) {
  PgQueryProtobufParseResult parsed = pg_query_parse_protobuf(text.c_str());
  const std::unique_ptr<PgQueryProtobufParseResult, void (*)(PgQueryProtobufParseResult*)> guard(
      &parsed, [](PgQueryProtobufParseResult* r) { pg_query_free_protobuf_parse_result(*r); });
  if (parsed.error) throw error(fmt::format("SQL does not parse: {}", parsed.error->message));
  PgQueryDeparseResult result = pg_query_deparse_protobuf(parsed.parse_tree);
  const std::unique_ptr<PgQueryDeparseResult, void (*)(PgQueryDeparseResult*)> deparse_guard(
      &result, [](PgQueryDeparseResult* r) { pg_query_free_deparse_result(*r); });
  if (result.error) throw error(fmt::format("SQL cannot be printed back: {}", result.error->message));
  return result.query;
}

// What pg_get_viewdef adds to a query, left out of the canonical tree (see query_key).
void as_written(json& node, const std::string& view_schema) {
  if (node.is_array()) {
    for (auto& n : node) as_written(n, view_schema);
    return;
  }
  if (!node.is_object()) return;
  if (auto rv = node.find("RangeVar"); rv != node.end()) {
    if (rv->value("schemaname", "") == view_schema) rv->erase("schemaname");
    rv->erase("inh");
    rv->erase("relpersistence");
  }
  if (auto c = node.find("ColumnRef"); c != node.end()) {
    auto& fields = (*c)["fields"];
    if (fields.is_array() && fields.size() > 1) fields = json::array({fields.back()});
  }
  if (auto r = node.find("ResTarget"); r != node.end()) r->erase("name");
  // A function or operator of the view's schema, printed qualified (`public.similarity(...)`).
  const auto unqualify = [&](json& names) {
    if (names.is_array() && names.size() == 2 && names[0].value("String", json::object()).value("sval", "") == view_schema)
      names.erase(names.begin());
  };
  if (auto f = node.find("FuncCall"); f != node.end() && f->contains("funcname")) unqualify((*f)["funcname"]);
  if (auto e = node.find("A_Expr"); e != node.end() && e->contains("name")) unqualify((*e)["name"]);
  for (auto& [_, child] : node.items()) as_written(child, view_schema);
}

}  // namespace

std::string normalized_query(std::string_view query) {
  const std::string text(query);
  const json stmt = select_statement(parse_tree(text));
  const json& select = stmt["SelectStmt"];
  if (select.contains("intoClause")) throw error("a view's query cannot be SELECT ... INTO");
  for (const auto& target : select.value("targetList", json::array())) {
    const json& val = target.value("ResTarget", json::object()).value("val", json::object());
    for (const auto& field : val.value("ColumnRef", json::object()).value("fields", json::array()))
      if (field.contains("A_Star"))
        throw error("a view's query selects *: PostgreSQL expands it once, when the view is created, so the view would "
                    "not follow its tables; name the columns");
  }
  return deparsed(text);
}

std::vector<qualified_name> relations_read(std::string_view query, const std::string& view_schema) {
  const json tree = parse_tree(query);
  std::set<std::string> own;  // WITH query names
  visit_nodes(tree, [&](const std::string& key, const json& n) {
    if (key == "CommonTableExpr") own.insert(n.value("ctename", ""));
  });
  std::set<qualified_name> out;
  visit_nodes(tree, [&](const std::string& key, const json& n) {
    if (key != "RangeVar" || !n.contains("relname")) return;
    const std::string name = n.value("relname", "");
    if (!n.contains("schemaname") && own.contains(name)) return;
    out.insert(qualified_name{n.value("schemaname", view_schema), name});
  });
  return {out.begin(), out.end()};
}

std::string query_key(std::string_view query, const std::string& view_schema) {
  const std::string text(query);
  json tree = canonical(select_statement(parse_tree(text)), text);
  as_written(tree, view_schema);
  return tree.dump();
}

}  // namespace retort::sql
