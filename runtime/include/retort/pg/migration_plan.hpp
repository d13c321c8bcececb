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

/// One revision applied (or undone) as one transaction.
struct revision_step {
  const revision* rev = nullptr;
  direction dir = direction::upgrade;
  std::vector<ops::operation> operations;  ///< its upgrade or downgrade list
  std::vector<statement> statements;       ///< `operations` rendered; statement.operation indexes them
};

/// The steps from `current` to `target` ("head", "+N", a revision; see revision_graph::upgrade_plan).
[[nodiscard]] std::vector<revision_step> plan_upgrade(const revision_graph& graph, const revision_heads& current,
                                                      std::string_view target);
/// The steps from `current` down to `target` ("base", "-N", a revision).
[[nodiscard]] std::vector<revision_step> plan_downgrade(const revision_graph& graph, const revision_heads& current,
                                                        std::string_view target);

/// The file checksum of a revision, or of its canonical text when it was built in memory.
[[nodiscard]] std::string checksum_of(const revision& r);

/// Retort's own tables in the target database, in a schema of their own:
///   applied(revision, checksum, applied_at)  every applied revision (the heads derive from it)
///   history(id, revision, direction, checksum, message, started_at, finished_at, duration_ms,
///           db_user, application_name)       the audit trail, one row per step
class bookkeeping {
 public:
  explicit bookkeeping(std::string schema = "retort") : schema_(std::move(schema)) {}

  [[nodiscard]] const std::string& schema() const noexcept { return schema_; }
  /// Creates the schema and tables when missing.
  [[nodiscard]] std::vector<std::string> create() const;
  /// Records a step; runs in the step's transaction, after its statements.
  [[nodiscard]] std::vector<std::string> record(const revision_step& step) const;
  /// Marks exactly `applied` as applied, without running anything; `target` names it in the history.
  [[nodiscard]] std::vector<std::string> stamp(const std::vector<const revision*>& applied, std::string_view target) const;
  /// Accepts the current checksum of an edited, already applied revision.
  [[nodiscard]] std::vector<std::string> accept_checksum(const revision& r) const;
  /// SELECT revision, checksum of every applied revision.
  [[nodiscard]] std::string select_applied() const;
  /// SELECT the audit history, oldest first.
  [[nodiscard]] std::string select_history() const;
  /// A query giving one row with true when the bookkeeping tables exist.
  [[nodiscard]] std::string exists() const;

 private:
  [[nodiscard]] std::string table(std::string_view name) const;
  [[nodiscard]] std::string history_row(std::string_view revision, std::string_view direction, const std::string& checksum,
                                        std::string_view message) const;
  std::string schema_;
};

/// A script for `psql -1 -f`: the bookkeeping tables, then every step with its bookkeeping.
[[nodiscard]] std::string offline_script(const std::vector<revision_step>& steps, const bookkeeping& books);

}  // namespace retort::pg
