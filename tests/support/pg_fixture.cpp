// The shared test cluster as a GoogleTest environment, and main() registering it. Under CTest
// the cluster is started once per run by the `pg` fixture (test_cluster start); by hand, each
// process starts its own in a temporary directory and removes it at exit.
#include "pg_fixture.hpp"

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <cctype>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <optional>
#include <pqxx/pqxx>
#include <vector>

#include "retort/errors.hpp"
#include "retort/pg/introspect.hpp"
#include "retort/sql_analysis.hpp"
#include "throwaway_cluster.hpp"

namespace retort::test {
namespace {

namespace fs = std::filesystem;

class cluster_environment : public ::testing::Environment {
 public:
  void SetUp() override {
    if (const char* dir = std::getenv("RETORT_TEST_CLUSTER_DIR"); dir != nullptr && *dir != '\0') {
      cluster_.emplace(dir);
    } else {
      auto pattern = (fs::temp_directory_path() / "retort-test-XXXXXX").string();
      if (mkdtemp(pattern.data()) == nullptr) throw error(fmt::format("cannot create a directory like {}", pattern));
      cluster_.emplace(pattern);
      owned_ = true;
    }
    // Does nothing when the fixture already started it (test_cluster start: without durability).
    if (cluster_->start() != local_cluster::start_result::already_running) drop_durability(*cluster_);
  }

  void TearDown() override {
    if (!cluster_) return;
    if (owned_) {
      cluster_->stop();
      std::error_code ec;
      fs::remove_all(cluster_->directory(), ec);
      return;
    }
    if (::testing::UnitTest::GetInstance()->Passed()) drop_databases();
  }

  local_cluster& cluster() {
    if (!cluster_) throw error("the test cluster is not set up: link pg_fixture.cpp's main()");
    return *cluster_;
  }

  std::string fresh_database_url() {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    std::string label = info != nullptr ? fmt::format("{}_{}", info->test_suite_name(), info->name()) : "db";
    for (char& c : label) {
      c = std::isalnum(static_cast<unsigned char>(c)) ? static_cast<char>(std::tolower(static_cast<unsigned char>(c)))
                                                      : '_';
    }
    label.resize(std::min<std::size_t>(label.size(), 40));
    auto name = fmt::format("t_{}_{}_{}", label, getpid(), ++created_);
    cluster().create_database(name);
    databases_.push_back(name);
    return cluster().url(name);
  }

 private:
  void drop_databases() {
    try {
      pqxx::connection conn{cluster_->url()};
      pqxx::nontransaction tx{conn};
      for (const auto& name : databases_) tx.exec0("DROP DATABASE IF EXISTS " + tx.quote_name(name) + " WITH (FORCE)");
    } catch (const std::exception& e) {
      std::cerr << "warning: cannot drop the test databases: " << e.what() << '\n';
    }
  }

  std::optional<local_cluster> cluster_;
  bool owned_ = false;  ///< a temporary cluster of this process, removed at exit
  int created_ = 0;
  std::vector<std::string> databases_;
};

// Owned by GoogleTest once registered in main().
cluster_environment* environment = nullptr;

cluster_environment& current_environment() {
  if (environment == nullptr) throw error("the test cluster is not set up: link pg_fixture.cpp's main()");
  return *environment;
}

}  // namespace

local_cluster& test_cluster() { return current_environment().cluster(); }

std::string fresh_database_url() { return current_environment().fresh_database_url(); }

schema live_schema(pqxx::connection& conn, const std::set<std::string>& exclude) {
  return pg::introspect(conn, {.exclude_schemas = exclude, .read_sql_object = sql::read_database_sql_object});
}

}  // namespace retort::test

int main(int argc, char** argv) {
  ::testing::InitGoogleTest(&argc, argv);
  retort::test::environment = new retort::test::cluster_environment;
  ::testing::AddGlobalTestEnvironment(retort::test::environment);
  return RUN_ALL_TESTS();
}
