// retort squash: the history up to a revision replaced by one revision that creates its schema.
#pragma once

#include <string>

#include "context.hpp"

namespace retort::cli {

/// Writes the squash revision of everything up to `target` (see retort::squash_revision), removes
/// the files it replaces and rewrites retort.sum.
int squash(context& ctx, const std::string& target, std::string message, bool without_sql_steps);

}  // namespace retort::cli
