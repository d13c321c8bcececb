// What SQL text does, read by PostgreSQL's own parser (libpg_query): the lint asks it which
// statements build indexes, validate constraints or rewrite tables, in generated steps and in
// hand-written ones alike. Needs no database.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "retort/schema.hpp"

namespace retort::sql {

/// The facts about one statement that matter for the locks it takes.
struct statement_facts {
  std::string text;
  std::optional<qualified_name> table;   ///< the table it builds an index on, alters or locks
  bool creates_index = false;
  bool concurrently = false;             ///< CREATE/DROP INDEX CONCURRENTLY
  bool adds_validated_constraint = false;  ///< a foreign key or check added without NOT VALID
  bool validates_constraint = false;     ///< ALTER TABLE ... VALIDATE CONSTRAINT
  bool sets_not_null = false;
  bool changes_column_type = false;
  bool locks_table = false;              ///< an explicit LOCK
  bool adds_exclusion_constraint = false;  ///< ALTER TABLE ... ADD ... EXCLUDE: its index is built under the lock
};

/// The statements of `text` (several for a hand-written step) with their facts. Throws
/// retort::error with PostgreSQL's parser message when the text does not parse.
[[nodiscard]] std::vector<statement_facts> analyze(std::string_view text);

/// The functions an SQL expression calls, lower case and unqualified ("random", "nextval").
/// Throws retort::error when it does not parse as one expression.
[[nodiscard]] std::vector<std::string> functions_called(std::string_view expression);

/// A key for what an SQL expression means, as PostgreSQL's parser reads it, leaving out what the
/// server adds when it stores one: parentheses, casts, a literal's quoting (`0` and `'0'`), `IN
/// (...)` written as `= ANY (ARRAY[...])`, `LIKE` as `~~`. The text a model wrote and the text the
/// catalog gives back (`price >= 0`, `(price >= (0)::numeric)`) get the same key. Casts are left
/// out whole, so two expressions differing only in a cast compare equal. Throws retort::error
/// when the text does not parse as one expression.
[[nodiscard]] std::string expression_key(std::string_view expression);

/// A view's query in one canonical spelling (PostgreSQL's parser, then libpg_query's deparser):
/// blanks, case, comments and redundant parentheses no longer count, so two spellings of one
/// query compare equal as text. Throws retort::error when the text is not one SELECT (WITH and
/// VALUES included), or selects `*` (PostgreSQL expands it once, when the view is created:
/// the view would not follow its table; name the columns).
[[nodiscard]] std::string normalized_query(std::string_view query);

/// The relations (tables and views) a query reads, sorted, an unqualified name being one of
/// `view_schema` (as Retort creates a view: search_path pinned to its schema); the names of
/// its own WITH queries are left out. Throws retort::error when it does not parse.
[[nodiscard]] std::vector<qualified_name> relations_read(std::string_view query, const std::string& view_schema);

/// A key for what a view's query means, as expression_key for an expression, leaving out as
/// well what pg_get_viewdef adds: the relation qualifying each column (`users.id` for `id`),
/// output names (the view's column list names its columns) and `view_schema` qualifying a
/// relation. The query a model wrote and the one the catalog prints get the same key. Throws
/// retort::error when it does not parse as one statement.
[[nodiscard]] std::string query_key(std::string_view query, const std::string& view_schema);

/// The SQL object that the one statement of `text` creates (CREATE [OR REPLACE] FUNCTION,
/// PROCEDURE or TRIGGER), with its text normalized: as libpg_query's deparser prints it, without
/// OR REPLACE, with the options in the order pg_get_functiondef prints them (those that say
/// PostgreSQL's default left out), type aliases spelt as it prints them, and the names the
/// statement creates and uses qualified (in `default_schema` when written without a schema) and
/// quoted. A body given as a string is kept byte for byte. Reads both a model's file and what
/// pg_get_functiondef and pg_get_triggerdef print, so the two compare. Throws file_error at the
/// line and column in `file` of a syntax error, of a second statement or of another kind of
/// statement.
[[nodiscard]] sql_object read_sql_object(std::string_view text, const std::string& file,
                                         const std::string& default_schema = "public");
/// read_sql_object of what the database prints, for pg::introspect_options::read_sql_object.
[[nodiscard]] sql_object read_database_sql_object(const std::string& definition, const std::string& default_schema);

}  // namespace retort::sql
