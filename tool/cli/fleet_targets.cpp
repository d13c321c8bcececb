// Resolving a fleet file: queries on directory databases, pg_database and pg_namespace matched
// with fnmatch(3), each row a target named after its entry.
#include "fleet_targets.hpp"

#include <fnmatch.h>
#include <libpq-fe.h>

#include <algorithm>
#include <memory>

#include <fmt/format.h>
#include <pqxx/pqxx>

#include "retort/errors.hpp"

namespace retort::cli {

namespace {

// Names of `query`'s first column that match `pattern`, sorted.
std::vector<std::string> matching(pqxx::connection& conn, const std::string& query, const std::string& pattern) {
  std::vector<std::string> out;
  pqxx::read_transaction tx(conn);
  for (const auto& row : tx.exec(query)) {
    const auto name = row[0].as<std::string>();
    if (fnmatch(pattern.c_str(), name.c_str(), 0) == 0) out.push_back(name);
  }
  std::sort(out.begin(), out.end());
  return out;
}

fleet::target make(const fleet::source& s, std::string name, std::string url, std::string schema) {
  return {std::move(name), std::move(url), std::move(schema), s.tags, s.line};
}

// One entry's targets; a database that cannot be asked is the entry's error.
std::vector<fleet::target> targets_of(const context& ctx, const fleet::fleet_file& file, const fleet::source& s) {
  if (s.kind == fleet::source_kind::url) return {make(s, s.name, s.url, s.schema)};
  std::vector<fleet::target> out;
  try {
    auto conn = ctx.connect_to(s.url);
    switch (s.kind) {
      case fleet::source_kind::url: break;
      case fleet::source_kind::database_glob:
        for (const auto& db : matching(*conn, "SELECT datname FROM pg_catalog.pg_database WHERE datallowconn", s.pattern))
          out.push_back(make(s, s.name + "/" + db, with_database(s.url, db), ""));
        break;
      case fleet::source_kind::schema_glob:
        for (const auto& schema : matching(*conn, "SELECT nspname FROM pg_catalog.pg_namespace", s.pattern))
          out.push_back(make(s, s.name + "/" + schema, s.url, schema));
        break;
      case fleet::source_kind::directory_query: {
        pqxx::read_transaction tx(*conn);
        const auto rows = tx.exec(s.query);
        if (rows.columns() < 1 || rows.columns() > 2)
          throw error(fmt::format("its query gives {} columns; it must give a URL (or, with \"database\", a schema "
                                  "name) and optionally a name",
                                  rows.columns()));
        for (const auto& row : rows) {
          if (row[0].is_null()) throw error("its query gives a NULL URL or schema name");
          const auto value = row[0].as<std::string>();
          const auto name = s.name + "/" + (rows.columns() == 2 && !row[1].is_null() ? row[1].as<std::string>() : value);
          if (s.database.empty()) out.push_back(make(s, name, value, ""));
          else out.push_back(make(s, name, s.database, value));
        }
        std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.name < b.name; });
        break;
      }
    }
  } catch (const pqxx::sql_error& e) {
    throw database_error(fmt::format("{}:{}: targets \"{}\": {}", file.file, s.line, s.name, e.what()), e.sqlstate(),
                         e.query());
  } catch (const std::exception& e) {
    throw database_error(fmt::format("{}:{}: targets \"{}\": {}", file.file, s.line, s.name, e.what()));
  }
  return out;
}

}  // namespace

std::string with_database(const std::string& url, const std::string& database) {
  char* message = nullptr;
  const std::unique_ptr<PQconninfoOption, decltype(&PQconninfoFree)> options(PQconninfoParse(url.c_str(), &message),
                                                                             &PQconninfoFree);
  if (!options) {
    const std::string why = message ? message : "unreadable";
    PQfreemem(message);
    throw error(fmt::format("cannot read the connection string \"{}\": {}", excerpt(url), why));
  }
  std::string out;
  const auto add = [&](std::string_view key, std::string_view value) {
    std::string quoted;
    for (char c : value) {
      if (c == '\'' || c == '\\') quoted += '\\';
      quoted += c;
    }
    out += fmt::format("{}{}='{}'", out.empty() ? "" : " ", key, quoted);
  };
  for (const PQconninfoOption* o = options.get(); o->keyword; ++o)
    if (o->val && std::string_view(o->keyword) != "dbname") add(o->keyword, o->val);
  add("dbname", database);
  return out;
}

std::vector<fleet::target> resolve_targets(const context& ctx, const fleet::fleet_file& file,
                                           const fleet::labels& wanted) {
  std::vector<fleet::target> out;
  for (const auto& s : file.sources) {
    if (!fleet::matches(s.tags, wanted)) continue;
    for (auto& t : targets_of(ctx, file, s)) out.push_back(std::move(t));
  }
  fleet::require_unique_names(out, file.file);
  return out;
}

}  // namespace retort::cli
