// Operation names, descriptions and inverses. Inverses need no schema: every destructive
// operation carries the object it removes.
#include "retort/ops.hpp"

#include <algorithm>
#include <concepts>
#include <type_traits>

#include <fmt/format.h>

#include "overloaded.hpp"
#include "retort/errors.hpp"

namespace retort::ops {

std::string_view name_of(const operation& op) {
  return std::visit([](const auto& o) { return std::decay_t<decltype(o)>::kind; }, op);
}

namespace {
std::string q(const qualified_name& n) { return to_string(n); }
std::string col(const qualified_name& t, const std::string& c) { return fmt::format("{}.{}", q(t), c); }

std::string changes_text(unsigned changes) {
  std::vector<std::string_view> parts;
  if (changes & change_type) parts.push_back("type");
  if (changes & change_nullable) parts.push_back("nullability");
  if (changes & change_default) parts.push_back("default");
  if (changes & change_identity) parts.push_back("identity");
  if (changes & change_comment) parts.push_back("comment");
  if (changes & change_collation) parts.push_back("collation");
  return fmt::format("{}", fmt::join(parts, ", "));
}

std::string first_line(const std::string& s) {
  auto nl = s.find('\n');
  return nl == std::string::npos ? s : s.substr(0, nl) + " ...";
}
}  // namespace

std::string_view changed_attribute_mismatch(const column& a, const column& b, unsigned changes) {
  if ((changes & change_type) && !(a.type == b.type)) return "type";
  if ((changes & change_nullable) && a.nullable != b.nullable) return "nullable";
  if ((changes & change_default) && a.server_default != b.server_default) return "default";
  if ((changes & change_identity) && a.identity != b.identity) return "identity";
  if ((changes & change_comment) && a.comment != b.comment) return "comment";
  if ((changes & change_collation) && a.collation != b.collation) return "collation";
  return {};
}

bool operator==(const alter_column& a, const alter_column& b) {
  return a.table == b.table && a.changes == b.changes && a.from.name == b.from.name && a.to.name == b.to.name &&
         changed_attribute_mismatch(a.from, b.from, a.changes).empty() &&
         changed_attribute_mismatch(a.to, b.to, a.changes).empty();
}

alter_column completed(const alter_column& o, const column& current) {
  alter_column out{o.table, without_hints(current), without_hints(current), o.changes};
  if (o.changes & change_type) out.to.type = o.to.type;
  if (o.changes & change_nullable) out.to.nullable = o.to.nullable;
  if (o.changes & change_default) out.to.server_default = o.to.server_default;
  if (o.changes & change_identity) out.to.identity = o.to.identity;
  if (o.changes & change_comment) out.to.comment = o.to.comment;
  if (o.changes & change_collation) out.to.collation = o.to.collation;
  return out;
}

std::string describe(const operation& op) {
  return std::visit(
      overloaded{
          [](const create_schema& o) { return fmt::format("create schema {}", o.name); },
          [](const drop_schema& o) { return fmt::format("drop schema {}", o.name); },
          [](const create_extension& o) { return fmt::format("create extension {}", o.def.name); },
          [](const drop_extension& o) { return fmt::format("drop extension {}", o.def.name); },
          [](const alter_extension& o) { return fmt::format("alter extension {}", o.to.name); },
          [](const create_enum& o) { return fmt::format("create enum {}", q(o.type.name)); },
          [](const drop_enum& o) { return fmt::format("drop enum {}", q(o.type.name)); },
          [](const add_enum_value& o) { return fmt::format("add value '{}' to enum {}", o.value, q(o.type)); },
          [](const drop_enum_value& o) { return fmt::format("drop value '{}' from enum {}", o.value, q(o.type)); },
          [](const rename_enum_value& o) {
            return fmt::format("rename value '{}' of enum {} to '{}'", o.from, q(o.type), o.to);
          },
          [](const create_table& o) { return fmt::format("create table {}", q(o.def.name)); },
          [](const drop_table& o) { return fmt::format("drop table {}", q(o.def.name)); },
          [](const rename_table& o) { return fmt::format("rename table {} to {}", q(o.from), q(o.to)); },
          [](const set_table_comment& o) { return fmt::format("set comment on table {}", q(o.table)); },
          [](const add_column& o) { return fmt::format("add column {}", col(o.table, o.def.name)); },
          [](const drop_column& o) { return fmt::format("drop column {}", col(o.table, o.def.name)); },
          [](const rename_column& o) { return fmt::format("rename column {} to {}", col(o.table, o.from), o.to); },
          [](const alter_column& o) {
            return fmt::format("alter column {} ({})", col(o.table, o.to.name), changes_text(o.changes));
          },
          [](const backfill_column& o) { return fmt::format("backfill column {}", col(o.table, o.column)); },
          [](const add_primary_key& o) { return fmt::format("add primary key {} on {}", o.def.name, q(o.table)); },
          [](const drop_primary_key& o) { return fmt::format("drop primary key {} on {}", o.def.name, q(o.table)); },
          [](const add_unique& o) { return fmt::format("add unique constraint {} on {}", o.def.name, q(o.table)); },
          [](const drop_unique& o) { return fmt::format("drop unique constraint {} on {}", o.def.name, q(o.table)); },
          [](const add_check& o) { return fmt::format("add check constraint {} on {}", o.def.name, q(o.table)); },
          [](const drop_check& o) { return fmt::format("drop check constraint {} on {}", o.def.name, q(o.table)); },
          [](const create_index& o) { return fmt::format("create index {} on {}", o.def.name, q(o.table)); },
          [](const drop_index& o) { return fmt::format("drop index {} on {}", o.def.name, q(o.table)); },
          [](const add_foreign_key& o) { return fmt::format("add foreign key {} on {}", o.def.name, q(o.table)); },
          [](const drop_foreign_key& o) { return fmt::format("drop foreign key {} on {}", o.def.name, q(o.table)); },
          [](const rename_index& o) { return fmt::format("rename index {} to {} on {}", o.from, o.to, q(o.table)); },
          [](const rename_constraint& o) {
            return fmt::format("rename constraint {} to {} on {}", o.from, o.to, q(o.table));
          },
          [](const sql& o) { return fmt::format("sql: {}", first_line(o.up)); },
          [](const cpp& o) { return fmt::format("C++ data step ({}), run by the application", to_string(o.run)); },
          [](const create_view& o) { return fmt::format("create {}view {}", o.def.materialized ? "materialized " : "", q(o.def.name)); },
          [](const drop_view& o) { return fmt::format("drop {}view {}", o.def.materialized ? "materialized " : "", q(o.def.name)); },
          [](const replace_view& o) { return fmt::format("replace view {}", q(o.to.name)); },
          [](const add_exclusion& o) { return fmt::format("add exclusion constraint {} on {}", o.def.name, q(o.table)); },
          [](const drop_exclusion& o) { return fmt::format("drop exclusion constraint {} on {}", o.def.name, q(o.table)); },
          [](const set_row_level_security& o) {
            std::vector<std::string_view> parts;
            if (o.from.enabled != o.to.enabled) parts.push_back(o.to.enabled ? "enable" : "disable");
            if (o.from.forced != o.to.forced) parts.push_back(o.to.forced ? "force" : "no force");
            return fmt::format("{} row-level security on {}", fmt::join(parts, " and "), q(o.table));
          },
          [](const create_policy& o) { return fmt::format("create policy {} on {}", o.def.name, q(o.table)); },
          [](const drop_policy& o) { return fmt::format("drop policy {} on {}", o.def.name, q(o.table)); },
          [](const alter_policy& o) { return fmt::format("alter policy {} on {}", o.to.name, q(o.table)); },
          [](const create_sequence& o) { return fmt::format("create sequence {}", q(o.def.name)); },
          [](const drop_sequence& o) { return fmt::format("drop sequence {}", q(o.def.name)); },
          [](const alter_sequence& o) { return fmt::format("alter sequence {}", q(o.to.name)); },
          [](const create_sql_object& o) { return fmt::format("create {}", to_string(o.def)); },
          [](const drop_sql_object& o) { return fmt::format("drop {}", to_string(o.def)); },
          [](const replace_sql_object& o) { return fmt::format("replace {}", to_string(o.to)); },
      },
      op);
}

bool replaceable(const view& from, const view& to) {
  return from.name == to.name && !from.materialized && !to.materialized && from.columns.size() <= to.columns.size() &&
         std::equal(from.columns.begin(), from.columns.end(), to.columns.begin());
}

bool is_destructive(const operation& op) {
  return std::holds_alternative<drop_table>(op) || std::holds_alternative<drop_column>(op) ||
         std::holds_alternative<drop_enum_value>(op) || std::holds_alternative<drop_schema>(op) ||
         std::holds_alternative<drop_enum>(op) || std::holds_alternative<drop_sequence>(op) ||
         (std::holds_alternative<alter_column>(op) && (std::get<alter_column>(op).changes & change_type) &&
          classify_type_change(std::get<alter_column>(op).from.type, std::get<alter_column>(op).to.type) ==
              type_change::narrowing);
}

std::vector<operation> inverse(const operation& op) {
  return std::visit(
      overloaded{
          [](const create_schema& o) -> std::vector<operation> { return {drop_schema{o.name}}; },
          [](const drop_schema& o) -> std::vector<operation> { return {create_schema{o.name}}; },
          [](const create_enum& o) -> std::vector<operation> { return {drop_enum{o.type}}; },
          [](const drop_enum& o) -> std::vector<operation> { return {create_enum{o.type}}; },
          [](const create_extension& o) -> std::vector<operation> { return {drop_extension{o.def}}; },
          [](const drop_extension& o) -> std::vector<operation> { return {create_extension{o.def}}; },
          [](const alter_extension& o) -> std::vector<operation> { return {alter_extension{o.to, o.from}}; },
          [](const add_enum_value& o) -> std::vector<operation> {
            return {drop_enum_value{o.type, o.value, o.before}};
          },
          [](const drop_enum_value& o) -> std::vector<operation> {
            return {add_enum_value{o.type, o.value, o.before}};
          },
          [](const rename_enum_value& o) -> std::vector<operation> { return {rename_enum_value{o.type, o.to, o.from}}; },
          [](const create_table& o) -> std::vector<operation> { return {drop_table{o.def}}; },
          [](const drop_table& o) -> std::vector<operation> { return {create_table{o.def}}; },
          [](const rename_table& o) -> std::vector<operation> { return {rename_table{o.to, o.from}}; },
          [](const set_table_comment& o) -> std::vector<operation> {
            return {set_table_comment{o.table, o.to, o.from}};
          },
          [](const add_column& o) -> std::vector<operation> { return {drop_column{o.table, o.def}}; },
          [](const drop_column& o) -> std::vector<operation> { return {add_column{o.table, o.def}}; },
          [](const rename_column& o) -> std::vector<operation> { return {rename_column{o.table, o.to, o.from}}; },
          [](const alter_column& o) -> std::vector<operation> {
            return {alter_column{o.table, o.to, o.from, o.changes}};
          },
          [](const backfill_column&) -> std::vector<operation> { return {}; },
          [](const add_primary_key& o) -> std::vector<operation> { return {drop_primary_key{o.table, o.def}}; },
          [](const drop_primary_key& o) -> std::vector<operation> { return {add_primary_key{o.table, o.def}}; },
          [](const add_unique& o) -> std::vector<operation> { return {drop_unique{o.table, o.def}}; },
          [](const drop_unique& o) -> std::vector<operation> { return {add_unique{o.table, o.def}}; },
          [](const add_check& o) -> std::vector<operation> { return {drop_check{o.table, o.def}}; },
          [](const drop_check& o) -> std::vector<operation> { return {add_check{o.table, o.def}}; },
          [](const create_index& o) -> std::vector<operation> { return {drop_index{o.table, o.def}}; },
          [](const drop_index& o) -> std::vector<operation> { return {create_index{o.table, o.def}}; },
          [](const add_foreign_key& o) -> std::vector<operation> { return {drop_foreign_key{o.table, o.def}}; },
          [](const drop_foreign_key& o) -> std::vector<operation> { return {add_foreign_key{o.table, o.def}}; },
          [](const rename_index& o) -> std::vector<operation> { return {rename_index{o.table, o.to, o.from}}; },
          [](const rename_constraint& o) -> std::vector<operation> {
            return {rename_constraint{o.table, o.to, o.from}};
          },
          [](const sql& o) -> std::vector<operation> {
            if (!o.down) throw error(fmt::format("the sql step \"{}\" has no down step: it cannot be undone", first_line(o.up)));
            return {sql{*o.down, o.up, o.transactional, std::nullopt, o.schema}};
          },
          [](const cpp& o) -> std::vector<operation> {
            return {cpp{o.run == cpp::function::upgrade ? cpp::function::downgrade : cpp::function::upgrade}};
          },
          [](const create_view& o) -> std::vector<operation> { return {drop_view{o.def}}; },
          [](const drop_view& o) -> std::vector<operation> { return {create_view{o.def}}; },
          // CREATE OR REPLACE cannot take columns away: back to fewer columns is drop + create
          // (replay lets the columns change only on a view that no view reads).
          [](const replace_view& o) -> std::vector<operation> {
            if (o.to.columns == o.from.columns) return {replace_view{o.to, o.from}};
            return {drop_view{o.to}, create_view{o.from}};
          },
          [](const add_exclusion& o) -> std::vector<operation> { return {drop_exclusion{o.table, o.def}}; },
          [](const drop_exclusion& o) -> std::vector<operation> { return {add_exclusion{o.table, o.def}}; },
          [](const set_row_level_security& o) -> std::vector<operation> {
            return {set_row_level_security{o.table, o.to, o.from}};
          },
          [](const create_policy& o) -> std::vector<operation> { return {drop_policy{o.table, o.def}}; },
          [](const drop_policy& o) -> std::vector<operation> { return {create_policy{o.table, o.def}}; },
          [](const alter_policy& o) -> std::vector<operation> { return {alter_policy{o.table, o.to, o.from}}; },
          [](const create_sequence& o) -> std::vector<operation> { return {drop_sequence{o.def}}; },
          [](const drop_sequence& o) -> std::vector<operation> { return {create_sequence{o.def}}; },
          [](const alter_sequence& o) -> std::vector<operation> { return {alter_sequence{o.to, o.from}}; },
          [](const create_sql_object& o) -> std::vector<operation> { return {drop_sql_object{o.def}}; },
          [](const drop_sql_object& o) -> std::vector<operation> { return {create_sql_object{o.def}}; },
          [](const replace_sql_object& o) -> std::vector<operation> { return {replace_sql_object{o.to, o.from}}; },
      },
      op);
}

std::set<qualified_name> tables_named(const operation& op) {
  std::set<qualified_name> out;
  std::visit(
        [&](const auto& o) {
          using T = std::decay_t<decltype(o)>;
          if constexpr (requires(const T& x) { { x.table } -> std::convertible_to<const qualified_name&>; })
            out.insert(o.table);
          if constexpr (std::is_same_v<T, create_table> || std::is_same_v<T, drop_table>) out.insert(o.def.name);
          if constexpr (std::is_same_v<T, rename_table>) {
            out.insert(o.from);
            out.insert(o.to);
          }
        },
        op);
  return out;
}

std::set<qualified_name> tables_named(const std::vector<operation>& list) {
  std::set<qualified_name> out;
  for (const auto& op : list) out.merge(tables_named(op));
  return out;
}

std::optional<std::string> schema_of(const operation& op) {
  return std::visit(
      [](const auto& o) -> std::optional<std::string> {
        using T = std::decay_t<decltype(o)>;
        if constexpr (std::is_same_v<T, create_schema> || std::is_same_v<T, drop_schema>) return o.name;
        else if constexpr (std::is_same_v<T, sql>) return o.schema;
        else if constexpr (std::is_same_v<T, rename_table>) {
          if (o.from.schema == o.to.schema) return o.from.schema;
          return std::nullopt;
        } else if constexpr (requires(const T& x) { { x.table } -> std::convertible_to<const qualified_name&>; })
          return o.table.schema;
        else if constexpr (requires(const T& x) { { x.type } -> std::convertible_to<const qualified_name&>; })
          return o.type.schema;  // an enum value's
        else if constexpr (requires(const T& x) { { x.type.name } -> std::convertible_to<const qualified_name&>; })
          return o.type.name.schema;  // an enum's
        else if constexpr (requires(const T& x) { { x.def.name } -> std::convertible_to<const qualified_name&>; })
          return o.def.name.schema;  // a table's, view's, sequence's, SQL object's
        else if constexpr (requires(const T& x) { { x.to.name } -> std::convertible_to<const qualified_name&>; })
          return o.to.name.schema;  // a replaced view or SQL object, an altered sequence
        else
          return std::nullopt;  // extensions, cpp
      },
      op);
}

std::string_view to_string(cpp::function f) { return f == cpp::function::upgrade ? "upgrade" : "downgrade"; }

std::vector<operation> inverse(const std::vector<operation>& upgrade) {
  std::vector<operation> out;
  for (auto it = upgrade.rbegin(); it != upgrade.rend(); ++it)
    for (auto& op : inverse(*it)) out.push_back(std::move(op));
  return out;
}

}  // namespace retort::ops
