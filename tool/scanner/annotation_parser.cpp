// Annotation language: a hand-written scanner/parser for the option syntax, then one reader
// per annotation kind that checks option names and values and keeps each option's offset.
#include "annotation_parser.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>
#include <limits>
#include <span>
#include <utility>

#include <fmt/format.h>

namespace retort::scan {

namespace {

bool is_ident_start(char c) { return std::isalpha(static_cast<unsigned char>(c)) || c == '_'; }
bool is_ident_char(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; }
bool is_digit(char c) { return std::isdigit(static_cast<unsigned char>(c)) != 0; }

// ---- syntax -----------------------------------------------------------------------------

class parser {
 public:
  explicit parser(std::string_view text) : text_(text) {}

  parsed_options run() {
    parsed_options out;
    skip_space();
    while (!failed_ && !at_end()) {
      auto o = parse_option(/*allow_call=*/true);
      if (!o) break;
      out.options.push_back(std::move(*o));
      skip_space();
      if (at_end()) break;
      if (peek() != ',') {
        fail(pos_, fmt::format("expected ',' before '{}'", rest_preview()));
        break;
      }
      ++pos_;
      skip_space();
      if (at_end()) fail(pos_, "expected an option after ','");
    }
    if (error_) out.errors.push_back(*error_);
    return out;
  }

 private:
  bool at_end() const { return pos_ >= text_.size(); }
  char peek() const { return at_end() ? '\0' : text_[pos_]; }
  void skip_space() {
    while (!at_end() && std::isspace(static_cast<unsigned char>(text_[pos_]))) ++pos_;
  }
  std::string rest_preview() const {
    std::size_t end = pos_;
    if (end < text_.size() && is_ident_char(text_[end])) {
      while (end < text_.size() && is_ident_char(text_[end])) ++end;
    } else if (end < text_.size()) {
      ++end;
    }
    return std::string(text_.substr(pos_, end - pos_));
  }
  void fail(std::size_t offset, std::string message) {
    if (!failed_) error_ = annotation_error{offset, std::move(message)};
    failed_ = true;
  }

  std::string identifier() {
    std::size_t start = pos_;
    while (!at_end() && is_ident_char(text_[pos_])) ++pos_;
    return std::string(text_.substr(start, pos_ - start));
  }

  std::optional<option> parse_option(bool allow_call) {
    skip_space();
    option o;
    o.offset = pos_;
    if (peek() == '"' || peek() == '-' || is_digit(peek())) {
      o.value = parse_value();
      if (!o.value) return std::nullopt;
      return o;
    }
    if (!is_ident_start(peek())) {
      fail(pos_, at_end() ? "expected an option" : fmt::format("expected an option, found '{}'", rest_preview()));
      return std::nullopt;
    }
    o.name = identifier();
    if (peek() == '"' || peek() == '\'') {
      fail(o.offset, "string literal prefixes and character literals are not supported");
      return std::nullopt;
    }
    skip_space();
    if (peek() == '=') {
      ++pos_;
      skip_space();
      o.value = parse_value();
      if (!o.value) return std::nullopt;
    } else if (peek() == '(') {
      if (!allow_call) {
        fail(pos_, fmt::format("'{}(...)' cannot be nested in another option", o.name));
        return std::nullopt;
      }
      ++pos_;
      o.arguments.emplace();
      skip_space();
      if (peek() == ')') {
        ++pos_;
        return o;
      }
      while (true) {
        auto a = parse_option(/*allow_call=*/false);
        if (!a) return std::nullopt;
        o.arguments->push_back(std::move(*a));
        skip_space();
        if (peek() == ',') {
          ++pos_;
          continue;
        }
        if (peek() == ')') {
          ++pos_;
          break;
        }
        fail(pos_, at_end() ? fmt::format("expected ')' to close '{}('", o.name)
                            : fmt::format("expected ',' or ')' before '{}'", rest_preview()));
        return std::nullopt;
      }
    }
    return o;
  }

  std::optional<option_value> parse_value() {
    option_value v;
    v.offset = pos_;
    if (peek() == '"') {
      v.what = option_value::kind::string;
      // Adjacent literals concatenate, as in C++.
      while (peek() == '"') {
        if (!string_literal(v.text)) return std::nullopt;
        std::size_t after = pos_;
        skip_space();
        if (peek() != '"') pos_ = after;
      }
      return v;
    }
    if (peek() == '-' || is_digit(peek())) {
      v.what = option_value::kind::integer;
      std::size_t start = pos_;
      if (peek() == '-') ++pos_;
      while (!at_end() && is_ident_char(text_[pos_])) ++pos_;
      v.text = std::string(text_.substr(start, pos_ - start));
      const char* first = v.text.data();
      const char* last = v.text.data() + v.text.size();
      auto [p, ec] = std::from_chars(first, last, v.integer);
      if (ec != std::errc{} || p != last) {
        fail(start, fmt::format("invalid integer '{}'", v.text));
        return std::nullopt;
      }
      return v;
    }
    if (is_ident_start(peek())) {
      v.what = option_value::kind::identifier;
      v.text = identifier();
      if (peek() == '"' || peek() == '\'') {
        fail(v.offset, "string literal prefixes and character literals are not supported");
        return std::nullopt;
      }
      return v;
    }
    fail(pos_, at_end() ? "expected a value after '='" : fmt::format("expected a value, found '{}'", rest_preview()));
    return std::nullopt;
  }

  bool string_literal(std::string& out) {
    std::size_t start = pos_;
    ++pos_;  // opening quote
    while (!at_end() && text_[pos_] != '"') {
      char c = text_[pos_];
      if (c != '\\') {
        out += c;
        ++pos_;
        continue;
      }
      if (pos_ + 1 >= text_.size()) break;
      char e = text_[pos_ + 1];
      switch (e) {
        case '"': out += '"'; break;
        case '\\': out += '\\'; break;
        case '\'': out += '\''; break;
        case 'n': out += '\n'; break;
        case 't': out += '\t'; break;
        case 'r': out += '\r'; break;
        default:
          fail(pos_, fmt::format("unsupported escape sequence '\\{}' in string literal", e));
          return false;
      }
      pos_ += 2;
    }
    if (at_end()) {
      fail(start, "unterminated string literal");
      return false;
    }
    ++pos_;  // closing quote
    return true;
  }

  std::string_view text_;
  std::size_t pos_ = 0;
  bool failed_ = false;
  std::optional<annotation_error> error_;
};

// ---- meaning ----------------------------------------------------------------------------

std::size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<std::size_t> row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diagonal = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      std::size_t above = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diagonal = above;
    }
  }
  return row[b.size()];
}

template <class E>
struct keyword {
  std::string_view spelling;
  E value;
};

constexpr auto fk_actions = [] {
  std::array<keyword<fk_action>, all_fk_actions.size()> out{};
  for (std::size_t i = 0; i < out.size(); ++i) out[i] = {spelling(all_fk_actions[i]).name, all_fk_actions[i]};
  return out;
}();
constexpr std::array<keyword<identity_kind>, 2> identity_kinds{{
    {"by_default", identity_kind::by_default},
    {"always", identity_kind::always},
}};

constexpr std::array<std::string_view, 8> table_options{"schema", "comment", "renamed_from", "primary_key",
                                                        "unique", "index", "check", "foreign_key"};
constexpr std::array<std::string_view, 15> column_options{
    "name", "primary_key", "identity", "unique", "index", "length", "type", "references",
    "on_delete", "on_update", "check", "server_default", "comment", "backfill", "renamed_from"};
constexpr std::array<std::string_view, 1> name_only{"name"};
constexpr std::array<std::string_view, 1> enum_options{"schema"};
constexpr std::array<std::string_view, 4> index_options{"unique", "where", "method", "name"};
constexpr std::array<std::string_view, 4> foreign_key_options{"references", "on_delete", "on_update", "name"};

// Checks and converts option values; every mistake becomes an error at the offending offset.
class reader {
 public:
  explicit reader(std::vector<annotation_error>& errors) : errors_(errors) {}

  void error(std::size_t offset, std::string message) { errors_.push_back({offset, std::move(message)}); }

  // The unnamed first argument of RETORT_TABLE / RETORT_ENUM: the SQL name, a string literal.
  void leading_name(const option& o, bool first, std::optional<std::string>& name, option_offsets& offsets,
                    std::string_view what) {
    if (!first) {
      error(o.offset, fmt::format("the {} must be the first argument", what));
    } else if (o.value->what == option_value::kind::string && !o.value->text.empty()) {
      name = o.value->text;
      offsets.emplace("name", o.offset);
    } else {
      error(o.offset, fmt::format("invalid {}: expected a non-empty string literal", what));
    }
  }

  // Records the option's offset; false (with an error) when it was given before.
  bool first_time(option_offsets& offsets, const option& o, bool repeatable = false) {
    auto [it, fresh] = offsets.emplace(o.name, o.offset);
    if (!fresh && !repeatable) {
      error(o.offset, fmt::format("option '{}' is given twice", o.name));
      return false;
    }
    return true;
  }

  // "unknown <what> 'name'<where>", with the nearest known name when one is near.
  void unknown(const option& o, std::string_view what, std::span<const std::string_view> known, std::string_view where = "") {
    std::string message = fmt::format("unknown {} '{}'{}", what, o.name, where);
    if (auto best = nearest_name(o.name, {known.begin(), known.end()})) message += fmt::format("; did you mean '{}'?", *best);
    error(o.offset, message);
  }

  bool no_call(const option& o) {
    if (!o.arguments) return true;
    error(o.offset, fmt::format("option '{}' is not a call; write {} = ...", o.name, o.name));
    return false;
  }

  bool flag(const option& o) {
    if (o.arguments) {
      error(o.offset, fmt::format("option '{}' takes no arguments", o.name));
      return false;
    }
    if (o.value) {
      error(o.value->offset, fmt::format("option '{}' takes no value", o.name));
      return false;
    }
    return true;
  }

  // The value of `o = value`, or an error at the option when it has none.
  const option_value* value(const option& o, std::string_view expected) {
    if (!no_call(o)) return nullptr;
    if (!o.value) {
      error(o.offset, fmt::format("option '{}' needs a value: {} = {}", o.name, o.name, expected));
      return nullptr;
    }
    return &*o.value;
  }

  std::optional<std::string> string(const option& o) {
    const option_value* v = value(o, "\"...\"");
    if (!v) return std::nullopt;
    if (v->what != option_value::kind::string) {
      error(v->offset, fmt::format("invalid value for '{}': expected a string literal", o.name));
      return std::nullopt;
    }
    return v->text;
  }

  std::optional<std::string> nonempty_string(const option& o) {
    auto s = string(o);
    if (s && s->empty()) {
      error(o.value->offset, fmt::format("invalid value for '{}': expected a non-empty string", o.name));
      return std::nullopt;
    }
    return s;
  }

  std::optional<int> integer(const option& o, int minimum) {
    const option_value* v = value(o, "<integer>");
    if (!v) return std::nullopt;
    if (v->what != option_value::kind::integer || v->integer < minimum || v->integer > 10'485'760) {
      error(v->offset, fmt::format("invalid value for '{}': expected {} integer", o.name,
                                   minimum > 0 ? "a positive" : "a non-negative"));
      return std::nullopt;
    }
    return static_cast<int>(v->integer);
  }

  template <class E, std::size_t N>
  std::optional<E> one_of(const option& o, const std::array<keyword<E>, N>& keywords) {
    std::vector<std::string_view> names;
    for (const auto& k : keywords) names.push_back(k.spelling);
    const option_value* v = value(o, names.front());
    if (!v) return std::nullopt;
    if (v->what == option_value::kind::identifier)
      for (const auto& k : keywords)
        if (k.spelling == v->text) return k.value;
    error(v->offset, fmt::format("invalid value for '{}': expected one of {}", o.name, fmt::join(names, ", ")));
    return std::nullopt;
  }

  std::optional<located<reference>> references(const option& o, bool single_column) {
    auto s = string(o);
    if (!s) return std::nullopt;
    auto r = parse_reference(*s);
    if (!r || (single_column && r->columns.size() != 1)) {
      error(o.value->offset, fmt::format("invalid value for '{}': expected {}", o.name,
                                         single_column ? "\"table.column\" or \"schema.table.column\""
                                                       : "\"table(column, ...)\" or \"schema.table(column, ...)\""));
      return std::nullopt;
    }
    return located<reference>{*r, o.value->offset};
  }

  // A call's bare identifiers are column names.
  bool column_argument(const option& a, std::vector<located<std::string>>& columns) {
    if (a.name.empty() || a.value || a.arguments) return false;
    columns.push_back({a.name, a.offset});
    return true;
  }

 private:
  std::vector<annotation_error>& errors_;
};

// The call's arguments: columns first, then its own options.
template <class Annotation>
void read_call(reader& r, const option& call, Annotation& out, std::span<const std::string_view> options,
               auto&& read_option) {
  out.offset = call.offset;
  if (!call.arguments) {
    r.error(call.offset, fmt::format("'{}' needs arguments: {}(...)", call.name, call.name));
    return;
  }
  option_offsets seen;
  for (const option& a : *call.arguments) {
    // A bare identifier names a column, unless it is one of the call's flags (index's
    // `unique`): a column may well be called `name`.
    const bool is_option = std::find(options.begin(), options.end(), a.name) != options.end();
    const bool is_flag = is_option && a.name == "unique";
    if (!is_flag && r.column_argument(a, out.columns)) continue;
    if (a.name.empty()) {
      if (!read_option(a)) r.error(a.offset, fmt::format("unexpected value in '{}(...)'", call.name));
      continue;
    }
    if (!is_option) {
      r.unknown(a, "option", options, fmt::format(" in '{}(...)'", call.name));
      continue;
    }
    if (r.first_time(seen, a)) read_option(a);
  }
}

void require_columns(reader& r, const option& call, const std::vector<located<std::string>>& columns) {
  if (call.arguments && columns.empty())
    r.error(call.offset, fmt::format("'{}(...)' needs at least one column", call.name));
}

}  // namespace

parsed_options parse_options(std::string_view text) { return parser(text).run(); }

std::optional<reference> parse_reference(std::string_view text) {
  auto ident = [](std::string_view s) {
    return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c != '.' && c != '(' && c != ')' && c != ',' && !std::isspace(static_cast<unsigned char>(c)); });
  };
  auto trim = [](std::string_view s) {
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
    return s;
  };
  text = trim(text);
  reference r;
  std::string_view qualified = text;
  if (auto open = text.find('('); open != std::string_view::npos) {
    if (!text.ends_with(")")) return std::nullopt;
    std::string_view inside = text.substr(open + 1, text.size() - open - 2);
    while (true) {
      auto comma = inside.find(',');
      std::string_view c = trim(inside.substr(0, comma));
      if (!ident(c)) return std::nullopt;
      r.columns.emplace_back(c);
      if (comma == std::string_view::npos) break;
      inside.remove_prefix(comma + 1);
    }
    qualified = trim(text.substr(0, open));
  } else {
    auto dot = text.rfind('.');
    if (dot == std::string_view::npos || !ident(text.substr(dot + 1))) return std::nullopt;
    r.columns.emplace_back(text.substr(dot + 1));
    qualified = text.substr(0, dot);
  }
  if (auto dot = qualified.find('.'); dot != std::string_view::npos) {
    r.schema = std::string(qualified.substr(0, dot));
    qualified.remove_prefix(dot + 1);
    if (!ident(*r.schema)) return std::nullopt;
  }
  if (!ident(qualified)) return std::nullopt;
  r.table = std::string(qualified);
  return r;
}

read_result<table_annotation> read_table_annotation(std::string_view text) {
  auto parsed = parse_options(text);
  read_result<table_annotation> out{{}, std::move(parsed.errors)};
  reader r(out.errors);
  table_annotation& a = out.annotation;
  bool first = true;
  for (const option& o : parsed.options) {
    const bool was_first = std::exchange(first, false);
    if (o.name.empty()) {
      r.leading_name(o, was_first, a.name, a.offsets, "table name");
      continue;
    }
    const bool repeatable = o.name == "renamed_from" || o.name == "unique" || o.name == "index" ||
                            o.name == "check" || o.name == "foreign_key";
    if (o.name == "schema" || o.name == "comment" || o.name == "renamed_from" || o.name == "primary_key" || repeatable) {
      if (!r.first_time(a.offsets, o, repeatable)) continue;
    }
    if (o.name == "schema") {
      a.schema = r.nonempty_string(o);
    } else if (o.name == "comment") {
      a.comment = r.string(o);
    } else if (o.name == "renamed_from") {
      if (auto s = r.nonempty_string(o)) a.renamed_from.push_back({*s, o.value->offset});
    } else if (o.name == "primary_key" || o.name == "unique") {
      key_annotation k;
      read_call(r, o, k, name_only, [&](const option& x) {
        if (x.name != "name") return false;
        k.name = r.nonempty_string(x);
        return true;
      });
      require_columns(r, o, k.columns);
      if (o.name == "primary_key") a.primary_key = std::move(k);
      else a.uniques.push_back(std::move(k));
    } else if (o.name == "index") {
      index_annotation i;
      read_call(r, o, i, index_options, [&](const option& x) {
        if (x.name == "unique") i.unique = r.flag(x);
        else if (x.name == "where") {
          if (auto s = r.nonempty_string(x)) i.where = *s;
        } else if (x.name == "name") {
          i.name = r.nonempty_string(x);
        } else if (x.name == "method") {
          const option_value* v = r.value(x, "btree");
          if (v && v->what != option_value::kind::integer &&
              std::find(index_methods.begin(), index_methods.end(), v->text) != index_methods.end())
            i.method = v->text;
          else if (v)
            r.error(v->offset, fmt::format("invalid value for 'method': expected one of {}", fmt::join(index_methods, ", ")));
        } else {
          return false;
        }
        return true;
      });
      require_columns(r, o, i.columns);
      a.indexes.push_back(std::move(i));
    } else if (o.name == "check") {
      check_annotation c;
      c.offset = o.offset;
      bool have_expression = false;
      if (!o.arguments) {
        r.error(o.offset, "'check' needs an expression: check(\"...\")");
        continue;
      }
      option_offsets seen;
      bool reported = false;
      for (const option& x : *o.arguments) {
        const bool bare = !x.value && !x.arguments;
        if (x.name.empty() && !have_expression && x.value->what == option_value::kind::string && !x.value->text.empty()) {
          c.expression = x.value->text;
          have_expression = true;
        } else if (x.name.empty() || (bare && x.name != "name")) {
          r.error(x.offset, "invalid value for 'check': expected one non-empty string literal, as in check(\"price >= 0\")");
          reported = true;
        } else if (x.name == "name") {
          if (r.first_time(seen, x)) c.name = r.nonempty_string(x);
        } else {
          r.unknown(x, "option", name_only, " in 'check(...)'");
          reported = true;
        }
      }
      if (have_expression) a.checks.push_back(std::move(c));
      else if (!reported) r.error(o.offset, "'check' needs an expression: check(\"...\")");
    } else if (o.name == "foreign_key") {
      foreign_key_annotation f;
      bool have_reference = false;
      read_call(r, o, f, foreign_key_options, [&](const option& x) {
        if (x.name == "references") {
          if (auto ref = r.references(x, false)) {
            f.references = *ref;
            have_reference = true;
          } else {
            have_reference = true;  // reported
          }
        } else if (x.name == "on_delete") {
          f.on_delete = r.one_of(x, fk_actions).value_or(fk_action::no_action);
        } else if (x.name == "on_update") {
          f.on_update = r.one_of(x, fk_actions).value_or(fk_action::no_action);
        } else if (x.name == "name") {
          f.name = r.nonempty_string(x);
        } else {
          return false;
        }
        return true;
      });
      require_columns(r, o, f.columns);
      if (o.arguments && !have_reference) r.error(o.offset, "'foreign_key(...)' needs references = \"table(column, ...)\"");
      if (!f.references.value.table.empty()) a.foreign_keys.push_back(std::move(f));
    } else if (was_first && !o.value && !o.arguments) {
      r.error(o.offset, fmt::format("the table name must be a string literal: RETORT_TABLE(\"{}\", ...)", o.name));
    } else {
      r.unknown(o, "table option", table_options);
    }
  }
  return out;
}

read_result<column_annotation> read_column_annotation(std::string_view text) {
  auto parsed = parse_options(text);
  read_result<column_annotation> out{{}, std::move(parsed.errors)};
  reader r(out.errors);
  column_annotation& a = out.annotation;
  for (const option& o : parsed.options) {
    if (o.name.empty()) {
      r.error(o.offset, "expected an option name");
      continue;
    }
    if (std::find(column_options.begin(), column_options.end(), o.name) == column_options.end()) {
      r.unknown(o, "column option", column_options);
      continue;
    }
    if (!r.first_time(a.offsets, o, o.name == "renamed_from")) continue;
    if (o.name == "name") a.name = r.nonempty_string(o);
    else if (o.name == "primary_key") a.primary_key = r.flag(o);
    else if (o.name == "identity") {
      if (r.no_call(o)) a.identity = o.value ? r.one_of(o, identity_kinds).value_or(identity_kind::by_default) : identity_kind::by_default;
    } else if (o.name == "unique") a.unique = r.flag(o);
    else if (o.name == "index") a.index = r.flag(o);
    else if (o.name == "length") a.length = r.integer(o, 1);
    else if (o.name == "type") {
      if (auto s = r.string(o)) {
        a.type = parse_builtin_type(*s);
        if (!a.type) r.error(o.value->offset, fmt::format("invalid value for 'type': unknown column type \"{}\"", *s));
      }
    } else if (o.name == "references") {
      a.references = r.references(o, true);
    } else if (o.name == "on_delete") a.on_delete = r.one_of(o, fk_actions).value_or(fk_action::no_action);
    else if (o.name == "on_update") a.on_update = r.one_of(o, fk_actions).value_or(fk_action::no_action);
    else if (o.name == "check") a.check = r.nonempty_string(o);
    else if (o.name == "server_default") a.server_default = r.nonempty_string(o);
    else if (o.name == "comment") a.comment = r.string(o);
    else if (o.name == "backfill") a.backfill = r.nonempty_string(o);
    else if (o.name == "renamed_from") {
      if (auto s = r.nonempty_string(o)) a.renamed_from.push_back(*s);
    }
  }
  // Options that only make sense with another one.
  auto needs = [&](std::string_view option, std::string_view other) {
    auto it = a.offsets.find(option);
    if (it != a.offsets.end() && !a.offsets.contains(other))
      r.error(it->second, fmt::format("option '{}' needs '{}'", option, other));
  };
  needs("on_delete", "references");
  needs("on_update", "references");
  if (a.offsets.contains("length") && a.offsets.contains("type"))
    r.error(a.offsets.at("length"), "option 'length' cannot be combined with 'type'; write the length in the type, as in \"varchar(20)\"");
  return out;
}

read_result<enum_annotation> read_enum_annotation(std::string_view text) {
  auto parsed = parse_options(text);
  read_result<enum_annotation> out{{}, std::move(parsed.errors)};
  reader r(out.errors);
  enum_annotation& a = out.annotation;
  bool first = true;
  for (const option& o : parsed.options) {
    const bool was_first = std::exchange(first, false);
    if (o.name.empty()) {
      r.leading_name(o, was_first, a.name, a.offsets, "enum type name");
      continue;
    }
    if (o.name != "schema") {
      r.unknown(o, "enum option", enum_options);
      continue;
    }
    if (r.first_time(a.offsets, o)) a.schema = r.nonempty_string(o);
  }
  return out;
}

std::optional<std::string> nearest_name(std::string_view name, const std::vector<std::string_view>& known) {
  std::optional<std::string> best;
  std::size_t best_distance = std::max<std::size_t>(1, name.size() / 3) + 1;
  for (std::string_view k : known) {
    std::size_t d = name.size() >= 3 && k.starts_with(name) ? 1 : edit_distance(name, k);
    if (d < best_distance) {
      best = std::string(k);
      best_distance = d;
    }
  }
  return best;
}

}  // namespace retort::scan
