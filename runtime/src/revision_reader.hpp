// The migration-file reader with a JSON parser the caller keeps: reading a directory of files
// reuses the parser's buffers instead of allocating them again for each file.
#pragma once

#include <string>
#include <string_view>

#include <simdjson.h>

#include "retort/revision.hpp"

namespace retort {

/// read_revision (revision.hpp) with `parser`'s buffers.
[[nodiscard]] revision read_revision(std::string_view text, const std::string& file, simdjson::dom::parser& parser);

}  // namespace retort
