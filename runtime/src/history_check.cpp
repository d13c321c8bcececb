// The offline history check: each revision's downgrade replayed over its upgrade's result,
// compared with the schema before it. One pass in graph order, keeping the schema after a
// revision only until its last child has used it, so a linear history costs one replay.
#include "retort/history_check.hpp"

#include <fmt/format.h>

#include <concepts>
#include <functional>
#include <map>
#include <set>
#include <type_traits>
#include <optional>
#include <variant>

#include "retort/diff.hpp"
#include "retort/errors.hpp"
#include "retort/replay.hpp"

namespace retort {

namespace {

std::string first_line(const std::string& text) { return text.substr(0, text.find('\n')); }

// What the downgrade leaves different, as the operations that would still be needed.
std::string differences(const schema& after_downgrade, const schema& before) {
  std::string out;
  for (const auto& op : diff(after_downgrade, before, {.require_backfill = false}))
    out += fmt::format("\n    still needed to restore it: {}", ops::describe(op));
  return out;
}

std::optional<std::string> unmarked_sql_step(const revision& r) {
  for (std::size_t i = 0; i < r.upgrade.size(); ++i) {
    const auto* step = std::get_if<ops::sql>(&r.upgrade[i]);
    if (step && !step->down && !step->irreversible)
      return fmt::format("upgrade[{}] is an sql step with no \"down\" ({}): write its \"down\", or mark it "
                         "\"irreversible\": \"<reason>\" if it cannot be undone",
                         i, first_line(step->up));
  }
  return std::nullopt;
}

// The tables a revision's operations name: the only ones its upgrade and downgrade change.
std::set<qualified_name> touched_tables(const revision& r) {
  std::set<qualified_name> out = ops::tables_named(r.upgrade);
  out.merge(ops::tables_named(r.downgrade));
  return out;
}

// What a downgrade must give back: the namespaces, the enums, the number of tables and a copy of
// each table the revision names (not the whole schema: a history of thousands of tables is
// checked revision by revision).
struct restore_point {
  std::vector<std::string> schemas;
  std::vector<enum_type> enums;
  std::size_t tables = 0;
  std::map<qualified_name, std::optional<table>> named;
  std::vector<view> views;  ///< all of them: a history holds few
  std::vector<sequence> sequences = {};  // few in any schema: copied whole
  std::vector<sql_object> sql_objects;  ///< few, and compared whole

  restore_point(const schema& s, const std::set<qualified_name>& touched)
      : schemas(s.schemas),
        enums(s.enums),
        tables(s.tables.size()),
        views(s.views),
        sequences(s.sequences),
        sql_objects(s.sql_objects) {
    for (const auto& n : touched) {
      const table* t = find_table(s, n);
      named.emplace(n, t ? std::optional<table>(*t) : std::nullopt);
    }
  }

  [[nodiscard]] bool restored_in(const schema& s) const {
    if (s.schemas != schemas || s.enums != enums || s.tables.size() != tables || s.views != views ||
        s.sequences != sequences || s.sql_objects != sql_objects)
      return false;
    for (const auto& [n, t] : named) {
      const table* now = find_table(s, n);
      if (!now || !t) {
        if (bool(now) != bool(t)) return false;
        continue;
      }
      if (*now != *t && !comparable_equal(*now, *t)) return false;
    }
    return true;
  }
};

// Replays r's downgrade over `s` (at the result of its upgrade, left changed), through `hook`
// when there is one, and checks that it gives back `before`; `parents` (the schema before r) and
// `after` (the schema after it) are replayed only to describe a failure.
std::optional<std::string> downgrade_problem(const revision& r, replayer& s, const restore_point& before,
                                             const std::function<void(const revision&, replayer&)>& hook,
                                             const std::function<schema()>& parents,
                                             const std::function<schema()>& after) {
  const auto failed_operation = [&](std::size_t i, const error& e) {
    return fmt::format("downgrade[{}] {} does not apply over its upgrade's result: {}", i,
                       ops::describe(r.downgrade[i]), e.what());
  };
  if (hook) {
    try {
      hook(r, s);
    } catch (const error& e) {
      // Which operation: replayed again one by one from the upgrade's result.
      replayer probe(after());
      for (std::size_t i = 0; i < r.downgrade.size(); ++i) {
        try {
          probe.apply(r.downgrade[i]);
        } catch (const error& failed) {
          return failed_operation(i, failed);
        }
      }
      return fmt::format("its downgrade does not render: {}", e.what());
    }
  } else {
    for (std::size_t i = 0; i < r.downgrade.size(); ++i) {
      try {
        s.apply(r.downgrade[i]);
      } catch (const error& e) {
        return failed_operation(i, e);
      }
    }
  }
  if (before.restored_in(s.state())) return std::nullopt;
  return fmt::format("its downgrade does not restore the schema before it:{}", differences(s.state(), parents()));
}

}  // namespace

const ops::sql* irreversible_step(const revision& r) {
  for (const auto& op : r.upgrade)
    if (const auto* step = std::get_if<ops::sql>(&op); step && !step->down) return step;
  return nullptr;
}

std::vector<history_problem> verify_downgrades(const revision_graph& graph, const history_walk& walk) {
  std::map<std::string, int> children_left;
  for (const auto& id : graph.order())
    for (const auto& p : graph.at(id).parents) ++children_left[p];

  std::vector<history_problem> problems;
  // The replay after each revision whose children are still to come: a linear history moves one
  // replayer (and its name indexes) from revision to revision.
  std::map<std::string, replayer> after;
  for (const auto& id : graph.order()) {
    const revision& r = graph.at(id);
    replayer rp;
    if (r.parents.size() > 1) {
      rp = replayer(graph.schema_at(r.parents));
    } else if (r.parents.size() == 1) {
      auto it = after.find(r.parents.front());
      if (--children_left[it->first] > 0) rp = it->second;  // its siblings need it too
      else rp = std::move(it->second), after.erase(it);
    }
    for (const auto& p : r.parents)
      if (r.parents.size() > 1 && --children_left[p] == 0) after.erase(p);

    const restore_point before(rp.state(), touched_tables(r));
    if (walk.upgrade) walk.upgrade(r, rp);
    else
      for (const auto& op : r.upgrade) rp.apply(op);
    auto problem = unmarked_sql_step(r);
    if (!problem && !irreversible_step(r)) {  // an irreversible revision is never downgraded
      problem = downgrade_problem(
          r, rp, before, walk.downgrade, [&] { return graph.schema_at(r.parents); },
          [&] { return graph.schema_at({r.id}); });
      // Back to the upgrade's result: over the restored schema, or from the history if the
      // downgrade left something else.
      if (problem) rp = replayer(graph.schema_at({r.id}));
      else
        for (const auto& op : r.upgrade) rp.apply(op);
    } else if (walk.downgrade) {
      replayer copy = rp;  // never downgraded by the check: the hook's own replay, aside
      walk.downgrade(r, copy);
    }
    if (problem) problems.push_back({r.id, r.file, *problem});
    if (children_left[id] > 0) after.emplace(id, std::move(rp));
    else if (walk.head && id == graph.order().back() && graph.heads().size() == 1) *walk.head = std::move(rp).take();
  }
  return problems;
}

void require_reversible(const revision_graph& graph, const std::vector<std::string>& downgrade_ids) {
  for (const auto& id : downgrade_ids) {
    const revision& r = graph.at(id);
    const ops::sql* step = irreversible_step(r);
    if (!step) continue;
    throw error(fmt::format("revision {} ({}) cannot be undone: its sql step \"{}\" is irreversible ({}). "
                            "Nothing was run; downgrade to a revision after it, or restore a backup",
                            r.id, r.file.empty() ? "built in memory" : r.file, first_line(step->up),
                            step->irreversible.value_or("it has no \"down\"")));
  }
}

}  // namespace retort
