// Diagnostic case: backfill_batch sizes the backfill's transactions, so it needs a backfill.
#include <retort/model.hpp>

struct RETORT_TABLE("users") User {
  RETORT_COLUMN(primary_key) std::int64_t id;
  RETORT_COLUMN(backfill_batch = 500) std::string role;
};
