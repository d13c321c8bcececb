// Replay: each operation applied to an in-memory schema, checked the way PostgreSQL would
// check it, so a history that replays cleanly also applies cleanly.
#include "retort/replay.hpp"

#include <algorithm>
#include <set>
#include <type_traits>

#include <fmt/format.h>

#include "retort/errors.hpp"

namespace retort {

namespace {

[[noreturn]] void fail(const std::string& message) { throw replay_error(message); }

constexpr auto name_less = [](const auto& a, const auto& b) { return a.name < b.name; };

// Where an element named `name` belongs in a list sorted by name.
template <class T, class Name>
auto position(std::vector<T>& list, const Name& name) {
  return std::lower_bound(list.begin(), list.end(), name, [](const T& x, const Name& n) { return x.name < n; });
}

template <class T>
void insert_sorted(std::vector<T>& list, T item) {
  auto at = std::upper_bound(list.begin(), list.end(), item, name_less);
  list.insert(at, std::move(item));
}

bool schema_exists(const schema& s, const std::string& name) {
  return name == "public" || std::binary_search(s.schemas.begin(), s.schemas.end(), name);
}

column& existing_column(table& t, const std::string& name) {
  column* c = find_column(t, name);
  if (!c) fail(fmt::format("column {}.{} does not exist", to_string(t.name), name));
  return *c;
}

// The types a column names must exist: its enum type, the extension of an extension's type;
// and the sequences its default calls (PostgreSQL resolves nextval('name') when it is set).
void require_types(const schema& s, const column& c) {
  if (c.server_default)
    for (const qualified_name& q : sequences_called(*c.server_default))
      if (!find_sequence(s, q))
        fail(fmt::format("the default of column {} calls nextval() of sequence {}, which does not exist", c.name, to_string(q)));
  if (c.type.kind == type_kind::enum_type && !find_enum(s, c.type.enum_name))
    fail(fmt::format("column {} uses enum type {}, which does not exist", c.name, to_string(c.type.enum_name)));
  if (auto e = extension_of_type(c.type); e && !find_extension(s, *e))
    fail(fmt::format("column {} uses type {} of extension {}, which is not created", c.name, to_string(c.type), *e));
}

void require_columns(const table& t, const std::vector<std::string>& cols, std::string_view what) {
  for (const auto& c : cols)
    if (!find_column(t, c)) fail(fmt::format("{} names column {}.{}, which does not exist", what, to_string(t.name), c));
}

// Primary keys, unique, exclusion constraints and indexes have an index of their name.
std::vector<std::string> relation_names(const table& t) {
  std::vector<std::string> names;
  if (t.pk) names.push_back(t.pk->name);
  for (const auto& u : t.uniques) names.push_back(u.name);
  for (const auto& i : t.indexes) names.push_back(i.name);
  for (const auto& x : t.exclusions) names.push_back(x.name);
  return names;
}

template <class T>
void remove_named(table& t, std::vector<T>& list, const T& item, std::string_view what) {
  auto it = std::find_if(list.begin(), list.end(), [&](const T& x) { return x.name == item.name; });
  if (it == list.end()) fail(fmt::format("table {} has no {} named {}", to_string(t.name), what, item.name));
  if (!(*it == item))
    fail(fmt::format("{} {} of table {} differs from the one the operation drops", what, item.name, to_string(t.name)));
  list.erase(it);
}

// A table's triggers name it in their text: it cannot be dropped or renamed under them.
void require_no_triggers(const schema& s, const qualified_name& t, std::string_view change) {
  for (const auto& o : s.sql_objects)
    if (o.kind == sql_object_kind::trigger && o.table == t)
      fail(fmt::format("table {} still has {}; drop it before the table is {}", to_string(t), to_string(o), change));
}

bool uses_column(const table& t, const std::string& c) {
  auto has = [&](const std::vector<std::string>& cols) { return std::find(cols.begin(), cols.end(), c) != cols.end(); };
  if (t.pk && has(t.pk->columns)) return true;
  if (t.partition && has(t.partition->columns)) return true;
  for (const auto& u : t.uniques) if (has(u.columns)) return true;
  for (const auto& i : t.indexes) if (has(columns_named(i))) return true;
  for (const auto& f : t.foreign_keys) if (has(f.columns)) return true;
  for (const auto& x : t.exclusions) if (has(columns_named(x))) return true;
  return false;
}

// What PostgreSQL checks of an exclusion constraint Retort can check: its columns exist, its
// operators are operators (whether the operator class has them is the server's to say).
void require_exclusion(const table& t, const exclusion_constraint& x) {
  require_columns(t, columns_named(x), "exclusion constraint " + x.name);
  if (x.elements.empty()) fail(fmt::format("exclusion constraint {} has no elements", x.name));
  for (const auto& e : x.elements)
    if (!is_operator_name(e.op)) fail(fmt::format("exclusion constraint {}: \"{}\" is not an operator", x.name, e.op));
}

// A policy's name is unique among the table's policies (not a relation, not a constraint).
void add_policy(table& t, const policy& p) {
  if (auto problem = policy_problem(p)) fail(fmt::format("policy {} of table {}: {}", p.name, to_string(t.name), *problem));
  if (std::any_of(t.policies.begin(), t.policies.end(), [&](const policy& x) { return x.name == p.name; }))
    fail(fmt::format("table {} already has a policy named {}", to_string(t.name), p.name));
  insert_sorted(t.policies, p);
}

void rename_in(std::vector<std::string>& cols, const std::string& from, const std::string& to) {
  std::replace(cols.begin(), cols.end(), from, to);
}

// A view's query is SQL text replay cannot rewrite: what it reads is not renamed, dropped or
// retyped under it. The diff drops such views first and creates them again afterwards.
void require_no_view_reads(const schema& s, const qualified_name& relation, std::string_view change) {
  const auto readers = views_reading(s, relation);
  if (!readers.empty())
    fail(fmt::format("{} is read by view {}: drop the view before {} and create it again after", to_string(relation),
                     to_string(readers.front()->name), change));
}

bool relation_exists(const schema& s, const qualified_name& n) { return find_table(s, n) || find_view(s, n); }

// The sequence owned by a column of table `t` (or by its column `column`, when given).
const sequence* owned_sequence(const schema& s, const qualified_name& t, const std::string* column = nullptr) {
  for (const sequence& q : s.sequences)
    if (q.owned_by && q.name.schema == t.schema && q.owned_by->table == t.name && (!column || q.owned_by->column == *column))
      return &q;
  return nullptr;
}

// A key PostgreSQL enforces in each partition must contain the partition key.
void require_partition_columns(const table& t, const std::vector<std::string>& key, std::string_view what) {
  const auto missing = missing_partition_columns(t, key);
  if (!missing.empty())
    fail(fmt::format("{} of partitioned table {} does not include partition key column {}", what, to_string(t.name),
                     fmt::join(missing, ", ")));
}

// A sequence's owner column must exist (OWNED BY resolves it).
void require_sequence_owner(const schema& s, const sequence& q) {
  if (!q.owned_by) return;
  const table* t = find_table(s, {q.name.schema, q.owned_by->table});
  if (!t || !find_column(*t, q.owned_by->column))
    fail(fmt::format("sequence {} is owned by column {}.{}.{}, which does not exist", to_string(q.name), q.name.schema,
                     q.owned_by->table, q.owned_by->column));
}

std::vector<std::string> plain_keys(const index& i) {
  std::vector<std::string> out;
  for (const auto& k : i.columns)
    if (k.expression.empty()) out.push_back(k.column);
  return out;
}

}  // namespace

replayer::replayer(schema s) : s_(std::move(s)) {}

// ---- the indexes ------------------------------------------------------------------------

void replayer::track(const table& t) {
  if (relations_)
    for (auto& n : relation_names(t)) relations_->insert({t.name.schema, std::move(n)});
  if (referencing_)
    for (const auto& f : t.foreign_keys) ++(*referencing_)[f.ref_table][t.name];
}

void replayer::untrack(const table& t) {
  if (relations_)
    for (auto& n : relation_names(t)) relations_->erase({t.name.schema, std::move(n)});
  if (referencing_)
    for (const auto& f : t.foreign_keys) {
      auto& by = (*referencing_)[f.ref_table];
      if (--by[t.name] == 0) by.erase(t.name);
      if (by.empty()) referencing_->erase(f.ref_table);
    }
}

std::vector<qualified_name> replayer::referencing(const qualified_name& referenced) {
  if (!referencing_) {
    referencing_.emplace();
    for (const table& t : s_.tables)
      for (const auto& f : t.foreign_keys) ++(*referencing_)[f.ref_table][t.name];
  }
  std::vector<qualified_name> out;
  if (auto it = referencing_->find(referenced); it != referencing_->end())
    for (const auto& [name, _] : it->second) out.push_back(name);
  return out;
}

template <class F>
void replayer::edit_table(const qualified_name& n, F&& change) {
  table& t = existing_table(n);
  untrack(t);
  change(t);
  track(t);
}

void replayer::insert_table(table t) {
  auto at = position(s_.tables, t.name);
  s_.tables.insert(at, std::move(t));
}

// ---- lookups and checks -----------------------------------------------------------------

table& replayer::existing_table(const qualified_name& n) {
  table* t = find_table(s_, n);
  if (!t) fail(fmt::format("table {} does not exist", to_string(n)));
  return *t;
}

// `relation`: the name also names an index (primary key, unique constraint, index). Check
// and foreign key names live in the table only, as in validate().
void replayer::require_free_name(const table& t, const std::string& name, bool relation) {
  auto names = constraint_and_index_names(t);
  if (std::find(names.begin(), names.end(), name) != names.end())
    fail(fmt::format("table {} already has a constraint or index named {}", to_string(t.name), name));
  if (!relation) return;
  // Primary keys, unique constraints and indexes are relations: their names are unique per schema.
  const qualified_name q{t.name.schema, name};
  if (find_table(s_, q)) fail(fmt::format("{} is already the name of table {}", name, to_string(q)));
  if (!relations_) {
    relations_.emplace();
    for (const table& other : s_.tables)
      if (other.name != t.name)  // `t` may be the one being changed, taken out of the index
        for (auto& n : relation_names(other)) relations_->insert({other.name.schema, std::move(n)});
  }
  if (relations_->contains(q)) fail(fmt::format("schema {} already has an index named {}", t.name.schema, name));
}

// After `t` lost a key, every foreign key referencing `t` must still find a unique key.
void replayer::require_referenced_keys(const table& t, std::string_view what) {
  for (const qualified_name& name : referencing(t.name)) {
    const table& other = *find_table(s_, name);
    for (const auto& f : other.foreign_keys)
      if (f.ref_table == t.name && !is_unique_key(t, f.ref_columns))
        fail(fmt::format("{} of table {} is still referenced by foreign key {} of {}; drop it first", what,
                         to_string(t.name), f.name, to_string(other.name)));
  }
}

template <class T>
void replayer::add_named(table& t, std::vector<T>& list, const T& item) {
  require_free_name(t, item.name, !std::is_same_v<T, check_constraint> && !std::is_same_v<T, foreign_key>);
  insert_sorted(list, item);
}

// ---- the operations ---------------------------------------------------------------------

template <>
void replayer::apply_one(const ops::create_schema& o) {
  if (schema_exists(s_, o.name)) fail(fmt::format("schema {} already exists", o.name));
  s_.schemas.insert(std::upper_bound(s_.schemas.begin(), s_.schemas.end(), o.name), o.name);
}

template <>
void replayer::apply_one(const ops::drop_schema& o) {
  if (o.name == "public" || !schema_exists(s_, o.name)) fail(fmt::format("schema {} does not exist", o.name));
  // Tables are sorted by schema first: the first one at or after (schema, "") is in it if any is.
  auto t = position(s_.tables, qualified_name{o.name, ""});
  if (t != s_.tables.end() && t->name.schema == o.name)
    fail(fmt::format("schema {} still holds table {}", o.name, to_string(t->name)));
  for (const auto& e : s_.enums)
    if (e.name.schema == o.name) fail(fmt::format("schema {} still holds enum {}", o.name, to_string(e.name)));
  for (const auto& e : s_.extensions)
    if (e.schema == o.name) fail(fmt::format("schema {} still holds extension {}", o.name, e.name));
  for (const auto& v : s_.views)
    if (v.name.schema == o.name) fail(fmt::format("schema {} still holds view {}", o.name, to_string(v.name)));
  for (const auto& q : s_.sequences)
    if (q.name.schema == o.name) fail(fmt::format("schema {} still holds sequence {}", o.name, to_string(q.name)));
  for (const auto& e : s_.sql_objects)
    if (e.name.schema == o.name) fail(fmt::format("schema {} still holds {}", o.name, to_string(e)));
  std::erase(s_.schemas, o.name);
}

template <>
void replayer::apply_one(const ops::create_extension& o) {
  if (!schema_exists(s_, o.def.schema)) fail(fmt::format("schema {} does not exist", o.def.schema));
  if (find_extension(s_, o.def.name)) fail(fmt::format("extension {} already exists", o.def.name));
  insert_sorted(s_.extensions, o.def);
}

template <>
void replayer::apply_one(const ops::drop_extension& o) {
  const extension* e = find_extension(s_, o.def.name);
  if (!e) fail(fmt::format("extension {} does not exist", o.def.name));
  if (!(*e == o.def)) fail(fmt::format("extension {} differs from the one the operation drops", o.def.name));
  for (const auto& t : s_.tables)
    for (const auto& c : t.columns)
      if (extension_of_type(c.type) == o.def.name)
        fail(fmt::format("extension {} is still used by column {}.{} ({})", o.def.name, to_string(t.name), c.name,
                         to_string(c.type)));
  std::erase(s_.extensions, o.def);
}

template <>
void replayer::apply_one(const ops::alter_extension& o) {
  extension* e = find_extension(s_, o.from.name);
  if (!e) fail(fmt::format("extension {} does not exist", o.from.name));
  if (!(*e == o.from)) fail(fmt::format("extension {} is not in the state the operation alters it from", o.from.name));
  if (o.to.name != o.from.name) fail("alter_extension cannot rename an extension");
  if (!schema_exists(s_, o.to.schema)) fail(fmt::format("schema {} does not exist", o.to.schema));
  *e = o.to;
}

template <>
void replayer::apply_one(const ops::create_enum& o) {
  if (!schema_exists(s_, o.type.name.schema)) fail(fmt::format("schema {} does not exist", o.type.name.schema));
  if (find_enum(s_, o.type.name)) fail(fmt::format("enum {} already exists", to_string(o.type.name)));
  if (o.type.values.empty()) fail(fmt::format("enum {} has no values", to_string(o.type.name)));
  insert_sorted(s_.enums, without_hints(o.type));
}

template <>
void replayer::apply_one(const ops::drop_enum& o) {
  const enum_type* e = find_enum(s_, o.type.name);
  if (!e) fail(fmt::format("enum {} does not exist", to_string(o.type.name)));
  if (!(*e == o.type)) fail(fmt::format("enum {} differs from the one the operation drops", to_string(o.type.name)));
  for (const auto& t : s_.tables)
    for (const auto& c : t.columns)
      if (c.type.kind == type_kind::enum_type && c.type.enum_name == o.type.name)
        fail(fmt::format("enum {} is still used by column {}.{}", to_string(o.type.name), to_string(t.name), c.name));
  std::erase(s_.enums, o.type);
}

template <>
void replayer::apply_one(const ops::add_enum_value& o) {
  enum_type* e = find_enum(s_, o.type);
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

template <>
void replayer::apply_one(const ops::drop_enum_value& o) {
  enum_type* e = find_enum(s_, o.type);
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

template <>
void replayer::apply_one(const ops::rename_enum_value& o) {
  enum_type* e = find_enum(s_, o.type);
  if (!e) fail(fmt::format("enum {} does not exist", to_string(o.type)));
  auto& v = e->values;
  auto at = std::find(v.begin(), v.end(), o.from);
  if (at == v.end()) fail(fmt::format("enum {} has no value '{}'", to_string(o.type), o.from));
  if (std::find(v.begin(), v.end(), o.to) != v.end())
    fail(fmt::format("enum {} already has the value '{}'", to_string(o.type), o.to));
  *at = o.to;
}

template <>
void replayer::apply_one(const ops::create_table& o) {
  const table& t = o.def;
  if (!schema_exists(s_, t.name.schema)) fail(fmt::format("schema {} does not exist", t.name.schema));
  if (relation_exists(s_, t.name)) fail(fmt::format("table {} already exists", to_string(t.name)));
  if (find_sequence(s_, t.name)) fail(fmt::format("{} is already the name of a sequence", to_string(t.name)));
  if (t.columns.empty()) fail(fmt::format("table {} has no columns", to_string(t.name)));
  if (!t.foreign_keys.empty())
    fail(fmt::format("create_table {} carries foreign keys; they are added by add_foreign_key", to_string(t.name)));
  // The table alone, without hints; its keys, indexes, checks and policies are added below,
  // each checked against it (built field by field: copying them to clear them costs the most).
  table fresh{.name = t.name, .columns = {}, .pk = {}, .uniques = {}, .indexes = {}, .foreign_keys = {}, .checks = {},
              .comment = t.comment, .renamed_from = {}, .partition = t.partition, .rls = t.rls};
  fresh.columns.reserve(t.columns.size());
  for (const column& c : t.columns) fresh.columns.push_back(without_hints(c));
  std::set<std::string_view> seen;
  for (const auto& c : t.columns) {
    require_types(s_, c);
    if (!seen.insert(c.name).second) fail(fmt::format("table {} has two columns named {}", to_string(t.name), c.name));
  }
  if (t.partition) {
    for (const auto& c : t.partition->columns)
      if (std::none_of(t.columns.begin(), t.columns.end(), [&](const column& x) { return x.name == c; }))
        fail(fmt::format("the partition key of table {} names column {}, which does not exist", to_string(t.name), c));
    if (t.pk) require_partition_columns(t, t.pk->columns, "primary key " + t.pk->name);
    for (const auto& u : t.uniques) require_partition_columns(t, u.columns, "unique constraint " + u.name);
    for (const auto& i : t.indexes)
      if (i.unique) require_partition_columns(t, plain_keys(i), "unique index " + i.name);
  }
  insert_table(std::move(fresh));
  // The new table is not indexed yet: its own names are checked against the table itself.
  table& added = *find_table(s_, t.name);
  if (t.pk) {
    require_columns(added, t.pk->columns, "primary key " + t.pk->name);
    require_free_name(added, t.pk->name, true);
    added.pk = t.pk;
  }
  for (const auto& u : t.uniques) {
    require_columns(added, u.columns, "unique " + u.name);
    // PostgreSQL's CREATE TABLE drops a unique constraint that repeats another key.
    bool repeats = (added.pk && added.pk->columns == u.columns) ||
                   std::any_of(added.uniques.begin(), added.uniques.end(),
                               [&](const unique_constraint& x) { return x.columns == u.columns; });
    if (repeats) fail(fmt::format("unique constraint {} of table {} repeats another key", u.name, to_string(t.name)));
    add_named(added, added.uniques, u);
  }
  for (const auto& i : t.indexes) require_columns(added, columns_named(i), "index " + i.name), add_named(added, added.indexes, i);
  for (const auto& c : t.checks) add_named(added, added.checks, c);
  for (const auto& x : t.exclusions) {
    require_exclusion(added, x);
    add_named(added, added.exclusions, x);
  }
  for (const auto& p : t.policies) add_policy(added, p);
  track(added);
}

template <>
void replayer::apply_one(const ops::drop_table& o) {
  table& t = existing_table(o.def.name);
  require_no_triggers(s_, t.name, "dropped");
  if (!t.foreign_keys.empty())
    fail(fmt::format("table {} still has foreign key {}; drop it first", to_string(t.name), t.foreign_keys.front().name));
  for (const qualified_name& other : referencing(t.name))
    for (const auto& f : find_table(s_, other)->foreign_keys)
      if (f.ref_table == t.name)
        fail(fmt::format("table {} is still referenced by foreign key {} of {}", to_string(t.name), f.name, to_string(other)));
  if (!comparable_equal(t, o.def))
    fail(fmt::format("table {} differs from the one the operation drops", to_string(t.name)));
  require_no_view_reads(s_, t.name, "dropping it");
  if (const sequence* q = owned_sequence(s_, t.name))
    fail(fmt::format("table {} still owns sequence {} (dropping the table would drop it); drop it or change its owner "
                     "first",
                     to_string(t.name), to_string(q->name)));
  untrack(t);
  s_.tables.erase(position(s_.tables, o.def.name));
}

template <>
void replayer::apply_one(const ops::rename_table& o) {
  if (!schema_exists(s_, o.to.schema)) fail(fmt::format("schema {} does not exist", o.to.schema));
  if (relation_exists(s_, o.to)) fail(fmt::format("table {} already exists", to_string(o.to)));
  existing_table(o.from);
  require_no_view_reads(s_, o.from, "renaming it");
  require_no_triggers(s_, o.from, "renamed");
  // Foreign keys name the table they reference: those of other tables, and the table's own.
  std::vector<qualified_name> rewrite = referencing(o.from);
  std::erase(rewrite, o.from);
  untrack(*find_table(s_, o.from));
  for (const qualified_name& other : rewrite) {
    table& r = *find_table(s_, other);
    untrack(r);
    for (auto& f : r.foreign_keys)
      if (f.ref_table == o.from) f.ref_table = o.to;
    track(r);
  }
  // Sequences owned by its columns follow it, into its new schema too (ALTER TABLE SET SCHEMA moves
  // them); a default calling one by name calls it in its new schema (PostgreSQL keeps its oid).
  for (sequence& q : s_.sequences)
    if (q.owned_by && q.name.schema == o.from.schema && q.owned_by->table == o.from.name) {
      const qualified_name moved_to{o.to.schema, q.name.name};
      if (o.to.schema != o.from.schema) {
        if (find_sequence(s_, moved_to) || find_table(s_, moved_to))
          fail(fmt::format("schema {} already has a relation named {} (sequence {} moves with its table)", o.to.schema,
                           q.name.name, to_string(q.name)));
        const auto call = [](const qualified_name& n) { return canonical_nextval(fmt::format("nextval('{}.{}')", n.schema, n.name)); };
        for (table& t : s_.tables)
          for (column& c : t.columns)
            if (c.server_default && canonical_nextval(*c.server_default) == call(q.name)) c.server_default = call(moved_to);
      }
      q.name.schema = o.to.schema;
      q.owned_by->table = o.to.name;
    }
  std::stable_sort(s_.sequences.begin(), s_.sequences.end(), name_less);
  auto at = position(s_.tables, o.from);
  table moved = std::move(*at);
  s_.tables.erase(at);
  moved.name = o.to;
  for (auto& f : moved.foreign_keys)
    if (f.ref_table == o.from) f.ref_table = o.to;
  track(moved);
  insert_table(std::move(moved));
}

template <>
void replayer::apply_one(const ops::set_table_comment& o) {
  table& t = existing_table(o.table);
  if (t.comment != o.from) fail(fmt::format("the comment of table {} is not the one the operation replaces", to_string(o.table)));
  t.comment = o.to;
}

template <>
void replayer::apply_one(const ops::add_column& o) {
  table& t = existing_table(o.table);
  if (find_column(t, o.def.name)) fail(fmt::format("column {}.{} already exists", to_string(o.table), o.def.name));
  require_types(s_, o.def);
  t.columns.push_back(without_hints(o.def));
}

template <>
void replayer::apply_one(const ops::drop_column& o) {
  table& t = existing_table(o.table);
  column& c = existing_column(t, o.def.name);
  if (!(c == without_hints(o.def)))
    fail(fmt::format("column {}.{} differs from the one the operation drops", to_string(o.table), o.def.name));
  if (uses_column(t, c.name))
    fail(fmt::format("column {}.{} is still used by a key or index; drop it first", to_string(o.table), c.name));
  for (const qualified_name& other : referencing(t.name))
    for (const auto& f : find_table(s_, other)->foreign_keys)
      if (f.ref_table == t.name && std::find(f.ref_columns.begin(), f.ref_columns.end(), c.name) != f.ref_columns.end())
        fail(fmt::format("column {}.{} is still referenced by foreign key {}", to_string(o.table), c.name, f.name));
  if (t.columns.size() == 1) fail(fmt::format("column {}.{} is the table's last column", to_string(o.table), c.name));
  // A view may read the table: the diff drops it first when the models drop a column, and a
  // downgrade drops only a column added after the views that still read the table.
  if (const sequence* q = owned_sequence(s_, o.table, &c.name))
    fail(fmt::format("column {}.{} still owns sequence {}; drop it or change its owner first", to_string(o.table), c.name,
                     to_string(q->name)));
  std::erase_if(t.columns, [&](const column& x) { return x.name == o.def.name; });
}

template <>
void replayer::apply_one(const ops::rename_column& o) {
  table& t = existing_table(o.table);
  column& c = existing_column(t, o.from);
  if (find_column(t, o.to)) fail(fmt::format("column {}.{} already exists", to_string(o.table), o.to));
  require_no_view_reads(s_, t.name, "renaming its column " + o.from);
  c.name = o.to;
  if (t.pk) rename_in(t.pk->columns, o.from, o.to);
  if (t.partition) rename_in(t.partition->columns, o.from, o.to);
  for (sequence& q : s_.sequences)
    if (q.owned_by && q.name.schema == o.table.schema && q.owned_by->table == o.table.name && q.owned_by->column == o.from)
      q.owned_by->column = o.to;
  for (auto& u : t.uniques) rename_in(u.columns, o.from, o.to);
  for (auto& i : t.indexes) {
    for (auto& k : i.columns)
      if (k.column == o.from) k.column = o.to;
    rename_in(i.include, o.from, o.to);
  }
  for (auto& f : t.foreign_keys) rename_in(f.columns, o.from, o.to);
  for (auto& x : t.exclusions) {
    for (auto& e : x.elements)
      if (e.key.column == o.from) e.key.column = o.to;
    rename_in(x.include, o.from, o.to);
  }
  for (const qualified_name& other : referencing(o.table))
    for (auto& f : find_table(s_, other)->foreign_keys)
      if (f.ref_table == o.table) rename_in(f.ref_columns, o.from, o.to);
}

template <>
void replayer::apply_one(const ops::alter_column& o) {
  table& t = existing_table(o.table);
  column& c = existing_column(t, o.from.name);
  if (o.from.name != o.to.name) fail("alter_column cannot rename a column; use rename_column");
  // What the operation changes must be as it says before it; the rest is the column's own.
  if (auto what = ops::changed_attribute_mismatch(c, o.from, o.changes); !what.empty())
    fail(fmt::format("column {}.{} is not in the state the operation alters it from (its {} differs)",
                     to_string(o.table), c.name, what));
  const column after = ops::completed(o, c).to;
  // PostgreSQL 15 cannot add, change or remove a column's generation expression in place, nor
  // make a column serial or not (its sequence would be created or dropped behind the model).
  if (c.generated != after.generated || o.from.generated != o.to.generated)
    fail(fmt::format("column {}.{}: a generated column's expression cannot be altered; add a new column", to_string(o.table),
                     c.name));
  if (c.type.serial != after.type.serial || (c.type.serial && c.type != after.type))
    fail(fmt::format("column {}.{}: a serial column's type cannot be altered; add a new column, or use identity",
                     to_string(o.table), c.name));
  if (t.partition && !(c.type == after.type) &&
      std::find(t.partition->columns.begin(), t.partition->columns.end(), c.name) != t.partition->columns.end())
    fail(fmt::format("column {}.{} is in the partition key: its type cannot be altered", to_string(o.table), c.name));
  // PostgreSQL refuses DROP NOT NULL on a primary key column ("column is in a primary key").
  if (after.nullable && t.pk && std::find(t.pk->columns.begin(), t.pk->columns.end(), c.name) != t.pk->columns.end())
    fail(fmt::format("column {}.{} is in primary key {}: it cannot become nullable", to_string(o.table), c.name, t.pk->name));
  require_types(s_, after);
  if (!(c.type == after.type) || c.collation != after.collation)
    require_no_view_reads(s_, t.name, "changing the type of its column " + c.name);
  c = after;
}

template <>
void replayer::apply_one(const ops::backfill_column& o) {
  existing_column(existing_table(o.table), o.column);
}

template <>
void replayer::apply_one(const ops::add_primary_key& o) {
  edit_table(o.table, [&](table& t) {
    if (t.pk) fail(fmt::format("table {} already has primary key {}", to_string(o.table), t.pk->name));
    require_columns(t, o.def.columns, "primary key " + o.def.name);
    require_free_name(t, o.def.name, true);
    require_partition_columns(t, o.def.columns, "primary key " + o.def.name);
    for (const auto& c : o.def.columns)
      if (find_column(t, c)->nullable) fail(fmt::format("primary key column {}.{} is nullable", to_string(o.table), c));
    t.pk = o.def;
  });
}

template <>
void replayer::apply_one(const ops::drop_primary_key& o) {
  edit_table(o.table, [&](table& t) {
    if (!t.pk || !(*t.pk == o.def))
      fail(fmt::format("table {} has no primary key {} as the operation describes it", to_string(o.table), o.def.name));
    t.pk.reset();
  });
  require_referenced_keys(existing_table(o.table), "primary key " + o.def.name);
}

template <>
void replayer::apply_one(const ops::add_unique& o) {
  edit_table(o.table, [&](table& t) {
    require_columns(t, o.def.columns, "unique constraint " + o.def.name);
    require_partition_columns(t, o.def.columns, "unique constraint " + o.def.name);
    add_named(t, t.uniques, o.def);
  });
}

template <>
void replayer::apply_one(const ops::drop_unique& o) {
  edit_table(o.table, [&](table& t) { remove_named(t, t.uniques, o.def, "unique constraint"); });
  require_referenced_keys(existing_table(o.table), "unique constraint " + o.def.name);
}

template <>
void replayer::apply_one(const ops::add_check& o) {
  table& t = existing_table(o.table);
  add_named(t, t.checks, o.def);
}

template <>
void replayer::apply_one(const ops::drop_check& o) {
  table& t = existing_table(o.table);
  remove_named(t, t.checks, o.def, "check constraint");
}

template <>
void replayer::apply_one(const ops::create_index& o) {
  edit_table(o.table, [&](table& t) {
    require_columns(t, columns_named(o.def), "index " + o.def.name);
    if (o.def.unique) require_partition_columns(t, plain_keys(o.def), "unique index " + o.def.name);
    add_named(t, t.indexes, o.def);
  });
}

template <>
void replayer::apply_one(const ops::drop_index& o) {
  edit_table(o.table, [&](table& t) { remove_named(t, t.indexes, o.def, "index"); });
  require_referenced_keys(existing_table(o.table), "unique index " + o.def.name);
}

template <>
void replayer::apply_one(const ops::add_foreign_key& o) {
  const table& target = existing_table(o.def.ref_table);
  require_columns(target, o.def.ref_columns, "foreign key " + o.def.name);
  if (o.def.columns.size() != o.def.ref_columns.size())
    fail(fmt::format("foreign key {} has {} columns but references {}", o.def.name, o.def.columns.size(), o.def.ref_columns.size()));
  if (!is_unique_key(target, o.def.ref_columns))
    fail(fmt::format("foreign key {} references {}({}), which is neither its primary key nor unique", o.def.name,
                     to_string(o.def.ref_table), fmt::join(o.def.ref_columns, ", ")));
  edit_table(o.table, [&](table& t) {
    require_columns(t, o.def.columns, "foreign key " + o.def.name);
    add_named(t, t.foreign_keys, o.def);
  });
}

template <>
void replayer::apply_one(const ops::drop_foreign_key& o) {
  edit_table(o.table, [&](table& t) { remove_named(t, t.foreign_keys, o.def, "foreign key"); });
}

template <>
void replayer::apply_one(const ops::rename_index& o) {
  edit_table(o.table, [&](table& t) {
    auto it = std::find_if(t.indexes.begin(), t.indexes.end(), [&](const index& i) { return i.name == o.from; });
    if (it == t.indexes.end()) fail(fmt::format("table {} has no index named {}", to_string(o.table), o.from));
    require_free_name(t, o.to, true);
    index renamed = std::move(*it);
    t.indexes.erase(it);
    renamed.name = o.to;
    insert_sorted(t.indexes, std::move(renamed));
  });
}

template <>
void replayer::apply_one(const ops::rename_constraint& o) {
  edit_table(o.table, [&](table& t) {
    std::string* name = nullptr;
    if (t.pk && t.pk->name == o.from) name = &t.pk->name;
    auto look = [&](auto& list) {
      for (auto& x : list)
        if (x.name == o.from) name = &x.name;
    };
    look(t.uniques);
    look(t.exclusions);
    const bool relation = name != nullptr;  // a primary key, unique or exclusion constraint has an index of the same name
    look(t.foreign_keys);
    look(t.checks);
    if (!name) fail(fmt::format("table {} has no constraint named {}", to_string(o.table), o.from));
    require_free_name(t, o.to, relation);
    *name = o.to;
    std::stable_sort(t.uniques.begin(), t.uniques.end(), name_less);
    std::stable_sort(t.foreign_keys.begin(), t.foreign_keys.end(), name_less);
    std::stable_sort(t.checks.begin(), t.checks.end(), name_less);
    std::stable_sort(t.exclusions.begin(), t.exclusions.end(), name_less);
  });
}

// ---- views ------------------------------------------------------------------------------

void replayer::require_view_inputs(const view& v) {
  if (!schema_exists(s_, v.name.schema)) fail(fmt::format("schema {} does not exist", v.name.schema));
  if (v.columns.empty()) fail(fmt::format("view {} has no columns", to_string(v.name)));
  for (const qualified_name& r : v.reads)
    if (!relation_exists(s_, r)) fail(fmt::format("view {} reads {}, which does not exist", to_string(v.name), to_string(r)));
  if (!v.materialized && !v.indexes.empty()) fail(fmt::format("view {} is not materialized: it has no indexes", to_string(v.name)));
  std::set<std::string_view> names;
  for (const view_column& c : v.columns) {
    if (!names.insert(c.name).second) fail(fmt::format("view {} has two columns named {}", to_string(v.name), c.name));
    if (c.type.kind == type_kind::enum_type && !find_enum(s_, c.type.enum_name))
      fail(fmt::format("column {} uses enum type {}, which does not exist", c.name, to_string(c.type.enum_name)));
  }
  for (const index& i : v.indexes)
    for (const auto& c : columns_named(i))
      if (!names.contains(c)) fail(fmt::format("index {} names column {}.{}, which does not exist", i.name, to_string(v.name), c));
}

const view& replayer::existing_view(const qualified_name& n, const view& as_described, std::string_view what) {
  const view* v = find_view(s_, n);
  if (!v) fail(fmt::format("view {} does not exist", to_string(n)));
  if (!(*v == as_described)) fail(fmt::format("view {} differs from the one the operation {}", to_string(n), what));
  return *v;
}

template <>
void replayer::apply_one(const ops::create_view& o) {
  if (relation_exists(s_, o.def.name)) fail(fmt::format("{} already exists", to_string(o.def.name)));
  require_view_inputs(o.def);
  view v = o.def;
  std::sort(v.reads.begin(), v.reads.end());
  s_.views.insert(position(s_.views, v.name), std::move(v));
}

template <>
void replayer::apply_one(const ops::drop_view& o) {
  existing_view(o.def.name, o.def, "drops");
  if (const auto readers = views_reading(s_, o.def.name); !readers.empty())
    fail(fmt::format("view {} is still read by view {}; drop that first", to_string(o.def.name), to_string(readers.front()->name)));
  s_.views.erase(position(s_.views, o.def.name));
}

template <>
void replayer::apply_one(const ops::replace_view& o) {
  existing_view(o.from.name, o.from, "replaces");
  if (!ops::replaceable(o.from, o.to))
    fail(fmt::format("view {}: CREATE OR REPLACE keeps a plain view's columns; drop and create it instead", to_string(o.to.name)));
  // Its inverse takes the new columns away again, which only drop + create can.
  if (o.from.columns != o.to.columns) require_no_view_reads(s_, o.from.name, "adding columns to it");
  require_view_inputs(o.to);
  view& v = *find_view(s_, o.to.name);
  v = o.to;
  std::sort(v.reads.begin(), v.reads.end());
}

template <>
void replayer::apply_one(const ops::add_exclusion& o) {
  edit_table(o.table, [&](table& t) {
    require_exclusion(t, o.def);
    add_named(t, t.exclusions, o.def);
  });
}

template <>
void replayer::apply_one(const ops::drop_exclusion& o) {
  edit_table(o.table, [&](table& t) { remove_named(t, t.exclusions, o.def, "exclusion constraint"); });
}

template <>
void replayer::apply_one(const ops::set_row_level_security& o) {
  table& t = existing_table(o.table);
  if (t.rls != o.from)
    fail(fmt::format("row-level security of table {} is not in the state the operation changes it from", to_string(o.table)));
  t.rls = o.to;
}

template <>
void replayer::apply_one(const ops::create_policy& o) {
  add_policy(existing_table(o.table), o.def);
}

template <>
void replayer::apply_one(const ops::drop_policy& o) {
  table& t = existing_table(o.table);
  remove_named(t, t.policies, o.def, "policy");
}

template <>
void replayer::apply_one(const ops::alter_policy& o) {
  table& t = existing_table(o.table);
  auto it = std::find_if(t.policies.begin(), t.policies.end(), [&](const policy& p) { return p.name == o.from.name; });
  if (it == t.policies.end()) fail(fmt::format("table {} has no policy named {}", to_string(o.table), o.from.name));
  if (!(*it == o.from))
    fail(fmt::format("policy {} of table {} is not in the state the operation alters it from", o.from.name, to_string(o.table)));
  if (o.to.name != o.from.name) fail("alter_policy cannot rename a policy");
  if (!alterable(o.from, o.to))
    fail(fmt::format("policy {} of table {}: ALTER POLICY cannot change its command or kind, nor add or remove an "
                     "expression",
                     o.from.name, to_string(o.table)));
  if (auto problem = policy_problem(o.to)) fail(fmt::format("policy {} of table {}: {}", o.to.name, to_string(o.table), *problem));
  *it = o.to;
}

// ---- sequences --------------------------------------------------------------------------

template <>
void replayer::apply_one(const ops::create_sequence& o) {
  const sequence& q = o.def;
  if (!schema_exists(s_, q.name.schema)) fail(fmt::format("schema {} does not exist", q.name.schema));
  if (find_sequence(s_, q.name)) fail(fmt::format("sequence {} already exists", to_string(q.name)));
  if (find_table(s_, q.name)) fail(fmt::format("{} is already the name of table {}", q.name.name, to_string(q.name)));
  if (auto problem = sequence_problem(q)) fail(*problem);
  require_sequence_owner(s_, q);
  insert_sorted(s_.sequences, canonical(q));
}

template <>
void replayer::apply_one(const ops::drop_sequence& o) {
  const sequence* q = find_sequence(s_, o.def.name);
  if (!q) fail(fmt::format("sequence {} does not exist", to_string(o.def.name)));
  if (!(*q == canonical(o.def))) fail(fmt::format("sequence {} differs from the one the operation drops", to_string(o.def.name)));
  for (const auto& t : s_.tables)
    for (const auto& c : t.columns)
      if (c.server_default)
        for (const qualified_name& called : sequences_called(*c.server_default))
          if (called == o.def.name)
            fail(fmt::format("sequence {} is still called by the default of column {}.{}", to_string(o.def.name),
                             to_string(t.name), c.name));
  std::erase(s_.sequences, *q);
}

template <>
void replayer::apply_one(const ops::alter_sequence& o) {
  sequence* q = find_sequence(s_, o.from.name);
  if (!q) fail(fmt::format("sequence {} does not exist", to_string(o.from.name)));
  if (!(*q == canonical(o.from)))
    fail(fmt::format("sequence {} is not in the state the operation alters it from", to_string(o.from.name)));
  if (o.to.name != o.from.name) fail("alter_sequence cannot rename or move a sequence");
  if (auto problem = sequence_problem(o.to)) fail(*problem);
  require_sequence_owner(s_, o.to);
  *q = canonical(o.to);
}

template <>
void replayer::apply_one(const ops::sql&) {}
template <>
void replayer::apply_one(const ops::cpp&) {}

// SQL objects: a trigger needs its table (its function may be PostgreSQL's or an extension's, so
// it is not required), and a function outlives the triggers executing it.
template <>
void replayer::apply_one(const ops::create_sql_object& o) {
  if (!schema_exists(s_, o.def.name.schema)) fail(fmt::format("schema {} does not exist", o.def.name.schema));
  if (find_sql_object(s_, o.def)) fail(fmt::format("{} already exists", to_string(o.def)));
  if (o.def.kind == sql_object_kind::trigger) existing_table(o.def.table);
  s_.sql_objects.push_back(o.def);
  sort_canonically(s_);
}

template <>
void replayer::apply_one(const ops::drop_sql_object& o) {
  auto it = std::find_if(s_.sql_objects.begin(), s_.sql_objects.end(), [&](const sql_object& x) { return same_object(x, o.def); });
  if (it == s_.sql_objects.end()) fail(fmt::format("{} does not exist", to_string(o.def)));
  if (!(*it == o.def)) fail(fmt::format("{} differs from the one the operation drops", to_string(o.def)));
  if (o.def.kind == sql_object_kind::function)
    for (const auto& t : s_.sql_objects)
      if (t.kind == sql_object_kind::trigger && t.function == o.def.name)
        fail(fmt::format("{} still executes {}; drop it first", to_string(t), to_string(o.def)));
  s_.sql_objects.erase(it);
}

template <>
void replayer::apply_one(const ops::replace_sql_object& o) {
  auto it = std::find_if(s_.sql_objects.begin(), s_.sql_objects.end(), [&](const sql_object& x) { return same_object(x, o.from); });
  if (it == s_.sql_objects.end()) fail(fmt::format("{} does not exist", to_string(o.from)));
  if (!(*it == o.from)) fail(fmt::format("{} is not in the state the operation replaces", to_string(o.from)));
  if (!same_object(o.from, o.to) || o.to.kind == sql_object_kind::trigger || o.from.header != o.to.header)
    fail(fmt::format("{} cannot be replaced in place by that definition (CREATE OR REPLACE keeps a routine's name, "
                     "parameters and result): drop it and create it",
                     to_string(o.from)));
  *it = o.to;
}

void replayer::apply(const ops::operation& op) {
  try {
    std::visit([&](const auto& o) { apply_one(o); }, op);
  } catch (...) {
    // An operation that failed halfway may have left the indexes behind the schema.
    relations_.reset();
    referencing_.reset();
    throw;
  }
}

void replay(schema& s, const ops::operation& op) {
  sort_canonically(s);  // a schema built by hand may be in any order
  replayer r(std::move(s));
  try {
    r.apply(op);
  } catch (...) {
    s = std::move(r).take();
    throw;
  }
  s = std::move(r).take();
}

schema replay(schema s, const std::vector<ops::operation>& operations) {
  sort_canonically(s);
  replayer r(std::move(s));
  for (const auto& op : operations) r.apply(op);
  return std::move(r).take();
}

}  // namespace retort
