// The PostgreSQL renderer: for every operation kind, the exact SQL it produces (a table of
// change in, SQL out), plus quoting: no identifier or literal can break out of its quotes.
#include <gtest/gtest.h>

#include "retort/errors.hpp"
#include "retort/pg/render.hpp"
#include "retort/pg/schema_mapping.hpp"
#include "operation_cases.hpp"
#include "sql_object_samples.hpp"
#include "retort/snapshot.hpp"

namespace retort {
namespace {

using namespace ops;
using testing::operation_base_schema;
using testing::operation_cases;
const qualified_name users_name{"public", "users"};

column col(std::string name, std::string type) {
  return column{std::move(name), *parse_builtin_type(type), false, {}, identity_kind::none, {}, {}, {}, {}};
}

TEST(RenderPostgres, EveryOperationRendersExactSql) {
  // The renderer must cover every alternative: a case per kind.
  std::set<std::string_view> kinds;
  for (const auto& c : operation_cases()) {
    SCOPED_TRACE(c.name);
    kinds.insert(name_of(c.op));
    std::vector<std::string> got;
    for (const auto& st : pg::render({c.op}, c.before, {pg::safety::plain})) {
      got.push_back(st.sql);
      EXPECT_EQ(st.mode, pg::run_mode::in_transaction);
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
  column c{"m", {}, true, {}, identity_kind::none, {}, {}, {}, {}};
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
  EXPECT_EQ(plan[0].mode, pg::run_mode::outside_transaction);
  EXPECT_EQ(plan[1].mode, pg::run_mode::in_transaction);
  // Not used later: it stays in the transaction.
  auto alone = pg::render({add_enum_value{{"public", "mood"}, "angry", std::nullopt}}, operation_base_schema());
  EXPECT_EQ(alone[0].mode, pg::run_mode::in_transaction);
}

// Safe plans: on a table that may hold rows, no statement holds a lock that blocks writers for
// longer than a catalog update. Each case: the operation, then (mode, SQL) of every statement.
TEST(RenderPostgres, SafePlansOnTablesWithRows) {
  using pg::run_mode;
  struct expected_statement {
    run_mode mode;
    std::string sql;
  };
  struct safe_case {
    std::string name;
    operation op;
    std::vector<expected_statement> statements;
  };
  const table& users = *find_table(operation_base_schema(), users_name);
  column bio = *find_column(users, "bio");
  column bio_required = bio;
  bio_required.nullable = false;
  const std::vector<safe_case> cases{
      {"index built concurrently",
       create_index{users_name, index{"ix_users_bio", {"bio"}, false, {}, "btree", {}, false, {}}},
       {{run_mode::outside_transaction,
         R"(CREATE INDEX CONCURRENTLY IF NOT EXISTS "ix_users_bio" ON "public"."users" USING "btree" ("bio"))"}}},
      {"index dropped concurrently",
       drop_index{{"public", "posts"}, find_table(operation_base_schema(), {"public", "posts"})->indexes.front()},
       {{run_mode::outside_transaction, R"(DROP INDEX CONCURRENTLY IF EXISTS "public"."ix_posts_user_id")"}}},
      {"check added NOT VALID, then validated",
       add_check{users_name, check_constraint{"ck_users_bio", "length(bio) < 100"}},
       {{run_mode::in_transaction,
         R"(ALTER TABLE "public"."users" ADD CONSTRAINT "ck_users_bio" CHECK (length(bio) < 100) NOT VALID)"},
        {run_mode::own_transaction, R"(ALTER TABLE "public"."users" VALIDATE CONSTRAINT "ck_users_bio")"}}},
      {"foreign key added NOT VALID, then validated",
       add_foreign_key{users_name, foreign_key{"fk_users_id_posts", {"id"}, {"public", "posts"}, {"id"},
                                               fk_action::cascade, fk_action::no_action}},
       {{run_mode::in_transaction,
         R"(ALTER TABLE "public"."users" ADD CONSTRAINT "fk_users_id_posts" FOREIGN KEY ("id") REFERENCES "public"."posts" ("id") ON DELETE CASCADE NOT VALID)"},
        {run_mode::own_transaction, R"(ALTER TABLE "public"."users" VALIDATE CONSTRAINT "fk_users_id_posts")"}}},
      {"SET NOT NULL through a validated check",
       alter_column{users_name, bio, bio_required, change_nullable},
       {{run_mode::in_transaction,
         R"(ALTER TABLE "public"."users" ADD CONSTRAINT "retort_not_null_bio" CHECK ("bio" IS NOT NULL) NOT VALID)"},
        {run_mode::own_transaction, R"(ALTER TABLE "public"."users" VALIDATE CONSTRAINT "retort_not_null_bio")"},
        {run_mode::in_transaction, R"(ALTER TABLE "public"."users" ALTER COLUMN "bio" SET NOT NULL)"},
        {run_mode::in_transaction, R"(ALTER TABLE "public"."users" DROP CONSTRAINT "retort_not_null_bio")"}}},
      {"unique constraint from an index built concurrently",
       add_unique{users_name, unique_constraint{"uq_users_bio", {"bio"}}},
       {{run_mode::outside_transaction,
         R"(CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS "uq_users_bio" ON "public"."users" USING "btree" ("bio"))"},
        {run_mode::in_transaction,
         R"(ALTER TABLE "public"."users" ADD CONSTRAINT "uq_users_bio" UNIQUE USING INDEX "uq_users_bio")"}}},
      {"backfill in a transaction of its own",
       backfill_column{users_name, "bio", "'none'", std::nullopt},
       {{run_mode::own_transaction, R"(UPDATE "public"."users" SET "bio" = 'none' WHERE "bio" IS NULL)"}}},
      {"backfill in batches",
       backfill_column{users_name, "bio", "'none'", 500},
       {{run_mode::outside_transaction,
         "DO $retort$\nDECLARE n bigint;\nBEGIN\n  LOOP\n"
         "    UPDATE \"public\".\"users\" SET \"bio\" = 'none' WHERE ctid = ANY (ARRAY(SELECT ctid FROM "
         "\"public\".\"users\" WHERE \"bio\" IS NULL LIMIT 500));\n"
         "    GET DIAGNOSTICS n = ROW_COUNT;\n    EXIT WHEN n = 0;\n    COMMIT;\n  END LOOP;\nEND\n$retort$"}}},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    const auto plan = pg::render({c.op}, operation_base_schema());
    ASSERT_EQ(plan.size(), c.statements.size());
    for (std::size_t i = 0; i < plan.size(); ++i) {
      EXPECT_EQ(plan[i].sql, c.statements[i].sql);
      EXPECT_EQ(plan[i].mode, c.statements[i].mode);
    }
  }
  // The concurrent builds name the index a rerun must rebuild when a kill left it INVALID.
  const auto index_plan = pg::render({cases[0].op}, operation_base_schema());
  EXPECT_EQ(index_plan[0].rebuild_invalid_index, (qualified_name{"public", "ix_users_bio"}));
}

TEST(RenderPostgres, TablesCreatedInTheSameRevisionKeepThePlainForm) {
  table fresh{{"public", "fresh"}, {col("id", "bigint"), col("note", "text")}, {}, {}, {}, {}, {}, {}, {}};
  const auto plan = pg::render({create_table{fresh}, create_index{{"public", "fresh"}, index{"ix_fresh_note", {"note"}, false, {}, "btree", {}, false, {}}},
                                add_check{{"public", "fresh"}, check_constraint{"ck_fresh", "id > 0"}}},
                               operation_base_schema());
  ASSERT_EQ(plan.size(), 3u);
  for (const auto& st : plan) EXPECT_EQ(st.mode, pg::run_mode::in_transaction) << st.sql;
  EXPECT_EQ(plan[1].sql, R"(CREATE INDEX "ix_fresh_note" ON "public"."fresh" USING "btree" ("note"))");
  EXPECT_EQ(plan[2].sql, R"(ALTER TABLE "public"."fresh" ADD CONSTRAINT "ck_fresh" CHECK (id > 0))");
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

// Schema-per-tenant: with the default schema mapped, every operation renders the same SQL with the
// tenant's schema wherever `public` was (tables, types, foreign key targets, indexes), under safe
// and plain plans, and other schemas stay: no statement leaves a name to search_path (a view's
// query resolves its unqualified names once, under a search_path pinned to the tenant's schema).
TEST(RenderPostgres, TenantMappingQualifiesEveryNameWithTheTenantSchema) {
  // An extension's type keeps its extension's schema: the extension is the database's.
  constexpr std::string_view extension_type = R"("public".citext)";
  const auto replaced = [&](std::string sql) {
    for (std::size_t at = 0; (at = sql.find(R"("public".)", at)) != std::string::npos;) {
      if (std::string_view(sql).substr(at).starts_with(extension_type)) {
        at += extension_type.size();
        continue;
      }
      sql.replace(at, 9, R"("tenant 7".)");
      at += 11;
    }
    // A view is created with search_path pinned to its (mapped) schema: its unqualified names are the tenant's.
    if (sql == R"(SET LOCAL search_path TO "public")") sql = R"(SET LOCAL search_path TO "tenant 7")";
    return sql;
  };
  for (const auto plans : {pg::safety::plain, pg::safety::safe}) {
    for (const auto& c : operation_cases()) {
      SCOPED_TRACE(c.name);
      // An extension belongs to the database: its schema is not a tenant's.
      if (std::holds_alternative<ops::create_extension>(c.op) || std::holds_alternative<ops::drop_extension>(c.op) ||
          std::holds_alternative<ops::alter_extension>(c.op))
        continue;
      const auto plain = pg::render({c.op}, c.before, {plans, {}});
      const auto mapped = pg::render({c.op}, c.before, {plans, {{"public", "tenant 7"}}});
      ASSERT_EQ(mapped.size(), plain.size());
      for (std::size_t i = 0; i < plain.size(); ++i) {
        EXPECT_EQ(mapped[i].sql, replaced(plain[i].sql));
        std::string names = mapped[i].sql;
        for (std::size_t at; (at = names.find(extension_type)) != std::string::npos;) names.erase(at, extension_type.size());
        EXPECT_EQ(names.find(R"("public")"), std::string::npos) << mapped[i].sql;
        EXPECT_EQ(mapped[i].mode, plain[i].mode);
        if (plain[i].rebuild_invalid_index) {
          ASSERT_TRUE(mapped[i].rebuild_invalid_index);
          EXPECT_EQ(mapped[i].rebuild_invalid_index->schema, "tenant 7");
        }
      }
    }
  }
  // Another schema of the history is kept.
  EXPECT_EQ(pg::render({create_schema{"billing"}}, schema{}, {pg::safety::safe, {{"public", "t"}}})[0].sql,
            R"(CREATE SCHEMA "billing")");
}

// Schema-per-tenant: the tenants of a database share its extensions. The first to need one creates
// it, after a lock that a concurrent tenant's creation waits on (IF NOT EXISTS alone races); no
// tenant drops one, since the others may use it.
TEST(RenderPostgres, SharedExtensionsAreCreatedIfMissingUnderALockAndNeverDropped) {
  const extension citext{"citext", "public", std::nullopt};
  schema with;
  with.extensions.push_back(citext);
  const pg::render_options tenant{pg::safety::safe, {{"public", "acme"}}, true};
  const auto up = pg::render({create_extension{citext}}, schema{}, tenant);
  ASSERT_EQ(up.size(), 2u);
  EXPECT_EQ(up[0].sql, "SELECT pg_catalog.pg_advisory_xact_lock(pg_catalog.hashtext('retort: create extension citext'))");
  EXPECT_EQ(up[1].sql, R"(CREATE EXTENSION IF NOT EXISTS "citext" SCHEMA "public")");
  EXPECT_EQ(up[0].mode, pg::run_mode::in_transaction);  // the lock lasts until the creation commits
  EXPECT_EQ(up[1].mode, pg::run_mode::in_transaction);
  EXPECT_TRUE(pg::render({drop_extension{citext}}, with, tenant).empty());
  // Not shared, the history's own: created and dropped.
  EXPECT_EQ(pg::render({create_extension{citext}}, schema{}, {})[0].sql, R"(CREATE EXTENSION "citext" SCHEMA "public")");
  EXPECT_EQ(pg::render({drop_extension{citext}}, with, {})[0].sql, R"(DROP EXTENSION "citext")");
}

// A column of an extension's type names it with the schema the history creates the extension in
// (never a tenant's: extensions belong to the database), so search_path is not relied on; a type
// of an extension Retort knows no types of stays as the history spells it.
TEST(RenderPostgres, AnExtensionsTypeIsQualifiedWithTheExtensionsSchema) {
  const schema before = read_snapshot(R"({"format": 1, "schemas": ["ext"],
      "extensions": [{"name": "citext", "schema": "ext"}, {"name": "my_extension", "schema": "public"}],
      "tables": [{"schema": "public", "name": "notes", "primary_key": {"columns": ["id"]},
                  "columns": [{"name": "id", "type": "bigint"}]}]})",
                                      "before.json");
  column nick;
  nick.name = "nick";
  nick.type = *parse_type("citext[]");
  nick.nullable = true;
  column other = nick;
  other.name = "other";
  other.type = *parse_type("my_type");
  const pg::render_options tenant{pg::safety::safe, {{"public", "acme"}}, true};
  const auto up = pg::render({add_column{{"public", "notes"}, nick}, add_column{{"public", "notes"}, other}}, before, tenant);
  ASSERT_EQ(up.size(), 2u);
  EXPECT_EQ(up[0].sql, R"(ALTER TABLE "acme"."notes" ADD COLUMN "nick" "ext".citext[])");
  EXPECT_EQ(up[1].sql, R"(ALTER TABLE "acme"."notes" ADD COLUMN "other" my_type)");
}

// Schema-per-tenant, a tenant created after the other tenants of its database renamed a shared
// table: its earlier foreign keys to that table name it, and its columns, as the database now has
// them (the renames in order, a table renamed twice, a column of it renamed between); a table a
// later revision dropped is refused, with the way out, instead of failing in the database.
TEST(RenderPostgres, ATenantsForeignKeyFollowsTheLaterChangesOfASharedTable) {
  const schema before = read_snapshot(R"({"format": 1, "schemas": ["ref"],
      "tables": [
        {"schema": "ref", "name": "kinds", "primary_key": {"columns": ["id"]}, "columns": [{"name": "id", "type": "bigint"}]},
        {"schema": "public", "name": "items", "primary_key": {"columns": ["id"]},
         "columns": [{"name": "id", "type": "bigint"}, {"name": "kind_id", "type": "bigint"}]}]})",
                                      "before.json");
  const foreign_key fk{"fk_items_kind_id_kinds", {"kind_id"}, {"ref", "kinds"}, {"id"}};
  pg::render_options tenant{pg::safety::plain, {{"public", "acme"}}, true};
  EXPECT_EQ(pg::render({add_foreign_key{{"public", "items"}, fk}}, before, tenant).at(0).sql,
            R"(ALTER TABLE "acme"."items" ADD CONSTRAINT "fk_items_kind_id_kinds" FOREIGN KEY ("kind_id") REFERENCES "ref"."kinds" ("id"))");

  tenant.later_shared_changes = {rename_table{{"ref", "kinds"}, {"ref", "sorts"}},
                                 rename_column{{"ref", "sorts"}, "id", "sort_id"},
                                 rename_column{{"ref", "kinds"}, "sort_id", "nothing"},  // another table by then
                                 rename_table{{"ref", "sorts"}, {"ref", "types"}}};
  EXPECT_EQ(pg::render({add_foreign_key{{"public", "items"}, fk}}, before, tenant).at(0).sql,
            R"(ALTER TABLE "acme"."items" ADD CONSTRAINT "fk_items_kind_id_kinds" FOREIGN KEY ("kind_id") REFERENCES "ref"."types" ("sort_id"))");

  tenant.later_shared_changes.push_back(drop_table{table{.name = {"ref", "types"}}});
  try {
    (void)pg::render({add_foreign_key{{"public", "items"}, fk}}, before, tenant);
    FAIL() << "a foreign key to a dropped table was rendered";
  } catch (const error& e) {
    EXPECT_NE(std::string(e.what()).find(R"(foreign key fk_items_kind_id_kinds references "ref"."kinds", which a later revision dropped)"),
              std::string::npos)
        << e.what();
    EXPECT_NE(std::string(e.what()).find("(`retort squash --to REV`)"), std::string::npos) << e.what();
  }
}

// The renderer's tenant mapping applied to a schema model (what `verify` compares a tenant with):
// the default schema's tables and types, and the names that point at them, move to the tenant's
// schema; another schema of the history, the columns and keys pointing into it, and extensions stay.
TEST(RenderPostgres, MapSchemasMovesTheDefaultSchemaToTheTenants) {
  const schema s = read_snapshot(R"({"format": 1, "schemas": ["ref"],
      "extensions": [{"name": "citext", "schema": "public"}],
      "enums": [{"schema": "ref", "name": "kind", "values": ["a"]}, {"schema": "public", "name": "state", "values": ["a"]}],
      "tables": [
        {"schema": "ref", "name": "kinds", "primary_key": {"columns": ["id"]}, "columns": [{"name": "id", "type": "bigint"}]},
        {"schema": "public", "name": "items", "primary_key": {"columns": ["id"]},
         "columns": [{"name": "id", "type": "bigint"}, {"name": "kind_id", "type": "bigint"},
                     {"name": "kind", "enum": {"schema": "ref", "name": "kind"}},
                     {"name": "state", "enum": {"schema": "public", "name": "state"}}],
         "foreign_keys": [{"columns": ["kind_id"], "references": {"schema": "ref", "table": "kinds", "columns": ["id"]}}]},
        {"schema": "public", "name": "orders", "primary_key": {"columns": ["id"]},
         "columns": [{"name": "id", "type": "bigint"}, {"name": "item_id", "type": "bigint"}],
         "foreign_keys": [{"columns": ["item_id"], "references": {"table": "items", "columns": ["id"]}}]}]})",
                                 "tenant.json");
  const schema m = pg::map_schemas(s, {{"public", "acme"}});
  EXPECT_EQ(m.schemas, (std::vector<std::string>{"acme", "ref"}));
  EXPECT_EQ(m.extensions, s.extensions);
  ASSERT_NE(find_enum(m, {"acme", "state"}), nullptr);
  ASSERT_NE(find_enum(m, {"ref", "kind"}), nullptr);
  ASSERT_NE(find_table(m, {"ref", "kinds"}), nullptr);
  const table* items = find_table(m, {"acme", "items"});
  ASSERT_NE(items, nullptr);
  EXPECT_EQ(find_column(*items, "kind")->type.enum_name, (qualified_name{"ref", "kind"}));
  EXPECT_EQ(find_column(*items, "state")->type.enum_name, (qualified_name{"acme", "state"}));
  EXPECT_EQ(items->foreign_keys.at(0).ref_table, (qualified_name{"ref", "kinds"}));
  EXPECT_EQ(find_table(m, {"acme", "orders"})->foreign_keys.at(0).ref_table, (qualified_name{"acme", "items"}));
  EXPECT_EQ(find_table(m, {"public", "items"}), nullptr);
  EXPECT_EQ(pg::map_schemas(s, {}), s);  // no mapping: the schema itself
}

// The same for the objects a tenant's run creates from their definitions: a function and the
// trigger executing it (their names in the definition, as the renderer writes them), a sequence.
TEST(RenderPostgres, MapSchemasMovesSqlObjectsAndSequencesToTheTenants) {
  schema s;
  s.sql_objects = {testing::touch_function(), testing::touch_trigger({"public", "items"}, {"public", "touch"})};
  s.sequences.emplace_back().name = {"public", "numbers"};
  const pg::schema_map tenant{{"public", "acme"}};
  const schema m = pg::map_schemas(s, tenant);
  ASSERT_EQ(m.sql_objects.size(), 2u);
  for (std::size_t i = 0; i < 2; ++i) {
    SCOPED_TRACE(to_string(s.sql_objects[i]));
    EXPECT_EQ(m.sql_objects[i].name.schema, "acme");
    EXPECT_EQ(m.sql_objects[i].definition.find("\"public\""), std::string::npos) << m.sql_objects[i].definition;
    EXPECT_EQ(m.sql_objects[i].header.find("\"public\""), std::string::npos) << m.sql_objects[i].header;
  }
  EXPECT_EQ(m.sql_objects[1].table, (qualified_name{"acme", "items"}));
  EXPECT_EQ(m.sql_objects[1].function, (qualified_name{"acme", "touch"}));
  EXPECT_EQ(m.sequences.at(0).name, (qualified_name{"acme", "numbers"}));
}

}  // namespace
}  // namespace retort
