// The retort commands, one function each; main.cpp wires them to the command line.
#pragma once

#include <optional>
#include <vector>
#include <string>

#include "context.hpp"
#include "retort/pg/applier.hpp"

namespace retort::cli {

/// The options every command applies with (bookkeeping, tenant, safety, timeouts), without progress output.
[[nodiscard]] pg::apply_options quiet_apply_options(const context& ctx, bool accept_edited);
/// The render options of those.
[[nodiscard]] pg::render_options render_options(const context& ctx);

int upgrade(context& ctx, const std::string& target, bool accept_edited);
int downgrade(context& ctx, const std::string& target, bool accept_edited);
int stamp(context& ctx, const std::string& target);
int current(context& ctx);
int history(context& ctx, bool audit);
int heads(context& ctx);
int show(context& ctx, const std::string& name);
int sql(context& ctx, const std::string& range, bool single_transaction);
int make_revision(context& ctx, const std::string& snapshot, std::string message, bool allow_empty);
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
