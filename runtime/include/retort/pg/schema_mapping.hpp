// A history's schema as a tenant's run creates it: the mapping the renderer writes every name
// through (render_options::schemas), applied to a schema model, so that a tenant's part of a
// database can be compared with the replayed history (`retort verify` on a tenant).
#pragma once

#include "retort/pg/render.hpp"
#include "retort/schema.hpp"

namespace retort::pg {

/// `s` with each schema of the history through `schemas`: tables, enum types, the columns and
/// foreign keys that name them, the namespaces (a schema `public` is mapped to is an ordinary
/// one, so it is listed). Extensions keep theirs: they belong to the database. Expressions
/// (defaults, checks) are text the database reads through search_path, and stay as written.
[[nodiscard]] schema map_schemas(schema s, const schema_map& schemas);

}  // namespace retort::pg
