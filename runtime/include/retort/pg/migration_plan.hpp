// Migration plans: the revisions to apply or undo, each rendered to SQL against the schema it
// starts from, plus the bookkeeping statements that record them. The online applier and the
// offline `retort sql` script consume the same plan.
#pragma once

#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "retort/pg/render.hpp"
#include "retort/revision_graph.hpp"

namespace retort::pg {

enum class direction { upgrade, downgrade };

[[nodiscard]] std::string_view to_string(direction d);

/// Statements of a revision that commit together: one transaction, or one statement that
/// PostgreSQL runs outside any.
struct transaction_unit {
  bool transactional = true;
  std::vector<std::size_t> statements;  ///< indexes into revision_step::statements
  friend bool operator==(const transaction_unit&, const transaction_unit&) = default;
};

/// Groups statements into units by their run_mode: in_transaction joins the open transaction,
/// own_transaction commits it and opens the next, outside_transaction stands alone.
[[nodiscard]] std::vector<transaction_unit> group_units(const std::vector<statement>& statements);

/// One revision applied (or undone): usually one transaction; a safe plan on tables with rows
/// uses several, and the last one records the revision.
struct revision_step {
  const revision* rev = nullptr;
  direction dir = direction::upgrade;
  std::vector<ops::operation> operations;  ///< its upgrade or downgrade list
  std::vector<statement> statements;       ///< `operations` rendered; statement.operation indexes them
  std::vector<transaction_unit> units;     ///< `statements` grouped
};

/// The statements of `operations` against `s`, with the file's SQL overrides in place of the
/// generated statements of the operations they name; leaves `s` at the schema they produce.
[[nodiscard]] std::vector<statement> render_with_overrides(const std::vector<ops::operation>& operations,
                                                           const operation_notes& notes, schema& s,
                                                           const render_options& options = {});
/// The same over a replayer, which keeps its name indexes from one revision to the next; only
/// the operations `wanted` accepts are rendered (see render_and_replay).
[[nodiscard]] std::vector<statement> render_with_overrides(const std::vector<ops::operation>& operations,
                                                           const operation_notes& notes, replayer& r,
                                                           const render_options& options = {},
                                                           const operation_filter& wanted = {});

/// The steps from `current` to `target` ("head", "+N", a revision; see revision_graph::upgrade_plan).
/// Schema-per-tenant: `shared_ahead` are the revisions whose shared operations other tenants of
/// the database have run and this tenant has not applied (it was created after them). Each
/// revision's own references to shared tables are rendered through the renames (and drops) that
/// those of them it has not reached made (render_options::later_shared_changes).
[[nodiscard]] std::vector<revision_step> plan_upgrade(const revision_graph& graph, const revision_heads& current,
                                                      std::string_view target, const render_options& options = {},
                                                      const std::set<std::string>& shared_ahead = {});
/// The steps from `current` down to `target` ("base", "-N", a revision).
[[nodiscard]] std::vector<revision_step> plan_downgrade(const revision_graph& graph, const revision_heads& current,
                                                        std::string_view target, const render_options& options = {});

/// The file checksum of a revision, or of its canonical text when it was built in memory.
[[nodiscard]] std::string checksum_of(const revision& r);

/// Retort's own tables in the target database, in a schema of their own (or, for a tenant, in
/// the tenant's schema with a prefix):
///   applied(revision, checksum, applied_at)  every applied revision (the heads derive from it)
///   progress(revision, direction, unit, checksum)  the committed units of a revision that spans
///                                           several transactions and has not finished yet
///   history(id, revision, direction, checksum, message, started_at, finished_at, duration_ms,
///           db_user, application_name)       the audit trail, one row per step
class bookkeeping {
 public:
  /// The tables `<schema>.<table_prefix>applied`, ...: a tenant keeps its own beside its objects.
  explicit bookkeeping(std::string schema = "retort", std::string table_prefix = "")
      : schema_(std::move(schema)), prefix_(std::move(table_prefix)) {}

  [[nodiscard]] const std::string& schema() const noexcept { return schema_; }
  [[nodiscard]] const std::string& table_prefix() const noexcept { return prefix_; }
  /// Creates the schema and tables when missing.
  [[nodiscard]] std::vector<std::string> create() const;
  /// Records a step; runs in the step's last transaction, after its statements.
  [[nodiscard]] std::vector<std::string> record(const revision_step& step) const;
  /// Records that unit `unit` of a step committed (in that unit's transaction when it has one).
  [[nodiscard]] std::string record_unit(const revision_step& step, std::size_t unit) const;
  /// SELECT revision, direction, unit, checksum of every committed unit of unfinished steps.
  [[nodiscard]] std::string select_progress() const;
  /// Marks exactly `applied` as applied, without running anything; `target` names it in the history.
  [[nodiscard]] std::vector<std::string> stamp(const std::vector<const revision*>& applied, std::string_view target) const;
  /// Accepts the current checksum of an edited, already applied revision.
  [[nodiscard]] std::vector<std::string> accept_checksum(const revision& r) const;
  /// A database recorded before a squash: the rows of the revisions `squash` replaces give way to
  /// its own, with its checksum (its id was applied already: it is the last one it replaces).
  [[nodiscard]] std::vector<std::string> adopt_squash(const revision& squash, const std::vector<std::string>& replaced) const;
  /// SELECT revision, checksum of every applied revision.
  [[nodiscard]] std::string select_applied() const;
  /// SELECT the audit history, oldest first.
  [[nodiscard]] std::string select_history() const;
  /// A query giving one row with true when the bookkeeping tables exist.
  [[nodiscard]] std::string exists() const;
  /// The same for every table create() makes (an older Retort's bookkeeping may lack progress).
  [[nodiscard]] std::string complete() const;
  /// A query giving one row with true when its table `name` ("progress", "shared") exists: an
  /// older Retort's bookkeeping may lack the progress table until the next upgrade, and a
  /// database whose tenants migrated before the shared record existed has shared objects but no
  /// record (see backfill_shared()).
  [[nodiscard]] std::string table_exists(std::string_view name) const;
  /// The names of its tables in schema(): `<prefix>applied`, `<prefix>progress`, `<prefix>history`.
  [[nodiscard]] std::vector<std::string> table_names() const;

  // Schema-per-tenant: the database's record of which tenants stand past each revision's
  // operations on the history's shared schemas, `<schema>.<prefix>shared(revision, tenant)`, kept
  // by the database's bookkeeping (not a tenant's), read and written under lock_shared().
  /// A transaction lock every tenant's run takes before it reads or changes that record:
  /// exclusive to decide who runs the shared operations, shared to record a tenant that follows a
  /// committed claim (tenants following one another do not wait for each other).
  [[nodiscard]] std::string lock_shared(bool exclusive = true) const;
  /// A query giving one row with true when the record exists as this Retort keeps it (an earlier
  /// one's lacks the downgrade's columns until create_shared() adds them).
  [[nodiscard]] std::string shared_ready() const;
  /// Creates the schema and the record, or adds what an earlier Retort's record lacks: run only
  /// when shared_ready() is false (ALTER TABLE locks the record against its readers until the
  /// transaction ends), under lock_shared(), since tenants race otherwise.
  [[nodiscard]] std::vector<std::string> create_shared() const;
  /// Upgrading: a query giving one row with true when a tenant other than `tenant` recorded
  /// `revision` before `tenant` did (that one runs its shared statements).
  [[nodiscard]] std::string shared_elsewhere(std::string_view revision, std::string_view tenant) const;
  /// Upgrading: records that `tenant` stands past the revision's shared operations.
  [[nodiscard]] std::string record_shared(std::string_view revision, std::string_view tenant) const;
  /// Downgrading: decides, at `tenant`'s first claim of `revision`, whether it undoes the shared
  /// operations: only when no other tenant records the revision without undoing it too (the last
  /// one to begin undoing it does). The decision is kept in `tenant`'s row, so every unit of the
  /// revision, also in a rerun after an interruption, follows it.
  [[nodiscard]] std::string decide_undo(std::string_view revision, std::string_view tenant) const;
  /// Downgrading: a query giving one row with that decision (true: undo them).
  [[nodiscard]] std::string undo_decision(std::string_view revision, std::string_view tenant) const;
  /// Downgrading: forgets `tenant`'s row once its undo of `revision` finished.
  [[nodiscard]] std::string forget_shared(std::string_view revision, std::string_view tenant) const;
  /// Records, for a record just created, the shared revisions that `tenant` (a tenant's own
  /// bookkeeping) has applied: among `revisions`, the history's revisions with shared operations.
  [[nodiscard]] std::string backfill_shared(const bookkeeping& tenant, const std::vector<std::string>& revisions) const;
  /// SELECT DISTINCT revision: the revisions whose shared operations some tenant stands past.
  [[nodiscard]] std::string select_shared() const;
  /// On a tenant's bookkeeping: the schemas of the database that hold bookkeeping like it (its
  /// tenants, itself included), one row each.
  [[nodiscard]] std::string select_tenants() const;
  /// On a tenant's bookkeeping: SELECT tenant, revision of every revision each of `tenants` applied.
  [[nodiscard]] std::string select_applied_of(const std::vector<std::string>& tenants) const;

 private:
  [[nodiscard]] std::string table(std::string_view name) const;
  [[nodiscard]] std::string history_row(std::string_view revision, std::string_view direction, const std::string& checksum,
                                        std::string_view message) const;
  std::string schema_;
  std::string prefix_;
};

/// How `retort sql` lays out its script.
enum class script_layout {
  per_unit,            ///< BEGIN ... COMMIT around each transaction unit: for `psql -f`
  single_transaction,  ///< no transaction control: for `psql -1 -f`, valid only when every statement can share one
};

/// The script of `steps`: the bookkeeping tables, then every step with its bookkeeping, as the
/// applier would run them. Throws retort::error when `single_transaction` cannot hold them. A
/// tenant's script (`tenant_schema`) first puts the tenant's schema on search_path, as the applier does.
[[nodiscard]] std::string offline_script(const std::vector<revision_step>& steps, const bookkeeping& books,
                                         script_layout layout = script_layout::per_unit,
                                         std::string_view tenant_schema = {});

}  // namespace retort::pg
