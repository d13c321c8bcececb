// An index of plain column keys, for tests that build schemas by hand.
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "retort/schema.hpp"

namespace retort::testing {

/// An index on `columns` (plain keys, no operator class or order).
inline index make_index(std::string name, std::vector<std::string> columns, bool unique = false,
                        std::optional<std::string> where = std::nullopt, std::string method = "btree") {
  index i;
  i.name = std::move(name);
  i.columns.assign(columns.begin(), columns.end());
  i.unique = unique;
  i.where = std::move(where);
  i.method = std::move(method);
  return i;
}

}  // namespace retort::testing
