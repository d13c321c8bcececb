// The ticket service's start-up: it brings the database given on the command line to head with
// the migrations compiled in, running the C++ data steps it registers (data_steps.cpp), and
// prints what it applied; a real service would start serving here.
#include <exception>
#include <iostream>

#include <pqxx/pqxx>

#include <retort/migrate.hpp>

#include "data_steps.hpp"
#include "retort_tickets_migrations.hpp"

int main(int argc, char** argv) {
  if (argc != 2) {
    std::cerr << "usage: tickets CONNECTION_STRING\n";
    return 2;
  }
  try {
    retort::cpp_steps steps;
    register_data_steps(steps);
    pqxx::connection conn(argv[1]);
    const auto applied = retort::migrate_to_head(conn, retort::embedded::tickets(), steps);
    std::cout << "applied " << applied.size() << " revision(s)\n";
    for (const auto& id : applied) std::cout << "  applied " << id << "\n";
    return 0;
  } catch (const std::exception& e) {
    std::cerr << "error: " << e.what() << "\n";
    return 1;
  }
}
