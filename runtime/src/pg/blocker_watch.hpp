// While a statement of the applier waits for a lock, a second connection asks PostgreSQL who
// holds it (pg_blocking_pids) and reports them, so a stalled migration names its blocker.
#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "retort/pg/applier.hpp"

namespace retort::pg {

class blocker_watch {
 public:
  using report = std::function<void(const std::vector<blocker>&, std::chrono::milliseconds waited)>;

  /// Watches backend `pid` of the database at `conninfo`: every `interval` until destroyed, it
  /// reports the sessions blocking it, if any. The second connection opens only when a wait lasts.
  blocker_watch(std::string conninfo, int pid, std::chrono::milliseconds interval, report on_blocked);
  ~blocker_watch();
  blocker_watch(const blocker_watch&) = delete;
  blocker_watch& operator=(const blocker_watch&) = delete;

 private:
  void loop();

  std::string conninfo_;
  int pid_;
  std::chrono::milliseconds interval_;
  report on_blocked_;
  std::mutex mutex_;
  std::condition_variable stop_signal_;
  bool stopped_ = false;
  std::thread thread_;
};

/// The sessions that block backend `pid`, asked through `conn` (another connection).
[[nodiscard]] std::vector<blocker> blockers_of(pqxx::connection& conn, int pid);

}  // namespace retort::pg
