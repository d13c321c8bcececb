// The diff engine: two schemas in, an ordered, dependency-correct list of operations out.
// Pure: no I/O, no SQL. Renames come only from renamed_from hints in the target.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "retort/ops.hpp"
#include "retort/schema.hpp"

namespace retort {

struct diff_options {
  /// A NOT NULL column added to an existing table with neither default nor backfill is an
  /// error (true), or is added NOT NULL as it is, which only works on an empty table (false).
  bool require_backfill = true;
};

/// The renames the diff makes: each table of `to` absent from `from`, with the first name of its
/// renamed_from that `from` has and `to` does not (and no other table of `to` took first, in
/// name order). New name -> old name. `from` sorted canonically; `to` in any order.
[[nodiscard]] std::map<qualified_name, qualified_name> table_renames(const schema& from, const schema& to);

/// The same for the columns of one table: old name -> new name.
[[nodiscard]] std::map<std::string, std::string> column_renames(const table& from, const table& to);

/// The columns of `to` that a migration from `from` adds to a table that already exists (after
/// the renames above) NOT NULL with no default, identity or backfill: the existing rows would
/// have no value. The diff refuses them (require_backfill); the scanner reports each at its
/// declaration. References index `to` as given.
[[nodiscard]] std::vector<element_ref> new_columns_without_values(const schema& from, const schema& to);

/// The columns of `to` that exist in `from` nullable and become NOT NULL with no backfill: rows
/// holding NULL would make the change fail. The diff refuses them (require_backfill); the
/// scanner reports each at its declaration. References index `to` as given.
[[nodiscard]] std::vector<element_ref> columns_made_not_null_without_backfill(const schema& from, const schema& to);

/// The operations that turn `from` into `to`. Throws diff_error when no safe migration
/// exists, e.g. a NOT NULL column without default added to an existing table with no backfill.
[[nodiscard]] std::vector<ops::operation> diff(const schema& from, const schema& to, const diff_options& options = {});

}  // namespace retort
