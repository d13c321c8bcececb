// Child processes through posix_spawn: no fork of a large address space, descriptors closed
// in the child, the working directory set there.
#include "process.hpp"

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>

#include <fmt/format.h>

#include "retort/errors.hpp"

extern char** environ;

namespace retort::process {

namespace fs = std::filesystem;

namespace {

class spawn_actions {
 public:
  spawn_actions() { posix_spawn_file_actions_init(&actions_); }
  ~spawn_actions() { posix_spawn_file_actions_destroy(&actions_); }
  spawn_actions(const spawn_actions&) = delete;
  spawn_actions& operator=(const spawn_actions&) = delete;
  posix_spawn_file_actions_t* get() { return &actions_; }

 private:
  posix_spawn_file_actions_t actions_;
};

}  // namespace

void throw_system_error(const std::string& what, int err) {
  throw error(fmt::format("{}: {}", what, std::strerror(err)));
}

void throw_system_error(const std::string& what) { throw_system_error(what, errno); }

std::string command_line(const std::vector<std::string>& argv) {
  std::string line;
  for (const auto& arg : argv) {
    if (!line.empty()) line += ' ';
    line += arg.find_first_of(" '\"\\") == std::string::npos ? arg : fmt::format("'{}'", arg);
  }
  return line;
}

result run(const std::vector<std::string>& argv, const fs::path& cwd) {
  int pipe_fds[2];
  if (pipe2(pipe_fds, O_CLOEXEC) != 0) throw_system_error("cannot create a pipe");

  spawn_actions actions;
  posix_spawn_file_actions_addopen(actions.get(), STDIN_FILENO, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_adddup2(actions.get(), pipe_fds[1], STDOUT_FILENO);
  posix_spawn_file_actions_adddup2(actions.get(), pipe_fds[1], STDERR_FILENO);
  // Nothing else is inherited: the server outlives us, and an inherited descriptor (a build
  // tool's output pipe, say) would keep whoever waits on it waiting for as long as it runs.
  posix_spawn_file_actions_addclosefrom_np(actions.get(), STDERR_FILENO + 1);
  // A directory the server user can enter: tools run as `postgres` from root's home
  // otherwise complain that they cannot read the current directory.
  posix_spawn_file_actions_addchdir_np(actions.get(), cwd.c_str());

  std::vector<char*> args;
  for (const auto& arg : argv) args.push_back(const_cast<char*>(arg.c_str()));
  args.push_back(nullptr);

  pid_t pid = 0;
  const int spawn_error = posix_spawn(&pid, argv.front().c_str(), actions.get(), nullptr, args.data(), environ);
  close(pipe_fds[1]);
  if (spawn_error != 0) {
    close(pipe_fds[0]);
    throw_system_error(fmt::format("cannot run {}", command_line(argv)), spawn_error);
  }

  result out;
  char buffer[4096];
  for (;;) {
    const ssize_t n = read(pipe_fds[0], buffer, sizeof buffer);
    if (n > 0) {
      out.output.append(buffer, static_cast<std::size_t>(n));
    } else if (n == 0 || errno != EINTR) {
      break;
    }
  }
  close(pipe_fds[0]);

  int status = 0;
  while (waitpid(pid, &status, 0) < 0) {
    if (errno != EINTR) throw_system_error(fmt::format("cannot wait for {}", argv.front()));
  }
  out.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  return out;
}

bool is_executable_file(const fs::path& p) {
  std::error_code ec;
  return fs::is_regular_file(p, ec) && access(p.c_str(), X_OK) == 0;
}

std::optional<fs::path> find_on_path(std::string_view program, const std::vector<fs::path>& extra_dirs) {
  std::vector<fs::path> dirs;
  if (const char* path = std::getenv("PATH")) {
    std::string_view rest = path;
    while (!rest.empty()) {
      const auto colon = rest.find(':');
      if (colon != 0) dirs.emplace_back(rest.substr(0, colon));
      if (colon == std::string_view::npos) break;
      rest.remove_prefix(colon + 1);
    }
  }
  dirs.insert(dirs.end(), extra_dirs.begin(), extra_dirs.end());
  for (const auto& dir : dirs) {
    if (is_executable_file(dir / program)) return dir / program;
  }
  return std::nullopt;
}

}  // namespace retort::process
