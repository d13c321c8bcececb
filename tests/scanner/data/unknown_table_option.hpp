// Diagnostic case: a misspelt table option, inside a multi-line macro argument.
#include <retort/model.hpp>

struct RETORT_TABLE("users",
                    schema = "accounts",   /* comments and line breaks */
                    coment = "people")     // do not move the caret
    User {
  RETORT_COLUMN(primary_key) std::int64_t id;
};
