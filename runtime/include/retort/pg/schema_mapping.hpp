// A history's schema as a tenant's run creates it: the mapping the renderer writes every name
// through (render_options::schemas), applied to a schema model, so that a tenant's part of a
// database can be compared with the replayed history (`retort verify` on a tenant).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "retort/ops.hpp"
#include "retort/pg/render.hpp"
#include "retort/schema.hpp"

namespace retort::pg {

/// `s` with each schema of the history through `schemas`: tables, enum types, views, sequences,
/// SQL objects, the columns, foreign keys, view reads and definitions that name them, the
/// namespaces (a schema `public` is mapped to is an ordinary one, so it is listed). Extensions
/// keep theirs: they belong to the database. Expressions (defaults, checks, a view's query, a
/// routine's body) are text the database reads through search_path, and stay as written.
[[nodiscard]] schema map_schemas(schema s, const schema_map& schemas);

/// An SQL object's normalized definition with the names it creates and uses moved through
/// `schemas`, at the places the normalized text writes them (after CREATE FUNCTION or PROCEDURE;
/// a trigger's table after ON, its function after EXECUTE FUNCTION). The body is left as written.
[[nodiscard]] std::string mapped_definition(const sql_object& o, const schema_map& schemas);

/// Schema-per-tenant (`tenant` a tenant's render options, its default schema mapped): whether
/// operation `op` works on a schema the tenants of a database share (one the mapping keeps).
[[nodiscard]] bool shared_operation(const ops::operation& op, const render_options& tenant);

/// A table a foreign key references, with the columns it names.
struct table_reference {
  qualified_name table;
  std::vector<std::string> columns;
};

/// `ref` as it stands after `changes` in order (see render_options::later_shared_changes): a
/// rename_table of its table renames it, a rename_column of its table renames the column;
/// nullopt when a drop_table removes it. Other operations change nothing.
[[nodiscard]] std::optional<table_reference> followed(table_reference ref, const std::vector<ops::operation>& changes);

}  // namespace retort::pg
