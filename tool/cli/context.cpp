// The shared command context: history loading, database resolution and connection.
#include "context.hpp"

#include <cstdlib>
#include <fstream>
#include <iostream>
#include <string_view>

#include <fmt/format.h>

#include "retort/errors.hpp"

namespace retort::cli {

namespace fs = std::filesystem;

namespace {
// A mistyped --migrations (or a command run from the wrong directory) is an error, not an empty
// history: only `revision --init` creates the directory.
std::vector<revision> load_existing(const std::string& dir) {
  if (!fs::is_directory(dir))
    throw file_error(dir, "",
                     fs::exists(dir) ? "not a directory: --migrations names the directory of the migration files"
                                     : "no such migrations directory (mistyped --migrations, or run from another "
                                       "directory?); `retort revision --init ...` creates it with the first revision");
  return load_revisions(dir);
}
}  // namespace

const revision_graph& context::graph() {
  if (!graph_) {
    std::vector<revision> revisions = load_existing(o_.migrations_dir);
    sum_ = sum_of(revisions);
    graph_.emplace(std::move(revisions));
  }
  return *graph_;
}

const history_sum& context::files_sum() {
  (void)graph();
  return *sum_;
}

void context::verify_sum() { verify_sum_file(o_.migrations_dir, files_sum()); }

void context::rehash() {
  std::vector<revision> revisions = load_existing(o_.migrations_dir);
  sum_ = sum_of(revisions);
  write_sum_file(o_.migrations_dir, *sum_);
}

devdb_location context::devdb_place() const {
  if (!o_.devdb_dir.empty()) return {o_.devdb_dir, "--devdb-dir"};
  if (const char* env = std::getenv("RETORT_DEVDB_DIR"); env && *env) return {env, "$RETORT_DEVDB_DIR"};
  // One line: the directory (a relative one is taken from here, the directory holding .retort/).
  if (std::ifstream record{std::string(devdb_record_file)}) {
    std::string line;
    std::getline(record, line);
    while (!line.empty() && (line.back() == '\r' || line.back() == ' ')) line.pop_back();
    if (!line.empty()) return {fs::path(line).is_absolute() ? fs::path(line) : fs::current_path() / line,
                               fmt::format("{}, written by CMake's configure", devdb_record_file)};
  }
  return {".retort/devdb", fmt::format("the default: no --devdb-dir, $RETORT_DEVDB_DIR or {} here", devdb_record_file)};
}

local_cluster context::devdb() const { return local_cluster(devdb_place().directory); }

void context::start_devdb(local_cluster& cluster) const {
  const auto what = cluster.start();
  if (what != local_cluster::start_result::already_running)
    std::cerr << fmt::format("retort: {} the local dev database in {} ({})\n",
                             what == local_cluster::start_result::created ? "created and started" : "started",
                             cluster.directory().string(), devdb_place().chosen_by);
  cluster.create_database(devdb_database);
}

bool context::uses_devdb() const {
  if (!o_.url.empty()) return false;
  const char* env = std::getenv("DATABASE_URL");
  return !env || !*env;
}

std::string context::database_url() {
  if (!uses_devdb()) return o_.url.empty() ? std::getenv("DATABASE_URL") : o_.url;
  local_cluster cluster = devdb();
  try {
    start_devdb(cluster);
  } catch (const database_error&) {
    throw;
  } catch (const error& e) {
    // No server binaries, an unreachable directory...: the database is what is missing.
    throw database_error(fmt::format("the local dev database cannot start: {}", e.what()));
  }
  return cluster.url(devdb_database);
}

namespace {
// The audit history records the application name; name ours unless the URL names one. An
// unreachable server is an error after connect_timeout seconds, unless the URL sets its own.
std::string with_client_settings(const std::string& url, int connect_timeout) {
  const bool uri = url.starts_with("postgres://") || url.starts_with("postgresql://");
  std::string out = url;
  auto add = [&](std::string_view setting) {
    out += uri ? (out.find('?') == std::string::npos ? "?" : "&") : " ";
    out += setting;
  };
  add("fallback_application_name=retort");
  if (connect_timeout > 0 && url.find("connect_timeout") == std::string::npos && !std::getenv("PGCONNECT_TIMEOUT"))
    add(fmt::format("connect_timeout={}", connect_timeout));
  return out;
}
}  // namespace

bool context::has_database() const {
  if (!uses_devdb()) return true;
  return fs::exists(devdb().directory() / "data" / "PG_VERSION");
}

std::unique_ptr<pqxx::connection> context::connect() { return connect_to(database_url()); }

std::unique_ptr<pqxx::connection> context::connect_to(const std::string& url) const {
  try {
    return std::make_unique<pqxx::connection>(with_client_settings(url, o_.connect_timeout_s));
  } catch (const pqxx::broken_connection& e) {
    // libpq's message can span lines ("...failed: FATAL:  ...\n\tIs the server running...?"):
    // one line, every run of blanks one space.
    std::string why;
    for (const char c : std::string_view(e.what())) {
      const bool blank = c == ' ' || c == '\n' || c == '\t' || c == '\r';
      if (!blank) why += c;
      else if (!why.empty() && why.back() != ' ') why += ' ';
    }
    while (!why.empty() && why.back() == ' ') why.pop_back();
    throw database_error(fmt::format("cannot connect to the database: {}", why));
  }
}

void context::end_progress_line(bool ok) {
  if (!progress_open_) return;
  progress_open_ = false;
  if (!ok) std::cout << paint("failed", style::error) << "\n" << std::flush;
}

std::string context::paint(std::string_view text, fmt::text_style style) const {
  if (!o_.color) return std::string(text);
  return fmt::format(style, "{}", text);
}

}  // namespace retort::cli
