// sql::expression_key: the text a model writes and the text PostgreSQL's catalog gives back for
// the same expression get one key (the pairs below are the example application's, as PostgreSQL
// 15 stores them); expressions that mean something else do not.
#include <gtest/gtest.h>

#include "retort/errors.hpp"
#include "retort/sql_analysis.hpp"

namespace retort {
namespace {

struct key_case {
  const char* written;
  const char* stored;
};

TEST(ExpressionKey, AModelsTextAndTheCatalogsTextAreOneKey) {
  const key_case cases[] = {
      {"price >= 0", "(price >= (0)::numeric)"},
      {"quantity * unit_price >= 0", "(((quantity)::numeric * unit_price) >= (0)::numeric)"},
      {"currency = upper(currency)", "((currency)::text = upper((currency)::text))"},
      {"quantity > 0", "(quantity > 0)"},
      {"'draft'", "'draft'::catalog.product_status"},
      {"'EUR'", "'EUR'::character varying"},
      {"'{}'", "'{}'::jsonb"},
      {"0", "0"},
      {"-1", "'-1'::integer"},
      {"1.5", "1.5"},
      {"true", "true"},
      {"''", "''::text"},
      {"now()", "now()"},
      {"status = 'active'", "(status = 'active'::catalog.product_status)"},
      {"kind IN ('a', 'b')", "((kind)::text = ANY ((ARRAY['a'::character varying, 'b'::character varying])::text[]))"},
      {"kind NOT IN ('a', 'b')", "((kind)::text <> ALL ((ARRAY['a'::character varying, 'b'::character varying])::text[]))"},
      {"name LIKE 'a%'", "((name)::text ~~ 'a%'::text)"},
      {"a > 0 AND b > 0 AND c > 0", "((a > 0) AND (b > 0) AND (c > 0))"},
      // The example's row-level security policy on orders, as pg_policy gives it back.
      {"user_id = NULLIF(current_setting('app.user_id', true), '')::bigint",
       "(user_id = (NULLIF(current_setting('app.user_id'::text, true), ''::text))::bigint)"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.written);
    EXPECT_EQ(sql::expression_key(c.written), sql::expression_key(c.stored));
  }
}

TEST(ExpressionKey, ADifferentMeaningIsADifferentKey) {
  const key_case cases[] = {
      {"price >= 0", "(price > (0)::numeric)"},
      {"price >= 0", "(cost >= (0)::numeric)"},
      {"quantity > 0", "(quantity > 1)"},
      {"'draft'", "'active'::catalog.product_status"},
      {"a > 0 AND b > 0", "((a > 0) OR (b > 0))"},
      {"now()", "clock_timestamp()"},
      {"kind IN ('a', 'b')", "((kind)::text = ANY ((ARRAY['a'::character varying, 'c'::character varying])::text[]))"},
      {"kind IN ('a', 'b')", "((kind)::text <> ALL ((ARRAY['a'::character varying, 'b'::character varying])::text[]))"},
      {"0", "''"},
      {"-1", "0"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.written);
    EXPECT_NE(sql::expression_key(c.written), sql::expression_key(c.stored));
  }
}

TEST(ExpressionKey, TextThatIsNotOneExpressionIsAnError) {
  EXPECT_THROW((void)sql::expression_key("price >="), error);
  EXPECT_THROW((void)sql::expression_key("1); DROP TABLE users; SELECT (1"), error);
}

// ---- view queries --------------------------------------------------------------------------

TEST(NormalizedQuery, OneSpellingForBlanksCaseCommentsAndParentheses) {
  const std::string canonical = sql::normalized_query("SELECT id, email FROM users WHERE deleted_at IS NULL");
  EXPECT_EQ(canonical, "SELECT id, email FROM users WHERE deleted_at IS NULL");
  EXPECT_EQ(sql::normalized_query("select id,\n  email -- the address\nfrom USERS where (deleted_at is null);"), canonical);
  EXPECT_NE(sql::normalized_query("SELECT id, email FROM users WHERE deleted_at IS NOT NULL"), canonical);
}

TEST(NormalizedQuery, OnlyOneSelectThatNamesItsColumns) {
  EXPECT_THROW((void)sql::normalized_query("SELECT * FROM users"), error);
  EXPECT_THROW((void)sql::normalized_query("SELECT u.* FROM users u"), error);
  EXPECT_THROW((void)sql::normalized_query("SELECT 1; DROP TABLE users"), error);
  EXPECT_THROW((void)sql::normalized_query("DELETE FROM users"), error);
  EXPECT_THROW((void)sql::normalized_query("SELECT id INTO copy FROM users"), error);
  EXPECT_THROW((void)sql::normalized_query("SELECT id FROM"), error);
  EXPECT_NO_THROW((void)sql::normalized_query("SELECT count(*) FROM users"));
  EXPECT_NO_THROW((void)sql::normalized_query("VALUES (1), (2)"));
}

TEST(RelationsRead, UnqualifiedNamesAreOfTheViewsSchemaAndWithQueriesAreNone) {
  const auto reads = sql::relations_read(
      "WITH recent AS (SELECT user_id FROM orders) SELECT u.id FROM users u JOIN recent r ON r.user_id = u.id "
      "WHERE u.id IN (SELECT user_id FROM audit.events)",
      "shop");
  const std::vector<qualified_name> expected{{"audit", "events"}, {"shop", "orders"}, {"shop", "users"}};
  EXPECT_EQ(reads, expected);
}

TEST(QueryKey, AModelsQueryAndPgGetViewdefsAreOneKey) {
  const key_case same[] = {
      {"SELECT id, email FROM users WHERE is_active",
       " SELECT users.id,\n    users.email\n   FROM users\n  WHERE users.is_active;"},
      {"SELECT id, email FROM users WHERE is_active", "SELECT users.id AS user_id, users.email FROM public.users WHERE users.is_active"},
      {"SELECT user_id, count(*), sum(total) FROM orders WHERE status = 'paid' GROUP BY user_id",
       " SELECT orders.user_id,\n    count(*) AS count,\n    sum(orders.total) AS sum\n   FROM orders\n  WHERE "
       "orders.status = 'paid'::order_status\n  GROUP BY orders.user_id;"},
      {"SELECT id FROM public.users", " SELECT users.id\n   FROM public.users;"},
  };
  for (const auto& c : same) {
    SCOPED_TRACE(c.written);
    EXPECT_EQ(sql::query_key(c.written, "public"), sql::query_key(c.stored, "public"));
  }
  EXPECT_NE(sql::query_key("SELECT id FROM users WHERE is_active", "public"),
            sql::query_key("SELECT users.id FROM users WHERE NOT users.is_active", "public"));
  EXPECT_NE(sql::query_key("SELECT id FROM users", "public"), sql::query_key("SELECT users.id FROM other.users", "public"));
}

}  // namespace
}  // namespace retort
