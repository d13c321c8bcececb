// Diagnostic case: a table-level key naming a column the table does not have.
#include <retort/model.hpp>

struct RETORT_TABLE("order_items", primary_key(order_id, prodcut_id)) OrderItem {
  std::int64_t order_id;
  std::int64_t product_id;
};
