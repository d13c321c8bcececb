// The check cache: a history that `retort check` verified (retort.sum, every downgrade, lint,
// one head) is not loaded and replayed again while its files keep the same bytes. The schema it
// replays to is kept under --cache-dir, keyed by the files' checksums, the check's options and
// the retort binary; the next check hashes the files, reads that schema and diffs the models.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "retort/schema.hpp"
#include "retort/sum_file.hpp"

namespace retort::cli {

/// What a verified history leaves for the next check.
struct verified_history {
  std::string head;            ///< its one head (a history with several heads is never cached)
  std::size_t revisions = 0;   ///< how many revisions it has
  schema head_schema;          ///< the schema the history replays to
};

/// The cache key of a history whose files have these checksums, checked with these options
/// (lint, --lint-since, the render options: whatever changes the verdict), by this retort binary.
[[nodiscard]] std::string check_cache_key(const history_sum& files, std::string_view options);

/// The verified history stored under `dir` for `key`; nullopt when there is none, or it does not
/// read (a cache miss: the check then verifies the history itself, so this is never an error).
[[nodiscard]] std::optional<verified_history> read_check_cache(const std::string& dir, const std::string& key);

/// Stores a verified history (its one head, revision count and head schema, taken by reference:
/// no copy of the schema) under `dir` for `key`, replacing the entries of other keys. A cache that
/// cannot be written is left alone: it only saves time.
void write_check_cache(const std::string& dir, const std::string& key, const std::string& head, std::size_t revisions,
                       const schema& head_schema);

}  // namespace retort::cli
