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
/// The same for bytes read with SIMDJSON_PADDING spare capacity (read_bytes): parsed in place,
/// and freed once parsed (the parser holds what the revision is built from), so a large
/// initial revision is not in memory three times: bytes, parse and revision.
[[nodiscard]] revision read_revision(std::string&& text, const std::string& file, simdjson::dom::parser& parser);

}  // namespace retort
