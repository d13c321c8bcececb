// The local cluster: finding PostgreSQL, connection strings, socket placement, and a real
// cluster of its own that keeps its data across a stop and a start.
#include "local_cluster.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <optional>
#include <pqxx/pqxx>
#include <string>

#include "pg_fixture.hpp"
#include "retort/errors.hpp"
#include "scratch_dir.hpp"

namespace retort {
namespace {

namespace fs = std::filesystem;


// Sets an environment variable for one scope, then puts the old value back.
class scoped_env {
 public:
  scoped_env(const char* name, const std::string& value) : name_(name) {
    if (const char* old = std::getenv(name)) old_ = old;
    setenv(name, value.c_str(), 1);
  }
  ~scoped_env() {
    if (old_)
      setenv(name_, old_->c_str(), 1);
    else
      unsetenv(name_);
  }
  scoped_env(const scoped_env&) = delete;
  scoped_env& operator=(const scoped_env&) = delete;

 private:
  const char* name_;
  std::optional<std::string> old_;
};

TEST(find_postgres_bin_dir, finds_initdb_and_pg_ctl) {
  const auto bin = find_postgres_bin_dir();
  EXPECT_TRUE(fs::exists(bin / "initdb")) << bin;
  EXPECT_TRUE(fs::exists(bin / "pg_ctl")) << bin;
}

TEST(find_postgres_bin_dir, names_the_package_when_retort_pg_bin_is_empty) {
  testing::scratch_dir empty;
  scoped_env env("RETORT_PG_BIN", empty.path().string());
  try {
    (void)find_postgres_bin_dir();
    FAIL() << "an empty RETORT_PG_BIN was accepted";
  } catch (const error& e) {
    const std::string message = e.what();
    EXPECT_NE(message.find("RETORT_PG_BIN"), std::string::npos) << message;
    EXPECT_NE(message.find(empty.path().string()), std::string::npos) << message;
    EXPECT_NE(message.find("apt-get install postgresql"), std::string::npos) << message;
  }
}

TEST(local_cluster, url_quotes_what_libpq_would_split) {
  EXPECT_EQ(local_cluster{"/srv/db"}.url(), "host=/srv/db dbname=postgres user=postgres");
  EXPECT_EQ(local_cluster{"/srv/my db"}.url("it's"), R"(host='/srv/my db' dbname='it\'s' user=postgres)");
  EXPECT_EQ(local_cluster{"/srv/back\\slash"}.url(""), R"(host='/srv/back\\slash' dbname='' user=postgres)");
}

TEST(local_cluster, puts_a_socket_that_does_not_fit_in_tmp) {
  const local_cluster short_dir{"/srv/db"};
  EXPECT_EQ(short_dir.socket_directory(), fs::path{"/srv/db"});

  const fs::path long_path = "/srv/" + std::string(120, 'x');
  const local_cluster long_dir{long_path};
  const auto socket_dir = long_dir.socket_directory();
  EXPECT_EQ(socket_dir.parent_path(), fs::path{"/tmp"});
  EXPECT_EQ(socket_dir.filename().string().size(), std::string{"retort-12345678"}.size());
  EXPECT_EQ(socket_dir, local_cluster{long_path}.socket_directory()) << "not stable";
  EXPECT_NE(socket_dir, local_cluster{long_path.string() + "y"}.socket_directory());
}

TEST(local_cluster, refuses_a_directory_the_server_user_cannot_reach) {
  if (geteuid() != 0) GTEST_SKIP() << "only root hands the server to another user";
  testing::scratch_dir base;
  fs::permissions(base.path(), fs::perms::owner_all);  // 0700, owned by root
  local_cluster cluster{base.path() / "cluster"};
  try {
    cluster.start();
    FAIL() << "a cluster under a 0700 root directory was started";
  } catch (const error& e) {
    const std::string message = e.what();
    EXPECT_NE(message.find("postgres"), std::string::npos) << message;
    EXPECT_NE(message.find(base.path().string()), std::string::npos) << message;
  }
}

// A long path with spaces: the socket goes to /tmp and the configuration quoting is exercised.
TEST(local_cluster, keeps_data_across_stop_and_start) {
  testing::scratch_dir base;
  const fs::path dir = base.path() / "a directory with spaces" / std::string(90, 'd') / "cluster";
  local_cluster cluster{dir};
  ASSERT_NE(cluster.socket_directory(), cluster.directory());

  cluster.start();
  EXPECT_TRUE(cluster.running());
  cluster.start();  // a second start is a no-op
  cluster.create_database("keep me");
  cluster.create_database("keep me");  // so is creating an existing database
  {
    pqxx::connection conn{cluster.url("keep me")};
    pqxx::work tx{conn};
    tx.exec0("CREATE TABLE kept (value text NOT NULL)");
    tx.exec0("INSERT INTO kept VALUES ('still here')");
    tx.commit();
  }

  cluster.stop();
  EXPECT_FALSE(cluster.running());
  cluster.stop();  // stopping a stopped cluster is a no-op

  cluster.start();
  {
    pqxx::connection conn{cluster.url("keep me")};
    pqxx::read_transaction tx{conn};
    EXPECT_EQ(tx.exec1("SELECT value FROM kept")[0].as<std::string>(), "still here");
  }
  cluster.stop();
  std::error_code ec;
  fs::remove_all(cluster.socket_directory(), ec);
}

// The tests' shared cluster is throwaway: it runs without durability, which makes the suite
// faster (throwaway_cluster.hpp), whether the CTest fixture or the test binary started it.
TEST(test_cluster, runs_without_durability) {
  pqxx::connection conn{test::test_cluster().url("postgres")};
  pqxx::read_transaction tx{conn};
  for (const char* setting : {"fsync", "synchronous_commit", "full_page_writes"}) {
    EXPECT_EQ(tx.exec1(std::string("SHOW ") + setting)[0].as<std::string>(), "off") << setting;
  }
}

}  // namespace
}  // namespace retort
