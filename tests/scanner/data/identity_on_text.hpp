// Diagnostic case: a rule of the core's validation, reported at the member.
#include <retort/model.hpp>

struct RETORT_TABLE("tags") Tag {
  RETORT_COLUMN(primary_key, identity) std::string id;
};
