// The table of operation cases shared by the renderer test and the PostgreSQL round trip.
#include "operation_cases.hpp"

#include "retort/snapshot.hpp"
#include "sql_object_samples.hpp"

namespace retort::testing {

using namespace ops;

namespace {

schema base() {
  return read_snapshot(R"json({
    "format": 1,
    "schemas": ["billing"],
    "enums": [{"schema": "public", "name": "mood", "values": ["happy", "sad"]}],
    "tables": [
      {"schema": "public", "name": "users",
       "columns": [
         {"name": "id", "type": "bigint", "identity": "by_default"},
         {"name": "email", "type": "varchar(255)"},
         {"name": "status", "enum": {"schema": "public", "name": "mood"}, "default": "'happy'::mood"},
         {"name": "bio", "type": "text", "nullable": true}
       ],
       "primary_key": {"columns": ["id"]},
       "unique": [{"columns": ["email"]}]},
      {"schema": "public", "name": "posts",
       "columns": [{"name": "id", "type": "bigint"}, {"name": "user_id", "type": "bigint"}],
       "primary_key": {"columns": ["id"]},
       "indexes": [{"columns": ["user_id"]}],
       "foreign_keys": [{"columns": ["user_id"], "references": {"table": "users", "columns": ["id"]}}]}
    ]})json",
                       "base.json");
}

}  // namespace

// An index using every key and option: an expression, an opclass, an order, INCLUDE, NULLS NOT
// DISTINCT and a storage parameter.
index keyed_index() {
  index i;
  i.name = "ix_r";
  index_key bio{"bio"};
  bio.opclass = "text_pattern_ops";
  bio.descending = true;
  bio.nulls_first = false;
  i.columns = {index_key::of_expression("lower(email::text)"), bio};
  i.unique = true;
  i.include = {"status"};
  i.nulls_not_distinct = true;
  i.with = {"fillfactor=70"};
  return i;
}

// A GIN index with an operator class other than the type's default.
index gin_index() {
  index i;
  i.name = "ix_g";
  index_key doc{"doc"};
  doc.opclass = "jsonb_path_ops";
  i.columns = {doc};
  i.method = "gin";
  return i;
}

const schema& operation_base_schema() {
  static const schema s = base();
  return s;
}

namespace {
const table& users() { return *find_table(operation_base_schema(), {"public", "users"}); }
const column& users_column(std::string_view name) { return *find_column(users(), name); }
const qualified_name users_name{"public", "users"};

column col(std::string name, std::string type, bool nullable = false) {
  return column{std::move(name), *parse_type(type), nullable, {}, identity_kind::none, {}, {}, {}, {}};
}

// A view of users, over its own schema's table named unqualified.
view active_users() {
  view v;
  v.name = {"public", "active_users"};
  v.columns = {{"id", *parse_type("bigint")}, {"email", *parse_type("varchar(255)")}};
  v.query = "SELECT id, email FROM users WHERE bio IS NOT NULL";
  v.reads = {users_name};
  return v;
}

// A materialized view in another schema than the table it reads, with a unique index.
view user_ids() {
  view v;
  v.name = {"billing", "user_ids"};
  v.columns = {{"id", *parse_type("bigint")}};
  v.query = "SELECT id FROM public.users";
  v.reads = {users_name};
  v.materialized = true;
  index i;
  i.name = "ix_user_ids_id";
  i.columns = {"id"};
  i.unique = true;
  v.indexes = {i};
  return v;
}

// The statements around a view's creation that pin search_path to its schema.
std::vector<std::string> pinned(std::string schema, std::string create) {
  return {"SELECT pg_catalog.set_config('retort.search_path', pg_catalog.current_setting('search_path'), true)",
          "SET LOCAL search_path TO \"" + schema + "\"", std::move(create),
          "SELECT pg_catalog.set_config('search_path', pg_catalog.current_setting('retort.search_path'), true)"};
}

// The base schema changed by `edit`.
template <class F>
schema with(F&& edit) {
  schema s = operation_base_schema();
  edit(s);
  return s;
}

}  // namespace

std::vector<operation_case> operation_cases() {
  column bio_varchar = users_column("bio");
  bio_varchar.type = *parse_builtin_type("varchar(100)");
  bio_varchar.nullable = false;
  bio_varchar.server_default = "''::character varying";
  column id_plain = users_column("id");
  id_plain.identity = identity_kind::none;
  column id_always = users_column("id");
  id_always.identity = identity_kind::always;
  view active_users_with_bio = active_users();
  active_users_with_bio.columns.push_back({"bio", *parse_type("text")});
  active_users_with_bio.query = "SELECT id, email, bio FROM users WHERE email IS NOT NULL";
  std::vector<std::string> materialized_sql =
      pinned("billing", R"(CREATE MATERIALIZED VIEW "billing"."user_ids" ("id") AS SELECT id FROM public.users WITH DATA)");
  materialized_sql.push_back(R"(CREATE UNIQUE INDEX "ix_user_ids_id" ON "billing"."user_ids" USING "btree" ("id"))");
  column status_text = users_column("status");
  status_text.type = *parse_builtin_type("text");
  status_text.server_default = "'happy'::text";
  column commented = users_column("bio");
  commented.comment = "about 'me'";
  column about = commented;
  about.name = "about";

  table tags{{"billing", "tags"}, {col("id", "integer"), col("label", "text", true)}, primary_key{"pk_tags", {"id"}},
             {unique_constraint{"uq_tags_label", {"label"}}}, {index{"ix_tags_label", {"label"}, false, "(label IS NOT NULL)", "btree"}},
             {}, {check_constraint{"ck_tags_id", "(id > 0)"}}, "tag's table", {}};
  tags.columns[1].comment = "shown";

  auto no_foreign_keys = [](schema& s) { find_table(s, {"public", "posts"})->foreign_keys.clear(); };

  const extension citext{"citext", "public", std::nullopt};
  auto with_citext = [&](std::optional<std::string> version = std::nullopt) {
    return with([&](schema& s) { s.extensions.push_back({"citext", "public", std::move(version)}); });
  };
  column nickname = col("nickname", "citext", true);
  column email_lower = col("email_lower", "text", true);
  email_lower.generated = "lower((email)::text)";
  column seq = col("seq", "bigserial");
  column bio_c = users_column("bio");
  bio_c.collation = "C";
  table open_types{{"public", "ranges"},
                   {col("id", "serial"), col("seats", "int4range"), col("search", "tsvector", true),
                    col("at", "timestamptz(3)"), col("names", "citext[]", true), col("bits", "varbit(8)", true)},
                   primary_key{"pk_ranges", {"id"}}, {}, {}, {}, {}, std::nullopt, {}};

  // An exclusion constraint using every part: `=` on scalars (btree_gist's operator classes), an
  // expression, a predicate, INCLUDE and DEFERRABLE.
  auto with_btree_gist = [&](auto&& edit) {
    return with([&](schema& s) {
      s.extensions.push_back({"btree_gist", "public", std::nullopt});
      edit(s);
    });
  };
  exclusion_constraint no_overlap;
  no_overlap.name = "ex_users_id_lower_bio";
  no_overlap.elements = {{index_key{"id"}, "="}, {index_key::of_expression("lower(bio)"), "="}};
  no_overlap.include = {"email"};
  no_overlap.where = "(bio IS NOT NULL)";
  no_overlap.deferrable = deferral::initially_deferred;
  // Policies name predefined roles (pg_monitor, pg_read_all_stats), which every cluster has.
  const policy readers{"users_readers", policy_command::select, false, {"pg_monitor", "pg_read_all_stats"},
                       "(bio IS NOT NULL)", std::nullopt};
  policy readers_changed = readers;
  readers_changed.roles = {"pg_monitor"};
  readers_changed.using_expression = "(id > 0)";
  const policy writers{"users_writers", policy_command::all, true, {}, "(id > 0)", "(bio IS NOT NULL)"};
  auto with_policies = [&](schema& s) {
    table& u = *find_table(s, users_name);
    u.rls = {true, false};
    u.policies = {readers, writers};
  };
  table rooms{{"public", "rooms"}, {col("id", "integer"), col("during", "tstzrange")}, primary_key{"pk_rooms", {"id"}},
              {}, {}, {}, {}, std::nullopt, {}};
  rooms.exclusions = {{"ex_rooms_during", {{index_key{"during"}, "&&"}}, "gist", {}, std::nullopt, deferral::not_deferrable}};
  rooms.rls = {true, true};
  rooms.policies = {{"rooms_all", policy_command::all, false, {}, "(id > 0)", std::nullopt}};

  sequence numbers;
  numbers.name = {"public", "numbers"};
  numbers.type = "integer";
  numbers.increment = 5;
  numbers.min_value = 10;
  numbers.max_value = 100000;
  numbers.start = 1000;
  numbers.cache = 20;
  numbers.cycle = true;
  numbers.owned_by = sequence_owner{"users", "bio"};
  sequence plain;
  plain.name = {"billing", "tickets"};
  auto with_plain = [&] { return with([&](schema& s) { s.sequences.push_back(plain); }); };
  sequence wider = plain;
  wider.increment = 3;
  wider.max_value = 5000;
  wider.cache = 10;
  wider.cycle = true;
  column ticket = col("ticket", "bigint", true);
  ticket.server_default = "nextval('billing.tickets'::regclass)";
  table events{{"public", "events"},
               {col("id", "bigint"), col("created_at", "timestamptz"), col("kind", "text")},
               primary_key{"pk_events", {"id", "created_at"}}, {}, {index{"ix_events_kind", {"kind"}}}, {}, {},
               std::nullopt, {}};
  events.partition = partition_key{partition_method::range, {"created_at"}};
  table by_region{{"public", "readings"}, {col("device", "integer"), col("region", "text")}, std::nullopt, {}, {}, {}, {},
                  std::nullopt, {}};
  by_region.partition = partition_key{partition_method::list, {"region"}};
  auto with_events = [&] {
    return with([&](schema& s) {
      s.tables.push_back(events);
      sort_canonically(s);
    });
  };
  index events_at{"ix_events_created_at", {"created_at"}};

  const sql_object touch = touch_function();
  const sql_object trigger = touch_trigger(users_name, touch.name);
  const schema with_touch = with([&](schema& s) { s.sql_objects.push_back(touch); });

  return {
      {"add_exclusion", add_exclusion{users_name, no_overlap},
       {R"(ALTER TABLE "public"."users" ADD CONSTRAINT "ex_users_id_lower_bio" EXCLUDE USING "gist" ("id" WITH =, (lower(bio)) WITH =) INCLUDE ("email") WHERE ((bio IS NOT NULL)) DEFERRABLE INITIALLY DEFERRED)"},
       with_btree_gist([](schema&) {})},
      {"drop_exclusion", drop_exclusion{users_name, no_overlap},
       {R"(ALTER TABLE "public"."users" DROP CONSTRAINT "ex_users_id_lower_bio")"},
       with_btree_gist([&](schema& s) { find_table(s, users_name)->exclusions = {no_overlap}; })},
      {"create_table_with_exclusion_and_policy", create_table{rooms},
       {"CREATE TABLE \"public\".\"rooms\" (\n  \"id\" integer NOT NULL,\n  \"during\" tstzrange NOT NULL,\n  CONSTRAINT "
        "\"pk_rooms\" PRIMARY KEY (\"id\"),\n  CONSTRAINT \"ex_rooms_during\" EXCLUDE USING \"gist\" (\"during\" WITH &&)\n)",
        R"(ALTER TABLE "public"."rooms" ENABLE ROW LEVEL SECURITY)",
        R"(ALTER TABLE "public"."rooms" FORCE ROW LEVEL SECURITY)",
        R"(CREATE POLICY "rooms_all" ON "public"."rooms" FOR ALL TO PUBLIC USING ((id > 0)))"}},
      {"enable_and_force_row_level_security", set_row_level_security{users_name, {}, {true, true}},
       {R"(ALTER TABLE "public"."users" ENABLE ROW LEVEL SECURITY)",
        R"(ALTER TABLE "public"."users" FORCE ROW LEVEL SECURITY)"}},
      {"create_policy", create_policy{users_name, readers},
       {R"(CREATE POLICY "users_readers" ON "public"."users" FOR SELECT TO "pg_monitor", "pg_read_all_stats" USING ((bio IS NOT NULL)))"}},
      {"create_restrictive_policy", create_policy{users_name, writers},
       {R"(CREATE POLICY "users_writers" ON "public"."users" AS RESTRICTIVE FOR ALL TO PUBLIC USING ((id > 0)) WITH CHECK ((bio IS NOT NULL)))"}},
      {"drop_policy", drop_policy{users_name, writers}, {R"(DROP POLICY "users_writers" ON "public"."users")"},
       with(with_policies)},
      {"alter_policy", alter_policy{users_name, readers, readers_changed},
       {R"(ALTER POLICY "users_readers" ON "public"."users" TO "pg_monitor" USING ((id > 0)))"}, with(with_policies)},
      {"create_sequence", create_sequence{numbers},
       {R"(CREATE SEQUENCE "public"."numbers" AS integer INCREMENT BY 5 MINVALUE 10 MAXVALUE 100000 START WITH 1000 CACHE 20 CYCLE OWNED BY "public"."users"."bio")"}},
      {"drop_sequence", drop_sequence{plain}, {R"(DROP SEQUENCE "billing"."tickets")"}, with_plain()},
      // Never RESTART: the sequence keeps its current value.
      {"alter_sequence", alter_sequence{plain, wider},
       {R"(ALTER SEQUENCE "billing"."tickets" INCREMENT BY 3 MAXVALUE 5000 CACHE 10 CYCLE)"}, with_plain()},
      {"add_column_calling_a_sequence", add_column{users_name, ticket},
       {R"(ALTER TABLE "public"."users" ADD COLUMN "ticket" bigint DEFAULT nextval('billing.tickets'::regclass))"},
       with_plain()},
      {"create_partitioned_table", create_table{events},
       {"CREATE TABLE \"public\".\"events\" (\n  \"id\" bigint NOT NULL,\n  \"created_at\" timestamptz NOT NULL,\n"
        "  \"kind\" text NOT NULL,\n  CONSTRAINT \"pk_events\" PRIMARY KEY (\"id\", \"created_at\")\n) PARTITION BY RANGE "
        "(\"created_at\")",
        R"(CREATE INDEX "ix_events_kind" ON "public"."events" USING "btree" ("kind"))"}},
      {"create_list_partitioned_table", create_table{by_region},
       {"CREATE TABLE \"public\".\"readings\" (\n  \"device\" integer NOT NULL,\n  \"region\" text NOT NULL\n) PARTITION BY "
        "LIST (\"region\")"}},
      // PostgreSQL builds no index CONCURRENTLY on a partitioned table.
      {"create_index_on_a_partitioned_table", create_index{{"public", "events"}, events_at},
       {R"(CREATE INDEX "ix_events_created_at" ON "public"."events" USING "btree" ("created_at"))"}, with_events()},
      {"create_extension", create_extension{citext}, {R"(CREATE EXTENSION "citext" SCHEMA "public")"}},
      {"drop_extension", drop_extension{citext}, {R"(DROP EXTENSION "citext")"}, with_citext()},
      // A schema move, which its inverse undoes; a version update's inverse needs the extension
      // to ship a downgrade script, which citext does not (the golden case extension_lifecycle
      // shows the UPDATE statements).
      {"alter_extension_schema", alter_extension{citext, {"citext", "billing", std::nullopt}},
       {R"(ALTER EXTENSION "citext" SET SCHEMA "billing")"}, with_citext()},
      {"add_column_of_an_extension_type", add_column{users_name, nickname},
       {R"(ALTER TABLE "public"."users" ADD COLUMN "nickname" "public".citext)"}, with_citext()},
      {"add_generated_column", add_column{users_name, email_lower},
       {R"(ALTER TABLE "public"."users" ADD COLUMN "email_lower" text GENERATED ALWAYS AS (lower((email)::text)) STORED)"}},
      {"add_serial_column", add_column{{"public", "posts"}, seq},
       {R"(ALTER TABLE "public"."posts" ADD COLUMN "seq" bigserial NOT NULL)"}},
      {"set_collation", alter_column{users_name, users_column("bio"), bio_c, change_collation},
       {R"(ALTER TABLE "public"."users" ALTER COLUMN "bio" TYPE text COLLATE "C")"}},
      {"create_table_of_open_types", create_table{open_types},
       {"CREATE TABLE \"public\".\"ranges\" (\n  \"id\" serial NOT NULL,\n  \"seats\" int4range NOT NULL,\n  \"search\" "
        "tsvector,\n  \"at\" timestamp(3) with time zone NOT NULL,\n  \"names\" \"public\".citext[],\n  \"bits\" bit varying(8),\n  "
        "CONSTRAINT \"pk_ranges\" PRIMARY KEY (\"id\")\n)"},
       with_citext()},
      {"create_schema", create_schema{"audit"}, {R"(CREATE SCHEMA "audit")"}},
      {"drop_schema", drop_schema{"billing"}, {R"(DROP SCHEMA "billing")"}},
      {"create_enum", create_enum{{{"billing", "state"}, {"on", "it's off"}}},
       {R"(CREATE TYPE "billing"."state" AS ENUM ('on', 'it''s off'))"}},
      {"drop_enum", drop_enum{*find_enum(operation_base_schema(), {"public", "mood"})}, {R"(DROP TYPE "public"."mood")"},
       [] {
         schema s;
         s.enums = operation_base_schema().enums;
         return s;
       }()},
      {"add_enum_value_at_end", add_enum_value{{"public", "mood"}, "angry", std::nullopt},
       {R"(ALTER TYPE "public"."mood" ADD VALUE 'angry')"}},
      {"add_enum_value_before", add_enum_value{{"public", "mood"}, "calm", "sad"},
       {R"(ALTER TYPE "public"."mood" ADD VALUE 'calm' BEFORE 'sad')"}},
      // A label need not be a C++ identifier.
      {"rename_enum_value", rename_enum_value{{"public", "mood"}, "sad", "feeling blue"},
       {R"(ALTER TYPE "public"."mood" RENAME VALUE 'sad' TO 'feeling blue')"}},
      {"drop_enum_value",
       drop_enum_value{{"public", "mood"}, "sad", std::nullopt},
       {R"(ALTER TYPE "public"."mood" RENAME TO "mood_retort_old")",
        R"(CREATE TYPE "public"."mood" AS ENUM ('happy'))",
        R"(ALTER TABLE "public"."users" ALTER COLUMN "status" DROP DEFAULT)",
        R"(ALTER TABLE "public"."users" ALTER COLUMN "status" TYPE "public"."mood" USING "status"::text::"public"."mood")",
        R"(ALTER TABLE "public"."users" ALTER COLUMN "status" SET DEFAULT 'happy'::mood)",
        R"(DROP TYPE "public"."mood_retort_old")"}},
      // Predicates and checks that compare with the enum's values are rebuilt around the swap.
      {"drop_enum_value_under_a_predicate",
       drop_enum_value{{"public", "mood"}, "sad", std::nullopt},
       {R"(ALTER TYPE "public"."mood" RENAME TO "mood_retort_old")",
        R"(CREATE TYPE "public"."mood" AS ENUM ('happy'))",
        R"(DROP INDEX "public"."ix_users_happy")",
        R"(ALTER TABLE "public"."users" DROP CONSTRAINT "ck_users_status")",
        R"(ALTER TABLE "public"."users" ALTER COLUMN "status" DROP DEFAULT)",
        R"(ALTER TABLE "public"."users" ALTER COLUMN "status" TYPE "public"."mood" USING "status"::text::"public"."mood")",
        R"(ALTER TABLE "public"."users" ALTER COLUMN "status" SET DEFAULT 'happy'::mood)",
        R"(ALTER TABLE "public"."users" ADD CONSTRAINT "ck_users_status" CHECK ((status <> 'happy'::mood)))",
        R"(CREATE INDEX "ix_users_happy" ON "public"."users" USING "btree" ("id") WHERE (status = 'happy'::mood))",
        R"(DROP TYPE "public"."mood_retort_old")"},
       with([](schema& s) {
         table& u = *find_table(s, users_name);
         u.indexes.push_back({"ix_users_happy", {"id"}, false, "(status = 'happy'::mood)", "btree"});
         u.checks.push_back({"ck_users_status", "(status <> 'happy'::mood)"});
       })},
      {"create_table",
       create_table{tags},
       {"CREATE TABLE \"billing\".\"tags\" (\n"
        "  \"id\" integer NOT NULL,\n"
        "  \"label\" text,\n"
        "  CONSTRAINT \"pk_tags\" PRIMARY KEY (\"id\"),\n"
        "  CONSTRAINT \"uq_tags_label\" UNIQUE (\"label\"),\n"
        "  CONSTRAINT \"ck_tags_id\" CHECK ((id > 0))\n"
        ")",
        R"(CREATE INDEX "ix_tags_label" ON "billing"."tags" USING "btree" ("label") WHERE (label IS NOT NULL))",
        R"(COMMENT ON TABLE "billing"."tags" IS 'tag''s table')",
        R"(COMMENT ON COLUMN "billing"."tags"."label" IS 'shown')"}},
      {"drop_table", drop_table{*find_table(with(no_foreign_keys), {"public", "posts"})}, {R"(DROP TABLE "public"."posts")"},
       with(no_foreign_keys)},
      {"rename_table", rename_table{users_name, {"public", "accounts"}},
       {R"(ALTER TABLE "public"."users" RENAME TO "accounts")"}},
      {"move_table", rename_table{users_name, {"billing", "customers"}},
       {R"(ALTER TABLE "public"."users" SET SCHEMA "billing")",
        R"(ALTER TABLE "billing"."users" RENAME TO "customers")"}},
      {"set_table_comment", set_table_comment{users_name, std::nullopt, "people"},
       {R"(COMMENT ON TABLE "public"."users" IS 'people')"}},
      {"clear_table_comment", set_table_comment{users_name, "people", std::nullopt},
       {R"(COMMENT ON TABLE "public"."users" IS NULL)"},
       with([](schema& s) { find_table(s, users_name)->comment = "people"; })},
      {"add_column", add_column{users_name, about},
       {R"(ALTER TABLE "public"."users" ADD COLUMN "about" text)",
        R"(COMMENT ON COLUMN "public"."users"."about" IS 'about ''me''')"}},
      {"add_identity_column",
       add_column{{"public", "posts"}, column{"seq", *parse_builtin_type("integer"), false, {}, identity_kind::always, {}, {}, {}, {}}},
       {R"(ALTER TABLE "public"."posts" ADD COLUMN "seq" integer GENERATED ALWAYS AS IDENTITY NOT NULL)"}},
      {"drop_column", drop_column{users_name, users_column("bio")}, {R"(ALTER TABLE "public"."users" DROP COLUMN "bio")"}},
      {"rename_column", rename_column{users_name, "bio", "about"},
       {R"(ALTER TABLE "public"."users" RENAME COLUMN "bio" TO "about")"}},
      {"alter_type_nullability_default",
       alter_column{users_name, users_column("bio"), bio_varchar, change_type | change_nullable | change_default},
       {R"(ALTER TABLE "public"."users" ALTER COLUMN "bio" TYPE varchar(100) USING "bio"::varchar(100))",
        R"(ALTER TABLE "public"."users" ALTER COLUMN "bio" SET NOT NULL)",
        R"(ALTER TABLE "public"."users" ALTER COLUMN "bio" SET DEFAULT ''::character varying)"}},
      {"alter_enum_to_text", alter_column{users_name, users_column("status"), status_text, change_type | change_default},
       {R"(ALTER TABLE "public"."users" ALTER COLUMN "status" DROP DEFAULT)",
        R"(ALTER TABLE "public"."users" ALTER COLUMN "status" TYPE text USING "status"::text::text)",
        R"(ALTER TABLE "public"."users" ALTER COLUMN "status" SET DEFAULT 'happy'::text)"}},
      {"drop_identity", alter_column{users_name, users_column("id"), id_plain, change_identity},
       {R"(ALTER TABLE "public"."users" ALTER COLUMN "id" DROP IDENTITY)"}},
      {"add_identity", alter_column{users_name, id_plain, users_column("id"), change_identity},
       {R"(ALTER TABLE "public"."users" ALTER COLUMN "id" ADD GENERATED BY DEFAULT AS IDENTITY)"},
       with([&](schema& s) { *find_column(*find_table(s, users_name), "id") = id_plain; })},
      {"identity_always", alter_column{users_name, users_column("id"), id_always, change_identity},
       {R"(ALTER TABLE "public"."users" ALTER COLUMN "id" SET GENERATED ALWAYS)"}},
      {"alter_comment", alter_column{users_name, users_column("bio"), commented, change_comment},
       {R"(COMMENT ON COLUMN "public"."users"."bio" IS 'about ''me''')"}},
      {"backfill", backfill_column{users_name, "bio", "'none'", std::nullopt},
       {R"(UPDATE "public"."users" SET "bio" = 'none' WHERE "bio" IS NULL)"}},
      {"add_primary_key", add_primary_key{{"public", "posts"}, primary_key{"pk_p", {"id", "user_id"}}},
       {R"(ALTER TABLE "public"."posts" ADD CONSTRAINT "pk_p" PRIMARY KEY ("id", "user_id"))"},
       with([](schema& s) { find_table(s, {"public", "posts"})->pk.reset(); })},
      {"drop_primary_key", drop_primary_key{{"public", "posts"}, *find_table(operation_base_schema(), {"public", "posts"})->pk},
       {R"(ALTER TABLE "public"."posts" DROP CONSTRAINT "pk_posts")"}},
      {"add_unique", add_unique{users_name, unique_constraint{"uq_x", {"email", "bio"}}},
       {R"(ALTER TABLE "public"."users" ADD CONSTRAINT "uq_x" UNIQUE ("email", "bio"))"}},
      {"drop_unique", drop_unique{users_name, users().uniques.front()},
       {R"(ALTER TABLE "public"."users" DROP CONSTRAINT "uq_users_email")"}},
      {"add_check", add_check{users_name, check_constraint{"ck_users_id", "(id > 0)"}},
       {R"(ALTER TABLE "public"."users" ADD CONSTRAINT "ck_users_id" CHECK ((id > 0)))"}},
      {"drop_check", drop_check{users_name, check_constraint{"ck_users_id", "(id > 0)"}},
       {R"(ALTER TABLE "public"."users" DROP CONSTRAINT "ck_users_id")"},
       with([](schema& s) { find_table(s, users_name)->checks.push_back({"ck_users_id", "(id > 0)"}); })},
      {"create_unique_partial_index",
       create_index{users_name, index{"ix_u", {"email", "bio"}, true, "(bio IS NOT NULL)", "btree"}},
       {R"(CREATE UNIQUE INDEX "ix_u" ON "public"."users" USING "btree" ("email", "bio") WHERE (bio IS NOT NULL))"}},
      {"create_index_with_keys_and_options", create_index{users_name, keyed_index()},
       {R"(CREATE UNIQUE INDEX "ix_r" ON "public"."users" USING "btree" ((lower(email::text)), "bio" "text_pattern_ops" DESC NULLS LAST) INCLUDE ("status") NULLS NOT DISTINCT WITH ("fillfactor" = '70'))"}},
      {"create_gin_index_with_opclass", create_index{{"public", "posts"}, gin_index()},
       {R"(CREATE INDEX "ix_g" ON "public"."posts" USING "gin" ("doc" "jsonb_path_ops"))"},
       with([](schema& s) {
         find_table(s, {"public", "posts"})->columns.push_back({.name = "doc", .type = *parse_builtin_type("jsonb"), .nullable = true});
       })},
      {"add_deferrable_unique", add_unique{users_name, unique_constraint{"uq_d", {"bio"}, deferral::initially_deferred}},
       {R"(ALTER TABLE "public"."users" ADD CONSTRAINT "uq_d" UNIQUE ("bio") DEFERRABLE INITIALLY DEFERRED)"}},
      {"add_deferrable_foreign_key",
       add_foreign_key{{"public", "posts"}, foreign_key{"fk_d", {"user_id"}, users_name, {"id"}, fk_action::cascade,
                                                        fk_action::no_action, deferral::initially_immediate}},
       {R"(ALTER TABLE "public"."posts" ADD CONSTRAINT "fk_d" FOREIGN KEY ("user_id") REFERENCES "public"."users" ("id") ON DELETE CASCADE DEFERRABLE)"}},
      {"create_hash_index", create_index{users_name, index{"ix_h", {"email"}, false, std::nullopt, "hash"}},
       {R"(CREATE INDEX "ix_h" ON "public"."users" USING "hash" ("email"))"}},
      {"drop_index", drop_index{{"public", "posts"}, index{"ix_posts_user_id", {"user_id"}, false, {}, "btree"}},
       {R"(DROP INDEX "public"."ix_posts_user_id")"}},
      {"add_foreign_key",
       add_foreign_key{{"public", "posts"},
                       foreign_key{"fk_x", {"user_id"}, users_name, {"id"}, fk_action::cascade, fk_action::set_null}},
       {R"(ALTER TABLE "public"."posts" ADD CONSTRAINT "fk_x" FOREIGN KEY ("user_id") REFERENCES "public"."users" ("id") ON DELETE CASCADE ON UPDATE SET NULL)"}},
      {"drop_foreign_key", drop_foreign_key{{"public", "posts"}, find_table(operation_base_schema(), {"public", "posts"})->foreign_keys.front()},
       {R"(ALTER TABLE "public"."posts" DROP CONSTRAINT "fk_posts_user_id_users")"}},
      {"rename_index", rename_index{{"public", "posts"}, "ix_posts_user_id", "ix_posts_author"},
       {R"(ALTER INDEX "public"."ix_posts_user_id" RENAME TO "ix_posts_author")"}},
      {"rename_constraint", rename_constraint{users_name, "uq_users_email", "uq_email"},
       {R"(ALTER TABLE "public"."users" RENAME CONSTRAINT "uq_users_email" TO "uq_email")"}},
      {"sql", sql{"UPDATE users SET bio = 'x'", "UPDATE users SET bio = NULL"}, {"UPDATE users SET bio = 'x'"}},
      {"create_view", create_view{active_users()},
       pinned("public", R"(CREATE VIEW "public"."active_users" ("id", "email") AS SELECT id, email FROM users WHERE bio IS NOT NULL)")},
      {"drop_view", drop_view{active_users()}, {R"(DROP VIEW "public"."active_users")"},
       with([](schema& s) { s.views.push_back(active_users()); })},
      // New columns follow the old ones: CREATE OR REPLACE (its inverse is drop + create).
      {"replace_view_adding_a_column", replace_view{active_users(), active_users_with_bio},
       pinned("public", R"(CREATE OR REPLACE VIEW "public"."active_users" ("id", "email", "bio") AS SELECT id, email, bio FROM users WHERE email IS NOT NULL)"),
       with([](schema& s) { s.views.push_back(active_users()); })},
      {"create_materialized_view_with_index", create_view{user_ids()}, materialized_sql},
      {"drop_materialized_view", drop_view{user_ids()}, {R"(DROP MATERIALIZED VIEW "billing"."user_ids")"},
       with([](schema& s) { s.views.push_back(user_ids()); })},
      // The application's function runs in its place; a script that reaches it stops there.
      {"cpp", cpp{cpp::function::upgrade},
       {"DO $retort$BEGIN RAISE EXCEPTION 'this revision has a C++ data step (upgrade): only the application runs "
        "it, through retort::migrate_to_head'; END$retort$"}},
      // SQL objects: created from their normalized text, replaced in place, dropped by name.
      {"create_function", create_sql_object{touch}, {touch.definition}},
      {"create_procedure", create_sql_object{archive_procedure()}, {archive_procedure().definition}},
      {"create_trigger", create_sql_object{trigger}, {trigger.definition}, with_touch},
      {"replace_function", replace_sql_object{touch, touch_function("public", "touch", 1)},
       {"CREATE OR REPLACE FUNCTION \"public\".\"touch\"() RETURNS trigger LANGUAGE plpgsql AS $$BEGIN /* 1 */ RETURN "
        "NEW; END$$"},
       with_touch},
      {"drop_function", drop_sql_object{touch}, {R"(DROP FUNCTION "public"."touch"())"}, with_touch},
      {"drop_procedure", drop_sql_object{archive_procedure()}, {R"(DROP PROCEDURE "billing"."archive"(int))"},
       with([](schema& s) { s.sql_objects.push_back(archive_procedure()); })},
      {"drop_trigger", drop_sql_object{trigger}, {R"(DROP TRIGGER "trg_touch" ON "public"."users")"},
       with([&](schema& s) { s.sql_objects = {touch, trigger}; })},
  };
}

}  // namespace retort::testing
