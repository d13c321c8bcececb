// `retort verify`: the live database against the schema its history replays to at the revision
// it records, so that a hand edit is caught; the same comparison guards `stamp` and informs `current`.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>
#include <pqxx/connection>

#include "context.hpp"
#include "retort/ops.hpp"
#include "retort/pg/applier.hpp"
#include "retort/pg/render.hpp"
#include "retort/schema.hpp"

namespace retort::cli {

/// A live database compared with the schema the history replays to at some revisions.
struct live_comparison {
  revision_heads at;                          ///< the revisions compared with (empty: base)
  std::vector<pg::partial_revision> partial;  ///< revisions an interrupted run left part way
  std::vector<ops::operation> changes;        ///< what turns the replayed schema into the database's
  std::vector<pg::statement> restore;         ///< SQL that brings the database back to the replayed schema
  std::vector<std::string> problems;          ///< differences no operation describes (an object the model cannot hold)
  std::size_t opaque_steps = 0;               ///< hand-written sql steps up to `at`: replay cannot see what they did

  /// The database holds exactly the replayed schema (column order aside) and no revision is part way.
  [[nodiscard]] bool matches() const noexcept { return partial.empty() && changes.empty() && problems.empty(); }
  /// How many ways the database differs.
  [[nodiscard]] std::size_t difference_count() const noexcept {
    return changes.size() + problems.size() + partial.size();
  }
};

/// The user schema of the connected database (Retort's bookkeeping schema left out).
[[nodiscard]] schema live_schema(pqxx::connection& conn, const context& ctx);

/// The database's own schemas as `graph`'s history uses them (with --tenant-schema, the tenant's
/// schema without its bookkeeping; without, not the schemas of tenants nor those they share), or
/// nullopt when the database holds objects the model cannot describe (`verify` names them).
[[nodiscard]] std::optional<schema> describable_live_schema(pqxx::connection& conn, const context& ctx,
                                                            const revision_graph& graph);

/// Compares the connected database with `graph.schema_at(at)`: the schemas the history uses (a
/// tenant's schema beside them is not a difference). With a `tenant_schema`, only the
/// tenant's part of the database: its schema (its bookkeeping tables aside) against the history's
/// default one mapped to it, the history's other schemas, which every tenant shares, and of the
/// extensions only those the history creates.
[[nodiscard]] live_comparison compare_live(pqxx::connection& conn, pg::applier& a, const context& ctx,
                                           const revision_graph& graph, const revision_heads& at,
                                           const std::string& tenant_schema);

/// Prints a comparison that does not match on stderr: `headline` as the error, then each
/// difference as `check` lists drift, the notes that explain it and the SQL that undoes it.
void print_differences(const context& ctx, const live_comparison& c, const std::string& headline);

/// "revision X is part way through its upgrade: N of its transactions committed ...; finish it with `retort upgrade`".
[[nodiscard]] std::string part_way_text(const pg::partial_revision& p);
/// Revisions part way as JSON: `[{"revision", "direction", "committed_units"}]`.
[[nodiscard]] nlohmann::json part_way_json(const std::vector<pg::partial_revision>& partial);

/// The comparison as JSON fields: ok, revision, changes, problems, in_progress, restore.
[[nodiscard]] nlohmann::json comparison_json(const live_comparison& c);

/// `retort verify`: exit 0 when the database matches the schema of the revision it records, 3 when not.
int verify(context& ctx);

}  // namespace retort::cli
