// The introspector: pg_catalog queries turned into Retort's schema model. pg_catalog rather
// than information_schema: it is much faster and shows what the latter hides (index methods,
// partial index predicates, identity kinds).
#include "retort/pg/introspect.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <map>
#include <set>
#include <nlohmann/json.hpp>
#include <pqxx/pqxx>  // the implementation uses most of it; the header needs only the connection
#include <optional>
#include <string_view>
#include <utility>
#include <vector>

#include "retort/errors.hpp"

namespace retort::pg {
namespace {

// The tables Retort reads: ordinary and partitioned tables (not their partitions, which the
// model does not describe), outside PostgreSQL's own namespaces, not created by an extension.
// Schemas the caller excludes are filtered afterwards, by name.
constexpr std::string_view user_tables_cte = R"(
WITH user_tables AS (
  SELECT c.oid, n.nspname, c.relname
  FROM pg_catalog.pg_class c
  JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
  WHERE c.relkind IN ('r', 'p')
    AND NOT c.relispartition
    AND n.nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast')
    AND n.nspname NOT LIKE 'pg\_temp\_%'
    AND n.nspname NOT LIKE 'pg\_toast\_temp\_%'
    AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend d
                    WHERE d.classid = 'pg_catalog.pg_class'::pg_catalog.regclass
                      AND d.objid = c.oid AND d.deptype = 'e')
)
)";

constexpr std::string_view namespaces_query = R"(
SELECT n.nspname
FROM pg_catalog.pg_namespace n
WHERE n.nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast', 'public')
  AND n.nspname NOT LIKE 'pg\_temp\_%'
  AND n.nspname NOT LIKE 'pg\_toast\_temp\_%'
)";

// One row per enum value in sort order; an enum without values gives one row with NULL.
constexpr std::string_view enums_query = R"(
SELECT t.oid, n.nspname, t.typname, e.enumlabel
FROM pg_catalog.pg_type t
JOIN pg_catalog.pg_namespace n ON n.oid = t.typnamespace
LEFT JOIN pg_catalog.pg_enum e ON e.enumtypid = t.oid
WHERE t.typtype = 'e'
  AND n.nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast')
  AND n.nspname NOT LIKE 'pg\_temp\_%'
  AND n.nspname NOT LIKE 'pg\_toast\_temp\_%'
  AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend d
                  WHERE d.classid = 'pg_catalog.pg_type'::pg_catalog.regclass
                    AND d.objid = t.oid AND d.deptype = 'e')
ORDER BY t.oid, e.enumsortorder
)";

// Extensions outside pg_catalog (plpgsql, in every database, lives there). A version is
// reported only when it is not the one CREATE EXTENSION installs by default: what a model pins.
constexpr std::string_view extensions_query = R"(
SELECT e.extname, n.nspname, e.extversion, av.default_version
FROM pg_catalog.pg_extension e
JOIN pg_catalog.pg_namespace n ON n.oid = e.extnamespace
LEFT JOIN pg_catalog.pg_available_extensions av ON av.name = e.extname
WHERE n.nspname <> 'pg_catalog'
)";

// A partitioned table's key as pg_get_partkeydef() prints it ("RANGE (created_at)"); its
// partitions are not user_tables: left to the database, they are never drift.
constexpr std::string_view tables_query = R"(
SELECT ut.oid, ut.nspname, ut.relname, pg_catalog.obj_description(ut.oid, 'pg_class'),
       c.relrowsecurity, c.relforcerowsecurity,
       CASE WHEN c.relkind = 'p' THEN pg_catalog.pg_get_partkeydef(ut.oid) END
FROM user_tables ut
JOIN pg_catalog.pg_class c ON c.oid = ut.oid
)";

// Sequences outside PostgreSQL's namespaces, not an extension's, not an identity's (deptype
// 'i'), with the column that owns them (deptype 'a'). A serial's sequence is among them:
// read_columns recognises it and leaves it out.
constexpr std::string_view sequences_query = R"(
SELECT c.oid, n.nspname, c.relname, pg_catalog.format_type(s.seqtypid, NULL), s.seqincrement, s.seqstart, s.seqmin,
       s.seqmax, s.seqcache, s.seqcycle, tn.nspname, t.relname, a.attname
FROM pg_catalog.pg_class c
JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
JOIN pg_catalog.pg_sequence s ON s.seqrelid = c.oid
LEFT JOIN pg_catalog.pg_depend d ON d.classid = 'pg_catalog.pg_class'::pg_catalog.regclass AND d.objid = c.oid
     AND d.refclassid = 'pg_catalog.pg_class'::pg_catalog.regclass AND d.refobjsubid > 0 AND d.deptype IN ('a', 'i')
LEFT JOIN pg_catalog.pg_class t ON t.oid = d.refobjid
LEFT JOIN pg_catalog.pg_namespace tn ON tn.oid = t.relnamespace
LEFT JOIN pg_catalog.pg_attribute a ON a.attrelid = d.refobjid AND a.attnum = d.refobjsubid
WHERE c.relkind = 'S'
  AND (d.deptype IS NULL OR d.deptype = 'a')
  AND n.nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast')
  AND n.nspname NOT LIKE 'pg\_temp\_%'
  AND n.nspname NOT LIKE 'pg\_toast\_temp\_%'
  AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend e
                  WHERE e.classid = 'pg_catalog.pg_class'::pg_catalog.regclass
                    AND e.objid = c.oid AND e.deptype = 'e')
)";

// An identity column has no pg_attrdef row; the CASE keeps that true should it ever change.
// A generated column's pg_attrdef row holds its expression. `collation`: only one the column
// sets beside its type's default. The last column is the sequence the column owns (deptype 'a',
// as serial and OWNED BY make it; an identity's is 'i') when its default is nextval() of it: a
// serial when that sequence has a serial's values (read_columns decides), else a sequence object.
constexpr std::string_view columns_query = R"(
SELECT a.attrelid, a.attname,
       pg_catalog.format_type(a.atttypid, a.atttypmod),
       a.attnotnull, a.attidentity, a.attgenerated,
       CASE WHEN a.attidentity = '' THEN pg_catalog.pg_get_expr(d.adbin, d.adrelid) END,
       pg_catalog.col_description(a.attrelid, a.attnum),
       t.typtype, tn.nspname, t.typname,
       CASE WHEN a.attcollation <> t.typcollation THEN co.collname END,
       CASE WHEN d.oid IS NOT NULL AND pg_catalog.pg_get_expr(d.adbin, d.adrelid) LIKE 'nextval(%' THEN (
         SELECT own.objid FROM pg_catalog.pg_depend own
         JOIN pg_catalog.pg_depend used ON used.refclassid = 'pg_catalog.pg_class'::pg_catalog.regclass
              AND used.refobjid = own.objid AND used.classid = 'pg_catalog.pg_attrdef'::pg_catalog.regclass
              AND used.objid = d.oid
         WHERE own.classid = 'pg_catalog.pg_class'::pg_catalog.regclass
           AND own.refclassid = 'pg_catalog.pg_class'::pg_catalog.regclass
           AND own.refobjid = a.attrelid AND own.refobjsubid = a.attnum AND own.deptype = 'a'
         LIMIT 1) END
FROM user_tables ut
JOIN pg_catalog.pg_attribute a ON a.attrelid = ut.oid
JOIN pg_catalog.pg_type t ON t.oid = a.atttypid
JOIN pg_catalog.pg_namespace tn ON tn.oid = t.typnamespace
LEFT JOIN pg_catalog.pg_collation co ON co.oid = a.attcollation
LEFT JOIN pg_catalog.pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
WHERE a.attnum > 0 AND NOT a.attisdropped
ORDER BY a.attrelid, a.attnum
)";

// Column lists come back as JSON arrays, in key order, so that any name survives unharmed.
// conparentid <> 0 marks copies PostgreSQL makes for partitions of a referenced table.
constexpr std::string_view constraints_query = R"(
SELECT con.conrelid, con.conname, con.contype,
       (SELECT pg_catalog.json_agg(a.attname ORDER BY k.ord)
        FROM pg_catalog.unnest(con.conkey) WITH ORDINALITY AS k(attnum, ord)
        JOIN pg_catalog.pg_attribute a ON a.attrelid = con.conrelid AND a.attnum = k.attnum),
       rn.nspname, rc.relname,
       (SELECT pg_catalog.json_agg(a.attname ORDER BY k.ord)
        FROM pg_catalog.unnest(con.confkey) WITH ORDINALITY AS k(attnum, ord)
        JOIN pg_catalog.pg_attribute a ON a.attrelid = con.confrelid AND a.attnum = k.attnum),
       con.confdeltype, con.confupdtype,
       CASE WHEN con.contype = 'c' THEN pg_catalog.pg_get_expr(con.conbin, con.conrelid) END,
       con.condeferrable, con.condeferred
FROM user_tables ut
JOIN pg_catalog.pg_constraint con ON con.conrelid = ut.oid
LEFT JOIN pg_catalog.pg_class rc ON rc.oid = con.confrelid
LEFT JOIN pg_catalog.pg_namespace rn ON rn.oid = rc.relnamespace
WHERE con.contype IN ('p', 'u', 'f', 'c') AND con.conparentid = 0
)";

// Indexes that back a primary key, unique or exclusion constraint are described by that
// constraint. (conindid of a foreign key names the referenced table's index: not excluded.)
// Keys come back as JSON objects in key order: the column (NULL for an expression), the
// expression as pg_get_indexdef prints it, the operator class unless it is a default one, and
// indoption (1: DESC, 2: NULLS FIRST). indnullsnotdistinct is read through to_jsonb, so servers
// before PostgreSQL 15, which lack the column, read false.
constexpr std::string_view indexes_query = R"(
SELECT i.indrelid, ic.relname, i.indisunique, am.amname,
       pg_catalog.pg_get_expr(i.indpred, i.indrelid),
       (SELECT pg_catalog.json_agg(pg_catalog.json_build_object(
                 'column', a.attname,
                 'expression', CASE WHEN k.attnum = 0 THEN pg_catalog.pg_get_indexdef(i.indexrelid, k.ord::integer, true) END,
                 'opclass', CASE WHEN NOT oc.opcdefault THEN oc.opcname END,
                 'option', i.indoption[k.ord - 1]) ORDER BY k.ord)
        FROM pg_catalog.unnest(i.indkey::pg_catalog.int2[]) WITH ORDINALITY AS k(attnum, ord)
        LEFT JOIN pg_catalog.pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum AND k.attnum <> 0
        JOIN pg_catalog.pg_opclass oc ON oc.oid = i.indclass[k.ord - 1]
        WHERE k.ord <= i.indnkeyatts),
       (SELECT pg_catalog.json_agg(a.attname ORDER BY k.ord)
        FROM pg_catalog.unnest(i.indkey::pg_catalog.int2[]) WITH ORDINALITY AS k(attnum, ord)
        JOIN pg_catalog.pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum
        WHERE k.ord > i.indnkeyatts),
       COALESCE((pg_catalog.to_jsonb(i) ->> 'indnullsnotdistinct')::boolean, false),
       pg_catalog.array_to_json(ic.reloptions)
FROM user_tables ut
JOIN pg_catalog.pg_index i ON i.indrelid = ut.oid
JOIN pg_catalog.pg_class ic ON ic.oid = i.indexrelid
JOIN pg_catalog.pg_am am ON am.oid = ic.relam
WHERE NOT EXISTS (SELECT 1 FROM pg_catalog.pg_constraint con
                  WHERE con.conrelid = i.indrelid AND con.conindid = i.indexrelid
                    AND con.contype IN ('p', 'u', 'x'))
)";

// Views and materialized views, as user_tables is for tables (oid, nspname, relname), for the
// index query too. pg_get_viewdef prints the query as PostgreSQL stored it: the relations of
// other schemas than the first on search_path qualified, every column qualified by its relation.
constexpr std::string_view user_views_cte = R"(
WITH user_tables AS (
  SELECT c.oid, n.nspname, c.relname, c.relkind
  FROM pg_catalog.pg_class c
  JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
  WHERE c.relkind IN ('v', 'm')
    AND n.nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast')
    AND n.nspname NOT LIKE 'pg\_temp\_%'
    AND n.nspname NOT LIKE 'pg\_toast\_temp\_%'
    AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend d
                    WHERE d.classid = 'pg_catalog.pg_class'::pg_catalog.regclass
                      AND d.objid = c.oid AND d.deptype = 'e')
)
)";

constexpr std::string_view views_query = R"(
SELECT ut.oid, ut.nspname, ut.relname, ut.relkind = 'm', pg_catalog.pg_get_viewdef(ut.oid, true)
FROM user_tables ut
)";

constexpr std::string_view view_columns_query = R"(
SELECT a.attrelid, a.attname, pg_catalog.format_type(a.atttypid, a.atttypmod), t.typtype, tn.nspname, t.typname
FROM user_tables ut
JOIN pg_catalog.pg_attribute a ON a.attrelid = ut.oid
JOIN pg_catalog.pg_type t ON t.oid = a.atttypid
JOIN pg_catalog.pg_namespace tn ON tn.oid = t.typnamespace
WHERE a.attnum > 0 AND NOT a.attisdropped
ORDER BY a.attrelid, a.attnum
)";

// What each view reads: the relations its rewrite rule depends on, itself aside.
constexpr std::string_view view_reads_query = R"(
SELECT DISTINCT ut.oid, rn.nspname, r.relname
FROM user_tables ut
JOIN pg_catalog.pg_rewrite w ON w.ev_class = ut.oid
JOIN pg_catalog.pg_depend d ON d.classid = 'pg_catalog.pg_rewrite'::pg_catalog.regclass AND d.objid = w.oid
     AND d.refclassid = 'pg_catalog.pg_class'::pg_catalog.regclass AND d.refobjid <> ut.oid
JOIN pg_catalog.pg_class r ON r.oid = d.refobjid AND r.relkind IN ('r', 'p', 'v', 'm')
JOIN pg_catalog.pg_namespace rn ON rn.oid = r.relnamespace
)";

// Exclusion constraints with their index: the keys as indexes_query reads them, each with the
// operator of pg_constraint.conexclop at its position, the INCLUDE columns and the predicate.
constexpr std::string_view exclusions_query = R"(
SELECT con.conrelid, con.conname, am.amname,
       pg_catalog.pg_get_expr(i.indpred, i.indrelid),
       (SELECT pg_catalog.json_agg(pg_catalog.json_build_object(
                 'column', a.attname,
                 'expression', CASE WHEN k.attnum = 0 THEN pg_catalog.pg_get_indexdef(i.indexrelid, k.ord::integer, true) END,
                 'opclass', CASE WHEN NOT oc.opcdefault THEN oc.opcname END,
                 'option', i.indoption[k.ord - 1],
                 'operator', op.oprname) ORDER BY k.ord)
        FROM pg_catalog.unnest(i.indkey::pg_catalog.int2[]) WITH ORDINALITY AS k(attnum, ord)
        LEFT JOIN pg_catalog.pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum AND k.attnum <> 0
        JOIN pg_catalog.pg_opclass oc ON oc.oid = i.indclass[k.ord - 1]
        JOIN pg_catalog.pg_operator op ON op.oid = con.conexclop[k.ord]
        WHERE k.ord <= i.indnkeyatts),
       (SELECT pg_catalog.json_agg(a.attname ORDER BY k.ord)
        FROM pg_catalog.unnest(i.indkey::pg_catalog.int2[]) WITH ORDINALITY AS k(attnum, ord)
        JOIN pg_catalog.pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum
        WHERE k.ord > i.indnkeyatts),
       con.condeferrable, con.condeferred
FROM user_tables ut
JOIN pg_catalog.pg_constraint con ON con.conrelid = ut.oid AND con.contype = 'x' AND con.conparentid = 0
JOIN pg_catalog.pg_index i ON i.indexrelid = con.conindid
JOIN pg_catalog.pg_class ic ON ic.oid = i.indexrelid
JOIN pg_catalog.pg_am am ON am.oid = ic.relam
)";

// Row-level security policies; polroles holds 0 for PUBLIC, read as no roles.
constexpr std::string_view policies_query = R"(
SELECT p.polrelid, p.polname, p.polcmd, p.polpermissive,
       (SELECT pg_catalog.json_agg(pg_catalog.pg_get_userbyid(r.oid) ORDER BY pg_catalog.pg_get_userbyid(r.oid))
        FROM pg_catalog.unnest(p.polroles) AS r(oid) WHERE r.oid <> 0),
       pg_catalog.pg_get_expr(p.polqual, p.polrelid),
       pg_catalog.pg_get_expr(p.polwithcheck, p.polrelid)
FROM user_tables ut
JOIN pg_catalog.pg_policy p ON p.polrelid = ut.oid
)";

std::optional<std::string> optional_text(const pqxx::field& f) {
  if (f.is_null()) return std::nullopt;
  return f.as<std::string>();
}

std::vector<std::string> name_list(const pqxx::field& f) {
  if (f.is_null()) return {};
  return nlohmann::json::parse(f.c_str()).get<std::vector<std::string>>();
}

// The keys of indexes_query's JSON; a default order (ASC, NULLS LAST; DESC, NULLS FIRST) is left unset.
std::vector<index_key> index_keys(const pqxx::field& f) {
  std::vector<index_key> out;
  if (f.is_null()) return out;
  for (const auto& j : nlohmann::json::parse(f.c_str())) {
    index_key k = j["expression"].is_string() ? index_key::of_expression(j["expression"].get<std::string>())
                                              : index_key{j["column"].get<std::string>()};
    if (j["opclass"].is_string()) k.opclass = j["opclass"].get<std::string>();
    const int option = j["option"].get<int>();
    k.descending = (option & 1) != 0;
    if (const bool nulls_first = (option & 2) != 0; nulls_first != k.descending) k.nulls_first = nulls_first;
    out.push_back(std::move(k));
  }
  return out;
}

// The keys of exclusions_query's JSON with their operators.
std::vector<exclusion_element> exclusion_elements(const pqxx::field& f) {
  std::vector<exclusion_element> out;
  if (f.is_null()) return out;
  const std::vector<index_key> keys = index_keys(f);
  const auto j = nlohmann::json::parse(f.c_str());
  for (std::size_t k = 0; k < keys.size(); ++k) out.push_back({keys[k], j[k]["operator"].get<std::string>()});
  return out;
}

policy_command to_policy_command(const std::string& code, const std::string& name) {
  if (code == "*") return policy_command::all;
  if (code == "r") return policy_command::select;
  if (code == "a") return policy_command::insert;
  if (code == "w") return policy_command::update;
  if (code == "d") return policy_command::delete_;
  throw error(fmt::format("policy {} has an unknown command code '{}'", name, code));
}

fk_action to_fk_action(const std::string& code, const std::string& constraint) {
  for (const fk_action a : all_fk_actions)
    if (code.size() == 1 && code[0] == spelling(a).catalog_code) return a;
  throw error(fmt::format("foreign key {} has an unknown action code '{}'", constraint, code));
}

// Functions and procedures outside PostgreSQL's own namespaces, not an extension's, each as
// pg_get_functiondef prints it (aggregates and window functions have no such text).
constexpr std::string_view routines_query = R"(
SELECT n.nspname, pg_catalog.pg_get_functiondef(p.oid)
FROM pg_catalog.pg_proc p
JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace
WHERE p.prokind IN ('f', 'p')
  AND n.nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast')
  AND n.nspname NOT LIKE 'pg\_temp\_%'
  AND n.nspname NOT LIKE 'pg\_toast\_temp\_%'
  AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend d
                  WHERE d.classid = 'pg_catalog.pg_proc'::pg_catalog.regclass
                    AND d.objid = p.oid AND d.deptype = 'e')
ORDER BY p.oid
)";

// The user triggers of the user tables (not those behind foreign keys), as pg_get_triggerdef
// prints them: the table qualified, the function only when not on the search path, so the
// function's schema goes with it.
constexpr std::string_view triggers_query = R"(
SELECT ut.nspname, fn.nspname, pg_catalog.pg_get_triggerdef(t.oid)
FROM pg_catalog.pg_trigger t
JOIN user_tables ut ON ut.oid = t.tgrelid
JOIN pg_catalog.pg_proc p ON p.oid = t.tgfoid
JOIN pg_catalog.pg_namespace fn ON fn.oid = p.pronamespace
WHERE NOT t.tgisinternal
ORDER BY t.oid
)";

// Builds the schema from the catalog rows; tables are found again by oid.
class reader {
 public:
  reader(pqxx::transaction_base& tx, const introspect_options& options) : tx_(tx), options_(options) {}

  schema read() {
    read_namespaces();
    read_extensions();
    read_enums();
    read_tables();
    read_sequences();
    read_columns();
    read_constraints();
    read_indexes();
    read_views();
    read_exclusions();
    read_policies();
    for (auto& [oid, q] : sequences_)
      if (!serial_sequences_.contains(oid)) result_.sequences.push_back(std::move(q));
    read_sql_objects();
    sort_canonically(result_);
    std::sort(result_.schemas.begin(), result_.schemas.end());
    return std::move(result_);
  }

 private:
  [[nodiscard]] bool excluded(const std::string& nspname) const {
    return options_.exclude_schemas.contains(nspname) ||
           (!options_.only_schemas.empty() && !options_.only_schemas.contains(nspname));
  }

  pqxx::result query(std::string_view sql) { return tx_.exec(std::string{sql}); }
  pqxx::result table_query(std::string_view sql) { return tx_.exec(std::string{user_tables_cte} + std::string{sql}); }

  table* find(pqxx::oid relid) {
    const auto it = tables_.find(relid);
    return it == tables_.end() ? nullptr : &result_.tables[it->second];
  }

  void read_namespaces() {
    for (const auto& row : query(namespaces_query)) {
      auto name = row[0].as<std::string>();
      if (!excluded(name)) result_.schemas.push_back(std::move(name));
    }
  }

  void read_extensions() {
    for (const auto& row : query(extensions_query)) {
      extension e{row[0].as<std::string>(), row[1].as<std::string>(), std::nullopt};
      if (options_.exclude_schemas.contains(e.schema)) continue;
      const auto version = row[2].as<std::string>();
      if (row[3].is_null() || row[3].as<std::string>() != version) e.version = version;
      result_.extensions.push_back(std::move(e));
    }
  }

  void read_sql_objects() {
    if (!options_.read_sql_object) return;
    const auto add = [&](const std::string& schema, const std::string& text, const std::string& default_schema) {
      if (excluded(schema)) return;
      try {
        result_.sql_objects.push_back(options_.read_sql_object(text, default_schema));
      } catch (const error& e) {
        throw error(fmt::format("the database holds an object Retort cannot read back:\n{}\n{}", excerpt(text, 400), e.what()));
      }
    };
    for (const auto& row : query(routines_query)) add(row[0].as<std::string>(), row[1].as<std::string>(), row[0].as<std::string>());
    for (const auto& row : table_query(triggers_query))
      add(row[0].as<std::string>(), row[2].as<std::string>(), row[1].as<std::string>());
  }

  void read_enums() {
    pqxx::oid current = 0;
    for (const auto& row : query(enums_query)) {
      const auto oid = row[0].as<pqxx::oid>();
      auto nspname = row[1].as<std::string>();
      if (excluded(nspname)) continue;
      if (oid != current) {
        current = oid;
        result_.enums.push_back(enum_type{{std::move(nspname), row[2].as<std::string>()}, {}});
      }
      if (!row[3].is_null()) result_.enums.back().values.push_back(row[3].as<std::string>());
    }
  }

  void read_tables() {
    for (const auto& row : table_query(tables_query)) {
      auto nspname = row[1].as<std::string>();
      if (excluded(nspname)) continue;
      table t;
      t.name = {std::move(nspname), row[2].as<std::string>()};
      t.comment = optional_text(row[3]);
      t.rls = {row[4].as<bool>(), row[5].as<bool>()};
      if (!row[6].is_null()) {
        const auto key = row[6].as<std::string>();
        t.partition = parse_partition_key(key);
        if (!t.partition)
          throw error(fmt::format("table {} is partitioned by {}, which Retort cannot read (only column keys)",
                                  to_string(t.name), key));
      }
      tables_.emplace(row[0].as<pqxx::oid>(), result_.tables.size());
      result_.tables.push_back(std::move(t));
    }
  }

  void read_columns() {
    for (const auto& row : table_query(columns_query)) {
      table* t = find(row[0].as<pqxx::oid>());
      if (t == nullptr) continue;
      column c;
      c.name = row[1].as<std::string>();
      const auto type_text = row[2].as<std::string>();
      const auto where = [&] { return fmt::format("column {}.{}", to_string(t->name), c.name); };
      if (row[8].as<std::string>() == "e") {
        c.type.kind = type_kind::enum_type;
        c.type.enum_name = {row[9].as<std::string>(), row[10].as<std::string>()};
      } else {
        auto parsed = parse_type(type_text);
        if (!parsed) throw error(fmt::format("{} has type {}, which Retort cannot read", where(), type_text));
        c.type = std::move(*parsed);
      }
      c.nullable = !row[3].as<bool>();
      const auto identity = row[4].as<std::string>();
      c.identity = identity == "a"   ? identity_kind::always
                   : identity == "d" ? identity_kind::by_default
                                     : identity_kind::none;
      c.server_default = optional_text(row[6]);
      if (row[5].as<std::string>() == "s") c.generated = std::exchange(c.server_default, std::nullopt);
      const bool integer = !c.type.array && (c.type.kind == type_kind::smallint || c.type.kind == type_kind::integer ||
                                             c.type.kind == type_kind::bigint);
      if (!row[12].is_null() && integer) {
        const auto owned = row[12].as<pqxx::oid>();
        // What `serial` expands to, seen as the serial it was written as; with values of its
        // own, the sequence is an object and the default stays.
        if (auto q = sequences_.find(owned); q != sequences_.end() && is_serial_sequence(q->second, type_text)) {
          c.type.serial = true;
          c.server_default.reset();
          serial_sequences_.insert(owned);
        }
      }
      c.collation = optional_text(row[11]);
      c.comment = optional_text(row[7]);
      t->columns.push_back(std::move(c));
    }
  }

  void read_sequences() {
    for (const auto& row : query(sequences_query)) {
      sequence q;
      q.name = {row[1].as<std::string>(), row[2].as<std::string>()};
      if (excluded(q.name.schema)) continue;
      q.type = row[3].as<std::string>();
      q.increment = row[4].as<std::int64_t>();
      q.start = row[5].as<std::int64_t>();
      q.min_value = row[6].as<std::int64_t>();
      q.max_value = row[7].as<std::int64_t>();
      q.cache = row[8].as<std::int64_t>();
      q.cycle = row[9].as<bool>();
      // An owner is a column of a table in the sequence's schema (PostgreSQL requires it).
      if (!row[11].is_null()) q.owned_by = sequence_owner{row[11].as<std::string>(), row[12].as<std::string>()};
      sequences_.emplace(row[0].as<pqxx::oid>(), canonical(std::move(q)));
    }
  }

  void read_constraints() {
    for (const auto& row : table_query(constraints_query)) {
      table* t = find(row[0].as<pqxx::oid>());
      if (t == nullptr) continue;
      auto name = row[1].as<std::string>();
      const auto type = row[2].as<std::string>();
      const deferral deferrable = !row[10].as<bool>()  ? deferral::not_deferrable
                                  : row[11].as<bool>() ? deferral::initially_deferred
                                                       : deferral::initially_immediate;
      if (type == "p") {
        t->pk = primary_key{std::move(name), name_list(row[3])};
      } else if (type == "u") {
        t->uniques.push_back(unique_constraint{std::move(name), name_list(row[3]), deferrable});
      } else if (type == "f") {
        foreign_key fk;
        fk.deferrable = deferrable;
        fk.on_delete = to_fk_action(row[7].as<std::string>(), name);
        fk.on_update = to_fk_action(row[8].as<std::string>(), name);
        fk.name = std::move(name);
        fk.columns = name_list(row[3]);
        fk.ref_table = {row[4].as<std::string>(), row[5].as<std::string>()};
        fk.ref_columns = name_list(row[6]);
        t->foreign_keys.push_back(std::move(fk));
      } else if (type == "c") {
        t->checks.push_back(check_constraint{std::move(name), row[9].as<std::string>()});
      }
    }
  }

  void read_indexes() {
    for (const auto& row : table_query(indexes_query)) {
      table* t = find(row[0].as<pqxx::oid>());
      if (t == nullptr) continue;
      t->indexes.push_back(index_of(row));
    }
  }

  static index index_of(const pqxx::row& row) {
    index ix;
    ix.name = row[1].as<std::string>();
    ix.unique = row[2].as<bool>();
    ix.method = row[3].as<std::string>();
    ix.where = optional_text(row[4]);
    ix.columns = index_keys(row[5]);
    ix.include = name_list(row[6]);
    ix.nulls_not_distinct = row[7].as<bool>();
    ix.with = name_list(row[8]);
    std::sort(ix.with.begin(), ix.with.end());
    return ix;
  }

  pqxx::result view_query(std::string_view sql) { return tx_.exec(std::string{user_views_cte} + std::string{sql}); }

  // pg_get_viewdef's text without its blanks around and its closing semicolon.
  static std::string view_text(std::string text) {
    while (!text.empty() && (text.back() == ';' || std::isspace(static_cast<unsigned char>(text.back())))) text.pop_back();
    const auto start = text.find_first_not_of(" \n\t");
    return start == std::string::npos ? std::string() : text.substr(start);
  }

  // The queries are printed under an empty search_path, so that every relation, function and
  // operator outside pg_catalog comes back qualified whatever the session's path: what a query
  // names is then read the same way in every database (sql::query_key leaves out the view's own schema).
  void read_views() {
    std::map<pqxx::oid, view> found;
    const auto path = tx_.exec1("SELECT pg_catalog.current_setting('search_path')")[0].as<std::string>();
    tx_.exec("SELECT pg_catalog.set_config('search_path', '', true)");
    const pqxx::result views = view_query(views_query);
    tx_.exec_params("SELECT pg_catalog.set_config('search_path', $1, true)", path);
    for (const auto& row : views) {
      auto nspname = row[1].as<std::string>();
      if (excluded(nspname)) continue;
      view v;
      v.name = {std::move(nspname), row[2].as<std::string>()};
      v.materialized = row[3].as<bool>();
      v.query = view_text(row[4].as<std::string>());
      found.emplace(row[0].as<pqxx::oid>(), std::move(v));
    }
    for (const auto& row : view_query(view_columns_query)) {
      auto it = found.find(row[0].as<pqxx::oid>());
      if (it == found.end()) continue;
      view_column c{row[1].as<std::string>(), {}};
      if (row[3].as<std::string>() == "e") {
        c.type.kind = type_kind::enum_type;
        c.type.enum_name = {row[4].as<std::string>(), row[5].as<std::string>()};
      } else {
        const auto text = row[2].as<std::string>();
        auto parsed = parse_type(text);
        if (!parsed) throw error(fmt::format("column {}.{} has type {}, which Retort cannot read", to_string(it->second.name), c.name, text));
        c.type = std::move(*parsed);
      }
      it->second.columns.push_back(std::move(c));
    }
    for (const auto& row : view_query(view_reads_query))
      if (auto it = found.find(row[0].as<pqxx::oid>()); it != found.end())
        it->second.reads.push_back({row[1].as<std::string>(), row[2].as<std::string>()});
    for (const auto& row : view_query(indexes_query))
      if (auto it = found.find(row[0].as<pqxx::oid>()); it != found.end()) it->second.indexes.push_back(index_of(row));
    for (auto& [_, v] : found) result_.views.push_back(std::move(v));
  }

  void read_exclusions() {
    for (const auto& row : table_query(exclusions_query)) {
      table* t = find(row[0].as<pqxx::oid>());
      if (t == nullptr) continue;
      exclusion_constraint x;
      x.name = row[1].as<std::string>();
      x.method = row[2].as<std::string>();
      x.where = optional_text(row[3]);
      x.elements = exclusion_elements(row[4]);
      x.include = name_list(row[5]);
      x.deferrable = !row[6].as<bool>()  ? deferral::not_deferrable
                     : row[7].as<bool>() ? deferral::initially_deferred
                                         : deferral::initially_immediate;
      for (const auto& e : x.elements)
        if (!is_operator_name(e.op))
          throw error(fmt::format("exclusion constraint {} of table {} uses operator {}, which Retort cannot write",
                                  x.name, to_string(t->name), e.op));
      t->exclusions.push_back(std::move(x));
    }
  }

  void read_policies() {
    for (const auto& row : table_query(policies_query)) {
      table* t = find(row[0].as<pqxx::oid>());
      if (t == nullptr) continue;
      policy p;
      p.name = row[1].as<std::string>();
      p.command = to_policy_command(row[2].as<std::string>(), p.name);
      p.restrictive = !row[3].as<bool>();
      p.roles = name_list(row[4]);
      p.using_expression = optional_text(row[5]);
      p.check_expression = optional_text(row[6]);
      t->policies.push_back(std::move(p));
    }
  }

  pqxx::transaction_base& tx_;
  const introspect_options& options_;
  schema result_;
  std::map<pqxx::oid, std::size_t> tables_;  ///< table oid -> index in result_.tables
  std::map<pqxx::oid, sequence> sequences_;  ///< every sequence read, serials' too
  std::set<pqxx::oid> serial_sequences_;     ///< those that are a serial column's
};

std::string trimmed(std::string text) {
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
  return text;
}

}  // namespace

schema introspect(pqxx::connection& conn, const introspect_options& options) {
  try {
    // One snapshot for every query, so concurrent DDL cannot give a half-changed schema.
    pqxx::transaction<pqxx::repeatable_read, pqxx::read_only> tx{conn, "retort introspect"};
    auto result = reader{tx, options}.read();
    tx.commit();
    return result;
  } catch (const pqxx::sql_error& e) {
    throw database_error(fmt::format("cannot read the database schema: {}", trimmed(e.what())), e.sqlstate(),
                         e.query());
  } catch (const pqxx::broken_connection& e) {
    throw database_error(
        fmt::format("cannot read the database schema: the connection is broken ({})", trimmed(e.what())));
  } catch (const pqxx::pqxx_exception& e) {
    throw database_error(fmt::format("cannot read the database schema: {}", trimmed(e.base().what())));
  }
}

}  // namespace retort::pg
