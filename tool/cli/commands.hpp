// The retort commands, one function each; main.cpp wires them to the command line.
#pragma once

#include <optional>
#include <vector>
#include <string>

#include <nlohmann/json.hpp>

#include "context.hpp"
#include "retort/pg/applier.hpp"

namespace retort::cli {

// Shared by the command files (commands.cpp, verify.cpp, reset.cpp).

/// A JSON document on stdout, indented.
void print_json(const nlohmann::json& j);
/// "base", or the heads joined with ", ".
[[nodiscard]] std::string heads_text(const revision_heads& heads);
/// The applier's options from the command line, with its progress printed unless --format json.
[[nodiscard]] pg::apply_options apply_options(context& ctx, bool accept_edited);

/// The options every command applies with (bookkeeping, tenant, safety, timeouts), without progress output.
[[nodiscard]] pg::apply_options quiet_apply_options(const context& ctx, bool accept_edited);
/// The render options of those.
[[nodiscard]] pg::render_options render_options(const context& ctx);

int upgrade(context& ctx, const std::string& target, bool accept_edited);
int downgrade(context& ctx, const std::string& target, bool accept_edited);
/// Records `target` as applied; unless `verify_first` is false, only when the database has its schema.
int stamp(context& ctx, const std::string& target, bool verify_first);
int current(context& ctx);
int history(context& ctx, bool audit);
int heads(context& ctx);
int show(context& ctx, const std::string& name);
int sql(context& ctx, const std::string& range, bool single_transaction);
/// What `revision` writes.
struct revision_request {
  std::string snapshot;       ///< the models' snapshot; unused for an empty revision
  std::string message;        ///< empty: named from its operations
  bool empty = false;         ///< a data step: no models compared, a skeleton step to fill in
  bool cpp = false;           ///< with `empty`: the step is the application's C++ function
  bool init = false;          ///< the first revision: create the migrations directory
  std::string apply_command;  ///< suggested for applying it; empty: `retort upgrade`
};
int make_revision(context& ctx, const revision_request& request);
int merge(context& ctx, std::string message);
/// What `check` compares and how it reports.
struct check_request {
  std::string snapshot;     ///< the models' snapshot
  std::string locations;    ///< retort-scan's locations file; empty: changes are not located
  std::string fix_command;  ///< suggested for generating the missing migration
  bool github = false;      ///< also print GitHub Actions `::error` commands on stdout
  std::string workspace;    ///< GITHUB_WORKSPACE: annotation paths are relative to it
  bool lint = true;         ///< also fail on lint errors in the revisions after `lint_since`
  std::string lint_since;   ///< a revision applied everywhere; empty: lint every revision
  std::string cache_dir;    ///< where a verified history is remembered (check_cache.hpp); empty: nowhere
};
int check(context& ctx, const check_request& request);
/// What `lint` looks at and how it reports.
struct lint_request {
  std::vector<std::string> revisions;  ///< named revisions; empty: those after `since`
  std::string since;                   ///< empty: every revision
  bool show_silenced = false;          ///< list silenced findings with their reasons
  bool github = false;
  std::string workspace;
};
int lint(context& ctx, const lint_request& request);
/// Rewrites retort.sum from the migration files as they are.
int rehash(context& ctx);
int replay_to_file(context& ctx, const std::string& target, const std::string& output);
int devdb(context& ctx, const std::string& action);

}  // namespace retort::cli
