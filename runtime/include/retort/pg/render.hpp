// The PostgreSQL renderer: operations -> a plan of SQL statements. Identifiers are always
// quoted and literals escaped, so nothing in a model or a file can inject SQL.
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "retort/ops.hpp"
#include "retort/replay.hpp"
#include "retort/schema.hpp"

namespace retort::pg {

/// Where a statement runs. PostgreSQL DDL is transactional, but a safe plan on a busy table
/// must commit a short lock before a long scan (an index built concurrently, a constraint
/// validated after it was added NOT VALID), so a revision can span several transactions.
enum class run_mode {
  in_transaction,       ///< with the statements around it, in one transaction
  own_transaction,      ///< in a transaction of its own (the previous one commits first)
  outside_transaction,  ///< alone, with no transaction block: PostgreSQL refuses it inside one
};

/// One SQL statement of a plan.
struct statement {
  std::string sql;
  run_mode mode = run_mode::in_transaction;
  std::size_t operation = 0;  ///< index of the operation it renders
  /// An index that an interrupted CREATE INDEX CONCURRENTLY leaves INVALID: the applier drops
  /// it (DROP INDEX CONCURRENTLY) before running this statement, so a rerun needs no repair.
  std::optional<qualified_name> rebuild_invalid_index;
  friend bool operator==(const statement&, const statement&) = default;
};

/// How changes to tables that already hold rows are planned.
enum class safety {
  safe,   ///< no step blocks writers longer than a catalog update (the default)
  plain,  ///< the simplest SQL, each revision in one transaction (fine for empty tables)
};

/// Where the history's schemas are created: a schema of the history -> the schema its objects
/// go to. A tenant maps the default schema (`public`) to its own; a schema not named stays.
using schema_map = std::map<std::string, std::string, std::less<>>;

struct render_options {
  safety plans = safety::safe;
  /// Every qualified name is written through it, never left to search_path.
  schema_map schemas = {};
  /// Schema-per-tenant: the tenants of a database share its extensions. The first tenant to need
  /// one creates it (IF NOT EXISTS, under a lock, so that tenants migrating at once do not race),
  /// and no tenant drops it: the others may still use it.
  bool shared_extensions = false;
  /// Schema-per-tenant, for a tenant that reaches a revision after other tenants of its database
  /// went past later ones (a tenant created since): the renames and drops of shared tables those
  /// later revisions made, in the history's order. A foreign key to a shared table names it, and
  /// its columns, as the database now has them; one to a table they dropped cannot be created.
  std::vector<ops::operation> later_shared_changes = {};
};

/// "name" with embedded quotes doubled.
[[nodiscard]] std::string quote_ident(std::string_view name);
/// "schema"."name"
[[nodiscard]] std::string quote_ident(const qualified_name& name);
/// 'text' with embedded quotes doubled, or E'text' with quotes and backslashes doubled when it
/// has a backslash: the same text under standard_conforming_strings on or off. Throws
/// retort::error on a NUL byte.
[[nodiscard]] std::string quote_literal(std::string_view text);
/// SQL spelling of a column type.
[[nodiscard]] std::string type_sql(const column_type& t);

/// Renders operations applied in order to `before` (the schema they start from; some
/// operations, like dropping an enum value, need to know which columns use a type). Tables
/// created by these operations are empty: they keep the plain form whatever the safety.
[[nodiscard]] std::vector<statement> render(const std::vector<ops::operation>& operations, const schema& before,
                                            const render_options& options = {});

/// The same, leaving `s` (sorted canonically, as replay leaves it) at the schema the
/// operations produce: a planner that renders revision after revision replays each once.
[[nodiscard]] std::vector<statement> render_and_replay(const std::vector<ops::operation>& operations, schema& s,
                                                       const render_options& options = {});
/// Which operations' statements a caller reads (by index); the others are only replayed.
using operation_filter = std::function<bool(std::size_t operation)>;

/// The same over a replayer, which keeps its name indexes from one list to the next; with a
/// `wanted` filter, only the operations it accepts are rendered (a lint that need not read
/// some statements does not pay for writing them).
[[nodiscard]] std::vector<statement> render_and_replay(const std::vector<ops::operation>& operations, replayer& r,
                                                       const render_options& options = {},
                                                       const operation_filter& wanted = {});

}  // namespace retort::pg
