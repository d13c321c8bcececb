// JSON codecs for schema elements and the path-tracking reader.
#include "json_codec.hpp"

#include "retort/sql_expression.hpp"

#include <algorithm>
#include <array>
#include <ranges>
#include <tuple>
#include <unordered_map>

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
  parse(parser, text, false, file);
}

document::document(simdjson::dom::parser& parser, const std::string& text, const std::string& file) {
  parse(parser, text, text.capacity() - text.size() >= simdjson::SIMDJSON_PADDING, file);
}

void document::parse(simdjson::dom::parser& parser, std::string_view text, bool padded, const std::string& file) {
  // A byte order mark (some Windows editors write one) is no part of the JSON: skipped (the
  // padding past the end is the same).
  if (text.starts_with(byte_order_mark)) text.remove_prefix(byte_order_mark.size());
  const auto parsed = parser.parse(text.data(), text.size(), !padded);
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
      else path_ += fmt::format("{}{}", path_.empty() ? "" : ".", excerpt(f.key));
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
  // One look-up (has() then at() would scan the object's keys twice).
  simdjson::dom::object object;
  simdjson::dom::element member;
  if (value_.get(object) != simdjson::SUCCESS || object[key].get(member) != simdjson::SUCCESS || member.is_null())
    return std::nullopt;
  return reader(member, *this, key);
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

namespace {

constexpr std::size_t compact_width = 120;

bool holds_array_of_objects(const ojson& j) {
  if (j.is_array())
    for (const auto& x : j)
      if (x.is_object() || holds_array_of_objects(x)) return true;
  if (j.is_object())
    for (const auto& [k, v] : j.items())
      if (holds_array_of_objects(v)) return true;
  return false;
}

// `{"a": 1, "b": [2, 3]}`: nlohmann's separators with a space after each, as the indented form has.
void one_line(const ojson& j, std::string& out) {
  if (j.is_object()) {
    out += '{';
    bool first = true;
    for (const auto& [k, v] : j.items()) {
      out += first ? "" : ", ";
      first = false;
      out += ojson(k).dump();
      out += ": ";
      one_line(v, out);
    }
    out += '}';
  } else if (j.is_array()) {
    out += '[';
    for (std::size_t i = 0; i < j.size(); ++i) {
      out += i ? ", " : "";
      one_line(j[i], out);
    }
    out += ']';
  } else {
    out += j.dump();
  }
}

// An element (a column, an index, a constraint, a name) is one line; a value holding a list of
// elements (a table, an operation list) is one member per line; an operation naming several
// elements (a table and a column) is one line when it fits in `compact_width` columns.
void compact(const ojson& j, std::size_t indent, std::size_t used, std::string& out, bool root = false) {
  if (!root && (!j.is_structured() || j.empty() || !holds_array_of_objects(j))) {
    std::string line;
    one_line(j, line);
    std::size_t objects = 0;
    if (j.is_object())
      for (const auto& [k, v] : j.items()) objects += v.is_object();
    if (objects <= 1 || used + line.size() <= compact_width) {
      out += line;
      return;
    }
  }
  const std::string pad(indent + 2, ' ');
  out += j.is_object() ? "{\n" : "[\n";
  std::size_t i = 0;
  if (j.is_object()) {
    for (const auto& [k, v] : j.items()) {
      const std::string key = ojson(k).dump() + ": ";
      out += pad + key;
      compact(v, indent + 2, pad.size() + key.size(), out);
      out += ++i < j.size() ? ",\n" : "\n";
    }
  } else {
    for (const auto& v : j) {
      out += pad;
      compact(v, indent + 2, pad.size(), out);
      out += ++i < j.size() ? ",\n" : "\n";
    }
  }
  out += std::string(indent, ' ') + (j.is_object() ? "}" : "]");
}

}  // namespace

std::string dump_compact(const ojson& j) {
  std::string out;
  compact(j, 0, 0, out, j.is_object() && !j.empty());  // a file's own keys: one a line
  return out + "\n";
}

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

namespace {
template <class Items, class F>
ojson array_of(const Items& items, F&& convert) {
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

ojson to_json(const qualified_name& q) { return ojson{{"schema", q.schema}, {"name", q.name}}; }

qualified_name read_qualified_name(const reader& r) {
  r.expect_object({"schema", "name"});
  return {r.optional_identifier("schema").value_or("public"), r.identifier("name")};
}

namespace {

// "type" (a built-in type's text) or "enum" (the enum type's name), into `c`.
void read_type(const reader& r, column& c) {
  if (auto e = r.maybe("enum")) {
    if (r.has("type")) r.at("type").fail("a column has either \"type\" or \"enum\", not both");
    c.type.kind = type_kind::enum_type;
    c.type.enum_name = read_qualified_name(*e);
  } else {
    reader t = r.at("type");
    std::string text = t.string();
    // A history spells the same few types thousands of times: each spelling is parsed once.
    thread_local std::unordered_map<std::string, column_type> parsed_types;
    if (auto known = parsed_types.find(text); known != parsed_types.end()) {
      c.type = known->second;
      return;
    }
    auto parsed = parse_type(text);
    if (!parsed) t.fail(fmt::format("invalid type \"{}\"", excerpt(text)));
    c.type = *parsed;
    if (parsed_types.size() < 4096) parsed_types.emplace(std::move(text), std::move(*parsed));
  }
}

}  // namespace

ojson attributes_json(const column& c, std::span<const std::string_view> keys) {
  ojson j = ojson::object();
  for (const std::string_view key : keys) {
    if (key == "type" && c.type.kind == type_kind::enum_type) j["enum"] = to_json(c.type.enum_name);
    else if (key == "type") j["type"] = to_string(c.type);
    else if (key == "nullable") j["nullable"] = c.nullable;
    else if (key == "default" && c.server_default) j["default"] = *c.server_default;
    else if (key == "identity") j["identity"] = spell(c.identity, identity_names);
    else if (key == "comment" && c.comment) j["comment"] = *c.comment;
    else if (key == "collation" && c.collation) j["collation"] = *c.collation;
  }
  return j;
}

void read_attributes(const reader& r, column& c) {
  r.expect_object({"type", "enum", "nullable", "default", "identity", "comment", "collation"});
  if (r.has("type") || r.has("enum")) read_type(r, c);
  c.nullable = r.boolean("nullable", false);
  c.server_default = r.optional_string("default");
  if (auto i = r.maybe("identity")) c.identity = unspell(*i, identity_names);
  c.comment = r.optional_string("comment");
  if (auto k = r.maybe("collation")) c.collation = k->identifier();
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
  if (c.generated) j["generated"] = *c.generated;
  if (c.collation) j["collation"] = *c.collation;
  if (!c.renamed_from.empty()) j["renamed_from"] = c.renamed_from;
  if (c.backfill) j["backfill"] = *c.backfill;
  if (c.backfill_batch) j["backfill_batch"] = *c.backfill_batch;
  return j;
}

column read_column(const reader& r) {
  r.expect_object({"name", "type", "enum", "nullable", "default", "identity", "comment", "generated", "collation",
                   "renamed_from", "backfill", "backfill_batch"});
  column c;
  c.name = r.identifier("name");
  read_type(r, c);
  c.nullable = r.boolean("nullable", false);
  c.server_default = r.optional_string("default");
  if (auto i = r.maybe("identity")) c.identity = unspell(*i, identity_names);
  c.comment = r.optional_string("comment");
  c.generated = r.optional_string("generated");
  if (auto k = r.maybe("collation")) c.collation = k->identifier();
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

namespace {
// "deferrable" is written only for a deferrable constraint, so older files read unchanged.
void write_deferral(ojson& j, deferral d) {
  if (d != deferral::not_deferrable) j["deferrable"] = to_string(d);
}
deferral read_deferral(const reader& r) {
  auto d = r.maybe("deferrable");
  if (!d) return deferral::not_deferrable;
  const std::string text = d->string();
  auto named = deferral_named(text);
  if (!named)
    d->fail(fmt::format("unknown value \"{}\" (expected one of: initially_immediate, initially_deferred)", excerpt(text)));
  return *named;
}

// A plain column key is its name; any other key an object with "column" or "expression".
ojson to_json(const index_key& k) {
  if (k.is_plain_column()) return k.column;
  ojson j;
  if (k.expression.empty()) j["column"] = k.column;
  else j["expression"] = k.expression;
  if (k.opclass) j["opclass"] = *k.opclass;
  if (k.descending) j["order"] = "desc";
  if (k.nulls_first) j["nulls"] = *k.nulls_first ? "first" : "last";
  return j;
}

index_key read_index_key(const reader& r) {
  if (r.is_string()) return index_key{r.identifier()};
  r.expect_object({"column", "expression", "opclass", "order", "nulls"});
  index_key k;
  if (r.has("column") == r.has("expression")) r.fail("an index key has either \"column\" or \"expression\"");
  if (auto c = r.optional_identifier("column")) k.column = *c;
  if (auto e = r.maybe("expression")) {
    k.expression = e->string();
    if (k.expression.empty()) e->fail("empty expression");
  }
  k.opclass = r.optional_identifier("opclass");
  if (auto o = r.maybe("order")) {
    const std::string text = o->string();
    if (text != "asc" && text != "desc") o->fail(fmt::format("unknown order \"{}\" (expected asc or desc)", excerpt(text)));
    k.descending = text == "desc";
  }
  if (auto n = r.maybe("nulls")) {
    const std::string text = n->string();
    if (text != "first" && text != "last") n->fail(fmt::format("unknown nulls \"{}\" (expected first or last)", excerpt(text)));
    k.nulls_first = text == "first";
  }
  // PostgreSQL's default for the order (NULLS FIRST when DESC) is stored unset, as introspection reads it.
  if (k.nulls_first && *k.nulls_first == k.descending) k.nulls_first.reset();
  return k;
}
}  // namespace

ojson to_json(const unique_constraint& u) {
  ojson j{{"name", u.name}, {"columns", u.columns}};
  write_deferral(j, u.deferrable);
  return j;
}

unique_constraint read_unique(const reader& r) {
  r.expect_object({"name", "columns", "deferrable"});
  return {r.optional_identifier("name").value_or(""), read_columns(r), read_deferral(r)};
}

ojson to_json(const index& i) {
  ojson j{{"name", i.name}, {"columns", array_of(i.columns, [](const auto& k) { return to_json(k); })}};
  if (i.unique) j["unique"] = true;
  if (i.where) j["where"] = *i.where;
  if (i.method != "btree") j["method"] = i.method;
  if (!i.include.empty()) j["include"] = i.include;
  if (i.nulls_not_distinct) j["nulls_not_distinct"] = true;
  if (!i.with.empty()) j["with"] = i.with;
  return j;
}

index read_index(const reader& r) {
  r.expect_object({"name", "columns", "unique", "where", "method", "include", "nulls_not_distinct", "with"});
  index i;
  i.name = r.optional_identifier("name").value_or("");
  i.columns = read_array(r, "columns", read_index_key);
  if (i.columns.empty()) r.at("columns").fail("needs at least one column");
  i.unique = r.boolean("unique", false);
  i.where = r.optional_string("where");
  i.method = r.optional_string("method").value_or("btree");
  i.include = r.identifiers("include");
  i.nulls_not_distinct = r.boolean("nulls_not_distinct", false);
  i.with = r.strings("with");
  std::sort(i.with.begin(), i.with.end());  // reloptions' order is the order they were set in
  return i;
}

ojson to_json(const foreign_key& f) {
  ojson j{{"name", f.name}, {"columns", f.columns}};
  j["references"] = ojson{{"schema", f.ref_table.schema}, {"table", f.ref_table.name}, {"columns", f.ref_columns}};
  if (f.on_delete != fk_action::no_action) j["on_delete"] = spell(f.on_delete, action_names);
  if (f.on_update != fk_action::no_action) j["on_update"] = spell(f.on_update, action_names);
  write_deferral(j, f.deferrable);
  return j;
}

foreign_key read_foreign_key(const reader& r) {
  r.expect_object({"name", "columns", "references", "on_delete", "on_update", "deferrable"});
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
  f.deferrable = read_deferral(r);
  return f;
}

ojson to_json(const check_constraint& c) { return ojson{{"name", c.name}, {"expression", c.expression}}; }

check_constraint read_check(const reader& r) {
  r.expect_object({"name", "expression"});
  return {r.optional_identifier("name").value_or(""), r.string("expression")};
}

namespace {
// An element: its key as an object (a plain column too, beside its operator), and "with".
ojson to_json(const exclusion_element& e) {
  ojson key = to_json(e.key);
  ojson j = key.is_string() ? ojson{{"column", e.key.column}} : key;
  j["with"] = e.op;
  return j;
}

exclusion_element read_exclusion_element(const reader& r) {
  static constexpr std::string_view with_key[] = {"with"};
  exclusion_element e{read_index_key(r.also_allowing(with_key)), r.string("with")};
  if (!is_operator_name(e.op)) r.at("with").fail(fmt::format("\"{}\" is not an operator", excerpt(e.op)));
  return e;
}
}  // namespace

ojson to_json(const exclusion_constraint& x) {
  ojson j{{"name", x.name}, {"elements", array_of(x.elements, [](const auto& e) { return to_json(e); })}};
  if (x.method != "gist") j["method"] = x.method;
  if (!x.include.empty()) j["include"] = x.include;
  if (x.where) j["where"] = *x.where;
  write_deferral(j, x.deferrable);
  return j;
}

exclusion_constraint read_exclusion(const reader& r) {
  r.expect_object({"name", "elements", "method", "include", "where", "deferrable"});
  exclusion_constraint x;
  x.name = r.optional_identifier("name").value_or("");
  x.elements = read_array(r, "elements", read_exclusion_element);
  if (x.elements.empty()) r.at("elements").fail("needs at least one element");
  x.method = r.optional_string("method").value_or("gist");
  x.include = r.identifiers("include");
  x.where = r.optional_string("where");
  x.deferrable = read_deferral(r);
  return x;
}

ojson to_json(const row_security& rls) { return ojson{{"enabled", rls.enabled}, {"forced", rls.forced}}; }

row_security read_row_security(const reader& r) {
  r.expect_object({"enabled", "forced"});
  return {r.boolean("enabled", false), r.boolean("forced", false)};
}

ojson to_json(const policy& p) {
  ojson j{{"name", p.name}};
  if (p.command != policy_command::all) j["command"] = to_string(p.command);
  if (p.restrictive) j["as"] = "restrictive";
  if (!p.roles.empty()) j["roles"] = p.roles;
  if (p.using_expression) j["using"] = *p.using_expression;
  if (p.check_expression) j["with_check"] = *p.check_expression;
  return j;
}

policy read_policy(const reader& r) {
  r.expect_object({"name", "command", "as", "roles", "using", "with_check"});
  policy p;
  p.name = r.identifier("name");
  if (auto c = r.maybe("command")) {
    const std::string text = c->string();
    const auto command = policy_command_named(text);
    if (!command) c->fail(fmt::format("unknown command \"{}\" (expected one of: all, select, insert, update, delete)", excerpt(text)));
    p.command = *command;
  }
  if (auto a = r.maybe("as")) {
    const std::string text = a->string();
    if (text != "permissive" && text != "restrictive")
      a->fail(fmt::format("unknown value \"{}\" (expected permissive or restrictive)", excerpt(text)));
    p.restrictive = text == "restrictive";
  }
  p.roles = r.identifiers("roles");
  std::sort(p.roles.begin(), p.roles.end());  // a set: pg_policy keeps the order they were given in
  p.using_expression = r.optional_string("using");
  p.check_expression = r.optional_string("with_check");
  return p;
}

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
  if (!t.exclusions.empty()) j["exclusions"] = array_of(t.exclusions, [](const auto& x) { return to_json(x); });
  if (t.rls != row_security{}) j["row_level_security"] = to_json(t.rls);
  if (!t.policies.empty()) j["policies"] = array_of(t.policies, [](const auto& x) { return to_json(x); });
  if (t.partition) j["partition_by"] = to_string(*t.partition);
  return j;
}

table read_table(const reader& r) {
  r.expect_object({"schema", "name", "comment", "renamed_from", "columns", "primary_key", "unique", "indexes",
                   "foreign_keys", "checks", "exclusions", "row_level_security", "policies", "partition_by"});
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
  t.exclusions = read_array(r, "exclusions", read_exclusion);
  if (auto rls = r.maybe("row_level_security")) t.rls = read_row_security(*rls);
  t.policies = read_array(r, "policies", read_policy);
  if (auto p = r.maybe("partition_by")) {
    const std::string text = p->string();
    t.partition = parse_partition_key(text);
    if (!t.partition)
      p->fail(fmt::format("invalid partition key \"{}\" (expected \"RANGE (column, ...)\", LIST or HASH)", excerpt(text)));
  }
  return t;
}

ojson to_json(const extension& e) {
  ojson j{{"name", e.name}, {"schema", e.schema}};
  if (e.version) j["version"] = *e.version;
  return j;
}

extension read_extension(const reader& r) {
  r.expect_object({"name", "schema", "version"});
  extension e{r.identifier("name"), r.optional_identifier("schema").value_or("public"), r.optional_string("version")};
  if (e.version && e.version->empty()) r.at("version").fail("an empty version; leave \"version\" out for the default");
  return e;
}

ojson to_json(const sql_object& o) {
  ojson j{{"kind", to_string(o.kind)}, {"schema", o.name.schema}, {"name", o.name.name}};
  if (o.kind == sql_object_kind::trigger) {
    j["table"] = o.table.name;  // in the trigger's schema
    j["function"] = to_json(o.function);
  } else {
    j["arguments"] = o.arguments;
    j["header"] = o.header;
  }
  j["definition"] = o.definition;
  return j;
}

sql_object read_sql_object(const reader& r) {
  r.expect_object({"kind", "schema", "name", "arguments", "header", "table", "function", "definition"});
  sql_object o;
  const reader kind = r.at("kind");
  const auto k = sql_object_kind_named(kind.string());
  if (!k) kind.fail(fmt::format("unknown kind \"{}\" (expected function, procedure or trigger)", excerpt(kind.string())));
  o.kind = *k;
  o.name = {r.identifier("schema"), r.identifier("name")};
  if (o.kind == sql_object_kind::trigger) {
    o.table = {o.name.schema, r.identifier("table")};
    o.function = read_qualified_name(r.at("function"));
  } else {
    o.arguments = r.string("arguments");
    o.header = r.string("header");
  }
  o.definition = r.string("definition");
  // The definition is sent as one statement: the parser on the way in made sure it is one, and
  // a file edited by hand must not smuggle in a second.
  if (const std::size_t at = top_level_semicolon(o.definition); at != std::string::npos)
    r.at("definition").fail(fmt::format("a \";\" outside quotes at byte {}: a definition is one statement", at));
  return o;
}

ojson to_json(const enum_type& e) {
  ojson j{{"schema", e.name.schema}, {"name", e.name.name}, {"values", e.values}};
  // A model's hint (never in a migration file): {"value": "in-progress", "renamed_from": ["in_progress"]}.
  if (!e.renamed_values.empty())
    j["renamed_values"] = array_of(e.renamed_values, [](const auto& v) {
      return ojson{{"value", v.first}, {"renamed_from", v.second}};
    });
  return j;
}

enum_type read_enum(const reader& r) {
  r.expect_object({"schema", "name", "values", "renamed_values"});
  enum_type e{{r.optional_identifier("schema").value_or("public"), r.identifier("name")}, r.identifiers("values")};
  if (e.values.empty()) r.at("values").fail("an enum needs at least one value");
  for (const auto& [value, labels] : read_array(r, "renamed_values", [](const reader& v) {
         v.expect_object({"value", "renamed_from"});
         return std::pair{v.identifier("value"), v.identifiers("renamed_from")};
       }))
    e.renamed_values[value] = labels;
  return e;
}

// A view: "materialized" and "indexes" only for a materialized view, so a plain view reads short.
ojson to_json(const view& v) {
  ojson j{{"schema", v.name.schema}, {"name", v.name.name}};
  if (v.materialized) j["materialized"] = true;
  j["columns"] = array_of(v.columns, [](const view_column& c) {
    ojson col{{"name", c.name}};
    if (c.type.kind == type_kind::enum_type) col["enum"] = to_json(c.type.enum_name);
    else col["type"] = to_string(c.type);
    return col;
  });
  j["query"] = v.query;
  j["reads"] = array_of(v.reads, [](const qualified_name& q) { return to_json(q); });
  if (!v.indexes.empty()) j["indexes"] = array_of(v.indexes, [](const auto& x) { return to_json(x); });
  return j;
}

view read_view(const reader& r) {
  r.expect_object({"schema", "name", "materialized", "columns", "query", "reads", "indexes"});
  view v;
  v.name = {r.optional_identifier("schema").value_or("public"), r.identifier("name")};
  v.materialized = r.boolean("materialized", false);
  v.columns = read_array(r, "columns", [](const reader& c) {
    c.expect_object({"name", "type", "enum"});
    column parsed;
    read_type(c, parsed);
    return view_column{c.identifier("name"), parsed.type};
  });
  if (v.columns.empty()) r.at("columns").fail("a view needs at least one column");
  v.query = r.string("query");
  if (v.query.empty()) r.at("query").fail("empty query");
  v.reads = read_array(r, "reads", read_qualified_name);
  std::sort(v.reads.begin(), v.reads.end());
  v.indexes = read_array(r, "indexes", read_index);
  if (!v.materialized && !v.indexes.empty()) r.at("indexes").fail("only a materialized view has indexes");
  return v;
}

ojson to_json(const sequence& s) {
  ojson j{{"schema", s.name.schema}, {"name", s.name.name}};
  if (s.type != "bigint") j["type"] = s.type;
  if (s.increment != 1) j["increment"] = s.increment;
  if (s.start) j["start"] = *s.start;
  if (s.min_value) j["min_value"] = *s.min_value;
  if (s.max_value) j["max_value"] = *s.max_value;
  if (s.cache != 1) j["cache"] = s.cache;
  if (s.cycle) j["cycle"] = true;
  if (s.owned_by) j["owned_by"] = s.owned_by->table + "." + s.owned_by->column;
  return j;
}

sequence read_sequence(const reader& r) {
  r.expect_object({"schema", "name", "type", "increment", "start", "min_value", "max_value", "cache", "cycle", "owned_by"});
  sequence s;
  s.name = {r.optional_identifier("schema").value_or("public"), r.identifier("name")};
  if (auto t = r.maybe("type")) {
    s.type = t->string();
    if (s.type != "smallint" && s.type != "integer" && s.type != "bigint")
      t->fail(fmt::format("unknown sequence type \"{}\" (expected smallint, integer or bigint)", excerpt(s.type)));
  }
  if (auto i = r.maybe("increment")) s.increment = i->integer();
  if (auto v = r.maybe("start")) s.start = v->integer();
  if (auto v = r.maybe("min_value")) s.min_value = v->integer();
  if (auto v = r.maybe("max_value")) s.max_value = v->integer();
  if (auto v = r.maybe("cache")) s.cache = v->integer();
  s.cycle = r.boolean("cycle", false);
  if (auto o = r.maybe("owned_by")) {
    const std::string text = o->string();
    const auto dot = text.find('.');
    if (dot == std::string::npos || dot == 0 || dot + 1 == text.size() || text.find('.', dot + 1) != std::string::npos)
      o->fail(fmt::format("invalid owner \"{}\" (expected \"table.column\", a table of the sequence's schema)", excerpt(text)));
    s.owned_by = sequence_owner{text.substr(0, dot), text.substr(dot + 1)};
  }
  if (auto problem = sequence_problem(s)) r.fail(*problem);
  return canonical(std::move(s));
}

}  // namespace retort::json_codec
