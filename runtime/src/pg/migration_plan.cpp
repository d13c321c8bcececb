// Migration plans and bookkeeping SQL (no database needed: the applier executes these, and
// `retort sql` prints them).
#include "retort/pg/migration_plan.hpp"

#include <fmt/format.h>

#include "retort/errors.hpp"
#include "retort/hash.hpp"

namespace retort::pg {

std::string_view to_string(direction d) { return d == direction::upgrade ? "upgrade" : "downgrade"; }

std::string checksum_of(const revision& r) { return r.checksum.empty() ? sha256_hex(write_revision(r)) : r.checksum; }

namespace {

// Renders each revision against the schema the previous one leaves.
std::vector<revision_step> steps_for(const revision_graph& graph, const std::vector<std::string>& ids, direction dir,
                                     schema s) {
  std::vector<revision_step> steps;
  for (const auto& id : ids) {
    const revision& r = graph.at(id);
    revision_step step{&r, dir, dir == direction::upgrade ? r.upgrade : r.downgrade, {}};
    try {
      step.statements = render_and_replay(step.operations, s);
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
                                        std::string_view target) {
  return steps_for(graph, graph.upgrade_plan(current, target), direction::upgrade, graph.schema_at(current));
}

std::vector<revision_step> plan_downgrade(const revision_graph& graph, const revision_heads& current,
                                          std::string_view target) {
  return steps_for(graph, graph.downgrade_plan(current, target), direction::downgrade, graph.schema_at(current));
}

std::string bookkeeping::table(std::string_view name) const { return quote_ident(qualified_name{schema_, std::string(name)}); }

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
  return out;
}

std::vector<std::string> bookkeeping::stamp(const std::vector<const revision*>& applied, std::string_view target) const {
  std::vector<std::string> out{fmt::format("DELETE FROM {}", table("applied"))};
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

std::string offline_script(const std::vector<revision_step>& steps, const bookkeeping& books) {
  std::string out = "-- Generated by Retort. Run as one transaction: psql -1 -f <file>\n\n";
  for (const auto& sql : books.create()) out += sql + ";\n";
  for (const auto& step : steps) {
    out += fmt::format("\n-- {} {}: {}\n", to_string(step.dir), step.rev->id, step.rev->message);
    for (const auto& st : step.statements) {
      if (!st.transactional)
        throw error(fmt::format("revision {} has a statement PostgreSQL cannot run in a transaction; "
                                "an offline script for `psql -1` cannot contain it: {}",
                                step.rev->id, st.sql));
      out += st.sql + ";\n";
    }
    for (const auto& sql : books.record(step)) out += sql + ";\n";
  }
  return out;
}

}  // namespace retort::pg
