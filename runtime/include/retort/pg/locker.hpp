// Serializing migrators: one small interface, and the PostgreSQL advisory lock behind it, so
// several app replicas upgrading one database at once apply each revision exactly once.
#pragma once

#include <cstdint>
#include <string_view>

#include <pqxx/connection>

namespace retort::pg {

/// Held around everything that reads and changes the migration state.
class locker {
 public:
  virtual ~locker() = default;
  virtual void lock() = 0;
  virtual void unlock() = 0;
};

/// A session-level advisory lock on the connection, keyed by the bookkeeping schema name, so
/// migrators of different bookkeeping schemas in one database do not wait for each other.
class advisory_locker final : public locker {
 public:
  advisory_locker(pqxx::connection& conn, std::string_view bookkeeping_schema);
  void lock() override;
  void unlock() override;
  [[nodiscard]] std::int64_t key() const noexcept { return key_; }

 private:
  pqxx::connection& conn_;
  std::int64_t key_;
};

/// Locks for the lifetime of the guard.
class lock_guard {
 public:
  explicit lock_guard(locker& l) : l_(l) { l_.lock(); }
  ~lock_guard() {
    try {
      l_.unlock();
    } catch (...) {  // the session's end releases the lock anyway
    }
  }
  lock_guard(const lock_guard&) = delete;
  lock_guard& operator=(const lock_guard&) = delete;

 private:
  locker& l_;
};

}  // namespace retort::pg
