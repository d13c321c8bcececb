// The lint, rule by rule, as a table: for each rule, a revision that fires it, a neighbouring
// one that does not, and the first silenced by an "allow" with a reason.
#include <gtest/gtest.h>

#include <algorithm>

#include "make_index.hpp"
#include "operation_cases.hpp"
#include "retort/lint.hpp"
#include "retort/revision_graph.hpp"

namespace retort {
namespace {

using namespace ops;
using testing::operation_base_schema;

const qualified_name users{"public", "users"};
const qualified_name posts{"public", "posts"};

const table& base_table(const qualified_name& t) { return *find_table(operation_base_schema(), t); }
const column& base_column(const qualified_name& t, std::string_view c) { return *find_column(base_table(t), c); }

column text_column(std::string name, bool nullable, std::optional<std::string> default_value = {}) {
  column c;
  c.name = std::move(name);
  c.type = *parse_builtin_type("text");
  c.nullable = nullable;
  c.server_default = std::move(default_value);
  return c;
}

column with_type(column c, std::string_view type) {
  c.type = *parse_builtin_type(type);
  return c;
}

column not_null(column c) {
  c.nullable = false;
  return c;
}

revision revision_of(std::vector<operation> up, operation_notes notes = {}) {
  revision r;
  r.id = "r1";
  r.file = "";
  r.upgrade = std::move(up);
  r.upgrade_notes = std::move(notes);
  return r;
}

std::vector<lint::finding> of_rule(const std::vector<lint::finding>& all, std::string_view rule) {
  std::vector<lint::finding> out;
  std::copy_if(all.begin(), all.end(), std::back_inserter(out), [&](const auto& f) { return f.rule == rule; });
  return out;
}

struct lint_case {
  std::string rule;
  std::vector<operation> fires;
  std::vector<operation> quiet;
  operation_notes fires_notes = {};  ///< e.g. an override that makes it fire
  schema before = operation_base_schema();  ///< what the revision applies to
};

std::vector<lint_case> cases() {
  const foreign_key& posts_fk = base_table(posts).foreign_keys.front();
  const column& bio = base_column(users, "bio");
  const column& email = base_column(users, "email");
  index bio_index = testing::make_index("ix_users_bio", {"bio"});
  check_constraint short_bio{"ck_users_bio", "length(bio) < 10"};
  sequence numbers;
  numbers.name = {"public", "numbers"};
  sequence others;
  others.name = {"public", "others"};
  column token;
  token.name = "token";
  token.type = *parse_builtin_type("uuid");
  token.nullable = true;
  token.server_default = "gen_random_uuid()";
  column stamped = text_column("seen", true, "now()::text");
  table posts_without_fk = base_table(posts);
  posts_without_fk.foreign_keys.clear();
  const exclusion_constraint one_bio{"ex_users_bio", {{index_key{"bio"}, "="}}, "btree", {}, std::nullopt,
                                     deferral::not_deferrable};
  table rooms{{"public", "rooms"}, {text_column("name", false)}, std::nullopt, {}, {}, {}, {}, std::nullopt, {}};
  rooms.exclusions = {{"ex_rooms_name", {{index_key{"name"}, "="}}, "btree", {}, std::nullopt, deferral::not_deferrable}};
  return {
      {"drop-table", {drop_foreign_key{posts, posts_fk}, drop_table{posts_without_fk}}, {drop_foreign_key{posts, posts_fk}}},
      {"drop-column", {drop_column{users, bio}}, {add_column{users, text_column("nick", true)}}},
      {"drop-enum-value", {drop_enum_value{{"public", "mood"}, "sad", std::nullopt}},
       {add_enum_value{{"public", "mood"}, "angry", std::nullopt}}},
      {"narrowing-type", {alter_column{users, email, with_type(email, "varchar(100)"), change_type}},
       {alter_column{users, email, with_type(email, "varchar(300)"), change_type}}},
      {"table-rewrite",
       {add_column{users, with_type(text_column("n", true), "integer")},
        alter_column{users, with_type(text_column("n", true), "integer"), with_type(text_column("n", true), "bigint"),
                     change_type}},
       {alter_column{users, email, with_type(email, "text"), change_type}}},
      {"index-not-concurrent", {create_index{users, bio_index}}, {create_index{users, bio_index}},
       {{0, operation_note{{}, sql_override{{R"(CREATE INDEX "ix_users_bio" ON "public"."users" ("bio"))"}, true}}}}},
      {"constraint-validated-inline", {add_check{users, short_bio}}, {add_check{users, short_bio}},
       {{0, operation_note{{}, sql_override{{R"(ALTER TABLE users ADD CONSTRAINT ck_users_bio CHECK (length(bio) < 10))"},
                                            true}}}}},
      {"set-not-null-without-backfill", {alter_column{users, bio, not_null(bio), change_nullable}},
       {backfill_column{users, "bio", "''", std::nullopt}, alter_column{users, bio, not_null(bio), change_nullable}}},
      {"not-null-without-default", {add_column{users, text_column("nick", false)}},
       {add_column{users, text_column("nick", false, "''")}}},
      {"rename-column", {rename_column{users, "bio", "about"}}, {add_column{users, text_column("about", true)}}},
      {"rename-enum-value", {rename_enum_value{{"public", "mood"}, "sad", "blue"}},
       {add_enum_value{{"public", "mood"}, "blue", std::nullopt}}},
      {"rename-table", {rename_table{posts, {"public", "articles"}}}, {set_table_comment{posts, {}, "articles"}}},
      {"volatile-default", {add_column{users, token}}, {add_column{users, stamped}}},
      {"lock-table", {sql{"LOCK TABLE users IN ACCESS EXCLUSIVE MODE", "SELECT 1"}}, {sql{"SELECT 1", "SELECT 1"}}},
      // On a table created in the same revision, the constraint costs nothing.
      {"exclusion-constraint", {add_exclusion{users, one_bio}}, {create_table{rooms}}},
      {"several-statements", {sql{"UPDATE users SET bio = 'a'; UPDATE users SET bio = 'b'", "SELECT 1"}},
       {sql{"UPDATE users SET bio = 'a'", "SELECT 1"}}},
      {"unparsable-sql", {sql{"UPDAT users SET bio = 'a'", "SELECT 1"}}, {sql{"UPDATE users SET bio = 'a'", "SELECT 1"}}},
      // A sequence created by the same revision has given no number yet.
      {"drop-sequence", {drop_sequence{numbers}}, {create_sequence{others}, drop_sequence{others}}, {},
       [&] {
         schema s = operation_base_schema();
         s.sequences.push_back(numbers);
         return s;
       }()},
  };
}

class LintRule : public ::testing::TestWithParam<lint_case> {};

TEST_P(LintRule, FiresOnItsCaseOnlyAndIsSilencedWithAReason) {
  const lint_case& c = GetParam();
  const auto fired = of_rule(lint::lint_revision(revision_of(c.fires, c.fires_notes), c.before), c.rule);
  ASSERT_EQ(fired.size(), 1u) << c.rule;
  EXPECT_EQ(fired[0].where, lint::side::upgrade);
  EXPECT_FALSE(fired[0].message.empty());
  EXPECT_FALSE(fired[0].hint.empty());
  const auto& rule = *std::find_if(lint::rules().begin(), lint::rules().end(), [&](const auto& r) { return r.id == c.rule; });
  EXPECT_EQ(fired[0].level, rule.level);
  EXPECT_EQ(fired[0].fails(), rule.level == lint::severity::error);

  EXPECT_TRUE(of_rule(lint::lint_revision(revision_of(c.quiet), c.before), c.rule).empty()) << c.rule;

  operation_notes notes = c.fires_notes;
  notes[fired[0].operation].allow.push_back({c.rule, "reviewed: the table is empty in every environment"});
  const auto silenced = of_rule(lint::lint_revision(revision_of(c.fires, notes), c.before), c.rule);
  ASSERT_EQ(silenced.size(), 1u);
  EXPECT_TRUE(silenced[0].silenced());
  EXPECT_FALSE(silenced[0].fails());
  EXPECT_EQ(silenced[0].allowed, "reviewed: the table is empty in every environment");
}

INSTANTIATE_TEST_SUITE_P(Rules, LintRule, ::testing::ValuesIn(cases()), [](const auto& info) {
  std::string name = info.param.rule;
  std::replace(name.begin(), name.end(), '-', '_');
  return name;
});

TEST(Lint, EveryRuleHasACase) {
  // unknown-allow below; branch-conflict in the CLI test of a conflicting history.
  std::set<std::string> covered{"unknown-allow", "branch-conflict"};
  for (const auto& c : cases()) covered.insert(c.rule);
  for (const auto& r : lint::rules()) EXPECT_TRUE(covered.contains(std::string(r.id))) << r.id;
}

TEST(Lint, AnAllowNamingNoRuleIsAnError) {
  operation_notes notes{{0, operation_note{{{"drop-colum", "typo"}}, std::nullopt}}};
  const auto found = of_rule(lint::lint_revision(revision_of({drop_column{users, base_column(users, "bio")}}, notes),
                                                 operation_base_schema()),
                             "unknown-allow");
  ASSERT_EQ(found.size(), 1u);
  EXPECT_TRUE(found[0].fails());
}

TEST(Lint, TablesCreatedInTheRevisionAreNotJudgedAsTablesWithRows) {
  table fresh;
  fresh.name = {"public", "fresh"};
  fresh.columns = {text_column("a", true)};
  const auto found = lint::lint_revision(
      revision_of({create_table{fresh}, add_column{fresh.name, text_column("b", false)},
                   create_index{fresh.name, testing::make_index("ix_fresh_a", {"a"})}}),
      operation_base_schema());
  EXPECT_TRUE(found.empty()) << found.front().rule;
}

TEST(Lint, HandWrittenSqlOnATableCreatedInTheRevisionIsStillRead) {
  // Retort's own statements on a new table are not read (it holds no rows); hand-written ones,
  // in an sql step or an override, always are.
  table fresh;
  fresh.name = {"public", "fresh"};
  fresh.columns = {text_column("a", true)};
  const std::vector<operation> up{create_table{fresh}, sql{"LOCK TABLE public.fresh", "SELECT 1"},
                                  create_index{fresh.name, testing::make_index("ix_fresh_a", {"a"})}};
  operation_notes notes{{2, operation_note{{}, sql_override{{"LOCK TABLE public.fresh"}, true}}}};
  EXPECT_EQ(of_rule(lint::lint_revision(revision_of(up, notes), operation_base_schema()), "lock-table").size(), 2u);
}

TEST(Lint, ATableRenamedInTheRevisionStillHoldsItsRows) {
  const qualified_name renamed{"public", "members"};
  const auto found = lint::lint_revision(
      revision_of({rename_table{users, renamed}, create_index{renamed, testing::make_index("ix_members_bio", {"bio"})}}),
      operation_base_schema(), {{pg::safety::plain}});
  EXPECT_EQ(of_rule(found, "index-not-concurrent").size(), 1u);
}

TEST(Lint, DowngradeFindingsAreWarnings) {
  revision r = revision_of({add_column{users, text_column("nick", true)}});
  r.downgrade = {drop_column{users, text_column("nick", true)}};
  const auto found = of_rule(lint::lint_revision(r, operation_base_schema()), "drop-column");
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(found[0].where, lint::side::downgrade);
  EXPECT_EQ(found[0].level, lint::severity::warning);
  EXPECT_FALSE(found[0].fails());
}

// The lint of a history judges each revision's downgrade on the history walk's own downgrade
// replay (no copy of the schema per revision): the findings are those of each revision alone,
// in history order, an irreversible revision's downgrade included, and only the revisions asked.
TEST(Lint, AHistoryIsLintedRevisionByRevisionOnOneWalk) {
  const qualified_name t{"public", "t"};
  table def;
  def.name = t;
  def.columns = {text_column("a", true)};
  auto rev = [](std::string id, std::vector<std::string> parents, std::vector<operation> up,
                std::vector<operation> down) {
    revision r;
    r.id = std::move(id);
    r.parents = std::move(parents);
    r.upgrade = std::move(up);
    r.downgrade = std::move(down);
    return r;
  };
  const revision_graph graph({
      rev("r0", {}, {create_table{def}}, {drop_table{def}}),
      rev("r1", {"r0"}, {add_column{t, text_column("nick", true)}}, {drop_column{t, text_column("nick", true)}}),
      rev("r2", {"r1"},
          {add_column{t, text_column("b", false)}, sql{"UPDATE public.t SET a = ''", std::nullopt, true, "data"}},
          {drop_column{t, text_column("b", false)}}),
      rev("r3", {"r2"}, {add_column{t, text_column("c", true)}}, {drop_column{t, text_column("c", true)}}),
  });
  const auto all = lint::lint_revisions(graph, {"r0", "r1", "r2", "r3"});
  std::vector<std::string> seen;
  for (const auto& f : all) seen.push_back(f.revision + (f.where == lint::side::upgrade ? " up " : " down ") + f.rule);
  EXPECT_EQ(seen,
            (std::vector<std::string>{"r0 down drop-table", "r1 down drop-column", "r2 up not-null-without-default",
                                      "r2 down drop-column", "r3 down drop-column"}));
  const auto last = lint::lint_revisions(graph, {"r3"});
  ASSERT_EQ(last.size(), 1u);
  EXPECT_EQ(last[0].revision, "r3");
  // The walk's state after r2 is right: r3's upgrade finds table t with column b.
  EXPECT_TRUE(lint::lint_revisions(graph, {"r3"}, {{}, false}).empty());
}

TEST(Lint, PlainPlansAreJudgedByWhatTheyRun) {
  const auto found = lint::lint_revision(revision_of({create_index{users, testing::make_index("ix_users_bio", {"bio"})}}),
                                         operation_base_schema(), {{pg::safety::plain}});
  EXPECT_EQ(of_rule(found, "index-not-concurrent").size(), 1u);
}

// PostgreSQL builds no index CONCURRENTLY on a partitioned table: the finding says what to do instead.
TEST(Lint, AnIndexOnAPartitionedTableIsBuiltInTheTransactionAndSaysHowElse) {
  schema before = operation_base_schema();
  find_table(before, posts)->partition = partition_key{partition_method::hash, {"id"}};
  const auto found = of_rule(
      lint::lint_revision(revision_of({create_index{posts, index{"ix_posts_id_user", {"user_id"}, false, {}, "btree"}}}), before),
      "index-not-concurrent");
  ASSERT_EQ(found.size(), 1u);
  EXPECT_NE(found[0].hint.find("partitioned table"), std::string::npos) << found[0].hint;
}

}  // namespace
}  // namespace retort
