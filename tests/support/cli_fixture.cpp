// What the CLI tests read back from a database.
#include "cli_fixture.hpp"

#include <sstream>

#include <fmt/format.h>

#include "retort/pg/applier.hpp"
#include "pg_fixture.hpp"
#include "retort/pg/introspect.hpp"

namespace retort::test {

namespace fs = std::filesystem;

schema live(pqxx::connection& conn) { return live_schema(conn, {"retort"}); }
schema live(const std::string& url) {
  pqxx::connection conn(url);
  return live(conn);
}

std::string rows_of(const std::string& url, const std::string& query) {
  pqxx::connection conn(url);
  pqxx::read_transaction tx(conn);
  std::string out;
  for (const auto& row : tx.exec(query)) {
    for (const auto& field : row) out += (field.is_null() ? "NULL" : field.c_str()) + std::string(" | ");
    out += "\n";
  }
  return out;
}

revision_heads current_of(const std::string& url, const revision_graph& graph) {
  pqxx::connection conn(url);
  pg::advisory_locker lock(conn, "retort");
  pg::applier a(conn, graph, lock);
  return a.current();
}

}  // namespace retort::test
