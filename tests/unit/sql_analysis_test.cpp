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

}  // namespace
}  // namespace retort
