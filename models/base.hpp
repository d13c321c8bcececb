// Mixins shared by the example's tables: no RETORT_TABLE, so their members become columns
// of every table that derives from them (several levels deep: TimestampedEntity).
#pragma once

#include <cstdint>
#include <optional>

#include <retort/model.hpp>

namespace shop {

/// created_at set by the database, updated_at by the application (on users, by the trigger of
/// models/sql/users_set_updated_at.sql).
struct Timestamps {
  RETORT_COLUMN(server_default = "now()") retort::Timestamp created_at;
  std::optional<retort::Timestamp> updated_at;  // optional: NULL allowed
};

/// A bigint identity primary key.
struct Entity {
  RETORT_COLUMN(primary_key, identity) std::int64_t id;
};

/// Both of the above, for most tables.
struct TimestampedEntity : Entity, Timestamps {};

}  // namespace shop
