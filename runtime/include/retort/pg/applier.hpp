// The applier: brings a live PostgreSQL database from its recorded revision to a target, one
// transaction per revision, under an advisory lock, recording every step in the bookkeeping
// tables. Only this file and the introspector talk to a database.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include <pqxx/connection>

#include "retort/pg/cpp_steps.hpp"
#include "retort/pg/locker.hpp"
#include "retort/pg/migration_plan.hpp"
#include "retort/pg/schema_mapping.hpp"
#include "retort/revision_graph.hpp"

namespace retort::pg {

/// A session that holds a lock the applier waits for (pg_blocking_pids).
struct blocker {
  int pid = 0;
  std::string application_name, user, state, query;
  double transaction_seconds = 0;  ///< how long its transaction has been open
};

/// What the applier reports while it works.
struct progress {
  enum class event {
    begin,                ///< a step starts
    outside_transaction,  ///< `statement` runs outside a transaction
    resumed,              ///< `skipped` units committed by an earlier run are skipped
    waiting,              ///< a statement waits for locks that `blockers` hold
    retrying,             ///< a unit hit lock_timeout (or a deadlock); attempt `attempt` follows after `milliseconds`
    done,                 ///< the step finished in `milliseconds`
  };
  event what = event::begin;
  std::size_t index = 0;  ///< 1-based position of the step
  std::size_t total = 0;
  const revision_step* step = nullptr;
  std::string_view statement;  ///< outside_transaction, waiting, retrying
  double milliseconds = 0;     ///< done: the step's duration; retrying: the pause; waiting: how long so far
  std::vector<blocker> blockers;
  int attempt = 0;
  std::size_t skipped = 0;
};

struct apply_options {
  std::string bookkeeping_schema = "retort";
  /// Schema-per-tenant: the history's default schema (`public`) is created as this schema (every
  /// statement names it; search_path is never relied on), and the bookkeeping lives in it too
  /// (`retort_applied`, `retort_history`, `retort_progress`), so each tenant has its own position,
  /// lock and audit. While it runs, the tenant's schema comes first on search_path, for the SQL an
  /// author wrote (sql steps, expressions naming a type). Empty: no tenant.
  std::string tenant_schema;
  /// Schema-per-tenant: before the run changes the shared objects, check that every other tenant
  /// of the database has reached the revision before (tenants_behind); stop there if not. A
  /// caller that checked it once for all the tenants it moves together (`upgrade --fleet`) turns
  /// it off: the check reads every tenant's bookkeeping.
  bool check_tenants_in_step = true;
  /// Accept applied migrations whose files were edited since (records the new checksums).
  bool accept_edited = false;
  /// Safe plans (the default) or plain ones.
  render_options render;
  /// How long a statement may wait for a lock before it gives up (0: forever). Short, so that the
  /// queries queued behind a waiting ALTER are not stalled for long.
  std::chrono::milliseconds lock_timeout{5000};
  /// How long a statement may run (0: no limit).
  std::chrono::milliseconds statement_timeout{0};
  /// Tries of a transaction that hit lock_timeout or a deadlock, before the error is raised.
  int lock_attempts = 5;
  /// Pause before the second try; doubled for each further one.
  std::chrono::milliseconds retry_backoff{1000};
  /// After this long waiting on a lock, `waiting` names the sessions that hold it (then again
  /// at the same interval while the wait lasts).
  std::chrono::milliseconds report_blockers_after{1000};
  std::function<void(const progress&)> on_progress;
  /// The application's C++ data steps. Null: this migrator runs none (the retort CLI), and a
  /// revision with a cpp step is refused, before anything runs, with what to run instead.
  const cpp_steps* cpp = nullptr;
};

/// The bookkeeping tables `o` migrates with: bookkeeping_schema's, or the tenant's.
[[nodiscard]] bookkeeping bookkeeping_of(const apply_options& o);
/// The render options `o` plans with: a tenant's default schema mapped to its own.
[[nodiscard]] render_options render_options_of(const apply_options& o);

/// Schema-per-tenant (`tenant` from render_options_of): whether revision `r` works on a schema
/// the tenants of a database share (one the mapping keeps, as the example's `catalog`).
[[nodiscard]] bool changes_shared_objects(const revision& r, const render_options& tenant);

/// Schema-per-tenant: the tenants of the database (schemas holding a tenant's bookkeeping), in
/// name order.
[[nodiscard]] std::vector<std::string> tenant_schemas(pqxx::transaction_base& tx);

/// Schema-per-tenant: the tenants of the database but `tenant` (schemas holding a tenant's
/// bookkeeping) that have not reached every parent of `r`, each as "name (at REV)"; a tenant at
/// base is not one. A tenant's run does not change the shared objects (`r`'s shared operations)
/// while any has not.
[[nodiscard]] std::vector<std::string> tenants_behind(pqxx::transaction_base& tx, const revision_graph& graph,
                                                      const revision& r, const std::string& tenant);

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

/// A revision an interrupted run left part way: some of its transactions committed (retort.progress).
struct partial_revision {
  std::string id, direction;     ///< direction: "upgrade" or "downgrade"
  std::string checksum;          ///< of the file when the run began
  std::set<std::size_t> units;   ///< the committed transactions, 0-based
};

/// While it lives, `tenant`'s schema comes first on the session's search_path; the session's own
/// setting is restored afterwards (the connection may be the application's). Every name Retort
/// renders carries its schema: this is for the SQL a history's author wrote (hand-written steps,
/// a default casting to an enum type by its bare name finds the tenant's type, not another
/// schema's), and for reading it back as written. An empty `tenant` changes nothing.
class tenant_search_path {
 public:
  tenant_search_path(pqxx::connection& conn, const std::string& tenant);
  ~tenant_search_path();
  tenant_search_path(const tenant_search_path&) = delete;
  tenant_search_path& operator=(const tenant_search_path&) = delete;

 private:
  pqxx::connection& conn_;
  std::optional<std::string> saved_;
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
  /// Revisions part way through (empty unless a run of a multi-transaction plan was interrupted).
  [[nodiscard]] std::vector<partial_revision> in_progress();

  /// Applies revisions up to `target` ("head", "heads", "+N", a revision); returns their ids.
  /// Throws checksum_error before running anything when an applied file was edited (unless
  /// accept_edited), migration_error when PostgreSQL refuses a revision (which is rolled back).
  std::vector<std::string> upgrade(std::string_view target = "head");
  /// Undoes revisions down to `target` ("base", "-N", a revision); returns their ids.
  std::vector<std::string> downgrade(std::string_view target = "-1");
  /// Records `target` ("base", "head", "heads", a revision) as the applied position without running anything.
  void stamp(std::string_view target);

 private:
  /// The applied revisions and the checksums recorded for them.
  using applied_list = std::vector<std::pair<std::string, std::string>>;
  void ensure_bookkeeping();
  [[nodiscard]] applied_list applied_rows();
  /// The rows of revisions a squash replaced, by squash id (a database from before it).
  [[nodiscard]] std::map<std::string, std::vector<std::string>> squashed_of(const applied_list& rows) const;
  [[nodiscard]] std::vector<edited_revision> edited_of(const applied_list& rows) const;
  [[nodiscard]] revision_heads verified_heads(bool check_checksums);
  std::vector<std::string> migrate(direction dir, std::string_view target);
  void run(const std::vector<revision_step>& steps);
  void run_step(const revision_step& step, std::size_t index, std::size_t total, const std::set<std::size_t>& done);
  void run_unit(const revision_step& step, std::size_t unit, bool last, const std::function<void(progress)>& notify);
  [[nodiscard]] std::map<std::string, std::set<std::size_t>> resumable(const std::vector<revision_step>& steps);
  void exec_all(const std::vector<std::string>& statements);
  void require_cpp_steps(const std::vector<revision_step>& steps) const;
  void run_cpp_step(pqxx::work& tx, const revision_step& step, std::size_t operation, std::size_t unit);
  [[nodiscard]] bool is_shared(const revision_step& step, const statement& st) const;
  [[nodiscard]] bool has_shared(const revision_step& step, const transaction_unit& unit) const;
  [[nodiscard]] bool has_shared(const revision_step& step) const;
  [[nodiscard]] bool claim_shared(pqxx::work& tx, const revision_step& step);
  [[nodiscard]] std::set<std::string> shared_ahead(const revision_heads& current, std::string_view target);
  void backfill_shared(pqxx::work& tx, const bookkeeping& database);
  void require_in_step(pqxx::work& tx, const revision_step& step);

  pqxx::connection& conn_;
  const revision_graph& graph_;
  apply_options options_;
  bookkeeping books_;
  locker& locker_;
};

}  // namespace retort::pg
