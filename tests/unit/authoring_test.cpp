// Tests of writing new revisions: the next revision from the models, merges, default names
// and file names, with the clock and the id source injected.
#include "retort/authoring.hpp"

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "retort/errors.hpp"
#include "retort/ops.hpp"

namespace retort {
namespace {

table users_table(std::vector<std::string> extra_columns = {}) {
  table t;
  t.name = {"public", "users"};
  column id;
  id.name = "id";
  id.type.kind = type_kind::bigint;
  t.columns.push_back(id);
  for (auto& name : extra_columns) {
    column c;
    c.name = std::move(name);
    c.nullable = true;
    t.columns.push_back(c);
  }
  return t;
}

schema with_tables(std::vector<table> tables) {
  schema s;
  s.tables = std::move(tables);
  return s;
}

revision base_revision() {
  revision r;
  r.id = "aaaaaaaaaaaa";
  r.message = "create users";
  r.created = "2026-01-01T00:00:00Z";
  r.upgrade = {ops::create_table{users_table()}};
  r.downgrade = ops::inverse(r.upgrade);
  return r;
}

revision child_of(const revision& parent, std::string id, std::string column_name) {
  revision r;
  r.id = std::move(id);
  r.parents = {parent.id};
  r.message = "add " + column_name;
  r.created = "2026-01-02T00:00:00Z";
  table t = users_table();
  column c;
  c.name = std::move(column_name);
  c.nullable = true;
  r.upgrade = {ops::add_column{t.name, c}};
  r.downgrade = ops::inverse(r.upgrade);
  return r;
}

// A fixed clock and a counter for ids, as the CLI's real sources are replaced in tests.
authoring fixed_source() {
  auto counter = std::make_shared<int>(0);
  authoring source;
  source.new_id = [counter] { return fmt::format("{:012x}", ++*counter); };
  source.now = [] { return std::string("2026-11-25T04:49:48Z"); };
  return source;
}

TEST(authoring, next_revision_diffs_the_head_against_the_models_with_the_injected_clock_and_id) {
  const revision_graph graph({base_revision()});
  const auto r = next_revision(graph, with_tables({users_table({"phone_number"})}), "", fixed_source());
  ASSERT_TRUE(r);
  EXPECT_EQ(r->id, "000000000001");
  EXPECT_EQ(r->created, "2026-11-25T04:49:48Z");
  EXPECT_EQ(r->parents, std::vector<std::string>{"aaaaaaaaaaaa"});
  EXPECT_EQ(r->message, "add users.phone_number");
  ASSERT_EQ(r->upgrade.size(), 1u);
  EXPECT_TRUE(std::holds_alternative<ops::add_column>(r->upgrade[0]));
  EXPECT_EQ(r->downgrade, ops::inverse(r->upgrade));
  EXPECT_EQ(file_name_for(*r), "20261125044948_000000000001_add_users_phone_number.json");
}

TEST(authoring, next_revision_keeps_a_given_message_and_is_nothing_when_models_agree) {
  const revision_graph graph({base_revision()});
  const auto r = next_revision(graph, with_tables({users_table({"x"})}), "Add X!", fixed_source());
  ASSERT_TRUE(r);
  EXPECT_EQ(r->message, "Add X!");
  EXPECT_EQ(file_name_for(*r), "20261125044948_000000000001_add_x.json");
  EXPECT_EQ(next_revision(graph, with_tables({users_table()}), "", fixed_source()), std::nullopt);
}

TEST(authoring, next_revision_refuses_several_heads_and_merge_joins_them) {
  const revision base = base_revision();
  const revision_graph graph({base, child_of(base, "bbbbbbbbbbbb", "a"), child_of(base, "cccccccccccc", "b")});
  EXPECT_THROW((void)next_revision(graph, with_tables({users_table({"a", "b"})}), "", fixed_source()), graph_error);

  const revision m = merge_revision(graph, "", fixed_source());
  EXPECT_EQ(m.id, "000000000001");
  EXPECT_EQ(m.created, "2026-11-25T04:49:48Z");
  EXPECT_EQ(m.parents, (std::vector<std::string>{"bbbbbbbbbbbb", "cccccccccccc"}));
  EXPECT_EQ(m.message, "merge bbbbbbbbbbbb, cccccccccccc");
  EXPECT_TRUE(m.upgrade.empty());
  EXPECT_TRUE(m.downgrade.empty());
}

TEST(authoring, a_data_step_is_a_skeleton_sql_step_or_a_cpp_step_on_the_single_head) {
  const revision base = base_revision();
  const revision_graph graph({base});
  const revision sql = data_step_revision(graph, "", data_step_kind::sql, fixed_source());
  EXPECT_EQ(sql.id, "000000000001");
  EXPECT_EQ(sql.parents, std::vector<std::string>{base.id});
  EXPECT_EQ(sql.message, "data step");
  ASSERT_EQ(sql.upgrade.size(), 1u);
  const auto* step = std::get_if<ops::sql>(&sql.upgrade[0]);
  ASSERT_TRUE(step);
  EXPECT_TRUE(step->up.starts_with("-- ")) << "a placeholder that does nothing if applied unedited";
  ASSERT_TRUE(step->down);
  EXPECT_TRUE(step->down->starts_with("-- "));
  EXPECT_EQ(sql.downgrade, ops::inverse(sql.upgrade));

  const revision cpp = data_step_revision(graph, "split names", data_step_kind::cpp, fixed_source());
  EXPECT_EQ(cpp.message, "split names");
  EXPECT_EQ(cpp.upgrade, std::vector<ops::operation>{ops::cpp{ops::cpp::function::upgrade}});
  EXPECT_EQ(cpp.downgrade, std::vector<ops::operation>{ops::cpp{ops::cpp::function::downgrade}});

  // On an empty history: the first revision.
  EXPECT_TRUE(data_step_revision(revision_graph(std::vector<revision>{}), "", data_step_kind::sql, fixed_source()).parents.empty());
  const revision_graph two_heads({base, child_of(base, "bbbbbbbbbbbb", "a"), child_of(base, "cccccccccccc", "b")});
  EXPECT_THROW((void)data_step_revision(two_heads, "", data_step_kind::sql, fixed_source()), graph_error);
}

TEST(authoring, merge_needs_two_heads) {
  const revision_graph graph({base_revision()});
  EXPECT_THROW((void)merge_revision(graph, "m", fixed_source()), graph_error);
}

TEST(authoring, default_message_names_at_most_three_changes) {
  const auto op = [](std::string name) {
    table t;
    t.name = {"public", std::move(name)};
    return ops::operation(ops::create_table{t});
  };
  EXPECT_EQ(default_message({}), "empty revision");
  EXPECT_EQ(default_message({op("a"), op("b")}), "create a, create b");
  EXPECT_EQ(default_message({op("a"), op("b"), op("c"), op("d"), op("e")}), "create a, create b and 3 more");
  EXPECT_EQ(default_message({op("a"), op("a")}), "create a");
}

TEST(authoring, file_names_are_digits_id_and_a_short_slug) {
  revision r;
  r.id = "0123456789ab";
  r.created = "2026-11-25T04:49:48Z";
  r.message = "";
  EXPECT_EQ(file_name_for(r), "20261125044948_0123456789ab.json");
  r.message = std::string(80, 'x');
  EXPECT_EQ(file_name_for(r), "20261125044948_0123456789ab_" + std::string(48, 'x') + ".json");
  r.message = "  Déjà vu -- again ";
  EXPECT_EQ(file_name_for(r), "20261125044948_0123456789ab_d_j_vu_again.json");
}

TEST(authoring, the_real_sources_have_the_documented_shapes) {
  const std::string id = random_revision_id();
  EXPECT_EQ(id.size(), 12u);
  EXPECT_EQ(id.find_first_not_of("0123456789abcdef"), std::string::npos);
  const std::string now = utc_now();
  EXPECT_EQ(now.size(), std::string_view("2026-11-25T04:49:48Z").size());
  EXPECT_EQ(now.back(), 'Z');
}

}  // namespace
}  // namespace retort
