// Diagnostic case: a NOT NULL column added to an existing table (see new_not_null_head.json)
// with neither a default nor a backfill value; `nickname` is nullable, `active` has a default.
#include <retort/model.hpp>

struct RETORT_TABLE("users") User {
  RETORT_COLUMN(primary_key) std::int64_t id;
  RETORT_COLUMN(renamed_from = "login") std::string username;
  std::string role;
  std::optional<std::string> nickname;
  RETORT_COLUMN(server_default = "true") bool active;
};

struct RETORT_TABLE("teams") Team {  // a new table: its NOT NULL columns need nothing
  RETORT_COLUMN(primary_key) std::int64_t id;
  std::string name;
};
