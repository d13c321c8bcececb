// Reading input files whole, in one read; writing generated files: replaced whole (a temporary file and a rename), and only when their
// bytes change, so build timestamps move only on a real change and readers never see half a file.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

namespace retort {

/// The bytes of the file at `path`, read with one call (sized from the file, not grown through
/// a stream buffer: the history of a large project is tens of megabytes), with `spare` bytes of
/// capacity past the end (a JSON parser that may read that far then parses it in place instead
/// of copying it). Throws file_error.
[[nodiscard]] std::string read_bytes(const std::filesystem::path& path, std::size_t spare = 0);

/// Writes `bytes` to `path` (through a temporary file and a rename) unless the file already
/// holds exactly them. True when it wrote. Throws retort::error on an I/O failure.
bool write_if_changed(const std::filesystem::path& path, std::string_view bytes);

/// A file's path and the bytes it should hold.
struct file_content {
  std::filesystem::path path;
  std::string_view bytes;
};

/// write_if_changed for files that belong together (a snapshot and its locations): every
/// changed file is first written to a temporary beside it, and only when all of them were
/// written are they renamed into place, so a failure replaces none. Throws retort::error.
void write_all_if_changed(const std::vector<file_content>& files);

}  // namespace retort
