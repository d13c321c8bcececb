// retort-scan's outputs: files rewritten only when their bytes change (so the build's
// timestamps move only on a real change), and the Make-syntax depfile.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "retort/files.hpp"

namespace retort::scan {

/// The snapshot, locations and depfile are written with the core's write_if_changed.
using retort::write_if_changed;

/// "target: dep1 \\\n  dep2\n", with spaces, '#' and '$' escaped as Make and Ninja read them.
[[nodiscard]] std::string depfile_text(std::string_view target, const std::vector<std::string>& dependencies);

}  // namespace retort::scan
