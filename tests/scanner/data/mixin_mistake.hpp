// Diagnostic case: a mistake in a mixin used by two tables is reported once, in the mixin.
#include <retort/model.hpp>

struct Timestamps {
  RETORT_COLUMN(server_defualt = "now()") retort::Timestamp created_at;
};

struct RETORT_TABLE("users") User : Timestamps {
  RETORT_COLUMN(primary_key) std::int64_t id;
};

struct RETORT_TABLE("teams") Team : Timestamps {
  RETORT_COLUMN(primary_key) std::int64_t id;
};
