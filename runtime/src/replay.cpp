// Replay: each operation applied to an in-memory schema, checked the way PostgreSQL would
// check it, so a history that replays cleanly also applies cleanly.
#include "retort/replay.hpp"

#include <algorithm>
#include <type_traits>

#include <fmt/format.h>

#include "overloaded.hpp"
#include "retort/errors.hpp"

namespace retort {

namespace {

[[noreturn]] void fail(const std::string& message) { throw replay_error(message); }

bool schema_exists(const schema& s, const std::string& name) {
  return name == "public" || std::binary_search(s.schemas.begin(), s.schemas.end(), name);
}

table& existing_table(schema& s, const qualified_name& n) {
  table* t = find_table(s, n);
  if (!t) fail(fmt::format("table {} does not exist", to_string(n)));
  return *t;
}

column& existing_column(table& t, const std::string& name) {
  column* c = find_column(t, name);
  if (!c) fail(fmt::format("column {}.{} does not exist", to_string(t.name), name));
  return *c;
}

void require_enum_types(const schema& s, const column& c) {
  if (c.type.kind == type_kind::enum_type && !find_enum(s, c.type.enum_name))
    fail(fmt::format("column {} uses enum type {}, which does not exist", c.name, to_string(c.type.enum_name)));
}

void require_columns(const table& t, const std::vector<std::string>& cols, std::string_view what) {
  for (const auto& c : cols)
    if (!find_column(t, c)) fail(fmt::format("{} names column {}.{}, which does not exist", what, to_string(t.name), c));
}

// `relation`: the name also names an index (primary key, unique constraint, index). Check
// and foreign key names live in the table only, as in validate().
void require_free_name(const schema& s, const table& t, const std::string& name, bool relation) {
  auto names = constraint_and_index_names(t);
  if (std::find(names.begin(), names.end(), name) != names.end())
    fail(fmt::format("table {} already has a constraint or index named {}", to_string(t.name), name));
  if (!relation) return;
  // Primary keys, unique constraints and indexes are relations: their names are unique per schema.
  for (const table& other : s.tables) {
    if (other.name.schema != t.name.schema) continue;
    if (other.name.name == name) fail(fmt::format("{} is already the name of table {}", name, to_string(other.name)));
    bool taken = (other.pk && other.pk->name == name) ||
                 std::any_of(other.uniques.begin(), other.uniques.end(), [&](const auto& u) { return u.name == name; }) ||
                 std::any_of(other.indexes.begin(), other.indexes.end(), [&](const auto& i) { return i.name == name; });
    if (taken) fail(fmt::format("schema {} already has an index named {}", t.name.schema, name));
  }
}

template <class T>
void add_named(const schema& s, table& t, std::vector<T>& list, const T& item) {
  require_free_name(s, t, item.name, !std::is_same_v<T, check_constraint> && !std::is_same_v<T, foreign_key>);
  list.push_back(item);
}

template <class T>
void remove_named(table& t, std::vector<T>& list, const T& item, std::string_view what) {
  auto it = std::find_if(list.begin(), list.end(), [&](const T& x) { return x.name == item.name; });
  if (it == list.end()) fail(fmt::format("table {} has no {} named {}", to_string(t.name), what, item.name));
  if (!(*it == item))
    fail(fmt::format("{} {} of table {} differs from the one the operation drops", what, item.name, to_string(t.name)));
  list.erase(it);
}

// After `t` lost a key, every foreign key referencing `t` must still find a unique key.
void require_referenced_keys(const schema& s, const table& t, std::string_view what) {
  for (const table& other : s.tables)
    for (const auto& f : other.foreign_keys)
      if (f.ref_table == t.name && !is_unique_key(t, f.ref_columns))
        fail(fmt::format("{} of table {} is still referenced by foreign key {} of {}; drop it first", what,
                         to_string(t.name), f.name, to_string(other.name)));
}

bool uses_column(const table& t, const std::string& c) {
  auto has = [&](const std::vector<std::string>& cols) { return std::find(cols.begin(), cols.end(), c) != cols.end(); };
  if (t.pk && has(t.pk->columns)) return true;
  for (const auto& u : t.uniques) if (has(u.columns)) return true;
  for (const auto& i : t.indexes) if (has(i.columns)) return true;
  for (const auto& f : t.foreign_keys) if (has(f.columns)) return true;
  return false;
}

void rename_in(std::vector<std::string>& cols, const std::string& from, const std::string& to) {
  std::replace(cols.begin(), cols.end(), from, to);
}

void apply(schema& s, const ops::create_schema& o) {
  if (schema_exists(s, o.name)) fail(fmt::format("schema {} already exists", o.name));
  s.schemas.push_back(o.name);
}

void apply(schema& s, const ops::drop_schema& o) {
  if (o.name == "public" || !schema_exists(s, o.name)) fail(fmt::format("schema {} does not exist", o.name));
  for (const auto& t : s.tables)
    if (t.name.schema == o.name) fail(fmt::format("schema {} still holds table {}", o.name, to_string(t.name)));
  for (const auto& e : s.enums)
    if (e.name.schema == o.name) fail(fmt::format("schema {} still holds enum {}", o.name, to_string(e.name)));
  std::erase(s.schemas, o.name);
}

void apply(schema& s, const ops::create_enum& o) {
  if (!schema_exists(s, o.type.name.schema)) fail(fmt::format("schema {} does not exist", o.type.name.schema));
  if (find_enum(s, o.type.name)) fail(fmt::format("enum {} already exists", to_string(o.type.name)));
  if (o.type.values.empty()) fail(fmt::format("enum {} has no values", to_string(o.type.name)));
  s.enums.push_back(o.type);
}

void apply(schema& s, const ops::drop_enum& o) {
  const enum_type* e = find_enum(s, o.type.name);
  if (!e) fail(fmt::format("enum {} does not exist", to_string(o.type.name)));
  if (!(*e == o.type)) fail(fmt::format("enum {} differs from the one the operation drops", to_string(o.type.name)));
  for (const auto& t : s.tables)
    for (const auto& c : t.columns)
      if (c.type.kind == type_kind::enum_type && c.type.enum_name == o.type.name)
        fail(fmt::format("enum {} is still used by column {}.{}", to_string(o.type.name), to_string(t.name), c.name));
  std::erase(s.enums, o.type);
}

void apply(schema& s, const ops::add_enum_value& o) {
  enum_type* e = find_enum(s, o.type);
  if (!e) fail(fmt::format("enum {} does not exist", to_string(o.type)));
  auto& v = e->values;
  if (std::find(v.begin(), v.end(), o.value) != v.end())
    fail(fmt::format("enum {} already has the value '{}'", to_string(o.type), o.value));
  auto at = v.end();
  if (o.before) {
    at = std::find(v.begin(), v.end(), *o.before);
    if (at == v.end()) fail(fmt::format("enum {} has no value '{}' to add before", to_string(o.type), *o.before));
  }
  v.insert(at, o.value);
}

void apply(schema& s, const ops::drop_enum_value& o) {
  enum_type* e = find_enum(s, o.type);
  if (!e) fail(fmt::format("enum {} does not exist", to_string(o.type)));
  auto& v = e->values;
  auto at = std::find(v.begin(), v.end(), o.value);
  if (at == v.end()) fail(fmt::format("enum {} has no value '{}'", to_string(o.type), o.value));
  std::optional<std::string> next = (at + 1 == v.end()) ? std::nullopt : std::optional(*(at + 1));
  if (next != o.before)
    fail(fmt::format("enum {}: the value '{}' is not where the operation says it is", to_string(o.type), o.value));
  if (v.size() == 1) fail(fmt::format("enum {} cannot lose its last value", to_string(o.type)));
  v.erase(at);
}

void apply(schema& s, const ops::create_table& o) {
  const table& t = o.def;
  if (!schema_exists(s, t.name.schema)) fail(fmt::format("schema {} does not exist", t.name.schema));
  if (find_table(s, t.name)) fail(fmt::format("table {} already exists", to_string(t.name)));
  if (t.columns.empty()) fail(fmt::format("table {} has no columns", to_string(t.name)));
  if (!t.foreign_keys.empty())
    fail(fmt::format("create_table {} carries foreign keys; they are added by add_foreign_key", to_string(t.name)));
  table fresh = without_hints(t);
  fresh.pk.reset();
  fresh.uniques.clear();
  fresh.indexes.clear();
  fresh.checks.clear();
  for (const auto& c : t.columns) {
    require_enum_types(s, c);
    if (std::count_if(t.columns.begin(), t.columns.end(), [&](const column& x) { return x.name == c.name; }) > 1)
      fail(fmt::format("table {} has two columns named {}", to_string(t.name), c.name));
  }
  s.tables.push_back(fresh);
  table& added = s.tables.back();
  if (t.pk) {
    require_columns(added, t.pk->columns, "primary key " + t.pk->name);
    require_free_name(s, added, t.pk->name, true);
    added.pk = t.pk;
  }
  for (const auto& u : t.uniques) {
    require_columns(added, u.columns, "unique " + u.name);
    // PostgreSQL's CREATE TABLE drops a unique constraint that repeats another key.
    bool repeats = (added.pk && added.pk->columns == u.columns) ||
                   std::any_of(added.uniques.begin(), added.uniques.end(),
                               [&](const unique_constraint& x) { return x.columns == u.columns; });
    if (repeats) fail(fmt::format("unique constraint {} of table {} repeats another key", u.name, to_string(t.name)));
    add_named(s, added, added.uniques, u);
  }
  for (const auto& i : t.indexes) require_columns(added, i.columns, "index " + i.name), add_named(s, added, added.indexes, i);
  for (const auto& c : t.checks) add_named(s, added, added.checks, c);
}

void apply(schema& s, const ops::drop_table& o) {
  table& t = existing_table(s, o.def.name);
  if (!t.foreign_keys.empty())
    fail(fmt::format("table {} still has foreign key {}; drop it first", to_string(t.name), t.foreign_keys.front().name));
  for (const auto& other : s.tables)
    for (const auto& f : other.foreign_keys)
      if (f.ref_table == t.name)
        fail(fmt::format("table {} is still referenced by foreign key {} of {}", to_string(t.name), f.name, to_string(other.name)));
  if (comparable(schema{{}, {}, {t}}) != comparable(schema{{}, {}, {without_hints(o.def)}}))
    fail(fmt::format("table {} differs from the one the operation drops", to_string(t.name)));
  std::erase_if(s.tables, [&](const table& x) { return x.name == o.def.name; });
}

void apply(schema& s, const ops::rename_table& o) {
  if (!schema_exists(s, o.to.schema)) fail(fmt::format("schema {} does not exist", o.to.schema));
  if (find_table(s, o.to)) fail(fmt::format("table {} already exists", to_string(o.to)));
  existing_table(s, o.from).name = o.to;
  for (auto& t : s.tables)
    for (auto& f : t.foreign_keys)
      if (f.ref_table == o.from) f.ref_table = o.to;
}

void apply(schema& s, const ops::set_table_comment& o) {
  table& t = existing_table(s, o.table);
  if (t.comment != o.from) fail(fmt::format("the comment of table {} is not the one the operation replaces", to_string(o.table)));
  t.comment = o.to;
}

void apply(schema& s, const ops::add_column& o) {
  table& t = existing_table(s, o.table);
  if (find_column(t, o.def.name)) fail(fmt::format("column {}.{} already exists", to_string(o.table), o.def.name));
  require_enum_types(s, o.def);
  t.columns.push_back(without_hints(o.def));
}

void apply(schema& s, const ops::drop_column& o) {
  table& t = existing_table(s, o.table);
  column& c = existing_column(t, o.def.name);
  if (!(c == without_hints(o.def)))
    fail(fmt::format("column {}.{} differs from the one the operation drops", to_string(o.table), o.def.name));
  if (uses_column(t, c.name))
    fail(fmt::format("column {}.{} is still used by a key or index; drop it first", to_string(o.table), c.name));
  for (const auto& other : s.tables)
    for (const auto& f : other.foreign_keys)
      if (f.ref_table == t.name && std::find(f.ref_columns.begin(), f.ref_columns.end(), c.name) != f.ref_columns.end())
        fail(fmt::format("column {}.{} is still referenced by foreign key {}", to_string(o.table), c.name, f.name));
  if (t.columns.size() == 1) fail(fmt::format("column {}.{} is the table's last column", to_string(o.table), c.name));
  std::erase_if(t.columns, [&](const column& x) { return x.name == o.def.name; });
}

void apply(schema& s, const ops::rename_column& o) {
  table& t = existing_table(s, o.table);
  column& c = existing_column(t, o.from);
  if (find_column(t, o.to)) fail(fmt::format("column {}.{} already exists", to_string(o.table), o.to));
  c.name = o.to;
  if (t.pk) rename_in(t.pk->columns, o.from, o.to);
  for (auto& u : t.uniques) rename_in(u.columns, o.from, o.to);
  for (auto& i : t.indexes) rename_in(i.columns, o.from, o.to);
  for (auto& f : t.foreign_keys) rename_in(f.columns, o.from, o.to);
  for (auto& other : s.tables)
    for (auto& f : other.foreign_keys)
      if (f.ref_table == t.name) rename_in(f.ref_columns, o.from, o.to);
}

void apply(schema& s, const ops::alter_column& o) {
  table& t = existing_table(s, o.table);
  column& c = existing_column(t, o.from.name);
  if (o.from.name != o.to.name) fail("alter_column cannot rename a column; use rename_column");
  if (!(c == without_hints(o.from)))
    fail(fmt::format("column {}.{} is not in the state the operation alters it from", to_string(o.table), c.name));
  // PostgreSQL refuses DROP NOT NULL on a primary key column ("column is in a primary key").
  if (o.to.nullable && t.pk && std::find(t.pk->columns.begin(), t.pk->columns.end(), c.name) != t.pk->columns.end())
    fail(fmt::format("column {}.{} is in primary key {}: it cannot become nullable", to_string(o.table), c.name, t.pk->name));
  require_enum_types(s, o.to);
  c = without_hints(o.to);
}

void apply(schema& s, const ops::backfill_column& o) { existing_column(existing_table(s, o.table), o.column); }

void apply(schema& s, const ops::add_primary_key& o) {
  table& t = existing_table(s, o.table);
  if (t.pk) fail(fmt::format("table {} already has primary key {}", to_string(o.table), t.pk->name));
  require_columns(t, o.def.columns, "primary key " + o.def.name);
  require_free_name(s, t, o.def.name, true);
  for (const auto& c : o.def.columns)
    if (find_column(t, c)->nullable) fail(fmt::format("primary key column {}.{} is nullable", to_string(o.table), c));
  t.pk = o.def;
}

void apply(schema& s, const ops::drop_primary_key& o) {
  table& t = existing_table(s, o.table);
  if (!t.pk || !(*t.pk == o.def))
    fail(fmt::format("table {} has no primary key {} as the operation describes it", to_string(o.table), o.def.name));
  t.pk.reset();
  require_referenced_keys(s, t, "primary key " + o.def.name);
}

void apply(schema& s, const ops::add_unique& o) {
  table& t = existing_table(s, o.table);
  require_columns(t, o.def.columns, "unique constraint " + o.def.name);
  add_named(s, t, t.uniques, o.def);
}
void apply(schema& s, const ops::drop_unique& o) {
  table& t = existing_table(s, o.table);
  remove_named(t, t.uniques, o.def, "unique constraint");
  require_referenced_keys(s, t, "unique constraint " + o.def.name);
}
void apply(schema& s, const ops::add_check& o) {
  table& t = existing_table(s, o.table);
  add_named(s, t, t.checks, o.def);
}
void apply(schema& s, const ops::drop_check& o) {
  table& t = existing_table(s, o.table);
  remove_named(t, t.checks, o.def, "check constraint");
}
void apply(schema& s, const ops::create_index& o) {
  table& t = existing_table(s, o.table);
  require_columns(t, o.def.columns, "index " + o.def.name);
  add_named(s, t, t.indexes, o.def);
}
void apply(schema& s, const ops::drop_index& o) {
  table& t = existing_table(s, o.table);
  remove_named(t, t.indexes, o.def, "index");
  require_referenced_keys(s, t, "unique index " + o.def.name);
}

void apply(schema& s, const ops::add_foreign_key& o) {
  table& t = existing_table(s, o.table);
  require_columns(t, o.def.columns, "foreign key " + o.def.name);
  const table& target = existing_table(s, o.def.ref_table);
  require_columns(target, o.def.ref_columns, "foreign key " + o.def.name);
  if (o.def.columns.size() != o.def.ref_columns.size())
    fail(fmt::format("foreign key {} has {} columns but references {}", o.def.name, o.def.columns.size(), o.def.ref_columns.size()));
  if (!is_unique_key(target, o.def.ref_columns))
    fail(fmt::format("foreign key {} references {}({}), which is neither its primary key nor unique", o.def.name,
                     to_string(o.def.ref_table), fmt::join(o.def.ref_columns, ", ")));
  add_named(s, t, t.foreign_keys, o.def);
}
void apply(schema& s, const ops::drop_foreign_key& o) {
  table& t = existing_table(s, o.table);
  remove_named(t, t.foreign_keys, o.def, "foreign key");
}

void apply(schema& s, const ops::rename_index& o) {
  table& t = existing_table(s, o.table);
  auto it = std::find_if(t.indexes.begin(), t.indexes.end(), [&](const index& i) { return i.name == o.from; });
  if (it == t.indexes.end()) fail(fmt::format("table {} has no index named {}", to_string(o.table), o.from));
  require_free_name(s, t, o.to, true);
  it->name = o.to;
}

void apply(schema& s, const ops::rename_constraint& o) {
  table& t = existing_table(s, o.table);
  std::string* name = nullptr;
  if (t.pk && t.pk->name == o.from) name = &t.pk->name;
  auto look = [&](auto& list) {
    for (auto& x : list)
      if (x.name == o.from) name = &x.name;
  };
  look(t.uniques);
  const bool relation = name != nullptr;  // a primary key or unique constraint has an index of the same name
  look(t.foreign_keys);
  look(t.checks);
  if (!name) fail(fmt::format("table {} has no constraint named {}", to_string(o.table), o.from));
  require_free_name(s, t, o.to, relation);
  *name = o.to;
}

void apply(schema&, const ops::sql&) {}

}  // namespace

void replay(schema& s, const ops::operation& op) {
  std::visit([&](const auto& o) { apply(s, o); }, op);
  sort_canonically(s);
}

schema replay(schema s, const std::vector<ops::operation>& operations) {
  for (const auto& op : operations) replay(s, op);
  return s;
}

}  // namespace retort
