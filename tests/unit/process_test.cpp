// Tests of the dev database manager's process helpers (no database): exit codes, captured
// output, the working directory, descriptors not leaked into the child, PATH lookup.
#include "process.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <fstream>

#include <gtest/gtest.h>

#include "retort/errors.hpp"
#include "scratch_dir.hpp"

namespace retort::process {
namespace {

TEST(process, captures_stdout_and_stderr_and_the_exit_code) {
  const result r = run({"/bin/sh", "-c", "echo out; echo err >&2; exit 3"}, "/");
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_EQ(r.output, "out\nerr\n");
}

TEST(process, a_killed_child_exits_with_128_plus_the_signal) {
  EXPECT_EQ(run({"/bin/sh", "-c", "kill -9 $$"}, "/").exit_code, 128 + 9);
}

TEST(process, runs_in_the_given_directory) {
  const testing::scratch_dir dir("process");
  EXPECT_EQ(run({"/bin/sh", "-c", "pwd -P"}, dir.path()).output,
            std::filesystem::canonical(dir.path()).string() + "\n");
}

TEST(process, the_child_inherits_no_descriptor_beyond_the_standard_three) {
  int fds[2];
  ASSERT_EQ(pipe(fds), 0);  // deliberately without O_CLOEXEC
  const std::string probe = "test -e /proc/self/fd/" + std::to_string(fds[0]) + " && echo leaked || echo closed";
  const result r = run({"/bin/sh", "-c", probe}, "/");
  close(fds[0]);
  close(fds[1]);
  EXPECT_EQ(r.output, "closed\n");
}

TEST(process, a_missing_program_is_an_error_naming_the_command) {
  try {
    (void)run({"/nonexistent/initdb", "-D", "my dir"}, "/");
    FAIL() << "no error";
  } catch (const retort::error& e) {
    EXPECT_STREQ(e.what(), "cannot run /nonexistent/initdb -D 'my dir': No such file or directory");
  }
}

TEST(process, command_line_quotes_only_what_needs_it) {
  EXPECT_EQ(command_line({"/bin/pg_ctl", "-D", "/srv/my db", "it's"}), "/bin/pg_ctl -D '/srv/my db' 'it's'");
}

TEST(process, finds_programs_on_path_then_in_extra_directories) {
  const testing::scratch_dir dir("process");
  const auto tool = dir.path() / "retort-test-tool";
  std::ofstream(tool) << "#!/bin/sh\n";
  EXPECT_FALSE(is_executable_file(tool));
  std::filesystem::permissions(tool, std::filesystem::perms::owner_all);
  EXPECT_TRUE(is_executable_file(tool));
  EXPECT_EQ(find_on_path("retort-test-tool"), std::nullopt);
  EXPECT_EQ(find_on_path("retort-test-tool", {dir.path()}), tool);
  const auto sh = find_on_path("sh");
  ASSERT_TRUE(sh);
  EXPECT_EQ(sh->filename(), "sh");
}

}  // namespace
}  // namespace retort::process
