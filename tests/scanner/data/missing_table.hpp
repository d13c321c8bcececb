// Diagnostic case: a reference to a table no model declares.
#include <retort/model.hpp>

struct RETORT_TABLE("order_items") OrderItem {
  RETORT_COLUMN(primary_key) std::int64_t id;
  RETORT_COLUMN(references = "orderz.id") std::int64_t order_id;
};

struct RETORT_TABLE("orders") Order {
  RETORT_COLUMN(primary_key) std::int64_t id;
};
