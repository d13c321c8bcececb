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

}  // namespace
}  // namespace retort
