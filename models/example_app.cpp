// The example application's start-up: it brings its database to head with the migrations
// compiled into this binary (retort_add_schema(shop ... EMBED_INTO retort_example_app)),
// so a deployed binary needs no migration files beside it.
#include <cstdlib>
#include <iostream>

#include <pqxx/pqxx>

#include <retort/errors.hpp>
#include <retort/migrate.hpp>

#include "retort_shop_migrations.hpp"

int main(int argc, char** argv) {
  const char* url = argc > 1 ? argv[1] : std::getenv("DATABASE_URL");
  if (!url || !*url) {
    std::cerr << "usage: retort_example_app CONNECTION_STRING (or set DATABASE_URL)\n";
    return 2;
  }
  try {
    pqxx::connection conn(url);
    const auto applied = retort::migrate_to_head(conn, retort::embedded::shop());
    std::cout << (applied.empty() ? "The database is at head.\n" : "Migrated the database to head:\n");
    for (const auto& id : applied) std::cout << "  applied " << id << "\n";
    // ... the application would start serving here.
    return 0;
  } catch (const retort::error& e) {
    std::cerr << "error: " << e.what() << "\n";
  } catch (const pqxx::failure& e) {
    std::cerr << "error: database: " << e.what();
  }
  return 1;
}
