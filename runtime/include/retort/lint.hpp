// The lint: what a migration still does that is dangerous on a busy production database (data
// loss, table rewrites, scans under locks that block writers, changes the running version of the
// application cannot live with). Each rule is a small check of one operation, with the schema
// before it and the statements it runs; a finding is silenced per operation in the revision
// file with a written reason ("allow"). Needs no database.
#pragma once

#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "retort/pg/render.hpp"
#include "retort/replay.hpp"
#include "retort/revision_graph.hpp"

namespace retort::lint {

enum class severity { warning, error };

/// A rule: its id (what "allow" names), its severity on the upgrade side and what it catches.
struct rule {
  std::string_view id;
  severity level;
  std::string_view summary;
};

/// Every rule, in the order the README lists them.
[[nodiscard]] std::span<const rule> rules();

/// Which list of a revision an operation is in.
enum class side { upgrade, downgrade };

/// One finding. On the downgrade side every finding is a warning: undoing what the upgrade
/// added is a downgrade's purpose.
struct finding {
  std::string rule;
  severity level = severity::error;
  std::string revision, file;
  side where = side::upgrade;
  std::size_t operation = 0;  ///< index into the side's list
  std::string message, hint;
  std::string allowed;  ///< the reason given in the file when silenced; empty otherwise

  [[nodiscard]] bool silenced() const noexcept { return !allowed.empty(); }
  [[nodiscard]] bool fails() const noexcept { return level == severity::error && !silenced(); }
};

struct options {
  pg::render_options render;  ///< the plans the statements are judged by
  bool downgrades = true;     ///< also judge the downgrade side (its findings are warnings only)
};

/// The findings of revision `r`, whose upgrade starts from `before`.
[[nodiscard]] std::vector<finding> lint_revision(const revision& r, const schema& before, const options& o = {});

/// lint_revision on `s`, a replay at the schema before `r`, left at the schema after its upgrade
/// (the downgrade side, when judged, runs on a copy): a walk over the history lints as it replays.
[[nodiscard]] std::vector<finding> lint_revision_in_place(const revision& r, replayer& s, const options& o = {});

/// One side of `r` on `s`: the upgrade (at the schema before r, left after its upgrade) or the
/// downgrade (at the schema after its upgrade, left after its downgrade).
[[nodiscard]] std::vector<finding> lint_side_in_place(const revision& r, side which, replayer& s, const options& o = {});

/// The findings of `ids` (in history order) of `graph`.
[[nodiscard]] std::vector<finding> lint_revisions(const revision_graph& graph, const std::vector<std::string>& ids,
                                                  const options& o = {});

/// The history's branch conflicts (revision_graph::conflicts) as findings of `branch-conflict`.
[[nodiscard]] std::vector<finding> conflict_findings(const revision_graph& graph);

/// "upgrade[2]"
[[nodiscard]] std::string location(const finding& f);

}  // namespace retort::lint
