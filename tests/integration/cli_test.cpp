// The `retort` binary as users and app replicas run it, against a real PostgreSQL: concurrent
// upgrades, edited files, offline SQL through psql, refused revisions, SIGKILL at random points,
// unreachable databases, the local dev database, and stamping (issue #4's guarantees); and
// `retort check` as a pull request shows it (text, JSON, GitHub Actions annotations).
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <chrono>
#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <sstream>
#include <thread>

#include <fmt/format.h>
#include <nlohmann/json.hpp>
#include <pqxx/pqxx>

#include "cli_fixture.hpp"
#include "history.hpp"
#include "pg_fixture.hpp"
#include "retort/diff.hpp"
#include "retort/files.hpp"
#include "retort/hash.hpp"
#include "local_cluster.hpp"
#include "retort/pg/applier.hpp"
#include "retort/pg/introspect.hpp"
#include "retort/pg/render.hpp"
#include "retort/snapshot.hpp"
#include "retort/sum_file.hpp"
#include "schema_text.hpp"

namespace retort {
namespace {

namespace fs = std::filesystem;
using clock_type = std::chrono::steady_clock;
using nlohmann::json;
using testing::make_revision;
using test::Cli;
using test::command_line;
using test::current_of;
using test::env_changes;
using test::live;
using test::process;
using test::result;
using test::rows_of;
using test::run;
using test::stopped_at_exit;

fs::path psql_path() {
  const fs::path beside_server = find_postgres_bin_dir() / "psql";
  return fs::exists(beside_server) ? beside_server : fs::path("psql");
}

// ---------------------------------------------------------------------------------------
// Database helpers.

#define EXPECT_SAME_SCHEMA(actual, expected) \
  EXPECT_EQ(test::describe(comparable(actual)), test::describe(comparable(expected)))

// Waits until no other session is connected to the database of `url`: a killed client's
// backend finishes its statement and rolls back before it goes.
void wait_until_alone(const std::string& url) {
  pqxx::connection conn(url);
  const auto deadline = clock_type::now() + std::chrono::seconds(20);
  for (;;) {
    pqxx::nontransaction tx(conn);
    const int others = tx.exec1("SELECT count(*) FROM pg_stat_activity "
                                "WHERE datname = current_database() AND pid <> pg_backend_pid()")[0]
                           .as<int>();
    if (others == 0) return;
    if (clock_type::now() > deadline) throw std::runtime_error("another session stays connected to the database");
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
}

// ---------------------------------------------------------------------------------------
// 8 replicas starting at once: one applies everything, the others wait on the lock and find
// nothing to do.

TEST_F(Cli, ConcurrentUpgradesApplyEachRevisionExactlyOnce) {
  constexpr int replicas = 8;
  const auto history = testing::random_history(31, 10);
  const revision_graph graph = write(history);
  (void)url();

  std::vector<std::unique_ptr<process>> running;
  for (int i = 0; i < replicas; ++i) running.push_back(start_retort({"upgrade"}));
  int applied_all = 0, found_nothing = 0;
  for (auto& p : running) {
    const result r = p->wait();
    EXPECT_EQ(r.code, 0) << r;
    if (r.out.find("Applied 10 revisions") != std::string::npos) ++applied_all;
    if (r.out.find("Nothing to upgrade") != std::string::npos) ++found_nothing;
  }
  EXPECT_EQ(applied_all, 1);
  EXPECT_EQ(found_nothing, replicas - 1);

  std::string expected;
  for (const auto& id : graph.order()) expected += fmt::format("{} | upgrade | 1 | \n", id);
  EXPECT_EQ(rows_of(url(), "SELECT revision, direction, count(*) FROM retort.history GROUP BY revision, direction "
                           "ORDER BY min(id)"),
            expected);
  EXPECT_EQ(current_of(url(), graph), graph.heads());
  EXPECT_SAME_SCHEMA(live(url()), graph.schema_at(graph.heads()));
}

// ---------------------------------------------------------------------------------------
// A migration file edited after it was applied stops the upgrade before anything runs.

TEST_F(Cli, EditedFileStopsTheUpgradeUntilAccepted) {
  auto history = testing::random_history(41, 3);
  (void)write(history);
  ASSERT_EQ(retort({"upgrade"}).code, 0);

  // Add a pending fourth, and edit the applied second revision in place.
  const revision pending = make_revision(4, {history[2].id}, "pending", {ops::create_schema{"pending_schema"}});
  (void)write({pending});
  const revision_graph before_edit(load_revisions(migrations().string()));
  const std::string edited_file = before_edit.at(history[1].id).file;
  revision edited = history[1];
  edited.message = "edited after it was applied";
  std::ofstream(edited_file, std::ios::binary | std::ios::trunc) << write_revision(edited);
  const revision_graph graph(load_revisions(migrations().string()));
  const std::string history_before = rows_of(url(), "SELECT id, revision, direction FROM retort.history ORDER BY id");

  // retort.sum catches the edit first, with no database (--accept-edited is for the database's side).
  const result by_sum = retort({"upgrade", "--accept-edited"});
  EXPECT_EQ(by_sum.code, 1) << by_sum;
  EXPECT_NE(by_sum.err.find(fs::path(edited_file).filename().string() + " was edited after it was written"),
            std::string::npos)
      << by_sum;
  EXPECT_NE(by_sum.err.find("`retort rehash`"), std::string::npos) << by_sum;
  EXPECT_EQ(rows_of(url(), "SELECT id, revision, direction FROM retort.history ORDER BY id"), history_before);
  // A reviewed edit is recorded with rehash; then the database's checksums speak.
  ASSERT_EQ(retort({"rehash"}, std::nullopt).code, 0);

  const result refused = retort({"upgrade"});
  EXPECT_EQ(refused.code, 1) << refused;
  EXPECT_NE(refused.err.find(edited_file), std::string::npos) << refused;
  EXPECT_NE(refused.err.find("--accept-edited"), std::string::npos) << refused;
  EXPECT_NE(refused.err.find("nothing was run"), std::string::npos) << refused;
  EXPECT_EQ(current_of(url(), graph), revision_heads{history[2].id});
  EXPECT_EQ(rows_of(url(), "SELECT id, revision, direction FROM retort.history ORDER BY id"), history_before);
  EXPECT_SAME_SCHEMA(live(url()), graph.schema_at({history[2].id}));

  const result accepted = retort({"upgrade", "--accept-edited"});
  EXPECT_EQ(accepted.code, 0) << accepted;
  EXPECT_EQ(current_of(url(), graph), revision_heads{pending.id});
  EXPECT_SAME_SCHEMA(live(url()), graph.schema_at({pending.id}));
  EXPECT_EQ(rows_of(url(), "SELECT revision, direction, checksum FROM retort.history WHERE id > (SELECT max(id) - 2 "
                           "FROM retort.history) ORDER BY id"),
            fmt::format("{} | accept | {} | \n{} | upgrade | {} | \n", edited.id, graph.at(edited.id).checksum,
                        pending.id, graph.at(pending.id).checksum));

  // The accepted checksum is the recorded one now: the next upgrade has nothing to say.
  const result again = retort({"upgrade"});
  EXPECT_EQ(again.code, 0) << again;
  EXPECT_NE(again.out.find("Nothing to upgrade"), std::string::npos) << again;
}

// ---------------------------------------------------------------------------------------
// `retort sql base:head` through `psql -f` (and with --single-transaction through `psql -1 -f`)
// gives what `retort upgrade` gives.

class CliOffline : public Cli, public ::testing::WithParamInterface<bool> {};

TEST_P(CliOffline, SqlThroughPsqlMatchesTheUpgrade) {
  const bool single = GetParam();
  // One transaction holds only plain plans: a safe plan builds indexes outside any.
  const auto script_of = [&] {
    return retort(single ? std::vector<std::string>{"--safety", "plain", "sql", "--single-transaction", "base:head"}
                         : std::vector<std::string>{"sql", "base:head"},
                  std::nullopt);
  };
  // The first random history from seed 51 on that one transaction can hold (a value added to an
  // enum cannot be used in the transaction that adds it: CliOffline.SingleTransactionRefuses...).
  std::uint64_t seed = 51;
  revision_graph graph = write(testing::random_history(seed, 6));
  result script = script_of();
  while (script.code != 0 && seed < 80) {
    fs::remove_all(migrations());
    fs::create_directories(migrations());
    graph = write(testing::random_history(++seed, 6));
    script = script_of();
  }
  ASSERT_EQ(script.code, 0) << script;
  const fs::path file = scratch() / "upgrade.sql";
  std::ofstream(file, std::ios::binary) << script.out;

  const std::string offline = test::fresh_database_url();
  std::vector<std::string> command{psql_path().string(), "-X", "-q", "-f", file.string(), "-d", offline};
  if (single) command.push_back("-1");
  const result psql = run(command, {}, scratch());
  ASSERT_EQ(psql.code, 0) << psql;
  const result online = retort({"upgrade"});
  ASSERT_EQ(online.code, 0) << online;

  EXPECT_EQ(test::describe(live(offline)), test::describe(live(url())));
  EXPECT_SAME_SCHEMA(live(offline), graph.schema_at(graph.heads()));
  const std::string applied = "SELECT revision, checksum FROM retort.applied ORDER BY revision";
  EXPECT_EQ(rows_of(offline, applied), rows_of(url(), applied));
  const std::string audit = "SELECT revision, direction, checksum, message, db_user FROM retort.history ORDER BY id";
  EXPECT_EQ(rows_of(offline, audit), rows_of(url(), audit));
  EXPECT_EQ(current_of(offline, graph), graph.heads());
}

INSTANTIATE_TEST_SUITE_P(Layouts, CliOffline, ::testing::Values(false, true),
                         [](const auto& info) { return info.param ? "single_transaction" : "per_transaction"; });

// One revision adds an enum value, a later one uses it, another has a step PostgreSQL refuses in
// a transaction: `psql -f` runs the default script; --single-transaction refuses to write one.
TEST_F(Cli, OfflineScriptRunsWhereOneTransactionCannot) {
  const schema moods = read_snapshot(R"json({"format": 1,
      "enums": [{"schema": "public", "name": "mood", "values": ["happy"]}],
      "tables": [{"schema": "public", "name": "people",
      "columns": [{"name": "id", "type": "bigint"}, {"name": "m", "enum": {"schema": "public", "name": "mood"}}],
      "primary_key": {"columns": ["id"]}}]})json",
                                     "moods.json");
  const revision r1 = make_revision(1, {}, "people", diff(schema{}, moods));
  const revision r2 = make_revision(2, {r1.id}, "sad", {ops::add_enum_value{{"public", "mood"}, "sad", std::nullopt}});
  const revision r3 = make_revision(
      3, {r2.id}, "use it",
      {ops::sql{"INSERT INTO people VALUES (1, 'sad')", "DELETE FROM people"},
       ops::sql{"CREATE INDEX CONCURRENTLY ix_people_m ON people (m)", "DROP INDEX CONCURRENTLY ix_people_m", false}});
  const revision_graph graph = write({r1, r2, r3});

  const result single = retort({"sql", "--single-transaction", "base:head"}, std::nullopt);
  EXPECT_EQ(single.code, 1) << single;
  EXPECT_NE(single.err.find("psql -1"), std::string::npos) << single;

  const result script = retort({"sql", "base:head"}, std::nullopt);
  ASSERT_EQ(script.code, 0) << script;
  const fs::path file = scratch() / "upgrade.sql";
  std::ofstream(file, std::ios::binary) << script.out;
  const std::string offline = test::fresh_database_url();
  const result psql = run({psql_path().string(), "-X", "-q", "-f", file.string(), "-d", offline}, {}, scratch());
  ASSERT_EQ(psql.code, 0) << psql;
  EXPECT_EQ(rows_of(offline, "SELECT m::text FROM people"), rows_of(offline, "SELECT 'sad'"));
  EXPECT_EQ(rows_of(offline, "SELECT count(*) FROM retort.applied"), rows_of(offline, "SELECT 3"));
  EXPECT_EQ(rows_of(offline, "SELECT count(*) FROM pg_class WHERE relname = 'ix_people_m'"), rows_of(offline, "SELECT 1"));
}

// ---------------------------------------------------------------------------------------
// Lock waits are bounded: a session holding ACCESS EXCLUSIVE on the table is named while the
// upgrade waits; the upgrade retries, and succeeds once the lock is released, or fails with
// exit 4 having applied nothing.

class CliLockWait : public Cli {
 protected:
  revision_graph items_history() {
    const schema items = read_snapshot(R"json({"format": 1, "tables": [{"schema": "public", "name": "items",
        "columns": [{"name": "id", "type": "bigint"}, {"name": "x", "type": "integer"}],
        "primary_key": {"columns": ["id"]}}]})json",
                                       "items.json");
    r1_ = make_revision(1, {}, "items", diff(schema{}, items));
    r2_ = make_revision(2, {r1_.id}, "note",
                        {ops::add_column{{"public", "items"}, column{"note", *parse_builtin_type("text"), true, {},
                                                                    identity_kind::none, {}, {}, {}, {}}}});
    return write({r1_, r2_});
  }
  // Holds ACCESS EXCLUSIVE on items for `hold` in a background thread, as application "blocker".
  std::thread hold_lock(std::chrono::milliseconds hold) {
    auto conn = std::make_shared<pqxx::connection>(url() + " application_name=blocker");
    auto tx = std::make_shared<pqxx::work>(*conn);
    tx->exec("LOCK TABLE items IN ACCESS EXCLUSIVE MODE");
    return std::thread([conn, tx, hold] {
      std::this_thread::sleep_for(hold);
      tx->commit();
    });
  }
  revision r1_, r2_;
};

TEST_F(CliLockWait, NamesTheBlockerRetriesAndSucceeds) {
  (void)items_history();
  ASSERT_EQ(retort({"upgrade", "+1"}).code, 0);
  std::thread holder = hold_lock(std::chrono::milliseconds(2500));
  const result r = retort({"--lock-timeout", "600", "--lock-attempts", "5", "upgrade"});
  holder.join();
  EXPECT_EQ(r.code, 0) << r;
  EXPECT_NE(r.out.find("for a lock held by"), std::string::npos) << r;
  EXPECT_NE(r.out.find("(blocker"), std::string::npos) << r;
  EXPECT_NE(r.out.find("attempt 2"), std::string::npos) << r;
  EXPECT_EQ(rows_of(url(), "SELECT count(*) FROM retort.applied"), rows_of(url(), "SELECT 2"));
}

TEST_F(CliLockWait, GivesUpWithExit4AndNothingApplied) {
  (void)items_history();
  ASSERT_EQ(retort({"upgrade", "+1"}).code, 0);
  std::thread holder = hold_lock(std::chrono::milliseconds(6000));
  const result r = retort({"--lock-timeout", "300", "--lock-attempts", "2", "upgrade"});
  holder.join();
  EXPECT_EQ(r.code, 4) << r;
  EXPECT_NE(r.err.find("55P03"), std::string::npos) << r;
  EXPECT_NE(r.err.find("after 2 attempts"), std::string::npos) << r;
  EXPECT_NE(r.err.find("rolled back"), std::string::npos) << r;
  EXPECT_EQ(rows_of(url(), "SELECT count(*) FROM retort.applied"), rows_of(url(), "SELECT 1"));
  EXPECT_EQ(rows_of(url(), "SELECT count(*) FROM pg_attribute WHERE attrelid = 'items'::regclass AND attname = 'note'"),
            rows_of(url(), "SELECT 0"));
}

// A server that accepts the connection but never answers is an error after --connect-timeout.
TEST_F(Cli, UnansweredConnectionTimesOut) {
  fs::create_directories(migrations());  // an empty history
  const int listener = ::socket(AF_INET, SOCK_STREAM, 0);
  ASSERT_GE(listener, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::bind(listener, reinterpret_cast<sockaddr*>(&address), sizeof address), 0);
  ASSERT_EQ(::listen(listener, 4), 0);
  socklen_t size = sizeof address;
  ASSERT_EQ(::getsockname(listener, reinterpret_cast<sockaddr*>(&address), &size), 0);
  const std::string silent = fmt::format("postgresql://nobody@127.0.0.1:{}/db", ntohs(address.sin_port));
  const auto started = clock_type::now();
  const result r = retort({"--connect-timeout", "2", "current"}, silent);
  const auto took = clock_type::now() - started;
  ::close(listener);
  EXPECT_EQ(r.code, 4) << r;
  EXPECT_NE(r.err.find("cannot connect"), std::string::npos) << r;
  EXPECT_LT(took, std::chrono::seconds(9));
}

// ---------------------------------------------------------------------------------------
// A refused revision: the CLI names it and exits 4; the database stays at the previous one.

TEST_F(Cli, RefusedRevisionIsReportedAndRolledBack) {
  const qualified_name items{"public", "items"};
  const schema items_schema = read_snapshot(R"json({"format": 1, "tables": [{"schema": "public", "name": "items",
      "columns": [{"name": "id", "type": "bigint"}, {"name": "x", "type": "integer"}],
      "primary_key": {"columns": ["id"]}}]})json",
                                            "items.json");
  auto create = diff(schema{}, items_schema);
  create.push_back(ops::sql{"INSERT INTO items VALUES (1, 7), (2, 7)", "DELETE FROM items"});
  const revision r1 = make_revision(1, {}, "items", create);
  const ops::operation unique = ops::add_unique{items, {"uq_items_x", {"x"}}};
  const revision r2 = make_revision(
      2, {r1.id}, "unique x",
      {ops::add_column{items, column{"note", *parse_builtin_type("text"), true, {}, identity_kind::none, {}, {}, {}, {}}},
       unique});
  const revision_graph graph = write({r1, r2});

  // Plain plans: the revision is one transaction, and its failure leaves nothing of it.
  const result r = retort({"--safety", "plain", "upgrade"});
  EXPECT_EQ(r.code, 4) << r;
  for (const auto& part : {r2.id, graph.at(r2.id).file, ops::describe(unique),
                           std::string("ALTER TABLE \"public\".\"items\" ADD CONSTRAINT \"uq_items_x\" UNIQUE (\"x\")"),
                           std::string("23505"), std::string("could not create unique index"), std::string("rolled back")})
    EXPECT_NE(r.err.find(part), std::string::npos) << part << " not in\n" << r;
  EXPECT_NE(r.out.find("[1/2]"), std::string::npos) << r;
  // The progress line ends before the error, which names the operation with its index.
  EXPECT_TRUE(r.out.ends_with(" ... failed\n")) << r;
  EXPECT_TRUE(r.err.starts_with("error: revision " + r2.id)) << r;
  EXPECT_NE(r.err.find("operation: upgrade[1] " + ops::describe(unique)), std::string::npos) << r;

  // With --format json, the same error is one document on stdout, with the same exit code.
  const result as_json = retort({"--safety", "plain", "--format", "json", "upgrade"});
  EXPECT_EQ(as_json.code, 4) << as_json;
  const json error = json::parse(as_json.out).at("error");
  EXPECT_EQ(error.at("type"), "migration");
  EXPECT_EQ(error.at("revision"), r2.id);
  EXPECT_EQ(error.at("file"), graph.at(r2.id).file);
  EXPECT_EQ(error.at("operation"), "upgrade[1] " + ops::describe(unique));
  EXPECT_EQ(error.at("sqlstate"), "23505");
  EXPECT_EQ(error.at("rolled_back"), true);
  EXPECT_EQ(as_json.err, "") << as_json;
  const result bad_name = retort({"--format", "json", "show", "zzzz"});
  EXPECT_EQ(bad_name.code, 1) << bad_name;
  EXPECT_EQ(json::parse(bad_name.out).at("error").at("type"), "graph") << bad_name;

  const result now = retort({"--format", "json", "current"});
  ASSERT_EQ(now.code, 0) << now;
  EXPECT_EQ(json::parse(now.out)["current"], json::array({r1.id})) << now;
  EXPECT_SAME_SCHEMA(live(url()), graph.schema_at({r1.id}));
}

// ---------------------------------------------------------------------------------------
// SIGKILL at random points of an upgrade: the database is always at a revision, whole.

TEST_F(Cli, KilledUpgradeLeavesAConsistentRevision) {
  constexpr int trials = 24;
  const auto history = testing::random_history(71, 12);
  const revision_graph graph = write(history);
  const schema at_head = graph.schema_at(graph.heads());

  // One full upgrade first, to know how long the window is.
  const auto started = clock_type::now();
  const result full = retort({"upgrade"});
  const auto window = clock_type::now() - started;
  ASSERT_EQ(full.code, 0) << full;
  {
    pqxx::connection conn(url());
    pg::advisory_locker lock(conn, "retort");
    pg::applier a(conn, graph, lock);
    ASSERT_EQ(a.downgrade("base").size(), history.size());
  }

  std::mt19937_64 rng(2026);  // fixed: the same delays every run
  std::map<std::size_t, int> positions;  // applied revisions after the kill -> trials
  for (int trial = 0; trial < trials; ++trial) {
    // Spread evenly over the window, jittered inside each slice.
    const auto slice = window / trials;
    const auto delay = slice * trial + std::chrono::duration_cast<clock_type::duration>(
                                           slice * std::uniform_real_distribution<double>(0, 1)(rng));
    const double delay_ms = std::chrono::duration<double, std::milli>(delay).count();
    SCOPED_TRACE(::testing::Message() << "trial " << trial << ", kill after " << delay_ms << " ms");
    auto p = start_retort({"upgrade"});
    if (!p->wait_until(clock_type::now() + delay)) p->kill();
    const result r = p->wait();
    EXPECT_TRUE(r.code == 0 || r.code == 128 + SIGKILL) << r;
    wait_until_alone(url());

    pqxx::connection conn(url());
    pg::advisory_locker lock(conn, "retort");
    pg::applier a(conn, graph, lock);
    revision_heads at;
    ASSERT_NO_THROW(at = a.current());
    ASSERT_LE(at.size(), 1u);
    // A revision whose safe plan spans several transactions may be part way, with its committed
    // transactions recorded (the rerun below resumes after them); otherwise the schema is exactly
    // the recorded revision's.
    const bool part_way = rows_of(url(), "SELECT count(*) > 0 FROM retort.progress") == rows_of(url(), "SELECT true");
    if (!part_way) {
      EXPECT_SAME_SCHEMA(live(conn), graph.schema_at(at));
    }
    ++positions[graph.applied(at).size()];
    // The audit history moved with the revisions: the last row of each applied one is its upgrade.
    EXPECT_EQ(rows_of(url(), "SELECT revision FROM retort.applied ORDER BY revision"),
              rows_of(url(), "SELECT revision FROM (SELECT DISTINCT ON (revision) revision, direction "
                             "FROM retort.history ORDER BY revision, id DESC) last "
                             "WHERE direction = 'upgrade' ORDER BY revision"));

    // A rerun completes to head, and the way back down resets the next trial.
    ASSERT_NO_THROW((void)a.upgrade("head"));
    EXPECT_EQ(a.current(), graph.heads());
    EXPECT_SAME_SCHEMA(live(conn), at_head);
    ASSERT_NO_THROW((void)a.downgrade("base"));
  }
  std::string spread;
  for (const auto& [applied, count] : positions) spread += fmt::format(" {}:{}", applied, count);
  std::cout << "upgrade of " << history.size() << " revisions took "
            << std::chrono::duration<double, std::milli>(window).count() << " ms; revisions applied when killed"
            << spread << "\n";
  // The kills landed between revisions, not only before the first or after the last.
  int mid_way = 0;
  for (const auto& [applied, count] : positions)
    if (applied > 0 && applied < history.size()) mid_way += count;
  EXPECT_GT(mid_way, 0) << spread;
}

// ---------------------------------------------------------------------------------------
// An unreachable database: one clear line on stderr, exit code 4.

struct connection_case {
  std::string name;
  std::string url;  ///< "{socket}" stands for the test cluster's socket directory
  std::string says;
};

void PrintTo(const connection_case& c, std::ostream* os) { *os << c.name; }

std::vector<connection_case> connection_cases() {
  return {
      {"NoServerAtSocket", "host=/nonexistent-dir dbname=postgres user=postgres", "No such file or directory"},
      {"NothingListensOnPort", "host=127.0.0.1 port=1 dbname=postgres user=postgres connect_timeout=5",
       "Connection refused"},
      {"UnknownRole", "host={socket} dbname=postgres user=nobody_here", "role \"nobody_here\" does not exist"},
      {"MissingDatabase", "host={socket} dbname=does_not_exist user=postgres",
       "database \"does_not_exist\" does not exist"},
  };
}

class CliConnection : public Cli, public ::testing::WithParamInterface<connection_case> {};

TEST_P(CliConnection, IsOneClearLineAndExitCodeFour) {
  const connection_case& c = GetParam();
  std::string bad_url = c.url;
  if (const auto at = bad_url.find("{socket}"); at != std::string::npos)
    bad_url.replace(at, 8, test::test_cluster().socket_directory().string());
  (void)write(testing::random_history(81, 1));
  for (const std::string command : {"upgrade", "current", "downgrade"}) {
    SCOPED_TRACE(command);
    const result r = retort({command}, bad_url);
    EXPECT_EQ(r.code, 4) << r;
    EXPECT_TRUE(r.err.starts_with("error: cannot connect to the database: ")) << r;
    EXPECT_NE(r.err.find(c.says), std::string::npos) << r;
    EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r;
    EXPECT_EQ(r.err.find_first_of("\t\r"), std::string::npos) << r;
    EXPECT_EQ(r.err.find("  "), std::string::npos) << r;
    EXPECT_TRUE(r.err.ends_with("\n")) << r;
    EXPECT_EQ(r.out, "") << r;
  }
}

INSTANTIATE_TEST_SUITE_P(Unreachable, CliConnection, ::testing::ValuesIn(connection_cases()),
                         [](const auto& info) { return info.param.name; });

// ---------------------------------------------------------------------------------------
// The local dev database: no URL anywhere, data kept across stop and start.

TEST_F(Cli, DevDatabaseIsUsedWithoutAUrlAndKeepsItsData) {
  const fs::path dir = scratch() / "devdb";
  const stopped_at_exit stop_it(dir);
  const revision_graph graph = write(testing::random_history(91, 3));
  auto devdb = [&](std::vector<std::string> args) {
    args.insert(args.begin(), {"--devdb-dir", dir.string()});
    return retort(std::move(args), std::nullopt);
  };

  const result started = devdb({"devdb", "start"});
  ASSERT_EQ(started.code, 0) << started;
  const result status = devdb({"devdb", "status"});
  EXPECT_EQ(status.code, 0) << status;
  EXPECT_TRUE(status.out.starts_with("running")) << status;
  const result url = devdb({"devdb", "url"});
  ASSERT_EQ(url.code, 0) << url;
  const std::string dev_url = url.out.substr(0, url.out.find('\n'));
  EXPECT_NE(dev_url.find("dbname=retort_dev"), std::string::npos) << url;

  const result up = devdb({"upgrade"});
  ASSERT_EQ(up.code, 0) << up;
  EXPECT_EQ(current_of(dev_url, graph), graph.heads());
  EXPECT_SAME_SCHEMA(live(dev_url), graph.schema_at(graph.heads()));

  const result stopped = devdb({"devdb", "stop"});
  EXPECT_EQ(stopped.code, 0) << stopped;
  const result down = devdb({"devdb", "status"});
  EXPECT_NE(down.code, 0) << down;
  EXPECT_TRUE(down.out.starts_with("stopped")) << down;

  ASSERT_EQ(devdb({"devdb", "start"}).code, 0);
  const result now = devdb({"--format", "json", "current"});
  ASSERT_EQ(now.code, 0) << now;
  EXPECT_EQ(json::parse(now.out)["current"], json(graph.heads())) << now;
  EXPECT_EQ(json::parse(now.out)["at_head"], true) << now;
}

TEST_F(Cli, MissingPostgresServerNamesThePackage) {
  const fs::path empty_bin = scratch() / "empty-bin";
  fs::create_directories(empty_bin);
  const env_changes no_server{{"RETORT_PG_BIN", empty_bin.string()}};
  fs::create_directories(migrations());  // an empty history
  for (const auto& args : std::vector<std::vector<std::string>>{{"devdb", "start"}, {"upgrade"}}) {
    std::vector<std::string> with_dir{"--devdb-dir", (scratch() / "devdb").string()};
    with_dir.insert(with_dir.end(), args.begin(), args.end());
    const result r = retort(with_dir, std::nullopt, no_server);
    SCOPED_TRACE(command_line(args));
    EXPECT_NE(r.code, 0) << r;
    EXPECT_TRUE(r.err.starts_with("error: ")) << r;
    EXPECT_NE(r.err.find("apt-get install postgresql"), std::string::npos) << r;
    EXPECT_NE(r.err.find(empty_bin.string()), std::string::npos) << r;
  }
  EXPECT_FALSE(fs::exists(scratch() / "devdb" / "data"));
}

// ---------------------------------------------------------------------------------------
// Adopting a database that already has the schema: stamp, then nothing to upgrade.

TEST_F(Cli, StampAdoptsAnExistingDatabase) {
  const revision_graph graph = write(testing::random_history(101, 4));
  {
    pqxx::connection conn(url());
    pqxx::work tx(conn);
    const schema head = graph.schema_at(graph.heads());
    for (const auto& st : pg::render(diff(schema{}, head), schema{})) tx.exec(st.sql);
    tx.commit();
  }
  const std::string existing = test::describe(live(url()));
  EXPECT_SAME_SCHEMA(live(url()), graph.schema_at(graph.heads()));

  const result stamped = retort({"stamp", "head"});
  ASSERT_EQ(stamped.code, 0) << stamped;
  EXPECT_EQ(current_of(url(), graph), graph.heads());
  const result up = retort({"upgrade"});
  EXPECT_EQ(up.code, 0) << up;
  EXPECT_NE(up.out.find("Nothing to upgrade"), std::string::npos) << up;
  EXPECT_EQ(test::describe(live(url())), existing);

  std::string applied;
  for (const auto& id : graph.order()) applied += fmt::format("{} | {} | \n", id, graph.at(id).checksum);
  EXPECT_EQ(rows_of(url(), "SELECT revision, checksum FROM retort.applied ORDER BY revision"), applied);

  const result base = retort({"stamp", "base", "--no-verify"});  // base's schema is empty: verified, it is refused
  ASSERT_EQ(base.code, 0) << base;
  EXPECT_EQ(current_of(url(), graph), revision_heads{});
  EXPECT_EQ(test::describe(live(url())), existing);  // a stamp runs nothing
  EXPECT_EQ(rows_of(url(), "SELECT revision, direction FROM retort.history ORDER BY id"),
            "head | stamp | \nbase | stamp | \n");
}

// ---------------------------------------------------------------------------------------
// `retort check` in a pull request: the text a reviewer reads lists each change (at its model
// declaration) and its SQL; under GitHub Actions each change is also an `::error` annotation
// on that line of the model source.

void write_text(const fs::path& file, const std::string& text) {
  fs::create_directories(file.parent_path());
  std::ofstream(file, std::ios::binary) << text;
}

// A locations file as retort-scan writes it, the sites given as (key, file, line, column).
struct site_entry {
  std::string key, file;
  int line, column;
};
std::string locations_json(const std::vector<site_entry>& tables, const std::vector<site_entry>& columns) {
  auto section = [](const std::vector<site_entry>& entries) {
    json out = json::object();
    for (const auto& e : entries) out[e.key] = json{{"file", e.file}, {"line", e.line}, {"column", e.column}};
    return out;
  };
  return json{{"format", 1}, {"tables", section(tables)}, {"columns", section(columns)}, {"enums", json::object()}}.dump(2);
}

// The history has users(id) and legacy(id); the models add users.phone_number and drop legacy.
class CliCheck : public Cli {
 protected:
  void SetUp() override {
    const schema history_schema = read_snapshot(R"json({"format": 1, "tables": [
        {"schema": "public", "name": "legacy", "columns": [{"name": "id", "type": "bigint"}]},
        {"schema": "public", "name": "users", "columns": [{"name": "id", "type": "bigint"}],
         "primary_key": {"columns": ["id"]}}]})json",
                                                "history.json");
    (void)write({make_revision(1, {}, "users and legacy", diff(schema{}, history_schema))});
    write_text(snapshot, R"json({"format": 1, "tables": [
        {"schema": "public", "name": "users", "columns": [{"name": "id", "type": "bigint"},
          {"name": "phone_number", "type": "varchar(20)", "nullable": true}],
         "primary_key": {"columns": ["id"]}}]})json");
    write_text(locations, locations_json({{"public.users", (scratch() / "models/user.hpp").string(), 4, 31}},
                                         {{"public.users.id", (scratch() / "models/user.hpp").string(), 5, 43},
                                          {"public.users.phone_number", (scratch() / "models/user.hpp").string(), 6, 56}}));
  }

  /// `retort [global...] check --snapshot S --locations L [options...]`, no database.
  result check(const std::vector<std::string>& options, const env_changes& env, std::vector<std::string> global = {}) {
    global.insert(global.end(), {"check", "--snapshot", snapshot.string(), "--locations", locations.string()});
    global.insert(global.end(), options.begin(), options.end());
    return retort(global, std::nullopt, env);
  }

  const fs::path snapshot = scratch() / "build/schema.json";
  const fs::path locations = scratch() / "build/locations.json";
  // GitHub Actions, with the checkout in the scratch directory: paths relative to it.
  const env_changes github{{"GITHUB_ACTIONS", "true"}, {"GITHUB_WORKSPACE", scratch().string()}};
  // Not GitHub Actions, whatever runs the test.
  const env_changes elsewhere{{"GITHUB_ACTIONS", std::nullopt}, {"GITHUB_WORKSPACE", std::nullopt}};
};

TEST_F(CliCheck, GithubActionsAnnotateEachChangeAtItsModelDeclaration) {
  const result r = check({}, github);
  EXPECT_EQ(r.code, 3) << r;
  // The dropped table is in no model any more: no location; the added column at its field.
  EXPECT_EQ(r.out,
            "::error title=Retort drift::drop table public.legacy\n"
            "::error file=models/user.hpp,line=6,col=56,title=Retort drift::add column public.users.phone_number\n")
      << r;
  EXPECT_EQ(r.err.find("::error"), std::string::npos) << "annotations go to stdout only\n" << r;
  // In the compiler's form, which problem matchers link: the path relative to the workspace.
  EXPECT_NE(r.err.find("\nmodels/user.hpp:6:56: error: add column public.users.phone_number\n"), std::string::npos) << r;

  const result none = check({"--annotations", "none"}, github);
  EXPECT_EQ(none.code, 3) << none;
  EXPECT_EQ(none.out, "") << none;
}

TEST_F(CliCheck, ColorAlwaysPaintsWithTerminalStyles) {
  const result r = check({}, elsewhere, {"--color", "always"});
  EXPECT_EQ(r.code, 3) << r;
  // fmt/color.h's bold red, then the plain message, as for each change at its declaration.
  EXPECT_TRUE(r.err.starts_with("\x1b[1m\x1b[31merror: \x1b[0mthe models differ")) << r;
  EXPECT_NE(r.err.find("user.hpp:6:56: \x1b[1m\x1b[31merror: \x1b[0madd column"), std::string::npos) << r;
  EXPECT_EQ(check({}, elsewhere, {"--color", "never"}).err.find('\x1b'), std::string::npos);
}

TEST_F(CliCheck, ElsewhereTheTextListsEachChangeAndItsSql) {
  const result r = check({}, elsewhere);
  EXPECT_EQ(r.code, 3) << r;
  EXPECT_EQ(r.out, "") << "no annotations outside GitHub Actions\n" << r;
  EXPECT_EQ(r.err, fmt::format("error: the models differ from the migration history in 2 changes\n"
                               "  - drop table public.legacy\n"
                               "{}:6:56: error: add column public.users.phone_number\n"
                               "\n"
                               "As SQL:\n"
                               "  DROP TABLE \"public\".\"legacy\";\n"
                               "  ALTER TABLE \"public\".\"users\" ADD COLUMN \"phone_number\" varchar(20);\n"
                               "\n"
                               "Generate the migration with: retort revision --snapshot {} -m \"<message>\"\n",
                               (scratch() / "models/user.hpp").string(), snapshot.string()));

  // Asked for, annotations come anywhere; without a workspace the path stays absolute.
  const result asked = check({"--annotations", "github"}, elsewhere);
  EXPECT_EQ(asked.code, 3) << asked;
  EXPECT_EQ(asked.out, fmt::format("::error title=Retort drift::drop table public.legacy\n"
                                   "::error file={},line=6,col=56,title=Retort drift::add column public.users.phone_number\n",
                                   (scratch() / "models/user.hpp").string()))
      << asked;

  // Without --locations the changes are the same, at no place.
  const result unplaced = retort({"check", "--snapshot", snapshot.string()}, std::nullopt, github);
  EXPECT_EQ(unplaced.code, 3) << unplaced;
  EXPECT_EQ(unplaced.out,
            "::error title=Retort drift::drop table public.legacy\n"
            "::error title=Retort drift::add column public.users.phone_number\n")
      << unplaced;
}

TEST_F(CliCheck, JsonChangesCarryTheirFileAndLine) {
  const result r = check({}, github, {"--format", "json"});
  EXPECT_EQ(r.code, 3) << r;
  json out;
  ASSERT_NO_THROW(out = json::parse(r.out)) << "JSON output stays JSON under GitHub Actions\n" << r;
  EXPECT_EQ(out["changes"], json::parse(fmt::format(R"([
      {{"description": "drop table public.legacy", "file": null, "line": null, "column": null}},
      {{"description": "add column public.users.phone_number", "file": "{}", "line": 6, "column": 56}}])",
                                                    (scratch() / "models/user.hpp").string())))
      << r;
  EXPECT_EQ(out["ok"], false);

  const result both = check({"--annotations", "github"}, elsewhere, {"--format", "json"});
  EXPECT_EQ(both.code, 2) << both;
}

TEST_F(CliCheck, BadLocationsFileIsBadInput) {
  write_text(locations, R"({"format": 1, "tables": {"public.users": {"file": "/m.hpp", "line": "six", "column": 1}}})");
  const result r = check({}, elsewhere);
  EXPECT_EQ(r.code, 1) << r;
  EXPECT_EQ(r.err, fmt::format("error: {}: tables[\"public.users\"].line: expected a positive integer\n", locations.string()));
}

// --cache-dir: a history verified once is not replayed again while its files keep their bytes;
// any change to a file, or to what the check is asked, verifies it in full again.
TEST_F(CliCheck, CacheDirRemembersTheVerifiedHistoryUntilAFileChanges) {
  const fs::path cache = scratch() / "build/check-cache";
  auto cached_check = [&](std::vector<std::string> options = {}) {
    options.insert(options.end(), {"--cache-dir", cache.string()});
    const result r = check(options, elsewhere, {"--format", "json"});
    json out;
    EXPECT_NO_THROW(out = json::parse(r.out)) << r;
    return std::pair{r, out};
  };
  auto entries = [&] {
    std::vector<fs::path> found;
    for (const auto& e : fs::directory_iterator(cache)) found.push_back(e.path());
    return found;
  };

  const auto [first, first_out] = cached_check();
  EXPECT_EQ(first.code, 3) << first;  // drift is the models' business: the history is still verified
  EXPECT_EQ(first_out["history_from_cache"], false) << first;
  ASSERT_EQ(entries().size(), 1u);
  EXPECT_EQ(entries().front().extension(), ".check");

  const auto [second, second_out] = cached_check();
  EXPECT_EQ(second.code, 3) << second;
  EXPECT_EQ(second_out["history_from_cache"], true) << second;
  EXPECT_EQ(second_out["changes"], first_out["changes"]) << "the cached head diffs as the replayed one";
  // The text report from the cache is the one a full check prints.
  const result text_cached = check({"--cache-dir", cache.string()}, elsewhere);
  EXPECT_EQ(text_cached.err, check({}, elsewhere).err);

  // Other options, another verdict: lint is not skipped by a cache written without it.
  EXPECT_EQ(cached_check({"--no-lint"}).second["history_from_cache"], false);
  EXPECT_EQ(cached_check({"--no-lint"}).second["history_from_cache"], true);
  EXPECT_EQ(entries().size(), 1u) << "one entry: the last key's";

  // A migration file edited behind retort.sum's back: the full check runs and says so.
  fs::path migration;
  for (const auto& e : fs::directory_iterator(migrations()))
    if (e.path().extension() == ".json") migration = e.path();
  write_text(migration, test::read_text(migration) + " ");
  const auto [edited, edited_out] = cached_check();
  EXPECT_EQ(edited.code, 3) << edited;
  EXPECT_EQ(edited_out["history_from_cache"], false) << edited;
  EXPECT_NE(edited_out["problems"].dump().find("retort.sum"), std::string::npos) << edited;
  // Rehashed, the edit is accepted: a new key, verified in full once, then from the cache.
  ASSERT_EQ(retort({"rehash"}).code, 0);
  EXPECT_EQ(cached_check().second["history_from_cache"], false);
  EXPECT_EQ(cached_check().second["history_from_cache"], true);

  // A damaged entry is a miss, never an error, and is written again.
  write_text(entries().front(), "{\"head\": ");
  const auto [damaged, damaged_out] = cached_check();
  EXPECT_EQ(damaged.code, 3) << damaged;
  EXPECT_EQ(damaged_out["history_from_cache"], false) << damaged;
  EXPECT_EQ(cached_check().second["history_from_cache"], true);
}

// Workflow-command escaping: `%` in the message; `,` `:` `%` in the file property. Several
// heads: one annotation on the first line of the newest head's migration file.
TEST_F(Cli, CheckAnnotationsAreEscapedAndSeveralHeadsPointAtTheNewest) {
  const env_changes github{{"GITHUB_ACTIONS", "true"}, {"GITHUB_WORKSPACE", scratch().string()}};
  const fs::path snapshot = scratch() / "schema.json";
  const fs::path locations = scratch() / "locations.json";
  const schema base = read_snapshot(R"json({"format": 1, "tables": [{"schema": "public", "name": "t",
      "columns": [{"name": "id", "type": "bigint"}]}]})json",
                                    "base.json");
  const revision r1 = make_revision(1, {}, "t", diff(schema{}, base));
  (void)write({r1});
  write_text(snapshot, R"json({"format": 1, "tables": [{"schema": "public", "name": "t",
      "columns": [{"name": "id", "type": "bigint"}, {"name": "share%", "type": "integer", "nullable": true}]}]})json");
  write_text(locations, locations_json({}, {{"public.t.share%", (scratch() / "models/a,b:c%.hpp").string(), 2, 3}}));
  const std::vector<std::string> args{"check", "--snapshot", snapshot.string(), "--locations", locations.string()};

  const result r = retort(args, std::nullopt, github);
  EXPECT_EQ(r.code, 3) << r;
  EXPECT_EQ(r.out, "::error file=models/a%2Cb%3Ac%25.hpp,line=2,col=3,title=Retort drift::add column public.t.share%25\n") << r;

  // Two branches from r1: the newer (by creation time) is written first.
  const revision newer = make_revision(3, {r1.id}, "branch a", {ops::create_schema{"a"}});
  const revision older = make_revision(2, {r1.id}, "branch b", {ops::create_schema{"b"}});
  const revision_graph graph = write({r1, newer, older});
  const result heads = retort(args, std::nullopt, github);
  EXPECT_EQ(heads.code, 3) << heads;
  const std::string newest = fs::path(graph.at(newer.id).file).filename().string();
  EXPECT_EQ(heads.out, fmt::format("::error file=versions/{},line=1,title=Retort heads::the history has 2 heads ({}): "
                                   "join them with `retort merge`\n",
                                   newest, fmt::join(graph.heads(), ", ")))
      << heads;
}

// ---------------------------------------------------------------------------------------
// retort.sum: an edited, hand-added or removed migration stops upgrade, downgrade and check
// with no database (the URL here reaches none); `retort rehash` records an intended change.

TEST_F(Cli, RetortSumCatchesChangedFilesWithoutADatabase) {
  const auto history = testing::random_history(91, 2);
  const revision_graph graph = write(history);
  const std::string nowhere = "host=/nonexistent-dir dbname=postgres";
  const fs::path snapshot = scratch() / "models.json";
  std::ofstream(snapshot, std::ios::binary) << write_snapshot(graph.schema_at(graph.heads()));
  // A random history drops and renames things: the lint is not what this test is about.
  const std::vector<std::string> check{"check", "--snapshot", snapshot.string(), "--no-lint"};
  ASSERT_EQ(retort(check, std::nullopt).code, 0);

  const revision by_hand = make_revision(3, {history[1].id}, "by hand", {ops::create_schema{"s"}});
  const fs::path added = testing::write_migration(migrations(), by_hand);
  for (const std::string command : {"upgrade", "downgrade"}) {
    const result r = retort({command}, nowhere);
    EXPECT_EQ(r.code, 1) << r;
    EXPECT_NE(r.err.find(added.filename().string() + " was added without `retort revision`"), std::string::npos) << r;
    EXPECT_NE(r.err.find("Nothing was run"), std::string::npos) << r;
  }
  const result checked = retort(check, std::nullopt);
  EXPECT_EQ(checked.code, 3) << checked;
  EXPECT_NE(checked.err.find("was added without `retort revision`"), std::string::npos) << checked;

  ASSERT_EQ(retort({"rehash"}, std::nullopt).code, 0);
  EXPECT_EQ(retort({"upgrade"}, nowhere).code, 4);  // past retort.sum: now the database is missing

  fs::remove(migrations() / "retort.sum");
  const result missing = retort({"upgrade"}, nowhere);
  EXPECT_EQ(missing.code, 1) << missing;
  EXPECT_NE(missing.err.find("retort.sum is missing"), std::string::npos) << missing;
  EXPECT_NE(missing.err.find("`retort rehash`"), std::string::npos) << missing;
}

// A revision written by `retort revision` updates retort.sum with it.
TEST_F(Cli, RevisionAndMergeWriteRetortSum) {
  const fs::path snapshot = scratch() / "models.json";
  std::ofstream(snapshot, std::ios::binary) << R"json({"format": 1, "tables": [{"schema": "public", "name": "t",
      "columns": [{"name": "id", "type": "bigint"}]}]})json";
  const result r = retort({"revision", "--init", "--snapshot", snapshot.string(), "-m", "first"}, std::nullopt);
  ASSERT_EQ(r.code, 0) << r;
  EXPECT_NO_THROW(verify_sum_file(migrations().string(), sum_of(load_revisions(migrations().string()))));
  EXPECT_EQ(retort({"check", "--snapshot", snapshot.string()}, std::nullopt).code, 0);
}

// ---------------------------------------------------------------------------------------
// A downgrade across an irreversible step stops before running anything.

TEST_F(Cli, DowngradeAcrossAnIrreversibleStepRunsNothing) {
  const revision r1 = make_revision(1, {}, "sessions", {ops::sql{"CREATE TABLE sessions (id integer)", "DROP TABLE sessions"}});
  revision r2 = make_revision(2, {r1.id}, "purge", {});  // no inverse to take
  r2.upgrade = {ops::sql{"DELETE FROM sessions", std::nullopt, true, "deleted sessions cannot be brought back"}};
  const revision r3 = make_revision(3, {r2.id}, "schema", {ops::create_schema{"after"}});
  const revision_graph graph = write({r1, r2, r3});
  ASSERT_EQ(retort({"upgrade"}).code, 0);
  const std::string audit = rows_of(url(), "SELECT id, revision, direction FROM retort.history ORDER BY id");

  const result r = retort({"downgrade", "base"});
  EXPECT_EQ(r.code, 1) << r;
  for (const auto& part : {"revision " + r2.id, graph.at(r2.id).file, std::string("cannot be undone"),
                           std::string("deleted sessions cannot be brought back"), std::string("Nothing was run")})
    EXPECT_NE(r.err.find(part), std::string::npos) << part << " not in\n" << r;
  EXPECT_EQ(rows_of(url(), "SELECT id, revision, direction FROM retort.history ORDER BY id"), audit);
  EXPECT_EQ(current_of(url(), graph), revision_heads{r3.id});
  EXPECT_EQ(retort({"downgrade", "-1"}).code, 0);  // down to the irreversible one is fine
}

// ---------------------------------------------------------------------------------------
// The backend terminated while a revision runs: which revision, why, rolled back, how to resume.

TEST_F(Cli, LostConnectionSaysWhichRevisionWhyAndHowToResume) {
  const revision r1 = make_revision(1, {}, "first", {ops::create_schema{"first"}});
  const revision r2 = make_revision(2, {r1.id}, "slow", {ops::create_schema{"second"},
                                                         ops::sql{"SELECT pg_sleep(60)", "SELECT 1"}});
  const revision_graph graph = write({r1, r2});
  auto upgrade = start_retort({"upgrade"});

  pqxx::connection admin(url());
  const auto deadline = clock_type::now() + std::chrono::seconds(30);
  int terminated = 0;
  while (terminated == 0 && clock_type::now() < deadline) {
    pqxx::nontransaction tx(admin);
    terminated = tx.exec("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() "
                         "AND query = 'SELECT pg_sleep(60)' AND pid <> pg_backend_pid()")
                     .size();
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  ASSERT_EQ(terminated, 1);
  const result r = upgrade->wait();
  EXPECT_EQ(r.code, 4) << r;
  for (const auto* part : {"connection to the database was lost while revision", "pg_terminate_backend",
                           "operation: upgrade[1] sql: SELECT pg_sleep(60)", "The revision was rolled back",
                           "Rerun `retort upgrade`"})
    EXPECT_NE(r.err.find(part), std::string::npos) << part << " not in\n" << r;
  EXPECT_NE(r.err.find(r2.id), std::string::npos) << r;
  EXPECT_TRUE(r.out.ends_with(" ... failed\n")) << r;
  EXPECT_EQ(current_of(url(), graph), revision_heads{r1.id});
  EXPECT_SAME_SCHEMA(live(url()), graph.schema_at({r1.id}));
}


// ---------------------------------------------------------------------------------------
// SIGKILL during CREATE INDEX CONCURRENTLY on a big table: the build's INVALID index stays
// behind, and the next `retort upgrade` drops it and builds it again with no manual repair.

TEST_F(Cli, KilledConcurrentIndexBuildIsRebuiltByTheRerun) {
  const schema before = read_snapshot(R"json({"format": 1, "tables": [{"schema": "public", "name": "items",
      "columns": [{"name": "id", "type": "bigint"}, {"name": "x", "type": "integer"}],
      "primary_key": {"columns": ["id"]}}]})json",
                                      "items.json");
  schema after = before;
  after.tables[0].indexes.push_back(index{"ix_items_x", {"x"}, false, {}, "btree"});
  const revision r1 = make_revision(1, {}, "items", diff(schema{}, before));
  const revision r2 = make_revision(2, {r1.id}, "index x", diff(before, after));
  const revision_graph graph = write({r1, r2});
  ASSERT_EQ(retort({"upgrade", "+1"}).code, 0);
  {
    pqxx::connection conn(url());
    pqxx::nontransaction tx(conn);
    tx.exec("INSERT INTO items SELECT g, (g::bigint * 7919) % 1000003 FROM generate_series(1, 1500000) g");
    // PostgreSQL notices a vanished client only when it next talks to it, which a build does
    // not do until it ends: with this check the killed client's build stops, as an
    // administrator's cancel would stop it.
    tx.exec("ALTER DATABASE " + tx.quote_name(tx.exec1("SELECT current_database()")[0].as<std::string>()) +
            " SET client_connection_check_interval = 50");
  }
  const std::string invalid_index =
      "SELECT count(*) FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid "
      "WHERE c.relname = 'ix_items_x' AND NOT i.indisvalid";

  auto upgrade = start_retort({"upgrade"});
  {
    // Killed once the build has started: its index is in the catalog, not yet valid.
    pqxx::connection watch(url());
    const auto deadline = clock_type::now() + std::chrono::seconds(60);
    for (;;) {
      pqxx::nontransaction tx(watch);
      if (tx.exec1(invalid_index)[0].as<int>() > 0) break;
      ASSERT_LT(clock_type::now(), deadline) << "the build never started";
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
  }
  upgrade->kill();
  const result killed = upgrade->wait();
  EXPECT_EQ(killed.code, 128 + SIGKILL) << killed;
  EXPECT_NE(killed.out.find("CREATE INDEX CONCURRENTLY"), std::string::npos) << killed;
  wait_until_alone(url());
  EXPECT_EQ(rows_of(url(), invalid_index), rows_of(url(), "SELECT 1"));
  EXPECT_EQ(current_of(url(), graph), revision_heads{r1.id});

  const result rerun = retort({"upgrade"});
  ASSERT_EQ(rerun.code, 0) << rerun;
  EXPECT_EQ(current_of(url(), graph), revision_heads{r2.id});
  EXPECT_EQ(rows_of(url(), "SELECT i.indisvalid, i.indisready FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid "
                           "WHERE c.relname = 'ix_items_x'"),
            rows_of(url(), "SELECT true, true"));
  EXPECT_SAME_SCHEMA(live(url()), graph.schema_at({r2.id}));
}

}  // namespace
}  // namespace retort

namespace retort {
namespace {

// ---------------------------------------------------------------------------------------
// The lint from the command line: findings at their line of the migration file, exit 3 on an
// error, silenced with a reason, judged only after --since / --lint-since, in check and under
// GitHub Actions; an operation's SQL override runs in place of its statements.

class CliLint : public Cli {
 protected:
  void SetUp() override {
    const schema users = read_snapshot(R"json({"format": 1, "tables": [{"schema": "public", "name": "users",
        "columns": [{"name": "id", "type": "bigint"}, {"name": "bio", "type": "text", "nullable": true}],
        "primary_key": {"columns": ["id"]}}]})json",
                                       "users.json");
    r1 = make_revision(1, {}, "users", diff(schema{}, users));
    r2 = make_revision(2, {r1.id}, "drop bio", {ops::drop_column{{"public", "users"}, *find_column(users.tables[0], "bio")}});
    graph.emplace(write({r1, r2}));
    ASSERT_EQ(retort({"replay", "-o", snapshot.string()}, std::nullopt).code, 0);
  }
  result check(std::vector<std::string> options, const env_changes& env = {}) {
    std::vector<std::string> args{"check", "--snapshot", snapshot.string()};
    args.insert(args.end(), options.begin(), options.end());
    return retort(args, std::nullopt, env);
  }
  revision r1, r2;
  std::optional<revision_graph> graph;
  const fs::path snapshot = scratch() / "head.json";
};

TEST_F(CliLint, ReportsAtTheLineFailsAndCanBeScoped) {
  const result r = retort({"lint"}, std::nullopt);
  EXPECT_EQ(r.code, 3) << r;
  const std::string file = graph->at(r2.id).file;
  EXPECT_NE(r.out.find(file + ":9:7: error: [drop-column] revision " + r2.id + " upgrade[0]"), std::string::npos) << r;
  EXPECT_NE(r.out.find("hint: "), std::string::npos) << r;
  EXPECT_EQ(retort({"lint", "--since", r2.id}, std::nullopt).code, 0);
  EXPECT_EQ(retort({"lint", r1.id}, std::nullopt).code, 0);
  const result rules = retort({"lint", "--rules"}, std::nullopt);
  EXPECT_NE(rules.out.find("index-not-concurrent"), std::string::npos) << rules;
  const result as_json = retort({"--format", "json", "lint"}, std::nullopt);
  EXPECT_EQ(as_json.code, 3);
  const json findings = json::parse(as_json.out).at("findings");
  EXPECT_TRUE(std::any_of(findings.begin(), findings.end(), [](const json& f) {
    return f.at("rule") == "drop-column" && f.at("severity") == "error" && f.at("line") == 9;
  })) << as_json;

  // check fails on it, unless it judges only the revisions after r2, or not at all.
  const result failing = check({});
  EXPECT_EQ(failing.code, 3) << failing;
  EXPECT_NE(failing.err.find("1 lint error"), std::string::npos) << failing;
  EXPECT_EQ(check({"--lint-since", r2.id}).code, 0);
  EXPECT_EQ(check({"--no-lint"}).code, 0);
  const result annotated = check({}, {{"GITHUB_ACTIONS", "true"}, {"GITHUB_WORKSPACE", scratch().string()}});
  EXPECT_NE(annotated.out.find("::error file=versions/"), std::string::npos) << annotated;
  EXPECT_NE(annotated.out.find(",line=9,col=7,title=Retort lint drop-column::"), std::string::npos) << annotated;
}

TEST_F(CliLint, SilencedWithAReason) {
  revision allowed = r2;
  allowed.upgrade_notes[0].allow.push_back({"drop-column", "bio was never read by a released version"});
  fs::remove(graph->at(r2.id).file);
  (void)write({r1, allowed});
  const result r = retort({"lint", "--show-silenced"}, std::nullopt);
  EXPECT_EQ(r.code, 0) << r;
  EXPECT_NE(r.out.find("note: [drop-column]"), std::string::npos) << r;
  EXPECT_NE(r.out.find("allowed: bio was never read by a released version"), std::string::npos) << r;
  EXPECT_EQ(check({}).code, 0);
}

TEST_F(CliLint, AnOverrideRunsInPlaceOfTheGeneratedStatementsAndIsJudged) {
  revision indexed = make_revision(3, {r2.id}, "index id",
                                   {ops::create_index{{"public", "users"}, index{"ix_users_id", {"id"}, false, {}, "btree"}}});
  indexed.upgrade_notes[0].sql = sql_override{{R"(CREATE INDEX "ix_users_id" ON "public"."users" ("id") WITH (fillfactor = 70))"}, true};
  revision allowed = r2;
  allowed.upgrade_notes[0].allow.push_back({"drop-column", "reviewed"});
  fs::remove(graph->at(r2.id).file);
  (void)write({r1, allowed, indexed});
  const result lint = retort({"lint"}, std::nullopt);
  EXPECT_EQ(lint.code, 3) << lint;
  EXPECT_NE(lint.out.find("[index-not-concurrent] revision " + indexed.id), std::string::npos) << lint;
  const result up = retort({"upgrade"});
  ASSERT_EQ(up.code, 0) << up;
  EXPECT_EQ(rows_of(url(), "SELECT reloptions::text FROM pg_class WHERE relname = 'ix_users_id'"),
            rows_of(url(), "SELECT '{fillfactor=70}'"));
  // Replay still sees the index: the history's schema has it, so the models with it show no drift.
  ASSERT_EQ(retort({"replay", "-o", snapshot.string()}, std::nullopt).code, 0);
  EXPECT_EQ(check({"--no-lint"}).code, 0);
  EXPECT_NE(read_bytes(snapshot).find("ix_users_id"), std::string::npos);
}

}  // namespace
}  // namespace retort

namespace retort {
namespace {

// Two branches that change the same column: reported by check and lint, refused by upgrade,
// while heads, history and show still work.
TEST_F(Cli, BranchConflictIsReportedAndStopsWhatAppliesIt) {
  const schema users = read_snapshot(R"json({"format": 1, "tables": [{"schema": "public", "name": "users",
      "columns": [{"name": "id", "type": "bigint"}], "primary_key": {"columns": ["id"]}}]})json",
                                     "users.json");
  column phone;
  phone.name = "phone";
  phone.type = *parse_builtin_type("text");
  phone.nullable = true;
  const revision r1 = make_revision(1, {}, "users", diff(schema{}, users));
  const revision left = make_revision(2, {r1.id}, "left phone", {ops::add_column{{"public", "users"}, phone}});
  const revision right = make_revision(3, {r1.id}, "right phone", {ops::add_column{{"public", "users"}, phone}});
  const revision_graph graph = write({r1, left, right});
  ASSERT_EQ(graph.conflicts().size(), 1u);

  const result heads = retort({"heads"}, std::nullopt);
  EXPECT_EQ(heads.code, 0) << heads;
  EXPECT_EQ(retort({"history"}, std::nullopt).code, 0);
  EXPECT_EQ(retort({"show", left.id}, std::nullopt).code, 0);
  const result lint = retort({"lint"}, std::nullopt);
  EXPECT_EQ(lint.code, 3) << lint;
  EXPECT_NE(lint.out.find("[branch-conflict]"), std::string::npos) << lint;
  const result up = retort({"upgrade"});
  EXPECT_EQ(up.code, 1) << up;
  EXPECT_NE(up.err.find("column public.users.phone"), std::string::npos) << up;
  EXPECT_NE(up.err.find("Resolve it as a merge conflict"), std::string::npos) << up;
  EXPECT_EQ(rows_of(url(), "SELECT count(*) FROM pg_tables WHERE tablename = 'users'"), rows_of(url(), "SELECT 0"));
}

}  // namespace
}  // namespace retort
