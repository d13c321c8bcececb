// SQL objects in normalized text: see sql_object_samples.hpp.
#include "sql_object_samples.hpp"

#include <fmt/format.h>

namespace retort::testing {

namespace {
std::string quote_identifier(const std::string& s) {
  std::string out = "\"";
  for (char c : s) out += c == '"' ? std::string("\"\"") : std::string(1, c);
  return out + "\"";
}
std::string quote_identifier(const qualified_name& q) { return quote_identifier(q.schema) + "." + quote_identifier(q.name); }
}  // namespace

sql_object touch_function(const std::string& schema, const std::string& name, int variant) {
  const qualified_name n{schema, name};
  const std::string body = variant == 0 ? "BEGIN RETURN NEW; END" : fmt::format("BEGIN /* {} */ RETURN NEW; END", variant);
  return {sql_object_kind::function, n, "", {}, {}, quote_identifier(n) + "() RETURNS trigger",
          fmt::format("CREATE FUNCTION {}() RETURNS trigger LANGUAGE plpgsql AS $${}$$", quote_identifier(n), body)};
}

sql_object add_one_function(const std::string& parameter) {
  const qualified_name n{"public", "add_one"};
  const std::string header = fmt::format("{}({} int) RETURNS int", quote_identifier(n), parameter);
  return {sql_object_kind::function, n, "int", {}, {}, header,
          fmt::format("CREATE FUNCTION {} LANGUAGE sql IMMUTABLE AS $$SELECT {} + 1$$", header, parameter)};
}

sql_object archive_procedure() {
  const qualified_name n{"billing", "archive"};
  const std::string header = quote_identifier(n) + "(days int)";
  return {sql_object_kind::procedure, n, "int", {}, {}, header,
          fmt::format("CREATE PROCEDURE {} LANGUAGE sql AS $$SELECT days$$", header)};
}

sql_object touch_trigger(const qualified_name& table, const qualified_name& function, bool on_insert) {
  return {sql_object_kind::trigger, {table.schema, "trg_touch"}, "", table, function, "",
          fmt::format("CREATE TRIGGER trg_touch BEFORE {} ON {} FOR EACH ROW EXECUTE FUNCTION {}()",
                      on_insert ? "INSERT" : "UPDATE", quote_identifier(table), quote_identifier(function))};
}

}  // namespace retort::testing
