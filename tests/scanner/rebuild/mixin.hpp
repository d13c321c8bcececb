// Included by model.hpp: known to the build only through the scanner's depfile.
#pragma once

#include <cstdint>

struct Mixin {
  std::int32_t version;
};
