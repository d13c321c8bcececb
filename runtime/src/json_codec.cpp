// JSON codecs for schema elements and the path-tracking reader.
#include "json_codec.hpp"

#include <algorithm>
#include <array>
#include <ranges>
#include <tuple>

#include <fmt/format.h>

#include "retort/errors.hpp"
#include "retort/naming.hpp"

namespace retort::json_codec {

// ---- reader ---------------------------------------------------------------------------

namespace {

constexpr std::string_view byte_order_mark = "\xEF\xBB\xBF";

std::string_view type_name(simdjson::dom::element e) {
  switch (e.type()) {
    case simdjson::dom::element_type::ARRAY: return "array";
    case simdjson::dom::element_type::OBJECT: return "object";
    case simdjson::dom::element_type::INT64:
    case simdjson::dom::element_type::UINT64:
    case simdjson::dom::element_type::DOUBLE: return "number";
    case simdjson::dom::element_type::STRING: return "string";
    case simdjson::dom::element_type::BOOL: return "boolean";
    case simdjson::dom::element_type::NULL_VALUE: return "null";
  }
  return "value";
}

}  // namespace

document::document(simdjson::dom::parser& parser, std::string_view text, const std::string& file) {
  // A byte order mark (some Windows editors write one) is no part of the JSON: skipped.
  if (text.starts_with(byte_order_mark)) text.remove_prefix(byte_order_mark.size());
  const auto parsed = parser.parse(text.data(), text.size());
  if (parsed.get(root_) == simdjson::SUCCESS) return;
  // The error path only: nlohmann_json says where the text stops being JSON.
  try {
    [[maybe_unused]] const auto accepted = nlohmann::json::parse(text);  // then simdjson's words below
  } catch (const nlohmann::json::parse_error& e) {
    throw malformed_json(file, text, e.byte, e.what());
  } catch (const nlohmann::json::exception& e) {
    // A number too large for any type ("2e66124", found by the fuzzer): out_of_range, no position.
    std::string_view why = e.what();
    if (auto p = why.find("] "); p != std::string_view::npos) why.remove_prefix(p + 2);
    throw file_error(file, "", fmt::format("malformed JSON: {}", why));
  }
  std::string_view why = simdjson::error_message(parsed.error());
  throw file_error(file, "", fmt::format("malformed JSON: {}", why));
}

namespace {

// An input iterator over the text that counts the bytes nlohmann_json's lexer has read, so a SAX
// handler knows where the token it is handed ends.
struct counting_iterator {
  using iterator_category = std::input_iterator_tag;
  using value_type = char;
  using difference_type = std::ptrdiff_t;
  using pointer = const char*;
  using reference = const char&;
  const char* at = nullptr;
  std::size_t* consumed = nullptr;
  reference operator*() const { return *at; }
  counting_iterator& operator++() {
    ++at;
    ++*consumed;
    return *this;
  }
  counting_iterator operator++(int) {
    counting_iterator before = *this;
    ++*this;
    return before;
  }
  friend bool operator==(const counting_iterator& a, const counting_iterator& b) { return a.at == b.at; }
};

// Follows the JSON path of each value as the SAX events arrive and stops at the wanted one.
class path_locator final : public nlohmann::json_sax<nlohmann::json> {
 public:
  path_locator(std::string_view wanted, const std::size_t& consumed) : wanted_(wanted), consumed_(consumed) {}
  [[nodiscard]] std::optional<std::size_t> found() const { return found_; }

  bool null() override { return value(); }
  bool boolean(bool) override { return value(); }
  bool number_integer(number_integer_t) override { return value(); }
  bool number_unsigned(number_unsigned_t) override { return value(); }
  bool number_float(number_float_t, const string_t&) override { return value(); }
  bool string(string_t&) override { return value(); }
  bool binary(binary_t&) override { return value(); }
  bool start_object(std::size_t) override { return open(false); }
  bool start_array(std::size_t) override { return open(true); }
  bool end_object() override { return close(); }
  bool end_array() override { return close(); }
  bool key(string_t& k) override {
    frames_.back().key = k;
    return true;
  }
  bool parse_error(std::size_t, const std::string&, const nlohmann::detail::exception&) override { return false; }

 private:
  struct frame {
    bool array = false;
    std::size_t index = 0;
    std::string key;
    std::size_t path_size = 0;  // the length of the parent's path
  };
  // A value starts: its path is the parent's and its key or index.
  bool value() {
    if (!frames_.empty()) {
      frame& f = frames_.back();
      path_.resize(f.path_size);
      if (f.array) path_ += fmt::format("[{}]", f.index++);
      else path_ += (path_.empty() ? "" : ".") + excerpt(f.key);
    }
    if (path_ != wanted_) return true;
    // The lexer has read the token that starts the value (and at most one byte more).
    found_ = consumed_;
    return false;
  }
  bool open(bool array) {
    if (!value()) return false;
    frames_.push_back({array, 0, {}, path_.size()});
    return true;
  }
  bool close() {
    frames_.pop_back();
    return true;
  }

  std::string wanted_;
  const std::size_t& consumed_;
  std::string path_;
  std::vector<frame> frames_;
  std::optional<std::size_t> found_;
};

}  // namespace

std::optional<std::pair<int, int>> position_of(std::string_view text, std::string_view json_path) {
  if (text.starts_with(byte_order_mark)) text.remove_prefix(byte_order_mark.size());
  std::size_t consumed = 0;
  path_locator locator(json_path, consumed);
  try {
    (void)nlohmann::json::sax_parse(counting_iterator{text.data(), &consumed},
                                    counting_iterator{text.data() + text.size(), &consumed}, &locator);
  } catch (const nlohmann::json::exception&) {
    return std::nullopt;
  }
  const auto end = locator.found();
  if (!end) return std::nullopt;
  // Back from where the lexer stopped to the first byte of the token, skipping what follows it.
  std::size_t at = std::min(*end, text.size());
  while (at > 0 && std::string_view(" \t\r\n,:]}").find(text[at - 1]) != std::string_view::npos) --at;
  if (at > 0) --at;
  if (text[at] == '"') {  // a string token: back to its opening quote
    while (at > 0 && !(text[at - 1] == '"' && (at < 2 || text[at - 2] != '\\'))) --at;
    if (at > 0) --at;
  }
  int line = 1, column = 1;
  for (std::size_t i = 0; i < at; ++i) {
    if (text[i] == '\n') {
      ++line;
      column = 1;
    } else {
      ++column;
    }
  }
  return std::pair{line, column};
}

void reader::append_path(std::string& out) const {
  if (!parent_) return;
  parent_->append_path(out);
  if (!member_) {
    out += fmt::format("[{}]", index_);
    return;
  }
  if (!out.empty()) out += '.';
  out += excerpt(key_);
}

std::string reader::path() const {
  std::string out;
  append_path(out);
  return out;
}

void reader::fail(const std::string& message) const { throw file_error(*file_, path(), message); }

void reader::expect_object(std::initializer_list<std::string_view> allowed) const {
  simdjson::dom::object object;
  if (value_.get(object) != simdjson::SUCCESS) fail(fmt::format("expected an object, found {}", type_name(value_)));
  std::uint64_t seen = 0;  // a bit per allowed key
  for (const auto field : object) {
    const auto at = std::find(allowed.begin(), allowed.end(), field.key);
    if (at == allowed.end() && std::find(also_allowed_.begin(), also_allowed_.end(), field.key) != also_allowed_.end())
      continue;  // read by the caller that allowed it
    if (at == allowed.end()) reader(field.value, *this, field.key).fail("unknown key");
    const std::uint64_t bit = std::uint64_t{1} << (at - allowed.begin());
    // Readers look a key up once: with a second one, one of the two would be silently ignored.
    if (seen & bit) reader(field.value, *this, field.key).fail("duplicated key");
    seen |= bit;
  }
}

bool reader::has(std::string_view key) const {
  simdjson::dom::element member;
  return value_.is_object() && value_[key].get(member) == simdjson::SUCCESS && !member.is_null();
}

reader reader::at(std::string_view key) const {
  simdjson::dom::object object;
  if (value_.get(object) != simdjson::SUCCESS) fail(fmt::format("expected an object, found {}", type_name(value_)));
  simdjson::dom::element member;
  if (object[key].get(member) != simdjson::SUCCESS) reader(value_, *this, key).fail("missing");
  return reader(member, *this, key);
}

std::optional<reader> reader::maybe(std::string_view key) const {
  if (!has(key)) return std::nullopt;
  return at(key);
}

std::vector<reader> reader::items() const {
  simdjson::dom::array array;
  if (value_.get(array) != simdjson::SUCCESS) fail(fmt::format("expected an array, found {}", type_name(value_)));
  std::vector<reader> out;
  out.reserve(array.size());
  std::size_t i = 0;
  for (const auto item : array) out.push_back(reader(item, *this, i++));
  return out;
}

std::vector<std::pair<std::string_view, reader>> reader::members() const {
  simdjson::dom::object object;
  if (value_.get(object) != simdjson::SUCCESS) fail(fmt::format("expected an object, found {}", type_name(value_)));
  std::vector<std::pair<std::string_view, reader>> out;
  for (const auto field : object) out.emplace_back(field.key, reader(field.value, *this, field.key));
  return out;
}

std::string reader::string() const {
  std::string_view text;
  if (value_.get(text) != simdjson::SUCCESS) fail(fmt::format("expected a string, found {}", type_name(value_)));
  return std::string(text);
}

std::string reader::identifier() const {
  std::string name = string();
  if (auto problem = naming::identifier_problem(name)) fail(*problem);
  return name;
}

std::int64_t reader::integer() const {
  std::int64_t n = 0;
  if (value_.get(n) != simdjson::SUCCESS) fail(fmt::format("expected an integer, found {}", type_name(value_)));
  return n;
}

bool reader::boolean() const {
  bool b = false;
  if (value_.get(b) != simdjson::SUCCESS) fail(fmt::format("expected true or false, found {}", type_name(value_)));
  return b;
}

std::vector<std::string> reader::strings() const {
  std::vector<std::string> out;
  for (const reader& item : items()) out.push_back(item.string());
  return out;
}

std::vector<std::string> reader::identifiers() const {
  std::vector<std::string> out;
  for (const reader& item : items()) out.push_back(item.identifier());
  return out;
}

std::optional<std::string> reader::optional_string(std::string_view key) const {
  if (auto r = maybe(key)) return r->string();
  return std::nullopt;
}

std::optional<std::string> reader::optional_identifier(std::string_view key) const {
  if (auto r = maybe(key)) return r->identifier();
  return std::nullopt;
}

bool reader::boolean(std::string_view key, bool otherwise) const {
  if (auto r = maybe(key)) return r->boolean();
  return otherwise;
}

std::vector<std::string> reader::strings(std::string_view key) const {
  if (auto r = maybe(key)) return r->strings();
  return {};
}

std::vector<std::string> reader::identifiers(std::string_view key) const {
  if (auto r = maybe(key)) return r->identifiers();
  return {};
}

std::string dump(const ojson& j) { return j.dump(2) + "\n"; }

// ---- enums as strings ------------------------------------------------------------------

namespace {

template <class E, class Table>
std::string_view spell(E value, const Table& table) {
  for (const auto& [v, s] : table)
    if (v == value) return s;
  return "?";
}

template <class Table>
auto unspell(const reader& r, const Table& table) -> std::tuple_element_t<0, std::ranges::range_value_t<Table>> {
  std::string s = r.string();
  std::vector<std::string_view> known;
  for (const auto& [v, name] : table) {
    if (name == s) return v;
    known.push_back(name);
  }
  r.fail(fmt::format("unknown value \"{}\" (expected one of: {})", excerpt(s), fmt::join(known, ", ")));
}

constexpr std::pair<identity_kind, std::string_view> identity_names[] = {
    {identity_kind::none, "none"}, {identity_kind::always, "always"}, {identity_kind::by_default, "by_default"}};
constexpr auto action_names = [] {
  std::array<std::pair<fk_action, std::string_view>, all_fk_actions.size()> out{};
  for (std::size_t i = 0; i < out.size(); ++i) out[i] = {all_fk_actions[i], spelling(all_fk_actions[i]).name};
  return out;
}();

}  // namespace

// ---- elements --------------------------------------------------------------------------

ojson to_json(const qualified_name& q) { return ojson{{"schema", q.schema}, {"name", q.name}}; }

qualified_name read_qualified_name(const reader& r) {
  r.expect_object({"schema", "name"});
  return {r.optional_identifier("schema").value_or("public"), r.identifier("name")};
}

ojson to_json(const column& c) {
  ojson j;
  j["name"] = c.name;
  if (c.type.kind == type_kind::enum_type) j["enum"] = to_json(c.type.enum_name);
  else j["type"] = to_string(c.type);
  j["nullable"] = c.nullable;
  if (c.server_default) j["default"] = *c.server_default;
  if (c.identity != identity_kind::none) j["identity"] = spell(c.identity, identity_names);
  if (c.comment) j["comment"] = *c.comment;
  if (!c.renamed_from.empty()) j["renamed_from"] = c.renamed_from;
  if (c.backfill) j["backfill"] = *c.backfill;
  if (c.backfill_batch) j["backfill_batch"] = *c.backfill_batch;
  return j;
}

column read_column(const reader& r) {
  r.expect_object({"name", "type", "enum", "nullable", "default", "identity", "comment", "renamed_from", "backfill",
                   "backfill_batch"});
  column c;
  c.name = r.identifier("name");
  if (auto e = r.maybe("enum")) {
    if (r.has("type")) r.at("type").fail("a column has either \"type\" or \"enum\", not both");
    c.type.kind = type_kind::enum_type;
    c.type.enum_name = read_qualified_name(*e);
  } else {
    reader t = r.at("type");
    std::string text = t.string();
    auto parsed = parse_builtin_type(text);
    if (!parsed) t.fail(fmt::format("unknown type \"{}\"", excerpt(text)));
    c.type = *parsed;
  }
  c.nullable = r.boolean("nullable", false);
  c.server_default = r.optional_string("default");
  if (auto i = r.maybe("identity")) c.identity = unspell(*i, identity_names);
  c.comment = r.optional_string("comment");
  c.renamed_from = r.identifiers("renamed_from");
  c.backfill = r.optional_string("backfill");
  if (auto b = r.maybe("backfill_batch")) {
    if (b->integer() < 1) b->fail("backfill_batch must be a positive number of rows");
    c.backfill_batch = static_cast<int>(b->integer());
  }
  return c;
}

ojson to_json(const primary_key& pk) { return ojson{{"name", pk.name}, {"columns", pk.columns}}; }

namespace {
std::vector<std::string> read_columns(const reader& r, std::string_view key = "columns") {
  reader a = r.at(key);
  auto cols = a.identifiers();
  if (cols.empty()) a.fail("needs at least one column");
  return cols;
}
}  // namespace

primary_key read_primary_key(const reader& r) {
  r.expect_object({"name", "columns"});
  return {r.optional_identifier("name").value_or(""), read_columns(r)};
}

ojson to_json(const unique_constraint& u) { return ojson{{"name", u.name}, {"columns", u.columns}}; }

unique_constraint read_unique(const reader& r) {
  r.expect_object({"name", "columns"});
  return {r.optional_identifier("name").value_or(""), read_columns(r)};
}

ojson to_json(const index& i) {
  ojson j{{"name", i.name}, {"columns", i.columns}};
  if (i.unique) j["unique"] = true;
  if (i.where) j["where"] = *i.where;
  if (i.method != "btree") j["method"] = i.method;
  return j;
}

index read_index(const reader& r) {
  r.expect_object({"name", "columns", "unique", "where", "method"});
  index i;
  i.name = r.optional_identifier("name").value_or("");
  i.columns = read_columns(r);
  i.unique = r.boolean("unique", false);
  i.where = r.optional_string("where");
  i.method = r.optional_string("method").value_or("btree");
  return i;
}

ojson to_json(const foreign_key& f) {
  ojson j{{"name", f.name}, {"columns", f.columns}};
  j["references"] = ojson{{"schema", f.ref_table.schema}, {"table", f.ref_table.name}, {"columns", f.ref_columns}};
  if (f.on_delete != fk_action::no_action) j["on_delete"] = spell(f.on_delete, action_names);
  if (f.on_update != fk_action::no_action) j["on_update"] = spell(f.on_update, action_names);
  return j;
}

foreign_key read_foreign_key(const reader& r) {
  r.expect_object({"name", "columns", "references", "on_delete", "on_update"});
  foreign_key f;
  f.name = r.optional_identifier("name").value_or("");
  f.columns = read_columns(r);
  reader ref = r.at("references");
  ref.expect_object({"schema", "table", "columns"});
  f.ref_table = {ref.optional_identifier("schema").value_or("public"), ref.identifier("table")};
  f.ref_columns = read_columns(ref);
  if (f.ref_columns.size() != f.columns.size())
    ref.at("columns").fail(fmt::format("{} referenced columns for {} columns", f.ref_columns.size(), f.columns.size()));
  if (auto a = r.maybe("on_delete")) f.on_delete = unspell(*a, action_names);
  if (auto a = r.maybe("on_update")) f.on_update = unspell(*a, action_names);
  return f;
}

ojson to_json(const check_constraint& c) { return ojson{{"name", c.name}, {"expression", c.expression}}; }

check_constraint read_check(const reader& r) {
  r.expect_object({"name", "expression"});
  return {r.optional_identifier("name").value_or(""), r.string("expression")};
}

namespace {
template <class T, class F>
ojson array_of(const std::vector<T>& items, F&& convert) {
  ojson a = ojson::array();
  for (const auto& x : items) a.push_back(convert(x));
  return a;
}
template <class F>
auto read_array(const reader& r, std::string_view key, F&& read) {
  std::vector<decltype(read(r))> out;
  if (auto a = r.maybe(key)) {
    const auto items = a->items();
    out.reserve(items.size());
    for (const reader& item : items) out.push_back(read(item));
  }
  return out;
}
}  // namespace

ojson to_json(const table& t) {
  ojson j{{"schema", t.name.schema}, {"name", t.name.name}};
  if (t.comment) j["comment"] = *t.comment;
  if (!t.renamed_from.empty())
    j["renamed_from"] = array_of(t.renamed_from, [](const qualified_name& q) { return to_json(q); });
  j["columns"] = array_of(t.columns, [](const column& c) { return to_json(c); });
  if (t.pk) j["primary_key"] = to_json(*t.pk);
  if (!t.uniques.empty()) j["unique"] = array_of(t.uniques, [](const auto& x) { return to_json(x); });
  if (!t.indexes.empty()) j["indexes"] = array_of(t.indexes, [](const auto& x) { return to_json(x); });
  if (!t.foreign_keys.empty()) j["foreign_keys"] = array_of(t.foreign_keys, [](const auto& x) { return to_json(x); });
  if (!t.checks.empty()) j["checks"] = array_of(t.checks, [](const auto& x) { return to_json(x); });
  return j;
}

table read_table(const reader& r) {
  r.expect_object({"schema", "name", "comment", "renamed_from", "columns", "primary_key", "unique", "indexes",
                   "foreign_keys", "checks"});
  table t;
  t.name = {r.optional_identifier("schema").value_or("public"), r.identifier("name")};
  t.comment = r.optional_string("comment");
  t.renamed_from = read_array(r, "renamed_from", read_qualified_name);
  t.columns = read_array(r, "columns", read_column);
  if (auto pk = r.maybe("primary_key")) t.pk = read_primary_key(*pk);
  t.uniques = read_array(r, "unique", read_unique);
  t.indexes = read_array(r, "indexes", read_index);
  t.foreign_keys = read_array(r, "foreign_keys", read_foreign_key);
  t.checks = read_array(r, "checks", read_check);
  return t;
}

ojson to_json(const enum_type& e) {
  return ojson{{"schema", e.name.schema}, {"name", e.name.name}, {"values", e.values}};
}

enum_type read_enum(const reader& r) {
  r.expect_object({"schema", "name", "values"});
  enum_type e{{r.optional_identifier("schema").value_or("public"), r.identifier("name")}, r.identifiers("values")};
  if (e.values.empty()) r.at("values").fail("an enum needs at least one value");
  return e;
}

}  // namespace retort::json_codec
