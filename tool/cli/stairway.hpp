// retort stairway: every revision walked up, down and up again on a throwaway database, each
// downgrade checked against the schema PostgreSQL reports (pytest-alembic's stairway test).
#pragma once

#include "context.hpp"

namespace retort::cli {

/// Creates a throwaway database beside the configured one (the dev cluster by default), walks
/// every revision in order up, down and up again, and drops the database. Exit 3 when a
/// downgrade leaves the introspected schema different from before its upgrade, or the second
/// upgrade gives another schema than the first.
int stairway(context& ctx);

}  // namespace retort::cli
