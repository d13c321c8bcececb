// Model validation: every reference resolves, nothing is duplicated, every name fits
// PostgreSQL's limits. What passes here can be created in a database as it stands.
#include <algorithm>
#include <functional>
#include <map>
#include <set>

#include <fmt/format.h>

#include "retort/errors.hpp"
#include "retort/naming.hpp"
#include "retort/snapshot.hpp"
#include "retort/sql_expression.hpp"

namespace retort {

namespace {

class validator {
 public:
  // The schema may be in any order (the scanner validates before sorting): lookups go through
  // indexes of its own.
  explicit validator(const schema& s) : s_(s) {
    for (const table& t : s.tables) tables_.emplace(t.name, &t);
    for (const enum_type& e : s.enums) enums_.insert(e.name);
  }

  std::vector<validation_issue> run() {
    std::set<std::string> schemas{"public"};
    for (std::size_t i = 0; i < s_.schemas.size(); ++i)
      element([&] {
        const element_ref path{element_ref::kind::schema, i};
        name(path, s_.schemas[i]);
        if (!schemas.insert(s_.schemas[i]).second) fail(path, fmt::format("duplicate schema \"{}\"", s_.schemas[i]));
      });
    std::set<std::string> extensions;
    for (std::size_t i = 0; i < s_.extensions.size(); ++i)
      element([&] {
        const extension& e = s_.extensions[i];
        const element_ref path{element_ref::kind::extension, i};
        name(path, e.name);
        if (!extensions.insert(e.name).second) fail(path, fmt::format("extension {} is declared twice", e.name));
        if (!schemas.contains(e.schema))
          fail(path, fmt::format("schema \"{}\" of extension {} is not declared", e.schema, e.name));
      });
    // Tables, their indexes and enum types share one namespace per schema in PostgreSQL.
    std::map<qualified_name, std::string> relations;
    auto claim = [&](const element_ref& path, const qualified_name& q, std::string what) {
      if (!schemas.contains(q.schema))
        fail(path, fmt::format("schema \"{}\" of {} {} is not declared", q.schema, what, to_string(q)));
      auto [it, fresh] = relations.emplace(q, what);
      if (!fresh) fail(path, fmt::format("{} {} has the same name as {} {}", what, to_string(q), it->second, to_string(q)));
    };
    for (std::size_t i = 0; i < s_.enums.size(); ++i)
      element([&] {
        const enum_type& e = s_.enums[i];
        const element_ref path{element_ref::kind::enum_type, i};
        name(path, e.name.name);
        claim(path, e.name, "enum type");
        if (e.values.empty()) fail(path, fmt::format("enum {} has no values", to_string(e.name)));
        std::set<std::string> seen;
        for (std::size_t v = 0; v < e.values.size(); ++v) {
          const element_ref value{element_ref::kind::enum_value, i, v};
          name(value, e.values[v]);
          if (!seen.insert(e.values[v]).second)
            fail(value, fmt::format("enum {} has the value \"{}\" twice", to_string(e.name), e.values[v]));
        }
      });
    for (std::size_t i = 0; i < s_.tables.size(); ++i)
      element([&] {
        const table& t = s_.tables[i];
        const element_ref path{element_ref::kind::table, i};
        name(path, t.name.name);
        claim(path, t.name, "table");
        table_body(i, t);
        auto index_name = [&](const element_ref& p, const std::string& n, std::string_view what) {
          claim(p, {t.name.schema, n}, fmt::format("{} of table {}", what, to_string(t.name)));
        };
        if (t.pk) index_name({element_ref::kind::primary_key, i}, t.pk->name, "primary key");
        for (std::size_t k = 0; k < t.uniques.size(); ++k)
          index_name({element_ref::kind::unique, i, k}, t.uniques[k].name, "unique constraint");
        for (std::size_t k = 0; k < t.indexes.size(); ++k)
          index_name({element_ref::kind::index, i, k}, t.indexes[k].name, "index");
        for (std::size_t k = 0; k < t.exclusions.size(); ++k)
          index_name({element_ref::kind::exclusion, i, k}, t.exclusions[k].name, "exclusion constraint");
      });
    for (std::size_t i = 0; i < s_.views.size(); ++i)
      element([&] {
        const view& v = s_.views[i];
        const element_ref path{element_ref::kind::view, i};
        name(path, v.name.name);
        claim(path, v.name, v.materialized ? "materialized view" : "view");
        view_body(path, v);
        for (const index& ix : v.indexes) claim(path, {v.name.schema, ix.name}, fmt::format("index of view {}", to_string(v.name)));
      });
    if (issues_.empty()) views_acyclic();
    for (std::size_t i = 0; i < s_.sequences.size(); ++i)
      element([&] {
        const sequence& q = s_.sequences[i];
        const element_ref path{element_ref::kind::sequence, i};
        name(path, q.name.name);
        claim(path, q.name, "sequence");
        sequence_body(path, q);
      });
    for (std::size_t i = 0; i < s_.tables.size(); ++i)
      for (std::size_t c = 0; c < s_.tables[i].columns.size(); ++c)
        element([&] { sequences_called_exist({element_ref::kind::column, i, c}, s_.tables[i], s_.tables[i].columns[c]); });
    sql_objects(schemas);
    return std::move(issues_);
  }

  // Each SQL object once, in a declared schema; a trigger on a table of the model.
  void sql_objects(const std::set<std::string>& schemas) {
    for (std::size_t i = 0; i < s_.sql_objects.size(); ++i)
      element([&] {
        const sql_object& o = s_.sql_objects[i];
        const element_ref path{element_ref::kind::sql_object, i};
        name(path, o.name.name);
        if (!schemas.contains(o.name.schema))
          fail(path, fmt::format("schema \"{}\" of {} is not declared", o.name.schema, to_string(o)));
        if (o.definition.empty()) fail(path, fmt::format("{} has an empty definition", to_string(o)));
        if (o.kind == sql_object_kind::trigger && !tables_.contains(o.table))
          fail(path, fmt::format("{} is on table {}, which the models do not declare", to_string(o), to_string(o.table)));
        for (std::size_t k = 0; k < i; ++k)
          if (same_object(s_.sql_objects[k], o)) fail(path, fmt::format("{} is defined twice", to_string(o)));
      });
  }

 private:
  // One issue per element: the checks of an element rely on its earlier ones (a key's columns
  // exist before their nullability is read), so the first failure ends that element's checks.
  struct element_failed {};

  template <class F>
  void element(F&& checks) {
    try {
      checks();
    } catch (const element_failed&) {
    }
  }

  [[noreturn]] void fail(const element_ref& at, std::string message) {
    issues_.push_back({at, std::move(message)});
    throw element_failed{};
  }

  void name(const element_ref& path, const std::string& n) {
    if (auto problem = naming::identifier_problem(n)) fail(path, *problem);
  }

  void columns_exist(const element_ref& path, const table& t, const std::vector<std::string>& cols, std::string_view what) {
    std::set<std::string> seen;
    for (const auto& c : cols) {
      if (!find_column(t, c)) fail(path, fmt::format("{} of table {} names unknown column \"{}\"", what, to_string(t.name), c));
      if (!seen.insert(c).second) fail(path, fmt::format("{} of table {} names column \"{}\" twice", what, to_string(t.name), c));
    }
  }

  void table_body(std::size_t ti, const table& t) {
    const element_ref path{element_ref::kind::table, ti};
    const std::string tn = to_string(t.name);
    if (t.columns.empty()) fail(path, fmt::format("table {} has no columns", tn));
    std::set<std::string> columns;
    for (std::size_t i = 0; i < t.columns.size(); ++i) {
      const column& c = t.columns[i];
      const element_ref cp{element_ref::kind::column, ti, i};
      name(cp, c.name);
      if (!columns.insert(c.name).second) fail(cp, fmt::format("table {} has two columns named \"{}\"", tn, c.name));
      if (c.type.kind == type_kind::enum_type && !enums_.contains(c.type.enum_name))
        fail(cp, fmt::format("column {}.{} uses unknown enum type {}", tn, c.name, to_string(c.type.enum_name)));
      if (auto problem = unknown_type_problem(c.type, s_.extensions))
        fail(cp, fmt::format("column {}.{}: {}", tn, c.name, *problem));
      column_kind(cp, tn, c);
      if (c.identity != identity_kind::none) {
        auto k = c.type.kind;
        if ((k != type_kind::smallint && k != type_kind::integer && k != type_kind::bigint) || c.type.array)
          fail(cp, fmt::format("identity column {}.{} must be smallint, integer or bigint", tn, c.name));
        if (c.nullable) fail(cp, fmt::format("identity column {}.{} cannot be nullable", tn, c.name));
        if (c.server_default) fail(cp, fmt::format("identity column {}.{} cannot also have a default", tn, c.name));
      }
    }
    std::set<std::string> constraint_names;
    auto unique_name = [&](const element_ref& p, const std::string& n) {
      name(p, n);
      if (!constraint_names.insert(n).second) fail(p, fmt::format("table {} has two constraints or indexes named \"{}\"", tn, n));
    };
    if (t.pk) {
      const element_ref p{element_ref::kind::primary_key, ti};
      unique_name(p, t.pk->name);
      columns_exist(p, t, t.pk->columns, "primary key");
      for (const auto& c : t.pk->columns)
        if (find_column(t, c)->nullable)
          fail(p, fmt::format("primary key column {}.{} cannot be nullable", tn, c));
    }
    for (std::size_t i = 0; i < t.uniques.size(); ++i) {
      const element_ref p{element_ref::kind::unique, ti, i};
      unique_name(p, t.uniques[i].name);
      columns_exist(p, t, t.uniques[i].columns, fmt::format("unique constraint {}", t.uniques[i].name));
      // CREATE TABLE silently drops a unique constraint that repeats another key.
      if (t.pk && t.pk->columns == t.uniques[i].columns)
        fail(p, fmt::format("unique constraint {} repeats the primary key of table {}", t.uniques[i].name, tn));
      for (std::size_t k = 0; k < i; ++k)
        if (t.uniques[k].columns == t.uniques[i].columns)
          fail(p, fmt::format("unique constraints {} and {} of table {} are the same", t.uniques[k].name,
                              t.uniques[i].name, tn));
    }
    for (std::size_t i = 0; i < t.indexes.size(); ++i) {
      const element_ref p{element_ref::kind::index, ti, i};
      unique_name(p, t.indexes[i].name);
      columns_exist(p, t, columns_named(t.indexes[i]), fmt::format("index {}", t.indexes[i].name));
      if (std::find(index_methods.begin(), index_methods.end(), t.indexes[i].method) == index_methods.end())
        fail(p, fmt::format("index {} uses unknown method \"{}\"", t.indexes[i].name, t.indexes[i].method));
      for (const auto& w : t.indexes[i].with)
        if (w.find('=') == std::string::npos || w.front() == '=')
          fail(p, fmt::format("index {}: storage parameter \"{}\" is not name=value", t.indexes[i].name, excerpt(w)));
    }
    for (std::size_t i = 0; i < t.checks.size(); ++i) {
      const element_ref p{element_ref::kind::check, ti, i};
      unique_name(p, t.checks[i].name);
      if (t.checks[i].expression.empty()) fail(p, fmt::format("check {} has an empty expression", t.checks[i].name));
    }
    for (std::size_t i = 0; i < t.exclusions.size(); ++i) {
      const exclusion_constraint& x = t.exclusions[i];
      const element_ref p{element_ref::kind::exclusion, ti, i};
      unique_name(p, x.name);
      if (x.elements.empty()) fail(p, fmt::format("exclusion constraint {} has no elements", x.name));
      columns_exist(p, t, columns_named(x), fmt::format("exclusion constraint {}", x.name));
      if (std::find(index_methods.begin(), index_methods.end(), x.method) == index_methods.end())
        fail(p, fmt::format("exclusion constraint {} uses unknown method \"{}\"", x.name, x.method));
      for (const auto& e : x.elements)
        if (!is_operator_name(e.op))
          fail(p, fmt::format("exclusion constraint {}: \"{}\" is not an operator (write it as pg_operator names it: "
                              "=, &&, ...)",
                              x.name, excerpt(e.op)));
    }
    std::set<std::string> policy_names;
    for (std::size_t i = 0; i < t.policies.size(); ++i) {
      const policy& pol = t.policies[i];
      const element_ref p{element_ref::kind::policy, ti, i};
      name(p, pol.name);
      if (!policy_names.insert(pol.name).second) fail(p, fmt::format("table {} has two policies named \"{}\"", tn, pol.name));
      for (const auto& r : pol.roles) name(p, r);
      if (auto problem = policy_problem(pol)) fail(p, fmt::format("policy {} of table {}: {}", pol.name, tn, *problem));
    }
    for (std::size_t i = 0; i < t.foreign_keys.size(); ++i) {
      const foreign_key& f = t.foreign_keys[i];
      const element_ref p{element_ref::kind::foreign_key, ti, i};
      unique_name(p, f.name);
      columns_exist(p, t, f.columns, fmt::format("foreign key {}", f.name));
      auto found = tables_.find(f.ref_table);
      const table* target = found == tables_.end() ? nullptr : found->second;
      if (!target) fail(p, fmt::format("foreign key {} of table {} references unknown table {}", f.name, tn, to_string(f.ref_table)));
      columns_exist(p, *target, f.ref_columns, fmt::format("foreign key {} of table {}: referenced", f.name, tn));
      if (f.columns.size() != f.ref_columns.size())
        fail(p, fmt::format("foreign key {} has {} columns but references {}", f.name, f.columns.size(), f.ref_columns.size()));
      if (!is_unique_key(*target, f.ref_columns))
        fail(p, fmt::format("foreign key {} references {}({}), which is neither its primary key nor a unique constraint",
                            f.name, to_string(f.ref_table), fmt::join(f.ref_columns, ", ")));
    }
    partitioning(ti, t);
  }

  // What PostgreSQL refuses of a sequence's values and owner. A sequence owned by the column
  // whose default calls it, with every value a serial's, is that serial: PostgreSQL cannot
  // tell them apart, so the model must say it the one way.
  void sequence_body(const element_ref& path, const sequence& q) {
    if (auto problem = sequence_problem(q)) fail(path, *problem);
    const std::string qn = to_string(q.name);
    for (const table& t : s_.tables)
      for (const column& c : t.columns)
        if (c.type.serial && t.name.schema == q.name.schema && q.name.name == t.name.name + "_" + c.name + "_seq")
          fail(path, fmt::format("sequence {} has the name of the sequence of serial column {}.{}", qn, to_string(t.name), c.name));
    if (!q.owned_by) return;
    const qualified_name owner{q.name.schema, q.owned_by->table};
    auto found = tables_.find(owner);
    if (found == tables_.end())
      fail(path, fmt::format("sequence {} is owned by unknown table {} (an owner is a table of the sequence's schema)", qn,
                             to_string(owner)));
    const column* c = find_column(*found->second, q.owned_by->column);
    if (!c) fail(path, fmt::format("sequence {} is owned by unknown column {}.{}", qn, to_string(owner), q.owned_by->column));
    if (c->server_default && !c->type.array && is_serial_sequence(q, to_string(c->type))) {
      const auto called = sequences_called(*c->server_default);
      if (std::find(called.begin(), called.end(), q.name) != called.end())
        fail(path, fmt::format("sequence {} owned by {}.{}, whose default calls it, is what a serial column is: declare "
                               "the column with type = \"{}\" instead (or give the sequence a value of its own)",
                               qn, to_string(owner), c->name,
                               c->type.kind == type_kind::smallint ? "smallserial"
                               : c->type.kind == type_kind::integer ? "serial"
                                                                    : "bigserial"));
    }
  }

  // A default's nextval('name') needs the sequence: PostgreSQL resolves the name when the default is set.
  void sequences_called_exist(const element_ref& cp, const table& t, const column& c) {
    if (!c.server_default) return;
    for (const qualified_name& q : sequences_called(*c.server_default)) {
      const bool declared = std::any_of(s_.sequences.begin(), s_.sequences.end(), [&](const sequence& x) { return x.name == q; });
      if (!declared)
        fail(cp, fmt::format("the default of column {}.{} calls nextval() of sequence {}, which the schema does not "
                             "declare (RETORT_SEQUENCE)",
                             to_string(t.name), c.name, to_string(q)));
    }
  }

  // A partitioned table's key columns exist, and every key PostgreSQL enforces across the
  // partitions (primary key, unique constraints, unique indexes) includes them.
  void partitioning(std::size_t ti, const table& t) {
    if (!t.partition) return;
    const std::string tn = to_string(t.name);
    const element_ref path{element_ref::kind::table, ti};
    columns_exist(path, t, t.partition->columns, "the partition key");
    if (t.partition->method == partition_method::list && t.partition->columns.size() != 1)
      fail(path, fmt::format("table {}: a LIST partition key has exactly one column", tn));
    for (const auto& name : t.partition->columns)
      if (find_column(t, name)->generated)
        fail(path, fmt::format("table {}: generated column {} cannot be in the partition key", tn, name));
    const auto refuse = [&](const element_ref& p, std::string_view what, const std::vector<std::string>& key) {
      const auto missing = missing_partition_columns(t, key);
      if (!missing.empty())
        fail(p, fmt::format("{} of partitioned table {} must include the partition key's column {} (PostgreSQL enforces "
                            "it in each partition, so it must contain the key)",
                            what, tn, fmt::join(missing, ", ")));
    };
    if (t.pk) refuse({element_ref::kind::primary_key, ti}, fmt::format("primary key {}", t.pk->name), t.pk->columns);
    for (std::size_t i = 0; i < t.uniques.size(); ++i)
      refuse({element_ref::kind::unique, ti, i}, fmt::format("unique constraint {}", t.uniques[i].name), t.uniques[i].columns);
    for (std::size_t i = 0; i < t.indexes.size(); ++i) {
      if (!t.indexes[i].unique) continue;
      std::vector<std::string> keys;
      for (const auto& k : t.indexes[i].columns)
        if (k.expression.empty()) keys.push_back(k.column);
      refuse({element_ref::kind::index, ti, i}, fmt::format("unique index {}", t.indexes[i].name), keys);
    }
    for (std::size_t i = 0; i < t.exclusions.size(); ++i)
      fail({element_ref::kind::exclusion, ti, i},
           fmt::format("exclusion constraint {}: PostgreSQL 15 cannot put an exclusion constraint on partitioned table {}",
                       t.exclusions[i].name, tn));
  }

  void view_body(const element_ref& path, const view& v) {
    const std::string vn = to_string(v.name);
    if (v.columns.empty()) fail(path, fmt::format("view {} has no columns", vn));
    if (v.query.empty()) fail(path, fmt::format("view {} has an empty query", vn));
    std::set<std::string> columns;
    for (const view_column& c : v.columns) {
      name(path, c.name);
      if (!columns.insert(c.name).second) fail(path, fmt::format("view {} has two columns named \"{}\"", vn, c.name));
      if (c.type.kind == type_kind::enum_type && !enums_.contains(c.type.enum_name))
        fail(path, fmt::format("column {}.{} uses unknown enum type {}", vn, c.name, to_string(c.type.enum_name)));
      if (c.type.serial) fail(path, fmt::format("column {}.{}: a view's column is not serial (write its integer type)", vn, c.name));
    }
    for (const qualified_name& r : v.reads)
      if (!tables_.contains(r) && std::none_of(s_.views.begin(), s_.views.end(), [&](const view& o) { return o.name == r; }))
        fail(path, fmt::format("view {} reads {}, which is neither a table nor a view of the schema", vn, to_string(r)));
    if (!v.materialized && !v.indexes.empty()) fail(path, fmt::format("view {} has indexes: only a materialized view can", vn));
    std::set<std::string> index_names;
    for (const index& ix : v.indexes) {
      name(path, ix.name);
      if (!index_names.insert(ix.name).second) fail(path, fmt::format("view {} has two indexes named \"{}\"", vn, ix.name));
      for (const auto& c : columns_named(ix))
        if (!columns.contains(c)) fail(path, fmt::format("index {} of view {} names unknown column \"{}\"", ix.name, vn, c));
    }
  }

  // A view is created after what it reads: the reads must not go round in a circle.
  void views_acyclic() {
    std::map<qualified_name, const view*> by_name;
    for (const view& v : s_.views) by_name.emplace(v.name, &v);
    std::map<qualified_name, int> state;  // 1: on the path, 2: done
    std::function<void(std::size_t, const view&)> visit = [&](std::size_t at, const view& v) {
      state[v.name] = 1;
      for (const qualified_name& r : v.reads) {
        auto it = by_name.find(r);
        if (it == by_name.end() || state[r] == 2) continue;
        if (state[r] == 1) fail({element_ref::kind::view, at}, fmt::format("view {} reads itself through {}", to_string(v.name), to_string(r)));
        visit(at, *it->second);
      }
      state[v.name] = 2;
    };
    for (std::size_t i = 0; i < s_.views.size(); ++i)
      element([&] {
        if (state[s_.views[i].name] == 0) visit(i, s_.views[i]);
      });
  }

  // What PostgreSQL refuses of a generated or serial column, and of a collation.
  void column_kind(const element_ref& cp, const std::string& tn, const column& c) {
    if (c.generated) {
      if (c.generated->empty()) fail(cp, fmt::format("generated column {}.{} has an empty expression", tn, c.name));
      if (c.server_default || c.identity != identity_kind::none || c.type.serial)
        fail(cp, fmt::format("generated column {}.{} cannot also have a default, an identity or a serial type", tn, c.name));
    }
    if (c.type.serial) {
      if (c.nullable) fail(cp, fmt::format("serial column {}.{} cannot be nullable (PostgreSQL makes it NOT NULL)", tn, c.name));
      if (c.server_default || c.identity != identity_kind::none)
        fail(cp, fmt::format("serial column {}.{} cannot also have a default or an identity: its default is its sequence", tn, c.name));
    }
    if (c.collation) {
      auto k = c.type.kind;
      const bool collatable = k == type_kind::text || k == type_kind::varchar || k == type_kind::character || k == type_kind::named;
      if (!collatable) fail(cp, fmt::format("column {}.{} of type {} cannot have a collation", tn, c.name, to_string(c.type)));
    }
  }

  const schema& s_;
  std::vector<validation_issue> issues_;
  std::map<qualified_name, const table*> tables_;
  std::set<qualified_name> enums_;
};

}  // namespace

std::string json_path(const element_ref& e) {
  using k = element_ref::kind;
  switch (e.what) {
    case k::schema: return fmt::format("schemas[{}]", e.index);
    case k::extension: return fmt::format("extensions[{}]", e.index);
    case k::enum_type: return fmt::format("enums[{}]", e.index);
    case k::enum_value: return fmt::format("enums[{}].values[{}]", e.index, e.member);
    case k::table: return fmt::format("tables[{}]", e.index);
    case k::column: return fmt::format("tables[{}].columns[{}]", e.index, e.member);
    case k::primary_key: return fmt::format("tables[{}].primary_key", e.index);
    case k::unique: return fmt::format("tables[{}].unique[{}]", e.index, e.member);
    case k::index: return fmt::format("tables[{}].indexes[{}]", e.index, e.member);
    case k::foreign_key: return fmt::format("tables[{}].foreign_keys[{}]", e.index, e.member);
    case k::check: return fmt::format("tables[{}].checks[{}]", e.index, e.member);
    case k::view: return fmt::format("views[{}]", e.index);
    case k::exclusion: return fmt::format("tables[{}].exclusions[{}]", e.index, e.member);
    case k::policy: return fmt::format("tables[{}].policies[{}]", e.index, e.member);
    case k::sequence: return fmt::format("sequences[{}]", e.index);
    case k::sql_object: return fmt::format("sql_objects[{}]", e.index);
  }
  return {};
}

std::vector<validation_issue> validation_issues(const schema& s) { return validator(s).run(); }

void validate(const schema& s) {
  auto issues = validation_issues(s);
  if (!issues.empty()) throw model_error(json_path(issues.front().element), issues.front().message);
  require_single_expressions(s);
}

}  // namespace retort
