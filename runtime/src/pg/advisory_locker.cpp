// The advisory lock: pg_advisory_lock on a key derived from the bookkeeping schema's name.
#include <chrono>
#include <cstring>
#include <thread>

#include <pqxx/nontransaction>

#include "retort/hash.hpp"
#include "retort/pg/locker.hpp"

namespace retort::pg {

namespace {
std::int64_t key_for(std::string_view schema) {
  // The first 16 hex digits of a SHA-256: stable across processes, builds and versions.
  const std::string hex = sha256_hex(std::string("retort:") + std::string(schema)).substr(0, 16);
  return static_cast<std::int64_t>(std::stoull(hex, nullptr, 16));
}
}  // namespace

advisory_locker::advisory_locker(pqxx::connection& conn, std::string_view bookkeeping_schema)
    : conn_(conn), key_(key_for(bookkeeping_schema)) {}

// Polled rather than waited for: a session blocked in pg_advisory_lock holds a snapshot, and
// CREATE INDEX CONCURRENTLY in the lock holder's session waits for every older snapshot, which
// PostgreSQL then breaks as a deadlock. Between tries, a waiter holds nothing.
void advisory_locker::lock() {
  for (;;) {
    {
      pqxx::nontransaction tx(conn_);
      if (tx.exec_params1("SELECT pg_try_advisory_lock($1)", key_)[0].as<bool>()) return;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
}

void advisory_locker::unlock() {
  pqxx::nontransaction tx(conn_);
  tx.exec_params("SELECT pg_advisory_unlock($1)", key_);
}

}  // namespace retort::pg
