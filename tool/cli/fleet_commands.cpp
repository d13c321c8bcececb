// Fleet commands: resolve the targets, run one applier per target on a pool of std::jthreads
// (a connection each; the applier's advisory lock and resumable progress are per database or
// tenant schema), print a line per finished target, then a table, the version skew and the
// failures with their errors. A failure is the target's own unless --canary/--stop-on-error.
#include "fleet_commands.hpp"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <iostream>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <thread>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "commands.hpp"
#include "error_report.hpp"
#include "fleet_targets.hpp"
#include "retort/errors.hpp"
#include "retort/files.hpp"
#include "retort/pg/applier.hpp"
#include "verify.hpp"

namespace retort::cli {

namespace {

using nlohmann::json;
using clock_type = std::chrono::steady_clock;

/// What a fleet command does on each target; the report follows it.
enum class fleet_command { upgrade, read, verify };

/// What happened on one target.
struct outcome {
  enum class state { not_started, ok, differs, failed, held };
  state status = state::not_started;
  std::vector<std::string> applied;  ///< upgrade: the revisions it applied
  revision_heads now;                ///< where it stands afterwards
  std::size_t behind = 0;            ///< revisions between `now` and head
  std::vector<pg::history_entry> audit;
  double seconds = 0;
  int code = exit_ok;
  json error;  ///< the error's fields ("type", "message", ...)
  std::optional<live_comparison> verified;  ///< verify: the target against its replayed history
  std::string held_by;  ///< held: the tenant of the same database whose failure stopped it
};

// Where a target stands and how far behind head: any state but failed and not started.
bool has_position(const outcome& o) {
  return o.status == outcome::state::ok || o.status == outcome::state::differs || o.status == outcome::state::held;
}

std::string_view state_name(outcome::state s, fleet_command command) {
  switch (s) {
    case outcome::state::not_started: return "not started";
    case outcome::state::ok: return command == fleet_command::upgrade ? "upgraded" : "ok";
    case outcome::state::differs: return "DIFFERS";
    case outcome::state::failed: return "FAILED";
    case outcome::state::held: return "held";
  }
  return "";
}

std::string first_line(const std::string& s) { return s.substr(0, s.find('\n')); }

std::string position_text(const revision_heads& now) {
  if (now.empty()) return "base";
  std::vector<std::string> ids;
  for (const auto& id : now) ids.push_back(id.substr(0, 12));
  return fmt::format("{}", fmt::join(ids, "+"));
}

// Why a held target stopped short of where it was going.
std::string held_text(const outcome& o) {
  return fmt::format("{} revision{} applied, held at {}: {} failed, and the tenants of a database move together",
                     o.applied.size(), o.applied.size() == 1 ? "" : "s", position_text(o.now), o.held_by);
}

// The work of a fleet command on one target: its connection, its applier.
using target_work = std::function<void(const fleet::target&, pqxx::connection&, pg::applier&, outcome&)>;

// Connections that a fleet's steps reuse: the tenants of a database share its URL, and moving
// them a revision at a time makes many short steps there. At most `parallel` wait between steps
// (the oldest is closed first). A connection comes back as a new session would be (DISCARD ALL:
// settings, role, temporary tables, locks a hand-written step left), or is closed; a step that
// failed closes its own, and one the server closed meanwhile is replaced.
class connection_pool {
 public:
  explicit connection_pool(const context& ctx) : ctx_(ctx) {}

  void keep_at_most(std::size_t idle) {
    const std::lock_guard lock(mutex_);
    limit_ = idle;
    trim();
  }
  [[nodiscard]] std::unique_ptr<pqxx::connection> take(const std::string& url) {
    {
      const std::lock_guard lock(mutex_);
      const auto it = std::find_if(idle_.begin(), idle_.end(), [&](const auto& c) { return c.first == url; });
      if (it != idle_.end()) {
        auto conn = std::move(it->second);
        idle_.erase(it);
        if (alive(*conn)) return conn;
      }
    }
    return ctx_.connect_to(url);
  }
  void give_back(const std::string& url, std::unique_ptr<pqxx::connection> conn) {
    try {
      pqxx::nontransaction(*conn).exec("DISCARD ALL");
    } catch (const pqxx::failure&) {
      return;  // closed
    }
    const std::lock_guard lock(mutex_);
    idle_.emplace_back(url, std::move(conn));
    trim();
  }

 private:
  void trim() {
    while (idle_.size() > limit_) idle_.pop_front();
  }
  static bool alive(pqxx::connection& conn) {
    try {
      pqxx::nontransaction(conn).exec("SELECT 1");
      return true;
    } catch (const pqxx::failure&) {
      return false;
    }
  }

  const context& ctx_;
  std::mutex mutex_;
  std::size_t limit_ = 1;
  std::deque<std::pair<std::string, std::unique_ptr<pqxx::connection>>> idle_;
};

// Runs `work` on each target, `parallel` at a time; reports each finished one through `done`.
class fleet_run {
 public:
  fleet_run(const context& ctx, const revision_graph& graph, const std::vector<fleet::target>& targets,
            pg::apply_options base, target_work work, std::function<void(std::size_t, const outcome&)> done)
      : ctx_(ctx), graph_(graph), targets_(targets), base_(std::move(base)), work_(std::move(work)),
        done_(std::move(done)), outcomes_(targets.size()), connections_(ctx) {}

  // Targets [first, last); returns whether all of those that ran succeeded. After a failure with
  // `stop_on_error`, no further target starts.
  bool run(std::size_t first, std::size_t last, int parallel, bool stop_on_error) {
    keep_connections(parallel);
    std::atomic<std::size_t> next{first};
    std::atomic<bool> failed{false};
    {
      std::vector<std::jthread> workers;
      const auto count = std::min<std::size_t>(static_cast<std::size_t>(std::max(1, parallel)), last - first);
      for (std::size_t w = 0; w < count; ++w)
        workers.emplace_back([&] {
          for (;;) {
            if (stop_on_error && failed) return;
            const std::size_t i = next++;
            if (i >= last) return;
            if (!one(i)) failed = true;
          }
        });
    }  // the workers join here
    return !failed;
  }

  // How many connections wait between steps: one per worker.
  void keep_connections(int parallel) { connections_.keep_at_most(static_cast<std::size_t>(std::max(1, parallel))); }

  [[nodiscard]] const std::vector<outcome>& outcomes() const noexcept { return outcomes_; }
  [[nodiscard]] outcome& at(std::size_t i) { return outcomes_[i]; }

  // `work` on target i, on a connection of its own; its time is added to the target's, and a
  // failure is recorded as the target's. Returns whether it succeeded.
  // With `tenants_checked`, the caller checked that the other tenants of the database are in step
  // (apply_options::check_tenants_in_step).
  bool step(std::size_t i, const target_work& work, bool tenants_checked = false) {
    const fleet::target& t = targets_[i];
    outcome& out = outcomes_[i];
    const auto started = clock_type::now();
    try {
      auto conn = connections_.take(t.url);
      {
        pg::apply_options o = base_;
        o.tenant_schema = t.schema;
        o.check_tenants_in_step = !tenants_checked;
        pg::advisory_locker lock(*conn, pg::bookkeeping_of(o).schema());
        pg::applier a(*conn, graph_, lock, o);
        work(t, *conn, a, out);
      }  // the applier restored the session's settings
      connections_.give_back(t.url, std::move(conn));
      if (out.status == outcome::state::not_started) out.status = outcome::state::ok;
    } catch (...) {
      const auto d = describe_current_error();
      out.status = outcome::state::failed;
      out.code = d.code;
      out.error = d.fields;
    }
    out.seconds += std::chrono::duration<double>(clock_type::now() - started).count();
    return out.status != outcome::state::failed;
  }

  // Target i is done: its line.
  void finish(std::size_t i) { done_(i, outcomes_[i]); }

 private:
  bool one(std::size_t i) {
    const bool ok = step(i, work_);
    finish(i);
    return ok;
  }

  const context& ctx_;
  const revision_graph& graph_;
  const std::vector<fleet::target>& targets_;
  pg::apply_options base_;
  target_work work_;
  std::function<void(std::size_t, const outcome&)> done_;
  std::vector<outcome> outcomes_;
  connection_pool connections_;
};

// Targets that upgrade together: a database's tenant schemas when the history has shared schemas
// (`lockstep`), any other target alone.
struct target_group {
  std::vector<std::size_t> members;
  bool lockstep = false;
};

// Any tenant's schema mapping: which of the history's schemas its tenants share.
pg::render_options tenant_mapping() {
  pg::apply_options tenant;
  tenant.tenant_schema = "tenant";
  return pg::render_options_of(tenant);
}

// Whether the history works on schemas that a database's tenants share (its objects in another
// schema than the default one, as the example's `catalog`).
bool shares_schemas(const revision_graph& graph) {
  const auto mapped = tenant_mapping();
  return std::any_of(graph.order().begin(), graph.order().end(),
                     [&](const std::string& id) { return pg::changes_shared_objects(graph.at(id), mapped); });
}

std::vector<target_group> groups_of(const std::vector<fleet::target>& targets, bool lockstep) {
  std::vector<target_group> out;
  std::map<std::string, std::size_t> by_database;  // url -> its tenants' group
  for (std::size_t i = 0; i < targets.size(); ++i) {
    if (!lockstep || targets[i].schema.empty()) {
      out.push_back({{i}, false});
      continue;
    }
    const auto [it, added] = by_database.try_emplace(targets[i].url, out.size());
    if (added) out.push_back({{}, true});
    out[it->second].members.push_back(i);
  }
  for (auto& g : out) g.lockstep = g.lockstep && g.members.size() > 1;
  return out;
}

// upgrade's order of work, `parallel` connections at a time. A target alone upgrades in one go.
// A lockstep group moves a revision at a time: each member first reads where it stands; then,
// for each revision on the way in the history's order, every member that still needs it applies
// it (in parallel), and the next revision starts once all of them have: a tenant ahead waits
// until the others reach it. A failure stops the group there; its other members are `held` where
// they stand. Work of a group under way goes before targets not started yet.
class upgrade_schedule {
 public:
  /// `round_done` hears of each revision a lockstep group's members have all applied.
  upgrade_schedule(fleet_run& run, const revision_graph& graph, const std::vector<fleet::target>& targets,
                   std::string target, std::function<void(const std::string&)> round_done)
      : run_(run), graph_(graph), targets_(targets), target_(std::move(target)), round_done_(std::move(round_done)),
        mapped_(tenant_mapping()), remaining_(targets.size()) {}

  // The groups `which` of `groups`; returns whether none of their targets failed. After a failure
  // with `stop_on_error`, no further work starts.
  bool run(const std::vector<target_group>& groups, const std::vector<std::size_t>& which, int parallel,
           bool stop_on_error) {
    stop_on_error_ = stop_on_error;
    failed_ = false;
    run_.keep_connections(parallel);
    groups_.clear();
    ready_.clear();
    for (std::size_t g : which) {
      groups_.push_back({groups[g], {}, 0, 0, {}});
      const std::size_t id = groups_.size() - 1;
      for (std::size_t i : groups[g].members)
        ready_.push_back({id, i, groups[g].lockstep ? kind::read : kind::whole, {}, false});
      groups_[id].running = groups[g].lockstep ? groups[g].members.size() : 0;
    }
    {
      std::vector<std::jthread> workers;
      const auto count = std::min<std::size_t>(static_cast<std::size_t>(std::max(1, parallel)), ready_.size());
      for (std::size_t w = 0; w < count; ++w) workers.emplace_back([this] { work(); });
    }  // the workers join here
    // Members whose group's next work was never started (--stop-on-error) stay where they stand.
    for (auto& g : groups_) hold(g, g.failed_by.empty() ? first_failure_ : g.failed_by);
    return !failed_;
  }

 private:
  // whole: a target alone, to the target revision; read: where a member stands; check: whether
  // the database's tenants are all in step for a revision that changes shared objects (once for
  // the round, instead of each member's run reading every tenant); step: one revision on a member.
  enum class kind { whole, read, check, step };
  struct task {
    std::size_t group = 0, member = 0;
    kind what = kind::whole;
    std::string revision;  // check, step: the round's revision
    bool checked = false;  // step: the tenants were found in step
  };
  struct group_state {
    target_group group;
    std::vector<std::string> rounds;  // the revisions its members need, in the history's order
    std::size_t next_round = 0;
    std::size_t running = 0;  // its tasks not finished yet
    std::string failed_by;    // the member whose failure stopped it
  };

  void work() {
    for (;;) {
      task t;
      {
        std::unique_lock lock(mutex_);
        changed_.wait(lock, [&] { return !ready_.empty() || busy_ == 0; });
        if (ready_.empty()) return;
        t = std::move(ready_.front());
        ready_.pop_front();
        ++busy_;
      }
      bool in_step = false;
      const bool ok = execute(t, in_step);
      {
        const std::lock_guard lock(mutex_);
        --busy_;
        after(t, ok, in_step);
      }
      changed_.notify_all();
    }
  }

  bool execute(const task& t, bool& in_step) {
    const auto behind = [&](outcome& o) { o.behind = graph_.upgrade_plan(o.now, "heads").size(); };
    switch (t.what) {
      case kind::whole:
        return run_.step(t.member, [&](const fleet::target&, pqxx::connection&, pg::applier& a, outcome& o) {
          o.applied = a.upgrade(target_);
          o.now = a.current();
          behind(o);
        });
      case kind::read:
        return run_.step(t.member, [&](const fleet::target&, pqxx::connection&, pg::applier& a, outcome& o) {
          o.now = a.current();
          behind(o);
          const auto plan = graph_.upgrade_plan(o.now, target_);
          remaining_[t.member] = std::set<std::string>(plan.begin(), plan.end());
        });
      case kind::check:
        return run_.step(t.member, [&](const fleet::target&, pqxx::connection& conn, pg::applier&, outcome&) {
          pqxx::read_transaction tx(conn);
          in_step = pg::tenants_behind(tx, graph_, graph_.at(t.revision), "").empty();
        });
      case kind::step:
        return run_.step(
            t.member,
            [&](const fleet::target&, pqxx::connection&, pg::applier& a, outcome& o) {
              // Where the member stands after it, from where its read (or last step) left it:
              // no second read of its bookkeeping on every step of the round.
              auto applied = graph_.applied(o.now);
              for (auto& id : a.upgrade(t.revision)) {
                applied.insert(id);
                o.applied.push_back(std::move(id));
              }
              o.now = graph_.heads_of(applied);
              behind(o);
            },
            t.checked);
    }
    return false;
  }

  // Under the lock: what a finished task means for its target and its group.
  void after(const task& t, bool ok, bool in_step) {
    if (!ok) {
      failed_ = true;
      if (first_failure_.empty()) first_failure_ = targets_[t.member].name;
      if (stop_on_error_) ready_.clear();
    }
    if (t.what == kind::whole) {
      run_.finish(t.member);
      return;
    }
    group_state& g = groups_[t.group];
    if (!ok && g.failed_by.empty()) g.failed_by = targets_[t.member].name;
    if (t.what == kind::step) remaining_[t.member].erase(t.revision);
    if (!ok) remaining_[t.member].clear();
    if (!ok || remaining_[t.member].empty()) run_.finish(t.member);
    if (--g.running > 0) return;
    if (!g.failed_by.empty() || (stop_on_error_ && failed_)) {
      hold(g, g.failed_by.empty() ? first_failure_ : g.failed_by);
      return;
    }
    if (t.what == kind::check) {  // in step: the members' runs need not check again; else they stop, each saying why
      queue_round(t.group, t.revision, in_step);
      return;
    }
    if (t.what == kind::step)
      round_done_(fmt::format("  {} tenant{} of {}'s database applied {} ({}/{} revisions)", round_size(g, t.revision),
                              round_size(g, t.revision) == 1 ? "" : "s", targets_[g.group.members.front()].name,
                              t.revision.substr(0, 12), g.next_round, g.rounds.size()));
    if (t.what == kind::read) {
      std::set<std::string> needed;
      for (std::size_t i : g.group.members) needed.insert(remaining_[i].begin(), remaining_[i].end());
      for (const auto& id : graph_.order())
        if (needed.contains(id)) g.rounds.push_back(id);
    }
    if (g.next_round == g.rounds.size()) return;  // every member at the target
    const std::string& revision = g.rounds[g.next_round++];
    if (pg::changes_shared_objects(graph_.at(revision), mapped_)) {
      const auto first = std::find_if(g.group.members.begin(), g.group.members.end(),
                                      [&](std::size_t i) { return remaining_[i].contains(revision); });
      g.running = 1;
      ready_.push_front({t.group, *first, kind::check, revision, false});
      return;
    }
    queue_round(t.group, revision, false);
  }

  // The round of `revision`: each member of the group that needs it applies it.
  void queue_round(std::size_t group, const std::string& revision, bool checked) {
    group_state& g = groups_[group];
    std::vector<task> round;
    for (std::size_t i : g.group.members)
      if (remaining_[i].contains(revision)) round.push_back({group, i, kind::step, revision, checked});
    g.running = round.size();
    ready_.insert(ready_.begin(), round.begin(), round.end());
  }

  // How many members of `g` applied `revision` in its round.
  std::size_t round_size(const group_state& g, const std::string& revision) const {
    return static_cast<std::size_t>(std::count_if(g.group.members.begin(), g.group.members.end(), [&](std::size_t i) {
      const auto& applied = run_.outcomes()[i].applied;
      return std::find(applied.begin(), applied.end(), revision) != applied.end();
    }));
  }

  // A stopped group: its members short of the target stay where they stand.
  void hold(group_state& g, const std::string& by) {
    for (std::size_t i : g.group.members) {
      if (remaining_[i].empty()) continue;
      remaining_[i].clear();
      outcome& o = run_.at(i);
      o.status = outcome::state::held;
      o.held_by = by;
      run_.finish(i);
    }
  }

  fleet_run& run_;
  const revision_graph& graph_;
  const std::vector<fleet::target>& targets_;
  std::string target_;
  std::function<void(const std::string&)> round_done_;
  pg::render_options mapped_;  // a tenant's mapping: which schemas are shared
  std::vector<std::set<std::string>> remaining_;  // by target: the revisions it still needs
  std::vector<group_state> groups_;
  std::deque<task> ready_;
  std::mutex mutex_;
  std::condition_variable changed_;
  std::size_t busy_ = 0;
  bool stop_on_error_ = false, failed_ = false;
  std::string first_failure_;
};

std::vector<fleet::target> targets_of(const context& ctx, const fleet_request& request) {
  const auto file = fleet::read_fleet(read_bytes(request.file), request.file);
  auto targets = resolve_targets(ctx, file, fleet::parse_labels(request.labels));
  if (targets.empty())
    throw error(fmt::format("{}: no target{}", request.file,
                            request.labels.empty() ? "" : " carries the labels " + fmt::format("{}", fmt::join(request.labels, ","))));
  return targets;
}

// "1 difference", "3 differences".
std::string differences_text(const live_comparison& c) {
  const auto n = c.difference_count();
  return fmt::format("{} difference{}", n, n == 1 ? "" : "s");
}

// One line per finished target: its state, what it did, how long; the counts so far.
class progress_lines {
 public:
  progress_lines(const context& ctx, const std::vector<fleet::target>& targets, fleet_command command)
      : ctx_(ctx), targets_(targets), command_(command), started_(clock_type::now()) {
    for (const auto& t : targets) width_ = std::max(width_, t.name.size());
  }

  // A line of its own between the targets' lines (text only).
  void note(const std::string& line) {
    const std::lock_guard lock(mutex_);
    if (!ctx_.json()) std::cout << line << "\n" << std::flush;
  }

  void finished(std::size_t i, const outcome& o) {
    const std::lock_guard lock(mutex_);
    ++finished_;
    if (o.status == outcome::state::failed) ++failed_;
    if (ctx_.json()) return;
    std::string what;
    if (o.status == outcome::state::failed) what = first_line(o.error.value("message", ""));
    else if (o.status == outcome::state::held) what = held_text(o);
    else if (command_ == fleet_command::upgrade) what = fmt::format("{} revision{} applied, now at {}", o.applied.size(), o.applied.size() == 1 ? "" : "s", position_text(o.now));
    else if (o.status == outcome::state::differs) what = fmt::format("{} at {}", differences_text(*o.verified), position_text(o.now));
    else what = fmt::format("at {}", position_text(o.now));
    const bool bad = o.status != outcome::state::ok;
    const auto status = ctx_.paint(state_name(o.status, command_), bad ? style::error : style::ok);
    std::cout << fmt::format("[{:>{}}/{}] {:<{}}  {}  {}  {:.2f} s  ({} done, {} failed, {:.1f} s elapsed)\n", finished_,
                             std::to_string(targets_.size()).size(), targets_.size(), targets_[i].name, width_, status,
                             what, o.seconds, finished_, failed_,
                             std::chrono::duration<double>(clock_type::now() - started_).count())
              << std::flush;
  }

 private:
  const context& ctx_;
  const std::vector<fleet::target>& targets_;
  fleet_command command_;
  clock_type::time_point started_;
  std::size_t width_ = 4;
  std::mutex mutex_;
  std::size_t finished_ = 0, failed_ = 0;
};

// How many targets stand at each position; unreadable targets apart.
std::map<revision_heads, std::size_t> skew_of(const std::vector<outcome>& outcomes) {
  std::map<revision_heads, std::size_t> out;
  for (const auto& o : outcomes)
    if (has_position(o)) ++out[o.now];
  return out;
}

json target_json(const fleet::target& t, const outcome& o, fleet_command command) {
  json j{{"name", t.name}, {"state", o.status == outcome::state::ok        ? "ok"
                                     : o.status == outcome::state::differs ? "differs"
                                     : o.status == outcome::state::failed  ? "failed"
                                     : o.status == outcome::state::held    ? "held"
                                                                           : "not_started"},
         {"labels", t.tags}, {"seconds", o.seconds}};
  if (!t.schema.empty()) j["schema"] = t.schema;
  if (o.status == outcome::state::held) j["held_by"] = o.held_by;
  if (has_position(o)) {
    j["current"] = o.now;
    j["behind"] = o.behind;
    if (command == fleet_command::upgrade) j["applied"] = o.applied;
  }
  if (o.verified) j["verify"] = comparison_json(*o.verified);
  if (o.status == outcome::state::failed) j["error"] = o.error;
  return j;
}

// The final report: a table, the skew, the failures with their errors; the exit code.
int report(const context& ctx, const revision_graph& graph, const std::vector<fleet::target>& targets,
           const std::vector<outcome>& outcomes, fleet_command command, const std::string& stopped,
           const std::function<void(json&, std::size_t)>& extra = {}) {
  const bool upgrading = command == fleet_command::upgrade, verifying = command == fleet_command::verify;
  const auto skew = skew_of(outcomes);
  std::size_t ok = 0, differ = 0, failed = 0, not_started = 0, held = 0;
  int code = exit_ok;
  for (const auto& o : outcomes) {
    if (o.status == outcome::state::ok) ++ok;
    if (o.status == outcome::state::differs) ++differ, code = std::max<int>(code, exit_drift);
    if (o.status == outcome::state::failed) ++failed, code = std::max(code, o.code);
    if (o.status == outcome::state::not_started) ++not_started;
    if (o.status == outcome::state::held) ++held;
  }
  const auto behind_of = [&](const revision_heads& now) { return graph.upgrade_plan(now, "heads").size(); };
  if (ctx.json()) {
    json rows = json::array();
    for (std::size_t i = 0; i < targets.size(); ++i) {
      rows.push_back(target_json(targets[i], outcomes[i], command));
      if (extra) extra(rows.back(), i);
    }
    json positions = json::array();
    for (const auto& [now, count] : skew)
      positions.push_back(json{{"current", now}, {"behind", behind_of(now)}, {"targets", count}});
    json summary{{"targets", targets.size()}, {"ok", ok}, {"failed", failed}, {"not_started", not_started},
                 {"head", graph.heads()}};
    if (verifying) summary["differ"] = differ;
    if (upgrading) summary["held"] = held;
    if (!stopped.empty()) summary["stopped"] = stopped;
    std::cout << json{{"targets", rows}, {"skew", positions}, {"summary", summary}}.dump(2) << "\n";
    return code;
  }
  std::size_t width = 6;
  for (const auto& t : targets) width = std::max(width, t.name.size());
  std::cout << fmt::format("\n{:<{}}  {:<11}  {:<12}  {:>6}  {:>8}  {}\n", "target", width, "state", "revision",
                           "behind", "seconds", upgrading ? "applied" : verifying ? "differences" : "");
  for (std::size_t i = 0; i < targets.size(); ++i) {
    const auto& o = outcomes[i];
    const bool has = has_position(o);
    std::cout << fmt::format("{:<{}}  {:<11}  {:<12}  {:>6}  {:>8.2f}  {}\n", targets[i].name, width,
                             state_name(o.status, command), has ? position_text(o.now) : "-",
                             has ? std::to_string(o.behind) : "-", o.seconds,
                             upgrading && has ? std::to_string(o.applied.size())
                             : o.verified     ? std::to_string(o.verified->difference_count())
                                              : "");
  }
  std::cout << fmt::format("\nVersion skew: {} position{} (head {})\n", skew.size(), skew.size() == 1 ? "" : "s",
                           position_text(graph.heads()));
  for (const auto& [now, count] : skew) {
    const auto behind = behind_of(now);
    std::cout << fmt::format("  {:<12}  {:>5} target{}  {}\n", position_text(now), count, count == 1 ? "" : "s",
                             behind == 0 ? "at head" : fmt::format("{} behind", behind));
  }
  std::cout << fmt::format("{} target{}: {} ok, {}{} failed, {}{} not started\n", targets.size(),
                           targets.size() == 1 ? "" : "s", ok, verifying ? fmt::format("{} differ, ", differ) : "",
                           failed, held > 0 ? fmt::format("{} held, ", held) : "", not_started);
  if (!stopped.empty()) std::cout << ctx.paint(stopped, style::error) << "\n";
  for (std::size_t i = 0; i < targets.size(); ++i)
    if (const auto& o = outcomes[i]; o.status == outcome::state::differs)
      print_differences(ctx, *o.verified,
                        fmt::format("{}: the database differs from the schema its migrations made at {} in {}:",
                                    targets[i].name, heads_text(o.now), differences_text(*o.verified)));
  for (std::size_t i = 0; i < targets.size(); ++i)
    if (outcomes[i].status == outcome::state::failed)
      std::cerr << ctx.paint("error: ", style::error) << targets[i].name << ": "
                << outcomes[i].error.value("message", "") << "\n";
  for (std::size_t i = 0; i < targets.size(); ++i)
    if (outcomes[i].status == outcome::state::held)
      std::cerr << ctx.paint("held: ", style::error) << targets[i].name << ": " << held_text(outcomes[i]) << "\n";
  return code;
}

// current and history: where each target stands (with its audit history), read in parallel.
std::vector<outcome> positions(const context& ctx, const revision_graph& graph, const std::vector<fleet::target>& targets,
                               int parallel, bool with_audit) {
  progress_lines lines(ctx, targets, fleet_command::read);
  fleet_run run(
      ctx, graph, targets, quiet_apply_options(ctx, false),
      [&](const fleet::target&, pqxx::connection&, pg::applier& a, outcome& o) {
        o.now = a.current();
        o.behind = graph.upgrade_plan(o.now, "heads").size();
        if (with_audit) o.audit = a.history();
      },
      [&](std::size_t i, const outcome& o) { lines.finished(i, o); });
  run.run(0, targets.size(), parallel, false);
  return run.outcomes();
}

}  // namespace

int fleet_upgrade(context& ctx, const fleet_request& request) {
  const auto& graph = ctx.graph();
  ctx.verify_sum();
  graph.require_no_conflicts();
  const auto targets = targets_of(ctx, request);
  progress_lines lines(ctx, targets, fleet_command::upgrade);
  fleet_run run(ctx, graph, targets, quiet_apply_options(ctx, request.accept_edited), {},
                [&](std::size_t i, const outcome& o) { lines.finished(i, o); });
  const auto groups = groups_of(targets, shares_schemas(graph));
  // The canaries: the first K targets, each with the other tenants of its database in lockstep.
  std::vector<std::size_t> canary_groups, other_groups;
  std::size_t canaries = 0;
  for (std::size_t g = 0; g < groups.size(); ++g) {
    const bool canary = std::any_of(groups[g].members.begin(), groups[g].members.end(),
                                    [&](std::size_t i) { return static_cast<long>(i) < request.canary; });
    (canary ? canary_groups : other_groups).push_back(g);
    if (canary) canaries += groups[g].members.size();
  }
  if (!ctx.json()) {
    std::cout << fmt::format("Upgrading {} target{} to {}, {} at a time{}\n", targets.size(),
                             targets.size() == 1 ? "" : "s", request.target, std::max(1, request.parallel),
                             canaries > 0 ? fmt::format(" (the first {} first, as canaries)", request.canary) : "");
    for (const auto& g : groups)
      if (g.lockstep)
        std::cout << fmt::format("The {} tenants of one database ({}, ...) move together, a revision at a time: the "
                                 "history has schemas they share\n",
                                 g.members.size(), targets[g.members.front()].name);
    if (canaries > static_cast<std::size_t>(std::max(0, request.canary)))
      std::cout << fmt::format("The canaries include the other tenants of their databases: {} targets first\n",
                               canaries);
  }
  upgrade_schedule schedule(run, graph, targets, request.target, [&](const std::string& line) { lines.note(line); });
  std::string stopped;
  if (!canary_groups.empty() && !schedule.run(groups, canary_groups, request.parallel, false)) {
    stopped = fmt::format("A canary failed: the other {} targets were not started.", targets.size() - canaries);
  } else if (!schedule.run(groups, other_groups, request.parallel, request.stop_on_error)) {
    if (request.stop_on_error)
      stopped = "Stopped at the first failure (--stop-on-error): targets not started were left as they were.";
  }
  return report(ctx, graph, targets, run.outcomes(), fleet_command::upgrade, stopped);
}

int fleet_current(context& ctx, const fleet_request& request) {
  const auto& graph = ctx.graph();
  const auto targets = targets_of(ctx, request);
  return report(ctx, graph, targets, positions(ctx, graph, targets, request.parallel, false), fleet_command::read, "");
}

int fleet_history(context& ctx, const fleet_request& request) {
  const auto& graph = ctx.graph();
  const auto targets = targets_of(ctx, request);
  const auto outcomes = positions(ctx, graph, targets, request.parallel, true);
  if (!ctx.json()) {
    std::cout << "\nLast step recorded on each target:\n";
    for (std::size_t i = 0; i < targets.size(); ++i) {
      const auto& o = outcomes[i];
      if (o.status != outcome::state::ok) continue;
      if (o.audit.empty()) {
        std::cout << fmt::format("  {}: nothing recorded\n", targets[i].name);
        continue;
      }
      const auto& h = o.audit.back();
      std::cout << fmt::format("  {}: {} {} at {} ({:.0f} ms, by {}); {} steps recorded\n", targets[i].name,
                               h.direction, h.revision.substr(0, 12), h.started_at, h.duration_ms, h.db_user,
                               o.audit.size());
    }
  }
  return report(ctx, graph, targets, outcomes, fleet_command::read, "", [&](json& row, std::size_t i) {
    json audit = json::array();
    for (const auto& h : outcomes[i].audit)
      if (request.audit || &h == &outcomes[i].audit.back())
        audit.push_back(json{{"revision", h.revision}, {"direction", h.direction}, {"started_at", h.started_at},
                             {"duration_ms", h.duration_ms}, {"db_user", h.db_user}});
    row["audit"] = audit;
  });
}

int fleet_verify(context& ctx, const fleet_request& request) {
  const auto& graph = ctx.graph();
  const auto targets = targets_of(ctx, request);
  progress_lines lines(ctx, targets, fleet_command::verify);
  fleet_run run(
      ctx, graph, targets, quiet_apply_options(ctx, false),
      [&](const fleet::target& t, pqxx::connection& conn, pg::applier& a, outcome& o) {
        o.now = a.current();
        o.behind = graph.upgrade_plan(o.now, "heads").size();
        o.verified = compare_live(conn, a, ctx, graph, o.now, t.schema);
        if (!o.verified->matches()) o.status = outcome::state::differs;
      },
      [&](std::size_t i, const outcome& o) { lines.finished(i, o); });
  run.run(0, targets.size(), request.parallel, false);
  return report(ctx, graph, targets, run.outcomes(), fleet_command::verify, "");
}

}  // namespace retort::cli
