// A batched backfill (`backfill_batch`) through the applier against real PostgreSQL: the DO
// loop that commits after each batch runs outside a transaction and fills every row.
#include <gtest/gtest.h>

#include <algorithm>

#include <fmt/format.h>
#include <pqxx/pqxx>

#include "history.hpp"
#include "pg_fixture.hpp"
#include "retort/diff.hpp"
#include "retort/pg/applier.hpp"
#include "retort/snapshot.hpp"

namespace retort {
namespace {

using testing::make_revision;

constexpr const char* items_before = R"json({"format": 1, "tables": [{"schema": "public", "name": "items",
  "columns": [{"name": "id", "type": "bigint"}, {"name": "x", "type": "integer"}],
  "primary_key": {"columns": ["id"]}}]})json";
constexpr const char* items_after = R"json({"format": 1, "tables": [{"schema": "public", "name": "items",
  "columns": [{"name": "id", "type": "bigint"}, {"name": "x", "type": "integer"},
              {"name": "doubled", "type": "integer", "backfill": "x * 2", "backfill_batch": 1000}],
  "primary_key": {"columns": ["id"]}}]})json";

TEST(BatchedBackfill, CommitsEachBatchAndFillsEveryRow) {
  constexpr int rows = 10'500;
  constexpr int batch = 1000;
  const schema before = read_snapshot(items_before, "before.json");
  const schema after = read_snapshot(items_after, "after.json");
  const revision r1 = make_revision(1, {}, "items", diff(schema{}, before));
  const revision r2 = make_revision(2, {r1.id}, "doubled", diff(before, after));
  const revision_graph graph({r1, r2});
  pqxx::connection conn(test::fresh_database_url());
  pg::advisory_locker lock(conn, "retort");
  pg::applier applier(conn, graph, lock);
  ASSERT_EQ(applier.upgrade("+1"), std::vector<std::string>{r1.id});
  {
    pqxx::work tx(conn);
    tx.exec(fmt::format("INSERT INTO items SELECT g, g FROM generate_series(1, {}) g", rows));
    tx.commit();
  }

  // The plan the applier runs: the DO loop alone, outside the revision's transactions.
  const auto steps = pg::plan_upgrade(graph, {r1.id}, "head");
  ASSERT_EQ(steps.size(), 1u);
  const auto loop = std::find_if(steps[0].statements.begin(), steps[0].statements.end(),
                                 [](const pg::statement& s) { return s.sql.starts_with("DO "); });
  ASSERT_NE(loop, steps[0].statements.end());
  EXPECT_EQ(loop->mode, pg::run_mode::outside_transaction);

  ASSERT_EQ(applier.upgrade("head"), std::vector<std::string>{r2.id});
  pqxx::read_transaction tx(conn);
  EXPECT_EQ(tx.exec1("SELECT count(*) FROM items WHERE doubled IS DISTINCT FROM x * 2")[0].as<int>(), 0);
  EXPECT_EQ(tx.exec1("SELECT attnotnull FROM pg_attribute WHERE attrelid = 'items'::regclass "
                     "AND attname = 'doubled'")[0]
                .as<bool>(),
            true);
  // One transaction per batch: the rows carry as many distinct creating transactions.
  EXPECT_EQ(tx.exec1("SELECT count(DISTINCT xmin::text) FROM items")[0].as<int>(), (rows + batch - 1) / batch);
}

}  // namespace
}  // namespace retort
