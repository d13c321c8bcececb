// The diff engine: two schemas in, an ordered, dependency-correct list of operations out.
// Pure: no I/O, no SQL. Renames come only from renamed_from hints in the target.
#pragma once

#include <vector>

#include "retort/ops.hpp"
#include "retort/schema.hpp"

namespace retort {

struct diff_options {
  /// A NOT NULL column added to an existing table with neither default nor backfill is an
  /// error (true), or is added NOT NULL as it is, which only works on an empty table (false).
  bool require_backfill = true;
};

/// The operations that turn `from` into `to`. Throws diff_error when no safe migration
/// exists, e.g. a NOT NULL column without default added to an existing table with no backfill.
[[nodiscard]] std::vector<ops::operation> diff(const schema& from, const schema& to, const diff_options& options = {});

}  // namespace retort
