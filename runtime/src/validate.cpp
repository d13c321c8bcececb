// Model validation: every reference resolves, nothing is duplicated, every name fits
// PostgreSQL's limits. What passes here can be created in a database as it stands.
#include <algorithm>
#include <map>
#include <set>

#include <fmt/format.h>

#include "retort/errors.hpp"
#include "retort/naming.hpp"
#include "retort/snapshot.hpp"

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

  void run() {
    std::set<std::string> schemas{"public"};
    for (std::size_t i = 0; i < s_.schemas.size(); ++i) {
      const std::string path = fmt::format("schemas[{}]", i);
      name(path, s_.schemas[i]);
      if (!schemas.insert(s_.schemas[i]).second) fail(path, fmt::format("duplicate schema \"{}\"", s_.schemas[i]));
    }
    // Tables, their indexes and enum types share one namespace per schema in PostgreSQL.
    std::map<qualified_name, std::string> relations;
    auto claim = [&](const std::string& path, const qualified_name& q, std::string what) {
      if (!schemas.contains(q.schema))
        fail(path, fmt::format("schema \"{}\" of {} {} is not declared", q.schema, what, to_string(q)));
      auto [it, fresh] = relations.emplace(q, what);
      if (!fresh) fail(path, fmt::format("{} {} has the same name as {} {}", what, to_string(q), it->second, to_string(q)));
    };
    for (std::size_t i = 0; i < s_.enums.size(); ++i) {
      const enum_type& e = s_.enums[i];
      const std::string path = fmt::format("enums[{}]", i);
      name(path, e.name.name);
      claim(path, e.name, "enum type");
      if (e.values.empty()) fail(path, fmt::format("enum {} has no values", to_string(e.name)));
      std::set<std::string> seen;
      for (std::size_t v = 0; v < e.values.size(); ++v) {
        name(fmt::format("{}.values[{}]", path, v), e.values[v]);
        if (!seen.insert(e.values[v]).second)
          fail(fmt::format("{}.values[{}]", path, v), fmt::format("enum {} has the value \"{}\" twice", to_string(e.name), e.values[v]));
      }
    }
    for (std::size_t i = 0; i < s_.tables.size(); ++i) {
      const table& t = s_.tables[i];
      const std::string path = fmt::format("tables[{}]", i);
      name(path, t.name.name);
      claim(path, t.name, "table");
      table_body(path, t);
      auto index_name = [&](const std::string& p, const std::string& n, std::string_view what) {
        claim(p, {t.name.schema, n}, fmt::format("{} of table {}", what, to_string(t.name)));
      };
      if (t.pk) index_name(path + ".primary_key", t.pk->name, "primary key");
      for (std::size_t k = 0; k < t.uniques.size(); ++k) index_name(fmt::format("{}.unique[{}]", path, k), t.uniques[k].name, "unique constraint");
      for (std::size_t k = 0; k < t.indexes.size(); ++k) index_name(fmt::format("{}.indexes[{}]", path, k), t.indexes[k].name, "index");
    }
  }

 private:
  [[noreturn]] void fail(const std::string& path, const std::string& message) { throw model_error(path, message); }

  void name(const std::string& path, const std::string& n) {
    if (auto problem = naming::identifier_problem(n)) fail(path, *problem);
  }

  void columns_exist(const std::string& path, const table& t, const std::vector<std::string>& cols, std::string_view what) {
    std::set<std::string> seen;
    for (const auto& c : cols) {
      if (!find_column(t, c)) fail(path, fmt::format("{} of table {} names unknown column \"{}\"", what, to_string(t.name), c));
      if (!seen.insert(c).second) fail(path, fmt::format("{} of table {} names column \"{}\" twice", what, to_string(t.name), c));
    }
  }

  void table_body(const std::string& path, const table& t) {
    const std::string tn = to_string(t.name);
    if (t.columns.empty()) fail(path, fmt::format("table {} has no columns", tn));
    std::set<std::string> columns;
    for (std::size_t i = 0; i < t.columns.size(); ++i) {
      const column& c = t.columns[i];
      const std::string cp = fmt::format("{}.columns[{}]", path, i);
      name(cp, c.name);
      if (!columns.insert(c.name).second) fail(cp, fmt::format("table {} has two columns named \"{}\"", tn, c.name));
      if (c.type.kind == type_kind::enum_type && !enums_.contains(c.type.enum_name))
        fail(cp, fmt::format("column {}.{} uses unknown enum type {}", tn, c.name, to_string(c.type.enum_name)));
      if (c.identity != identity_kind::none) {
        auto k = c.type.kind;
        if ((k != type_kind::smallint && k != type_kind::integer && k != type_kind::bigint) || c.type.array)
          fail(cp, fmt::format("identity column {}.{} must be smallint, integer or bigint", tn, c.name));
        if (c.nullable) fail(cp, fmt::format("identity column {}.{} cannot be nullable", tn, c.name));
        if (c.server_default) fail(cp, fmt::format("identity column {}.{} cannot also have a default", tn, c.name));
      }
    }
    std::set<std::string> constraint_names;
    auto unique_name = [&](const std::string& p, const std::string& n) {
      name(p, n);
      if (!constraint_names.insert(n).second) fail(p, fmt::format("table {} has two constraints or indexes named \"{}\"", tn, n));
    };
    if (t.pk) {
      unique_name(path + ".primary_key", t.pk->name);
      columns_exist(path + ".primary_key", t, t.pk->columns, "primary key");
      for (const auto& c : t.pk->columns)
        if (find_column(t, c)->nullable)
          fail(path + ".primary_key", fmt::format("primary key column {}.{} cannot be nullable", tn, c));
    }
    for (std::size_t i = 0; i < t.uniques.size(); ++i) {
      const std::string p = fmt::format("{}.unique[{}]", path, i);
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
      const std::string p = fmt::format("{}.indexes[{}]", path, i);
      unique_name(p, t.indexes[i].name);
      columns_exist(p, t, t.indexes[i].columns, fmt::format("index {}", t.indexes[i].name));
      static const std::set<std::string, std::less<>> methods{"btree", "hash", "gin", "gist", "brin", "spgist"};
      if (!methods.contains(t.indexes[i].method))
        fail(p, fmt::format("index {} uses unknown method \"{}\"", t.indexes[i].name, t.indexes[i].method));
    }
    for (std::size_t i = 0; i < t.checks.size(); ++i) {
      const std::string p = fmt::format("{}.checks[{}]", path, i);
      unique_name(p, t.checks[i].name);
      if (t.checks[i].expression.empty()) fail(p, fmt::format("check {} has an empty expression", t.checks[i].name));
    }
    for (std::size_t i = 0; i < t.foreign_keys.size(); ++i) {
      const foreign_key& f = t.foreign_keys[i];
      const std::string p = fmt::format("{}.foreign_keys[{}]", path, i);
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

  const schema& s_;
  std::map<qualified_name, const table*> tables_;
  std::set<qualified_name> enums_;
};

}  // namespace

void validate(const schema& s) { validator(s).run(); }

}  // namespace retort
