// The scanner_rebuild test's model; the test edits a copy of it and of mixin.hpp.
#pragma once

#include <retort/model.hpp>

#include "mixin.hpp"

struct RETORT_TABLE("users") User : Mixin {
  RETORT_COLUMN(primary_key) std::int64_t id;
};
