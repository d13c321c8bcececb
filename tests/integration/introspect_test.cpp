// The introspector against a real PostgreSQL: hand-written DDL in, the exact schema model out,
// one fresh database per case.
#include "retort/pg/introspect.hpp"

#include <gtest/gtest.h>

#include <ostream>
#include <pqxx/pqxx>
#include <string>
#include <string_view>
#include <vector>

#include "pg_fixture.hpp"
#include "retort/errors.hpp"
#include "schema_text.hpp"

namespace retort {
namespace {

using pg::introspect;
using pg::introspect_options;
using test::describe;
using test::fresh_database_url;

struct introspect_case {
  std::string name;  ///< test name suffix
  std::string ddl;
  schema expected;
  introspect_options options = {};
};

// Names the case in GoogleTest's messages instead of dumping its bytes.
void PrintTo(const introspect_case& c, std::ostream* os) { *os << c.name; }

void execute(pqxx::connection& conn, const std::string& sql) {
  pqxx::nontransaction tx{conn};
  tx.exec(sql);
}

column_type builtin(type_kind kind) { return column_type{.kind = kind}; }

// An index key on `column` with some attributes set.
index_key key(std::string column, std::optional<std::string> opclass, bool descending = false,
              std::optional<bool> nulls_first = std::nullopt) {
  index_key k{std::move(column)};
  k.opclass = std::move(opclass);
  k.descending = descending;
  k.nulls_first = nulls_first;
  return k;
}

std::vector<introspect_case> cases() {
  return {
      {.name = "empty_database", .ddl = "", .expected = {}},

      {.name = "builtin_types",
       .ddl = R"(
CREATE TABLE all_types (
  c_boolean boolean NOT NULL,
  c_smallint smallint NOT NULL,
  c_integer integer NOT NULL,
  c_bigint bigint NOT NULL,
  c_real real NOT NULL,
  c_double double precision NOT NULL,
  c_numeric numeric NOT NULL,
  c_numeric_10_2 numeric(10, 2) NOT NULL,
  c_numeric_12 numeric(12),
  c_text text,
  c_varchar varchar,
  c_varchar_255 varchar(255),
  c_char char,
  c_char_3 character(3),
  c_timestamptz timestamptz,
  c_timestamp timestamp,
  c_date date,
  c_time time,
  c_interval interval,
  c_bytea bytea,
  c_uuid uuid,
  c_json json,
  c_jsonb jsonb,
  c_inet inet,
  c_cidr cidr,
  c_macaddr macaddr,
  c_int_array integer[] NOT NULL,
  c_text_array text[],
  c_varchar_array varchar(20)[],
  c_numeric_array numeric(8, 3)[]
))",
       .expected = {.tables = {table{
                        .name = {"public", "all_types"},
                        .columns =
                            {
                                {.name = "c_boolean", .type = builtin(type_kind::boolean)},
                                {.name = "c_smallint", .type = builtin(type_kind::smallint)},
                                {.name = "c_integer", .type = builtin(type_kind::integer)},
                                {.name = "c_bigint", .type = builtin(type_kind::bigint)},
                                {.name = "c_real", .type = builtin(type_kind::real)},
                                {.name = "c_double", .type = builtin(type_kind::double_precision)},
                                {.name = "c_numeric", .type = builtin(type_kind::numeric)},
                                {.name = "c_numeric_10_2",
                                 .type = {.kind = type_kind::numeric, .precision = 10, .scale = 2}},
                                {.name = "c_numeric_12",
                                 .type = {.kind = type_kind::numeric, .precision = 12, .scale = 0},
                                 .nullable = true},
                                {.name = "c_text", .type = builtin(type_kind::text), .nullable = true},
                                {.name = "c_varchar", .type = builtin(type_kind::varchar), .nullable = true},
                                {.name = "c_varchar_255",
                                 .type = {.kind = type_kind::varchar, .length = 255},
                                 .nullable = true},
                                {.name = "c_char", .type = {.kind = type_kind::character, .length = 1}, .nullable = true},
                                {.name = "c_char_3",
                                 .type = {.kind = type_kind::character, .length = 3},
                                 .nullable = true},
                                {.name = "c_timestamptz", .type = builtin(type_kind::timestamptz), .nullable = true},
                                {.name = "c_timestamp", .type = builtin(type_kind::timestamp), .nullable = true},
                                {.name = "c_date", .type = builtin(type_kind::date), .nullable = true},
                                {.name = "c_time", .type = builtin(type_kind::time), .nullable = true},
                                {.name = "c_interval", .type = builtin(type_kind::interval), .nullable = true},
                                {.name = "c_bytea", .type = builtin(type_kind::bytea), .nullable = true},
                                {.name = "c_uuid", .type = builtin(type_kind::uuid), .nullable = true},
                                {.name = "c_json", .type = builtin(type_kind::json), .nullable = true},
                                {.name = "c_jsonb", .type = builtin(type_kind::jsonb), .nullable = true},
                                {.name = "c_inet", .type = builtin(type_kind::inet), .nullable = true},
                                {.name = "c_cidr", .type = builtin(type_kind::cidr), .nullable = true},
                                {.name = "c_macaddr", .type = builtin(type_kind::macaddr), .nullable = true},
                                {.name = "c_int_array", .type = {.kind = type_kind::integer, .array = true}},
                                {.name = "c_text_array",
                                 .type = {.kind = type_kind::text, .array = true},
                                 .nullable = true},
                                {.name = "c_varchar_array",
                                 .type = {.kind = type_kind::varchar, .length = 20, .array = true},
                                 .nullable = true},
                                {.name = "c_numeric_array",
                                 .type = {.kind = type_kind::numeric, .precision = 8, .scale = 3, .array = true},
                                 .nullable = true},
                            },
                    }}}},

      {.name = "defaults_and_identity",
       .ddl = R"(
CREATE TABLE counters (
  id bigint GENERATED ALWAYS AS IDENTITY,
  seq integer GENERATED BY DEFAULT AS IDENTITY,
  created_at timestamptz NOT NULL DEFAULT now(),
  status text NOT NULL DEFAULT 'new',
  hits integer DEFAULT 0,
  ratio numeric(5, 2) DEFAULT 1.5
))",
       .expected = {.tables = {table{
                        .name = {"public", "counters"},
                        .columns =
                            {
                                {.name = "id", .type = builtin(type_kind::bigint), .identity = identity_kind::always},
                                {.name = "seq",
                                 .type = builtin(type_kind::integer),
                                 .identity = identity_kind::by_default},
                                {.name = "created_at", .type = builtin(type_kind::timestamptz), .server_default = "now()"},
                                {.name = "status", .type = builtin(type_kind::text), .server_default = "'new'::text"},
                                {.name = "hits", .type = builtin(type_kind::integer), .nullable = true, .server_default = "0"},
                                {.name = "ratio",
                                 .type = {.kind = type_kind::numeric, .precision = 5, .scale = 2},
                                 .nullable = true,
                                 .server_default = "1.5"},
                            },
                    }}}},

      {.name = "comments",
       .ddl = R"(
CREATE TABLE notes (id integer NOT NULL, body text);
COMMENT ON TABLE notes IS 'Free-form notes';
COMMENT ON COLUMN notes.body IS 'It''s markdown')",
       .expected = {.tables = {table{
                        .name = {"public", "notes"},
                        .columns =
                            {
                                {.name = "id", .type = builtin(type_kind::integer)},
                                {.name = "body", .type = builtin(type_kind::text), .nullable = true, .comment = "It's markdown"},
                            },
                        .comment = "Free-form notes",
                    }}}},

      {.name = "primary_key_and_uniques",
       .ddl = R"(
CREATE TABLE order_items (
  order_id bigint NOT NULL,
  product_id bigint NOT NULL,
  sku text NOT NULL,
  position integer NOT NULL,
  CONSTRAINT pk_order_items PRIMARY KEY (product_id, order_id),
  CONSTRAINT uq_order_items_sku UNIQUE (sku),
  CONSTRAINT uq_order_items_position_order_id UNIQUE (position, order_id)
))",
       .expected = {.tables = {table{
                        .name = {"public", "order_items"},
                        .columns =
                            {
                                {.name = "order_id", .type = builtin(type_kind::bigint)},
                                {.name = "product_id", .type = builtin(type_kind::bigint)},
                                {.name = "sku", .type = builtin(type_kind::text)},
                                {.name = "position", .type = builtin(type_kind::integer)},
                            },
                        .pk = primary_key{"pk_order_items", {"product_id", "order_id"}},
                        .uniques =
                            {
                                {"uq_order_items_position_order_id", {"position", "order_id"}},
                                {"uq_order_items_sku", {"sku"}},
                            },
                    }}}},

      {.name = "indexes",
       .ddl = R"(
CREATE TABLE events (
  id bigint NOT NULL,
  tenant text NOT NULL,
  kind text NOT NULL,
  payload jsonb,
  deleted_at timestamptz
);
CREATE UNIQUE INDEX ux_events_tenant_kind ON events USING btree (tenant, kind) WHERE deleted_at IS NULL;
CREATE INDEX ix_events_payload ON events USING gin (payload);
CREATE INDEX ix_events_kind ON events USING hash (kind);
CREATE INDEX ix_events_tenant_id ON events (tenant, id))",
       .expected = {.tables = {table{
                        .name = {"public", "events"},
                        .columns =
                            {
                                {.name = "id", .type = builtin(type_kind::bigint)},
                                {.name = "tenant", .type = builtin(type_kind::text)},
                                {.name = "kind", .type = builtin(type_kind::text)},
                                {.name = "payload", .type = builtin(type_kind::jsonb), .nullable = true},
                                {.name = "deleted_at", .type = builtin(type_kind::timestamptz), .nullable = true},
                            },
                        .indexes =
                            {
                                {.name = "ix_events_kind", .columns = {"kind"}, .method = "hash"},
                                {.name = "ix_events_payload", .columns = {"payload"}, .method = "gin"},
                                {.name = "ix_events_tenant_id", .columns = {"tenant", "id"}},
                                {.name = "ux_events_tenant_kind",
                                 .columns = {"tenant", "kind"},
                                 .unique = true,
                                 .where = "(deleted_at IS NULL)"},
                            },
                    }}}},

      // A foreign key may reference a plain unique index (that index stays an index), and
      // may list the referenced columns in another order than their unique constraint.
      {.name = "foreign_keys",
       .ddl = R"(
CREATE TABLE customers (
  id bigint PRIMARY KEY,
  region text NOT NULL,
  code text NOT NULL,
  CONSTRAINT uq_customers_region_code UNIQUE (region, code)
);
CREATE UNIQUE INDEX ux_customers_code ON customers (code);
CREATE TABLE orders (
  id bigint PRIMARY KEY,
  customer_id bigint,
  customer_code text,
  customer_region text,
  CONSTRAINT fk_orders_customer_id FOREIGN KEY (customer_id) REFERENCES customers (id)
    ON DELETE CASCADE ON UPDATE SET NULL,
  CONSTRAINT fk_orders_customer_code FOREIGN KEY (customer_code) REFERENCES customers (code)
    ON DELETE RESTRICT ON UPDATE SET DEFAULT,
  CONSTRAINT fk_orders_customer_code_region FOREIGN KEY (customer_code, customer_region)
    REFERENCES customers (code, region)
))",
       .expected = {.tables =
                        {
                            table{
                                .name = {"public", "customers"},
                                .columns =
                                    {
                                        {.name = "id", .type = builtin(type_kind::bigint)},
                                        {.name = "region", .type = builtin(type_kind::text)},
                                        {.name = "code", .type = builtin(type_kind::text)},
                                    },
                                .pk = primary_key{"customers_pkey", {"id"}},
                                .uniques = {{"uq_customers_region_code", {"region", "code"}}},
                                .indexes = {{.name = "ux_customers_code", .columns = {"code"}, .unique = true}},
                            },
                            table{
                                .name = {"public", "orders"},
                                .columns =
                                    {
                                        {.name = "id", .type = builtin(type_kind::bigint)},
                                        {.name = "customer_id", .type = builtin(type_kind::bigint), .nullable = true},
                                        {.name = "customer_code", .type = builtin(type_kind::text), .nullable = true},
                                        {.name = "customer_region", .type = builtin(type_kind::text), .nullable = true},
                                    },
                                .pk = primary_key{"orders_pkey", {"id"}},
                                .foreign_keys =
                                    {
                                        {.name = "fk_orders_customer_code",
                                         .columns = {"customer_code"},
                                         .ref_table = {"public", "customers"},
                                         .ref_columns = {"code"},
                                         .on_delete = fk_action::restrict,
                                         .on_update = fk_action::set_default},
                                        {.name = "fk_orders_customer_code_region",
                                         .columns = {"customer_code", "customer_region"},
                                         .ref_table = {"public", "customers"},
                                         .ref_columns = {"code", "region"}},
                                        {.name = "fk_orders_customer_id",
                                         .columns = {"customer_id"},
                                         .ref_table = {"public", "customers"},
                                         .ref_columns = {"id"},
                                         .on_delete = fk_action::cascade,
                                         .on_update = fk_action::set_null},
                                    },
                            },
                        }}},

      {.name = "checks",
       .ddl = R"(
CREATE TABLE line_items (
  quantity integer NOT NULL CONSTRAINT ck_line_items_quantity CHECK (quantity > 0),
  price numeric(10, 2) NOT NULL,
  discount numeric(10, 2),
  CONSTRAINT ck_line_items_discount CHECK (discount IS NULL OR discount <= price)
))",
       .expected = {.tables = {table{
                        .name = {"public", "line_items"},
                        .columns =
                            {
                                {.name = "quantity", .type = builtin(type_kind::integer)},
                                {.name = "price", .type = {.kind = type_kind::numeric, .precision = 10, .scale = 2}},
                                {.name = "discount",
                                 .type = {.kind = type_kind::numeric, .precision = 10, .scale = 2},
                                 .nullable = true},
                            },
                        .checks =
                            {
                                {"ck_line_items_discount", "((discount IS NULL) OR (discount <= price))"},
                                {"ck_line_items_quantity", "(quantity > 0)"},
                            },
                    }}}},

      // 'archived' is added later but sorts between the others: values follow enumsortorder.
      {.name = "enums",
       .ddl = R"(
CREATE TYPE product_status AS ENUM ('draft', 'active');
ALTER TYPE product_status ADD VALUE 'archived' BEFORE 'active';
CREATE SCHEMA billing;
CREATE TYPE billing.currency AS ENUM ('usd', 'eur');
CREATE TYPE no_values AS ENUM ();
CREATE TABLE products (
  status product_status NOT NULL DEFAULT 'draft',
  currency billing.currency
))",
       .expected = {.schemas = {"billing"},
                    .enums =
                        {
                            {{"billing", "currency"}, {"usd", "eur"}},
                            {{"public", "no_values"}, {}},
                            {{"public", "product_status"}, {"draft", "archived", "active"}},
                        },
                    .tables = {table{
                        .name = {"public", "products"},
                        .columns =
                            {
                                {.name = "status",
                                 .type = {.kind = type_kind::enum_type, .enum_name = {"public", "product_status"}},
                                 .server_default = "'draft'::product_status"},
                                {.name = "currency",
                                 .type = {.kind = type_kind::enum_type, .enum_name = {"billing", "currency"}},
                                 .nullable = true},
                            },
                    }}}},

      {.name = "schemas",
       .ddl = R"(
CREATE SCHEMA inventory;
CREATE SCHEMA archive;
CREATE TABLE inventory.stock (id integer NOT NULL, CONSTRAINT pk_stock PRIMARY KEY (id));
CREATE TABLE inventory.moves (stock_id integer REFERENCES inventory.stock (id));
CREATE TABLE public.stock (id integer NOT NULL))",
       .expected = {.schemas = {"archive", "inventory"},
                    .tables =
                        {
                            table{
                                .name = {"inventory", "moves"},
                                .columns = {{.name = "stock_id", .type = builtin(type_kind::integer), .nullable = true}},
                                .foreign_keys = {{.name = "moves_stock_id_fkey",
                                                  .columns = {"stock_id"},
                                                  .ref_table = {"inventory", "stock"},
                                                  .ref_columns = {"id"}}},
                            },
                            table{
                                .name = {"inventory", "stock"},
                                .columns = {{.name = "id", .type = builtin(type_kind::integer)}},
                                .pk = primary_key{"pk_stock", {"id"}},
                            },
                            table{
                                .name = {"public", "stock"},
                                .columns = {{.name = "id", .type = builtin(type_kind::integer)}},
                            },
                        }}},

      {.name = "excluded_schema",
       .ddl = R"(
CREATE SCHEMA retort;
CREATE TABLE retort.version_history (revision text NOT NULL);
CREATE TYPE retort.direction AS ENUM ('up', 'down');
CREATE TABLE kept (id integer NOT NULL))",
       .expected = {.tables = {table{
                        .name = {"public", "kept"},
                        .columns = {{.name = "id", .type = builtin(type_kind::integer)}},
                    }}},
       .options = {.exclude_schemas = {"retort"}}},

      // Partitions are storage of their parent, not tables of the model.
      {.name = "partitioned_table",
       .ddl = R"(
CREATE TABLE measurements (at date NOT NULL, value real) PARTITION BY RANGE (at);
CREATE TABLE measurements_2024 PARTITION OF measurements FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');
CREATE INDEX ix_measurements_at ON measurements (at))",
       .expected = {.tables = {table{
                        .name = {"public", "measurements"},
                        .columns =
                            {
                                {.name = "at", .type = builtin(type_kind::date)},
                                {.name = "value", .type = builtin(type_kind::real), .nullable = true},
                            },
                        .indexes = {{.name = "ix_measurements_at", .columns = {"at"}}},
                        .partition = partition_key{partition_method::range, {"at"}},
                    }}}},

      // Index keys as pg_get_indexdef spells them; opclasses only where not the default; the
      // default NULLS order of a direction left unset; reloptions as pg_class keeps them.
      {.name = "index_keys_and_options",
       .ddl = R"(
CREATE TABLE users (email varchar(80) NOT NULL, payload jsonb, at timestamptz, n integer);
CREATE UNIQUE INDEX ix_users_lower_email ON users (lower(email)) NULLS NOT DISTINCT;
CREATE INDEX ix_users_payload ON users USING gin (payload jsonb_path_ops);
CREATE INDEX ix_users_at ON users (at DESC, n NULLS FIRST, email varchar_pattern_ops) INCLUDE (payload)
  WITH (fillfactor = 70, deduplicate_items = off);
CREATE INDEX ix_users_at_desc ON users (at DESC NULLS LAST);
CREATE INDEX ix_users_n ON users USING hash (n))",
       .expected = {.tables = {table{
                        .name = {"public", "users"},
                        .columns =
                            {
                                {.name = "email", .type = column_type{.kind = type_kind::varchar, .length = 80}},
                                {.name = "payload", .type = builtin(type_kind::jsonb), .nullable = true},
                                {.name = "at", .type = builtin(type_kind::timestamptz), .nullable = true},
                                {.name = "n", .type = builtin(type_kind::integer), .nullable = true},
                            },
                        .indexes =
                            {
                                {.name = "ix_users_at",
                                 .columns = {key("at", std::nullopt, true), key("n", std::nullopt, false, true),
                                             key("email", "varchar_pattern_ops")},
                                 .include = {"payload"},
                                 .with = {"deduplicate_items=off", "fillfactor=70"}},
                                {.name = "ix_users_at_desc",
                                 .columns = {key("at", std::nullopt, true, false)}},
                                {.name = "ix_users_lower_email",
                                 .columns = {index_key::of_expression("lower(email::text)")},
                                 .unique = true,
                                 .nulls_not_distinct = true},
                                {.name = "ix_users_n", .columns = {"n"}, .method = "hash"},
                                {.name = "ix_users_payload",
                                 .columns = {key("payload", "jsonb_path_ops")},
                                 .method = "gin"},
                            },
                    }}}},

      {.name = "deferrable_constraints",
       .ddl = R"(
CREATE TABLE rooms (id integer PRIMARY KEY, code text NOT NULL,
  CONSTRAINT uq_rooms_code UNIQUE (code) DEFERRABLE);
CREATE TABLE seats (room_id integer NOT NULL,
  CONSTRAINT fk_seats_room FOREIGN KEY (room_id) REFERENCES rooms (id) DEFERRABLE INITIALLY DEFERRED))",
       .expected = {.tables =
                        {
                            table{
                                .name = {"public", "rooms"},
                                .columns = {{.name = "id", .type = builtin(type_kind::integer)},
                                            {.name = "code", .type = builtin(type_kind::text)}},
                                .pk = primary_key{"rooms_pkey", {"id"}},
                                .uniques = {{"uq_rooms_code", {"code"}, deferral::initially_immediate}},
                            },
                            table{
                                .name = {"public", "seats"},
                                .columns = {{.name = "room_id", .type = builtin(type_kind::integer)}},
                                .foreign_keys = {{.name = "fk_seats_room",
                                                  .columns = {"room_id"},
                                                  .ref_table = {"public", "rooms"},
                                                  .ref_columns = {"id"},
                                                  .deferrable = deferral::initially_deferred}},
                            },
                        }}},

      // Exclusion constraints (not left out, so verify sees them) with their operators and
      // predicate; row-level security and policies, PUBLIC as no role.
      {.name = "exclusion_constraints_and_policies",
       .ddl = R"(
CREATE TABLE bookings (room int4range NOT NULL, during tstzrange NOT NULL, note text,
  CONSTRAINT ex_bookings EXCLUDE USING gist (room WITH &&, during WITH &&) WHERE (note IS NULL) DEFERRABLE);
ALTER TABLE bookings ENABLE ROW LEVEL SECURITY;
CREATE POLICY p_read ON bookings FOR SELECT TO pg_read_all_stats, pg_monitor USING (note IS NOT NULL);
CREATE POLICY p_write ON bookings AS RESTRICTIVE FOR INSERT WITH CHECK (note <> ''))",
       .expected = {.tables = {table{
                        .name = {"public", "bookings"},
                        .columns =
                            {
                                {.name = "room", .type = *parse_type("int4range")},
                                {.name = "during", .type = *parse_type("tstzrange")},
                                {.name = "note", .type = builtin(type_kind::text), .nullable = true},
                            },
                        .exclusions = {{"ex_bookings", {{index_key{"room"}, "&&"}, {index_key{"during"}, "&&"}}, "gist",
                                        {}, "(note IS NULL)", deferral::initially_immediate}},
                        .rls = {true, false},
                        .policies = {{"p_read", policy_command::select, false, {"pg_monitor", "pg_read_all_stats"},
                                      "(note IS NOT NULL)", std::nullopt},
                                     {"p_write", policy_command::insert, true, {}, std::nullopt, "(note <> ''::text)"}},
                    }}}},

      // Names are data: nothing in them reaches SQL unquoted.
      {.name = "hostile_names",
       .ddl = R"(
CREATE TABLE "x""; DROP TABLE y; --" (
  "Weird ""Col""; name" text NOT NULL,
  "ünïcödé , [x]" integer,
  CONSTRAINT "uq ""odd"", name" UNIQUE ("Weird ""Col""; name", "ünïcödé , [x]")
);
COMMENT ON COLUMN "x""; DROP TABLE y; --"."Weird ""Col""; name" IS 'a ''quoted'' \ comment')",
       .expected = {.tables = {table{
                        .name = {"public", "x\"; DROP TABLE y; --"},
                        .columns =
                            {
                                {.name = "Weird \"Col\"; name",
                                 .type = builtin(type_kind::text),
                                 .comment = "a 'quoted' \\ comment"},
                                {.name = "ünïcödé , [x]", .type = builtin(type_kind::integer), .nullable = true},
                            },
                        .uniques = {{"uq \"odd\", name", {"Weird \"Col\"; name", "ünïcödé , [x]"}}},
                    }}}},
  };
}

class introspect_test : public ::testing::TestWithParam<introspect_case> {};

TEST_P(introspect_test, reads_back_the_ddl) {
  const auto& c = GetParam();
  pqxx::connection conn{fresh_database_url()};
  if (!c.ddl.empty()) execute(conn, c.ddl);

  const schema actual = introspect(conn, c.options);

  EXPECT_EQ(describe(actual), describe(c.expected));
  EXPECT_TRUE(actual == c.expected) << "the schemas differ in a field describe() does not show";
}

INSTANTIATE_TEST_SUITE_P(catalog, introspect_test, ::testing::ValuesIn(cases()),
                         [](const ::testing::TestParamInfo<introspect_case>& info) { return info.param.name; });


// Types outside the built-in kinds come back in format_type()'s spelling, what parse_type()
// makes of the models' spellings; serial, generation expressions, collations and extensions too.
TEST(introspect, reads_open_types_serials_generated_columns_collations_and_extensions) {
  pqxx::connection conn{fresh_database_url()};
  execute(conn, "CREATE EXTENSION citext VERSION '1.5'");
  execute(conn,
          "CREATE TABLE shapes (id bigserial PRIMARY KEY, outline polygon, at timestamptz(3), bits varbit(8), "
          "names citext[], code text COLLATE \"C\", width integer, "
          "area integer GENERATED ALWAYS AS (width * width) STORED)");
  execute(conn, "COMMENT ON COLUMN shapes.area IS 'square'");
  const schema s = introspect(conn);
  ASSERT_EQ(s.extensions.size(), 1u);
  EXPECT_EQ(s.extensions[0], (extension{"citext", "public", "1.5"}));
  const table& t = s.tables.at(0);
  const auto type_of = [&](std::string_view name) { return to_string(find_column(t, name)->type); };
  EXPECT_EQ(type_of("id"), "bigserial");
  EXPECT_EQ(find_column(t, "id")->server_default, std::nullopt);
  EXPECT_EQ(type_of("outline"), "polygon");
  EXPECT_EQ(find_column(t, "at")->type, *parse_type("timestamptz(3)"));
  EXPECT_EQ(find_column(t, "bits")->type, *parse_type("varbit(8)"));
  EXPECT_EQ(find_column(t, "names")->type, *parse_type("CITEXT[]"));
  EXPECT_EQ(find_column(t, "code")->collation, "C");
  EXPECT_EQ(find_column(t, "width")->collation, std::nullopt);
  EXPECT_EQ(find_column(t, "area")->generated, "(width * width)");
  EXPECT_EQ(find_column(t, "area")->server_default, std::nullopt);
  EXPECT_EQ(find_column(t, "area")->comment, "square");
}

// Sequences as objects (owned or not), told from serials and identities, whose sequences are
// the columns'; a partitioned table's key, with its partitions (and their indexes) left unread.
TEST(introspect, reads_sequences_and_partitioned_tables_but_not_partitions) {
  pqxx::connection conn{fresh_database_url()};
  execute(conn, R"(
CREATE SCHEMA billing;
CREATE SEQUENCE billing.countdown AS integer INCREMENT BY -1 MINVALUE 1 MAXVALUE 100 CYCLE;
CREATE SEQUENCE invoice_numbers START WITH 1000 CACHE 20;
CREATE TABLE invoices (id integer GENERATED BY DEFAULT AS IDENTITY, legacy serial,
  number bigint NOT NULL DEFAULT nextval('invoice_numbers'), plain bigserial);
ALTER SEQUENCE invoice_numbers OWNED BY invoices.number;
CREATE SEQUENCE plain_owned OWNED BY invoices.plain;
CREATE TABLE events (id bigint NOT NULL, at timestamptz NOT NULL, kind text, PRIMARY KEY (id, at))
  PARTITION BY RANGE (at);
CREATE INDEX ix_events_kind ON events (kind);
CREATE TABLE events_2026 PARTITION OF events FOR VALUES FROM ('2026-01-01') TO ('2027-01-01');
CREATE TABLE events_default PARTITION OF events DEFAULT;
CREATE TABLE "Readings" ("Region" text) PARTITION BY LIST ("Region"))");
  const schema s = introspect(conn);
  ASSERT_EQ(s.tables.size(), 3u) << describe(s);
  const table* events = find_table(s, {"public", "events"});
  ASSERT_NE(events, nullptr);
  EXPECT_EQ(events->partition, (partition_key{partition_method::range, {"at"}}));
  ASSERT_EQ(events->indexes.size(), 1u);
  EXPECT_EQ(find_table(s, {"public", "Readings"})->partition, (partition_key{partition_method::list, {"Region"}}));
  const table* invoices = find_table(s, {"public", "invoices"});
  ASSERT_NE(invoices, nullptr);
  EXPECT_EQ(to_string(find_column(*invoices, "legacy")->type), "serial");
  EXPECT_EQ(find_column(*invoices, "number")->server_default, "nextval('invoice_numbers'::regclass)");
  EXPECT_EQ(to_string(find_column(*invoices, "plain")->type), "bigserial");

  sequence countdown;
  countdown.name = {"billing", "countdown"};
  countdown.type = "integer";
  countdown.increment = -1;
  countdown.min_value = 1;
  countdown.max_value = 100;
  countdown.cycle = true;
  sequence numbers;
  numbers.name = {"public", "invoice_numbers"};
  numbers.start = 1000;
  numbers.cache = 20;
  numbers.owned_by = sequence_owner{"invoices", "number"};
  sequence plain_owned;
  plain_owned.name = {"public", "plain_owned"};
  plain_owned.owned_by = sequence_owner{"invoices", "plain"};
  // No sequence of the identity or of the serials (legacy, plain: their own are plain_seq, legacy_seq).
  EXPECT_EQ(s.sequences, (std::vector<sequence>{countdown, numbers, plain_owned}));
}

TEST(introspect, throws_database_error_on_a_dead_connection) {
  pqxx::connection conn{fresh_database_url()};
  {
    pqxx::connection admin{test::test_cluster().url()};
    pqxx::nontransaction tx{admin};
    tx.exec_params("SELECT pg_terminate_backend($1, 10000)", conn.backendpid());
  }
  try {
    (void)introspect(conn);
    FAIL() << "introspection over a terminated connection succeeded";
  } catch (const database_error& e) {
    EXPECT_TRUE(std::string_view{e.what()}.starts_with("cannot read the database schema: ")) << e.what();
  }
}

}  // namespace
}  // namespace retort
