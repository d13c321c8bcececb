// Diagnostic case: an unknown PostgreSQL type in `type = "..."`.
#include <retort/model.hpp>

struct RETORT_TABLE("documents") Document {
  RETORT_COLUMN(primary_key) std::int64_t id;
  RETORT_COLUMN(type = "jsonbb") std::string body;
};
