// Declaration sites as JSON: written canonically (sorted keys, fixed layout), read strictly,
// every mistake a file_error with the JSON path of the bad value.
#include "declaration_sites.hpp"

#include <limits>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "retort/errors.hpp"

namespace retort {

using nlohmann::json;

std::string table_key(const qualified_name& table) { return table.schema + "." + table.name; }

std::string column_key(const qualified_name& table, std::string_view column) {
  return table_key(table) + "." + std::string(column);
}

std::string enum_key(const qualified_name& type) { return type.schema + "." + type.name; }

namespace {

const declaration_site* find(const std::map<std::string, declaration_site>& sites, const std::string& key) {
  auto it = sites.find(key);
  return it == sites.end() ? nullptr : &it->second;
}

// The three sections, in the order the file lists them.
constexpr std::string_view sections[] = {"tables", "columns", "enums"};

std::map<std::string, declaration_site>& section(declaration_sites& sites, std::string_view name) {
  return name == "tables" ? sites.tables : name == "columns" ? sites.columns : sites.enums;
}

nlohmann::ordered_json section_json(const std::map<std::string, declaration_site>& sites) {
  nlohmann::ordered_json out = nlohmann::ordered_json::object();
  for (const auto& [key, site] : sites) {
    nlohmann::ordered_json& entry = out[key];
    entry["file"] = site.file;
    entry["line"] = site.line;
    entry["column"] = site.column;
  }
  return out;
}

json parse(std::string_view text, const std::string& file) {
  try {
    return json::parse(text);
  } catch (const json::parse_error& e) {
    throw malformed_json(file, text, e.byte, e.what());
  }
}

unsigned positive(const json& value, const std::string& file, const std::string& path) {
  if (!value.is_number_unsigned() || value.get<std::uint64_t>() == 0 ||
      value.get<std::uint64_t>() > std::numeric_limits<unsigned>::max())
    throw file_error(file, path, "expected a positive integer");
  return value.get<unsigned>();
}

declaration_site read_site(const json& value, const std::string& file, const std::string& path) {
  if (!value.is_object()) throw file_error(file, path, "expected an object {\"file\", \"line\", \"column\"}");
  for (const auto& [key, member] : value.items())
    if (key != "file" && key != "line" && key != "column") throw file_error(file, path, fmt::format("unknown key '{}'", key));
  for (const char* key : {"file", "line", "column"})
    if (!value.contains(key)) throw file_error(file, path, fmt::format("missing '{}'", key));
  if (!value["file"].is_string() || value["file"].get_ref<const std::string&>().empty())
    throw file_error(file, path + ".file", "expected a file name");
  return {value["file"].get<std::string>(), positive(value["line"], file, path + ".line"),
          positive(value["column"], file, path + ".column")};
}

}  // namespace

const declaration_site* table_site(const declaration_sites& sites, const qualified_name& table) {
  return find(sites.tables, table_key(table));
}

const declaration_site* column_site(const declaration_sites& sites, const qualified_name& table, std::string_view column) {
  return find(sites.columns, column_key(table, column));
}

const declaration_site* enum_site(const declaration_sites& sites, const qualified_name& type) {
  return find(sites.enums, enum_key(type));
}

std::string write_declaration_sites(const declaration_sites& sites) {
  // ordered_json keeps the documented order ("format" first; file, line, column); the
  // sections' keys come sorted from the maps.
  nlohmann::ordered_json out;
  out["format"] = declaration_sites_format;
  out["tables"] = section_json(sites.tables);
  out["columns"] = section_json(sites.columns);
  out["enums"] = section_json(sites.enums);
  return out.dump(2) + "\n";
}

declaration_sites read_declaration_sites(std::string_view text, const std::string& file) {
  const json root = parse(text, file);
  if (!root.is_object()) throw file_error(file, "", "expected a JSON object");
  if (!root.contains("format") || !root["format"].is_number_integer())
    throw file_error(file, "format", "missing format version");
  if (root["format"].get<int>() != declaration_sites_format)
    throw file_error(file, "format", fmt::format("unsupported format {} (this retort reads format {})",
                                                 root["format"].dump(), declaration_sites_format));
  declaration_sites sites;
  for (const auto& [key, value] : root.items()) {
    if (key == "format") continue;
    bool known = false;
    for (std::string_view s : sections) known = known || key == s;
    if (!known) throw file_error(file, key, "unknown key");
    if (!value.is_object()) throw file_error(file, key, "expected an object");
    auto& into = section(sites, key);
    for (const auto& [name, site] : value.items())
      into.emplace(name, read_site(site, file, fmt::format("{}[\"{}\"]", key, name)));
  }
  return sites;
}

}  // namespace retort
