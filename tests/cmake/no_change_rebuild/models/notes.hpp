// The no_change_rebuild test's models: one table.
#pragma once

#include <cstdint>
#include <string>

#include <retort/model.hpp>

struct RETORT_TABLE("notes") Note {
  RETORT_COLUMN(primary_key, identity) std::int64_t id;
  std::string body;
};
