// Running the `retort` binary in tests: child processes with a chosen environment and their
// output captured, the `Cli` fixture (a scratch directory, migrations, a fresh database), and
// what the tests read back from a database.
#pragma once

#include <sys/types.h>
#include <sys/wait.h>

#include <cerrno>
#include <chrono>
#include <csignal>
#include <filesystem>
#include <iostream>
#include <memory>
#include <optional>
#include <ostream>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include <gtest/gtest.h>
#include <pqxx/pqxx>

#include "child_process.hpp"
#include "history.hpp"
#include "local_cluster.hpp"
#include "pg_fixture.hpp"
#include "retort/revision_graph.hpp"
#include "retort/schema.hpp"

namespace retort::test {

// Child processes (tests/support/child_process.hpp), under this namespace's names.
using testing::command_line;
using testing::env_changes;
using testing::process;
using testing::read_text;
using testing::result;
using testing::run;
using testing::operator<<;

/// The database's user schema, Retort's bookkeeping left out.
[[nodiscard]] schema live(pqxx::connection& conn);
[[nodiscard]] schema live(const std::string& url);
/// Rows of a query as text, one line per row, for comparisons that show what differs.
[[nodiscard]] std::string rows_of(const std::string& url, const std::string& query);
/// The revisions the database at `url` records.
[[nodiscard]] revision_heads current_of(const std::string& url, const revision_graph& graph);

/// Stops the dev cluster in a directory whatever the test's outcome.
class stopped_at_exit {
 public:
  explicit stopped_at_exit(std::filesystem::path dir) : dir_(std::move(dir)) {}
  ~stopped_at_exit() {
    try {
      local_cluster(dir_).stop();
    } catch (const std::exception& e) {
      std::cerr << "warning: cannot stop the dev cluster in " << dir_ << ": " << e.what() << "\n";
    }
  }
  stopped_at_exit(const stopped_at_exit&) = delete;
  stopped_at_exit& operator=(const stopped_at_exit&) = delete;

 private:
  std::filesystem::path dir_;
};

/// A test of the `retort` binary: a scratch directory (the children's working directory), a
/// migrations directory in it, and a fresh database on the test cluster.
class Cli : public ::testing::Test {
 protected:
  /// `retort --migrations <dir> [--url <url>] args...`
  result retort(std::vector<std::string> args, const std::optional<std::string>& url, const env_changes& env = {}) {
    return process(argv_for(std::move(args), url), env, scratch_.path()).wait();
  }
  result retort(std::vector<std::string> args) { return retort(std::move(args), url()); }

  std::unique_ptr<process> start_retort(std::vector<std::string> args) {
    return std::make_unique<process>(argv_for(std::move(args), url()), env_changes{}, scratch_.path());
  }

  /// The test's database, created on first use.
  const std::string& url() {
    if (url_.empty()) url_ = test::fresh_database_url();
    return url_;
  }

  /// Writes `revisions` as migration files; returns the graph load_revisions() makes of them.
  revision_graph write(const std::vector<revision>& revisions) {
    return revision_graph(testing::write_migrations(migrations_, revisions));
  }

  const std::filesystem::path& scratch() const { return scratch_.path(); }
  const std::filesystem::path& migrations() const { return migrations_; }

 private:
  std::vector<std::string> argv_for(std::vector<std::string> args, const std::optional<std::string>& url) const {
    std::vector<std::string> argv{RETORT_CLI_PATH, "--migrations", migrations_.string()};
    if (url) argv.insert(argv.end(), {"--url", *url});
    argv.insert(argv.end(), std::make_move_iterator(args.begin()), std::make_move_iterator(args.end()));
    return argv;
  }

  testing::scratch_dir scratch_{"retort-cli"};
  std::filesystem::path migrations_ = scratch_.path() / "versions";
  std::string url_;
};

}  // namespace retort::test
