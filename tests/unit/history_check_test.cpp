// Tests of the offline history check: every downgrade must restore the schema before its
// upgrade exactly, sql steps without a down must be marked irreversible, and a downgrade
// across an irreversible step is refused before anything runs.
#include "retort/history_check.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "operation_cases.hpp"
#include "retort/diff.hpp"
#include "retort/errors.hpp"
#include "retort/ops.hpp"

namespace retort {
namespace {

qualified_name qn(std::string name) { return {"public", std::move(name)}; }

column text_column(std::string name) {
  column c;
  c.name = std::move(name);
  c.nullable = true;
  return c;
}

table users() {
  table t;
  t.name = qn("users");
  t.columns.push_back(text_column("email"));
  return t;
}

revision rev(std::string id, std::vector<std::string> parents, int minute, std::vector<ops::operation> upgrade,
             std::vector<ops::operation> downgrade) {
  revision r;
  r.id = std::move(id);
  r.parents = std::move(parents);
  r.created = "2026-01-01T00:" + std::string(minute < 10 ? "0" : "") + std::to_string(minute) + ":00Z";
  r.upgrade = std::move(upgrade);
  r.downgrade = std::move(downgrade);
  r.file = "versions/" + r.id + ".json";
  return r;
}

revision inverse_rev(std::string id, std::vector<std::string> parents, int minute, std::vector<ops::operation> up) {
  auto down = ops::inverse(up);
  return rev(std::move(id), std::move(parents), minute, std::move(up), std::move(down));
}

const ops::operation create_users = ops::create_table{users()};
const ops::operation add_phone = ops::add_column{qn("users"), text_column("phone")};
const ops::operation create_mood = ops::create_enum{enum_type{qn("mood"), {"happy", "sad"}}};

TEST(HistoryCheck, EveryOperationKindWithItsInverseRestoresTheSchemaBeforeIt) {
  for (const auto& c : testing::operation_cases()) {
    SCOPED_TRACE(c.name);
    std::vector<revision> history{inverse_rev("base0001", {}, 1, diff(schema{}, c.before, {.require_backfill = false})),
                                  inverse_rev("step0002", {"base0001"}, 2, {c.op})};
    if (const auto* s = std::get_if<ops::sql>(&c.op); s && !s->down) continue;  // no inverse to take
    EXPECT_TRUE(verify_downgrades(revision_graph(history)).empty());
  }
}

TEST(HistoryCheck, AnEmptyDowngradeNamesTheRevisionItsFileAndWhatStays) {
  const revision_graph graph({inverse_rev("base0001", {}, 1, {create_users}),
                              rev("phone002", {"base0001"}, 2, {add_phone, create_mood}, {})});
  const auto problems = verify_downgrades(graph);
  ASSERT_EQ(problems.size(), 1u);
  EXPECT_EQ(problems[0].revision, "phone002");
  EXPECT_EQ(problems[0].file, "versions/phone002.json");
  EXPECT_NE(problems[0].message.find("does not restore the schema before it"), std::string::npos) << problems[0].message;
  EXPECT_NE(problems[0].message.find("drop column public.users.phone"), std::string::npos) << problems[0].message;
  EXPECT_NE(problems[0].message.find("drop enum public.mood"), std::string::npos) << problems[0].message;
}

TEST(HistoryCheck, ADowngradeThatDoesNotApplyIsReported) {
  table ghost = users();
  ghost.name = qn("ghost");
  const revision_graph graph({inverse_rev("base0001", {}, 1, {create_users}),
                              rev("ghost002", {"base0001"}, 2, {add_phone}, {ops::drop_table{ghost}})});
  const auto problems = verify_downgrades(graph);
  ASSERT_EQ(problems.size(), 1u);
  EXPECT_EQ(problems[0].revision, "ghost002");
  EXPECT_NE(problems[0].message.find("downgrade[0] drop table public.ghost does not apply"), std::string::npos)
      << problems[0].message;
}

TEST(HistoryCheck, ReaddingADroppedColumnAtTheEndIsTheSameSchema) {
  table two = users();
  two.columns.push_back(text_column("phone"));
  two.columns.push_back(text_column("bio"));
  const ops::operation drop_email = ops::drop_column{qn("users"), users().columns[0]};
  const revision_graph graph(
      {inverse_rev("base0001", {}, 1, {ops::create_table{two}}), inverse_rev("drop0002", {"base0001"}, 2, {drop_email})});
  EXPECT_TRUE(verify_downgrades(graph).empty());
}

TEST(HistoryCheck, BranchesAndMergesAreCheckedEach) {
  const revision_graph graph({inverse_rev("base0001", {}, 1, {create_users}),
                              rev("left0002", {"base0001"}, 2, {add_phone}, {}),
                              inverse_rev("righ0003", {"base0001"}, 3, {create_mood}),
                              rev("merg0004", {"left0002", "righ0003"}, 4, {}, {})});
  const auto problems = verify_downgrades(graph);
  ASSERT_EQ(problems.size(), 1u);
  EXPECT_EQ(problems[0].revision, "left0002");
}

TEST(HistoryCheck, AnSqlStepWithoutDownMustBeMarkedIrreversible) {
  const ops::operation purge = ops::sql{"DELETE FROM sessions", std::nullopt, true, std::nullopt};
  const revision_graph unmarked({rev("purge001", {}, 1, {purge}, {})});
  const auto problems = verify_downgrades(unmarked);
  ASSERT_EQ(problems.size(), 1u);
  EXPECT_NE(problems[0].message.find("upgrade[0] is an sql step with no \"down\" (DELETE FROM sessions)"),
            std::string::npos)
      << problems[0].message;
  EXPECT_NE(problems[0].message.find("\"irreversible\""), std::string::npos);

  const ops::operation marked = ops::sql{"DELETE FROM sessions", std::nullopt, true, "sessions are not kept"};
  EXPECT_TRUE(verify_downgrades(revision_graph({rev("purge001", {}, 1, {marked}, {})})).empty());
}

TEST(HistoryCheck, DowngradeAcrossAnIrreversibleStepIsRefusedNamingItsReason) {
  const ops::operation marked = ops::sql{"DELETE FROM sessions", std::nullopt, true, "sessions are not kept"};
  const revision_graph graph({inverse_rev("base0001", {}, 1, {create_users}), rev("purge002", {"base0001"}, 2, {marked}, {}),
                              inverse_rev("phone003", {"purge002"}, 3, {add_phone})});
  EXPECT_NO_THROW(require_reversible(graph, {"phone003"}));
  try {
    require_reversible(graph, {"phone003", "purge002", "base0001"});
    FAIL() << "an irreversible step was accepted";
  } catch (const error& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find("revision purge002 (versions/purge002.json) cannot be undone"), std::string::npos) << what;
    EXPECT_NE(what.find("sessions are not kept"), std::string::npos) << what;
    EXPECT_NE(what.find("Nothing was run"), std::string::npos) << what;
  }
  EXPECT_EQ(irreversible_step(graph.at("phone003")), nullptr);
  EXPECT_NE(irreversible_step(graph.at("purge002")), nullptr);
}

}  // namespace
}  // namespace retort
