// Child processes for the tests that run Retort's binaries as users do: argv (no shell), chosen
// environment changes, stdout and stderr to files in a scratch directory (also its working directory).
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

/// How a child ended and what it printed.
struct result {
  int code = -1;  ///< exit code, or 128 + signal
  std::string out, err;
};
std::ostream& operator<<(std::ostream& os, const result& r);

/// Environment changes for a child: a value sets the variable, nullopt removes it.
using env_changes = std::vector<std::pair<std::string, std::optional<std::string>>>;

/// The arguments as one line, for messages.
[[nodiscard]] std::string command_line(const std::vector<std::string>& argv);

/// A running child. DATABASE_URL and RETORT_DEVDB_DIR of the test's own environment are left
/// out unless `env` sets them; it runs in `io_dir`, so nothing it writes lands in the source tree.
class process {
 public:
  using clock_type = std::chrono::steady_clock;
  process(const std::vector<std::string>& argv, const env_changes& env, const std::filesystem::path& io_dir);
  ~process();
  process(const process&) = delete;
  process& operator=(const process&) = delete;

  /// Waits until the child exits or `deadline` passes (bounded polling); true when it exited.
  bool wait_until(clock_type::time_point deadline);
  void kill();
  result wait();

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
