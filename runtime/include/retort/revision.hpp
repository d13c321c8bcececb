// A revision: one migration file's content (id, parents, message, upgrade and downgrade
// operations), and its JSON form under migrations/versions/.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "retort/ops.hpp"

namespace retort {

/// The migration file format this build writes and reads.
inline constexpr int migration_format = 1;

struct revision {
  std::string id;
  std::vector<std::string> parents;  ///< none for a base revision, several for a merge
  std::string message;
  std::string created;  ///< ISO 8601 UTC, e.g. "2026-11-25T04:49:48Z"
  std::vector<ops::operation> upgrade;
  std::vector<ops::operation> downgrade;

  std::string file;      ///< where it was read from; empty when built in memory
  std::string checksum;  ///< SHA-256 hex of the file's bytes; empty when built in memory
};

/// Canonical JSON text of a revision's file.
[[nodiscard]] std::string write_revision(const revision& r);

/// Parses a migration file; throws file_error naming `file` and the JSON path.
[[nodiscard]] revision read_revision(std::string_view text, const std::string& file);

/// JSON text of one operation list (used by `retort show` and tests).
[[nodiscard]] std::string write_operations(const std::vector<ops::operation>& operations);

}  // namespace retort
