// Diagnostic case: an escape sequence C++ does not have, in a string the compiler never decodes.
#include <retort/model.hpp>

struct RETORT_TABLE("users") User {
  RETORT_COLUMN(primary_key) std::int64_t id;
  RETORT_COLUMN(comment = "a \q b") std::string email;
};
