// Model validation: every reference resolves, nothing is duplicated, every name fits
// PostgreSQL's limits. What passes here can be created in a database as it stands.
#include <algorithm>
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
      });
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
