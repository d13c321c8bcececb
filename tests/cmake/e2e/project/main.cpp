// The e2e test's application: brings the database given on the command line to head with the
// migrations compiled in, and prints what it applied.
#include <iostream>

#include <pqxx/pqxx>

#include <retort/migrate.hpp>

#include "app.hpp"
#include "retort_app_migrations.hpp"

int main(int argc, char** argv) {
  if (argc != 2) {
    std::cerr << "usage: app CONNECTION_STRING\n";
    return 2;
  }
  try {
    pqxx::connection conn(argv[1]);
    const auto applied = retort::migrate_to_head(conn, retort::embedded::app());
    std::cout << "applied " << applied.size() << " revision(s)\n";
    for (const auto& id : applied) std::cout << "  applied " << id << "\n";
    return 0;
  } catch (const std::exception& e) {
    std::cerr << "error: " << e.what() << "\n";
    return 1;
  }
}
