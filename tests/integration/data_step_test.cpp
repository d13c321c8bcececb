// C++ data steps against a real PostgreSQL: the application's function runs inside its
// revision's transaction through migrate_to_head (and its downgrade through the applier), a
// failing one rolls its revision back whole, a missing or mistyped registration stops
// everything before it runs, and the retort CLI refuses the revision, naming what to run.
#include <gtest/gtest.h>

#include <filesystem>
#include <stdexcept>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <pqxx/pqxx>

#include "child_process.hpp"
#include "history.hpp"
#include "pg_fixture.hpp"
#include "retort/errors.hpp"
#include "retort/migrate.hpp"

namespace retort {
namespace {

namespace fs = std::filesystem;
using testing::make_revision;

// users with full names; then a revision that adds last_name and a C++ step that fills it and
// first_name from full_name (its downgrade empties first_name again, then drops the column).
const revision people = make_revision(
    1, {}, "people",
    {ops::sql{"CREATE TABLE users (id integer PRIMARY KEY, full_name text NOT NULL, first_name text); "
              "INSERT INTO users VALUES (1, 'Ada Lovelace', NULL), (2, 'Alan Turing', NULL)",
              "DROP TABLE users"}});
const revision split = make_revision(2, {people.id}, "split names",
                                     {ops::sql{"ALTER TABLE users ADD COLUMN last_name text",
                                               "ALTER TABLE users DROP COLUMN last_name"},
                                      ops::cpp{ops::cpp::function::upgrade}});

void split_names(pqxx::work& tx) {
  tx.exec("UPDATE users SET first_name = split_part(full_name, ' ', 1), last_name = split_part(full_name, ' ', 2)");
}
void forget_first_names(pqxx::work& tx) { tx.exec("UPDATE users SET first_name = NULL"); }

// The history as an application embeds it (retort_add_schema(EMBED_INTO)).
class embedded_history {
 public:
  explicit embedded_history(const std::vector<revision>& revisions) {
    for (const auto& r : revisions) texts_.push_back({r.id + ".json", write_revision(r)});
    for (const auto& [name, bytes] : texts_) files_.push_back({name, bytes});
  }
  [[nodiscard]] std::span<const embedded_file> files() const { return files_; }

 private:
  std::vector<std::pair<std::string, std::string>> texts_;
  std::vector<embedded_file> files_;
};

std::string query_text(pqxx::connection& conn, const std::string& sql) {
  pqxx::nontransaction tx(conn);
  std::string out;
  for (const auto& row : tx.exec(sql)) {
    for (const auto& field : row) out += (field.is_null() ? "NULL" : field.c_str()) + std::string(" ");
    out += "\n";
  }
  return out;
}

bool has_column(pqxx::connection& conn, const std::string& column) {
  return query_text(conn, "SELECT column_name FROM information_schema.columns WHERE table_name = 'users' AND "
                          "column_name = '" + column + "'") != "";
}

revision_heads current_of(pqxx::connection& conn, const revision_graph& graph) {
  pg::advisory_locker lock(conn, "retort");
  return pg::applier(conn, graph, lock).current();
}

template <class F>
std::string error_of(F&& f) {
  try {
    f();
  } catch (const error& e) {
    return e.what();
  }
  ADD_FAILURE() << "expected a retort::error";
  return {};
}

TEST(DataStep, RunsInItsRevisionsTransactionThroughMigrateToHeadAndDown) {
  const embedded_history history({people, split});
  pqxx::connection conn(test::fresh_database_url());
  cpp_steps steps;
  steps.add(split.id, split_names, forget_first_names);
  EXPECT_EQ(migrate_to_head(conn, history.files(), steps), (std::vector<std::string>{people.id, split.id}));
  EXPECT_EQ(query_text(conn, "SELECT first_name, last_name FROM users ORDER BY id"), "Ada Lovelace \nAlan Turing \n");
  EXPECT_TRUE(migrate_to_head(conn, history.files(), steps).empty());

  const revision_graph graph(load_embedded(history.files()));
  pg::advisory_locker lock(conn, "retort");
  pg::apply_options options;
  options.cpp = &steps;
  pg::applier applier(conn, graph, lock, options);
  EXPECT_EQ(applier.downgrade("-1"), std::vector<std::string>{split.id});
  EXPECT_EQ(query_text(conn, "SELECT first_name FROM users ORDER BY id"), "NULL \nNULL \n");
  EXPECT_FALSE(has_column(conn, "last_name"));
}

TEST(DataStep, AFailingStepRollsItsRevisionBackWhole) {
  const embedded_history history({people, split});
  pqxx::connection conn(test::fresh_database_url());
  cpp_steps throws;
  throws.add(split.id, [](pqxx::work& tx) {
    split_names(tx);
    throw std::runtime_error("Alan has no last name");
  });
  const std::string what = error_of([&] { (void)migrate_to_head(conn, history.files(), throws); });
  EXPECT_NE(what.find("revision " + split.id), std::string::npos) << what;
  EXPECT_NE(what.find("rolled back"), std::string::npos) << what;
  EXPECT_NE(what.find("C++ data step (upgrade)"), std::string::npos) << what;
  EXPECT_NE(what.find("the C++ data step failed: Alan has no last name"), std::string::npos) << what;
  // The ALTER TABLE before the step went with it: the database is at the revision before.
  EXPECT_FALSE(has_column(conn, "last_name"));
  EXPECT_EQ(query_text(conn, "SELECT first_name FROM users ORDER BY id"), "NULL \nNULL \n");
  const revision_graph graph(load_embedded(history.files()));
  EXPECT_EQ(current_of(conn, graph), revision_heads{people.id});

  // PostgreSQL refusing the step's own SQL: the statement named is the one the function sent.
  cpp_steps refused;
  refused.add(split.id, [](pqxx::work& tx) { tx.exec("SELECT no_such_column FROM users"); });
  try {
    (void)migrate_to_head(conn, history.files(), refused);
    ADD_FAILURE() << "expected a migration_error";
  } catch (const migration_error& e) {
    EXPECT_EQ(e.where().revision, split.id);
    EXPECT_EQ(e.where().statement, "SELECT no_such_column FROM users");
    EXPECT_EQ(e.where().sqlstate, "42703");
  }
  EXPECT_EQ(current_of(conn, graph), revision_heads{people.id});
}

TEST(DataStep, AMissingOrMistypedRegistrationStopsBeforeAnythingRuns) {
  const embedded_history history({people, split});
  pqxx::connection conn(test::fresh_database_url());
  const std::string missing = error_of([&] { (void)migrate_to_head(conn, history.files(), cpp_steps{}); });
  EXPECT_NE(missing.find("revision " + split.id), std::string::npos) << missing;
  EXPECT_NE(missing.find("did not register"), std::string::npos) << missing;
  EXPECT_NE(missing.find("cpp_steps::add(\"" + split.id + "\""), std::string::npos) << missing;
  EXPECT_NE(missing.find("Nothing was run"), std::string::npos) << missing;

  cpp_steps typo;
  typo.add(split.id.substr(0, 8), split_names);
  const std::string unknown = error_of([&] { (void)migrate_to_head(conn, history.files(), typo); });
  EXPECT_NE(unknown.find("'" + split.id.substr(0, 8) + "', which is not in the migration history"), std::string::npos)
      << unknown;

  cpp_steps wrong_revision;
  wrong_revision.add(split.id, split_names).add(people.id, split_names);
  const std::string no_step = error_of([&] { (void)migrate_to_head(conn, history.files(), wrong_revision); });
  EXPECT_NE(no_step.find("'" + people.id + "', whose file has no \"cpp\" operation"), std::string::npos) << no_step;

  EXPECT_THROW(cpp_steps{}.add(split.id, split_names).add(split.id, split_names), error);

  // Without steps at all, as from a migrator that runs none.
  const std::string none = error_of([&] { (void)migrate_to_head(conn, history.files()); });
  EXPECT_NE(none.find("which only the application runs"), std::string::npos) << none;

  // Not even the revision before the step was applied.
  EXPECT_EQ(query_text(conn, "SELECT to_regclass('public.users') IS NULL"), "t \n");
}

TEST(DataStep, TheCliRefusesTheRevisionAndAppliesWhatPrecedesIt) {
  testing::scratch_dir scratch("retort-data-step");
  const fs::path migrations = scratch.path() / "versions";
  (void)testing::write_migrations(migrations, {people, split});
  const std::string url = test::fresh_database_url();
  const auto retort = [&](std::vector<std::string> args) {
    args.insert(args.begin(), {RETORT_CLI_PATH, "--migrations", migrations.string(), "--url", url});
    return testing::run(args, {}, scratch.path());
  };

  const testing::result refused = retort({"upgrade"});
  EXPECT_EQ(refused.code, 1) << refused;
  EXPECT_NE(refused.err.find(fmt::format("revision {} (", split.id)), std::string::npos) << refused;
  EXPECT_NE(refused.err.find("has a C++ data step (upgrade), which only the application runs: run the application's "
                             "migration entry point"),
            std::string::npos)
      << refused;
  EXPECT_NE(refused.err.find(fmt::format("`retort upgrade {}` applies the revisions before it", people.id)),
            std::string::npos)
      << refused;
  pqxx::connection conn(url);
  EXPECT_EQ(query_text(conn, "SELECT to_regclass('public.users') IS NULL"), "t \n") << "nothing was run";

  const testing::result before = retort({"upgrade", people.id});
  EXPECT_EQ(before.code, 0) << before;
  EXPECT_EQ(current_of(conn, revision_graph({people, split})), revision_heads{people.id});

  // An offline script stops where the step is: SQL cannot run C++.
  const testing::result script = retort({"sql", people.id + ":head"});
  EXPECT_EQ(script.code, 0) << script;
  EXPECT_NE(script.out.find("RAISE EXCEPTION 'this revision has a C++ data step (upgrade)"), std::string::npos)
      << script;
}

}  // namespace
}  // namespace retort
