// The diff engine. It walks a fixed sequence of phases (create schemas and enums, renames,
// drops of dependents before what they depend on, alters, additions, foreign keys last),
// replaying every operation it emits into a working copy, so each phase sees the state the
// earlier ones leave and the replay's checks catch any ordering mistake.
#include "retort/diff.hpp"

#include <algorithm>
#include <map>
#include <set>

#include <fmt/format.h>

#include "retort/errors.hpp"
#include "retort/replay.hpp"

namespace retort {

namespace {

unsigned column_changes(const column& a, const column& b) {
  unsigned m = 0;
  if (!(a.type == b.type)) m |= ops::change_type;
  if (a.nullable != b.nullable) m |= ops::change_nullable;
  if (a.server_default != b.server_default) m |= ops::change_default;
  if (a.identity != b.identity) m |= ops::change_identity;
  if (a.comment != b.comment) m |= ops::change_comment;
  if (a.collation != b.collation) m |= ops::change_collation;
  return m;
}

// Whether existing rows get a value of their own when the column is added.
bool fills_itself(const column& c) {
  return c.nullable || c.server_default || c.identity != identity_kind::none || c.generated || c.type.serial;
}

template <class T>
const T* named(const std::vector<T>& list, const std::string& name) {
  auto it = std::find_if(list.begin(), list.end(), [&](const T& x) { return x.name == name; });
  return it == list.end() ? nullptr : &*it;
}

// Same definition under any name.
template <class T>
bool same_but_name(T a, T b) {
  a.name = b.name;
  return a == b;
}

class differ {
 public:
  // Hints in `from` mean nothing: only the target's say where its objects came from.
  differ(const schema& from, const schema& to, const diff_options& options)
      : work_(sorted(without_hints(from))), to_(sorted(to)), options_(options) {
    for (sequence& q : to_.sequences) q = canonical(std::move(q));
    if (!options_.require_backfill) return;
    // Columns whose existing rows would have no value: the first one stops the diff.
    const auto refuse = [&](const std::vector<element_ref>& columns, std::string_view problem, std::string_view remedy) {
      if (columns.empty()) return;
      const table& t = to_.tables[columns.front().index];
      throw diff_error(fmt::format("column {}.{} {}. Give it a backfill (RETORT_COLUMN(backfill = \"<SQL "
                                   "expression>\")), {}",
                                   to_string(t.name), t.columns[columns.front().member].name, problem, remedy));
    };
    refuse(columns_made_not_null_without_backfill(cur(), to_),
           "becomes NOT NULL with no backfill: rows holding NULL would make the change fail",
           "the value for those rows, or keep it std::optional");
    refuse(new_columns_without_values(cur(), to_),
           "is added NOT NULL to an existing table with no default: existing rows need a value",
           "a server default, or make it std::optional");
  }

  std::vector<ops::operation> run() {
    create_schemas();
    create_and_alter_extensions();
    create_and_extend_enums();
    drop_views();
    drop_sql_objects();
    rename_tables();
    drop_expressions_before_column_renames();
    rename_columns();
    rename_constraints_and_indexes();
    refuse_partitioning_changes();
    create_and_alter_sequences();
    drop_foreign_keys();
    drop_table_constraints_and_indexes();
    drop_tables();
    // Columns change and arrive (with their backfills) before any column is dropped, so a
    // backfill can read a column that this revision drops.
    alter_columns();
    add_columns();
    alter_policies();  // before columns go: a policy's old expression may read one
    drop_columns();
    drop_enum_values_and_enums();
    create_tables();
    set_table_comments();
    set_row_level_security();
    add_table_constraints_and_indexes();
    add_foreign_keys();
    create_and_replace_views();
    own_sequences();
    drop_sequences();
    create_and_replace_sql_objects();
    drop_extensions();
    drop_schemas();
    return std::move(out_);
  }

 private:
  void emit(ops::operation op) {
    work_.apply(op);
    out_.push_back(std::move(op));
  }

  // The phases that drop or alter what a table holds decide from the table as it is, in
  // place (no copy of the schema), then emit: emitting changes the lists they read.
  void emit_all(std::vector<ops::operation> operations) {
    for (auto& op : operations) emit(std::move(op));
  }

  // Tables of the target that already exist (after renames), as (current, target) pairs.
  template <class F>
  void for_each_kept_table(F&& f) {
    for (const table& target : to_.tables)
      if (const table* t = find_table(cur(), target.name)) f(*t, target);
  }

  void create_schemas() {
    for (const auto& name : to_.schemas)
      if (!std::binary_search(cur().schemas.begin(), cur().schemas.end(), name)) emit(ops::create_schema{name});
  }

  void drop_schemas() {
    for (const auto& name : std::vector(cur().schemas))
      if (!std::binary_search(to_.schemas.begin(), to_.schemas.end(), name)) emit(ops::drop_schema{name});
  }

  // Extensions come before the first object that may use them and go after the last one.
  void create_and_alter_extensions() {
    for (const extension& target : to_.extensions) {
      const extension* e = find_extension(cur(), target.name);
      if (!e) emit(ops::create_extension{target});
      else if (!(*e == target)) emit(ops::alter_extension{*e, target});
    }
  }

  void drop_extensions() {
    for (const extension& e : std::vector(cur().extensions))
      if (!find_extension(to_, e.name)) emit(ops::drop_extension{e});
  }

  // PostgreSQL cannot partition a table, stop partitioning it or change its key in place.
  void refuse_partitioning_changes() {
    for_each_kept_table([&](const table& t, const table& target) {
      if (t.partition == target.partition) return;
      const auto text = [](const std::optional<partition_key>& k) { return k ? to_string(*k) : std::string("none"); };
      throw diff_error(fmt::format(
          "table {}: its partitioning changes from {} to {}, which PostgreSQL cannot do in place (the table must be "
          "rebuilt). Declare a new table under another name with the partitioning you want, move the rows with an sql "
          "step, and drop this one",
          to_string(t.name), text(t.partition), text(target.partition)));
    });
  }

  // Whether the column that owns `q` exists now (in the schema so far) / after the diff.
  bool owner_exists(const sequence& q) const {
    const table* t = find_table(cur(), {q.name.schema, q.owned_by->table});
    return t && find_column(*t, q.owned_by->column);
  }
  bool owner_survives(const sequence& q) const {
    const table* t = find_table(to_, {q.name.schema, q.owned_by->table});
    return t && find_column(*t, q.owned_by->column);
  }

  // Sequences come before the defaults that call them. An owner is set here when its column
  // exists already, else by own_sequences() once it does. An owner column that goes away (or
  // changes) is released first: dropping it would drop the sequence with it.
  void create_and_alter_sequences() {
    for (const sequence& target : to_.sequences) {
      sequence wanted = target;
      if (wanted.owned_by && !owner_exists(wanted)) wanted.owned_by.reset();
      const sequence* q = find_sequence(cur(), target.name);
      if (!q) emit(ops::create_sequence{wanted});
      else if (!(*q == wanted))
        emit(ops::alter_sequence{*q, wanted});
    }
    for (const sequence& q : std::vector(cur().sequences)) {
      if (find_sequence(to_, q.name) || !q.owned_by || owner_survives(q)) continue;
      sequence released = q;
      released.owned_by.reset();
      emit(ops::alter_sequence{q, released});
    }
  }

  // Owners whose columns this diff creates, once they exist.
  void own_sequences() {
    for (const sequence& target : to_.sequences)
      if (const sequence* q = find_sequence(cur(), target.name); q && q->owned_by != target.owned_by)
        emit(ops::alter_sequence{*q, target});
  }

  void drop_sequences() {
    for (const sequence& q : std::vector(cur().sequences))
      if (!find_sequence(to_, q.name)) emit(ops::drop_sequence{q});
  }

  // SQL objects go first and come back last: a trigger names its table (which may be renamed or
  // dropped) and its function; a routine whose header changes is dropped and created again, and
  // the triggers executing it with it. Anything else changed is replaced in place.
  [[nodiscard]] bool recreated(const sql_object& now) const {
    const sql_object* target = find_sql_object(to_, now);
    if (!target) return true;
    if (now.kind == sql_object_kind::trigger) return !(*target == now);
    return target->header != now.header;
  }

  void drop_sql_objects() {
    std::vector<sql_object> routines_gone;
    for (const sql_object& o : cur().sql_objects)
      if (o.kind != sql_object_kind::trigger && recreated(o)) routines_gone.push_back(o);
    const auto executes_gone = [&](const sql_object& t) {
      return std::any_of(routines_gone.begin(), routines_gone.end(),
                         [&](const sql_object& f) { return f.kind == sql_object_kind::function && f.name == t.function; });
    };
    for (const sql_object& o : std::vector(cur().sql_objects))
      if (o.kind == sql_object_kind::trigger && (recreated(o) || executes_gone(o))) emit(ops::drop_sql_object{o});
    for (const sql_object& o : routines_gone) emit(ops::drop_sql_object{o});
  }

  void create_and_replace_sql_objects() {
    for (const bool triggers : {false, true})
      for (const sql_object& target : to_.sql_objects) {
        if ((target.kind == sql_object_kind::trigger) != triggers) continue;
        const sql_object* now = find_sql_object(cur(), target);
        if (!now) emit(ops::create_sql_object{target});
        else if (!(*now == target)) emit(ops::replace_sql_object{*now, target});
      }
  }

  void create_and_extend_enums() {
    for (const enum_type& target : to_.enums) {
      const enum_type* e = find_enum(cur(), target.name);
      if (!e) {
        emit(ops::create_enum{without_hints(target)});
        continue;
      }
      relabel_enum_values(target);
      e = find_enum(cur(), target.name);
      // New values, right to left, so the value each is placed before already exists.
      const auto& v = target.values;
      for (std::size_t i = v.size(); i-- > 0;) {
        if (std::find(e->values.begin(), e->values.end(), v[i]) != e->values.end()) continue;
        std::optional<std::string> before = i + 1 < v.size() ? std::optional(v[i + 1]) : std::nullopt;
        emit(ops::add_enum_value{target.name, v[i], before});
        e = find_enum(cur(), target.name);
      }
    }
  }

  // A value the model says was relabelled (RETORT_VALUE("new", renamed_from = "old")) and whose
  // old label is still there and no longer wanted is renamed in place: its rows keep it.
  void relabel_enum_values(const enum_type& target) {
    const auto has = [](const std::vector<std::string>& values, const std::string& v) {
      return std::find(values.begin(), values.end(), v) != values.end();
    };
    for (const auto& [value, labels] : target.renamed_values) {
      const std::vector<std::string>& now = find_enum(cur(), target.name)->values;
      if (has(now, value)) continue;
      auto old = std::find_if(labels.begin(), labels.end(),
                              [&](const std::string& l) { return has(now, l) && !has(target.values, l); });
      if (old != labels.end()) emit(ops::rename_enum_value{target.name, *old, value});
    }
  }

  void drop_enum_values_and_enums() {
    for (const enum_type& e : std::vector(cur().enums)) {
      const enum_type* target = find_enum(to_, e.name);
      if (!target) {
        emit(ops::drop_enum{e});
        continue;
      }
      for (const auto& value : e.values) {
        if (std::find(target->values.begin(), target->values.end(), value) != target->values.end()) continue;
        const auto& now = find_enum(cur(), e.name)->values;
        auto at = std::find(now.begin(), now.end(), value);
        std::optional<std::string> before = at + 1 == now.end() ? std::nullopt : std::optional(*(at + 1));
        emit(ops::drop_enum_value{e.name, value, before});
      }
      if (find_enum(cur(), e.name)->values != target->values)
        throw diff_error(fmt::format("enum {}: reordering existing values is not supported; PostgreSQL orders enum "
                                     "values by creation. Keep the old order and add new values where you want them.",
                                     to_string(e.name)));
    }
  }

  void rename_tables() {
    for (const auto& [fresh, old] : table_renames(cur(), to_)) emit(ops::rename_table{old, fresh});
  }

  void rename_columns() {
    for_each_kept_table([&](const table& t, const table& target) {
      const qualified_name name = t.name;
      for (const auto& [old, fresh] : column_renames(t, target)) emit(ops::rename_column{name, old, fresh});
    });
  }

  // Check expressions and partial-index predicates are SQL text that PostgreSQL rewrites when a
  // column they mention is renamed, and replay cannot. Those that change are dropped before any
  // column rename, so that the downgrade re-creates them after renaming the columns back.
  void drop_expressions_before_column_renames() {
    for_each_kept_table([&](const table& t, const table& target) {
      std::vector<ops::operation> later;
      const auto renames = column_renames(t, target);
      for (const auto& c : t.checks) {
        bool kept = std::any_of(target.checks.begin(), target.checks.end(),
                                [&](const check_constraint& x) { return x.expression == c.expression; });
        if (!kept) later.push_back(ops::drop_check{t.name, c});
      }
      for (const auto& i : t.indexes) {
        const bool has_expression = std::any_of(i.columns.begin(), i.columns.end(),
                                                [](const index_key& k) { return !k.expression.empty(); });
        if (!i.where && !has_expression) continue;
        index renamed = i;
        for (auto& k : renamed.columns)
          if (auto it = renames.find(k.column); it != renames.end()) k.column = it->second;
        for (auto& col : renamed.include)
          if (auto it = renames.find(col); it != renames.end()) col = it->second;
        bool kept = std::any_of(target.indexes.begin(), target.indexes.end(),
                                [&](const index& x) { return same_but_name(x, renamed); });
        if (!kept) later.push_back(ops::drop_index{t.name, i});
      }
      for (const auto& x : t.exclusions) {
        const bool has_expression = std::any_of(x.elements.begin(), x.elements.end(),
                                                [](const exclusion_element& e) { return !e.key.expression.empty(); });
        if (!x.where && !has_expression) continue;
        exclusion_constraint renamed = x;
        for (auto& e : renamed.elements)
          if (auto it = renames.find(e.key.column); it != renames.end()) e.key.column = it->second;
        for (auto& col : renamed.include)
          if (auto it = renames.find(col); it != renames.end()) col = it->second;
        bool kept = std::any_of(target.exclusions.begin(), target.exclusions.end(),
                                [&](const exclusion_constraint& y) { return same_but_name(y, renamed); });
        if (!kept) later.push_back(ops::drop_exclusion{t.name, x});
      }
      // A policy is altered in place (later) only when no column of its table is renamed: its
      // old text would name a column the downgrade has not renamed back yet. PostgreSQL cannot
      // change the type of a column a policy reads: a type change takes the table's policies
      // down and back up around it.
      const bool type_changes = std::any_of(t.columns.begin(), t.columns.end(), [&](const column& c) {
        auto it = renames.find(c.name);
        const column* tc = find_column(target, it == renames.end() ? c.name : it->second);
        return tc && !(tc->type == c.type);
      });
      for (const auto& p : t.policies) {
        const policy* tp = named(target.policies, p.name);
        if (tp && !type_changes && (*tp == p || (alterable(p, *tp) && renames.empty()))) continue;
        later.push_back(ops::drop_policy{t.name, p});
      }
      emit_all(std::move(later));
    });
  }

  // An index or constraint whose definition is unchanged but whose name is (after a table or
  // column rename, the conventional name changes too) is renamed, not rebuilt.
  void rename_constraints_and_indexes() {
    for (const table& target : to_.tables) {
      const table* t = find_table(cur(), target.name);
      if (!t) continue;
      const qualified_name name = t->name;
      auto rename_list = [&](auto member, bool is_index) {
        const auto current_list = (*find_table(cur(), name)).*member;
        for (const auto& x : current_list) {
          if (named(target.*member, x.name)) continue;
          const table& now = *find_table(cur(), name);
          for (const auto& y : target.*member) {
            if (named(now.*member, y.name) || !same_but_name(x, y)) continue;
            if (is_index) emit(ops::rename_index{name, x.name, y.name});
            else emit(ops::rename_constraint{name, x.name, y.name});
            break;
          }
        }
      };
      if (t->pk && target.pk && t->pk->name != target.pk->name && same_but_name(*t->pk, *target.pk))
        emit(ops::rename_constraint{name, t->pk->name, target.pk->name});
      rename_list(&table::uniques, false);
      rename_list(&table::checks, false);
      rename_list(&table::foreign_keys, false);
      rename_list(&table::indexes, true);
      rename_list(&table::exclusions, false);
    }
  }

  // Whether a key of `t` that foreign keys may reference is about to be dropped.
  bool key_survives(const table& t, const std::vector<std::string>& cols) const {
    const table* target = find_table(to_, t.name);
    if (!target) return false;
    if (t.pk && t.pk->columns == cols) return target->pk && *target->pk == *t.pk;
    for (const auto& u : t.uniques)
      if (u.columns == cols) {
        const auto* tu = named(target->uniques, u.name);
        return tu && *tu == u;
      }
    for (const auto& i : t.indexes)
      if (i.unique && plain_key_columns(i) == cols) {
        const auto* ti = named(target->indexes, i.name);
        return ti && *ti == i;
      }
    return true;
  }

  void drop_foreign_keys() {
    std::vector<ops::operation> later;
    for (const table& t : cur().tables) {
      const table* target = find_table(to_, t.name);
      for (const foreign_key& f : t.foreign_keys) {
        const foreign_key* tf = target ? named(target->foreign_keys, f.name) : nullptr;
        const table* referenced = find_table(cur(), f.ref_table);
        if (tf && *tf == f && referenced && key_survives(*referenced, f.ref_columns)) continue;
        later.push_back(ops::drop_foreign_key{t.name, f});
      }
    }
    emit_all(std::move(later));
  }

  void drop_table_constraints_and_indexes() {
    for_each_kept_table([&](const table& t, const table& target) {
      std::vector<ops::operation> later;
      for (const auto& i : t.indexes)
        if (const auto* x = named(target.indexes, i.name); !x || !(*x == i)) later.push_back(ops::drop_index{t.name, i});
      for (const auto& c : t.checks)
        if (const auto* x = named(target.checks, c.name); !x || !(*x == c)) later.push_back(ops::drop_check{t.name, c});
      for (const auto& u : t.uniques)
        if (const auto* x = named(target.uniques, u.name); !x || !(*x == u)) later.push_back(ops::drop_unique{t.name, u});
      for (const auto& e : t.exclusions)
        if (const auto* x = named(target.exclusions, e.name); !x || !(*x == e)) later.push_back(ops::drop_exclusion{t.name, e});
      if (t.pk && !(target.pk && *target.pk == *t.pk)) later.push_back(ops::drop_primary_key{t.name, *t.pk});
      emit_all(std::move(later));
    });
  }

  // Policies go first, one by one: a policy may read another table that goes too, and the
  // downgrade creates every table before any policy.
  void drop_tables() {
    std::vector<ops::operation> policies;
    for (const table& t : cur().tables)
      if (!find_table(to_, t.name))
        for (const auto& p : t.policies) policies.push_back(ops::drop_policy{t.name, p});
    emit_all(std::move(policies));
    std::vector<ops::operation> later;
    for (const table& t : cur().tables)
      if (!find_table(to_, t.name)) later.push_back(ops::drop_table{t});
    emit_all(std::move(later));
  }

  void drop_columns() {
    for_each_kept_table([&](const table& t, const table& target) {
      std::vector<ops::operation> later;
      for (const column& c : t.columns)
        if (!find_column(target, c.name)) later.push_back(ops::drop_column{t.name, c});
      emit_all(std::move(later));
    });
  }

  void alter_columns() {
    for_each_kept_table([&](const table& t, const table& target) {
      std::vector<ops::operation> later;
      for (const column& c : t.columns) {
        const column* tc = find_column(target, c.name);
        if (!tc) continue;
        column wanted = without_hints(*tc);
        unsigned changes = column_changes(c, wanted);
        if (c.generated != wanted.generated || ((c.type.serial || wanted.type.serial) && (changes & ops::change_type)))
          throw diff_error(fmt::format(
              "column {}.{}: PostgreSQL cannot {} in place. Add a column under a new name and drop this one",
              to_string(t.name), c.name,
              c.generated != wanted.generated ? "add, change or remove a generation expression"
                                              : "turn a column into a serial or back, or change a serial's type"));
        if (!changes) continue;
        if ((changes & ops::change_nullable) && !wanted.nullable && tc->backfill) {
          // Fill existing NULLs before the column becomes NOT NULL.
          column first = wanted;
          first.nullable = true;
          if (unsigned pre = column_changes(c, first)) later.push_back(ops::alter_column{t.name, c, first, pre});
          later.push_back(ops::backfill_column{t.name, c.name, *tc->backfill, tc->backfill_batch});
          later.push_back(ops::alter_column{t.name, first, wanted, ops::change_nullable});
          continue;
        }
        later.push_back(ops::alter_column{t.name, c, wanted, changes});
      }
      emit_all(std::move(later));
    });
  }

  void add_columns() {
    for_each_kept_table([&](const table& t_ref, const table& target) {
      const qualified_name name = t_ref.name;
      for (const column& c : target.columns) {
        if (find_column(*find_table(cur(), name), c.name)) continue;
        column def = without_hints(c);
        // Without a backfill: new_columns_without_values refused it already, unless the options allow it.
        if (fills_itself(def) || !c.backfill) {
          emit(ops::add_column{name, def});
          continue;
        }
        column nullable = def;
        nullable.nullable = true;
        emit(ops::add_column{name, nullable});
        emit(ops::backfill_column{name, c.name, *c.backfill, c.backfill_batch});
        emit(ops::alter_column{name, nullable, def, ops::change_nullable});
      }
    });
  }

  void create_tables() {
    for (const table& target : to_.tables) {
      if (find_table(cur(), target.name)) continue;
      table def = without_hints(target);
      def.foreign_keys.clear();
      def.policies.clear();  // created once every table exists: a policy may read another
      emit(ops::create_table{def});
    }
  }

  void set_table_comments() {
    for_each_kept_table([&](const table& t, const table& target) {
      if (t.comment != target.comment) emit(ops::set_table_comment{t.name, t.comment, target.comment});
    });
  }

  void set_row_level_security() {
    for_each_kept_table([&](const table& t, const table& target) {
      if (t.rls != target.rls) emit(ops::set_row_level_security{t.name, t.rls, target.rls});
    });
  }

  void alter_policies() {
    for_each_kept_table([&](const table& t, const table& target) {
      std::vector<ops::operation> later;
      for (const auto& p : t.policies)
        if (const policy* tp = named(target.policies, p.name); tp && !(*tp == p))
          later.push_back(ops::alter_policy{t.name, p, *tp});
      emit_all(std::move(later));
    });
  }

  void add_table_constraints_and_indexes() {
    for_each_kept_table([&](const table& t_ref, const table& target) {
      const qualified_name name = t_ref.name;
      auto now = [&]() -> const table& { return *find_table(cur(), name); };
      if (target.pk && !now().pk) emit(ops::add_primary_key{name, *target.pk});
      for (const auto& u : target.uniques)
        if (!named(now().uniques, u.name)) emit(ops::add_unique{name, u});
      for (const auto& c : target.checks)
        if (!named(now().checks, c.name)) emit(ops::add_check{name, c});
      for (const auto& i : target.indexes)
        if (!named(now().indexes, i.name)) emit(ops::create_index{name, i});
      for (const auto& x : target.exclusions)
        if (!named(now().exclusions, x.name)) emit(ops::add_exclusion{name, x});
      for (const auto& p : target.policies)
        if (!named(now().policies, p.name)) emit(ops::create_policy{name, p});
    });
  }

  void add_foreign_keys() {
    for (const table& target : to_.tables)
      for (const auto& f : target.foreign_keys)
        if (!named(find_table(cur(), target.name)->foreign_keys, f.name)) emit(ops::add_foreign_key{target.name, f});
  }

  // ---- views ----------------------------------------------------------------------------

  // The tables whose columns change under their readers: dropped, renamed, a column renamed,
  // dropped or retyped, or of an enum type that loses a value (its columns are converted).
  [[nodiscard]] std::set<qualified_name> tables_changing_under_views() const {
    std::set<qualified_name> out;
    const auto loses_values = [&](const column_type& type) {
      if (type.kind != type_kind::enum_type) return false;
      const enum_type* target = find_enum(to_, type.enum_name);
      const enum_type* now = find_enum(cur(), type.enum_name);
      if (!target || !now) return true;
      return std::any_of(now->values.begin(), now->values.end(), [&](const std::string& v) {
        return std::find(target->values.begin(), target->values.end(), v) == target->values.end();
      });
    };
    for (const table& t : cur().tables) {
      const table* target = find_table(to_, t.name);
      if (!target) {
        out.insert(t.name);
        continue;
      }
      for (const column& c : t.columns) {
        const column* tc = find_column(*target, c.name);
        if (!tc || !(tc->type == c.type) || tc->collation != c.collation || loses_values(c.type)) out.insert(t.name);
      }
    }
    return out;
  }

  // Views go before anything they read changes under them, and before a change CREATE OR
  // REPLACE cannot make; a view reading one that goes, or one whose columns change, goes too.
  // Readers first, so that no view is dropped while another still reads it.
  void drop_views() {
    const std::set<qualified_name> changing = tables_changing_under_views();
    std::set<qualified_name> gone, reshaped;
    for (const view& v : cur().views) {
      const view* target = find_view(to_, v.name);
      const bool reads_changing = std::any_of(v.reads.begin(), v.reads.end(), [&](const auto& r) { return changing.contains(r); });
      if (!target || reads_changing || (!(v == *target) && !ops::replaceable(v, *target))) gone.insert(v.name);
      else if (v.columns != target->columns) reshaped.insert(v.name);
    }
    for (bool grew = true; grew;) {
      grew = false;
      for (const view& v : cur().views)
        if (!gone.contains(v.name) &&
            std::any_of(v.reads.begin(), v.reads.end(), [&](const auto& r) { return gone.contains(r) || reshaped.contains(r); }))
          grew = gone.insert(v.name).second || grew;
    }
    while (!gone.empty()) {
      bool dropped = false;
      for (auto it = gone.begin(); it != gone.end();) {
        if (!views_reading(cur(), *it).empty()) {
          ++it;
          continue;
        }
        emit(ops::drop_view{*find_view(cur(), *it)});
        it = gone.erase(it);
        dropped = true;
      }
      if (!dropped) throw diff_error(fmt::format("views read each other in a circle, through {}", to_string(*gone.begin())));
    }
  }

  // Views the target has and the schema lacks or holds differently, each after what it reads.
  void create_and_replace_views() {
    std::set<qualified_name> pending;
    for (const view& target : to_.views)
      if (const view* v = find_view(cur(), target.name); !v || !(*v == target)) pending.insert(target.name);
    while (!pending.empty()) {
      bool done = false;
      for (auto it = pending.begin(); it != pending.end();) {
        const view& target = *find_view(to_, *it);
        const bool ready = std::none_of(target.reads.begin(), target.reads.end(),
                                        [&](const auto& r) { return pending.contains(r); });
        if (!ready) {
          ++it;
          continue;
        }
        if (const view* v = find_view(cur(), target.name)) emit(ops::replace_view{*v, target});
        else emit(ops::create_view{target});
        it = pending.erase(it);
        done = true;
      }
      if (!done) throw diff_error(fmt::format("views read each other in a circle, through {}", to_string(*pending.begin())));
    }
  }

  static schema sorted(schema s) {
    sort_canonically(s);
    return s;
  }
  // The schema the operations emitted so far produce.
  [[nodiscard]] const schema& cur() const { return work_.state(); }

  replayer work_;
  schema to_;
  const diff_options& options_;
  std::vector<ops::operation> out_;
};

}  // namespace

std::map<qualified_name, qualified_name> table_renames(const schema& from, const schema& to) {
  std::set<qualified_name> in_to;
  for (const table& t : to.tables) in_to.insert(t.name);
  std::vector<const table*> targets;  // in name order, as the diff walks them
  for (const table& t : to.tables) targets.push_back(&t);
  std::sort(targets.begin(), targets.end(), [](const table* a, const table* b) { return a->name < b->name; });
  std::map<qualified_name, qualified_name> renames;
  std::set<qualified_name> taken;
  for (const table* target : targets) {
    if (find_table(from, target->name)) continue;
    for (const qualified_name& old : target->renamed_from)
      if (find_table(from, old) && !in_to.contains(old) && taken.insert(old).second) {
        renames.emplace(target->name, old);
        break;
      }
  }
  return renames;
}

std::map<std::string, std::string> column_renames(const table& from, const table& to) {
  std::map<std::string, std::string> renames;
  for (const column& c : to.columns) {
    if (find_column(from, c.name)) continue;
    for (const auto& old : c.renamed_from)
      if (find_column(from, old) && !find_column(to, old) && !renames.contains(old)) {
        renames[old] = c.name;
        break;
      }
  }
  return renames;
}

namespace {

// Each column of a table of `to` that exists in `from` (after the diff's renames), with the
// column it was in `from` (nullptr for a column new to the table) and its reference in `to`.
template <class F>
void for_each_kept_table_column(const schema& from, const schema& to, F&& f) {
  const auto table_renamed = table_renames(from, to);
  for (std::size_t i = 0; i < to.tables.size(); ++i) {
    const table& t = to.tables[i];
    const table* before = find_table(from, t.name);
    if (auto it = table_renamed.find(t.name); !before && it != table_renamed.end()) before = find_table(from, it->second);
    if (!before) continue;  // a new table has no rows
    std::map<std::string, std::string> old_name;  // new -> old
    for (const auto& [old, fresh] : column_renames(*before, t)) old_name[fresh] = old;
    for (std::size_t j = 0; j < t.columns.size(); ++j) {
      const auto renamed = old_name.find(t.columns[j].name);
      f(element_ref{element_ref::kind::column, i, j}, t.columns[j],
        find_column(*before, renamed == old_name.end() ? t.columns[j].name : renamed->second));
    }
  }
}

}  // namespace

std::vector<element_ref> new_columns_without_values(const schema& from, const schema& to) {
  std::vector<element_ref> out;
  for_each_kept_table_column(from, to, [&](const element_ref& at, const column& c, const column* was) {
    if (!was && !fills_itself(c) && !c.backfill) out.push_back(at);
  });
  return out;
}

std::vector<element_ref> columns_made_not_null_without_backfill(const schema& from, const schema& to) {
  std::vector<element_ref> out;
  for_each_kept_table_column(from, to, [&](const element_ref& at, const column& c, const column* was) {
    if (was && was->nullable && !c.nullable && !c.backfill) out.push_back(at);
  });
  return out;
}

std::vector<ops::operation> diff(const schema& from, const schema& to, const diff_options& options) {
  // The drift gate's usual answer (the models are the history's head), without copying either.
  if (from == to) return {};
  return differ(from, to, options).run();
}

}  // namespace retort
