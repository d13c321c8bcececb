// The schema model: plain value types for everything Retort manages in a PostgreSQL
// database. The scanner produces it, snapshots and replay read and write it, diff compares two.
#pragma once

#include <array>
#include <compare>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace retort {

/// A schema-qualified name ("public"."users").
struct qualified_name {
  std::string schema = "public";
  std::string name;

  friend auto operator<=>(const qualified_name&, const qualified_name&) = default;
  friend bool operator==(const qualified_name&, const qualified_name&) = default;
};

/// "schema.name" for messages (not for SQL: the renderer quotes).
[[nodiscard]] std::string to_string(const qualified_name& q);

/// The built-in types Retort knows the structure of, then `enum_type` (a user enum), then
/// `named`: any other PostgreSQL type (an extension's, a range, tsvector, ...), known by the
/// spelling format_type() prints for it. `enum_type` and `named` stay last.
enum class type_kind {
  boolean, smallint, integer, bigint, real, double_precision, numeric,
  text, varchar, character, timestamptz, timestamp, date, time, interval,
  bytea, uuid, json, jsonb, inet, cidr, macaddr, enum_type, named,
};

/// A column's type: a kind plus its parameters.
struct column_type {
  type_kind kind = type_kind::text;
  std::optional<int> length;     ///< varchar(n), char(n)
  std::optional<int> precision;  ///< numeric(p[,s])
  std::optional<int> scale;      ///< numeric(p,s)
  qualified_name enum_name;      ///< when kind == enum_type
  std::string name;              ///< when kind == named: format_type()'s spelling without "[]" ("citext", "geometry(Point,4326)")
  bool array = false;            ///< T[] (not of a serial)
  bool serial = false;           ///< smallserial, serial, bigserial: the integer kind with an owned sequence as its default

  friend bool operator==(const column_type&, const column_type&) = default;
};

/// Canonical text of a type ("varchar(255)", "numeric(10,2)", "text[]", "bigserial", "int4range[]",
/// "geometry(Point,4326)"); enum types print as their qualified name.
[[nodiscard]] std::string to_string(const column_type& t);

/// What changing a column from one type to another does to its table.
enum class type_change {
  safe,       ///< a catalog update: no row is read or rewritten (varchar widened, varchar to text, ...)
  narrowing,  ///< the new type holds less: values may not fit, and the table is rewritten
  rewrite,    ///< every value fits, but the table is rewritten under ACCESS EXCLUSIVE (integer to bigint)
};
[[nodiscard]] type_change classify_type_change(const column_type& from, const column_type& to);

/// Parses a built-in type, accepting PostgreSQL's spellings and aliases
/// ("character varying(20)", "int8", "timestamp with time zone"). nullopt if unknown.
[[nodiscard]] std::optional<column_type> parse_builtin_type(std::string_view text);

/// Parses any type: a built-in one (parse_builtin_type), a serial, or else a named type in the
/// spelling format_type() prints, reached without a database: identifiers folded to lower case,
/// blanks normalised, PostgreSQL's aliases spelt out ("timestamptz(3)" is "timestamp(3) with time
/// zone", "varbit(8)" "bit varying(8)"); typmod words are kept as written ("geometry(Point,4326)").
/// nullopt when the text is not a type's syntax (only names, dots, blanks, one typmod list of
/// numbers and words, and trailing "[]"): nothing else can reach the SQL a type is written into.
[[nodiscard]] std::optional<column_type> parse_type(std::string_view text);

enum class identity_kind { none, always, by_default };
enum class fk_action { no_action, restrict, cascade, set_null, set_default };
/// Every foreign-key action, in declaration order.
inline constexpr std::array<fk_action, 5> all_fk_actions{fk_action::no_action, fk_action::restrict, fk_action::cascade,
                                                         fk_action::set_null, fk_action::set_default};

/// A foreign-key action's spellings, kept in this one place.
struct fk_action_spelling {
  std::string_view name;  ///< in annotations and migration files: "set_null"
  std::string_view sql;   ///< in SQL: "SET NULL"
  char catalog_code = 0;  ///< pg_constraint.confdeltype / confupdtype: 'n'
};

/// The spellings of `a` (a switch: an action without spellings is a -Wswitch warning).
[[nodiscard]] constexpr fk_action_spelling spelling(fk_action a) {
  switch (a) {
    case fk_action::no_action: return {"no_action", "NO ACTION", 'a'};
    case fk_action::restrict: return {"restrict", "RESTRICT", 'r'};
    case fk_action::cascade: return {"cascade", "CASCADE", 'c'};
    case fk_action::set_null: return {"set_null", "SET NULL", 'n'};
    case fk_action::set_default: return {"set_default", "SET DEFAULT", 'd'};
  }
  return {};
}

/// The index access methods PostgreSQL has built in; models and files may name these only.
inline constexpr std::array<std::string_view, 6> index_methods{"btree", "hash", "gin", "gist", "brin", "spgist"};

struct column {
  std::string name;
  column_type type;
  bool nullable = false;
  std::optional<std::string> server_default;  ///< SQL expression
  identity_kind identity = identity_kind::none;
  std::optional<std::string> comment;

  // Hints from the models, read by diff and never part of a database's state.
  std::vector<std::string> renamed_from;  ///< earlier names of this column
  std::optional<std::string> backfill;    ///< SQL expression filling existing rows when added NOT NULL
  std::optional<int> backfill_batch = std::nullopt;  ///< rows per transaction of that backfill (none: one UPDATE)

  // Database state again, last so that aggregate initializers written before them still fit.
  std::optional<std::string> generated = std::nullopt;  ///< GENERATED ALWAYS AS (expression) STORED
  std::optional<std::string> collation = std::nullopt;  ///< COLLATE "name" (none: the type's default)

  friend bool operator==(const column&, const column&) = default;
};

struct primary_key {
  std::string name;
  std::vector<std::string> columns;
  friend bool operator==(const primary_key&, const primary_key&) = default;
};

/// When PostgreSQL checks a unique or foreign-key constraint: at each statement (not
/// deferrable, the default), or deferrable, checked at commit from the start or after
/// `SET CONSTRAINTS ... DEFERRED`.
enum class deferral { not_deferrable, initially_immediate, initially_deferred };

/// The spelling of a deferral in annotations and files ("initially_deferred"); "" for the default.
[[nodiscard]] std::string_view to_string(deferral d);
/// The deferral spelled `text`; nullopt if none is.
[[nodiscard]] std::optional<deferral> deferral_named(std::string_view text);

struct unique_constraint {
  std::string name;
  std::vector<std::string> columns;
  deferral deferrable = deferral::not_deferrable;
  friend bool operator==(const unique_constraint&, const unique_constraint&) = default;
};

/// One key of an index: a column or an expression, with its operator class and sort order.
/// A plain column converts implicitly, so `{"a", "b"}` lists two column keys.
struct index_key {
  std::string column;      ///< the column; empty for an expression key
  std::string expression;  ///< as pg_get_indexdef(indexrelid, k, true) prints it ("lower(email::text)")
  std::optional<std::string> opclass;  ///< absent: the type's default operator class
  bool descending = false;
  std::optional<bool> nulls_first;     ///< absent: PostgreSQL's default (first when descending)

  index_key() = default;
  index_key(std::string column_name) : column(std::move(column_name)) {}  // NOLINT: implicit by design
  index_key(const char* column_name) : column(column_name) {}              // NOLINT: implicit by design
  /// An expression key.
  [[nodiscard]] static index_key of_expression(std::string expression);
  /// A key that is a plain column with no opclass or order: JSON writes it as a string.
  [[nodiscard]] bool is_plain_column() const;
  friend bool operator==(const index_key&, const index_key&) = default;
};

struct index {
  std::string name;
  std::vector<index_key> columns;  ///< the keys, in order
  bool unique = false;
  std::optional<std::string> where;  ///< partial index predicate
  std::string method = "btree";
  std::vector<std::string> include;  ///< INCLUDE columns, carried but not keys
  bool nulls_not_distinct = false;   ///< NULLS NOT DISTINCT (unique, PostgreSQL 15)
  std::vector<std::string> with;     ///< storage parameters as pg_class.reloptions spells them ("fillfactor=70"), sorted
  friend bool operator==(const index&, const index&) = default;
};

/// The columns an index names as plain keys and INCLUDE columns (expressions are opaque SQL).
[[nodiscard]] std::vector<std::string> columns_named(const index& i);
/// The key columns when every key is a plain column with no opclass or order; nullopt otherwise.
[[nodiscard]] std::optional<std::vector<std::string>> plain_key_columns(const index& i);

struct foreign_key {
  std::string name;
  std::vector<std::string> columns;
  qualified_name ref_table;
  std::vector<std::string> ref_columns;
  fk_action on_delete = fk_action::no_action;
  fk_action on_update = fk_action::no_action;
  deferral deferrable = deferral::not_deferrable;
  friend bool operator==(const foreign_key&, const foreign_key&) = default;
};

struct check_constraint {
  std::string name;
  std::string expression;
  friend bool operator==(const check_constraint&, const check_constraint&) = default;
};

/// One element of an exclusion constraint: a key as an index has it (a column or an expression,
/// its operator class and order) and the operator two rows' values are compared with.
struct exclusion_element {
  index_key key;
  std::string op;  ///< as pg_operator.oprname spells it: "=", "&&"
  friend bool operator==(const exclusion_element&, const exclusion_element&) = default;
};

/// EXCLUDE USING gist (room WITH =, during WITH &&): no two rows whose elements all compare
/// true under their operators. Backed by an index of its name, like a unique constraint.
struct exclusion_constraint {
  std::string name;
  std::vector<exclusion_element> elements;
  std::string method = "gist";
  std::vector<std::string> include;  ///< INCLUDE columns
  std::optional<std::string> where;  ///< a partial constraint's predicate
  deferral deferrable = deferral::not_deferrable;
  friend bool operator==(const exclusion_constraint&, const exclusion_constraint&) = default;
};

/// The columns an exclusion constraint names as plain keys and INCLUDE columns.
[[nodiscard]] std::vector<std::string> columns_named(const exclusion_constraint& x);

/// Whether `op` is an operator's name: 1 to 63 of PostgreSQL's operator characters
/// (+ - * / < > = ~ ! @ # % ^ & | ` ?), so it can be written into SQL as it is.
[[nodiscard]] bool is_operator_name(std::string_view op);

/// The commands a row-level security policy applies to.
enum class policy_command { all, select, insert, update, delete_ };
/// Every policy command, in declaration order.
inline constexpr std::array<policy_command, 5> all_policy_commands{policy_command::all, policy_command::select,
                                                                   policy_command::insert, policy_command::update,
                                                                   policy_command::delete_};
/// "all", "select", ...: the spelling in annotations and files (SQL's in upper case).
[[nodiscard]] std::string_view to_string(policy_command c);
/// The command spelled `text`; nullopt if none is.
[[nodiscard]] std::optional<policy_command> policy_command_named(std::string_view text);

/// CREATE POLICY: which rows a role sees (USING) and may write (WITH CHECK) once row-level
/// security is enabled on the table.
struct policy {
  std::string name;
  policy_command command = policy_command::all;
  bool restrictive = false;                    ///< AS RESTRICTIVE (default PERMISSIVE)
  std::vector<std::string> roles;              ///< sorted; empty: PUBLIC
  std::optional<std::string> using_expression;  ///< USING (...): the existing rows it lets through
  std::optional<std::string> check_expression;  ///< WITH CHECK (...): the new rows it lets through
  friend bool operator==(const policy&, const policy&) = default;
};

/// What PostgreSQL refuses in a policy (a SELECT or DELETE policy with WITH CHECK, an INSERT
/// policy with USING, an empty expression or role), or nullopt.
[[nodiscard]] std::optional<std::string> policy_problem(const policy& p);

/// Whether a policy can be changed into another in place (ALTER POLICY): the same command and
/// kind, and the same expressions present (ALTER POLICY sets an expression, never removes one).
[[nodiscard]] bool alterable(const policy& from, const policy& to);

/// ALTER TABLE ... ENABLE / FORCE ROW LEVEL SECURITY.
struct row_security {
  bool enabled = false;  ///< the table's policies apply (to every role but its owner and superusers)
  bool forced = false;   ///< to its owner too
  friend bool operator==(const row_security&, const row_security&) = default;
};

/// How a partitioned table splits its rows (PARTITION BY): the partitions themselves are left to
/// the database (the application, pg_partman or an sql step creates them); Retort neither
/// creates nor reads them.
enum class partition_method { range, list, hash };

/// A partition key: its method and its columns (expressions are not supported).
struct partition_key {
  partition_method method = partition_method::range;
  std::vector<std::string> columns;
  friend bool operator==(const partition_key&, const partition_key&) = default;
};

/// The key as pg_get_partkeydef() prints it: "RANGE (created_at)", `"Mixed Case"` quoted.
[[nodiscard]] std::string to_string(const partition_key& k);
/// Reads `range (created_at)`, `LIST (region)`, `hash (a, "B")` (the method in any case, bare
/// names folded to lower case); nullopt for anything else (an expression key).
[[nodiscard]] std::optional<partition_key> parse_partition_key(std::string_view text);

struct table {
  qualified_name name;
  std::vector<column> columns;  ///< physical order; diff ignores order
  std::optional<primary_key> pk;
  std::vector<unique_constraint> uniques;  ///< sorted by name
  std::vector<index> indexes;              ///< sorted by name
  std::vector<foreign_key> foreign_keys;   ///< sorted by name
  std::vector<check_constraint> checks;    ///< sorted by name
  std::optional<std::string> comment;
  std::vector<qualified_name> renamed_from;  ///< hint: earlier names of this table
  std::optional<partition_key> partition = std::nullopt;  ///< PARTITION BY: a partitioned table

  // Later additions, defaulted so that aggregate initializers written before them still fit.
  std::vector<exclusion_constraint> exclusions = {};  ///< sorted by name
  row_security rls = {};
  std::vector<policy> policies = {};  ///< sorted by name

  friend bool operator==(const table&, const table&) = default;
};

struct enum_type {
  qualified_name name;
  std::vector<std::string> values;  ///< declaration order is the sort order
  /// Hint from the models, read by diff and never part of a database's state: the earlier
  /// labels of a value (value -> labels), so a relabelled value is a rename, not drop + add.
  std::map<std::string, std::vector<std::string>> renamed_values = {};
  friend bool operator==(const enum_type&, const enum_type&) = default;
};

/// An extension (CREATE EXTENSION): its objects are the extension's, not the schema's.
struct extension {
  std::string name;
  std::string schema = "public";       ///< where its objects live
  std::optional<std::string> version;  ///< pinned; none: the server's default version
  friend bool operator==(const extension&, const extension&) = default;
};

/// The column of a table that owns a sequence (OWNED BY): the table is in the sequence's schema,
/// and dropping the column drops the sequence.
struct sequence_owner {
  std::string table;
  std::string column;
  friend auto operator<=>(const sequence_owner&, const sequence_owner&) = default;
  friend bool operator==(const sequence_owner&, const sequence_owner&) = default;
};

/// A sequence (CREATE SEQUENCE) declared as an object of its own. Values PostgreSQL would choose
/// by itself are left unset (canonical()), so a model, a file and a database read back compare
/// equal. A serial column's sequence is part of the column, never one of these.
struct sequence {
  qualified_name name;
  std::string type = "bigint";            ///< AS: smallint, integer or bigint
  std::int64_t increment = 1;
  std::optional<std::int64_t> start;      ///< none: the minimum ascending, the maximum descending
  std::optional<std::int64_t> min_value;  ///< none: 1 ascending, the type's minimum descending
  std::optional<std::int64_t> max_value;  ///< none: the type's maximum ascending, -1 descending
  std::int64_t cache = 1;
  bool cycle = false;
  std::optional<sequence_owner> owned_by = std::nullopt;
  friend bool operator==(const sequence&, const sequence&) = default;
};

/// The sequence with every value equal to PostgreSQL's default for it left unset.
[[nodiscard]] sequence canonical(sequence s);
/// The sequence's first value: its start, or PostgreSQL's default for it.
[[nodiscard]] std::int64_t start_value(const sequence& s);
/// What PostgreSQL would refuse in the sequence's values (a zero increment, a start outside the
/// bounds, bounds outside the type, ...); nullopt when it accepts them.
[[nodiscard]] std::optional<std::string> sequence_problem(const sequence& s);
/// Whether `s` is what a serial column of type `column_type` ("integer") creates: every value
/// the default and the same integer type. Such a sequence owned by its column is the column's.
[[nodiscard]] bool is_serial_sequence(const sequence& s, std::string_view column_type);
/// The sequences a default calls nextval() of, in `nextval('name'::regclass)` (or without the
/// cast), unqualified names in `public`.
[[nodiscard]] std::vector<qualified_name> sequences_called(std::string_view expression);
/// A default that is one `nextval('[schema.]name')` call, in the spelling pg_get_expr() prints
/// (`nextval('invoice_numbers'::regclass)`, `public.` left out); any other expression unchanged.
[[nodiscard]] std::string canonical_nextval(std::string expression);

/// Why a named type cannot be used with these extensions declared: not a PostgreSQL built-in
/// type, and no declared extension provides it (with a near name as a hint). nullopt when it
/// can: a built-in name, a type of a declared extension, or any name once an extension Retort
/// knows no types of is declared. Other kinds are always fine.
[[nodiscard]] std::optional<std::string> unknown_type_problem(const column_type& t, const std::vector<extension>& declared);

/// The extension that provides a named type, among the ones Retort knows the types of
/// ("citext" for citext, "postgis" for geometry(Point,4326)); nullopt for any other type.
[[nodiscard]] std::optional<std::string_view> extension_of_type(const column_type& t);

/// The type names unknown_type_problem accepts without an extension, for did-you-mean hints.
[[nodiscard]] std::vector<std::string_view> builtin_type_names();

/// A column of a view: its name and the type PostgreSQL gives the query's output there.
struct view_column {
  std::string name;
  column_type type;
  friend bool operator==(const view_column&, const view_column&) = default;
};

/// A view or materialized view: a named query. Its query names the relations of its own schema
/// unqualified (Retort pins search_path to that schema while it creates the view; PostgreSQL
/// resolves the names then, once) and those of other schemas qualified.
struct view {
  qualified_name name;
  std::vector<view_column> columns;  ///< in order: CREATE VIEW name (columns...) AS query
  std::string query;                 ///< SELECT ..., as the scanner normalized it (or pg_get_viewdef printed it)
  std::vector<qualified_name> reads;  ///< the tables and views the query reads, sorted: what it is created after
  bool materialized = false;
  std::vector<index> indexes;  ///< a materialized view's, sorted by name
  friend bool operator==(const view&, const view&) = default;
};

/// What an SQL object (one file of SQL_OBJECTS) creates.
enum class sql_object_kind { function, procedure, trigger };
/// Its spelling in snapshots and migration files ("function").
[[nodiscard]] std::string_view to_string(sql_object_kind k);
/// The kind spelled `text`; nullopt if none is.
[[nodiscard]] std::optional<sql_object_kind> sql_object_kind_named(std::string_view text);

/// A function, procedure or trigger kept as its SQL (Flyway's repeatable migrations, but
/// replayable): compared by `definition`, the statement as libpg_query's deparser prints it with
/// the names it creates and uses qualified and quoted. Read by retort::sql::read_sql_object.
struct sql_object {
  sql_object_kind kind = sql_object_kind::function;
  qualified_name name;       ///< a trigger's schema is its table's
  std::string arguments;     ///< function, procedure: the input argument types that identify it ("integer, text")
  qualified_name table;      ///< trigger: the table it is on
  qualified_name function;   ///< trigger: the function it executes
  std::string header;        ///< function, procedure: name, parameters and result, which CREATE OR REPLACE cannot change
  std::string definition;    ///< the CREATE statement, normalized
  friend bool operator==(const sql_object&, const sql_object&) = default;
};

/// "function public.touch()", "trigger trg_users_touch on public.users" for messages.
[[nodiscard]] std::string to_string(const sql_object& o);
/// Whether `a` and `b` are the same object in PostgreSQL (kind, name and arguments; a trigger's table),
/// whatever their definitions.
[[nodiscard]] bool same_object(const sql_object& a, const sql_object& b);

/// A whole database schema as Retort sees it.
struct schema {
  std::vector<std::string> schemas;  ///< namespaces besides "public", sorted
  std::vector<enum_type> enums;      ///< sorted by name
  std::vector<table> tables;         ///< sorted by name
  std::vector<extension> extensions;  ///< sorted by name
  std::vector<view> views;            ///< sorted by name
  std::vector<sequence> sequences = {};  ///< sorted by name
  std::vector<sql_object> sql_objects = {};  ///< functions, procedures, triggers; sorted by kind, name, arguments, table

  friend bool operator==(const schema&, const schema&) = default;
};

/// An element of a schema, by its place in the schema's vectors as they are (validation does
/// not sort): what a validation issue is about.
struct element_ref {
  enum class kind { schema, extension, enum_type, enum_value, table, column, primary_key, unique, index, foreign_key, check, view,
                    exclusion, policy, sequence, sql_object };
  kind what = kind::table;
  std::size_t index = 0;   ///< into schemas, extensions, enums, tables, views, sequences or sql_objects
  std::size_t member = 0;  ///< into the table's columns, uniques, indexes, foreign keys, checks, exclusions or policies; the enum's values
  friend bool operator==(const element_ref&, const element_ref&) = default;
};

/// The element's JSON path in a snapshot ("tables[3].columns[2]").
[[nodiscard]] std::string json_path(const element_ref& e);

// Lookups; nullptr when absent. Tables and enums by binary search: `s` must be sorted
// canonically (sort_canonically; replay and read_snapshot leave it so). Columns keep their
// declared order and are searched in it.
[[nodiscard]] const table* find_table(const schema& s, const qualified_name& n);
[[nodiscard]] table* find_table(schema& s, const qualified_name& n);
[[nodiscard]] const enum_type* find_enum(const schema& s, const qualified_name& n);
[[nodiscard]] enum_type* find_enum(schema& s, const qualified_name& n);
[[nodiscard]] const extension* find_extension(const schema& s, std::string_view name);
[[nodiscard]] extension* find_extension(schema& s, std::string_view name);
[[nodiscard]] const sequence* find_sequence(const schema& s, const qualified_name& n);
[[nodiscard]] sequence* find_sequence(schema& s, const qualified_name& n);
[[nodiscard]] const column* find_column(const table& t, std::string_view name);
[[nodiscard]] column* find_column(table& t, std::string_view name);
[[nodiscard]] const view* find_view(const schema& s, const qualified_name& n);
[[nodiscard]] view* find_view(schema& s, const qualified_name& n);
/// The views of `s` that read `relation` (a table or a view), in name order.
[[nodiscard]] std::vector<const view*> views_reading(const schema& s, const qualified_name& relation);
/// The object of `s` that is `like` (same_object), whatever its definition.
[[nodiscard]] const sql_object* find_sql_object(const schema& s, const sql_object& like);

/// Sorts every name-ordered collection (columns keep their order).
void sort_canonically(schema& s);

/// The element without the diff hints (renamed_from, backfill) that only models carry.
[[nodiscard]] column without_hints(column c);
[[nodiscard]] table without_hints(table t);
[[nodiscard]] enum_type without_hints(enum_type e);
[[nodiscard]] schema without_hints(schema s);

/// The schema without diff hints and with columns sorted by name: two schemas that a
/// database cannot tell apart compare equal after this.
[[nodiscard]] schema comparable(schema s);
/// Whether a database could tell the two tables apart (comparable() of each alone).
[[nodiscard]] bool comparable_equal(const table& a, const table& b);

/// Whether `columns` (in any order) are the primary key, a unique constraint or a non-partial
/// unique index of `t`: what a foreign key may reference.
[[nodiscard]] bool is_unique_key(const table& t, const std::vector<std::string>& columns);

/// The columns a primary key, unique constraint or unique index of a partitioned table must
/// include and does not (PostgreSQL: "must include all partitioning columns"); empty when fine.
[[nodiscard]] std::vector<std::string> missing_partition_columns(const table& t, const std::vector<std::string>& key);

/// Names of all constraints and indexes of a table (they share one namespace per schema
/// in PostgreSQL for indexes; constraint names must be unique per table).
[[nodiscard]] std::vector<std::string> constraint_and_index_names(const table& t);

}  // namespace retort
