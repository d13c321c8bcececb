// The integration tests' PostgreSQL: one private cluster shared by the whole test run, and a
// fresh, empty database for each test. pg_fixture.cpp also holds the tests' main().
#pragma once

#include <set>
#include <string>

#include <pqxx/connection>

#include "local_cluster.hpp"
#include "retort/schema.hpp"

namespace retort::test {

/// The shared cluster: the one the CTest fixture started (RETORT_TEST_CLUSTER_DIR), or, when
/// the test binary runs by hand, one in a temporary directory that lives as long as the process.
[[nodiscard]] local_cluster& test_cluster();

/// Creates a new, uniquely named empty database on the shared cluster and returns its URL.
/// Databases of a run whose tests all passed are dropped at exit; others stay for inspection.
[[nodiscard]] std::string fresh_database_url();

/// The database's schema as `retort verify` reads it (functions, procedures and triggers too),
/// leaving out the schemas in `exclude` (the bookkeeping schema "retort").
[[nodiscard]] schema live_schema(pqxx::connection& conn, const std::set<std::string>& exclude = {});

}  // namespace retort::test
