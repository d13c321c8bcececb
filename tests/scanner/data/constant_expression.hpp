// Diagnostic case: an expression where a literal or a constant's name goes.
#include <retort/model.hpp>

constexpr int kMaxEmail = 320;

struct RETORT_TABLE("users") User {
  RETORT_COLUMN(primary_key) std::int64_t id;
  RETORT_COLUMN(unique,
                length = kMaxEmail + 10) std::string email;
};
