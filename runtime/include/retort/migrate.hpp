// The runtime API: one call at application start-up brings the database to head with the
// migrations compiled into the binary, so a deployed binary migrates itself with no files
// beside it. Concurrent replicas serialize on the applier's advisory lock.
#pragma once

#include <span>
#include <string>
#include <vector>

#include <pqxx/connection>

#include "retort/pg/applier.hpp"
#include "retort/revision_graph.hpp"

namespace retort {

/// Applies every pending migration of `files` to `conn`; returns the ids applied (none when
/// already at head). Throws retort::error subclasses (migration_error, checksum_error, ...).
std::vector<std::string> migrate_to_head(pqxx::connection& conn, std::span<const embedded_file> files,
                                         const pg::apply_options& options = {});

}  // namespace retort
