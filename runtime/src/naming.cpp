// The naming convention: pk_<table>, uq_<table>_<columns>, ix_<table>_<columns>,
// fk_<table>_<columns>_<referenced table>, ck_<table>_<label>; hashed when too long.
#include "retort/naming.hpp"

#include <cctype>
#include <map>
#include <utility>

#include <fmt/format.h>

#include "retort/errors.hpp"
#include "retort/hash.hpp"

namespace retort::naming {

namespace {
std::string joined(const std::vector<std::string>& columns) { return fmt::format("{}", fmt::join(columns, "_")); }

// Two checks with one label (a > 0, a >= 0 label apart; a + b > 0, a * b > 0 do not) are told
// apart by their expressions' hashes, so the names stay deterministic.
void assign_check_names(table& t) {
  std::map<std::string, int> uses;
  for (const auto& c : t.checks)
    if (c.name.empty()) ++uses[label(c.expression)];
  for (auto& c : t.checks) {
    if (!c.name.empty()) continue;
    std::string l = label(c.expression);
    if (l.empty() || uses[l] > 1)
      l = fmt::format("{}{}{}", l, l.empty() ? "" : "_", sha256_hex(c.expression).substr(0, 8));
    c.name = check(t.name, l);
  }
}

// A comparison operator's word, or "" for any other run of punctuation.
std::string_view operator_word(std::string_view op) {
  static constexpr std::pair<std::string_view, std::string_view> words[]{
      {">=", "ge"}, {"<=", "le"}, {"<>", "ne"}, {"!=", "ne"}, {">", "gt"}, {"<", "lt"}, {"=", "eq"}};
  for (const auto& [spelling, word] : words)
    if (op == spelling) return word;
  return "";
}
}  // namespace

std::string label(std::string_view expression) {
  std::vector<std::string> words;
  auto word_char = [](char c) { return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '_'; };
  auto space = [](char c) { return std::isspace(static_cast<unsigned char>(c)) != 0; };
  for (std::size_t i = 0; i < expression.size();) {
    std::size_t j = i;
    if (word_char(expression[i])) {
      while (j < expression.size() && word_char(expression[j])) ++j;
      std::string w(expression.substr(i, j - i));
      for (char& c : w) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      words.push_back(std::move(w));
    } else if (space(expression[i])) {
      ++j;
    } else {
      while (j < expression.size() && !word_char(expression[j]) && !space(expression[j])) ++j;
      if (auto w = operator_word(expression.substr(i, j - i)); !w.empty()) words.emplace_back(w);
    }
    i = j;
  }
  return joined(words);
}

std::string_view utf8_prefix(std::string_view s, std::size_t bytes) {
  if (s.size() <= bytes) return s;
  while (bytes > 0 && (static_cast<unsigned char>(s[bytes]) & 0xC0) == 0x80) --bytes;
  return s.substr(0, bytes);
}

std::optional<std::string> identifier_problem(std::string_view name) {
  if (name.empty()) return "empty name";
  if (name.find('\0') != std::string_view::npos) return "a name cannot contain a NUL byte";
  if (name.size() > max_identifier_bytes)
    return fmt::format("name \"{}\" is {} bytes; PostgreSQL allows {}", excerpt(name), name.size(), max_identifier_bytes);
  return std::nullopt;
}

std::string fit(std::string_view name) {
  if (name.size() <= max_identifier_bytes) return std::string(name);
  constexpr std::size_t hash_digits = 8;
  auto prefix = utf8_prefix(name, max_identifier_bytes - hash_digits - 1);
  return fmt::format("{}_{}", prefix, sha256_hex(name).substr(0, hash_digits));
}

std::string primary_key(const qualified_name& table) { return fit("pk_" + table.name); }
std::string unique(const qualified_name& table, const std::vector<std::string>& columns) {
  return fit(fmt::format("uq_{}_{}", table.name, joined(columns)));
}
std::string index(const qualified_name& table, const std::vector<std::string>& columns) {
  return fit(fmt::format("ix_{}_{}", table.name, joined(columns)));
}
std::string index_by_keys(const qualified_name& table, const std::vector<index_key>& keys) {
  std::vector<std::string> parts;
  for (const auto& k : keys) parts.push_back(k.expression.empty() ? k.column : label(k.expression));
  return index(table, parts);
}
std::string foreign_key(const qualified_name& table, const std::vector<std::string>& columns,
                        const qualified_name& ref_table) {
  return fit(fmt::format("fk_{}_{}_{}", table.name, joined(columns), ref_table.name));
}
std::string check(const qualified_name& table, std::string_view label) {
  return fit(fmt::format("ck_{}_{}", table.name, label));
}

std::string exclusion(const qualified_name& table, const std::vector<exclusion_element>& elements) {
  std::vector<std::string> parts;
  for (const auto& e : elements) parts.push_back(e.key.expression.empty() ? e.key.column : label(e.key.expression));
  return fit(fmt::format("ex_{}_{}", table.name, joined(parts)));
}

void assign_names(schema& s) {
  for (table& t : s.tables) {
    if (t.pk && t.pk->name.empty()) t.pk->name = primary_key(t.name);
    for (auto& u : t.uniques)
      if (u.name.empty()) u.name = unique(t.name, u.columns);
    for (auto& i : t.indexes)
      if (i.name.empty()) i.name = index_by_keys(t.name, i.columns);
    assign_check_names(t);
    for (auto& f : t.foreign_keys)
      if (f.name.empty()) f.name = foreign_key(t.name, f.columns, f.ref_table);
    for (auto& x : t.exclusions)
      if (x.name.empty()) x.name = exclusion(t.name, x.elements);
  }
  for (view& v : s.views)
    for (auto& i : v.indexes)
      if (i.name.empty()) i.name = index_by_keys(v.name, i.columns);
}

std::string snake_case(std::string_view identifier) {
  std::string out;
  auto upper = [](char c) { return std::isupper(static_cast<unsigned char>(c)) != 0; };
  auto lower_or_digit = [](char c) { return std::islower(static_cast<unsigned char>(c)) || std::isdigit(static_cast<unsigned char>(c)); };
  for (std::size_t i = 0; i < identifier.size(); ++i) {
    char c = identifier[i];
    if (upper(c) && i > 0 && identifier[i - 1] != '_' &&
        (lower_or_digit(identifier[i - 1]) ||
         (upper(identifier[i - 1]) && i + 1 < identifier.size() && std::islower(static_cast<unsigned char>(identifier[i + 1])))))
      out += '_';
    out += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  return out;
}

}  // namespace retort::naming
