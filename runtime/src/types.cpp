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
  std::string_view canonical;
  std::array<std::string_view, 2> aliases;  ///< PostgreSQL's other spellings; "" for none
};

// A switch, so that a type kind without its spellings is a -Wswitch warning at compile time
// rather than an empty type name at run time.
type_spelling spelling_of(type_kind kind) {
  switch (kind) {
    case type_kind::boolean: return {"boolean", {"bool"}};
    case type_kind::smallint: return {"smallint", {"int2"}};
    case type_kind::integer: return {"integer", {"int", "int4"}};
    case type_kind::bigint: return {"bigint", {"int8"}};
    case type_kind::real: return {"real", {"float4"}};
    case type_kind::double_precision: return {"double precision", {"float8"}};
    case type_kind::numeric: return {"numeric", {"decimal"}};
    case type_kind::text: return {"text", {}};
    case type_kind::varchar: return {"varchar", {"character varying"}};
    case type_kind::character: return {"char", {"character", "bpchar"}};
    case type_kind::timestamptz: return {"timestamptz", {"timestamp with time zone"}};
    case type_kind::timestamp: return {"timestamp", {"timestamp without time zone"}};
    case type_kind::date: return {"date", {}};
    case type_kind::time: return {"time", {"time without time zone"}};
    case type_kind::interval: return {"interval", {}};
    case type_kind::bytea: return {"bytea", {}};
    case type_kind::uuid: return {"uuid", {}};
    case type_kind::json: return {"json", {}};
    case type_kind::jsonb: return {"jsonb", {}};
    case type_kind::inet: return {"inet", {}};
    case type_kind::cidr: return {"cidr", {}};
    case type_kind::macaddr: return {"macaddr", {}};
    case type_kind::enum_type: return {};  // spelled by its qualified name
  }
  return {};
}

// The built-in kinds: every type_kind before enum_type, which stays last.
constexpr int builtin_kind_count = static_cast<int>(type_kind::enum_type);

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
  std::string out(spelling_of(t.kind).canonical);
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
  std::optional<type_kind> found;
  for (int k = 0; k < builtin_kind_count && !found; ++k) {
    const type_spelling sp = spelling_of(static_cast<type_kind>(k));
    if (sp.canonical == s || (!s.empty() && (sp.aliases[0] == s || sp.aliases[1] == s))) found = static_cast<type_kind>(k);
  }
  if (!found) return std::nullopt;
  t.kind = *found;
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

namespace {

bool is_integer(type_kind k) { return k == type_kind::smallint || k == type_kind::integer || k == type_kind::bigint; }
int integer_width(type_kind k) { return k == type_kind::smallint ? 2 : k == type_kind::integer ? 4 : 8; }
bool is_string(type_kind k) { return k == type_kind::text || k == type_kind::varchar; }

}  // namespace

// Which type changes PostgreSQL makes without touching the rows (a catalog update), which lose
// range, and which rewrite the table.
type_change classify_type_change(const column_type& a, const column_type& b) {
  if (a.array != b.array) return type_change::rewrite;
  if (is_string(a.kind) && is_string(b.kind)) {
    if (!b.length || b.kind == type_kind::text) return type_change::safe;  // wider or unbounded
    if (!a.length || *b.length < *a.length) return type_change::narrowing;
    return type_change::safe;
  }
  if (a.kind == type_kind::numeric && b.kind == type_kind::numeric) {
    if (!b.precision) return type_change::safe;
    if (!a.precision || a.scale.value_or(0) != b.scale.value_or(0) || *b.precision < *a.precision)
      return type_change::narrowing;
    return type_change::safe;
  }
  if (is_integer(a.kind) && is_integer(b.kind))
    return integer_width(b.kind) < integer_width(a.kind) ? type_change::narrowing : type_change::rewrite;
  if (a.kind == type_kind::double_precision && b.kind == type_kind::real) return type_change::narrowing;
  // Conversions that every value survives: to unbounded text, to a wider number, between timestamps.
  if (b.kind == type_kind::text || (b.kind == type_kind::varchar && !b.length)) return type_change::rewrite;
  if (a.kind == type_kind::real && b.kind == type_kind::double_precision) return type_change::rewrite;
  if (is_integer(a.kind) && (b.kind == type_kind::numeric || b.kind == type_kind::double_precision) && !b.precision)
    return type_change::rewrite;
  if ((a.kind == type_kind::timestamp && b.kind == type_kind::timestamptz) ||
      (a.kind == type_kind::timestamptz && b.kind == type_kind::timestamp))
    return type_change::rewrite;
  // Any other conversion (text to an enum or a number, ...) can fail on a value that does not fit.
  return type_change::narrowing;
}

}  // namespace retort
