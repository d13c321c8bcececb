// Child processes for the CLI tests (posix_spawn, a chosen environment, output to files) and
// what the tests read back from a database.
#include "cli_fixture.hpp"

#include <fcntl.h>
#include <spawn.h>
#include <unistd.h>

#include <cstring>
#include <fstream>
#include <map>
#include <sstream>
#include <stdexcept>

#include <fmt/format.h>

#include "retort/pg/applier.hpp"
#include "retort/pg/introspect.hpp"

extern char** environ;

namespace retort::test {

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

result run(const std::vector<std::string>& argv, const env_changes& env, const fs::path& io_dir) {
  return process(argv, env, io_dir).wait();
}

std::ostream& operator<<(std::ostream& os, const result& r) {
  return os << "exit code " << r.code << "\n--- stdout\n" << r.out << "--- stderr\n" << r.err;
}

schema live(pqxx::connection& conn) { return pg::introspect(conn, {.exclude_schemas = {"retort"}}); }
schema live(const std::string& url) {
  pqxx::connection conn(url);
  return live(conn);
}

std::string rows_of(const std::string& url, const std::string& query) {
  pqxx::connection conn(url);
  pqxx::read_transaction tx(conn);
  std::string out;
  for (const auto& row : tx.exec(query)) {
    for (const auto& field : row) out += (field.is_null() ? "NULL" : field.c_str()) + std::string(" | ");
    out += "\n";
  }
  return out;
}

revision_heads current_of(const std::string& url, const revision_graph& graph) {
  pqxx::connection conn(url);
  pg::advisory_locker lock(conn, "retort");
  pg::applier a(conn, graph, lock);
  return a.current();
}

}  // namespace retort::test
