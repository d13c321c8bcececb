// The fleet file reader: every kind of entry, labels and their selection, and each mistake
// reported at its line and column of the hand-written file.
#include <gtest/gtest.h>

#include "retort/errors.hpp"
#include "retort/fleet.hpp"

namespace retort {
namespace {

using fleet::source_kind;

std::string error_of(std::string_view text) {
  try {
    (void)fleet::read_fleet(text, "retort.fleet.json");
  } catch (const file_error& e) {
    return e.what();
  }
  return "no error";
}

TEST(FleetFile, ReadsEveryKindOfEntry) {
  const auto f = fleet::read_fleet(R"({
  "format": 1,
  "targets": [
    {"name": "billing", "url": "postgresql:///billing", "labels": {"region": "eu", "tier": "gold"}},
    {"name": "acme", "url": "host=/tmp dbname=app", "schema": "acme"},
    {"name": "tenants", "url": "host=/tmp dbname=app", "schemas": "tenant_*"},
    {"name": "shards", "server": "postgresql://db1/postgres", "databases": "shard_??", "labels": {"region": "us"}},
    {"name": "customers", "directory": "postgresql:///directory", "query": "SELECT url, name FROM customers"},
    {"name": "hosted", "directory": "postgresql:///directory", "query": "SELECT schema FROM hosted",
     "database": "postgresql:///app"}
  ]
})",
                                   "f.json");
  ASSERT_EQ(f.sources.size(), 6u);
  EXPECT_EQ(f.sources[0].kind, source_kind::url);
  EXPECT_EQ(f.sources[0].tags, (fleet::labels{{"region", "eu"}, {"tier", "gold"}}));
  EXPECT_EQ(f.sources[0].line, 4);
  EXPECT_EQ(f.sources[1].schema, "acme");
  EXPECT_EQ(f.sources[2].kind, source_kind::schema_glob);
  EXPECT_EQ(f.sources[2].pattern, "tenant_*");
  EXPECT_EQ(f.sources[3].kind, source_kind::database_glob);
  EXPECT_EQ(f.sources[3].url, "postgresql://db1/postgres");
  EXPECT_EQ(f.sources[4].kind, source_kind::directory_query);
  EXPECT_EQ(f.sources[4].database, "");
  EXPECT_EQ(f.sources[5].database, "postgresql:///app");
  EXPECT_EQ(f.sources[5].line, 9);
}

TEST(FleetFile, MistakesAreReportedAtTheirLine) {
  // Malformed JSON, from the parser.
  EXPECT_EQ(error_of("{\n  \"format\": 1,\n  \"targets\": [\n    {\"name\": \"a\" \"url\": \"x\"}\n  ]\n}"),
            "retort.fleet.json:4:22: malformed JSON: syntax error while parsing object - unexpected string literal; "
            "expected '}'");
  // A value of the wrong type, an unknown key, a missing name: at the value.
  EXPECT_EQ(error_of("{\"format\": 1,\n \"targets\": [\n  {\"name\": \"a\",\n   \"url\": 5}]}"),
            "retort.fleet.json:4:11: targets[0].url: expected a string, found number");
  EXPECT_EQ(error_of("{\"format\": 1, \"targets\": [\n {\"name\": \"a\", \"url\": \"x\"},\n {\"name\": \"b\", \"uri\": \"x\"}]}"),
            "retort.fleet.json:3:23: targets[1].uri: unknown key");
  EXPECT_EQ(error_of("{\"format\": 1, \"targets\": [\n\n {\"url\": \"x\"}]}"),
            "retort.fleet.json:3:2: targets[0].name: missing");
  EXPECT_EQ(error_of("{\"format\": 1, \"targets\": [\n {\"name\": \"a\", \"url\": \"x\", \"labels\": {\"region\": 1}}]}"),
            "retort.fleet.json:2:49: targets[0].labels.region: expected a string, found number");
  // Two kinds in one entry, a key of another kind, a name used twice, an unknown format.
  EXPECT_NE(error_of("{\"format\": 1, \"targets\": [\n {\"name\": \"a\", \"url\": \"x\", \"server\": \"y\"}]}")
                .find("retort.fleet.json:2:2: targets[0]: an entry names its targets one way"),
            std::string::npos);
  EXPECT_NE(error_of("{\"format\": 1, \"targets\": [\n {\"name\": \"a\", \"url\": \"x\", \"query\": \"y\"}]}")
                .find("retort.fleet.json:2:37: targets[0].query: an entry names its targets one way"),
            std::string::npos);
  EXPECT_EQ(error_of("{\"format\": 1, \"targets\": [\n {\"name\": \"a\", \"url\": \"x\"},\n {\"name\": \"a\", \"url\": \"y\"}]}"),
            "retort.fleet.json:3:11: targets[1].name: the name \"a\" is already used at line 2");
  EXPECT_EQ(error_of("{\"format\": 2, \"targets\": []}"),
            "retort.fleet.json:1:12: format: unsupported format (this Retort reads format 1)");
  EXPECT_EQ(error_of("{\"format\": 1, \"targets\": [\n {\"name\": \"a\", \"url\": \"x\", \"schema\": \"\"}]}"),
            "retort.fleet.json:2:38: targets[0].schema: empty name");
}

TEST(FleetFile, LabelsSelectTargets) {
  const auto wanted = fleet::parse_labels({"region=eu", "tier=gold,shard=3"});
  EXPECT_EQ(wanted, (fleet::labels{{"region", "eu"}, {"shard", "3"}, {"tier", "gold"}}));
  EXPECT_TRUE(fleet::matches({{"region", "eu"}, {"shard", "3"}, {"tier", "gold"}, {"x", "y"}}, wanted));
  EXPECT_FALSE(fleet::matches({{"region", "eu"}, {"shard", "3"}}, wanted));
  EXPECT_FALSE(fleet::matches({{"region", "us"}, {"shard", "3"}, {"tier", "gold"}}, wanted));
  EXPECT_TRUE(fleet::matches({}, {}));
  EXPECT_THROW((void)fleet::parse_labels({"region"}), error);
  EXPECT_THROW((void)fleet::parse_labels({"=eu"}), error);
}

TEST(FleetFile, ResolvedTargetsMustHaveUniqueNames) {
  std::vector<fleet::target> targets{{"shards/a", "u1", "", {}, 4}, {"shards/b", "u2", "", {}, 4}};
  EXPECT_NO_THROW(fleet::require_unique_names(targets, "f.json"));
  targets.push_back({"shards/a", "u3", "", {}, 7});
  try {
    fleet::require_unique_names(targets, "f.json");
    FAIL() << "no error";
  } catch (const file_error& e) {
    EXPECT_STREQ(e.what(), "f.json:7:1: two targets are named \"shards/a\" (from the entries at lines 4 and 7); names "
                           "must be unique");
  }
}

}  // namespace
}  // namespace retort
