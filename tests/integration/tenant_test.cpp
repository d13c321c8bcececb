// Schema-per-tenant against a real PostgreSQL: one history migrated into several schemas of one
// database through migrate_to_head (the application's own connection), each tenant with its own
// objects, bookkeeping and position, on a session whose search_path names no schema of ours.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <pqxx/pqxx>

#include "child_process.hpp"
#include "history.hpp"
#include "pg_fixture.hpp"
#include "retort/migrate.hpp"
#include "retort/pg/applier.hpp"

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

// Only the history's default schema is a tenant's: its other schemas keep their names, so every
// tenant's objects refer to the one shared object there. The history creates those once per
// database: the first tenant's run does, and another tenant's run of that revision stops at
// "already exists" with nothing of it applied.
TEST(SchemaPerTenant, OtherSchemasOfTheHistoryAreSharedNotMapped) {
  testing::scratch_dir dir("retort-tenant-shared");
  (void)testing::write_migrations(dir.path() / "versions", testing::shared_schema_history());
  const std::string url = test::fresh_database_url();
  const auto up = tenant_cli(dir, url, "acme", {"upgrade"});
  ASSERT_EQ(up.code, 0) << up;
  pqxx::connection conn(url);
  EXPECT_EQ(relations_in(conn, "ref"), "kinds,pk_kinds");
  EXPECT_EQ(one(conn, "SELECT to_regclass('acme.kinds')::text"), "NULL");
  EXPECT_EQ(one(conn, "SELECT confrelid::regclass::text FROM pg_constraint WHERE conrelid = 'acme.items'::regclass "
                      "AND contype = 'f'"),
            "ref.kinds");
  EXPECT_EQ(one(conn, "SELECT atttypid::regtype::text FROM pg_attribute WHERE attrelid = 'acme.items'::regclass "
                      "AND attname = 'kind'"),
            "ref.kind");
  // verify reads the shared schema with the tenant's: both as the history made them.
  const auto verified = tenant_cli(dir, url, "acme", {"verify"});
  EXPECT_EQ(verified.code, 0) << verified;

  const auto second = tenant_cli(dir, url, "globex", {"upgrade"});
  EXPECT_EQ(second.code, 4) << second;
  EXPECT_NE(second.err.find(R"(schema "ref" already exists)"), std::string::npos) << second;
  EXPECT_EQ(one(conn, "SELECT to_regclass('globex.items')::text"), "NULL");
  EXPECT_EQ(one(conn, "SELECT count(*) FROM globex.retort_applied"), "0");
}

}  // namespace
}  // namespace retort
