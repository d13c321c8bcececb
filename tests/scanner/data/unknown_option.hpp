// Diagnostic case: a misspelt column option.
#include <retort/model.hpp>

struct RETORT_TABLE("users") User {
  RETORT_COLUMN(primary_key) std::int64_t id;
  RETORT_COLUMN(unique, lenght = 255) std::string email;
};
