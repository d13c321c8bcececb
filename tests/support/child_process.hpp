// Child processes for tests that run the `retort` binary: argv (no shell), chosen environment
// changes, stdout and stderr to files, SIGKILL on demand.
#pragma once

#include <chrono>
#include <filesystem>
#include <optional>
#include <ostream>
#include <string>
#include <utility>
#include <vector>

#include <sys/types.h>

namespace retort::testing {

using clock_type = std::chrono::steady_clock;

struct result {
  int code = -1;  ///< exit code, or 128 + signal
  std::string out, err;
};

/// Environment changes for a child: a value sets the variable, nullopt removes it.
using env_changes = std::vector<std::pair<std::string, std::optional<std::string>>>;

/// A file's bytes ("" when it cannot be read).
[[nodiscard]] std::string read_text(const std::filesystem::path& path);
/// argv joined with spaces, for messages.
[[nodiscard]] std::string command_line(const std::vector<std::string>& argv);

/// A running child: without DATABASE_URL or RETORT_DEVDB_DIR from the test's own environment,
/// unless `env` sets them; killed (SIGKILL) if still running when destroyed.
class process {
 public:
  process(const std::vector<std::string>& argv, const env_changes& env, const std::filesystem::path& io_dir);
  ~process();
  process(const process&) = delete;
  process& operator=(const process&) = delete;

  /// Waits until the child exits or `deadline` passes (bounded polling); true when it exited.
  bool wait_until(clock_type::time_point deadline);
  /// SIGKILL.
  void kill();
  /// Waits for the exit; its code and output.
  result wait();
  /// What the child has written to stdout so far.
  [[nodiscard]] std::string output_so_far() const;

 private:
  bool reap(int flags);

  pid_t pid_ = 0;
  int status_ = 0;
  bool running_ = true;
  std::filesystem::path out_, err_;
};

/// Runs a child to its end.
result run(const std::vector<std::string>& argv, const env_changes& env, const std::filesystem::path& io_dir);

std::ostream& operator<<(std::ostream& os, const result& r);

}  // namespace retort::testing
