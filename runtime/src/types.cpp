// Column types: the canonical spelling Retort writes, and a parser for every spelling
// PostgreSQL or a user may use (aliases, format_type() output, parameters, arrays).
#include <array>
#include <cctype>
#include <charconv>

#include <fmt/format.h>

#include "retort/schema.hpp"

namespace retort {

namespace {

struct type_spelling {
  type_kind kind;
  std::string_view canonical;
  std::initializer_list<std::string_view> aliases;
};

// The canonical name comes first; aliases are PostgreSQL's other spellings.
const std::array<type_spelling, 22> spellings{{
    {type_kind::boolean, "boolean", {"bool"}},
    {type_kind::smallint, "smallint", {"int2"}},
    {type_kind::integer, "integer", {"int", "int4"}},
    {type_kind::bigint, "bigint", {"int8"}},
    {type_kind::real, "real", {"float4"}},
    {type_kind::double_precision, "double precision", {"float8"}},
    {type_kind::numeric, "numeric", {"decimal"}},
    {type_kind::text, "text", {}},
    {type_kind::varchar, "varchar", {"character varying"}},
    {type_kind::character, "char", {"character", "bpchar"}},
    {type_kind::timestamptz, "timestamptz", {"timestamp with time zone"}},
    {type_kind::timestamp, "timestamp", {"timestamp without time zone"}},
    {type_kind::date, "date", {}},
    {type_kind::time, "time", {"time without time zone"}},
    {type_kind::interval, "interval", {}},
    {type_kind::bytea, "bytea", {}},
    {type_kind::uuid, "uuid", {}},
    {type_kind::json, "json", {}},
    {type_kind::jsonb, "jsonb", {}},
    {type_kind::inet, "inet", {}},
    {type_kind::cidr, "cidr", {}},
    {type_kind::macaddr, "macaddr", {}},
}};

std::string lower_trimmed(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  std::string out;
  bool space = false;
  for (char c : s) {
    if (std::isspace(static_cast<unsigned char>(c))) {
      space = true;
      continue;
    }
    if (space && !out.empty() && out.back() != '(' && c != '(' && c != ',' && c != ')' && out.back() != ',') out += ' ';
    space = false;
    out += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  return out;
}

std::optional<int> parse_int(std::string_view s) {
  int v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc{} || p != s.data() + s.size() || v < 0) return std::nullopt;
  return v;
}

}  // namespace

std::string to_string(const column_type& t) {
  if (t.kind == type_kind::enum_type) return to_string(t.enum_name);
  std::string out;
  for (const auto& sp : spellings)
    if (sp.kind == t.kind) out = std::string(sp.canonical);
  if (t.length) out += fmt::format("({})", *t.length);
  if (t.precision && t.scale) out += fmt::format("({},{})", *t.precision, *t.scale);
  else if (t.precision) out += fmt::format("({})", *t.precision);
  if (t.array) out += "[]";
  return out;
}

std::optional<column_type> parse_builtin_type(std::string_view text) {
  std::string s = lower_trimmed(text);
  column_type t;
  if (s.size() > 2 && s.ends_with("[]")) {
    t.array = true;
    s.resize(s.size() - 2);
  }
  std::vector<int> params;
  if (auto open = s.find('('); open != std::string::npos) {
    if (!s.ends_with(")")) return std::nullopt;
    std::string_view inside(s.data() + open + 1, s.size() - open - 2);
    while (true) {
      auto comma = inside.find(',');
      auto v = parse_int(inside.substr(0, comma));
      if (!v) return std::nullopt;
      params.push_back(*v);
      if (comma == std::string_view::npos) break;
      inside.remove_prefix(comma + 1);
    }
    s.resize(open);
    while (!s.empty() && s.back() == ' ') s.pop_back();
  }
  // format_type() puts the length inside multi-word names: "character varying(20)" is
  // handled above; "timestamp(3) with time zone" style precisions are not supported.
  const type_spelling* found = nullptr;
  for (const auto& sp : spellings) {
    if (sp.canonical == s) found = &sp;
    for (auto alias : sp.aliases)
      if (alias == s) found = &sp;
  }
  if (!found) return std::nullopt;
  t.kind = found->kind;
  switch (t.kind) {
    case type_kind::varchar:
    case type_kind::character:
      if (params.size() > 1 || (!params.empty() && params[0] == 0)) return std::nullopt;
      if (!params.empty()) t.length = params[0];
      if (t.kind == type_kind::character && !t.length) t.length = 1;  // PostgreSQL's char means char(1)
      break;
    case type_kind::numeric:
      if (params.size() > 2 || (!params.empty() && (params[0] == 0 || params[0] > 1000))) return std::nullopt;
      if (!params.empty()) t.precision = params[0];
      if (params.size() == 2 && params[1] > params[0]) return std::nullopt;
      if (!params.empty()) t.scale = params.size() == 2 ? params[1] : 0;  // numeric(p) is numeric(p,0)
      break;
    default:
      if (!params.empty()) return std::nullopt;
  }
  return t;
}

}  // namespace retort
