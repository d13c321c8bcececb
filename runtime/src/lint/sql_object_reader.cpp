// SQL object files (functions, procedures, triggers) read with PostgreSQL's own parser: one
// statement of an accepted kind, its name and identity, and the normalized text the diff
// compares. The text is rebuilt from the source (options reordered, type aliases spelt out),
// deparsed by libpg_query, then the names it creates and uses are qualified and quoted in place.
#include <algorithm>
#include <array>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <fmt/format.h>
#include <nlohmann/json.hpp>
#include <pg_query.h>

#include "retort/errors.hpp"
#include "retort/sql_analysis.hpp"

namespace retort::sql {

namespace {

using nlohmann::json;

// Line and column (1-based) of byte `offset` of `text`.
std::pair<int, int> line_and_column(std::string_view text, std::size_t offset) {
  offset = std::min(offset, text.size());
  int line = 1;
  std::size_t line_start = 0;
  for (std::size_t i = 0; i < offset; ++i)
    if (text[i] == '\n') ++line, line_start = i + 1;
  return {line, static_cast<int>(offset - line_start) + 1};
}

// Reports problems at a place of the file being read.
struct source {
  std::string_view text;
  const std::string& file;

  [[noreturn]] void fail_at(std::size_t offset, const std::string& message) const {
    const auto [line, column] = line_and_column(text, offset);
    throw file_error(file, line, column, "error: " + message);  // as a compiler says it
  }
};

// The parse tree, or a file_error at the parser's position.
json parse(std::string_view text, const source& where) {
  const std::string owned(text);
  PgQueryParseResult result = pg_query_parse(owned.c_str());
  const std::unique_ptr<PgQueryParseResult, void (*)(PgQueryParseResult*)> guard(
      &result, [](PgQueryParseResult* r) { pg_query_free_parse_result(*r); });
  if (result.error) {
    const int at = result.error->cursorpos > 0 ? result.error->cursorpos - 1 : 0;
    where.fail_at(static_cast<std::size_t>(at), fmt::format("SQL does not parse: {}", result.error->message));
  }
  return json::parse(result.parse_tree);
}

// The statement as libpg_query's deparser prints it (`text` parsed already, so it parses).
std::string deparse(const std::string& text) {
  PgQueryProtobufParseResult parsed = pg_query_parse_protobuf(text.c_str());
  const std::unique_ptr<PgQueryProtobufParseResult, void (*)(PgQueryProtobufParseResult*)> guard(
      &parsed, [](PgQueryProtobufParseResult* r) { pg_query_free_protobuf_parse_result(*r); });
  if (parsed.error) throw error(fmt::format("SQL does not parse: {}", parsed.error->message));
  PgQueryDeparseResult out = pg_query_deparse_protobuf(parsed.parse_tree);
  const std::unique_ptr<PgQueryDeparseResult, void (*)(PgQueryDeparseResult*)> out_guard(
      &out, [](PgQueryDeparseResult* r) { pg_query_free_deparse_result(*r); });
  if (out.error) throw error(fmt::format("SQL cannot be printed back: {}", out.error->message));
  return out.query;
}

std::string quote_identifier(std::string_view identifier) {
  std::string out = "\"";
  for (char c : identifier) out += c == '"' ? std::string("\"\"") : std::string(1, c);
  return out + "\"";
}

std::string sval(const json& string_node) { return string_node.value("String", json::object()).value("sval", ""); }

// A name list (["public", "f"] or ["f"]) as a qualified name, its schema `default_schema` when absent.
std::optional<qualified_name> name_of(const json& names, const std::string& default_schema) {
  if (names.size() == 1) return qualified_name{default_schema, sval(names[0])};
  if (names.size() == 2) return qualified_name{sval(names[0]), sval(names[1])};
  return std::nullopt;
}

bool identifier_byte(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '$' ||
         static_cast<unsigned char>(c) >= 0x80;
}

// The end of the (possibly qualified, possibly quoted) name that starts at `at` in deparsed text.
std::size_t end_of_name(std::string_view text, std::size_t at) {
  while (at < text.size()) {
    if (text[at] == '"') {
      for (++at; at < text.size(); ++at)
        if (text[at] == '"') {
          if (at + 1 < text.size() && text[at + 1] == '"') ++at;
          else break;
        }
      ++at;
    } else {
      while (at < text.size() && identifier_byte(text[at])) ++at;
    }
    if (at < text.size() && text[at] == '.') ++at;
    else break;
  }
  return at;
}

// `text` with the name starting at `at` replaced by `q`, qualified and quoted.
std::string with_name(std::string text, std::size_t at, const qualified_name& q) {
  const std::size_t end = end_of_name(text, at);
  return text.replace(at, end - at, quote_identifier(q.schema) + "." + quote_identifier(q.name));
}

// CREATE OR REPLACE is how an object is rendered, not part of what it is.
std::string without_or_replace(std::string text) {
  constexpr std::string_view replace = "CREATE OR REPLACE ";
  if (text.starts_with(replace)) text.replace(0, replace.size(), "CREATE ");
  return text;
}

// pg_get_functiondef's order of a routine's options; those not listed go before AS.
constexpr std::array<std::string_view, 12> option_order{"language", "window",  "volatility", "strict",
                                                        "security", "leakproof", "parallel", "cost",
                                                        "rows",     "support", "set",        "as"};

std::size_t option_rank(const std::string& name) {
  auto it = std::find(option_order.begin(), option_order.end(), name);
  return it == option_order.end() ? option_order.size() - 1 : static_cast<std::size_t>(it - option_order.begin());
}

// An option that says what PostgreSQL assumes anyway, which pg_get_functiondef leaves out.
bool is_default_option(const std::string& name, const json& arg) {
  if (name == "volatility" || name == "parallel") {
    const std::string value = arg.value("String", json::object()).value("sval", "");
    return value == (name == "volatility" ? "volatile" : "unsafe");
  }
  if (name == "strict" || name == "security" || name == "leakproof")
    return !arg.value("Boolean", json::object()).value("boolval", false);
  return false;
}

// Type names PostgreSQL takes as plain identifiers and prints by their SQL names.
constexpr std::array<std::pair<std::string_view, std::string_view>, 9> type_aliases{{
    {"int2", "smallint"}, {"int4", "integer"}, {"int8", "bigint"}, {"float4", "real"},
    {"float8", "double precision"}, {"bool", "boolean"}, {"timestamptz", "timestamp with time zone"},
    {"timetz", "time with time zone"}, {"varbit", "bit varying"}}};

// The alias a one-word type name written at `at` in `text` is, if it is one.
std::optional<std::string_view> alias_at(std::string_view text, const json& type_name) {
  const auto& names = type_name.value("names", json::array());
  const int at = type_name.value("location", -1);
  if (names.size() != 1 || at < 0) return std::nullopt;
  const std::string name = sval(names[0]);
  for (const auto& [alias, spelling] : type_aliases) {
    if (name != alias) continue;
    const auto pos = static_cast<std::size_t>(at);
    if (pos + alias.size() > text.size()) return std::nullopt;
    std::string written(text.substr(pos, alias.size()));
    std::transform(written.begin(), written.end(), written.begin(), [](unsigned char c) { return std::tolower(c); });
    const bool whole = pos + alias.size() == text.size() || !identifier_byte(text[pos + alias.size()]);
    if (written == alias && whole) return spelling;
  }
  return std::nullopt;
}

struct option_at {
  std::size_t location;
  std::string name;
  json arg;
};

// The statement of a routine rebuilt from its source: header with type aliases spelt out, then
// the options that are not PostgreSQL's defaults, in pg_get_functiondef's order, one a line (a
// `--` comment ends at its line).
std::string rebuilt_routine(std::string_view text, std::size_t begin, std::size_t end, const json& fs) {
  std::vector<option_at> options;
  for (const auto& o : fs.value("options", json::array())) {
    const json& d = o.value("DefElem", json::object());
    options.push_back({d.value("location", std::size_t{0}), d.value("defname", ""), d.value("arg", json())});
  }
  std::sort(options.begin(), options.end(), [](const option_at& a, const option_at& b) { return a.location < b.location; });
  const std::size_t header_end = options.empty() ? end : options.front().location;

  std::vector<std::pair<std::size_t, std::string_view>> aliases;  // (offset, spelling)
  const auto note_alias = [&](const json& type_name) {
    if (auto spelling = alias_at(text, type_name); spelling && type_name.value("location", std::size_t{0}) < header_end)
      aliases.emplace_back(type_name.value("location", std::size_t{0}), *spelling);
  };
  for (const auto& p : fs.value("parameters", json::array()))
    note_alias(p.value("FunctionParameter", json::object()).value("argType", json::object()));
  note_alias(fs.value("returnType", json::object()));
  std::sort(aliases.begin(), aliases.end());

  std::string out;
  std::size_t at = begin;
  for (const auto& [offset, spelling] : aliases) {
    out.append(text.substr(at, offset - at));
    out.append(spelling);
    at = offset;
    while (at < text.size() && identifier_byte(text[at])) ++at;
  }
  out.append(text.substr(at, header_end - at));

  std::vector<std::pair<std::size_t, std::string>> kept;  // (rank, text)
  for (std::size_t i = 0; i < options.size(); ++i) {
    if (is_default_option(options[i].name, options[i].arg)) continue;
    const std::size_t next = i + 1 < options.size() ? options[i + 1].location : end;
    kept.emplace_back(option_rank(options[i].name), std::string(text.substr(options[i].location, next - options[i].location)));
  }
  std::stable_sort(kept.begin(), kept.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  for (const auto& [_, option] : kept) out += "\n" + option;
  return out;
}

// The first statement of deparsed text, parsed again (to read locations in it).
json reparsed(const std::string& text, const std::string& file) {
  const source where{text, file};
  json tree = parse(text, where);
  return tree["stmts"][0]["stmt"];
}

bool is_input(const std::string& mode) { return mode != "FUNC_PARAM_OUT" && mode != "FUNC_PARAM_TABLE"; }

// The type of the parameter whose type starts at `at` in deparsed text: up to its default
// (" = "), or the next top-level `,` or the `)` closing the list.
std::string parameter_type(std::string_view text, std::size_t at) {
  int depth = 0;
  std::size_t i = at;
  for (; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '"' || c == '\'') {
      const std::size_t close = text.find(c, i + 1);
      if (close == std::string_view::npos) break;
      i = close;
    } else if (c == '(' || c == '[') {
      ++depth;
    } else if (c == ')' || c == ']') {
      if (depth == 0) break;
      --depth;
    } else if (depth == 0 && (c == ',' || text.substr(i).starts_with(" = "))) {
      break;
    }
  }
  return std::string(text.substr(at, i - at));
}

// `IN` written out is the default mode: pg_get_functiondef writes it for every input parameter of
// a procedure, a file seldom does. Removed from deparsed text (which writes a mode as "IN "
// right before the parameter's name and type).
std::string without_in_modes(std::string text, const std::string& file) {
  const json fs = reparsed(text, file).value("CreateFunctionStmt", json::object());
  std::vector<std::size_t> types;
  for (const auto& p : fs.value("parameters", json::array())) {
    const json& fp = p.value("FunctionParameter", json::object());
    if (fp.value("mode", "") == "FUNC_PARAM_IN") types.push_back(fp.value("argType", json::object()).value("location", std::size_t{0}));
  }
  for (auto it = types.rbegin(); it != types.rend(); ++it) {
    const std::size_t mode = text.rfind("IN ", *it);
    if (mode != std::string::npos && mode > 0 && (text[mode - 1] == '(' || text[mode - 1] == ' ')) text.erase(mode, 3);
  }
  return text;
}

sql_object read_routine(std::string_view text, std::size_t begin, std::size_t end, const json& fs, const source& where,
                        const std::string& default_schema) {
  if (fs.contains("sql_body"))
    where.fail_at(begin, "a BEGIN ATOMIC or RETURN body: write the body as a string (AS $$ ... $$). PostgreSQL keeps "
                         "the other form as a parse tree and prints it back reformatted, so it could not be compared");
  sql_object o;
  o.kind = fs.value("is_procedure", false) ? sql_object_kind::procedure : sql_object_kind::function;
  auto name = name_of(fs.value("funcname", json::array()), default_schema);
  if (!name) where.fail_at(begin, "a routine's name is [schema.]name");
  o.name = *name;

  std::string normalized = without_or_replace(deparse(rebuilt_routine(text, begin, end, fs)));
  const std::string keyword = o.kind == sql_object_kind::procedure ? "CREATE PROCEDURE " : "CREATE FUNCTION ";
  if (!normalized.starts_with(keyword)) throw error(fmt::format("{}: unexpected deparsed text: {}", where.file, excerpt(normalized)));
  normalized = with_name(std::move(normalized), keyword.size(), o.name);
  normalized = without_in_modes(std::move(normalized), where.file);

  const json again = reparsed(normalized, where.file).value("CreateFunctionStmt", json::object());
  std::size_t header_end = normalized.size();
  for (const auto& opt : again.value("options", json::array()))
    header_end = std::min(header_end, opt.value("DefElem", json::object()).value("location", normalized.size()));
  o.header = normalized.substr(0, header_end);
  while (!o.header.empty() && o.header.back() == ' ') o.header.pop_back();
  o.header.erase(0, keyword.size());
  std::vector<std::string> types;
  for (const auto& p : again.value("parameters", json::array())) {
    const json& fp = p.value("FunctionParameter", json::object());
    if (!is_input(fp.value("mode", "FUNC_PARAM_DEFAULT"))) continue;
    types.push_back(parameter_type(normalized, fp.value("argType", json::object()).value("location", std::size_t{0})));
  }
  for (std::size_t i = 0; i < types.size(); ++i) o.arguments += (i ? ", " : "") + types[i];
  o.definition = std::move(normalized);
  return o;
}

sql_object read_trigger(std::string_view text, std::size_t begin, std::size_t end, const json& ts, const source& where,
                        const std::string& default_schema) {
  if (ts.value("isconstraint", false))
    where.fail_at(begin, "a constraint trigger: SQL_OBJECTS takes functions, procedures and plain triggers");
  sql_object o;
  o.kind = sql_object_kind::trigger;
  const json& relation = ts.value("relation", json::object());
  o.table = {relation.value("schemaname", default_schema), relation.value("relname", "")};
  o.name = {o.table.schema, ts.value("trigname", "")};
  auto function = name_of(ts.value("funcname", json::array()), default_schema);
  if (!function) where.fail_at(begin, "a trigger's function is [schema.]name");
  o.function = *function;

  std::string normalized = without_or_replace(deparse(std::string(text.substr(begin, end - begin))));
  // The function's name comes last (before its arguments), the table's first: qualify them in
  // that order, so the table's offset stays valid.
  constexpr std::string_view execute = " EXECUTE FUNCTION ";
  const std::size_t call = normalized.rfind(execute);
  if (call == std::string::npos || normalized.find(execute) != call)
    where.fail_at(begin, "the trigger's text holds \"EXECUTE FUNCTION\" more than once");
  normalized = with_name(std::move(normalized), call + execute.size(), o.function);
  const json again = reparsed(normalized, where.file).value("CreateTrigStmt", json::object());
  const std::size_t table_at = again.value("relation", json::object()).value("location", std::size_t{0});
  o.definition = with_name(std::move(normalized), table_at, o.table);
  return o;
}

}  // namespace

sql_object read_sql_object(std::string_view text, const std::string& file, const std::string& default_schema) {
  const source where{text, file};
  const json tree = parse(text, where);
  const auto& stmts = tree.value("stmts", json::array());
  if (stmts.empty())
    where.fail_at(0, "no statement: an SQL object file holds one CREATE FUNCTION, CREATE PROCEDURE or CREATE TRIGGER");
  // A statement is cited at its first word, not at the blanks before it.
  const auto first_word = [&](std::size_t from) { return std::min(text.find_first_not_of(" \t\r\n", from), text.size()); };
  if (stmts.size() > 1)
    where.fail_at(first_word(stmts[1].value("stmt_location", std::size_t{0})),
                  "a second statement: an SQL object file holds exactly one (CREATE FUNCTION, CREATE PROCEDURE or "
                  "CREATE TRIGGER)");
  const std::size_t begin = stmts[0].value("stmt_location", std::size_t{0});
  const std::size_t length = stmts[0].value("stmt_len", std::size_t{0});
  const std::size_t end = length ? begin + length : text.size();
  const json& stmt = stmts[0].value("stmt", json::object());
  if (auto fs = stmt.find("CreateFunctionStmt"); fs != stmt.end()) return read_routine(text, begin, end, *fs, where, default_schema);
  if (auto ts = stmt.find("CreateTrigStmt"); ts != stmt.end()) return read_trigger(text, begin, end, *ts, where, default_schema);
  where.fail_at(first_word(begin), fmt::format("{} is not CREATE FUNCTION, CREATE PROCEDURE or CREATE TRIGGER: an SQL object "
                                   "file holds one of those",
                                   stmt.empty() ? std::string("this statement") : stmt.begin().key()));
}

sql_object read_database_sql_object(const std::string& definition, const std::string& default_schema) {
  return read_sql_object(definition, "the database's definition", default_schema);
}

}  // namespace retort::sql
