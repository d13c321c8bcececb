// Child processes for the dev database manager: argv vectors (never a shell line, paths may
// hold spaces), stdin from /dev/null, stdout and stderr captured together for error messages.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace retort::process {

/// How a child process ended and what it printed.
struct result {
  int exit_code = 0;  ///< 128 + signal when killed
  std::string output;  ///< stdout and stderr, interleaved as written
};

/// Runs `argv` (argv[0] an absolute path) in `cwd` and waits for it. The child inherits no
/// descriptor beyond stdin, stdout and stderr: a server it starts must not hold our pipes.
/// Throws retort::error when the process cannot be started.
[[nodiscard]] result run(const std::vector<std::string>& argv, const std::filesystem::path& cwd);

/// `argv` as a shell would need it typed, for messages.
[[nodiscard]] std::string command_line(const std::vector<std::string>& argv);

/// A regular file this process may execute.
[[nodiscard]] bool is_executable_file(const std::filesystem::path& p);

/// `program` in $PATH, then in `extra_dirs`; nullopt when in none.
[[nodiscard]] std::optional<std::filesystem::path> find_on_path(std::string_view program,
                                                                const std::vector<std::filesystem::path>& extra_dirs = {});

/// Throws retort::error "what: strerror(err)".
[[noreturn]] void throw_system_error(const std::string& what, int err);
/// Throws retort::error "what: strerror(errno)".
[[noreturn]] void throw_system_error(const std::string& what);

}  // namespace retort::process
