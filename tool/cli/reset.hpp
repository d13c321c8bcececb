// Starting over: `retort reset` and `retort devdb reset`.
#pragma once

#include "context.hpp"

namespace retort::cli {

/// Undoes every applied revision, then applies every one up to head. On a database other than
/// the local dev database it needs `yes`: without it, it prints what it would destroy and
/// returns exit_usage having changed nothing.
int reset(context& ctx, bool yes);

/// Drops the local dev database and creates it again, empty (starting the cluster if needed).
int devdb_reset(context& ctx);

}  // namespace retort::cli
