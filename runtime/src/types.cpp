// Column types: the canonical spelling Retort writes, and a parser for every spelling
// PostgreSQL or a user may use (aliases, format_type() output, parameters, arrays). Types
// outside the built-in kinds are kept by name, canonicalised without a database.
#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>
#include <utility>

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
    case type_kind::named: return {};      // spelled by its name
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
  if (t.kind == type_kind::named) return t.name + (t.array ? "[]" : "");
  if (t.serial) return t.kind == type_kind::smallint ? "smallserial" : t.kind == type_kind::integer ? "serial" : "bigserial";
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
  // Retort cannot know what a conversion to or from a named type does: assume the rewrite.
  if (a.kind == type_kind::named || b.kind == type_kind::named) return type_change::rewrite;
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

// ---- any type, by name -----------------------------------------------------------------

namespace {

// A type's spelling split into its words, the typmod list (and the word it follows) and
// the array mark: what format_type() prints, reassembled by spelled().
struct type_words {
  std::vector<std::string> words;       ///< lower-case names, dotted names, quoted names
  std::optional<std::string> typmod;    ///< "(3)", "(Point,4326)"
  std::size_t typmod_after = 0;         ///< index of the word the typmod follows
  bool array = false;

  [[nodiscard]] std::string base() const {  // the words alone: "timestamp with time zone"
    std::string out;
    for (const auto& w : words) out += (out.empty() ? "" : " ") + w;
    return out;
  }
  [[nodiscard]] std::string spelled() const {
    std::string out;
    for (std::size_t i = 0; i < words.size(); ++i) {
      out += (i ? " " : "") + words[i];
      if (typmod && i == typmod_after) out += *typmod;
    }
    return out;
  }
};

bool plain_name_char(char c, bool first) {
  return std::isalpha(static_cast<unsigned char>(c)) || c == '_' || (!first && (std::isdigit(static_cast<unsigned char>(c)) || c == '$'));
}

// An unquoted name needs no quotes when it is lower case already (PostgreSQL folds the others).
bool needs_no_quotes(std::string_view s) {
  if (s.empty() || !plain_name_char(s[0], true)) return false;
  return std::all_of(s.begin(), s.end(), [](char c) {
    return (std::islower(static_cast<unsigned char>(c)) || std::isdigit(static_cast<unsigned char>(c)) || c == '_' || c == '$');
  });
}

// The lexical pass: names (folded, or quoted and kept), dots, one typmod list, "[]" marks.
std::optional<type_words> split_type(std::string_view text) {
  type_words out;
  std::size_t i = 0;
  auto blank = [&] {
    while (i < text.size() && std::isspace(static_cast<unsigned char>(text[i]))) ++i;
  };
  // One name: plain (folded to lower case) or quoted ("" inside stands for one quote).
  auto name = [&]() -> std::optional<std::string> {
    if (i < text.size() && text[i] == '"') {
      std::string inner;
      for (++i; i < text.size(); ++i) {
        if (text[i] == '"' && i + 1 < text.size() && text[i + 1] == '"') inner += '"', ++i;
        else if (text[i] == '"') break;
        else inner += text[i];
      }
      if (i >= text.size() || inner.empty() || inner.size() > 63 || inner.find('\0') != std::string::npos) return std::nullopt;
      ++i;
      if (needs_no_quotes(inner)) return inner;
      std::string quoted = "\"";
      for (char c : inner) quoted += c == '"' ? std::string("\"\"") : std::string(1, c);
      return quoted + "\"";
    }
    if (i >= text.size() || !plain_name_char(text[i], true)) return std::nullopt;
    std::string word;
    while (i < text.size() && plain_name_char(text[i], false))
      word += static_cast<char>(std::tolower(static_cast<unsigned char>(text[i++])));
    if (word.size() > 63) return std::nullopt;  // PostgreSQL would truncate it: no type has such a name
    return word;
  };
  blank();
  while (i < text.size() && text[i] != '[') {
    auto word = name();
    if (!word) return std::nullopt;
    while (i < text.size() && text[i] == '.') {  // schema.type
      ++i;
      auto part = name();
      if (!part) return std::nullopt;
      *word += "." + *part;
    }
    out.words.push_back(std::move(*word));
    blank();
    if (i < text.size() && text[i] == '(') {
      if (out.typmod) return std::nullopt;
      std::string mod = "(";
      ++i;
      while (true) {
        blank();
        const std::size_t start = i;
        if (i < text.size() && (text[i] == '-' || text[i] == '+')) ++i;
        while (i < text.size() && (std::isalnum(static_cast<unsigned char>(text[i])) || text[i] == '_')) ++i;
        if (i == start) return std::nullopt;
        mod += text.substr(start, i - start);
        blank();
        if (i < text.size() && text[i] == ',') {
          mod += ',';
          ++i;
          continue;
        }
        if (i < text.size() && text[i] == ')') break;
        return std::nullopt;
      }
      ++i;
      out.typmod = mod + ")";
      out.typmod_after = out.words.size() - 1;
      blank();
    }
  }
  while (i < text.size()) {  // [] or [n], any number of times: PostgreSQL keeps one array type
    if (text[i] != '[') return std::nullopt;
    ++i;
    blank();
    while (i < text.size() && std::isdigit(static_cast<unsigned char>(text[i]))) ++i;
    blank();
    if (i >= text.size() || text[i] != ']') return std::nullopt;
    ++i;
    out.array = true;
    blank();
  }
  if (out.words.empty()) return std::nullopt;
  return out;
}

// PostgreSQL's other spellings of types outside the built-in kinds, as format_type() prints them.
void spell_out_aliases(type_words& t) {
  const std::string base = t.base();
  // format_type() puts the typmod after the first word ("timestamp(3) with time zone"),
  // except for bit varying(n).
  auto become = [&](std::initializer_list<std::string_view> words) {
    t.words.assign(words.begin(), words.end());
    t.typmod_after = t.words.front() == "bit" ? t.words.size() - 1 : 0;
  };
  if (base == "timestamptz") become({"timestamp", "with", "time", "zone"});
  else if (base == "timestamp" && t.typmod) become({"timestamp", "without", "time", "zone"});
  else if (base == "timetz") become({"time", "with", "time", "zone"});
  else if (base == "time" && t.typmod) become({"time", "without", "time", "zone"});
  else if (base == "varbit") become({"bit", "varying"});
  else if (base == "bit" && !t.typmod) t.typmod = "(1)";
}

// Types PostgreSQL has in pg_catalog besides the built-in kinds (base words, no typmod).
constexpr std::string_view catalog_types[] = {
    "bit", "bit varying", "box", "cid", "circle", "datemultirange", "daterange", "int4multirange", "int4range",
    "int8multirange", "int8range", "interval", "jsonpath", "line", "lseg", "macaddr8", "money", "name",
    "nummultirange", "numrange", "oid", "path", "pg_lsn", "pg_snapshot", "point", "polygon", "regclass",
    "regcollation", "regconfig", "regdictionary", "regnamespace", "regoper", "regoperator", "regproc",
    "regprocedure", "regrole", "regtype", "tid", "time with time zone", "time without time zone",
    "timestamp with time zone", "timestamp without time zone", "tsmultirange", "tsquery", "tsrange",
    "tstzmultirange", "tstzrange", "tsvector", "txid_snapshot", "xid", "xid8", "xml", "\"char\"",
};

// Extensions whose types Retort knows, so that a column of one needs the extension declared.
struct extension_types {
  std::string_view extension;
  std::array<std::string_view, 8> types;  ///< "" for none
};
constexpr extension_types known_extensions[] = {
    {"citext", {"citext"}},
    {"hstore", {"hstore"}},
    {"postgis", {"geometry", "geography", "box2d", "box3d"}},
    {"postgis_raster", {"raster"}},
    {"ltree", {"ltree", "lquery", "ltxtquery"}},
    {"cube", {"cube"}},
    {"earthdistance", {"earth"}},
    {"seg", {"seg"}},
    {"isn", {"ean13", "isbn", "isbn13", "ismn", "ismn13", "issn", "issn13", "upc"}},
    {"intarray", {"query_int"}},
    {"vector", {"vector", "halfvec", "sparsevec"}},
    {"pg_trgm", {}}, {"btree_gin", {}}, {"btree_gist", {}}, {"pgcrypto", {}}, {"uuid-ossp", {}},
    {"unaccent", {}}, {"fuzzystrmatch", {}}, {"tablefunc", {}}, {"pg_stat_statements", {}}, {"plpgsql", {}},
};

// The named type's words without its typmod and schema: "geometry", "timestamp with time zone".
std::string unqualified_base(const column_type& t) {
  auto words = split_type(t.name);
  std::string base = words ? words->base() : t.name;
  if (base.starts_with("pg_catalog.")) base.erase(0, 11);
  else if (auto dot = base.rfind('.'); dot != std::string::npos && base.find(' ') == std::string::npos) base.erase(0, dot + 1);
  return base;
}

// A named type's spelling without the schema before its name: "public.geometry(Point,4326)" is
// "geometry(Point,4326)" (the typmod may not hold a dot: only numbers and words).
std::string unqualified(std::string name) {
  const auto dot = name.rfind('.', name.find('('));
  return dot == std::string::npos ? name : name.substr(dot + 1);
}

}  // namespace

std::optional<column_type> parse_type(std::string_view text) {
  auto words = split_type(text);
  if (!words) return std::nullopt;
  spell_out_aliases(*words);
  const std::string base = words->base();
  constexpr std::pair<std::string_view, type_kind> serials[] = {
      {"smallserial", type_kind::smallint}, {"serial2", type_kind::smallint}, {"serial", type_kind::integer},
      {"serial4", type_kind::integer},      {"bigserial", type_kind::bigint}, {"serial8", type_kind::bigint}};
  for (const auto& [name, kind] : serials) {
    if (base != name) continue;
    if (words->typmod || words->array) return std::nullopt;
    column_type t;
    t.kind = kind;
    t.serial = true;
    return t;
  }
  const std::string spelled = words->spelled();
  if (auto builtin = parse_builtin_type(spelled + (words->array ? "[]" : ""))) return builtin;
  if (base == "float") {  // float(p): real up to 24 bits of precision, else double precision
    auto p = words->typmod ? parse_int(std::string_view(*words->typmod).substr(1, words->typmod->size() - 2)) : std::optional<int>(53);
    if (!p || *p < 1 || *p > 53) return std::nullopt;
    column_type t;
    t.kind = *p <= 24 ? type_kind::real : type_kind::double_precision;
    t.array = words->array;
    return t;
  }
  column_type t;
  t.kind = type_kind::named;
  t.name = spelled;
  t.array = words->array;
  // A type of an extension Retort knows is kept bare: its schema is its extension's, which the
  // renderer writes and format_type() prints only when that schema is off the session's path.
  if (extension_of_type(t)) t.name = unqualified(std::move(t.name));
  return t;
}

std::optional<std::string_view> extension_of_type(const column_type& t) {
  if (t.kind != type_kind::named) return std::nullopt;
  const std::string base = unqualified_base(t);
  for (const auto& e : known_extensions)
    if (std::find(e.types.begin(), e.types.end(), base) != e.types.end() && !base.empty()) return e.extension;
  return std::nullopt;
}

std::vector<std::string_view> builtin_type_names() {
  std::vector<std::string_view> out;
  for (int k = 0; k < builtin_kind_count; ++k) out.push_back(spelling_of(static_cast<type_kind>(k)).canonical);
  out.insert(out.end(), std::begin(catalog_types), std::end(catalog_types));
  for (std::string_view s : {"smallserial", "serial", "bigserial"}) out.push_back(s);
  return out;
}

std::optional<std::string> unknown_type_problem(const column_type& t, const std::vector<extension>& declared) {
  if (t.kind != type_kind::named) return std::nullopt;
  auto is_declared = [&](std::string_view name) {
    return std::any_of(declared.begin(), declared.end(), [&](const extension& e) { return e.name == name; });
  };
  if (auto needed = extension_of_type(t)) {
    if (is_declared(*needed)) return std::nullopt;
    return fmt::format("type \"{}\" is provided by extension {}: declare it with RETORT_EXTENSION(\"{}\")", t.name,
                       *needed, *needed);
  }
  const std::string base = unqualified_base(t);
  if (std::find(std::begin(catalog_types), std::end(catalog_types), base) != std::end(catalog_types) ||
      base.starts_with("interval "))  // interval year to month, ...
    return std::nullopt;
  // An extension Retort knows no types of may provide any name.
  for (const extension& e : declared)
    if (std::none_of(std::begin(known_extensions), std::end(known_extensions),
                     [&](const extension_types& k) { return k.extension == e.name; }))
      return std::nullopt;
  return fmt::format("unknown type \"{}\": neither a PostgreSQL built-in type nor a type of a declared extension "
                     "(RETORT_EXTENSION(\"...\"))",
                     t.name);
}

}  // namespace retort
