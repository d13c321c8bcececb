// A private PostgreSQL cluster in a directory: the local dev database of `retort devdb`
// and the throwaway server of the integration tests. Unix socket only, no port, no password.
// Works for a normal user and as root (the server then runs as the `postgres` user).
#pragma once

#include <filesystem>
#include <string>
#include <string_view>

namespace retort {

class local_cluster {
 public:
  /// What start() had to do.
  enum class start_result { already_running, started, created };

  /// A cluster kept in `dir` (created on first start).
  explicit local_cluster(std::filesystem::path dir);

  /// Creates the cluster on first use (initdb), then starts the server if it is not running;
  /// returns which of these it did, so that a caller can say where a cluster appeared.
  /// Throws retort::error with the package to install when PostgreSQL's server binaries are missing.
  start_result start();
  /// Stops the server (fast shutdown); data stays.
  void stop();
  /// True when the server is up and accepting connections.
  [[nodiscard]] bool running() const;

  /// A libpq connection string for `database` on this cluster's socket, as its superuser.
  [[nodiscard]] std::string url(std::string_view database = "postgres") const;
  /// Creates `database` if it does not exist.
  void create_database(std::string_view database) const;
  /// Drops `database` if it exists, ending the sessions connected to it.
  void drop_database(std::string_view database) const;

  [[nodiscard]] const std::filesystem::path& directory() const noexcept { return dir_; }
  [[nodiscard]] std::filesystem::path socket_directory() const;

 private:
  std::filesystem::path dir_;
};

/// The directory holding PostgreSQL's server binaries (initdb, pg_ctl), newest version first.
/// Throws retort::error naming the Debian package when none is installed.
[[nodiscard]] std::filesystem::path find_postgres_bin_dir();

}  // namespace retort
