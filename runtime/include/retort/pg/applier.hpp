// The applier: brings a live PostgreSQL database from its recorded revision to a target, one
// transaction per revision, under an advisory lock, recording every step in the bookkeeping
// tables. Only this file and the introspector talk to a database.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include <pqxx/connection>

#include "retort/pg/locker.hpp"
#include "retort/pg/migration_plan.hpp"
#include "retort/revision_graph.hpp"

namespace retort::pg {

/// What the applier reports while it works.
struct progress {
  enum class event { begin, outside_transaction, done };
  event what = event::begin;
  std::size_t index = 0;  ///< 1-based position of the step
  std::size_t total = 0;
  const revision_step* step = nullptr;
  std::string_view statement;  ///< for outside_transaction
  double milliseconds = 0;     ///< for done
};

struct apply_options {
  std::string bookkeeping_schema = "retort";
  /// Accept applied migrations whose files were edited since (records the new checksums).
  bool accept_edited = false;
  std::function<void(const progress&)> on_progress;
};

/// One row of the audit history.
struct history_entry {
  std::int64_t id = 0;
  std::string revision, direction, checksum, message, started_at;
  double duration_ms = 0;
  std::string db_user, application_name;
};

/// An applied revision whose file no longer has the checksum recorded when it was applied.
struct edited_revision {
  std::string id, file, recorded, current;
};

class applier {
 public:
  /// `graph` and `lock` must outlive the applier. `lock` is held around everything that reads
  /// or changes the migration state: an advisory_locker on `conn` serializes migrators of one
  /// database; a test can pass its own.
  applier(pqxx::connection& conn, const revision_graph& graph, locker& lock, apply_options options = {});

  /// The heads of the applied revisions; empty at base or before the first upgrade.
  [[nodiscard]] revision_heads current();
  /// The audit history, oldest first (empty before the first upgrade).
  [[nodiscard]] std::vector<history_entry> history();
  /// Applied revisions whose files changed since.
  [[nodiscard]] std::vector<edited_revision> edited();

  /// Applies revisions up to `target` ("head", "heads", "+N", a revision); returns their ids.
  /// Throws checksum_error before running anything when an applied file was edited (unless
  /// accept_edited), migration_error when PostgreSQL refuses a revision (which is rolled back).
  std::vector<std::string> upgrade(std::string_view target = "head");
  /// Undoes revisions down to `target` ("base", "-N", a revision); returns their ids.
  std::vector<std::string> downgrade(std::string_view target = "-1");
  /// Records `target` ("base", "head", "heads", a revision) as the applied position without running anything.
  void stamp(std::string_view target);

 private:
  void ensure_bookkeeping();
  [[nodiscard]] std::vector<std::pair<std::string, std::string>> applied_rows();
  [[nodiscard]] revision_heads verified_heads(bool check_checksums);
  std::vector<std::string> migrate(direction dir, std::string_view target);
  void run(const std::vector<revision_step>& steps);
  void exec_all(const std::vector<std::string>& statements);

  pqxx::connection& conn_;
  const revision_graph& graph_;
  apply_options options_;
  bookkeeping books_;
  locker& locker_;
};

}  // namespace retort::pg
