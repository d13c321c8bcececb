// The offline history check: each revision's downgrade replayed over its upgrade's result,
// compared with the schema before it. One pass in graph order, keeping the schema after a
// revision only until its last child has used it, so a linear history costs one replay.
#include "retort/history_check.hpp"

#include <fmt/format.h>

#include <map>
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

// Equal as a database sees them: column order and the models' diff hints aside. Most tables
// are untouched and equal as they are; only the others are normalized, one at a time.
bool same_schema(const schema& a, const schema& b) {
  if (a.schemas != b.schemas || a.enums != b.enums || a.tables.size() != b.tables.size()) return false;
  for (std::size_t i = 0; i < a.tables.size(); ++i)
    if (a.tables[i] != b.tables[i] &&
        comparable(schema{{}, {}, {a.tables[i]}}) != comparable(schema{{}, {}, {b.tables[i]}}))
      return false;
  return true;
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

// Replays r's downgrade over `s` (the result of its upgrade, left changed) and compares with `before`.
std::optional<std::string> downgrade_problem(const revision& r, schema& s, const schema& before) {
  for (std::size_t i = 0; i < r.downgrade.size(); ++i) {
    try {
      replay(s, r.downgrade[i]);
    } catch (const error& e) {
      return fmt::format("downgrade[{}] {} does not apply over its upgrade's result: {}", i,
                         ops::describe(r.downgrade[i]), e.what());
    }
  }
  if (s == before || same_schema(s, before)) return std::nullopt;
  return fmt::format("its downgrade does not restore the schema before it:{}", differences(s, before));
}

}  // namespace

const ops::sql* irreversible_step(const revision& r) {
  for (const auto& op : r.upgrade)
    if (const auto* step = std::get_if<ops::sql>(&op); step && !step->down) return step;
  return nullptr;
}

std::vector<history_problem> verify_downgrades(const revision_graph& graph) {
  std::map<std::string, int> children_left;
  for (const auto& id : graph.order())
    for (const auto& p : graph.at(id).parents) ++children_left[p];

  std::vector<history_problem> problems;
  std::map<std::string, schema> after;  // of revisions whose children are still to come
  for (const auto& id : graph.order()) {
    const revision& r = graph.at(id);
    schema s;
    if (r.parents.size() > 1) {
      s = graph.schema_at(r.parents);
    } else if (r.parents.size() == 1) {
      auto it = after.find(r.parents.front());
      if (--children_left[it->first] > 0) s = it->second;  // its siblings need it too
      else s = std::move(it->second), after.erase(it);
    }
    for (const auto& p : r.parents)
      if (r.parents.size() > 1 && --children_left[p] == 0) after.erase(p);

    schema before = s;  // the one copy per revision
    s = replay(std::move(s), r.upgrade);  // the graph replayed it already: it applies
    auto problem = unmarked_sql_step(r);
    if (!problem && !irreversible_step(r)) {  // an irreversible revision is never downgraded
      problem = downgrade_problem(r, s, before);
      s = replay(std::move(before), r.upgrade);  // back to the upgrade's result, without a copy
    }
    if (problem) problems.push_back({r.id, r.file, *problem});
    if (children_left[id] > 0) after.emplace(id, std::move(s));
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
