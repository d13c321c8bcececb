// libpqxx failures as Retort errors. A lost connection is recognized by its SQLSTATE (class 57:
// operator intervention) or by pqxx::broken_connection; a statement inside a multi-statement
// sql step is located from PostgreSQL's error position.
#include "errors.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cstdlib>
#include <string_view>

#include "retort/sql_expression.hpp"

namespace retort::pg {

std::pair<std::string, std::string> split_message(const std::string& what) {
  std::string message, detail;
  std::size_t pos = 0;
  while (pos < what.size()) {
    std::size_t end = what.find('\n', pos);
    if (end == std::string::npos) end = what.size();
    std::string_view line(what.data() + pos, end - pos);
    auto strip = [](std::string_view l, std::string_view prefix) {
      l.remove_prefix(prefix.size());
      while (!l.empty() && l.front() == ' ') l.remove_prefix(1);
      return std::string(l);
    };
    if (line.starts_with("ERROR:")) message = strip(line, "ERROR:");
    else if (line.starts_with("FATAL:")) message = strip(line, "FATAL:");
    else if (line.starts_with("DETAIL:")) detail = strip(line, "DETAIL:");
    else if (message.empty() && !line.empty()) message = std::string(line);
    pos = end + 1;
  }
  return {message, detail};
}

namespace {

bool is_hand_written(const failure_point& at) {
  return at.current && std::holds_alternative<ops::sql>(at.step->operations[at.current->operation]);
}

std::string operation_label(const failure_point& at) {
  if (!at.current) return "recording the revision in " + at.bookkeeping_schema;
  const std::size_t i = at.current->operation;
  return fmt::format("{}[{}] {}", to_string(at.step->dir), i, ops::describe(at.step->operations[i]));
}

// The byte offset of PostgreSQL's 1-based character position in `sql`.
std::size_t byte_offset(std::string_view sql, int position) {
  std::size_t i = 0;
  for (int chars = 1; i < sql.size(); ++i) {
    if ((static_cast<unsigned char>(sql[i]) & 0xC0) == 0x80) continue;  // a UTF-8 continuation byte
    if (chars++ == position) break;
  }
  return i;
}

std::string_view trimmed(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\n' || s.front() == '\t' || s.front() == '\r')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\n' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
  return s;
}

// The statement of a multi-statement sql step that holds byte `offset`, and its line.
std::pair<std::string, int> statement_at(std::string_view sql, std::size_t offset) {
  std::size_t start = 0;
  for (;;) {
    const std::size_t end_rel = top_level_semicolon(sql.substr(start));
    const std::size_t end = end_rel == std::string_view::npos ? sql.size() : start + end_rel;
    if (offset <= end || end == sql.size()) {
      const std::string_view text = trimmed(sql.substr(start, end - start));
      const std::size_t at = text.empty() ? start : static_cast<std::size_t>(text.data() - sql.data());
      int line = 1;
      for (std::size_t i = 0; i < at; ++i) line += sql[i] == '\n';
      return {std::string(text), line};
    }
    start = end + 1;
  }
}

// The byte offset in `sql` of PostgreSQL's error position: libpqxx gives it for syntax errors;
// for the others (unknown table, column, ...) libpq's message shows it as "LINE n: ..." with a
// caret under it. npos when PostgreSQL reported none (errors while executing).
std::size_t error_offset(std::string_view sql, const pqxx::sql_error& e) {
  if (const auto* syntax = dynamic_cast<const pqxx::syntax_error*>(&e); syntax && syntax->error_position > 0)
    return byte_offset(sql, syntax->error_position);
  const std::string_view what = e.what();
  const std::size_t at = what.find("\nLINE ");
  if (at == std::string_view::npos) return std::string_view::npos;
  const std::size_t colon = what.find(": ", at);
  const std::size_t end = what.find('\n', at + 1);
  if (colon == std::string_view::npos || end == std::string_view::npos || colon > end) return std::string_view::npos;
  const int line = std::atoi(std::string(what.substr(at + 6, colon - at - 6)).c_str());
  std::size_t offset = 0;
  for (int l = 1; l < line && offset != std::string_view::npos; ++l) {
    offset = sql.find('\n', offset);
    if (offset != std::string_view::npos) ++offset;
  }
  if (offset == std::string_view::npos) return offset;
  const std::size_t caret = what.find('^', end);
  const std::size_t prefix = colon + 2 - (at + 1);  // "LINE n: "
  const bool cut = what.substr(colon + 2, 3) == "...";  // libpq shortened the line: its start is unknown
  if (caret != std::string_view::npos && !cut && caret - (end + 1) >= prefix) offset += caret - (end + 1) - prefix;
  return std::min(offset, sql.size());
}

// The failing statement of a hand-written step, located by PostgreSQL's position when it
// gives one (syntax errors, unknown names); otherwise the whole step.
std::string failing_statement(const failure_point& at, const pqxx::sql_error& e) {
  // A C++ data step's statement stands in for the function: the SQL it sent failed.
  if (std::holds_alternative<ops::cpp>(at.step->operations[at.current->operation])) return e.query();
  const std::string& sql = at.current->sql;
  if (!is_hand_written(at)) return sql;
  const std::size_t offset = error_offset(sql, e);
  if (offset == std::string_view::npos) return sql;
  const auto [text, line] = statement_at(sql, offset);
  if (text == trimmed(sql)) return sql;  // one statement: nothing to locate
  return fmt::format("{} (line {} of the sql step)", text, line);
}

// libpqxx 6 leaves sqlstate() empty on some of its typed errors.
std::string sqlstate_of(const pqxx::sql_error& e) {
  if (!e.sqlstate().empty()) return e.sqlstate();
  if (dynamic_cast<const pqxx::insufficient_privilege*>(&e)) return "42501";
  if (dynamic_cast<const pqxx::undefined_table*>(&e)) return "42P01";
  if (dynamic_cast<const pqxx::undefined_column*>(&e)) return "42703";
  if (dynamic_cast<const pqxx::undefined_function*>(&e)) return "42883";
  return {};
}

bool is_connection_loss(std::string_view sqlstate) {
  return sqlstate == "57P01" || sqlstate == "57P02" || sqlstate == "57P03";
}

// libpqxx 6 loses the server's last message when the connection closes under a statement
// ("Could not obtain client encoding: not connected"): a new connection tells whether the
// server is still up, which separates a terminated session from a stopped server.
std::string probed_reason(const std::string& conninfo) {
  if (conninfo.empty()) return "the reason is unknown (a terminated session, a stopped server or the network)";
  try {
    pqxx::connection probe(conninfo);
    return "the server ended the session and accepts connections again (an administrator's pg_terminate_backend, "
           "a timeout, or the network)";
  } catch (const std::exception& e) {
    std::string why = split_message(e.what()).first;
    return "the server does not accept connections now (stopped, shutting down or restarting): " + why;
  }
}

std::string loss_reason(std::string_view sqlstate, const std::string& conninfo) {
  if (sqlstate == "57P01") return "the server terminated the session (an administrator's pg_terminate_backend, or a shutdown)";
  if (sqlstate == "57P02") return "the server crashed and is restarting";
  if (sqlstate == "57P03") return "the server is shutting down or starting up";
  return probed_reason(conninfo);
}

[[noreturn]] void throw_connection_lost(const failure_point& at, std::string_view sqlstate, bool in_doubt) {
  const revision& r = *at.step->rev;
  std::string out = fmt::format("the connection to the database was lost while revision {} ({}) was running: {}",
                                r.id, r.file.empty() ? "embedded" : r.file, loss_reason(sqlstate, at.conninfo));
  out += "\n  operation: " + operation_label(at);
  if (at.current) out += "\n  statement: " + at.current->sql;
  if (in_doubt)
    out += "\n  The revision's COMMIT was sent but not confirmed: it is either applied whole or not at all. Run "
           "`retort current` to see which, then rerun `retort upgrade`.";
  else if (at.committed_units > 0 || !at.rolled_back)
    out += fmt::format(
        "\n  NOT rolled back whole: {} of its {} transactions committed before the loss and are recorded{}. Rerun "
        "`retort upgrade` once the server accepts connections again: it resumes after what committed (an index "
        "that a concurrent build left INVALID is dropped and built again).",
        at.committed_units, at.units,
        at.rolled_back ? "" : "; the statement running outside a transaction may have completed");
  else
    out += "\n  The revision was rolled back: the database is at the revision before it. Rerun `retort upgrade` "
           "once the server accepts connections again.";
  throw connection_lost_error(out, std::string(sqlstate), at.current ? at.current->sql : std::string());
}

}  // namespace

void throw_revision_failure(const failure_point& at, std::exception_ptr failure) {
  try {
    std::rethrow_exception(failure);
  } catch (const pqxx::sql_error& e) {
    auto [message, detail] = split_message(e.what());
    const std::string sqlstate = sqlstate_of(e);
    if (is_connection_loss(sqlstate)) throw_connection_lost(at, sqlstate, false);
    migration_error::details d{at.step->rev->id, at.step->rev->file, operation_label(at),
                               at.current ? failing_statement(at, e) : e.query(), sqlstate, message, detail};
    if (at.attempts > 1) d.message += fmt::format(" (after {} attempts)", at.attempts);
    d.rolled_back = at.rolled_back;
    d.committed_units = at.committed_units;
    d.units = at.units;
    throw migration_error(std::move(d));
  } catch (const pqxx::broken_connection&) {
    throw_connection_lost(at, "", false);
  } catch (const pqxx::in_doubt_error&) {
    throw_connection_lost(at, "", true);
  }
}

database_error bookkeeping_failure(const pqxx::sql_error& e, const std::string& schema) {
  const std::string message = split_message(e.what()).first;
  const std::string sqlstate = sqlstate_of(e);
  if (sqlstate != "42501") return database_error(message, sqlstate, e.query());
  return database_error(
      fmt::format("cannot create Retort's bookkeeping schema \"{0}\" and its tables (where Retort records the applied "
                  "revisions and their audit history): {1}\n  statement: {2}\n  Retort needs the CREATE privilege on "
                  "the database (GRANT CREATE ON DATABASE <database> TO <user>), or a schema \"{0}\" that already "
                  "exists and in which the user has the CREATE and USAGE privileges; --bookkeeping-schema names "
                  "another one",
                  schema, message, e.query()),
      sqlstate, e.query());
}

}  // namespace retort::pg
