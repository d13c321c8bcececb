// Diagnostic case: a member whose C++ type has no column type.
#include <retort/model.hpp>

struct RETORT_TABLE("counters") Counter {
  RETORT_COLUMN(primary_key) std::int64_t id;
  std::optional<unsigned> hits;
};
