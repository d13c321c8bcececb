// Day-2 operations of the `retort` binary against a real PostgreSQL (issue #11): `verify` catches a
// database edited by hand, `stamp` refuses a database without the target's schema, `current` says
// when a database has tables but no revision recorded, `reset` refuses anything but the dev
// database without --yes, `devdb reset` starts over, and the CLI run by hand finds the dev
// database that configuring the project recorded.
#include <gtest/gtest.h>

#include <fstream>
#include <string>

#include <fmt/format.h>
#include <nlohmann/json.hpp>
#include <pqxx/pqxx>

#include "cli_fixture.hpp"
#include "history.hpp"
#include "retort/diff.hpp"
#include "retort/pg/render.hpp"
#include "schema_text.hpp"

namespace retort {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using test::Cli;
using test::current_of;
using test::result;
using test::rows_of;

void exec(const std::string& url, const std::string& sql) {
  pqxx::connection conn(url);
  pqxx::work tx(conn);
  tx.exec(sql);
  tx.commit();
}

// The schema `at` replays to, created by hand (no bookkeeping): a database made by other means.
void create_by_hand(const std::string& url, const schema& at) {
  pqxx::connection conn(url);
  pqxx::work tx(conn);
  for (const auto& st : pg::render(diff(schema{}, at), schema{})) tx.exec(st.sql);
  tx.commit();
}

std::string first_table(const revision_graph& graph) { return pg::quote_ident(graph.schema_at(graph.heads()).tables.front().name); }

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

// ---------------------------------------------------------------------------------------
// verify

// Functions and triggers are read back too (pg_get_functiondef, pg_get_triggerdef): one created
// by hand is a difference, with the SQL that drops it.
TEST_F(Cli, VerifyCatchesAFunctionAndATriggerMadeByHand) {
  const revision_graph graph = write(testing::random_history(202, 2));
  ASSERT_EQ(retort({"upgrade"}).code, 0);
  exec(url(), "CREATE FUNCTION public.touch_by_hand() RETURNS trigger LANGUAGE plpgsql AS $$BEGIN RETURN NEW; END$$");
  exec(url(), fmt::format("CREATE TRIGGER by_hand BEFORE UPDATE ON {} FOR EACH ROW EXECUTE FUNCTION touch_by_hand()",
                          first_table(graph)));
  const result edited = retort({"verify"});
  EXPECT_EQ(edited.code, 3) << edited;
  EXPECT_TRUE(contains(edited.err, "  - create function public.touch_by_hand()\n")) << edited;
  EXPECT_TRUE(contains(edited.err, "  - create trigger by_hand on ")) << edited;
  EXPECT_TRUE(contains(edited.err, "DROP FUNCTION \"public\".\"touch_by_hand\"()")) << edited;
  EXPECT_TRUE(contains(edited.err, "DROP TRIGGER \"by_hand\" ON ")) << edited;
}

TEST_F(Cli, VerifyCatchesAHandEditedDatabase) {
  const revision_graph graph = write(testing::random_history(201, 3));
  ASSERT_EQ(retort({"upgrade"}).code, 0);

  const result clean = retort({"verify"});
  EXPECT_EQ(clean.code, 0) << clean;
  EXPECT_TRUE(clean.out.starts_with("OK: the database matches")) << clean;

  exec(url(), fmt::format("ALTER TABLE {} ADD COLUMN added_by_hand integer", first_table(graph)));
  exec(url(), "CREATE TABLE public.made_by_hand (id integer)");
  const result edited = retort({"verify"});
  EXPECT_EQ(edited.code, 3) << edited;
  EXPECT_TRUE(edited.err.starts_with("error: the database differs from the schema its migrations made at")) << edited;
  EXPECT_TRUE(contains(edited.err, "in 2 ways:")) << edited;
  EXPECT_TRUE(contains(edited.err, "  - create table public.made_by_hand\n")) << edited;
  EXPECT_TRUE(contains(edited.err, ".added_by_hand\n")) << edited;
  EXPECT_TRUE(contains(edited.err, "  - add column ")) << edited;
  // And the SQL that undoes both.
  EXPECT_TRUE(contains(edited.err, "DROP TABLE \"public\".\"made_by_hand\"")) << edited;
  EXPECT_TRUE(contains(edited.err, "DROP COLUMN \"added_by_hand\"")) << edited;

  const result as_json = retort({"--format", "json", "verify"});
  EXPECT_EQ(as_json.code, 3) << as_json;
  const json j = json::parse(as_json.out);
  EXPECT_EQ(j["ok"], false);
  EXPECT_EQ(j["revision"], json(graph.heads()));
  ASSERT_EQ(j["changes"].size(), 2u) << as_json;
  EXPECT_TRUE(j["changes"][0]["description"] == "create table public.made_by_hand" ||
              j["changes"][1]["description"] == "create table public.made_by_hand")
      << as_json;
}

// PostgreSQL stores `price >= 0` on a numeric column as `(price >= (0)::numeric)`: the same check;
// so for an exclusion constraint's predicate and a policy's expression.
TEST_F(Cli, VerifyComparesExpressionsByMeaningNotSpelling) {
  const std::string table = R"json({"schema": "public", "name": "prices", "columns": [
      {"name": "id", "type": "bigint", "nullable": false},
      {"name": "price", "type": "numeric(10,2)", "nullable": false, "default": "0"},
      {"name": "currency", "type": "varchar(3)", "nullable": false, "default": "'EUR'"},
      {"name": "kind", "type": "varchar(10)", "nullable": false}],
    "primary_key": {"name": "pk_prices", "columns": ["id"]},
    "indexes": [{"name": "ix_prices_price", "columns": ["price"], "where": "price > 0 AND kind LIKE 'a%'"}],
    "checks": [{"name": "ck_prices_price", "expression": "price >= 0"},
               {"name": "ck_prices_currency", "expression": "currency = upper(currency)"},
               {"name": "ck_prices_kind", "expression": "kind IN ('a', 'b')"}],
    "exclusions": [{"name": "ex_prices_id", "elements": [{"column": "id", "with": "="}], "method": "btree",
                    "where": "price > 0"}],
    "row_level_security": {"enabled": true, "forced": false},
    "policies": [{"name": "prices_euro", "using": "currency = 'EUR' AND price >= 0"}]})json";
  fs::create_directories(migrations());
  std::ofstream(migrations() / "20260101000000_0123456789ab_prices.json")
      << R"({"format": 1, "id": "0123456789ab", "parents": [], "message": "prices", "created": "2026-01-01T00:00:00Z",
            "upgrade": [{"op": "create_table", "table": )"
      << table << R"(}], "downgrade": [{"op": "drop_table", "table": )" << table << "}]}\n";
  ASSERT_EQ(retort({"rehash"}).code, 0);
  const result up = retort({"upgrade"});
  ASSERT_EQ(up.code, 0) << up;

  const result same = retort({"verify"});
  EXPECT_EQ(same.code, 0) << same;

  exec(url(), "ALTER TABLE prices DROP CONSTRAINT ck_prices_price, ADD CONSTRAINT ck_prices_price CHECK (price > 0)");
  exec(url(), "ALTER TABLE prices ALTER COLUMN currency SET DEFAULT 'USD'");
  exec(url(), "ALTER POLICY prices_euro ON prices USING (currency = 'USD')");
  const result changed = retort({"verify"});
  EXPECT_EQ(changed.code, 3) << changed;
  EXPECT_TRUE(contains(changed.err, "in 4 ways:")) << changed;  // the check dropped and added, the default, the policy
  EXPECT_TRUE(contains(changed.err, "  - alter policy prices_euro on public.prices\n")) << changed;
  EXPECT_TRUE(contains(changed.err, "  - alter column public.prices.currency (default)\n")) << changed;
  EXPECT_TRUE(contains(changed.err, "CHECK (price >= 0)")) << changed;
}

// Replay cannot see into a hand-written sql step: what it creates is a difference, with a note
// saying why.
TEST_F(Cli, VerifyNotesSqlSteps) {
  fs::create_directories(migrations());
  std::ofstream(migrations() / "20260101000000_0123456789ab_by_sql.json")
      << R"json({"format": 1, "id": "0123456789ab", "parents": [], "message": "by sql", "created": "2026-01-01T00:00:00Z",
            "upgrade": [{"op": "sql", "up": "CREATE TABLE made_by_sql (id integer)", "down": "DROP TABLE made_by_sql"}],
            "downgrade": [{"op": "sql", "up": "DROP TABLE made_by_sql", "down": "CREATE TABLE made_by_sql (id integer)"}]})json"
      << "\n";
  ASSERT_EQ(retort({"rehash"}).code, 0);
  ASSERT_EQ(retort({"upgrade"}).code, 0);
  const result v = retort({"verify"});
  EXPECT_EQ(v.code, 3) << v;
  EXPECT_TRUE(contains(v.err, "  - create table public.made_by_sql\n")) << v;
  EXPECT_TRUE(contains(v.err, "note: 1 hand-written sql step up to this revision is opaque to the replay")) << v;
}

TEST_F(Cli, VerifyReportsARevisionPartWayAndCurrentSaysSo) {
  const revision_graph graph = write(testing::random_history(202, 3));
  ASSERT_EQ(retort({"upgrade", graph.order()[1]}).code, 0);
  const revision& last = graph.at(graph.order()[2]);
  // What an upgrade killed after the first transaction of a safe plan leaves behind.
  exec(url(), fmt::format("INSERT INTO retort.progress (revision, direction, unit, checksum) VALUES ('{}', "
                          "'upgrade', 0, '{}')",
                          last.id, last.checksum));

  const result v = retort({"verify"});
  EXPECT_EQ(v.code, 3) << v;
  EXPECT_TRUE(contains(v.err, fmt::format("revision {} is part way through its upgrade: 1 of its transactions "
                                          "committed and the rest did not run; finish it with `retort upgrade`",
                                          last.id)))
      << v;

  const result c = retort({"current"});
  EXPECT_EQ(c.code, 0) << c;
  EXPECT_TRUE(contains(c.out, fmt::format("Part way: revision {} is part way through its upgrade", last.id))) << c;
  const result cj = retort({"--format", "json", "current"});
  EXPECT_EQ(json::parse(cj.out)["in_progress"][0]["revision"], last.id) << cj;
}

// ---------------------------------------------------------------------------------------
// stamp

TEST_F(Cli, StampRefusesADatabaseWithoutTheTargetSchema) {
  const revision_graph graph = write(testing::random_history(203, 3));
  schema head = graph.schema_at(graph.heads());
  create_by_hand(url(), head);
  const auto& table = head.tables.front();
  exec(url(), fmt::format("ALTER TABLE {} DROP COLUMN {} CASCADE", pg::quote_ident(table.name),
                          pg::quote_ident(table.columns.back().name)));

  const result refused = retort({"stamp", "head"});
  EXPECT_EQ(refused.code, 3) << refused;
  EXPECT_TRUE(refused.err.starts_with("error: not stamped: the database does not have the schema of")) << refused;
  EXPECT_TRUE(contains(refused.err, fmt::format("  - drop column {}.{}.{}", table.name.schema, table.name.name,
                                                table.columns.back().name)))
      << refused;
  EXPECT_TRUE(contains(refused.err, "--no-verify")) << refused;
  EXPECT_EQ(current_of(url(), graph), revision_heads{});
  EXPECT_FALSE(contains(refused.out, "Stamped")) << refused;
  const result as_json = retort({"--format", "json", "stamp", "head"});
  EXPECT_EQ(as_json.code, 3) << as_json;
  EXPECT_EQ(json::parse(as_json.out)["stamped"], false) << as_json;
  EXPECT_EQ(current_of(url(), graph), revision_heads{});

  const result forced = retort({"stamp", "head", "--no-verify"});
  EXPECT_EQ(forced.code, 0) << forced;
  EXPECT_EQ(current_of(url(), graph), graph.heads());
  EXPECT_EQ(retort({"verify"}).code, 3);  // and verify still sees the missing column
}

TEST_F(Cli, CurrentSaysWhenTablesHaveNoRevisionRecorded) {
  const revision_graph graph = write(testing::random_history(204, 3));
  const schema head = graph.schema_at(graph.heads());
  create_by_hand(url(), head);

  const result c = retort({"current"});
  EXPECT_EQ(c.code, 0) << c;
  EXPECT_TRUE(contains(c.out, fmt::format("The database has {} table{} (", head.tables.size(),
                                          head.tables.size() == 1 ? "" : "s")))
      << c;
  EXPECT_TRUE(contains(c.out, "but no revision recorded by Retort")) << c;
  EXPECT_TRUE(contains(c.out, "`retort stamp REV` adopts it after checking")) << c;
  EXPECT_FALSE(contains(c.out, "to apply to reach head")) << c;
  const result cj = retort({"--format", "json", "current"});
  EXPECT_EQ(json::parse(cj.out)["untracked_tables"].size(), head.tables.size()) << cj;

  const result stamped = retort({"stamp", "head"});  // the schema matches: adopted
  EXPECT_EQ(stamped.code, 0) << stamped;
  const result after = retort({"current"});
  EXPECT_TRUE(contains(after.out, "The database is at head.")) << after;
}

// ---------------------------------------------------------------------------------------
// reset

TEST_F(Cli, ResetElsewhereNeedsYesAndFirstSaysWhatItDestroys) {
  const revision_graph graph = write(testing::random_history(205, 3));
  ASSERT_EQ(retort({"upgrade"}).code, 0);
  const std::string table = first_table(graph);
  const std::string name = graph.schema_at(graph.heads()).tables.front().name.name;
  const std::string audit = rows_of(url(), "SELECT id, revision, direction FROM retort.history ORDER BY id");
  const std::string schema_before = test::describe(test::live(url()));

  const result refused = retort({"reset"});
  EXPECT_EQ(refused.code, 2) << refused;
  EXPECT_TRUE(contains(refused.err, "Reset undoes 3 revisions, newest first:\n")) << refused;
  for (const auto& id : graph.order()) EXPECT_TRUE(contains(refused.err, id)) << refused;
  EXPECT_TRUE(contains(refused.err, "with every row in")) << refused;
  EXPECT_TRUE(contains(refused.err, name)) << refused;
  EXPECT_TRUE(contains(refused.err, "error: not reset: this is not the local dev database")) << refused;
  EXPECT_TRUE(contains(refused.err, "--yes")) << refused;
  // Nothing touched: same revision, same audit, same schema.
  EXPECT_EQ(current_of(url(), graph), graph.heads());
  EXPECT_EQ(rows_of(url(), "SELECT id, revision, direction FROM retort.history ORDER BY id"), audit);
  EXPECT_EQ(test::describe(test::live(url())), schema_before);

  const result json_refused = retort({"--format", "json", "reset"});
  EXPECT_EQ(json_refused.code, 2) << json_refused;
  EXPECT_EQ(json::parse(json_refused.out)["error"]["revisions"].size(), 3u) << json_refused;

  const result reset = retort({"reset", "--yes"});
  EXPECT_EQ(reset.code, 0) << reset;
  EXPECT_TRUE(contains(reset.out, "Reset: undid 3 revisions and applied 3; the database is now at")) << reset;
  EXPECT_EQ(current_of(url(), graph), graph.heads());
  EXPECT_EQ(test::describe(test::live(url())), schema_before);
  EXPECT_EQ(rows_of(url(), "SELECT direction, count(*) FROM retort.history GROUP BY direction ORDER BY direction"),
            "downgrade | 3 | \nupgrade | 6 | \n");
}

// ---------------------------------------------------------------------------------------
// The dev database: the one configuring the project recorded, found by hand; reset without --yes;
// `devdb reset` starts over.

TEST_F(Cli, DevDatabaseRecordedByConfigureIsFoundResetAndRecreated) {
  const fs::path dir = scratch() / "build" / "retort-devdb";
  const test::stopped_at_exit stop_it(dir);
  const revision_graph graph = write(testing::random_history(206, 2));
  // What retort_add_schema writes at configure time, at the project root (here: the scratch
  // directory, where the children run).
  fs::create_directories(scratch() / ".retort");
  std::ofstream(scratch() / ".retort" / "devdb-dir") << dir.string() << "\n";

  const result up = retort({"upgrade"}, std::nullopt);
  ASSERT_EQ(up.code, 0) << up;
  EXPECT_TRUE(contains(up.err, fmt::format("retort: created and started the local dev database in {} "
                                           "(.retort/devdb-dir, written by CMake's configure)\n",
                                           dir.string())))
      << up;
  EXPECT_TRUE(fs::exists(dir / "data" / "PG_VERSION"));
  EXPECT_FALSE(fs::exists(scratch() / ".retort" / "devdb")) << "a second cluster was made";

  const result now = retort({"current"}, std::nullopt);  // the same, running cluster: nothing said
  EXPECT_EQ(now.code, 0) << now;
  EXPECT_EQ(now.err, "") << now;
  EXPECT_TRUE(contains(now.out, "The database is at head.")) << now;
  const result status = retort({"devdb", "status"}, std::nullopt);
  EXPECT_EQ(status.out, fmt::format("running ({}; .retort/devdb-dir, written by CMake's configure)\n", dir.string()))
      << status;

  const result reset = retort({"reset"}, std::nullopt);  // the dev database: no --yes needed
  EXPECT_EQ(reset.code, 0) << reset;
  EXPECT_TRUE(contains(reset.out, "Reset: undid 2 revisions and applied 2")) << reset;

  const std::string dev_url = local_cluster(dir).url("retort_dev");
  exec(dev_url, "CREATE TABLE public.scribble (id integer)");
  const result recreated = retort({"devdb", "reset"}, std::nullopt);
  EXPECT_EQ(recreated.code, 0) << recreated;
  EXPECT_TRUE(contains(recreated.out, "was dropped and created again, empty")) << recreated;
  EXPECT_TRUE(test::live(dev_url).tables.empty());
  const result after = retort({"current"}, std::nullopt);
  EXPECT_TRUE(contains(after.out, "base (no revision applied)\n2 revision(s) to apply to reach head.")) << after;

  // Stopped, the cluster is started again where the record says, and the CLI says so.
  local_cluster(dir).stop();
  const result restarted = retort({"current"}, std::nullopt);
  EXPECT_EQ(restarted.code, 0) << restarted;
  EXPECT_TRUE(contains(restarted.err, fmt::format("retort: started the local dev database in {}", dir.string())))
      << restarted;
}

}  // namespace
}  // namespace retort
