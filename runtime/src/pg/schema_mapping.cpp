// map_schemas: the renderer's schema mapping applied to a schema model. Every object kind that
// lives in a schema goes through here, as it goes through the renderer's namer.
#include "retort/pg/schema_mapping.hpp"

#include <algorithm>

namespace retort::pg {

schema map_schemas(schema s, const schema_map& schemas) {
  const auto map = [&](std::string& name) {
    if (const auto it = schemas.find(name); it != schemas.end()) name = it->second;
  };
  for (std::string& n : s.schemas) map(n);
  if (const auto it = schemas.find("public"); it != schemas.end() && it->second != "public")
    s.schemas.push_back(it->second);
  std::sort(s.schemas.begin(), s.schemas.end());
  s.schemas.erase(std::unique(s.schemas.begin(), s.schemas.end()), s.schemas.end());
  for (enum_type& e : s.enums) map(e.name.schema);
  for (table& t : s.tables) {
    map(t.name.schema);
    for (column& c : t.columns)
      if (c.type.kind == type_kind::enum_type) map(c.type.enum_name.schema);
    for (foreign_key& fk : t.foreign_keys) map(fk.ref_table.schema);
    for (qualified_name& n : t.renamed_from) map(n.schema);
  }
  sort_canonically(s);
  return s;
}

}  // namespace retort::pg
