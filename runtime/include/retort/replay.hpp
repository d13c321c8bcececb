// Replay: applies operations to an in-memory schema, with no database. A migration history
// replayed from empty gives the schema it produces; drift is the diff against the models.
#pragma once

#include <vector>

#include "retort/ops.hpp"
#include "retort/schema.hpp"

namespace retort {

/// Applies one operation; throws replay_error when it does not fit the schema (a missing
/// table, a dropped object that differs from the one the operation carries, ...).
/// An sql step changes nothing.
void replay(schema& s, const ops::operation& op);

/// Applies operations in order to a copy of `s`.
[[nodiscard]] schema replay(schema s, const std::vector<ops::operation>& operations);

}  // namespace retort
