// Read-only views over the shop's tables: a view whose query lives in a .sql file, and a
// materialized view the application refreshes.
#pragma once

#include <cstdint>
#include <string>

#include "order.hpp"
#include "user.hpp"

namespace shop {

/// -> CREATE VIEW active_users (id, email, username) AS <views/active_users.sql>
struct RETORT_VIEW("active_users", query_file = "views/active_users.sql") ActiveUser {
  std::int64_t id;
  RETORT_COLUMN(length = 255) std::string email;
  RETORT_COLUMN(length = 100) std::string username;
};

/// -> CREATE MATERIALIZED VIEW order_totals ... WITH DATA, with a unique index so that the
/// application can REFRESH MATERIALIZED VIEW CONCURRENTLY.
struct RETORT_VIEW("order_totals", materialized, index(user_id, unique),
                   query = "SELECT user_id, count(*), sum(total) FROM orders WHERE status = 'paid' GROUP BY user_id")
    OrderTotal {
  std::int64_t user_id;
  std::int64_t order_count;
  RETORT_COLUMN(type = "numeric") std::string total;  // sum() of numeric(12,2) is numeric
};

}  // namespace shop
