// The blocker watch: a thread with its own connection, started around each transaction the
// applier runs; it only connects when the wait outlasts the interval.
#include "blocker_watch.hpp"

#include <pqxx/pqxx>

namespace retort::pg {

std::vector<blocker> blockers_of(pqxx::connection& conn, int pid) {
  pqxx::nontransaction tx(conn);
  std::vector<blocker> out;
  for (const auto& row : tx.exec_params(
           "SELECT pid, coalesce(application_name, ''), coalesce(usename, ''), coalesce(state, ''), "
           "left(coalesce(query, ''), 200), coalesce(extract(epoch FROM now() - xact_start), 0)::float8 "
           "FROM pg_stat_activity WHERE pid = ANY (pg_blocking_pids($1)) ORDER BY pid",
           pid))
    out.push_back({row[0].as<int>(), row[1].as<std::string>(), row[2].as<std::string>(), row[3].as<std::string>(),
                   row[4].as<std::string>(), row[5].as<double>()});
  return out;
}

blocker_watch::blocker_watch(std::string conninfo, int pid, std::chrono::milliseconds interval, report on_blocked)
    : conninfo_(std::move(conninfo)), pid_(pid), interval_(interval), on_blocked_(std::move(on_blocked)) {
  thread_ = std::thread([this] { loop(); });
}

blocker_watch::~blocker_watch() {
  {
    std::lock_guard lock(mutex_);
    stopped_ = true;
  }
  stop_signal_.notify_all();
  thread_.join();
}

void blocker_watch::loop() {
  std::unique_ptr<pqxx::connection> conn;
  std::chrono::milliseconds waited{0};
  std::unique_lock lock(mutex_);
  while (!stop_signal_.wait_for(lock, interval_, [this] { return stopped_; })) {
    waited += interval_;
    lock.unlock();
    try {
      if (!conn) conn = std::make_unique<pqxx::connection>(conninfo_);
      auto who = blockers_of(*conn, pid_);
      if (!who.empty()) on_blocked_(who, waited);
    } catch (const std::exception&) {
      // Only a report: a watch that cannot connect must not disturb the migration.
    }
    lock.lock();
  }
}

}  // namespace retort::pg
