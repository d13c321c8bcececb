// A readable, complete text form of a schema for test failure messages. Independent of the
// snapshot writer on purpose: a bug there must not hide a bug in what the tests compare.
#include "schema_text.hpp"

#include <fmt/format.h>

#include "retort/errors.hpp"
#include "retort/sql_analysis.hpp"

namespace retort::test {
namespace {

std::string_view kind_name(type_kind k) {
  switch (k) {
    case type_kind::boolean:
      return "boolean";
    case type_kind::smallint:
      return "smallint";
    case type_kind::integer:
      return "integer";
    case type_kind::bigint:
      return "bigint";
    case type_kind::real:
      return "real";
    case type_kind::double_precision:
      return "double_precision";
    case type_kind::numeric:
      return "numeric";
    case type_kind::text:
      return "text";
    case type_kind::varchar:
      return "varchar";
    case type_kind::character:
      return "character";
    case type_kind::timestamptz:
      return "timestamptz";
    case type_kind::timestamp:
      return "timestamp";
    case type_kind::date:
      return "date";
    case type_kind::time:
      return "time";
    case type_kind::interval:
      return "interval";
    case type_kind::bytea:
      return "bytea";
    case type_kind::uuid:
      return "uuid";
    case type_kind::json:
      return "json";
    case type_kind::jsonb:
      return "jsonb";
    case type_kind::inet:
      return "inet";
    case type_kind::cidr:
      return "cidr";
    case type_kind::macaddr:
      return "macaddr";
    case type_kind::enum_type:
      return "enum";
    case type_kind::named:
      return "named";
  }
  return "?";
}

std::string_view action_name(fk_action a) {
  switch (a) {
    case fk_action::no_action:
      return "no action";
    case fk_action::restrict:
      return "restrict";
    case fk_action::cascade:
      return "cascade";
    case fk_action::set_null:
      return "set null";
    case fk_action::set_default:
      return "set default";
  }
  return "?";
}

std::string_view identity_name(identity_kind i) {
  switch (i) {
    case identity_kind::none:
      return "none";
    case identity_kind::always:
      return "always";
    case identity_kind::by_default:
      return "by default";
  }
  return "?";
}

// Quoted so that empty strings, spaces and quotes stay visible.
std::string q(const std::string& s) { return fmt::format("\"{}\"", s); }
std::string q(const qualified_name& n) { return fmt::format("{}.{}", q(n.schema), q(n.name)); }
std::string q(const std::optional<std::string>& s) { return s ? q(*s) : "none"; }
std::string q(const std::optional<int>& i) { return i ? std::to_string(*i) : "none"; }
std::string q(const std::vector<std::string>& v) {
  std::string out = "[";
  for (const auto& s : v) out += (out.size() > 1 ? ", " : "") + q(s);
  return out + "]";
}

std::string q(const index_key& k) {
  return fmt::format("{{column={} expression={} opclass={} desc={} nulls_first={}}}", q(k.column), q(k.expression),
                     q(k.opclass), k.descending, k.nulls_first ? (*k.nulls_first ? "yes" : "no") : "default");
}
std::string q(const std::vector<index_key>& v) {
  std::string out = "[";
  for (const auto& k : v) out += (out.size() > 1 ? ", " : "") + q(k);
  return out + "]";
}

std::string_view deferral_name(deferral d) {
  switch (d) {
    case deferral::not_deferrable:
      return "not deferrable";
    case deferral::initially_immediate:
      return "deferrable";
    case deferral::initially_deferred:
      return "deferrable initially deferred";
  }
  return "?";
}

std::string describe(const column_type& t) {
  return fmt::format("{}{} length={} precision={} scale={} enum={} name={} serial={}", kind_name(t.kind),
                     t.array ? "[]" : "", q(t.length), q(t.precision), q(t.scale), q(t.enum_name), q(t.name), t.serial);
}

// What a view's query means (sql::query_key): the text a test wrote and the one pg_get_viewdef
// prints compare equal when they mean the same.
std::string query_meaning(const view& v) {
  try {
    return sql::query_key(v.query, v.name.schema);
  } catch (const error&) {
    return "unparsable: " + q(v.query);
  }
}

}  // namespace

std::string describe(const schema& s) {
  std::string out = fmt::format("schemas {}\n", q(s.schemas));
  for (const auto& e : s.extensions) out += fmt::format("extension {} schema={} version={}\n", q(e.name), q(e.schema), q(e.version));
  for (const auto& e : s.enums) out += fmt::format("enum {} {}\n", q(e.name), q(e.values));
  for (const auto& t : s.tables) {
    out += fmt::format("table {} comment={}{}\n", q(t.name), q(t.comment),
                       t.partition ? " partition by " + to_string(*t.partition) : std::string());
    for (const auto& r : t.renamed_from) out += fmt::format("  renamed from {}\n", q(r));
    for (const auto& c : t.columns) {
      out += fmt::format(
          "  column {} {} nullable={} default={} identity={} comment={} generated={} collation={} renamed_from={} "
          "backfill={}\n",
          q(c.name), describe(c.type), c.nullable, q(c.server_default), identity_name(c.identity), q(c.comment),
          q(c.generated), q(c.collation), q(c.renamed_from), q(c.backfill));
    }
    if (t.pk) out += fmt::format("  primary key {} {}\n", q(t.pk->name), q(t.pk->columns));
    for (const auto& u : t.uniques)
      out += fmt::format("  unique {} {} {}\n", q(u.name), q(u.columns), deferral_name(u.deferrable));
    for (const auto& i : t.indexes) {
      out += fmt::format("  index {} {} unique={} where={} method={} include={} nulls_not_distinct={} with={}\n",
                         q(i.name), q(i.columns), i.unique, q(i.where), q(i.method), q(i.include),
                         i.nulls_not_distinct, q(i.with));
    }
    for (const auto& f : t.foreign_keys) {
      out += fmt::format("  foreign key {} {} -> {} {} on delete {} on update {} {}\n", q(f.name), q(f.columns),
                         q(f.ref_table), q(f.ref_columns), action_name(f.on_delete), action_name(f.on_update),
                         deferral_name(f.deferrable));
    }
    for (const auto& c : t.checks) out += fmt::format("  check {} {}\n", q(c.name), q(c.expression));
    for (const auto& x : t.exclusions) {
      std::string elements;
      for (const auto& e : x.elements) elements += fmt::format("{} with {}; ", q(e.key), q(e.op));
      out += fmt::format("  exclusion {} [{}] method={} include={} where={} {}\n", q(x.name), elements, q(x.method),
                         q(x.include), q(x.where), deferral_name(x.deferrable));
    }
    if (t.rls.enabled || t.rls.forced)
      out += fmt::format("  row level security enabled={} forced={}\n", t.rls.enabled, t.rls.forced);
    for (const auto& p : t.policies)
      out += fmt::format("  policy {} for {} {} to {} using={} with_check={}\n", q(p.name), to_string(p.command),
                         p.restrictive ? "restrictive" : "permissive", q(p.roles), q(p.using_expression),
                         q(p.check_expression));
  }
  for (const auto& v : s.views) {
    std::string reads;
    for (const auto& r : v.reads) reads += " " + q(r);
    out += fmt::format("view {} materialized={} reads{}\n  query {}\n", q(v.name), v.materialized, reads, query_meaning(v));
    for (const auto& c : v.columns) out += fmt::format("  column {} {}\n", q(c.name), describe(c.type));
    for (const auto& i : v.indexes)
      out += fmt::format("  index {} {} unique={} where={} method={}\n", q(i.name), q(i.columns), i.unique, q(i.where), q(i.method));
  }
  for (const auto& x : s.sequences)
    out += fmt::format("sequence {} type={} increment={} start={} min={} max={} cache={} cycle={} owned_by={}\n", q(x.name),
                       x.type, x.increment, x.start ? std::to_string(*x.start) : "default",
                       x.min_value ? std::to_string(*x.min_value) : "default",
                       x.max_value ? std::to_string(*x.max_value) : "default", x.cache, x.cycle,
                       x.owned_by ? x.owned_by->table + "." + x.owned_by->column : "none");
  for (const auto& o : s.sql_objects)
    out += fmt::format("{} {} arguments={} table={} function={} header={}\n  {}\n", to_string(o.kind), q(o.name),
                       q(o.arguments), q(o.table), q(o.function), q(o.header), o.definition);
  return out;
}

}  // namespace retort::test
