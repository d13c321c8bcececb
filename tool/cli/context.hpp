// What every retort command shares: where the migrations are, which database to use (the
// --url, DATABASE_URL, or the local dev cluster), how to print, and the exit codes.
#pragma once

#include <filesystem>
#include <memory>
#include <optional>
#include <string>

#include <fmt/color.h>
#include <pqxx/pqxx>

#include "local_cluster.hpp"
#include "retort/pg/render.hpp"
#include "retort/revision_graph.hpp"
#include "retort/sum_file.hpp"

namespace retort::cli {

/// Documented exit codes (README, `retort --help`).
enum exit_code : int {
  exit_ok = 0,
  exit_input = 1,     ///< bad migration files, snapshot or revision names
  exit_usage = 2,     ///< bad command line
  exit_drift = 3,     ///< check failed: models and migrations disagree, several heads
  exit_database = 4,  ///< unreachable database or a refused migration
};

struct options {
  std::string migrations_dir = "migrations/versions";
  std::string url;  ///< empty: DATABASE_URL, else the local dev database
  std::string devdb_dir;  ///< empty: RETORT_DEVDB_DIR, else the one .retort/devdb-dir names, else .retort/devdb
  std::string bookkeeping_schema = "retort";
  std::string tenant_schema;  ///< schema-per-tenant: the schema `public` objects go to; empty: none
  std::string format = "text";  ///< text or json
  bool color = false;
  pg::safety safety = pg::safety::safe;  ///< plans for tables that may hold rows
  int lock_timeout_ms = 5000;            ///< 0: wait forever
  int statement_timeout_ms = 0;          ///< 0: no limit
  int lock_attempts = 5;                 ///< tries of a transaction that hit lock_timeout
  int connect_timeout_s = 10;            ///< giving up on an unreachable server
};

/// Where the local dev database is, and which rule chose it (for the messages that name it).
struct devdb_location {
  std::filesystem::path directory;
  std::string chosen_by;  ///< the rule, for a message: "--devdb-dir", "$RETORT_DEVDB_DIR", ".retort/devdb-dir, ...", "the default: ..."
};

/// The file, relative to the directory the CLI runs in, where configuring a project with
/// retort_add_schema records its dev database's directory, so that the CLI run by hand from the
/// project root uses the cluster the CMake targets use.
inline constexpr std::string_view devdb_record_file = ".retort/devdb-dir";

class context {
 public:
  explicit context(options o) : o_(std::move(o)) {}

  [[nodiscard]] const options& opts() const noexcept { return o_; }
  [[nodiscard]] bool json() const noexcept { return o_.format == "json"; }

  /// The migration history under migrations_dir (an empty directory is an empty history);
  /// throws file_error when the directory does not exist.
  [[nodiscard]] const revision_graph& graph();
  /// Frees the history graph() read (a later call reads it again); files_sum() is kept.
  void release_graph() noexcept { graph_.reset(); }
  /// The checksums of the migration files as they are now.
  [[nodiscard]] const history_sum& files_sum();
  /// Throws integrity_error unless migrations_dir/retort.sum matches the files (before any
  /// command writes a revision or touches a database).
  void verify_sum();
  /// Rewrites migrations_dir/retort.sum from the files as they are now (re-reading them).
  void rehash();
  /// The database URL to use; starts the local dev database when none is configured.
  [[nodiscard]] std::string database_url();
  /// A connection to database_url(); throws database_error with one clear line.
  [[nodiscard]] std::unique_ptr<pqxx::connection> connect();
  /// A connection to `url` with the same client settings; safe to call from several threads.
  [[nodiscard]] std::unique_ptr<pqxx::connection> connect_to(const std::string& url) const;
  /// Whether a database is configured (--url, DATABASE_URL) or the dev database exists.
  [[nodiscard]] bool has_database() const;
  /// Whether the commands use the local dev database (neither --url nor DATABASE_URL is given).
  [[nodiscard]] bool uses_devdb() const;
  /// Where the local dev cluster of this project is: --devdb-dir, else $RETORT_DEVDB_DIR, else
  /// the directory .retort/devdb-dir names (written by CMake's configure), else .retort/devdb.
  [[nodiscard]] devdb_location devdb_place() const;
  /// The local dev cluster of this project (at devdb_place()).
  [[nodiscard]] local_cluster devdb() const;
  /// Starts the dev cluster (and creates its database) when it is not running, saying on stderr
  /// where it starts or creates one, so that a second cluster never appears silently.
  void start_devdb(local_cluster& cluster) const;

  /// Progress text ("[1/3] upgrade ... ") was printed without its end of line.
  void begin_progress_line() noexcept { progress_open_ = true; }
  /// Ends an open progress line: "done" was printed (ok), or "failed" is (an error follows).
  void end_progress_line(bool ok);

  /// Text in a style (one of `style` below) when colour is on (a terminal, or --color always).
  [[nodiscard]] std::string paint(std::string_view text, fmt::text_style style) const;

 private:
  options o_;
  std::optional<revision_graph> graph_;
  std::optional<history_sum> sum_;
  bool progress_open_ = false;
};

/// What the CLI's output colours mean, so each kind of text looks the same everywhere.
namespace style {
inline const fmt::text_style revision = fmt::fg(fmt::terminal_color::yellow);  ///< ids, warnings
inline const fmt::text_style ok = fmt::fg(fmt::terminal_color::green);         ///< done, applied
inline const fmt::text_style strong = fmt::emphasis::bold;                      ///< heads, written files
inline const fmt::text_style quiet = fmt::emphasis::faint;                      ///< details, SQL comments
inline const fmt::text_style error = fmt::emphasis::bold | fmt::fg(fmt::terminal_color::red);
}  // namespace style

/// The database name the local dev cluster serves.
inline constexpr std::string_view devdb_database = "retort_dev";

}  // namespace retort::cli
