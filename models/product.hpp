// The catalog: categories and products, in their own PostgreSQL schema.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

#include "base.hpp"

namespace shop {

/// -> CREATE TYPE catalog.product_status: an enum lives in the schema of its table.
enum class ProductStatus { draft, active, archived };

struct RETORT_TABLE("categories", schema = "catalog", unique(parent_id, name)) Category : Entity {
  RETORT_COLUMN(length = 100) std::string name;
  RETORT_COLUMN(length = 100, unique) std::string slug;
  RETORT_COLUMN(references = "categories.id", on_delete = set_null) std::optional<std::int64_t> parent_id;
  std::optional<std::string> description;
};

struct RETORT_TABLE("products", schema = "catalog", renamed_from = "items", check("price >= 0"),
                    index(status, where = "status = 'active'", name = "ix_products_active"),
                    index(search, method = gin),
                    comment = "Things for sale") Product : TimestampedEntity {
  RETORT_COLUMN(length = 64, unique) std::string sku;
  RETORT_COLUMN(length = 200) std::string name;
  retort::Numeric<10, 2> price;
  RETORT_COLUMN(server_default = "0", check = "stock >= 0") std::int32_t stock;
  RETORT_COLUMN(server_default = "'draft'") ProductStatus status;
  RETORT_COLUMN(references = "categories.id", on_delete = restrict, on_update = cascade, index)
  std::optional<std::int64_t> category_id;
  RETORT_COLUMN(type = "jsonb", server_default = "'{}'::jsonb") std::string attributes;
  std::optional<double> weight_kg;
  std::optional<float> rating;
  RETORT_COLUMN(server_default = "1") std::int16_t pack_size;
  std::optional<std::chrono::seconds> preparation_time;  // interval
  /// Full-text search over the name, kept by PostgreSQL (GENERATED ... STORED), GIN-indexed.
  RETORT_COLUMN(type = "tsvector", generated = "to_tsvector('english'::regconfig, (name)::text)")
  std::optional<std::string> search;
};

}  // namespace shop
