// Diagnostic case: a length that names a constant nobody declared.
#include <retort/model.hpp>

constexpr int kMaxEmail = 320;

struct RETORT_TABLE("users") User {
  RETORT_COLUMN(primary_key) std::int64_t id;
  RETORT_COLUMN(unique, length = kMaxEmial) std::string email;
};
