// Diagnostic case: `username` names "login" as its old name, but "login" is still modelled, so
// db-revision adds `username` as a new column: NOT NULL with no default, it needs a value.
#include <retort/model.hpp>

struct RETORT_TABLE("users") User {
  RETORT_COLUMN(primary_key) std::int64_t id;
  RETORT_COLUMN(renamed_from = "login") std::string username;
  std::optional<std::string> login;
};
