// The revision graph: revisions linked by their parents. Built from a vector of revisions
// (not from a directory), it validates the history, orders it deterministically, resolves
// revision names, plans upgrades/downgrades and replays the schema at any point.
#pragma once

#include <filesystem>
#include <map>
#include <set>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "retort/hash.hpp"
#include "retort/revision.hpp"
#include "retort/schema.hpp"

namespace retort {

/// A database's position in the history: the heads of its applied revisions (empty = base).
using revision_heads = std::vector<std::string>;

class revision_graph {
 public:
  /// Validates and indexes `revisions`. Throws graph_error naming the file at fault for a
  /// duplicate id, a missing parent or a cycle. Two branches changing the same object are
  /// recorded as conflicts(): the history stays readable, and what applies or extends it
  /// calls require_no_conflicts().
  explicit revision_graph(std::vector<revision> revisions);

  /// Each object two branches both change, as a message naming both revisions' files.
  [[nodiscard]] const std::vector<std::string>& conflicts() const noexcept { return conflicts_; }
  /// Throws graph_error(conflict) listing the conflicts and how to resolve them.
  void require_no_conflicts() const;

  /// Every revision in deterministic topological order (parents first; ties by created, then id).
  [[nodiscard]] const std::vector<std::string>& order() const noexcept { return order_; }
  [[nodiscard]] const revision& at(std::string_view id) const;
  [[nodiscard]] bool contains(std::string_view id) const;
  [[nodiscard]] bool empty() const noexcept { return order_.empty(); }
  /// The squash revision that stands for `id`, a revision whose file `retort squash` removed; or nullptr.
  [[nodiscard]] const revision* replaced_by(std::string_view id) const;

  /// Revisions no other revision names as parent, sorted by id.
  [[nodiscard]] std::vector<std::string> heads() const;
  /// Revisions with no parent, sorted by id.
  [[nodiscard]] std::vector<std::string> bases() const;

  /// `id` and everything it descends from.
  [[nodiscard]] std::set<std::string> ancestry(std::string_view id) const;
  /// Every revision applied at position `heads`.
  [[nodiscard]] std::set<std::string> applied(const revision_heads& heads) const;
  /// The heads of a set of applied revisions (the inverse of applied()).
  [[nodiscard]] revision_heads heads_of(const std::set<std::string>& applied) const;

  /// Full id for an exact id or a unique prefix of at least 4 characters, or "head" when
  /// there is a single head. Throws graph_error (unknown, ambiguous, multiple heads).
  [[nodiscard]] std::string resolve(std::string_view name) const;

  /// Revisions to apply, in order, to go from `current` to `target`: "head"/"heads" (all),
  /// "+N" (the next N in order), or a revision name (it and its ancestors).
  [[nodiscard]] std::vector<std::string> upgrade_plan(const revision_heads& current, std::string_view target) const;
  /// Revisions to undo, in order, to go from `current` down to `target`: "base" (all),
  /// "-N" (the last N applied), or a revision name (everything applied after it).
  [[nodiscard]] std::vector<std::string> downgrade_plan(const revision_heads& current, std::string_view target) const;

  /// The schema produced by replaying, in order, every revision applied at `heads`.
  [[nodiscard]] schema schema_at(const revision_heads& heads) const;

 private:
  std::map<std::string, revision, std::less<>> revisions_;
  std::map<std::string, std::vector<std::string>, std::less<>> children_;
  std::map<std::string, std::string, std::less<>> replaced_by_;  ///< replaced id -> squash revision id
  std::vector<std::string> order_;
  std::vector<std::string> conflicts_;
};

/// A migration file compiled into a binary (see retort_add_schema(EMBED_INTO)).
struct embedded_file {
  std::string_view name;   ///< its file name under migrations/versions
  std::string_view bytes;  ///< its exact content
};

/// Parses embedded migration files as revisions (file = name, checksum of the bytes), as
/// load_revisions() would from the directory they came from.
[[nodiscard]] std::vector<revision> load_embedded(std::span<const embedded_file> files);

/// The migration files of `dir` (every regular *.json file), sorted by file name.
[[nodiscard]] std::vector<std::filesystem::path> migration_files(const std::string& dir);

/// Reads every `*.json` under `dir` as a revision (with file and checksum set), sorted by file name.
/// Throws file_error naming the file for unreadable or malformed input.
[[nodiscard]] std::vector<revision> load_revisions(const std::string& dir);

}  // namespace retort
