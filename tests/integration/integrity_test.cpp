// What the applier must never do, against a real PostgreSQL: let text become SQL under
// standard_conforming_strings = off, or an expression become two statements; and what its
// errors must say: the statement inside a multi-statement sql step, the privilege it lacks.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include <fmt/format.h>
#include <pqxx/pqxx>

#include "history.hpp"
#include "pg_fixture.hpp"
#include "retort/diff.hpp"
#include "retort/errors.hpp"
#include "retort/pg/applier.hpp"
#include "retort/pg/introspect.hpp"
#include "retort/pg/render.hpp"
#include "schema_text.hpp"

namespace retort {
namespace {

using testing::make_revision;

const std::string injection = R"(\'; DROP TABLE victim; --)";

// Names and text an attacker (or an unlucky author) would try: quotes, backslashes, comment
// and statement markers, dollar quotes, Unicode escapes, casing, spaces, control characters.
const std::vector<std::string> hostile_names{
    R"(x"; DROP TABLE victim; --)", R"(\'; DROP TABLE victim; --)", R"(\\'; DROP TABLE victim; --)",
    R"(')", R"('')", R"(")", R"("")", R"(\)", R"(\\)", R"(\")", R"(a'b"c\d)",
    "$$", "$x$; DROP TABLE victim; $x$", ";", "; DROP TABLE victim", "--", "/*", "*/", "/* x */",
    "Mixed Case", "  spaces  ", "tab\there", "new\nline", "carriage\rreturn", "U&\"\\0041\"", "E'x'",
    "ünïcödé", "日本語", "emoji 🎉", "a.b", "a,b", "(paren", "paren)", "[bracket]", "%s %d", "{}",
    "select", "table", "null", "0", "-1"};

// The database's schema without the bookkeeping and the victim table.
schema live(pqxx::connection& conn) {
  schema s = test::live_schema(conn, {"retort"});
  std::erase_if(s.tables, [](const table& t) { return t.name == qualified_name{"public", "victim"}; });
  return s;
}

void execute(const std::string& url, const std::string& sql) {
  pqxx::connection conn(url);
  pqxx::nontransaction tx(conn);
  tx.exec(sql);
}

bool victim_exists(pqxx::connection& conn) {
  pqxx::read_transaction tx(conn);
  return tx.exec1("SELECT to_regclass('public.victim') IS NOT NULL")[0].as<bool>();
}

// A fresh database whose every new session starts with standard_conforming_strings = off,
// holding the table an injection would drop.
std::string database_with_scs_off() {
  const std::string url = test::fresh_database_url();
  execute(url, "CREATE TABLE victim (id integer); "
               "DO $$ BEGIN EXECUTE format('ALTER DATABASE %I SET standard_conforming_strings = off', "
               "current_database()); END $$");
  pqxx::connection check(url);
  pqxx::read_transaction tx(check);
  EXPECT_EQ(tx.exec1("SHOW standard_conforming_strings")[0].as<std::string>(), "off");
  return url;
}

column text_column(std::string name, std::optional<std::string> comment = std::nullopt) {
  column c;
  c.name = std::move(name);
  c.nullable = true;
  c.comment = std::move(comment);
  return c;
}

// ---------------------------------------------------------------------------------------
// standard_conforming_strings = off: a comment, an enum value and a revision message.

TEST(Integrity, TextStaysTextWithStandardConformingStringsOff) {
  const std::string url = database_with_scs_off();
  table t;
  t.name = {"public", "notes"};
  t.comment = injection;
  t.columns.push_back(text_column("body", injection));
  const enum_type mood{{"public", "mood"}, {"happy", injection}};
  revision r = make_revision(1, {}, injection, {ops::create_enum{mood}, ops::create_table{t}});
  const revision_graph graph({r});
  pqxx::connection conn(url);
  pg::advisory_locker lock(conn, "retort");
  pg::applier applier(conn, graph, lock);
  {
    pqxx::read_transaction tx(conn);  // the applier pins its session's setting
    EXPECT_EQ(tx.exec1("SHOW standard_conforming_strings")[0].as<std::string>(), "on");
    EXPECT_EQ(tx.exec1("SHOW client_encoding")[0].as<std::string>(), "UTF8");
  }
  ASSERT_EQ(applier.upgrade("head"), std::vector<std::string>{r.id});

  EXPECT_TRUE(victim_exists(conn));
  schema expected;
  expected.enums.push_back(mood);
  expected.tables.push_back(t);
  EXPECT_EQ(test::describe(live(conn)), test::describe(expected));
  pqxx::read_transaction tx(conn);
  EXPECT_EQ(tx.exec1("SELECT message FROM retort.history")[0].as<std::string>(), injection);
}

// The rendered literal alone, in a session that is left with the setting off: the same text.
TEST(Integrity, RenderedLiteralsReadTheSameUnderEitherSetting) {
  const std::string url = test::fresh_database_url();
  pqxx::connection conn(url);
  for (const char* setting : {"off", "on"}) {
    pqxx::nontransaction tx(conn);
    tx.exec(fmt::format("SET standard_conforming_strings = {}", setting));
    for (const auto& text : hostile_names)
      EXPECT_EQ(tx.exec1("SELECT " + pg::quote_literal(text))[0].as<std::string>(), text) << setting << ": " << text;
  }
}

// Forty hostile names as tables, columns, enum values and comments, with the setting off:
// every one reads back as written and nothing else happens.
TEST(Integrity, HostileNamesStayInsideTheirQuotes) {
  const std::string url = database_with_scs_off();
  schema expected;
  enum_type values{{"public", "hostile values"}, hostile_names};
  expected.enums.push_back(values);
  table wide;
  wide.name = {"public", "wide"};
  for (const auto& n : hostile_names) wide.columns.push_back(text_column(n, n));
  expected.tables.push_back(wide);
  for (std::size_t i = 0; i < 8; ++i) {
    table t;
    t.name = {"public", hostile_names[i]};
    t.comment = hostile_names[i];
    t.columns.push_back(text_column(hostile_names[i + 8]));
    expected.tables.push_back(t);
  }
  sort_canonically(expected);
  const revision r = make_revision(1, {}, "hostile", diff(schema{}, expected));
  const revision_graph graph({r});
  pqxx::connection conn(url);
  pg::advisory_locker lock(conn, "retort");
  pg::applier applier(conn, graph, lock);
  ASSERT_EQ(applier.upgrade("head"), std::vector<std::string>{r.id});
  EXPECT_TRUE(victim_exists(conn));
  EXPECT_EQ(test::describe(live(conn)), test::describe(expected));
  ASSERT_EQ(applier.downgrade("base"), std::vector<std::string>{r.id});
  EXPECT_TRUE(victim_exists(conn));
  EXPECT_EQ(test::describe(live(conn)), test::describe(schema{}));
}

// ---------------------------------------------------------------------------------------
// One statement per rendered statement: an expression that slipped past validation (built in
// memory here; files and snapshots refuse it) is refused by PostgreSQL, never run as two.

TEST(Integrity, AnExpressionNeverBecomesTwoStatements) {
  table items;
  items.name = {"public", "items"};
  column id = text_column("id");
  id.type = *parse_builtin_type("integer");
  items.columns.push_back(id);
  column n = text_column("n");
  n.type = *parse_builtin_type("integer");
  n.server_default = "0; DROP TABLE victim";
  index partial;
  partial.name = "ix_items_id";
  partial.columns = {"id"};
  partial.where = "true; DROP TABLE victim";
  for (const auto& [name, op] : std::vector<std::pair<std::string, ops::operation>>{
           {"default", ops::add_column{items.name, n}}, {"predicate", ops::create_index{items.name, partial}}}) {
    SCOPED_TRACE(name);
    const std::string url = test::fresh_database_url();
    execute(url, "CREATE TABLE victim (n integer)");
    const revision r = make_revision(1, {}, name, {ops::create_table{items}, op});
    const revision_graph graph({r});
    pqxx::connection conn(url);
    pg::advisory_locker lock(conn, "retort");
    pg::applier applier(conn, graph, lock);
    try {
      (void)applier.upgrade("head");
      ADD_FAILURE() << "the upgrade succeeded";
    } catch (const migration_error& e) {
      EXPECT_EQ(e.where().sqlstate, "42601") << e.what();
      EXPECT_NE(e.where().message.find("multiple commands"), std::string::npos) << e.what();
      EXPECT_NE(e.where().statement.find("DROP TABLE victim"), std::string::npos) << e.what();
    }
    EXPECT_TRUE(victim_exists(conn));
  }
}

// ---------------------------------------------------------------------------------------
// A hand-written sql step may hold several statements; when one fails, the error names it.

TEST(Integrity, FailingStatementInsideAnSqlStepIsNamed) {
  const std::string url = test::fresh_database_url();
  const ops::operation step = ops::sql{"CREATE TABLE a (x integer);\nINSERT INTO a VALUES (1);\n"
                                       "UPDATE missing_table SET x = 2;\nSELECT 1",
                                       "DROP TABLE a"};
  const revision r1 = make_revision(1, {}, "works", {ops::sql{"CREATE TABLE b (x integer); INSERT INTO b VALUES (1)",
                                                              "DROP TABLE b"}});
  const revision r2 = make_revision(2, {r1.id}, "fails", {ops::create_schema{"s"}, step});
  const revision_graph graph({r1, r2});
  pqxx::connection conn(url);
  pg::advisory_locker lock(conn, "retort");
  pg::applier applier(conn, graph, lock);
  try {
    (void)applier.upgrade("head");
    FAIL() << "the upgrade succeeded";
  } catch (const migration_error& e) {
    EXPECT_EQ(e.where().sqlstate, "42P01");
    EXPECT_EQ(e.where().operation, "upgrade[1] " + ops::describe(step));
    EXPECT_EQ(e.where().statement, "UPDATE missing_table SET x = 2 (line 3 of the sql step)");
    EXPECT_NE(std::string(e.what()).find("statement: UPDATE missing_table SET x = 2 (line 3"), std::string::npos)
        << e.what();
  }
  EXPECT_EQ(applier.current(), revision_heads{r1.id});
  pqxx::read_transaction tx(conn);
  EXPECT_EQ(tx.exec1("SELECT count(*) FROM b")[0].as<int>(), 1);  // several statements in one step ran
}

// ---------------------------------------------------------------------------------------
// A user who may not create the bookkeeping schema is told what Retort was doing and what it needs.

TEST(Integrity, PermissionDeniedForTheBookkeepingSchemaNamesThePrivilege) {
  const std::string url = test::fresh_database_url();
  execute(url, "DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'retort_weak') THEN "
               "CREATE ROLE retort_weak LOGIN; END IF; END $$");
  const revision r = make_revision(1, {}, "one", {ops::create_schema{"s"}});
  const revision_graph graph({r});
  pqxx::connection conn(url + " user=retort_weak");
  pg::advisory_locker lock(conn, "retort");
  pg::applier applier(conn, graph, lock);
  try {
    (void)applier.upgrade("head");
    FAIL() << "the upgrade succeeded";
  } catch (const database_error& e) {
    const std::string what = e.what();
    EXPECT_EQ(e.sqlstate(), "42501");
    for (const auto* part : {"cannot create Retort's bookkeeping schema \"retort\"", "permission denied for database",
                             "CREATE SCHEMA IF NOT EXISTS \"retort\"", "the CREATE privilege on the database",
                             "GRANT CREATE ON DATABASE", "--bookkeeping-schema"})
      EXPECT_NE(what.find(part), std::string::npos) << part << " not in: " << what;
  }
}

}  // namespace
}  // namespace retort
