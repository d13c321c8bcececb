// The revision graph: validates a history (ids, parents, cycles, conflicting branches),
// orders it, resolves names, plans upgrades and downgrades, and replays schemas.
#include "retort/revision_graph.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <optional>
#include <utility>
#include <variant>

#include "retort/errors.hpp"
#include "retort/ops.hpp"
#include "retort/replay.hpp"

namespace retort {

namespace {

// What a message calls a revision: its file, or its id when it was built in memory.
std::string label(const revision& r) { return r.file.empty() ? r.id : r.file; }

std::string quoted_list(const std::vector<std::string>& names) {
  std::vector<std::string> quoted;
  quoted.reserve(names.size());
  for (const auto& n : names) quoted.push_back(fmt::format("'{}'", n));
  return fmt::format("{}", fmt::join(quoted, ", "));
}

// ---------------------------------------------------------------------------------------
// Conflict detection. Each operation touches objects, identified by a typed key; a touch is
// exclusive when the operation redefines the object (create, drop, rename, alter it) and
// shared when it only needs the object to stay as it is (adding a column needs its table).
// Two branches conflict on an object both touch when at least one touch is exclusive.

enum class object_kind { schema, extension, enum_type, table, column, constraint_or_index, row_security, policy, sequence, sql_object };

struct object_key {
  object_kind kind;
  std::string name;
  friend auto operator<=>(const object_key&, const object_key&) = default;
};

std::string to_string(const object_key& k) {
  switch (k.kind) {
    case object_kind::schema:
      return "schema " + k.name;
    case object_kind::extension:
      return "extension " + k.name;
    case object_kind::enum_type:
      return "enum " + k.name;
    case object_kind::table:
      return "table " + k.name;
    case object_kind::column:
      return "column " + k.name;
    case object_kind::constraint_or_index:
      return "constraint/index " + k.name;
    case object_kind::row_security:
      return "row-level security of table " + k.name;
    case object_kind::policy:
      return "policy " + k.name;
    case object_kind::sequence:
      return "sequence " + k.name;
    case object_kind::sql_object:
      return k.name;
  }
  return k.name;
}

struct touch {
  object_key key;
  bool exclusive;
};

object_key table_key(const qualified_name& t) { return {object_kind::table, to_string(t)}; }
object_key column_key(const qualified_name& t, std::string_view column) {
  return {object_kind::column, fmt::format("{}.{}", to_string(t), column)};
}
// Index names share one namespace per schema with tables and the indexes behind primary
// keys and unique constraints, so constraint and index names are keyed per schema.
object_key named_key(const qualified_name& t, std::string_view name) {
  return {object_kind::constraint_or_index, fmt::format("{}.{}", t.schema, name)};
}

// One overload per operation family: a new operation kind without a rule fails to compile.
struct touches_of {
  std::vector<touch>& out;

  void on_schema(const std::string& name) { out.push_back({{object_kind::schema, name}, true}); }
  void on_extension(const std::string& name) { out.push_back({{object_kind::extension, name}, true}); }
  void on_enum(const qualified_name& e) { out.push_back({{object_kind::enum_type, to_string(e)}, true}); }
  void on_table(const qualified_name& t) { out.push_back({table_key(t), true}); }
  void on_column(const qualified_name& t, std::string_view c) {
    out.push_back({table_key(t), false});
    out.push_back({column_key(t, c), true});
  }
  void on_named(const qualified_name& t, std::string_view name) {
    out.push_back({table_key(t), false});
    out.push_back({named_key(t, name), true});
  }

  void operator()(const ops::create_schema& o) { on_schema(o.name); }
  void operator()(const ops::drop_schema& o) { on_schema(o.name); }

  void operator()(const ops::create_extension& o) { on_extension(o.def.name); }
  void operator()(const ops::drop_extension& o) { on_extension(o.def.name); }
  void operator()(const ops::alter_extension& o) { on_extension(o.to.name); }

  void operator()(const ops::create_enum& o) { on_enum(o.type.name); }
  void operator()(const ops::drop_enum& o) { on_enum(o.type.name); }
  void operator()(const ops::add_enum_value& o) { on_enum(o.type); }
  void operator()(const ops::drop_enum_value& o) { on_enum(o.type); }
  void operator()(const ops::rename_enum_value& o) { on_enum(o.type); }

  void operator()(const ops::create_table& o) { on_table(o.def.name); }
  void operator()(const ops::drop_table& o) { on_table(o.def.name); }
  void operator()(const ops::rename_table& o) {
    on_table(o.from);
    on_table(o.to);
  }
  void operator()(const ops::set_table_comment& o) { on_table(o.table); }

  void operator()(const ops::add_column& o) { on_column(o.table, o.def.name); }
  void operator()(const ops::drop_column& o) { on_column(o.table, o.def.name); }
  void operator()(const ops::rename_column& o) {
    on_column(o.table, o.from);
    on_column(o.table, o.to);
  }
  void operator()(const ops::alter_column& o) {
    on_column(o.table, o.from.name);
    if (o.to.name != o.from.name) on_column(o.table, o.to.name);
  }
  void operator()(const ops::backfill_column& o) { on_column(o.table, o.column); }

  void operator()(const ops::add_primary_key& o) { on_named(o.table, o.def.name); }
  void operator()(const ops::drop_primary_key& o) { on_named(o.table, o.def.name); }
  void operator()(const ops::add_unique& o) { on_named(o.table, o.def.name); }
  void operator()(const ops::drop_unique& o) { on_named(o.table, o.def.name); }
  void operator()(const ops::add_check& o) { on_named(o.table, o.def.name); }
  void operator()(const ops::drop_check& o) { on_named(o.table, o.def.name); }
  void operator()(const ops::create_index& o) { on_named(o.table, o.def.name); }
  void operator()(const ops::drop_index& o) { on_named(o.table, o.def.name); }
  // A foreign key also needs the table it references to stay (dropped or renamed elsewhere
  // it would dangle).
  void operator()(const ops::add_foreign_key& o) {
    on_named(o.table, o.def.name);
    out.push_back({table_key(o.def.ref_table), false});
  }
  void operator()(const ops::drop_foreign_key& o) {
    on_named(o.table, o.def.name);
    out.push_back({table_key(o.def.ref_table), false});
  }
  void operator()(const ops::rename_index& o) {
    on_named(o.table, o.from);
    on_named(o.table, o.to);
  }
  void operator()(const ops::rename_constraint& o) {
    on_named(o.table, o.from);
    on_named(o.table, o.to);
  }

  // A view shares the tables' namespace; it needs what it reads to stay as it is.
  void on_view(const view& v) {
    on_table(v.name);
    for (const qualified_name& r : v.reads) out.push_back({table_key(r), false});
  }
  void operator()(const ops::create_view& o) { on_view(o.def); }
  void operator()(const ops::drop_view& o) { on_view(o.def); }
  void operator()(const ops::replace_view& o) { on_view(o.to); }

  void operator()(const ops::add_exclusion& o) { on_named(o.table, o.def.name); }
  void operator()(const ops::drop_exclusion& o) { on_named(o.table, o.def.name); }
  // Row-level security and policies are the table's own, by table (policy names are per table).
  void operator()(const ops::set_row_level_security& o) {
    out.push_back({table_key(o.table), false});
    out.push_back({{object_kind::row_security, to_string(o.table)}, true});
  }
  void on_policy(const qualified_name& t, std::string_view name) {
    out.push_back({table_key(t), false});
    out.push_back({{object_kind::policy, fmt::format("{}.{}", to_string(t), name)}, true});
  }
  void operator()(const ops::create_policy& o) { on_policy(o.table, o.def.name); }
  void operator()(const ops::drop_policy& o) { on_policy(o.table, o.def.name); }
  void operator()(const ops::alter_policy& o) { on_policy(o.table, o.to.name); }

  // A hand-written step is opaque: it touches nothing Retort can see.
  void operator()(const ops::sql&) {}
  void operator()(const ops::cpp&) {}

  // A sequence's owner column must stay while the sequence names it.
  void on_sequence(const sequence& q) {
    out.push_back({{object_kind::sequence, to_string(q.name)}, true});
    if (q.owned_by) out.push_back({column_key({q.name.schema, q.owned_by->table}, q.owned_by->column), false});
  }
  void operator()(const ops::create_sequence& o) { on_sequence(o.def); }
  void operator()(const ops::drop_sequence& o) { on_sequence(o.def); }
  void operator()(const ops::alter_sequence& o) {
    on_sequence(o.from);
    on_sequence(o.to);
  }

  // A trigger needs its table to stay as it is.
  void on_sql_object(const sql_object& o) {
    out.push_back({{object_kind::sql_object, to_string(o)}, true});
    if (o.kind == sql_object_kind::trigger) out.push_back({table_key(o.table), false});
  }
  void operator()(const ops::create_sql_object& o) { on_sql_object(o.def); }
  void operator()(const ops::drop_sql_object& o) { on_sql_object(o.def); }
  void operator()(const ops::replace_sql_object& o) { on_sql_object(o.to); }
};

// How one branch touches an object: exclusively or not, and the first revision doing so
// (first exclusive toucher when there is one, so the message names the culprit).
struct branch_touch {
  bool exclusive = false;
  std::string revision;
};

using branch_touches = std::map<object_key, branch_touch>;

// What the revisions in `mine` but not in `theirs` touch: one side's work since two branches forked.
branch_touches touches_since_fork(const revision_graph& g, const std::set<std::string>& mine,
                                  const std::set<std::string>& theirs) {
  branch_touches result;
  for (const auto& id : g.order()) {
    if (!mine.contains(id) || theirs.contains(id)) continue;
    std::vector<touch> found;
    for (const auto& op : g.at(id).upgrade) std::visit(touches_of{found}, op);
    for (const auto& t : found) {
      auto [it, inserted] = result.try_emplace(t.key, branch_touch{t.exclusive, id});
      if (!inserted && t.exclusive && !it->second.exclusive) it->second = {true, id};
    }
  }
  return result;
}

// Every object two of the branches ending at `tips` both change, as a message naming both
// revisions; `where` says what joins them ("merged by <file>", "heads a, b").
void check_branches(const revision_graph& g, const std::vector<std::string>& tips, const std::string& where,
                    std::vector<std::string>& out) {
  std::vector<std::set<std::string>> ancestries;
  for (const auto& t : tips) ancestries.push_back(g.ancestry(t));
  for (std::size_t i = 0; i < tips.size(); ++i) {
    for (std::size_t j = i + 1; j < tips.size(); ++j) {
      // Pairwise, so work shared by some but not all branches never conflicts with itself.
      const auto left = touches_since_fork(g, ancestries[i], ancestries[j]);
      const auto right = touches_since_fork(g, ancestries[j], ancestries[i]);
      for (const auto& [key, l] : left) {
        auto r = right.find(key);
        if (r == right.end() || !(l.exclusive || r->second.exclusive)) continue;
        out.push_back(fmt::format("conflict: {} and {} both change {} ({})", label(g.at(l.revision)),
                                  label(g.at(r->second.revision)), to_string(key), where));
      }
    }
  }
}

// Conflicts: at each merge, between its parents' branches; then between the heads, which a
// future merge would join.
std::vector<std::string> find_conflicts(const revision_graph& g) {
  std::vector<std::string> out;
  for (const auto& id : g.order()) {
    const auto& r = g.at(id);
    std::set<std::string> distinct(r.parents.begin(), r.parents.end());
    if (distinct.size() > 1)
      check_branches(g, std::vector<std::string>(distinct.begin(), distinct.end()), "merged by " + label(r), out);
  }
  if (auto tips = g.heads(); tips.size() > 1)
    check_branches(g, tips, fmt::format("heads {}", fmt::join(tips, ", ")), out);
  return out;
}

using revision_map = std::map<std::string, revision, std::less<>>;
using children_map = std::map<std::string, std::vector<std::string>, std::less<>>;

// Names the revisions on one cycle among `stuck` (revisions Kahn's algorithm could not place).
// Each of them has a stuck parent, so walking up parents must come back to one already seen.
std::string describe_cycle(const revision_map& revisions, const std::set<std::string>& stuck) {
  std::string at_id = *stuck.begin();
  std::vector<std::string> path;
  while (std::find(path.begin(), path.end(), at_id) == path.end()) {
    path.push_back(at_id);
    std::vector<std::string> stuck_parents;
    for (const auto& p : revisions.find(at_id)->second.parents)
      if (stuck.contains(p)) stuck_parents.push_back(p);
    at_id = *std::min_element(stuck_parents.begin(), stuck_parents.end());
  }
  std::vector<std::string> loop(std::find(path.begin(), path.end(), at_id), path.end());
  std::reverse(loop.begin(), loop.end());  // parents first, the way history reads
  std::rotate(loop.begin(), std::min_element(loop.begin(), loop.end()), loop.end());
  loop.push_back(loop.front());
  std::vector<std::string> labels;
  for (const auto& id : loop) labels.push_back(label(revisions.find(id)->second));
  return fmt::format("{}", fmt::join(labels, " -> "));
}

// Kahn's algorithm; the ready set is ordered by (created, id) so the order never depends on
// the order of the input vector. Throws graph_error(cycle).
std::vector<std::string> topological_order(const revision_map& revisions, const children_map& children) {
  std::map<std::string, std::size_t, std::less<>> waiting;  // id -> parents not yet placed
  std::set<std::pair<std::string, std::string>> ready;      // (created, id)
  for (const auto& [id, r] : revisions) {
    const std::set<std::string> distinct(r.parents.begin(), r.parents.end());
    waiting[id] = distinct.size();
    if (distinct.empty()) ready.emplace(r.created, id);
  }
  std::vector<std::string> order;
  order.reserve(revisions.size());
  while (!ready.empty()) {
    auto next = ready.extract(ready.begin()).value().second;
    for (const auto& child : children.find(next)->second)
      if (--waiting[child] == 0) ready.emplace(revisions.find(child)->second.created, child);
    order.push_back(std::move(next));
  }
  if (order.size() != revisions.size()) {
    std::set<std::string> stuck;
    for (const auto& [id, n] : waiting)
      if (n > 0) stuck.insert(id);
    throw graph_error(graph_error::kind::cycle,
                      fmt::format("cycle in revision parents: {}", describe_cycle(revisions, stuck)));
  }
  return order;
}

// Parses the N of "+N"/"-N": a positive decimal integer, nothing else.
std::optional<std::size_t> parse_count(std::string_view digits) {
  if (digits.empty() || !std::all_of(digits.begin(), digits.end(), [](char c) { return c >= '0' && c <= '9'; }))
    return std::nullopt;
  std::size_t n = 0;
  auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), n);
  if (ec != std::errc{} || end != digits.data() + digits.size() || n == 0) return std::nullopt;
  return n;
}

}  // namespace

revision_graph::revision_graph(std::vector<revision> revisions) {
  for (auto& r : revisions) {
    auto existing = revisions_.find(r.id);
    if (existing != revisions_.end())
      throw graph_error(graph_error::kind::duplicate_id, fmt::format("duplicate revision id '{}' in {} and {}", r.id,
                                                                     label(existing->second), label(r)));
    std::string id = r.id;
    revisions_.emplace(std::move(id), std::move(r));
  }

  for (const auto& [id, r] : revisions_) children_[id];
  for (const auto& [id, r] : revisions_) {
    for (const auto& p : r.parents) {
      auto parent = children_.find(p);
      if (parent == children_.end())
        throw graph_error(graph_error::kind::missing_parent,
                          fmt::format("{}: parent revision '{}' does not exist", label(r), p));
      if (std::find(parent->second.begin(), parent->second.end(), id) == parent->second.end())
        parent->second.push_back(id);
    }
  }
  for (auto& [id, kids] : children_) std::sort(kids.begin(), kids.end());
  for (const auto& [id, r] : revisions_)
    for (const auto& old : r.replaces) {
      if (contains(old))
        throw graph_error(graph_error::kind::duplicate_id,
                          fmt::format("{} replaces revision '{}', whose file {} is still there: a squash stands for "
                                      "the revisions it replaces, so delete that file (`retort squash` does)",
                                      label(r), old, at(old).file));
      if (auto [at, added] = replaced_by_.emplace(old, id); !added)
        throw graph_error(graph_error::kind::duplicate_id,
                          fmt::format("revision '{}' is replaced both by {} and by {}", old, label(this->at(at->second)),
                                      label(r)));
    }

  order_ = topological_order(revisions_, children_);
  conflicts_ = find_conflicts(*this);
}

void revision_graph::require_no_conflicts() const {
  if (conflicts_.empty()) return;
  throw graph_error(graph_error::kind::conflict,
                    fmt::format("{}\nResolve it as a merge conflict before applying or extending the history: keep one "
                                "branch's revision, move the other on top of it (its parents: the first branch's "
                                "head) and regenerate it from the models with `retort revision`.",
                                fmt::join(conflicts_, "\n")));
}

const revision& revision_graph::at(std::string_view id) const {
  auto it = revisions_.find(id);
  if (it == revisions_.end())
    throw graph_error(graph_error::kind::unknown_revision, fmt::format("unknown revision '{}'", id));
  return it->second;
}

bool revision_graph::contains(std::string_view id) const { return revisions_.find(id) != revisions_.end(); }

const revision* revision_graph::replaced_by(std::string_view id) const {
  auto it = replaced_by_.find(id);
  return it == replaced_by_.end() ? nullptr : &at(it->second);
}

std::vector<std::string> revision_graph::heads() const {
  std::vector<std::string> result;
  for (const auto& [id, kids] : children_)
    if (kids.empty()) result.push_back(id);
  return result;  // children_ is a map: already sorted by id
}

std::vector<std::string> revision_graph::bases() const {
  std::vector<std::string> result;
  for (const auto& [id, r] : revisions_)
    if (r.parents.empty()) result.push_back(id);
  return result;
}

std::set<std::string> revision_graph::ancestry(std::string_view id) const {
  std::set<std::string> seen;
  std::vector<const revision*> stack{&at(id)};
  seen.insert(stack.back()->id);
  while (!stack.empty()) {
    const revision* r = stack.back();
    stack.pop_back();
    for (const auto& p : r->parents)
      if (seen.insert(p).second) stack.push_back(&revisions_.find(p)->second);
  }
  return seen;
}

std::set<std::string> revision_graph::applied(const revision_heads& heads) const {
  std::set<std::string> result;
  for (const auto& h : heads) {
    if (result.contains(h)) continue;
    result.merge(ancestry(h));
  }
  return result;
}

revision_heads revision_graph::heads_of(const std::set<std::string>& applied) const {
  revision_heads result;
  for (const auto& id : applied) {
    auto kids = children_.find(id);
    if (kids == children_.end())
      throw graph_error(graph_error::kind::unknown_revision, fmt::format("unknown revision '{}'", id));
    if (std::none_of(kids->second.begin(), kids->second.end(),
                     [&](const std::string& k) { return applied.contains(k); }))
      result.push_back(id);
  }
  return result;
}

std::string revision_graph::resolve(std::string_view name) const {
  if (contains(name)) return std::string(name);
  if (name == "head") {
    auto tips = heads();
    if (tips.empty()) throw graph_error(graph_error::kind::no_revisions, "'head': there are no revisions");
    if (tips.size() > 1)
      throw graph_error(
          graph_error::kind::multiple_heads,
          fmt::format("'head' is ambiguous: multiple heads {}; name one, or merge them", quoted_list(tips)));
    return tips.front();
  }
  // "base" is a position, not a revision; only the plans understand it. Without this, a
  // revision id starting with "base" would match it as a prefix.
  if (name == "base")
    throw graph_error(graph_error::kind::unknown_revision, "'base' is not a revision (it is the empty history)");
  constexpr std::size_t min_prefix = 4;
  if (name.empty()) throw graph_error(graph_error::kind::unknown_revision, "unknown revision ''");
  std::vector<std::string> candidates;
  for (auto it = revisions_.lower_bound(name); it != revisions_.end() && it->first.starts_with(name); ++it)
    candidates.push_back(it->first);
  // A short prefix could match a revision added later, so it is never taken, but the error
  // says what would be enough and which revisions it matches now.
  if (name.size() < min_prefix)
    throw graph_error(graph_error::kind::unknown_revision,
                      fmt::format("revision prefix '{}' is too short: give at least {} characters of the id{}", name,
                                  min_prefix,
                                  candidates.empty() ? std::string(" (no revision starts with it)")
                                                     : fmt::format(" (it matches {})", quoted_list(candidates))));
  if (candidates.size() == 1) return candidates.front();
  if (candidates.size() > 1)
    throw graph_error(graph_error::kind::ambiguous_revision,
                      fmt::format("revision prefix '{}' is ambiguous: {}; give more characters", name,
                                  quoted_list(candidates)));
  if (const revision* squash = replaced_by(name))
    throw graph_error(graph_error::kind::unknown_revision,
                      fmt::format("revision '{}' was squashed into {}: name that one", name, label(*squash)));
  throw graph_error(graph_error::kind::unknown_revision, fmt::format("unknown revision '{}'", name));
}

std::vector<std::string> revision_graph::upgrade_plan(const revision_heads& current, std::string_view target) const {
  const auto done = applied(current);
  auto pending = [&](const std::set<std::string>* within) {
    std::vector<std::string> plan;
    for (const auto& id : order_)
      if (!done.contains(id) && (within == nullptr || within->contains(id))) plan.push_back(id);
    return plan;
  };

  if (target == "heads") return pending(nullptr);
  if (target == "head") {
    if (auto tips = heads(); tips.size() > 1)
      throw graph_error(graph_error::kind::multiple_heads,
                        fmt::format("cannot upgrade to 'head': multiple heads {}; name one, use 'heads', or merge them",
                                    quoted_list(tips)));
    return pending(nullptr);
  }
  if (target.starts_with('+')) {
    auto n = parse_count(target.substr(1));
    if (!n)
      throw graph_error(graph_error::kind::unknown_revision,
                        fmt::format("bad relative target '{}': expected +N with N a positive integer", target));
    auto plan = pending(nullptr);
    if (plan.size() < *n)
      throw graph_error(graph_error::kind::unknown_revision,
                        fmt::format("cannot upgrade {}: only {} revision(s) left to apply", target, plan.size()));
    plan.resize(*n);
    return plan;
  }
  const auto wanted = ancestry(resolve(target));
  return pending(&wanted);
}

std::vector<std::string> revision_graph::downgrade_plan(const revision_heads& current, std::string_view target) const {
  const auto done = applied(current);
  auto undo = [&](const std::set<std::string>* keep) {
    std::vector<std::string> plan;
    for (auto it = order_.rbegin(); it != order_.rend(); ++it)
      if (done.contains(*it) && (keep == nullptr || !keep->contains(*it))) plan.push_back(*it);
    return plan;
  };

  if (target == "base") return undo(nullptr);
  if (target.starts_with('-')) {
    auto n = parse_count(target.substr(1));
    if (!n)
      throw graph_error(graph_error::kind::unknown_revision,
                        fmt::format("bad relative target '{}': expected -N with N a positive integer", target));
    // The last N of a topological order can go: what stays is still closed under parents.
    auto plan = undo(nullptr);
    if (plan.size() < *n)
      throw graph_error(graph_error::kind::unknown_revision,
                        fmt::format("cannot downgrade {}: only {} revision(s) applied", target, plan.size()));
    plan.resize(*n);
    return plan;
  }
  const auto id = resolve(target);
  if (!done.contains(id))
    throw graph_error(graph_error::kind::unknown_revision,
                      fmt::format("cannot downgrade to '{}': revision {} is not applied", target, label(at(id))));
  const auto keep = ancestry(id);
  return undo(&keep);
}

schema revision_graph::schema_at(const revision_heads& heads) const {
  const auto done = applied(heads);
  replayer s;
  for (const auto& id : order_) {
    if (!done.contains(id)) continue;
    const auto& r = revisions_.find(id)->second;
    for (std::size_t i = 0; i < r.upgrade.size(); ++i) {
      try {
        s.apply(r.upgrade[i]);
      } catch (const replay_error& e) {
        throw replay_error(fmt::format("{}: upgrade[{}] {}: {}", label(r), i, ops::describe(r.upgrade[i]), e.what()));
      }
    }
  }
  return std::move(s).take();
}

}  // namespace retort
