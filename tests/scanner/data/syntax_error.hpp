// Diagnostic case: an annotation that is not the option language.
#include <retort/model.hpp>

struct RETORT_TABLE("users") User {
  RETORT_COLUMN(primary_key) std::int64_t id;
  RETORT_COLUMN(unique index) std::string name;
};
