// Snapshot files: canonical JSON of a schema, and its validated reader.
#include "retort/snapshot.hpp"

#include <fmt/format.h>

#include <optional>
#include <variant>

#include "json_codec.hpp"
#include "parallel.hpp"
#include "retort/errors.hpp"
#include "retort/files.hpp"
#include "retort/naming.hpp"

namespace retort {

using json_codec::ojson;

std::string write_snapshot(const schema& in) {
  schema s = in;
  sort_canonically(s);
  ojson j;
  j["format"] = snapshot_format;
  j["schemas"] = s.schemas;
  if (!s.extensions.empty()) {  // absent when none, so snapshots from before extensions keep their bytes
    j["extensions"] = ojson::array();
    for (const auto& e : s.extensions) j["extensions"].push_back(json_codec::to_json(e));
  }
  j["enums"] = ojson::array();
  for (const auto& e : s.enums) j["enums"].push_back(json_codec::to_json(e));
  j["tables"] = ojson::array();
  for (const auto& t : s.tables) j["tables"].push_back(json_codec::to_json(t));
  if (!s.views.empty()) {  // absent when none, as extensions
    j["views"] = ojson::array();
    for (const auto& v : s.views) j["views"].push_back(json_codec::to_json(v));
  }
  if (!s.sequences.empty()) {  // absent when none, so snapshots from before sequences keep their bytes
    j["sequences"] = ojson::array();
    for (const auto& q : s.sequences) j["sequences"].push_back(json_codec::to_json(q));
  }
  if (!s.sql_objects.empty()) {  // absent when none, so snapshots from before them keep their bytes
    j["sql_objects"] = ojson::array();
    for (const auto& o : s.sql_objects) j["sql_objects"].push_back(json_codec::to_json(o));
  }
  return json_codec::dump(j);
}

namespace {

// The schema a snapshot holds, its names assigned, neither validated nor sorted.
schema parse_snapshot(const json_codec::document& doc, const std::string& file) {
  const json_codec::reader r(doc.root(), file);
  r.expect_object({"format", "schemas", "extensions", "enums", "tables", "views", "sequences", "sql_objects"});
  json_codec::reader format = r.at("format");
  if (format.integer() != snapshot_format)
    format.fail(fmt::format("snapshot format {} is not supported by this Retort (it reads format {})", format.integer(), snapshot_format));
  schema s;
  s.schemas = r.identifiers("schemas");
  if (auto a = r.maybe("extensions"))
    for (const auto& item : a->items()) s.extensions.push_back(json_codec::read_extension(item));
  if (auto a = r.maybe("enums"))
    for (const auto& item : a->items()) s.enums.push_back(json_codec::read_enum(item));
  if (auto a = r.maybe("tables")) {
    // Tables read on their own: a schema of thousands is read on a few threads.
    const auto items = a->items();
    s.tables = map_in_parallel<std::monostate>(items.size(), threads_for(items.size(), 256),
                                               [&](std::monostate&, std::size_t i) { return json_codec::read_table(items[i]); });
  }
  if (auto a = r.maybe("views"))
    for (const auto& item : a->items()) s.views.push_back(json_codec::read_view(item));
  if (auto a = r.maybe("sequences"))
    for (const auto& item : a->items()) s.sequences.push_back(json_codec::read_sequence(item));
  if (auto a = r.maybe("sql_objects"))
    for (const auto& item : a->items()) s.sql_objects.push_back(json_codec::read_sql_object(item));
  naming::assign_names(s);
  return s;
}

// Validated (naming the file and the JSON path of a mistake), then sorted.
schema checked(schema s, const std::string& file) {
  try {
    validate(s);  // before sorting, so paths match the file
  } catch (const model_error& e) {
    throw file_error(file, e.path(), e.what());
  }
  sort_canonically(s);
  return s;
}

}  // namespace

schema read_snapshot(std::string_view text, const std::string& file) {
  simdjson::dom::parser parser;
  return checked(parse_snapshot(json_codec::document(parser, text, file), file), file);
}

schema read_snapshot_file(const std::string& path) {
  simdjson::dom::parser parser;
  std::optional<json_codec::document> doc;
  {
    // Read with simdjson's padding, the text is parsed where it lies instead of copied first.
    const std::string bytes = read_bytes(path, simdjson::SIMDJSON_PADDING);
    doc.emplace(parser, bytes, path);
  }
  return checked(parse_snapshot(*doc, path), path);
}

schema read_trusted_snapshot(std::string_view text, const std::string& file) {
  simdjson::dom::parser parser;
  schema s = parse_snapshot(json_codec::document(parser, text, file), file);
  sort_canonically(s);
  return s;
}

}  // namespace retort
