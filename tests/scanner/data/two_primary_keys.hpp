// Diagnostic case: two columns marked primary_key (a composite key is a table option).
#include <retort/model.hpp>

struct RETORT_TABLE("order_items") OrderItem {
  RETORT_COLUMN(primary_key) std::int64_t order_id;
  RETORT_COLUMN(primary_key) std::int64_t product_id;
};
