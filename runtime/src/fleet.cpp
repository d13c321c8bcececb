// The fleet file reader: the same path-tracking JSON reader as migration files, with each
// mistake moved to its line and column (the fleet file is written by hand).
#include "retort/fleet.hpp"

#include <algorithm>
#include <optional>

#include <fmt/format.h>

#include "json_codec.hpp"
#include "retort/errors.hpp"

namespace retort::fleet {

namespace {

using json_codec::reader;

constexpr std::string_view kinds_help =
    "an entry names its targets one way: \"url\" (with \"schema\": one tenant schema), \"url\" + \"schemas\" "
    "(a glob of schemas), \"server\" + \"databases\" (a glob of databases), or \"directory\" + \"query\"";

// The error at the line and column of the value its JSON path names (a missing member: of the
// object that lacks it).
[[noreturn]] void relocate(const file_error& e, std::string_view text, const std::string& file) {
  std::string_view path = e.json_path();
  std::optional<std::pair<int, int>> at;
  while (!path.empty() && !(at = json_codec::position_of(text, path))) {
    const auto dot = path.rfind('.'), bracket = path.rfind('[');
    const auto cut = dot == std::string_view::npos ? bracket
                     : bracket == std::string_view::npos ? dot
                                                         : std::max(dot, bracket);
    path = cut == std::string_view::npos ? std::string_view() : path.substr(0, cut);
  }
  if (!at) throw e;
  std::string_view message = e.what();
  const std::string prefix = file + ": " + e.json_path() + ": ";
  if (message.starts_with(prefix)) message.remove_prefix(prefix.size());
  throw file_error(file, at->first, at->second, fmt::format("{}: {}", e.json_path(), message));
}

labels read_labels(const reader& r) {
  labels out;
  for (const auto& [key, value] : r.members()) {
    if (key.empty()) value.fail("a label needs a name");
    out.emplace(std::string(key), value.string());
  }
  return out;
}

source read_source(const reader& r) {
  r.expect_object({"name", "url", "schema", "schemas", "server", "databases", "directory", "query", "database",
                   "labels"});
  source s;
  s.name = r.string("name");
  if (s.name.empty()) r.at("name").fail("a target needs a name");
  if (auto l = r.maybe("labels")) s.tags = read_labels(*l);
  const bool url = r.has("url"), server = r.has("server"), directory = r.has("directory");
  if (url + server + directory != 1) r.fail(std::string(kinds_help));
  // Keys that belong to another kind of entry are refused rather than ignored.
  const auto only_with = [&](std::string_view key, bool allowed) {
    if (r.has(key) && !allowed) r.at(key).fail(std::string(kinds_help));
  };
  only_with("schema", url && !r.has("schemas"));
  only_with("schemas", url);
  only_with("databases", server);
  only_with("query", directory);
  only_with("database", directory);
  if (url) {
    s.url = r.string("url");
    s.kind = r.has("schemas") ? source_kind::schema_glob : source_kind::url;
    if (auto t = r.maybe("schema")) s.schema = t->identifier();
    if (auto g = r.maybe("schemas")) s.pattern = g->string();
  } else if (server) {
    s.kind = source_kind::database_glob;
    s.url = r.string("server");
    s.pattern = r.string("databases");
  } else {
    s.kind = source_kind::directory_query;
    s.url = r.string("directory");
    s.query = r.string("query");
    if (auto d = r.maybe("database")) s.database = d->string();
  }
  if (s.url.empty()) r.fail("the database URL is empty");
  return s;
}

}  // namespace

fleet_file read_fleet(std::string_view text, const std::string& file) {
  fleet_file out{file, {}};
  simdjson::dom::parser parser;
  const json_codec::document doc(parser, text, file);
  const reader root(doc.root(), file);
  try {
    root.expect_object({"format", "targets"});
    if (const auto format = root.at("format"); format.integer() != 1)
      format.fail("unsupported format (this Retort reads format 1)");
    const reader list = root.at("targets");  // outlives the readers of its items, which point to it
    const auto entries = list.items();
    for (std::size_t i = 0; i < entries.size(); ++i) {
      source s = read_source(entries[i]);
      const auto at = json_codec::position_of(text, entries[i].path());
      s.line = at ? at->first : 0;
      for (const auto& earlier : out.sources)
        if (earlier.name == s.name)
          entries[i].at("name").fail(fmt::format("the name \"{}\" is already used at line {}", s.name, earlier.line));
      out.sources.push_back(std::move(s));
    }
  } catch (const file_error& e) {
    relocate(e, text, file);
  }
  return out;
}

labels parse_labels(const std::vector<std::string>& arguments) {
  labels out;
  for (const auto& argument : arguments) {
    std::string_view rest = argument;
    while (!rest.empty()) {
      const auto comma = rest.find(',');
      const std::string_view pair = rest.substr(0, comma);
      rest = comma == std::string_view::npos ? std::string_view() : rest.substr(comma + 1);
      const auto eq = pair.find('=');
      if (eq == std::string_view::npos || eq == 0)
        throw error(fmt::format("--labels takes key=value (several comma-separated), not \"{}\"", pair));
      out.insert_or_assign(std::string(pair.substr(0, eq)), std::string(pair.substr(eq + 1)));
    }
  }
  return out;
}

bool matches(const labels& have, const labels& wanted) {
  return std::all_of(wanted.begin(), wanted.end(), [&](const auto& w) {
    const auto it = have.find(w.first);
    return it != have.end() && it->second == w.second;
  });
}

void require_unique_names(const std::vector<target>& targets, const std::string& file) {
  std::map<std::string_view, const target*> seen;
  for (const auto& t : targets) {
    const auto [it, fresh] = seen.emplace(t.name, &t);
    if (!fresh)
      throw file_error(file, t.line, 1,
                       fmt::format("two targets are named \"{}\" (from the entries at lines {} and {}); names must "
                                   "be unique",
                                   t.name, it->second->line, t.line));
  }
}

}  // namespace retort::fleet
