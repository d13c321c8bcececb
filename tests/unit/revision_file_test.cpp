// Tests of migration files: write_revision/read_revision round trip for every operation kind, canonical bytes, and reading errors with their JSON path.
#include "retort/revision.hpp"

#include <gtest/gtest.h>

#include <set>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "retort/errors.hpp"
#include "sql_object_samples.hpp"

namespace retort {
namespace {

using ops::operation;

column col(std::string name, std::string_view type, bool nullable = false) {
  column c;
  c.name = std::move(name);
  auto parsed = parse_builtin_type(type);
  EXPECT_TRUE(parsed.has_value()) << type;
  c.type = parsed.value_or(column_type{});
  c.nullable = nullable;
  return c;
}

qualified_name users_name() { return {"public", "users"}; }

// A table using every attribute a migration file can carry.
table rich_table() {
  table t;
  t.name = {"app", "accounts"};
  t.comment = "Accounts, \"quoted\" and\nmulti-line";
  t.renamed_from = {{"public", "users"}, {"app", "people"}};
  column id = col("id", "bigint");
  id.identity = identity_kind::by_default;
  column region = col("region", "smallint");
  region.identity = identity_kind::always;
  column email = col("email", "varchar(255)");
  email.comment = "login";
  email.renamed_from = {"mail", "e_mail"};
  column status;
  status.name = "status";
  status.type.kind = type_kind::enum_type;
  status.type.enum_name = {"app", "status"};
  status.server_default = "'active'::app.status";
  column balance = col("balance", "numeric(12,2)");
  balance.server_default = "0";
  balance.backfill = "0";
  t.columns = {id, region, email, status, balance, col("tags", "text[]", true), col("code", "char(3)", true)};
  t.pk = primary_key{"pk_accounts", {"id", "region"}};
  t.uniques = {{"uq_accounts_email", {"email"}}};
  t.indexes = {{"ix_accounts_status", {"status", "balance"}, false, "balance > 0", "btree"},
               {"ix_accounts_tags", {"tags"}, false, std::nullopt, "gin"},
               {"ix_accounts_code", {"code"}, true, std::nullopt, "btree"}};
  t.checks = {{"ck_accounts_balance", "balance >= 0"}};
  index_key lowered = index_key::of_expression("lower(code)");
  lowered.opclass = "gist_text_ops";
  t.exclusions = {{"ex_accounts_region_code", {{index_key{"region"}, "="}, {lowered, "<>"}}, "gist", {"balance"},
                   "balance > 0", deferral::initially_deferred}};
  t.rls = {true, true};
  t.policies = {{"accounts_own", policy_command::update, true, {"app_user", "auditor"}, "email = current_user",
                 "balance >= 0"},
                {"accounts_all", policy_command::all, false, {}, std::nullopt, std::nullopt}};
  return t;
}

exclusion_constraint no_overlap() {
  return {"ex_bookings_room_during", {{index_key{"room"}, "="}, {index_key{"during"}, "&&"}}, "gist", {}, std::nullopt,
          deferral::not_deferrable};
}

policy own_rows() { return {"own_rows", policy_command::select, false, {"reader"}, "owner = current_user", std::nullopt}; }

foreign_key rich_fk() {
  return {"fk_orders_account", {"account_id", "region"}, {"app", "accounts"}, {"id", "region"},
          fk_action::set_null, fk_action::cascade};
}

// One operation of every kind, each with non-default values in every field it has.
std::vector<operation> every_operation() {
  column nullable_email = col("email", "text", true);
  nullable_email.server_default = "''";
  nullable_email.comment = "now optional";
  return {
      ops::create_schema{"app"},
      ops::drop_schema{"legacy"},
      ops::create_enum{{{"app", "status"}, {"active", "blocked", "gone"}}},
      ops::drop_enum{{{"public", "mood"}, {"happy", "sad"}}},
      ops::add_enum_value{{"app", "status"}, "pending", "active"},
      ops::drop_enum_value{{"app", "status"}, "gone", std::nullopt},
      ops::rename_enum_value{{"app", "status"}, "blocked", "On Hold"},
      ops::create_table{rich_table()},
      ops::drop_table{rich_table()},
      ops::rename_table{users_name(), {"app", "members"}},
      ops::set_table_comment{users_name(), std::nullopt, "People"},
      ops::add_column{users_name(), col("phone", "varchar(20)", true)},
      ops::drop_column{users_name(), col("fax", "text", true)},
      ops::rename_column{users_name(), "login", "username"},
      ops::alter_column{users_name(), col("email", "varchar(100)"), nullable_email,
                        ops::change_type | ops::change_nullable | ops::change_default | ops::change_comment},
      ops::backfill_column{users_name(), "phone", "'unknown'", std::nullopt},
      ops::add_primary_key{users_name(), {"pk_users", {"id"}}},
      ops::drop_primary_key{users_name(), {"pk_users_old", {"id", "email"}}},
      ops::add_unique{users_name(), {"uq_users_email", {"email"}}},
      ops::drop_unique{users_name(), {"uq_users_login", {"login", "tenant"}}},
      ops::add_check{users_name(), {"ck_users_email", "email LIKE '%@%'"}},
      ops::drop_check{users_name(), {"ck_users_age", "age >= 0"}},
      ops::create_index{users_name(), {"ix_users_active", {"email"}, true, "active", "hash"}},
      ops::drop_index{users_name(), {"ix_users_old", {"email", "login"}, false, std::nullopt, "btree"}},
      ops::add_foreign_key{{"app", "orders"}, rich_fk()},
      ops::drop_foreign_key{{"app", "orders"}, rich_fk()},
      ops::rename_index{users_name(), "ix_a", "ix_b"},
      ops::rename_constraint{users_name(), "uq_a", "uq_b"},
      ops::sql{"UPDATE users SET email = lower(email);\n-- done", "SELECT 1"},
      ops::sql{"DELETE FROM sessions", std::nullopt},
      ops::sql{"INSERT INTO catalog.kinds VALUES (1)", "DELETE FROM catalog.kinds", true, std::nullopt, "catalog"},
      ops::cpp{ops::cpp::function::downgrade},
      ops::set_table_comment{users_name(), "People", std::nullopt},
      ops::create_extension{{"pg_trgm", "ext", "1.6"}},
      ops::drop_extension{{"citext", "public", std::nullopt}},
      ops::alter_extension{{"citext", "public", "1.5"}, {"citext", "ext", std::nullopt}},
      ops::create_view{[] {
        view v;
        v.name = {"app", "order_totals"};
        v.columns = {{"user_id", col("user_id", "bigint").type}, {"n", col("n", "bigint").type}};
        v.query = "SELECT user_id, count(*) FROM orders GROUP BY user_id";
        v.reads = {{"app", "orders"}};
        v.materialized = true;
        v.indexes = {index{"ix_order_totals_user_id", {"user_id"}, true, std::nullopt, "btree"}};
        return v;
      }()},
      ops::drop_view{[] {
        view v;
        v.name = {"public", "ids"};
        v.columns = {{"id", col("id", "bigint").type}};
        v.query = "SELECT id FROM users";
        v.reads = {users_name()};
        return v;
      }()},
      ops::replace_view{[] {
                          view v;
                          v.name = {"public", "ids"};
                          v.columns = {{"id", col("id", "bigint").type}};
                          v.query = "SELECT id FROM users";
                          v.reads = {users_name()};
                          return v;
                        }(),
                        [] {
                          view v;
                          v.name = {"public", "ids"};
                          v.columns = {{"id", col("id", "bigint").type}, {"email", col("email", "text").type}};
                          v.query = "SELECT id, email FROM users WHERE id > 0";
                          v.reads = {users_name()};
                          return v;
                        }()},
      ops::add_exclusion{{"app", "bookings"}, no_overlap()},
      ops::drop_exclusion{{"app", "bookings"}, no_overlap()},
      ops::set_row_level_security{users_name(), {true, false}, {false, true}},
      ops::create_policy{users_name(), own_rows()},
      ops::drop_policy{users_name(), own_rows()},
      ops::alter_policy{users_name(), own_rows(),
                        {"own_rows", policy_command::select, false, {"admin", "reader"}, "owner = session_user", std::nullopt}},
      ops::create_sequence{[] {
        sequence q;
        q.name = {"billing", "invoice_numbers"};
        q.type = "integer";
        q.increment = -2;
        q.start = -1000;
        q.min_value = -5000;
        q.cache = 10;
        q.cycle = true;
        q.owned_by = sequence_owner{"invoices", "number"};
        return q;
      }()},
      ops::drop_sequence{[] {
        sequence q;
        q.name = {"public", "old_numbers"};
        return q;
      }()},
      ops::alter_sequence{[] {
                            sequence q;
                            q.name = {"public", "n"};
                            return q;
                          }(),
                          [] {
                            sequence q;
                            q.name = {"public", "n"};
                            q.max_value = 99;
                            return q;
                          }()},
      ops::alter_column{users_name(), col("id", "integer"), [] {
                          column c = col("id", "integer");
                          c.identity = identity_kind::always;
                          return c;
                        }(),
                        ops::change_identity},
      ops::create_sql_object{testing::touch_function()},
      ops::drop_sql_object{testing::touch_trigger(users_name(), {"public", "touch"})},
      ops::replace_sql_object{testing::add_one_function(), testing::add_one_function("y")},
  };
}

revision full_revision() {
  revision r;
  r.id = "4f2a9c1be0d3";
  r.parents = {"0a1b2c3d4e5f", "ffeeddccbbaa"};
  r.message = "every operation \"at once\"\nwith a second line";
  r.created = "2026-11-25T04:49:48Z";
  r.upgrade = every_operation();
  r.downgrade = {ops::drop_schema{"app"}, ops::sql{"SELECT 2", std::nullopt}};
  return r;
}

void expect_same_revision(const revision& actual, const revision& expected) {
  EXPECT_EQ(actual.id, expected.id);
  EXPECT_EQ(actual.parents, expected.parents);
  EXPECT_EQ(actual.message, expected.message);
  EXPECT_EQ(actual.created, expected.created);
  ASSERT_EQ(actual.upgrade.size(), expected.upgrade.size());
  for (std::size_t i = 0; i < expected.upgrade.size(); ++i)
    EXPECT_TRUE(actual.upgrade[i] == expected.upgrade[i]) << "upgrade[" << i << "]: " << ops::describe(expected.upgrade[i]);
  ASSERT_EQ(actual.downgrade.size(), expected.downgrade.size());
  for (std::size_t i = 0; i < expected.downgrade.size(); ++i)
    EXPECT_TRUE(actual.downgrade[i] == expected.downgrade[i])
        << "downgrade[" << i << "]: " << ops::describe(expected.downgrade[i]);
}

TEST(RevisionFile, TheTestRevisionHoldsEveryOperationKind) {
  std::set<std::size_t> kinds;
  for (const auto& op : every_operation()) kinds.insert(op.index());
  EXPECT_EQ(kinds.size(), std::variant_size_v<operation>);
}

TEST(RevisionFile, RoundTripsEveryOperationKind) {
  const revision r = full_revision();
  const std::string text = write_revision(r);
  const revision back = read_revision(text, "versions/4f2a9c1be0d3.json");
  expect_same_revision(back, r);
}

TEST(RevisionFile, EachOperationRoundTripsAlone) {
  for (const auto& op : every_operation()) {
    SCOPED_TRACE(ops::describe(op));
    revision r;
    r.id = "abc";
    r.upgrade = {op};
    r.downgrade = {op};
    const revision back = read_revision(write_revision(r), "one.json");
    ASSERT_EQ(back.upgrade.size(), 1u);
    EXPECT_TRUE(back.upgrade.front() == op);
    ASSERT_EQ(back.downgrade.size(), 1u);
    EXPECT_TRUE(back.downgrade.front() == op);
  }
}

TEST(RevisionFile, CanonicalBytesAreStable) {
  const revision r = full_revision();
  const std::string text = write_revision(r);
  EXPECT_EQ(write_revision(r), text);
  EXPECT_EQ(write_revision(read_revision(text, "a.json")), text);
  EXPECT_EQ(text.back(), '\n');
  // The in-memory-only fields are not part of the file.
  revision with_origin = r;
  with_origin.file = "versions/x.json";
  with_origin.checksum = std::string(64, 'a');
  EXPECT_EQ(write_revision(with_origin), text);
}

// The compact layout: an element on one line, an operation on one when it fits in 120 columns.
const char* const small_golden = R"json({
  "format": 1,
  "id": "a1b2c3d4e5f6",
  "parents": ["0123456789ab"],
  "message": "add users.phone",
  "created": "2026-11-25T04:49:48Z",
  "upgrade": [
    {
      "op": "add_column",
      "table": {"schema": "public", "name": "users"},
      "column": {"name": "phone", "type": "varchar(20)", "nullable": true}
    },
    {"op": "sql", "up": "UPDATE users SET phone = ''", "down": null}
  ],
  "downgrade": [
    {
      "op": "drop_column",
      "table": {"schema": "public", "name": "users"},
      "column": {"name": "phone", "type": "varchar(20)", "nullable": true}
    }
  ]
}
)json";

// The layout files had before the compact one: one value per line, whole columns.
const char* const small_golden_earlier_layout = R"json({
  "format": 1,
  "id": "a1b2c3d4e5f6",
  "parents": [
    "0123456789ab"
  ],
  "message": "add users.phone",
  "created": "2026-11-25T04:49:48Z",
  "upgrade": [
    {
      "op": "add_column",
      "table": {
        "schema": "public",
        "name": "users"
      },
      "column": {
        "name": "phone",
        "type": "varchar(20)",
        "nullable": true
      }
    },
    {
      "op": "sql",
      "up": "UPDATE users SET phone = ''",
      "down": null
    }
  ],
  "downgrade": [
    {
      "op": "drop_column",
      "table": {
        "schema": "public",
        "name": "users"
      },
      "column": {
        "name": "phone",
        "type": "varchar(20)",
        "nullable": true
      }
    }
  ]
}
)json";

TEST(RevisionFile, GoldenTextOfASmallRevision) {
  revision r;
  r.id = "a1b2c3d4e5f6";
  r.parents = {"0123456789ab"};
  r.message = "add users.phone";
  r.created = "2026-11-25T04:49:48Z";
  r.upgrade = {ops::add_column{users_name(), col("phone", "varchar(20)", true)},
               ops::sql{"UPDATE users SET phone = ''", std::nullopt}};
  r.downgrade = {ops::drop_column{users_name(), col("phone", "varchar(20)", true)}};
  EXPECT_EQ(write_revision(r), small_golden);
  expect_same_revision(read_revision(small_golden, "golden.json"), r);
  expect_same_revision(read_revision(small_golden_earlier_layout, "earlier.json"), r);
}

// An initial revision of thousands of operations is read on several threads: the operations
// and their notes keep their places, and of two mistakes the first is the one reported.
TEST(RevisionFile, ThousandsOfOperationsKeepTheirOrderNotesAndFirstMistake) {
  auto text = [](int bad_at, int also_bad_at) {
    std::string upgrade;
    for (int i = 0; i < 3000; ++i) {
      std::string op = fmt::format(R"js({{"op": "create_schema", "name": "s{}"}})js", i);
      if (i == 1234) op.insert(op.size() - 1, R"js(, "allow": [{"rule": "drop-table", "reason": "r"}])js");
      if (i == bad_at || i == also_bad_at) op.insert(op.size() - 1, R"js(, "colour": "red")js");
      upgrade += (i ? ", " : "") + op;
    }
    return fmt::format(R"js({{"format": 1, "id": "big", "parents": [], "upgrade": [{}], "downgrade": []}})js", upgrade);
  };
  const revision r = read_revision(text(-1, -1), "big.json");
  ASSERT_EQ(r.upgrade.size(), 3000u);
  for (int i = 0; i < 3000; ++i) EXPECT_EQ(std::get<ops::create_schema>(r.upgrade[i]).name, fmt::format("s{}", i));
  ASSERT_EQ(r.upgrade_notes.size(), 1u);
  EXPECT_EQ(r.upgrade_notes.at(1234).allow.at(0).rule, "drop-table");
  for (int round = 0; round < 5; ++round) {
    try {
      (void)read_revision(text(2900, 700), "big.json");
      FAIL() << "accepted";
    } catch (const error& e) {
      EXPECT_NE(std::string(e.what()).find("upgrade[700].colour"), std::string::npos) << e.what();
    }
  }
}

TEST(RevisionFile, WriteOperationsIsAJsonArray) {
  EXPECT_EQ(write_operations({}), "[]\n");
  EXPECT_EQ(write_operations({ops::create_schema{"app"}}), "[\n  {\"op\": \"create_schema\", \"name\": \"app\"}\n]\n");
}

TEST(RevisionFile, OptionalFieldsMayBeOmitted) {
  const revision r = read_revision(R"({"format": 1, "id": "base", "parents": [], "upgrade": [
      {"op": "add_enum_value", "enum": {"name": "mood"}, "value": "meh"},
      {"op": "set_table_comment", "table": {"name": "t"}, "to": "hello"},
      {"op": "sql", "up": "SELECT 1"}], "downgrade": []})",
                                   "base.json");
  EXPECT_EQ(r.id, "base");
  EXPECT_TRUE(r.parents.empty());
  EXPECT_EQ(r.message, "");
  EXPECT_EQ(r.created, "");
  ASSERT_EQ(r.upgrade.size(), 3u);
  EXPECT_TRUE(r.upgrade[0] == operation(ops::add_enum_value{{"public", "mood"}, "meh", std::nullopt}));
  EXPECT_TRUE(r.upgrade[1] == operation(ops::set_table_comment{{"public", "t"}, std::nullopt, "hello"}));
  EXPECT_TRUE(r.upgrade[2] == operation(ops::sql{"SELECT 1", std::nullopt}));
}

// --- errors ---------------------------------------------------------------------------------

std::string revision_text(const std::string& upgrade, const std::string& downgrade = "[]") {
  return R"({"format": 1, "id": "r1", "parents": ["r0"], "message": "m", "created": "2026-01-01T00:00:00Z", "upgrade": )" +
         upgrade + R"(, "downgrade": )" + downgrade + "}";
}

struct error_case {
  std::string label;
  std::string text;
  std::string path;     ///< expected json_path()
  std::string message;  ///< expected to follow "rev.json: <path>: " in what()
};

void expect_file_error(const error_case& c) {
  SCOPED_TRACE(c.label);
  try {
    (void)read_revision(c.text, "rev.json");
    ADD_FAILURE() << "no error for: " << c.text;
  } catch (const file_error& e) {
    EXPECT_EQ(e.file(), "rev.json");
    EXPECT_EQ(e.json_path(), c.path);
    const std::string expected_start = c.path.empty() ? "rev.json: " : "rev.json: " + c.path + ": ";
    const std::string what = e.what();
    EXPECT_EQ(what.substr(0, expected_start.size()), expected_start) << what;
    EXPECT_NE(what.find(c.message, expected_start.size()), std::string::npos)
        << "message: " << what << "\nexpected to contain: " << c.message;
  }
}

const std::string schema_op = R"({"op": "create_schema", "name": "app"})";
const std::string users_json = R"({"schema": "public", "name": "users"})";

TEST(RevisionFile, UnknownOperationNamesItsPath) {
  const std::string text = revision_text(
      "[" + schema_op + ", " + schema_op + R"(, {"op": "add_colum", "table": )" + users_json +
      R"(, "column": {"name": "x", "type": "text"}}])");
  try {
    (void)read_revision(text, "versions/r1.json");
    FAIL() << "no error";
  } catch (const file_error& e) {
    const std::string what = e.what();
    EXPECT_EQ(e.json_path(), "upgrade[2].op");
    EXPECT_EQ(e.file(), "versions/r1.json");
    const std::string start = R"(versions/r1.json: upgrade[2].op: unknown operation "add_colum")";
    EXPECT_EQ(what.substr(0, start.size()), start) << what;
    // The message lists the known operations, so the typo is easy to fix.
    EXPECT_NE(what.find("add_column"), std::string::npos) << what;
    EXPECT_NE(what.find("rename_constraint"), std::string::npos) << what;
  }
}

TEST(RevisionFile, ReadingErrorsNameTheirPath) {
  const std::string add_x = R"({"op": "add_column", "table": )" + users_json + R"(, "column": {"name": "x", "type": "text"}})";
  const std::vector<error_case> cases{
      {"wrong format version",
       R"({"format": 2, "id": "r1", "parents": [], "upgrade": [], "downgrade": []})", "format",
       "migration format 2 is not supported by this Retort (it reads format 1)"},
      {"format as a string", R"({"format": "1", "id": "r1", "parents": [], "upgrade": [], "downgrade": []})", "format",
       "expected an integer, found string"},
      {"missing format", R"({"id": "r1", "parents": [], "upgrade": [], "downgrade": []})", "format", "missing"},
      {"missing parents", R"({"format": 1, "id": "r1", "upgrade": [], "downgrade": []})", "parents", "missing"},
      {"parents not a list", R"({"format": 1, "id": "r1", "parents": "r0", "upgrade": [], "downgrade": []})",
       "parents", "expected an array, found string"},
      {"parent not a string", R"({"format": 1, "id": "r1", "parents": [7], "upgrade": [], "downgrade": []})",
       "parents[0]", "expected a string, found number"},
      {"missing id", R"({"format": 1, "parents": [], "upgrade": [], "downgrade": []})", "id", "missing"},
      {"empty id", R"({"format": 1, "id": "", "parents": [], "upgrade": [], "downgrade": []})", "id",
       "empty revision id"},
      {"missing upgrade", R"({"format": 1, "id": "r1", "parents": [], "downgrade": []})", "upgrade", "missing"},
      {"missing downgrade", R"({"format": 1, "id": "r1", "parents": [], "upgrade": []})", "downgrade", "missing"},
      {"unknown top-level key",
       R"({"format": 1, "id": "r1", "parents": [], "upgrade": [], "downgrade": [], "author": "me"})", "author",
       "unknown key"},
      {"not an object", "[]", "", "expected an object, found array"},
      {"unknown key in an operation",
       revision_text(R"([{"op": "create_schema", "name": "app", "if_not_exists": true}])"), "upgrade[0].if_not_exists",
       "unknown key"},
      {"key of another operation kind",
       revision_text("[" + add_x + R"(, {"op": "rename_column", "table": )" + users_json +
                     R"(, "from": "a", "to": "b", "column": "a"}])"),
       "upgrade[1].column", "unknown key"},
      {"unknown key inside a column",
       revision_text(R"([{"op": "add_column", "table": )" + users_json + R"(, "column": {"name": "x", "type": "text", "colour": 1}}])"),
       "upgrade[0].column.colour", "unknown key"},
      {"unknown operation in the downgrade", revision_text("[]", R"([{"op": "drop_colum"}])"), "downgrade[0].op",
       "unknown operation \"drop_colum\""},
      {"operation without op", revision_text(R"([{"name": "app"}])"), "upgrade[0].op", "missing"},
      {"op not a string", revision_text(R"([{"op": 3}])"), "upgrade[0].op", "expected a string, found number"},
      {"operation not an object", revision_text(R"(["create_schema"])"), "upgrade[0]",
       "expected an object, found string"},
      {"missing field of an operation", revision_text(R"([{"op": "add_column", "table": )" + users_json + "}]"),
       "upgrade[0].column", "missing"},
      {"a column type that is no type's spelling",
       revision_text("[]", R"([{"op": "drop_column", "table": )" + users_json + R"(, "column": {"name": "x", "type": "varchar(20"}}])"),
       "downgrade[0].column.type", "invalid type \"varchar(20\""},
      {"alter_column that renames",
       revision_text(R"([{"op": "alter_column", "table": )" + users_json +
                     R"(, "changes": ["type"], "from": {"name": "a", "type": "int"}, "to": {"name": "b", "type": "bigint"}}])"),
       "upgrade[0].to.name", "alter_column cannot rename; use rename_column"},
      {"unknown change",
       revision_text(R"([{"op": "alter_column", "table": )" + users_json +
                     R"(, "changes": ["type", "colour"], "from": {"name": "a", "type": "int"}, "to": {"name": "a", "type": "bigint"}}])"),
       "upgrade[0].changes[1]", "unknown change \"colour\""},
      {"foreign key with an unknown action",
       revision_text(R"([{"op": "add_foreign_key", "table": )" + users_json +
                     R"(, "foreign_key": {"name": "fk", "columns": ["a"], "references": {"table": "t", "columns": ["id"]}, "on_update": "boom"}}])"),
       "upgrade[0].foreign_key.on_update", "unknown value \"boom\""},
      {"enum without values", revision_text(R"([{"op": "create_enum", "enum": {"name": "mood", "values": []}}])"),
       "upgrade[0].enum.values", "an enum needs at least one value"},
      {"sql without up", revision_text(R"([{"op": "sql", "down": "SELECT 1"}])"), "upgrade[0].up", "missing"},
      {"cpp step without its function", revision_text(R"([{"op": "cpp"}])"), "upgrade[0].run", "missing"},
      {"cpp step running something else", revision_text(R"([{"op": "cpp", "run": "main"}])"), "upgrade[0].run",
       "a cpp step runs the revision's registered \"upgrade\" or \"downgrade\" function"},
  };
  for (const auto& c : cases) expect_file_error(c);
}

// Issue 10, item 6: files are held to the rules models are held to, and nothing is guessed.
TEST(RevisionFile, IdentifiersOverSixtyThreeBytesAreRefusedWithTheirPath) {
  const std::string long_name(64, 'n');
  const std::string add = R"({"op": "add_column", "table": )" + users_json + R"(, "column": {"name": ")" + long_name +
                          R"(", "type": "text", "nullable": true}})";
  const std::vector<error_case> cases{
      {"column name", revision_text("[" + add + "]"), "upgrade[0].column.name",
       "name \"" + long_name + "\" is 64 bytes; PostgreSQL allows 63"},
      {"table name", revision_text(R"([{"op": "create_schema", "name": ")" + long_name + R"("}])"), "upgrade[0].name",
       "is 64 bytes"},
      {"renamed column",
       revision_text(R"([{"op": "rename_column", "table": )" + users_json + R"(, "from": "a", "to": ")" + long_name + R"("}])"),
       "upgrade[0].to", "is 64 bytes"},
      {"index column", revision_text(R"([{"op": "create_index", "table": )" + users_json +
                                     R"(, "index": {"name": "ix", "columns": [")" + long_name + R"("]}}])"),
       "upgrade[0].index.columns[0]", "is 64 bytes"},
      {"referenced table", revision_text(R"([{"op": "add_foreign_key", "table": )" + users_json +
                                         R"(, "foreign_key": {"name": "fk", "columns": ["a"], "references": {"table": ")" +
                                         long_name + R"(", "columns": ["id"]}}}])"),
       "upgrade[0].foreign_key.references.table", "is 64 bytes"},
  };
  for (const auto& c : cases) expect_file_error(c);
  // 63 bytes is the limit, not past it.
  EXPECT_NO_THROW((void)read_revision(revision_text(R"([{"op": "create_schema", "name": ")" + std::string(63, 'n') + R"("}])"),
                                      "rev.json"));
}

TEST(RevisionFile, AFormatBeyondIntIsNotReadAsAnother) {
  // 4294967297 is 2^32 + 1: truncated to 32 bits it would be format 1.
  expect_file_error({"format 2^32 + 1", R"({"format": 4294967297, "id": "r1", "parents": [], "upgrade": [], "downgrade": []})",
                     "format", "migration format 4294967297 is not supported"});
  expect_file_error({"format beyond 64 bits",
                     R"({"format": 18446744073709551617, "id": "r1", "parents": [], "upgrade": [], "downgrade": []})",
                     "", "malformed JSON"});  // no number a 64-bit integer cannot hold is read at all
}

TEST(RevisionFile, DuplicatedKeysAreRefusedWithTheirPath) {
  expect_file_error({"top level", R"({"format": 1, "id": "r1", "id": "r2", "parents": [], "upgrade": [], "downgrade": []})",
                     "id", "duplicated key"});
  expect_file_error({"inside an operation",
                     revision_text(R"([{"op": "create_schema", "name": "app"}, {"op": "create_schema", "name": "a", "name": "b"}])"),
                     "upgrade[1].name", "duplicated key"});
}

TEST(RevisionFile, AByteOrderMarkIsSkipped) {
  const std::string text = revision_text(R"([{"op": "create_schema", "name": "app"}])");
  const revision plain = read_revision(text, "rev.json");
  const revision marked = read_revision("\xEF\xBB\xBF" + text, "rev.json");
  expect_same_revision(marked, plain);
}

TEST(RevisionFile, AHugeValueIsNotEchoedWhole) {
  const std::string huge(10 * 1024 * 1024, 'x');
  try {
    (void)read_revision(revision_text(R"([{"op": ")" + huge + R"("}])"), "rev.json");
    FAIL() << "no error";
  } catch (const file_error& e) {
    const std::string what = e.what();
    EXPECT_LT(what.size(), 1000u);
    EXPECT_NE(what.find("unknown operation \"" + std::string(80, 'x') + "\u2026 (10485760 bytes)\""), std::string::npos)
        << what.substr(0, 300);
  }
  try {  // an unknown key is echoed in the path
    (void)read_revision(R"({"format": 1, ")" + huge + R"(": 1})", "rev.json");
    FAIL() << "no error";
  } catch (const file_error& e) {
    EXPECT_LT(std::string(e.what()).size(), 1000u);
  }
}

TEST(RevisionFile, MalformedJsonGivesFileLineAndColumn) {
  const std::string text = "{\n  \"format\": 1,\n  \"id\": \"r1\"\n  \"parents\": []\n}";
  try {
    (void)read_revision(text, "rev.json");
    FAIL() << "no error";
  } catch (const file_error& e) {
    // The missing comma is found at the string "parents" on line 4 (columns 3 to 11); the
    // parser reports where it stopped reading, somewhere inside that token.
    const std::string what = e.what();
    const std::string start = "rev.json:4:";
    ASSERT_EQ(what.substr(0, start.size()), start) << what;
    const int column = std::stoi(what.substr(start.size()));
    EXPECT_GE(column, 3) << what;
    EXPECT_LE(column, 11) << what;
    EXPECT_NE(what.find(": malformed JSON"), std::string::npos) << what;
    EXPECT_EQ(e.file(), "rev.json");
    EXPECT_EQ(e.json_path(), "");
  }
}

}  // namespace
}  // namespace retort

namespace retort {
namespace {

// Found by the readers' fuzz target: a number too large for any type made the JSON parser
// throw an exception that was not a file_error.
TEST(RevisionFile, NumberTooLargeIsMalformedJson) {
  const std::string text = R"({"format": 1, "id": "r1", "parents": [2e66124], "upgrade": [], "downgrade": []})";
  try {
    (void)read_revision(text, "rev.json");
    FAIL() << "no error";
  } catch (const file_error& e) {
    EXPECT_EQ(std::string(e.what()).substr(0, 25), "rev.json: malformed JSON:") << e.what();
    EXPECT_NE(std::string(e.what()).find("number overflow"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace retort
