// The application side of a project that uses Retort: the migrations are compiled in
// (retort_add_schema(... EMBED_INTO inventory)), and start-up brings the database to head.
#include <iostream>

#include <pqxx/pqxx>

#include <retort/migrate.hpp>

#include "inventory.hpp"
#include "retort_inventory_migrations.hpp"

int main(int argc, char** argv) {
  if (argc != 2) {
    std::cerr << "usage: inventory CONNECTION_STRING\n";
    return 2;
  }
  try {
    pqxx::connection conn(argv[1]);
    const auto applied = retort::migrate_to_head(conn, retort::embedded::inventory());
    std::cout << "applied " << applied.size() << " revision(s)\n";
    for (const auto& id : applied) std::cout << "  applied " << id << "\n";
    const Item item{.id = 1, .sku = "A-1", .quantity = 3, .location = "shelf 4"};
    std::cout << "the models compile in the application: " << item.sku << " at " << *item.location << "\n";
    return 0;
  } catch (const std::exception& e) {
    std::cerr << "error: " << e.what() << "\n";
    return 1;
  }
}
