// Tests of the naming convention (pk_, uq_, ix_, fk_, ck_), fit() within 63 bytes, and assign_names.
#include "retort/naming.hpp"

#include <gtest/gtest.h>

#include <set>
#include <string>
#include <vector>

#include "retort/hash.hpp"

namespace retort {
namespace {

using naming::max_identifier_bytes;

// True if `s` is well-formed UTF-8 (no cut multi-byte character).
bool valid_utf8(std::string_view s) {
  std::size_t i = 0;
  while (i < s.size()) {
    const auto b = static_cast<unsigned char>(s[i]);
    std::size_t len = b < 0x80 ? 1 : (b >> 5) == 0x6 ? 2 : (b >> 4) == 0xE ? 3 : (b >> 3) == 0x1E ? 4 : 0;
    if (len == 0 || i + len > s.size()) return false;
    for (std::size_t k = 1; k < len; ++k)
      if ((static_cast<unsigned char>(s[i + k]) & 0xC0) != 0x80) return false;
    i += len;
  }
  return true;
}

bool is_lower_hex(std::string_view s) {
  return s.find_first_not_of("0123456789abcdef") == std::string_view::npos;
}

// The shape fit() promises for a long name: a prefix of it, "_", and 8 hex digits of its SHA-256.
void expect_shortened(const std::string& name, const std::string& fitted) {
  SCOPED_TRACE(name);
  ASSERT_GT(name.size(), max_identifier_bytes);
  EXPECT_LE(fitted.size(), max_identifier_bytes);
  ASSERT_GE(fitted.size(), 9u);
  const std::string prefix = fitted.substr(0, fitted.size() - 9);
  EXPECT_EQ(fitted[fitted.size() - 9], '_');
  EXPECT_EQ(fitted.substr(fitted.size() - 8), sha256_hex(name).substr(0, 8));
  EXPECT_TRUE(is_lower_hex(fitted.substr(fitted.size() - 8)));
  EXPECT_EQ(name.compare(0, prefix.size(), prefix), 0) << "not a prefix of the name: " << prefix;
  EXPECT_TRUE(valid_utf8(fitted)) << "cut inside a UTF-8 character";
}

TEST(Naming, ConventionForEachKind) {
  const qualified_name users{"public", "users"};
  const qualified_name orders{"public", "orders"};
  const qualified_name items{"shop", "order_items"};
  struct naming_case {
    std::string actual, expected;
  };
  const std::vector<naming_case> cases{
      {naming::primary_key(users), "pk_users"},
      {naming::primary_key(items), "pk_order_items"},
      {naming::unique(users, {"email"}), "uq_users_email"},
      {naming::unique(items, {"order_id", "product_id"}), "uq_order_items_order_id_product_id"},
      {naming::index(users, {"email"}), "ix_users_email"},
      {naming::index(users, {"last_name", "first_name"}), "ix_users_last_name_first_name"},
      {naming::foreign_key(orders, {"user_id"}, users), "fk_orders_user_id_users"},
      {naming::foreign_key(items, {"order_id"}, {"shop", "orders"}), "fk_order_items_order_id_orders"},
      {naming::foreign_key(items, {"a", "b"}, users), "fk_order_items_a_b_users"},
      {naming::check(items, "quantity"), "ck_order_items_quantity"},
      {naming::check(users, "email_lower"), "ck_users_email_lower"},
  };
  for (const auto& c : cases) EXPECT_EQ(c.actual, c.expected);
}

TEST(Naming, SchemaIsNotPartOfTheName) {
  EXPECT_EQ(naming::primary_key({"app", "users"}), naming::primary_key({"public", "users"}));
  EXPECT_EQ(naming::index({"app", "users"}, {"email"}), naming::index({"public", "users"}, {"email"}));
}

TEST(Naming, FitKeepsNamesOfAtMost63Bytes) {
  for (std::size_t n : {std::size_t{1}, std::size_t{10}, std::size_t{62}, std::size_t{63}}) {
    const std::string name(n, 'x');
    EXPECT_EQ(naming::fit(name), name) << n << " bytes";
  }
  // 63 bytes of multi-byte characters also fit as they are.
  std::string utf8;
  for (int i = 0; i < 21; ++i) utf8 += "\xE2\x82\xAC";  // U+20AC, 3 bytes
  ASSERT_EQ(utf8.size(), 63u);
  EXPECT_EQ(naming::fit(utf8), utf8);
}

TEST(Naming, FitShortensLongerNamesTo63BytesAtMost) {
  for (std::size_t n : {std::size_t{64}, std::size_t{65}, std::size_t{100}, std::size_t{1000}}) {
    const std::string name(n, 'a');
    const std::string fitted = naming::fit(name);
    EXPECT_EQ(fitted.size(), max_identifier_bytes) << n << " bytes";
    expect_shortened(name, fitted);
  }
}

TEST(Naming, FitIsStable) {
  const std::string name = "ix_a_table_with_a_rather_long_name_" + std::string(40, 'c') + "_and_more";
  const std::string first = naming::fit(name);
  for (int i = 0; i < 3; ++i) EXPECT_EQ(naming::fit(name), first);
  EXPECT_EQ(naming::fit(std::string_view(name)), naming::fit(std::string(name)));
  // The expected value pins the scheme: 54 bytes of the name, "_", 8 hex digits of SHA-256(name).
  EXPECT_EQ(first, name.substr(0, 54) + "_" + sha256_hex(name).substr(0, 8));
}

TEST(Naming, DifferentLongNamesWithTheSamePrefixDiffer) {
  const std::string prefix(70, 'p');
  std::set<std::string> fitted;
  for (const char* tail : {"_a", "_b", "_c", "_ab", "_ba", ""}) {
    const std::string name = prefix + tail;
    const std::string f = naming::fit(name);
    EXPECT_LE(f.size(), max_identifier_bytes);
    fitted.insert(f);
  }
  EXPECT_EQ(fitted.size(), 6u);
}

TEST(Naming, FitNeverCutsAUtf8Character) {
  struct utf8_case {
    std::string label;
    std::string head;   // ASCII lead-in, to move character boundaries
    std::string glyph;  // one character, repeated
  };
  const std::vector<utf8_case> cases{
      {"2-byte é, boundary on the cut", "", "\xC3\xA9"},
      {"2-byte é, boundary off the cut", "a", "\xC3\xA9"},
      {"3-byte €", "", "\xE2\x82\xAC"},
      {"3-byte € after 1 byte", "a", "\xE2\x82\xAC"},
      {"3-byte € after 2 bytes", "ab", "\xE2\x82\xAC"},
      {"4-byte emoji", "", "\xF0\x9F\x98\x80"},
      {"4-byte emoji after 1 byte", "a", "\xF0\x9F\x98\x80"},
      {"4-byte emoji after 2 bytes", "ab", "\xF0\x9F\x98\x80"},
      {"4-byte emoji after 3 bytes", "abc", "\xF0\x9F\x98\x80"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.label);
    std::string name = c.head;
    while (name.size() <= max_identifier_bytes + 8) name += c.glyph;
    ASSERT_TRUE(valid_utf8(name));
    const std::string fitted = naming::fit(name);
    expect_shortened(name, fitted);
    // Only a partial character is dropped: the prefix is at most 3 bytes shorter than 54.
    EXPECT_GE(fitted.size(), max_identifier_bytes - 3);
  }
}

TEST(Naming, ConventionNamesForLongIdentifiersFit) {
  const qualified_name long_table{"public", std::string(60, 't')};
  const std::vector<std::string> long_columns{std::string(40, 'a'), std::string(40, 'b')};
  const std::vector<std::string> names{
      naming::primary_key(long_table),
      naming::unique(long_table, long_columns),
      naming::index(long_table, long_columns),
      naming::foreign_key(long_table, long_columns, long_table),
      naming::check(long_table, std::string(30, 'l')),
  };
  std::set<std::string> distinct;
  for (const auto& n : names) {
    EXPECT_LE(n.size(), max_identifier_bytes) << n;
    distinct.insert(n);
  }
  EXPECT_EQ(distinct.size(), names.size());
  EXPECT_EQ(naming::primary_key(long_table), naming::fit("pk_" + long_table.name));
  EXPECT_EQ(naming::index(long_table, long_columns).substr(0, 3), "ix_");
}

column simple_column(std::string name) {
  column c;
  c.name = std::move(name);
  c.type.kind = type_kind::bigint;
  return c;
}

TEST(Naming, AssignNamesFillsOnlyEmptyNames) {
  table t;
  t.name = {"shop", "orders"};
  for (const char* c : {"id", "user_id", "code", "total"}) t.columns.push_back(simple_column(c));
  t.pk = primary_key{"", {"id"}};
  t.uniques = {{"", {"code"}}, {"my_unique", {"user_id", "code"}}};
  t.indexes = {{"", {"user_id", "total"}, false, std::nullopt, "btree"},
               {"custom_ix", {"total"}, false, std::nullopt, "btree"}};
  foreign_key fk;
  fk.columns = {"user_id"};
  fk.ref_table = {"public", "users"};
  fk.ref_columns = {"id"};
  foreign_key named_fk = fk;
  named_fk.name = "orders_user_fk";
  t.foreign_keys = {fk, named_fk};
  t.checks = {{"", "total >= 0"}, {"positive_total", "total > 0"}};

  table named = t;
  named.name = {"public", "named"};
  named.pk = primary_key{"keep_me", {"id"}};

  schema s;
  s.schemas = {"shop"};
  s.tables = {t, named};
  naming::assign_names(s);

  const table& o = s.tables[0];
  ASSERT_TRUE(o.pk.has_value());
  EXPECT_EQ(o.pk->name, "pk_orders");
  ASSERT_EQ(o.uniques.size(), 2u);
  EXPECT_EQ(o.uniques[0].name, "uq_orders_code");
  EXPECT_EQ(o.uniques[1].name, "my_unique");
  ASSERT_EQ(o.indexes.size(), 2u);
  EXPECT_EQ(o.indexes[0].name, "ix_orders_user_id_total");
  EXPECT_EQ(o.indexes[1].name, "custom_ix");
  ASSERT_EQ(o.foreign_keys.size(), 2u);
  EXPECT_EQ(o.foreign_keys[0].name, "fk_orders_user_id_users");
  EXPECT_EQ(o.foreign_keys[1].name, "orders_user_fk");
  ASSERT_EQ(o.checks.size(), 2u);
  // An unnamed check is named after a readable label of its expression.
  EXPECT_EQ(o.checks[0].name, "ck_orders_total_ge_0");
  EXPECT_EQ(o.checks[1].name, "positive_total");
  ASSERT_TRUE(s.tables[1].pk.has_value());
  EXPECT_EQ(s.tables[1].pk->name, "keep_me");
  EXPECT_EQ(s.tables[1].uniques[0].name, "uq_named_code");

  // Everything else is untouched, and a second pass changes nothing.
  EXPECT_EQ(o.columns, t.columns);
  EXPECT_EQ(o.indexes[0].columns, t.indexes[0].columns);
  schema again = s;
  naming::assign_names(again);
  EXPECT_EQ(again, s);
}

TEST(Naming, AssignNamesOnATableWithoutConstraintsChangesNothing) {
  table t;
  t.name = {"public", "plain"};
  t.columns = {simple_column("id")};
  schema s;
  s.tables = {t};
  schema before = s;
  naming::assign_names(s);
  EXPECT_EQ(s, before);
  EXPECT_FALSE(s.tables[0].pk.has_value());
}

TEST(SnakeCase, DefaultNames) {
  EXPECT_EQ(naming::snake_case("User"), "user");
  EXPECT_EQ(naming::snake_case("UserProfile"), "user_profile");
  EXPECT_EQ(naming::snake_case("OrderItem"), "order_item");
  EXPECT_EQ(naming::snake_case("HTTPRequest"), "http_request");
  EXPECT_EQ(naming::snake_case("ProductV2"), "product_v2");
  EXPECT_EQ(naming::snake_case("Order2Item"), "order2_item");
  EXPECT_EQ(naming::snake_case("already_snake"), "already_snake");
  EXPECT_EQ(naming::snake_case("Mixed_Case"), "mixed_case");
}

TEST(Naming, LabelsAnExpressionByItsWordsAndComparisons) {
  EXPECT_EQ(naming::label("quantity * unit_price >= 0"), "quantity_unit_price_ge_0");
  EXPECT_EQ(naming::label("lower(email::text)"), "lower_email_text");
  EXPECT_EQ(naming::label("a <> B"), "a_ne_b");
  EXPECT_EQ(naming::label("(+)"), "");
}

TEST(Naming, ChecksWithOneLabelAreToldApartByTheirExpressionsHashes) {
  table t;
  t.name = {"public", "t"};
  t.checks = {{"", "a + b > 0"}, {"", "a * b > 0"}, {"", "c = 1"}, {"", "(+)"}};
  schema s;
  s.tables = {t};
  naming::assign_names(s);
  const auto& c = s.tables[0].checks;
  EXPECT_EQ(c[0].name, "ck_t_a_b_gt_0_" + sha256_hex("a + b > 0").substr(0, 8));
  EXPECT_EQ(c[1].name, "ck_t_a_b_gt_0_" + sha256_hex("a * b > 0").substr(0, 8));
  EXPECT_EQ(c[2].name, "ck_t_c_eq_1");
  EXPECT_EQ(c[3].name, "ck_t_" + sha256_hex("(+)").substr(0, 8));
}

TEST(Naming, AnExpressionIndexKeyIsNamedByItsLabel) {
  EXPECT_EQ(naming::index_by_keys({"public", "users"}, {index_key::of_expression("lower(email)"), "id"}),
            "ix_users_lower_email_id");
}

}  // namespace
}  // namespace retort
