// Round trip against a real PostgreSQL: operations are rendered, executed and the database
// introspected, which must give back exactly the model replay predicts. Random schemas with
// their migrations up and down, and every single operation kind up and down.
#include <gtest/gtest.h>

#include <pqxx/pqxx>

#include "operation_cases.hpp"
#include "pg_fixture.hpp"
#include "random_schema.hpp"
#include "retort/diff.hpp"
#include "retort/pg/introspect.hpp"
#include "retort/pg/migration_plan.hpp"
#include "retort/pg/render.hpp"
#include "retort/replay.hpp"
#include "schema_text.hpp"

namespace retort {
namespace {

constexpr int random_pairs = 30;

// Executes the operations' safe plan unit by unit, as the applier does; returns the schema
// replay says they produce.
schema apply(pqxx::connection& conn, const std::vector<ops::operation>& list, const schema& before) {
  const auto plan = pg::render(list, before);
  for (const auto& unit : pg::group_units(plan)) {
    std::optional<pqxx::work> tx;
    std::optional<pqxx::nontransaction> alone;
    if (unit.transactional) tx.emplace(conn);
    else alone.emplace(conn);
    for (std::size_t i : unit.statements) {
      try {
        if (tx) tx->exec(plan[i].sql);
        else alone->exec(plan[i].sql);
      } catch (const pqxx::sql_error& e) {
        ADD_FAILURE() << "statement failed: " << plan[i].sql << "\n" << e.what();
        throw;
      }
    }
    if (tx) tx->commit();
  }
  return replay(before, list);
}

#define EXPECT_SAME_SCHEMA(actual, expected) \
  EXPECT_EQ(test::describe(comparable(actual)), test::describe(comparable(expected)))

TEST(Roundtrip, RandomSchemasAndTheirMigrationsUpAndDown) {
  for (int seed = 1; seed <= random_pairs; ++seed) {
    SCOPED_TRACE(::testing::Message() << "seed " << seed);
    std::mt19937_64 rng(seed);
    const schema a = testing::random_schema(rng);
    const schema b = testing::mutate(a, rng);
    pqxx::connection conn(test::fresh_database_url());

    // Created from nothing, the database is exactly the model, column order included.
    ASSERT_NO_THROW(apply(conn, diff(schema{}, a), schema{}));
    EXPECT_EQ(test::describe(test::live_schema(conn)), test::describe(a));

    const auto up = diff(a, b);
    schema reached;
    ASSERT_NO_THROW(reached = apply(conn, up, a));
    EXPECT_SAME_SCHEMA(test::live_schema(conn), b);

    ASSERT_NO_THROW(apply(conn, ops::inverse(up), reached));
    EXPECT_SAME_SCHEMA(test::live_schema(conn), a);
  }
}

class RoundtripOperation : public ::testing::TestWithParam<testing::operation_case> {};

TEST_P(RoundtripOperation, UpAndDown) {
  const testing::operation_case& c = GetParam();
  if (std::holds_alternative<ops::cpp>(c.op)) GTEST_SKIP() << "a C++ data step has no SQL to run (applier_test runs it)";
  pqxx::connection conn(test::fresh_database_url());
  ASSERT_NO_THROW(apply(conn, diff(schema{}, c.before), schema{}));
  EXPECT_EQ(test::describe(test::live_schema(conn)), test::describe(c.before));

  schema after;
  ASSERT_NO_THROW(after = apply(conn, {c.op}, c.before));
  EXPECT_SAME_SCHEMA(test::live_schema(conn), after);

  ASSERT_NO_THROW(apply(conn, ops::inverse(c.op), after));
  EXPECT_SAME_SCHEMA(test::live_schema(conn), c.before);
}

INSTANTIATE_TEST_SUITE_P(EveryKind, RoundtripOperation, ::testing::ValuesIn(testing::operation_cases()),
                         [](const auto& info) { return info.param.name; });

TEST(Roundtrip, EvilNamesAreCreatedAsNamed) {
  const std::string evil = R"(x"; DROP TABLE y; --)";
  schema s;
  s.schemas = {"we\"ird schema"};
  s.enums = {enum_type{{"we\"ird schema", "it's"}, {"a'b", "c\"d"}}};
  column id{evil, *parse_builtin_type("integer"), false, {}, identity_kind::none, "'; DROP TABLE y; --", {}, {}};
  column e{"e", {}, true, {}, identity_kind::none, {}, {}, {}};
  e.type.kind = type_kind::enum_type;
  e.type.enum_name = {"we\"ird schema", "it's"};
  s.tables = {table{{"we\"ird schema", evil}, {id, e}, primary_key{"pk " + evil, {evil}}, {}, {}, {}, {}, "ta'ble", {}}};
  pqxx::connection conn(test::fresh_database_url());
  {
    pqxx::work tx(conn);
    tx.exec("CREATE TABLE y (id integer)");
    tx.commit();
  }
  ASSERT_NO_THROW(apply(conn, diff(schema{}, s), schema{}));
  schema expected = s;
  expected.tables.push_back(table{{"public", "y"}, {column{"id", *parse_builtin_type("integer"), true, {}, identity_kind::none, {}, {}, {}}}, {}, {}, {}, {}, {}, {}, {}});
  sort_canonically(expected);
  EXPECT_EQ(test::describe(test::live_schema(conn)), test::describe(expected));
}

}  // namespace
}  // namespace retort
