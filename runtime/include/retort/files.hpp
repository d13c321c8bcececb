// Writing generated files: replaced whole (a temporary file and a rename), and only when their
// bytes change, so build timestamps move only on a real change and readers never see half a file.
#pragma once

#include <filesystem>
#include <string_view>

namespace retort {

/// Writes `bytes` to `path` (through a temporary file and a rename) unless the file already
/// holds exactly them. True when it wrote. Throws retort::error on an I/O failure.
bool write_if_changed(const std::filesystem::path& path, std::string_view bytes);

}  // namespace retort
