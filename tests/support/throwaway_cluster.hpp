// The tests' clusters are thrown away after the run, so they run without durability: commits and
// CREATE DATABASE stop waiting for the disk. What the tests check does not depend on it.
#pragma once

#include <pqxx/pqxx>
#include <string>

#include "local_cluster.hpp"

namespace retort::test {

/// Turns off fsync, synchronous_commit and full_page_writes on a running cluster. ALTER SYSTEM
/// keeps them across restarts; a reload applies them (none needs a restart).
inline void drop_durability(const local_cluster& cluster) {
  pqxx::connection conn{cluster.url("postgres")};
  pqxx::nontransaction tx{conn};
  for (const char* setting : {"fsync", "synchronous_commit", "full_page_writes"}) {
    tx.exec0(std::string("ALTER SYSTEM SET ") + setting + " = off");
  }
  tx.exec1("SELECT pg_reload_conf()");
}

}  // namespace retort::test
