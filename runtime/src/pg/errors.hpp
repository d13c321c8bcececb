// Turning what libpqxx throws into Retort's errors, with what an operator needs: which
// revision and operation, which statement (inside a hand-written step too), whether the
// connection was lost and why, what was rolled back and how to resume.
#pragma once

#include <exception>
#include <string>

#include <pqxx/pqxx>

#include "retort/errors.hpp"
#include "retort/pg/migration_plan.hpp"

namespace retort::pg {

/// Where a revision stood when it failed.
struct failure_point {
  const revision_step* step = nullptr;
  const statement* current = nullptr;  ///< nullptr: while recording the revision
  std::size_t committed_units = 0;     ///< transactions of the revision that committed (and are recorded)
  std::size_t units = 1;               ///< transactions the revision runs as
  bool rolled_back = true;             ///< the failing transaction left nothing (false: a statement outside one)
  int attempts = 1;                    ///< tries of the failing transaction (lock timeouts retried)
  std::string bookkeeping_schema;
  std::string conninfo;  ///< the connection's string, to probe the server after a loss
};

/// The error for a revision that failed with the exception `failure` (rethrown and inspected):
/// a migration_error for a refused statement, a connection_lost_error when the connection
/// went away (SQLSTATE 57P01/57P02/57P03, pqxx::broken_connection, a commit in doubt).
/// Anything else is rethrown as it is.
[[noreturn]] void throw_revision_failure(const failure_point& at, std::exception_ptr failure);

/// The error for creating the bookkeeping schema and tables: a refused privilege says what
/// Retort was doing and which privilege it needs.
[[nodiscard]] database_error bookkeeping_failure(const pqxx::sql_error& e, const std::string& schema);

/// libpq's "ERROR:  text\nDETAIL:  text\n..." as its message and detail.
[[nodiscard]] std::pair<std::string, std::string> split_message(const std::string& what);

}  // namespace retort::pg
