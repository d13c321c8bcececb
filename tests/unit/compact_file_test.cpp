// Migration files in the compact layout: an alter_column states only the attributes it changes,
// both ways, and replay, rendering and the inverse take the rest from the column as it is; the
// reader refuses a stated attribute that is not a change, or a change with nothing stated.
#include <gtest/gtest.h>

#include "retort/errors.hpp"
#include "retort/pg/render.hpp"
#include "retort/replay.hpp"
#include "retort/revision.hpp"

namespace retort {
namespace {

column typed(std::string name, std::string_view type) {
  column c;
  c.name = std::move(name);
  c.type = *parse_builtin_type(type);
  return c;
}

// users(id bigint, email varchar(255) NOT NULL DEFAULT '' with a comment)
schema users() {
  column email = typed("email", "varchar(255)");
  email.server_default = "''";
  email.comment = "where we write";
  table t;
  t.name = {"public", "users"};
  t.columns = {typed("id", "bigint"), email};
  schema s;
  s.schemas = {"public"};
  s.tables = {t};
  return s;
}

ops::alter_column email_to_text() {
  const column before = users().tables[0].columns[1];
  column after = before;
  after.type = *parse_builtin_type("text");
  return {{"public", "users"}, before, after, ops::change_type};
}

revision with(std::vector<ops::operation> up) {
  revision r;
  r.id = "0123456789ab";
  r.downgrade = ops::inverse(up);
  r.upgrade = std::move(up);
  return r;
}

TEST(CompactFile, AlterColumnStatesOnlyWhatChanges) {
  const std::string text = write_revision(with({email_to_text()}));
  EXPECT_NE(text.find("      \"column\": \"email\",\n      \"changes\": [\"type\"],\n"
                      "      \"from\": {\"type\": \"varchar(255)\"},\n      \"to\": {\"type\": \"text\"}\n"),
            std::string::npos)
      << text;
  EXPECT_EQ(text.find("where we write"), std::string::npos) << text;
}

TEST(CompactFile, ReducedAlterColumnReplaysAndRendersAsTheWholeOne) {
  const revision file = read_revision(write_revision(with({email_to_text()})), "r.json");
  ASSERT_EQ(file.upgrade.size(), 1u);
  EXPECT_TRUE(file.upgrade[0] == ops::operation{email_to_text()});
  const schema after = replay(users(), file.upgrade);
  const column& email = after.tables[0].columns[1];
  EXPECT_EQ(to_string(email.type), "text");
  EXPECT_EQ(email.server_default, "''");  // kept: not part of the change
  EXPECT_EQ(email.comment, "where we write");
  EXPECT_EQ(comparable(replay(after, file.downgrade)), comparable(users()));
  // A type change re-sets the default around it: known from the column, not from the file.
  const auto whole = pg::render({email_to_text()}, users());
  const auto reduced = pg::render(file.upgrade, users());
  ASSERT_EQ(reduced.size(), whole.size());
  for (std::size_t i = 0; i < whole.size(); ++i) EXPECT_EQ(reduced[i].sql, whole[i].sql);
  EXPECT_NE(reduced.back().sql.find("SET DEFAULT ''"), std::string::npos);
}

TEST(CompactFile, DefaultAndCommentChangesMayStateNone) {
  column before = users().tables[0].columns[1];
  column after = before;
  after.server_default.reset();
  after.comment = "the login";
  const ops::alter_column o{{"public", "users"}, before, after, ops::change_default | ops::change_comment};
  const std::string text = write_revision(with({o}));
  EXPECT_NE(text.find("      \"from\": {\"default\": \"''\", \"comment\": \"where we write\"},\n"
                      "      \"to\": {\"comment\": \"the login\"}\n"),
            std::string::npos)
      << text;
  const revision file = read_revision(text, "r.json");
  const schema after_schema = replay(users(), file.upgrade);
  EXPECT_FALSE(after_schema.tables[0].columns[1].server_default.has_value());
  EXPECT_EQ(comparable(replay(after_schema, file.downgrade)), comparable(users()));
}

std::string reading_error(std::string_view alter) {
  const std::string text = std::string(R"x({"format": 1, "id": "r1", "parents": [], "upgrade": [)x") + std::string(alter) +
                           R"x(], "downgrade": []})x";
  try {
    (void)read_revision(text, "r1.json");
  } catch (const file_error& e) {
    return e.what();
  }
  return "no error";
}

TEST(CompactFile, StatedAttributesMustBeTheChanges) {
  const std::string head = R"x({"op": "alter_column", "table": {"name": "users"}, "column": "email", )x";
  EXPECT_NE(reading_error(head + R"x("changes": ["type"], "from": {"type": "text", "default": "''"}, "to": {"type": "text"}})x")
                .find("upgrade[0].from.default: \"default\" is not among the changes"),
            std::string::npos);
  EXPECT_NE(reading_error(head + R"x("changes": ["type", "nullable"], "from": {"type": "text"}, "to": {"type": "text"}})x")
                .find("upgrade[0].from.nullable: missing"),
            std::string::npos);
  EXPECT_NE(reading_error(head + R"x("changes": ["type"], "from": {"type": "text"}, "to": {"name": "x"}})x")
                .find("upgrade[0].to.name: unknown key"),
            std::string::npos);
}

TEST(CompactFile, AnElementIsOneLineAndAListOfThemOneAMember) {
  table t = users().tables[0];
  const std::string text = write_revision(with({ops::create_table{t}}));
  EXPECT_NE(text.find("\n          {\"name\": \"id\", \"type\": \"bigint\", \"nullable\": false},\n"), std::string::npos)
      << text;
  EXPECT_NE(text.find(R"x(        "columns": [)x"), std::string::npos) << text;
}

}  // namespace
}  // namespace retort
