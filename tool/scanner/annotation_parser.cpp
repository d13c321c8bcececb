// Annotation language: a parser of the option syntax over the lexer's tokens, then tables that
// describe each option once (value, repetition, combinations, effect) read by one loop.
#include "annotation_parser.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>
#include <limits>
#include <span>
#include <utility>

#include <fmt/format.h>
#include <llvm/ADT/STLExtras.h>
#include <llvm/ADT/SmallVector.h>
#include <llvm/ADT/StringRef.h>

namespace retort::scan {

namespace {

// ---- syntax -----------------------------------------------------------------------------

using token_kind = annotation_token::kind;

class parser {
 public:
  explicit parser(const annotation_tokens& in) : tokens_(in.tokens), end_(in.end) {}

  parsed_options run() {
    parsed_options out;
    while (!failed_ && !at_end()) {
      auto o = parse_option(/*allow_call=*/true);
      if (!o) break;
      out.options.push_back(std::move(*o));
      if (at_end()) break;
      if (!is(",")) {
        fail(here(), fmt::format("expected ',' before '{}'", peek().spelling));
        break;
      }
      ++pos_;
      if (at_end()) fail(here(), "expected an option after ','");
    }
    if (error_) out.errors.push_back(*error_);
    return out;
  }

 private:
  [[nodiscard]] bool at_end() const { return pos_ >= tokens_.size(); }
  [[nodiscard]] const annotation_token& peek() const { return tokens_[pos_]; }
  [[nodiscard]] bool is(token_kind k) const { return !at_end() && peek().what == k; }
  [[nodiscard]] bool is(std::string_view punctuator) const { return is(token_kind::punctuation) && peek().spelling == punctuator; }
  // Where the next token starts, or where the arguments end.
  [[nodiscard]] std::size_t here() const { return at_end() ? end_ : peek().offset; }

  void fail(std::size_t offset, std::string message) {
    if (!failed_) error_ = annotation_error{offset, std::move(message)};
    failed_ = true;
  }
  // A literal the lexer could not read: its problem, where the lexer found it.
  void fail_invalid() { fail(peek().problem_offset, peek().value); }

  std::optional<option> parse_option(bool allow_call) {
    option o;
    o.offset = here();
    if (is(token_kind::string) || is(token_kind::number) || is(token_kind::invalid) || is("-")) {
      o.value = parse_value();
      if (!o.value) return std::nullopt;
      return o;
    }
    if (!is(token_kind::identifier)) {
      fail(here(), at_end() ? "expected an option" : fmt::format("expected an option, found '{}'", peek().spelling));
      return std::nullopt;
    }
    o.name = peek().value;
    ++pos_;
    if (is("=")) {
      ++pos_;
      o.value = parse_value();
      if (!o.value) return std::nullopt;
    } else if (is("(")) {
      if (!allow_call) {
        fail(here(), fmt::format("'{}(...)' cannot be nested in another option", o.name));
        return std::nullopt;
      }
      ++pos_;
      o.arguments.emplace();
      if (is(")")) {
        ++pos_;
        return o;
      }
      while (true) {
        auto a = parse_option(/*allow_call=*/false);
        if (!a) return std::nullopt;
        o.arguments->push_back(std::move(*a));
        if (is(",")) {
          ++pos_;
          continue;
        }
        if (is(")")) {
          ++pos_;
          break;
        }
        fail(here(), at_end() ? fmt::format("expected ')' to close '{}('", o.name)
                              : fmt::format("expected ',' or ')' before '{}'", peek().spelling));
        return std::nullopt;
      }
    }
    return o;
  }

  std::optional<option_value> parse_value() {
    option_value v;
    v.offset = here();
    if (is(token_kind::invalid)) {
      fail_invalid();
      return std::nullopt;
    }
    if (is(token_kind::string)) {
      v.what = option_value::kind::string;
      // Adjacent literals concatenate, as in C++.
      for (; is(token_kind::string) || is(token_kind::invalid); ++pos_) {
        if (is(token_kind::invalid)) {
          fail_invalid();
          return std::nullopt;
        }
        v.text += peek().value;
      }
      return v;
    }
    if (is("-") || is(token_kind::number)) {
      v.what = option_value::kind::integer;
      const bool negative = is("-");
      if (negative) ++pos_;
      if (is(token_kind::invalid)) {
        fail_invalid();
        return std::nullopt;
      }
      if (!is(token_kind::number)) {
        fail(here(), at_end() ? std::string("expected a number after '-'") : fmt::format("expected a number, found '{}'", peek().spelling));
        return std::nullopt;
      }
      // The lexer gives the decimal value of a literal below 2^63.
      std::from_chars(peek().value.data(), peek().value.data() + peek().value.size(), v.integer);
      if (negative) v.integer = -v.integer;
      v.text = (negative ? "-" : "") + peek().spelling;
      ++pos_;
      return single_value(v);
    }
    if (is(token_kind::identifier) || is("::")) {
      v.what = option_value::kind::identifier;
      v.text = qualified_name();
      if (v.text.empty()) return std::nullopt;
      return single_value(v);
    }
    fail(here(), at_end() ? "expected a value after '='" : fmt::format("expected a value, found '{}'", peek().spelling));
    return std::nullopt;
  }

  // `name`, `scope::name` or `::name`, as one spelling.
  std::string qualified_name() {
    std::string text;
    if (is("::")) {
      text = "::";
      ++pos_;
    }
    while (true) {
      if (!is(token_kind::identifier)) {
        fail(here(), at_end() ? "expected a name after '::'" : fmt::format("expected a name, found '{}'", peek().spelling));
        return {};
      }
      text += peek().value;
      ++pos_;
      if (!is("::")) return text;
      text += "::";
      ++pos_;
    }
  }

  // A value is one literal or one name: an operator after it would make an expression, which
  // the scan cannot evaluate in the model's scope; a named constant says the same.
  std::optional<option_value> single_value(option_value v) {
    if (at_end() || is(",") || is(")") || !is(token_kind::punctuation)) return v;
    fail(v.offset, fmt::format("only a literal or the name of a constant can be a value, not an expression ('{}' "
                               "follows); declare it as a constexpr variable and write its name",
                               peek().spelling));
    return std::nullopt;
  }

  const std::vector<annotation_token>& tokens_;
  std::size_t end_ = 0;
  std::size_t pos_ = 0;
  bool failed_ = false;
  std::optional<annotation_error> error_;
};

// ---- meaning ----------------------------------------------------------------------------

constexpr auto fk_action_names = [] {
  std::array<std::string_view, all_fk_actions.size()> out{};
  for (std::size_t i = 0; i < out.size(); ++i) out[i] = spelling(all_fk_actions[i]).name;
  return out;
}();
// The first is what a bare `identity` means.
constexpr std::array<std::string_view, 2> identity_names{"by_default", "always"};

// A keyword the reader accepted as one of `fk_action_names`.
fk_action fk_action_named(std::string_view keyword) {
  for (fk_action a : all_fk_actions)
    if (spelling(a).name == keyword) return a;
  return fk_action::no_action;
}

// What an option's value must be; the reader checks it before the option's row sees it.
enum class value_kind {
  flag,              ///< `unique`
  string,            ///< `comment = "..."`, possibly empty
  nonempty_string,   ///< `check = "..."`
  positive_integer,  ///< `length = 255`, at most the row's maximum
  any_integer,       ///< `increment = -1`: any 64-bit integer (a sequence's values)
  keyword,           ///< `on_delete = cascade`: one of the row's keywords
  flag_or_keyword,   ///< `identity` (the first keyword) or `identity = always`
  call,              ///< `index(a, b, ...)`: the row reads the arguments itself
};

class reader;

// A value that passed its kind's checks, handed to the row that sets the annotation.
struct checked_value {
  reader& r;             ///< for the mistakes only the row can see (an unknown type, ...)
  const option& source;  ///< the option as written
  std::string text;      ///< string, keyword
  int integer = 0;       ///< positive_integer
  std::size_t offset = 0;  ///< of the value; of the option for a flag or a call
  std::int64_t wide = 0;   ///< any_integer
};

// One option of an annotation, described once: its spelling, its value, how often it may be
// given, what it needs or rules out, and how it sets the annotation. The readers below are
// one loop over these tables; adding an option is adding a row.
template <class Annotation>
struct option_rule {
  std::string_view name;
  value_kind kind = value_kind::flag;
  bool repeatable = false;
  std::string_view requires_option = {};  ///< given only together with this option
  std::string_view excludes = {};         ///< never together with this option
  std::string_view excludes_hint = {};    ///< what to write instead, appended to that error
  bool alone = false;                     ///< never together with any other option
  std::span<const std::string_view> keywords = {};  ///< keyword, flag_or_keyword
  int maximum = std::numeric_limits<int>::max();     ///< positive_integer
  void (*set)(Annotation&, const checked_value&) = nullptr;
};

template <class Annotation>
const option_rule<Annotation>* find_rule(std::span<const option_rule<Annotation>> rules, std::string_view name) {
  for (const auto& rule : rules)
    if (rule.name == name) return &rule;
  return nullptr;
}

template <class Annotation>
std::vector<std::string_view> names_of(std::span<const option_rule<Annotation>> rules) {
  std::vector<std::string_view> out;
  for (const auto& rule : rules) out.push_back(rule.name);
  return out;
}

// Checks and converts option values; every mistake becomes an error at the offending offset.
class reader {
 public:
  reader(std::vector<annotation_error>& errors, const constant_evaluator& evaluate) : errors_(errors), evaluate_(evaluate) {}

  void error(std::size_t offset, std::string message) { errors_.push_back({offset, std::move(message)}); }

  // The unnamed first argument of RETORT_TABLE / RETORT_ENUM / RETORT_VALUE: the SQL name, a string literal.
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
  void unknown(const option& o, std::string_view what, const std::vector<std::string_view>& known,
               std::string_view where = "") {
    std::string message = fmt::format("unknown {} '{}'{}", what, o.name, where);
    if (auto best = nearest_name(o.name, known)) message += fmt::format("; did you mean '{}'?", *best);
    error(o.offset, message);
  }

  // The option's value as its kind requires it; nullopt after reporting why not.
  std::optional<checked_value> check(const option& o, value_kind kind, std::span<const std::string_view> keywords,
                                     int maximum) {
    switch (kind) {
      case value_kind::flag:
        if (!flag(o)) return std::nullopt;
        return checked_value{*this, o, {}, 0, o.offset};
      case value_kind::string:
      case value_kind::nonempty_string: {
        auto s = kind == value_kind::string ? string(o) : nonempty_string(o);
        if (!s) return std::nullopt;
        return checked_value{*this, o, std::move(*s), 0, o.value->offset};
      }
      case value_kind::positive_integer: {
        auto n = integer(o, 1, maximum);
        if (!n) return std::nullopt;
        return checked_value{*this, o, {}, *n, o.value->offset};
      }
      case value_kind::any_integer: {
        const option_value* v = value(o, "<integer>");
        if (!v) return std::nullopt;
        std::string named;
        bool reported = false;
        const auto n = integer_or_constant(o, *v, named, reported);
        if (!n) {
          if (!reported) error(v->offset, fmt::format("invalid value for '{}': expected an integer", o.name));
          return std::nullopt;
        }
        return checked_value{*this, o, {}, 0, v->offset, *n};
      }
      case value_kind::flag_or_keyword:
        if (!no_call(o)) return std::nullopt;
        if (!o.value) return checked_value{*this, o, std::string(keywords.front()), 0, o.offset};
        [[fallthrough]];
      case value_kind::keyword: {
        auto k = one_of(o, keywords);
        if (!k) return std::nullopt;
        return checked_value{*this, o, std::string(*k), 0, o.value->offset};
      }
      case value_kind::call:
        return checked_value{*this, o, {}, 0, o.offset};
    }
    return std::nullopt;
  }

  std::optional<located<reference>> references(const checked_value& v, bool single_column) {
    auto r = parse_reference(v.text);
    if (!r || (single_column && r->columns.size() != 1)) {
      error(v.offset, fmt::format("invalid value for '{}': expected {}", v.source.name,
                                  single_column ? "\"table.column\" or \"schema.table.column\""
                                                : "\"table(column, ...)\" or \"schema.table(column, ...)\""));
      return std::nullopt;
    }
    return located<reference>{*r, v.offset};
  }

  // A call's bare identifiers are column names.
  bool column_argument(const option& a, std::vector<located<std::string>>& columns) {
    if (a.name.empty() || a.value || a.arguments) return false;
    columns.push_back({a.name, a.offset});
    return true;
  }

 private:
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

  // An integer literal, or the name of a constant the scanner evaluates (`length = kMaxEmail`);
  // `named` says what a constant was worth. nullopt for a value of another kind, and for a
  // constant that cannot be evaluated (then `reported` is set).
  std::optional<std::int64_t> integer_or_constant(const option& o, const option_value& v, std::string& named,
                                                  bool& reported) {
    if (v.what == option_value::kind::integer) return v.integer;
    if (v.what != option_value::kind::identifier) return std::nullopt;
    const constant_value c = evaluate_ ? evaluate_(v.text) : constant_value{std::nullopt, "no constant can be evaluated here"};
    if (!c.value) {
      error(v.offset, fmt::format("invalid value for '{}': {}", o.name, c.problem));
      reported = true;
      return std::nullopt;
    }
    named = fmt::format(" ('{}' is {})", v.text, *c.value);
    return c.value;
  }

  // An integer in [minimum, maximum] (`length = 255`, `length = kMaxEmail`).
  std::optional<int> integer(const option& o, int minimum, int maximum) {
    const option_value* v = value(o, "<integer>");
    if (!v) return std::nullopt;
    std::string named;  // what the constant was worth, for the range error
    bool reported = false;
    const std::optional<std::int64_t> n = integer_or_constant(o, *v, named, reported);
    if (reported) return std::nullopt;
    if (!n || *n < minimum || *n > maximum) {
      error(v->offset, fmt::format("invalid value for '{}': expected {} integer{}", o.name,
                                   minimum > 0 ? "a positive" : "a non-negative", named));
      return std::nullopt;
    }
    return static_cast<int>(*n);
  }

  std::optional<std::string_view> one_of(const option& o, std::span<const std::string_view> keywords) {
    const option_value* v = value(o, keywords.front());
    if (!v) return std::nullopt;
    if (v->what == option_value::kind::identifier)
      for (std::string_view k : keywords)
        if (k == v->text) return k;
    error(v->offset, fmt::format("invalid value for '{}': expected one of {}", o.name, fmt::join(keywords, ", ")));
    return std::nullopt;
  }

  std::vector<annotation_error>& errors_;
  const constant_evaluator& evaluate_;
};

// Reads `o` by its row: recorded in `seen`, its value checked, the annotation set. False
// when no row has its name.
template <class Annotation>
bool apply(reader& r, const option& o, std::span<const option_rule<Annotation>> rules, Annotation& a,
           option_offsets& seen) {
  const option_rule<Annotation>* rule = find_rule(rules, o.name);
  if (!rule) return false;
  if (!r.first_time(seen, o, rule->repeatable)) return true;
  if (auto v = r.check(o, rule->kind, rule->keywords, rule->maximum)) rule->set(a, *v);
  return true;
}

// Options that only make sense with another one, or never with it.
template <class Annotation>
void check_combinations(reader& r, std::span<const option_rule<Annotation>> rules, const option_offsets& seen) {
  for (const auto& rule : rules) {
    auto it = seen.find(rule.name);
    if (it == seen.end()) continue;
    if (!rule.requires_option.empty() && !seen.contains(rule.requires_option))
      r.error(it->second, fmt::format("option '{}' needs '{}'", rule.name, rule.requires_option));
    if (!rule.excludes.empty() && seen.contains(rule.excludes))
      r.error(it->second, fmt::format("option '{}' cannot be combined with '{}'{}", rule.name, rule.excludes, rule.excludes_hint));
    if (rule.alone && seen.size() > 1)
      r.error(it->second, fmt::format("option '{}' cannot be combined with other options", rule.name));
  }
}

// A call's arguments: columns first, then its own options. Returns the options given.
template <class Call>
option_offsets read_call(reader& r, const option& call, Call& out, std::span<const option_rule<Call>> rules) {
  out.offset = call.offset;
  option_offsets seen;
  if (!call.arguments) {
    r.error(call.offset, fmt::format("'{}' needs arguments: {}(...)", call.name, call.name));
    return seen;
  }
  for (const option& a : *call.arguments) {
    // A bare identifier names a column, unless it is one of the call's flags (index's
    // `unique`, `deferrable`): a column may well be called `name`.
    const option_rule<Call>* rule = find_rule(rules, a.name);
    const bool is_flag = rule && (rule->kind == value_kind::flag || rule->kind == value_kind::flag_or_keyword);
    if (!is_flag && r.column_argument(a, out.columns)) continue;
    if constexpr (requires { Call::string_keys; }) {
      if (a.name.empty() && a.value && a.value->what == option_value::kind::string && !a.value->text.empty()) {
        out.columns.push_back({a.value->text, a.value->offset});
        continue;
      }
    }
    if (a.name.empty()) {
      r.error(a.offset, fmt::format("unexpected value in '{}(...)'", call.name));
    } else if (!apply(r, a, rules, out, seen)) {
      r.unknown(a, "option", names_of(rules), fmt::format(" in '{}(...)'", call.name));
    }
  }
  check_combinations(r, rules, seen);
  if (out.columns.empty()) r.error(call.offset, fmt::format("'{}(...)' needs at least one column", call.name));
  return seen;
}

// ---- the options of each call and annotation ---------------------------------------------

template <class Call>
constexpr option_rule<Call> constraint_name{
    .name = "name", .kind = value_kind::nonempty_string, .set = [](Call& c, const checked_value& v) { c.name = v.text; }};

constexpr std::string_view deferral_names[]{"initially_immediate", "initially_deferred"};

// `deferrable` (checked at each statement until SET CONSTRAINTS says otherwise) or
// `deferrable = initially_deferred`.
template <class Annotation>
constexpr option_rule<Annotation> deferrable_rule{
    .name = "deferrable", .kind = value_kind::flag_or_keyword, .keywords = deferral_names,
    .set = [](Annotation& a, const checked_value& v) { a.deferrable = *deferral_named(v.text); }};

constexpr option_rule<key_annotation> key_rules[]{constraint_name<key_annotation>};
constexpr option_rule<key_annotation> unique_rules[]{constraint_name<key_annotation>, deferrable_rule<key_annotation>};
constexpr option_rule<check_annotation> check_rules[]{constraint_name<check_annotation>};

constexpr option_rule<index_annotation> index_rules[]{
    {.name = "unique", .kind = value_kind::flag, .set = [](index_annotation& i, const checked_value&) { i.unique = true; }},
    {.name = "where", .kind = value_kind::nonempty_string, .set = [](index_annotation& i, const checked_value& v) { i.where = v.text; }},
    {.name = "method", .kind = value_kind::keyword, .keywords = index_methods,
     .set = [](index_annotation& i, const checked_value& v) { i.method = v.text; }},
    {.name = "include", .kind = value_kind::nonempty_string,
     .set = [](index_annotation& i, const checked_value& v) { i.include = comma_list(v.text); }},
    {.name = "nulls_not_distinct", .kind = value_kind::flag, .requires_option = "unique",
     .set = [](index_annotation& i, const checked_value&) { i.nulls_not_distinct = true; }},
    {.name = "with", .kind = value_kind::nonempty_string,
     .set = [](index_annotation& i, const checked_value& v) {
       i.with = comma_list(v.text);
       for (const auto& w : i.with)
         if (w.find('=') == std::string::npos || w.front() == '=')
           v.r.error(v.offset, fmt::format("invalid storage parameter \"{}\": expected name=value", w));
       std::sort(i.with.begin(), i.with.end());
     }},
    constraint_name<index_annotation>,
};

constexpr option_rule<foreign_key_annotation> foreign_key_rules[]{
    {.name = "references", .kind = value_kind::string,
     .set = [](foreign_key_annotation& f, const checked_value& v) {
       if (auto ref = v.r.references(v, /*single_column=*/false)) f.references = *ref;
     }},
    {.name = "on_delete", .kind = value_kind::keyword, .keywords = fk_action_names,
     .set = [](foreign_key_annotation& f, const checked_value& v) { f.on_delete = fk_action_named(v.text); }},
    {.name = "on_update", .kind = value_kind::keyword, .keywords = fk_action_names,
     .set = [](foreign_key_annotation& f, const checked_value& v) { f.on_update = fk_action_named(v.text); }},
    deferrable_rule<foreign_key_annotation>,
    constraint_name<foreign_key_annotation>,
};

constexpr option_rule<exclusion_annotation> exclusion_rules[]{
    {.name = "method", .kind = value_kind::keyword, .keywords = index_methods,
     .set = [](exclusion_annotation& x, const checked_value& v) { x.method = v.text; }},
    {.name = "where", .kind = value_kind::nonempty_string,
     .set = [](exclusion_annotation& x, const checked_value& v) { x.where = v.text; }},
    {.name = "include", .kind = value_kind::nonempty_string,
     .set = [](exclusion_annotation& x, const checked_value& v) { x.include = comma_list(v.text); }},
    deferrable_rule<exclusion_annotation>,
    constraint_name<exclusion_annotation>,
};

constexpr std::string_view policy_command_names[]{"all", "select", "insert", "update", "delete"};
constexpr std::string_view policy_kind_names[]{"permissive", "restrictive"};

constexpr option_rule<policy_annotation> policy_rules[]{
    {.name = "for", .kind = value_kind::keyword, .keywords = policy_command_names,
     .set = [](policy_annotation& p, const checked_value& v) { p.command = *policy_command_named(v.text); }},
    {.name = "as", .kind = value_kind::keyword, .keywords = policy_kind_names,
     .set = [](policy_annotation& p, const checked_value& v) { p.restrictive = v.text == "restrictive"; }},
    {.name = "to", .kind = value_kind::nonempty_string,
     .set = [](policy_annotation& p, const checked_value& v) {
       // PUBLIC is every role: written as no role at all, as the catalog lists it.
       for (auto& role : comma_list(v.text))
         if (!llvm::StringRef(role).equals_insensitive("public")) p.roles.push_back(std::move(role));
       std::sort(p.roles.begin(), p.roles.end());
     }},
    {.name = "using", .kind = value_kind::nonempty_string,
     .set = [](policy_annotation& p, const checked_value& v) { p.using_expression = v.text; }},
    {.name = "with_check", .kind = value_kind::nonempty_string,
     .set = [](policy_annotation& p, const checked_value& v) { p.check_expression = v.text; }},
};

// policy("name", for = ..., to = "...", using = "...", with_check = "...", as = ...): a positional
// name, then the policy's options.
void read_policy(table_annotation& a, const checked_value& v) {
  reader& r = v.r;
  const option& o = v.source;
  constexpr std::string_view needs_name = "'policy' needs its name first: policy(\"name\", using = \"...\")";
  if (!o.arguments) {
    r.error(o.offset, std::string(needs_name));
    return;
  }
  policy_annotation p;
  p.offset = o.offset;
  option_offsets seen;
  bool first = true;
  bool reported = false;
  for (const option& x : *o.arguments) {
    const bool was_first = std::exchange(first, false);
    if (x.name.empty() && was_first && x.value->what == option_value::kind::string && !x.value->text.empty()) {
      p.name = x.value->text;
    } else if (x.name.empty() || (was_first && !x.value && !x.arguments)) {
      r.error(x.offset, std::string(needs_name));
      reported = true;
    } else if (!apply<policy_annotation>(r, x, policy_rules, p, seen)) {
      r.unknown(x, "option", names_of<policy_annotation>(policy_rules), " in 'policy(...)'");
      reported = true;
    }
  }
  if (!p.name) {
    if (!reported) r.error(o.offset, std::string(needs_name));
    return;
  }
  a.policies.push_back(std::move(p));
}

constexpr std::string_view row_security_names[]{"enabled", "forced"};

// check("expression", name = "..."): a positional expression, which read_call's columns are not.
void read_check(table_annotation& a, const checked_value& v) {
  reader& r = v.r;
  const option& o = v.source;
  constexpr std::string_view needs_expression = "'check' needs an expression: check(\"...\")";
  if (!o.arguments) {
    r.error(o.offset, std::string(needs_expression));
    return;
  }
  check_annotation c;
  c.offset = o.offset;
  bool have_expression = false;
  bool reported = false;
  option_offsets seen;
  for (const option& x : *o.arguments) {
    const bool bare = !x.value && !x.arguments;
    if (x.name.empty() && !have_expression && x.value->what == option_value::kind::string && !x.value->text.empty()) {
      c.expression = x.value->text;
      have_expression = true;
    } else if (x.name.empty() || (bare && !find_rule<check_annotation>(check_rules, x.name))) {
      r.error(x.offset, "invalid value for 'check': expected one non-empty string literal, as in check(\"price >= 0\")");
      reported = true;
    } else if (!apply<check_annotation>(r, x, check_rules, c, seen)) {
      r.unknown(x, "option", names_of<check_annotation>(check_rules), " in 'check(...)'");
      reported = true;
    }
  }
  if (have_expression) a.checks.push_back(std::move(c));
  else if (!reported) r.error(o.offset, std::string(needs_expression));
}

constexpr option_rule<table_annotation> table_rules[]{
    {.name = "schema", .kind = value_kind::nonempty_string,
     .set = [](table_annotation& a, const checked_value& v) { a.schema = v.text; }},
    {.name = "comment", .kind = value_kind::string, .set = [](table_annotation& a, const checked_value& v) { a.comment = v.text; }},
    {.name = "renamed_from", .kind = value_kind::nonempty_string, .repeatable = true,
     .set = [](table_annotation& a, const checked_value& v) { a.renamed_from.push_back({v.text, v.offset}); }},
    {.name = "primary_key", .kind = value_kind::call,
     .set = [](table_annotation& a, const checked_value& v) {
       key_annotation k;
       read_call<key_annotation>(v.r, v.source, k, key_rules);
       a.primary_key = std::move(k);
     }},
    {.name = "unique", .kind = value_kind::call, .repeatable = true,
     .set = [](table_annotation& a, const checked_value& v) {
       key_annotation k;
       read_call<key_annotation>(v.r, v.source, k, unique_rules);
       a.uniques.push_back(std::move(k));
     }},
    {.name = "index", .kind = value_kind::call, .repeatable = true,
     .set = [](table_annotation& a, const checked_value& v) {
       index_annotation i;
       read_call<index_annotation>(v.r, v.source, i, index_rules);
       a.indexes.push_back(std::move(i));
     }},
    {.name = "check", .kind = value_kind::call, .repeatable = true, .set = read_check},
    {.name = "exclude", .kind = value_kind::call, .repeatable = true,
     .set = [](table_annotation& a, const checked_value& v) {
       exclusion_annotation x;
       read_call<exclusion_annotation>(v.r, v.source, x, exclusion_rules);
       a.exclusions.push_back(std::move(x));
     }},
    {.name = "row_level_security", .kind = value_kind::flag_or_keyword, .keywords = row_security_names,
     .set = [](table_annotation& a, const checked_value& v) { a.rls = {true, v.text == "forced"}; }},
    {.name = "policy", .kind = value_kind::call, .repeatable = true, .set = read_policy},
    {.name = "partition_by", .kind = value_kind::nonempty_string,
     .set = [](table_annotation& a, const checked_value& v) {
       a.partition_by = parse_partition_key(v.text);
       if (!a.partition_by)
         v.r.error(v.offset, fmt::format("invalid value for 'partition_by': \"{}\" is not \"range (column, ...)\", "
                                         "\"list (column)\" or \"hash (column, ...)\" (a key of columns)", v.text));
     }},
    {.name = "foreign_key", .kind = value_kind::call, .repeatable = true,
     .set = [](table_annotation& a, const checked_value& v) {
       foreign_key_annotation f;
       const option_offsets given = read_call<foreign_key_annotation>(v.r, v.source, f, foreign_key_rules);
       if (v.source.arguments && !given.contains("references"))
         v.r.error(v.offset, "'foreign_key(...)' needs references = \"table(column, ...)\"");
       if (!f.references.value.table.empty()) a.foreign_keys.push_back(std::move(f));
     }},
};

constexpr option_rule<column_annotation> column_rules[]{
    {.name = "name", .kind = value_kind::nonempty_string, .set = [](column_annotation& a, const checked_value& v) { a.name = v.text; }},
    {.name = "primary_key", .kind = value_kind::flag, .set = [](column_annotation& a, const checked_value&) { a.primary_key = true; }},
    {.name = "identity", .kind = value_kind::flag_or_keyword, .keywords = identity_names,
     .set = [](column_annotation& a, const checked_value& v) {
       a.identity = v.text == "always" ? identity_kind::always : identity_kind::by_default;
     }},
    {.name = "unique", .kind = value_kind::flag, .set = [](column_annotation& a, const checked_value&) { a.unique = true; }},
    {.name = "index", .kind = value_kind::flag, .set = [](column_annotation& a, const checked_value&) { a.index = true; }},
    {.name = "length", .kind = value_kind::positive_integer, .excludes = "type",
     .excludes_hint = "; write the length in the type, as in \"varchar(20)\"",
     .maximum = 10'485'760,  // PostgreSQL's largest varchar(n)
     .set = [](column_annotation& a, const checked_value& v) { a.length = v.integer; }},
    {.name = "type", .kind = value_kind::string,
     .set = [](column_annotation& a, const checked_value& v) {
       a.type = parse_type(v.text);
       if (!a.type)
         v.r.error(v.offset, fmt::format("invalid value for 'type': \"{}\" is not a type's spelling (a name, a typmod "
                                         "list, [])", v.text));
     }},
    {.name = "references", .kind = value_kind::string,
     .set = [](column_annotation& a, const checked_value& v) { a.references = v.r.references(v, /*single_column=*/true); }},
    {.name = "on_delete", .kind = value_kind::keyword, .requires_option = "references", .keywords = fk_action_names,
     .set = [](column_annotation& a, const checked_value& v) { a.on_delete = fk_action_named(v.text); }},
    {.name = "on_update", .kind = value_kind::keyword, .requires_option = "references", .keywords = fk_action_names,
     .set = [](column_annotation& a, const checked_value& v) { a.on_update = fk_action_named(v.text); }},
    {.name = "deferrable", .kind = value_kind::flag_or_keyword, .requires_option = "references", .keywords = deferral_names,
     .set = [](column_annotation& a, const checked_value& v) { a.deferrable = *deferral_named(v.text); }},
    {.name = "check", .kind = value_kind::nonempty_string, .set = [](column_annotation& a, const checked_value& v) { a.check = v.text; }},
    {.name = "server_default", .kind = value_kind::nonempty_string,
     .set = [](column_annotation& a, const checked_value& v) { a.server_default = v.text; }},
    {.name = "comment", .kind = value_kind::string, .set = [](column_annotation& a, const checked_value& v) { a.comment = v.text; }},
    {.name = "generated", .kind = value_kind::nonempty_string, .excludes = "server_default",
     .set = [](column_annotation& a, const checked_value& v) { a.generated = v.text; }},
    {.name = "collation", .kind = value_kind::nonempty_string,
     .set = [](column_annotation& a, const checked_value& v) { a.collation = v.text; }},
    {.name = "backfill", .kind = value_kind::nonempty_string,
     .set = [](column_annotation& a, const checked_value& v) { a.backfill = v.text; }},
    {.name = "backfill_batch", .kind = value_kind::positive_integer, .requires_option = "backfill",
     .set = [](column_annotation& a, const checked_value& v) { a.backfill_batch = v.integer; }},
    {.name = "renamed_from", .kind = value_kind::nonempty_string, .repeatable = true,
     .set = [](column_annotation& a, const checked_value& v) { a.renamed_from.push_back(v.text); }},
    {.name = "skip", .kind = value_kind::flag, .alone = true, .set = [](column_annotation& a, const checked_value&) { a.skip = true; }},
};

constexpr option_rule<enum_annotation> enum_rules[]{
    {.name = "schema", .kind = value_kind::nonempty_string, .set = [](enum_annotation& a, const checked_value& v) { a.schema = v.text; }},
};

constexpr option_rule<value_annotation> value_rules[]{
    {.name = "renamed_from", .kind = value_kind::nonempty_string, .repeatable = true,
     .set = [](value_annotation& a, const checked_value& v) { a.renamed_from.push_back({v.text, v.offset}); }},
};

constexpr option_rule<extension_annotation> extension_rules[]{
    {.name = "schema", .kind = value_kind::nonempty_string,
     .set = [](extension_annotation& a, const checked_value& v) { a.schema = v.text; }},
    {.name = "version", .kind = value_kind::nonempty_string,
     .set = [](extension_annotation& a, const checked_value& v) { a.version = v.text; }},
};

constexpr option_rule<view_annotation> view_rules[]{
    {.name = "schema", .kind = value_kind::nonempty_string, .set = [](view_annotation& a, const checked_value& v) { a.schema = v.text; }},
    {.name = "query", .kind = value_kind::nonempty_string, .excludes = "query_file",
     .set = [](view_annotation& a, const checked_value& v) { a.query = located<std::string>{v.text, v.offset}; }},
    {.name = "query_file", .kind = value_kind::nonempty_string,
     .set = [](view_annotation& a, const checked_value& v) { a.query_file = located<std::string>{v.text, v.offset}; }},
    {.name = "materialized", .kind = value_kind::flag, .set = [](view_annotation& a, const checked_value&) { a.materialized = true; }},
    {.name = "index", .kind = value_kind::call, .repeatable = true, .requires_option = "materialized",
     .set = [](view_annotation& a, const checked_value& v) {
       index_annotation i;
       read_call<index_annotation>(v.r, v.source, i, index_rules);
       a.indexes.push_back(std::move(i));
     }},
};

constexpr option_rule<sequence_annotation> sequence_rules[]{
    {.name = "schema", .kind = value_kind::nonempty_string,
     .set = [](sequence_annotation& a, const checked_value& v) { a.schema = v.text; }},
    {.name = "type", .kind = value_kind::nonempty_string,
     .set = [](sequence_annotation& a, const checked_value& v) {
       const auto t = parse_builtin_type(v.text);
       if (t && !t->array &&
           (t->kind == type_kind::smallint || t->kind == type_kind::integer || t->kind == type_kind::bigint))
         a.type = to_string(*t);
       else
         v.r.error(v.offset, fmt::format("invalid value for 'type': a sequence is \"smallint\", \"integer\" or "
                                         "\"bigint\", not \"{}\"", v.text));
     }},
    {.name = "increment", .kind = value_kind::any_integer,
     .set = [](sequence_annotation& a, const checked_value& v) { a.increment = v.wide; }},
    {.name = "start", .kind = value_kind::any_integer,
     .set = [](sequence_annotation& a, const checked_value& v) { a.start = v.wide; }},
    {.name = "min_value", .kind = value_kind::any_integer,
     .set = [](sequence_annotation& a, const checked_value& v) { a.min_value = v.wide; }},
    {.name = "max_value", .kind = value_kind::any_integer,
     .set = [](sequence_annotation& a, const checked_value& v) { a.max_value = v.wide; }},
    {.name = "cache", .kind = value_kind::any_integer,
     .set = [](sequence_annotation& a, const checked_value& v) { a.cache = v.wide; }},
    {.name = "cycle", .kind = value_kind::flag, .set = [](sequence_annotation& a, const checked_value&) { a.cycle = true; }},
    {.name = "owned_by", .kind = value_kind::nonempty_string,
     .set = [](sequence_annotation& a, const checked_value& v) {
       auto r = parse_reference(v.text);
       if (r && !r->schema && r->columns.size() == 1 && v.text.find('(') == std::string::npos)
         a.owned_by = sequence_owner{r->table, r->columns.front()};
       else
         v.r.error(v.offset, fmt::format("invalid value for 'owned_by': expected \"table.column\" (a table of the "
                                         "sequence's schema), not \"{}\"", v.text));
     }},
};

// What differs between the annotations: their words, and whether a leading string
// literal names the object.
struct annotation_words {
  std::string_view option;  ///< "table option"
  std::string_view name;    ///< "table name"; empty when the annotation has no positional name
  std::string_view macro;   ///< "RETORT_TABLE"
};

// The one loop: each option read by its row, then the rows' combinations checked.
template <class Annotation>
read_result<Annotation> read_annotation(const annotation_tokens& tokens, std::span<const option_rule<Annotation>> rules,
                                        const annotation_words& words, const constant_evaluator& evaluate = {}) {
  auto parsed = parse_options(tokens);
  read_result<Annotation> out{{}, std::move(parsed.errors)};
  reader r(out.errors, evaluate);
  Annotation& a = out.annotation;
  bool first = true;
  for (const option& o : parsed.options) {
    const bool was_first = std::exchange(first, false);
    if (o.name.empty()) {
      if (words.name.empty()) r.error(o.offset, "expected an option name");
      else r.leading_name(o, was_first, a.name, a.offsets, words.name);
      continue;
    }
    if (apply(r, o, rules, a, a.offsets)) continue;
    if (!words.name.empty() && was_first && !o.value && !o.arguments)
      r.error(o.offset, fmt::format("the {} must be a string literal: {}(\"{}\", ...)", words.name, words.macro, o.name));
    else
      r.unknown(o, words.option, names_of(rules));
  }
  check_combinations(r, rules, a.offsets);
  return out;
}

}  // namespace

parsed_options parse_options(const annotation_tokens& tokens) { return parser(tokens).run(); }

std::vector<std::string> comma_list(std::string_view text) {
  llvm::SmallVector<llvm::StringRef, 4> parts;
  llvm::StringRef(text.data(), text.size()).split(parts, ',');
  std::vector<std::string> out;
  for (llvm::StringRef p : parts)
    if (!p.trim().empty()) out.push_back(p.trim().str());
  return out;
}

namespace {
bool sql_identifier(llvm::StringRef s) {
  return !s.empty() && !std::isdigit(static_cast<unsigned char>(s.front())) &&
         llvm::all_of(s, [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; });
}

// The last word of `s` when a space separates it from a non-empty rest: {rest, word}.
std::pair<llvm::StringRef, llvm::StringRef> last_word(llvm::StringRef s) {
  const auto space = s.find_last_of(" \t\n");
  if (space == llvm::StringRef::npos) return {s, {}};
  return {s.take_front(space).rtrim(), s.drop_front(space + 1)};
}
}  // namespace

std::optional<index_key> parse_index_key(std::string_view text) {
  llvm::StringRef rest = llvm::StringRef(text.data(), text.size()).trim();
  if (rest.empty()) return std::nullopt;
  index_key k;
  if (auto [before, word] = last_word(rest); word.equals_insensitive("first") || word.equals_insensitive("last")) {
    if (auto [front, nulls] = last_word(before); nulls.equals_insensitive("nulls") && !front.empty()) {
      k.nulls_first = word.equals_insensitive("first");
      rest = front;
    }
  }
  if (auto [before, word] = last_word(rest); !before.empty() && (word.equals_insensitive("asc") || word.equals_insensitive("desc"))) {
    k.descending = word.equals_insensitive("desc");
    rest = before;
  }
  // An opclass follows a column or a parenthesized or called expression, never an operand.
  if (auto [before, word] = last_word(rest); !before.empty() && sql_identifier(word) &&
                                             (sql_identifier(before) || before.endswith(")"))) {
    k.opclass = word.str();
    rest = before;
  }
  // NULLS FIRST is PostgreSQL's default for DESC, NULLS LAST for ASC: left unset, as introspection leaves it.
  if (k.nulls_first && *k.nulls_first == k.descending) k.nulls_first.reset();
  if (sql_identifier(rest)) k.column = rest.str();
  else k.expression = rest.str();
  return k;
}

std::optional<exclusion_element> parse_exclusion_element(std::string_view text) {
  const llvm::StringRef whole = llvm::StringRef(text.data(), text.size()).trim();
  // The last " WITH " that stands alone: an operator has no letters, so it is the keyword.
  std::size_t at = llvm::StringRef::npos;
  for (std::size_t i = whole.size(); i-- > 0;) {
    if (!whole.substr(i).startswith_insensitive("with")) continue;
    const bool before = i > 0 && std::isspace(static_cast<unsigned char>(whole[i - 1]));
    const bool after = i + 4 < whole.size() && std::isspace(static_cast<unsigned char>(whole[i + 4]));
    if (before && after) {
      at = i;
      break;
    }
  }
  if (at == llvm::StringRef::npos) return std::nullopt;
  const llvm::StringRef op = whole.drop_front(at + 4).trim();
  auto key = parse_index_key(whole.take_front(at).str());
  if (!key || op.empty()) return std::nullopt;
  return exclusion_element{std::move(*key), op.str()};
}

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

read_result<table_annotation> read_table_annotation(const annotation_tokens& tokens, const constant_evaluator& evaluate) {
  return read_annotation<table_annotation>(tokens, table_rules, {"table option", "table name", "RETORT_TABLE"}, evaluate);
}

read_result<column_annotation> read_column_annotation(const annotation_tokens& tokens, const constant_evaluator& evaluate) {
  return read_annotation<column_annotation>(tokens, column_rules, {"column option", "", "RETORT_COLUMN"}, evaluate);
}

read_result<enum_annotation> read_enum_annotation(const annotation_tokens& tokens) {
  return read_annotation<enum_annotation>(tokens, enum_rules, {"enum option", "enum type name", "RETORT_ENUM"});
}

read_result<value_annotation> read_value_annotation(const annotation_tokens& tokens) {
  return read_annotation<value_annotation>(tokens, value_rules, {"enum value option", "enum label", "RETORT_VALUE"});
}

read_result<view_annotation> read_view_annotation(const annotation_tokens& tokens) {
  auto out = read_annotation<view_annotation>(tokens, view_rules, {"view option", "view name", "RETORT_VIEW"});
  if (!out.annotation.query && !out.annotation.query_file && out.errors.empty())
    out.errors.push_back({0, "RETORT_VIEW needs its query: query = \"SELECT ...\" or query_file = \"views/name.sql\""});
  return out;
}

read_result<extension_annotation> read_extension_annotation(const annotation_tokens& tokens) {
  auto out = read_annotation<extension_annotation>(tokens, extension_rules,
                                                   {"extension option", "extension name", "RETORT_EXTENSION"});
  if (!out.annotation.name && out.errors.empty())
    out.errors.push_back({0, "RETORT_EXTENSION needs the extension's name: RETORT_EXTENSION(\"citext\")"});
  return out;
}

read_result<sequence_annotation> read_sequence_annotation(const annotation_tokens& tokens, const constant_evaluator& evaluate) {
  auto out = read_annotation<sequence_annotation>(tokens, sequence_rules,
                                                  {"sequence option", "sequence name", "RETORT_SEQUENCE"}, evaluate);
  if (!out.annotation.name && out.errors.empty())
    out.errors.push_back({0, "RETORT_SEQUENCE needs the sequence's name: RETORT_SEQUENCE(\"invoice_numbers\")"});
  return out;
}

std::optional<std::string> nearest_name(std::string_view name, const std::vector<std::string_view>& known) {
  std::optional<std::string> best;
  std::size_t best_distance = std::max<std::size_t>(1, name.size() / 3) + 1;
  for (std::string_view k : known) {
    std::size_t d = name.size() >= 3 && k.starts_with(name)
                        ? 1
                        : llvm::StringRef(name).edit_distance(k, /*AllowReplacements=*/true,
                                                              /*MaxEditDistance=*/static_cast<unsigned>(best_distance));
    if (d < best_distance) {
      best = std::string(k);
      best_distance = d;
    }
  }
  return best;
}

}  // namespace retort::scan
