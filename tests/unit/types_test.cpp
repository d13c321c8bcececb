// Tests of column types: parse_builtin_type for every kind, alias and parameter form, and to_string's canonical spelling.
#include <gtest/gtest.h>

#include <optional>
#include <ostream>
#include <set>
#include <string>
#include <vector>

#include "retort/schema.hpp"

namespace retort {

// Readable failures: gtest finds this by argument-dependent lookup.
[[maybe_unused]] static void PrintTo(const column_type& t, std::ostream* os) {
  *os << "column_type{kind=" << static_cast<int>(t.kind) << " \"" << to_string(t) << "\"";
  if (t.length) *os << " length=" << *t.length;
  if (t.precision) *os << " precision=" << *t.precision;
  if (t.scale) *os << " scale=" << *t.scale;
  if (t.array) *os << " array";
  *os << "}";
}

namespace {

column_type make(type_kind kind, std::optional<int> length = std::nullopt, std::optional<int> precision = std::nullopt,
                 std::optional<int> scale = std::nullopt, bool array = false) {
  column_type t;
  t.kind = kind;
  t.length = length;
  t.precision = precision;
  t.scale = scale;
  t.array = array;
  return t;
}

struct parse_case {
  std::string text;
  column_type expected;
};

// Every spelling of every built-in kind, PostgreSQL's aliases and format_type() output included.
const std::vector<parse_case>& spellings() {
  static const std::vector<parse_case> cases{
      {"boolean", make(type_kind::boolean)},
      {"bool", make(type_kind::boolean)},
      {"smallint", make(type_kind::smallint)},
      {"int2", make(type_kind::smallint)},
      {"integer", make(type_kind::integer)},
      {"int", make(type_kind::integer)},
      {"int4", make(type_kind::integer)},
      {"bigint", make(type_kind::bigint)},
      {"int8", make(type_kind::bigint)},
      {"real", make(type_kind::real)},
      {"float4", make(type_kind::real)},
      {"double precision", make(type_kind::double_precision)},
      {"float8", make(type_kind::double_precision)},
      {"numeric", make(type_kind::numeric)},
      {"decimal", make(type_kind::numeric)},
      {"numeric(10,2)", make(type_kind::numeric, std::nullopt, 10, 2)},
      {"numeric(10)", make(type_kind::numeric, std::nullopt, 10, 0)},
      {"decimal(5,5)", make(type_kind::numeric, std::nullopt, 5, 5)},
      {"numeric(1000,0)", make(type_kind::numeric, std::nullopt, 1000, 0)},
      {"text", make(type_kind::text)},
      {"varchar", make(type_kind::varchar)},
      {"character varying", make(type_kind::varchar)},
      {"varchar(255)", make(type_kind::varchar, 255)},
      {"character varying(255)", make(type_kind::varchar, 255)},
      {"char", make(type_kind::character, 1)},
      {"character", make(type_kind::character, 1)},
      {"bpchar", make(type_kind::character, 1)},
      {"char(3)", make(type_kind::character, 3)},
      {"character(3)", make(type_kind::character, 3)},
      {"timestamptz", make(type_kind::timestamptz)},
      {"timestamp with time zone", make(type_kind::timestamptz)},
      {"timestamp", make(type_kind::timestamp)},
      {"timestamp without time zone", make(type_kind::timestamp)},
      {"date", make(type_kind::date)},
      {"time", make(type_kind::time)},
      {"time without time zone", make(type_kind::time)},
      {"interval", make(type_kind::interval)},
      {"bytea", make(type_kind::bytea)},
      {"uuid", make(type_kind::uuid)},
      {"json", make(type_kind::json)},
      {"jsonb", make(type_kind::jsonb)},
      {"inet", make(type_kind::inet)},
      {"cidr", make(type_kind::cidr)},
      {"macaddr", make(type_kind::macaddr)},
      // Arrays of any built-in kind, parameters included.
      {"text[]", make(type_kind::text, std::nullopt, std::nullopt, std::nullopt, true)},
      {"int8[]", make(type_kind::bigint, std::nullopt, std::nullopt, std::nullopt, true)},
      {"varchar(20)[]", make(type_kind::varchar, 20, std::nullopt, std::nullopt, true)},
      {"character varying(20)[]", make(type_kind::varchar, 20, std::nullopt, std::nullopt, true)},
      {"numeric(10,2)[]", make(type_kind::numeric, std::nullopt, 10, 2, true)},
      {"timestamp with time zone[]", make(type_kind::timestamptz, std::nullopt, std::nullopt, std::nullopt, true)},
      {"char[]", make(type_kind::character, 1, std::nullopt, std::nullopt, true)},
      // Case and white space do not matter.
      {"BIGINT", make(type_kind::bigint)},
      {"  Double   Precision  ", make(type_kind::double_precision)},
      {"Character Varying ( 40 )", make(type_kind::varchar, 40)},
      {"numeric( 12 , 4 )", make(type_kind::numeric, std::nullopt, 12, 4)},
      {"TIMESTAMP  WITH\tTIME ZONE", make(type_kind::timestamptz)},
  };
  return cases;
}

TEST(Types, ParsesEverySpellingOfEveryBuiltinKind) {
  for (const auto& c : spellings()) {
    SCOPED_TRACE(c.text);
    auto parsed = parse_builtin_type(c.text);
    ASSERT_TRUE(parsed.has_value());
    EXPECT_EQ(*parsed, c.expected);
  }
}

TEST(Types, SpellingTableCoversEveryBuiltinKind) {
  std::set<type_kind> covered;
  for (const auto& c : spellings()) covered.insert(c.expected.kind);
  for (int k = static_cast<int>(type_kind::boolean); k <= static_cast<int>(type_kind::macaddr); ++k)
    EXPECT_TRUE(covered.contains(static_cast<type_kind>(k))) << "type_kind " << k << " has no parse case";
  EXPECT_FALSE(covered.contains(type_kind::enum_type)) << "enum types are never built-in";
}

TEST(Types, RejectsUnknownOrMalformedTypes) {
  const std::vector<std::string> bad{
      "",
      "   ",
      "[]",
      "varchr",
      "int16",
      "double",
      "doubleprecision",
      "public.status",
      "text[][]",
      "varchar(0)",
      "char(0)",
      "varchar(-1)",
      "varchar(+5)",
      "varchar(abc)",
      "varchar()",
      "varchar(",
      "varchar(10",
      "varchar(10)x",
      "varchar(10,2)",
      "varchar(99999999999)",
      "numeric(2,5)",
      "numeric(0)",
      "numeric(1001)",
      "numeric(10,2,1)",
      "numeric(10,)",
      "numeric(,2)",
      "integer(3)",
      "bigint(8)",
      "text(10)",
      "boolean(1)",
      "timestamptz(3)",
      "uuid[](1)",
  };
  for (const auto& text : bad) {
    SCOPED_TRACE("\"" + text + "\"");
    auto parsed = parse_builtin_type(text);
    EXPECT_FALSE(parsed.has_value()) << "parsed as " << to_string(*parsed);
  }
}

TEST(Types, ToStringWritesTheCanonicalSpelling) {
  const std::vector<std::pair<std::string, std::string>> cases{
      {"bool", "boolean"},
      {"int2", "smallint"},
      {"int", "integer"},
      {"int4", "integer"},
      {"int8", "bigint"},
      {"float4", "real"},
      {"float8", "double precision"},
      {"decimal", "numeric"},
      {"decimal(10,2)", "numeric(10,2)"},
      {"numeric(10)", "numeric(10,0)"},
      {"text", "text"},
      {"character varying", "varchar"},
      {"character varying(255)", "varchar(255)"},
      {"char", "char(1)"},
      {"character(3)", "char(3)"},
      {"bpchar", "char(1)"},
      {"timestamp with time zone", "timestamptz"},
      {"timestamp without time zone", "timestamp"},
      {"time without time zone", "time"},
      {"date", "date"},
      {"interval", "interval"},
      {"bytea", "bytea"},
      {"uuid", "uuid"},
      {"json", "json"},
      {"jsonb", "jsonb"},
      {"inet", "inet"},
      {"cidr", "cidr"},
      {"macaddr", "macaddr"},
      {"text[]", "text[]"},
      {"character varying(20)[]", "varchar(20)[]"},
      {"DECIMAL ( 8 , 3 )[]", "numeric(8,3)[]"},
  };
  for (const auto& [text, canonical] : cases) {
    SCOPED_TRACE(text);
    auto parsed = parse_builtin_type(text);
    ASSERT_TRUE(parsed.has_value());
    EXPECT_EQ(to_string(*parsed), canonical);
  }
}

TEST(Types, CanonicalSpellingRoundTrips) {
  for (const auto& c : spellings()) {
    SCOPED_TRACE(c.text);
    const std::string canonical = to_string(c.expected);
    auto reparsed = parse_builtin_type(canonical);
    ASSERT_TRUE(reparsed.has_value()) << canonical;
    EXPECT_EQ(*reparsed, c.expected) << canonical;
    EXPECT_EQ(to_string(*reparsed), canonical);
  }
}

TEST(Types, EnumTypesPrintAsTheirQualifiedName) {
  column_type t;
  t.kind = type_kind::enum_type;
  t.enum_name = {"app", "order_status"};
  EXPECT_EQ(to_string(t), "app.order_status");
  t.enum_name = {"public", "mood"};
  EXPECT_EQ(to_string(t), "public.mood");
  // An enum's name is not a built-in type.
  EXPECT_FALSE(parse_builtin_type("public.mood").has_value());
  EXPECT_FALSE(parse_builtin_type("mood").has_value());
}

}  // namespace
}  // namespace retort

namespace retort {
namespace {

// Any type, spelt as format_type() prints it, reached without a database.
TEST(Types, OpenTypesTakeFormatTypesSpelling) {
  const std::pair<std::string_view, std::string_view> cases[] = {
      {"citext", "citext"},
      {"CITEXT[]", "citext[]"},
      {"int4range", "int4range"},
      {"timestamptz(3)", "timestamp(3) with time zone"},
      {"timestamp (6)", "timestamp(6) without time zone"},
      {"timetz", "time with time zone"},
      {"varbit(8)", "bit varying(8)"},
      {"bit", "bit(1)"},
      {"geometry(Point, 4326)", "geometry(Point,4326)"},
      {"ext.HSTORE", "hstore"},  // a known extension's type: its schema is its extension's
      {"public.geometry(Point,4326)", "geometry(Point,4326)"},
      {"ext.my_type", "ext.my_type"},
      {"\"MyType\"", "\"MyType\""},
      {"interval(3)", "interval(3)"},
      {"serial", "serial"},
      {"serial8", "bigserial"},
      {"smallserial", "smallserial"},
      {"float", "double precision"},
      {"float(10)", "real"},
      {"int4[][]", "integer[]"},
  };
  for (const auto& [text, canonical] : cases) {
    auto t = parse_type(text);
    ASSERT_TRUE(t) << text;
    EXPECT_EQ(to_string(*t), canonical) << text;
  }
  EXPECT_EQ(parse_type("bigserial")->kind, type_kind::bigint);
  EXPECT_TRUE(parse_type("bigserial")->serial);
  EXPECT_EQ(parse_type("tsvector")->kind, type_kind::named);
}

// Nothing but a type's syntax reaches the SQL it is written into.
TEST(Types, TextThatIsNoTypeIsRefused) {
  for (std::string_view text : {"", "text; DROP TABLE x", "varchar(20", "a(1)(2)", "serial[]", "int'", "a b(1) c(2)",
                                "geometry(Point 4326)", "x[", "-- c"})
    EXPECT_FALSE(parse_type(text)) << text;
  EXPECT_FALSE(parse_type(std::string(64, 'a')));
}

TEST(Types, NamedTypesNeedABuiltinNameOrADeclaredExtension) {
  const std::vector<extension> none;
  EXPECT_FALSE(unknown_type_problem(*parse_type("tsvector"), none));
  EXPECT_FALSE(unknown_type_problem(*parse_type("timestamptz(3)"), none));
  EXPECT_FALSE(unknown_type_problem(*parse_type("interval year to month"), none));
  EXPECT_TRUE(unknown_type_problem(*parse_type("varchr"), none));
  EXPECT_TRUE(unknown_type_problem(*parse_type("citext"), none));
  EXPECT_FALSE(unknown_type_problem(*parse_type("citext"), {{"citext", "public", std::nullopt}}));
  EXPECT_EQ(extension_of_type(*parse_type("geometry(Point,4326)")), "postgis");
  // An extension whose types Retort does not know may provide any name.
  EXPECT_FALSE(unknown_type_problem(*parse_type("mytype"), {{"my_extension", "public", std::nullopt}}));
}

TEST(Types, ChangesToOrFromNamedTypesAreRewrites) {
  EXPECT_EQ(classify_type_change(*parse_type("text"), *parse_type("citext")), type_change::rewrite);
  EXPECT_EQ(classify_type_change(*parse_type("int4range"), *parse_type("int8range")), type_change::rewrite);
}

}  // namespace
}  // namespace retort
