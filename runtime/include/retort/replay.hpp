// Replay: applies operations to an in-memory schema, with no database. A migration history
// replayed from empty gives the schema it produces; drift is the diff against the models.
#pragma once

#include <map>
#include <optional>
#include <set>
#include <vector>

#include "retort/ops.hpp"
#include "retort/schema.hpp"

namespace retort {

/// A schema that operations are applied to one after another. It keeps the schema sorted
/// canonically as it goes and, once a check needs them, indexes of the names that must be
/// looked up across tables (index names per schema, the foreign keys referencing each table),
/// so an operation costs O(log n) in the number of tables, not O(n): a history of thousands
/// of revisions over thousands of tables replays in O(n log n).
class replayer {
 public:
  /// `s` in canonical order (sort_canonically), as replay and read_snapshot leave it.
  explicit replayer(schema s = {});

  /// Applies one operation; throws replay_error when it does not fit the schema (a missing
  /// table, a dropped object that differs from the one the operation carries, ...).
  /// An sql step changes nothing. After a throw the state is unspecified.
  void apply(const ops::operation& op);

  /// The schema so far, in canonical order.
  [[nodiscard]] const schema& state() const noexcept { return s_; }
  /// Gives the schema up (the replayer is empty afterwards).
  [[nodiscard]] schema take() && { return std::move(s_); }

 private:
  template <class Op>
  void apply_one(const Op& o);

  table& existing_table(const qualified_name& n);
  void require_free_name(const table& t, const std::string& name, bool relation);
  void require_referenced_keys(const table& t, std::string_view what);
  /// Tables with a foreign key to `referenced`, in name order.
  std::vector<qualified_name> referencing(const qualified_name& referenced);
  template <class T>
  void add_named(table& t, std::vector<T>& list, const T& item);
  /// Runs `change` on table `n` with its names taken out of the indexes and put back after.
  template <class F>
  void edit_table(const qualified_name& n, F&& change);
  void track(const table& t);    ///< adds the names of `t` to the indexes that exist
  void untrack(const table& t);  ///< removes them
  void insert_table(table t);
  void require_view_inputs(const view& v);  ///< its schema, what it reads, its enum types exist
  const view& existing_view(const qualified_name& n, const view& as_described, std::string_view what);

  schema s_;
  /// Names of primary keys, unique constraints and indexes (relations in PostgreSQL, unique
  /// per schema); built on first use.
  std::optional<std::set<qualified_name>> relations_;
  /// Referenced table -> referencing table -> its number of foreign keys to it; built on first use.
  std::optional<std::map<qualified_name, std::map<qualified_name, int>>> referencing_;
};

/// Applies one operation (see replayer::apply); `s` may be in any order.
void replay(schema& s, const ops::operation& op);

/// Applies operations in order to a copy of `s`.
[[nodiscard]] schema replay(schema s, const std::vector<ops::operation>& operations);

}  // namespace retort
