// The example application's start-up: it brings its database to head with the migrations
// compiled into this binary (retort_add_schema(shop ... EMBED_INTO retort_example_app)),
// so a deployed binary needs no migration files beside it. It is also the migration entry
// point for its C++ data steps, which the retort CLI cannot run.
#include <algorithm>
#include <cctype>
#include <cstdint>
#include <cstdlib>
#include <iostream>
#include <string>

#include <pqxx/pqxx>

#include <retort/errors.hpp>
#include <retort/migrate.hpp>

#include "retort_shop_migrations.hpp"

namespace {

// The C++ data step of revision "normalize user emails": addresses lower-cased, without blanks, in
// that revision's transaction. Two addresses that become equal violate uq_users_email, and the
// revision is rolled back whole. Its downgrade has no step: normalized addresses stay valid.
void normalize_emails(pqxx::work& tx) {
  for (const auto& row : tx.exec("SELECT id, email FROM users")) {
    const std::string email = row[1].as<std::string>();
    std::string normal;
    for (const unsigned char c : email)
      if (!std::isspace(c)) normal += static_cast<char>(std::tolower(c));
    if (normal != email) tx.exec_params("UPDATE users SET email = $1 WHERE id = $2", normal, row[0].as<std::int64_t>());
  }
}

}  // namespace

int main(int argc, char** argv) {
  const char* url = argc > 1 ? argv[1] : std::getenv("DATABASE_URL");
  if (!url || !*url) {
    std::cerr << "usage: retort_example_app CONNECTION_STRING (or set DATABASE_URL)\n";
    return 2;
  }
  try {
    retort::cpp_steps steps;
    steps.add("7631824f1664", normalize_emails);  // migrations/versions/*_7631824f1664_normalize_user_emails.json
    pqxx::connection conn(url);
    const auto applied = retort::migrate_to_head(conn, retort::embedded::shop(), steps);
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
