// Squash revisions with no database: what squash_revision builds (the schema at the target from
// nothing, the target's id, the ids it replaces, their own squashes included), what it refuses
// (a branch from inside the range, sql steps, nothing to squash), and how the graph reads a
// history that holds one.
#include <gtest/gtest.h>

#include "retort/authoring.hpp"
#include "retort/errors.hpp"
#include "retort/revision_graph.hpp"

namespace retort {
namespace {

ops::operation add_table(const std::string& name) {
  column id;
  id.name = "id";
  id.type = *parse_builtin_type("bigint");
  table t;
  t.name = {"public", name};
  t.columns = {id};
  return ops::create_table{t};
}

revision rev(const std::string& id, std::vector<std::string> parents, std::vector<ops::operation> up) {
  revision r;
  r.id = id;
  r.parents = std::move(parents);
  r.message = "make " + id;
  r.created = "2026-01-01T00:00:0" + id.substr(id.size() - 1) + "Z";
  r.downgrade = ops::inverse(up);
  r.upgrade = std::move(up);
  return r;
}

std::vector<revision> linear() {
  return {rev("aaaa0001", {}, {add_table("a")}), rev("aaaa0002", {"aaaa0001"}, {add_table("b")}),
          rev("aaaa0003", {"aaaa0002"}, {add_table("c")}), rev("aaaa0004", {"aaaa0003"}, {add_table("d")})};
}

TEST(Squash, CreatesTheTargetsSchemaUnderItsIdAndListsWhatItReplaces) {
  const revision_graph graph(linear());
  const revision s = squash_revision(graph, "aaaa0003", "");
  EXPECT_EQ(s.id, "aaaa0003");
  EXPECT_TRUE(s.parents.empty());
  EXPECT_EQ(s.created, graph.at("aaaa0003").created);
  EXPECT_EQ(s.replaces, (std::vector<std::string>{"aaaa0001", "aaaa0002"}));
  EXPECT_EQ(s.message, "squash of 3 revisions up to make aaaa0003");
  EXPECT_EQ(s.upgrade.size(), 3u);

  // The history with the squash in place of the three: the same schema at every later point.
  std::vector<revision> after{s, linear()[3]};
  const revision_graph squashed(after);
  EXPECT_EQ(comparable(squashed.schema_at({"aaaa0004"})), comparable(graph.schema_at({"aaaa0004"})));
  EXPECT_EQ(squashed.replaced_by("aaaa0002"), &squashed.at("aaaa0003"));
  EXPECT_EQ(squashed.replaced_by("aaaa0003"), nullptr);
  try {
    (void)squashed.resolve("aaaa0001");
    FAIL() << "a replaced id resolved";
  } catch (const graph_error& e) {
    EXPECT_NE(std::string(e.what()).find("'aaaa0001' was squashed into aaaa0003"), std::string::npos) << e.what();
  }

  // Squashed again further on: it replaces the first squash and what that replaced.
  const revision again = squash_revision(squashed, "aaaa0004", "");
  EXPECT_EQ(again.replaces, (std::vector<std::string>{"aaaa0001", "aaaa0002", "aaaa0003"}));
}

TEST(Squash, AReplacedFileStillThereIsAnError) {
  auto revisions = linear();
  revisions.push_back(squash_revision(revision_graph(linear()), "aaaa0002", ""));
  revisions.erase(revisions.begin() + 1);  // the old aaaa0002 goes, aaaa0001 stays by mistake
  try {
    const revision_graph g(revisions);
    FAIL() << "accepted";
  } catch (const graph_error& e) {
    EXPECT_NE(std::string(e.what()).find("replaces revision 'aaaa0001', whose file"), std::string::npos) << e.what();
  }
}

TEST(Squash, RefusesABranchFromInsideSqlStepsAndNothingToSquash) {
  auto branched = linear();
  branched.push_back(rev("bbbb0005", {"aaaa0002"}, {add_table("e")}));
  EXPECT_THROW((void)squash_revision(revision_graph(branched), "aaaa0003", ""), graph_error);
  EXPECT_NO_THROW((void)squash_revision(revision_graph(branched), "aaaa0002", ""));

  auto with_sql = linear();
  with_sql[1].upgrade.push_back(ops::sql{"INSERT INTO a VALUES (1)", "DELETE FROM a"});
  try {
    (void)squash_revision(revision_graph(with_sql), "aaaa0003", "");
    FAIL() << "sql steps squashed";
  } catch (const graph_error&) {
    FAIL() << "not a graph error";
  } catch (const error& e) {
    EXPECT_NE(std::string(e.what()).find("1 sql step"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("INSERT INTO a VALUES (1)"), std::string::npos) << e.what();
  }
  EXPECT_NO_THROW((void)squash_revision(revision_graph(with_sql), "aaaa0003", "", true));

  EXPECT_THROW((void)squash_revision(revision_graph(linear()), "aaaa0001", ""), graph_error);
}

}  // namespace
}  // namespace retort
