// Migration plans and bookkeeping SQL (no database needed: the applier executes these, and
// `retort sql` prints them).
#include "retort/pg/migration_plan.hpp"

#include <algorithm>

#include <fmt/format.h>

#include "retort/errors.hpp"
#include "retort/hash.hpp"
#include "retort/history_check.hpp"
#include "retort/pg/schema_mapping.hpp"

namespace retort::pg {

std::string_view to_string(direction d) { return d == direction::upgrade ? "upgrade" : "downgrade"; }

std::string checksum_of(const revision& r) { return r.checksum.empty() ? sha256_hex(write_revision(r)) : r.checksum; }

std::vector<transaction_unit> group_units(const std::vector<statement>& statements) {
  std::vector<transaction_unit> units;
  bool open = false;  // whether the last unit is a transaction that in_transaction statements join
  for (std::size_t i = 0; i < statements.size(); ++i) {
    switch (statements[i].mode) {
      case run_mode::in_transaction:
        if (!open) units.push_back({true, {}});
        open = true;
        break;
      case run_mode::own_transaction:
        units.push_back({true, {}});
        open = true;
        break;
      case run_mode::outside_transaction:
        units.push_back({false, {}});
        open = false;
        break;
    }
    units.back().statements.push_back(i);
  }
  return units;
}

namespace {
// The file's SQL overrides in place of the generated statements of the operations they name.
std::vector<statement> with_overrides(std::vector<statement> generated, const std::vector<ops::operation>& operations,
                                      const operation_notes& notes) {
  if (std::none_of(notes.begin(), notes.end(), [](const auto& n) { return n.second.sql.has_value(); }))
    return generated;
  std::vector<statement> out;
  auto next = generated.begin();  // the generated statements come in operation order
  for (std::size_t op = 0; op < operations.size(); ++op) {
    const auto first = next;
    while (next != generated.end() && next->operation == op) ++next;
    auto note = notes.find(op);
    if (note == notes.end() || !note->second.sql) {
      out.insert(out.end(), std::make_move_iterator(first), std::make_move_iterator(next));
      continue;
    }
    const sql_override& o = *note->second.sql;
    for (const auto& sql : o.statements)
      out.push_back({sql, o.transactional ? run_mode::in_transaction : run_mode::outside_transaction, op, {}});
  }
  return out;
}
}  // namespace

std::vector<statement> render_with_overrides(const std::vector<ops::operation>& operations,
                                             const operation_notes& notes, schema& s, const render_options& options) {
  return with_overrides(render_and_replay(operations, s, options), operations, notes);
}

std::vector<statement> render_with_overrides(const std::vector<ops::operation>& operations,
                                             const operation_notes& notes, replayer& r, const render_options& options,
                                             const operation_filter& wanted) {
  return with_overrides(render_and_replay(operations, r, options, wanted), operations, notes);
}

namespace {

// The renames and drops of shared tables by the revisions of `ahead`, each revision's in the
// history's order (see plan_upgrade).
std::vector<std::pair<std::string, std::vector<ops::operation>>> shared_table_changes(
    const revision_graph& graph, const std::set<std::string>& ahead, const render_options& tenant) {
  std::vector<std::pair<std::string, std::vector<ops::operation>>> out;
  if (ahead.empty()) return out;
  for (const auto& id : graph.order()) {
    if (!ahead.contains(id)) continue;
    std::vector<ops::operation> changes;
    for (const auto& op : graph.at(id).upgrade)
      if ((std::holds_alternative<ops::rename_table>(op) || std::holds_alternative<ops::rename_column>(op) ||
           std::holds_alternative<ops::drop_table>(op)) &&
          shared_operation(op, tenant))
        changes.push_back(op);
    if (!changes.empty()) out.emplace_back(id, std::move(changes));
  }
  return out;
}

// Renders each revision against the schema the previous one leaves, through one replayer (its
// name indexes kept from revision to revision). A tenant's upgrade renders each revision's own
// references to shared tables through the changes of the revisions in `shared_ahead` it has not
// reached yet.
std::vector<revision_step> steps_for(const revision_graph& graph, const std::vector<std::string>& ids, direction dir,
                                     schema start, const render_options& options,
                                     const std::set<std::string>& shared_ahead = {}) {
  replayer s(std::move(start));
  std::vector<revision_step> steps;
  const auto ahead = shared_table_changes(graph, shared_ahead, options);
  std::set<std::string> reached;
  render_options step_options = options;
  for (const auto& id : ids) {
    const revision& r = graph.at(id);
    const bool up = dir == direction::upgrade;
    revision_step step{&r, dir, up ? r.upgrade : r.downgrade, {}, {}};
    reached.insert(id);
    auto& later_changes = step_options.later_shared_changes;
    later_changes = options.later_shared_changes;
    for (const auto& [later, changes] : ahead)
      if (!reached.contains(later)) later_changes.insert(later_changes.end(), changes.begin(), changes.end());
    try {
      step.statements =
          render_with_overrides(step.operations, up ? r.upgrade_notes : r.downgrade_notes, s, step_options);
      step.units = group_units(step.statements);
    } catch (const error& e) {
      throw replay_error(fmt::format("{} of revision {} ({}): {}", to_string(dir), r.id, r.file.empty() ? r.id : r.file,
                                     e.what()));
    }
    steps.push_back(std::move(step));
  }
  return steps;
}

}  // namespace

std::vector<revision_step> plan_upgrade(const revision_graph& graph, const revision_heads& current,
                                        std::string_view target, const render_options& options,
                                        const std::set<std::string>& shared_ahead) {
  return steps_for(graph, graph.upgrade_plan(current, target), direction::upgrade, graph.schema_at(current), options,
                   shared_ahead);
}

std::vector<revision_step> plan_downgrade(const revision_graph& graph, const revision_heads& current,
                                          std::string_view target, const render_options& options) {
  const auto ids = graph.downgrade_plan(current, target);
  require_reversible(graph, ids);  // before anything runs
  return steps_for(graph, ids, direction::downgrade, graph.schema_at(current), options);
}

std::string bookkeeping::table(std::string_view name) const {
  return quote_ident(qualified_name{schema_, prefix_ + std::string(name)});
}

std::vector<std::string> bookkeeping::create() const {
  return {
      fmt::format("CREATE SCHEMA IF NOT EXISTS {}", quote_ident(schema_)),
      fmt::format("CREATE TABLE IF NOT EXISTS {} (\n"
                  "  revision text PRIMARY KEY,\n"
                  "  checksum text NOT NULL,\n"
                  "  applied_at timestamptz NOT NULL DEFAULT now()\n"
                  ")",
                  table("applied")),
      fmt::format("CREATE TABLE IF NOT EXISTS {} (\n"
                  "  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,\n"
                  "  revision text NOT NULL,\n"
                  "  direction text NOT NULL CHECK (direction IN ('upgrade', 'downgrade', 'stamp', 'accept')),\n"
                  "  checksum text,\n"
                  "  message text NOT NULL DEFAULT '',\n"
                  "  started_at timestamptz NOT NULL,\n"
                  "  finished_at timestamptz NOT NULL,\n"
                  "  duration_ms double precision NOT NULL,\n"
                  "  db_user text NOT NULL DEFAULT current_user,\n"
                  "  application_name text NOT NULL DEFAULT current_setting('application_name')\n"
                  ")",
                  table("history")),
      fmt::format("CREATE TABLE IF NOT EXISTS {} (\n"
                  "  revision text NOT NULL,\n"
                  "  direction text NOT NULL,\n"
                  "  unit integer NOT NULL,\n"
                  "  checksum text NOT NULL,\n"
                  "  committed_at timestamptz NOT NULL DEFAULT now(),\n"
                  "  PRIMARY KEY (revision, direction, unit)\n"
                  ")",
                  table("progress")),
  };
}

// started_at is the transaction's start, so duration_ms covers the whole step.
std::string bookkeeping::history_row(std::string_view revision, std::string_view dir, const std::string& checksum,
                                     std::string_view message) const {
  return fmt::format(
      "INSERT INTO {} (revision, direction, checksum, message, started_at, finished_at, duration_ms) "
      "VALUES ({}, {}, {}, {}, now(), clock_timestamp(), extract(epoch FROM clock_timestamp() - now()) * 1000)",
      table("history"), quote_literal(revision), quote_literal(dir), checksum.empty() ? "NULL" : quote_literal(checksum),
      quote_literal(message));
}

std::vector<std::string> bookkeeping::record(const revision_step& step) const {
  const revision& r = *step.rev;
  const std::string sum = checksum_of(r);
  std::vector<std::string> out;
  if (step.dir == direction::upgrade)
    out.push_back(fmt::format("INSERT INTO {} (revision, checksum) VALUES ({}, {})", table("applied"),
                              quote_literal(r.id), quote_literal(sum)));
  else
    out.push_back(fmt::format("DELETE FROM {} WHERE revision = {}", table("applied"), quote_literal(r.id)));
  out.push_back(history_row(r.id, to_string(step.dir), sum, r.message));
  if (step.units.size() > 1)
    out.push_back(fmt::format("DELETE FROM {} WHERE revision = {}", table("progress"), quote_literal(r.id)));
  return out;
}

std::string bookkeeping::record_unit(const revision_step& step, std::size_t unit) const {
  return fmt::format("INSERT INTO {} (revision, direction, unit, checksum) VALUES ({}, {}, {}, {})", table("progress"),
                     quote_literal(step.rev->id), quote_literal(to_string(step.dir)), unit,
                     quote_literal(checksum_of(*step.rev)));
}

std::string bookkeeping::select_progress() const {
  return fmt::format("SELECT revision, direction, unit, checksum FROM {} ORDER BY revision, unit", table("progress"));
}

std::vector<std::string> bookkeeping::stamp(const std::vector<const revision*>& applied, std::string_view target) const {
  std::vector<std::string> out{fmt::format("DELETE FROM {}", table("applied")),
                               fmt::format("DELETE FROM {}", table("progress"))};
  for (const revision* r : applied)
    out.push_back(fmt::format("INSERT INTO {} (revision, checksum) VALUES ({}, {})", table("applied"),
                              quote_literal(r->id), quote_literal(checksum_of(*r))));
  out.push_back(history_row(target, "stamp", "", ""));
  return out;
}

std::vector<std::string> bookkeeping::accept_checksum(const revision& r) const {
  const std::string sum = checksum_of(r);
  return {fmt::format("UPDATE {} SET checksum = {} WHERE revision = {}", table("applied"), quote_literal(sum),
                      quote_literal(r.id)),
          history_row(r.id, "accept", sum, "accepted an edited migration file")};
}

std::vector<std::string> bookkeeping::adopt_squash(const revision& squash, const std::vector<std::string>& replaced) const {
  std::vector<std::string> quoted;
  for (const auto& id : replaced) quoted.push_back(quote_literal(id));
  const std::string sum = checksum_of(squash);
  return {fmt::format("DELETE FROM {} WHERE revision IN ({})", table("applied"), fmt::join(quoted, ", ")),
          fmt::format("UPDATE {} SET checksum = {} WHERE revision = {}", table("applied"), quote_literal(sum),
                      quote_literal(squash.id)),
          history_row(squash.id, "accept", sum,
                      fmt::format("adopted the squash of {} revision{}", replaced.size(), replaced.size() == 1 ? "" : "s"))};
}

std::string bookkeeping::select_applied() const {
  return fmt::format("SELECT revision, checksum FROM {} ORDER BY revision", table("applied"));
}

std::string bookkeeping::select_history() const {
  return fmt::format(
      "SELECT id, revision, direction, coalesce(checksum, ''), message, "
      "to_char(started_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"'), duration_ms, db_user, application_name "
      "FROM {} ORDER BY id",
      table("history"));
}

std::string bookkeeping::exists() const {
  return fmt::format("SELECT to_regclass({}) IS NOT NULL AND to_regclass({}) IS NOT NULL",
                     quote_literal(table("applied")), quote_literal(table("history")));
}

std::string bookkeeping::complete() const {
  std::vector<std::string> tables;
  for (const auto& name : {"applied", "history", "progress"})
    tables.push_back(fmt::format("to_regclass({}) IS NOT NULL", quote_literal(table(name))));
  return fmt::format("SELECT {}", fmt::join(tables, " AND "));
}

std::vector<std::string> bookkeeping::table_names() const {
  return {prefix_ + "applied", prefix_ + "progress", prefix_ + "history"};
}

std::string bookkeeping::lock_shared(bool exclusive) const {
  return fmt::format("SELECT pg_catalog.pg_advisory_xact_lock{}(pg_catalog.hashtext({}))", exclusive ? "" : "_shared",
                     quote_literal("retort: shared objects of " + schema_));
}

std::vector<std::string> bookkeeping::create_shared() const {
  return {fmt::format("CREATE SCHEMA IF NOT EXISTS {}", quote_ident(schema_)),
          fmt::format("CREATE TABLE IF NOT EXISTS {} (\n"
                      "  revision text NOT NULL,\n"
                      "  tenant text NOT NULL,\n"
                      "  applied_at timestamptz NOT NULL DEFAULT now(),\n"
                      "  undone_at timestamptz,\n"
                      "  undo_runs boolean,\n"
                      "  PRIMARY KEY (revision, tenant)\n"
                      ")",
                      table("shared")),
          // A record an earlier Retort created lacks the columns of the downgrade's decision.
          fmt::format("ALTER TABLE {} ADD COLUMN IF NOT EXISTS undone_at timestamptz, "
                      "ADD COLUMN IF NOT EXISTS undo_runs boolean",
                      table("shared"))};
}

// Only a tenant recorded before this one counts: the first tenant to claim a revision runs its
// shared statements in every unit of it, also those after tenants that followed it in the
// meantime recorded themselves (a revision with a CREATE INDEX CONCURRENTLY on a shared table has
// several units), and also in a rerun that finishes it. A tenant undoing the revision's shared
// operations (decide_undo) no longer stands past them.
std::string bookkeeping::shared_elsewhere(std::string_view revision, std::string_view tenant) const {
  return fmt::format("SELECT EXISTS (SELECT FROM {0} o WHERE o.revision = {1} AND o.tenant <> {2} AND o.undo_runs IS NOT "
                     "TRUE AND o.applied_at < coalesce((SELECT m.applied_at FROM {0} m WHERE m.revision = {1} AND "
                     "m.tenant = {2}), 'infinity'))",
                     table("shared"), quote_literal(revision), quote_literal(tenant));
}

std::string bookkeeping::record_shared(std::string_view revision, std::string_view tenant) const {
  // The time of the claim (after lock_shared), not of the transaction's start: it orders the claims.
  return fmt::format("INSERT INTO {} (revision, tenant, applied_at) VALUES ({}, {}, pg_catalog.clock_timestamp()) "
                     "ON CONFLICT DO NOTHING",
                     table("shared"), quote_literal(revision), quote_literal(tenant));
}

// A tenant that began undoing the revision before this one decided to leave the shared objects
// to this one (it found it there, not undoing): it does not count.
std::string bookkeeping::decide_undo(std::string_view revision, std::string_view tenant) const {
  return fmt::format("UPDATE {0} m SET undone_at = pg_catalog.clock_timestamp(), undo_runs = NOT EXISTS (SELECT FROM "
                     "{0} o WHERE o.revision = m.revision AND o.tenant <> m.tenant AND o.undone_at IS NULL) "
                     "WHERE m.revision = {1} AND m.tenant = {2} AND m.undo_runs IS NULL",
                     table("shared"), quote_literal(revision), quote_literal(tenant));
}

// A tenant with no row (its record lost) decides as its first claim would.
std::string bookkeeping::undo_decision(std::string_view revision, std::string_view tenant) const {
  return fmt::format("SELECT coalesce((SELECT undo_runs FROM {0} WHERE revision = {1} AND tenant = {2}), NOT EXISTS "
                     "(SELECT FROM {0} WHERE revision = {1} AND tenant <> {2} AND undone_at IS NULL))",
                     table("shared"), quote_literal(revision), quote_literal(tenant));
}

std::string bookkeeping::forget_shared(std::string_view revision, std::string_view tenant) const {
  return fmt::format("DELETE FROM {} WHERE revision = {} AND tenant = {}", table("shared"), quote_literal(revision),
                     quote_literal(tenant));
}

std::string bookkeeping::shared_ready() const {
  return fmt::format("SELECT EXISTS (SELECT FROM pg_catalog.pg_attribute WHERE attrelid = pg_catalog.to_regclass({}) "
                     "AND attname = 'undo_runs' AND NOT attisdropped)",
                     quote_literal(table("shared")));
}

std::string bookkeeping::table_exists(std::string_view name) const {
  return fmt::format("SELECT to_regclass({}) IS NOT NULL", quote_literal(table(name)));
}

std::string bookkeeping::backfill_shared(const bookkeeping& tenant, const std::vector<std::string>& revisions) const {
  std::vector<std::string> literals;
  for (const auto& id : revisions) literals.push_back(quote_literal(id));
  return fmt::format("INSERT INTO {} (revision, tenant) SELECT revision, {} FROM {} WHERE revision IN ({}) "
                     "ON CONFLICT DO NOTHING",
                     table("shared"), quote_literal(tenant.schema_), tenant.table("applied"),
                     literals.empty() ? "NULL" : fmt::format("{}", fmt::join(literals, ", ")));
}

std::string bookkeeping::select_shared() const {
  return fmt::format("SELECT DISTINCT revision FROM {}", table("shared"));
}

std::string bookkeeping::select_tenants() const {
  return fmt::format("SELECT n.nspname FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = "
                     "c.relnamespace WHERE c.relname = {} AND c.relkind IN ('r', 'p') ORDER BY 1",
                     quote_literal(prefix_ + "applied"));
}

std::string bookkeeping::select_applied_of(const std::vector<std::string>& tenants) const {
  std::vector<std::string> parts;
  for (const auto& t : tenants)
    parts.push_back(fmt::format("SELECT {}::text AS tenant, revision FROM {}", quote_literal(t),
                                bookkeeping(t, prefix_).table("applied")));
  if (parts.empty()) return "SELECT NULL::text AS tenant, NULL::text AS revision WHERE false";
  return fmt::format("{}", fmt::join(parts, " UNION ALL "));
}

namespace {

// PostgreSQL refuses to use an enum value in the transaction that added it: one transaction
// cannot hold a range where a later statement uses a value an earlier one added.
void refuse_new_enum_values_used_later(const std::vector<revision_step>& steps) {
  std::vector<std::pair<std::string, const revision*>> added;  // quoted value, where
  for (const auto& step : steps)
    for (const auto& st : step.statements) {
      for (const auto& [literal, where] : added)
        if (st.sql.find(literal) != std::string::npos)
          throw error(fmt::format("revision {} adds the enum value {} and revision {} uses it: PostgreSQL refuses "
                                  "that in one transaction, so this range cannot be a script for `psql -1` (use the "
                                  "default layout, for `psql -f`)",
                                  where->id, literal, step.rev->id));
      if (const auto* add = std::get_if<ops::add_enum_value>(&step.operations[st.operation]))
        added.emplace_back(quote_literal(add->value), step.rev);
    }
}

}  // namespace

std::string offline_script(const std::vector<revision_step>& steps, const bookkeeping& books, script_layout layout,
                           std::string_view tenant_schema) {
  const bool single = layout == script_layout::single_transaction;
  std::string out =
      single ? "-- Generated by Retort. Run as one transaction: psql -1 -f <file>\n\n"
             : "-- Generated by Retort. Run with: psql -f <file>\n"
               "-- Each transaction below commits on its own, as `retort upgrade` runs them; statements that\n"
               "-- PostgreSQL refuses inside a transaction stand between them. After a failure, `retort upgrade`\n"
               "-- resumes from what committed.\n\\set ON_ERROR_STOP on\n\n";
  auto block = [&](const std::vector<std::string>& sql) {
    if (!single) out += "BEGIN;\n";
    for (const auto& s : sql) out += s + ";\n";
    if (!single) out += "COMMIT;\n";
  };
  if (!tenant_schema.empty())
    out += fmt::format("-- The tenant's schema first on search_path for the SQL an author wrote (its `sql` steps), as\n"
                       "-- `retort upgrade --tenant-schema` puts it; Retort's own statements name every schema.\n"
                       "SELECT pg_catalog.set_config('search_path', {} || pg_catalog.current_setting('search_path'), "
                       "false);\n\n",
                       quote_literal(quote_ident(tenant_schema) + ", "));
  block(books.create());
  if (single) refuse_new_enum_values_used_later(steps);
  for (const auto& step : steps) {
    out += fmt::format("\n-- {} {}: {}\n", to_string(step.dir), step.rev->id, step.rev->message);
    for (std::size_t u = 0; u < step.units.size(); ++u) {
      const transaction_unit& unit = step.units[u];
      const bool last = u + 1 == step.units.size();
      std::vector<std::string> sql;
      for (std::size_t i : unit.statements) sql.push_back(step.statements[i].sql);
      if (single && !unit.transactional)
        throw error(fmt::format("revision {} has a statement PostgreSQL cannot run in a transaction; a script for "
                                "`psql -1` cannot contain it (use the default layout, for `psql -f`, or plain plans, --safety plain, "
                                "when the tables are small): {}",
                                step.rev->id, sql.front()));
      if (!unit.transactional) {
        out += sql.front() + ";\n";
        sql.clear();
      }
      if (last) {
        for (auto& s : books.record(step)) sql.push_back(std::move(s));
      } else if (!single) {
        sql.push_back(books.record_unit(step, u));
      }
      if (!sql.empty()) block(sql);
    }
    if (step.units.empty()) block(books.record(step));
  }
  return out;
}

}  // namespace retort::pg
