// Lookups and canonical ordering for the schema model.
#include "retort/schema.hpp"

#include <algorithm>
#include <tuple>

#include <fmt/format.h>

namespace retort {

std::string to_string(const qualified_name& q) { return q.schema + "." + q.name; }

namespace {
template <class Range, class Key>
auto find_by(Range& range, const Key& key, auto project) -> decltype(&*range.begin()) {
  auto it = std::find_if(range.begin(), range.end(), [&](const auto& x) { return project(x) == key; });
  return it == range.end() ? nullptr : &*it;
}
constexpr auto by_name = [](const auto& x) -> const auto& { return x.name; };

// Tables and enums are sorted by name (sort_canonically): a binary search.
template <class Range>
auto find_sorted(Range& range, const qualified_name& key) -> decltype(&*range.begin()) {
  auto it = std::lower_bound(range.begin(), range.end(), key, [](const auto& x, const qualified_name& k) { return x.name < k; });
  return it == range.end() || it->name != key ? nullptr : &*it;
}
}  // namespace

const table* find_table(const schema& s, const qualified_name& n) { return find_sorted(s.tables, n); }
table* find_table(schema& s, const qualified_name& n) { return find_sorted(s.tables, n); }
const enum_type* find_enum(const schema& s, const qualified_name& n) { return find_sorted(s.enums, n); }
enum_type* find_enum(schema& s, const qualified_name& n) { return find_sorted(s.enums, n); }
namespace {
template <class Schema>
auto find_extension_in(Schema& s, std::string_view name) -> decltype(&s.extensions.front()) {
  auto it = std::lower_bound(s.extensions.begin(), s.extensions.end(), name,
                             [](const extension& e, std::string_view n) { return std::string_view(e.name) < n; });
  return it == s.extensions.end() || it->name != name ? nullptr : &*it;
}
}  // namespace
const extension* find_extension(const schema& s, std::string_view name) { return find_extension_in(s, name); }
extension* find_extension(schema& s, std::string_view name) { return find_extension_in(s, name); }
const sequence* find_sequence(const schema& s, const qualified_name& n) { return find_sorted(s.sequences, n); }
sequence* find_sequence(schema& s, const qualified_name& n) { return find_sorted(s.sequences, n); }
const column* find_column(const table& t, std::string_view name) { return find_by(t.columns, name, by_name); }
column* find_column(table& t, std::string_view name) { return find_by(t.columns, name, by_name); }
const view* find_view(const schema& s, const qualified_name& n) { return find_sorted(s.views, n); }
view* find_view(schema& s, const qualified_name& n) { return find_sorted(s.views, n); }

std::vector<const view*> views_reading(const schema& s, const qualified_name& relation) {
  std::vector<const view*> out;
  for (const view& v : s.views)
    if (std::binary_search(v.reads.begin(), v.reads.end(), relation)) out.push_back(&v);
  return out;
}

void sort_canonically(schema& s) {
  // Replay calls this after every operation, which leaves nearly everything in order: checking
  // costs a comparison per element, where sorting would move whole tables.
  auto sort_by_name = [](auto& v) {
    auto by_name = [](const auto& a, const auto& b) { return a.name < b.name; };
    if (!std::is_sorted(v.begin(), v.end(), by_name)) std::stable_sort(v.begin(), v.end(), by_name);
  };
  std::sort(s.schemas.begin(), s.schemas.end());
  sort_by_name(s.extensions);
  sort_by_name(s.enums);
  sort_by_name(s.tables);
  sort_by_name(s.views);
  for (view& v : s.views) {
    sort_by_name(v.indexes);
    if (!std::is_sorted(v.reads.begin(), v.reads.end())) std::sort(v.reads.begin(), v.reads.end());
  }
  sort_by_name(s.sequences);
  for (table& t : s.tables) {
    sort_by_name(t.uniques);
    sort_by_name(t.indexes);
    sort_by_name(t.foreign_keys);
    sort_by_name(t.checks);
    sort_by_name(t.exclusions);
    sort_by_name(t.policies);
  }
  auto by_identity = [](const sql_object& a, const sql_object& b) {
    return std::tie(a.kind, a.name, a.arguments, a.table) < std::tie(b.kind, b.name, b.arguments, b.table);
  };
  if (!std::is_sorted(s.sql_objects.begin(), s.sql_objects.end(), by_identity))
    std::stable_sort(s.sql_objects.begin(), s.sql_objects.end(), by_identity);
}

column without_hints(column c) {
  c.renamed_from.clear();
  c.backfill.reset();
  c.backfill_batch.reset();
  return c;
}

table without_hints(table t) {
  t.renamed_from.clear();
  for (column& c : t.columns) c = without_hints(std::move(c));
  return t;
}

enum_type without_hints(enum_type e) {
  e.renamed_values.clear();
  return e;
}

schema without_hints(schema s) {
  for (table& t : s.tables) t = without_hints(std::move(t));
  for (enum_type& e : s.enums) e = without_hints(std::move(e));
  return s;
}

schema comparable(schema s) {
  s = without_hints(std::move(s));
  sort_canonically(s);
  for (table& t : s.tables)
    std::sort(t.columns.begin(), t.columns.end(), [](const column& a, const column& b) { return a.name < b.name; });
  return s;
}

bool comparable_equal(const table& a, const table& b) {
  if (a == b) return true;  // the usual case, without copying either
  schema x, y;
  x.tables.push_back(a);
  y.tables.push_back(b);
  return comparable(std::move(x)) == comparable(std::move(y));
}

bool is_unique_key(const table& t, const std::vector<std::string>& columns) {
  auto same_set = [&](std::vector<std::string> a) {
    std::vector<std::string> b = columns;
    std::sort(a.begin(), a.end());
    std::sort(b.begin(), b.end());
    return a == b;
  };
  if (t.pk && same_set(t.pk->columns)) return true;
  // PostgreSQL refuses a foreign key to a deferrable unique constraint.
  for (const auto& u : t.uniques)
    if (u.deferrable == deferral::not_deferrable && same_set(u.columns)) return true;
  for (const auto& i : t.indexes) {
    const auto keys = plain_key_columns(i);
    if (i.unique && !i.where && keys && same_set(*keys)) return true;
  }
  return false;
}

std::string_view to_string(deferral d) {
  switch (d) {
    case deferral::not_deferrable: return "";
    case deferral::initially_immediate: return "initially_immediate";
    case deferral::initially_deferred: return "initially_deferred";
  }
  return "";
}

std::optional<deferral> deferral_named(std::string_view text) {
  for (const deferral d : {deferral::initially_immediate, deferral::initially_deferred})
    if (to_string(d) == text) return d;
  return std::nullopt;
}

index_key index_key::of_expression(std::string expression) {
  index_key k;
  k.expression = std::move(expression);
  return k;
}

bool index_key::is_plain_column() const {
  return expression.empty() && !opclass && !descending && !nulls_first;
}

std::vector<std::string> columns_named(const index& i) {
  std::vector<std::string> out;
  for (const auto& k : i.columns)
    if (k.expression.empty()) out.push_back(k.column);
  out.insert(out.end(), i.include.begin(), i.include.end());
  return out;
}

std::optional<std::vector<std::string>> plain_key_columns(const index& i) {
  std::vector<std::string> out;
  for (const auto& k : i.columns) {
    if (!k.is_plain_column()) return std::nullopt;
    out.push_back(k.column);
  }
  return out;
}

std::vector<std::string> constraint_and_index_names(const table& t) {
  std::vector<std::string> names;
  if (t.pk) names.push_back(t.pk->name);
  for (const auto& u : t.uniques) names.push_back(u.name);
  for (const auto& i : t.indexes) names.push_back(i.name);
  for (const auto& f : t.foreign_keys) names.push_back(f.name);
  for (const auto& c : t.checks) names.push_back(c.name);
  for (const auto& x : t.exclusions) names.push_back(x.name);
  return names;
}

std::vector<std::string> columns_named(const exclusion_constraint& x) {
  std::vector<std::string> out;
  for (const auto& e : x.elements)
    if (e.key.expression.empty()) out.push_back(e.key.column);
  out.insert(out.end(), x.include.begin(), x.include.end());
  return out;
}

bool is_operator_name(std::string_view op) {
  constexpr std::string_view operator_chars = "+-*/<>=~!@#%^&|`?";
  return !op.empty() && op.size() <= 63 && op.find_first_not_of(operator_chars) == std::string_view::npos;
}

std::string_view to_string(policy_command c) {
  switch (c) {
    case policy_command::all: return "all";
    case policy_command::select: return "select";
    case policy_command::insert: return "insert";
    case policy_command::update: return "update";
    case policy_command::delete_: return "delete";
  }
  return "";
}

std::optional<policy_command> policy_command_named(std::string_view text) {
  for (const policy_command c : all_policy_commands)
    if (to_string(c) == text) return c;
  return std::nullopt;
}

std::optional<std::string> policy_problem(const policy& p) {
  if (p.check_expression && (p.command == policy_command::select || p.command == policy_command::delete_))
    return fmt::format("a {} policy has no WITH CHECK expression (only USING)", to_string(p.command));
  if (p.using_expression && p.command == policy_command::insert)
    return std::string("an insert policy has no USING expression (only WITH CHECK)");
  if ((p.using_expression && p.using_expression->empty()) || (p.check_expression && p.check_expression->empty()))
    return std::string("an empty expression");
  for (const auto& r : p.roles)
    if (r.empty() || r == "public") return std::string("a role is named by a non-empty name; no roles means PUBLIC");
  return std::nullopt;
}

bool alterable(const policy& from, const policy& to) {
  return from.command == to.command && from.restrictive == to.restrictive &&
         from.using_expression.has_value() == to.using_expression.has_value() &&
         from.check_expression.has_value() == to.check_expression.has_value();
}

}  // namespace retort
