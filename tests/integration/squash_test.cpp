// `retort squash` against real PostgreSQL, with databases before, inside and after the squashed
// range: base and at-or-past databases keep working under the squashed history (the applier
// records the squash on their next run), one inside the range is stopped with what to do, and
// the files and retort.sum stay consistent.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include <pqxx/pqxx>

#include "child_process.hpp"
#include "history.hpp"
#include "pg_fixture.hpp"
#include "retort/pg/introspect.hpp"
#include "retort/revision_graph.hpp"
#include "schema_text.hpp"

namespace retort {
namespace {

namespace fs = std::filesystem;

schema live(const std::string& url) {
  pqxx::connection conn(url);
  return test::live_schema(conn, {"retort"});
}

std::string bytes_of(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

class Squash : public ::testing::Test {
 protected:
  testing::result retort(std::vector<std::string> args, const std::string& url = {}) {
    std::vector<std::string> argv{RETORT_CLI_PATH, "--migrations", migrations_.string()};
    if (!url.empty()) argv.insert(argv.end(), {"--url", url});
    argv.insert(argv.end(), args.begin(), args.end());
    return testing::run(argv, {}, scratch_.path());
  }
  // A database brought to `target` by the history as it is now.
  std::string database_at(const std::string& target) {
    std::string url = test::fresh_database_url();
    if (!target.empty()) {
      const auto r = retort({"upgrade", target}, url);
      EXPECT_EQ(r.code, 0) << r;
    }
    return url;
  }
  std::vector<fs::path> files() const {
    std::vector<fs::path> out;
    for (const auto& e : fs::directory_iterator(migrations_)) out.push_back(e.path());
    std::sort(out.begin(), out.end());
    return out;
  }

  testing::scratch_dir scratch_{"retort-squash"};
  fs::path migrations_ = scratch_.path() / "versions";
};

TEST_F(Squash, DatabasesBeforeAtAndPastTheRangeKeepWorkingOneInsideIsStopped) {
  const auto history = testing::write_migrations(migrations_, testing::random_history(5, 5));
  const std::string r2 = history[1].id, r3 = history[2].id, r4 = history[3].id, r5 = history[4].id;
  const std::string base = database_at(""), inside = database_at(r2), at = database_at(r3), past = database_at(r4);
  const std::string reference = database_at(r5);  // the old history to its head: what every database must become
  const std::string after_file = bytes_of(history[3].file);

  const auto s = retort({"squash", "--to", r3, "-m", "squash to three"});
  ASSERT_EQ(s.code, 0) << s;
  EXPECT_NE(s.out.find("the 3 revisions up to it"), std::string::npos) << s;
  // One file for the first three, the later two unchanged (byte for byte), retort.sum rewritten.
  const auto now = files();
  ASSERT_EQ(now.size(), 4u);
  EXPECT_NE(now[0].filename().string().find(r3 + "_squash_to_three"), std::string::npos) << now[0];
  EXPECT_EQ(bytes_of(history[3].file), after_file);
  const revision_graph graph(load_revisions(migrations_.string()));
  EXPECT_EQ(graph.at(r3).replaces, (std::vector<std::string>{history[0].id, r2}));
  EXPECT_TRUE(graph.at(r3).parents.empty());
  EXPECT_EQ(graph.replaced_by(r2), &graph.at(r3));

  // Before the range: the squash creates everything at once.
  auto r = retort({"upgrade"}, base);
  EXPECT_EQ(r.code, 0) << r;
  EXPECT_NE(r.out.find("Applied 3 revisions"), std::string::npos) << r;
  EXPECT_EQ(test::describe(comparable(live(base))), test::describe(comparable(live(reference))));

  // At the end of the range: at the squash already; the next upgrade records it and goes on.
  r = retort({"current"}, at);
  EXPECT_EQ(r.code, 0) << r;
  EXPECT_NE(r.out.find(r3 + " squash to three"), std::string::npos) << r;
  EXPECT_NE(r.out.find("2 revision(s) to apply"), std::string::npos) << r;
  r = retort({"upgrade"}, at);
  EXPECT_EQ(r.code, 0) << r;
  EXPECT_NE(r.out.find("Applied 2 revisions"), std::string::npos) << r;
  EXPECT_EQ(test::describe(comparable(live(at))), test::describe(comparable(live(reference))));
  r = retort({"history", "--audit"}, at);
  EXPECT_NE(r.out.find("accept"), std::string::npos) << r;

  // Past it: at its revision, nothing replaced is left in its bookkeeping after the next run,
  // and the squash downgrades to base like any revision.
  r = retort({"upgrade"}, past);
  EXPECT_EQ(r.code, 0) << r;
  EXPECT_NE(r.out.find("Applied 1 revision;"), std::string::npos) << r;
  {
    pqxx::connection conn(past);
    pqxx::read_transaction tx(conn);
    EXPECT_EQ(tx.exec1("SELECT count(*) FROM retort.applied")[0].as<int>(), 3);
  }
  r = retort({"downgrade", "base"}, past);
  EXPECT_EQ(r.code, 0) << r;
  EXPECT_TRUE(live(past).tables.empty());

  // Inside: stopped before anything runs, with what to do.
  const std::string inside_before = test::describe(comparable(live(inside)));
  r = retort({"upgrade"}, inside);
  EXPECT_EQ(r.code, 1) << r;
  EXPECT_NE(r.err.find("stopped inside the history that revision " + r3), std::string::npos) << r;
  EXPECT_NE(r.err.find("upgrade it to " + r3), std::string::npos) << r;
  EXPECT_EQ(test::describe(comparable(live(inside))), inside_before);
  r = retort({"current"}, inside);
  EXPECT_EQ(r.code, 1) << r;

  // A replaced id names its squash.
  r = retort({"show", r2});
  EXPECT_EQ(r.code, 1) << r;
  EXPECT_NE(r.err.find("was squashed into"), std::string::npos) << r;
}

TEST_F(Squash, SqlStepsAreRefusedUnlessLeftOutOnPurpose) {
  auto history = testing::random_history(8, 2);
  history.push_back(testing::make_revision(3, {history[1].id}, "seed", {ops::sql{"SELECT 1", "SELECT 2"}}));
  testing::write_migrations(migrations_, history);
  auto r = retort({"squash", "--to", history[2].id});
  EXPECT_EQ(r.code, 1) << r;
  EXPECT_NE(r.err.find("1 sql step"), std::string::npos) << r;
  EXPECT_NE(r.err.find("--without-sql-steps"), std::string::npos) << r;
  EXPECT_EQ(files().size(), 4u) << "nothing written";
  r = retort({"squash", "--to", history[2].id, "--without-sql-steps"});
  EXPECT_EQ(r.code, 0) << r;
  EXPECT_EQ(files().size(), 2u);
  const std::string url = database_at("head");
  EXPECT_EQ(test::describe(comparable(live(url))),
            test::describe(comparable(revision_graph(testing::write_migrations(scratch_.path() / "old", history))
                                          .schema_at({history[2].id}))));
}

}  // namespace
}  // namespace retort
