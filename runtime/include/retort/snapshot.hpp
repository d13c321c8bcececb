// The snapshot: a schema as canonical JSON. The same schema always gives the same bytes;
// reading checks the `format` version and reports mistakes with their JSON path.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "retort/schema.hpp"

namespace retort {

/// The snapshot format this build writes and reads.
inline constexpr int snapshot_format = 1;

/// Canonical JSON text of `s` (sorted, two-space indented, trailing newline).
[[nodiscard]] std::string write_snapshot(const schema& s);

/// Parses and validates a snapshot; throws file_error naming `file` and the JSON path.
[[nodiscard]] schema read_snapshot(std::string_view text, const std::string& file);

/// read_snapshot of the file at `path` (read_bytes' errors for a file that cannot be read).
[[nodiscard]] schema read_snapshot_file(const std::string& path);

/// Parses a snapshot Retort wrote itself from a schema it had validated (the check cache), without
/// validating it again; malformed JSON still throws file_error.
[[nodiscard]] schema read_trusted_snapshot(std::string_view text, const std::string& file);

/// A rule the schema breaks, and the element that breaks it.
struct validation_issue {
  element_ref element;
  std::string message;
  friend bool operator==(const validation_issue&, const validation_issue&) = default;
};

/// Checks references and names: every foreign key, enum, constraint column and name
/// resolves and nothing is duplicated. One issue per element at most, in the schema's order;
/// empty when the schema is valid.
[[nodiscard]] std::vector<validation_issue> validation_issues(const schema& s);

/// validation_issues, the first one thrown as a model_error with its JSON path.
void validate(const schema& s);

}  // namespace retort
