// The applier: lock, read the recorded position, verify checksums, then run each revision's
// statements and its bookkeeping in one transaction. PostgreSQL's transactional DDL makes a
// failed or killed revision vanish whole.
#include "retort/pg/applier.hpp"

#include <algorithm>
#include <array>
#include <chrono>
#include <optional>
#include <set>
#include <thread>
#include <variant>

#include <fmt/format.h>
#include <pqxx/pqxx>  // the implementation uses most of it; the header needs only the connection

#include "blocker_watch.hpp"
#include "errors.hpp"
#include "retort/errors.hpp"

namespace retort::pg {

namespace {

// A tenant's bookkeeping tables are `<tenant>.retort_applied`, ...
constexpr std::string_view tenant_table_prefix = "retort_";

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

const ops::cpp* cpp_step_of(const revision_step& step, const statement& st) {
  return std::get_if<ops::cpp>(&step.operations[st.operation]);
}

bool has_cpp_step(const revision& r) {
  const auto is_cpp = [](const ops::operation& op) { return std::holds_alternative<ops::cpp>(op); };
  return std::any_of(r.upgrade.begin(), r.upgrade.end(), is_cpp) ||
         std::any_of(r.downgrade.begin(), r.downgrade.end(), is_cpp);
}

progress event(progress::event what, std::string_view statement = {}) {
  progress p;
  p.what = what;
  p.statement = statement;
  return p;
}

}  // namespace

tenant_search_path::tenant_search_path(pqxx::connection& conn, const std::string& tenant) : conn_(conn) {
  if (tenant.empty()) return;
  pqxx::nontransaction tx(conn_);
  saved_ = tx.exec1("SELECT current_setting('search_path')")[0].as<std::string>();
  tx.exec_params("SELECT set_config('search_path', $1, false)", quote_ident(tenant) + ", " + *saved_);
}

tenant_search_path::~tenant_search_path() {
  if (!saved_) return;
  try {
    pqxx::nontransaction tx(conn_);
    tx.exec_params("SELECT set_config('search_path', $1, false)", *saved_);
  } catch (...) {  // a lost connection takes its settings with it
  }
}

bookkeeping bookkeeping_of(const apply_options& o) {
  if (o.tenant_schema.empty()) return bookkeeping(o.bookkeeping_schema);
  return bookkeeping(o.tenant_schema, std::string(tenant_table_prefix));
}

render_options render_options_of(const apply_options& o) {
  render_options r = o.render;
  if (!o.tenant_schema.empty()) {
    r.schemas.insert_or_assign("public", o.tenant_schema);
    r.shared_extensions = true;
  }
  return r;
}

std::vector<std::string> tenant_schemas(pqxx::transaction_base& tx) {
  const bookkeeping any_tenant("", std::string(tenant_table_prefix));
  std::vector<std::string> tenants;
  for (const auto& row : tx.exec(any_tenant.select_tenants())) tenants.push_back(row[0].as<std::string>());
  return tenants;
}

namespace {

// Every tenant of the database, with the revisions it applied.
std::map<std::string, std::set<std::string>> tenant_positions(pqxx::transaction_base& tx) {
  const bookkeeping any_tenant("", std::string(tenant_table_prefix));
  const std::vector<std::string> tenants = tenant_schemas(tx);
  std::map<std::string, std::set<std::string>> out;
  for (const auto& t : tenants) out[t];
  for (const auto& row : tx.exec(any_tenant.select_applied_of(tenants)))
    out[row[0].as<std::string>()].insert(row[1].as<std::string>());
  return out;
}

}  // namespace

std::vector<std::string> tenants_behind(pqxx::transaction_base& tx, const revision_graph& graph, const revision& r,
                                        const std::string& tenant) {
  std::vector<std::string> behind;
  for (const auto& [other, applied] : tenant_positions(tx)) {
    // A tenant at base is not waited for (one whose first run failed, or was refused, included):
    // it starts from the shared objects as they are (see plan_upgrade).
    if (other == tenant || applied.empty() ||
        std::all_of(r.parents.begin(), r.parents.end(), [&](const std::string& p) { return applied.contains(p); }))
      continue;
    std::set<std::string> known;
    for (const auto& id : applied)
      if (graph.contains(id)) known.insert(id);
    behind.push_back(fmt::format("{} (at {})", other,
                                 known.empty() ? "base" : fmt::format("{}", fmt::join(graph.heads_of(known), "+"))));
  }
  return behind;
}

bool changes_shared_objects(const revision& r, const render_options& tenant) {
  if (!tenant.schemas.contains("public")) return false;  // not a tenant's run: nothing is shared
  return std::any_of(r.upgrade.begin(), r.upgrade.end(),
                     [&](const ops::operation& op) { return shared_operation(op, tenant); });
}

applier::applier(pqxx::connection& conn, const revision_graph& graph, locker& lock, apply_options options)
    : conn_(conn), graph_(graph), options_(std::move(options)), books_(bookkeeping_of(options_)), locker_(lock) {
  options_.render = render_options_of(options_);
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
    {  // one round trip instead of a transaction of four, once they exist (a fleet's every step)
      pqxx::nontransaction tx(conn_);
      if (tx.exec1(books_.complete())[0].as<bool>()) return;
    }
    exec_all(books_.create());
  } catch (const pqxx::sql_error& e) {
    throw bookkeeping_failure(e, books_.schema());
  }
}

applier::applied_list applier::applied_rows() {
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

std::map<std::string, std::vector<std::string>> applier::squashed_of(const applied_list& rows) const {
  std::map<std::string, std::vector<std::string>> out;
  for (const auto& [id, sum] : rows)
    if (const revision* squash = graph_.replaced_by(id)) out[squash->id].push_back(id);
  return out;
}

revision_heads applier::verified_heads(bool check_checksums) {
  std::set<std::string> applied;
  std::vector<std::string> unknown;
  std::map<std::string, std::vector<std::string>> squashed;  // rows from before a squash, by squash
  const applied_list recorded = applied_rows();
  for (const auto& [id, sum] : recorded) {
    if (const revision* squash = graph_.replaced_by(id)) squashed[squash->id].push_back(id);
    else if (!graph_.contains(id)) unknown.push_back(id);
    else applied.insert(id);
  }
  // A squash keeps the id of the last revision it replaces: a database that applied that one is
  // at the squash (or past it); one that applied only some of the others stopped inside it.
  for (const auto& [id, rows] : squashed)
    if (!applied.contains(id)) {
      const revision& squash = graph_.at(id);
      throw error(fmt::format(
          "the database stopped inside the history that revision {} ({}) squashed: it has {} of the {} revisions it "
          "replaces applied ({}), not {} itself. A squashed history cannot move it from there. With a checkout from "
          "before the squash, upgrade it to {} (or downgrade it to base), then come back to this one.",
          id, squash.file.empty() ? "embedded" : squash.file, rows.size(), squash.replaces.size(), fmt::join(rows, ", "),
          id, id));
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
    // Before anything runs: the database records the squash instead of what it replaces.
    for (const auto& [id, rows] : squashed) {
      try {
        exec_all(books_.adopt_squash(graph_.at(id), rows));
      } catch (const pqxx::sql_error& err) {
        throw as_database_error(err);
      }
    }
    auto edits = edited_of(recorded);  // as read before the squash was adopted: its row is skipped
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

std::vector<edited_revision> applier::edited() { return edited_of(applied_rows()); }

std::vector<edited_revision> applier::edited_of(const applied_list& rows) const {
  std::vector<edited_revision> out;
  // A squash's row still holds the checksum of the file it replaced until the next upgrade or
  // downgrade adopts it.
  const auto squashed = squashed_of(rows);
  for (const auto& [id, recorded] : rows) {
    if (!graph_.contains(id) || squashed.contains(id)) continue;
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

namespace {

// PostgreSQL gave up waiting for a lock (lock_timeout) or broke a deadlock: nothing of the
// transaction stays, and trying again later usually succeeds.
bool retryable(const pqxx::sql_error& e) { return e.sqlstate() == "55P03" || e.sqlstate() == "40P01"; }

// lock_timeout and statement_timeout for the migration, restored afterwards: the connection may
// be the application's own (migrate_to_head).
class session_timeouts {
 public:
  session_timeouts(pqxx::connection& conn, const apply_options& o) : conn_(conn) {
    pqxx::nontransaction tx(conn_);
    auto row = tx.exec1("SELECT current_setting('lock_timeout'), current_setting('statement_timeout')");
    saved_ = {row[0].as<std::string>(), row[1].as<std::string>()};
    tx.exec(fmt::format("SET lock_timeout = {}", o.lock_timeout.count()));
    tx.exec(fmt::format("SET statement_timeout = {}", o.statement_timeout.count()));
  }
  ~session_timeouts() {
    try {
      pqxx::nontransaction tx(conn_);
      tx.exec_params("SELECT set_config('lock_timeout', $1, false), set_config('statement_timeout', $2, false)",
                     saved_.first, saved_.second);
    } catch (...) {  // a lost connection takes its settings with it
    }
  }
  session_timeouts(const session_timeouts&) = delete;
  session_timeouts& operator=(const session_timeouts&) = delete;

 private:
  pqxx::connection& conn_;
  std::pair<std::string, std::string> saved_;
};


// An index that an interrupted CREATE INDEX CONCURRENTLY left INVALID: dropped (concurrently)
// before the build is tried again, which would otherwise fail or skip it.
void drop_if_invalid(pqxx::connection& conn, const qualified_name& index) {
  bool invalid = false;
  {
    pqxx::nontransaction tx(conn);
    invalid = tx.exec_params1("SELECT EXISTS (SELECT FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid "
                              "JOIN pg_namespace n ON n.oid = c.relnamespace "
                              "WHERE n.nspname = $1 AND c.relname = $2 AND NOT i.indisvalid)",
                              index.schema, index.name)[0]
                  .as<bool>();
  }
  if (!invalid) return;
  pqxx::nontransaction tx(conn);
  tx.exec("DROP INDEX CONCURRENTLY IF EXISTS " + quote_ident(index));
}

}  // namespace

// One unit: a transaction (with its progress row, or the revision's bookkeeping when it is the
// last), or a statement outside any transaction followed by its record. Retried while
// PostgreSQL gives up on a lock, with a growing pause, reporting who holds it.
void applier::run_unit(const revision_step& step, std::size_t u, bool last,
                       const std::function<void(progress)>& notify) {
  const transaction_unit& unit = step.units[u];
  const auto record = [&](pqxx::work& tx) {
    if (!last) return execute(tx, books_.record_unit(step, u), false);
    for (const auto& sql : books_.record(step)) execute(tx, sql, false);
    // An undo of the shared objects finished: the tenant no longer stands past them (a unit of
    // the step claimed them, so the record exists).
    if (step.dir == direction::downgrade && has_shared(step))
      execute(tx, bookkeeping(options_.bookkeeping_schema).forget_shared(step.rev->id, options_.tenant_schema), false);
  };
  const statement* current = nullptr;
  // The failure as Retort's error: where in the revision, what committed, what to do next.
  const auto fail = [&](std::exception_ptr failure, int attempts) {
    failure_point at{&step, current, u, step.units.size(), true, attempts, books_.schema(), conn_.options()};
    at.rolled_back = unit.transactional || !current || current->rebuild_invalid_index.has_value();
    throw_revision_failure(at, failure);
  };
  for (int attempt = 1;; ++attempt) {
    current = nullptr;
    std::optional<blocker_watch> watch;
    // Reported before the wait gives up, even with a short lock_timeout.
    auto interval = options_.report_blockers_after;
    if (options_.lock_timeout.count() > 0) interval = std::min(interval, options_.lock_timeout / 2);
    if (options_.on_progress && interval.count() > 0)
      watch.emplace(conn_.options(), conn_.backendpid(), interval,
                    [&](const std::vector<blocker>& who, std::chrono::milliseconds waited) {
                      progress p = event(progress::event::waiting);
                      p.blockers = who;
                      p.milliseconds = static_cast<double>(waited.count());
                      if (current) p.statement = current->sql;
                      notify(std::move(p));
                    });
    try {
      if (unit.transactional) {
        pqxx::work tx(conn_);
        const bool run_shared = !has_shared(step, unit) || claim_shared(tx, step);
        for (std::size_t i : unit.statements) {
          current = &step.statements[i];
          if (!run_shared && is_shared(step, *current)) continue;
          if (cpp_step_of(step, *current)) run_cpp_step(tx, step, current->operation, u);
          else execute(tx, current->sql, is_hand_written(step, *current));
        }
        current = nullptr;
        record(tx);
        tx.commit();
      } else {
        current = &step.statements[unit.statements.front()];
        bool run_it = true;
        if (is_shared(step, *current)) {  // decided in a transaction of its own: this one has none
          pqxx::work claim(conn_);
          run_it = claim_shared(claim, step);
          claim.commit();
        }
        if (run_it) {
          notify(event(progress::event::outside_transaction, current->sql));
          if (current->rebuild_invalid_index) drop_if_invalid(conn_, *current->rebuild_invalid_index);
          pqxx::nontransaction alone(conn_);
          execute(alone, current->sql, is_hand_written(step, *current));
        }
        current = nullptr;
        pqxx::work tx(conn_);
        record(tx);
        tx.commit();
      }
      return;
    } catch (const pqxx::sql_error& e) {
      watch.reset();
      // A failed concurrent build leaves an INVALID index behind: removed now, so that the
      // failure leaves nothing and the rerun starts clean.
      if (current && current->rebuild_invalid_index) {
        try {
          drop_if_invalid(conn_, *current->rebuild_invalid_index);
        } catch (const pqxx::failure&) {  // the rerun drops it before building again
        }
      }
      if (retryable(e) && attempt < options_.lock_attempts) {
        const auto pause = options_.retry_backoff * (1 << std::min(attempt - 1, 10));
        progress p = event(progress::event::retrying);
        p.attempt = attempt + 1;
        p.milliseconds = static_cast<double>(pause.count());
        p.statement = current ? std::string_view(current->sql) : std::string_view();
        notify(std::move(p));
        std::this_thread::sleep_for(pause);
        continue;
      }
      fail(std::current_exception(), attempt);
    } catch (const pqxx::failure&) {  // a lost connection, a commit in doubt
      watch.reset();
      fail(std::current_exception(), 1);
    }
  }
}

// Schema-per-tenant: whether `st` works on an object of a schema the tenant shares (one the
// mapping keeps, as the example's `catalog`). Those objects are the database's: created by the
// first tenant that applies their revision, dropped by the last that undoes it.
bool applier::is_shared(const revision_step& step, const statement& st) const {
  if (options_.tenant_schema.empty()) return false;
  const auto schema = ops::schema_of(step.operations[st.operation]);
  return schema && !options_.render.schemas.contains(*schema);
}

bool applier::has_shared(const revision_step& step, const transaction_unit& unit) const {
  return std::any_of(unit.statements.begin(), unit.statements.end(),
                     [&](std::size_t i) { return is_shared(step, step.statements[i]); });
}

bool applier::has_shared(const revision_step& step) const {
  return std::any_of(step.statements.begin(), step.statements.end(),
                     [&](const statement& st) { return is_shared(step, st); });
}

// A database whose tenants migrated before the record of shared revisions existed has their
// shared objects but no rows: the record starts with what each tenant's own bookkeeping says it
// applied, so that the next tenant skips what exists instead of failing on it.
void applier::backfill_shared(pqxx::work& tx, const bookkeeping& database) {
  std::vector<std::string> shared;
  for (const auto& id : graph_.order())
    if (changes_shared_objects(graph_.at(id), options_.render)) shared.push_back(id);
  for (const auto& [tenant, applied] : tenant_positions(tx))
    if (!applied.empty()) execute(tx, database.backfill_shared(bookkeeping(tenant, std::string(tenant_table_prefix)), shared), false);
}

// The tenants of a database move together, a revision at a time: a tenant's revisions name the
// shared objects as they knew them, so one left behind a change of them follows only some of it
// (a rename, in its foreign keys), not its SQL text. A tenant therefore changes the shared
// objects only when every other tenant stands at the revision before (or past it); otherwise this
// run stops before the revision.
void applier::require_in_step(pqxx::work& tx, const revision_step& step) {
  const auto behind = tenants_behind(tx, graph_, *step.rev, options_.tenant_schema);
  if (behind.empty()) return;
  const revision& r = *step.rev;
  const std::string before = r.parents.empty() ? "base" : fmt::format("{}", fmt::join(r.parents, "+"));
  throw error(fmt::format(
      "tenant {} stops before revision {} ({}): it changes the database's shared objects, and tenant{} {} of the "
      "database {} not reached {} yet. Their revisions name the shared objects as they are before it, and their SQL "
      "could not follow it. The tenants of a database move together, a revision at a time: bring the others to {} "
      "first (`retort upgrade --fleet` moves them so), then this one.",
      options_.tenant_schema, r.id, r.file.empty() ? "embedded" : r.file, behind.size() == 1 ? "" : "s",
      fmt::join(behind, ", "), behind.size() == 1 ? "has" : "have", before, before));
}

// Schema-per-tenant: the revisions with shared operations that other tenants of the database
// applied and this one, at `current`, has not. A tenant created after the others renamed a shared
// table follows the rename in its earlier revisions (see plan_upgrade). Only a foreign key to a
// shared table follows, so a plan with none (most of a fleet's rounds) does not look; the
// database's record of shared revisions answers, or, before it exists, the tenants' bookkeeping.
std::set<std::string> applier::shared_ahead(const revision_heads& current, std::string_view target) {
  if (options_.tenant_schema.empty()) return {};
  const auto references_shared = [&](const std::string& id) {
    const auto& ops = graph_.at(id).upgrade;
    return std::any_of(ops.begin(), ops.end(), [&](const ops::operation& op) {
      const auto* fk = std::get_if<ops::add_foreign_key>(&op);
      return fk && !options_.render.schemas.contains(fk->def.ref_table.schema);
    });
  };
  const auto plan = graph_.upgrade_plan(current, target);
  if (std::none_of(plan.begin(), plan.end(), references_shared)) return {};
  const std::set<std::string> mine = graph_.applied(current);
  std::set<std::string> ahead;
  const auto add = [&](const std::string& id) {
    if (!mine.contains(id) && graph_.contains(id) && changes_shared_objects(graph_.at(id), options_.render))
      ahead.insert(id);
  };
  try {
    pqxx::read_transaction tx(conn_);
    const bookkeeping database(options_.bookkeeping_schema);
    if (tx.exec1(database.table_exists("shared"))[0].as<bool>()) {
      for (const auto& row : tx.exec(database.select_shared())) add(row[0].as<std::string>());
    } else {
      for (const auto& [tenant, applied] : tenant_positions(tx))
        if (tenant != options_.tenant_schema) std::for_each(applied.begin(), applied.end(), add);
    }
  } catch (const pqxx::sql_error& e) {
    throw as_database_error(e);
  }
  return ahead;
}

// Whether this run executes the step's shared statements: only when no other tenant records the
// revision (none has applied it yet; none still stands past it). Decided and recorded in `tx`
// after a lock every tenant's decision takes, so tenants migrating at once wait for the first
// one's commit and see it, and a killed run's decision vanishes with its transaction.
bool applier::claim_shared(pqxx::work& tx, const revision_step& step) {
  const bookkeeping database(options_.bookkeeping_schema);
  const std::string& id = step.rev->id;
  const std::string& tenant = options_.tenant_schema;
  // Before the lock, which it need not hold: it reads every tenant's bookkeeping.
  if (step.dir == direction::upgrade && options_.check_tenants_in_step) require_in_step(tx, step);
  const auto elsewhere = [&] { return tx.exec1(database.shared_elsewhere(id, tenant))[0].as<bool>(); };
  // Upgrading once another tenant's claim committed, there is nothing to decide: the lock's
  // shared mode, which only a downgrade's decision waits for, lets the tenants that follow the
  // first one run the revision at once instead of one after the other. (Should that claim vanish
  // meanwhile, a downgrade's, the exclusive lock below may meet another tenant's in a deadlock,
  // which PostgreSQL breaks and the applier retries.)
  if (step.dir == direction::upgrade && tx.exec1(database.shared_ready())[0].as<bool>() && elsewhere()) {
    execute(tx, database.lock_shared(false), false);
    if (elsewhere()) {
      execute(tx, database.record_shared(id, tenant), false);
      return false;
    }
  }
  execute(tx, database.lock_shared(true), false);
  if (!tx.exec1(database.shared_ready())[0].as<bool>()) {
    const bool recorded = tx.exec1(database.table_exists("shared"))[0].as<bool>();
    for (const auto& sql : database.create_shared()) execute(tx, sql, false);
    if (!recorded) backfill_shared(tx, database);
  }
  if (step.dir == direction::downgrade) {
    execute(tx, database.decide_undo(id, tenant), false);
    return tx.exec1(database.undo_decision(id, tenant))[0].as<bool>();
  }
  const bool others = elsewhere();
  execute(tx, database.record_shared(id, tenant), false);
  return !others;
}

void applier::run_step(const revision_step& step, std::size_t index, std::size_t total,
                       const std::set<std::size_t>& done) {
  const auto notify = [&](progress p) {
    if (!options_.on_progress) return;
    p.index = index;
    p.total = total;
    p.step = &step;
    options_.on_progress(p);
  };
  notify(event(progress::event::begin));
  if (!done.empty()) {
    progress p = event(progress::event::resumed);
    p.skipped = done.size();
    notify(std::move(p));
  }
  const auto started = std::chrono::steady_clock::now();
  for (std::size_t u = 0; u < step.units.size(); ++u) {
    if (!done.contains(u)) run_unit(step, u, u + 1 == step.units.size(), notify);
  }
  if (step.units.empty()) exec_all(books_.record(step));  // a revision with no statement (a merge) still records itself
  progress p = event(progress::event::done);
  p.milliseconds = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started).count();
  notify(std::move(p));
}

// Units of the planned steps that an interrupted run committed. Progress of a revision that
// this run does not continue (another direction, another target) stops it before anything runs.
std::vector<partial_revision> applier::in_progress() {
  std::vector<partial_revision> out;
  try {
    pqxx::read_transaction tx(conn_);
    if (!tx.exec1(books_.table_exists("progress"))[0].as<bool>()) return out;
    for (const auto& row : tx.exec(books_.select_progress())) {  // ordered by revision, then unit
      const auto id = row[0].as<std::string>();
      if (out.empty() || out.back().id != id)
        out.push_back({id, row[1].as<std::string>(), row[3].as<std::string>(), {}});
      out.back().units.insert(row[2].as<std::size_t>());
    }
  } catch (const pqxx::sql_error& e) {
    throw as_database_error(e);
  }
  return out;
}

// Units of the planned steps that an interrupted run committed. Progress of a revision that
// this run does not continue (another direction, another target) stops it before anything runs.
std::map<std::string, std::set<std::size_t>> applier::resumable(const std::vector<revision_step>& steps) {
  std::map<std::string, std::set<std::size_t>> done;
  for (const auto& [id, dir, sum, units] : in_progress()) {
    const auto step = std::find_if(steps.begin(), steps.end(), [&](const revision_step& s) { return s.rev->id == id; });
    if (step == steps.end() || to_string(step->dir) != dir)
      throw error(fmt::format("revision {} is part way through its {}: some of its transactions committed and the "
                              "rest did not run. Finish it first with `retort {} {}`",
                              id, dir, dir, dir == "upgrade" ? id : "-1"));
    if (sum != checksum_of(*step->rev))
      throw checksum_error(fmt::format("revision {} ({}) is part way through its {}, but its file changed since that "
                                       "began; restore the file to finish it",
                                       id, step->rev->file, dir));
    done[id] = units;
  }
  return done;
}

void applier::run(const std::vector<revision_step>& steps) {
  const auto done = resumable(steps);
  session_timeouts timeouts(conn_, options_);
  tenant_search_path path(conn_, options_.tenant_schema);
  for (std::size_t i = 0; i < steps.size(); ++i) {
    auto d = done.find(steps[i].rev->id);
    run_step(steps[i], i + 1, steps.size(), d == done.end() ? std::set<std::size_t>{} : d->second);
  }
}

// Every C++ data step the plan reaches must have its function, or nothing runs: the CLI
// (no registry) names the application as what applies it; an application that forgot one, or
// registered one for a revision without a cpp step (a mistyped id), is told which.
void applier::require_cpp_steps(const std::vector<revision_step>& steps) const {
  if (options_.cpp) {
    for (const auto& id : options_.cpp->ids())
      if (!graph_.contains(id) || !has_cpp_step(graph_.at(id)))
        throw error(fmt::format("a C++ data step is registered for revision '{}', {}; register it under the full id "
                                "of the revision whose file has the \"cpp\" operation",
                                id, graph_.contains(id) ? "whose file has no \"cpp\" operation"
                                                        : "which is not in the migration history"));
  }
  for (const auto& step : steps) {
    for (const auto& op : step.operations) {
      const auto* c = std::get_if<ops::cpp>(&op);
      if (!c) continue;
      const revision& r = *step.rev;
      const std::string file = r.file.empty() ? "embedded" : r.file;
      if (!options_.cpp)
        throw error(fmt::format(
            "revision {} ({}) has a C++ data step ({}), which only the application runs: run the application's "
            "migration entry point (the program that registers its C++ steps and calls retort::migrate_to_head){}. "
            "Nothing was run.",
            r.id, file, ops::to_string(c->run),
            step.dir == direction::upgrade && !r.parents.empty()
                ? fmt::format("; `retort upgrade {}` applies the revisions before it", r.parents.front())
                : ""));
      if (!options_.cpp->find(r.id, c->run))
        throw error(fmt::format("revision {} ({}) needs a C++ data step ({}) that the application did not register: "
                                "add its {} function with cpp_steps::add(\"{}\", ...) before migrate_to_head. Nothing "
                                "was run.",
                                r.id, file, ops::to_string(c->run), ops::to_string(c->run), r.id));
    }
  }
}

// The application's function in the revision's transaction. What it throws fails the revision,
// which is rolled back: PostgreSQL's errors as any statement's, the rest named as the step's.
void applier::run_cpp_step(pqxx::work& tx, const revision_step& step, std::size_t operation, std::size_t unit) {
  const auto& c = std::get<ops::cpp>(step.operations[operation]);
  const cpp_step_function* f = options_.cpp ? options_.cpp->find(step.rev->id, c.run) : nullptr;
  if (!f) throw error(fmt::format("revision {}: no C++ data step registered", step.rev->id));  // require_cpp_steps ran first
  try {
    (*f)(tx);
  } catch (const pqxx::failure&) {
    throw;
  } catch (const std::exception& e) {
    migration_error::details d;
    d.revision = step.rev->id;
    d.file = step.rev->file;
    d.operation = fmt::format("{}[{}] {}", to_string(step.dir), operation, ops::describe(step.operations[operation]));
    d.message = fmt::format("the C++ data step failed: {}", e.what());
    d.committed_units = unit;  // the units before this one committed (in this run or an earlier one)
    d.units = step.units.size();
    throw migration_error(std::move(d));
  }
}

// Both directions: under the lock, from the verified position, every step, the ids it ran.
std::vector<std::string> applier::migrate(direction dir, std::string_view target) {
  graph_.require_no_conflicts();  // before anything runs
  lock_guard guard(locker_);
  ensure_bookkeeping();
  const revision_heads current = verified_heads(true);
  const auto steps = dir == direction::upgrade
                         ? plan_upgrade(graph_, current, target, options_.render, shared_ahead(current, target))
                         : plan_downgrade(graph_, current, target, options_.render);
  require_cpp_steps(steps);
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
