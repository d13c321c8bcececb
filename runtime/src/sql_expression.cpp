// The top-level `;` finder: a small scanner over PostgreSQL's lexical rules for what can hide
// a `;` (strings, quoted identifiers, dollar quotes, comments), and the walks over schema
// elements and operations that apply it to every expression.
#include "retort/sql_expression.hpp"

#include <fmt/format.h>

#include <variant>

#include "overloaded.hpp"
#include "retort/errors.hpp"

namespace retort {

namespace {

bool ident_start(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || static_cast<unsigned char>(c) >= 0x80;
}
bool ident_char(char c) { return ident_start(c) || (c >= '0' && c <= '9') || c == '$'; }

// The end of a quoted run opened at `i` by `quote`, a doubled quote standing for one; with
// `backslash`, a backslash escapes the next byte (E'...'). npos when unterminated.
std::size_t end_of_quoted(std::string_view s, std::size_t i, char quote, bool backslash) {
  for (++i; i < s.size(); ++i) {
    if (backslash && s[i] == '\\') ++i;
    else if (s[i] == quote) {
      if (i + 1 < s.size() && s[i + 1] == quote) ++i;
      else return i + 1;
    }
  }
  return std::string_view::npos;
}

// A dollar quote's opening tag at `i` ("$$", "$tag$"), or empty when `$` starts none ($1).
std::string_view dollar_tag(std::string_view s, std::size_t i) {
  std::size_t j = i + 1;
  if (j < s.size() && ident_start(s[j]))
    while (j < s.size() && ident_char(s[j]) && s[j] != '$') ++j;
  if (j < s.size() && s[j] == '$') return s.substr(i, j - i + 1);
  return {};
}

std::size_t end_of_block_comment(std::string_view s, std::size_t i) {
  int depth = 0;
  while (i + 1 < s.size()) {
    if (s[i] == '/' && s[i + 1] == '*') ++depth, i += 2;
    else if (s[i] == '*' && s[i + 1] == '/') {
      i += 2;
      if (--depth == 0) return i;
    } else ++i;
  }
  return std::string_view::npos;
}

// The problems below carry paths relative to their element ("default", "where"): the full path
// is built only for a problem found (at()), not for each of the thousands of elements checked.
std::optional<expression_problem> check(std::string_view path, std::string_view what, std::string_view sql) {
  const std::size_t at = top_level_semicolon(sql);
  if (at == std::string_view::npos) return std::nullopt;
  return expression_problem{std::string(path),
                            fmt::format("{} \"{}\" has a \";\" outside quotes and parentheses (at byte {}): an "
                                        "expression must stay one expression, not become several statements",
                                        what, sql.substr(0, 200), at)};
}

// `p` with its path under `prefix` ("table.columns[3]" + "default").
std::optional<expression_problem> at(std::optional<expression_problem> p, std::string_view prefix) {
  if (p) p->path = fmt::format("{}.{}", prefix, p->path);
  return p;
}

std::optional<expression_problem> column_expressions(const column& c) {
  if (c.server_default)
    if (auto p = check("default", "server default", *c.server_default)) return p;
  if (c.backfill)
    if (auto p = check("backfill", "backfill", *c.backfill)) return p;
  if (c.generated)
    if (auto p = check("generated", "generation expression", *c.generated)) return p;
  return std::nullopt;
}

std::optional<expression_problem> check_expression(const check_constraint& c) {
  return check("expression", "check expression", c.expression);
}

std::optional<expression_problem> index_predicate(const index& i) {
  for (std::size_t k = 0; k < i.columns.size(); ++k)
    if (!i.columns[k].expression.empty())
      if (auto p = check("expression", "index expression", i.columns[k].expression))
        return at(std::move(p), fmt::format("columns[{}]", k));
  if (!i.where) return std::nullopt;
  return check("where", "index predicate", *i.where);
}

std::optional<expression_problem> view_query(const view& v) { return check("query", "view query", v.query); }

std::optional<expression_problem> exclusion_expressions(const exclusion_constraint& x) {
  for (std::size_t k = 0; k < x.elements.size(); ++k)
    if (!x.elements[k].key.expression.empty())
      if (auto p = check("expression", "exclusion element", x.elements[k].key.expression))
        return at(std::move(p), fmt::format("elements[{}]", k));
  if (!x.where) return std::nullopt;
  return check("where", "exclusion predicate", *x.where);
}

std::optional<expression_problem> policy_expressions(const policy& p) {
  if (p.using_expression)
    if (auto problem = check("using", "policy expression", *p.using_expression)) return problem;
  if (!p.check_expression) return std::nullopt;
  return check("with_check", "policy check expression", *p.check_expression);
}

// The first expression of `t` with a top-level `;`, its path relative to the table.
std::optional<expression_problem> table_expressions(const table& t) {
  for (std::size_t i = 0; i < t.columns.size(); ++i)
    if (auto p = column_expressions(t.columns[i])) return at(std::move(p), fmt::format("columns[{}]", i));
  for (std::size_t i = 0; i < t.checks.size(); ++i)
    if (auto p = check_expression(t.checks[i])) return at(std::move(p), fmt::format("checks[{}]", i));
  for (std::size_t i = 0; i < t.indexes.size(); ++i)
    if (auto p = index_predicate(t.indexes[i])) return at(std::move(p), fmt::format("indexes[{}]", i));
  for (std::size_t i = 0; i < t.exclusions.size(); ++i)
    if (auto p = exclusion_expressions(t.exclusions[i])) return at(std::move(p), fmt::format("exclusions[{}]", i));
  for (std::size_t i = 0; i < t.policies.size(); ++i)
    if (auto p = policy_expressions(t.policies[i])) return at(std::move(p), fmt::format("policies[{}]", i));
  return std::nullopt;
}

}  // namespace

std::size_t top_level_semicolon(std::string_view s) {
  int depth = 0;
  std::size_t i = 0;
  while (i < s.size()) {
    const char c = s[i];
    std::size_t next = i + 1;
    if (c == ';' && depth <= 0) return i;
    if (c == '(') ++depth;
    else if (c == ')') --depth;
    else if (c == '\'') next = end_of_quoted(s, i, '\'', false);
    else if (c == '"') next = end_of_quoted(s, i, '"', false);
    else if ((c == 'e' || c == 'E') && i + 1 < s.size() && s[i + 1] == '\'') next = end_of_quoted(s, i + 1, '\'', true);
    else if (ident_start(c)) {
      while (next < s.size() && ident_char(s[next])) ++next;  // a$b is one identifier, not a dollar quote
    } else if (c == '-' && i + 1 < s.size() && s[i + 1] == '-') {
      next = s.find('\n', i);
    } else if (c == '/' && i + 1 < s.size() && s[i + 1] == '*') {
      next = end_of_block_comment(s, i);
    } else if (c == '$') {
      if (const auto tag = dollar_tag(s, i); !tag.empty()) {
        const std::size_t close = s.find(tag, i + tag.size());
        next = close == std::string_view::npos ? close : close + tag.size();
      }
    }
    if (next == std::string_view::npos) return std::string_view::npos;  // unterminated: no statement follows
    i = next;
  }
  return std::string_view::npos;
}

std::optional<expression_problem> multi_statement_expression(const table& t, const std::string& path) {
  return at(table_expressions(t), path);
}

std::optional<expression_problem> multi_statement_expression(const ops::operation& op) {
  using result = std::optional<expression_problem>;
  return std::visit(
      overloaded{
          [](const ops::create_table& o) -> result { return at(table_expressions(o.def), "table"); },
          [](const ops::drop_table& o) -> result { return at(table_expressions(o.def), "table"); },
          [](const ops::add_column& o) -> result { return at(column_expressions(o.def), "column"); },
          [](const ops::drop_column& o) -> result { return at(column_expressions(o.def), "column"); },
          [](const ops::alter_column& o) -> result {
            if (auto p = column_expressions(o.from)) return at(std::move(p), "from");
            return at(column_expressions(o.to), "to");
          },
          [](const ops::backfill_column& o) -> result { return check("expression", "backfill", o.expression); },
          [](const ops::add_check& o) -> result { return at(check_expression(o.def), "check"); },
          [](const ops::drop_check& o) -> result { return at(check_expression(o.def), "check"); },
          [](const ops::create_index& o) -> result { return at(index_predicate(o.def), "index"); },
          [](const ops::drop_index& o) -> result { return at(index_predicate(o.def), "index"); },
          [](const ops::create_view& o) -> result { return at(view_query(o.def), "view"); },
          [](const ops::drop_view& o) -> result { return at(view_query(o.def), "view"); },
          [](const ops::replace_view& o) -> result {
            if (auto p = view_query(o.from)) return at(std::move(p), "from");
            return at(view_query(o.to), "to");
          },
          [](const ops::add_exclusion& o) -> result { return at(exclusion_expressions(o.def), "exclusion"); },
          [](const ops::drop_exclusion& o) -> result { return at(exclusion_expressions(o.def), "exclusion"); },
          [](const ops::create_policy& o) -> result { return at(policy_expressions(o.def), "policy"); },
          [](const ops::drop_policy& o) -> result { return at(policy_expressions(o.def), "policy"); },
          [](const ops::alter_policy& o) -> result {
            if (auto p = policy_expressions(o.from)) return at(std::move(p), "from");
            return at(policy_expressions(o.to), "to");
          },
          [](const auto&) -> result { return std::nullopt; },  // no expressions (an sql step is statements)
      },
      op);
}

void require_single_expressions(const schema& s) {
  for (std::size_t i = 0; i < s.tables.size(); ++i)
    if (auto p = table_expressions(s.tables[i])) throw model_error(fmt::format("tables[{}].{}", i, p->path), p->message);
  for (std::size_t i = 0; i < s.views.size(); ++i)
    if (auto p = view_query(s.views[i])) throw model_error(fmt::format("views[{}].{}", i, p->path), p->message);
}

}  // namespace retort
