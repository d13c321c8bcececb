// The ticket service's C++ data steps: none yet (week.sh writes one on Thursday).
#include "data_steps.hpp"

void register_data_steps(retort::cpp_steps&) {}
