// `retort stairway` against real PostgreSQL: a sound history walks up, down and up again and the
// throwaway database is gone afterwards; a downgrade that does not undo its upgrade (which the
// offline check cannot see in an sql step) fails, naming the revision and what is left.
#include <gtest/gtest.h>

#include <regex>

#include <nlohmann/json.hpp>
#include <pqxx/pqxx>

#include "child_process.hpp"
#include "history.hpp"
#include "pg_fixture.hpp"
#include "retort/revision_graph.hpp"

namespace retort {
namespace {

namespace fs = std::filesystem;
using testing::make_revision;

class Stairway : public ::testing::Test {
 protected:
  testing::result retort(std::vector<std::string> args) {
    std::vector<std::string> argv{RETORT_CLI_PATH, "--migrations", migrations_.string(), "--url", url_};
    argv.insert(argv.end(), args.begin(), args.end());
    return testing::run(argv, {}, scratch_.path());
  }
  void write(const std::vector<revision>& revisions) { (void)testing::write_migrations(migrations_, revisions); }

  // Whether a database of that name exists on the test cluster.
  bool database_exists(const std::string& name) {
    pqxx::connection conn(url_);
    pqxx::read_transaction tx(conn);
    return tx.exec_params1("SELECT count(*) FROM pg_database WHERE datname = $1", name)[0].as<int>() == 1;
  }
  static std::string throwaway_name(const std::string& out) {
    std::smatch m;
    return std::regex_search(out, m, std::regex("throwaway database (retort_stairway_[0-9a-f]+)")) ? m[1].str() : "";
  }

  testing::scratch_dir scratch_{"retort-stairway"};
  fs::path migrations_ = scratch_.path() / "versions";
  std::string url_ = test::fresh_database_url();
};

TEST_F(Stairway, SoundHistoryWalksUpDownUpAndDropsItsDatabase) {
  write(testing::random_history(11, 5));
  const auto r = retort({"stairway"});
  ASSERT_EQ(r.code, 0) << r;
  EXPECT_NE(r.out.find("[5/5]"), std::string::npos) << r;
  EXPECT_NE(r.out.find("OK: 5 revisions walked up, down and up again"), std::string::npos) << r;
  const std::string name = throwaway_name(r.out);
  ASSERT_FALSE(name.empty()) << r;
  EXPECT_FALSE(database_exists(name));
  // The configured database itself was never touched.
  pqxx::connection conn(url_);
  pqxx::read_transaction tx(conn);
  EXPECT_EQ(tx.exec1("SELECT count(*) FROM pg_namespace WHERE nspname = 'retort'")[0].as<int>(), 0);
}

TEST_F(Stairway, DowngradeThatLeavesATableFailsNamingTheRevision) {
  const revision base = make_revision(1, {}, "create accounts",
                                      {ops::sql{"CREATE TABLE accounts (id bigint PRIMARY KEY)", "DROP TABLE accounts"}});
  const revision broken = make_revision(2, {base.id}, "create audit log",
                                        {ops::sql{"CREATE TABLE audit_log (id bigint)", "SELECT 1"}});
  write({base, broken});
  const auto r = retort({"stairway"});
  EXPECT_EQ(r.code, 3) << r;
  EXPECT_NE(r.err.find("revision " + broken.id), std::string::npos) << r;
  EXPECT_NE(r.err.find("its downgrade does not restore the schema before its upgrade"), std::string::npos) << r;
  EXPECT_NE(r.err.find("drop table public.audit_log"), std::string::npos) << r;
  EXPECT_NE(r.out.find("up, down, up"), std::string::npos) << "the first revision passed\n" << r;
  EXPECT_FALSE(database_exists(throwaway_name(r.out))) << "dropped after a failure too";

  const auto j = retort({"--format", "json", "stairway"});
  EXPECT_EQ(j.code, 3) << j;
  const auto doc = nlohmann::json::parse(j.out);
  EXPECT_EQ(doc["ok"], false);
  EXPECT_EQ(doc["failure"]["revision"], broken.id);
}

TEST_F(Stairway, IrreversibleStepIsWalkedUpOnly) {
  const revision base = make_revision(1, {}, "create accounts",
                                      {ops::sql{"CREATE TABLE accounts (id bigint)", "DROP TABLE accounts"}});
  ops::sql seed{"INSERT INTO accounts VALUES (1)", std::nullopt};
  seed.irreversible = "the seeded row may be referenced";
  revision data = make_revision(2, {base.id}, "seed accounts", {});
  data.upgrade = {seed};  // no inverse: the downgrade stays empty
  write({base, data});
  const auto r = retort({"stairway"});
  EXPECT_EQ(r.code, 0) << r;
  EXPECT_NE(r.out.find("up (irreversible: not walked down)"), std::string::npos) << r;
}

}  // namespace
}  // namespace retort
