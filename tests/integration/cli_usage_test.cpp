// The `retort` command line as a new user types it (issue 11's papercuts): a mistyped
// --migrations directory, global options after the command, an unknown command, a revision
// prefix that is too short, `revision --empty` data steps and the hint that names the target.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "child_process.hpp"
#include "history.hpp"
#include "pg_fixture.hpp"
#include "retort/revision_graph.hpp"
#include "retort/sum_file.hpp"

namespace retort {
namespace {

namespace fs = std::filesystem;
using testing::make_revision;
using testing::result;

class CliUsage : public ::testing::Test {
 protected:
  /// `retort args...`, run in the scratch directory.
  result retort(std::vector<std::string> args) {
    args.insert(args.begin(), RETORT_CLI_PATH);
    return testing::run(args, {}, scratch_.path());
  }
  const fs::path& scratch() const { return scratch_.path(); }

  const revision first = make_revision(1, {}, "first", {ops::create_schema{"app"}});

 private:
  testing::scratch_dir scratch_{"retort-cli-usage"};
};

std::vector<fs::path> files_in(const fs::path& dir) {
  std::vector<fs::path> out;
  for (const auto& e : fs::directory_iterator(dir)) out.push_back(e.path().filename());
  std::sort(out.begin(), out.end());
  return out;
}

TEST_F(CliUsage, AMissingMigrationsDirectoryIsAnErrorUntilTheFirstRevisionCreatesIt) {
  const std::string typo = (scratch() / "migrations/verisons").string();
  for (const std::vector<std::string>& command :
       {std::vector<std::string>{"heads"}, {"history"}, {"revision", "--empty", "-m", "seed"}, {"rehash"}}) {
    std::vector<std::string> args{"--migrations", typo};
    args.insert(args.end(), command.begin(), command.end());
    const result r = retort(args);
    SCOPED_TRACE(testing::command_line(args));
    EXPECT_EQ(r.code, 1) << r;
    EXPECT_EQ(r.out, "") << r;
    EXPECT_NE(r.err.find(typo + ": no such migrations directory"), std::string::npos) << r;
    EXPECT_NE(r.err.find("`retort revision --init ...` creates it"), std::string::npos) << r;
    EXPECT_FALSE(fs::exists(typo)) << "nothing may create it";
  }

  // The explicit first revision creates it, with retort.sum.
  const result init = retort({"--migrations", typo, "revision", "--init", "--empty", "-m", "seed"});
  EXPECT_EQ(init.code, 0) << init;
  const auto files = files_in(typo);
  ASSERT_EQ(files.size(), 2u);
  EXPECT_TRUE(files[0].string().ends_with("_seed.json")) << files[0];
  EXPECT_EQ(files[1], "retort.sum");
  const result heads = retort({"--migrations", typo, "heads"});
  EXPECT_EQ(heads.code, 0) << heads;
  EXPECT_NE(heads.out.find(" seed\n"), std::string::npos) << heads;

  // An empty directory stays an empty history.
  fs::create_directories(scratch() / "empty");
  const result empty = retort({"--migrations", (scratch() / "empty").string(), "heads"});
  EXPECT_EQ(empty.code, 0) << empty;
  EXPECT_EQ(empty.out, "") << empty;
}

TEST_F(CliUsage, GlobalOptionsWorkAfterTheCommandToo) {
  const fs::path dir = scratch() / "versions";
  (void)testing::write_migrations(dir, {first});
  const result before = retort({"--migrations", dir.string(), "--format", "json", "heads"});
  EXPECT_EQ(before.code, 0) << before;
  const result after = retort({"heads", "--migrations", dir.string(), "--format", "json"});
  EXPECT_EQ(after.code, 0) << after;
  EXPECT_EQ(after.out, before.out);
  EXPECT_NE(after.out.find(first.id), std::string::npos) << after;

  const std::string url = test::fresh_database_url();
  const result current = retort({"current", "--migrations", dir.string(), "--url", url});
  EXPECT_EQ(current.code, 0) << current;
  EXPECT_NE(current.out.find("base (no revision applied)"), std::string::npos) << current;
  const result upgrade = retort({"upgrade", "head", "--url", url, "--migrations", dir.string(), "--lock-timeout", "100"});
  EXPECT_EQ(upgrade.code, 0) << upgrade;
  EXPECT_NE(upgrade.out.find("Applied 1 revision"), std::string::npos) << upgrade;
}

TEST_F(CliUsage, AnUnknownCommandIsNamedWithTheCommands) {
  const result r = retort({"frobnicate"});
  EXPECT_EQ(r.code, 2) << r;
  EXPECT_EQ(r.err.find("A subcommand is required"), std::string::npos) << r;
  EXPECT_NE(r.err.find("retort: unknown command 'frobnicate'\n"), std::string::npos) << r;
  EXPECT_NE(r.err.find("Commands: upgrade, downgrade, stamp, verify, reset, current, history, heads, show, sql, revision, "),
            std::string::npos)
      << r;
  EXPECT_NE(r.err.find(", devdb"), std::string::npos) << r;

  // A start of a command is suggested; so after a global option and its value.
  const result start = retort({"--url", "postgresql:///x", "upg"});
  EXPECT_EQ(start.code, 2) << start;
  EXPECT_NE(start.err.find("unknown command 'upg'; did you mean 'upgrade'?"), std::string::npos) << start;

  // No command at all stays CLI11's own message.
  const result none = retort({});
  EXPECT_EQ(none.code, 2) << none;
  EXPECT_NE(none.err.find("A subcommand is required"), std::string::npos) << none;
}

TEST_F(CliUsage, AShortRevisionPrefixSaysHowManyCharactersAreNeeded) {
  const fs::path dir = scratch() / "versions";
  (void)testing::write_migrations(dir, {first});
  const std::string prefix = first.id.substr(0, 3);
  const result r = retort({"--migrations", dir.string(), "show", prefix});
  EXPECT_EQ(r.code, 1) << r;
  EXPECT_EQ(r.err, fmt::format("error: revision prefix '{}' is too short: give at least 4 characters of the id (it "
                               "matches '{}')\n",
                               prefix, first.id))
      << r;
  EXPECT_EQ(retort({"--migrations", dir.string(), "show", first.id.substr(0, 4)}).code, 0);
}

TEST_F(CliUsage, AnEmptyRevisionIsADataStepThatNeedsNoSnapshot) {
  const fs::path dir = scratch() / "versions";
  (void)testing::write_migrations(dir, {first});
  const std::string apply = "cmake --build build --target db-upgrade";
  const result r = retort({"--migrations", dir.string(), "revision", "--empty", "-m", "seed categories",
                           "--apply-command", apply});
  EXPECT_EQ(r.code, 0) << r;
  EXPECT_NE(r.out.find(fmt::format("({}): seed categories\n", first.id)), std::string::npos) << r;
  EXPECT_NE(r.out.find("Write the step's SQL in \"up\" and \"down\", run `retort rehash`, then apply with `" + apply +
                       "`."),
            std::string::npos)
      << r;
  const auto graph = revision_graph(load_revisions(dir.string()));
  ASSERT_EQ(graph.heads().size(), 1u);
  const revision& step = graph.at(graph.heads().front());
  EXPECT_EQ(step.parents, std::vector<std::string>{first.id});
  ASSERT_EQ(step.upgrade.size(), 1u);
  EXPECT_TRUE(std::holds_alternative<ops::sql>(step.upgrade[0]));
  EXPECT_NO_THROW(verify_sum_file(dir.string(), sum_of(load_revisions(dir.string())))) << "retort.sum was rewritten";

  // The skeleton applies as it is (its placeholders are comments), and back.
  const std::string url = test::fresh_database_url();
  const result up = retort({"--migrations", dir.string(), "--url", url, "upgrade"});
  EXPECT_EQ(up.code, 0) << up;
  EXPECT_NE(up.out.find("Applied 2 revisions"), std::string::npos) << up;
  EXPECT_EQ(retort({"--migrations", dir.string(), "--url", url, "downgrade"}).code, 0);

  // A C++ step: the file marks it, and the output says how the application runs it.
  const result cpp = retort({"--migrations", dir.string(), "revision", "--empty", "--cpp", "-m", "split names"});
  EXPECT_EQ(cpp.code, 0) << cpp;
  EXPECT_NE(cpp.out.find("steps.add(\""), std::string::npos) << cpp;
  EXPECT_NE(cpp.out.find("the retort CLI refuses to run it"), std::string::npos) << cpp;

  // Without --empty the models are compared: a snapshot is needed. --cpp is for a data step.
  const result no_snapshot = retort({"--migrations", dir.string(), "revision", "-m", "x"});
  EXPECT_EQ(no_snapshot.code, 2) << no_snapshot;
  EXPECT_NE(no_snapshot.err.find("revision: --snapshot FILE (the models to compare) or --empty (a data step) is required"),
            std::string::npos)
      << no_snapshot;
  EXPECT_EQ(retort({"--migrations", dir.string(), "revision", "--cpp", "--snapshot", "s.json"}).code, 2);
}

}  // namespace
}  // namespace retort
