// Writing new revisions: the next revision from the models (diff of the history's head and
// the snapshot), merge revisions, their default names and file names. The clock and the id
// source are passed in, so tests control them.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "retort/diff.hpp"
#include "retort/revision_graph.hpp"

namespace retort {

struct authoring {
  std::function<std::string()> new_id;  ///< a fresh revision id (12 hex digits in the CLI)
  std::function<std::string()> now;     ///< the current time, ISO 8601 UTC ("2026-11-25T04:49:48Z")
};

/// The schema at the history's single head. Throws graph_error when there are several heads.
[[nodiscard]] schema single_head_schema(const revision_graph& graph);

/// The revision that brings `head` (single_head_schema of `graph`, replayed once by the caller,
/// who may render with it too) to `models`, or nullopt when they agree. `message` empty: named
/// from its operations.
[[nodiscard]] std::optional<revision> next_revision(const revision_graph& graph, const schema& head,
                                                    const schema& models, std::string message,
                                                    const authoring& source, const diff_options& options = {});

/// The same, replaying the head itself. Throws graph_error when there are several heads.
[[nodiscard]] std::optional<revision> next_revision(const revision_graph& graph, const schema& models,
                                                    std::string message, const authoring& source,
                                                    const diff_options& options = {});

/// An empty revision whose parents are all current heads. Throws graph_error with fewer than two heads.
[[nodiscard]] revision merge_revision(const revision_graph& graph, std::string message, const authoring& source);

/// What a data step revision holds: a hand-written sql step, or the application's C++ function.
enum class data_step_kind { sql, cpp };

/// A data step on top of the history's single head, compared with no models: an sql step whose
/// `up` and `down` are placeholders to replace, or a cpp step (its upgrade and downgrade
/// functions, registered by the application). `message` empty: "data step". Throws graph_error
/// when there are several heads.
[[nodiscard]] revision data_step_revision(const revision_graph& graph, std::string message, data_step_kind kind,
                                          const authoring& source);

/// The revision that stands for `target` and everything before it (`retort squash`): it creates
/// the schema at `target` from nothing, keeps `target`'s id and creation time (a database at or
/// past `target` is already there), and lists in `replaces` the other revisions it stands for
/// (with those they replaced). Throws graph_error when a revision outside the range starts from
/// inside it (not from `target`) or there is nothing before `target`, and retort::error naming
/// the `sql` steps in the range, which replay cannot see, unless `without_sql_steps`.
[[nodiscard]] revision squash_revision(const revision_graph& graph, std::string_view target, std::string message,
                                       bool without_sql_steps = false);

/// A name from the operations: "add users.phone_number", "create tables users, posts", ...
[[nodiscard]] std::string default_message(const std::vector<ops::operation>& operations);

/// "<created, digits only>_<id>_<slug of message>.json"
[[nodiscard]] std::string file_name_for(const revision& r);

/// A random id of 12 hex digits from the system's random device.
[[nodiscard]] std::string random_revision_id();
/// The system clock as ISO 8601 UTC.
[[nodiscard]] std::string utc_now();

}  // namespace retort
