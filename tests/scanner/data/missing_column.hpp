// Diagnostic case: a reference to a column the referenced table does not have.
#include <retort/model.hpp>

struct RETORT_TABLE("orders") Order {
  RETORT_COLUMN(primary_key) std::int64_t id;
};

struct RETORT_TABLE("order_items") OrderItem {
  RETORT_COLUMN(primary_key) std::int64_t id;
  RETORT_COLUMN(references = "orders.order_id") std::int64_t order_id;
};
