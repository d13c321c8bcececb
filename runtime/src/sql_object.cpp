// SQL objects (functions, procedures, triggers kept as their SQL): names, identity, lookup.
// Reading one from its file needs PostgreSQL's parser and lives in lint/sql_object_reader.cpp.
#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <utility>

#include "retort/schema.hpp"

namespace retort {

namespace {
constexpr std::array<std::pair<sql_object_kind, std::string_view>, 3> kind_names{
    {{sql_object_kind::function, "function"}, {sql_object_kind::procedure, "procedure"}, {sql_object_kind::trigger, "trigger"}}};
}  // namespace

std::string_view to_string(sql_object_kind k) {
  for (const auto& [kind, name] : kind_names)
    if (kind == k) return name;
  return {};
}

std::optional<sql_object_kind> sql_object_kind_named(std::string_view text) {
  for (const auto& [kind, name] : kind_names)
    if (name == text) return kind;
  return std::nullopt;
}

std::string to_string(const sql_object& o) {
  if (o.kind == sql_object_kind::trigger) return fmt::format("trigger {} on {}", o.name.name, to_string(o.table));
  return fmt::format("{} {}({})", to_string(o.kind), to_string(o.name), o.arguments);
}

bool same_object(const sql_object& a, const sql_object& b) {
  return a.kind == b.kind && a.name == b.name && a.arguments == b.arguments && a.table == b.table;
}

const sql_object* find_sql_object(const schema& s, const sql_object& like) {
  auto it = std::find_if(s.sql_objects.begin(), s.sql_objects.end(), [&](const sql_object& o) { return same_object(o, like); });
  return it == s.sql_objects.end() ? nullptr : &*it;
}

}  // namespace retort
