// Tests of the top-level `;` finder and of its use on snapshots and migration files: an
// expression can never become two statements, wherever it hides its `;`.
#include "retort/sql_expression.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "retort/errors.hpp"
#include "retort/revision.hpp"
#include "retort/snapshot.hpp"

namespace retort {
namespace {

constexpr auto none = std::string_view::npos;

TEST(SqlExpression, FindsOnlyATopLevelSemicolon) {
  const std::vector<std::pair<std::string, std::size_t>> cases{
      {"0", none},
      {"0; DROP TABLE victim", 1},
      {"true; DROP TABLE victim", 4},
      {"'a;b'", none},
      {"'it''s;'", none},
      {"'\\'; DROP TABLE victim; --'", 3},  // standard strings: the backslash is a character
      {"E'\\'; x'", none},                  // E'' strings: it escapes the quote
      {"e'\\\\'; x", 5},
      {"\"we;ird\" > 0", none},
      {"\"a\"\";\" > 0", none},
      {"$$;$$", none},
      {"$fn$ a; $$ ; $fn$", none},
      {"$1; x", 2},  // a parameter, not a dollar quote
      {"a$b$; x", 4},
      {"(0; DROP TABLE victim)", none},  // inside parentheses: never a second statement
      {"0); DROP TABLE victim; SELECT (1", 2},
      {"now() -- ; comment", none},
      {"now() -- comment\n; x", 17},
      {"/* ; /* nested ; */ ; */ 0", none},
      {"/* */ 0 ;", 8},
      {"'unterminated ; ", none},
  };
  for (const auto& [sql, at] : cases) EXPECT_EQ(top_level_semicolon(sql), at) << sql;
}

TEST(SqlExpression, ASnapshotExpressionWithASemicolonNamesItsPath) {
  const std::vector<std::pair<std::string, std::string>> cases{
      {R"({"name": "n", "type": "integer", "default": "0; DROP TABLE victim"})",
       "tables[0].columns[1].default"},
      {R"({"name": "n", "type": "text", "nullable": true, "backfill": "'x'; DROP TABLE victim"})",
       "tables[0].columns[1].backfill"},
  };
  for (const auto& [column, path] : cases) {
    const std::string text = R"({"format": 1, "schemas": [], "enums": [], "tables": [{"name": "t", "columns": [
        {"name": "id", "type": "bigint"}, )" + column + "]}]}";
    try {
      (void)read_snapshot(text, "schema.json");
      ADD_FAILURE() << "accepted " << column;
    } catch (const file_error& e) {
      EXPECT_EQ(e.json_path(), path) << e.what();
      EXPECT_NE(std::string(e.what()).find("outside quotes and parentheses"), std::string::npos) << e.what();
    }
  }
  const std::string predicate = R"({"format": 1, "schemas": [], "enums": [], "tables": [{"name": "t",
      "columns": [{"name": "id", "type": "bigint"}],
      "indexes": [{"name": "ix_t_id", "columns": ["id"], "where": "true; DROP TABLE victim"}],
      "checks": [{"name": "ck_t_id", "expression": "id > 0"}]}]})";
  try {
    (void)read_snapshot(predicate, "schema.json");
    ADD_FAILURE() << "accepted an index predicate with a ;";
  } catch (const file_error& e) {
    EXPECT_EQ(e.json_path(), "tables[0].indexes[0].where") << e.what();
  }
}

TEST(SqlExpression, AMigrationFileExpressionWithASemicolonNamesItsOperation) {
  const std::string text = R"({"format": 1, "id": "r1", "parents": [], "upgrade": [
      {"op": "create_schema", "name": "s"},
      {"op": "add_column", "table": {"name": "t"}, "column": {"name": "n", "type": "integer",
       "default": "0; DROP TABLE victim"}}], "downgrade": []})";
  try {
    (void)read_revision(text, "versions/r1.json");
    FAIL() << "accepted";
  } catch (const file_error& e) {
    const std::string what = e.what();
    EXPECT_EQ(e.json_path(), "upgrade[1]") << what;
    EXPECT_NE(what.find("column.default: server default \"0; DROP TABLE victim\""), std::string::npos) << what;
  }
  const std::string check = R"({"format": 1, "id": "r1", "parents": [], "upgrade": [], "downgrade": [
      {"op": "add_check", "table": {"name": "t"}, "check": {"name": "ck", "expression": "x > 0); DROP TABLE v; --"}}]})";
  try {
    (void)read_revision(check, "versions/r1.json");
    FAIL() << "accepted";
  } catch (const file_error& e) {
    EXPECT_EQ(e.json_path(), "downgrade[0]") << e.what();
  }
}

TEST(SqlExpression, SqlStepsMayHoldSeveralStatements) {
  const ops::operation step = ops::sql{"UPDATE a SET x = 1; UPDATE b SET y = 2", "SELECT 1; SELECT 2", true, std::nullopt};
  EXPECT_FALSE(multi_statement_expression(step).has_value());
}

}  // namespace
}  // namespace retort
