// Child processes for the CLI tests: posix_spawn with a chosen environment and working directory.
#include "child_process.hpp"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <map>
#include <sstream>
#include <stdexcept>
#include <thread>

#include <fmt/format.h>

extern char** environ;

namespace retort::testing {

namespace fs = std::filesystem;

std::string read_text(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string command_line(const std::vector<std::string>& argv) {
  std::string line;
  for (const auto& a : argv) line += (line.empty() ? "" : " ") + a;
  return line;
}

process::process(const std::vector<std::string>& argv, const env_changes& env, const fs::path& io_dir) {
  static int counter = 0;
  const int n = ++counter;
  out_ = io_dir / fmt::format("child-{}.out", n);
  err_ = io_dir / fmt::format("child-{}.err", n);

  // Without DATABASE_URL or RETORT_DEVDB_DIR from the test's own environment, unless a test sets them.
  std::map<std::string, std::string> vars;
  for (char** e = environ; *e != nullptr; ++e) {
    const std::string_view kv = *e;
    const auto eq = kv.find('=');
    if (eq != std::string_view::npos) vars[std::string(kv.substr(0, eq))] = std::string(kv.substr(eq + 1));
  }
  vars.erase("DATABASE_URL");
  vars.erase("RETORT_DEVDB_DIR");
  for (const auto& [name, value] : env) {
    if (value) vars[name] = *value;
    else vars.erase(name);
  }
  std::vector<std::string> env_strings;
  for (const auto& [name, value] : vars) env_strings.push_back(name + "=" + value);
  std::vector<char*> envp;
  for (auto& s : env_strings) envp.push_back(s.data());
  envp.push_back(nullptr);
  std::vector<std::string> args_copy = argv;
  std::vector<char*> args;
  for (auto& a : args_copy) args.push_back(a.data());
  args.push_back(nullptr);

  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, out_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, err_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  // Nothing a command writes by default (.retort/devdb) may land in the source tree.
  posix_spawn_file_actions_addchdir_np(&actions, io_dir.c_str());
  const int rc = posix_spawnp(&pid_, args[0], &actions, nullptr, args.data(), envp.data());
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) throw std::runtime_error(fmt::format("cannot run {}: {}", command_line(argv), std::strerror(rc)));
}

process::~process() {
  if (running_) {
    ::kill(pid_, SIGKILL);
    (void)reap(0);
  }
}

bool process::wait_until(std::chrono::steady_clock::time_point deadline) {
  while (running_) {
    if (reap(WNOHANG)) return true;
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(std::chrono::microseconds(500));
  }
  return true;
}

void process::kill() {
  if (running_) ::kill(pid_, SIGKILL);
}

result process::wait() {
  while (running_) (void)reap(0);
  return {WIFEXITED(status_) ? WEXITSTATUS(status_) : 128 + WTERMSIG(status_), read_text(out_), read_text(err_)};
}

std::string process::output_so_far() const { return read_text(out_); }

bool process::reap(int flags) {
  const pid_t r = waitpid(pid_, &status_, flags);
  if (r == pid_ || (r < 0 && errno != EINTR)) running_ = false;
  return !running_;
}

result run(const std::vector<std::string>& argv, const env_changes& env, const fs::path& io_dir) {
  return process(argv, env, io_dir).wait();
}

std::ostream& operator<<(std::ostream& os, const result& r) {
  return os << "exit code " << r.code << "\n--- stdout\n" << r.out << "--- stderr\n" << r.err;
}

}  // namespace retort::testing
