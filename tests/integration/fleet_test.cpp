// `retort upgrade|current|history|verify --fleet` as an operator runs them, against three PostgreSQL
// clusters (the `pg_fleet` CTest fixture starts them) holding 60 databases and one database with
// 200 tenant schemas, named every way a fleet file can: URLs, a glob of databases on a server, a
// directory query giving URLs, one giving schema names, and a glob of schemas. The run goes
// through version skew, a failing canary, a SIGKILL mid-run and its rerun, a target failing in
// the middle, and the fleet at head with no skew; then an extension shared by the tenants of one
// database, and `verify --fleet` finding a hand edit in one tenant.
#include <gtest/gtest.h>

#include <signal.h>

#include <cstdlib>
#include <fstream>
#include <memory>
#include <optional>
#include <set>
#include <thread>

#include <fmt/format.h>
#include <nlohmann/json.hpp>
#include <pqxx/pqxx>

#include "child_process.hpp"
#include "history.hpp"
#include "local_cluster.hpp"
#include "pg_fixture.hpp"
#include "throwaway_cluster.hpp"

namespace retort {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using testing::clock_type;
using testing::result;

// The three clusters: the fixture's (RETORT_FLEET_CLUSTER_DIRS, colon-separated), or by hand
// three of this process under /tmp, stopped at the end.
class clusters {
 public:
  clusters() {
    if (const char* dirs = std::getenv("RETORT_FLEET_CLUSTER_DIRS"); dirs && *dirs) {
      std::string_view rest = dirs;
      while (!rest.empty()) {
        const auto colon = rest.find(':');
        all.emplace_back(std::string(rest.substr(0, colon)));
        rest = colon == std::string_view::npos ? "" : rest.substr(colon + 1);
      }
    } else {
      for (const char* name : {"a", "b", "c"}) all.emplace_back(scratch_.path() / name);
      owned_ = true;
    }
    for (auto& c : all) {
      c.start();
      test::drop_durability(c);  // as test_cluster start does for the fixture's clusters
    }
  }
  ~clusters() {
    if (owned_)
      for (auto& c : all) c.stop();
  }
  std::vector<local_cluster> all;

 private:
  testing::scratch_dir scratch_{"retort-fleet"};
  bool owned_ = false;
};

void exec(const std::string& url, const std::string& sql) {
  pqxx::connection conn(url);
  pqxx::nontransaction tx(conn);
  tx.exec(sql);
}

std::string one(const std::string& url, const std::string& query) {
  pqxx::connection conn(url);
  pqxx::read_transaction tx(conn);
  const auto v = tx.exec1(query)[0];
  return v.is_null() ? "NULL" : v.as<std::string>();
}

// A database dropped (with its sessions) and created empty.
std::string fresh_database(const local_cluster& c, const std::string& name) {
  exec(c.url(), fmt::format("DROP DATABASE IF EXISTS \"{}\" WITH (FORCE)", name));
  exec(c.url(), fmt::format("CREATE DATABASE \"{}\"", name));
  return c.url(name);
}

// The number of targets at each position of a `current --fleet --format json` report.
std::map<std::string, int> skew_of(const json& report) {
  std::map<std::string, int> out;
  for (const auto& p : report.at("skew"))
    out[p.at("current").empty() ? "base" : p.at("current")[0].get<std::string>()] = p.at("targets").get<int>();
  return out;
}

TEST(Fleet, UpgradeSkewCanaryKillRerunAndFailures) {
  const clusters pg;
  const auto& [a, b, c] = std::tie(pg.all.at(0), pg.all.at(1), pg.all.at(2));
  testing::scratch_dir dir("retort-fleet-run");
  const auto revisions = testing::tenant_history();
  const fs::path two = dir.path() / "two", four = dir.path() / "four";
  fs::create_directories(two);
  fs::create_directories(four);
  (void)testing::write_migrations(two, {revisions[0], revisions[1]});
  (void)testing::write_migrations(four, revisions);
  const std::string r2 = revisions[1].id, r4 = revisions[3].id;

  // Cluster a: shard_00..19 (a glob) and the directory database; b: cust_00..19 (listed by the
  // directory with their URLs); c: db_00..19 by URL, and `tenants` with 100 schemas named by a
  // directory table in it and 100 pre-created schemas s_000..099 (a glob).
  const std::string directory = fresh_database(a, "directory");
  exec(directory, "CREATE TABLE customers (url text, name text); CREATE TABLE tenant_directory (schema_name text)");
  std::vector<std::string> c_urls;
  for (int i = 0; i < 20; ++i) {
    (void)fresh_database(a, fmt::format("shard_{:02}", i));
    const auto url = fresh_database(b, fmt::format("cust_{:02}", i));
    pqxx::connection conn(directory);
    pqxx::work tx(conn);
    tx.exec_params("INSERT INTO customers VALUES ($1, $2)", url, fmt::format("cust_{:02}", i));
    tx.commit();
    c_urls.push_back(fresh_database(c, fmt::format("db_{:02}", i)));
  }
  const std::string tenants = fresh_database(c, "tenants");
  {
    pqxx::connection conn(tenants);
    pqxx::work tx(conn);
    tx.exec("CREATE TABLE tenant_directory (schema_name text)");
    for (int i = 0; i < 100; ++i) {
      tx.exec(fmt::format("INSERT INTO tenant_directory VALUES ('tenant_{:03}')", i));
      tx.exec(fmt::format("CREATE SCHEMA s_{:03}", i));
    }
    // Nothing may depend on the database's search_path.
    tx.exec("ALTER DATABASE tenants SET search_path = nowhere");
    tx.commit();
  }

  json targets = json::array();
  for (int i = 0; i < 20; ++i)
    targets.push_back({{"name", fmt::format("c/db_{:02}", i)}, {"url", c_urls[i]}, {"labels", {{"region", "ap"}}}});
  targets.push_back({{"name", "a"}, {"server", a.url()}, {"databases", "shard_*"}, {"labels", {{"region", "eu"}}}});
  targets.push_back({{"name", "b"}, {"directory", directory}, {"query", "SELECT url, name FROM customers"},
                     {"labels", {{"region", "us"}}}});
  targets.push_back({{"name", "t"}, {"directory", tenants}, {"query", "SELECT schema_name FROM public.tenant_directory"},
                     {"database", tenants}, {"labels", {{"region", "ap"}, {"kind", "tenant"}}}});
  targets.push_back({{"name", "s"}, {"url", tenants}, {"schemas", "s_*"}, {"labels", {{"region", "ap"}, {"kind", "tenant"}}}});
  const fs::path fleet_file = dir.path() / "retort.fleet.json";
  std::ofstream(fleet_file) << json{{"format", 1}, {"targets", targets}}.dump(2);

  const auto retort = [&](const fs::path& migrations, std::vector<std::string> args) {
    std::vector<std::string> argv{RETORT_CLI_PATH, "--migrations", migrations.string()};
    argv.insert(argv.end(), args.begin(), args.end());
    return argv;
  };
  const auto current = [&] {
    const result r = testing::run(retort(four, {"--format", "json", "current", "--fleet", fleet_file.string()}), {},
                                  dir.path());
    EXPECT_EQ(r.code, 0) << r;
    return json::parse(r.out);
  };

  // The eu shards to revision 2 (an older checkout): one line per target, then the table.
  {
    const result r = testing::run(
        retort(two, {"upgrade", "--fleet", fleet_file.string(), "--labels", "region=eu", "--parallel", "4"}), {},
        dir.path());
    ASSERT_EQ(r.code, 0) << r;
    EXPECT_NE(r.out.find("Upgrading 20 targets to head, 4 at a time"), std::string::npos) << r;
    // A line per finished target: its state, what it did, where it stands, the counts so far.
    EXPECT_NE(r.out.find("[20/20] "), std::string::npos) << r;
    EXPECT_NE(r.out.find("upgraded  2 revisions applied, now at " + r2.substr(0, 12)), std::string::npos) << r;
    EXPECT_NE(r.out.find("(20 done, 0 failed, "), std::string::npos) << r;
    // The table: a row per target.
    EXPECT_NE(r.out.find("\ntarget      state        revision      behind   seconds  applied\n"), std::string::npos) << r;
    EXPECT_NE(r.out.find("\na/shard_19  upgraded     " + r2.substr(0, 12) + "       0  "), std::string::npos) << r;
    EXPECT_NE(r.out.find("20 targets: 20 ok, 0 failed, 0 not started"), std::string::npos) << r;
    EXPECT_EQ(r.out.find("c/db_00"), std::string::npos) << r;
  }
  // Skew before: 20 at revision 2, the other 240 at base.
  {
    const json report = current();
    EXPECT_EQ(report.at("summary").at("targets"), 260);
    EXPECT_EQ(skew_of(report), (std::map<std::string, int>{{"base", 240}, {r2, 20}}));
    for (const auto& p : report.at("skew")) EXPECT_EQ(p.at("behind"), p.at("current").empty() ? 4 : 2);
  }

  // Canary: the first three targets first; the second fails (a table in the way of revision 4),
  // so no other target starts.
  exec(c_urls[1], "CREATE TABLE public.notes (x int)");
  exec(tenants, "CREATE SCHEMA tenant_050; CREATE TABLE tenant_050.notes (x int)");
  {
    const result r = testing::run(retort(four, {"upgrade", "--fleet", fleet_file.string(), "--canary", "3"}), {},
                                  dir.path());
    EXPECT_EQ(r.code, 4) << r;
    EXPECT_NE(r.out.find("Upgrading 260 targets to head, 4 at a time (the first 3 first, as canaries)"),
              std::string::npos)
        << r;  // 4 at a time by default
    EXPECT_NE(r.out.find("A canary failed: the other 257 targets were not started."), std::string::npos) << r;
    EXPECT_NE(r.err.find("error: c/db_01: revision " + r4), std::string::npos) << r;
    const json report = current();
    // c/db_01 keeps the three revisions before the one that failed, each committed on its own.
    EXPECT_EQ(skew_of(report), (std::map<std::string, int>{{"base", 237}, {r2, 20}, {revisions[2].id, 1}, {r4, 2}}));
    EXPECT_EQ(one(c_urls[3], "SELECT to_regnamespace('retort')::text"), "NULL");  // never touched
  }

  // --stop-on-error, one at a time: c/db_00 has nothing to do, c/db_01 fails, nothing after it starts.
  {
    const result r = testing::run(
        retort(four, {"upgrade", "--fleet", fleet_file.string(), "--stop-on-error", "--parallel", "1"}), {},
        dir.path());
    EXPECT_EQ(r.code, 4) << r;
    EXPECT_NE(r.out.find("260 targets: 1 ok, 1 failed, 258 not started"), std::string::npos) << r;
    EXPECT_NE(r.out.find("Stopped at the first failure (--stop-on-error)"), std::string::npos) << r;
    EXPECT_EQ(one(c_urls[3], "SELECT to_regnamespace('retort')::text"), "NULL");
  }

  // SIGKILL part way through the whole fleet, two at a time: every target stays at a whole revision.
  {
    testing::process run(retort(four, {"upgrade", "--fleet", fleet_file.string(), "--parallel", "2"}), {}, dir.path());
    const auto deadline = clock_type::now() + std::chrono::seconds(60);
    while (run.output_so_far().find("[ 40/260]") == std::string::npos && clock_type::now() < deadline)
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    run.kill();
    const result killed = run.wait();
    EXPECT_EQ(killed.code, 128 + SIGKILL) << killed;
    const json report = current();
    EXPECT_GE(skew_of(report)[r4], 39);  // the 40 finished but c/db_01, which fails
    EXPECT_LT(skew_of(report)[r4], 250);
  }

  // The rerun continues where each target stands; the two blocked targets fail, the others do not stop.
  {
    const result r = testing::run(
        retort(four, {"--format", "json", "upgrade", "--fleet", fleet_file.string(), "--parallel", "4"}), {},
        dir.path());
    EXPECT_EQ(r.code, 4) << r;
    const json report = json::parse(r.out);
    EXPECT_EQ(report.at("summary").at("ok"), 258);
    EXPECT_EQ(report.at("summary").at("failed"), 2);
    std::vector<std::string> failed;
    for (const auto& t : report.at("targets"))
      if (t.at("state") == "failed") {
        failed.push_back(t.at("name"));
        EXPECT_EQ(t.at("error").at("type"), "migration");
        EXPECT_EQ(t.at("error").at("revision"), r4);
        EXPECT_EQ(t.at("error").at("sqlstate"), "42P07");  // duplicate_table
        EXPECT_NE(t.at("error").at("statement").get<std::string>().find("CREATE TABLE"), std::string::npos);
        EXPECT_NE(t.at("error").at("message").get<std::string>().find("\"notes\" already exists"), std::string::npos);
      }
    EXPECT_EQ(failed, (std::vector<std::string>{"c/db_01", "t/tenant_050"}));
    // Targets are named after their entry: a database of a glob, a query's second column or its value.
    std::set<std::string> names;
    for (const auto& t : report.at("targets")) names.insert(t.at("name"));
    for (const char* name : {"a/shard_07", "b/cust_07", "t/tenant_007", "s/s_007", "c/db_07"})
      EXPECT_TRUE(names.contains(name)) << name;
    EXPECT_EQ(skew_of(report), (std::map<std::string, int>{{r4, 258}}));
  }

  // The blockers gone, the fleet reaches head: no skew left.
  exec(c_urls[1], "DROP TABLE public.notes");
  exec(tenants, "DROP TABLE tenant_050.notes");
  {
    const result r = testing::run(retort(four, {"upgrade", "--fleet", fleet_file.string()}), {}, dir.path());
    ASSERT_EQ(r.code, 0) << r;
    EXPECT_NE(r.out.find("Version skew: 1 position"), std::string::npos) << r;
    EXPECT_NE(r.out.find("260 targets: 260 ok, 0 failed, 0 not started"), std::string::npos) << r;
    EXPECT_EQ(skew_of(current()), (std::map<std::string, int>{{r4, 260}}));
  }

  // The tenants' objects are in their schemas, with their own bookkeeping; none in public.
  EXPECT_EQ(one(tenants, "SELECT count(*) FROM pg_class WHERE relname = 'notes'"), "200");
  EXPECT_EQ(one(tenants, "SELECT count(*) FROM pg_class WHERE relname = 'retort_applied'"), "200");
  EXPECT_EQ(one(tenants, "SELECT to_regclass('public.items')::text"), "NULL");
  EXPECT_EQ(one(tenants, "SELECT count(*) FROM s_007.retort_applied"), "4");
  EXPECT_EQ(one(tenants, "SELECT name FROM tenant_099.items"), "seed");

  // history --fleet: the last step each target recorded.
  {
    const result r = testing::run(
        retort(four, {"--format", "json", "history", "--fleet", fleet_file.string(), "--labels", "kind=tenant"}), {},
        dir.path());
    ASSERT_EQ(r.code, 0) << r;
    const json report = json::parse(r.out);
    ASSERT_EQ(report.at("targets").size(), 200u);
    for (const auto& t : report.at("targets")) {
      ASSERT_EQ(t.at("audit").size(), 1u) << t;
      EXPECT_EQ(t.at("audit")[0].at("revision"), r4);
      EXPECT_EQ(t.at("audit")[0].at("direction"), "upgrade");
    }
  }

  // A fifth revision creates the extension citext: the 200 tenants of one database, 8 at a time,
  // share it (the first creates it; the others wait for its commit, then find it).
  const fs::path five = dir.path() / "five";
  fs::create_directories(five);
  (void)testing::write_migrations(five, testing::tenant_history_with_extension());
  const std::string r5 = "a00000000005";
  // A column of an extension's type names the type with the extension's schema ("public".citext):
  // the database's search_path (`nowhere`) need not hold it.
  {
    const result r = testing::run(
        retort(five, {"upgrade", "--fleet", fleet_file.string(), "--labels", "kind=tenant", "--parallel", "8"}), {},
        dir.path());
    ASSERT_EQ(r.code, 0) << r;
    EXPECT_NE(r.out.find("200 targets: 200 ok, 0 failed, 0 not started"), std::string::npos) << r;
    EXPECT_EQ(one(tenants, "SELECT count(*) FROM pg_extension WHERE extname = 'citext'"), "1");
  }

  // verify --fleet: each target against the schema its history made at the revision it records
  // (the databases at revision 4, the tenants at 5, each read in its own schema).
  {
    const result r = testing::run(retort(five, {"verify", "--fleet", fleet_file.string(), "--parallel", "8"}), {},
                                  dir.path());
    ASSERT_EQ(r.code, 0) << r;
    EXPECT_NE(r.out.find("\ntarget        state        revision      behind   seconds  differences\n"), std::string::npos)
        << r;
    EXPECT_NE(r.out.find("260 targets: 260 ok, 0 differ, 0 failed, 0 not started"), std::string::npos) << r;
  }
  // A column added by hand to one tenant: that target differs, with its difference and the SQL
  // that undoes it; the others are OK; exit 3.
  exec(tenants, "ALTER TABLE s_007.notes ADD COLUMN by_hand integer");
  {
    const result r = testing::run(retort(five, {"verify", "--fleet", fleet_file.string(), "--parallel", "8"}), {},
                                  dir.path());
    EXPECT_EQ(r.code, 3) << r;
    EXPECT_NE(r.out.find("DIFFERS  1 difference at " + r5), std::string::npos) << r;
    EXPECT_NE(r.out.find("260 targets: 259 ok, 1 differ, 0 failed, 0 not started"), std::string::npos) << r;
    EXPECT_NE(r.err.find("error: s/s_007: the database differs from the schema its migrations made at " + r5 +
                         " in 1 difference:"),
              std::string::npos)
        << r;
    EXPECT_NE(r.err.find("add column s_007.notes.by_hand"), std::string::npos) << r;
    EXPECT_NE(r.err.find(R"(ALTER TABLE "s_007"."notes" DROP COLUMN "by_hand")"), std::string::npos) << r;
  }
  {
    const result r = testing::run(retort(five, {"--format", "json", "verify", "--fleet", fleet_file.string(),
                                                "--labels", "kind=tenant", "--parallel", "8"}),
                                  {}, dir.path());
    EXPECT_EQ(r.code, 3) << r;
    const json report = json::parse(r.out);
    EXPECT_EQ(report.at("summary").at("ok"), 199);
    EXPECT_EQ(report.at("summary").at("differ"), 1);
    for (const auto& t : report.at("targets")) {
      const bool edited = t.at("name") == "s/s_007";
      EXPECT_EQ(t.at("state"), edited ? "differs" : "ok") << t;
      EXPECT_EQ(t.at("verify").at("ok"), !edited) << t;
      EXPECT_EQ(t.at("verify").at("changes").size(), edited ? 1u : 0u) << t;
    }
  }
}

// A URL entry with "schema": one tenant schema of a database, beside the database's own history.
TEST(Fleet, OneTenantSchemaByUrl) {
  testing::scratch_dir dir("retort-fleet-one");
  (void)testing::write_migrations(dir.path() / "versions", testing::tenant_history());
  const std::string url = test::fresh_database_url();
  const fs::path file = dir.path() / "retort.fleet.json";
  std::ofstream(file) << json{{"format", 1},
                              {"targets", {{{"name", "solo"}, {"url", url}, {"schema", "solo"}},
                                           {{"name", "db"}, {"url", url}}}}}
                             .dump();
  const result r = testing::run({RETORT_CLI_PATH, "--migrations", (dir.path() / "versions").string(), "upgrade",
                                 "--fleet", file.string()},
                                {}, dir.path());
  ASSERT_EQ(r.code, 0) << r;
  EXPECT_EQ(one(url, "SELECT count(*) FROM solo.retort_applied"), "4");
  EXPECT_EQ(one(url, "SELECT count(*) FROM retort.applied"), "4");
  EXPECT_EQ(one(url, "SELECT to_regclass('solo.notes')::text || ' ' || to_regclass('public.notes')::text"),
            "solo.notes notes");
}

TEST(Fleet, UnreachableDirectoryIsAnErrorAtItsEntry) {
  testing::scratch_dir dir("retort-fleet-bad");
  fs::create_directories(dir.path() / "migrations" / "versions");  // an empty history
  const fs::path file = dir.path() / "retort.fleet.json";
  std::ofstream(file) << "{\"format\": 1,\n \"targets\": [\n  {\"name\": \"x\", \"directory\": \"host=/nonexistent "
                         "dbname=x\", \"query\": \"SELECT 1\"}]}";
  const result r = testing::run({RETORT_CLI_PATH, "--connect-timeout", "2", "current", "--fleet", file.string()}, {},
                                dir.path());
  EXPECT_EQ(r.code, 4) << r;
  EXPECT_NE(r.err.find(file.string() + ":3: targets \"x\": cannot connect to the database"), std::string::npos) << r;
}

}  // namespace
}  // namespace retort
