// Tests of snapshots: canonical, deterministic JSON (golden text, round trip) and every reading or validation error with its JSON path.
#include "retort/snapshot.hpp"

#include <gtest/gtest.h>

#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <ostream>
#include <random>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "make_index.hpp"
#include "retort/errors.hpp"

namespace retort {

// Readable failures: a schema prints as its snapshot (gtest finds this by argument-dependent lookup).
[[maybe_unused]] static void PrintTo(const schema& s, std::ostream* os) { *os << "\n" << write_snapshot(s); }

namespace {

using testing::make_index;

// --- builders -----------------------------------------------------------------------------

column col(std::string name, std::string_view type, bool nullable = false) {
  column c;
  c.name = std::move(name);
  auto parsed = parse_builtin_type(type);
  EXPECT_TRUE(parsed.has_value()) << type;
  c.type = parsed.value_or(column_type{});
  c.nullable = nullable;
  return c;
}

column enum_col(std::string name, qualified_name type, bool nullable = false) {
  column c;
  c.name = std::move(name);
  c.type.kind = type_kind::enum_type;
  c.type.enum_name = std::move(type);
  c.nullable = nullable;
  return c;
}


foreign_key make_fk(std::string name, std::vector<std::string> columns, qualified_name ref,
                    std::vector<std::string> ref_columns, fk_action on_delete = fk_action::no_action,
                    fk_action on_update = fk_action::no_action) {
  return {std::move(name), std::move(columns), std::move(ref), std::move(ref_columns), on_delete, on_update};
}

// A schema using every feature the model has: several namespaces, enums, every column type,
// defaults, identities, comments, hints, composite keys, partial and non-btree indexes,
// foreign keys to primary keys, unique constraints and unique indexes, with every action.
schema rich_schema() {
  schema s;
  s.schemas = {"app", "audit"};
  s.enums = {{{"app", "order_status"}, {"pending", "paid", "shipped"}},
             {{"public", "mood"}, {"happy", "sad", "so-so"}}};

  table orders;
  orders.name = {"app", "orders"};
  column order_id = col("id", "integer");
  order_id.identity = identity_kind::by_default;
  orders.columns = {order_id, col("user_id", "bigint"), enum_col("status", {"app", "order_status"}),
                    col("total", "numeric(10,2)")};
  orders.columns[2].server_default = "'pending'::app.order_status";
  orders.pk = primary_key{"pk_orders", {"id"}};
  orders.foreign_keys = {
      make_fk("fk_orders_user_id_users", {"user_id"}, {"public", "users"}, {"id"}, fk_action::cascade, fk_action::restrict)};
  orders.checks = {{"ck_orders_total", "total >= 0"}};

  table events;
  events.name = {"audit", "events"};
  events.comment = "Everything that happened";
  events.columns = {col("payload", "jsonb"),         col("doc", "json", true),       col("at", "timestamp"),
                    col("ip", "inet", true),         col("net", "cidr", true),       col("mac", "macaddr", true),
                    col("took", "interval", true),   col("blob", "bytea", true),     col("flag", "boolean"),
                    col("r", "real", true),          col("d", "double precision", true), col("day", "date", true),
                    col("t", "time", true),          col("code", "char(2)", true),   col("small", "smallint", true),
                    col("actor", "text", true),      col("user_email", "varchar(255)", true),
                    col("ids", "bigint[]", true),    col("ref", "uuid", true)};
  events.foreign_keys = {
      make_fk("fk_events_actor_users", {"actor"}, {"public", "users"}, {"display_name"}, fk_action::set_null),
      make_fk("fk_events_user_email_users", {"user_email"}, {"public", "users"}, {"email"}, fk_action::set_default,
              fk_action::cascade)};

  table items;
  items.name = {"public", "order_items"};
  items.columns = {col("order_id", "integer"), col("product_id", "uuid"), col("quantity", "smallint")};
  items.pk = primary_key{"pk_order_items", {"order_id", "product_id"}};
  items.foreign_keys = {make_fk("fk_order_items_order_id_orders", {"order_id"}, {"app", "orders"}, {"id"},
                                fk_action::no_action, fk_action::set_null)};
  items.checks = {{"ck_order_items_quantity", "quantity > 0"}, {"ck_order_items_sane", "quantity < 1000"}};

  table users;
  users.name = {"public", "users"};
  users.comment = "People who log in";
  users.renamed_from = {{"public", "accounts"}, {"app", "users"}};
  column id = col("id", "bigint");
  id.identity = identity_kind::always;
  column email = col("email", "character varying(255)");
  email.comment = "Lower-case";
  column display = col("display_name", "text", true);
  display.renamed_from = {"nick", "nickname"};
  column balance = col("balance", "numeric(12,2)");
  balance.server_default = "0";
  balance.backfill = "0";
  column created = col("created_at", "timestamptz");
  created.server_default = "now()";
  users.columns = {id, email, display, enum_col("mood", {"public", "mood"}, true), col("tags", "text[]", true),
                   balance, created};
  users.pk = primary_key{"pk_users", {"id"}};
  users.uniques = {{"uq_users_email", {"email"}}};
  users.indexes = {make_index("ix_users_created_at", {"created_at"}, false, "mood IS NOT NULL"),
                   make_index("ix_users_display_name", {"display_name"}, true),
                   make_index("ix_users_tags", {"tags"}, false, std::nullopt, "gin")};
  index lower_email;  // every key kind and index option
  lower_email.name = "ix_users_lower_email";
  index_key created_desc{"created_at"};
  created_desc.descending = true;
  created_desc.nulls_first = false;
  index_key display_pattern{"display_name"};
  display_pattern.opclass = "text_pattern_ops";
  lower_email.columns = {index_key::of_expression("lower(email::text)"), created_desc, display_pattern};
  lower_email.unique = true;
  lower_email.include = {"balance"};
  lower_email.nulls_not_distinct = true;
  lower_email.with = {"deduplicate_items=off", "fillfactor=70"};
  users.indexes.push_back(lower_email);
  users.uniques.push_back({"uq_users_display_name_created_at", {"display_name", "created_at"}, deferral::initially_deferred});
  orders.foreign_keys[0].deferrable = deferral::initially_immediate;
  users.checks = {{"ck_users_balance", "balance >= 0"}};

  s.tables = {orders, events, items, users};
  sort_canonically(s);
  return s;
}

// --- writing --------------------------------------------------------------------------------

TEST(Snapshot, RichSchemaIsValid) { EXPECT_NO_THROW(validate(rich_schema())); }

TEST(Snapshot, RoundTripsARichSchema) {
  const schema s = rich_schema();
  const std::string text = write_snapshot(s);
  const schema back = read_snapshot(text, "snap.json");
  EXPECT_EQ(back, s);
  EXPECT_EQ(write_snapshot(back), text);
}

// read_snapshot_file parses the file where it was read (with padding); the same schema as
// read_snapshot of its text, and the file's own errors: missing, a directory, a mistake at its path.
TEST(Snapshot, ReadFromAFileAsFromItsText) {
  const auto dir = std::filesystem::temp_directory_path() / fmt::format("retort-snapshot-file-{}", ::getpid());
  std::filesystem::create_directories(dir);
  const auto path = (dir / "schema.json").string();
  const std::string text = write_snapshot(rich_schema());
  {
    std::ofstream(path, std::ios::binary) << text;
  }
  EXPECT_EQ(read_snapshot_file(path), read_snapshot(text, path));
  EXPECT_THROW((void)read_snapshot_file((dir / "missing.json").string()), file_error);
  EXPECT_THROW((void)read_snapshot_file(dir.string()), file_error);
  {
    std::ofstream(path, std::ios::binary) << R"({"format": 1, "tables": [{"name": "t", "columns": []}]})";
  }
  try {
    (void)read_snapshot_file(path);
    ADD_FAILURE() << "a table without columns was read";
  } catch (const file_error& e) {
    EXPECT_EQ(e.json_path(), "tables[0]") << e.what();
  }
  std::filesystem::remove_all(dir);
}

TEST(Snapshot, IndexKeysAndDeferralAreWrittenOnlyWhenNotDefault) {
  const std::string text = write_snapshot(rich_schema());
  // A plain key stays a string; a key with more is an object; defaults are not written.
  EXPECT_NE(text.find(R"js("name": "ix_users_created_at",
          "columns": [
            "created_at"
          ],)js"), std::string::npos) << text;
  EXPECT_NE(text.find(R"js("expression": "lower(email::text)")js"), std::string::npos) << text;
  EXPECT_NE(text.find(R"js("order": "desc",
              "nulls": "last")js"), std::string::npos) << text;
  EXPECT_NE(text.find(R"js("deferrable": "initially_deferred")js"), std::string::npos) << text;
  const std::string plain = write_snapshot(read_snapshot(R"js({"format": 1, "tables": [{"name": "t",
      "columns": [{"name": "a", "type": "text"}], "unique": [{"columns": ["a"]}], "indexes": [{"columns": ["a"]}]}]})js", "s.json"));
  for (const char* key : {"deferrable", "include", "nulls_not_distinct", "\"with\"", "opclass", "order", "nulls\""})
    EXPECT_EQ(plain.find(key), std::string::npos) << key << " in\n" << plain;
}

TEST(Snapshot, IndexKeyMistakesNameTheirPath) {
  auto error_of = [](std::string_view key) -> std::string {
    try {
      (void)read_snapshot(fmt::format(R"js({{"format": 1, "tables": [{{"name": "t", "columns": [{{"name": "a", "type": "text"}}],
          "indexes": [{{"columns": [{}]}}]}}]}})js", key), "s.json");
    } catch (const error& e) {
      return e.what();
    }
    return "accepted";
  };
  const std::string both = error_of(R"js({"column": "a", "expression": "lower(a)"})js");
  EXPECT_NE(both.find(R"js(either "column" or "expression")js"), std::string::npos) << both;
  const std::string order = error_of(R"js({"column": "a", "order": "up"})js");
  EXPECT_NE(order.find("tables[0].indexes[0].columns[0].order"), std::string::npos) << order;
  const std::string unknown = error_of(R"js({"column": "b"})js");
  EXPECT_NE(unknown.find("unknown column"), std::string::npos) << unknown;
  EXPECT_EQ(error_of(R"js({"expression": "lower(b)"})js"), "accepted");  // expressions are SQL, not checked
}

// A snapshot of thousands of tables is read on several threads: the tables keep the file's
// order (then the canonical one), and of several bad tables the first is the one reported.
TEST(Snapshot, ManyTablesReadOnThreadsKeepOrderAndReportTheFirstMistake) {
  auto snapshot = [](int bad_at, int also_bad_at) {
    std::string tables;
    for (int i = 0; i < 2000; ++i) {
      const char* extra = (i == bad_at || i == also_bad_at) ? R"js(, "colour": "red")js" : "";  // an unknown key
      tables += fmt::format(R"js({}{{"name": "t{:04}", "columns": [{{"name": "a", "type": "text"}}]{}}})js",
                            i ? ", " : "", 1999 - i, extra);
    }
    return fmt::format(R"js({{"format": 1, "tables": [{}]}})js", tables);
  };
  const schema s = read_snapshot(snapshot(-1, -1), "s.json");
  ASSERT_EQ(s.tables.size(), 2000u);
  for (std::size_t i = 0; i < s.tables.size(); ++i) EXPECT_EQ(s.tables[i].name.name, fmt::format("t{:04}", i));
  for (int round = 0; round < 5; ++round) {
    try {
      (void)read_snapshot(snapshot(1700, 300), "s.json");
      FAIL() << "accepted";
    } catch (const error& e) {
      EXPECT_NE(std::string(e.what()).find("tables[300].colour"), std::string::npos) << e.what();
    }
  }
}

TEST(Snapshot, AForeignKeyCannotReferenceADeferrableUniqueConstraint) {
  auto snapshot = [](std::string_view deferrable) {
    return fmt::format(R"js({{"format": 1, "tables": [
      {{"name": "rooms", "columns": [{{"name": "code", "type": "text"}}], "unique": [{{"columns": ["code"]{}}}]}},
      {{"name": "seats", "columns": [{{"name": "room", "type": "text"}}],
        "foreign_keys": [{{"columns": ["room"], "references": {{"table": "rooms", "columns": ["code"]}}}}]}}]}})js",
                       deferrable);
  };
  EXPECT_NO_THROW((void)read_snapshot(snapshot(""), "s.json"));
  EXPECT_THROW((void)read_snapshot(snapshot(R"js(, "deferrable": "initially_immediate")js"), "s.json"), error);
}

TEST(Snapshot, WritingIsDeterministicWhateverTheVectorOrder) {
  const schema s = rich_schema();
  const std::string expected = write_snapshot(s);
  EXPECT_EQ(write_snapshot(s), expected);

  auto reversed = s;
  std::reverse(reversed.schemas.begin(), reversed.schemas.end());
  std::reverse(reversed.enums.begin(), reversed.enums.end());
  std::reverse(reversed.tables.begin(), reversed.tables.end());
  for (table& t : reversed.tables) {
    std::reverse(t.uniques.begin(), t.uniques.end());
    std::reverse(t.indexes.begin(), t.indexes.end());
    std::reverse(t.foreign_keys.begin(), t.foreign_keys.end());
    std::reverse(t.checks.begin(), t.checks.end());
  }
  ASSERT_NE(reversed, s);
  EXPECT_EQ(write_snapshot(reversed), expected);

  std::mt19937_64 rng(20261125);
  for (int round = 0; round < 20; ++round) {
    SCOPED_TRACE(round);
    auto shuffled = s;
    std::shuffle(shuffled.schemas.begin(), shuffled.schemas.end(), rng);
    std::shuffle(shuffled.enums.begin(), shuffled.enums.end(), rng);
    std::shuffle(shuffled.tables.begin(), shuffled.tables.end(), rng);
    for (table& t : shuffled.tables) {
      std::shuffle(t.uniques.begin(), t.uniques.end(), rng);
      std::shuffle(t.indexes.begin(), t.indexes.end(), rng);
      std::shuffle(t.foreign_keys.begin(), t.foreign_keys.end(), rng);
      std::shuffle(t.checks.begin(), t.checks.end(), rng);
    }
    EXPECT_EQ(write_snapshot(shuffled), expected);
  }
}

TEST(Snapshot, ColumnsKeepTheirPhysicalOrder) {
  schema s;
  table t;
  t.name = {"public", "t"};
  t.columns = {col("zeta", "text"), col("alpha", "text"), col("mid", "text")};
  s.tables = {t};
  const std::string text = write_snapshot(s);
  EXPECT_LT(text.find("\"zeta\""), text.find("\"alpha\""));
  EXPECT_LT(text.find("\"alpha\""), text.find("\"mid\""));
  const schema back = read_snapshot(text, "snap.json");
  ASSERT_EQ(back.tables.size(), 1u);
  EXPECT_EQ(back.tables[0].columns, t.columns);
}

schema small_schema() {
  schema s;
  s.enums = {{{"public", "mood"}, {"happy", "sad"}}};
  table users;
  users.name = {"public", "users"};
  column id = col("id", "int8");
  id.identity = identity_kind::always;
  column mood = enum_col("mood", {"public", "mood"}, true);
  mood.server_default = "'happy'";
  users.columns = {id, col("email", "character varying(255)"), mood};
  users.pk = primary_key{"pk_users", {"id"}};
  users.uniques = {{"uq_users_email", {"email"}}};
  table orders;
  orders.name = {"public", "orders"};
  orders.comment = "Placed orders";
  orders.columns = {col("id", "bigint"), col("user_id", "bigint", true), col("code", "text")};
  orders.pk = primary_key{"pk_orders", {"id"}};
  orders.indexes = {make_index("ix_orders_user_id", {"user_id"}, false, "user_id IS NOT NULL", "hash"),
                    make_index("ix_orders_code", {"code"}, true)};
  orders.foreign_keys = {make_fk("fk_orders_user_id_users", {"user_id"}, {"public", "users"}, {"id"}, fk_action::cascade)};
  orders.checks = {{"ck_orders_id", "id > 0"}};
  s.tables = {users, orders};  // written sorted: orders first
  return s;
}

const char* const small_golden = R"json({
  "format": 1,
  "schemas": [],
  "enums": [
    {
      "schema": "public",
      "name": "mood",
      "values": [
        "happy",
        "sad"
      ]
    }
  ],
  "tables": [
    {
      "schema": "public",
      "name": "orders",
      "comment": "Placed orders",
      "columns": [
        {
          "name": "id",
          "type": "bigint",
          "nullable": false
        },
        {
          "name": "user_id",
          "type": "bigint",
          "nullable": true
        },
        {
          "name": "code",
          "type": "text",
          "nullable": false
        }
      ],
      "primary_key": {
        "name": "pk_orders",
        "columns": [
          "id"
        ]
      },
      "indexes": [
        {
          "name": "ix_orders_code",
          "columns": [
            "code"
          ],
          "unique": true
        },
        {
          "name": "ix_orders_user_id",
          "columns": [
            "user_id"
          ],
          "where": "user_id IS NOT NULL",
          "method": "hash"
        }
      ],
      "foreign_keys": [
        {
          "name": "fk_orders_user_id_users",
          "columns": [
            "user_id"
          ],
          "references": {
            "schema": "public",
            "table": "users",
            "columns": [
              "id"
            ]
          },
          "on_delete": "cascade"
        }
      ],
      "checks": [
        {
          "name": "ck_orders_id",
          "expression": "id > 0"
        }
      ]
    },
    {
      "schema": "public",
      "name": "users",
      "columns": [
        {
          "name": "id",
          "type": "bigint",
          "nullable": false,
          "identity": "always"
        },
        {
          "name": "email",
          "type": "varchar(255)",
          "nullable": false
        },
        {
          "name": "mood",
          "enum": {
            "schema": "public",
            "name": "mood"
          },
          "nullable": true,
          "default": "'happy'"
        }
      ],
      "primary_key": {
        "name": "pk_users",
        "columns": [
          "id"
        ]
      },
      "unique": [
        {
          "name": "uq_users_email",
          "columns": [
            "email"
          ]
        }
      ]
    }
  ]
}
)json";

TEST(Snapshot, GoldenTextOfASmallSchema) {
  EXPECT_EQ(write_snapshot(small_schema()), small_golden);
  schema expected = small_schema();
  sort_canonically(expected);
  EXPECT_EQ(read_snapshot(small_golden, "golden.json"), expected);
}

TEST(Snapshot, ReadingFillsDefaultsAndConventionalNames) {
  // Optional keys omitted: schemas, enums, a table's schema, nullable, constraint names.
  const schema s = read_snapshot(R"({
    "format": 1,
    "tables": [
      {"name": "b", "columns": [{"name": "id", "type": "int"}, {"name": "a_id", "type": "int"}],
       "primary_key": {"columns": ["id"]},
       "foreign_keys": [{"columns": ["a_id"], "references": {"table": "a", "columns": ["id"]}}],
       "indexes": [{"columns": ["a_id"]}]},
      {"name": "a", "columns": [{"name": "id", "type": "int"}], "unique": [{"columns": ["id"]}]}
    ]})",
                                 "snap.json");
  EXPECT_TRUE(s.schemas.empty());
  EXPECT_TRUE(s.enums.empty());
  ASSERT_EQ(s.tables.size(), 2u);
  const table& a = s.tables[0];  // sorted on reading
  const table& b = s.tables[1];
  EXPECT_EQ(a.name, (qualified_name{"public", "a"}));
  EXPECT_EQ(b.name, (qualified_name{"public", "b"}));
  EXPECT_FALSE(b.columns[0].nullable);
  EXPECT_EQ(b.columns[0].type.kind, type_kind::integer);
  ASSERT_TRUE(b.pk.has_value());
  EXPECT_EQ(b.pk->name, "pk_b");
  ASSERT_EQ(a.uniques.size(), 1u);
  EXPECT_EQ(a.uniques[0].name, "uq_a_id");
  ASSERT_EQ(b.indexes.size(), 1u);
  EXPECT_EQ(b.indexes[0].name, "ix_b_a_id");
  EXPECT_EQ(b.indexes[0].method, "btree");
  EXPECT_FALSE(b.indexes[0].unique);
  ASSERT_EQ(b.foreign_keys.size(), 1u);
  EXPECT_EQ(b.foreign_keys[0].name, "fk_b_a_id_a");
  EXPECT_EQ(b.foreign_keys[0].ref_table, (qualified_name{"public", "a"}));
  EXPECT_EQ(b.foreign_keys[0].on_delete, fk_action::no_action);
}

// --- reading errors -------------------------------------------------------------------------

std::string snapshot_with(const std::string& tables, const std::string& enums = "[]", const std::string& schemas = "[]") {
  return R"({"format": 1, "schemas": )" + schemas + R"(, "enums": )" + enums + R"(, "tables": )" + tables + "}";
}

struct error_case {
  std::string label;
  std::string text;
  std::string path;     ///< expected json_path()
  std::string message;  ///< expected to follow "snap.json: <path>: " in what()
};

void expect_file_error(const error_case& c) {
  SCOPED_TRACE(c.label);
  try {
    (void)read_snapshot(c.text, "snap.json");
    ADD_FAILURE() << "no error for: " << c.text;
  } catch (const file_error& e) {
    EXPECT_EQ(e.file(), "snap.json");
    EXPECT_EQ(e.json_path(), c.path);
    const std::string expected_start = c.path.empty() ? "snap.json: " : "snap.json: " + c.path + ": ";
    const std::string what = e.what();
    EXPECT_EQ(what.substr(0, expected_start.size()), expected_start) << what;
    EXPECT_NE(what.find(c.message, expected_start.size()), std::string::npos)
        << "message: " << what << "\nexpected to contain: " << c.message;
  }
}

// Two columns, the first a primary key; most cases vary one detail of it.
const std::string id_col = R"({"name": "id", "type": "bigint"})";
const std::string note_col = R"({"name": "note", "type": "text", "nullable": true})";

TEST(Snapshot, FormatMustBePresentAndSupported) {
  const std::vector<error_case> cases{
      {"missing", R"({"schemas": [], "enums": [], "tables": []})", "format", "missing"},
      {"future", R"({"format": 2, "tables": []})", "format",
       "snapshot format 2 is not supported by this Retort (it reads format 1)"},
      {"zero", R"({"format": 0})", "format", "snapshot format 0 is not supported"},
      {"string", R"({"format": "1"})", "format", "expected an integer, found string"},
      {"fraction", R"({"format": 1.5})", "format", "expected an integer, found number"},
      {"not an object", R"([1, 2])", "", "expected an object, found array"},
  };
  for (const auto& c : cases) expect_file_error(c);
  EXPECT_NO_THROW((void)read_snapshot(R"({"format": 1})", "snap.json"));
}

// Issue 10, item 6: the snapshot reader shares the migration files' rules.
TEST(Snapshot, AFormatBeyondIntDuplicatedKeysAndHugeValuesAreRefused) {
  expect_file_error({"format 2^32 + 1", R"({"format": 4294967297, "schemas": [], "enums": [], "tables": []})", "format",
                     "snapshot format 4294967297 is not supported"});
  expect_file_error({"duplicated key", snapshot_with(R"([{"name": "t", "name": "u", "columns": [)" + id_col + "]}]"),
                     "tables[0].name", "duplicated key"});
  const std::string huge(10 * 1024 * 1024, 'y');
  try {
    (void)read_snapshot(snapshot_with(R"([{"name": "t", "columns": [{"name": "id", "type": ")" + huge + R"("}]}])"),
                        "snap.json");
    FAIL() << "no error";
  } catch (const file_error& e) {
    EXPECT_LT(std::string(e.what()).size(), 1000u);
    EXPECT_EQ(e.json_path(), "tables[0].columns[0].type");
  }
}

TEST(Snapshot, AByteOrderMarkIsSkipped) {
  const std::string text = snapshot_with(R"([{"name": "t", "columns": [)" + id_col + "]}]");
  EXPECT_EQ(read_snapshot("\xEF\xBB\xBF" + text, "snap.json"), read_snapshot(text, "snap.json"));
}

TEST(Snapshot, MalformedJsonGivesFileLineAndColumn) {
  struct syntax_case {
    std::string text;
    std::string prefix;
  };
  const std::vector<syntax_case> cases{
      {"{\n  \"format\": 1,\n  \"schemas\": [,]\n}", "snap.json:3:15: malformed JSON"},
      {"{\"format\": 1,}", "snap.json:1:14: malformed JSON"},
      {"", "snap.json:1:1: malformed JSON"},
      {"{\n\n  \"format\" 1}", "snap.json:3:12: malformed JSON"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.text);
    try {
      (void)read_snapshot(c.text, "snap.json");
      ADD_FAILURE() << "no error";
    } catch (const file_error& e) {
      EXPECT_EQ(std::string(e.what()).substr(0, c.prefix.size()), c.prefix) << e.what();
      EXPECT_EQ(e.file(), "snap.json");
      EXPECT_EQ(e.json_path(), "");
    }
  }
}

TEST(Snapshot, UnknownTypeNamesTheExactJsonPath) {
  const std::string text =
      snapshot_with(R"([{"name": "t", "columns": [{"name": "id", "type": "bigint"}, {"name": "x", "type": "varchr"}]}])");
  try {
    (void)read_snapshot(text, "models/snapshot.json");
    FAIL() << "no error";
  } catch (const file_error& e) {
    EXPECT_EQ(std::string(e.what()),
              R"(models/snapshot.json: tables[0].columns[1]: column public.t.x: unknown type "varchr": neither a )"
              R"(PostgreSQL built-in type nor a type of a declared extension (RETORT_EXTENSION("...")))");
    EXPECT_EQ(e.json_path(), "tables[0].columns[1]");
    EXPECT_EQ(e.file(), "models/snapshot.json");
  }
}

TEST(Snapshot, StructuralErrorsNameTheirPath) {
  const std::vector<error_case> cases{
      {"unknown top-level key", R"({"format": 1, "indexes": []})", "indexes", "unknown key"},
      {"unknown table key", snapshot_with(R"([{"name": "t", "colour": "red", "columns": [)" + id_col + "]}]"),
       "tables[0].colour", "unknown key"},
      {"unknown column key",
       snapshot_with(R"([{"name": "t", "columns": [{"name": "id", "type": "int", "size": 4}]}])"),
       "tables[0].columns[0].size", "unknown key"},
      {"unknown primary key key",
       snapshot_with(R"([{"name": "t", "columns": [)" + id_col + R"(], "primary_key": {"columns": ["id"], "x": 1}}])"),
       "tables[0].primary_key.x", "unknown key"},
      {"unknown reference key",
       snapshot_with(R"([{"name": "t", "columns": [)" + id_col +
                     R"(], "foreign_keys": [{"columns": ["id"], "references": {"table": "t", "columns": ["id"], "column": "id"}}]}])"),
       "tables[0].foreign_keys[0].references.column", "unknown key"},
      {"missing table name", snapshot_with(R"([{"columns": [)" + id_col + "]}]"), "tables[0].name", "missing"},
      {"empty table name", snapshot_with(R"([{"name": "", "columns": [)" + id_col + "]}]"), "tables[0].name",
       "empty name"},
      {"missing column name", snapshot_with(R"([{"name": "t", "columns": [)" + id_col + R"(, {"type": "text"}]}])"),
       "tables[0].columns[1].name", "missing"},
      {"empty column name",
       snapshot_with(R"([{"name": "t", "columns": [)" + id_col + R"(, {"name": "", "type": "text"}]}])"),
       "tables[0].columns[1].name", "empty name"},
      {"missing enum name", snapshot_with("[]", R"([{"values": ["a"]}])"), "enums[0].name", "missing"},
      {"missing column type", snapshot_with(R"([{"name": "t", "columns": [)" + id_col + R"(, {"name": "x"}]}])"),
       "tables[0].columns[1].type", "missing"},
      {"both type and enum",
       snapshot_with(R"([{"name": "t", "columns": [)" + id_col +
                         R"(, {"name": "x", "type": "text", "enum": {"name": "mood"}}]}])",
                     R"([{"name": "mood", "values": ["a"]}])"),
       "tables[0].columns[1].type", "either \"type\" or \"enum\""},
      {"wrong value type", snapshot_with(R"([{"name": "t", "columns": [{"name": "x", "type": "text", "nullable": "yes"}]}])"),
       "tables[0].columns[0].nullable", "expected true or false, found string"},
      {"tables not an array", R"({"format": 1, "tables": {}})", "tables", "expected an array, found object"},
      {"column not an object", snapshot_with(R"([{"name": "t", "columns": [)" + id_col + R"(, "note"]}])"),
       "tables[0].columns[1]", "expected an object, found string"},
      {"unknown identity", snapshot_with(R"([{"name": "t", "columns": [{"name": "id", "type": "int", "identity": "sometimes"}]}])"),
       "tables[0].columns[0].identity", "unknown value \"sometimes\" (expected one of: none, always, by_default)"},
      {"unknown foreign key action",
       snapshot_with(R"([{"name": "t", "columns": [)" + id_col + R"(], "primary_key": {"columns": ["id"]},
                         "foreign_keys": [{"columns": ["id"], "references": {"table": "t", "columns": ["id"]}, "on_delete": "explode"}]}])"),
       "tables[0].foreign_keys[0].on_delete", "unknown value \"explode\""},
      {"primary key without columns",
       snapshot_with(R"([{"name": "t", "columns": [)" + id_col + R"(], "primary_key": {"columns": []}}])"),
       "tables[0].primary_key.columns", "needs at least one column"},
      {"foreign key column count mismatch",
       snapshot_with(R"([{"name": "t", "columns": [)" + id_col + R"(], "primary_key": {"columns": ["id"]},
                         "foreign_keys": [{"columns": ["id"], "references": {"table": "t", "columns": ["id", "id"]}}]}])"),
       "tables[0].foreign_keys[0].references.columns", "2 referenced columns for 1 columns"},
      {"enum without values", snapshot_with("[]", R"([{"name": "mood", "values": []}])"), "enums[0].values",
       "an enum needs at least one value"},
  };
  for (const auto& c : cases) expect_file_error(c);
}

TEST(Snapshot, ValidationErrorsNameTheirPath) {
  const std::string long_name(64, 'n');
  const std::string max_name(63, 'n');
  const std::string users = R"({"name": "users", "columns": [{"name": "id", "type": "bigint"}, {"name": "email", "type": "text"},
                                {"name": "nick", "type": "text", "nullable": true}],
                                "primary_key": {"columns": ["id"]}, "unique": [{"columns": ["email"]}],
                                "indexes": [{"name": "ix_nick_partial", "columns": ["nick"], "unique": true, "where": "nick <> ''"}]})";
  auto referencing = [&](const std::string& fk) {
    return snapshot_with("[" + users + R"(, {"name": "orders", "columns": [{"name": "id", "type": "bigint"},
                          {"name": "user_id", "type": "bigint"}, {"name": "note", "type": "text"}], "foreign_keys": [)" + fk + "]}]");
  };
  const std::vector<error_case> cases{
      {"enum reference to an unknown enum",
       snapshot_with(R"([{"name": "t", "columns": [)" + id_col + R"(, {"name": "mood", "enum": {"name": "mood"}}]}])"),
       "tables[0].columns[1]", "column public.t.mood uses unknown enum type public.mood"},
      {"enum reference to the right name in the wrong schema",
       snapshot_with(R"([{"name": "t", "columns": [{"name": "mood", "enum": {"schema": "app", "name": "mood"}}]}])",
                     R"([{"name": "mood", "values": ["a"]}])", R"(["app"])"),
       "tables[0].columns[0]", "column public.t.mood uses unknown enum type app.mood"},
      {"foreign key to a missing table",
       referencing(R"({"name": "fk_x", "columns": ["user_id"], "references": {"table": "people", "columns": ["id"]}})"),
       "tables[1].foreign_keys[0]", "foreign key fk_x of table public.orders references unknown table public.people"},
      {"foreign key to a missing column",
       referencing(R"({"name": "fk_x", "columns": ["user_id"], "references": {"table": "users", "columns": ["uid"]}})"),
       "tables[1].foreign_keys[0]", "table public.users names unknown column \"uid\""},
      {"foreign key from a missing column",
       referencing(R"({"name": "fk_x", "columns": ["owner_id"], "references": {"table": "users", "columns": ["id"]}})"),
       "tables[1].foreign_keys[0]", "foreign key fk_x of table public.orders names unknown column \"owner_id\""},
      {"foreign key to non-unique columns",
       referencing(R"({"name": "fk_x", "columns": ["user_id", "note"], "references": {"table": "users", "columns": ["id", "email"]}})"),
       "tables[1].foreign_keys[0]",
       "foreign key fk_x references public.users(id, email), which is neither its primary key nor a unique constraint"},
      {"foreign key to a partial unique index only",
       referencing(R"({"name": "fk_x", "columns": ["note"], "references": {"table": "users", "columns": ["nick"]}})"),
       "tables[1].foreign_keys[0]", "neither its primary key nor a unique constraint"},
      {"duplicate table",
       snapshot_with(R"([{"name": "t", "columns": [)" + id_col + R"(]}, {"name": "t", "columns": [)" + note_col + "]}]"),
       "tables[1]", "table public.t has the same name as table public.t"},
      {"duplicate column",
       snapshot_with(R"([{"name": "t", "columns": [)" + id_col + "," + note_col + "," + id_col + "]}]"),
       "tables[0].columns[2]", "table public.t has two columns named \"id\""},
      {"two constraints with the same name",
       snapshot_with(R"([{"name": "t", "columns": [)" + id_col + "," + note_col +
                     R"(], "unique": [{"name": "dup", "columns": ["id"]}], "checks": [{"name": "dup", "expression": "id > 0"}]}])"),
       "tables[0].checks[0]", "table public.t has two constraints or indexes named \"dup\""},
      {"index named like a unique constraint",
       snapshot_with(R"([{"name": "t", "columns": [)" + id_col + "," + note_col +
                     R"(], "unique": [{"name": "dup", "columns": ["id"]}], "indexes": [{"name": "dup", "columns": ["note"]}]}])"),
       "tables[0].indexes[0]", "table public.t has two constraints or indexes named \"dup\""},
      {"index named like another table's index",
       snapshot_with(R"([{"name": "t", "columns": [)" + id_col + R"(], "indexes": [{"name": "ix_shared", "columns": ["id"]}]},
                         {"name": "u", "columns": [)" + id_col + R"(], "indexes": [{"name": "ix_shared", "columns": ["id"]}]}])"),
       "tables[1].indexes[0]",
       "index of table public.u public.ix_shared has the same name as index of table public.t public.ix_shared"},
      {"table named like an index",
       snapshot_with(R"([{"name": "t", "columns": [)" + id_col + R"(], "indexes": [{"name": "u", "columns": ["id"]}]},
                         {"name": "u", "columns": [)" + id_col + "]}]"),
       "tables[1]", "table public.u has the same name as index of table public.t public.u"},
      {"table named like an enum", snapshot_with(R"([{"name": "mood", "columns": [)" + id_col + "]}]",
                                                 R"([{"name": "mood", "values": ["a"]}])"),
       "tables[0]", "table public.mood has the same name as enum type public.mood"},
      {"nullable primary key column",
       snapshot_with(R"([{"name": "t", "columns": [)" + id_col + "," + note_col + R"(], "primary_key": {"columns": ["id", "note"]}}])"),
       "tables[0].primary_key", "primary key column public.t.note cannot be nullable"},
      {"primary key on an unknown column",
       snapshot_with(R"([{"name": "t", "columns": [)" + id_col + R"(], "primary_key": {"columns": ["uid"]}}])"),
       "tables[0].primary_key", "primary key of table public.t names unknown column \"uid\""},
      {"unique naming a column twice",
       snapshot_with(R"([{"name": "t", "columns": [)" + id_col + R"(], "unique": [{"columns": ["id", "id"]}]}])"),
       "tables[0].unique[0]", "names column \"id\" twice"},
      {"identity on text",
       snapshot_with(R"([{"name": "t", "columns": [)" + id_col + R"(, {"name": "code", "type": "text", "identity": "always"}]}])"),
       "tables[0].columns[1]", "identity column public.t.code must be smallint, integer or bigint"},
      {"identity on an integer array",
       snapshot_with(R"([{"name": "t", "columns": [{"name": "ids", "type": "int[]", "identity": "always"}]}])"),
       "tables[0].columns[0]", "identity column public.t.ids must be smallint, integer or bigint"},
      {"nullable identity",
       snapshot_with(R"([{"name": "t", "columns": [{"name": "id", "type": "int", "nullable": true, "identity": "by_default"}]}])"),
       "tables[0].columns[0]", "identity column public.t.id cannot be nullable"},
      {"identity with a default",
       snapshot_with(R"([{"name": "t", "columns": [{"name": "id", "type": "int", "default": "1", "identity": "always"}]}])"),
       "tables[0].columns[0]", "identity column public.t.id cannot also have a default"},
      {"table name longer than 63 bytes", snapshot_with(R"([{"name": ")" + long_name + R"(", "columns": [)" + id_col + "]}]"),
       "tables[0].name", "name \"" + long_name + "\" is 64 bytes; PostgreSQL allows 63"},
      {"column name longer than 63 bytes",
       snapshot_with(R"([{"name": "t", "columns": [)" + id_col + R"(, {"name": ")" + long_name + R"(", "type": "text"}]}])"),
       "tables[0].columns[1].name", "is 64 bytes; PostgreSQL allows 63"},
      {"index name longer than 63 bytes",
       snapshot_with(R"([{"name": "t", "columns": [)" + id_col + R"(], "indexes": [{"name": ")" + long_name + R"(", "columns": ["id"]}]}])"),
       "tables[0].indexes[0].name", "is 64 bytes; PostgreSQL allows 63"},
      {"check name longer than 63 bytes",
       snapshot_with(R"([{"name": "t", "columns": [)" + id_col + R"(], "checks": [{"name": ")" + long_name + R"(", "expression": "id > 0"}]}])"),
       "tables[0].checks[0].name", "is 64 bytes; PostgreSQL allows 63"},
      {"enum name longer than 63 bytes", snapshot_with("[]", R"([{"name": ")" + long_name + R"(", "values": ["a"]}])"),
       "enums[0].name", "is 64 bytes; PostgreSQL allows 63"},
      {"enum value longer than 63 bytes", snapshot_with("[]", R"([{"name": "mood", "values": ["a", ")" + long_name + R"("]}])"),
       "enums[0].values[1]", "is 64 bytes; PostgreSQL allows 63"},
      {"schema name longer than 63 bytes", snapshot_with("[]", "[]", R"([")" + long_name + R"("])"), "schemas[0]",
       "is 64 bytes; PostgreSQL allows 63"},
      {"table in an undeclared schema", snapshot_with(R"([{"schema": "app", "name": "t", "columns": [)" + id_col + "]}]"),
       "tables[0]", "schema \"app\" of table app.t is not declared"},
      {"duplicate schema", snapshot_with("[]", "[]", R"(["app", "app"])"), "schemas[1]", "duplicate schema \"app\""},
      {"public declared as a schema", snapshot_with("[]", "[]", R"(["public"])"), "schemas[0]",
       "duplicate schema \"public\""},
      {"duplicate enum value", snapshot_with("[]", R"([{"name": "mood", "values": ["happy", "sad", "happy"]}])"),
       "enums[0].values[2]", "enum public.mood has the value \"happy\" twice"},
      {"table without columns", snapshot_with(R"([{"name": "t", "columns": []}])"), "tables[0]",
       "table public.t has no columns"},
      {"unknown index method",
       snapshot_with(R"([{"name": "t", "columns": [)" + id_col + R"(], "indexes": [{"name": "ix", "columns": ["id"], "method": "btre"}]}])"),
       "tables[0].indexes[0]", "index ix uses unknown method \"btre\""},
      {"check with an empty expression",
       snapshot_with(R"([{"name": "t", "columns": [)" + id_col + R"(], "checks": [{"name": "ck", "expression": ""}]}])"),
       "tables[0].checks[0]", "check ck has an empty expression"},
      // An exclusion constraint's operator is written into SQL as it is: operator characters only.
      {"exclusion operator that is not an operator",
       snapshot_with(R"([{"name": "t", "columns": [)" + id_col +
                     R"(], "exclusions": [{"elements": [{"column": "id", "with": "=) DROP TABLE t; --"}]}]}])"),
       "tables[0].exclusions[0].elements[0].with", "is not an operator"},
      {"exclusion on an unknown column",
       snapshot_with(R"([{"name": "t", "columns": [)" + id_col +
                     R"(], "exclusions": [{"elements": [{"column": "uid", "with": "="}]}]}])"),
       "tables[0].exclusions[0]", "exclusion constraint ex_t_uid of table public.t names unknown column \"uid\""},
      {"exclusion named like an index",
       snapshot_with(R"([{"name": "t", "columns": [)" + id_col + R"(], "indexes": [{"name": "dup", "columns": ["id"]}],
                         "exclusions": [{"name": "dup", "elements": [{"column": "id", "with": "="}]}]}])"),
       "tables[0].exclusions[0]", "table public.t has two constraints or indexes named \"dup\""},
      {"select policy with a check expression",
       snapshot_with(R"([{"name": "t", "columns": [)" + id_col +
                     R"(], "policies": [{"name": "p", "command": "select", "with_check": "true"}]}])"),
       "tables[0].policies[0]", "policy p of table public.t: a select policy has no WITH CHECK expression"},
      {"two policies of one name",
       snapshot_with(R"([{"name": "t", "columns": [)" + id_col +
                     R"(], "policies": [{"name": "p", "using": "true"}, {"name": "p", "using": "false"}]}])"),
       "tables[0].policies[1]", "table public.t has two policies named \"p\""},
      {"policy of an unknown command",
       snapshot_with(R"([{"name": "t", "columns": [)" + id_col +
                     R"(], "policies": [{"name": "p", "command": "upsert", "using": "true"}]}])"),
       "tables[0].policies[0].command", "unknown command \"upsert\""},
  };
  for (const auto& c : cases) expect_file_error(c);

  // The limit itself is allowed everywhere.
  EXPECT_NO_THROW((void)read_snapshot(
      snapshot_with(R"([{"name": ")" + max_name + R"(", "columns": [{"name": ")" + max_name +
                    R"(", "type": "int"}], "primary_key": {"columns": [")" + max_name + R"("]}}])"),
      "snap.json"));
}

TEST(Snapshot, ErrorPathsFollowTheFileOrderNotTheSortedOrder) {
  // "b" comes first in the file and sorts last; the path must still say tables[0].
  const std::string text = snapshot_with(R"([{"name": "b", "columns": [{"name": "x", "enum": {"name": "nope"}}]},
                                             {"name": "a", "columns": [{"name": "id", "type": "int"}]}])");
  try {
    (void)read_snapshot(text, "snap.json");
    FAIL() << "no error";
  } catch (const file_error& e) {
    EXPECT_EQ(e.json_path(), "tables[0].columns[0]");
  }
}

TEST(Snapshot, ValidateThrowsModelErrorsWithAPath) {
  schema s = rich_schema();
  s.enums.push_back(s.enums.front());
  try {
    validate(s);
    FAIL() << "no error";
  } catch (const model_error& e) {
    EXPECT_EQ(e.path(), "enums[2]");
    EXPECT_NE(std::string(e.what()).find("enum type app.order_status has the same name as enum type app.order_status"),
              std::string::npos)
        << e.what();
  }

  s = rich_schema();
  s.tables[0].foreign_keys[0].ref_table.name = "nobody";
  try {
    validate(s);
    FAIL() << "no error";
  } catch (const model_error& e) {
    EXPECT_EQ(e.path(), "tables[0].foreign_keys[0]");
    EXPECT_NE(std::string(e.what()).find("references unknown table public.nobody"), std::string::npos) << e.what();
  }
}

// Sequences and partitioned tables: what PostgreSQL would refuse is an error at the element.
TEST(Snapshot, SequenceAndPartitionMistakesNameTheirPath) {
  const auto with_sequences = [](const std::string& tables, const std::string& sequences) {
    return R"({"format": 1, "tables": )" + tables + R"(, "sequences": )" + sequences + "}";
  };
  const std::string invoices =
      R"~([{"name": "invoices", "columns": [{"name": "id", "type": "bigint"}, {"name": "number", "type": "bigint", "default": "nextval('numbers'::regclass)"}]}])~";
  const std::string events = R"~({"name": "events", "columns": [{"name": "id", "type": "bigint"}, {"name": "at", "type": "timestamptz"}, {"name": "kind", "type": "text"}])~";
  const std::vector<error_case> cases{
      {"a default calls an undeclared sequence", with_sequences(invoices, "[]"), "tables[0].columns[1]",
       "calls nextval() of sequence public.numbers, which the schema does not declare"},
      {"an owner that does not exist", with_sequences(invoices, R"~([{"name": "numbers", "owned_by": "invoices.nope"}])~"),
       "sequences[0]", "sequence public.numbers is owned by unknown column public.invoices.nope"},
      {"a serial spelt as a sequence", with_sequences(invoices, R"~([{"name": "numbers", "owned_by": "invoices.number"}])~"),
       "sequences[0]", "is what a serial column is: declare the column with type = \"bigserial\""},
      {"a start outside the bounds",
       with_sequences(invoices, R"~([{"name": "numbers", "start": 5, "min_value": 10}])~"), "sequences[0]",
       "the start 5 is outside its bounds"},
      {"a sequence named as a table", with_sequences(invoices, R"~([{"name": "numbers"}, {"name": "invoices"}])~"),
       "sequences[1]", "sequence public.invoices has the same name as table public.invoices"},
      {"an unknown sequence type", with_sequences(invoices, R"~([{"name": "numbers", "type": "numeric"}])~"),
       "sequences[0].type", "unknown sequence type \"numeric\""},
      {"a primary key without the partition key",
       snapshot_with("[" + events + R"~(, "primary_key": {"columns": ["id"]}, "partition_by": "RANGE (at)"}])~"),
       "tables[0].primary_key", "primary key pk_events of partitioned table public.events must include the partition key's column at"},
      {"a unique index without the partition key",
       snapshot_with("[" + events + R"~(, "indexes": [{"columns": ["kind"], "unique": true}], "partition_by": "HASH (id)"}])~"),
       "tables[0].indexes[0]", "unique index ix_events_kind of partitioned table public.events must include"},
      {"a partition key of an unknown column", snapshot_with("[" + events + R"~(, "partition_by": "LIST (region)"}])~"),
       "tables[0]", "the partition key of table public.events names unknown column \"region\""},
      {"a list key of two columns", snapshot_with("[" + events + R"~(, "partition_by": "LIST (kind, at)"}])~"),
       "tables[0]", "a LIST partition key has exactly one column"},
      {"a partition key that is not columns", snapshot_with("[" + events + R"~(, "partition_by": "RANGE (lower(kind))"}])~"),
       "tables[0].partition_by", "invalid partition key"},
      {"an exclusion constraint on a partitioned table",
       snapshot_with("[" + events + R"~(, "exclusions": [{"elements": [{"column": "id", "with": "="}]}], "partition_by": "HASH (id)"}])~"),
       "tables[0].exclusions[0]", "PostgreSQL 15 cannot put an exclusion constraint on partitioned table public.events"},
  };
  for (const auto& c : cases) expect_file_error(c);

  // What is right reads back the same, values at their defaults left out.
  const schema s = read_snapshot(
      with_sequences("[" + events + R"~(, "primary_key": {"columns": ["id", "at"]}, "partition_by": "range (at)"}])~",
                     R"~([{"name": "numbers", "start": 1, "max_value": 9223372036854775807, "increment": 1}])~"),
      "snap.json");
  ASSERT_EQ(s.sequences.size(), 1u);
  EXPECT_EQ(s.sequences[0], (sequence{{"public", "numbers"}}));
  EXPECT_EQ(read_snapshot(write_snapshot(s), "again.json"), s);
  EXPECT_NE(write_snapshot(s).find(R"~("partition_by": "RANGE (at)")~"), std::string::npos);
}

}  // namespace
}  // namespace retort
