// Diagnostic case: a backfill in batches of no rows.
#include <retort/model.hpp>

struct RETORT_TABLE("users") User {
  RETORT_COLUMN(primary_key) std::int64_t id;
  RETORT_COLUMN(backfill = "'member'", backfill_batch = 0) std::string role;
};
