// The retort commands. Each reads what it needs through the context, prints text or JSON,
// and returns an exit code; errors propagate as retort exceptions to main().
#include "commands.hpp"

#include <algorithm>
#include <fstream>
#include <future>
#include <iostream>
#include <set>
#include <sstream>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "check_cache.hpp"
#include "declaration_sites.hpp"
#include "drift_report.hpp"
#include "lint_report.hpp"
#include "retort/authoring.hpp"
#include "retort/errors.hpp"
#include "retort/files.hpp"
#include "retort/history_check.hpp"
#include "retort/pg/applier.hpp"
#include "retort/pg/migration_plan.hpp"
#include "retort/replay.hpp"
#include "retort/snapshot.hpp"
#include "reset.hpp"
#include "verify.hpp"

namespace retort::cli {

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

schema read_models(const std::string& snapshot) { return read_snapshot_file(snapshot); }

std::string short_id(const std::string& id) { return id.substr(0, 12); }

json revision_json(const revision& r) {
  return json{{"id", r.id}, {"parents", r.parents}, {"message", r.message}, {"created", r.created}, {"file", r.file}};
}

}  // namespace

void print_json(const json& j) { std::cout << j.dump(2) << "\n"; }

std::string heads_text(const revision_heads& heads) {
  return heads.empty() ? "base" : fmt::format("{}", fmt::join(heads, ", "));
}

pg::apply_options quiet_apply_options(const context& ctx, bool accept_edited) {
  pg::apply_options o;
  o.bookkeeping_schema = ctx.opts().bookkeeping_schema;
  o.tenant_schema = ctx.opts().tenant_schema;
  o.accept_edited = accept_edited;
  o.render.plans = ctx.opts().safety;
  o.lock_timeout = std::chrono::milliseconds(ctx.opts().lock_timeout_ms);
  o.statement_timeout = std::chrono::milliseconds(ctx.opts().statement_timeout_ms);
  o.lock_attempts = std::max(1, ctx.opts().lock_attempts);
  return o;
}

pg::render_options render_options(const context& ctx) { return pg::render_options_of(quiet_apply_options(ctx, false)); }

pg::apply_options apply_options(context& ctx, bool accept_edited) {
  pg::apply_options o = quiet_apply_options(ctx, accept_edited);
  if (!ctx.json())
    o.on_progress = [&ctx](const pg::progress& p) {
      const revision& r = *p.step->rev;
      switch (p.what) {
        case pg::progress::event::begin:
          std::cout << fmt::format("[{}/{}] {} {} {} ... ", p.index, p.total, to_string(p.step->dir),
                                   ctx.paint(short_id(r.id), style::revision), r.message)
                    << std::flush;
          ctx.begin_progress_line();
          break;
        case pg::progress::event::outside_transaction:
          std::cout << "\n      running outside a transaction (PostgreSQL requires it): " << p.statement << "\n      "
                    << std::flush;
          break;
        case pg::progress::event::resumed:
          std::cout << fmt::format("\n      resuming: {} transaction{} committed by an earlier run\n      ", p.skipped,
                                   p.skipped == 1 ? "" : "s")
                    << std::flush;
          break;
        case pg::progress::event::waiting:
          std::cout << ctx.paint(fmt::format("\n      waiting {:.0f} s for a lock held by:", p.milliseconds / 1000), style::revision);
          for (const auto& b : p.blockers)
            std::cout << fmt::format("\n        pid {} ({}{}), {} for {:.0f} s: {}", b.pid,
                                     b.application_name.empty() ? "no application name" : b.application_name,
                                     b.user.empty() ? "" : ", user " + b.user, b.state, b.transaction_seconds,
                                     b.query);
          std::cout << "\n      " << std::flush;
          break;
        case pg::progress::event::retrying:
          std::cout << ctx.paint(fmt::format("\n      lock not granted in time (lock_timeout); attempt {} in {:.1f} s",
                                             p.attempt, p.milliseconds / 1000),
                                 style::revision)
                    << "\n      " << std::flush;
          break;
        case pg::progress::event::done:
          std::cout << ctx.paint("done", style::ok) << fmt::format(" ({:.0f} ms)\n", p.milliseconds);
          ctx.end_progress_line(true);
          break;
      }
    };
  return o;
}

namespace {

// Statements as SQL, each that does not join the revision's transaction marked above it.
void print_statements(const std::vector<pg::statement>& statements) {
  for (const auto& st : statements) {
    if (st.mode == pg::run_mode::own_transaction) std::cout << "-- (in a transaction of its own)\n";
    if (st.mode == pg::run_mode::outside_transaction) std::cout << "-- (outside a transaction)\n";
    std::cout << st.sql << ";\n";
  }
}

int applied_summary(context& ctx, const std::vector<std::string>& ids, const revision_heads& now, std::string_view verb) {
  if (ctx.json()) {
    print_json(json{{verb, ids}, {"current", now}});
  } else if (ids.empty()) {
    std::cout << fmt::format("Nothing to {}: the database is at {}.\n", verb == "upgraded" ? "upgrade" : "downgrade",
                             heads_text(now));
  } else {
    std::cout << fmt::format("{} {} revision{}; the database is now at {}.\n", verb == "upgraded" ? "Applied" : "Undid",
                             ids.size(), ids.size() == 1 ? "" : "s", heads_text(now));
  }
  return exit_ok;
}

}  // namespace

int upgrade(context& ctx, const std::string& target, bool accept_edited) {
  const auto& graph = ctx.graph();
  ctx.verify_sum();
  auto conn = ctx.connect();
  const auto options = apply_options(ctx, accept_edited);
  pg::advisory_locker lock(*conn, pg::bookkeeping_of(options).schema());
  pg::applier a(*conn, graph, lock, options);
  auto ids = a.upgrade(target);
  return applied_summary(ctx, ids, a.current(), "upgraded");
}

int downgrade(context& ctx, const std::string& target, bool accept_edited) {
  const auto& graph = ctx.graph();
  ctx.verify_sum();
  auto conn = ctx.connect();
  const auto options = apply_options(ctx, accept_edited);
  pg::advisory_locker lock(*conn, pg::bookkeeping_of(options).schema());
  pg::applier a(*conn, graph, lock, options);
  auto ids = a.downgrade(target);
  return applied_summary(ctx, ids, a.current(), "downgraded");
}

int stamp(context& ctx, const std::string& target, bool verify_first) {
  const auto& graph = ctx.graph();
  ctx.verify_sum();  // stamping records the files' checksums as applied
  auto conn = ctx.connect();
  const auto options = apply_options(ctx, false);
  pg::advisory_locker lock(*conn, pg::bookkeeping_of(options).schema());
  pg::applier a(*conn, graph, lock, options);
  if (verify_first) {
    // A stamp claims the database has the target's schema: checked, so that it cannot claim a
    // column the database lacks.
    const revision_heads at = target == "base"    ? revision_heads{}
                              : target == "heads" ? graph.heads()
                                                  : revision_heads{graph.resolve(target)};
    const live_comparison c = compare_live(*conn, a, ctx, graph, at, options.tenant_schema);
    if (!c.matches()) {
      if (ctx.json()) {
        json out = comparison_json(c);
        out["stamped"] = false;
        print_json(out);
      } else {
        print_differences(ctx, c, fmt::format("not stamped: the database does not have the schema of {}; nothing "
                                              "was recorded. The differences:",
                                              heads_text(at)));
        std::cerr << "\nStamp the revision whose schema the database has, bring the database to it, or record it "
                     "as it is with `retort stamp --no-verify`.\n";
      }
      return exit_drift;
    }
  }
  a.stamp(target);
  const auto now = a.current();
  if (ctx.json()) print_json(json{{"current", now}});
  else std::cout << fmt::format("Stamped: the database is now recorded at {} (nothing was run).\n", heads_text(now));
  return exit_ok;
}

int current(context& ctx) {
  const auto& graph = ctx.graph();
  auto conn = ctx.connect();
  const auto options = apply_options(ctx, false);
  pg::advisory_locker lock(*conn, pg::bookkeeping_of(options).schema());
  pg::applier a(*conn, graph, lock, options);
  const auto now = a.current();
  const auto edited = a.edited();
  const auto partial = a.in_progress();
  const auto heads = graph.heads();
  const bool at_head = graph.applied(now) == graph.applied(heads);
  // Tables with no revision recorded: a database made by other means (or hand-edited after a
  // downgrade), where "N revisions to apply" would only fail on the first CREATE TABLE.
  std::vector<std::string> untracked;
  if (now.empty() && partial.empty())
    if (const auto live = describable_live_schema(*conn, ctx, graph))
      for (const auto& t : live->tables) untracked.push_back(t.name.schema + "." + t.name.name);
  if (ctx.json()) {
    json e = json::array();
    for (const auto& x : edited) e.push_back(json{{"id", x.id}, {"file", x.file}});
    print_json(json{{"current", now}, {"at_head", at_head}, {"edited", e}, {"in_progress", part_way_json(partial)},
                    {"untracked_tables", untracked}});
    return exit_ok;
  }
  if (now.empty()) std::cout << "base (no revision applied)";
  for (const auto& id : now) std::cout << fmt::format("{} {}\n", ctx.paint(id, style::revision), graph.at(id).message);
  if (now.empty()) std::cout << "\n";
  for (const auto& x : partial) std::cout << ctx.paint("Part way: " + part_way_text(x) + ".\n", style::revision);
  if (!untracked.empty())
    std::cout << fmt::format("The database has {} table{} ({}{}) but no revision recorded by Retort: it was not made "
                             "by these migrations, or not through Retort.\nIf it holds the schema of a revision, "
                             "`retort stamp REV` adopts it after checking that it does; `retort verify` lists how "
                             "it differs from base.\n",
                             untracked.size(), untracked.size() == 1 ? "" : "s",
                             fmt::join(untracked.begin(), untracked.begin() + std::min<std::size_t>(untracked.size(), 5), ", "),
                             untracked.size() > 5 ? ", ..." : "");
  else
    std::cout << (at_head ? "The database is at head.\n"
                          : fmt::format("{} revision(s) to apply to reach head.\n",
                                        graph.upgrade_plan(now, "heads").size()));
  for (const auto& x : edited)
    std::cout << ctx.paint(fmt::format("warning: {} ({}) was edited after it was applied\n", x.id, x.file), style::revision);
  return exit_ok;
}

int history(context& ctx, bool audit) {
  const auto& graph = ctx.graph();
  std::set<std::string> applied;
  std::vector<pg::history_entry> rows;
  const bool with_db = ctx.has_database();
  if (with_db) {
    auto conn = ctx.connect();
    const auto options = apply_options(ctx, false);
    pg::advisory_locker lock(*conn, pg::bookkeeping_of(options).schema());
    pg::applier a(*conn, graph, lock, options);
    applied = graph.applied(a.current());
    if (audit) rows = a.history();
  }
  const auto heads = graph.heads();
  if (ctx.json()) {
    json revs = json::array();
    for (auto it = graph.order().rbegin(); it != graph.order().rend(); ++it) {
      json r = revision_json(graph.at(*it));
      r["head"] = std::find(heads.begin(), heads.end(), *it) != heads.end();
      if (with_db) r["applied"] = applied.contains(*it);
      revs.push_back(r);
    }
    json out{{"revisions", revs}};
    if (audit) {
      json a = json::array();
      for (const auto& h : rows)
        a.push_back(json{{"id", h.id}, {"revision", h.revision}, {"direction", h.direction}, {"checksum", h.checksum},
                         {"message", h.message}, {"started_at", h.started_at}, {"duration_ms", h.duration_ms},
                         {"db_user", h.db_user}, {"application_name", h.application_name}});
      out["audit"] = a;
    }
    print_json(out);
    return exit_ok;
  }
  if (graph.empty()) std::cout << fmt::format("No revisions in {}.\n", ctx.opts().migrations_dir);
  for (auto it = graph.order().rbegin(); it != graph.order().rend(); ++it) {
    const revision& r = graph.at(*it);
    std::string mark = with_db ? (applied.contains(r.id) ? ctx.paint("[applied] ", style::ok) : "[pending] ") : "";
    std::string head = std::find(heads.begin(), heads.end(), r.id) != heads.end() ? ctx.paint(" (head)", style::strong) : "";
    std::string parents = r.parents.empty() ? "<base>" : fmt::format("{}", fmt::join(r.parents, ", "));
    std::cout << fmt::format("{}{} -> {}{}{}  {}\n", mark, parents, ctx.paint(r.id, style::revision), head,
                             r.parents.size() > 1 ? " (merge)" : "", r.message);
    std::cout << ctx.paint(fmt::format("    {}  {}\n", r.created, r.file), style::quiet);
  }
  if (audit) {
    std::cout << "\nAudit history:\n";
    for (const auto& h : rows)
      std::cout << fmt::format("  {}  {:<9} {}  {:.0f} ms  by {}{}\n", h.started_at, h.direction, h.revision,
                               h.duration_ms, h.db_user, h.application_name.empty() ? "" : " (" + h.application_name + ")");
  }
  return exit_ok;
}

int heads(context& ctx) {
  const auto& graph = ctx.graph();
  const auto hs = graph.heads();
  if (ctx.json()) {
    json out = json::array();
    for (const auto& h : hs) out.push_back(revision_json(graph.at(h)));
    print_json(out);
  } else {
    for (const auto& h : hs) std::cout << fmt::format("{} {}\n", ctx.paint(h, style::revision), graph.at(h).message);
    if (hs.size() > 1) std::cout << fmt::format("{} heads: join them with `retort merge`.\n", hs.size());
  }
  return exit_ok;
}

int show(context& ctx, const std::string& name) {
  const auto& graph = ctx.graph();
  const revision& r = graph.at(graph.resolve(name));
  if (ctx.json()) {
    std::cout << write_revision(r);
    return exit_ok;
  }
  std::cout << fmt::format("Revision: {}\nParents:  {}\nCreated:  {}\nFile:     {}\nMessage:  {}\n\n", r.id,
                           r.parents.empty() ? "<base>" : fmt::format("{}", fmt::join(r.parents, ", ")), r.created,
                           r.file, r.message);
  schema s = graph.schema_at(r.parents);  // each rendering below leaves it at the schema after it
  std::cout << "-- upgrade\n";
  for (const auto& op : r.upgrade)
    std::cout << fmt::format("--   {}{}\n", ops::describe(op), ops::is_destructive(op) ? " [destructive]" : "");
  print_statements(pg::render_with_overrides(r.upgrade, r.upgrade_notes, s, render_options(ctx)));
  std::cout << "\n-- downgrade\n";
  for (const auto& op : r.downgrade) std::cout << fmt::format("--   {}\n", ops::describe(op));
  print_statements(pg::render_with_overrides(r.downgrade, r.downgrade_notes, s, render_options(ctx)));
  return exit_ok;
}

int sql(context& ctx, const std::string& range, bool single_transaction) {
  const auto& graph = ctx.graph();
  auto colon = range.find(':');
  const std::string from = colon == std::string::npos ? "base" : range.substr(0, colon);
  const std::string to = colon == std::string::npos ? range : range.substr(colon + 1);
  revision_heads start;
  if (from != "base") start = from == "heads" ? graph.heads() : revision_heads{graph.resolve(from)};
  // Downward when the target is base, "-N", or already applied at the start.
  bool down = to == "base" || to.starts_with("-");
  if (!down && to != "head" && to != "heads" && !to.starts_with("+"))
    down = graph.applied(start).contains(graph.resolve(to));
  const auto steps = down ? pg::plan_downgrade(graph, start, to, render_options(ctx))
                          : pg::plan_upgrade(graph, start, to, render_options(ctx));
  // Which tenant makes (or drops) the shared objects is decided in the database, under its lock.
  const std::string& tenant = ctx.opts().tenant_schema;
  for (const auto& step : steps)
    if (pg::changes_shared_objects(*step.rev, render_options(ctx)))
      throw error(fmt::format(
          "revision {} ({}) changes objects the tenants of a database share (outside the default schema): an offline "
          "script for tenant {} cannot know which of them the database's other tenants already made or still use. "
          "Apply it with `retort --tenant-schema {} {}` (or `retort upgrade --fleet`), which decides that in the "
          "database.",
          step.rev->id, step.rev->file.empty() ? "embedded" : step.rev->file, tenant, tenant,
          down ? "downgrade" : "upgrade"));
  std::cout << pg::offline_script(steps, pg::bookkeeping_of(apply_options(ctx, false)),
                                  single_transaction ? pg::script_layout::single_transaction
                                                     : pg::script_layout::per_unit,
                                  tenant);
  return exit_ok;
}

namespace {
authoring system_authoring() { return {random_revision_id, utc_now}; }

// The new file and retort.sum with it; the existing files were verified against it first.
std::string write_new_revision(context& ctx, const revision& r) {
  fs::create_directories(ctx.opts().migrations_dir);
  const fs::path path = fs::path(ctx.opts().migrations_dir) / file_name_for(r);
  write_if_changed(path, write_revision(r));
  ctx.rehash();
  return path.string();
}

// The history's integrity with no database: its files against retort.sum, and each downgrade
// replayed over its upgrade.
std::vector<std::string> integrity_problems(context& ctx, const history_walk& walk = {}) {
  std::vector<std::string> out;
  try {
    ctx.verify_sum();
  } catch (const integrity_error& e) {
    out.push_back(e.what());
  }
  for (const auto& p : verify_downgrades(ctx.graph(), walk))
    out.push_back(fmt::format("revision {} ({}): {}", p.revision, p.file, p.message));
  return out;
}

// What `revision` suggests running next: the target when a CMake target runs it.
std::string apply_hint(const revision_request& request) {
  return request.apply_command.empty() ? "retort upgrade" : request.apply_command;
}

// `revision --empty`: a data step to fill in, with no models compared.
int write_data_step(context& ctx, const revision_request& request) {
  const revision r = data_step_revision(ctx.graph(), request.message,
                                        request.cpp ? data_step_kind::cpp : data_step_kind::sql, system_authoring());
  const std::string path = write_new_revision(ctx, r);
  if (ctx.json()) {
    print_json(json{{"id", r.id}, {"file", path}, {"message", r.message}});
    return exit_ok;
  }
  std::cout << fmt::format("Wrote {}\nRevision {} ({}): {}\n\n", ctx.paint(path, style::strong), r.id,
                           heads_text(r.parents), r.message);
  if (request.cpp)
    std::cout << fmt::format(
        "Its step is C++: register the application's functions for it,\n"
        "  steps.add(\"{}\", upgrade_function, downgrade_function);  // retort::cpp_steps, each gets the pqxx::work\n"
        "and apply it with the application's migration entry point (retort::migrate_to_head(conn, files, steps)):\n"
        "the retort CLI refuses to run it.\n",
        r.id);
  else
    std::cout << fmt::format("Write the step's SQL in \"up\" and \"down\", run `retort rehash`, then apply with `{}`.\n",
                             apply_hint(request));
  return exit_ok;
}

}  // namespace

int make_revision(context& ctx, const revision_request& request) {
  if (request.init) fs::create_directories(ctx.opts().migrations_dir);
  const auto& graph = ctx.graph();
  graph.require_no_conflicts();
  ctx.verify_sum();  // the new retort.sum must not bless an edited file
  if (request.empty) return write_data_step(ctx, request);
  const schema models = read_models(request.snapshot);
  const schema before = single_head_schema(graph);  // replayed once: for the diff and for the SQL
  auto next = next_revision(graph, before, models, request.message, system_authoring());
  if (!next) {
    std::cout << "No changes: the models match the migration history.\n";
    return exit_ok;
  }
  const std::string path = write_new_revision(ctx, *next);
  if (ctx.json()) {
    print_json(json{{"id", next->id}, {"file", path}, {"message", next->message}});
    return exit_ok;
  }
  std::cout << fmt::format("Wrote {}\n", ctx.paint(path, style::strong));
  std::cout << fmt::format("Revision {} ({}): {}\n\n", next->id, heads_text(next->parents), next->message);
  for (std::size_t i = 0; i < next->upgrade.size(); ++i) {
    const auto& op = next->upgrade[i];
    std::cout << ctx.paint(fmt::format("-- {}\n", ops::describe(op)), style::quiet);
    if (ops::is_destructive(op))
      std::cout << ctx.paint("-- WARNING: destructive: review before applying; data in it is lost\n", style::error);
  }
  std::cout << "\n";
  print_statements(pg::render(next->upgrade, before, render_options(ctx)));
  next->file = path;
  // The upgrade's findings: every downgrade undoes what its upgrade added (`retort lint` lists those).
  auto findings = lint::lint_revision(*next, before, {render_options(ctx)});
  std::erase_if(findings, [](const lint::finding& f) { return f.where == lint::side::downgrade; });
  if (!findings.empty()) {
    std::cout << fmt::format("\nLint: {} finding{} ({} failing `retort check`):\n", findings.size(),
                             findings.size() == 1 ? "" : "s", failing(findings));
    print_findings(std::cout, findings, false);
    std::cout << "Silence one that is intended with \"allow\": [{\"rule\": \"<id>\", \"reason\": \"...\"}] on its "
                 "operation, then `retort rehash`.\n";
  }
  std::cout << fmt::format("\nReview it, then apply with `{}`.\n", apply_hint(request));
  return exit_ok;
}

int lint(context& ctx, const lint_request& request) {
  const auto& graph = ctx.graph();
  std::vector<std::string> ids;
  if (request.revisions.empty()) {
    ids = revisions_since(graph, request.since);
  } else {
    for (const auto& name : request.revisions) ids.push_back(graph.resolve(name));
    std::sort(ids.begin(), ids.end(), [&](const std::string& a, const std::string& b) {
      const auto& order = graph.order();
      return std::find(order.begin(), order.end(), a) < std::find(order.begin(), order.end(), b);
    });
  }
  auto findings = lint::conflict_findings(graph);
  for (auto& f : lint::lint_revisions(graph, ids, {render_options(ctx)})) findings.push_back(std::move(f));
  const std::size_t errors = failing(findings);
  if (ctx.json()) {
    print_json(json{{"ok", errors == 0}, {"revisions", ids}, {"findings", findings_json(findings)}});
    return errors == 0 ? exit_ok : exit_drift;
  }
  print_findings(std::cout, findings, request.show_silenced);
  if (request.github) print_github_findings(std::cout, findings, request.workspace);
  const std::size_t silenced = static_cast<std::size_t>(
      std::count_if(findings.begin(), findings.end(), [](const lint::finding& f) { return f.silenced(); }));
  std::cout << fmt::format("{} revision{} linted: {} error{}, {} warning{}, {} silenced with a reason.\n", ids.size(),
                           ids.size() == 1 ? "" : "s", errors, errors == 1 ? "" : "s",
                           findings.size() - errors - silenced, findings.size() - errors - silenced == 1 ? "" : "s",
                           silenced);
  return errors == 0 ? exit_ok : exit_drift;
}

int merge(context& ctx, std::string message) {
  const auto& graph = ctx.graph();
  graph.require_no_conflicts();
  ctx.verify_sum();
  const auto r = merge_revision(graph, std::move(message), system_authoring());
  const std::string path = write_new_revision(ctx, r);
  if (ctx.json()) print_json(json{{"id", r.id}, {"file", path}, {"parents", r.parents}});
  else std::cout << fmt::format("Wrote {}\nMerge revision {} joins {}.\n", path, r.id, fmt::join(r.parents, ", "));
  return exit_ok;
}

namespace {

// What `check` learns from the history alone, before it looks at the models.
struct history_verdict {
  std::vector<std::string> heads;
  std::size_t revisions = 0;
  std::vector<std::string> problems;    ///< integrity, conflicts, several heads
  schema head;                          ///< what the history replays to, when it has one head
  std::vector<lint::finding> findings;  ///< the lint errors
};

// Whatever changes the verdict besides the files: part of the check cache's key.
std::string verdict_options(const context& ctx, const check_request& request) {
  const pg::render_options o = render_options(ctx);
  std::string text = fmt::format("lint={} since={} plans={}", request.lint, request.lint_since, static_cast<int>(o.plans));
  for (const auto& [from, to] : o.schemas) text += fmt::format(" schema {}={}", from, to);
  return text;
}

// The history verified in full: retort.sum, every downgrade over its upgrade, conflicts, heads,
// lint and the replay to the head, in one walk over the history.
history_verdict verify_history(context& ctx, const check_request& request) {
  const auto& graph = ctx.graph();  // every file valid, no cycle
  history_verdict v{graph.heads(), graph.order().size(), {}, {}, {}};
  std::set<std::string> to_lint;
  if (request.lint)
    for (auto& id : revisions_since(graph, request.lint_since)) to_lint.insert(std::move(id));
  const lint::options lint_options{render_options(ctx), false};
  history_walk walk{.upgrade =
                        [&](const revision& r, replayer& s) {
                          if (!to_lint.contains(r.id)) {
                            for (const auto& op : r.upgrade) s.apply(op);
                            return;
                          }
                          // Only errors fail the check, and downgrade findings are warnings: the upgrade side alone.
                          for (auto& f : lint::lint_revision_in_place(r, s, lint_options))
                            if (f.fails()) v.findings.push_back(std::move(f));
                        },
                    .downgrade = {},
                    .head = &v.head};
  v.problems = integrity_problems(ctx, walk);
  for (const auto& c : graph.conflicts())
    v.problems.push_back(c + ": keep one branch's revision and regenerate the other on top of it with `retort revision`");
  if (v.heads.size() > 1)
    v.problems.push_back(fmt::format("the history has {} heads ({}): join them with `retort merge`", v.heads.size(),
                                     fmt::join(v.heads, ", ")));
  return v;
}

// The verdict of an earlier check of the same files with the same options, from --cache-dir;
// nullopt when there is none, or the files do not match retort.sum (the full check says how).
std::optional<history_verdict> cached_verdict(const context& ctx, const check_request& request) {
  if (request.cache_dir.empty()) return std::nullopt;
  history_sum files;
  try {
    files = sum_of_files(ctx.opts().migrations_dir);
    verify_sum_file(ctx.opts().migrations_dir, files);
  } catch (const error&) {
    return std::nullopt;
  }
  auto cached = read_check_cache(request.cache_dir, check_cache_key(files, verdict_options(ctx, request)));
  if (!cached) return std::nullopt;
  return history_verdict{{cached->head}, cached->revisions, {}, std::move(cached->head_schema), {}};
}

// A snapshot up to this size is read on a thread of its own while the history is verified: the
// two in memory at once stay small. A larger one is read after the history's memory is released,
// so the peak is the larger of the two, not their sum.
constexpr std::uintmax_t models_read_beside_history = 8 << 20;

// The models' snapshot, read beside the history when it is small; invalid otherwise (read after).
std::future<schema> read_models_beside(const std::string& snapshot) {
  std::error_code ec;
  const auto size = fs::file_size(snapshot, ec);
  if (ec || size > models_read_beside_history) return {};  // a missing file is reported where it is read
  return std::async(std::launch::async, read_models, snapshot);
}

}  // namespace

int check(context& ctx, const check_request& request) {
  // The verdict, the models and (for a small project) the history are left to the process's end:
  // main exits as soon as check returns, and the system takes the memory back at once, where
  // freeing thousands of tables piece by piece took a tenth of a check of 1,000 tables.
  auto& verdict = *new std::optional<history_verdict>(cached_verdict(ctx, request));
  const bool from_cache = verdict.has_value();
  std::future<schema> models_read;
  if (!verdict) {
    (void)ctx.graph();  // read on threads of its own; the models are read beside the walk over it
    models_read = read_models_beside(request.snapshot);  // a bad history is still reported first
    verdict = verify_history(ctx, request);
    if (!request.cache_dir.empty() && verdict->problems.empty() && verdict->findings.empty() && verdict->heads.size() == 1)
      write_check_cache(request.cache_dir, check_cache_key(ctx.files_sum(), verdict_options(ctx, request)),
                        verdict->heads.front(), verdict->revisions, verdict->head);
    // What follows needs the history's head only (several heads point at the newest's file): the
    // revisions' memory goes to the models instead, so the peak is one of the two.
    if (!models_read.valid() && verdict->heads.size() <= 1) ctx.release_graph();
  }
  const schema& models = *new schema(models_read.valid() ? models_read.get() : read_models(request.snapshot));
  const declaration_sites sites =
      request.locations.empty() ? declaration_sites{} : read_declaration_sites(read_bytes(request.locations), request.locations);
  const auto& hs = verdict->heads;
  const schema& head = verdict->head;
  std::vector<std::string> problems = std::move(verdict->problems);
  const std::vector<lint::finding>& findings = verdict->findings;
  std::vector<ops::operation> drift;
  if (hs.size() <= 1) {
    drift = diff(head, models, {.require_backfill = false});
    if (!drift.empty())
      problems.push_back(fmt::format("the models differ from the migration history in {} change{}", drift.size(),
                                     drift.size() == 1 ? "" : "s"));
  }
  std::vector<std::optional<declaration_site>> where;
  for (const auto& op : drift) where.push_back(site_of(op, sites));
  if (!findings.empty())
    problems.push_back(fmt::format("{} lint error{} in revisions not yet applied everywhere{}", findings.size(),
                                   findings.size() == 1 ? "" : "s",
                                   request.lint_since.empty() ? "" : " (after " + request.lint_since + ")"));

  if (ctx.json()) {
    print_json(json{{"ok", problems.empty()},
                    {"heads", hs},
                    {"problems", problems},
                    {"changes", changes_json(drift, where)},
                    {"lint", findings_json(findings)},
                    {"history_from_cache", from_cache}});
    return problems.empty() ? exit_ok : exit_drift;
  }
  if (problems.empty()) {
    std::cout << fmt::format("OK: {} revision{}, one head, the models match the migration history; retort.sum "
                             "matches the files and every downgrade restores the schema before its upgrade.\n",
                             verdict->revisions, verdict->revisions == 1 ? "" : "s");
    return exit_ok;
  }
  for (const auto& p : problems) std::cerr << ctx.paint("error: ", style::error) << p << "\n";
  if (!findings.empty()) {
    print_findings(std::cerr, findings, false);
    std::cerr << "Fix each (the hint says how), or silence one that is intended with \"allow\": [{\"rule\": "
                 "\"<id>\", \"reason\": \"...\"}] on its operation and `retort rehash`; `--lint-since REV` lints "
                 "only the revisions after one applied everywhere.\n";
  }
  if (!drift.empty()) {
    print_changes(std::cerr, ctx, drift, where, request.workspace);
    std::cerr << "\nAs SQL:\n";
    for (const auto& st : pg::render(drift, head, render_options(ctx))) std::cerr << "  " << st.sql << ";\n";
    std::cerr << "\nGenerate the migration with: "
              << (request.fix_command.empty()
                      ? fmt::format("retort revision --snapshot {} -m \"<message>\"", request.snapshot)
                      : fmt::format("RETORT_MESSAGE=\"<message>\" {}", request.fix_command))
              << "\n";
  }
  // GitHub Actions turns these stdout lines into annotations on the model source (or, for
  // several heads, on the newest head's migration file) in the pull request.
  if (request.github) {
    if (hs.size() > 1)
      std::cout << github_error(newest_head_site(ctx.graph()), "Retort heads", problems.front(), request.workspace) << "\n";
    for (std::size_t i = 0; i < drift.size(); ++i)
      std::cout << github_error(where[i], "Retort drift", ops::describe(drift[i]), request.workspace) << "\n";
    print_github_findings(std::cout, findings, request.workspace);
  }
  return exit_drift;
}

int rehash(context& ctx) {
  ctx.rehash();
  const auto& sum = ctx.files_sum();
  const std::string path = (fs::path(ctx.opts().migrations_dir) / std::string(sum_file_name)).string();
  if (ctx.json()) print_json(json{{"file", path}, {"files", sum.entries.size()}, {"total", sum.total}});
  else std::cout << fmt::format("Wrote {}: the checksums of {} migration file{}.\n", path, sum.entries.size(),
                                sum.entries.size() == 1 ? "" : "s");
  return exit_ok;
}

int replay_to_file(context& ctx, const std::string& target, const std::string& output) {
  const auto& graph = ctx.graph();
  const revision_heads heads = target == "heads" ? graph.heads() : revision_heads{graph.resolve(target)};
  // Unchanged bytes leave the file alone, so what depends on it does not rebuild.
  write_if_changed(output, write_snapshot(graph.schema_at(heads)));
  return exit_ok;
}

int devdb(context& ctx, const std::string& action) {
  if (action == "reset") return devdb_reset(ctx);
  local_cluster cluster = ctx.devdb();
  if (action == "start") {
    ctx.start_devdb(cluster);
    std::cout << fmt::format("The local dev database is running: {}\n", cluster.url(devdb_database));
  } else if (action == "stop") {
    cluster.stop();
    std::cout << "The local dev database is stopped (its data stays in " << cluster.directory().string() << ").\n";
  } else if (action == "status") {
    const bool up = cluster.running();
    const auto place = ctx.devdb_place();
    if (ctx.json())
      print_json(json{{"running", up}, {"directory", cluster.directory().string()}, {"chosen_by", place.chosen_by}});
    else std::cout << fmt::format("{} ({}; {})\n", up ? "running" : "stopped", cluster.directory().string(), place.chosen_by);
    return up ? exit_ok : exit_database;
  } else if (action == "url") {
    std::cout << cluster.url(devdb_database) << "\n";
  }
  return exit_ok;
}

}  // namespace retort::cli
