// The introspector: reads a live PostgreSQL database back into Retort's schema model.
#pragma once

#include <functional>
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
  /// Reads a function's, procedure's or trigger's text, as pg_get_functiondef or pg_get_triggerdef
  /// prints it, into the model's normalized form (retort::sql::read_sql_object, which needs
  /// PostgreSQL's parser); `default_schema` is the schema of a name printed without one. When
  /// absent (an application migrating itself needs no parser), they are not read.
  std::function<sql_object(const std::string& definition, const std::string& default_schema)> read_sql_object = {};
};

/// The user schema of the connected database: every non-system namespace, its enums,
/// tables, columns, keys, indexes, foreign keys, checks and comments.
[[nodiscard]] schema introspect(pqxx::connection& conn, const introspect_options& options = {});

}  // namespace retort::pg
