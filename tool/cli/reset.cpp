// `retort reset` (every revision undone, then every one applied: the seed's `db.py reset`) and
// `retort devdb reset` (the dev database dropped and created again, empty). Anything but the
// local dev database is reset only with --yes, after saying what will be lost.
#include "reset.hpp"

#include <iostream>

#include <fmt/format.h>

#include "commands.hpp"
#include "retort/errors.hpp"
#include "retort/schema.hpp"
#include "verify.hpp"

namespace retort::cli {

using nlohmann::json;

namespace {

// What a reset destroys: the applied revisions (newest first, the order they are undone in) and
// the tables their schema has that the database holds, whose rows go with them.
struct destruction {
  std::vector<std::string> revisions;
  std::vector<std::string> tables;
};

destruction what_reset_destroys(pqxx::connection& conn, const context& ctx, const revision_graph& graph,
                                const revision_heads& now) {
  destruction d;
  d.revisions = graph.downgrade_plan(now, "base");
  const schema made = graph.schema_at(now);
  if (const auto live = describable_live_schema(conn, ctx, graph))
    for (const auto& t : live->tables)
      if (find_table(made, t.name)) d.tables.push_back(t.name.schema + "." + t.name.name);
  return d;
}

void print_destruction(const context& ctx, const revision_graph& graph, const destruction& d, std::ostream& out) {
  out << fmt::format("Reset undoes {} revision{}", d.revisions.size(), d.revisions.size() == 1 ? "" : "s");
  out << (d.revisions.empty() ? ".\n" : ", newest first:\n");
  for (const auto& id : d.revisions)
    out << fmt::format("  {} {}\n", ctx.paint(id, style::revision), graph.at(id).message);
  if (!d.tables.empty())
    out << fmt::format("and drops {} table{} with every row in {}: {}\n", d.tables.size(),
                       d.tables.size() == 1 ? "" : "s", d.tables.size() == 1 ? "it" : "them", fmt::join(d.tables, ", "));
  out << "then applies every revision up to head.\n";
}

}  // namespace

int reset(context& ctx, bool yes) {
  const auto& graph = ctx.graph();
  graph.require_no_conflicts();
  ctx.verify_sum();
  const bool on_devdb = ctx.uses_devdb();
  auto conn = ctx.connect();
  pg::advisory_locker lock(*conn, ctx.opts().bookkeeping_schema);
  pg::applier a(*conn, graph, lock, apply_options(ctx, false));
  const destruction d = what_reset_destroys(*conn, ctx, graph, a.current());
  if (!on_devdb && !yes) {
    const std::string why =
        "not reset: this is not the local dev database, and a reset destroys its data; run it again with --yes "
        "to confirm. Nothing was changed.";
    if (ctx.json()) {
      print_json(json{{"error", {{"type", "usage"}, {"message", why}, {"revisions", d.revisions}, {"tables", d.tables}}}});
    } else {
      print_destruction(ctx, graph, d, std::cerr);
      std::cerr << ctx.paint("error: ", style::error) << why << "\n";
    }
    return exit_usage;
  }
  if (!ctx.json()) print_destruction(ctx, graph, d, std::cout);
  const auto down = a.downgrade("base");
  const auto up = a.upgrade("heads");
  const auto now = a.current();
  if (ctx.json())
    print_json(json{{"downgraded", down}, {"upgraded", up}, {"current", now}});
  else
    std::cout << fmt::format("Reset: undid {} revision{} and applied {}; the database is now at {}.\n", down.size(),
                             down.size() == 1 ? "" : "s", up.size(), heads_text(now));
  return exit_ok;
}

int devdb_reset(context& ctx) {
  local_cluster cluster = ctx.devdb();
  ctx.start_devdb(cluster);
  cluster.drop_database(devdb_database);
  cluster.create_database(devdb_database);
  if (ctx.json())
    print_json(json{{"directory", cluster.directory().string()}, {"url", cluster.url(devdb_database)}});
  else
    std::cout << fmt::format("The local dev database {} in {} was dropped and created again, empty; `retort upgrade` "
                             "brings it to head.\n",
                             devdb_database, cluster.directory().string());
  return exit_ok;
}

}  // namespace retort::cli
