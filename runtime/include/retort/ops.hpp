// Every kind of schema change Retort knows, as plain data. Diff produces them, replay applies
// them to a schema, the PostgreSQL renderer turns them into SQL, migration files store them.
// A destructive operation carries the whole object it removes, so its inverse needs nothing else.
#pragma once

#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "retort/schema.hpp"

namespace retort::ops {

/// CreateSchema describes a new namespace.
struct create_schema {
  static constexpr std::string_view kind = "create_schema";
  std::string name;
  friend bool operator==(const create_schema&, const create_schema&) = default;
};
/// DropSchema removes an empty namespace.
struct drop_schema {
  static constexpr std::string_view kind = "drop_schema";
  std::string name;
  friend bool operator==(const drop_schema&, const drop_schema&) = default;
};

/// CreateExtension describes an extension to create (before the first object that uses it).
struct create_extension {
  static constexpr std::string_view kind = "create_extension";
  extension def;
  friend bool operator==(const create_extension&, const create_extension&) = default;
};
/// DropExtension removes an extension nothing uses any more (after the last object that did).
struct drop_extension {
  static constexpr std::string_view kind = "drop_extension";
  extension def;
  friend bool operator==(const drop_extension&, const drop_extension&) = default;
};
/// AlterExtension moves an extension to another schema and/or version.
struct alter_extension {
  static constexpr std::string_view kind = "alter_extension";
  extension from, to;
  friend bool operator==(const alter_extension&, const alter_extension&) = default;
};

/// CreateSequence describes a sequence to create (before the defaults that call it), with its
/// owner when that column exists already (else an alter_sequence sets it once it does).
struct create_sequence {
  static constexpr std::string_view kind = "create_sequence";
  sequence def;
  friend bool operator==(const create_sequence&, const create_sequence&) = default;
};
/// DropSequence removes a sequence no default calls and no column owns (its value is lost).
struct drop_sequence {
  static constexpr std::string_view kind = "drop_sequence";
  sequence def;
  friend bool operator==(const drop_sequence&, const drop_sequence&) = default;
};
/// AlterSequence changes a sequence's options and owner; its current value is left as it is.
struct alter_sequence {
  static constexpr std::string_view kind = "alter_sequence";
  sequence from, to;
  friend bool operator==(const alter_sequence&, const alter_sequence&) = default;
};

/// CreateEnum describes a new enum type with its values.
struct create_enum {
  static constexpr std::string_view kind = "create_enum";
  enum_type type;
  friend bool operator==(const create_enum&, const create_enum&) = default;
};
/// DropEnum removes an enum type no column uses.
struct drop_enum {
  static constexpr std::string_view kind = "drop_enum";
  enum_type type;
  friend bool operator==(const drop_enum&, const drop_enum&) = default;
};
/// AddEnumValue inserts a value before `before`, or at the end when `before` is empty.
struct add_enum_value {
  static constexpr std::string_view kind = "add_enum_value";
  qualified_name type;
  std::string value;
  std::optional<std::string> before;
  friend bool operator==(const add_enum_value&, const add_enum_value&) = default;
};
/// DropEnumValue removes a value (PostgreSQL cannot: the type is rebuilt); rows holding it fail.
struct drop_enum_value {
  static constexpr std::string_view kind = "drop_enum_value";
  qualified_name type;
  std::string value;
  std::optional<std::string> before;  ///< where it stood, so the inverse puts it back there
  friend bool operator==(const drop_enum_value&, const drop_enum_value&) = default;
};

/// RenameEnumValue relabels a value in place (ALTER TYPE ... RENAME VALUE): rows keep it.
struct rename_enum_value {
  static constexpr std::string_view kind = "rename_enum_value";
  qualified_name type;
  std::string from, to;
  friend bool operator==(const rename_enum_value&, const rename_enum_value&) = default;
};

/// CreateTable describes a new table with its columns, keys, checks and indexes (foreign keys come separately).
struct create_table {
  static constexpr std::string_view kind = "create_table";
  table def;
  friend bool operator==(const create_table&, const create_table&) = default;
};
/// DropTable removes a table that has no foreign keys left in or out.
struct drop_table {
  static constexpr std::string_view kind = "drop_table";
  table def;
  friend bool operator==(const drop_table&, const drop_table&) = default;
};
/// RenameTable moves a table to a new name and/or schema.
struct rename_table {
  static constexpr std::string_view kind = "rename_table";
  qualified_name from;
  qualified_name to;
  friend bool operator==(const rename_table&, const rename_table&) = default;
};
/// SetTableComment changes a table's comment.
struct set_table_comment {
  static constexpr std::string_view kind = "set_table_comment";
  qualified_name table;
  std::optional<std::string> from, to;
  friend bool operator==(const set_table_comment&, const set_table_comment&) = default;
};

/// AddColumn describes a column creation.
struct add_column {
  static constexpr std::string_view kind = "add_column";
  qualified_name table;
  column def;
  friend bool operator==(const add_column&, const add_column&) = default;
};
/// DropColumn removes a column no constraint or index uses.
struct drop_column {
  static constexpr std::string_view kind = "drop_column";
  qualified_name table;
  column def;
  friend bool operator==(const drop_column&, const drop_column&) = default;
};
/// RenameColumn renames a column in place.
struct rename_column {
  static constexpr std::string_view kind = "rename_column";
  qualified_name table;
  std::string from, to;
  friend bool operator==(const rename_column&, const rename_column&) = default;
};

/// What an alter_column changes (a bit mask).
enum column_change : unsigned {
  change_type = 1u << 0,
  change_nullable = 1u << 1,
  change_default = 1u << 2,
  change_identity = 1u << 3,
  change_comment = 1u << 4,
  change_collation = 1u << 5,
};
/// AlterColumn changes a column's attributes from `from` to `to` (same name). Only the attributes
/// in `changes` count: a migration file states those alone, and the consumers take the rest from
/// the column as it is (completed()).
struct alter_column {
  static constexpr std::string_view kind = "alter_column";
  qualified_name table;
  column from, to;
  unsigned changes = 0;  ///< column_change bits
  /// Equal when they alter the same column's same attributes the same way.
  friend bool operator==(const alter_column& a, const alter_column& b);
};
/// `o` over the column as it is before it (`current`): `from` is `current` (without hints), `to`
/// is `current` with the attributes in `changes` taken from `o.to`.
[[nodiscard]] alter_column completed(const alter_column& o, const column& current);
/// The attribute in `changes` in which `a` and `b` differ first ("type", ...), or empty.
[[nodiscard]] std::string_view changed_attribute_mismatch(const column& a, const column& b, unsigned changes);
/// BackfillColumn fills NULLs of a column with an expression (data only; no inverse), at once
/// or `batch` rows per transaction.
struct backfill_column {
  static constexpr std::string_view kind = "backfill_column";
  qualified_name table;
  std::string column;
  std::string expression;
  std::optional<int> batch = std::nullopt;
  friend bool operator==(const backfill_column&, const backfill_column&) = default;
};

/// AddPrimaryKey / DropPrimaryKey.
struct add_primary_key {
  static constexpr std::string_view kind = "add_primary_key";
  qualified_name table;
  primary_key def;
  friend bool operator==(const add_primary_key&, const add_primary_key&) = default;
};
struct drop_primary_key {
  static constexpr std::string_view kind = "drop_primary_key";
  qualified_name table;
  primary_key def;
  friend bool operator==(const drop_primary_key&, const drop_primary_key&) = default;
};
/// AddUnique / DropUnique: a unique constraint.
struct add_unique {
  static constexpr std::string_view kind = "add_unique";
  qualified_name table;
  unique_constraint def;
  friend bool operator==(const add_unique&, const add_unique&) = default;
};
struct drop_unique {
  static constexpr std::string_view kind = "drop_unique";
  qualified_name table;
  unique_constraint def;
  friend bool operator==(const drop_unique&, const drop_unique&) = default;
};
/// AddCheck / DropCheck: a check constraint.
struct add_check {
  static constexpr std::string_view kind = "add_check";
  qualified_name table;
  check_constraint def;
  friend bool operator==(const add_check&, const add_check&) = default;
};
struct drop_check {
  static constexpr std::string_view kind = "drop_check";
  qualified_name table;
  check_constraint def;
  friend bool operator==(const drop_check&, const drop_check&) = default;
};
/// CreateIndex / DropIndex.
struct create_index {
  static constexpr std::string_view kind = "create_index";
  qualified_name table;
  index def;
  friend bool operator==(const create_index&, const create_index&) = default;
};
struct drop_index {
  static constexpr std::string_view kind = "drop_index";
  qualified_name table;
  index def;
  friend bool operator==(const drop_index&, const drop_index&) = default;
};
/// AddForeignKey / DropForeignKey.
struct add_foreign_key {
  static constexpr std::string_view kind = "add_foreign_key";
  qualified_name table;
  foreign_key def;
  friend bool operator==(const add_foreign_key&, const add_foreign_key&) = default;
};
struct drop_foreign_key {
  static constexpr std::string_view kind = "drop_foreign_key";
  qualified_name table;
  foreign_key def;
  friend bool operator==(const drop_foreign_key&, const drop_foreign_key&) = default;
};
/// RenameIndex renames an index; RenameConstraint a primary key, unique, check, foreign key or
/// exclusion constraint.
struct rename_index {
  static constexpr std::string_view kind = "rename_index";
  qualified_name table;
  std::string from, to;
  friend bool operator==(const rename_index&, const rename_index&) = default;
};
struct rename_constraint {
  static constexpr std::string_view kind = "rename_constraint";
  qualified_name table;
  std::string from, to;
  friend bool operator==(const rename_constraint&, const rename_constraint&) = default;
};

/// CreateView describes a view or materialized view (with its indexes), after what it reads.
struct create_view {
  static constexpr std::string_view kind = "create_view";
  view def;
  friend bool operator==(const create_view&, const create_view&) = default;
};
/// DropView removes a view no other view reads.
struct drop_view {
  static constexpr std::string_view kind = "drop_view";
  view def;
  friend bool operator==(const drop_view&, const drop_view&) = default;
};
/// ReplaceView changes a (not materialized) view's query in place (CREATE OR REPLACE VIEW): its
/// columns stay, and new ones may follow them. A view whose columns change has no reader.
struct replace_view {
  static constexpr std::string_view kind = "replace_view";
  view from, to;
  friend bool operator==(const replace_view&, const replace_view&) = default;
};

/// AddExclusion / DropExclusion: an exclusion constraint (its index is built with it).
struct add_exclusion {
  static constexpr std::string_view kind = "add_exclusion";
  qualified_name table;
  exclusion_constraint def;
  friend bool operator==(const add_exclusion&, const add_exclusion&) = default;
};
struct drop_exclusion {
  static constexpr std::string_view kind = "drop_exclusion";
  qualified_name table;
  exclusion_constraint def;
  friend bool operator==(const drop_exclusion&, const drop_exclusion&) = default;
};

/// SetRowLevelSecurity enables, disables, forces or unforces row-level security on a table.
struct set_row_level_security {
  static constexpr std::string_view kind = "set_row_level_security";
  qualified_name table;
  row_security from, to;
  friend bool operator==(const set_row_level_security&, const set_row_level_security&) = default;
};
/// CreatePolicy / DropPolicy: a row-level security policy of a table.
struct create_policy {
  static constexpr std::string_view kind = "create_policy";
  qualified_name table;
  policy def;
  friend bool operator==(const create_policy&, const create_policy&) = default;
};
struct drop_policy {
  static constexpr std::string_view kind = "drop_policy";
  qualified_name table;
  policy def;
  friend bool operator==(const drop_policy&, const drop_policy&) = default;
};
/// AlterPolicy changes a policy's roles and expressions in place (same name, command and kind,
/// the same expressions present: see alterable()).
struct alter_policy {
  static constexpr std::string_view kind = "alter_policy";
  qualified_name table;
  policy from, to;
  friend bool operator==(const alter_policy&, const alter_policy&) = default;
};

/// Sql is a hand-written step, opaque to replay; `down` is absent when it cannot be undone.
/// A step PostgreSQL refuses inside a transaction block (CREATE INDEX CONCURRENTLY, VACUUM)
/// says `transactional = false` and runs on its own, outside the revision's transaction.
/// A step with no `down` must say why in `irreversible` (`retort check` refuses it otherwise),
/// and `downgrade` refuses to cross its revision.
struct sql {
  static constexpr std::string_view kind = "sql";
  std::string up;
  std::optional<std::string> down;
  bool transactional = true;
  std::optional<std::string> irreversible = std::nullopt;  ///< why it cannot be undone; only without `down`
  /// Schema-per-tenant: the shared schema whose objects the step writes (a seed of
  /// `catalog.categories`: "catalog"), so that it runs once per database; none: the tenant's.
  std::optional<std::string> schema = std::nullopt;
  friend bool operator==(const sql&, const sql&) = default;
};

/// Cpp is a data step written in C++: the function the application registers for its revision
/// (retort::cpp_steps, by revision id) runs inside the revision's transaction when the
/// application migrates itself (retort::migrate_to_head). The retort CLI cannot run it and
/// refuses the revision. Opaque to replay, like sql.
struct cpp {
  static constexpr std::string_view kind = "cpp";
  enum class function { upgrade, downgrade };
  function run = function::upgrade;  ///< which of the revision's registered functions runs
  friend bool operator==(const cpp&, const cpp&) = default;
};

/// CreateSqlObject creates a function, procedure or trigger from its definition (a trigger after
/// its table and function).
struct create_sql_object {
  static constexpr std::string_view kind = "create_sql_object";
  sql_object def;
  friend bool operator==(const create_sql_object&, const create_sql_object&) = default;
};
/// DropSqlObject removes one (a trigger before its table or function), carrying its definition.
struct drop_sql_object {
  static constexpr std::string_view kind = "drop_sql_object";
  sql_object def;
  friend bool operator==(const drop_sql_object&, const drop_sql_object&) = default;
};
/// ReplaceSqlObject redefines a function or procedure in place (CREATE OR REPLACE): the same
/// header (name, parameters, result), another body or options.
struct replace_sql_object {
  static constexpr std::string_view kind = "replace_sql_object";
  sql_object from, to;
  friend bool operator==(const replace_sql_object&, const replace_sql_object&) = default;
};

/// "upgrade" or "downgrade", as migration files spell a cpp step's function.
[[nodiscard]] std::string_view to_string(cpp::function f);

using operation =
    std::variant<create_schema, drop_schema, create_extension, drop_extension, alter_extension, create_enum, drop_enum, add_enum_value, drop_enum_value, rename_enum_value, create_table,
                 drop_table, rename_table, set_table_comment, add_column, drop_column, rename_column, alter_column,
                 backfill_column, add_primary_key, drop_primary_key, add_unique, drop_unique, add_check, drop_check,
                 create_index, drop_index, add_foreign_key, drop_foreign_key, rename_index, rename_constraint, sql,
                 cpp, create_view, drop_view, replace_view, add_exclusion, drop_exclusion, set_row_level_security,
                 create_policy, drop_policy, alter_policy, create_sequence, drop_sequence, alter_sequence,
                 create_sql_object, drop_sql_object, replace_sql_object>;

/// Whether CREATE OR REPLACE VIEW turns `from` into `to`: both plain views of one name, and the
/// columns of `from` the first columns of `to` (same names and types).
[[nodiscard]] bool replaceable(const view& from, const view& to);

/// The operation's name in migration files ("add_column").
[[nodiscard]] std::string_view name_of(const operation& op);

/// One line for humans: "add column public.users.phone_number".
[[nodiscard]] std::string describe(const operation& op);

/// True for operations that lose data when applied: drops, and a type change that narrows
/// (widening varchar or numeric precision loses nothing).
[[nodiscard]] bool is_destructive(const operation& op);

/// The tables the operations name (a rename names both): the only tables they change. A
/// rename's effect on other tables' foreign keys shows in the renamed table too.
[[nodiscard]] std::set<qualified_name> tables_named(const std::vector<operation>& list);
[[nodiscard]] std::set<qualified_name> tables_named(const operation& op);

/// The schema holding the object the operation creates, changes or drops ("catalog" for a table
/// catalog.categories, the schema itself for create_schema); nullopt for what no schema holds
/// (an extension belongs to the database), for hand-written steps (cpp, and sql unless it names
/// its `schema`: opaque) and for a rename from one schema to another.
[[nodiscard]] std::optional<std::string> schema_of(const operation& op);

/// The operations that undo `op`: usually one, none for a backfill.
/// Throws retort::error for an sql step with no `down`.
[[nodiscard]] std::vector<operation> inverse(const operation& op);

/// The downgrade of an upgrade: inverses in reverse order.
[[nodiscard]] std::vector<operation> inverse(const std::vector<operation>& upgrade);

}  // namespace retort::ops
