// Diagnostic case: `bio` is nullable in the history (see made_not_null_head.json) and the model
// makes it NOT NULL with no backfill value for the rows that hold NULL; `motto` has one.
#include <retort/model.hpp>

struct RETORT_TABLE("users") User {
  RETORT_COLUMN(primary_key) std::int64_t id;
  std::string bio;
  RETORT_COLUMN(backfill = "''") std::string motto;
};
