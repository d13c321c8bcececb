// Diagnostic case: `length` on a column that is not a string.
#include <retort/model.hpp>

struct RETORT_TABLE("users") User {
  RETORT_COLUMN(primary_key, length = 10) std::int64_t id;
};
