// Tests of operations as data: name_of, describe, is_destructive and inverse for every kind, and inverting a list.
#include "retort/ops.hpp"

#include <gtest/gtest.h>

#include <set>
#include <string>
#include <vector>

#include "retort/errors.hpp"
#include "sql_object_samples.hpp"

namespace retort {
namespace {

using ops::operation;

qualified_name users_name() { return {"public", "users"}; }

column make_column(std::string name, type_kind kind, bool nullable = false) {
  column c;
  c.name = std::move(name);
  c.type.kind = kind;
  c.nullable = nullable;
  return c;
}

table users_table() {
  table t;
  t.name = users_name();
  t.columns = {make_column("id", type_kind::bigint), make_column("email", type_kind::text)};
  t.pk = primary_key{"pk_users", {"id"}};
  t.uniques = {{"uq_users_email", {"email"}}};
  return t;
}

sequence invoice_numbers() {
  sequence q;
  q.name = {"public", "invoice_numbers"};
  q.start = 1000;
  return q;
}

enum_type mood() { return {{"public", "mood"}, {"happy", "sad"}}; }

view emails_view(bool with_id) {
  view v;
  v.name = {"public", "user_emails"};
  if (with_id) v.columns.push_back({"id", make_column("id", type_kind::bigint).type});
  v.columns.push_back({"email", make_column("email", type_kind::text).type});
  v.query = with_id ? "SELECT id, email FROM users" : "SELECT email FROM users";
  v.reads = {users_name()};
  return v;
}

column varchar_email(int length) {
  column c = make_column("email", type_kind::varchar);
  c.type.length = length;
  return c;
}

struct op_case {
  operation op;
  std::string kind;                   ///< expected name_of
  std::vector<std::string> mentions;  ///< what describe() must name
  bool destructive;
  std::vector<std::string> inverse_kinds;
};

// One case for every alternative of ops::operation (checked by CoversEveryOperationKind).
std::vector<op_case> cases() {
  const foreign_key fk{"fk_orders_user_id_users", {"user_id"}, users_name(), {"id"}, fk_action::cascade,
                       fk_action::no_action};
  const index ix{"ix_users_email", {"email"}, true, "email <> ''", "btree"};
  column nullable_email = varchar_email(100);
  nullable_email.nullable = true;
  const exclusion_constraint exclusion{"ex_users_email", {{index_key{"email"}, "="}}, "gist", {}, std::nullopt,
                                       deferral::not_deferrable};
  const policy own{"own", policy_command::all, false, {"app"}, "owner = current_user", std::nullopt};
  policy own_public = own;
  own_public.roles.clear();
  return {
      {ops::create_schema{"audit"}, "create_schema", {"audit"}, false, {"drop_schema"}},
      {ops::drop_schema{"audit"}, "drop_schema", {"audit"}, true, {"create_schema"}},
      {ops::create_extension{{"citext", "public", std::nullopt}}, "create_extension", {"citext"}, false, {"drop_extension"}},
      {ops::drop_extension{{"citext", "public", std::nullopt}}, "drop_extension", {"citext"}, false, {"create_extension"}},
      {ops::alter_extension{{"citext", "public", "1.5"}, {"citext", "public", std::nullopt}}, "alter_extension",
       {"citext"}, false, {"alter_extension"}},
      {ops::create_enum{mood()}, "create_enum", {"public.mood"}, false, {"drop_enum"}},
      {ops::drop_enum{mood()}, "drop_enum", {"public.mood"}, true, {"create_enum"}},
      {ops::add_enum_value{{"public", "mood"}, "meh", "sad"}, "add_enum_value", {"meh", "public.mood"}, false,
       {"drop_enum_value"}},
      {ops::drop_enum_value{{"public", "mood"}, "sad", std::nullopt}, "drop_enum_value", {"sad", "public.mood"}, true,
       {"add_enum_value"}},
      {ops::rename_enum_value{{"public", "mood"}, "sad", "blue"}, "rename_enum_value", {"sad", "blue", "public.mood"}, false,
       {"rename_enum_value"}},
      {ops::create_table{users_table()}, "create_table", {"public.users"}, false, {"drop_table"}},
      {ops::drop_table{users_table()}, "drop_table", {"public.users"}, true, {"create_table"}},
      {ops::rename_table{users_name(), {"app", "members"}}, "rename_table", {"public.users", "app.members"}, false,
       {"rename_table"}},
      {ops::set_table_comment{users_name(), std::nullopt, "People"}, "set_table_comment", {"public.users"}, false,
       {"set_table_comment"}},
      {ops::add_column{users_name(), make_column("phone", type_kind::text, true)}, "add_column", {"public.users.phone"},
       false, {"drop_column"}},
      {ops::drop_column{users_name(), make_column("phone", type_kind::text, true)}, "drop_column",
       {"public.users.phone"}, true, {"add_column"}},
      {ops::rename_column{users_name(), "login", "username"}, "rename_column", {"public.users.login", "username"}, false,
       {"rename_column"}},
      // A widening loses nothing (issue 9: it used to be flagged destructive).
      {ops::alter_column{users_name(), varchar_email(100), varchar_email(255), ops::change_type}, "alter_column",
       {"public.users.email", "type"}, false, {"alter_column"}},
      {ops::alter_column{users_name(), varchar_email(100), nullable_email, ops::change_nullable}, "alter_column",
       {"public.users.email", "nullability"}, false, {"alter_column"}},
      {ops::backfill_column{users_name(), "phone", "''", std::nullopt}, "backfill_column", {"public.users.phone"}, false, {}},
      {ops::add_primary_key{users_name(), {"pk_users", {"id"}}}, "add_primary_key", {"pk_users", "public.users"}, false,
       {"drop_primary_key"}},
      {ops::drop_primary_key{users_name(), {"pk_users", {"id"}}}, "drop_primary_key", {"pk_users", "public.users"},
       false, {"add_primary_key"}},
      {ops::add_unique{users_name(), {"uq_users_email", {"email"}}}, "add_unique", {"uq_users_email", "public.users"},
       false, {"drop_unique"}},
      {ops::drop_unique{users_name(), {"uq_users_email", {"email"}}}, "drop_unique", {"uq_users_email", "public.users"},
       false, {"add_unique"}},
      {ops::add_check{users_name(), {"ck_users_email", "email <> ''"}}, "add_check", {"ck_users_email", "public.users"},
       false, {"drop_check"}},
      {ops::drop_check{users_name(), {"ck_users_email", "email <> ''"}}, "drop_check",
       {"ck_users_email", "public.users"}, false, {"add_check"}},
      {ops::create_index{users_name(), ix}, "create_index", {"ix_users_email", "public.users"}, false, {"drop_index"}},
      {ops::drop_index{users_name(), ix}, "drop_index", {"ix_users_email", "public.users"}, false, {"create_index"}},
      {ops::add_foreign_key{{"public", "orders"}, fk}, "add_foreign_key", {"fk_orders_user_id_users", "public.orders"},
       false, {"drop_foreign_key"}},
      {ops::drop_foreign_key{{"public", "orders"}, fk}, "drop_foreign_key", {"fk_orders_user_id_users", "public.orders"},
       false, {"add_foreign_key"}},
      {ops::rename_index{users_name(), "ix_old", "ix_new"}, "rename_index", {"ix_old", "ix_new", "public.users"}, false,
       {"rename_index"}},
      {ops::rename_constraint{users_name(), "uq_old", "uq_new"}, "rename_constraint", {"uq_old", "uq_new", "public.users"},
       false, {"rename_constraint"}},
      {ops::sql{"UPDATE users SET active = true", "UPDATE users SET active = false"}, "sql",
       {"UPDATE users SET active = true"}, false, {"sql"}},
      {ops::cpp{ops::cpp::function::upgrade}, "cpp", {"C++ data step (upgrade)", "application"}, false, {"cpp"}},
      {ops::create_view{emails_view(false)}, "create_view", {"view public.user_emails"}, false, {"drop_view"}},
      {ops::drop_view{emails_view(false)}, "drop_view", {"view public.user_emails"}, false, {"create_view"}},
      {ops::replace_view{emails_view(false), [] {
         view v = emails_view(false);
         v.query = "SELECT email FROM users WHERE email <> ''";
         return v;
       }()},
       "replace_view", {"public.user_emails"}, false, {"replace_view"}},
      {ops::add_exclusion{users_name(), exclusion}, "add_exclusion", {"ex_users_email", "public.users"}, false,
       {"drop_exclusion"}},
      {ops::drop_exclusion{users_name(), exclusion}, "drop_exclusion", {"ex_users_email", "public.users"}, false,
       {"add_exclusion"}},
      {ops::set_row_level_security{users_name(), {}, {true, true}}, "set_row_level_security",
       {"enable and force row-level security", "public.users"}, false, {"set_row_level_security"}},
      {ops::set_row_level_security{users_name(), {true, true}, {true, false}}, "set_row_level_security",
       {"no force row-level security"}, false, {"set_row_level_security"}},
      {ops::create_policy{users_name(), own}, "create_policy", {"policy own", "public.users"}, false, {"drop_policy"}},
      {ops::drop_policy{users_name(), own}, "drop_policy", {"policy own", "public.users"}, false, {"create_policy"}},
      {ops::alter_policy{users_name(), own, own_public}, "alter_policy", {"policy own", "public.users"}, false,
       {"alter_policy"}},
      {ops::create_sequence{invoice_numbers()}, "create_sequence", {"public.invoice_numbers"}, false, {"drop_sequence"}},
      // Its current value is lost: numbers would repeat.
      {ops::drop_sequence{invoice_numbers()}, "drop_sequence", {"public.invoice_numbers"}, true, {"create_sequence"}},
      {ops::alter_sequence{invoice_numbers(), [] {
                             sequence q = invoice_numbers();
                             q.increment = 2;
                             return q;
                           }()},
       "alter_sequence", {"public.invoice_numbers"}, false, {"alter_sequence"}},
      {ops::create_sql_object{testing::touch_function()}, "create_sql_object", {"create function public.touch()"}, false,
       {"drop_sql_object"}},
      {ops::drop_sql_object{testing::touch_trigger(users_name(), {"public", "touch"})}, "drop_sql_object",
       {"drop trigger trg_touch on public.users"}, false, {"create_sql_object"}},
      {ops::replace_sql_object{testing::touch_function(), testing::touch_function("public", "touch", 1)},
       "replace_sql_object", {"replace function public.touch()"}, false, {"replace_sql_object"}},
  };
}

TEST(Ops, CoversEveryOperationKind) {
  std::set<std::size_t> seen;
  for (const auto& c : cases()) seen.insert(c.op.index());
  EXPECT_EQ(seen.size(), std::variant_size_v<operation>);
}

TEST(Ops, NameOfIsTheFileName) {
  std::set<std::string> names;
  for (const auto& c : cases()) {
    EXPECT_EQ(ops::name_of(c.op), c.kind);
    names.insert(std::string(ops::name_of(c.op)));
  }
  EXPECT_EQ(names.size(), std::variant_size_v<operation>) << "two kinds share a name";
}

TEST(Ops, DescribeNamesTheObject) {
  for (const auto& c : cases()) {
    const std::string text = ops::describe(c.op);
    SCOPED_TRACE(text);
    EXPECT_FALSE(text.empty());
    EXPECT_EQ(text.find('\n'), std::string::npos) << "describe gives one line";
    for (const auto& m : c.mentions) EXPECT_NE(text.find(m), std::string::npos) << "should mention " << m;
  }
}

// Every operation on a schema's object names that schema (the one describe() names it in); only
// the database's extensions and the opaque hand-written steps have none.
TEST(Ops, SchemaOfIsTheSchemaHoldingTheObject) {
  const std::set<std::string_view> none{"create_extension", "drop_extension", "alter_extension", "sql", "cpp"};
  for (const auto& c : cases()) {
    SCOPED_TRACE(c.kind);
    if (c.kind == "rename_table") continue;  // this one moves a table to another schema: below
    const auto schema = ops::schema_of(c.op);
    ASSERT_EQ(schema.has_value(), !none.contains(c.kind));
    if (schema) {
      EXPECT_NE(ops::describe(c.op).find(*schema), std::string::npos);
    }
  }
  EXPECT_EQ(ops::schema_of(ops::create_schema{"catalog"}), "catalog");
  EXPECT_EQ(ops::schema_of(ops::sql{"INSERT INTO catalog.c VALUES (1)", "DELETE FROM catalog.c", true, std::nullopt,
                                    "catalog"}),
            "catalog");  // a hand-written step that names the schema it writes
  EXPECT_EQ(ops::schema_of(ops::rename_table{{"public", "a"}, {"catalog", "a"}}), std::nullopt);
  EXPECT_EQ(ops::schema_of(ops::rename_table{{"catalog", "a"}, {"catalog", "b"}}), "catalog");
}

TEST(Ops, DescribeExamples) {
  EXPECT_EQ(ops::describe(ops::add_column{users_name(), make_column("phone_number", type_kind::text, true)}),
            "add column public.users.phone_number");
  EXPECT_EQ(ops::describe(ops::alter_column{users_name(), varchar_email(1), varchar_email(2),
                                            ops::change_type | ops::change_nullable | ops::change_default |
                                                ops::change_identity | ops::change_comment}),
            "alter column public.users.email (type, nullability, default, identity, comment)");
  // A multi-line sql step shows its first line only.
  EXPECT_EQ(ops::describe(ops::sql{"UPDATE a SET x = 1;\nUPDATE b SET y = 2;", std::nullopt}),
            "sql: UPDATE a SET x = 1; ...");
}

TEST(Ops, IsDestructiveForDataLosingDropsAndTypeChanges) {
  for (const auto& c : cases()) {
    SCOPED_TRACE(ops::describe(c.op));
    EXPECT_EQ(ops::is_destructive(c.op), c.destructive);
  }
  // A narrowing type change is destructive whatever else changes with it; a widening is not.
  EXPECT_TRUE(ops::is_destructive(
      ops::alter_column{users_name(), varchar_email(9), varchar_email(3), ops::change_type | ops::change_default}));
  EXPECT_FALSE(ops::is_destructive(ops::alter_column{users_name(), varchar_email(20), varchar_email(40), ops::change_type}));
  EXPECT_FALSE(ops::is_destructive(ops::alter_column{users_name(), varchar_email(9), varchar_email(9),
                                                     ops::change_default | ops::change_comment}));
}

TEST(Ops, InverseHasTheExpectedKinds) {
  for (const auto& c : cases()) {
    SCOPED_TRACE(ops::describe(c.op));
    std::vector<std::string> kinds;
    for (const auto& op : ops::inverse(c.op)) kinds.emplace_back(ops::name_of(op));
    EXPECT_EQ(kinds, c.inverse_kinds);
  }
}

TEST(Ops, InverseOfInverseIsTheOperation) {
  for (const auto& c : cases()) {
    SCOPED_TRACE(ops::describe(c.op));
    const auto once = ops::inverse(c.op);
    if (std::holds_alternative<ops::backfill_column>(c.op)) {
      EXPECT_TRUE(once.empty()) << "a backfill is data only; nothing undoes it";
      continue;
    }
    ASSERT_EQ(once.size(), 1u);
    EXPECT_NE(once.front(), c.op);
    EXPECT_EQ(ops::inverse(once), std::vector<operation>{c.op});
  }
}

// CREATE OR REPLACE cannot take columns away: the inverse of one that added some is drop + create.
TEST(Ops, InverseOfAViewGainingColumnsIsDropAndCreate) {
  view more = emails_view(true);
  more.name = emails_view(false).name;
  const auto down = ops::inverse(ops::replace_view{emails_view(false), more});
  EXPECT_EQ(down, (std::vector<operation>{ops::drop_view{more}, ops::create_view{emails_view(false)}}));
}

TEST(Ops, InverseSwapsTheTwoSides) {
  const auto rename = ops::inverse(ops::rename_table{users_name(), {"app", "members"}});
  EXPECT_EQ(rename, (std::vector<operation>{ops::rename_table{{"app", "members"}, users_name()}}));

  const ops::alter_column alter{users_name(), varchar_email(100), varchar_email(255), ops::change_type};
  const auto back = ops::inverse(alter);
  ASSERT_EQ(back.size(), 1u);
  const auto& a = std::get<ops::alter_column>(back.front());
  EXPECT_EQ(a.from, alter.to);
  EXPECT_EQ(a.to, alter.from);
  EXPECT_EQ(a.changes, alter.changes);
  EXPECT_EQ(a.table, alter.table);

  const auto comment = ops::inverse(ops::set_table_comment{users_name(), "old", std::nullopt});
  EXPECT_EQ(comment, (std::vector<operation>{ops::set_table_comment{users_name(), std::nullopt, "old"}}));

  // The inverse of a drop carries the whole dropped object back.
  const auto recreate = ops::inverse(ops::drop_table{users_table()});
  EXPECT_EQ(recreate, (std::vector<operation>{ops::create_table{users_table()}}));

  // An enum value goes back where it stood.
  const auto value = ops::inverse(ops::drop_enum_value{{"public", "mood"}, "meh", "sad"});
  EXPECT_EQ(value, (std::vector<operation>{ops::add_enum_value{{"public", "mood"}, "meh", "sad"}}));

  const auto sql = ops::inverse(ops::sql{"up", "down"});
  EXPECT_EQ(sql, (std::vector<operation>{ops::sql{"down", "up"}}));
}

TEST(Ops, SqlWithoutDownCannotBeInverted) {
  const operation irreversible = ops::sql{"DELETE FROM sessions;\nVACUUM;", std::nullopt};
  EXPECT_THROW((void)ops::inverse(irreversible), retort::error);
  try {
    (void)ops::inverse(irreversible);
  } catch (const retort::error& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find("DELETE FROM sessions;"), std::string::npos) << what;
    EXPECT_NE(what.find("cannot be undone"), std::string::npos) << what;
  }
  // Also inside a list, wherever it stands.
  const std::vector<operation> upgrade{ops::create_schema{"a"}, irreversible, ops::create_schema{"b"}};
  EXPECT_THROW((void)ops::inverse(upgrade), retort::error);
}

TEST(Ops, InverseOfAListReversesTheOrder) {
  const column phone = make_column("phone", type_kind::text, true);
  const index ix{"ix_users_phone", {"phone"}, false, std::nullopt, "btree"};
  const std::vector<operation> upgrade{
      ops::create_schema{"app"},
      ops::create_table{users_table()},
      ops::add_column{users_name(), phone},
      ops::backfill_column{users_name(), "phone", "''", std::nullopt},
      ops::create_index{users_name(), ix},
      ops::sql{"INSERT 1", "DELETE 1"},
  };
  const std::vector<operation> expected{
      ops::sql{"DELETE 1", "INSERT 1"},
      ops::drop_index{users_name(), ix},
      ops::drop_column{users_name(), phone},
      ops::drop_table{users_table()},
      ops::drop_schema{"app"},
  };
  EXPECT_EQ(ops::inverse(upgrade), expected);
  EXPECT_EQ(ops::inverse(std::vector<operation>{}), std::vector<operation>{});

  // Every kind at once: the inverse of the inverse gives the list back, backfills aside.
  std::vector<operation> all, reversible;
  for (const auto& c : cases()) {
    all.push_back(c.op);
    if (!std::holds_alternative<ops::backfill_column>(c.op)) reversible.push_back(c.op);
  }
  const auto down = ops::inverse(all);
  EXPECT_EQ(down.size(), all.size() - 1);
  EXPECT_EQ(ops::inverse(down), reversible);
}

}  // namespace
}  // namespace retort
