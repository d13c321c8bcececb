// How an error leaves the CLI: one message on stderr, or with --format json one
// {"error": {...}} document on stdout carrying the error's fields; and its exit code.
#pragma once

#include <exception>

#include "context.hpp"

namespace retort::cli {

/// Prints the exception that is being handled (call from a catch block) and returns its
/// documented exit code.
int report_current_error(context& ctx);

}  // namespace retort::cli
