// The runtime API: one call at application start-up brings the database to head with the
// migrations compiled into the binary, so a deployed binary migrates itself with no files
// beside it. Concurrent replicas serialize on the applier's advisory lock.
#pragma once

#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <pqxx/connection>

#include "retort/pg/applier.hpp"
#include "retort/pg/cpp_steps.hpp"
#include "retort/revision_graph.hpp"

namespace retort {

/// The application's C++ data steps, by revision id (see pg::cpp_steps).
using pg::cpp_steps;

/// Applies every pending migration of `files` to `conn`; returns the ids applied (none when
/// already at head). Throws retort::error subclasses (migration_error, checksum_error, ...);
/// a revision with a C++ data step (a "cpp" operation) is refused before anything runs.
/// For schema-per-tenant, set `options.tenant_schema` (or use the overload below).
std::vector<std::string> migrate_to_head(pqxx::connection& conn, std::span<const embedded_file> files,
                                         const pg::apply_options& options = {});

/// The same, running the C++ data steps of `steps` inside their revisions' transactions (with
/// that transaction passed in). Throws retort::error before anything runs when a pending
/// revision needs a step `steps` lacks, or `steps` names a revision without a "cpp" operation.
std::vector<std::string> migrate_to_head(pqxx::connection& conn, std::span<const embedded_file> files,
                                         const cpp_steps& steps, pg::apply_options options = {});

/// The same into one tenant's schema: the history's `public` objects are created in
/// `tenant_schema`, with the tenant's own bookkeeping there (see apply_options::tenant_schema).
/// The tenants of a database move together: the tenant does not change the objects of the
/// history's shared schemas while another tenant of the database has not reached the revision
/// before; it stops there with a retort::error naming those tenants (the revisions before it
/// stay applied). Migrate the tenants a revision at a time, or with `retort upgrade --fleet`.
std::vector<std::string> migrate_to_head(pqxx::connection& conn, std::span<const embedded_file> files,
                                         std::string_view tenant_schema, pg::apply_options options = {});

}  // namespace retort
