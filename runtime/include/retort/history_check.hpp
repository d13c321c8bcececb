// What `retort check` proves about a history with no database, beyond what the revision graph
// accepts: every downgrade restores exactly the schema before its upgrade, and a hand-written
// step that cannot be undone says so. `downgrade` uses the same rule to refuse irreversible steps.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "retort/replay.hpp"
#include "retort/revision_graph.hpp"

namespace retort {

/// One revision that fails a history check.
struct history_problem {
  std::string revision;
  std::string file;     ///< empty when built in memory
  std::string message;  ///< what is wrong, one or more lines
};

/// What the walk of verify_downgrades does besides checking them, so that a command replays the
/// history once.
struct history_walk {
  /// Applies `r`'s upgrade to `s`, at the schema before it, leaving it at the schema after it (a
  /// lint renders it as it replays). Empty: each operation is replayed.
  std::function<void(const revision& r, replayer& s)> upgrade;
  /// Applies `r`'s downgrade to `s`, at the schema after its upgrade, as the check replays it
  /// (a lint renders it as it replays). Empty: each operation is replayed. A revision the check
  /// never downgrades (an irreversible or unmarked sql step) gets it on a copy of `s`.
  std::function<void(const revision& r, replayer& s)> downgrade;
  /// Receives the schema of the history's head, when it has exactly one.
  schema* head = nullptr;
};

/// Replays every revision's downgrade over its upgrade's result and reports each revision
/// whose downgrade does not give back exactly the schema before it (naming what differs), or
/// fails to replay, and each `sql` step with an `up` and no `down` not marked irreversible.
/// Revisions with an irreversible step are not replayed down: `downgrade` refuses them.
[[nodiscard]] std::vector<history_problem> verify_downgrades(const revision_graph& graph, const history_walk& walk = {});

/// The first `sql` step of `r`'s upgrade that cannot be undone (no `down`), or nullptr.
[[nodiscard]] const ops::sql* irreversible_step(const revision& r);

/// Throws retort::error naming the first revision of `downgrade_ids` that has an irreversible
/// step, its file and its reason: a downgrade across it stops before running anything.
void require_reversible(const revision_graph& graph, const std::vector<std::string>& downgrade_ids);

}  // namespace retort
