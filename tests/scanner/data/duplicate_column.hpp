// Diagnostic case: a table that repeats a column of its mixin.
#include <retort/model.hpp>

struct Timestamps {
  RETORT_COLUMN(server_default = "now()") retort::Timestamp created_at;
};

struct RETORT_TABLE("users") User : Timestamps {
  RETORT_COLUMN(primary_key) std::int64_t id;
  RETORT_COLUMN(name = "created_at") retort::Timestamp created;
};
