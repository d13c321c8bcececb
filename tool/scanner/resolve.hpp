// Resolve: links what serialize produced into one schema. References between tables are
// resolved, names checked across tables, new NOT NULL columns checked against the previous
// snapshot, and the core's own validation run, each failure reported at its declaration.
// The result carries where each table, column and enum type is declared (the locations file).
#pragma once

#include <optional>
#include <vector>

#include "declaration_sites.hpp"
#include "diagnostics.hpp"
#include "retort/schema.hpp"
#include "serialize.hpp"

namespace retort::scan {

/// A scanned schema and the declaration sites of its tables, columns and enum types.
struct scanned_schema {
  schema model;
  declaration_sites sites;
  std::vector<std::string> query_files = {};  ///< the views' query files read: inputs of the scan
};

/// The schema, or nullopt when any error was reported (here or before, through `diags`).
/// `previous` is the schema the migration history produces (the replayed head), if known.
[[nodiscard]] std::optional<scanned_schema> resolve(std::vector<scanned_table> tables, std::vector<scanned_enum> enums,
                                                    std::vector<scanned_extension> extensions, diagnostics& diags,
                                                    const schema* previous, std::vector<scanned_view> views = {},
                                                    std::vector<scanned_sequence> sequences = {});

/// Where `loc` is in a file: the file's absolute path as the compiler opened it (macro
/// expansions count where they are written or expanded), 1-based line and column.
/// nullopt for an invalid location or one outside any file.
[[nodiscard]] std::optional<declaration_site> site_of(const clang::SourceManager& sm, clang::SourceLocation loc);

}  // namespace retort::scan
