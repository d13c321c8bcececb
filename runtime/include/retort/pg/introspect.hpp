// The introspector: reads a live PostgreSQL database back into Retort's schema model.
#pragma once

#include <set>
#include <string>

#include <pqxx/connection>

#include "retort/schema.hpp"

namespace retort::pg {

struct introspect_options {
  /// Schemas to leave out besides PostgreSQL's own (e.g. the bookkeeping schema).
  std::set<std::string> exclude_schemas;
  /// When not empty, only these schemas are read (a tenant's part of a database). Extensions,
  /// which belong to the database, are read wherever they are.
  std::set<std::string> only_schemas = {};
};

/// The user schema of the connected database: every non-system namespace, its enums,
/// tables, columns, keys, indexes, foreign keys, checks and comments.
[[nodiscard]] schema introspect(pqxx::connection& conn, const introspect_options& options = {});

}  // namespace retort::pg
