// The stairway case's models (not scanned by the test: its history is written from snapshots).
#pragma once

#include <cstdint>
#include <string>

#include <retort/model.hpp>

struct RETORT_TABLE("users") User {
  RETORT_COLUMN(primary_key, identity) std::int64_t id;
  RETORT_COLUMN(length = 255, unique) std::string email;
};
