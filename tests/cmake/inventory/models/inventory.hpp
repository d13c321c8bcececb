// The inventory models of a project that uses Retort. INVENTORY_TRACK_LOCATION comes from the
// models' target (MODELS inventory_models): the scan must see the same definitions as the compiler.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include <retort/model.hpp>

struct RETORT_TABLE("items") Item {
  RETORT_COLUMN(primary_key, identity) std::int64_t id;
  RETORT_COLUMN(length = 64, unique) std::string sku;
  RETORT_COLUMN(check = "quantity >= 0") std::int32_t quantity;
#ifdef INVENTORY_TRACK_LOCATION
  std::optional<std::string> location;
#endif
};
