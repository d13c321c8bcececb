// The applier against a real PostgreSQL, in process: every operation kind up and down through
// a revision, random histories up, down to base and up again with the audit history they leave,
// and a refused revision that must leave the database exactly at the previous one (issue #4).
#include <gtest/gtest.h>

#include <pqxx/pqxx>

#include "history.hpp"
#include "operation_cases.hpp"
#include "pg_fixture.hpp"
#include "retort/diff.hpp"
#include "retort/errors.hpp"
#include "retort/pg/applier.hpp"
#include "retort/pg/introspect.hpp"
#include "retort/snapshot.hpp"
#include "schema_text.hpp"

namespace retort {
namespace {

using testing::make_revision;

// The user schema of the database, without Retort's bookkeeping tables.
schema live(pqxx::connection& conn) { return test::live_schema(conn, {"retort"}); }

#define EXPECT_SAME_SCHEMA(actual, expected) \
  EXPECT_EQ(test::describe(comparable(actual)), test::describe(comparable(expected)))

std::vector<std::string> ids_of(const std::vector<revision>& revisions) {
  std::vector<std::string> ids;
  for (const auto& r : revisions) ids.push_back(r.id);
  return ids;
}

// ---------------------------------------------------------------------------------------
// Every operation kind: a revision creating the case's `before`, then one applying the operation.

class ApplierOperation : public ::testing::TestWithParam<testing::operation_case> {};

TEST_P(ApplierOperation, UpgradeThenDowngradeOne) {
  const testing::operation_case& c = GetParam();
  const revision first = make_revision(1, {}, "before", diff(schema{}, c.before));
  const revision second = make_revision(2, {first.id}, c.name, {c.op});
  const revision_graph graph({first, second});
  pqxx::connection conn(test::fresh_database_url());
  pg::advisory_locker lock(conn, "retort");
  // A C++ data step runs the application's functions: here ones that change nothing.
  pg::cpp_steps steps;
  pg::apply_options options;
  if (std::holds_alternative<ops::cpp>(c.op)) {
    steps.add(second.id, [](pqxx::work&) {}, [](pqxx::work&) {});
    options.cpp = &steps;
  }
  pg::applier applier(conn, graph, lock, options);

  ASSERT_EQ(applier.upgrade("head"), (std::vector<std::string>{first.id, second.id}));
  EXPECT_EQ(applier.current(), revision_heads{second.id});
  EXPECT_SAME_SCHEMA(live(conn), graph.schema_at({second.id}));

  ASSERT_EQ(applier.downgrade("-1"), std::vector<std::string>{second.id});
  EXPECT_EQ(applier.current(), revision_heads{first.id});
  EXPECT_SAME_SCHEMA(live(conn), c.before);
}

INSTANTIATE_TEST_SUITE_P(EveryKind, ApplierOperation, ::testing::ValuesIn(testing::operation_cases()),
                         [](const auto& info) { return info.param.name; });

// ---------------------------------------------------------------------------------------
// The lock is injected: the applier holds the one it is given around each command.

class recording_locker final : public pg::locker {
 public:
  void lock() override { events.push_back("lock"); }
  void unlock() override { events.push_back("unlock"); }
  std::vector<std::string> events;
};

TEST(Applier, HoldsTheInjectedLockAroundEachCommand) {
  const auto history = testing::random_history(21, 2);
  const revision_graph graph(history);
  pqxx::connection conn(test::fresh_database_url());
  recording_locker lock;
  pg::applier applier(conn, graph, lock);
  ASSERT_EQ(applier.upgrade("head").size(), 2u);
  EXPECT_EQ(lock.events, (std::vector<std::string>{"lock", "unlock"}));
  ASSERT_EQ(applier.downgrade("-1").size(), 1u);
  EXPECT_EQ(lock.events, (std::vector<std::string>{"lock", "unlock", "lock", "unlock"}));
}

// ---------------------------------------------------------------------------------------
// Random histories: one revision at a time up, one at a time down to base, all at once up.

TEST(Applier, RandomHistoryUpDownToBaseAndUpAgain) {
  constexpr int revisions = 8;
  for (const std::uint64_t seed : {11u, 12u}) {
    SCOPED_TRACE(::testing::Message() << "seed " << seed);
    const auto history = testing::random_history(seed, revisions);
    const revision_graph graph(history);
    pqxx::connection conn(test::fresh_database_url() + " application_name=applier_test");
    pg::advisory_locker lock(conn, "retort");
    pg::applier applier(conn, graph, lock);
    EXPECT_TRUE(applier.current().empty());
    EXPECT_TRUE(applier.history().empty());

    for (const auto& r : history) {
      ASSERT_EQ(applier.upgrade("+1"), std::vector<std::string>{r.id});
      EXPECT_EQ(applier.current(), revision_heads{r.id});
      EXPECT_SAME_SCHEMA(live(conn), graph.schema_at({r.id}));
    }
    const std::string at_head = test::describe(comparable(live(conn)));
    EXPECT_TRUE(applier.upgrade("head").empty());

    for (auto it = history.rbegin(); it != history.rend(); ++it) {
      ASSERT_EQ(applier.downgrade("-1"), std::vector<std::string>{it->id});
      const revision_heads below = it->parents;
      EXPECT_EQ(applier.current(), below);
      EXPECT_SAME_SCHEMA(live(conn), graph.schema_at(below));
    }
    EXPECT_TRUE(applier.current().empty());
    EXPECT_EQ(test::describe(live(conn)), test::describe(schema{}));

    ASSERT_EQ(applier.upgrade("head"), ids_of(history));
    EXPECT_EQ(applier.current(), revision_heads{history.back().id});
    EXPECT_EQ(test::describe(comparable(live(conn))), at_head);
    {
      // One transaction per revision, the same one that records it: the rows recording each
      // revision of the last upgrade share a transaction id, and no two revisions do.
      pqxx::read_transaction tx(conn);
      const auto same = tx.exec1(
          "SELECT count(*), count(DISTINCT a.xmin::text) FROM retort.applied a JOIN retort.history h "
          "ON h.revision = a.revision AND h.direction = 'upgrade' AND h.xmin::text = a.xmin::text");
      EXPECT_EQ(same[0].as<int>(), revisions);
      EXPECT_EQ(same[1].as<int>(), revisions);
    }

    // The audit trail: every step in order, with its file's checksum, who ran it and how long it took.
    std::vector<std::pair<std::string, std::string>> expected;
    for (const auto& r : history) expected.emplace_back(r.id, "upgrade");
    for (auto it = history.rbegin(); it != history.rend(); ++it) expected.emplace_back(it->id, "downgrade");
    for (const auto& r : history) expected.emplace_back(r.id, "upgrade");
    const auto rows = applier.history();
    ASSERT_EQ(rows.size(), expected.size());
    for (std::size_t i = 0; i < rows.size(); ++i) {
      SCOPED_TRACE(::testing::Message() << "history row " << i);
      EXPECT_EQ(std::pair(rows[i].revision, rows[i].direction), expected[i]);
      EXPECT_EQ(rows[i].checksum, pg::checksum_of(graph.at(rows[i].revision)));
      EXPECT_EQ(rows[i].message, graph.at(rows[i].revision).message);
      EXPECT_EQ(rows[i].db_user, "postgres");
      EXPECT_EQ(rows[i].application_name, "applier_test");
      EXPECT_GE(rows[i].duration_ms, 0.0);
      EXPECT_EQ(rows[i].started_at.size(), std::string_view("2026-01-01T00:00:00.000Z").size()) << rows[i].started_at;
      if (i > 0) {
        EXPECT_GE(rows[i].started_at, rows[i - 1].started_at);
        EXPECT_GT(rows[i].id, rows[i - 1].id);
      }
    }
  }
}

// ---------------------------------------------------------------------------------------
// A refused revision: its second operation fails, and nothing of it stays.

// items(id bigint primary key, x integer), and two rows with the same x.
std::vector<ops::operation> items_with_duplicates() {
  const schema items = read_snapshot(R"json({
    "format": 1,
    "tables": [{"schema": "public", "name": "items",
                "columns": [{"name": "id", "type": "bigint"}, {"name": "x", "type": "integer"}],
                "primary_key": {"columns": ["id"]}}]})json",
                                     "items.json");
  auto up = diff(schema{}, items);
  up.push_back(ops::sql{"INSERT INTO items (id, x) VALUES (1, 7), (2, 7)", "DELETE FROM items"});
  return up;
}

const qualified_name items_name{"public", "items"};

struct failure_case {
  std::string name;
  ops::operation second;            ///< the failing operation, after an add_column that must vanish
  std::string statement_fragment;   ///< in the statement the error names
  std::string sqlstate;
  std::string message_fragment;
};

void PrintTo(const failure_case& c, std::ostream* os) { *os << c.name; }

std::vector<failure_case> failure_cases() {
  return {
      {"UniqueOnDuplicateRows", ops::add_unique{items_name, {"uq_items_x", {"x"}}}, "ADD CONSTRAINT \"uq_items_x\"",
       "23505", "could not create unique index"},
      {"InvalidSql", ops::sql{"SELEC x FROM items", "SELECT 1"}, "SELEC x FROM items", "42601", "syntax error"},
      {"CheckViolatedByRows", ops::add_check{items_name, {"ck_items_x", "(x > 10)"}}, "CHECK ((x > 10))", "23514",
       "is violated by some row"},
  };
}

class ApplierFailure : public ::testing::TestWithParam<failure_case> {};

TEST_P(ApplierFailure, LeavesTheDatabaseAtThePreviousRevision) {
  const failure_case& c = GetParam();
  const ops::operation first_op =
      ops::add_column{items_name, column{"note", *parse_builtin_type("text"), true, {}, identity_kind::none, {}, {}, {}, {}}};
  const testing::scratch_dir dir("retort-applier");
  const revision r1 = make_revision(1, {}, "items", items_with_duplicates());
  const revision r2 = make_revision(2, {r1.id}, "refused", {first_op, c.second});
  const revision r3 = make_revision(3, {r2.id}, "after", {ops::create_schema{"never"}});
  const revision_graph graph(testing::write_migrations(dir.path(), {r1, r2, r3}));
  pqxx::connection conn(test::fresh_database_url());
  // Plain plans: each revision one transaction. (Safe plans on tables with rows commit in steps;
  // their failures are covered by the ApplierOutsideTransaction tests.)
  pg::apply_options plain;
  plain.render.plans = pg::safety::plain;
  pg::advisory_locker lock(conn, "retort");
  pg::applier applier(conn, graph, lock, plain);
  ASSERT_EQ(applier.upgrade("+1"), std::vector<std::string>{r1.id});
  const schema before = live(conn);

  try {
    (void)applier.upgrade("head");
    FAIL() << "the upgrade succeeded";
  } catch (const migration_error& e) {
    const auto& w = e.where();
    EXPECT_EQ(w.revision, r2.id);
    EXPECT_EQ(w.file, graph.at(r2.id).file);
    EXPECT_NE(w.file, "");
    EXPECT_EQ(w.operation, "upgrade[1] " + ops::describe(c.second));  // its index, as `check` shows it
    EXPECT_NE(w.statement.find(c.statement_fragment), std::string::npos) << w.statement;
    EXPECT_EQ(w.sqlstate, c.sqlstate);
    EXPECT_NE(w.message.find(c.message_fragment), std::string::npos) << w.message;
    EXPECT_EQ(e.sqlstate(), c.sqlstate);
    // The message names them all too.
    const std::string what = e.what();
    for (const auto& part : {w.revision, w.file, w.operation, w.sqlstate})
      EXPECT_NE(what.find(part), std::string::npos) << part << " not in: " << what;
  }

  // Exactly at the previous revision: the add_column before the failure left no trace, the
  // rows of revision 1 are still there, and nothing after it was recorded or applied.
  EXPECT_EQ(applier.current(), revision_heads{r1.id});
  EXPECT_EQ(test::describe(live(conn)), test::describe(before));
  EXPECT_SAME_SCHEMA(live(conn), graph.schema_at({r1.id}));
  pqxx::read_transaction tx(conn);
  EXPECT_EQ(tx.exec1("SELECT count(*) FROM items")[0].as<int>(), 2);
  EXPECT_EQ(tx.exec1("SELECT count(*) FROM retort.history WHERE revision <> " + tx.quote(r1.id))[0].as<int>(), 0);
  EXPECT_EQ(tx.exec1("SELECT count(*) FROM retort.applied")[0].as<int>(), 1);
}

INSTANTIATE_TEST_SUITE_P(SecondOperationFails, ApplierFailure, ::testing::ValuesIn(failure_cases()),
                         [](const auto& info) { return info.param.name; });

// A statement PostgreSQL cannot run in a transaction forces a commit: when a later one fails,
// what committed before stays and is recorded, the error says so, and the rerun resumes after it.
TEST(ApplierOutsideTransaction, FailureAfterItSaysWhatStaysAndTheRerunResumes) {
  const revision r1 = make_revision(1, {}, "items", items_with_duplicates());
  pqxx::connection conn(test::fresh_database_url());
  // The third statement fails until the table retort_gate exists.
  const revision r2_failing = make_revision(
      2, {r1.id}, "concurrently",
      {ops::sql{"ALTER TABLE items ADD COLUMN a integer", "ALTER TABLE items DROP COLUMN a"},
       ops::sql{"CREATE INDEX CONCURRENTLY ix_items_x ON items (x)", "DROP INDEX CONCURRENTLY ix_items_x", false},
       ops::sql{"SELECT * FROM retort_gate", "SELECT 1"}});
  const revision_graph failing({r1, r2_failing});
  pg::advisory_locker lock(conn, "retort");
  pg::applier first_run(conn, failing, lock);
  ASSERT_EQ(first_run.upgrade("+1"), std::vector<std::string>{r1.id});
  try {
    (void)first_run.upgrade("head");
    FAIL() << "the upgrade succeeded";
  } catch (const migration_error& e) {
    EXPECT_EQ(e.where().revision, r2_failing.id);
    EXPECT_EQ(e.where().sqlstate, "42P01");
    EXPECT_EQ(e.where().committed_units, 2u);
    EXPECT_EQ(e.where().units, 3u);
    const std::string what = e.what();
    EXPECT_EQ(what.find("was rolled back"), std::string::npos) << what;
    EXPECT_NE(what.find("2 of its 3 transactions committed"), std::string::npos) << what;
    EXPECT_NE(what.find("resumes"), std::string::npos) << what;
  }
  EXPECT_EQ(first_run.current(), revision_heads{r1.id});
  {
    pqxx::read_transaction tx(conn);
    EXPECT_EQ(tx.exec1("SELECT count(*) FROM pg_attribute WHERE attrelid = 'items'::regclass AND attname = 'a'")[0]
                  .as<int>(),
              1);
    EXPECT_EQ(tx.exec1("SELECT count(*) FROM retort.progress")[0].as<int>(), 2);
  }
  {
    pqxx::nontransaction tx(conn);
    tx.exec("CREATE TABLE retort_gate (x integer)");
  }
  // The rerun skips the two committed transactions (ADD COLUMN again would fail) and finishes.
  EXPECT_EQ(first_run.upgrade("head"), std::vector<std::string>{r2_failing.id});
  EXPECT_EQ(first_run.current(), revision_heads{r2_failing.id});
  pqxx::read_transaction tx(conn);
  EXPECT_EQ(tx.exec1("SELECT count(*) FROM retort.progress")[0].as<int>(), 0);
}

// While a revision is part way through its upgrade, a downgrade stops before running anything
// and says how to finish it.
TEST(ApplierOutsideTransaction, PartWayRevisionBlocksOtherDirections) {
  const revision r1 = make_revision(1, {}, "items", items_with_duplicates());
  const revision r2 = make_revision(
      2, {r1.id}, "concurrently",
      {ops::sql{"ALTER TABLE items ADD COLUMN a integer", "ALTER TABLE items DROP COLUMN a"},
       ops::sql{"CREATE INDEX CONCURRENTLY ix_items_x ON items (x)", "DROP INDEX CONCURRENTLY ix_items_x", false},
       ops::sql{"SELECT * FROM no_such_table", "SELECT 1"}});
  const revision_graph graph({r1, r2});
  pqxx::connection conn(test::fresh_database_url());
  pg::advisory_locker lock(conn, "retort");
  pg::applier applier(conn, graph, lock);
  EXPECT_THROW((void)applier.upgrade("head"), migration_error);
  try {
    (void)applier.downgrade("-1");
    FAIL() << "the downgrade ran";
  } catch (const migration_error&) {
    FAIL() << "the downgrade ran a statement";
  } catch (const error& e) {
    EXPECT_NE(std::string(e.what()).find("part way through its upgrade"), std::string::npos) << e.what();
  }
  EXPECT_EQ(applier.current(), revision_heads{r1.id});
}

// A concurrent index build that fails leaves nothing: the INVALID index it leaves is dropped.
TEST(ApplierOutsideTransaction, FailedConcurrentBuildLeavesNoInvalidIndex) {
  const revision r1 = make_revision(1, {}, "items", items_with_duplicates());
  const revision r2 = make_revision(2, {r1.id}, "unique x",
                                    {ops::add_unique{{"public", "items"}, unique_constraint{"uq_items_x", {"x"}}}});
  const revision_graph graph({r1, r2});
  pqxx::connection conn(test::fresh_database_url());
  pg::advisory_locker lock(conn, "retort");
  pg::applier applier(conn, graph, lock);
  ASSERT_EQ(applier.upgrade("+1"), std::vector<std::string>{r1.id});
  try {
    (void)applier.upgrade("head");
    FAIL() << "the upgrade succeeded";
  } catch (const migration_error& e) {
    EXPECT_EQ(e.where().sqlstate, "23505");
    EXPECT_TRUE(e.where().rolled_back);
    EXPECT_NE(e.where().statement.find("CONCURRENTLY"), std::string::npos);
    EXPECT_NE(std::string(e.what()).find("was rolled back"), std::string::npos) << e.what();
  }
  EXPECT_EQ(applier.current(), revision_heads{r1.id});
  pqxx::read_transaction tx(conn);
  EXPECT_EQ(tx.exec1("SELECT count(*) FROM pg_class WHERE relname = 'uq_items_x'")[0].as<int>(), 0);
}

// A value the model relabels (RETORT_VALUE("feeling blue", renamed_from = "sad")) is renamed
// in place: the rows that hold it read the new label, and the downgrade gives the old one back.
TEST(ApplierEnumValue, RelabelledValueKeepsItsRows) {
  const schema& base = testing::operation_base_schema();
  schema models = base;
  enum_type& mood = *find_enum(models, {"public", "mood"});
  mood.values = {"happy", "feeling blue"};
  mood.renamed_values["feeling blue"] = {"sad"};

  const revision first = make_revision(1, {}, "before", diff(schema{}, base));
  const revision second = make_revision(2, {first.id}, "relabel", diff(base, models));
  ASSERT_EQ(second.upgrade, (std::vector<ops::operation>{ops::rename_enum_value{{"public", "mood"}, "sad", "feeling blue"}}));
  const revision_graph graph({first, second});
  pqxx::connection conn(test::fresh_database_url());
  pg::advisory_locker lock(conn, "retort");
  pg::applier applier(conn, graph, lock);
  ASSERT_NO_THROW((void)applier.upgrade(first.id));
  pqxx::nontransaction(conn).exec0("INSERT INTO users (email, status) VALUES ('a@example.com', 'sad')");
  const auto status = [&] { return pqxx::nontransaction(conn).exec1("SELECT status::text FROM users")[0].as<std::string>(); };

  ASSERT_NO_THROW((void)applier.upgrade("head"));
  EXPECT_SAME_SCHEMA(live(conn), without_hints(models));
  EXPECT_EQ(status(), "feeling blue");
  ASSERT_NO_THROW((void)applier.downgrade("-1"));
  EXPECT_SAME_SCHEMA(live(conn), base);
  EXPECT_EQ(status(), "sad");
}

}  // namespace
}  // namespace retort

namespace retort {
namespace {

// A model that adds an enum value and uses it as a column default in one revision: the value
// is committed on its own first (PostgreSQL refuses a value used in the transaction that
// added it), and the revision applies; downgrading removes both.
TEST(ApplierEnumValue, AddedAndUsedInOneRevision) {
  const schema& base = testing::operation_base_schema();
  schema models = base;
  find_enum(models, {"public", "mood"})->values.push_back("angry");
  column temper = *find_column(*find_table(models, {"public", "users"}), "status");
  temper.name = "temper";
  temper.server_default = "'angry'::mood";
  find_table(models, {"public", "users"})->columns.push_back(temper);

  const revision first = make_revision(1, {}, "before", diff(schema{}, base));
  const revision second = make_revision(2, {first.id}, "angry", diff(base, models));
  const revision_graph graph({first, second});
  pqxx::connection conn(test::fresh_database_url());
  pg::advisory_locker lock(conn, "retort");
  pg::applier applier(conn, graph, lock);
  ASSERT_NO_THROW((void)applier.upgrade("head"));
  EXPECT_SAME_SCHEMA(live(conn), models);
  ASSERT_NO_THROW((void)applier.downgrade("-1"));
  EXPECT_SAME_SCHEMA(live(conn), base);
}

}  // namespace
}  // namespace retort
