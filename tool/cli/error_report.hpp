// How an error leaves the CLI: one message on stderr, or with --format json one
// {"error": {...}} document on stdout carrying the error's fields; and its exit code.
#pragma once

#include <exception>

#include <nlohmann/json.hpp>

#include "context.hpp"

namespace retort::cli {

/// What an error is: its documented exit code, and its fields ("type", "message", and what the
/// type carries: revision, statement, SQLSTATE, file, ...).
struct error_description {
  int code;
  nlohmann::json fields;
};

/// The exception that is being handled (call from a catch block), described.
[[nodiscard]] error_description describe_current_error();

/// Prints the exception that is being handled (call from a catch block) and returns its
/// documented exit code.
int report_current_error(context& ctx);

}  // namespace retort::cli
