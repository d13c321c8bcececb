// Reading input files whole, in one read; writing generated files: replaced whole (a temporary file and a rename), and only when their
// bytes change, so build timestamps move only on a real change and readers never see half a file.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>

namespace retort {

/// The bytes of the file at `path`, read with one call (sized from the file, not grown through
/// a stream buffer: the history of a large project is tens of megabytes). Throws file_error.
[[nodiscard]] std::string read_bytes(const std::filesystem::path& path);

/// Writes `bytes` to `path` (through a temporary file and a rename) unless the file already
/// holds exactly them. True when it wrote. Throws retort::error on an I/O failure.
bool write_if_changed(const std::filesystem::path& path, std::string_view bytes);

}  // namespace retort
