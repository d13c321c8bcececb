// Resolve: links what serialize produced into one schema. References between tables are
// resolved, names checked across tables, new NOT NULL columns checked against the previous
// snapshot, and the core's own validation run, each failure reported at its declaration.
#pragma once

#include <optional>
#include <vector>

#include "diagnostics.hpp"
#include "retort/schema.hpp"
#include "serialize.hpp"

namespace retort::scan {

/// The schema, or nullopt when any error was reported (here or before, through `diags`).
/// `previous` is the schema the migration history produces (the replayed head), if known.
[[nodiscard]] std::optional<schema> resolve(std::vector<scanned_table> tables, std::vector<scanned_enum> enums,
                                            diagnostics& diags, const schema* previous);

}  // namespace retort::scan
