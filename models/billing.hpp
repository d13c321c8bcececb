// Invoices, numbered by a sequence of their own (from 1000, never reused), and the audit trail,
// a table partitioned by time.
#pragma once

#include <cstdint>
#include <optional>

#include "base.hpp"

namespace shop {

/// -> CREATE SEQUENCE invoice_numbers START WITH 1000 ... OWNED BY invoices.number
RETORT_SEQUENCE("invoice_numbers", start = 1000, owned_by = "invoices.number");

struct RETORT_TABLE("invoices", comment = "One invoice per paid order") Invoice : TimestampedEntity {
  RETORT_COLUMN(references = "orders.id", on_delete = restrict, unique) std::int64_t order_id;
  // Kept as pg_get_expr() prints it: nextval('invoice_numbers'::regclass).
  RETORT_COLUMN(server_default = "nextval('invoice_numbers')", unique) std::int64_t number;
  retort::Numeric<12, 2> amount;
};

/// The audit trail: partitioned by time (PARTITION BY RANGE). Its partitions are the database's
/// (a data step creates the default one; monthly ones come from the operator or pg_partman), so
/// Retort neither creates nor reports them. The key includes occurred_at, as PostgreSQL requires.
struct RETORT_TABLE("audit_events", partition_by = "range (occurred_at)", primary_key(id, occurred_at),
                    index(user_id)) AuditEvent {
  RETORT_COLUMN(identity) std::int64_t id;
  RETORT_COLUMN(server_default = "now()") retort::Timestamp occurred_at;
  RETORT_COLUMN(references = "users.id", on_delete = set_null) std::optional<std::int64_t> user_id;
  RETORT_COLUMN(length = 64) std::string action;
  std::optional<retort::Jsonb> details;
};

}  // namespace shop
