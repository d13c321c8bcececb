// The PostgreSQL renderer: for every operation kind, the exact SQL it produces (a table of
// change in, SQL out), plus quoting: no identifier or literal can break out of its quotes.
#include <gtest/gtest.h>

#include "retort/errors.hpp"
#include "retort/pg/render.hpp"
#include "operation_cases.hpp"
#include "retort/snapshot.hpp"

namespace retort {
namespace {

using namespace ops;
using testing::operation_base_schema;
using testing::operation_cases;
const qualified_name users_name{"public", "users"};

column col(std::string name, std::string type) {
  return column{std::move(name), *parse_builtin_type(type), false, {}, identity_kind::none, {}, {}, {}};
}

TEST(RenderPostgres, EveryOperationRendersExactSql) {
  // The renderer must cover every alternative: a case per kind.
  std::set<std::string_view> kinds;
  for (const auto& c : operation_cases()) {
    SCOPED_TRACE(c.name);
    kinds.insert(name_of(c.op));
    std::vector<std::string> got;
    for (const auto& st : pg::render({c.op}, c.before)) {
      got.push_back(st.sql);
      EXPECT_TRUE(st.transactional);
      EXPECT_EQ(st.operation, 0u);
    }
    EXPECT_EQ(got, c.sql);
  }
  EXPECT_EQ(kinds.size(), std::variant_size_v<operation>);
}

TEST(RenderPostgres, PlanNumbersStatementsByOperation) {
  auto plan = pg::render({create_schema{"a"}, drop_column{users_name, *find_column(*find_table(operation_base_schema(), users_name), "bio")},
                          create_schema{"b"}},
                         operation_base_schema());
  ASSERT_EQ(plan.size(), 3u);
  EXPECT_EQ(plan[0].operation, 0u);
  EXPECT_EQ(plan[1].operation, 1u);
  EXPECT_EQ(plan[2].operation, 2u);
}

TEST(RenderPostgres, RendersAgainstTheSchemaAsItEvolves) {
  // The second operation drops a value of an enum the first one created: the rebuild must
  // see the column added in between.
  schema s;
  s.tables.push_back(table{{"public", "t"}, {col("id", "integer")}, {}, {}, {}, {}, {}, {}, {}});
  column c{"m", {}, true, {}, identity_kind::none, {}, {}, {}};
  c.type.kind = type_kind::enum_type;
  c.type.enum_name = {"public", "m"};
  auto plan = pg::render({create_enum{{{"public", "m"}, {"a", "b"}}}, add_column{{"public", "t"}, c},
                          drop_enum_value{{"public", "m"}, "a", "b"}},
                         s);
  ASSERT_EQ(plan.size(), 6u);
  EXPECT_EQ(plan[4].sql, R"(ALTER TABLE "public"."t" ALTER COLUMN "m" TYPE "public"."m" USING "m"::text::"public"."m")");
}

TEST(RenderPostgres, AnEnumValueUsedLaterInThePlanIsAddedOutsideTheTransaction) {
  column angry = *find_column(*find_table(operation_base_schema(), users_name), "status");
  angry.name = "temper";
  angry.server_default = "'angry'::mood";
  auto plan = pg::render({add_enum_value{{"public", "mood"}, "angry", std::nullopt}, add_column{users_name, angry}},
                         operation_base_schema());
  ASSERT_EQ(plan.size(), 2u);
  EXPECT_EQ(plan[0].sql, R"(ALTER TYPE "public"."mood" ADD VALUE IF NOT EXISTS 'angry')");
  EXPECT_FALSE(plan[0].transactional);
  EXPECT_TRUE(plan[1].transactional);
  // Not used later: it stays in the transaction.
  auto alone = pg::render({add_enum_value{{"public", "mood"}, "angry", std::nullopt}}, operation_base_schema());
  EXPECT_TRUE(alone[0].transactional);
}

TEST(RenderPostgres, RefusesOperationsThatDoNotApply) {
  EXPECT_THROW((void)pg::render({drop_table{table{{"public", "nope"}, {}, {}, {}, {}, {}, {}, {}, {}}}}, operation_base_schema()),
               replay_error);
}

TEST(RenderPostgres, QuotesIdentifiersAndLiterals) {
  EXPECT_EQ(pg::quote_ident("users"), R"("users")");
  EXPECT_EQ(pg::quote_ident(R"(x"; DROP TABLE y; --)"), R"("x""; DROP TABLE y; --")");
  EXPECT_EQ(pg::quote_ident(qualified_name{"we\"ird", "na.me"}), R"("we""ird"."na.me")");
  EXPECT_EQ(pg::quote_literal("it's"), "'it''s'");
  // A backslash makes it an E'' literal: the same text whatever standard_conforming_strings says.
  EXPECT_EQ(pg::quote_literal(R"(\'; DROP TABLE y; --)"), R"(E'\\''; DROP TABLE y; --')");
  EXPECT_EQ(pg::quote_literal(R"(a\\b)"), R"(E'a\\\\b')");
  EXPECT_THROW((void)pg::quote_ident(std::string("a\0b", 3)), error);
  EXPECT_THROW((void)pg::quote_literal(std::string("a\0b", 3)), error);
}

TEST(RenderPostgres, EvilNamesStayInsideTheirQuotes) {
  const std::string evil = R"(x"; DROP TABLE y; --)";
  table t{{"public", evil}, {col(evil, "text")}, primary_key{evil + "pk", {evil}}, {}, {}, {}, {}, "'; DROP TABLE y; --", {}};
  auto plan = pg::render({create_table{t}}, schema{});
  ASSERT_EQ(plan.size(), 2u);
  EXPECT_EQ(plan[0].sql,
            "CREATE TABLE \"public\".\"x\"\"; DROP TABLE y; --\" (\n"
            "  \"x\"\"; DROP TABLE y; --\" text NOT NULL,\n"
            "  CONSTRAINT \"x\"\"; DROP TABLE y; --pk\" PRIMARY KEY (\"x\"\"; DROP TABLE y; --\")\n)");
  EXPECT_EQ(plan[1].sql, "COMMENT ON TABLE \"public\".\"x\"\"; DROP TABLE y; --\" IS '''; DROP TABLE y; --'");
}

TEST(RenderPostgres, TypeSpellings) {
  EXPECT_EQ(pg::type_sql(*parse_builtin_type("character varying(20)")), "varchar(20)");
  EXPECT_EQ(pg::type_sql(*parse_builtin_type("timestamp with time zone")), "timestamptz");
  EXPECT_EQ(pg::type_sql(*parse_builtin_type("numeric(10,2)")), "numeric(10,2)");
  EXPECT_EQ(pg::type_sql(*parse_builtin_type("int4[]")), "integer[]");
  column_type e;
  e.kind = type_kind::enum_type;
  e.enum_name = {"sales", "Order State"};
  EXPECT_EQ(pg::type_sql(e), R"("sales"."Order State")");
}

}  // namespace
}  // namespace retort
