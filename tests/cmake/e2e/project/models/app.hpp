// The e2e test's models as its history (migrations/versions) leaves them: one table. e2e.sh
// rewrites this file at each step, as a developer would edit it.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include <retort/model.hpp>

struct RETORT_TABLE("users") User {
  RETORT_COLUMN(primary_key, identity) std::int64_t id;
  RETORT_COLUMN(length = 255, unique) std::string email;
  RETORT_COLUMN(length = 20) std::optional<std::string> phone_number;
};
