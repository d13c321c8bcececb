// The snapshot: a schema as canonical JSON. The same schema always gives the same bytes;
// reading checks the `format` version and reports mistakes with their JSON path.
#pragma once

#include <string>
#include <string_view>

#include "retort/schema.hpp"

namespace retort {

/// The snapshot format this build writes and reads.
inline constexpr int snapshot_format = 1;

/// Canonical JSON text of `s` (sorted, two-space indented, trailing newline).
[[nodiscard]] std::string write_snapshot(const schema& s);

/// Parses and validates a snapshot; throws file_error naming `file` and the JSON path.
[[nodiscard]] schema read_snapshot(std::string_view text, const std::string& file);

/// Checks references and names: every foreign key, enum, constraint column and name
/// resolves and nothing is duplicated. Throws model_error.
void validate(const schema& s);

}  // namespace retort
