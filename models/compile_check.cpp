// Builds the models with the application's compiler and -Wall -Wextra -Wpedantic -Werror:
// the annotations must cost nothing, not even a warning.
#include "models.hpp"

static_assert(sizeof(shop::Entity) == sizeof(std::int64_t), "annotations add no members");

int retort_example_models_check() {
  shop::OrderItem item{};
  item.quantity = 1;
  return item.quantity;
}
