// Live database against replayed history: introspect, replay to the recorded revision, diff the
// two (column order aside) and report the difference the way `check` reports drift.
#include "verify.hpp"

#include <algorithm>
#include <iostream>
#include <set>
#include <variant>

#include <fmt/format.h>
#include <pqxx/pqxx>

#include "commands.hpp"
#include "drift_report.hpp"
#include "retort/diff.hpp"
#include "retort/errors.hpp"
#include "retort/pg/introspect.hpp"
#include "retort/pg/schema_mapping.hpp"
#include "retort/replay.hpp"
#include "retort/sql_analysis.hpp"

namespace retort::cli {

using nlohmann::json;

namespace {

bool same_meaning(const std::string& history, const std::string& database) {
  if (history == database) return true;
  try {
    return sql::expression_key(history) == sql::expression_key(database);
  } catch (const error&) {  // one side does not parse: its text decides
    return false;
  }
}

bool same_query(const view& history, const view& database) {
  if (history.query == database.query) return true;
  try {
    return sql::query_key(history.query, history.name.schema) == sql::query_key(database.query, database.name.schema);
  } catch (const error&) {
    return false;
  }
}

template <typename T, typename Name>
const T* named(const std::vector<T>& items, const Name& name) {
  const auto it = std::find_if(items.begin(), items.end(), [&](const T& x) { return x.name == name; });
  return it == items.end() ? nullptr : &*it;
}

// PostgreSQL stores a default, check, index or exclusion predicate, or a policy's expression, in its own spelling (`price >= 0` comes
// back as `(price >= (0)::numeric)`): where the database's expression means what the history's
// does, it takes the history's text, so that only a real difference is one.
void adopt_history_spelling(const schema& history, schema& database) {
  for (table& t : database.tables) {
    const table* h = find_table(history, t.name);
    if (!h) continue;
    for (column& c : t.columns)
      if (const column* hc = find_column(*h, c.name);
          hc && c.server_default && hc->server_default && same_meaning(*hc->server_default, *c.server_default))
        c.server_default = hc->server_default;
    for (check_constraint& ck : t.checks)
      if (const auto* hk = named(h->checks, ck.name); hk && same_meaning(hk->expression, ck.expression))
        ck.expression = hk->expression;
    for (index& ix : t.indexes)
      if (const auto* hx = named(h->indexes, ix.name); hx && ix.where && hx->where && same_meaning(*hx->where, *ix.where))
        ix.where = hx->where;
    for (exclusion_constraint& x : t.exclusions)
      if (const auto* hx = named(h->exclusions, x.name); hx && x.where && hx->where && same_meaning(*hx->where, *x.where))
        x.where = hx->where;
    for (policy& p : t.policies) {
      const auto* hp = named(h->policies, p.name);
      if (!hp) continue;
      if (p.using_expression && hp->using_expression && same_meaning(*hp->using_expression, *p.using_expression))
        p.using_expression = hp->using_expression;
      if (p.check_expression && hp->check_expression && same_meaning(*hp->check_expression, *p.check_expression))
        p.check_expression = hp->check_expression;
    }
  }
  // A view's query comes back as pg_get_viewdef prints it (`users.id`, casts, output names).
  for (view& v : database.views)
    if (const view* h = find_view(history, v.name); h && same_query(*h, v)) v.query = h->query;
}

}  // namespace

schema live_schema(pqxx::connection& conn, const context& ctx) {
  return pg::introspect(conn, {.exclude_schemas = {ctx.opts().bookkeeping_schema},
                               .read_sql_object = sql::read_database_sql_object});
}

namespace {

// A tenant's part of the database, in the names its runs gave the history's objects (`expected`
// is the replay mapped to the tenant): the tenant's schema without its bookkeeping tables, and
// the history's other schemas, which every tenant shares. Extensions belong to the database:
// only those the history creates are this tenant's concern, since another tenant's (or one a
// downgrade left for the others) is no difference. Read with the tenant's schema first on
// search_path, as its runs wrote them, so that a default casting to its enum type reads back as
// the history spells it, not qualified.
schema tenant_live_schema(pqxx::connection& conn, const context& ctx, const std::string& tenant,
                          const schema& expected) {
  const pg::tenant_search_path path(conn, tenant);
  pg::introspect_options read{.exclude_schemas = {ctx.opts().bookkeeping_schema},
                              .only_schemas = std::set<std::string>(expected.schemas.begin(), expected.schemas.end()),
                              .read_sql_object = sql::read_database_sql_object};
  read.only_schemas.insert(tenant);
  schema live = pg::introspect(conn, read);
  pg::apply_options o;
  o.tenant_schema = tenant;
  const auto books = pg::bookkeeping_of(o).table_names();
  std::erase_if(live.tables, [&](const table& t) {
    return t.name.schema == tenant && std::find(books.begin(), books.end(), t.name.name) != books.end();
  });
  std::erase_if(live.extensions, [&](const extension& e) { return find_extension(expected, e.name) == nullptr; });
  // The tenant's schema is the applier's to create, not the history's: a tenant never migrated
  // has none yet, and is at base all the same.
  if (std::find(live.schemas.begin(), live.schemas.end(), tenant) == live.schemas.end()) {
    live.schemas.push_back(tenant);
    std::sort(live.schemas.begin(), live.schemas.end());
  }
  return live;
}

// The database as a history that is not a tenant's sees it: the schemas it uses (`expected`'s
// and `public`), so that tenants' schemas in the same database are not differences of its own.
schema history_live_schema(pqxx::connection& conn, const context& ctx, const schema& expected) {
  pg::introspect_options read{.exclude_schemas = {ctx.opts().bookkeeping_schema},
                              .only_schemas = std::set<std::string>(expected.schemas.begin(), expected.schemas.end()),
                              .read_sql_object = sql::read_database_sql_object};
  read.only_schemas.insert("public");
  return pg::introspect(conn, read);
}

}  // namespace

namespace {

// Whether the database holds tenants: schemas with a tenant's bookkeeping.
bool holds_tenants(pqxx::connection& conn) {
  pqxx::read_transaction tx(conn);
  return !pg::tenant_schemas(tx).empty();
}

}  // namespace

// With --tenant-schema, the tenant's own schema: the other tenants' objects and the shared ones
// are no part of where it stands. Without, the schemas the history uses (at head) and `public`,
// as verify reads them; in a database that holds tenants, the history's other schemas are the
// ones they share, and only `public` is the database's own.
std::optional<schema> describable_live_schema(pqxx::connection& conn, const context& ctx, const revision_graph& graph) {
  try {
    const std::string& tenant = ctx.opts().tenant_schema;
    if (tenant.empty()) {
      schema uses = graph.schema_at(graph.heads());
      if (holds_tenants(conn)) uses.schemas.clear();
      return history_live_schema(conn, ctx, uses);
    }
    return tenant_live_schema(conn, ctx, tenant, schema{});
  } catch (const database_error&) {
    throw;
  } catch (const error&) {
    return std::nullopt;
  }
}

namespace {

// The history at a tenant's revision `at` as the tenant sees the database: the shared objects as
// the tenants furthest on made them. Beyond its own revisions, the shared operations of every
// revision the database records another tenant standing past (`retort.shared`), in the
// history's order: so a tenant a revision behind one that renamed a shared table expects the new
// name, and its own foreign key to it, as PostgreSQL shows them.
schema tenant_history_at(pqxx::connection& conn, const context& ctx, const revision_graph& graph,
                         const revision_heads& at, const pg::render_options& tenant) {
  schema s = graph.schema_at(at);
  const pg::bookkeeping database(ctx.opts().bookkeeping_schema);
  std::set<std::string> recorded;
  {
    pqxx::read_transaction tx(conn);
    if (tx.exec1(database.table_exists("shared"))[0].as<bool>())
      for (const auto& row : tx.exec(database.select_shared())) recorded.insert(row[0].as<std::string>());
  }
  const auto mine = graph.applied(at);
  std::vector<ops::operation> later;
  for (const auto& id : graph.order()) {
    if (!recorded.contains(id) || mine.contains(id)) continue;
    for (const auto& op : graph.at(id).upgrade)
      if (pg::shared_operation(op, tenant)) later.push_back(op);
  }
  if (later.empty()) return s;
  try {
    return replay(s, later);
  } catch (const replay_error&) {  // shared operations that need more than the shared objects: as before
    return s;
  }
}

}  // namespace

live_comparison compare_live(pqxx::connection& conn, pg::applier& a, const context& ctx, const revision_graph& graph,
                             const revision_heads& at, const std::string& tenant_schema) {
  live_comparison c;
  c.at = at;
  c.partial = a.in_progress();
  for (const auto& id : graph.applied(at))
    for (const auto& op : graph.at(id).upgrade) c.opaque_steps += std::holds_alternative<ops::sql>(op) ? 1 : 0;
  // A tenant's objects are where its runs created them: the replay goes through the same mapping.
  pg::apply_options tenant_options;
  tenant_options.tenant_schema = tenant_schema;
  const auto mapping = pg::render_options_of(tenant_options);
  const schema expected = comparable(pg::map_schemas(
      tenant_schema.empty() ? graph.schema_at(at) : tenant_history_at(conn, ctx, graph, at, mapping), mapping.schemas));
  schema live;
  try {
    live = comparable(tenant_schema.empty() ? history_live_schema(conn, ctx, expected)
                                            : tenant_live_schema(conn, ctx, tenant_schema, expected));
  } catch (const database_error&) {
    throw;
  } catch (const error& e) {  // an object the model cannot describe: a difference in itself
    c.problems.push_back(fmt::format("the database holds what no migration can make: {}", e.what()));
    return c;
  }
  adopt_history_spelling(expected, live);
  try {
    c.changes = diff(expected, live, {.require_backfill = false});
    c.restore = pg::render(diff(live, expected, {.require_backfill = false}), live, {ctx.opts().safety});
  } catch (const error& e) {  // e.g. enum values in another order: no operation turns one into the other
    c.problems.push_back(e.what());
  }
  return c;
}

void print_differences(const context& ctx, const live_comparison& c, const std::string& headline) {
  std::cerr << ctx.paint("error: ", style::error) << headline << "\n";
  for (const auto& p : c.partial) std::cerr << "  - " << part_way_text(p) << "\n";
  for (const auto& p : c.problems) std::cerr << "  - " << p << "\n";
  print_changes(std::cerr, ctx, c.changes, {}, "");
  if (!c.changes.empty())
    std::cerr << "Each line is what was done to the database beyond what its migrations made.\n";
  if (c.opaque_steps > 0 && !c.changes.empty())
    std::cerr << fmt::format("note: {} hand-written sql step{} up to this revision {} opaque to the replay: what {} "
                             "created or changed shows here as a difference too.\n",
                             c.opaque_steps, c.opaque_steps == 1 ? "" : "s", c.opaque_steps == 1 ? "is" : "are",
                             c.opaque_steps == 1 ? "it" : "they");
  if (!c.restore.empty()) {
    std::cerr << "\nAs SQL, what brings the database back to the migrations' schema (review it: it may drop data):\n";
    for (const auto& st : c.restore) std::cerr << "  " << st.sql << ";\n";
  }
}

std::string part_way_text(const pg::partial_revision& p) {
  return fmt::format("revision {} is part way through its {}: {} of its transactions committed and the rest did not "
                     "run; finish it with `retort {}`",
                     p.id, p.direction, p.units.size(), p.direction == "upgrade" ? "upgrade" : "downgrade -1");
}

json part_way_json(const std::vector<pg::partial_revision>& partial) {
  json out = json::array();
  for (const auto& p : partial)
    out.push_back(json{{"revision", p.id}, {"direction", p.direction}, {"committed_units", p.units.size()}});
  return out;
}

json comparison_json(const live_comparison& c) {
  json restore = json::array();
  for (const auto& st : c.restore) restore.push_back(st.sql);
  return json{{"ok", c.matches()},   {"revision", c.at},         {"changes", changes_json(c.changes, {})},
              {"problems", c.problems}, {"in_progress", part_way_json(c.partial)}, {"restore", restore}};
}

int verify(context& ctx) {
  const auto& graph = ctx.graph();
  auto conn = ctx.connect();
  pg::advisory_locker lock(*conn, ctx.opts().bookkeeping_schema);
  pg::applier a(*conn, graph, lock, apply_options(ctx, false));
  const revision_heads now = a.current();
  const live_comparison c = compare_live(*conn, a, ctx, graph, now, ctx.opts().tenant_schema);
  if (ctx.json()) {
    print_json(comparison_json(c));
  } else if (c.matches()) {
    std::cout << fmt::format("OK: the database matches the schema its migrations made at {}.\n", heads_text(now));
  } else {
    const std::size_t n = c.difference_count();
    print_differences(ctx, c,
                      fmt::format("the database differs from the schema its migrations made at {} in {} way{}:",
                                  heads_text(now), n, n == 1 ? "" : "s"));
    if (now.empty())
      std::cerr << "\nRetort has recorded no revision in this database. If it holds the schema of a revision, "
                   "`retort stamp REV` adopts it (after checking that it does).\n";
  }
  return c.matches() ? exit_ok : exit_drift;
}

}  // namespace retort::cli
