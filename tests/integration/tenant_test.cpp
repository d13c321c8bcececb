// Schema-per-tenant against a real PostgreSQL: one history migrated into several schemas of one
// database through migrate_to_head (the application's own connection), each tenant with its own
// objects, bookkeeping and position, on a session whose search_path names no schema of ours; the
// schemas the tenants share, and the tenants of a database moving together (`upgrade --fleet`).
#include <filesystem>
#include <fstream>
#include <thread>
#include <variant>

#include <gtest/gtest.h>

#include <fmt/format.h>
#include <nlohmann/json.hpp>
#include <pqxx/pqxx>

#include "child_process.hpp"
#include "history.hpp"
#include "local_cluster.hpp"
#include "make_index.hpp"
#include "pg_fixture.hpp"
#include "retort/diff.hpp"
#include "retort/errors.hpp"
#include "retort/migrate.hpp"
#include "retort/pg/applier.hpp"
#include "retort/revision_graph.hpp"
#include "retort/snapshot.hpp"

namespace retort {
namespace {

// The revisions as the embedded files of an application.
struct embedded_history {
  explicit embedded_history(const std::vector<revision>& revisions) {
    for (const auto& r : revisions) texts.emplace_back(r.id + ".json", write_revision(r));
    for (const auto& [name, text] : texts) files.push_back({name, text});
  }
  std::vector<std::pair<std::string, std::string>> texts;
  std::vector<embedded_file> files;
};

std::string one(pqxx::connection& conn, const std::string& query) {
  pqxx::read_transaction tx(conn);
  const auto value = tx.exec1(query)[0];
  return value.is_null() ? "NULL" : value.as<std::string>();
}

// The relations of a schema, sorted, comma-separated.
std::string relations_in(pqxx::connection& conn, const std::string& schema) {
  pqxx::read_transaction tx(conn);
  return tx.exec_params1("SELECT coalesce(string_agg(c.relname, ',' ORDER BY c.relname), '') FROM pg_class c "
                         "JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = $1 AND c.relkind IN ('r', 'i')",
                         schema)[0]
      .as<std::string>();
}

TEST(SchemaPerTenant, MigrateToHeadIntoEachTenantsSchema) {
  const auto revisions = testing::tenant_history();
  const embedded_history embedded(revisions);
  pqxx::connection conn(test::fresh_database_url());
  {
    pqxx::nontransaction tx(conn);
    tx.exec("SET search_path = nowhere");  // nothing of ours is found through it
  }

  EXPECT_EQ(migrate_to_head(conn, embedded.files, "acme").size(), 4u);
  EXPECT_EQ(migrate_to_head(conn, embedded.files, "globex").size(), 4u);
  EXPECT_TRUE(migrate_to_head(conn, embedded.files, "acme").empty());  // at head: nothing to do

  // Each tenant's objects and bookkeeping in its schema; nothing in public, no `retort` schema.
  for (const std::string tenant : {"acme", "globex"}) {
    SCOPED_TRACE(tenant);
    EXPECT_EQ(relations_in(conn, tenant),
              "items,ix_items_name,notes,orders,pk_items,pk_notes,pk_orders,retort_applied,retort_applied_pkey,"
              "retort_history,retort_history_pkey,retort_progress,retort_progress_pkey");
    // The foreign key and the enum column point into the same tenant; the default's bare cast
    // and the hand-written step found the tenant's type and table.
    EXPECT_EQ(one(conn, "SELECT confrelid::regclass::text FROM pg_constraint WHERE conrelid = '" + tenant +
                            ".orders'::regclass AND contype = 'f'"),
              tenant + ".items");
    EXPECT_EQ(one(conn, "SELECT atttypid::regtype::text FROM pg_attribute WHERE attrelid = '" + tenant +
                            ".items'::regclass AND attname = 'state'"),
              tenant + ".state");
    EXPECT_EQ(one(conn, "SELECT name || ' ' || state FROM " + tenant + ".items"), "seed a");
    EXPECT_EQ(one(conn, "SELECT count(*) FROM " + tenant + ".retort_applied"), "4");
  }
  EXPECT_EQ(relations_in(conn, "public"), "");
  EXPECT_EQ(one(conn, "SELECT to_regnamespace('retort')::text"), "NULL");
  EXPECT_EQ(one(conn, "SELECT current_setting('search_path')"), "nowhere");  // the application's setting, restored

  // One tenant's position is its own: undoing acme's last two revisions leaves globex at head.
  const revision_graph graph(load_embedded(embedded.files));
  pg::apply_options acme;
  acme.tenant_schema = "acme";
  pg::advisory_locker lock(conn, pg::bookkeeping_of(acme).schema());
  pg::applier applier(conn, graph, lock, acme);
  EXPECT_EQ(applier.downgrade("-2").size(), 2u);
  EXPECT_EQ(applier.current(), revision_heads{revisions[1].id});
  EXPECT_EQ(one(conn, "SELECT to_regclass('acme.notes')::text"), "NULL");
  EXPECT_EQ(one(conn, "SELECT count(*) FROM globex.retort_applied"), "4");
  EXPECT_EQ(one(conn, "SELECT to_regclass('globex.notes')::text"), "globex.notes");
}

// The CLI's --tenant-schema: the same, for one tenant at a time.
TEST(SchemaPerTenant, CliUpgradesOneTenantSchema) {
  testing::scratch_dir dir("retort-tenant");
  (void)testing::write_migrations(dir.path() / "versions", testing::tenant_history());
  const std::string url = test::fresh_database_url();
  const auto retort = [&](const std::string& tenant, const std::string& command) {
    return testing::run({RETORT_CLI_PATH, "--url", url, "--migrations", (dir.path() / "versions").string(),
                         "--tenant-schema", tenant, "--format", "json", command},
                        {}, dir.path());
  };
  const auto up = retort("acme", "upgrade");
  ASSERT_EQ(up.code, 0) << up;
  EXPECT_EQ(nlohmann::json::parse(up.out).at("upgraded").size(), 4u) << up;
  const auto other = retort("globex", "current");
  ASSERT_EQ(other.code, 0) << other;
  EXPECT_EQ(nlohmann::json::parse(other.out).at("current"), nlohmann::json::array()) << other;
  pqxx::connection conn(url);
  EXPECT_EQ(one(conn, "SELECT count(*) FROM acme.retort_applied"), "4");
  EXPECT_EQ(one(conn, "SELECT name FROM acme.items"), "seed");
  EXPECT_EQ(relations_in(conn, "public"), "");
}

void exec(pqxx::connection& conn, const std::string& sql) {
  pqxx::nontransaction tx(conn);
  tx.exec(sql);
}

// `retort ... --tenant-schema TENANT ARGS` on `url` with the history in dir/versions.
testing::result tenant_cli(const testing::scratch_dir& dir, const std::string& url, const std::string& tenant,
                           std::vector<std::string> args) {
  std::vector<std::string> argv{RETORT_CLI_PATH, "--url", url, "--migrations", (dir.path() / "versions").string(),
                                "--tenant-schema", tenant};
  argv.insert(argv.end(), args.begin(), args.end());
  return testing::run(argv, {}, dir.path());
}

// An extension belongs to the database, so its tenants share it: the first to need it creates
// it, the next finds it, and a tenant going back to base leaves it for the others. `verify` on a
// tenant reads the tenant's schema as the history's default one, and an extension only when the
// history at the tenant's revision creates it.
TEST(SchemaPerTenant, TenantsShareAnExtensionNoTenantDropsIt) {
  testing::scratch_dir dir("retort-tenant-extension");
  (void)testing::write_migrations(dir.path() / "versions", testing::tenant_history_with_extension());
  const std::string url = test::fresh_database_url();
  const auto retort = [&](const std::string& tenant, std::vector<std::string> args) {
    return tenant_cli(dir, url, tenant, std::move(args));
  };
  pqxx::connection conn(url);
  const auto citext_count = [&] { return one(conn, "SELECT count(*) FROM pg_extension WHERE extname = 'citext'"); };
  for (const std::string tenant : {"acme", "globex"}) {
    const auto up = retort(tenant, {"upgrade"});
    ASSERT_EQ(up.code, 0) << up;
    EXPECT_NE(up.out.find("Applied 5 revisions"), std::string::npos) << up;
    const auto verified = retort(tenant, {"verify"});
    EXPECT_EQ(verified.code, 0) << verified;
    EXPECT_NE(verified.out.find("OK: the database matches the schema its migrations made at a00000000005"),
              std::string::npos)
        << verified;
  }
  EXPECT_EQ(citext_count(), "1");

  // acme back to base: its objects go, the extension stays for globex, which keeps using it.
  const auto down = retort("acme", {"downgrade", "base"});
  ASSERT_EQ(down.code, 0) << down;
  EXPECT_EQ(relations_in(conn, "acme"),
            "retort_applied,retort_applied_pkey,retort_history,retort_history_pkey,retort_progress,retort_progress_pkey");
  EXPECT_EQ(citext_count(), "1");
  exec(conn, "INSERT INTO globex.notes (id, body, nick) VALUES (7, 'x', 'Ada')");
  EXPECT_EQ(one(conn, "SELECT body FROM globex.notes WHERE nick = 'ADA'"), "x");  // citext: case-insensitive

  // At base, acme matches its history: the extension is globex's, not a difference of acme's.
  const auto at_base = retort("acme", {"verify"});
  EXPECT_EQ(at_base.code, 0) << at_base;
  EXPECT_NE(at_base.out.find("OK: the database matches the schema its migrations made at base"), std::string::npos)
      << at_base;
  // A column added by hand to globex is globex's difference, named in its schema, and not acme's.
  exec(conn, "ALTER TABLE globex.notes ADD COLUMN by_hand integer");
  const auto edited = retort("globex", {"verify"});
  EXPECT_EQ(edited.code, 3) << edited;
  EXPECT_NE(edited.err.find("differs from the schema its migrations made at a00000000005 in 1 way"), std::string::npos)
      << edited;
  EXPECT_NE(edited.err.find("add column globex.notes.by_hand"), std::string::npos) << edited;
  EXPECT_NE(edited.err.find(R"(ALTER TABLE "globex"."notes" DROP COLUMN "by_hand")"), std::string::npos) << edited;
  EXPECT_EQ(retort("acme", {"verify"}).code, 0);

  // acme comes back to head: the extension is there already.
  const auto again = retort("acme", {"upgrade"});
  ASSERT_EQ(again.code, 0) << again;
  EXPECT_EQ(one(conn, "SELECT count(*) FROM acme.retort_applied"), "5");
  EXPECT_EQ(citext_count(), "1");
}

// A column of an extension's type names the type with the extension's schema: a database whose
// search_path lacks `public` (where citext is) still migrates its tenants, and verify reads the
// type back as the history wrote it.
TEST(SchemaPerTenant, AnExtensionsTypeIsQualifiedNotFoundThroughSearchPath) {
  testing::scratch_dir dir("retort-tenant-extension-path");
  (void)testing::write_migrations(dir.path() / "versions", testing::tenant_history_with_extension());
  const std::string url = test::fresh_database_url();
  pqxx::connection conn(url);
  exec(conn, "ALTER DATABASE " + conn.quote_name(one(conn, "SELECT current_database()")) + " SET search_path = nowhere");
  pqxx::connection later(url);  // a session under the database's search_path
  for (const std::string tenant : {"acme", "globex"}) {
    SCOPED_TRACE(tenant);
    const auto up = tenant_cli(dir, url, tenant, {"upgrade"});
    ASSERT_EQ(up.code, 0) << up;
    const auto verified = tenant_cli(dir, url, tenant, {"verify"});
    EXPECT_EQ(verified.code, 0) << verified;
    EXPECT_EQ(one(later, "SELECT atttypid::regtype::text FROM pg_attribute WHERE attrelid = '" + tenant +
                            ".notes'::regclass AND attname = 'nick'"),
              "public.citext");  // qualified: this session's search_path lacks public too
  }
}

// Only the history's default schema is a tenant's: its other schemas keep their names, so every
// tenant's objects refer to the one shared object there. Those objects are the database's: the
// first tenant to apply their revision creates them, a later one finds them, a tenant going back
// to base leaves them to the others, and the last one to undo their revision drops them.
TEST(SchemaPerTenant, OtherSchemasOfTheHistoryAreSharedOncePerDatabase) {
  testing::scratch_dir dir("retort-tenant-shared");
  (void)testing::write_migrations(dir.path() / "versions", testing::shared_schema_history());
  const std::string url = test::fresh_database_url();
  pqxx::connection conn(url);
  const auto fk_target = [&](const std::string& tenant) {
    return one(conn, "SELECT confrelid::regclass::text FROM pg_constraint WHERE conrelid = '" + tenant +
                         ".items'::regclass AND contype = 'f'");
  };
  for (const std::string tenant : {"acme", "globex"}) {
    SCOPED_TRACE(tenant);
    const auto up = tenant_cli(dir, url, tenant, {"upgrade"});
    ASSERT_EQ(up.code, 0) << up;
    EXPECT_EQ(fk_target(tenant), "ref.kinds");
    EXPECT_EQ(one(conn, "SELECT atttypid::regtype::text FROM pg_attribute WHERE attrelid = '" + tenant +
                            ".items'::regclass AND attname = 'kind'"),
              "ref.kind");
    EXPECT_EQ(one(conn, "SELECT to_regclass('" + tenant + ".kinds')::text"), "NULL");
  }
  EXPECT_EQ(relations_in(conn, "ref"), "kinds,pk_kinds");
  // verify reads the shared schema with the tenant's: both as the history made them.
  for (const std::string tenant : {"acme", "globex"}) {
    const auto verified = tenant_cli(dir, url, tenant, {"verify"});
    EXPECT_EQ(verified.code, 0) << tenant << verified;
  }

  // acme back to base: its objects go, the shared ones stay for globex, which keeps using them.
  const auto down = tenant_cli(dir, url, "acme", {"downgrade", "base"});
  ASSERT_EQ(down.code, 0) << down;
  EXPECT_EQ(one(conn, "SELECT to_regclass('acme.items')::text"), "NULL");
  EXPECT_EQ(relations_in(conn, "ref"), "kinds,pk_kinds");
  exec(conn, "INSERT INTO ref.kinds VALUES (1); INSERT INTO globex.items VALUES (1, 1, 'a')");
  for (const std::string tenant : {"acme", "globex"}) {
    const auto verified = tenant_cli(dir, url, tenant, {"verify"});
    EXPECT_EQ(verified.code, 0) << tenant << verified;
  }
  // At base, acme has no table of its own: globex's and the shared ones are not acme's.
  const auto at_base = tenant_cli(dir, url, "acme", {"--format", "json", "current"});
  ASSERT_EQ(at_base.code, 0) << at_base;
  EXPECT_EQ(nlohmann::json::parse(at_base.out).at("untracked_tables"), nlohmann::json::array()) << at_base;

  // The last tenant to undo the revision drops what it shared.
  exec(conn, "DELETE FROM globex.items");
  const auto last = tenant_cli(dir, url, "globex", {"downgrade", "base"});
  ASSERT_EQ(last.code, 0) << last;
  EXPECT_EQ(one(conn, "SELECT to_regnamespace('ref')::text"), "NULL");

  // Four tenants at once (a fleet run, four at a time): the shared objects are created once, by
  // whichever tenant comes first, and every tenant verifies.
  nlohmann::json targets = nlohmann::json::array();
  for (const std::string tenant : {"acme", "globex", "initech", "umbrella"})
    targets.push_back({{"name", tenant}, {"url", url}, {"schema", tenant}});
  const auto fleet_file = dir.path() / "retort.fleet.json";
  std::ofstream(fleet_file) << nlohmann::json{{"format", 1}, {"targets", targets}}.dump(2);
  const auto fleet = [&](const std::string& command, std::vector<std::string> more) {
    std::vector<std::string> argv{RETORT_CLI_PATH, "--migrations", (dir.path() / "versions").string(), command,
                                  "--fleet", fleet_file.string()};
    argv.insert(argv.end(), more.begin(), more.end());
    return testing::run(argv, {}, dir.path());
  };
  const auto parallel = fleet("upgrade", {"--parallel", "4"});
  ASSERT_EQ(parallel.code, 0) << parallel;
  EXPECT_EQ(relations_in(conn, "ref"), "kinds,pk_kinds");
  EXPECT_EQ(one(conn, "SELECT count(*) FROM retort.shared"), "4");
  const auto verified = fleet("verify", {});
  EXPECT_EQ(verified.code, 0) << verified;
  // The database itself (no tenant) is at base: its tenants' schemas are no difference of its own.
  const auto database = testing::run(
      {RETORT_CLI_PATH, "--url", url, "--migrations", (dir.path() / "versions").string(), "verify"}, {}, dir.path());
  EXPECT_EQ(database.code, 0) << database;
  // Nor are they tables it does not track: the tenants' and the ones they share are theirs.
  const auto database_current = testing::run({RETORT_CLI_PATH, "--url", url, "--migrations",
                                              (dir.path() / "versions").string(), "--format", "json", "current"},
                                             {}, dir.path());
  ASSERT_EQ(database_current.code, 0) << database_current;
  EXPECT_EQ(nlohmann::json::parse(database_current.out).at("untracked_tables"), nlohmann::json::array())
      << database_current;
  for (const std::string tenant : {"acme", "globex", "initech", "umbrella"}) EXPECT_EQ(fk_target(tenant), "ref.kinds");
}

// The example application's history on a fresh database, migrated tenant by tenant as the
// application migrates itself (its C++ data step registered).
struct example_tenants {
  const std::string versions = std::string(RETORT_SOURCE_DIR) + "/migrations/versions";
  const revision_graph graph{load_revisions(versions)};
  const std::string url = test::fresh_database_url();
  pqxx::connection conn{url};
  cpp_steps steps;

  example_tenants() {
    steps.add("7631824f1664", [](pqxx::work& tx) { tx.exec("UPDATE users SET email = lower(email)"); });
  }

  // `tenant` upgraded to `target`: the revisions it applied.
  std::vector<std::string> upgrade(const std::string& tenant, std::string_view target) {
    pg::apply_options o;
    o.tenant_schema = tenant;
    o.cpp = &steps;
    pg::advisory_locker lock(conn, pg::bookkeeping_of(o).schema());
    pg::applier applier(conn, graph, lock, o);
    return applier.upgrade(target);
  }
};

// The example application's history, with its shared `catalog` (and the seed step that names
// it): several tenants of one database, migrated as the application migrates itself (its C++ data
// step registered), together, a revision at a time, since a tenant's operations name the shared
// objects as their revision knows them (order_items' foreign key to catalog.items, which a later
// revision renames). Each ends at head and as its history made it; the catalog is seeded once.
TEST(SchemaPerTenant, TheExampleHistoryMigratesSeveralTenantsOfOneDatabase) {
  example_tenants example;
  const std::string& versions = example.versions;
  const revision_graph& graph = example.graph;
  const std::string& url = example.url;
  pqxx::connection& conn = example.conn;
  const auto upgrade = [&](const std::string& tenant, std::string_view target) { return example.upgrade(tenant, target); };
  const std::vector<std::string> tenants{"acme", "globex", "initech"};
  for (std::size_t r = 0; r < graph.order().size(); ++r)
    for (const auto& tenant : tenants) ASSERT_EQ(upgrade(tenant, "+1").size(), 1u) << tenant << " at " << r;
  for (const auto& tenant : tenants) {
    SCOPED_TRACE(tenant);
    EXPECT_TRUE(upgrade(tenant, "head").empty());
    testing::scratch_dir io("retort-tenant-example");
    const auto verified = testing::run(
        {RETORT_CLI_PATH, "--url", url, "--migrations", versions, "--tenant-schema", tenant, "verify"}, {}, io.path());
    EXPECT_EQ(verified.code, 0) << verified;
    // Its foreign keys into the shared catalog (an order's items to the catalog's products).
    EXPECT_NE(one(conn, "SELECT count(*) FROM pg_constraint k JOIN pg_class r ON r.oid = k.conrelid "
                        "JOIN pg_class f ON f.oid = k.confrelid WHERE k.contype = 'f' AND r.relnamespace = '" +
                            tenant + "'::regnamespace AND f.relnamespace = 'catalog'::regnamespace"),
              "0");
  }
  EXPECT_EQ(one(conn, "SELECT count(*) FROM catalog.categories"), "1");  // seeded once
}

namespace fs = std::filesystem;
using nlohmann::json;

// The example application's history for the CLI, which runs no C++ data step: its one cpp step
// (lower-casing the users' emails) as the same SQL; written with its sum file into `dir`.
void write_example_history_for_the_cli(const fs::path& dir) {
  auto revisions = load_revisions(std::string(RETORT_SOURCE_DIR) + "/migrations/versions");
  for (auto& r : revisions)
    for (auto& op : r.upgrade)
      if (std::holds_alternative<ops::cpp>(op))
        op = ops::sql{.up = "UPDATE users SET email = lower(email)", .irreversible = "a data step"};
  (void)testing::write_migrations(dir, revisions);
}

// How many times a tenant of `tenants` started a revision before every tenant that applied the
// revision before it had finished that one (from `from` on, in the history's order): none when
// they moved together.
std::string lockstep_breaks(pqxx::connection& conn, const revision_graph& graph, const std::vector<std::string>& tenants,
                            const std::string& from) {
  std::vector<std::string> order, history;
  const auto& ids = graph.order();
  for (auto it = std::find(ids.begin(), ids.end(), from); it != ids.end(); ++it)
    order.push_back(fmt::format("('{}', {})", *it, order.size()));
  for (const auto& t : tenants)
    history.push_back("SELECT revision, started_at, finished_at FROM " + t + ".retort_history WHERE direction = 'upgrade'");
  return one(conn, fmt::format("WITH o(revision, n) AS (VALUES {}), h AS (SELECT o.n, h.* FROM ({}) h JOIN o USING (revision)) "
                               "SELECT count(*) FROM h a JOIN h b ON b.n = a.n + 1 WHERE b.started_at < a.finished_at",
                               fmt::join(order, ", "), fmt::join(history, " UNION ALL ")));
}

// `retort upgrade --fleet` with the example history (its shared `catalog`, which a revision
// renames) and three tenants in each of two databases: the tenants of a database move together,
// a revision at a time, one of them ahead at the start waiting for the others; a SIGKILL and a
// rerun; a tenant failing, which holds the others of its database where they stand; then every
// tenant at head and as its history made it.
TEST(SchemaPerTenant, AFleetMovesTheTenantsOfADatabaseTogether) {
  testing::scratch_dir dir("retort-tenant-lockstep");
  write_example_history_for_the_cli(dir.path() / "versions");
  const revision_graph graph(load_revisions((dir.path() / "versions").string()));
  const std::string one_url = test::fresh_database_url(), two_url = test::fresh_database_url();
  const std::string r4 = "5956db220a95", r15 = "65cab173ec6d";
  // acme ahead at the start, at revision 4 (before the catalog changes again).
  const auto ahead = tenant_cli(dir, one_url, "acme", {"upgrade", r4});
  ASSERT_EQ(ahead.code, 0) << ahead;

  json targets = json::array();
  for (const std::string t : {"acme", "globex", "initech"})
    targets.push_back({{"name", "one/" + t}, {"url", one_url}, {"schema", t}, {"labels", {{"db", "one"}}}});
  for (const std::string t : {"two_a", "two_b", "two_c"})
    targets.push_back({{"name", "two/" + t}, {"url", two_url}, {"schema", t}, {"labels", {{"db", "two"}}}});
  const auto fleet_file = dir.path() / "retort.fleet.json";
  std::ofstream(fleet_file) << json{{"format", 1}, {"targets", targets}}.dump(2);
  const auto fleet = [&](const std::string& command, std::vector<std::string> more) {
    std::vector<std::string> argv{RETORT_CLI_PATH, "--migrations", (dir.path() / "versions").string(), command,
                                  "--fleet", fleet_file.string()};
    argv.insert(argv.end(), more.begin(), more.end());
    return argv;
  };
  pqxx::connection one_db(one_url), two_db(two_url);

  // Database one, a tenant at a time: killed part way, then run again to the end.
  {
    testing::process run(fleet("upgrade", {"--labels", "db=one", "--parallel", "1"}), {}, dir.path());
    const auto deadline = testing::clock_type::now() + std::chrono::seconds(60);
    const auto initech_applied = [&] {
      try {
        return std::stoi(one(one_db, "SELECT count(*) FROM initech.retort_applied"));
      } catch (const pqxx::sql_error&) {  // not created yet
        return 0;
      }
    };
    while (initech_applied() < 3 && testing::clock_type::now() < deadline)
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    run.kill();
    (void)run.wait();
  }
  const auto rerun = testing::run(fleet("upgrade", {"--labels", "db=one", "--parallel", "1"}), {}, dir.path());
  ASSERT_EQ(rerun.code, 0) << rerun;
  EXPECT_NE(rerun.out.find("The 3 tenants of one database (one/acme, ...) move together, a revision at a time"),
            std::string::npos)
      << rerun;
  EXPECT_NE(rerun.out.find("3 targets: 3 ok, 0 failed, 0 not started"), std::string::npos) << rerun;
  // A line per revision the tenants of the database all applied, as they go.
  EXPECT_NE(rerun.out.find(" tenants of one/acme's database applied " + graph.heads().front().substr(0, 12) + " ("),
            std::string::npos)
      << rerun;
  EXPECT_EQ(lockstep_breaks(one_db, graph, {"acme", "globex", "initech"}, r4), "0");

  // Database two, its tenants 4 at a time, the first four targets as canaries (so two_a with the
  // other tenants of its database): two_b fails at revision 15 (a table in the way), and the
  // others of its database stay at 15, which they applied with it: held, not failed.
  exec(two_db, "CREATE SCHEMA two_b; CREATE TABLE two_b.audit_events (x int)");
  {
    const auto r = testing::run(fleet("upgrade", {"--format", "json", "--parallel", "4", "--canary", "4"}), {},
                                dir.path());
    EXPECT_EQ(r.code, 4) << r;
    const json report = json::parse(r.out);
    EXPECT_EQ(report.at("summary").at("stopped"), "A canary failed: the other 0 targets were not started.") << r;
    EXPECT_EQ(report.at("summary").at("ok"), 3) << r;
    EXPECT_EQ(report.at("summary").at("failed"), 1) << r;
    EXPECT_EQ(report.at("summary").at("held"), 2) << r;
    for (const auto& t : report.at("targets")) {
      if (t.at("name") == "two/two_b") {
        EXPECT_EQ(t.at("state"), "failed") << t;
        EXPECT_EQ(t.at("error").at("revision"), r15) << t;
      } else if (t.at("name").get<std::string>().starts_with("two/")) {
        EXPECT_EQ(t.at("state"), "held") << t;
        EXPECT_EQ(t.at("held_by"), "two/two_b") << t;
        EXPECT_EQ(t.at("current"), json::array({r15})) << t;
      }
    }
  }
  exec(two_db, "DROP TABLE two_b.audit_events");
  {
    const auto r = testing::run(fleet("upgrade", {"--parallel", "4"}), {}, dir.path());
    ASSERT_EQ(r.code, 0) << r;
    EXPECT_NE(r.out.find("6 targets: 6 ok, 0 failed, 0 not started"), std::string::npos) << r;
  }
  EXPECT_EQ(lockstep_breaks(two_db, graph, {"two_a", "two_b", "two_c"}, graph.order().front()), "0");

  const auto verified = testing::run(fleet("verify", {}), {}, dir.path());
  EXPECT_EQ(verified.code, 0) << verified;
  EXPECT_NE(verified.out.find("6 targets: 6 ok, 0 differ, 0 failed, 0 not started"), std::string::npos) << verified;
  for (auto* conn : {&one_db, &two_db}) {
    EXPECT_EQ(one(*conn, "SELECT count(*) FROM catalog.categories"), "1");  // seeded once per database
    EXPECT_EQ(one(*conn, "SELECT to_regclass('catalog.products')::text"), "catalog.products");
  }

  // A customer onboarded into database one after the catalog's rename: the fleet file names one
  // tenant more, and the next run brings it from base to head, following the rename.
  targets.push_back({{"name", "one/hooli"}, {"url", one_url}, {"schema", "hooli"}, {"labels", {{"db", "one"}}}});
  std::ofstream(fleet_file) << json{{"format", 1}, {"targets", targets}}.dump(2);
  {
    const auto r = testing::run(fleet("upgrade", {"--parallel", "4"}), {}, dir.path());
    ASSERT_EQ(r.code, 0) << r;
    EXPECT_NE(r.out.find("7 targets: 7 ok, 0 failed, 0 not started"), std::string::npos) << r;
    const auto v = testing::run(fleet("verify", {}), {}, dir.path());
    EXPECT_EQ(v.code, 0) << v;
    EXPECT_NE(v.out.find("7 targets: 7 ok, 0 differ, 0 failed, 0 not started"), std::string::npos) << v;
  }
  EXPECT_EQ(one(one_db, "SELECT count(*) FROM hooli.retort_applied"), std::to_string(graph.order().size()));

  // A tenant of the database that the fleet does not name, at revision 1: the fleet's tenants go
  // up to revision 4 and stop before 5, which changes the catalog, each saying why.
  const std::string three_url = test::fresh_database_url();
  const auto late = tenant_cli(dir, three_url, "late", {"upgrade", "+1"});
  ASSERT_EQ(late.code, 0) << late;
  const auto partial_file = dir.path() / "partial.fleet.json";
  std::ofstream(partial_file) << json{{"format", 1},
                                      {"targets", {{{"name", "x"}, {"url", three_url}, {"schema", "x"}},
                                                   {{"name", "y"}, {"url", three_url}, {"schema", "y"}}}}}
                                     .dump();
  const auto stopped = testing::run({RETORT_CLI_PATH, "--migrations", (dir.path() / "versions").string(), "--format",
                                     "json", "upgrade", "--fleet", partial_file.string(), "--parallel", "2"},
                                    {}, dir.path());
  EXPECT_NE(stopped.code, 0) << stopped;
  for (const auto& t : json::parse(stopped.out).at("targets")) {
    EXPECT_EQ(t.at("state"), "failed") << t;
    EXPECT_NE(t.at("error").at("message").get<std::string>().find(
                  "stops before revision e0f3562a1c0d (" + (dir.path() / "versions").string()),
              std::string::npos)
        << t;
    EXPECT_NE(t.at("error").at("message").get<std::string>().find("tenant late (at e33d6c6fcc1b)"), std::string::npos)
        << t;
  }
  pqxx::connection three_db(three_url);
  EXPECT_EQ(one(three_db, "SELECT count(*) FROM x.retort_applied"), "4");
}

// An application that migrates one tenant at a time: a tenant does not change the shared objects
// while another tenant of its database has not reached the revision before; it stops there and
// says which tenants to bring first. A tenant behind the others follows them.
TEST(SchemaPerTenant, ATenantDoesNotMoveTheSharedObjectsAheadOfAnother) {
  example_tenants example;
  const std::string& versions = example.versions;
  const revision_graph& graph = example.graph;
  const std::string& url = example.url;
  pqxx::connection& conn = example.conn;
  const auto upgrade = [&](const std::string& tenant, std::string_view target) { return example.upgrade(tenant, target); };
  const auto position = [&](const std::string& tenant) {
    return one(conn, "SELECT string_agg(revision, ',') FROM (SELECT revision FROM " + tenant +
                         ".retort_applied ORDER BY applied_at DESC, revision LIMIT 1) r");
  };
  ASSERT_EQ(upgrade("globex", "+1").size(), 1u);
  // acme goes up to revision 4; revision 5 changes the catalog while globex is at 1: acme stops.
  try {
    (void)upgrade("acme", "head");
    FAIL() << "acme went past globex";
  } catch (const retort::error& e) {
    EXPECT_NE(std::string(e.what()).find("tenant acme stops before revision e0f3562a1c0d"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("tenant globex (at e33d6c6fcc1b) of the database has not reached 5956db220a95"),
              std::string::npos)
        << e.what();
  }
  EXPECT_EQ(one(conn, "SELECT count(*) FROM acme.retort_applied"), "4");
  EXPECT_EQ(position("globex"), "e33d6c6fcc1b");
  // Revision by revision, each tenant in turn, both reach head. Between the two, acme is a
  // revision behind: verify sees the shared objects as globex left them (the catalog's items
  // renamed products, acme's foreign key following them), not as a difference of acme's.
  testing::scratch_dir io("retort-tenant-behind");
  for (std::size_t r = 0; r < graph.order().size(); ++r) {
    (void)upgrade("globex", graph.order()[r]);
    if (graph.order()[r] == "e66124f0568e") {
      const auto verified = testing::run(
          {RETORT_CLI_PATH, "--url", url, "--migrations", versions, "--tenant-schema", "acme", "verify"}, {}, io.path());
      EXPECT_EQ(verified.code, 0) << verified;
      EXPECT_NE(verified.out.find("matches the schema its migrations made at e0f3562a1c0d"), std::string::npos)
          << verified;
    }
    (void)upgrade("acme", graph.order()[r]);
  }
  EXPECT_EQ(one(conn, "SELECT count(*) FROM acme.retort_applied"), std::to_string(graph.order().size()));
  EXPECT_EQ(one(conn, "SELECT count(*) FROM globex.retort_applied"), std::to_string(graph.order().size()));
}

// A tenant created after the others went past a change of the shared objects (a customer
// onboarded today): its early revisions name catalog.items, which a later revision renamed
// catalog.products. Its foreign keys to shared tables follow the renames the others made, so it
// migrates from base, verifies where it stops on the way (before the rename) and at head, and
// finds the catalog seeded once.
TEST(SchemaPerTenant, ATenantCreatedAfterTheOthersRenamedASharedTableFollowsTheRename) {
  example_tenants example;
  const revision_graph& graph = example.graph;
  pqxx::connection& conn = example.conn;
  ASSERT_EQ(example.upgrade("acme", "head").size(), graph.order().size());
  ASSERT_EQ(example.upgrade("globex", "head").size(), graph.order().size());

  testing::scratch_dir io("retort-tenant-late");
  const auto verify = [&](const std::string& tenant) {
    return testing::run({RETORT_CLI_PATH, "--url", example.url, "--migrations", example.versions, "--tenant-schema",
                         tenant, "verify"},
                        {}, io.path());
  };
  const auto references = [&](const std::string& tenant) {
    return one(conn, "SELECT string_agg(k.conname || ' -> ' || k.confrelid::regclass::text, ', ' ORDER BY k.conname) "
                     "FROM pg_constraint k WHERE k.contype = 'f' AND k.connamespace = '" + tenant +
                         "'::regnamespace AND k.confrelid::regclass::text LIKE 'catalog.%'");
  };
  EXPECT_EQ(example.upgrade("initech", "e0f3562a1c0d").size(), 5u);  // the revision before the rename
  EXPECT_EQ(references("initech"), "fk_order_items_product_id_items -> catalog.products");
  const auto behind = verify("initech");
  EXPECT_EQ(behind.code, 0) << behind;
  EXPECT_NE(behind.out.find("matches the schema its migrations made at e0f3562a1c0d"), std::string::npos) << behind;

  EXPECT_EQ(example.upgrade("initech", "head").size(), graph.order().size() - 5);
  EXPECT_EQ(references("initech"), references("acme"));
  EXPECT_EQ(references("initech"), "fk_order_items_product_id_products -> catalog.products");
  const auto at_head = verify("initech");
  EXPECT_EQ(at_head.code, 0) << at_head;
  EXPECT_EQ(one(conn, "SELECT count(*) FROM catalog.categories"), "1");  // seeded once
  EXPECT_EQ(one(conn, "SELECT string_agg(tenant, ',' ORDER BY tenant) FROM retort.shared "
                      "WHERE revision = 'e66124f0568e'"),
            "acme,globex,initech");
}

// A tenant created after the others dropped a shared table that its early revisions reference:
// its foreign key to it cannot be created, so its run stops before anything runs, saying so and
// what to do. A squash of the history past the drop is that way out: the new tenant starts from
// it, and the tenants already at head keep working under it.
TEST(SchemaPerTenant, ATenantCreatedAfterASharedTableWasDroppedStartsFromASquash) {
  testing::scratch_dir dir("retort-tenant-dropped");
  const schema with_kinds = read_snapshot(R"({"format": 1, "schemas": ["ref"],
      "tables": [
        {"schema": "ref", "name": "kinds", "primary_key": {"columns": ["id"]}, "columns": [{"name": "id", "type": "bigint"}]},
        {"schema": "public", "name": "items", "primary_key": {"columns": ["id"]},
         "columns": [{"name": "id", "type": "bigint"}, {"name": "kind_id", "type": "bigint"}],
         "foreign_keys": [{"columns": ["kind_id"], "references": {"schema": "ref", "table": "kinds", "columns": ["id"]}}]}]})",
                                          "with_kinds.json");
  schema without = with_kinds;
  std::erase_if(without.tables, [](const table& t) { return t.name.schema == "ref"; });
  without.tables.at(0).foreign_keys.clear();
  const auto first = testing::make_revision(1, {}, "items of shared kinds", diff(schema{}, with_kinds));
  const auto second = testing::make_revision(2, {first.id}, "no more kinds", diff(with_kinds, without));
  (void)testing::write_migrations(dir.path() / "versions", {first, second});
  const std::string url = test::fresh_database_url();
  pqxx::connection conn(url);
  const auto acme = tenant_cli(dir, url, "acme", {"upgrade"});
  ASSERT_EQ(acme.code, 0) << acme;

  const auto refused = tenant_cli(dir, url, "globex", {"upgrade"});
  EXPECT_EQ(refused.code, 1) << refused;
  EXPECT_NE(refused.err.find("foreign key fk_items_kind_id_kinds references \"ref\".\"kinds\", which a later revision "
                             "dropped"),
            std::string::npos)
      << refused;
  EXPECT_NE(refused.err.find("cannot create it; nothing was run. A new tenant can start from a squash of the history "
                             "past the drop (`retort squash --to REV`)"),
            std::string::npos)
      << refused;
  EXPECT_EQ(one(conn, "SELECT to_regclass('globex.items') IS NULL"), "t");

  // The refused tenant, at base, holds no other back: acme takes the next shared revision.
  schema with_colors = without;
  with_colors.tables.push_back(with_kinds.tables.at(1));  // ref.kinds, as ref.colors
  with_colors.tables.back().name.name = "colors";
  sort_canonically(with_colors);
  const auto third = testing::make_revision(3, {second.id}, "shared colors", diff(without, with_colors));
  (void)testing::write_migrations(dir.path() / "versions", {first, second, third});
  const auto next = tenant_cli(dir, url, "acme", {"upgrade"});
  ASSERT_EQ(next.code, 0) << next;
  EXPECT_EQ(one(conn, "SELECT to_regclass('ref.colors')::text"), "ref.colors");

  const auto squashed = testing::run({RETORT_CLI_PATH, "--migrations", (dir.path() / "versions").string(), "squash",
                                      "--to", second.id, "-m", "items"},
                                     {}, dir.path());
  ASSERT_EQ(squashed.code, 0) << squashed;
  const auto globex = tenant_cli(dir, url, "globex", {"upgrade"});
  ASSERT_EQ(globex.code, 0) << globex;
  for (const std::string tenant : {"acme", "globex"}) {
    SCOPED_TRACE(tenant);
    const auto verified = tenant_cli(dir, url, tenant, {"verify"});
    EXPECT_EQ(verified.code, 0) << verified;
    const auto current = tenant_cli(dir, url, tenant, {"upgrade"});
    EXPECT_EQ(current.code, 0) << current;
  }
  EXPECT_EQ(one(conn, "SELECT string_agg(revision, ',' ORDER BY applied_at) FROM globex.retort_applied"),
            second.id + "," + third.id);
}

// Two tenants undoing a revision of several transactions that changes the shared objects, their
// units interleaved: acme begins (the shared index is globex's to drop, since globex still stands
// past it) and fails in its next transaction; globex then undoes the whole revision, shared objects
// included; acme's rerun finishes its own part and leaves the shared objects alone, as it decided
// at its first claim, instead of dropping a shared column a second time.
TEST(SchemaPerTenant, TenantsUndoingASharedRevisionAtOnceUndoItsSharedObjectsOnce) {
  testing::scratch_dir dir("retort-tenant-undo");
  const schema start = read_snapshot(R"({"format": 1, "schemas": ["ref"],
      "tables": [
        {"schema": "ref", "name": "kinds", "primary_key": {"columns": ["id"]}, "columns": [{"name": "id", "type": "bigint"}]},
        {"schema": "public", "name": "items", "primary_key": {"columns": ["id"]}, "columns": [{"name": "id", "type": "bigint"}]}]})",
                                     "start.json");
  column label{"label", *parse_builtin_type("text"), true, {}, identity_kind::none, {}, {}, {}, {}};
  column note = label;
  note.name = "note";
  const qualified_name kinds{"ref", "kinds"}, items{"public", "items"};
  const auto first = testing::make_revision(1, {}, "kinds and items", diff(schema{}, start));
  // Undone: the shared index concurrently (a transaction of its own), then items.note and
  // kinds.label in one transaction.
  const auto second = testing::make_revision(
      2, {first.id}, "labels",
      {ops::add_column{kinds, label}, ops::add_column{items, note},
       ops::create_index{kinds, testing::make_index("ix_kinds_label", {"label"})}});
  (void)testing::write_migrations(dir.path() / "versions", {first, second});
  const std::string url = test::fresh_database_url();
  pqxx::connection conn(url);
  for (const std::string tenant : {"acme", "globex"}) {
    const auto up = tenant_cli(dir, url, tenant, {"upgrade"});
    ASSERT_EQ(up.code, 0) << up;
  }

  {
    pqxx::connection holder(url);  // holds acme.items: acme's second transaction gives up on it
    pqxx::work hold(holder);
    hold.exec("LOCK TABLE acme.items IN ACCESS SHARE MODE");
    const auto stopped =
        tenant_cli(dir, url, "acme", {"--lock-timeout", "200", "--lock-attempts", "1", "downgrade", "-1"});
    EXPECT_NE(stopped.code, 0) << stopped;
    EXPECT_EQ(one(conn, "SELECT count(*) FROM acme.retort_progress"), "1");  // the index's unit committed
    EXPECT_EQ(one(conn, "SELECT to_regclass('ref.ix_kinds_label')::text"), "ref.ix_kinds_label");  // left to globex
    const auto globex = tenant_cli(dir, url, "globex", {"downgrade", "-1"});
    ASSERT_EQ(globex.code, 0) << globex;
  }
  EXPECT_EQ(one(conn, "SELECT to_regclass('ref.ix_kinds_label') IS NULL"), "t");
  EXPECT_EQ(one(conn, "SELECT count(*) FROM information_schema.columns "
                      "WHERE table_schema = 'ref' AND column_name = 'label'"),
            "0");
  const auto rerun = tenant_cli(dir, url, "acme", {"downgrade", "-1"});
  ASSERT_EQ(rerun.code, 0) << rerun;
  EXPECT_EQ(one(conn, "SELECT count(*) FROM retort.shared WHERE revision = '" + second.id + "'"), "0");
  for (const std::string tenant : {"acme", "globex"}) {
    SCOPED_TRACE(tenant);
    const auto verified = tenant_cli(dir, url, tenant, {"verify"});
    EXPECT_EQ(verified.code, 0) << verified;
    const auto up = tenant_cli(dir, url, tenant, {"upgrade"});  // and up again: the first recreates them
    EXPECT_EQ(up.code, 0) << up;
  }
  EXPECT_EQ(one(conn, "SELECT to_regclass('ref.ix_kinds_label')::text"), "ref.ix_kinds_label");
}

// The tenants that follow the first one's committed claim of a shared revision record themselves
// under the claim lock's shared mode: one holding it (as a tenant running that revision does)
// does not hold up the next, while a downgrade's decision, which takes the lock whole, waits for
// it (here until its lock_timeout).
TEST(SchemaPerTenant, TenantsFollowingACommittedClaimDoNotWaitForEachOther) {
  testing::scratch_dir dir("retort-tenant-follow");
  (void)testing::write_migrations(dir.path() / "versions", testing::shared_schema_history());
  const std::string url = test::fresh_database_url();
  const auto first = tenant_cli(dir, url, "acme", {"upgrade"});
  ASSERT_EQ(first.code, 0) << first;
  pqxx::connection holder(url);
  pqxx::work hold(holder);
  hold.exec("SELECT pg_advisory_xact_lock_shared(hashtext('retort: shared objects of retort'))");
  const std::vector<std::string> impatient{"--lock-timeout", "300", "--lock-attempts", "1"};
  auto args = impatient;
  args.push_back("upgrade");
  const auto follower = tenant_cli(dir, url, "globex", args);
  EXPECT_EQ(follower.code, 0) << follower;
  args.back() = "downgrade";
  args.push_back("base");
  const auto undo = tenant_cli(dir, url, "globex", args);
  EXPECT_NE(undo.code, 0) << undo;
  EXPECT_NE(undo.err.find("lock timeout"), std::string::npos) << undo;
  hold.abort();
  pqxx::connection conn(url);
  EXPECT_EQ(one(conn, "SELECT string_agg(tenant, ',' ORDER BY tenant) FROM retort.shared"), "acme,globex");
  EXPECT_EQ(one(conn, "SELECT count(*) FROM globex.retort_applied"), "1");
}

// A database whose tenants migrated before Retort kept `retort.shared`: the shared objects exist,
// with no record of who made them. The record starts from the tenants' own bookkeeping, so the
// next tenant skips them instead of failing on "already exists".
TEST(SchemaPerTenant, TheRecordOfSharedRevisionsStartsFromTheTenantsBookkeeping) {
  testing::scratch_dir dir("retort-tenant-backfill");
  (void)testing::write_migrations(dir.path() / "versions", testing::shared_schema_history());
  const std::string url = test::fresh_database_url();
  pqxx::connection conn(url);
  const auto first = tenant_cli(dir, url, "acme", {"upgrade"});
  ASSERT_EQ(first.code, 0) << first;
  exec(conn, "DROP SCHEMA retort CASCADE");  // as an older Retort left it
  const auto second = tenant_cli(dir, url, "globex", {"upgrade"});
  ASSERT_EQ(second.code, 0) << second;
  EXPECT_EQ(one(conn, "SELECT string_agg(tenant, ',' ORDER BY tenant) FROM retort.shared"), "acme,globex");
  EXPECT_EQ(relations_in(conn, "ref"), "kinds,pk_kinds");
  const auto verified = tenant_cli(dir, url, "globex", {"verify"});
  EXPECT_EQ(verified.code, 0) << verified;
}

// The offline script of a tenant (`retort sql --tenant-schema`): its revisions as SQL in its
// schema, which psql runs; a revision that changes the shared objects is refused, since only the
// database knows whether another tenant already made them.
TEST(SchemaPerTenant, AnOfflineScriptOfATenantRefusesRevisionsOfTheSharedObjects) {
  const std::string url = test::fresh_database_url();
  pqxx::connection conn(url);
  testing::scratch_dir own("retort-tenant-sql");
  (void)testing::write_migrations(own.path() / "versions", testing::tenant_history());
  const auto script = tenant_cli(own, url, "acme", {"sql", "base:head"});
  ASSERT_EQ(script.code, 0) << script;
  EXPECT_NE(script.out.find(R"(CREATE TABLE "acme"."items")"), std::string::npos) << script;
  const auto file = own.path() / "acme.sql";
  std::ofstream(file) << script.out;
  const auto psql = testing::run({(find_postgres_bin_dir() / "psql").string(), "-X", "-q", "-f", file.string(),
                                  "-d", url},
                                 {}, own.path());
  ASSERT_EQ(psql.code, 0) << psql;
  EXPECT_EQ(one(conn, "SELECT count(*) FROM acme.items"), "1");  // its sql step's seed, in its schema
  const auto verified = tenant_cli(own, url, "acme", {"verify"});
  EXPECT_EQ(verified.code, 0) << verified;

  testing::scratch_dir shared("retort-tenant-sql-shared");
  (void)testing::write_migrations(shared.path() / "versions", testing::shared_schema_history());
  const auto refused = tenant_cli(shared, url, "globex", {"sql", "base:head"});
  EXPECT_EQ(refused.code, 1) << refused;
  EXPECT_TRUE(refused.out.empty()) << refused;
  EXPECT_NE(refused.err.find("changes objects the tenants of a database share (outside the default schema): an "
                             "offline script for tenant globex cannot know which of them the database's other "
                             "tenants already made or still use. Apply it with "
                             "`retort --tenant-schema globex upgrade`"),
            std::string::npos)
      << refused;
}

// A record of shared revisions that an earlier Retort created lacks the columns of a downgrade's
// decision: the next claim adds them, and tenants upgrade and downgrade with it as with a new one.
TEST(SchemaPerTenant, AnEarlierRecordOfSharedRevisionsGetsTheColumnsOfTheUndoDecision) {
  testing::scratch_dir dir("retort-tenant-old-record");
  (void)testing::write_migrations(dir.path() / "versions", testing::shared_schema_history());
  const std::string url = test::fresh_database_url();
  pqxx::connection conn(url);
  const auto first = tenant_cli(dir, url, "acme", {"upgrade"});
  ASSERT_EQ(first.code, 0) << first;
  exec(conn, "ALTER TABLE retort.shared DROP COLUMN undone_at, DROP COLUMN undo_runs");  // as it was
  const auto second = tenant_cli(dir, url, "globex", {"upgrade"});
  ASSERT_EQ(second.code, 0) << second;
  EXPECT_EQ(one(conn, "SELECT string_agg(column_name, ',' ORDER BY column_name) FROM information_schema.columns "
                      "WHERE table_schema = 'retort' AND table_name = 'shared' AND column_name LIKE 'undo%'"),
            "undo_runs,undone_at");
  EXPECT_EQ(one(conn, "SELECT string_agg(tenant, ',' ORDER BY tenant) FROM retort.shared"), "acme,globex");
  const auto undone = tenant_cli(dir, url, "globex", {"downgrade", "base"});
  ASSERT_EQ(undone.code, 0) << undone;
  EXPECT_EQ(one(conn, "SELECT string_agg(tenant, ',' ORDER BY tenant) FROM retort.shared"), "acme");
  EXPECT_EQ(relations_in(conn, "ref"), "kinds,pk_kinds");  // acme's still
}

// A tenant's revision of several transactions, interrupted after its first one committed: the
// tenant's own progress table says so, and the next run finishes it instead of running the first
// transaction again.
TEST(SchemaPerTenant, AnInterruptedRevisionOfATenantResumes) {
  testing::scratch_dir dir("retort-tenant-resume");
  write_example_history_for_the_cli(dir.path() / "versions");
  const revision_graph graph(load_revisions((dir.path() / "versions").string()));
  const std::string url = test::fresh_database_url();
  pqxx::connection conn(url);
  const auto up = tenant_cli(dir, url, "acme", {"upgrade", "3ae57b736f39"});
  ASSERT_EQ(up.code, 0) << up;
  // Revision 4's first transaction (then its CREATE INDEX CONCURRENTLY, which did not run).
  exec(conn, "ALTER TABLE acme.users DROP COLUMN legacy_flag; INSERT INTO acme.retort_progress (revision, direction, "
             "unit, checksum) VALUES ('5956db220a95', 'upgrade', 0, '" + pg::checksum_of(graph.at("5956db220a95")) + "')");
  const auto part_way = tenant_cli(dir, url, "acme", {"current"});
  EXPECT_NE(part_way.out.find("Part way: revision 5956db220a95 is part way through its upgrade"), std::string::npos)
      << part_way;
  const auto resumed = tenant_cli(dir, url, "acme", {"upgrade", "5956db220a95"});
  ASSERT_EQ(resumed.code, 0) << resumed;
  EXPECT_EQ(tenant_cli(dir, url, "acme", {"verify"}).code, 0);
}

}  // namespace
}  // namespace retort
