// The integration tests' PostgreSQL: one private cluster shared by the whole test run, and a
// fresh, empty database for each test. pg_fixture.cpp also holds the tests' main().
#pragma once

#include <string>

#include "local_cluster.hpp"

namespace retort::test {

/// The shared cluster: the one the CTest fixture started (RETORT_TEST_CLUSTER_DIR), or, when
/// the test binary runs by hand, one in a temporary directory that lives as long as the process.
[[nodiscard]] local_cluster& test_cluster();

/// Creates a new, uniquely named empty database on the shared cluster and returns its URL.
/// Databases of a run whose tests all passed are dropped at exit; others stay for inspection.
[[nodiscard]] std::string fresh_database_url();

}  // namespace retort::test
