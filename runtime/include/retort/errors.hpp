// Retort's error set: one exception type per failure class, carrying what a caller needs.
// They are caught only at the CLI boundary, where each becomes one message and an exit code.
#pragma once

#include <cstddef>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace retort {

/// Base of every Retort error.
class error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// A schema that breaks the model's rules (dangling reference, duplicate name, ...).
/// `path` locates the element in the snapshot's JSON ("tables[3].columns[2]").
class model_error : public error {
 public:
  model_error(std::string path, const std::string& message) : error(message), path_(std::move(path)) {}
  [[nodiscard]] const std::string& path() const noexcept { return path_; }

 private:
  std::string path_;
};

/// A snapshot or migration file that cannot be read: names the file and the JSON path.
class file_error : public error {
 public:
  file_error(std::string file, std::string json_path, const std::string& message);
  /// A syntax error at a line and column of the file ("file:3:14: message").
  file_error(std::string file, int line, int column, const std::string& message);
  [[nodiscard]] const std::string& file() const noexcept { return file_; }
  [[nodiscard]] const std::string& json_path() const noexcept { return json_path_; }

 private:
  std::string file_;
  std::string json_path_;
};

/// JSON text that is not JSON: the file_error at the line and column of byte `byte` (the
/// parser's count: the byte it stopped after), with the parser's own words for why.
[[nodiscard]] file_error malformed_json(const std::string& file, std::string_view text, std::size_t byte,
                                        std::string_view parser_message);

/// `text` for a message that echoes input: whole up to `limit` bytes, else cut there (at a
/// UTF-8 character boundary) with an ellipsis, so a 10 MB value is not printed back whole.
[[nodiscard]] std::string excerpt(std::string_view text, std::size_t limit = 80);

/// An operation that does not apply to the schema it is replayed over.
class replay_error : public error {
 public:
  using error::error;
};

/// The diff cannot produce a safe migration (e.g. a NOT NULL column with no backfill).
class diff_error : public error {
 public:
  using error::error;
};

/// A revision graph that is not a valid history; names the file at fault.
class graph_error : public error {
 public:
  enum class kind { missing_parent, cycle, duplicate_id, unknown_revision, ambiguous_revision, conflict, multiple_heads, no_revisions };
  graph_error(kind k, const std::string& message) : error(message), kind_(k) {}
  [[nodiscard]] kind what_kind() const noexcept { return kind_; }

 private:
  kind kind_;
};

/// A failure talking to PostgreSQL.
class database_error : public error {
 public:
  database_error(const std::string& message, std::string sqlstate = {}, std::string statement = {})
      : error(message), sqlstate_(std::move(sqlstate)), statement_(std::move(statement)) {}
  [[nodiscard]] const std::string& sqlstate() const noexcept { return sqlstate_; }
  [[nodiscard]] const std::string& statement() const noexcept { return statement_; }

 private:
  std::string sqlstate_;
  std::string statement_;
};

/// A revision that PostgreSQL refused: which revision and file, which operation, which
/// statement, and PostgreSQL's SQLSTATE, message and detail. The revision was rolled back,
/// unless a statement that cannot run in a transaction had forced a commit before the failure.
class migration_error : public database_error {
 public:
  struct details {
    std::string revision, file, operation, statement, sqlstate, message, detail;
    /// False when the failing statement ran outside a transaction (what it did may stay).
    bool rolled_back = true;
    /// A revision runs as `units` transactions (several for a safe plan on tables with rows);
    /// the first `committed_units` committed and are recorded, and a rerun resumes after them.
    std::size_t committed_units = 0;
    std::size_t units = 1;
  };
  explicit migration_error(details d);
  [[nodiscard]] const details& where() const noexcept { return details_; }

 private:
  details details_;
};

/// The connection was lost while a revision ran (the server terminated the session, shut
/// down, the network failed): says which revision, why if known, what was rolled back and
/// how to resume.
class connection_lost_error : public database_error {
 public:
  using database_error::database_error;
};

/// A migration history whose files do not match their checksum file (retort.sum): each
/// problem one line ("x.json was edited after it was written").
class integrity_error : public error {
 public:
  integrity_error(const std::string& message, std::vector<std::string> problems)
      : error(message), problems_(std::move(problems)) {}
  [[nodiscard]] const std::vector<std::string>& problems() const noexcept { return problems_; }

 private:
  std::vector<std::string> problems_;
};

/// Applied migrations whose files changed since they were applied.
class checksum_error : public error {
 public:
  using error::error;
};

}  // namespace retort
