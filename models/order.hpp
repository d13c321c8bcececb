// Orders and their items.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "base.hpp"

namespace shop {

enum class OrderStatus { pending, paid, shipped, delivered, cancelled };

// Row-level security: a session that sets app.user_id (SET app.user_id = '42') sees and writes
// that user's orders only. Not forced: the table's owner (the role that migrates, and the C++ data
// steps) is not subject to it; the application serves as another role, which is.
struct RETORT_TABLE("orders", index(user_id, created_at), row_level_security,
                    policy("orders_of_the_user", using = "user_id = NULLIF(current_setting('app.user_id', true), '')::bigint"))
    Order : Timestamps {
  RETORT_COLUMN(primary_key, identity = always) std::int64_t id;
  RETORT_COLUMN(references = "users.id", on_delete = restrict) std::int64_t user_id;
  RETORT_COLUMN(server_default = "'pending'") OrderStatus status;
  retort::Numeric<12, 2> total;
  RETORT_COLUMN(length = 3, server_default = "'EUR'", check = "currency = upper(currency)") std::string currency;
  RETORT_COLUMN(server_default = "gen_random_uuid()", unique) retort::Uuid public_id;
  std::optional<retort::Json> shipping_address;
  RETORT_COLUMN(comment = "Free text from the customer") std::optional<std::string> notes;
};

struct RETORT_TABLE("order_items", primary_key(order_id, product_id),
                    foreign_key(order_id, references = "orders(id)", on_delete = cascade),
                    check("quantity * unit_price >= 0", name = "ck_order_items_line_total")) OrderItem {
  std::int64_t order_id;
  RETORT_COLUMN(references = "catalog.products.id") std::int64_t product_id;
  RETORT_COLUMN(check = "quantity > 0") std::int32_t quantity;
  retort::Numeric<10, 2> unit_price;
};

}  // namespace shop
