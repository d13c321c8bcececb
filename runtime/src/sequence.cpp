// Sequences as objects: the values PostgreSQL picks by itself (so that models, files and a
// database read back compare equal), what it refuses, and the nextval() calls in defaults.
#include <algorithm>
#include <cctype>
#include <limits>
#include <utility>

#include <fmt/format.h>

#include "retort/schema.hpp"

namespace retort {

namespace {

struct bounds {
  std::int64_t min, max;
};

// The range of a sequence's type; nullopt for a type a sequence cannot have.
std::optional<bounds> type_bounds(std::string_view type) {
  if (type == "smallint") return bounds{std::numeric_limits<std::int16_t>::min(), std::numeric_limits<std::int16_t>::max()};
  if (type == "integer") return bounds{std::numeric_limits<std::int32_t>::min(), std::numeric_limits<std::int32_t>::max()};
  if (type == "bigint") return bounds{std::numeric_limits<std::int64_t>::min(), std::numeric_limits<std::int64_t>::max()};
  return std::nullopt;
}

// PostgreSQL's defaults (CREATE SEQUENCE): 1 to the type's maximum ascending, the type's minimum
// to -1 descending. A type it cannot have counts as bigint here; sequence_problem reports it.
bounds default_bounds(const sequence& s) {
  const bounds t = type_bounds(s.type).value_or(*type_bounds("bigint"));
  return s.increment < 0 ? bounds{t.min, -1} : bounds{1, t.max};
}

bounds effective_bounds(const sequence& s) {
  const bounds d = default_bounds(s);
  return {s.min_value.value_or(d.min), s.max_value.value_or(d.max)};
}

std::int64_t default_start(const sequence& s) {
  const bounds b = effective_bounds(s);
  return s.increment < 0 ? b.max : b.min;
}

bool plain_identifier(std::string_view name) {
  if (name.empty() || std::isdigit(static_cast<unsigned char>(name.front()))) return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '$';
  });
}

// A name as PostgreSQL prints it: bare when it can be, else in double quotes.
std::string printed_name(const std::string& name) {
  if (plain_identifier(name)) return name;
  std::string out = "\"";
  for (char c : name) out += c == '"' ? std::string("\"\"") : std::string(1, c);
  return out + "\"";
}

// `a.b` or `"A"."b"`: the dotted parts of a name as PostgreSQL reads them (bare parts folded to
// lower case); nullopt when the text is not such a name.
std::optional<std::vector<std::string>> name_parts(std::string_view text) {
  std::vector<std::string> parts;
  std::size_t i = 0;
  while (true) {
    std::string part;
    if (i < text.size() && text[i] == '"') {
      for (++i;; ++i) {
        if (i >= text.size()) return std::nullopt;
        if (text[i] == '"') {
          if (i + 1 < text.size() && text[i + 1] == '"') {
            part += '"';
            ++i;
            continue;
          }
          ++i;
          break;
        }
        part += text[i];
      }
      if (part.empty()) return std::nullopt;
    } else {
      for (; i < text.size() && text[i] != '.'; ++i) {
        const char c = text[i];
        if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_' && c != '$') return std::nullopt;
        part += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      }
      if (part.empty() || std::isdigit(static_cast<unsigned char>(part.front()))) return std::nullopt;
    }
    parts.push_back(std::move(part));
    if (i == text.size()) return parts;
    if (text[i] != '.') return std::nullopt;
    ++i;
  }
}

// One nextval call at `at` ("nextval(" already matched up to `at`): the literal's text, where the
// call ends; nullopt when it is not `'literal'[::regclass])`.
struct nextval_call {
  std::string literal;
  std::size_t end = 0;
};
std::optional<nextval_call> read_nextval_argument(std::string_view text, std::size_t at) {
  auto skip_blanks = [&] {
    while (at < text.size() && std::isspace(static_cast<unsigned char>(text[at]))) ++at;
  };
  skip_blanks();
  if (at >= text.size() || text[at] != '\'') return std::nullopt;
  std::string literal;
  for (++at;; ++at) {
    if (at >= text.size()) return std::nullopt;
    if (text[at] == '\'') {
      if (at + 1 < text.size() && text[at + 1] == '\'') {
        literal += '\'';
        ++at;
        continue;
      }
      ++at;
      break;
    }
    literal += text[at];
  }
  skip_blanks();
  constexpr std::string_view cast = "::regclass";
  if (text.substr(at, cast.size()) == cast) at += cast.size();
  skip_blanks();
  if (at >= text.size() || text[at] != ')') return std::nullopt;
  return nextval_call{std::move(literal), at + 1};
}

std::optional<qualified_name> sequence_of_literal(const std::string& literal) {
  auto parts = name_parts(literal);
  if (!parts || parts->size() > 2) return std::nullopt;
  if (parts->size() == 1) return qualified_name{"public", parts->front()};
  return qualified_name{(*parts)[0], (*parts)[1]};
}

std::string_view trimmed(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

}  // namespace

sequence canonical(sequence s) {
  const bounds d = default_bounds(s);
  if (s.min_value == d.min) s.min_value.reset();
  if (s.max_value == d.max) s.max_value.reset();
  if (s.start == default_start(s)) s.start.reset();
  return s;
}

std::int64_t start_value(const sequence& s) { return s.start.value_or(default_start(s)); }

std::optional<std::string> sequence_problem(const sequence& s) {
  const std::string name = to_string(s.name);
  const auto type = type_bounds(s.type);
  if (!type) return fmt::format("sequence {}: type {} is not smallint, integer or bigint", name, s.type);
  if (s.increment == 0) return fmt::format("sequence {}: the increment cannot be 0", name);
  if (s.cache < 1) return fmt::format("sequence {}: the cache must be at least 1", name);
  const bounds b = effective_bounds(s);
  if (b.min < type->min || b.max > type->max)
    return fmt::format("sequence {}: its bounds {}..{} are outside type {}", name, b.min, b.max, s.type);
  if (b.min >= b.max) return fmt::format("sequence {}: the minimum {} must be less than the maximum {}", name, b.min, b.max);
  const std::int64_t start = s.start.value_or(default_start(s));
  if (start < b.min || start > b.max)
    return fmt::format("sequence {}: the start {} is outside its bounds {}..{}", name, start, b.min, b.max);
  return std::nullopt;
}

bool is_serial_sequence(const sequence& s, std::string_view column_type) {
  const sequence c = canonical(s);
  return c.type == column_type && c.increment == 1 && !c.start && !c.min_value && !c.max_value && c.cache == 1 && !c.cycle;
}

std::vector<qualified_name> sequences_called(std::string_view expression) {
  std::vector<qualified_name> out;
  constexpr std::string_view call = "nextval(";
  for (std::size_t at = expression.find(call); at != std::string_view::npos; at = expression.find(call, at + 1)) {
    if (at > 0 && (std::isalnum(static_cast<unsigned char>(expression[at - 1])) || expression[at - 1] == '_')) continue;
    if (auto c = read_nextval_argument(expression, at + call.size()))
      if (auto name = sequence_of_literal(c->literal)) out.push_back(std::move(*name));
  }
  return out;
}

std::string canonical_nextval(std::string expression) {
  const std::string_view text = trimmed(expression);
  constexpr std::string_view call = "nextval(";
  if (text.size() <= call.size()) return expression;
  std::string head(text.substr(0, call.size()));
  std::transform(head.begin(), head.end(), head.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  if (head != call) return expression;
  auto c = read_nextval_argument(text, call.size());
  if (!c || c->end != text.size()) return expression;
  auto name = sequence_of_literal(c->literal);
  if (!name) return expression;
  std::string printed = name->schema == "public" ? printed_name(name->name)
                                                 : printed_name(name->schema) + "." + printed_name(name->name);
  std::string literal;
  for (char ch : printed) literal += ch == '\'' ? std::string("''") : std::string(1, ch);
  return fmt::format("nextval('{}'::regclass)", literal);
}

// ---- partition keys ----------------------------------------------------------------------

namespace {
constexpr std::pair<partition_method, std::string_view> method_names[] = {
    {partition_method::range, "RANGE"}, {partition_method::list, "LIST"}, {partition_method::hash, "HASH"}};
}  // namespace

std::string to_string(const partition_key& k) {
  std::string_view method;
  for (const auto& [m, n] : method_names)
    if (m == k.method) method = n;
  std::vector<std::string> columns;
  for (const auto& c : k.columns) columns.push_back(printed_name(c));
  return fmt::format("{} ({})", method, fmt::join(columns, ", "));
}

std::optional<partition_key> parse_partition_key(std::string_view text) {
  text = trimmed(text);
  const auto open = text.find('(');
  if (open == std::string_view::npos || !text.ends_with(")")) return std::nullopt;
  std::string method(trimmed(text.substr(0, open)));
  std::transform(method.begin(), method.end(), method.begin(), [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
  partition_key k;
  bool known = false;
  for (const auto& [m, n] : method_names)
    if (n == method) k.method = m, known = true;
  if (!known) return std::nullopt;
  std::string_view inside = text.substr(open + 1, text.size() - open - 2);
  // Commas inside double quotes belong to a name: split outside them only.
  bool quoted = false;
  std::size_t from = 0;
  for (std::size_t i = 0; i <= inside.size(); ++i) {
    if (i < inside.size() && inside[i] == '"') quoted = !quoted;
    if (i < inside.size() && (quoted || inside[i] != ',')) continue;
    auto parts = name_parts(trimmed(inside.substr(from, i - from)));
    if (!parts || parts->size() != 1) return std::nullopt;
    k.columns.push_back(std::move(parts->front()));
    from = i + 1;
  }
  if (quoted || k.columns.empty()) return std::nullopt;
  return k;
}

std::vector<std::string> missing_partition_columns(const table& t, const std::vector<std::string>& key) {
  std::vector<std::string> out;
  if (!t.partition) return out;
  for (const auto& c : t.partition->columns)
    if (std::find(key.begin(), key.end(), c) == key.end()) out.push_back(c);
  return out;
}

}  // namespace retort
