// Golden diff cases as data: tests/data/diff/<case>/ holds from.json and to.json (snapshots)
// and expected.sql (the upgrade and downgrade, described and rendered) or expected_error.txt.
// Adding a case is adding a folder. RETORT_UPDATE_GOLDEN=1 rewrites expected.sql for review.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <fmt/format.h>

#include "retort/diff.hpp"
#include "retort/errors.hpp"
#include "retort/lint.hpp"
#include "retort/pg/render.hpp"
#include "retort/replay.hpp"
#include "retort/revision.hpp"
#include "retort/snapshot.hpp"

namespace retort {
namespace {

namespace fs = std::filesystem;

const fs::path data_dir = fs::path(RETORT_TEST_DATA_DIR) / "diff";

std::string read_file(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

schema load(const fs::path& p) { return read_snapshot(read_file(p), p.string()); }

// Each operation as a comment line followed by its statements (a statement that does not join
// the revision's transaction says so above it).
std::string script(const std::vector<ops::operation>& list, const schema& before) {
  std::string out;
  const auto plan = pg::render(list, before);
  for (std::size_t i = 0; i < list.size(); ++i) {
    out += fmt::format("-- {}{}\n", ops::describe(list[i]), ops::is_destructive(list[i]) ? " [destructive]" : "");
    for (const auto& st : plan) {
      if (st.operation != i) continue;
      if (st.mode == pg::run_mode::own_transaction) out += "-- (in a transaction of its own)\n";
      if (st.mode == pg::run_mode::outside_transaction) out += "-- (outside a transaction)\n";
      out += st.sql + ";\n";
    }
  }
  return out;
}

class DiffGolden : public ::testing::TestWithParam<std::string> {};

TEST_P(DiffGolden, MatchesExpected) {
  const fs::path dir = data_dir / GetParam();
  const schema from = load(dir / "from.json");
  const schema to = load(dir / "to.json");

  if (fs::exists(dir / "expected_error.txt")) {
    std::string expected = read_file(dir / "expected_error.txt");
    while (!expected.empty() && expected.back() == '\n') expected.pop_back();
    try {
      (void)diff(from, to);
      FAIL() << "expected a diff_error containing: " << expected;
    } catch (const diff_error& e) {
      EXPECT_NE(std::string(e.what()).find(expected), std::string::npos) << e.what();
    }
    return;
  }

  const auto up = diff(from, to);
  const auto down = ops::inverse(up);
  const schema reached = replay(from, up);
  EXPECT_EQ(comparable(reached), comparable(to));
  EXPECT_EQ(comparable(replay(reached, down)), comparable(from));
  EXPECT_TRUE(diff(reached, to).empty());

  const std::string got = "-- upgrade\n" + script(up, from) + "\n-- downgrade\n" + script(down, reached);

  // Through a migration file (where an alter_column states only what it changes): the same
  // replay both ways, the same SQL and the same lint findings.
  revision in_memory;
  in_memory.id = "0123456789ab";
  in_memory.upgrade = up;
  in_memory.downgrade = down;
  const revision file = read_revision(write_revision(in_memory), "golden.json");
  EXPECT_EQ(comparable(replay(from, file.upgrade)), comparable(to));
  EXPECT_EQ(comparable(replay(reached, file.downgrade)), comparable(from));
  EXPECT_EQ("-- upgrade\n" + script(file.upgrade, from) + "\n-- downgrade\n" + script(file.downgrade, reached), got);
  const auto rules = [](const std::vector<lint::finding>& findings) {
    std::vector<std::string> out;
    for (const auto& f : findings) out.push_back(f.rule + ": " + f.message);
    return out;
  };
  EXPECT_EQ(rules(lint::lint_revision(file, from)), rules(lint::lint_revision(in_memory, from)));
  if (std::getenv("RETORT_UPDATE_GOLDEN")) {
    std::ofstream(dir / "expected.sql", std::ios::binary) << got;
    return;
  }
  ASSERT_TRUE(fs::exists(dir / "expected.sql")) << "no expected.sql: run with RETORT_UPDATE_GOLDEN=1 and review it";
  EXPECT_EQ(got, read_file(dir / "expected.sql"));
}

std::vector<std::string> case_names() {
  std::vector<std::string> names;
  for (const auto& entry : fs::directory_iterator(data_dir))
    if (entry.is_directory()) names.push_back(entry.path().filename().string());
  std::sort(names.begin(), names.end());
  return names;
}

INSTANTIATE_TEST_SUITE_P(Cases, DiffGolden, ::testing::ValuesIn(case_names()),
                         [](const auto& info) { return info.param; });

TEST(Diff, RequireBackfillOffAddsNotNullDirectly) {
  const schema from = load(data_dir / "not_null_without_backfill" / "from.json");
  const schema to = load(data_dir / "not_null_without_backfill" / "to.json");
  const auto up = diff(from, to, {.require_backfill = false});
  ASSERT_EQ(up.size(), 1u);
  ASSERT_TRUE(std::holds_alternative<ops::add_column>(up[0]));
  EXPECT_FALSE(std::get<ops::add_column>(up[0]).def.nullable);
}

TEST(Diff, EnumRelabelHintIsIgnoredWhenTheOldLabelIsStillModelled) {
  // "in_progress" stays a value of the target, so "in-progress" is a new value, not a rename.
  const schema from = load(data_dir / "enum_value_relabelled" / "from.json");
  schema to = from;
  to.enums[0].values.push_back("in-progress");
  to.enums[0].renamed_values["in-progress"] = {"in_progress"};
  const auto up = diff(from, to);
  ASSERT_EQ(up.size(), 1u);
  EXPECT_TRUE(std::holds_alternative<ops::add_enum_value>(up[0]));
}

// The hint is the model's: a snapshot keeps it, a migration file never carries it.
TEST(Diff, EnumRelabelHintStaysOutOfTheOperations) {
  const schema to = load(data_dir / "enum_value_relabelled" / "to.json");
  ASSERT_EQ(to.enums[0].renamed_values.size(), 1u);
  EXPECT_NE(write_snapshot(to).find(R"("renamed_values")"), std::string::npos);
  const auto up = diff(schema{}, to);
  ASSERT_TRUE(std::holds_alternative<ops::create_enum>(up[0]));
  EXPECT_TRUE(std::get<ops::create_enum>(up[0]).type.renamed_values.empty());
}

TEST(Diff, RenameHintIsIgnoredWhenTheOldNameIsStillModelled) {
  // "login" still exists in the target, so "username" is new, not a rename.
  schema from = load(data_dir / "rename_column" / "from.json");
  schema to = from;
  column username = *find_column(to.tables[0], "login");
  username.name = "username";
  username.nullable = true;
  username.renamed_from = {"login"};
  to.tables[0].columns.push_back(username);
  const auto up = diff(from, to);
  ASSERT_EQ(up.size(), 1u);
  EXPECT_TRUE(std::holds_alternative<ops::add_column>(up[0]));
}

// The rule for new NOT NULL columns lives once (new_columns_without_values) and follows the
// renames the diff makes: the scanner used its own copy, which took renamed_from at its word, so
// a model could pass the scan and fail at db-revision.
TEST(Diff, NewNotNullRuleFollowsTheRenamesTheDiffMakes) {
  const schema from = load(data_dir / "rename_column" / "from.json");
  schema to = from;
  column username = *find_column(to.tables[0], "login");
  username.name = "username";
  username.nullable = false;
  username.server_default.reset();
  username.identity = identity_kind::none;
  username.renamed_from = {"login"};
  to.tables[0].columns.push_back(username);  // "login" stays modelled: no rename, a new column
  const std::vector<element_ref> expected{{element_ref::kind::column, 0, to.tables[0].columns.size() - 1}};
  EXPECT_EQ(new_columns_without_values(from, to), expected);
  EXPECT_THROW((void)diff(from, to), diff_error);

  // Renamed for real ("login" gone): the column exists, no value needed, and no error.
  std::erase_if(to.tables[0].columns, [](const column& c) { return c.name == "login"; });
  to.tables[0].indexes.clear();  // one of them was on "login"
  EXPECT_TRUE(new_columns_without_values(from, to).empty());
  EXPECT_NO_THROW((void)diff(from, to));
}

TEST(Diff, TableRenamesTakeTheFirstOldNameStillFree) {
  const auto with_id = [](std::string name) {
    table t;
    t.name = {"public", std::move(name)};
    column id;
    id.name = "id";
    t.columns.push_back(id);
    return t;
  };
  schema from;
  from.tables = {with_id("a"), with_id("b")};
  schema to;
  to.tables = {with_id("a"), with_id("c")};
  to.tables[1].renamed_from = {{"public", "a"}, {"public", "b"}};  // "a" is still modelled
  EXPECT_EQ(table_renames(from, to), (std::map<qualified_name, qualified_name>{{{"public", "c"}, {"public", "b"}}}));
}

}  // namespace
}  // namespace retort
