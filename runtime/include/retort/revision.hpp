// A revision: one migration file's content (id, parents, message, upgrade and downgrade
// operations), and its JSON form under migrations/versions/.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "retort/ops.hpp"

namespace retort {

/// The migration file format this build writes and reads.
inline constexpr int migration_format = 1;

/// A lint finding silenced on purpose for one operation, with the reason a reviewer reads.
struct allowance {
  std::string rule;    ///< a lint rule id ("add-index-non-concurrent")
  std::string reason;  ///< never empty
  friend bool operator==(const allowance&, const allowance&) = default;
};

/// Hand-written SQL that runs in place of an operation's generated statements. Replay still
/// applies the operation, so the drift gate keeps seeing what the step does; an empty list
/// says another operation's override already does this one's work.
struct sql_override {
  std::vector<std::string> statements;
  bool transactional = true;  ///< false: each statement runs alone, outside a transaction
  friend bool operator==(const sql_override&, const sql_override&) = default;
};

/// What a migration file says about one operation besides the operation itself.
struct operation_note {
  std::vector<allowance> allow;
  std::optional<sql_override> sql;
  friend bool operator==(const operation_note&, const operation_note&) = default;
};

/// Notes by operation index (absent: none).
using operation_notes = std::map<std::size_t, operation_note>;

struct revision {
  std::string id;
  std::vector<std::string> parents;  ///< none for a base revision, several for a merge
  std::string message;
  std::string created;  ///< ISO 8601 UTC, e.g. "2026-11-25T04:49:48Z"
  std::vector<ops::operation> upgrade;
  std::vector<ops::operation> downgrade;

  std::string file;      ///< where it was read from; empty when built in memory
  std::string checksum;  ///< SHA-256 hex of the file's bytes; empty when built in memory

  operation_notes upgrade_notes = {};    ///< by index into `upgrade`
  operation_notes downgrade_notes = {};  ///< by index into `downgrade`
  /// A squash (`retort squash`): the ids of the revisions before it that it stands for, whose
  /// files are gone. It keeps the id of the last one, so a database at or past it stays there.
  std::vector<std::string> replaces = {};
};

/// Canonical JSON text of a revision's file.
[[nodiscard]] std::string write_revision(const revision& r);

/// Parses a migration file; throws file_error naming `file` and the JSON path.
[[nodiscard]] revision read_revision(std::string_view text, const std::string& file);

/// JSON text of one operation list (used by `retort show` and tests).
[[nodiscard]] std::string write_operations(const std::vector<ops::operation>& operations);

}  // namespace retort
