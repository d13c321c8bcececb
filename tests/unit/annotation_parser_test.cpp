// Tests of the annotation language (no Clang): the option syntax over the lexer's tokens, each
// annotation kind's options and values, every mistake with the offset the scanner will point
// its caret at. The lexer itself (Clang's) is tested in tests/scanner/annotation_lexer_test.cpp.
#include "annotation_parser.hpp"

#include <gtest/gtest.h>

#include <cctype>
#include <algorithm>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <fmt/ranges.h>

namespace retort::scan {
namespace {

// A stand-in for the scanner's lexer (clang::Lexer, which this test does not link) for the
// texts below: identifiers, decimal integers, string literals without escapes, `::` and
// one-character punctuators, each with its offset in the text, as the lexer gives them.
annotation_tokens lex(std::string_view text) {
  annotation_tokens out;
  out.end = text.size();
  const auto word = [&](std::size_t i) { return i < text.size() && (std::isalnum(static_cast<unsigned char>(text[i])) || text[i] == '_'); };
  for (std::size_t i = 0; i < text.size();) {
    if (std::isspace(static_cast<unsigned char>(text[i]))) {
      ++i;
      continue;
    }
    annotation_token t;
    t.offset = i;
    std::size_t n = 1;
    if (std::isalpha(static_cast<unsigned char>(text[i])) || text[i] == '_') {
      t.what = annotation_token::kind::identifier;
      while (word(i + n)) ++n;
    } else if (std::isdigit(static_cast<unsigned char>(text[i]))) {
      t.what = annotation_token::kind::number;
      while (word(i + n)) ++n;
    } else if (text[i] == '"') {
      t.what = annotation_token::kind::string;
      n = text.find('"', i + 1) - i + 1;
    } else if (text.substr(i, 2) == "::") {
      n = 2;
    }
    t.spelling = std::string(text.substr(i, n));
    t.value = t.what == annotation_token::kind::string ? t.spelling.substr(1, n - 2) : t.spelling;
    out.tokens.push_back(std::move(t));
    i += n;
  }
  return out;
}

parsed_options parse_options(std::string_view text) { return retort::scan::parse_options(lex(text)); }
read_result<column_annotation> read_column_annotation(std::string_view text, const constant_evaluator& evaluate = {}) {
  return retort::scan::read_column_annotation(lex(text), evaluate);
}
read_result<table_annotation> read_table_annotation(std::string_view text) { return retort::scan::read_table_annotation(lex(text)); }
read_result<enum_annotation> read_enum_annotation(std::string_view text) { return retort::scan::read_enum_annotation(lex(text)); }
read_result<value_annotation> read_value_annotation(std::string_view text) { return retort::scan::read_value_annotation(lex(text)); }

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

TEST(AnnotationSyntax, AdjacentLiteralsConcatenate) {
  auto p = parse_options(R"~(comment = "say", check = "a" "b"  "c")~");
  ASSERT_TRUE(p.errors.empty()) << errors(p)[0];
  EXPECT_EQ(p.options[0].value->text, "say");
  EXPECT_EQ(p.options[1].value->text, "abc");
}

// A value may name a constant, qualified or not; the reader asks the scanner what it is worth.
TEST(AnnotationSyntax, NamesMayBeQualified) {
  auto p = parse_options("a = kMax, b = Limits::email, c = ::app::kMax");
  ASSERT_TRUE(p.errors.empty()) << errors(p)[0];
  EXPECT_EQ(p.options[0].value->text, "kMax");
  EXPECT_EQ(p.options[1].value->text, "Limits::email");
  EXPECT_EQ(p.options[1].value->what, option_value::kind::identifier);
  EXPECT_EQ(p.options[2].value->text, "::app::kMax");
}

// A literal the lexer could not read is reported where the lexer found the problem.
TEST(AnnotationSyntax, InvalidTokensReportTheirProblem) {
  annotation_tokens tokens = lex("comment = x");
  annotation_token& bad = tokens.tokens.back();
  bad.what = annotation_token::kind::invalid;
  bad.value = "unknown escape sequence '\\q'";
  bad.problem_offset = 12;
  EXPECT_EQ(errors(retort::scan::parse_options(tokens)), strings{"12: unknown escape sequence '\\q'"});
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
      {"length =", "8: expected a value after '='"},
      {"length = ,", "9: expected a value, found ','"},
      {"unique index", "7: expected ',' before 'index'"},
      {"unique,", "7: expected an option after ','"},
      {"unique, = 3", "8: expected an option, found '='"},
      {"index(a, b", "10: expected ')' to close 'index('"},
      {"index(a b)", "8: expected ',' or ')' before 'b'"},
      {"index(a, f(b))", "10: 'f(...)' cannot be nested in another option"},
      {"length = -", "10: expected a number after '-'"},
      {"length = kMax * 2", "9: only a literal or the name of a constant can be a value, not an expression ('*' follows); "
                            "declare it as a constexpr variable and write its name"},
      {"length = f(3)", "9: only a literal or the name of a constant can be a value, not an expression ('(' follows); "
                        "declare it as a constexpr variable and write its name"},
      {"length = a::", "12: expected a name after '::'"},
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

TEST(ColumnAnnotation, SkipMarksAMemberThatIsNoColumn) {
  auto r = read_column_annotation("skip");
  ASSERT_TRUE(r.errors.empty());
  EXPECT_TRUE(r.annotation.skip);
  EXPECT_FALSE(read_column_annotation("unique").annotation.skip);
}

// Integer options take named constants, which the scanner evaluates; keywords stay keywords.
TEST(ColumnAnnotation, ConstantsAreEvaluatedByTheScanner) {
  const constant_evaluator known = [](std::string_view name) -> constant_value {
    if (name == "kMaxEmail") return {320, {}};
    if (name == "Limits::batch") return {500, {}};
    if (name == "kZero") return {0, {}};
    return {std::nullopt, "no constant named '" + std::string(name) + "'"};
  };
  auto r = read_column_annotation(R"~(length = kMaxEmail, backfill = "0", backfill_batch = Limits::batch)~", known);
  ASSERT_TRUE(r.errors.empty()) << errors(r)[0];
  EXPECT_EQ(r.annotation.length, 320);
  EXPECT_EQ(r.annotation.backfill_batch, 500);
  EXPECT_EQ(errors(read_column_annotation("length = kNope", known)),
            strings{"9: invalid value for 'length': no constant named 'kNope'"});
  EXPECT_EQ(errors(read_column_annotation("length = kZero", known)),
            strings{"9: invalid value for 'length': expected a positive integer ('kZero' is 0)"});
  EXPECT_EQ(errors(read_column_annotation("length = kMaxEmail")),
            strings{"9: invalid value for 'length': no constant can be evaluated here"});
  EXPECT_EQ(errors(read_column_annotation(R"~(references = "a.b", on_delete = kMaxEmail)~", known)),
            strings{"32: invalid value for 'on_delete': expected one of no_action, restrict, cascade, set_null, set_default"});
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
      {R"~(comment = "c", skip)~", {"15: option 'skip' cannot be combined with other options"}},
      {"skip = 1", {"7: option 'skip' takes no value"}},
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
      {"index(a, 3)", {"9: unexpected value in 'index(...)'"}},  // a string is a key: index(a, "lower(b)")
      {"index(a, \"\")", {"9: unexpected value in 'index(...)'"}},
      {"unique(a, \"lower(b)\")", {"10: unexpected value in 'unique(...)'"}},  // keys of constraints are columns
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

TEST(ValueAnnotation, LabelAndEarlierLabels) {
  auto r = read_value_annotation(R"~("in-progress", renamed_from = "in_progress", renamed_from = "doing")~");
  ASSERT_TRUE(r.errors.empty()) << errors(r)[0];
  EXPECT_EQ(r.annotation.name, "in-progress");
  ASSERT_EQ(r.annotation.renamed_from.size(), 2u);
  EXPECT_EQ(r.annotation.renamed_from[1].value, "doing");
  EXPECT_EQ(r.annotation.renamed_from[1].offset, 60u);
  EXPECT_FALSE(read_value_annotation(R"~(renamed_from = "old")~").annotation.name);
  EXPECT_EQ(errors(read_value_annotation("in_progress")),
            strings{"0: the enum label must be a string literal: RETORT_VALUE(\"in_progress\", ...)"});
  EXPECT_EQ(errors(read_value_annotation(R"~("")~")), strings{"0: invalid enum label: expected a non-empty string literal"});
  EXPECT_EQ(errors(read_value_annotation(R"~("a", renamed_fro = "b")~")),
            strings{"5: unknown enum value option 'renamed_fro'; did you mean 'renamed_from'?"});
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

TEST(IndexKey, ColumnsExpressionsOpclassesAndOrders) {
  auto key = [](std::string_view text) { return *parse_index_key(text); };
  EXPECT_EQ(key("email"), index_key{"email"});
  EXPECT_EQ(key(" lower(email) "), index_key::of_expression("lower(email)"));
  EXPECT_EQ(key("a + b"), index_key::of_expression("a + b"));  // b is an operand, not an opclass
  index_key opclass{"payload"};
  opclass.opclass = "jsonb_path_ops";
  EXPECT_EQ(key("payload jsonb_path_ops"), opclass);
  index_key expr_opclass = index_key::of_expression("lower(email)");
  expr_opclass.opclass = "text_pattern_ops";
  EXPECT_EQ(key("lower(email) text_pattern_ops"), expr_opclass);
  index_key desc{"at"};
  desc.descending = true;
  EXPECT_EQ(key("at DESC"), desc);
  EXPECT_EQ(key("at desc nulls first"), desc);  // PostgreSQL's default for DESC: left unset
  desc.nulls_first = false;
  EXPECT_EQ(key("at DESC NULLS LAST"), desc);
  index_key nulls_first{"at"};
  nulls_first.nulls_first = true;
  EXPECT_EQ(key("at ASC NULLS FIRST"), nulls_first);
  EXPECT_EQ(parse_index_key("  "), std::nullopt);
}

TEST(ExclusionElement, KeyWithOperator) {
  auto element = [](std::string_view text) { return *parse_exclusion_element(text); };
  EXPECT_EQ(element("room WITH ="), (exclusion_element{index_key{"room"}, "="}));
  EXPECT_EQ(element(" during with && "), (exclusion_element{index_key{"during"}, "&&"}));
  // The last standalone WITH is the keyword: an operator has no letters.
  EXPECT_EQ(element("lower(with_name) WITH ="), (exclusion_element{index_key::of_expression("lower(with_name)"), "="}));
  index_key opclass{"room"};
  opclass.opclass = "gist_int4_ops";
  EXPECT_EQ(element("room gist_int4_ops WITH <>"), (exclusion_element{opclass, "<>"}));
  EXPECT_EQ(parse_exclusion_element("room"), std::nullopt);
  EXPECT_EQ(parse_exclusion_element("WITH ="), std::nullopt);
  EXPECT_EQ(parse_exclusion_element("room WITH "), std::nullopt);
}

TEST(TableAnnotation, ExclusionsRowLevelSecurityAndPolicies) {
  auto r = read_table_annotation(R"a("t", exclude("a WITH =", "b WITH &&", where = "c", include = "d, e", deferrable),
      row_level_security = forced, policy("p", for = delete, to = "b_role, a_role, public", as = restrictive, using = "x"),
      policy("q", with_check = "y"))a");
  ASSERT_TRUE(r.errors.empty()) << r.errors.front().message;
  ASSERT_EQ(r.annotation.exclusions.size(), 1u);
  const auto& x = r.annotation.exclusions[0];
  EXPECT_EQ(x.columns.at(1).value, "b WITH &&");
  EXPECT_EQ(x.method, "gist");
  EXPECT_EQ(x.where, "c");
  EXPECT_EQ(x.include, (std::vector<std::string>{"d", "e"}));
  EXPECT_EQ(x.deferrable, deferral::initially_immediate);
  EXPECT_EQ(r.annotation.rls, (row_security{true, true}));
  ASSERT_EQ(r.annotation.policies.size(), 2u);
  const auto& p = r.annotation.policies[0];
  EXPECT_EQ(p.name, "p");
  EXPECT_EQ(p.command, policy_command::delete_);
  EXPECT_TRUE(p.restrictive);
  EXPECT_EQ(p.roles, (std::vector<std::string>{"a_role", "b_role"}));  // PUBLIC is no role at all
  EXPECT_EQ(p.using_expression, "x");
  EXPECT_EQ(r.annotation.policies[1].command, policy_command::all);
  EXPECT_EQ(r.annotation.policies[1].check_expression, "y");
  EXPECT_EQ(read_table_annotation(R"a("t", row_level_security)a").annotation.rls, (row_security{true, false}));
}

TEST(TableAnnotation, PolicyMistakes) {
  auto messages = [](std::string_view text) {
    std::vector<std::string> out;
    for (const auto& e : read_table_annotation(text).errors) out.push_back(e.message);
    return out;
  };
  EXPECT_EQ(messages(R"a("t", policy(p, using = "x"))a"),
            (std::vector<std::string>{R"('policy' needs its name first: policy("name", using = "..."))"}));
  EXPECT_EQ(messages(R"a("t", policy("p", usng = "x"))a"),
            (std::vector<std::string>{"unknown option 'usng' in 'policy(...)'; did you mean 'using'?"}));
  EXPECT_EQ(messages(R"a("t", policy("p", as = lenient))a"),
            (std::vector<std::string>{"invalid value for 'as': expected one of permissive, restrictive"}));
  EXPECT_EQ(messages(R"a("t", row_level_security = always)a"),
            (std::vector<std::string>{"invalid value for 'row_level_security': expected one of enabled, forced"}));
}

TEST(IndexKey, CommaLists) {
  EXPECT_EQ(comma_list(" a, b ,,c "), (std::vector<std::string>{"a", "b", "c"}));
}

TEST(TableAnnotation, IndexOptionsAndDeferrable) {
  auto r = read_table_annotation(R"a("t", index("lower(email)", unique, nulls_not_distinct, include = "a, b", with = "fillfactor=70"),
      unique(a, deferrable), foreign_key(a, references = "u(id)", deferrable = initially_deferred))a");
  ASSERT_TRUE(r.errors.empty()) << r.errors.front().message;
  ASSERT_EQ(r.annotation.indexes.size(), 1u);
  const auto& i = r.annotation.indexes[0];
  EXPECT_EQ(i.columns.at(0).value, "lower(email)");
  EXPECT_TRUE(i.nulls_not_distinct);
  EXPECT_EQ(i.include, (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(i.with, (std::vector<std::string>{"fillfactor=70"}));
  EXPECT_EQ(r.annotation.uniques.at(0).deferrable, deferral::initially_immediate);
  EXPECT_EQ(r.annotation.foreign_keys.at(0).deferrable, deferral::initially_deferred);
}

TEST(TableAnnotation, IndexOptionMistakes) {
  auto r = read_table_annotation(R"a("t", index(a, nulls_not_distinct, with = "fillfactor"), unique(a, deferrable = later))a");
  std::vector<std::string> messages;
  for (const auto& e : r.errors) messages.push_back(e.message);
  auto has = [&](std::string_view part) {
    return std::any_of(messages.begin(), messages.end(), [&](const std::string& m) { return m.find(part) != std::string::npos; });
  };
  EXPECT_TRUE(has("option 'nulls_not_distinct' needs 'unique'")) << fmt::format("{}", fmt::join(messages, "\n"));
  EXPECT_TRUE(has("invalid storage parameter \"fillfactor\": expected name=value")) << fmt::format("{}", fmt::join(messages, "\n"));
  EXPECT_TRUE(has("deferrable")) << fmt::format("{}", fmt::join(messages, "\n"));
}

}  // namespace
}  // namespace retort::scan
