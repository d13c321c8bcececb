// Runs the real retort-scan for the scanner's tests: its exit code and everything it printed.
#pragma once

#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <string>
#include <system_error>
#include <vector>

namespace retort::scan::test {

/// What a run of retort-scan did.
struct process_result {
  int exit_code = -1;
  std::string output;  ///< stdout and stderr together
};

/// Single-quoted for /bin/sh.
inline std::string shell_quoted(const std::string& s) {
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

/// Runs retort-scan with `args`, in `directory`.
inline process_result run_scan(const std::vector<std::string>& args, const std::filesystem::path& directory) {
  std::string command = "cd " + shell_quoted(directory.string()) + " && " + shell_quoted(RETORT_SCAN_EXE);
  for (const auto& a : args) command += " " + shell_quoted(a);
  command += " 2>&1";
  process_result r;
  FILE* pipe = ::popen(command.c_str(), "r");
  if (!pipe) return r;
  std::array<char, 4096> buffer{};
  std::size_t n = 0;
  while ((n = std::fread(buffer.data(), 1, buffer.size(), pipe)) > 0) r.output.append(buffer.data(), n);
  int status = ::pclose(pipe);
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return r;
}

/// The compile flags every test scan uses: the models' standard and retort/model.hpp.
inline std::vector<std::string> model_flags() { return {"--", "-std=c++20", "-I" RETORT_RUNTIME_INCLUDE_DIR}; }

/// A fresh, empty directory for one test, removed with everything in it at the end.
class scratch_directory {
 public:
  explicit scratch_directory(const std::string& name)
      : path_(std::filesystem::temp_directory_path() / ("retort-scan-test-" + std::to_string(::getpid()) + "-" + name)) {
    std::filesystem::remove_all(path_);
    std::filesystem::create_directories(path_);
  }
  ~scratch_directory() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  scratch_directory(const scratch_directory&) = delete;
  scratch_directory& operator=(const scratch_directory&) = delete;

  [[nodiscard]] const std::filesystem::path& path() const { return path_; }
  [[nodiscard]] std::filesystem::path operator/(const std::string& name) const { return path_ / name; }

 private:
  std::filesystem::path path_;
};

}  // namespace retort::scan::test
