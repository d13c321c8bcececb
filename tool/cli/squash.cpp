// retort squash: one revision for the history up to REV, in the manner of Django's
// squashmigrations `replaces`. The new revision keeps REV's id, so a database at or past REV
// is already at it; the applier records the squash there on its next run, and stops a database
// that is inside the squashed range with what to do.
#include "squash.hpp"

#include <filesystem>
#include <iostream>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "retort/authoring.hpp"
#include "retort/files.hpp"

namespace retort::cli {

namespace fs = std::filesystem;

int squash(context& ctx, const std::string& target, std::string message, bool without_sql_steps) {
  const auto& graph = ctx.graph();
  graph.require_no_conflicts();
  ctx.verify_sum();  // the new retort.sum must not bless an edited file
  const revision r = squash_revision(graph, target, std::move(message), without_sql_steps);
  std::vector<fs::path> old_files;
  for (const auto& id : graph.ancestry(r.id))
    if (!graph.at(id).file.empty()) old_files.emplace_back(graph.at(id).file);
  const fs::path path = fs::path(ctx.opts().migrations_dir) / file_name_for(r);
  write_if_changed(path, write_revision(r));
  for (const auto& f : old_files)
    if (!fs::equivalent(f, path)) fs::remove(f);
  ctx.rehash();
  if (ctx.json()) {
    std::cout << nlohmann::json{{"id", r.id}, {"file", path.string()}, {"replaces", r.replaces}}.dump(2) << "\n";
    return exit_ok;
  }
  std::cout << fmt::format("Wrote {}\nRevision {} now creates the schema of the {} revisions up to it from nothing; "
                           "{} file{} removed, retort.sum rewritten.\n",
                           ctx.paint(path.string(), style::strong), r.id, r.replaces.size() + 1, old_files.size() - 1,
                           old_files.size() == 2 ? "" : "s");
  std::cout << fmt::format(
      "A database at or past {} keeps working (its next upgrade records the squash); one at base gets the whole "
      "schema at once. A database between base and {} must first be brought to {} with the history before the "
      "squash (it is in git).\n",
      r.id, r.id, r.id);
  return exit_ok;
}

}  // namespace retort::cli
