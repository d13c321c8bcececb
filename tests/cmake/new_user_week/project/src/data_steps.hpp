// The ticket service's C++ data steps, registered by revision id for retort::migrate_to_head.
#pragma once

#include <retort/migrate.hpp>

/// Adds every C++ data step of the service's migration history to `steps`.
void register_data_steps(retort::cpp_steps& steps);
