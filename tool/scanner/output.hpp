// retort-scan's outputs: files rewritten only when their bytes change (so the build's
// timestamps move only on a real change), and the Make-syntax depfile.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

namespace retort::scan {

/// Writes `bytes` to `path` (through a temporary file and a rename) unless the file already
/// holds exactly them. True when it wrote. Throws retort::error on an I/O failure.
bool write_if_changed(const std::filesystem::path& path, std::string_view bytes);

/// "target: dep1 \\\n  dep2\n", with spaces, '#' and '$' escaped as Make and Ninja read them.
[[nodiscard]] std::string depfile_text(std::string_view target, const std::vector<std::string>& dependencies);

}  // namespace retort::scan
