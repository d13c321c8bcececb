// Runs the real retort-scan for the scanner's tests: its exit code and everything it printed.
#pragma once

#include <sys/wait.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <string>
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

/// A fresh, empty directory for one test.
inline std::filesystem::path fresh_directory(const std::string& name) {
  auto dir = std::filesystem::temp_directory_path() / ("retort-scan-test-" + std::to_string(::getpid())) / name;
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  return dir;
}

}  // namespace retort::scan::test
