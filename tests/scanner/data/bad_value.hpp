// Diagnostic case: an option with a value it cannot take.
#include <retort/model.hpp>

struct RETORT_TABLE("orders") Order {
  RETORT_COLUMN(primary_key) std::int64_t id;
};

struct RETORT_TABLE("order_items") OrderItem {
  RETORT_COLUMN(primary_key) std::int64_t id;
  RETORT_COLUMN(references = "orders.id", on_delete = explode) std::int64_t order_id;
};
