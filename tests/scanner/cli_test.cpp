// retort-scan as the build runs it: the example models against the golden snapshot (with
// CMake's flags and with compile_commands.json), outputs rewritten only on a change, the
// depfile, the locations file, and command line mistakes.
#include <gtest/gtest.h>

#include <chrono>
#include <fstream>
#include <iterator>
#include <string>

#include "declaration_sites.hpp"
#include "output.hpp"
#include "retort/snapshot.hpp"
#include "scan_process.hpp"

namespace retort::scan::test {
namespace {

namespace fs = std::filesystem;

std::string read(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

void write(const fs::path& file, const std::string& text) { std::ofstream(file, std::ios::binary) << text; }

const fs::path golden = fs::path(RETORT_SCANNER_DATA_DIR) / "example_snapshot.json";

constexpr const char* regenerate =
    "if the change is intended: cp " RETORT_EXAMPLE_SNAPSHOT " " RETORT_SCANNER_DATA_DIR "/example_snapshot.json";

TEST(ExampleModels, SnapshotOfTheBuildIsTheGoldenOne) {
  ASSERT_TRUE(fs::exists(RETORT_EXAMPLE_SNAPSHOT)) << "build the retort_example_schema target first";
  EXPECT_EQ(read(RETORT_EXAMPLE_SNAPSHOT), read(golden)) << regenerate;
}

// Where `token` is in the first line of `file` that contains `line_part` (1-based).
declaration_site site_in(const fs::path& file, std::string_view line_part, std::string_view token) {
  std::ifstream in(file);
  std::string line;
  for (unsigned n = 1; std::getline(in, line); ++n)
    if (auto at = line.find(line_part); at != std::string::npos)
      return {file.string(), n, static_cast<unsigned>(line.find(token, at) + 1)};
  ADD_FAILURE() << "no line with " << line_part << " in " << file;
  return {};
}

TEST(ExampleModels, LocationsOfTheBuildPointAtTheDeclarations) {
  ASSERT_TRUE(fs::exists(RETORT_EXAMPLE_LOCATIONS)) << "build the db-snapshot target first";
  const declaration_sites sites = read_declaration_sites(read(RETORT_EXAMPLE_LOCATIONS), RETORT_EXAMPLE_LOCATIONS);
  const fs::path models = RETORT_MODELS_DIR;
  const declaration_site* users = table_site(sites, {"public", "users"});
  ASSERT_NE(users, nullptr);
  EXPECT_EQ(*users, site_in(models / "user.hpp", "struct RETORT_TABLE(\"users\"", "User "));
  const declaration_site* phone = column_site(sites, {"public", "users"}, "phone_number");
  ASSERT_NE(phone, nullptr);
  EXPECT_EQ(*phone, site_in(models / "user.hpp", "phone_number;", "phone_number"));
  // Inherited from the Timestamps mixin, through TimestampedEntity.
  const declaration_site* created = column_site(sites, {"public", "users"}, "created_at");
  ASSERT_NE(created, nullptr);
  EXPECT_EQ(*created, site_in(models / "base.hpp", "created_at;", "created_at"));
  const declaration_site* role = enum_site(sites, {"public", "user_role"});
  ASSERT_NE(role, nullptr);
  EXPECT_EQ(*role, site_in(models / "user.hpp", "enum class UserRole", "UserRole"));
  // Every table and column of the snapshot has its site.
  const schema snapshot = read_snapshot(read(RETORT_EXAMPLE_SNAPSHOT), RETORT_EXAMPLE_SNAPSHOT);
  for (const table& t : snapshot.tables) {
    EXPECT_NE(table_site(sites, t.name), nullptr) << to_string(t.name);
    for (const column& c : t.columns)
      EXPECT_NE(column_site(sites, t.name, c.name), nullptr) << to_string(t.name) << "." << c.name;
  }
  for (const enum_type& e : snapshot.enums) EXPECT_NE(enum_site(sites, e.name), nullptr) << to_string(e.name);
}

TEST(ExampleModels, FlagsFromCompileCommandsGiveTheSameSnapshot) {
  const scratch_directory dir("compile-commands");
  const fs::path models = RETORT_MODELS_DIR;
  // The models' compile check is a real translation unit of the models' target.
  process_result r = run_scan({"-o", "schema.json", "-p", RETORT_BUILD_DIR, "--source", (models / "compile_check.cpp").string(),
                               "--sql-object", (models / "sql/set_updated_at.sql").string(), "--sql-object",
                               (models / "sql/users_set_updated_at.sql").string(), (models / "models.hpp").string()},
                              dir.path());
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_EQ(read(dir / "schema.json"), read(golden)) << regenerate;
}

TEST(ExampleModels, WithoutSourceTheNearestTranslationUnitIsTaken) {
  const scratch_directory dir("nearest-command");
  const fs::path models = RETORT_MODELS_DIR;
  process_result r = run_scan({"-o", "schema.json", "-p", RETORT_BUILD_DIR, "--sql-object",
                               (models / "sql/set_updated_at.sql").string(), "--sql-object",
                               (models / "sql/users_set_updated_at.sql").string(), (models / "models.hpp").string()},
                              dir.path());
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_EQ(read(dir / "schema.json"), read(golden));
}

constexpr const char* small_model = R"(#include <retort/model.hpp>
struct RETORT_TABLE("things") Thing {
  RETORT_COLUMN(primary_key) std::int64_t id;
};
)";

std::vector<std::string> with_flags(std::vector<std::string> args) {
  for (const auto& f : model_flags()) args.push_back(f);
  return args;
}

TEST(Outputs, SnapshotIsRewrittenOnlyWhenItsBytesChange) {
  const scratch_directory dir("rewrite");
  write(dir / "model.hpp", small_model);
  const auto args = with_flags({"-o", "schema.json", "--depfile", "schema.json.d", "model.hpp"});
  ASSERT_EQ(run_scan(args, dir.path()).exit_code, 0);
  const std::string first = read(dir / "schema.json");
  EXPECT_NE(first.find("\"things\""), std::string::npos);

  const auto long_ago = fs::file_time_type::clock::now() - std::chrono::hours(24);
  fs::last_write_time(dir / "schema.json", long_ago);
  fs::last_write_time(dir / "schema.json.d", long_ago);
  ASSERT_EQ(run_scan(args, dir.path()).exit_code, 0);
  EXPECT_EQ(fs::last_write_time(dir / "schema.json"), long_ago);
  EXPECT_EQ(fs::last_write_time(dir / "schema.json.d"), long_ago);

  std::string changed = small_model;
  changed.insert(changed.find("};"), "  std::optional<std::string> label;\n");
  write(dir / "model.hpp", changed);
  ASSERT_EQ(run_scan(args, dir.path()).exit_code, 0);
  EXPECT_NE(fs::last_write_time(dir / "schema.json"), long_ago);
  EXPECT_NE(read(dir / "schema.json").find("\"label\""), std::string::npos);
}

TEST(Outputs, ErrorsLeaveThePreviousSnapshotAlone) {
  const scratch_directory dir("keep-on-error");
  write(dir / "model.hpp", small_model);
  const auto args = with_flags({"-o", "schema.json", "model.hpp"});
  ASSERT_EQ(run_scan(args, dir.path()).exit_code, 0);
  const std::string before = read(dir / "schema.json");
  write(dir / "model.hpp", std::string(small_model) + "struct RETORT_TABLE(\"things\") Again { std::int64_t id; };\n");
  EXPECT_EQ(run_scan(args, dir.path()).exit_code, 1);
  EXPECT_EQ(read(dir / "schema.json"), before);
}

TEST(Outputs, DepfileListsEveryFileRead) {
  const scratch_directory dir("depfile");
  write(dir / "model.hpp", small_model);
  write(dir / "head.json", R"({"format": 1, "schemas": [], "enums": [], "tables": []})");
  ASSERT_EQ(run_scan(with_flags({"-o", "schema.json", "--depfile", "schema.json.d", "--previous", "head.json", "model.hpp"}), dir.path()).exit_code, 0);
  const std::string depfile = read(dir / "schema.json.d");
  EXPECT_EQ(depfile.rfind("schema.json: \\\n", 0), 0u) << depfile;
  EXPECT_NE(depfile.find(" " + (dir / "model.hpp").string() + " \\\n"), std::string::npos) << depfile;
  EXPECT_NE(depfile.find(" " + fs::canonical(fs::path(RETORT_RUNTIME_INCLUDE_DIR) / "retort/model.hpp").string()), std::string::npos) << depfile;
  EXPECT_NE(depfile.find("/optional"), std::string::npos) << "system headers count too:\n" << depfile;
  EXPECT_NE(depfile.find(" " + (dir / "head.json").string()), std::string::npos) << depfile;
  EXPECT_EQ(depfile.find("retort-scan-models.cpp"), std::string::npos) << "the synthetic file exists only in memory";
}

// A view's query file, relative to its header, is an input of the scan: the depfile lists it,
// so the build reruns the scan when it is edited; a missing one is an error at the option.
TEST(Outputs, ViewQueryFilesAreInTheDepfile) {
  const scratch_directory dir("view-query-file");
  fs::create_directories(dir / "views");
  write(dir / "views" / "ids.sql", "SELECT id\nFROM things -- every one\n");
  write(dir / "model.hpp", std::string(small_model) +
                               "struct RETORT_VIEW(\"thing_ids\", query_file = \"views/ids.sql\") ThingId { std::int64_t id; };\n");
  const auto args = with_flags({"-o", "schema.json", "--depfile", "schema.json.d", "model.hpp"});
  ASSERT_EQ(run_scan(args, dir.path()).exit_code, 0);
  EXPECT_NE(read(dir / "schema.json.d").find(" " + (dir / "views" / "ids.sql").string()), std::string::npos)
      << read(dir / "schema.json.d");
  EXPECT_NE(read(dir / "schema.json").find("\"query\": \"SELECT id FROM things\""), std::string::npos) << read(dir / "schema.json");
  fs::remove(dir / "views" / "ids.sql");
  const auto missing = run_scan(args, dir.path());
  EXPECT_EQ(missing.exit_code, 1);
  EXPECT_NE(missing.output.find("error: cannot read the query file"), std::string::npos) << missing.output;
}

// A mixin in a header of its own, an enum and a table: the locations file names each
// declaration by absolute path, line and column, and leaves the snapshot as it was.
constexpr const char* located_mixin = R"(#pragma once
#include <retort/model.hpp>
struct Stamped {
  retort::Timestamp created_at;
};
)";
constexpr const char* located_model = R"(#include "mixin.hpp"
enum class Kind { small, large };
struct RETORT_TABLE("things") Thing : Stamped {
  RETORT_COLUMN(primary_key) std::int64_t id;
  Kind kind;
};
)";

TEST(Outputs, LocationsFileSaysWhereEachObjectIsDeclared) {
  const scratch_directory dir("locations");
  write(dir / "mixin.hpp", located_mixin);
  write(dir / "model.hpp", located_model);
  ASSERT_EQ(run_scan(with_flags({"-o", "plain.json", "model.hpp"}), dir.path()).exit_code, 0);
  process_result r = run_scan(with_flags({"-o", "schema.json", "--locations", "locations.json", "model.hpp"}), dir.path());
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_EQ(read(dir / "schema.json"), read(dir / "plain.json")) << "--locations must not change the snapshot";

  const std::string at = fs::canonical(dir.path()).string();
  EXPECT_EQ(read(dir / "locations.json"), R"({
  "format": 1,
  "tables": {
    "public.things": {
      "file": ")" + at + R"(/model.hpp",
      "line": 3,
      "column": 31
    }
  },
  "columns": {
    "public.things.created_at": {
      "file": ")" + at + R"(/mixin.hpp",
      "line": 4,
      "column": 21
    },
    "public.things.id": {
      "file": ")" + at + R"(/model.hpp",
      "line": 4,
      "column": 43
    },
    "public.things.kind": {
      "file": ")" + at + R"(/model.hpp",
      "line": 5,
      "column": 8
    }
  },
  "enums": {
    "public.kind": {
      "file": ")" + at + R"(/model.hpp",
      "line": 2,
      "column": 12
    }
  }
}
)");
}

TEST(Outputs, LocationsFileIsRewrittenOnlyWhenItsBytesChange) {
  const scratch_directory dir("locations-rewrite");
  write(dir / "mixin.hpp", located_mixin);
  write(dir / "model.hpp", located_model);
  const auto args = with_flags({"-o", "schema.json", "--locations", "locations.json", "model.hpp"});
  ASSERT_EQ(run_scan(args, dir.path()).exit_code, 0);
  const std::string first = read(dir / "locations.json");

  const auto long_ago = fs::file_time_type::clock::now() - std::chrono::hours(24);
  fs::last_write_time(dir / "schema.json", long_ago);
  fs::last_write_time(dir / "locations.json", long_ago);
  ASSERT_EQ(run_scan(args, dir.path()).exit_code, 0);
  EXPECT_EQ(fs::last_write_time(dir / "locations.json"), long_ago);

  // A comment above the table moves its declarations, not its schema: only the locations change.
  write(dir / "model.hpp", std::string("// things\n") + located_model);
  ASSERT_EQ(run_scan(args, dir.path()).exit_code, 0);
  EXPECT_EQ(fs::last_write_time(dir / "schema.json"), long_ago);
  EXPECT_NE(fs::last_write_time(dir / "locations.json"), long_ago);
  const std::string moved = read(dir / "locations.json");
  EXPECT_NE(moved, first);
  EXPECT_NE(moved.find("\"line\": 4,\n      \"column\": 31"), std::string::npos) << moved;

  // A mistake writes neither file.
  fs::last_write_time(dir / "locations.json", long_ago);
  write(dir / "model.hpp", std::string(located_model) + "struct RETORT_TABLE(\"things\") Again { std::int64_t id; };\n");
  EXPECT_EQ(run_scan(args, dir.path()).exit_code, 1);
  EXPECT_EQ(read(dir / "locations.json"), moved);
  EXPECT_EQ(fs::last_write_time(dir / "locations.json"), long_ago);
}

TEST(Outputs, AFailedLocationsWriteLeavesNoSnapshot) {
  const scratch_directory dir("locations-unwritable");
  write(dir / "model.hpp", small_model);
  const process_result r = run_scan(
      with_flags({"-o", "schema.json", "--depfile", "schema.json.d", "--locations", "missing/locations.json", "model.hpp"}),
      dir.path());
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_NE(r.output.find("retort-scan: error: cannot write missing/locations.json"), std::string::npos) << r.output;
  EXPECT_FALSE(fs::exists(dir / "schema.json")) << "the snapshot and its locations are written together or not at all";
  EXPECT_FALSE(fs::exists(dir / "schema.json.d"));
  EXPECT_EQ(std::distance(fs::directory_iterator(dir.path()), fs::directory_iterator()), 1) << "no temporary file left";
}

// What the scan cannot read is an error at the declaration, never silently left out.
struct ignored_case {
  std::string name;
  std::string model;  ///< after #include <retort/model.hpp>
  std::string error;  ///< "line:col: error: message" (line 1 is the include)
};

class Ignored : public testing::TestWithParam<ignored_case> {};

TEST_P(Ignored, IsAnErrorAtTheDeclaration) {
  const ignored_case& c = GetParam();
  const scratch_directory dir("ignored-" + c.name);
  write(dir / "model.hpp", "#include <retort/model.hpp>\n" + c.model);
  const process_result r = run_scan(with_flags({"-o", "schema.json", "model.hpp"}), dir.path());
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_NE(r.output.find((dir / "model.hpp").string() + ":" + c.error), std::string::npos) << r.output;
  EXPECT_FALSE(fs::exists(dir / "schema.json"));
}

INSTANTIATE_TEST_SUITE_P(
    Scanner, Ignored,
    testing::Values(
        ignored_case{"static_member",
                     "struct RETORT_TABLE(\"t\") T {\n  std::int64_t id;\n  RETORT_COLUMN(unique) static inline int count = 0;\n};\n",
                     "4:43: error: RETORT_COLUMN on a static data member: a column must be a non-static data member"},
        ignored_case{"member_function",
                     "struct RETORT_TABLE(\"t\") T {\n  std::int64_t id;\n  RETORT_COLUMN(unique) int size() const;\n};\n",
                     "4:29: error: RETORT_COLUMN on a function: a column must be a non-static data member"},
        ignored_case{"table_in_function",
                     "struct RETORT_TABLE(\"t\") T { std::int64_t id; };\n"
                     "inline void f() {\n  struct RETORT_TABLE(\"local\") Local { std::int64_t id; };\n}\n",
                     "4:10: error: RETORT_TABLE here is not read by the scan: tables, columns and enum types are "
                     "declared at namespace or class scope, not inside a function"},
        ignored_case{"redefined_macro",
                     "#undef RETORT_TABLE\n#define RETORT_TABLE(...)\nstruct RETORT_TABLE(\"t\") T { std::int64_t id; };\n",
                     "4:8: error: RETORT_TABLE here is not Retort's macro (it was redefined): the scan cannot see this declaration"},
        ignored_case{"too_many_columns",
                     [] {
                       std::string m = "struct RETORT_TABLE(\"wide\") Wide {\n";
                       for (int i = 0; i <= 1600; ++i) m += "  int c" + std::to_string(i) + ";\n";
                       return m + "};\n";
                     }(),
                     "2:21: error: table public.wide has 1601 columns; PostgreSQL allows at most 1600"}),
    [](const testing::TestParamInfo<ignored_case>& info) { return info.param.name; });

TEST(Scanner, NoTableAtAllIsAnError) {
  const scratch_directory dir("no-table");
  write(dir / "model.hpp", "#include <retort/model.hpp>\nstruct NotATable { int id; };\n");
  const process_result r = run_scan(with_flags({"-o", "schema.json", "model.hpp"}), dir.path());
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_NE(r.output.find("retort-scan: error: the models declare no table: no struct is marked RETORT_TABLE(...) in model.hpp"),
            std::string::npos)
      << r.output;
  EXPECT_FALSE(fs::exists(dir / "schema.json"));
}

TEST(Scanner, ADiamondVirtualBaseGivesItsColumnsOnce) {
  const scratch_directory dir("diamond");
  write(dir / "model.hpp", R"(#include <retort/model.hpp>
struct Audit { std::int64_t revision; };
struct Created : virtual Audit { std::int64_t created_by; };
struct Updated : virtual Audit { std::int64_t updated_by; };
struct RETORT_TABLE("docs") Doc : Created, Updated { RETORT_COLUMN(primary_key) std::int64_t id; };
)");
  const process_result r = run_scan(with_flags({"-o", "schema.json", "model.hpp"}), dir.path());
  ASSERT_EQ(r.exit_code, 0) << r.output;
  const std::string snapshot = read(dir / "schema.json");
  EXPECT_EQ(snapshot.find("\"revision\""), snapshot.rfind("\"revision\"")) << snapshot;
  EXPECT_NE(snapshot.find("\"updated_by\""), std::string::npos) << snapshot;
}

TEST(Scanner, TooLongMultibyteNameIsPrintedWhole) {
  const scratch_directory dir("multibyte");
  const std::string name = [] {
    std::string n;
    for (int i = 0; i < 40; ++i) n += "\xc3\xa9";  // é: 80 bytes, 40 characters
    return n;
  }();
  write(dir / "model.hpp", "#include <retort/model.hpp>\nstruct RETORT_TABLE(\"" + name + "\") T { std::int64_t id; };\n");
  const process_result r = run_scan(with_flags({"-o", "schema.json", "model.hpp"}), dir.path());
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_NE(r.output.find("name \"" + name + "\" is 80 bytes; PostgreSQL allows 63"), std::string::npos) << r.output;
}

TEST(Outputs, DepfileEscapesSpacesHashesAndDollars) {
  EXPECT_EQ(depfile_text("out dir/schema.json", {"/a b/c#d.hpp", "/x$y.hpp"}),
            "out\\ dir/schema.json: \\\n  /a\\ b/c\\#d.hpp \\\n  /x$$y.hpp\n");
}

TEST(Outputs, WriteIfChanged) {
  const scratch_directory dir("write-if-changed");
  EXPECT_TRUE(write_if_changed(dir / "f", "one"));
  EXPECT_FALSE(write_if_changed(dir / "f", "one"));
  EXPECT_TRUE(write_if_changed(dir / "f", "two"));
  EXPECT_EQ(read(dir / "f"), "two");
  EXPECT_EQ(std::distance(fs::directory_iterator(dir.path()), fs::directory_iterator()), 1) << "no temporary file left";
}

TEST(CommandLine, RelativeHeadersAreFoundFromTheWorkingDirectory) {
  const scratch_directory dir("relative");
  process_result r = run_scan(with_flags({"-o", (dir / "schema.json").string(), "unknown_option.hpp"}), RETORT_SCANNER_DATA_DIR);
  EXPECT_EQ(r.exit_code, 1);
  // Messages name files by absolute path, as the build passes them; no "In file included from"
  // line cites the scan's generated file before it.
  EXPECT_EQ(r.output.rfind(RETORT_SCANNER_DATA_DIR "/unknown_option.hpp:6:25: error: ", 0), 0u) << r.output;
}

// The generated file that includes the headers exists only in memory: no message may cite it.
TEST(CommandLine, NoMessageCitesTheGeneratedFile) {
  const scratch_directory dir("generated-file");
  write(dir / "model.hpp", small_model);
  process_result r = run_scan(with_flags({"-o", "schema.json", "model.hpp", "mdoels.hpp"}), dir.path());
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.output, "retort-scan: error: no such model header: mdoels.hpp\n");

  // A header that leaves a struct open: the error at the end of the generated file is the header's.
  write(dir / "open.hpp", "#include <retort/model.hpp>\nstruct RETORT_TABLE(\"t\") T {\n  std::int64_t id;\n");
  r = run_scan(with_flags({"-o", "schema.json", "model.hpp", "open.hpp"}), dir.path());
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.output.find("retort-scan-models.cpp"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("open.hpp: error: expected '}'"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("open.hpp:2:"), std::string::npos) << "the note at the brace it matches stays\n" << r.output;
  EXPECT_FALSE(fs::exists(dir / "schema.json"));
}

TEST(CommandLine, MistakesExitWith2) {
  const scratch_directory dir("usage");
  EXPECT_EQ(run_scan({"model.hpp"}, dir.path()).exit_code, 2);
  EXPECT_EQ(run_scan({"-o", "schema.json"}, dir.path()).exit_code, 2);
  EXPECT_EQ(run_scan({"-o", "schema.json", "--frobnicate", "model.hpp"}, dir.path()).exit_code, 2);
  EXPECT_EQ(run_scan({"-o"}, dir.path()).exit_code, 2);
}

TEST(CommandLine, UnreadablePreviousSnapshot) {
  const scratch_directory dir("bad-previous");
  write(dir / "model.hpp", small_model);
  write(dir / "head.json", "{ not json");
  process_result r = run_scan(with_flags({"-o", "schema.json", "--previous", "missing.json", "model.hpp"}), dir.path());
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.output, "retort-scan: error: cannot read missing.json\n");
  r = run_scan(with_flags({"-o", "schema.json", "--previous", "head.json", "model.hpp"}), dir.path());
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.output.rfind("retort-scan: error: head.json:1:", 0), 0u) << r.output;
  EXPECT_NE(r.output.find("malformed JSON"), std::string::npos) << r.output;
  EXPECT_FALSE(fs::exists(dir / "schema.json"));
}

TEST(CommandLine, BuildDirectoryWithoutCompilationDatabase) {
  const scratch_directory dir("no-database");
  write(dir / "model.hpp", small_model);
  process_result r = run_scan({"-o", "schema.json", "-p", dir.path().string(), "model.hpp"}, dir.path());
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.output.rfind("retort-scan: error: cannot read the compilation database in " + dir.path().string(), 0), 0u) << r.output;
}

// SQL_OBJECTS: each file's object joins the snapshot, in its normalized text, and the files
// are dependencies; a file that is not one object, or a trigger on a table the models lack, is
// an error at the file's line and no snapshot is written.
constexpr const char* touch_sql = R"(-- keeps updated_at current
CREATE OR REPLACE FUNCTION touch() RETURNS trigger AS $$
BEGIN NEW.updated_at := now(); RETURN NEW; END
$$ LANGUAGE plpgsql;
)";
constexpr const char* trigger_sql = "CREATE TRIGGER things_touch BEFORE UPDATE ON things\n"
                                    "  FOR EACH ROW EXECUTE FUNCTION touch();\n";

TEST(SqlObjects, EachFileIsAnObjectOfTheSnapshot) {
  const scratch_directory dir("sql-objects");
  write(dir / "model.hpp", small_model);
  write(dir / "touch.sql", touch_sql);
  write(dir / "trigger.sql", trigger_sql);
  const process_result r = run_scan(with_flags({"-o", "schema.json", "--depfile", "schema.json.d", "--sql-object",
                                                "touch.sql", "--sql-object", "trigger.sql", "model.hpp"}),
                                    dir.path());
  ASSERT_EQ(r.exit_code, 0) << r.output;
  const schema s = read_snapshot(read(dir / "schema.json"), "schema.json");
  ASSERT_EQ(s.sql_objects.size(), 2u);
  EXPECT_EQ(s.sql_objects[0].definition,
            "CREATE FUNCTION \"public\".\"touch\"() RETURNS trigger LANGUAGE plpgsql AS $$\nBEGIN NEW.updated_at := "
            "now(); RETURN NEW; END\n$$");
  EXPECT_EQ(s.sql_objects[1].definition, R"(CREATE TRIGGER things_touch BEFORE UPDATE ON "public"."things" FOR EACH )"
                                         R"(ROW EXECUTE FUNCTION "public"."touch"())");
  const std::string depfile = read(dir / "schema.json.d");
  EXPECT_NE(depfile.find((dir / "touch.sql").string()), std::string::npos) << depfile;
  EXPECT_NE(depfile.find((dir / "trigger.sql").string()), std::string::npos) << depfile;
}

TEST(SqlObjects, BadFilesAreErrorsAtTheirLine) {
  const scratch_directory dir("sql-objects-bad");
  write(dir / "model.hpp", small_model);
  write(dir / "two.sql", std::string(touch_sql) + "\n" + trigger_sql);
  write(dir / "broken.sql", "CREATE FUNCTION f() RETURNS int\nLANGUAGE sql AS 'select 1' oops;\n");
  write(dir / "elsewhere.sql", "CREATE TRIGGER t BEFORE UPDATE ON users FOR EACH ROW EXECUTE FUNCTION touch();\n");
  const auto scan = [&](const std::string& file) {
    return run_scan(with_flags({"-o", "schema.json", "--sql-object", file, "model.hpp"}), dir.path());
  };
  process_result r = scan("two.sql");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.output.find("two.sql:6:1: error: a second statement: an SQL object file holds exactly one"),
            std::string::npos) << r.output;
  r = scan("broken.sql");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.output.find("broken.sql:2:28: error: SQL does not parse: syntax error at or near \"oops\""),
            std::string::npos) << r.output;
  r = scan("elsewhere.sql");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.output.find("elsewhere.sql:1:1: error: trigger t on public.users is on table public.users, which the "
                          "models do not declare"),
            std::string::npos) << r.output;
  EXPECT_FALSE(fs::exists(dir / "schema.json"));
}

}  // namespace
}  // namespace retort::scan::test
