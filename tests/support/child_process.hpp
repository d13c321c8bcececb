// Child processes for the tests that run Retort's binaries as users do: argv (no shell), chosen
// environment changes, stdout and stderr to files in a directory that is also the working one.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <optional>
#include <ostream>
#include <string>
#include <utility>
#include <vector>

namespace retort::testing {

struct result {
  int code = -1;  ///< exit code, or 128 + signal
  std::string out, err;
};

/// Exit code, stdout and stderr, for a failing assertion's message.
std::ostream& operator<<(std::ostream& os, const result& r);

/// Environment changes for a child: a value sets the variable, nullopt removes it.
using env_changes = std::vector<std::pair<std::string, std::optional<std::string>>>;

/// A file's bytes (empty when it cannot be read).
[[nodiscard]] std::string read_text(const std::filesystem::path& path);

/// The arguments joined by spaces, for messages.
[[nodiscard]] std::string command_line(const std::vector<std::string>& argv);

/// A running child. It inherits the environment without DATABASE_URL and RETORT_DEVDB_DIR
/// (unless `env` sets them), runs in `io_dir` and writes its output there.
using clock_type = std::chrono::steady_clock;

class process {
 public:
  process(const std::vector<std::string>& argv, const env_changes& env, const std::filesystem::path& io_dir);
  ~process();  ///< kills a child still running
  process(const process&) = delete;
  process& operator=(const process&) = delete;

  /// Waits until the child exits or `deadline` passes (bounded polling); true when it exited.
  bool wait_until(clock_type::time_point deadline);
  void kill();
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

/// Runs `argv` to its end.
result run(const std::vector<std::string>& argv, const env_changes& env, const std::filesystem::path& io_dir);

}  // namespace retort::testing
