// `upgrade`, `current`, `history` and `verify` over a fleet: every target of a fleet file, each on its own
// connection in a pool of threads, one line per finished target and a final table with the
// version skew. The applier per target is the one `retort upgrade` runs, so a rerun continues.
#pragma once

#include <string>
#include <vector>

#include "context.hpp"

namespace retort::cli {

/// Which targets a fleet command runs on, and how.
struct fleet_request {
  std::string file;                 ///< the fleet file (--fleet)
  std::vector<std::string> labels;  ///< --labels k=v: only targets carrying all of them
  int parallel = 4;                 ///< targets at a time, each on its own connection
  int canary = 0;                   ///< upgrade these first targets first; stop if any fails
  bool stop_on_error = false;       ///< start no further target after a failure
  std::string target = "head";      ///< upgrade: where each target goes
  bool accept_edited = false;
  bool audit = false;  ///< history: every target's full audit history
};

int fleet_upgrade(context& ctx, const fleet_request& request);
int fleet_current(context& ctx, const fleet_request& request);
int fleet_history(context& ctx, const fleet_request& request);
/// Each target against the schema its history replays to at the revision it records (what
/// `retort verify` does on one database): exit 3 when any target differs.
int fleet_verify(context& ctx, const fleet_request& request);

}  // namespace retort::cli
