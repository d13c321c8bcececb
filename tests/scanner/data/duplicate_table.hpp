// Diagnostic case: two models of one table.
#include <retort/model.hpp>

struct RETORT_TABLE("users") User {
  RETORT_COLUMN(primary_key) std::int64_t id;
};

namespace admin {
struct RETORT_TABLE("users") Account {
  RETORT_COLUMN(primary_key) std::int64_t id;
};
}  // namespace admin
