// The applier: lock, read the recorded position, verify checksums, then run each revision's
// statements and its bookkeeping in one transaction. PostgreSQL's transactional DDL makes a
// failed or killed revision vanish whole.
#include "retort/pg/applier.hpp"

#include <chrono>
#include <optional>
#include <set>
#include <variant>

#include <fmt/format.h>

#include "errors.hpp"
#include "retort/errors.hpp"

namespace retort::pg {

namespace {

database_error as_database_error(const pqxx::sql_error& e) {
  return database_error(split_message(e.what()).first, e.sqlstate(), e.query());
}

// One statement on its own. A rendered statement goes through the extended protocol, where
// PostgreSQL refuses a second statement in the string: no expression can become two. A
// hand-written sql step is SQL by design and may hold several: the simple protocol runs it.
void execute(pqxx::transaction_base& tx, const std::string& sql, bool hand_written) {
  if (hand_written) tx.exec(sql);
  else tx.exec_params(sql);
}

bool is_hand_written(const revision_step& step, const statement& st) {
  return std::holds_alternative<ops::sql>(step.operations[st.operation]);
}

}  // namespace

applier::applier(pqxx::connection& conn, const revision_graph& graph, apply_options options)
    : conn_(conn),
      graph_(graph),
      options_(std::move(options)),
      books_(options_.bookkeeping_schema),
      locker_(conn, options_.bookkeeping_schema) {
  // Literals are rendered for either setting; pinning it and the encoding keeps the session
  // from reading them any other way (a role's or database's default could say otherwise).
  conn_.set_variable("standard_conforming_strings", "on");
  conn_.set_client_encoding("UTF8");
}

void applier::exec_all(const std::vector<std::string>& statements) {
  pqxx::work tx(conn_);
  for (const auto& sql : statements) execute(tx, sql, false);
  tx.commit();
}

void applier::ensure_bookkeeping() {
  try {
    exec_all(books_.create());
  } catch (const pqxx::sql_error& e) {
    throw bookkeeping_failure(e, books_.schema());
  }
}

std::vector<std::pair<std::string, std::string>> applier::applied_rows() {
  try {
    pqxx::read_transaction tx(conn_);
    if (!tx.exec1(books_.exists())[0].as<bool>()) return {};
    std::vector<std::pair<std::string, std::string>> rows;
    for (const auto& row : tx.exec(books_.select_applied()))
      rows.emplace_back(row[0].as<std::string>(), row[1].as<std::string>());
    return rows;
  } catch (const pqxx::sql_error& e) {
    throw as_database_error(e);
  }
}

revision_heads applier::verified_heads(bool check_checksums) {
  std::set<std::string> applied;
  std::vector<std::string> unknown;
  for (const auto& [id, sum] : applied_rows()) {
    if (!graph_.contains(id)) unknown.push_back(id);
    applied.insert(id);
  }
  if (!unknown.empty())
    throw error(fmt::format("the database has revision{} {} applied, which {} not in the migration history; "
                            "is this checkout older than the database?",
                            unknown.size() > 1 ? "s" : "", fmt::join(unknown, ", "), unknown.size() > 1 ? "are" : "is"));
  revision_heads heads = graph_.heads_of(applied);
  if (graph_.applied(heads) != applied)
    throw error(fmt::format("the database's applied revisions are inconsistent: some ancestors of {} are not applied; "
                            "repair it with `retort stamp`",
                            fmt::join(heads, ", ")));
  if (check_checksums) {
    auto edits = edited();
    if (!edits.empty() && !options_.accept_edited) {
      std::string list;
      for (const auto& e : edits)
        list += fmt::format("\n  {} ({}): applied as {}, now {}", e.id, e.file.empty() ? "embedded" : e.file,
                            e.recorded.substr(0, 12), e.current.substr(0, 12));
      throw checksum_error(fmt::format(
          "{} applied migration{} changed since {} applied; nothing was run:{}\n"
          "Restore the file{}, or accept the edit with --accept-edited if the database already matches it.",
          edits.size(), edits.size() > 1 ? "s" : "", edits.size() > 1 ? "they were" : "it was", list,
          edits.size() > 1 ? "s" : ""));
    }
    for (const auto& e : edits) {
      try {
        exec_all(books_.accept_checksum(graph_.at(e.id)));
      } catch (const pqxx::sql_error& err) {
        throw as_database_error(err);
      }
    }
  }
  return heads;
}

revision_heads applier::current() { return verified_heads(false); }

std::vector<edited_revision> applier::edited() {
  std::vector<edited_revision> out;
  for (const auto& [id, recorded] : applied_rows()) {
    if (!graph_.contains(id)) continue;
    const revision& r = graph_.at(id);
    const std::string now = checksum_of(r);
    // An empty checksum comes from a stamp of a revision that had none to record.
    if (!recorded.empty() && recorded != now) out.push_back({id, r.file, recorded, now});
  }
  return out;
}

std::vector<history_entry> applier::history() {
  std::vector<history_entry> out;
  try {
    pqxx::read_transaction tx(conn_);
    if (!tx.exec1(books_.exists())[0].as<bool>()) return out;
    for (const auto& row : tx.exec(books_.select_history()))
      out.push_back({row[0].as<std::int64_t>(), row[1].as<std::string>(), row[2].as<std::string>(),
                     row[3].as<std::string>(), row[4].as<std::string>(), row[5].as<std::string>(), row[6].as<double>(),
                     row[7].as<std::string>(), row[8].as<std::string>()});
  } catch (const pqxx::sql_error& e) {
    throw as_database_error(e);
  }
  return out;
}

void applier::run(const std::vector<revision_step>& steps) {
  for (std::size_t i = 0; i < steps.size(); ++i) {
    const revision_step& step = steps[i];
    auto notify = [&](progress::event what, std::string_view sql = {}, double ms = 0) {
      if (options_.on_progress) options_.on_progress({what, i + 1, steps.size(), &step, sql, ms});
    };
    notify(progress::event::begin);
    const auto started = std::chrono::steady_clock::now();
    const statement* current = nullptr;
    // Whether part of the revision is committed (and so survives a failure after it).
    bool committed = false;
    std::size_t uncommitted = 0;
    try {
      std::optional<pqxx::work> tx(std::in_place, conn_);
      for (const statement& st : step.statements) {
        current = &st;
        if (st.transactional) {
          execute(*tx, st.sql, is_hand_written(step, st));
          ++uncommitted;
          continue;
        }
        // PostgreSQL refuses this one inside a transaction block: it runs on its own.
        tx->commit();
        tx.reset();
        committed = committed || uncommitted > 0;
        uncommitted = 0;
        notify(progress::event::outside_transaction, st.sql);
        {
          pqxx::nontransaction alone(conn_);
          execute(alone, st.sql, is_hand_written(step, st));
        }
        committed = true;
        tx.emplace(conn_);
      }
      current = nullptr;
      for (const auto& sql : books_.record(step)) execute(*tx, sql, false);
      tx->commit();
    } catch (const pqxx::failure&) {
      throw_revision_failure({&step, current, committed, books_.schema(), conn_.options()}, std::current_exception());
    }
    const double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started).count();
    notify(progress::event::done, {}, ms);
  }
}

// Both directions: under the lock, from the verified position, every step, the ids it ran.
std::vector<std::string> applier::migrate(direction dir, std::string_view target) {
  lock_guard guard(locker_);
  ensure_bookkeeping();
  const revision_heads current = verified_heads(true);
  const auto steps = dir == direction::upgrade ? plan_upgrade(graph_, current, target)
                                               : plan_downgrade(graph_, current, target);
  run(steps);
  std::vector<std::string> ids;
  for (const auto& s : steps) ids.push_back(s.rev->id);
  return ids;
}

std::vector<std::string> applier::upgrade(std::string_view target) { return migrate(direction::upgrade, target); }

std::vector<std::string> applier::downgrade(std::string_view target) { return migrate(direction::downgrade, target); }

void applier::stamp(std::string_view target) {
  lock_guard guard(locker_);
  ensure_bookkeeping();
  std::set<std::string> applied;
  if (target == "heads") {
    for (const auto& id : graph_.order()) applied.insert(id);
  } else if (target != "base") {
    applied = graph_.ancestry(graph_.resolve(target));
  }
  std::vector<const revision*> revisions;
  for (const auto& id : graph_.order())
    if (applied.contains(id)) revisions.push_back(&graph_.at(id));
  try {
    exec_all(books_.stamp(revisions, target));
  } catch (const pqxx::sql_error& e) {
    throw as_database_error(e);
  }
}

}  // namespace retort::pg
