// Tests of the locations file (retort-scan --locations, retort check --locations): its exact
// canonical text, a round trip, lookups by object, and every reading error with where it is.
#include "declaration_sites.hpp"

#include <gtest/gtest.h>

#include <string>

#include "retort/errors.hpp"

namespace retort {
namespace {

declaration_sites example() {
  declaration_sites s;
  s.tables[table_key({"public", "users"})] = {"/src/models/user.hpp", 12, 8};
  s.tables[table_key({"billing", "invoices"})] = {"/src/models/billing.hpp", 3, 30};
  s.columns[column_key({"public", "users"}, "email")] = {"/src/models/user.hpp", 14, 47};
  s.columns[column_key({"public", "users"}, "created_at")] = {"/src/models/base.hpp", 5, 61};
  s.enums[enum_key({"public", "user_role"})] = {"/src/models/user.hpp", 9, 12};
  return s;
}

TEST(DeclarationSites, CanonicalText) {
  EXPECT_EQ(write_declaration_sites(example()), R"({
  "format": 1,
  "tables": {
    "billing.invoices": {
      "file": "/src/models/billing.hpp",
      "line": 3,
      "column": 30
    },
    "public.users": {
      "file": "/src/models/user.hpp",
      "line": 12,
      "column": 8
    }
  },
  "columns": {
    "public.users.created_at": {
      "file": "/src/models/base.hpp",
      "line": 5,
      "column": 61
    },
    "public.users.email": {
      "file": "/src/models/user.hpp",
      "line": 14,
      "column": 47
    }
  },
  "enums": {
    "public.user_role": {
      "file": "/src/models/user.hpp",
      "line": 9,
      "column": 12
    }
  }
}
)");
  EXPECT_EQ(write_declaration_sites({}), "{\n  \"format\": 1,\n  \"tables\": {},\n  \"columns\": {},\n  \"enums\": {}\n}\n");
}

TEST(DeclarationSites, RoundTripAndLookups) {
  const declaration_sites read = read_declaration_sites(write_declaration_sites(example()), "locations.json");
  EXPECT_EQ(read, example());
  ASSERT_NE(table_site(read, {"billing", "invoices"}), nullptr);
  EXPECT_EQ(*table_site(read, {"billing", "invoices"}), (declaration_site{"/src/models/billing.hpp", 3, 30}));
  ASSERT_NE(column_site(read, {"public", "users"}, "email"), nullptr);
  EXPECT_EQ(column_site(read, {"public", "users"}, "email")->line, 14u);
  ASSERT_NE(enum_site(read, {"public", "user_role"}), nullptr);
  EXPECT_EQ(enum_site(read, {"public", "user_role"})->column, 12u);
  EXPECT_EQ(table_site(read, {"public", "invoices"}), nullptr) << "the schema is part of the key";
  EXPECT_EQ(column_site(read, {"public", "users"}, "phone"), nullptr);
  EXPECT_EQ(enum_site(read, {"public", "users"}), nullptr) << "tables and enum types are looked up apart";
}

// The message of reading `text`, or "" when it reads.
std::string error_of(const std::string& text) {
  try {
    (void)read_declaration_sites(text, "locations.json");
  } catch (const file_error& e) {
    return e.what();
  }
  return "";
}

TEST(DeclarationSites, ReadingErrorsSayWhere) {
  EXPECT_EQ(error_of("{\n  \"format\": 1,\n  \"tables\": {\n"), "locations.json:4:1: malformed JSON: syntax error while parsing object key - unexpected end of input; expected string literal");
  EXPECT_EQ(error_of("[]"), "locations.json: expected a JSON object");
  EXPECT_EQ(error_of("{}"), "locations.json: format: missing format version");
  EXPECT_EQ(error_of(R"({"format": 2})"), "locations.json: format: unsupported format 2 (this retort reads format 1)");
  EXPECT_EQ(error_of(R"({"format": 1, "views": {}})"), "locations.json: views: unknown key");
  EXPECT_EQ(error_of(R"({"format": 1, "tables": []})"), "locations.json: tables: expected an object");
  EXPECT_EQ(error_of(R"({"format": 1, "tables": {"public.t": {"file": "/m.hpp", "line": 0, "column": 1}}})"),
            R"(locations.json: tables["public.t"].line: expected a positive integer)");
  EXPECT_EQ(error_of(R"({"format": 1, "enums": {"public.e": {"file": "/m.hpp", "line": 1}}})"),
            R"(locations.json: enums["public.e"]: missing 'column')");
  EXPECT_EQ(error_of(R"({"format": 1, "columns": {"public.t.c": {"file": "", "line": 1, "column": 1}}})"),
            R"(locations.json: columns["public.t.c"].file: expected a file name)");
  EXPECT_EQ(error_of(R"({"format": 1, "columns": {"public.t.c": {"file": "/m.hpp", "line": 1, "column": 1, "x": 1}}})"),
            R"(locations.json: columns["public.t.c"]: unknown key 'x')");
  EXPECT_EQ(error_of(R"({"format": 1})"), "") << "every section is optional";
}

}  // namespace
}  // namespace retort
