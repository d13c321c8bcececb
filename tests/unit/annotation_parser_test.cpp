// Tests of the annotation language (no Clang): the option syntax, each annotation kind's
// options and values, every mistake with the offset the scanner will point its caret at.
#include "annotation_parser.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace retort::scan {
namespace {

// "offset: message" of each error, for one-line expectations.
template <class T>
std::vector<std::string> errors(const read_result<T>& r) {
  std::vector<std::string> out;
  for (const auto& e : r.errors) out.push_back(std::to_string(e.offset) + ": " + e.message);
  return out;
}

std::vector<std::string> errors(const parsed_options& r) {
  std::vector<std::string> out;
  for (const auto& e : r.errors) out.push_back(std::to_string(e.offset) + ": " + e.message);
  return out;
}

using strings = std::vector<std::string>;

// ---- syntax -----------------------------------------------------------------------------

TEST(AnnotationSyntax, EmptyTextHasNoOptions) {
  auto p = parse_options("");
  EXPECT_TRUE(p.options.empty());
  EXPECT_TRUE(p.errors.empty());
}

TEST(AnnotationSyntax, FlagsValuesAndCalls) {
  auto p = parse_options(R"~("users", unique, length = 255, on_delete = cascade, check = "a > 0", index(a, b, unique, where = "x"))~");
  ASSERT_TRUE(p.errors.empty()) << errors(p)[0];
  ASSERT_EQ(p.options.size(), 6u);

  EXPECT_EQ(p.options[0].name, "");
  EXPECT_EQ(p.options[0].value->what, option_value::kind::string);
  EXPECT_EQ(p.options[0].value->text, "users");
  EXPECT_EQ(p.options[0].offset, 0u);

  EXPECT_EQ(p.options[1].name, "unique");
  EXPECT_FALSE(p.options[1].value);
  EXPECT_FALSE(p.options[1].arguments);
  EXPECT_EQ(p.options[1].offset, 9u);

  EXPECT_EQ(p.options[2].name, "length");
  EXPECT_EQ(p.options[2].value->what, option_value::kind::integer);
  EXPECT_EQ(p.options[2].value->integer, 255);
  EXPECT_EQ(p.options[2].value->offset, 26u);

  EXPECT_EQ(p.options[3].value->what, option_value::kind::identifier);
  EXPECT_EQ(p.options[3].value->text, "cascade");

  EXPECT_EQ(p.options[4].value->text, "a > 0");

  const option& index = p.options[5];
  EXPECT_EQ(index.name, "index");
  ASSERT_TRUE(index.arguments);
  ASSERT_EQ(index.arguments->size(), 4u);
  EXPECT_EQ((*index.arguments)[0].name, "a");
  EXPECT_EQ((*index.arguments)[2].name, "unique");
  EXPECT_EQ((*index.arguments)[3].value->text, "x");
}

TEST(AnnotationSyntax, StringEscapesAndAdjacentLiterals) {
  auto p = parse_options(R"~(comment = "say \"hi\"\\ \n", check = "a" "b"  "c")~");
  ASSERT_TRUE(p.errors.empty()) << errors(p)[0];
  EXPECT_EQ(p.options[0].value->text, "say \"hi\"\\ \n");
  EXPECT_EQ(p.options[1].value->text, "abc");
}

TEST(AnnotationSyntax, NegativeIntegersParse) {
  auto p = parse_options("length = -3");
  ASSERT_TRUE(p.errors.empty());
  EXPECT_EQ(p.options[0].value->integer, -3);
}

TEST(AnnotationSyntax, ErrorsCarryTheirOffset) {
  struct case_ {
    std::string text;
    std::string error;
  };
  const std::vector<case_> cases{
      {R"~(comment = "open)~", R"~(10: unterminated string literal)~"},
      {"length =", "8: expected a value after '='"},
      {"length = ,", "9: expected a value, found ','"},
      {"unique index", "7: expected ',' before 'index'"},
      {"unique,", "7: expected an option after ','"},
      {"unique, = 3", "8: expected an option, found '='"},
      {"index(a, b", "10: expected ')' to close 'index('"},
      {"index(a b)", "8: expected ',' or ')' before 'b'"},
      {"index(a, f(b))", "10: 'f(...)' cannot be nested in another option"},
      {"length = 12abc", "9: invalid integer '12abc'"},
      {R"~(comment = "a\qb")~", R"~(12: unsupported escape sequence '\q' in string literal)~"},
      {R"~(comment = u8"x")~", "10: string literal prefixes and character literals are not supported"},
      {R"~(u8"x")~", "0: string literal prefixes and character literals are not supported"},
  };
  for (const auto& c : cases) EXPECT_EQ(errors(parse_options(c.text)), strings{c.error}) << c.text;
}

// ---- column options ---------------------------------------------------------------------

TEST(ColumnAnnotation, EveryOption) {
  const std::string text =
      R"~(name = "email_address", primary_key, identity = always, unique, index, length = 255, references = "billing.orders.id", )~"
      R"~(on_delete = cascade, on_update = set_null, check = "email <> ''", server_default = "''", comment = "c", )~"
      R"~(backfill = "'x'", backfill_batch = 1000, renamed_from = "mail", renamed_from = "e_mail")~";
  auto r = read_column_annotation(text);
  ASSERT_TRUE(r.errors.empty()) << errors(r)[0];
  const column_annotation& a = r.annotation;
  EXPECT_EQ(a.name, "email_address");
  EXPECT_TRUE(a.primary_key);
  EXPECT_EQ(a.identity, identity_kind::always);
  EXPECT_TRUE(a.unique);
  EXPECT_TRUE(a.index);
  EXPECT_EQ(a.length, 255);
  ASSERT_TRUE(a.references);
  EXPECT_EQ(a.references->value, (reference{"billing", "orders", {"id"}}));
  EXPECT_EQ(a.on_delete, fk_action::cascade);
  EXPECT_EQ(a.on_update, fk_action::set_null);
  EXPECT_EQ(a.check, "email <> ''");
  EXPECT_EQ(a.server_default, "''");
  EXPECT_EQ(a.comment, "c");
  EXPECT_EQ(a.backfill, "'x'");
  EXPECT_EQ(a.backfill_batch, 1000);
  EXPECT_EQ(a.renamed_from, (strings{"mail", "e_mail"}));
  // Where each option starts (the first time, for a repeated one), and where the reference is.
  EXPECT_EQ(a.offsets.at("primary_key"), text.find("primary_key"));
  EXPECT_EQ(a.offsets.at("renamed_from"), text.find("renamed_from"));
  EXPECT_EQ(a.references->offset, text.find("\"billing"));
}

TEST(ColumnAnnotation, BareIdentityIsByDefault) {
  auto r = read_column_annotation("primary_key, identity");
  ASSERT_TRUE(r.errors.empty());
  EXPECT_EQ(r.annotation.identity, identity_kind::by_default);
}

TEST(ColumnAnnotation, TypeIsParsedWithPostgresSpellings) {
  auto r = read_column_annotation(R"~(type = "character varying(20)")~");
  ASSERT_TRUE(r.errors.empty());
  ASSERT_TRUE(r.annotation.type);
  EXPECT_EQ(to_string(*r.annotation.type), "varchar(20)");
}

TEST(ColumnAnnotation, Mistakes) {
  struct case_ {
    std::string text;
    strings errors;
  };
  const std::vector<case_> cases{
      {"lenght = 5", {"0: unknown column option 'lenght'; did you mean 'length'?"}},
      {"unique, primary", {"8: unknown column option 'primary'; did you mean 'primary_key'?"}},
      {"color = red", {"0: unknown column option 'color'"}},
      {R"~(length = "x")~", {"9: invalid value for 'length': expected a positive integer"}},
      {"length = 0", {"9: invalid value for 'length': expected a positive integer"}},
      {"length = -1", {"9: invalid value for 'length': expected a positive integer"}},
      {"length", {"0: option 'length' needs a value: length = <integer>"}},
      {"unique = true", {"9: option 'unique' takes no value"}},
      {"index(a)", {"0: option 'index' takes no arguments"}},
      {"comment(x)", {"0: option 'comment' is not a call; write comment = ..."}},
      {"comment = 3", {"10: invalid value for 'comment': expected a string literal"}},
      {R"~(check = "")~", {"8: invalid value for 'check': expected a non-empty string"}},
      {R"~(references = "orders.id", on_delete = explode)~",
       {"38: invalid value for 'on_delete': expected one of no_action, restrict, cascade, set_null, set_default"}},
      {"identity = sometimes", {"11: invalid value for 'identity': expected one of by_default, always"}},
      {R"~(type = "varchar(20")~", {R"~(7: invalid value for 'type': "varchar(20" is not a type's spelling (a name, a typmod list, []))~"}},
      {R"~(references = "orders")~", {R"~(13: invalid value for 'references': expected "table.column" or "schema.table.column")~"}},
      {R"~(references = "orders(a, b)")~", {R"~(13: invalid value for 'references': expected "table.column" or "schema.table.column")~"}},
      {"unique, unique", {"8: option 'unique' is given twice"}},
      {"on_delete = cascade", {"0: option 'on_delete' needs 'references'"}},
      {"on_update = cascade", {"0: option 'on_update' needs 'references'"}},
      {"backfill_batch = 10", {"0: option 'backfill_batch' needs 'backfill'"}},
      {R"~(backfill = "0", backfill_batch = 0)~", {"33: invalid value for 'backfill_batch': expected a positive integer"}},
      {R"~(backfill = "0", backfill_batch = "10")~", {"33: invalid value for 'backfill_batch': expected a positive integer"}},
      {R"~(backfill = "0", backfill_batch = 2147483648)~", {"33: invalid value for 'backfill_batch': expected a positive integer"}},
      {"length = 10485761", {"9: invalid value for 'length': expected a positive integer"}},
      {"backfil_batch = 3", {"0: unknown column option 'backfil_batch'; did you mean 'backfill_batch'?"}},
      {R"~(length = 5, type = "text")~", {R"~(0: option 'length' cannot be combined with 'type'; write the length in the type, as in "varchar(20)")~"}},
      {R"~("x")~", {"0: expected an option name"}},
      // Every mistake is reported, not only the first.
      {"lenght = 5, unique = 1", {"0: unknown column option 'lenght'; did you mean 'length'?", "21: option 'unique' takes no value"}},
  };
  for (const auto& c : cases) EXPECT_EQ(errors(read_column_annotation(c.text)), c.errors) << c.text;
}

// ---- table options ----------------------------------------------------------------------

TEST(TableAnnotation, EveryOption) {
  const std::string text =
      R"~("order_items", schema = "shop", comment = "lines", renamed_from = "items", renamed_from = "old.lines", )~"
      R"~(primary_key(order_id, product_id), unique(order_id, name, name = "uq_x"), )~"
      R"~(index(product_id, created_at, unique, where = "deleted_at IS NULL", method = brin, name = "ix_x"), )~"
      R"~(check("quantity > 0", name = "ck_positive"), check("price >= 0"), )~"
      R"~(foreign_key(order_id, references = "orders(id)", on_delete = cascade, on_update = restrict))~";
  auto r = read_table_annotation(text);
  ASSERT_TRUE(r.errors.empty()) << errors(r)[0];
  const table_annotation& a = r.annotation;
  EXPECT_EQ(a.name, "order_items");
  EXPECT_EQ(a.offsets.at("name"), 0u);
  EXPECT_EQ(a.schema, "shop");
  EXPECT_EQ(a.comment, "lines");
  ASSERT_EQ(a.renamed_from.size(), 2u);
  EXPECT_EQ(a.renamed_from[1].value, "old.lines");

  ASSERT_TRUE(a.primary_key);
  ASSERT_EQ(a.primary_key->columns.size(), 2u);
  EXPECT_EQ(a.primary_key->columns[1].value, "product_id");
  EXPECT_EQ(a.primary_key->columns[1].offset, text.find("product_id"));
  EXPECT_EQ(a.primary_key->offset, text.find("primary_key"));

  // A bare `name` is a column; `name = "..."` names the constraint.
  ASSERT_EQ(a.uniques.size(), 1u);
  EXPECT_EQ(a.uniques[0].columns.size(), 2u);
  EXPECT_EQ(a.uniques[0].columns[1].value, "name");
  EXPECT_EQ(a.uniques[0].name, "uq_x");

  ASSERT_EQ(a.indexes.size(), 1u);
  EXPECT_EQ(a.indexes[0].columns.size(), 2u);
  EXPECT_TRUE(a.indexes[0].unique);
  EXPECT_EQ(a.indexes[0].where, "deleted_at IS NULL");
  EXPECT_EQ(a.indexes[0].method, "brin");
  EXPECT_EQ(a.indexes[0].name, "ix_x");

  ASSERT_EQ(a.checks.size(), 2u);
  EXPECT_EQ(a.checks[0].expression, "quantity > 0");
  EXPECT_EQ(a.checks[0].name, "ck_positive");
  EXPECT_FALSE(a.checks[1].name);

  ASSERT_EQ(a.foreign_keys.size(), 1u);
  EXPECT_EQ(a.foreign_keys[0].references.value, (reference{std::nullopt, "orders", {"id"}}));
  EXPECT_EQ(a.foreign_keys[0].on_delete, fk_action::cascade);
  EXPECT_EQ(a.foreign_keys[0].on_update, fk_action::restrict);
}

TEST(TableAnnotation, NameIsOptional) {
  auto r = read_table_annotation(R"~(schema = "billing")~");
  ASSERT_TRUE(r.errors.empty());
  EXPECT_FALSE(r.annotation.name);
}

TEST(TableAnnotation, Mistakes) {
  struct case_ {
    std::string text;
    strings errors;
  };
  const std::vector<case_> cases{
      {R"~(schema = "x", "users")~", {"14: the table name must be the first argument"}},
      {"users", {"0: the table name must be a string literal: RETORT_TABLE(\"users\", ...)"}},
      {R"~("users", unqiue(a))~", {"9: unknown table option 'unqiue'; did you mean 'unique'?"}},
      {R"~("")~", {"0: invalid table name: expected a non-empty string literal"}},
      {"3", {"0: invalid table name: expected a non-empty string literal"}},
      {"shema = 1", {"0: unknown table option 'shema'; did you mean 'schema'?"}},
      {"primary_key", {"0: 'primary_key' needs arguments: primary_key(...)"}},
      {"primary_key()", {"0: 'primary_key(...)' needs at least one column"}},
      {"primary_key(a), primary_key(b)", {"16: option 'primary_key' is given twice"}},
      {"index(a, method = bogus)", {"18: invalid value for 'method': expected one of btree, hash, gin, gist, brin, spgist"}},
      // A keyword is an identifier, as for on_delete.
      {"index(a, method = \"gin\")", {"18: invalid value for 'method': expected one of btree, hash, gin, gist, brin, spgist"}},
      {"index(a, wher = \"x\")", {"9: unknown option 'wher' in 'index(...)'; did you mean 'where'?"}},
      {"index(a, \"x\")", {"9: unexpected value in 'index(...)'"}},
      {"check(a > 0)", {"8: expected ',' or ')' before '>'"}},
      {"check(price)", {"6: invalid value for 'check': expected one non-empty string literal, as in check(\"price >= 0\")"}},
      {"check(\"a\", colour = 1)", {"11: unknown option 'colour' in 'check(...)'"}},
      {"check", {"0: 'check' needs an expression: check(\"...\")"}},
      {"foreign_key(a)", {"0: 'foreign_key(...)' needs references = \"table(column, ...)\""}},
      {R"~(foreign_key(a, references = "t"))~", {R"~(28: invalid value for 'references': expected "table(column, ...)" or "schema.table(column, ...)")~"}},
  };
  for (const auto& c : cases) EXPECT_EQ(errors(read_table_annotation(c.text)), c.errors) << c.text;
}

// ---- enums, references, names -----------------------------------------------------------

TEST(EnumAnnotation, NameAndSchema) {
  auto r = read_enum_annotation(R"~("order_state", schema = "billing")~");
  ASSERT_TRUE(r.errors.empty());
  EXPECT_EQ(r.annotation.name, "order_state");
  EXPECT_EQ(r.annotation.schema, "billing");
  EXPECT_EQ(errors(read_enum_annotation("values = 3")), strings{"0: unknown enum option 'values'"});
  EXPECT_EQ(errors(read_enum_annotation("order_state")),
            strings{"0: the enum type name must be a string literal: RETORT_ENUM(\"order_state\", ...)"});
}

TEST(Reference, Forms) {
  EXPECT_EQ(parse_reference("orders.id"), (reference{std::nullopt, "orders", {"id"}}));
  EXPECT_EQ(parse_reference("billing.orders.id"), (reference{"billing", "orders", {"id"}}));
  EXPECT_EQ(parse_reference("orders(a, b)"), (reference{std::nullopt, "orders", {"a", "b"}}));
  EXPECT_EQ(parse_reference(" billing.orders( a ,b ) "), (reference{"billing", "orders", {"a", "b"}}));
  EXPECT_EQ(parse_reference("orders"), std::nullopt);
  EXPECT_EQ(parse_reference("orders."), std::nullopt);
  EXPECT_EQ(parse_reference(".id"), std::nullopt);
  EXPECT_EQ(parse_reference("a.b.c.d"), std::nullopt);
  EXPECT_EQ(parse_reference("orders(a,)"), std::nullopt);
  EXPECT_EQ(parse_reference("orders(a"), std::nullopt);
}

TEST(NearestName, TyposAndShortenedNames) {
  const std::vector<std::string_view> known{"orders", "order_items", "products"};
  EXPECT_EQ(nearest_name("orderz", known), "orders");
  EXPECT_EQ(nearest_name("prodcts", known), "products");
  EXPECT_EQ(nearest_name("order_it", known), "order_items");
  EXPECT_EQ(nearest_name("users", known), std::nullopt);
  EXPECT_EQ(nearest_name("x", known), std::nullopt);
  EXPECT_EQ(nearest_name("o", {"id"}), std::nullopt);
  EXPECT_EQ(nearest_name("idd", {"id"}), "id");
}

}  // namespace
}  // namespace retort::scan
