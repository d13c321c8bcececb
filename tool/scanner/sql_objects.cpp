// SQL_OBJECTS files read with PostgreSQL's parser and checked against the scanned models.
#include "sql_objects.hpp"

#include <algorithm>
#include <fstream>
#include <iterator>

#include <fmt/format.h>

#include "retort/errors.hpp"
#include "retort/sql_analysis.hpp"

namespace retort::scan {

namespace {

std::string read_text(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw file_error(path, 1, 1, "error: cannot read this SQL object file");
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

}  // namespace

void add_sql_objects(schema& model, const std::vector<std::string>& files) {
  std::vector<std::string> defined_in;  // the file of each object added, for duplicates
  for (const std::string& file : files) {
    sql_object o = sql::read_sql_object(read_text(file), file);
    const auto fail = [&](const std::string& message) { throw file_error(file, 1, 1, "error: " + message); };
    const auto& schemas = model.schemas;
    if (o.name.schema != "public" && std::find(schemas.begin(), schemas.end(), o.name.schema) == schemas.end())
      fail(fmt::format("schema \"{}\" of {} is not declared in the models", o.name.schema, to_string(o)));
    if (o.kind == sql_object_kind::trigger &&
        std::none_of(model.tables.begin(), model.tables.end(), [&](const table& t) { return t.name == o.table; }))
      fail(fmt::format("{} is on table {}, which the models do not declare", to_string(o), to_string(o.table)));
    for (std::size_t i = 0; i < defined_in.size(); ++i)
      if (same_object(model.sql_objects[model.sql_objects.size() - defined_in.size() + i], o))
        fail(fmt::format("{} is already defined by {}", to_string(o), defined_in[i]));
    model.sql_objects.push_back(std::move(o));
    defined_in.push_back(file);
  }
}

}  // namespace retort::scan
