// A readable, complete text form of a schema, so that a failed comparison in a test shows
// which table, column or constraint differs.
#pragma once

#include <string>

#include "retort/schema.hpp"

namespace retort::test {

/// Every field of `s`, one object per line, in the schema's own order.
[[nodiscard]] std::string describe(const schema& s);

}  // namespace retort::test
