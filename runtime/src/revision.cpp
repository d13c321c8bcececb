// Migration files: a revision and its operations as canonical JSON, and the reader.
#include "retort/revision.hpp"

#include <fmt/format.h>

#include <mutex>
#include <variant>

#include "json_codec.hpp"
#include "revision_reader.hpp"
#include "overloaded.hpp"
#include "parallel.hpp"
#include "retort/errors.hpp"
#include "retort/sql_expression.hpp"

namespace retort {

using json_codec::ojson;
using json_codec::reader;
using json_codec::to_json;

namespace {

constexpr std::pair<ops::column_change, std::string_view> change_names[] = {
    {ops::change_type, "type"}, {ops::change_nullable, "nullable"}, {ops::change_default, "default"},
    {ops::change_identity, "identity"}, {ops::change_comment, "comment"}, {ops::change_collation, "collation"}};

ojson opt(const std::optional<std::string>& s) { return s ? ojson(*s) : ojson(nullptr); }

ojson op_to_json(const ops::operation& op) {
  ojson j;
  j["op"] = ops::name_of(op);
  std::visit(overloaded{
                 [&](const ops::create_schema& o) { j["name"] = o.name; },
                 [&](const ops::drop_schema& o) { j["name"] = o.name; },
                 [&](const ops::create_extension& o) { j["extension"] = to_json(o.def); },
                 [&](const ops::drop_extension& o) { j["extension"] = to_json(o.def); },
                 [&](const ops::alter_extension& o) {
                   j["from"] = to_json(o.from);
                   j["to"] = to_json(o.to);
                 },
                 [&](const ops::create_enum& o) { j["enum"] = to_json(o.type); },
                 [&](const ops::drop_enum& o) { j["enum"] = to_json(o.type); },
                 [&](const ops::add_enum_value& o) {
                   j["enum"] = to_json(o.type);
                   j["value"] = o.value;
                   if (o.before) j["before"] = *o.before;
                 },
                 [&](const ops::rename_enum_value& o) {
                   j["enum"] = to_json(o.type);
                   j["from"] = o.from;
                   j["to"] = o.to;
                 },
                 [&](const ops::drop_enum_value& o) {
                   j["enum"] = to_json(o.type);
                   j["value"] = o.value;
                   if (o.before) j["before"] = *o.before;
                 },
                 [&](const ops::create_table& o) { j["table"] = to_json(o.def); },
                 [&](const ops::drop_table& o) { j["table"] = to_json(o.def); },
                 [&](const ops::rename_table& o) {
                   j["from"] = to_json(o.from);
                   j["to"] = to_json(o.to);
                 },
                 [&](const ops::set_table_comment& o) {
                   j["table"] = to_json(o.table);
                   j["from"] = opt(o.from);
                   j["to"] = opt(o.to);
                 },
                 [&](const ops::add_column& o) {
                   j["table"] = to_json(o.table);
                   j["column"] = to_json(o.def);
                 },
                 [&](const ops::drop_column& o) {
                   j["table"] = to_json(o.table);
                   j["column"] = to_json(o.def);
                 },
                 [&](const ops::rename_column& o) {
                   j["table"] = to_json(o.table);
                   j["from"] = o.from;
                   j["to"] = o.to;
                 },
                 [&](const ops::alter_column& o) {
                   // Only what changes, both ways: replay, rendering and the inverse take the
                   // rest from the column as it is (ops::completed).
                   j["table"] = to_json(o.table);
                   j["column"] = o.to.name;
                   std::vector<std::string_view> changed;
                   ojson names = ojson::array();
                   for (const auto& [bit, name] : change_names)
                     if (o.changes & bit) changed.push_back(name), names.push_back(std::string(name));
                   j["changes"] = names;
                   j["from"] = json_codec::attributes_json(o.from, changed);
                   j["to"] = json_codec::attributes_json(o.to, changed);
                 },
                 [&](const ops::backfill_column& o) {
                   j["table"] = to_json(o.table);
                   j["column"] = o.column;
                   j["expression"] = o.expression;
                   if (o.batch) j["batch"] = *o.batch;
                 },
                 [&](const ops::add_primary_key& o) {
                   j["table"] = to_json(o.table);
                   j["primary_key"] = to_json(o.def);
                 },
                 [&](const ops::drop_primary_key& o) {
                   j["table"] = to_json(o.table);
                   j["primary_key"] = to_json(o.def);
                 },
                 [&](const ops::add_unique& o) {
                   j["table"] = to_json(o.table);
                   j["unique"] = to_json(o.def);
                 },
                 [&](const ops::drop_unique& o) {
                   j["table"] = to_json(o.table);
                   j["unique"] = to_json(o.def);
                 },
                 [&](const ops::add_check& o) {
                   j["table"] = to_json(o.table);
                   j["check"] = to_json(o.def);
                 },
                 [&](const ops::drop_check& o) {
                   j["table"] = to_json(o.table);
                   j["check"] = to_json(o.def);
                 },
                 [&](const ops::create_index& o) {
                   j["table"] = to_json(o.table);
                   j["index"] = to_json(o.def);
                 },
                 [&](const ops::drop_index& o) {
                   j["table"] = to_json(o.table);
                   j["index"] = to_json(o.def);
                 },
                 [&](const ops::add_foreign_key& o) {
                   j["table"] = to_json(o.table);
                   j["foreign_key"] = to_json(o.def);
                 },
                 [&](const ops::drop_foreign_key& o) {
                   j["table"] = to_json(o.table);
                   j["foreign_key"] = to_json(o.def);
                 },
                 [&](const ops::rename_index& o) {
                   j["table"] = to_json(o.table);
                   j["from"] = o.from;
                   j["to"] = o.to;
                 },
                 [&](const ops::rename_constraint& o) {
                   j["table"] = to_json(o.table);
                   j["from"] = o.from;
                   j["to"] = o.to;
                 },
                 [&](const ops::sql& o) {
                   j["up"] = o.up;
                   j["down"] = opt(o.down);
                   if (!o.transactional) j["transactional"] = false;
                   if (o.irreversible) j["irreversible"] = *o.irreversible;
                   if (o.schema) j["schema"] = *o.schema;
                 },
                 [&](const ops::cpp& o) { j["run"] = ops::to_string(o.run); },
                 [&](const ops::create_view& o) { j["view"] = to_json(o.def); },
                 [&](const ops::drop_view& o) { j["view"] = to_json(o.def); },
                 [&](const ops::replace_view& o) {
                   j["from"] = to_json(o.from);
                   j["to"] = to_json(o.to);
                 },
                 [&](const ops::add_exclusion& o) {
                   j["table"] = to_json(o.table);
                   j["exclusion"] = to_json(o.def);
                 },
                 [&](const ops::drop_exclusion& o) {
                   j["table"] = to_json(o.table);
                   j["exclusion"] = to_json(o.def);
                 },
                 [&](const ops::set_row_level_security& o) {
                   j["table"] = to_json(o.table);
                   j["from"] = to_json(o.from);
                   j["to"] = to_json(o.to);
                 },
                 [&](const ops::create_policy& o) {
                   j["table"] = to_json(o.table);
                   j["policy"] = to_json(o.def);
                 },
                 [&](const ops::drop_policy& o) {
                   j["table"] = to_json(o.table);
                   j["policy"] = to_json(o.def);
                 },
                 [&](const ops::alter_policy& o) {
                   j["table"] = to_json(o.table);
                   j["from"] = to_json(o.from);
                   j["to"] = to_json(o.to);
                 },
                 [&](const ops::create_sequence& o) { j["sequence"] = to_json(o.def); },
                 [&](const ops::drop_sequence& o) { j["sequence"] = to_json(o.def); },
                 [&](const ops::alter_sequence& o) {
                   j["from"] = to_json(o.from);
                   j["to"] = to_json(o.to);
                 },
                 [&](const ops::create_sql_object& o) { j["object"] = to_json(o.def); },
                 [&](const ops::drop_sql_object& o) { j["object"] = to_json(o.def); },
                 [&](const ops::replace_sql_object& o) {
                   j["from"] = to_json(o.from);
                   j["to"] = to_json(o.to);
                 },
             },
             op);
  return j;
}

// Reads the alternative whose `kind` is `name`; the fields each kind allows are listed once here.
template <class Op>
Op read_op(const reader& r);

template <>
ops::create_schema read_op(const reader& r) {
  r.expect_object({"op", "name"});
  return {r.identifier("name")};
}
template <>
ops::drop_schema read_op(const reader& r) {
  r.expect_object({"op", "name"});
  return {r.identifier("name")};
}
template <>
ops::create_extension read_op(const reader& r) {
  r.expect_object({"op", "extension"});
  return {json_codec::read_extension(r.at("extension"))};
}
template <>
ops::drop_extension read_op(const reader& r) {
  r.expect_object({"op", "extension"});
  return {json_codec::read_extension(r.at("extension"))};
}
template <>
ops::alter_extension read_op(const reader& r) {
  r.expect_object({"op", "from", "to"});
  ops::alter_extension o{json_codec::read_extension(r.at("from")), json_codec::read_extension(r.at("to"))};
  if (o.from.name != o.to.name) r.at("to").at("name").fail("alter_extension cannot rename an extension");
  return o;
}
template <>
ops::create_enum read_op(const reader& r) {
  r.expect_object({"op", "enum"});
  return {json_codec::read_enum(r.at("enum"))};
}
template <>
ops::drop_enum read_op(const reader& r) {
  r.expect_object({"op", "enum"});
  return {json_codec::read_enum(r.at("enum"))};
}
template <>
ops::add_enum_value read_op(const reader& r) {
  r.expect_object({"op", "enum", "value", "before"});
  return {json_codec::read_qualified_name(r.at("enum")), r.identifier("value"), r.optional_identifier("before")};
}
template <>
ops::drop_enum_value read_op(const reader& r) {
  r.expect_object({"op", "enum", "value", "before"});
  return {json_codec::read_qualified_name(r.at("enum")), r.identifier("value"), r.optional_identifier("before")};
}
template <>
ops::rename_enum_value read_op(const reader& r) {
  r.expect_object({"op", "enum", "from", "to"});
  return {json_codec::read_qualified_name(r.at("enum")), r.identifier("from"), r.identifier("to")};
}
template <>
ops::create_table read_op(const reader& r) {
  r.expect_object({"op", "table"});
  return {json_codec::read_table(r.at("table"))};
}
template <>
ops::drop_table read_op(const reader& r) {
  r.expect_object({"op", "table"});
  return {json_codec::read_table(r.at("table"))};
}
template <>
ops::rename_table read_op(const reader& r) {
  r.expect_object({"op", "from", "to"});
  return {json_codec::read_qualified_name(r.at("from")), json_codec::read_qualified_name(r.at("to"))};
}
template <>
ops::set_table_comment read_op(const reader& r) {
  r.expect_object({"op", "table", "from", "to"});
  return {json_codec::read_qualified_name(r.at("table")), r.optional_string("from"), r.optional_string("to")};
}

// Table-level operations: "table" plus one element.
template <class Op, class Read>
Op read_element_op(const reader& r, std::string_view key, Read read) {
  r.expect_object({"op", "table", key});
  return {json_codec::read_qualified_name(r.at("table")), read(r.at(key))};
}
template <class Op>
Op read_rename(const reader& r) {
  r.expect_object({"op", "table", "from", "to"});
  return {json_codec::read_qualified_name(r.at("table")), r.identifier("from"), r.identifier("to")};
}

template <>
ops::add_column read_op(const reader& r) { return read_element_op<ops::add_column>(r, "column", json_codec::read_column); }
template <>
ops::drop_column read_op(const reader& r) { return read_element_op<ops::drop_column>(r, "column", json_codec::read_column); }
template <>
ops::rename_column read_op(const reader& r) { return read_rename<ops::rename_column>(r); }
unsigned read_changes(const reader& r) {
  unsigned bits = 0;
  const reader changes = r.at("changes");  // outlives the readers of its items
  for (const reader& c : changes.items()) {
    std::string name = c.string();
    bool known = false;
    for (const auto& [bit, n] : change_names)
      if (n == name) bits |= bit, known = true;
    if (!known)
      c.fail(fmt::format("unknown change \"{}\" (expected type, nullable, default, identity, comment or collation)",
                         excerpt(name)));
  }
  return bits;
}

// The compact form: "column" and, in "from" and "to", the attributes that change (a default,
// comment or collation absent: none). Every key must be a change, and a changed type, nullability or
// identity must be stated on both sides.
column read_changed_attributes(const reader& r, const std::string& name, unsigned changes) {
  column c;
  c.name = name;
  json_codec::read_attributes(r, c);
  for (const auto& [bit, key] : change_names) {
    const bool stated = r.has(key) || (bit == ops::change_type && r.has("enum"));
    const bool optional = bit == ops::change_default || bit == ops::change_comment || bit == ops::change_collation;
    if (stated && !(changes & bit))
      r.at(r.has(key) ? key : "enum").fail(fmt::format("\"{}\" is not among the changes", key));
    if (!stated && (changes & bit) && !optional) r.at(key).fail("missing");
  }
  return c;
}

template <>
ops::alter_column read_op(const reader& r) {
  if (r.has("column")) {
    r.expect_object({"op", "table", "column", "changes", "from", "to"});
    const std::string name = r.identifier("column");
    const unsigned changes = read_changes(r);
    return {json_codec::read_qualified_name(r.at("table")), read_changed_attributes(r.at("from"), name, changes),
            read_changed_attributes(r.at("to"), name, changes), changes};
  }
  // The form of files written before: whole columns.
  r.expect_object({"op", "table", "changes", "from", "to"});
  ops::alter_column o{json_codec::read_qualified_name(r.at("table")), json_codec::read_column(r.at("from")),
                      json_codec::read_column(r.at("to"))};
  o.changes = read_changes(r);
  if (o.from.name != o.to.name) r.at("to").at("name").fail("alter_column cannot rename; use rename_column");
  return o;
}
template <>
ops::backfill_column read_op(const reader& r) {
  r.expect_object({"op", "table", "column", "expression", "batch"});
  ops::backfill_column o{json_codec::read_qualified_name(r.at("table")), r.identifier("column"), r.string("expression")};
  if (auto b = r.maybe("batch")) {
    if (b->integer() < 1) b->fail("batch must be a positive number of rows");
    o.batch = static_cast<int>(b->integer());
  }
  return o;
}
template <>
ops::add_primary_key read_op(const reader& r) {
  return read_element_op<ops::add_primary_key>(r, "primary_key", json_codec::read_primary_key);
}
template <>
ops::drop_primary_key read_op(const reader& r) {
  return read_element_op<ops::drop_primary_key>(r, "primary_key", json_codec::read_primary_key);
}
template <>
ops::add_unique read_op(const reader& r) { return read_element_op<ops::add_unique>(r, "unique", json_codec::read_unique); }
template <>
ops::drop_unique read_op(const reader& r) { return read_element_op<ops::drop_unique>(r, "unique", json_codec::read_unique); }
template <>
ops::add_check read_op(const reader& r) { return read_element_op<ops::add_check>(r, "check", json_codec::read_check); }
template <>
ops::drop_check read_op(const reader& r) { return read_element_op<ops::drop_check>(r, "check", json_codec::read_check); }
template <>
ops::create_index read_op(const reader& r) { return read_element_op<ops::create_index>(r, "index", json_codec::read_index); }
template <>
ops::drop_index read_op(const reader& r) { return read_element_op<ops::drop_index>(r, "index", json_codec::read_index); }
template <>
ops::add_foreign_key read_op(const reader& r) {
  return read_element_op<ops::add_foreign_key>(r, "foreign_key", json_codec::read_foreign_key);
}
template <>
ops::drop_foreign_key read_op(const reader& r) {
  return read_element_op<ops::drop_foreign_key>(r, "foreign_key", json_codec::read_foreign_key);
}
template <>
ops::rename_index read_op(const reader& r) { return read_rename<ops::rename_index>(r); }
template <>
ops::rename_constraint read_op(const reader& r) { return read_rename<ops::rename_constraint>(r); }
template <>
ops::sql read_op(const reader& r) {
  r.expect_object({"op", "up", "down", "transactional", "irreversible", "schema"});
  ops::sql o{r.string("up"), r.optional_string("down"), r.boolean("transactional", true), r.optional_string("irreversible"),
             r.optional_string("schema")};
  if (o.schema && o.schema->empty()) r.at("schema").fail("name the schema whose objects the step writes");
  if (o.irreversible && o.down) r.at("irreversible").fail("an sql step with a \"down\" is not irreversible");
  if (o.irreversible && o.irreversible->empty())
    r.at("irreversible").fail("say why the step cannot be undone (\"irreversible\": \"<reason>\")");
  return o;
}

template <>
ops::cpp read_op(const reader& r) {
  r.expect_object({"op", "run"});
  const std::string run = r.string("run");
  if (run != "upgrade" && run != "downgrade")
    r.at("run").fail("a cpp step runs the revision's registered \"upgrade\" or \"downgrade\" function");
  return {run == "upgrade" ? ops::cpp::function::upgrade : ops::cpp::function::downgrade};
}

template <>
ops::create_view read_op(const reader& r) {
  r.expect_object({"op", "view"});
  return {json_codec::read_view(r.at("view"))};
}
template <>
ops::drop_view read_op(const reader& r) {
  r.expect_object({"op", "view"});
  return {json_codec::read_view(r.at("view"))};
}
template <>
ops::replace_view read_op(const reader& r) {
  r.expect_object({"op", "from", "to"});
  ops::replace_view o{json_codec::read_view(r.at("from")), json_codec::read_view(r.at("to"))};
  if (!ops::replaceable(o.from, o.to))
    r.at("to").fail("CREATE OR REPLACE VIEW keeps a plain view's name and columns (new ones may follow them); drop and "
                    "create it instead");
  return o;
}

template <>
ops::add_exclusion read_op(const reader& r) {
  return read_element_op<ops::add_exclusion>(r, "exclusion", json_codec::read_exclusion);
}
template <>
ops::drop_exclusion read_op(const reader& r) {
  return read_element_op<ops::drop_exclusion>(r, "exclusion", json_codec::read_exclusion);
}
template <>
ops::set_row_level_security read_op(const reader& r) {
  r.expect_object({"op", "table", "from", "to"});
  return {json_codec::read_qualified_name(r.at("table")), json_codec::read_row_security(r.at("from")),
          json_codec::read_row_security(r.at("to"))};
}
template <>
ops::create_policy read_op(const reader& r) { return read_element_op<ops::create_policy>(r, "policy", json_codec::read_policy); }
template <>
ops::drop_policy read_op(const reader& r) { return read_element_op<ops::drop_policy>(r, "policy", json_codec::read_policy); }
template <>
ops::alter_policy read_op(const reader& r) {
  r.expect_object({"op", "table", "from", "to"});
  ops::alter_policy o{json_codec::read_qualified_name(r.at("table")), json_codec::read_policy(r.at("from")),
                      json_codec::read_policy(r.at("to"))};
  if (o.from.name != o.to.name) r.at("to").at("name").fail("alter_policy cannot rename a policy");
  if (!alterable(o.from, o.to))
    r.at("to").fail("ALTER POLICY cannot change a policy's command or kind, nor add or remove an expression: drop it "
                    "and create it");
  return o;
}

template <>
ops::create_sequence read_op(const reader& r) {
  r.expect_object({"op", "sequence"});
  return {json_codec::read_sequence(r.at("sequence"))};
}
template <>
ops::drop_sequence read_op(const reader& r) {
  r.expect_object({"op", "sequence"});
  return {json_codec::read_sequence(r.at("sequence"))};
}
template <>
ops::alter_sequence read_op(const reader& r) {
  r.expect_object({"op", "from", "to"});
  ops::alter_sequence o{json_codec::read_sequence(r.at("from")), json_codec::read_sequence(r.at("to"))};
  if (o.from.name != o.to.name) r.at("to").at("name").fail("alter_sequence cannot rename or move a sequence");
  return o;
}

template <>
ops::create_sql_object read_op(const reader& r) {
  r.expect_object({"op", "object"});
  return {json_codec::read_sql_object(r.at("object"))};
}
template <>
ops::drop_sql_object read_op(const reader& r) {
  r.expect_object({"op", "object"});
  return {json_codec::read_sql_object(r.at("object"))};
}
template <>
ops::replace_sql_object read_op(const reader& r) {
  r.expect_object({"op", "from", "to"});
  ops::replace_sql_object o{json_codec::read_sql_object(r.at("from")), json_codec::read_sql_object(r.at("to"))};
  if (!same_object(o.from, o.to)) r.at("to").fail("replace_sql_object redefines one object: \"to\" names another one");
  return o;
}

template <std::size_t... I>
ops::operation read_any(const reader& r, std::string_view name, std::index_sequence<I...>) {
  std::optional<ops::operation> out;
  ((std::variant_alternative_t<I, ops::operation>::kind == name
        ? void(out.emplace(read_op<std::variant_alternative_t<I, ops::operation>>(r)))
        : void()),
   ...);
  if (!out) {
    std::vector<std::string_view> known{std::variant_alternative_t<I, ops::operation>::kind...};
    r.at("op").fail(fmt::format("unknown operation \"{}\" (known: {})", excerpt(name), fmt::join(known, ", ")));
  }
  return *std::move(out);
}

ops::operation read_operation(const reader& r) {
  return read_any(r, r.string("op"), std::make_index_sequence<std::variant_size_v<ops::operation>>{});
}

ojson operations_json(const std::vector<ops::operation>& list, const operation_notes& notes = {}) {
  ojson a = ojson::array();
  for (std::size_t i = 0; i < list.size(); ++i) {
    ojson j = op_to_json(list[i]);
    if (auto n = notes.find(i); n != notes.end()) {
      if (!n->second.allow.empty()) {
        ojson allow = ojson::array();
        for (const auto& x : n->second.allow) allow.push_back(ojson{{"rule", x.rule}, {"reason", x.reason}});
        j["allow"] = allow;
      }
      if (const auto& o = n->second.sql) {
        j["override"] = ojson{{"statements", o->statements}};
        if (!o->transactional) j["override"]["transactional"] = false;
      }
    }
    a.push_back(std::move(j));
  }
  return a;
}

// The keys beside an operation's own that say something about it (see operation_note).
constexpr std::string_view note_keys[] = {"allow", "override"};

allowance read_allowance(const reader& r) {
  r.expect_object({"rule", "reason"});
  allowance a{r.string("rule"), r.string("reason")};
  if (a.rule.empty()) r.at("rule").fail("empty rule id");
  if (a.reason.find_first_not_of(" \t\n") == std::string::npos)
    r.at("reason").fail("silencing a finding needs a written reason");
  return a;
}

// "allow" (one object or a list) and "override" beside an operation's own keys.
operation_note read_note(const reader& r) {
  operation_note note;
  if (auto a = r.maybe("allow")) {
    if (a->is_array())
      for (const reader& item : a->items()) note.allow.push_back(read_allowance(item));
    else
      note.allow.push_back(read_allowance(*a));
  }
  if (auto o = r.maybe("override")) {
    o->expect_object({"statements", "transactional"});
    note.sql = sql_override{o->strings("statements"), o->boolean("transactional", true)};
    if (!o->has("statements")) o->at("statements").fail("missing");
  }
  return note;
}

std::vector<ops::operation> read_operations(const reader& r, operation_notes& notes) {
  const auto items = r.items();
  // Each operation reads on its own: the thousands of an initial revision on a few threads.
  std::vector<ops::operation> out(items.size());
  std::mutex notes_lock;
  for_each_in_parallel<std::monostate>(items.size(), threads_for(items.size(), 512), [&](std::monostate&, std::size_t i) {
    const reader& item = items[i];
    if (item.has("allow") || item.has("override")) {
      operation_note note = read_note(item);
      out[i] = read_operation(item.also_allowing(note_keys));
      const std::lock_guard held(notes_lock);
      notes[i] = std::move(note);
    } else {
      out[i] = read_operation(item);
    }
    if (auto p = multi_statement_expression(out[i])) item.fail(fmt::format("{}: {}", p->path, p->message));
  });
  return out;
}

}  // namespace

std::string write_operations(const std::vector<ops::operation>& operations) {
  return json_codec::dump_compact(operations_json(operations));
}

std::string write_revision(const revision& rev) {
  ojson j;
  j["format"] = migration_format;
  j["id"] = rev.id;
  j["parents"] = rev.parents;
  if (!rev.replaces.empty()) j["replaces"] = rev.replaces;
  j["message"] = rev.message;
  j["created"] = rev.created;
  j["upgrade"] = operations_json(rev.upgrade, rev.upgrade_notes);
  j["downgrade"] = operations_json(rev.downgrade, rev.downgrade_notes);
  return json_codec::dump_compact(j);
}

revision read_revision(std::string_view text, const std::string& file) {
  simdjson::dom::parser parser;
  return read_revision(text, file, parser);
}

namespace {

revision read_document(const json_codec::document& doc, const std::string& file) {
  const reader r(doc.root(), file);
  r.expect_object({"format", "id", "parents", "replaces", "message", "created", "upgrade", "downgrade"});
  reader format = r.at("format");
  if (format.integer() != migration_format)
    format.fail(fmt::format("migration format {} is not supported by this Retort (it reads format {})",
                            format.integer(), migration_format));
  revision rev;
  rev.id = r.string("id");
  if (rev.id.empty()) r.at("id").fail("empty revision id");
  rev.parents = r.at("parents").strings();
  rev.replaces = r.strings("replaces");
  rev.message = r.optional_string("message").value_or("");
  rev.created = r.optional_string("created").value_or("");
  rev.upgrade = read_operations(r.at("upgrade"), rev.upgrade_notes);
  rev.downgrade = read_operations(r.at("downgrade"), rev.downgrade_notes);
  return rev;
}

}  // namespace

revision read_revision(std::string_view text, const std::string& file, simdjson::dom::parser& parser) {
  return read_document(json_codec::document(parser, text, file), file);
}

revision read_revision(std::string&& text, const std::string& file, simdjson::dom::parser& parser) {
  const json_codec::document doc(parser, text, file);
  std::string().swap(text);
  return read_document(doc, file);
}

}  // namespace retort
