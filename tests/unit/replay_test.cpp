// Tests of replay: every operation kind applied to a schema and undone by its inverse, and the replay errors PostgreSQL would also raise.
#include "retort/replay.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <functional>
#include <ostream>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

#include "make_index.hpp"
#include "retort/errors.hpp"
#include "retort/snapshot.hpp"
#include "sql_object_samples.hpp"

namespace retort {

// Readable failures: a schema prints as its snapshot (gtest finds this by argument-dependent lookup).
[[maybe_unused]] static void PrintTo(const schema& s, std::ostream* os) { *os << "\n" << write_snapshot(s); }

namespace {

using testing::make_index;

using ops::operation;

// --- builders -----------------------------------------------------------------------------

qualified_name pub(std::string name) { return {"public", std::move(name)}; }

column col(std::string name, std::string_view type, bool nullable = false) {
  column c;
  c.name = std::move(name);
  auto parsed = parse_builtin_type(type);
  if (!parsed) throw std::logic_error("test setup: bad type " + std::string(type));
  c.type = *parsed;
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


foreign_key orders_fk() {
  return {"fk_orders_user_id_users", {"user_id"}, pub("users"), {"id"}, fk_action::cascade, fk_action::no_action};
}

// public.users and public.orders (orders.user_id references users.id), an enum and a schema.
schema base() {
  schema s;
  s.schemas = {"app"};
  s.enums = {{pub("status"), {"active", "archived"}}};

  table users;
  users.name = pub("users");
  column id = col("id", "bigint");
  id.identity = identity_kind::always;
  users.columns = {id, col("email", "varchar(255)"), enum_col("status", pub("status"), true), col("nick", "text", true)};
  users.pk = primary_key{"pk_users", {"id"}};
  users.uniques = {{"uq_users_email", {"email"}}};
  users.indexes = {make_index("ix_users_status", {"status"})};
  users.checks = {{"ck_users_email", "email <> ''"}};

  table orders;
  orders.name = pub("orders");
  orders.columns = {col("id", "bigint"), col("user_id", "bigint"), col("note", "text", true)};
  orders.pk = primary_key{"pk_orders", {"id"}};
  orders.indexes = {make_index("ix_orders_user_id", {"user_id"})};
  orders.foreign_keys = {orders_fk()};

  s.tables = {users, orders};
  sort_canonically(s);
  validate(s);
  return s;
}

// A sequence owned by users.nick, starting at 1000; the same counting by ten, owned by no column.
sequence numbers() {
  sequence q;
  q.name = pub("numbers");
  q.start = 1000;
  q.owned_by = sequence_owner{"users", "nick"};
  return q;
}
sequence numbers_by_ten() {
  sequence q = numbers();
  q.increment = 10;
  q.cache = 20;
  q.owned_by.reset();
  return q;
}

table& table_of(schema& s, const qualified_name& name) {
  table* t = find_table(s, name);
  if (!t) throw std::logic_error("test setup: no table " + to_string(name));
  return *t;
}

column& column_of(schema& s, const qualified_name& t, std::string_view name) {
  column* c = find_column(table_of(s, t), name);
  if (!c) throw std::logic_error("test setup: no column " + std::string(name));
  return *c;
}

// `s` changed by `edit`, in canonical order.
schema edited(schema s, const std::function<void(schema&)>& edit) {
  edit(s);
  sort_canonically(s);
  return s;
}

table tags_table() {
  table t;
  t.name = pub("tags");
  t.columns = {col("id", "bigint"), col("label", "text"), col("user_id", "bigint", true)};
  t.pk = primary_key{"pk_tags", {"id"}};
  t.uniques = {{"uq_tags_label", {"label"}}};
  t.indexes = {make_index("ix_tags_user_id", {"user_id"}, false, "user_id IS NOT NULL", "hash")};
  t.checks = {{"ck_tags_label", "label <> ''"}};
  return t;
}

// `s` after one operation (the list overload, so `s` itself is left alone).
schema replay_one(const schema& s, const operation& op) { return replay(s, std::vector<operation>{op}); }

void expect_same_schema(const schema& actual, const schema& expected) {
  EXPECT_EQ(comparable(actual), comparable(expected));
}

// --- every operation kind -------------------------------------------------------------------

struct replay_case {
  std::string label;
  schema before;
  operation op;
  schema after;
};

view user_ids_view(std::string query = "SELECT id FROM users") {
  view v;
  v.name = pub("user_ids");
  v.columns = {{"id", *parse_builtin_type("bigint")}};
  v.query = std::move(query);
  v.reads = {pub("users")};
  return v;
}

std::vector<replay_case> cases() {
  const schema b = base();
  const column phone = col("phone", "varchar(20)", true);
  column nick_required = col("nick", "text");
  nick_required.server_default = "''";
  const column email_text = col("email", "text");
  const schema with_mood = edited(b, [](schema& s) { s.enums.push_back({pub("mood"), {"happy", "sad"}}); });
  const schema with_tags = edited(b, [](schema& s) { s.tables.push_back(tags_table()); });
  table tags_with_hints = tags_table();
  tags_with_hints.renamed_from = {pub("labels")};
  tags_with_hints.columns[1].renamed_from = {"name"};
  tags_with_hints.columns[1].backfill = "'?'";
  const schema commented = edited(b, [](schema& s) { table_of(s, pub("users")).comment = "People"; });
  const index partial = make_index("ix_users_email_nick", {"email", "nick"}, true, "nick IS NOT NULL", "btree");
  const exclusion_constraint one_email{"ex_users_email", {{index_key{"email"}, "="}}, "gist", {}, std::nullopt,
                                       deferral::not_deferrable};
  const policy own{"own", policy_command::select, false, {}, "nick = current_user", std::nullopt};
  policy own_changed = own;
  own_changed.roles = {"reader"};
  own_changed.using_expression = "nick = session_user";
  const schema with_own = edited(b, [&](schema& s) { table_of(s, pub("users")).policies.push_back(own); });

  return {
      {"create_schema", b, ops::create_schema{"audit"}, edited(b, [](schema& s) { s.schemas.push_back("audit"); })},
      {"drop_schema", b, ops::drop_schema{"app"}, edited(b, [](schema& s) { s.schemas.clear(); })},
      {"create_enum", b, ops::create_enum{{pub("mood"), {"happy", "sad"}}}, with_mood},
      {"create_enum in another schema", b, ops::create_enum{{{"app", "mood"}, {"x"}}},
       edited(b, [](schema& s) { s.enums.push_back({{"app", "mood"}, {"x"}}); })},
      {"drop_enum", with_mood, ops::drop_enum{{pub("mood"), {"happy", "sad"}}}, b},
      {"add_enum_value before another", b, ops::add_enum_value{pub("status"), "pending", "active"},
       edited(b, [](schema& s) { find_enum(s, pub("status"))->values = {"pending", "active", "archived"}; })},
      {"add_enum_value at the end", b, ops::add_enum_value{pub("status"), "deleted", std::nullopt},
       edited(b, [](schema& s) { find_enum(s, pub("status"))->values = {"active", "archived", "deleted"}; })},
      {"rename_enum_value in place", b, ops::rename_enum_value{pub("status"), "active", "in use"},
       edited(b, [](schema& s) { find_enum(s, pub("status"))->values = {"in use", "archived"}; })},
      {"drop_enum_value from the middle", b, ops::drop_enum_value{pub("status"), "active", "archived"},
       edited(b, [](schema& s) { find_enum(s, pub("status"))->values = {"archived"}; })},
      {"drop_enum_value at the end", b, ops::drop_enum_value{pub("status"), "archived", std::nullopt},
       edited(b, [](schema& s) { find_enum(s, pub("status"))->values = {"active"}; })},
      {"create_table", b, ops::create_table{tags_table()}, with_tags},
      {"create_table drops the model's hints", b, ops::create_table{tags_with_hints}, with_tags},
      {"drop_table", with_tags, ops::drop_table{tags_table()}, b},
      {"rename_table updates referencing foreign keys", b, ops::rename_table{pub("users"), pub("members")},
       edited(b,
              [](schema& s) {
                // Lookups are binary searches: the foreign key first, while the tables are in order.
                table_of(s, pub("orders")).foreign_keys[0].ref_table = pub("members");
                table_of(s, pub("users")).name = pub("members");
              })},
      {"rename_table into another schema", b, ops::rename_table{pub("users"), {"app", "users"}},
       edited(b,
              [](schema& s) {
                // Lookups are binary searches: the foreign key first, while the tables are in order.
                table_of(s, pub("orders")).foreign_keys[0].ref_table = {"app", "users"};
                table_of(s, pub("users")).name = {"app", "users"};
              })},
      {"set_table_comment", b, ops::set_table_comment{pub("users"), std::nullopt, "People"}, commented},
      {"set_table_comment to none", commented, ops::set_table_comment{pub("users"), "People", std::nullopt}, b},
      {"add_column", b, ops::add_column{pub("users"), phone},
       edited(b, [&](schema& s) { table_of(s, pub("users")).columns.push_back(phone); })},
      {"add_column of an enum type", b, ops::add_column{pub("orders"), enum_col("state", pub("status"))},
       edited(b, [](schema& s) { table_of(s, pub("orders")).columns.push_back(enum_col("state", pub("status"))); })},
      {"drop_column", b, ops::drop_column{pub("users"), col("nick", "text", true)},
       edited(b, [](schema& s) { std::erase_if(table_of(s, pub("users")).columns, [](auto& c) { return c.name == "nick"; }); })},
      {"rename_column updates its unique constraint", b, ops::rename_column{pub("users"), "email", "mail"},
       edited(b,
              [](schema& s) {
                table& u = table_of(s, pub("users"));
                column_of(s, pub("users"), "email").name = "mail";
                u.uniques[0].columns = {"mail"};
              })},
      {"alter_column type", b,
       ops::alter_column{pub("users"), col("email", "varchar(255)"), email_text, ops::change_type},
       edited(b, [&](schema& s) { column_of(s, pub("users"), "email") = email_text; })},
      {"alter_column nullability and default", b,
       ops::alter_column{pub("users"), col("nick", "text", true), nick_required,
                         ops::change_nullable | ops::change_default},
       edited(b, [&](schema& s) { column_of(s, pub("users"), "nick") = nick_required; })},
      {"backfill_column changes no schema", b, ops::backfill_column{pub("users"), "nick", "''"}, b},
      {"add_primary_key", edited(b, [](schema& s) { table_of(s, pub("orders")).pk.reset(); }),
       ops::add_primary_key{pub("orders"), {"pk_orders", {"id"}}}, b},
      {"drop_primary_key", b, ops::drop_primary_key{pub("orders"), {"pk_orders", {"id"}}},
       edited(b, [](schema& s) { table_of(s, pub("orders")).pk.reset(); })},
      {"add_unique", b, ops::add_unique{pub("users"), {"uq_users_nick", {"nick"}}},
       edited(b, [](schema& s) { table_of(s, pub("users")).uniques.push_back({"uq_users_nick", {"nick"}}); })},
      {"drop_unique", b, ops::drop_unique{pub("users"), {"uq_users_email", {"email"}}},
       edited(b, [](schema& s) { table_of(s, pub("users")).uniques.clear(); })},
      {"add_check", b, ops::add_check{pub("orders"), {"ck_orders_note", "note <> ''"}},
       edited(b, [](schema& s) { table_of(s, pub("orders")).checks.push_back({"ck_orders_note", "note <> ''"}); })},
      {"drop_check", b, ops::drop_check{pub("users"), {"ck_users_email", "email <> ''"}},
       edited(b, [](schema& s) { table_of(s, pub("users")).checks.clear(); })},
      {"create_index", b, ops::create_index{pub("users"), partial},
       edited(b, [&](schema& s) { table_of(s, pub("users")).indexes.push_back(partial); })},
      {"drop_index", b, ops::drop_index{pub("users"), make_index("ix_users_status", {"status"})},
       edited(b, [](schema& s) { table_of(s, pub("users")).indexes.clear(); })},
      {"add_foreign_key", edited(b, [](schema& s) { table_of(s, pub("orders")).foreign_keys.clear(); }),
       ops::add_foreign_key{pub("orders"), orders_fk()}, b},
      {"drop_foreign_key", b, ops::drop_foreign_key{pub("orders"), orders_fk()},
       edited(b, [](schema& s) { table_of(s, pub("orders")).foreign_keys.clear(); })},
      {"rename_index", b, ops::rename_index{pub("users"), "ix_users_status", "ix_users_state"},
       edited(b, [](schema& s) { table_of(s, pub("users")).indexes[0].name = "ix_users_state"; })},
      {"rename_constraint of a primary key", b, ops::rename_constraint{pub("users"), "pk_users", "pk_people"},
       edited(b, [](schema& s) { table_of(s, pub("users")).pk->name = "pk_people"; })},
      {"rename_constraint of a unique constraint", b, ops::rename_constraint{pub("users"), "uq_users_email", "uq_email"},
       edited(b, [](schema& s) { table_of(s, pub("users")).uniques[0].name = "uq_email"; })},
      {"rename_constraint of a check", b, ops::rename_constraint{pub("users"), "ck_users_email", "ck_email"},
       edited(b, [](schema& s) { table_of(s, pub("users")).checks[0].name = "ck_email"; })},
      {"rename_constraint of a foreign key", b,
       ops::rename_constraint{pub("orders"), "fk_orders_user_id_users", "fk_orders_owner"},
       edited(b, [](schema& s) { table_of(s, pub("orders")).foreign_keys[0].name = "fk_orders_owner"; })},
      {"sql is opaque", b, ops::sql{"UPDATE users SET nick = NULL", "SELECT 1"}, b},
      {"cpp is opaque", b, ops::cpp{ops::cpp::function::upgrade}, b},
      {"add_exclusion", b, ops::add_exclusion{pub("users"), one_email},
       edited(b, [&](schema& s) { table_of(s, pub("users")).exclusions.push_back(one_email); })},
      {"drop_exclusion", edited(b, [&](schema& s) { table_of(s, pub("users")).exclusions.push_back(one_email); }),
       ops::drop_exclusion{pub("users"), one_email}, b},
      {"rename_constraint of an exclusion constraint",
       edited(b, [&](schema& s) { table_of(s, pub("users")).exclusions.push_back(one_email); }),
       ops::rename_constraint{pub("users"), "ex_users_email", "ex_email"}, edited(b, [&](schema& s) {
         table_of(s, pub("users")).exclusions.push_back(one_email);
         table_of(s, pub("users")).exclusions[0].name = "ex_email";
       })},
      {"rename_column updates an exclusion constraint",
       edited(b, [&](schema& s) { table_of(s, pub("users")).exclusions.push_back(one_email); }),
       ops::rename_column{pub("users"), "email", "mail"}, edited(b, [&](schema& s) {
         table& u = table_of(s, pub("users"));
         column_of(s, pub("users"), "email").name = "mail";
         u.uniques[0].columns = {"mail"};
         u.exclusions.push_back(one_email);
         u.exclusions[0].elements[0].key.column = "mail";
       })},
      {"set_row_level_security", b, ops::set_row_level_security{pub("users"), {}, {true, false}},
       edited(b, [](schema& s) { table_of(s, pub("users")).rls = {true, false}; })},
      {"create_policy", b, ops::create_policy{pub("users"), own}, with_own},
      {"drop_policy", with_own, ops::drop_policy{pub("users"), own}, b},
      {"alter_policy", with_own, ops::alter_policy{pub("users"), own, own_changed},
       edited(b, [&](schema& s) { table_of(s, pub("users")).policies.push_back(own_changed); })},
      {"create_extension", b, ops::create_extension{{"citext", "public", std::nullopt}},
       edited(b, [](schema& s) { s.extensions.push_back({"citext", "public", std::nullopt}); })},
      {"drop_extension", edited(b, [](schema& s) { s.extensions.push_back({"citext", "public", "1.5"}); }),
       ops::drop_extension{{"citext", "public", "1.5"}}, b},
      {"alter_extension", edited(b, [](schema& s) { s.extensions.push_back({"citext", "public", "1.5"}); }),
       ops::alter_extension{{"citext", "public", "1.5"}, {"citext", "public", std::nullopt}},
       edited(b, [](schema& s) { s.extensions.push_back({"citext", "public", std::nullopt}); })},
      {"create_view", b, ops::create_view{user_ids_view()}, edited(b, [](schema& s) { s.views.push_back(user_ids_view()); })},
      {"drop_view", edited(b, [](schema& s) { s.views.push_back(user_ids_view()); }), ops::drop_view{user_ids_view()}, b},
      {"replace_view", edited(b, [](schema& s) { s.views.push_back(user_ids_view()); }),
       ops::replace_view{user_ids_view(), user_ids_view("SELECT id FROM users WHERE id > 0")},
       edited(b, [](schema& s) { s.views.push_back(user_ids_view("SELECT id FROM users WHERE id > 0")); })},
      {"create_sequence", b, ops::create_sequence{numbers()},
       edited(b, [](schema& s) { s.sequences.push_back(numbers()); })},
      {"drop_sequence", edited(b, [](schema& s) { s.sequences.push_back(numbers()); }), ops::drop_sequence{numbers()}, b},
      {"alter_sequence", edited(b, [](schema& s) { s.sequences.push_back(numbers()); }),
       ops::alter_sequence{numbers(), numbers_by_ten()},
       edited(b, [](schema& s) { s.sequences.push_back(numbers_by_ten()); })},
      {"create_sql_object", b, ops::create_sql_object{testing::touch_function()},
       edited(b, [](schema& s) { s.sql_objects.push_back(testing::touch_function()); })},
      {"drop_sql_object", edited(b, [](schema& s) { s.sql_objects.push_back(testing::touch_function()); }),
       ops::drop_sql_object{testing::touch_function()}, b},
      {"replace_sql_object", edited(b, [](schema& s) { s.sql_objects.push_back(testing::touch_function()); }),
       ops::replace_sql_object{testing::touch_function(), testing::touch_function("public", "touch", 1)},
       edited(b, [](schema& s) { s.sql_objects.push_back(testing::touch_function("public", "touch", 1)); })},
  };
}

TEST(Replay, CasesCoverEveryOperationKind) {
  std::set<std::size_t> kinds;
  for (const auto& c : cases()) kinds.insert(c.op.index());
  EXPECT_EQ(kinds.size(), std::variant_size_v<operation>);
}

TEST(Replay, EachOperationGivesTheExpectedSchema) {
  for (const auto& c : cases()) {
    SCOPED_TRACE(c.label + ": " + ops::describe(c.op));
    schema s = c.before;
    ASSERT_NO_THROW(replay(s, c.op));
    expect_same_schema(s, c.after);
    // The result stays valid and canonically ordered.
    EXPECT_NO_THROW(validate(s));
    schema sorted = s;
    sort_canonically(sorted);
    EXPECT_EQ(s, sorted);
  }
}

TEST(Replay, TheInverseGivesBackTheOriginal) {
  for (const auto& c : cases()) {
    SCOPED_TRACE(c.label + ": " + ops::describe(c.op));
    const std::vector<operation> undo = ops::inverse(c.op);
    schema back;
    ASSERT_NO_THROW(back = replay(replay_one(c.before, c.op), undo));
    expect_same_schema(back, c.before);
  }
}

TEST(Replay, AListReplaysInOrderAndItsInverseUndoesIt) {
  const schema b = base();
  const std::vector<operation> upgrade{
      ops::create_schema{"shop"},
      ops::create_enum{{{"shop", "kind"}, {"book", "game"}}},
      ops::create_table{[] {
        table t;
        t.name = {"shop", "products"};
        t.columns = {col("id", "bigint"), enum_col("kind", {"shop", "kind"}), col("owner_id", "bigint", true)};
        t.pk = primary_key{"pk_products", {"id"}};
        return t;
      }()},
      ops::add_foreign_key{{"shop", "products"},
                           {"fk_products_owner_id_users", {"owner_id"}, pub("users"), {"id"}, fk_action::set_null,
                            fk_action::no_action}},
      ops::rename_column{pub("users"), "id", "user_id"},
      ops::add_enum_value{{"shop", "kind"}, "film", "game"},
  };
  const schema after = replay(b, upgrade);
  EXPECT_NO_THROW(validate(after));
  const table* products = find_table(after, {"shop", "products"});
  ASSERT_NE(products, nullptr);
  ASSERT_EQ(products->foreign_keys.size(), 1u);
  EXPECT_EQ(products->foreign_keys[0].ref_columns, std::vector<std::string>{"user_id"});
  EXPECT_EQ(find_enum(after, {"shop", "kind"})->values, (std::vector<std::string>{"book", "film", "game"}));
  expect_same_schema(replay(after, ops::inverse(upgrade)), b);
  // The input of the list form is not modified.
  EXPECT_EQ(b, base());
}

TEST(Replay, AddColumnAppendsAndDropsHints) {
  column phone = col("phone", "text", true);
  phone.renamed_from = {"telephone"};
  phone.backfill = "''";
  const schema s = replay_one(base(), ops::add_column{pub("users"), phone});
  const table* users = find_table(s, pub("users"));
  ASSERT_NE(users, nullptr);
  ASSERT_FALSE(users->columns.empty());
  const column& added = users->columns.back();
  EXPECT_EQ(added.name, "phone");
  EXPECT_TRUE(added.renamed_from.empty());
  EXPECT_FALSE(added.backfill.has_value());
  // And the drop that carries the same hints still matches.
  EXPECT_NO_THROW((void)replay_one(s, ops::drop_column{pub("users"), phone}));
}

TEST(Replay, RenameColumnUpdatesIndexesKeysAndForeignKeys) {
  // Referenced side: users.id is the primary key and orders' foreign key points at it.
  schema s = replay_one(base(), ops::rename_column{pub("users"), "id", "user_key"});
  const table* users = find_table(s, pub("users"));
  const table* orders = find_table(s, pub("orders"));
  ASSERT_TRUE(users && orders);
  EXPECT_NE(find_column(*users, "user_key"), nullptr);
  EXPECT_EQ(find_column(*users, "id"), nullptr);
  ASSERT_TRUE(users->pk.has_value());
  EXPECT_EQ(users->pk->columns, std::vector<std::string>{"user_key"});
  EXPECT_EQ(orders->foreign_keys[0].ref_columns, std::vector<std::string>{"user_key"});
  EXPECT_EQ(orders->foreign_keys[0].columns, std::vector<std::string>{"user_id"});
  EXPECT_NO_THROW(validate(s));

  // Referencing side: orders.user_id is in the foreign key and an index.
  s = replay_one(base(), ops::rename_column{pub("orders"), "user_id", "customer_id"});
  orders = find_table(s, pub("orders"));
  ASSERT_NE(orders, nullptr);
  EXPECT_EQ(orders->foreign_keys[0].columns, std::vector<std::string>{"customer_id"});
  EXPECT_EQ(orders->foreign_keys[0].ref_columns, std::vector<std::string>{"id"});
  EXPECT_EQ(orders->indexes[0].columns, std::vector<index_key>{"customer_id"});
  EXPECT_NO_THROW(validate(s));

  // Multi-column keys keep their order; other columns are untouched.
  s = edited(base(), [](schema& x) {
    table& u = table_of(x, pub("users"));
    u.uniques.push_back({"uq_users_nick_email", {"nick", "email"}});
    u.indexes.push_back(make_index("ix_users_email_status", {"email", "status"}));
  });
  s = replay_one(s, ops::rename_column{pub("users"), "email", "mail"});
  users = find_table(s, pub("users"));
  ASSERT_NE(users, nullptr);
  const auto unique_it = std::find_if(users->uniques.begin(), users->uniques.end(),
                                      [](const auto& u) { return u.name == "uq_users_nick_email"; });
  ASSERT_NE(unique_it, users->uniques.end());
  EXPECT_EQ(unique_it->columns, (std::vector<std::string>{"nick", "mail"}));
  const auto index_it = std::find_if(users->indexes.begin(), users->indexes.end(),
                                     [](const auto& i) { return i.name == "ix_users_email_status"; });
  ASSERT_NE(index_it, users->indexes.end());
  EXPECT_EQ(index_it->columns, (std::vector<index_key>{"mail", "status"}));
  EXPECT_NO_THROW(validate(s));
}

schema with_employees() {
  return edited(base(), [](schema& s) {
    table e;
    e.name = pub("employees");
    e.columns = {col("id", "bigint"), col("manager_id", "bigint", true)};
    e.pk = primary_key{"pk_employees", {"id"}};
    e.foreign_keys = {{"fk_employees_manager_id_employees", {"manager_id"}, pub("employees"), {"id"},
                       fk_action::set_null, fk_action::no_action}};
    s.tables.push_back(e);
  });
}

TEST(Replay, RenamesFollowSelfReferencingForeignKeys) {
  schema s = replay_one(with_employees(), ops::rename_column{pub("employees"), "id", "emp_id"});
  const table* e = find_table(s, pub("employees"));
  ASSERT_NE(e, nullptr);
  EXPECT_EQ(e->pk->columns, std::vector<std::string>{"emp_id"});
  EXPECT_EQ(e->foreign_keys[0].columns, std::vector<std::string>{"manager_id"});
  EXPECT_EQ(e->foreign_keys[0].ref_columns, std::vector<std::string>{"emp_id"});

  s = replay_one(with_employees(), ops::rename_column{pub("employees"), "manager_id", "boss_id"});
  e = find_table(s, pub("employees"));
  ASSERT_NE(e, nullptr);
  EXPECT_EQ(e->foreign_keys[0].columns, std::vector<std::string>{"boss_id"});
  EXPECT_EQ(e->foreign_keys[0].ref_columns, std::vector<std::string>{"id"});

  s = replay_one(with_employees(), ops::rename_table{pub("employees"), {"app", "staff"}});
  e = find_table(s, {"app", "staff"});
  ASSERT_NE(e, nullptr);
  EXPECT_EQ(e->foreign_keys[0].ref_table, (qualified_name{"app", "staff"}));
  EXPECT_EQ(find_table(s, pub("employees")), nullptr);
  EXPECT_NO_THROW(validate(s));
}

TEST(Replay, RenameTableLeavesUnrelatedForeignKeysAlone) {
  // A foreign key to app.users is not a foreign key to public.users.
  schema s = edited(base(), [](schema& x) {
    table other = table_of(x, pub("users"));
    other.name = {"app", "users"};
    other.uniques.clear();
    other.indexes.clear();
    other.checks.clear();
    other.pk = primary_key{"pk_app_users", {"id"}};
    other.columns[2] = col("status", "text", true);
    x.tables.push_back(other);
    table_of(x, pub("orders")).foreign_keys[0].ref_table = {"app", "users"};
  });
  s = replay_one(s, ops::rename_table{pub("users"), pub("people")});
  EXPECT_EQ(table_of(s, pub("orders")).foreign_keys[0].ref_table, (qualified_name{"app", "users"}));
}

TEST(Replay, IndexNamesAreScopedToTheirSchema) {
  // The same index name in another schema is fine.
  schema s = edited(base(), [](schema& x) {
    table t;
    t.name = {"app", "things"};
    t.columns = {col("status", "text")};
    x.tables.push_back(t);
  });
  EXPECT_NO_THROW(s = replay_one(s, ops::create_index{{"app", "things"}, make_index("ix_users_status", {"status"})}));
  EXPECT_EQ(table_of(s, {"app", "things"}).indexes.size(), 1u);
}

TEST(Replay, CheckAndForeignKeyNamesNeedOnlyBeUniqueInTheirTable) {
  // Unlike primary keys, unique constraints and indexes, they name no relation, so PostgreSQL
  // (and validate()) let them share a name with another table's index or with a table.
  const schema b = base();
  table tags = tags_table();
  tags.checks = {{"ix_orders_user_id", "label <> ''"}};
  const std::vector<operation> fine{
      ops::add_check{pub("users"), {"pk_orders", "id > 0"}},
      ops::add_check{pub("orders"), {"users", "id > 0"}},
      ops::add_foreign_key{pub("orders"), {"ix_users_status", {"id"}, pub("users"), {"id"}, fk_action::no_action,
                                           fk_action::no_action}},
      ops::rename_constraint{pub("users"), "ck_users_email", "uq_tags_label"},
      ops::create_table{tags},
  };
  for (const auto& op : fine) {
    SCOPED_TRACE(ops::describe(op));
    schema s;
    ASSERT_NO_THROW(s = replay_one(b, op));
    EXPECT_NO_THROW(validate(s));
  }
  schema all;
  ASSERT_NO_THROW(all = replay(b, fine));
  EXPECT_NO_THROW(validate(all));
  expect_same_schema(replay(all, ops::inverse(fine)), b);
}

// --- errors ---------------------------------------------------------------------------------

struct error_case {
  std::string label;
  schema before;
  operation op;
  std::vector<std::string> message_parts;  ///< each must appear in the message
};

std::vector<error_case> error_cases() {
  const schema b = base();
  const schema policy_on_users = edited(b, [](schema& s) {
    table_of(s, pub("users")).policies.push_back({"p", policy_command::all, false, {}, "true", std::nullopt});
  });
  const schema with_tags = edited(b, [](schema& s) { s.tables.push_back(tags_table()); });
  table tags_changed = tags_table();
  tags_changed.columns[1] = col("label", "varchar(10)");
  table tags_extra = tags_table();
  tags_extra.columns.push_back(col("extra", "text", true));
  table with_fk = tags_table();
  with_fk.foreign_keys = {{"fk_tags_user_id_users", {"user_id"}, pub("users"), {"id"}, fk_action::no_action,
                           fk_action::no_action}};
  table users_now = b.tables[1];  // public.users as it stands
  table orders_now = b.tables[0];
  column status_now = enum_col("status", pub("status"), true);
  const index ix_status = make_index("ix_users_status", {"status"});

  return {
      // The cases the brief names.
      {"add_column to a missing table", b, ops::add_column{pub("nope"), col("x", "text")},
       {"table public.nope does not exist"}},
      {"drop a column used by an index", b, ops::drop_column{pub("users"), status_now},
       {"column public.users.status", "still used by a key or index"}},
      {"drop a column used by a foreign key", b, ops::drop_column{pub("orders"), col("user_id", "bigint")},
       {"column public.orders.user_id", "still used"}},
      {"drop a table still referenced by a foreign key", b, ops::drop_table{users_now},
       {"table public.users is still referenced by foreign key fk_orders_user_id_users of public.orders"}},
      {"drop a table that still has a foreign key", b, ops::drop_table{orders_now},
       {"table public.orders still has foreign key fk_orders_user_id_users"}},
      {"drop_table whose definition differs (a column type)", with_tags, ops::drop_table{tags_changed},
       {"table public.tags differs from the one the operation drops"}},
      {"drop_table whose definition differs (an extra column)", with_tags, ops::drop_table{tags_extra},
       {"table public.tags differs"}},
      {"create_table carrying foreign keys", b, ops::create_table{with_fk},
       {"create_table public.tags carries foreign keys", "add_foreign_key"}},
      {"drop an enum still used by a column", b, ops::drop_enum{{pub("status"), {"active", "archived"}}},
       {"enum public.status is still used by column public.users.status"}},
      {"add an existing enum value", b, ops::add_enum_value{pub("status"), "archived", std::nullopt},
       {"enum public.status already has the value 'archived'"}},
      {"drop_enum_value whose before does not match", b, ops::drop_enum_value{pub("status"), "active", std::nullopt},
       {"enum public.status", "'active' is not where the operation says it is"}},
      {"drop_enum_value whose before names another value", b,
       ops::drop_enum_value{pub("status"), "archived", "active"},
       {"'archived' is not where the operation says it is"}},
      {"alter_column whose from does not match", b,
       ops::alter_column{pub("users"), col("email", "varchar(100)"), col("email", "text"), ops::change_type},
       {"column public.users.email is not in the state the operation alters it from"}},
      {"create_index with a name used by another table's index", b,
       ops::create_index{pub("orders"), make_index("ix_users_status", {"note"})},
       {"schema public already has an index named ix_users_status"}},
      {"create_index with a name used by another table's primary key", b,
       ops::create_index{pub("orders"), make_index("pk_users", {"note"})},
       {"schema public already has an index named pk_users"}},
      {"create_index with a table's name", b, ops::create_index{pub("orders"), make_index("users", {"note"})},
       {"users is already the name of table public.users"}},
      // More of the checks PostgreSQL would make.
      {"create_schema that exists", b, ops::create_schema{"app"}, {"schema app already exists"}},
      {"drop_schema that does not exist", b, ops::drop_schema{"nope"}, {"schema nope does not exist"}},
      {"drop_schema public", b, ops::drop_schema{"public"}, {"schema public"}},
      {"drop_schema that holds a table",
       edited(b, [](schema& s) { table_of(s, pub("orders")).name = {"app", "orders"}; }), ops::drop_schema{"app"},
       {"schema app still holds table app.orders"}},
      {"drop_schema that holds an enum", edited(b, [](schema& s) { s.enums.push_back({{"app", "e"}, {"x"}}); }),
       ops::drop_schema{"app"}, {"schema app still holds enum app.e"}},
      {"create_enum that exists", b, ops::create_enum{{pub("status"), {"x"}}}, {"enum public.status already exists"}},
      {"create_enum in a missing schema", b, ops::create_enum{{{"nope", "e"}, {"x"}}}, {"schema nope does not exist"}},
      {"create_enum without values", b, ops::create_enum{{pub("empty"), {}}}, {"enum public.empty has no values"}},
      {"drop_enum that differs", edited(b, [](schema& s) { s.enums.push_back({pub("mood"), {"happy", "sad"}}); }),
       ops::drop_enum{{pub("mood"), {"happy"}}}, {"enum public.mood differs from the one the operation drops"}},
      {"drop_enum that does not exist", b, ops::drop_enum{{pub("mood"), {"x"}}}, {"enum public.mood does not exist"}},
      {"add_enum_value before a missing value", b, ops::add_enum_value{pub("status"), "new", "nope"},
       {"enum public.status has no value 'nope' to add before"}},
      {"add_enum_value to a missing enum", b, ops::add_enum_value{pub("mood"), "x", std::nullopt},
       {"enum public.mood does not exist"}},
      {"rename_enum_value of a missing value", b, ops::rename_enum_value{pub("status"), "nope", "x"},
       {"enum public.status has no value 'nope'"}},
      {"rename_enum_value onto an existing value", b, ops::rename_enum_value{pub("status"), "active", "archived"},
       {"enum public.status already has the value 'archived'"}},
      {"drop_enum_value that does not exist", b, ops::drop_enum_value{pub("status"), "nope", std::nullopt},
       {"enum public.status has no value 'nope'"}},
      {"drop the last enum value", edited(b, [](schema& s) { s.enums.push_back({pub("one"), {"only"}}); }),
       ops::drop_enum_value{pub("one"), "only", std::nullopt}, {"enum public.one cannot lose its last value"}},
      {"create_table that exists", b, ops::create_table{users_now}, {"table public.users already exists"}},
      {"create_table in a missing schema", b,
       ops::create_table{[] {
         table t = tags_table();
         t.name = {"nope", "tags"};
         return t;
       }()},
       {"schema nope does not exist"}},
      {"create_table without columns", b,
       ops::create_table{[] {
         table t;
         t.name = pub("empty");
         return t;
       }()},
       {"table public.empty has no columns"}},
      {"create_table with two columns of one name", b,
       ops::create_table{[] {
         table t;
         t.name = pub("twice");
         t.columns = {col("a", "text"), col("a", "int")};
         return t;
       }()},
       {"table public.twice has two columns named a"}},
      {"create_table with an unknown enum", b,
       ops::create_table{[] {
         table t;
         t.name = pub("t");
         t.columns = {enum_col("e", pub("nope"))};
         return t;
       }()},
       {"column e uses enum type public.nope, which does not exist"}},
      {"create_table with a primary key on a missing column", b,
       ops::create_table{[] {
         table t = tags_table();
         t.pk = primary_key{"pk_tags", {"nope"}};
         return t;
       }()},
       {"primary key pk_tags names column public.tags.nope, which does not exist"}},
      {"create_table whose index name is taken", b,
       ops::create_table{[] {
         table t = tags_table();
         t.indexes[0].name = "ix_orders_user_id";
         return t;
       }()},
       {"schema public already has an index named ix_orders_user_id"}},
      {"drop_table that does not exist", b, ops::drop_table{tags_table()}, {"table public.tags does not exist"}},
      {"rename_table onto an existing table", b, ops::rename_table{pub("users"), pub("orders")},
       {"table public.orders already exists"}},
      {"rename_table into a missing schema", b, ops::rename_table{pub("users"), {"nope", "users"}},
       {"schema nope does not exist"}},
      {"rename_table of a missing table", b, ops::rename_table{pub("nope"), pub("other")},
       {"table public.nope does not exist"}},
      {"set_table_comment from the wrong comment", b, ops::set_table_comment{pub("users"), "old", "new"},
       {"the comment of table public.users is not the one the operation replaces"}},
      {"add_column that exists", b, ops::add_column{pub("users"), col("email", "text")},
       {"column public.users.email already exists"}},
      {"add_column of an unknown enum", b, ops::add_column{pub("users"), enum_col("mood", pub("mood"))},
       {"column mood uses enum type public.mood, which does not exist"}},
      {"drop_column that does not exist", b, ops::drop_column{pub("users"), col("nope", "text")},
       {"column public.users.nope does not exist"}},
      {"drop_column that differs", b, ops::drop_column{pub("users"), col("nick", "varchar(5)", true)},
       {"column public.users.nick differs from the one the operation drops"}},
      {"drop a table's last column",
       edited(b, [](schema& s) {
         table t;
         t.name = pub("single");
         t.columns = {col("only", "text")};
         s.tables.push_back(t);
       }),
       ops::drop_column{pub("single"), col("only", "text")}, {"column public.single.only is the table's last column"}},
      {"rename_column of a missing column", b, ops::rename_column{pub("users"), "nope", "x"},
       {"column public.users.nope does not exist"}},
      {"rename_column onto an existing column", b, ops::rename_column{pub("users"), "nick", "email"},
       {"column public.users.email already exists"}},
      {"alter_column that renames", b,
       ops::alter_column{pub("users"), col("nick", "text", true), col("nickname", "text", true), ops::change_type},
       {"alter_column cannot rename a column; use rename_column"}},
      {"alter_column of a missing column", b,
       ops::alter_column{pub("users"), col("nope", "text"), col("nope", "int"), ops::change_type},
       {"column public.users.nope does not exist"}},
      {"alter_column making a primary key column nullable", b,
       ops::alter_column{pub("orders"), col("id", "bigint"), col("id", "bigint", true), ops::change_nullable},
       {"column public.orders.id is in primary key pk_orders: it cannot become nullable"}},
      {"alter_column to an unknown enum", b,
       ops::alter_column{pub("users"), col("nick", "text", true), enum_col("nick", pub("nope"), true), ops::change_type},
       {"enum type public.nope, which does not exist"}},
      {"backfill_column of a missing column", b, ops::backfill_column{pub("users"), "nope", "1"},
       {"column public.users.nope does not exist"}},
      {"add_primary_key to a table that has one", b, ops::add_primary_key{pub("users"), {"pk_two", {"email"}}},
       {"table public.users already has primary key pk_users"}},
      {"add_primary_key on a nullable column", edited(b, [](schema& s) { table_of(s, pub("orders")).pk.reset(); }),
       ops::add_primary_key{pub("orders"), {"pk_orders", {"id", "note"}}},
       {"primary key column public.orders.note is nullable"}},
      {"add_primary_key on a missing column", edited(b, [](schema& s) { table_of(s, pub("orders")).pk.reset(); }),
       ops::add_primary_key{pub("orders"), {"pk_orders", {"nope"}}},
       {"primary key pk_orders names column public.orders.nope, which does not exist"}},
      {"drop_primary_key that differs", b, ops::drop_primary_key{pub("orders"), {"pk_orders", {"id", "user_id"}}},
       {"table public.orders has no primary key pk_orders as the operation describes it"}},
      {"add_unique with a taken name", b, ops::add_unique{pub("users"), {"ck_users_email", {"nick"}}},
       {"table public.users already has a constraint or index named ck_users_email"}},
      {"add_unique on a missing column", b, ops::add_unique{pub("users"), {"uq_users_nope", {"nope"}}},
       {"unique constraint uq_users_nope names column public.users.nope, which does not exist"}},
      {"drop_unique that does not exist", b, ops::drop_unique{pub("users"), {"uq_nope", {"email"}}},
       {"table public.users has no unique constraint named uq_nope"}},
      {"drop_unique that differs", b, ops::drop_unique{pub("users"), {"uq_users_email", {"email", "nick"}}},
       {"unique constraint uq_users_email of table public.users differs from the one the operation drops"}},
      {"add_check with a taken name", b, ops::add_check{pub("users"), {"uq_users_email", "true"}},
       {"already has a constraint or index named uq_users_email"}},
      {"drop_check that differs", b, ops::drop_check{pub("users"), {"ck_users_email", "email <> 'x'"}},
       {"check constraint ck_users_email of table public.users differs"}},
      {"create_index on a missing column", b, ops::create_index{pub("users"), make_index("ix_users_nope", {"nope"})},
       {"index ix_users_nope names column public.users.nope, which does not exist"}},
      {"drop_index that differs", b,
       ops::drop_index{pub("users"), make_index("ix_users_status", {"status"}, false, std::nullopt, "hash")},
       {"index ix_users_status of table public.users differs"}},
      {"drop_index of another table", b, ops::drop_index{pub("orders"), ix_status},
       {"table public.orders has no index named ix_users_status"}},
      {"add_foreign_key to a missing table", b,
       ops::add_foreign_key{pub("orders"), {"fk_x", {"user_id"}, pub("nope"), {"id"}, fk_action::no_action,
                                            fk_action::no_action}},
       {"table public.nope does not exist"}},
      {"add_foreign_key to a missing column", b,
       ops::add_foreign_key{pub("orders"), {"fk_x", {"user_id"}, pub("users"), {"nope"}, fk_action::no_action,
                                            fk_action::no_action}},
       {"foreign key fk_x names column public.users.nope, which does not exist"}},
      {"add_foreign_key from a missing column", b,
       ops::add_foreign_key{pub("orders"), {"fk_x", {"nope"}, pub("users"), {"id"}, fk_action::no_action,
                                            fk_action::no_action}},
       {"foreign key fk_x names column public.orders.nope, which does not exist"}},
      {"add_foreign_key with a column count mismatch", b,
       ops::add_foreign_key{pub("orders"), {"fk_x", {"user_id", "id"}, pub("users"), {"id"}, fk_action::no_action,
                                            fk_action::no_action}},
       {"foreign key fk_x has 2 columns but references 1"}},
      {"add_foreign_key with a taken name", b, ops::add_foreign_key{pub("orders"), orders_fk()},
       {"already has a constraint or index named fk_orders_user_id_users"}},
      {"drop_foreign_key that differs", b,
       ops::drop_foreign_key{pub("orders"), {"fk_orders_user_id_users", {"user_id"}, pub("users"), {"id"},
                                             fk_action::restrict, fk_action::no_action}},
       {"foreign key fk_orders_user_id_users of table public.orders differs"}},
      {"rename_index that does not exist", b, ops::rename_index{pub("users"), "ix_nope", "ix_other"},
       {"table public.users has no index named ix_nope"}},
      {"rename_index onto another table's index", b,
       ops::rename_index{pub("users"), "ix_users_status", "ix_orders_user_id"},
       {"schema public already has an index named ix_orders_user_id"}},
      {"rename_constraint that does not exist", b, ops::rename_constraint{pub("users"), "nope", "x"},
       {"table public.users has no constraint named nope"}},
      {"rename_constraint of a unique constraint onto another table's index", b,
       ops::rename_constraint{pub("users"), "uq_users_email", "ix_orders_user_id"},
       {"schema public already has an index named ix_orders_user_id"}},
      {"rename_constraint of a primary key onto a table's name", b,
       ops::rename_constraint{pub("users"), "pk_users", "orders"},
       {"orders is already the name of table public.orders"}},
      {"add_check with a name taken by an index of the same table", b,
       ops::add_check{pub("users"), {"ix_users_status", "true"}},
       {"table public.users already has a constraint or index named ix_users_status"}},
      {"rename_constraint onto a taken name", b, ops::rename_constraint{pub("users"), "pk_users", "uq_users_email"},
       {"already has a constraint or index named uq_users_email"}},
      // Keys that foreign keys reference, and foreign keys without a key to reference.
      {"drop_primary_key that a foreign key still references", b,
       ops::drop_primary_key{pub("users"), *users_now.pk},
       {"primary key pk_users of table public.users is still referenced by foreign key fk_orders_user_id_users"}},
      {"add_foreign_key to columns that are not a key", b,
       ops::add_foreign_key{pub("orders"), {"fk_orders_user_id_email", {"user_id"}, pub("users"), {"status"},
                                            fk_action::no_action, fk_action::no_action}},
       {"references public.users(status), which is neither its primary key nor unique"}},
      // Exclusion constraints and policies, as PostgreSQL checks them.
      {"add_exclusion on a missing column", b,
       ops::add_exclusion{pub("users"), {"ex_users_nope", {{index_key{"nope"}, "="}}, "gist", {}, std::nullopt,
                                         deferral::not_deferrable}},
       {"exclusion constraint ex_users_nope names column public.users.nope, which does not exist"}},
      {"add_exclusion named like another table's index", b,
       ops::add_exclusion{pub("users"), {"ix_orders_user_id", {{index_key{"email"}, "="}}, "gist", {}, std::nullopt,
                                         deferral::not_deferrable}},
       {"schema public already has an index named ix_orders_user_id"}},
      {"create_policy of insert with USING", b,
       ops::create_policy{pub("users"), {"p", policy_command::insert, false, {}, "true", std::nullopt}},
       {"policy p of table public.users: an insert policy has no USING expression"}},
      {"create_policy twice", policy_on_users, ops::create_policy{pub("users"), {"p", policy_command::all, false, {}, "true", std::nullopt}},
       {"table public.users already has a policy named p"}},
      {"alter_policy to another command", policy_on_users,
       ops::alter_policy{pub("users"), {"p", policy_command::all, false, {}, "true", std::nullopt},
                         {"p", policy_command::select, false, {}, "true", std::nullopt}},
       {"ALTER POLICY cannot change its command or kind"}},
      {"set_row_level_security from another state", b, ops::set_row_level_security{pub("users"), {true, false}, {}},
       {"row-level security of table public.users is not in the state the operation changes it from"}},
      {"drop_column an exclusion constraint uses",
       edited(b, [](schema& s) {
         table_of(s, pub("users")).exclusions.push_back(
             {"ex_users_nick", {{index_key{"nick"}, "="}}, "gist", {}, std::nullopt, deferral::not_deferrable});
       }),
       ops::drop_column{pub("users"), col("nick", "text", true)}, {"is still used by a key or index"}},
  };
}

TEST(ReplayErrors, EachMisfitThrowsAReplayErrorThatSaysWhy) {
  for (const auto& c : error_cases()) {
    SCOPED_TRACE(c.label + ": " + ops::describe(c.op));
    try {
      (void)replay_one(c.before, c.op);
      ADD_FAILURE() << "no replay_error";
    } catch (const replay_error& e) {
      const std::string what = e.what();
      for (const auto& part : c.message_parts)
        EXPECT_NE(what.find(part), std::string::npos) << "message: " << what << "\nexpected to contain: " << part;
    } catch (const std::exception& e) {
      ADD_FAILURE() << "threw something other than replay_error: " << e.what();
    }
  }
}

TEST(ReplayErrors, ReplayErrorIsARetortError) {
  const schema b = base();
  EXPECT_THROW((void)replay_one(b, ops::add_column{pub("nope"), col("x", "text")}), retort::error);
  // The list form stops at the first misfit and leaves its input alone.
  const std::vector<operation> list{ops::create_schema{"audit"}, ops::create_schema{"audit"}};
  EXPECT_THROW((void)replay(b, list), replay_error);
  EXPECT_EQ(b, base());
}

}  // namespace
}  // namespace retort

namespace retort {
namespace {

// An extension is created before the first column of one of its types and dropped after the last.
TEST(Replay, ExtensionTypesNeedTheirExtension) {
  schema s;
  table t;
  t.name = {"public", "people"};
  column c;
  c.name = "email";
  c.type = *parse_type("citext");
  t.columns.push_back(c);
  EXPECT_THROW((void)replay(s, std::vector<ops::operation>{ops::create_table{t}}), replay_error);
  const extension citext{"citext", "public", std::nullopt};
  const schema with = replay(s, std::vector<ops::operation>{ops::create_extension{citext}, ops::create_table{t}});
  EXPECT_THROW((void)replay(with, std::vector<ops::operation>{ops::drop_extension{citext}}), replay_error);
  EXPECT_NO_THROW((void)replay(with, std::vector<ops::operation>{ops::drop_table{t}, ops::drop_extension{citext}}));
}

// PostgreSQL 15 cannot change a generation expression, nor make a column serial, in place.
TEST(Replay, GeneratedAndSerialColumnsAreNotAlteredInPlace) {
  schema s;
  table t;
  t.name = {"public", "docs"};
  column title;
  title.name = "title";
  column search;
  search.name = "search";
  search.type = *parse_type("tsvector");
  search.nullable = true;
  search.generated = "to_tsvector('simple'::regconfig, title)";
  t.columns = {title, search};
  s = replay(s, std::vector<ops::operation>{ops::create_table{t}});
  column changed = search;
  changed.generated = "to_tsvector('english'::regconfig, title)";
  EXPECT_THROW((void)replay(s, std::vector<ops::operation>{ops::alter_column{t.name, search, changed, ops::change_type}}), replay_error);
  column serial = title;
  serial.type = *parse_type("serial");
  EXPECT_THROW((void)replay(s, std::vector<ops::operation>{ops::alter_column{t.name, title, serial, ops::change_type}}), replay_error);
}

// ---- views ---------------------------------------------------------------------------------

view view_of(std::string name, std::vector<qualified_name> reads, std::string query) {
  view v;
  v.name = pub(std::move(name));
  v.columns = {{"id", *parse_builtin_type("bigint")}};
  v.query = std::move(query);
  v.reads = std::move(reads);
  return v;
}

// What a view reads is not dropped, renamed or retyped under it (replay cannot rewrite its
// query), and a view goes only after the views reading it.
TEST(Replay, ViewsKeepWhatTheyReadAsItIs) {
  schema s;
  s.tables.push_back(table{pub("users"), {col("id", "bigint"), col("email", "text")}, {}, {}, {}, {}, {}, {}, {}});
  const view users_v = view_of("user_ids", {pub("users")}, "SELECT id FROM users");
  const view reader = view_of("first_ids", {pub("user_ids")}, "SELECT id FROM user_ids");
  EXPECT_THROW((void)replay(s, std::vector<operation>{ops::create_view{reader}}), replay_error);  // reads a view not created yet
  s = replay(s, std::vector<operation>{ops::create_view{users_v}, ops::create_view{reader}});
  ASSERT_EQ(s.views.size(), 2u);
  EXPECT_THROW((void)replay(s, std::vector<operation>{ops::drop_table{s.tables.front()}}), replay_error);
  EXPECT_THROW((void)replay(s, std::vector<operation>{ops::rename_table{pub("users"), pub("people")}}), replay_error);
  EXPECT_THROW((void)replay(s, std::vector<operation>{ops::rename_column{pub("users"), "email", "mail"}}), replay_error);
  column wider = col("email", "text");
  wider.type = *parse_builtin_type("varchar(10)");
  EXPECT_THROW((void)replay(s, std::vector<operation>{ops::alter_column{pub("users"), col("email", "text"), wider, ops::change_type}}), replay_error);
  EXPECT_NO_THROW((void)replay(s, std::vector<operation>{ops::add_column{pub("users"), col("bio", "text", true)}}));
  EXPECT_THROW((void)replay(s, std::vector<operation>{ops::drop_view{users_v}}), replay_error);  // still read by first_ids
  EXPECT_THROW((void)replay(s, std::vector<operation>{ops::create_table{table{pub("user_ids"), {col("id", "bigint")}, {}, {}, {}, {}, {}, {}, {}}}}),
               replay_error);  // a view's name is taken for tables too
  EXPECT_NO_THROW((void)replay(s, std::vector<operation>{ops::drop_view{reader}, ops::drop_view{users_v}, ops::drop_table{s.tables.front()}}));
}

// CREATE OR REPLACE keeps the columns and may add some after them; the inverse of adding
// columns is drop + create, so a view with readers keeps its columns.
TEST(Replay, ReplacingAViewKeepsItsColumns) {
  schema s;
  s.tables.push_back(table{pub("users"), {col("id", "bigint"), col("email", "text")}, {}, {}, {}, {}, {}, {}, {}});
  const view before = view_of("v", {pub("users")}, "SELECT id FROM users");
  s = replay(s, std::vector<operation>{ops::create_view{before}});
  view more = before;
  more.columns.push_back({"email", *parse_builtin_type("text")});
  more.query = "SELECT id, email FROM users";
  const ops::replace_view adding{before, more};
  const schema after = replay(s, std::vector<operation>{adding});
  EXPECT_EQ(*find_view(after, pub("v")), more);
  EXPECT_EQ(replay(after, ops::inverse(std::vector<operation>{adding})), s);
  EXPECT_THROW((void)replay(s, std::vector<operation>{ops::replace_view{more, before}}), replay_error);  // from is not what is there
  EXPECT_THROW((void)replay(after, std::vector<operation>{ops::replace_view{more, before}}), replay_error);  // a column would go
  view materialized = more;
  materialized.materialized = true;
  EXPECT_THROW((void)replay(s, std::vector<operation>{ops::replace_view{before, materialized}}), replay_error);
  const schema read = replay(s, std::vector<operation>{ops::create_view{view_of("w", {pub("v")}, "SELECT id FROM v")}});
  EXPECT_THROW((void)replay(read, std::vector<operation>{adding}), replay_error);
}

}  // namespace
}  // namespace retort

namespace retort {
namespace {

// A sequence follows the column that owns it, which cannot be dropped while it does, and a
// default can call only a sequence that exists and that it leaves in place.
TEST(Replay, SequencesFollowTheirOwnerAndGuardTheirDefaults) {
  const schema owned = replay_one(base(), ops::create_sequence{numbers()});
  EXPECT_THROW((void)replay_one(owned, ops::drop_column{pub("users"), col("nick", "text", true)}), replay_error);
  const schema renamed = replay(owned, std::vector<operation>{ops::rename_column{pub("users"), "nick", "handle"},
                                                              ops::rename_table{pub("users"), {"app", "people"}}});
  ASSERT_EQ(renamed.sequences.size(), 1u);
  EXPECT_EQ(renamed.sequences[0].name, (qualified_name{"app", "numbers"}));  // SET SCHEMA moves owned sequences
  EXPECT_EQ(renamed.sequences[0].owned_by, (sequence_owner{"people", "handle"}));

  column counted = col("counted", "bigint");
  counted.server_default = "nextval('numbers'::regclass)";
  EXPECT_THROW((void)replay_one(base(), ops::add_column{pub("orders"), counted}), replay_error);
  const schema calling = replay_one(owned, ops::add_column{pub("orders"), counted});
  EXPECT_THROW((void)replay_one(calling, ops::drop_sequence{numbers()}), replay_error);
  // An owner that does not exist, and values PostgreSQL refuses.
  sequence stray = numbers();
  stray.owned_by = sequence_owner{"orders", "nope"};
  EXPECT_THROW((void)replay_one(base(), ops::create_sequence{stray}), replay_error);
  sequence zero = numbers();
  zero.increment = 0;
  EXPECT_THROW((void)replay_one(base(), ops::create_sequence{zero}), replay_error);
  // A table that owns a sequence is not dropped under it.
  const schema orders_own = replay_one(base(), ops::create_sequence{[] {
                                   sequence q = numbers();
                                   q.owned_by = sequence_owner{"orders", "note"};
                                   return q;
                                 }()});
  const table orders = *find_table(orders_own, pub("orders"));
  table orders_alone = orders;
  orders_alone.foreign_keys.clear();
  EXPECT_THROW((void)replay(orders_own, std::vector<operation>{ops::drop_foreign_key{pub("orders"), orders_fk()},
                                                              ops::drop_table{orders_alone}}),
               replay_error);
}

// The keys PostgreSQL enforces across partitions include the partition key, which stays.
TEST(Replay, PartitionedTablesKeepThePartitionKeyInTheirKeys) {
  table events;
  events.name = pub("events");
  events.columns = {col("id", "bigint"), col("at", "timestamptz"), col("kind", "text")};
  events.partition = partition_key{partition_method::range, {"at"}};
  events.pk = primary_key{"pk_events", {"id"}};
  EXPECT_THROW((void)replay_one(base(), ops::create_table{events}), replay_error);
  events.pk = primary_key{"pk_events", {"id", "at"}};
  const schema s = replay_one(base(), ops::create_table{events});
  EXPECT_THROW((void)replay_one(s, ops::add_unique{pub("events"), {"uq_events_kind", {"kind"}}}), replay_error);
  EXPECT_NO_THROW((void)replay_one(s, ops::add_unique{pub("events"), {"uq_events_kind", {"kind", "at"}}}));
  EXPECT_THROW((void)replay_one(s, ops::create_index{pub("events"), make_index("ix_k", {"kind"}, true)}), replay_error);
  EXPECT_NO_THROW((void)replay_one(s, ops::create_index{pub("events"), make_index("ix_k", {"kind"})}));
  EXPECT_THROW((void)replay_one(s, ops::drop_column{pub("events"), col("at", "timestamptz")}), replay_error);
  const schema renamed = replay_one(s, ops::rename_column{pub("events"), "at", "created_at"});
  EXPECT_EQ(find_table(renamed, pub("events"))->partition->columns, std::vector<std::string>{"created_at"});
  EXPECT_EQ(find_table(renamed, pub("events"))->pk->columns, (std::vector<std::string>{"id", "created_at"}));
}

// A trigger holds on to its table and its function; CREATE OR REPLACE keeps a routine's header.
TEST(Replay, SqlObjectsRefuseWhatPostgresRefuses) {
  schema s = base();
  const sql_object touch = testing::touch_function();
  const sql_object trigger = testing::touch_trigger(pub("users"), touch.name);
  s = replay(s, std::vector<ops::operation>{ops::create_sql_object{touch}, ops::create_sql_object{trigger}});
  EXPECT_THROW((void)replay(s, std::vector<ops::operation>{ops::drop_sql_object{touch}}), replay_error);
  EXPECT_THROW((void)replay(s, std::vector<ops::operation>{ops::rename_table{pub("users"), pub("people")}}), replay_error);
  EXPECT_THROW((void)replay(s, std::vector<ops::operation>{ops::create_sql_object{trigger}}), replay_error);
  EXPECT_THROW((void)replay(s, std::vector<ops::operation>{ops::replace_sql_object{testing::add_one_function(), testing::add_one_function("y")}}),
               replay_error);
  const schema with_add_one = replay(s, std::vector<ops::operation>{ops::create_sql_object{testing::add_one_function()}});
  EXPECT_THROW((void)replay(with_add_one, std::vector<ops::operation>{ops::replace_sql_object{testing::add_one_function(), testing::add_one_function("y")}}),
               replay_error)
      << "a new parameter name needs drop and create";
  EXPECT_THROW((void)replay(schema{}, std::vector<ops::operation>{ops::create_sql_object{trigger}}), replay_error) << "no table";
  EXPECT_NO_THROW((void)replay(s, std::vector<ops::operation>{ops::drop_sql_object{trigger}, ops::drop_sql_object{touch}}));
}

}  // namespace
}  // namespace retort
