// Tests of the revision graph (validation, order, names, plans, replay) and of reading a
// migration directory (load_revisions, sha256_hex).
#include "retort/revision_graph.hpp"
#include "scratch_dir.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "make_index.hpp"
#include "retort/errors.hpp"
#include "retort/hash.hpp"
#include "retort/ops.hpp"
#include "retort/replay.hpp"
#include "retort/revision.hpp"

namespace retort {
namespace {

using testing::make_index;

using ids = std::vector<std::string>;

// --- builders -----------------------------------------------------------------------------

qualified_name qn(std::string name) { return {"public", std::move(name)}; }

column text_column(std::string name) {
  column c;
  c.name = std::move(name);
  c.type.kind = type_kind::text;
  c.nullable = true;
  return c;
}

table make_table(std::string name, const std::vector<std::string>& columns = {"id"}) {
  table t;
  t.name = qn(std::move(name));
  for (const auto& c : columns) {
    column col = text_column(c);
    if (c == "id") {
      col.type.kind = type_kind::bigint;
      col.nullable = false;
    }
    t.columns.push_back(std::move(col));
  }
  return t;
}


ops::operation create(std::string name, const std::vector<std::string>& columns = {"id"}) {
  return ops::create_table{make_table(std::move(name), columns)};
}
ops::operation add(std::string table, std::string column) {
  return ops::add_column{qn(std::move(table)), text_column(std::move(column))};
}

// A revision built in memory: no file, no checksum.
revision rev(std::string id, ids parents, std::string created, std::vector<ops::operation> upgrade = {}) {
  revision r;
  r.id = std::move(id);
  r.parents = std::move(parents);
  r.created = std::move(created);
  r.message = "revision " + r.id;
  r.upgrade = std::move(upgrade);
  return r;
}

// The same revision as if read from migrations/versions/<id>.json.
revision from_file(revision r) {
  r.file = "versions/" + r.id + ".json";
  return r;
}

std::string t(int second) {
  return "2026-01-01T00:00:" + std::string(second < 10 ? "0" : "") + std::to_string(second) + "Z";
}

// Runs `f`, expecting a graph_error of `kind` whose message contains every one of `parts`.
template <typename F>
void expect_graph_error(F&& f, graph_error::kind kind, const std::vector<std::string>& parts) {
  try {
    f();
    ADD_FAILURE() << "expected a graph_error";
  } catch (const graph_error& e) {
    EXPECT_EQ(e.what_kind(), kind) << e.what();
    for (const auto& p : parts)
      EXPECT_NE(std::string(e.what()).find(p), std::string::npos) << "'" << p << "' not in: " << e.what();
  }
}

// A small history with a branch and a merge, used by the plan and replay tests:
//
//   a ── b ── c ── d ── f        a creates users; b, c, e, f each add a column;
//    \            /              d merges c and e and changes nothing.
//     ──── e ────
std::vector<revision> branched_history() {
  return {
      rev("aaaa0001", {}, t(1), {create("users")}),
      rev("bbbb0002", {"aaaa0001"}, t(2), {add("users", "b_col")}),
      rev("cccc0004", {"bbbb0002"}, t(4), {add("users", "c_col")}),
      rev("eeee0003", {"aaaa0001"}, t(3), {add("users", "e_col")}),
      rev("dddd0005", {"cccc0004", "eeee0003"}, t(5)),
      rev("ffff0006", {"dddd0005"}, t(6), {add("users", "f_col")}),
  };
}

// --- structure and order ------------------------------------------------------------------

TEST(RevisionGraph, EmptyHistory) {
  revision_graph g(std::vector<revision>{});
  EXPECT_TRUE(g.empty());
  EXPECT_TRUE(g.heads().empty());
  EXPECT_TRUE(g.bases().empty());
  EXPECT_TRUE(g.upgrade_plan({}, "head").empty());
  EXPECT_TRUE(g.downgrade_plan({}, "base").empty());
  EXPECT_EQ(g.schema_at({}), schema{});
  expect_graph_error([&] { (void)g.resolve("head"); }, graph_error::kind::no_revisions, {"head"});
}

TEST(RevisionGraph, LinearHistory) {
  revision_graph g({
      rev("0003c", {"0002b"}, t(3), {add("users", "name")}),
      rev("0001a", {}, t(1), {create("users")}),
      rev("0002b", {"0001a"}, t(2), {add("users", "email")}),
  });
  EXPECT_FALSE(g.empty());
  EXPECT_EQ(g.order(), (ids{"0001a", "0002b", "0003c"}));
  EXPECT_EQ(g.heads(), ids{"0003c"});
  EXPECT_EQ(g.bases(), ids{"0001a"});
  EXPECT_TRUE(g.contains("0002b"));
  EXPECT_FALSE(g.contains("0002"));
  EXPECT_EQ(g.at("0002b").message, "revision 0002b");
  expect_graph_error([&] { (void)g.at("nope"); }, graph_error::kind::unknown_revision, {"nope"});
  EXPECT_EQ(g.ancestry("0002b"), (std::set<std::string>{"0001a", "0002b"}));
  EXPECT_EQ(g.applied({"0003c"}), (std::set<std::string>{"0001a", "0002b", "0003c"}));
  EXPECT_TRUE(g.applied({}).empty());
}

TEST(RevisionGraph, BranchGivesTwoHeadsAndMergeJoinsThem) {
  auto history = branched_history();
  history.erase(history.begin() + 4, history.end());  // before the merge: a, b, c, e
  revision_graph branched(history);
  EXPECT_EQ(branched.heads(), (ids{"cccc0004", "eeee0003"}));
  EXPECT_EQ(branched.bases(), ids{"aaaa0001"});
  EXPECT_EQ(branched.order(), (ids{"aaaa0001", "bbbb0002", "eeee0003", "cccc0004"}));

  revision_graph merged(branched_history());
  EXPECT_EQ(merged.heads(), ids{"ffff0006"});
  EXPECT_EQ(merged.order(), (ids{"aaaa0001", "bbbb0002", "eeee0003", "cccc0004", "dddd0005", "ffff0006"}));
  EXPECT_EQ(merged.ancestry("dddd0005"),
            (std::set<std::string>{"aaaa0001", "bbbb0002", "cccc0004", "dddd0005", "eeee0003"}));
}

TEST(RevisionGraph, OrderBreaksTiesByCreatedThenId) {
  // Three branches off one base: x and y were created at the same second, z earlier.
  std::vector<revision> history{
      rev("base", {}, t(1)),    rev("y", {"base"}, t(5)), rev("x", {"base"}, t(5)),
      rev("z", {"base"}, t(3)), rev("z2", {"z"}, t(9)),
  };
  revision_graph g(history);
  // z first (earliest); then x before y (same created, id order), before z2 (created later).
  EXPECT_EQ(g.order(), (ids{"base", "z", "x", "y", "z2"}));
  EXPECT_EQ(g.heads(), (ids{"x", "y", "z2"}));
}

TEST(RevisionGraph, OrderDoesNotDependOnInputOrder) {
  auto history = branched_history();
  const ids expected = revision_graph(history).order();
  std::mt19937 random(20261125);  // fixed seed: a failure reproduces
  for (int round = 0; round < 50; ++round) {
    std::shuffle(history.begin(), history.end(), random);
    revision_graph g(history);
    ASSERT_EQ(g.order(), expected) << "round " << round;
    EXPECT_EQ(g.heads(), ids{"ffff0006"});
  }
}

TEST(RevisionGraph, HeadsOfIsTheInverseOfApplied) {
  revision_graph g(branched_history());
  const std::vector<revision_heads> positions{
      {}, {"aaaa0001"}, {"bbbb0002"}, {"cccc0004", "eeee0003"}, {"bbbb0002", "eeee0003"}, {"dddd0005"}, {"ffff0006"},
  };
  for (const auto& heads : positions) {
    SCOPED_TRACE(::testing::PrintToString(heads));
    EXPECT_EQ(g.heads_of(g.applied(heads)), heads);
  }
  // Redundant heads (an ancestor named beside its descendant) collapse.
  EXPECT_EQ(g.heads_of(g.applied({"aaaa0001", "cccc0004"})), revision_heads{"cccc0004"});
  expect_graph_error([&] { (void)g.heads_of({"zzzz"}); }, graph_error::kind::unknown_revision, {"zzzz"});
}

// --- validation errors --------------------------------------------------------------------

TEST(RevisionGraphErrors, InvalidHistoriesNameTheFileAtFault) {
  struct error_case {
    std::string name;
    std::vector<revision> revisions;
    graph_error::kind kind;
    std::vector<std::string> message_parts;
  };
  revision dup = from_file(rev("0002", {"0001"}, t(2)));
  dup.file = "versions/0002_again.json";
  const std::vector<error_case> cases{
      {"duplicate id names both files",
       {from_file(rev("0001", {}, t(1))), from_file(rev("0002", {"0001"}, t(2))), dup},
       graph_error::kind::duplicate_id,
       {"0002", "versions/0002.json", "versions/0002_again.json"}},
      {"duplicate id built in memory names the id",
       {rev("0001", {}, t(1)), rev("0001", {}, t(2))},
       graph_error::kind::duplicate_id,
       {"0001"}},
      {"missing parent names the file and the parent",
       {from_file(rev("0001", {}, t(1))), from_file(rev("0002", {"0001", "ghost"}, t(2)))},
       graph_error::kind::missing_parent,
       {"versions/0002.json", "ghost"}},
      {"missing parent built in memory names the id",
       {rev("0002", {"ghost"}, t(2))},
       graph_error::kind::missing_parent,
       {"0002", "ghost"}},
      {"self parent is a cycle",
       {from_file(rev("0001", {}, t(1))), from_file(rev("0002", {"0002"}, t(2)))},
       graph_error::kind::cycle,
       {"versions/0002.json -> versions/0002.json"}},
      {"two-revision cycle",
       {from_file(rev("0001", {}, t(1))), from_file(rev("0002", {"0003"}, t(2))),
        from_file(rev("0003", {"0002"}, t(3)))},
       graph_error::kind::cycle,
       {"versions/0002.json", "versions/0003.json"}},
      {"cycle behind a valid merge names only the loop",
       {rev("0001", {}, t(1)), rev("0002", {"0001", "0004"}, t(2)), rev("0003", {"0002"}, t(3)),
        rev("0004", {"0003"}, t(4)), rev("0005", {"0004"}, t(5))},
       graph_error::kind::cycle,
       {"0002 -> 0003 -> 0004 -> 0002"}},
      {"a history with no base is a cycle",
       {rev("0001", {"0002"}, t(1)), rev("0002", {"0001"}, t(2))},
       graph_error::kind::cycle,
       {"0001", "0002"}},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    expect_graph_error([&] { revision_graph g(c.revisions); }, c.kind, c.message_parts);
  }
}

// --- names --------------------------------------------------------------------------------

TEST(RevisionGraph, ResolvesIdsPrefixesAndHead) {
  revision_graph g({
      rev("abcd1234", {}, t(1)),
      rev("abcd5678", {"abcd1234"}, t(2)),
      rev("ffee0001", {"abcd5678"}, t(3)),
  });
  struct resolve_case {
    std::string name;
    std::string expected;
  };
  for (const auto& c : std::vector<resolve_case>{
           {"abcd1234", "abcd1234"},  // exact id
           {"abcd5", "abcd5678"},     // unique prefix
           {"ffee", "ffee0001"},      // a 4-character prefix is enough
           {"head", "ffee0001"},
       }) {
    SCOPED_TRACE(c.name);
    EXPECT_EQ(g.resolve(c.name), c.expected);
  }

  struct error_case {
    std::string name;
    graph_error::kind kind;
    std::vector<std::string> parts;
  };
  for (const auto& c : std::vector<error_case>{
           {"abcd", graph_error::kind::ambiguous_revision, {"abcd", "abcd1234", "abcd5678", "give more characters"}},
           // Unique, but shorter than 4: the error says how many characters are needed and what it matches.
           {"ffe", graph_error::kind::unknown_revision, {"'ffe' is too short", "at least 4 characters", "'ffee0001'"}},
           {"abc", graph_error::kind::unknown_revision, {"at least 4 characters", "'abcd1234'", "'abcd5678'"}},
           {"zz", graph_error::kind::unknown_revision, {"at least 4 characters", "no revision starts with it"}},
           {"zzzz", graph_error::kind::unknown_revision, {"zzzz"}},
           {"", graph_error::kind::unknown_revision, {}},
           {"base", graph_error::kind::unknown_revision, {"base"}},
           {"heads", graph_error::kind::unknown_revision, {"heads"}},
           {"abcd12345", graph_error::kind::unknown_revision, {"abcd12345"}},  // longer than any id
       }) {
    SCOPED_TRACE(c.name);
    expect_graph_error([&] { (void)g.resolve(c.name); }, c.kind, c.parts);
  }
}

TEST(RevisionGraph, BaseIsNeverAPrefix) {
  revision_graph g({rev("base1234", {}, t(1))});
  EXPECT_EQ(g.resolve("base1"), "base1234");
  expect_graph_error([&] { (void)g.resolve("base"); }, graph_error::kind::unknown_revision, {"base"});
}

TEST(RevisionGraph, HeadWithSeveralHeadsListsThem) {
  auto history = branched_history();
  history.erase(history.begin() + 4, history.end());
  revision_graph g(history);
  expect_graph_error([&] { (void)g.resolve("head"); }, graph_error::kind::multiple_heads, {"cccc0004", "eeee0003"});
  expect_graph_error([&] { (void)g.upgrade_plan({}, "head"); }, graph_error::kind::multiple_heads,
                     {"cccc0004", "eeee0003"});
}

// --- conflicts ----------------------------------------------------------------------------

// Two branches off a base holding users(id, email) and orders(id, user_id) with an index,
// each doing `left` / `right`; checked both as two heads and joined by a merge.
TEST(RevisionGraphConflict, BranchesChangingTheSameObjectConflict) {
  const auto email_index = ops::create_index{qn("users"), make_index("ix_users_email", {"email"})};
  const auto fk =
      ops::add_foreign_key{qn("orders"), foreign_key{"fk_orders_user_id_users", {"user_id"}, qn("users"), {"id"}}};
  column email = text_column("email");
  column email_not_null = email;
  email_not_null.nullable = false;
  const auto tighten_email = ops::alter_column{qn("users"), email, email_not_null, ops::change_nullable};

  struct conflict_case {
    std::string name;
    std::vector<ops::operation> left, right;
    std::string object;  ///< empty: no conflict
  };
  const std::vector<conflict_case> cases{
      {"different columns of one table", {add("users", "phone")}, {add("users", "nickname")}, ""},
      {"the same new column", {add("users", "phone")}, {add("users", "phone")}, "column public.users.phone"},
      {"drop a table the other alters",
       {ops::drop_table{make_table("orders", {"id", "user_id"})}},
       {add("orders", "note")},
       "table public.orders"},
      {"alter and rename one column",
       {tighten_email},
       {ops::rename_column{qn("users"), "email", "mail"}},
       "column public.users.email"},
      {"rename a column to a name the other adds",
       {ops::rename_column{qn("users"), "email", "mail"}},
       {add("users", "mail")},
       "column public.users.mail"},
      {"rename a table the other adds to",
       {ops::rename_table{qn("users"), qn("people")}},
       {add("users", "phone")},
       "table public.users"},
      {"table comment and a new column",
       {ops::set_table_comment{qn("users"), std::nullopt, "people"}},
       {add("users", "phone")},
       "table public.users"},
      {"the same index name", {email_index}, {email_index}, "constraint/index public.ix_users_email"},
      {"different indexes of one table",
       {email_index},
       {ops::create_index{qn("users"), make_index("ix_users_id", {"id"})}},
       ""},
      {"a foreign key to a table the other drops",
       {fk},
       {ops::drop_table{make_table("users", {"id", "email"})}},
       "table public.users"},
      {"a foreign key and a column of the referenced table", {fk}, {add("users", "phone")}, ""},
      {"the same new enum",
       {ops::create_enum{enum_type{qn("mood"), {"happy"}}}},
       {ops::create_enum{enum_type{qn("mood"), {"sad"}}}},
       "enum public.mood"},
      {"the same new schema", {ops::create_schema{"audit"}}, {ops::create_schema{"audit"}}, "schema audit"},
      {"two new tables", {create("people")}, {create("pets")}, ""},
      {"the same new table", {create("people")}, {create("people")}, "table public.people"},
      {"sql steps are opaque",
       {ops::sql{"update users set email = lower(email)", std::nullopt}},
       {ops::sql{"delete from users", std::nullopt}},
       ""},
      {"backfill a column the other drops",
       {ops::backfill_column{qn("users"), "email", "''"}},
       {ops::drop_column{qn("users"), email}},
       "column public.users.email"},
  };

  const auto base =
      from_file(rev("0001", {}, t(1), {create("users", {"id", "email"}), create("orders", {"id", "user_id"})}));
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    // The left branch is two revisions deep, so the culprit is not simply a parent.
    const auto left1 = from_file(rev("0002", {"0001"}, t(2), {ops::sql{"select 1", "select 1"}}));
    const auto left2 = from_file(rev("0003", {"0002"}, t(3), c.left));
    const auto right = from_file(rev("0004", {"0001"}, t(4), c.right));
    const auto merge = from_file(rev("0005", {"0003", "0004"}, t(5)));
    for (bool merged : {false, true}) {
      SCOPED_TRACE(merged ? "joined by a merge" : "as two heads");
      std::vector<revision> history{base, left1, left2, right};
      if (merged) history.push_back(merge);
      if (c.object.empty()) {
        EXPECT_TRUE(revision_graph{history}.conflicts().empty());
      } else {
        std::vector<std::string> parts{"versions/0003.json", "versions/0004.json", c.object};
        if (merged) parts.push_back("versions/0005.json");
        expect_graph_error([&] { revision_graph(history).require_no_conflicts(); }, graph_error::kind::conflict, parts);
      }
    }
  }
}

TEST(RevisionGraphConflict, AConflictingHistoryStaysReadable) {
  const revision_graph g({
      rev("0001", {}, t(1), {create("users")}),
      rev("0002", {"0001"}, t(2), {add("users", "phone")}),
      rev("0003", {"0001"}, t(3), {add("users", "phone")}),
  });
  ASSERT_EQ(g.conflicts().size(), 1u);
  EXPECT_NE(g.conflicts().front().find("column public.users.phone"), std::string::npos) << g.conflicts().front();
  EXPECT_EQ(g.heads(), (ids{"0002", "0003"}));
  EXPECT_EQ(g.order().size(), 3u);
  try {
    g.require_no_conflicts();
    FAIL() << "no error";
  } catch (const graph_error& e) {
    EXPECT_NE(std::string(e.what()).find("Resolve it as a merge conflict"), std::string::npos) << e.what();
  }
}

TEST(RevisionGraphConflict, OneBranchMayChangeAnObjectRepeatedly) {
  revision_graph g({
      rev("0001", {}, t(1), {create("users")}),
      rev("0002", {"0001"}, t(2), {add("users", "phone")}),
      rev("0003", {"0002"}, t(3), {ops::drop_column{qn("users"), text_column("phone")}}),
  });
  EXPECT_EQ(g.heads(), ids{"0003"});
}

TEST(RevisionGraphConflict, WorkBeforeTheForkIsShared) {
  // Both branches descend from 0002, which added `phone`; only what came after the fork counts.
  EXPECT_TRUE(revision_graph({
                  rev("0001", {}, t(1), {create("users")}),
                  rev("0002", {"0001"}, t(2), {add("users", "phone")}),
                  rev("0003", {"0002"}, t(3), {add("users", "a")}),
                  rev("0004", {"0002"}, t(4), {add("users", "b")}),
                  rev("0005", {"0003", "0004"}, t(5)),
              })
                  .conflicts()
                  .empty());
}

TEST(RevisionGraphConflict, MergeOfThreeBranches) {
  std::vector<revision> history{
      rev("0001", {}, t(1), {create("users")}),         rev("0002", {"0001"}, t(2), {add("users", "a")}),
      rev("0003", {"0001"}, t(3), {add("users", "b")}), rev("0004", {"0001"}, t(4), {add("users", "c")}),
      rev("0005", {"0002", "0003", "0004"}, t(5)),
  };
  EXPECT_TRUE(revision_graph{history}.conflicts().empty());
  history[3].upgrade = {add("users", "a")};
  expect_graph_error([&] { revision_graph(history).require_no_conflicts(); }, graph_error::kind::conflict,
                     {"0002", "0004", "column public.users.a", "0005"});
}

// --- plans --------------------------------------------------------------------------------

TEST(RevisionGraphPlan, Upgrade) {
  revision_graph g(branched_history());
  struct plan_case {
    revision_heads current;
    std::string target;
    ids expected;
  };
  for (const auto& c : std::vector<plan_case>{
           {{}, "head", {"aaaa0001", "bbbb0002", "eeee0003", "cccc0004", "dddd0005", "ffff0006"}},
           {{}, "heads", {"aaaa0001", "bbbb0002", "eeee0003", "cccc0004", "dddd0005", "ffff0006"}},
           {{"bbbb0002"}, "heads", {"eeee0003", "cccc0004", "dddd0005", "ffff0006"}},
           {{"cccc0004", "eeee0003"}, "head", {"dddd0005", "ffff0006"}},
           {{"ffff0006"}, "head", {}},
           {{}, "+1", {"aaaa0001"}},
           {{}, "+2", {"aaaa0001", "bbbb0002"}},
           {{"bbbb0002"}, "+2", {"eeee0003", "cccc0004"}},
           {{"dddd0005"}, "+1", {"ffff0006"}},
           {{}, "cccc0004", {"aaaa0001", "bbbb0002", "cccc0004"}},  // one branch only
           {{"cccc0004"}, "eeee", {"eeee0003"}},                    // the other branch, by prefix
           {{"bbbb0002"}, "dddd0005", {"eeee0003", "cccc0004", "dddd0005"}},
           {{"ffff0006"}, "bbbb0002", {}},  // already there
       }) {
    SCOPED_TRACE(::testing::PrintToString(c.current) + " -> " + c.target);
    EXPECT_EQ(g.upgrade_plan(c.current, c.target), c.expected);
  }
}

TEST(RevisionGraphPlan, Downgrade) {
  revision_graph g(branched_history());
  struct plan_case {
    revision_heads current;
    std::string target;
    ids expected;
  };
  for (const auto& c : std::vector<plan_case>{
           {{"ffff0006"}, "base", {"ffff0006", "dddd0005", "cccc0004", "eeee0003", "bbbb0002", "aaaa0001"}},
           {{}, "base", {}},
           {{"ffff0006"}, "-1", {"ffff0006"}},
           {{"ffff0006"}, "-2", {"ffff0006", "dddd0005"}},
           {{"cccc0004", "eeee0003"}, "-1", {"cccc0004"}},
           {{"cccc0004", "eeee0003"}, "-4", {"cccc0004", "eeee0003", "bbbb0002", "aaaa0001"}},
           {{"ffff0006"}, "bbbb0002", {"ffff0006", "dddd0005", "cccc0004", "eeee0003"}},
           {{"ffff0006"}, "eeee", {"ffff0006", "dddd0005", "cccc0004", "bbbb0002"}},
           {{"cccc0004", "eeee0003"}, "cccc0004", {"eeee0003"}},
           {{"dddd0005"}, "dddd0005", {}},
           {{"ffff0006"}, "head", {}},
       }) {
    SCOPED_TRACE(::testing::PrintToString(c.current) + " -> " + c.target);
    EXPECT_EQ(g.downgrade_plan(c.current, c.target), c.expected);
  }
}

TEST(RevisionGraphPlan, BadTargetsAndPositions) {
  revision_graph g(branched_history());
  using kind = graph_error::kind;
  expect_graph_error([&] { (void)g.upgrade_plan({}, "+7"); }, kind::unknown_revision, {"+7", "6"});
  expect_graph_error([&] { (void)g.upgrade_plan({"dddd0005"}, "+2"); }, kind::unknown_revision, {"+2", "1"});
  expect_graph_error([&] { (void)g.downgrade_plan({}, "-1"); }, kind::unknown_revision, {"-1", "0"});
  expect_graph_error([&] { (void)g.downgrade_plan({"bbbb0002"}, "-3"); }, kind::unknown_revision, {"-3", "2"});
  for (const std::string bad : {"+0", "+", "+x", "+1x", "+-1", "+ 1", "+99999999999999999999999"})
    expect_graph_error([&] { (void)g.upgrade_plan({}, bad); }, kind::unknown_revision, {bad});
  for (const std::string bad : {"-0", "-", "-x", "-1x", "--1"})
    expect_graph_error([&] { (void)g.downgrade_plan({"ffff0006"}, bad); }, kind::unknown_revision, {bad});
  // Downgrading to a revision that is not applied.
  expect_graph_error([&] { (void)g.downgrade_plan({"bbbb0002"}, "cccc0004"); }, kind::unknown_revision,
                     {"cccc0004", "not applied"});
  expect_graph_error([&] { (void)g.downgrade_plan({"cccc0004"}, "eeee0003"); }, kind::unknown_revision,
                     {"eeee0003", "not applied"});
  // Unknown targets and positions.
  expect_graph_error([&] { (void)g.upgrade_plan({}, "zzzz"); }, kind::unknown_revision, {"zzzz"});
  expect_graph_error([&] { (void)g.upgrade_plan({}, "base"); }, kind::unknown_revision, {"base"});
  expect_graph_error([&] { (void)g.upgrade_plan({"zzzz9999"}, "head"); }, kind::unknown_revision, {"zzzz9999"});
  expect_graph_error([&] { (void)g.downgrade_plan({"zzzz9999"}, "base"); }, kind::unknown_revision, {"zzzz9999"});
  expect_graph_error([&] { (void)g.schema_at({"zzzz9999"}); }, kind::unknown_revision, {"zzzz9999"});
  // A position must be an exact id: prefixes are for names the user types.
  expect_graph_error([&] { (void)g.applied({"ffff"}); }, kind::unknown_revision, {"ffff"});
}

// --- replay -------------------------------------------------------------------------------

TEST(RevisionGraph, SchemaAtIsTheReplayOfTheAppliedRevisionsInOrder) {
  revision_graph g(branched_history());
  const std::vector<revision_heads> positions{
      {}, {"aaaa0001"}, {"bbbb0002"}, {"eeee0003"}, {"cccc0004", "eeee0003"}, {"dddd0005"}, {"ffff0006"},
  };
  for (const auto& heads : positions) {
    SCOPED_TRACE(::testing::PrintToString(heads));
    const auto applied = g.applied(heads);
    std::vector<ops::operation> all;
    for (const auto& id : g.order())
      if (applied.contains(id)) all.insert(all.end(), g.at(id).upgrade.begin(), g.at(id).upgrade.end());
    EXPECT_EQ(g.schema_at(heads), replay(schema{}, all));
  }
  // Spot check that replay did happen: both branches' columns are there after the merge.
  const auto s = g.schema_at({"dddd0005"});
  const table* users = find_table(s, qn("users"));
  ASSERT_NE(users, nullptr);
  EXPECT_NE(find_column(*users, "c_col"), nullptr);
  EXPECT_NE(find_column(*users, "e_col"), nullptr);
  EXPECT_EQ(find_column(*users, "f_col"), nullptr);
  EXPECT_EQ(g.schema_at({"cccc0004", "eeee0003"}), s);
}

TEST(RevisionGraph, ReplayErrorNamesTheFileAndTheOperation) {
  const ops::operation bad = add("ghosts", "name");
  auto broken = from_file(rev("0002", {"0001"}, t(2), {add("users", "fine"), bad}));
  broken.file = "versions/0002_broken.json";
  revision_graph g({from_file(rev("0001", {}, t(1), {create("users")})), broken});
  EXPECT_NO_THROW((void)g.schema_at({"0001"}));
  try {
    (void)g.schema_at({"0002"});
    ADD_FAILURE() << "expected a replay_error";
  } catch (const replay_error& e) {
    const std::string prefix = "versions/0002_broken.json: upgrade[1] " + ops::describe(bad) + ": ";
    EXPECT_EQ(std::string(e.what()).substr(0, prefix.size()), prefix) << e.what();
    EXPECT_GT(std::string(e.what()).size(), prefix.size()) << "the replay message itself is missing";
  }

  // Built in memory, the message names the id.
  revision_graph in_memory({rev("0001", {}, t(1), {bad})});
  try {
    (void)in_memory.schema_at({"0001"});
    ADD_FAILURE() << "expected a replay_error";
  } catch (const replay_error& e) {
    EXPECT_EQ(std::string(e.what()).rfind("0001: upgrade[0] ", 0), 0u) << e.what();
  }
}

// --- load_revisions -----------------------------------------------------------------------

// Each test gets its own fresh directory, removed afterwards.
class LoadRevisions : public ::testing::Test {
 protected:

  std::string write(const std::string& name, const std::string& bytes) const {
    const auto path = dir_ / name;
    std::ofstream(path, std::ios::binary) << bytes;
    return path.string();
  }

  testing::scratch_dir scratch_{"retort-load-revisions"};
  const std::filesystem::path& dir_ = scratch_.path();
};

TEST_F(LoadRevisions, Sha256KnownVectors) {
  EXPECT_EQ(sha256_hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(sha256_hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(sha256_hex(std::string("a\0b", 3)), sha256_hex(std::string("a\0b", 3)));
  EXPECT_NE(sha256_hex(std::string("a\0b", 3)), sha256_hex("a"));  // bytes past a NUL count
}

TEST_F(LoadRevisions, ReadsEveryJsonFileSortedByNameWithFileAndChecksum) {
  const std::vector<revision> written{
      rev("0001", {}, t(1), {create("users")}),
      rev("0002", {"0001"}, t(2), {add("users", "email")}),
      rev("0003", {"0002"}, t(3), {ops::sql{"update users set email = ''", std::nullopt}}),
  };
  // File names sort differently from the order the files are written in.
  const std::vector<std::string> names{"20260101_0001_create_users.json", "20260102_0002_add_email.json",
                                       "20260103_0003_data.json"};
  const std::vector<std::size_t> write_order{2, 0, 1};
  std::vector<std::string> texts(written.size());
  for (std::size_t i : write_order) {
    texts[i] = write_revision(written[i]);
    write(names[i], texts[i]);
  }
  write("README.md", "not a revision");
  write("0000.json.bak", "{");
  std::filesystem::create_directory(dir_ / "old.json");  // a directory, not a file
  write("old.json/9999.json", "{");                      // nothing below the directory is read

  const auto loaded = load_revisions(dir_.string());
  ASSERT_EQ(loaded.size(), written.size());
  for (std::size_t i = 0; i < loaded.size(); ++i) {
    SCOPED_TRACE(names[i]);
    EXPECT_EQ(loaded[i].file, (dir_ / names[i]).string());
    EXPECT_EQ(loaded[i].checksum, sha256_hex(texts[i]));
    EXPECT_EQ(loaded[i].checksum.size(), 64u);
    EXPECT_EQ(loaded[i].id, written[i].id);
    EXPECT_EQ(loaded[i].parents, written[i].parents);
    EXPECT_EQ(loaded[i].message, written[i].message);
    EXPECT_EQ(loaded[i].created, written[i].created);
    EXPECT_EQ(loaded[i].upgrade, written[i].upgrade);
  }
  // Loaded revisions build a graph, and its errors name the files.
  revision_graph g(loaded);
  EXPECT_EQ(g.heads(), ids{"0003"});
  EXPECT_EQ(g.at("0002").file, (dir_ / names[1]).string());
}

TEST_F(LoadRevisions, ChecksumIsOfTheFileBytes) {
  const auto text = write_revision(rev("0001", {}, t(1), {create("users")}));
  write("0001.json", text + "\n\n");  // same revision, different bytes
  const auto loaded = load_revisions(dir_.string());
  ASSERT_EQ(loaded.size(), 1u);
  EXPECT_EQ(loaded[0].checksum, sha256_hex(text + "\n\n"));
  EXPECT_NE(loaded[0].checksum, sha256_hex(text));
}

// A long history is read on several threads: the revisions still come in file order, and of
// several bad files the first by name is the one reported, whichever thread read it first.
TEST_F(LoadRevisions, ALongHistoryKeepsFileOrderAndReportsTheFirstBadFile) {
  std::vector<std::string> texts;
  for (int i = 1; i <= 300; ++i) {
    const std::string id = fmt::format("{:04}", i);
    const std::string parent = fmt::format("{:04}", i - 1);
    texts.push_back(write_revision(rev(id, i == 1 ? ids{} : ids{parent}, t(i), {create(fmt::format("t{}", i))})));
    write(fmt::format("{}.json", id), texts.back());
  }
  const auto loaded = load_revisions(dir_.string());
  ASSERT_EQ(loaded.size(), 300u);
  for (std::size_t i = 0; i < loaded.size(); ++i) {
    EXPECT_EQ(loaded[i].id, fmt::format("{:04}", i + 1));
    EXPECT_EQ(loaded[i].checksum, sha256_hex(texts[i]));
  }
  EXPECT_EQ(revision_graph(loaded).heads(), ids{"0300"});

  write("0290.json", "{ broken");
  write("0150.json", R"({"format": 1})");
  for (int round = 0; round < 5; ++round) {
    try {
      (void)load_revisions(dir_.string());
      FAIL() << "accepted";
    } catch (const file_error& e) {
      EXPECT_NE(std::string(e.what()).find("0150.json"), std::string::npos) << e.what();
    }
  }
}

TEST_F(LoadRevisions, EmptyDirectoryHasNoRevisions) { EXPECT_TRUE(load_revisions(dir_.string()).empty()); }

TEST_F(LoadRevisions, MalformedJsonIsAFileErrorNamingTheFile) {
  write("0001_good.json", write_revision(rev("0001", {}, t(1))));
  const auto bad = write("0002_bad.json", "{ \"id\": \"0002\", ");
  try {
    (void)load_revisions(dir_.string());
    ADD_FAILURE() << "expected a file_error";
  } catch (const file_error& e) {
    EXPECT_EQ(e.file(), bad);
    EXPECT_NE(std::string(e.what()).find("0002_bad.json"), std::string::npos) << e.what();
  }
}

TEST_F(LoadRevisions, MissingDirectoryIsAnErrorNamingIt) {
  const auto missing = (dir_ / "no-such-versions").string();
  try {
    (void)load_revisions(missing);
    ADD_FAILURE() << "expected a retort::error";
  } catch (const error& e) {
    EXPECT_NE(std::string(e.what()).find(missing), std::string::npos) << e.what();
  }
  // A file where the directory should be is just as wrong.
  const auto not_a_dir = write("versions", "");
  EXPECT_THROW((void)load_revisions(not_a_dir), error);
}

}  // namespace
}  // namespace retort
