// Diagnostic case: a header that does not compile is the compiler's error, and no snapshot.
#include <retort/model.hpp>

struct RETORT_TABLE("users") User {
  RETORT_COLUMN(primary_key) std::int64_t id;
  std::strin name;
};
