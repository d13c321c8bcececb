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

#include "history.hpp"
#include "local_cluster.hpp"
#include "pg_fixture.hpp"
#include "retort/revision_graph.hpp"
#include "retort/schema.hpp"

namespace retort::test {

/// How a child ended and what it printed.
struct result {
  int code = -1;  ///< exit code, or 128 + signal
  std::string out, err;
};

/// Environment changes for a child: a value sets the variable, nullopt removes it.
using env_changes = std::vector<std::pair<std::string, std::optional<std::string>>>;

/// The whole file, as bytes.
[[nodiscard]] std::string read_text(const std::filesystem::path& path);
/// `argv` joined with spaces, for messages.
[[nodiscard]] std::string command_line(const std::vector<std::string>& argv);

/// A running child process (argv, no shell); killed if still running when destroyed.
class process {
 public:
  /// Starts `argv` (no shell) in `io_dir`, its stdout and stderr to files there, with the
  /// environment of this process less DATABASE_URL and RETORT_DEVDB_DIR, plus `env`.
  process(const std::vector<std::string>& argv, const env_changes& env, const std::filesystem::path& io_dir);

  ~process() {
    if (running_) {
      ::kill(pid_, SIGKILL);
      (void)reap(0);
    }
  }
  process(const process&) = delete;
  process& operator=(const process&) = delete;

  /// Waits until the child exits or `deadline` passes (bounded polling); true when it exited.
  bool wait_until(std::chrono::steady_clock::time_point deadline) {
    while (running_) {
      if (reap(WNOHANG)) return true;
      if (std::chrono::steady_clock::now() >= deadline) return false;
      std::this_thread::sleep_for(std::chrono::microseconds(500));
    }
    return true;
  }

  void kill() {
    if (running_) ::kill(pid_, SIGKILL);
  }

  result wait() {
    while (running_) (void)reap(0);
    return {WIFEXITED(status_) ? WEXITSTATUS(status_) : 128 + WTERMSIG(status_), read_text(out_), read_text(err_)};
  }

 private:
  bool reap(int flags) {
    const pid_t r = waitpid(pid_, &status_, flags);
    if (r == pid_ || (r < 0 && errno != EINTR)) running_ = false;
    return !running_;
  }

  pid_t pid_ = 0;
  int status_ = 0;
  bool running_ = true;
  std::filesystem::path out_, err_;
};

/// Runs `argv` to its end (see process).
result run(const std::vector<std::string>& argv, const env_changes& env, const std::filesystem::path& io_dir);

std::ostream& operator<<(std::ostream& os, const result& r);

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
