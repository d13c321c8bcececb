// The local cluster: initdb, pg_ctl and a Unix socket kept in one directory. PostgreSQL
// refuses to run as root, so when we are root every server command runs as `postgres`.
#include "local_cluster.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <grp.h>
#include <locale.h>
#include <pwd.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstdlib>
#include <deque>
#include <fstream>
#include <functional>
#include <optional>
#include <utility>
#include <vector>

#include <pqxx/pqxx>

#include "process.hpp"
#include "retort/errors.hpp"

namespace retort {
namespace {

namespace fs = std::filesystem;
using process::find_on_path;
using process::is_executable_file;
using process::throw_system_error;

constexpr std::string_view install_hint = "on Debian or Ubuntu: apt-get install postgresql";
constexpr std::string_view socket_name = ".s.PGSQL.5432";
constexpr std::size_t max_socket_path = 107;  // sizeof(sockaddr_un::sun_path) minus the NUL
constexpr std::string_view retort_conf = "retort.conf";

// ---------------------------------------------------------------------------------------
// Who runs initdb, pg_ctl and the server: this process's user, or `postgres` through
// runuser when we are root.

struct server_account {
  bool switch_user = false;
  uid_t uid = 0;
  gid_t gid = 0;
  std::string name;
  fs::path runuser;

  [[nodiscard]] std::vector<std::string> command(std::vector<std::string> argv) const {
    if (!switch_user) return argv;
    std::vector<std::string> wrapped{runuser.string(), "-u", name, "--"};
    wrapped.insert(wrapped.end(), std::make_move_iterator(argv.begin()), std::make_move_iterator(argv.end()));
    return wrapped;
  }
};

server_account current_server_account() {
  server_account account;
  account.uid = geteuid();
  account.gid = getegid();
  if (account.uid != 0) return account;

  account.switch_user = true;
  account.name = "postgres";
  passwd entry{};
  passwd* found = nullptr;
  std::vector<char> buffer(16384);
  if (getpwnam_r(account.name.c_str(), &entry, buffer.data(), buffer.size(), &found) != 0 || found == nullptr) {
    throw error(
        fmt::format("running as root: PostgreSQL refuses to run as root, and there is no `postgres` user to run "
                    "the local cluster as ({} creates it)",
                    install_hint));
  }
  account.uid = entry.pw_uid;
  account.gid = entry.pw_gid;
  auto runuser = find_on_path("runuser", {"/usr/sbin", "/sbin", "/usr/bin", "/bin"});
  if (!runuser) {
    throw error(
        "running as root: PostgreSQL refuses to run as root, so the local cluster runs as the "
        "`postgres` user through `runuser`, which was not found (it comes with util-linux)");
  }
  account.runuser = *runuser;
  return account;
}

std::vector<gid_t> groups_of(const server_account& account) {
  int count = 64;
  std::vector<gid_t> groups(static_cast<std::size_t>(count));
  while (getgrouplist(account.name.c_str(), account.gid, groups.data(), &count) < 0) {
    groups.resize(static_cast<std::size_t>(count) + 1);
    count = static_cast<int>(groups.size());
  }
  groups.resize(static_cast<std::size_t>(count));
  return groups;
}

// The server user must be able to enter every directory above the cluster; a cluster under
// /root (mode 700) is the usual way to get this wrong.
void check_reachable(const fs::path& dir, const server_account& account) {
  if (!account.switch_user) return;
  const auto groups = groups_of(account);
  for (fs::path p = dir.parent_path();; p = p.parent_path()) {
    struct stat st = {};
    if (stat(p.c_str(), &st) != 0) throw_system_error(fmt::format("cannot inspect {}", p.string()));
    const bool in_group = std::find(groups.begin(), groups.end(), st.st_gid) != groups.end();
    const mode_t bit = st.st_uid == account.uid ? S_IXUSR : in_group ? S_IXGRP : S_IXOTH;
    if ((st.st_mode & bit) == 0) {
      throw error(
          fmt::format("cannot use the local cluster in {}: running as root, the PostgreSQL server runs as the "
                      "`{}` user, which cannot enter {} (mode {:o}). Put the cluster somewhere `{}` can reach "
                      "(for example under /tmp or the build tree of a checkout outside /root), or make {} "
                      "traversable (chmod o+x)",
                      dir.string(), account.name, p.string(), st.st_mode & 07777, account.name, p.string()));
    }
    if (p == p.root_path() || p == p.parent_path()) break;
  }
}

// Creates `dir` (and its parents) and gives it to the server user. A `private_mode` directory
// (the socket directory in /tmp) must be a real directory of the server user with that mode:
// anything else there could be another user's trap.
void make_server_directory(const fs::path& dir, const server_account& account, mode_t private_mode = 0) {
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) throw error(fmt::format("cannot create {}: {}", dir.string(), ec.message()));
  struct stat st = {};
  const int rc = private_mode != 0 ? lstat(dir.c_str(), &st) : stat(dir.c_str(), &st);
  if (rc != 0) throw_system_error(fmt::format("cannot inspect {}", dir.string()));
  if (!S_ISDIR(st.st_mode)) throw error(fmt::format("{} is not a directory", dir.string()));
  if (account.switch_user && (st.st_uid != account.uid || st.st_gid != account.gid)) {
    if (chown(dir.c_str(), account.uid, account.gid) != 0) {
      throw_system_error(fmt::format("cannot give {} to the `{}` user", dir.string(), account.name));
    }
  } else if (private_mode != 0 && st.st_uid != account.uid) {
    throw error(fmt::format("{} belongs to another user; remove it to let the local cluster use it", dir.string()));
  }
  if (private_mode != 0 && (st.st_mode & 07777) != private_mode && chmod(dir.c_str(), private_mode) != 0) {
    throw_system_error(fmt::format("cannot set the permissions of {}", dir.string()));
  }
}

// Serializes start and stop of one cluster between processes (parallel builds, test runners).
class directory_lock {
 public:
  explicit directory_lock(const fs::path& dir) {
    const auto file = dir / ".retort-cluster.lock";
    fd_ = open(file.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (fd_ < 0) throw_system_error(fmt::format("cannot open {}", file.string()));
    while (flock(fd_, LOCK_EX) != 0) {
      if (errno != EINTR) {
        const int err = errno;
        close(fd_);
        throw_system_error(fmt::format("cannot lock {}", file.string()), err);
      }
    }
  }
  ~directory_lock() { close(fd_); }
  directory_lock(const directory_lock&) = delete;
  directory_lock& operator=(const directory_lock&) = delete;

 private:
  int fd_ = -1;
};

// ---------------------------------------------------------------------------------------
// Configuration text.

// A postgresql.conf string literal.
std::string conf_string(std::string_view value) {
  std::string out = "'";
  for (const char c : value) {
    if (c == '\'') {
      out += "''";
    } else if (c == '\\') {
      out += "\\\\";
    } else {
      out += c;
    }
  }
  return out + "'";
}

// One element of a directory list such as unix_socket_directories (double-quoted so that
// spaces and commas survive).
std::string directory_list_element(std::string_view dir) {
  std::string out = "\"";
  for (const char c : dir) {
    out += c;
    if (c == '"') out += '"';
  }
  return out + "\"";
}

// A libpq key=value value, quoted only when it must be.
std::string conninfo_value(std::string_view value) {
  if (!value.empty() && value.find_first_of(" \t\n\r\f\v'\\") == std::string_view::npos) return std::string{value};
  std::string out = "'";
  for (const char c : value) {
    if (c == '\'' || c == '\\') out += '\\';
    out += c;
  }
  return out + "'";
}

std::string last_lines(const fs::path& file, std::size_t count) {
  std::ifstream in(file);
  std::deque<std::string> lines;
  for (std::string line; std::getline(in, line);) {
    lines.push_back(std::move(line));
    if (lines.size() > count) lines.pop_front();
  }
  std::string out;
  for (const auto& line : lines) out += line + '\n';
  return out;
}

std::string trimmed(std::string text) {
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
  return text;
}

std::uint32_t fnv1a(std::string_view text) {
  std::uint32_t hash = 2166136261u;
  for (const unsigned char c : text) {
    hash ^= c;
    hash *= 16777619u;
  }
  return hash;
}

std::vector<int> version_key(const std::string& name) {
  std::vector<int> key;
  std::size_t pos = 0;
  while (pos < name.size()) {
    std::size_t end = name.find('.', pos);
    if (end == std::string::npos) end = name.size();
    const std::string part = name.substr(pos, end - pos);
    if (part.empty() || part.find_first_not_of("0123456789") != std::string::npos) return {};
    key.push_back(std::atoi(part.c_str()));
    pos = end + 1;
  }
  return key;
}

bool has_server_binaries(const fs::path& bin) {
  return is_executable_file(bin / "initdb") && is_executable_file(bin / "pg_ctl");
}

fs::path normalized_absolute(const fs::path& dir) {
  fs::path p = fs::absolute(dir).lexically_normal();
  if (!p.has_filename() && p.has_parent_path() && p != p.root_path()) p = p.parent_path();
  return p;
}

}  // namespace

// ---------------------------------------------------------------------------------------

fs::path find_postgres_bin_dir() {
  if (const char* env = std::getenv("RETORT_PG_BIN"); env != nullptr && *env != '\0') {
    const fs::path bin{env};
    if (has_server_binaries(bin)) return bin;
    throw error(
        fmt::format("RETORT_PG_BIN is set to {}, which does not hold PostgreSQL's server binaries (initdb, "
                    "pg_ctl). Point it at PostgreSQL's bin directory or unset it; to install PostgreSQL, {}",
                    bin.string(), install_hint));
  }

  std::vector<std::pair<std::vector<int>, fs::path>> candidates;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator("/usr/lib/postgresql", ec)) {
    auto key = version_key(entry.path().filename().string());
    if (!key.empty() && has_server_binaries(entry.path() / "bin"))
      candidates.emplace_back(std::move(key), entry.path() / "bin");
  }
  if (!candidates.empty()) {
    return std::max_element(candidates.begin(), candidates.end())->second;
  }
  // Other layouts (Fedora, Homebrew) put the server binaries on PATH.
  if (auto initdb = find_on_path("initdb"); initdb && has_server_binaries(initdb->parent_path())) {
    return initdb->parent_path();
  }
  throw error(
      fmt::format("PostgreSQL's server binaries (initdb, pg_ctl) were not found in /usr/lib/postgresql/*/bin "
                  "or on PATH; install them ({}) or set RETORT_PG_BIN to the directory holding them",
                  install_hint));
}

local_cluster::local_cluster(fs::path dir) : dir_(normalized_absolute(dir)) {}

fs::path local_cluster::socket_directory() const {
  if ((dir_ / socket_name).string().size() <= max_socket_path) return dir_;
  // Too long for a Unix socket address: a stable directory of its own in /tmp.
  return fs::path{fmt::format("/tmp/retort-{:08x}", fnv1a(dir_.string()))};
}

bool local_cluster::running() const {
  if (!fs::exists(dir_ / "data" / "PG_VERSION")) return false;
  const auto account = current_server_account();
  const auto bin = find_postgres_bin_dir();
  const auto result =
      process::run(account.command({(bin / "pg_ctl").string(), "status", "-D", (dir_ / "data").string()}), "/");
  return result.exit_code == 0;
}

local_cluster::start_result local_cluster::start() {
  const auto bin = find_postgres_bin_dir();
  const auto account = current_server_account();
  make_server_directory(dir_, account);
  check_reachable(dir_, account);
  const directory_lock lock(dir_);
  if (running()) return start_result::already_running;

  const auto data = dir_ / "data";
  const bool create = !fs::exists(data / "PG_VERSION");
  if (create) {
    // C.UTF-8 sorts bytewise like C but knows UTF-8 characters; fall back to plain C.
    const locale_t utf8 = newlocale(LC_ALL_MASK, "C.UTF-8", nullptr);
    const bool have_utf8 = utf8 != nullptr;
    if (have_utf8) freelocale(utf8);
    const auto initdb =
        process::run(account.command({(bin / "initdb").string(), "-D", data.string(), "-U", "postgres", "--auth=trust",
                                     "-E", "UTF8", have_utf8 ? "--locale=C.UTF-8" : "--no-locale"}),
                    dir_);
    if (initdb.exit_code != 0) {
      throw error(fmt::format("initdb failed to create a PostgreSQL cluster in {} (exit code {}):\n{}", data.string(),
                              initdb.exit_code, trimmed(initdb.output)));
    }
    std::ofstream conf(data / "postgresql.conf", std::ios::app);
    conf << "\n# Added by Retort: settings rewritten at each start (Unix socket only, no TCP).\n"
         << "include_if_exists = " << conf_string(retort_conf) << "\n";
    if (!conf.flush()) throw error(fmt::format("cannot write {}", (data / "postgresql.conf").string()));
  }

  // Rewritten at each start so that a moved cluster directory still gets its socket right.
  const auto socket_dir = socket_directory();
  if (socket_dir != dir_) make_server_directory(socket_dir, account, 0700);
  {
    const auto path = data / retort_conf;
    std::ofstream conf(path, std::ios::trunc);
    conf << "# Written by Retort at each start of the local cluster.\n"
         << "listen_addresses = ''\n"
         << "unix_socket_directories = " << conf_string(directory_list_element(socket_dir.string())) << "\n";
    if (!conf.flush()) throw error(fmt::format("cannot write {}", path.string()));
    conf.close();
    if (account.switch_user && chown(path.c_str(), account.uid, account.gid) != 0) {
      throw_system_error(fmt::format("cannot give {} to the `{}` user", path.string(), account.name));
    }
  }

  const auto log = dir_ / "server.log";
  const auto pg_ctl = process::run(
      account.command({(bin / "pg_ctl").string(), "-w", "-D", data.string(), "-l", log.string(), "start"}), dir_);
  if (pg_ctl.exit_code != 0) {
    throw error(fmt::format("PostgreSQL did not start in {} (pg_ctl exit code {}):\n{}\nLast lines of {}:\n{}",
                            data.string(), pg_ctl.exit_code, trimmed(pg_ctl.output), log.string(),
                            trimmed(last_lines(log, 20))));
  }
  return create ? start_result::created : start_result::started;
}

void local_cluster::stop() {
  if (!fs::exists(dir_ / "data" / "PG_VERSION")) return;
  const auto bin = find_postgres_bin_dir();
  const auto account = current_server_account();
  const directory_lock lock(dir_);
  if (!running()) return;
  const auto data = dir_ / "data";
  const auto pg_ctl =
      process::run(account.command({(bin / "pg_ctl").string(), "-w", "-m", "fast", "-D", data.string(), "stop"}), dir_);
  if (pg_ctl.exit_code != 0) {
    throw error(fmt::format("PostgreSQL in {} did not stop (pg_ctl exit code {}):\n{}", data.string(), pg_ctl.exit_code,
                            trimmed(pg_ctl.output)));
  }
}

std::string local_cluster::url(std::string_view database) const {
  return fmt::format("host={} dbname={} user=postgres", conninfo_value(socket_directory().string()),
                     conninfo_value(database));
}

namespace {
// One statement on the cluster's maintenance database, with its errors as Retort's.
void on_postgres(const local_cluster& cluster, std::string_view what, const std::string& name,
                 const std::function<void(pqxx::nontransaction&)>& run) {
  try {
    pqxx::connection conn{cluster.url("postgres")};
    pqxx::nontransaction tx{conn};
    run(tx);
  } catch (const pqxx::sql_error& e) {
    if (what == "create" && e.sqlstate() == "42P04") return;  // duplicate_database: created concurrently
    throw database_error(fmt::format("cannot {} database {}: {}", what, name, trimmed(e.what())), e.sqlstate(),
                         e.query());
  } catch (const pqxx::failure& e) {
    throw database_error(fmt::format("cannot {} database {} on the local cluster in {}: {}", what, name,
                                     cluster.directory().string(), trimmed(e.what())));
  }
}
}  // namespace

void local_cluster::drop_database(std::string_view database) const {
  const std::string name{database};
  on_postgres(*this, "drop", name, [&](pqxx::nontransaction& tx) {
    tx.exec0("DROP DATABASE IF EXISTS " + tx.quote_name(name) + " WITH (FORCE)");
  });
}

void local_cluster::create_database(std::string_view database) const {
  const std::string name{database};
  on_postgres(*this, "create", name, [&](pqxx::nontransaction& tx) {
    if (tx.exec_params("SELECT 1 FROM pg_catalog.pg_database WHERE datname = $1", name).empty())
      tx.exec0("CREATE DATABASE " + tx.quote_name(name));
  });
}

}  // namespace retort
