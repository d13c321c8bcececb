// map_schemas: the renderer's schema mapping applied to a schema model. Every object kind that
// lives in a schema goes through here, as it goes through the renderer's namer.
#include "retort/pg/schema_mapping.hpp"

#include <algorithm>

namespace retort::pg {

namespace {

qualified_name mapped(const qualified_name& n, const schema_map& schemas) {
  const auto it = schemas.find(n.schema);
  return it == schemas.end() ? n : qualified_name{it->second, n.name};
}

// `text` with `from` replaced by `to` where it first (or last) occurs; unchanged when absent.
std::string replaced(std::string text, const std::string& from, const std::string& to, bool last = false) {
  const std::size_t at = last ? text.rfind(from) : text.find(from);
  return at == std::string::npos ? text : text.replace(at, from.size(), to);
}

}  // namespace

std::string mapped_definition(const sql_object& o, const schema_map& schemas) {
  const auto q = [&](const qualified_name& n) { return quote_ident(mapped(n, schemas)); };
  if (o.kind != sql_object_kind::trigger) {
    const std::string keyword = o.kind == sql_object_kind::procedure ? "CREATE PROCEDURE " : "CREATE FUNCTION ";
    return replaced(o.definition, keyword + quote_ident(o.name) + "(", keyword + q(o.name) + "(");
  }
  std::string out = replaced(o.definition, " EXECUTE FUNCTION " + quote_ident(o.function) + "(",
                             " EXECUTE FUNCTION " + q(o.function) + "(", true);
  return replaced(std::move(out), " ON " + quote_ident(o.table) + " ", " ON " + q(o.table) + " ");
}

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
  for (view& v : s.views) {
    map(v.name.schema);
    for (qualified_name& r : v.reads) map(r.schema);
    for (view_column& c : v.columns)
      if (c.type.kind == type_kind::enum_type) map(c.type.enum_name.schema);
  }
  for (sequence& q : s.sequences) map(q.name.schema);
  for (sql_object& o : s.sql_objects) {
    o.definition = mapped_definition(o, schemas);
    if (o.kind == sql_object_kind::trigger) {
      map(o.table.schema);
      map(o.function.schema);
    } else {
      o.header = replaced(o.header, quote_ident(o.name) + "(", quote_ident(mapped(o.name, schemas)) + "(");
    }
    map(o.name.schema);
  }
  sort_canonically(s);
  return s;
}

bool shared_operation(const ops::operation& op, const render_options& tenant) {
  const auto schema = ops::schema_of(op);
  return schema && !tenant.schemas.contains(*schema);
}

std::optional<table_reference> followed(table_reference ref, const std::vector<ops::operation>& changes) {
  for (const auto& op : changes) {
    if (const auto* r = std::get_if<ops::rename_table>(&op); r && r->from == ref.table) {
      ref.table = r->to;
    } else if (const auto* c = std::get_if<ops::rename_column>(&op); c && c->table == ref.table) {
      std::replace(ref.columns.begin(), ref.columns.end(), c->from, c->to);
    } else if (const auto* d = std::get_if<ops::drop_table>(&op); d && d->def.name == ref.table) {
      return std::nullopt;
    }
  }
  return ref;
}

}  // namespace retort::pg
