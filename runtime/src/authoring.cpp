// New revisions: next (from the models), merge, names and file names.
#include "retort/authoring.hpp"

#include <chrono>
#include <random>
#include <set>

#include <fmt/chrono.h>
#include <fmt/format.h>

#include "retort/errors.hpp"
#include "overloaded.hpp"

namespace retort {

namespace {

// A short phrase per operation for revision names; table-level changes name table.column.
std::string phrase(const ops::operation& op) {
  auto col = [](const qualified_name& t, const std::string& c) {
    return (t.schema == "public" ? t.name : to_string(t)) + "." + c;
  };
  auto tbl = [](const qualified_name& t) { return t.schema == "public" ? t.name : to_string(t); };
  return std::visit(overloaded{
                        [&](const ops::create_table& o) { return "create " + tbl(o.def.name); },
                        [&](const ops::drop_table& o) { return "drop " + tbl(o.def.name); },
                        [&](const ops::rename_table& o) { return "rename " + tbl(o.from) + " to " + tbl(o.to); },
                        [&](const ops::add_column& o) { return "add " + col(o.table, o.def.name); },
                        [&](const ops::drop_column& o) { return "drop " + col(o.table, o.def.name); },
                        [&](const ops::rename_column& o) { return "rename " + col(o.table, o.from) + " to " + o.to; },
                        [&](const ops::alter_column& o) { return "alter " + col(o.table, o.to.name); },
                        [&](const ops::create_index& o) { return "index " + o.def.name; },
                        [&](const ops::drop_index& o) { return "drop index " + o.def.name; },
                        [&](const ops::create_enum& o) { return "create enum " + o.type.name.name; },
                        [&](const ops::add_enum_value& o) { return "add " + o.type.name + " value " + o.value; },
                        [&](const ops::rename_enum_value& o) { return "rename " + o.type.name + " value " + o.from + " to " + o.to; },
                        [&](const auto& o) { return ops::describe(ops::operation(o)); },
                    },
                    op);
}

bool is_noise(const ops::operation& op) {
  // Follow-ups of a main change: they do not name a revision.
  return std::holds_alternative<ops::backfill_column>(op) || std::holds_alternative<ops::rename_index>(op) ||
         std::holds_alternative<ops::rename_constraint>(op) || std::holds_alternative<ops::add_foreign_key>(op);
}

}  // namespace

std::string default_message(const std::vector<ops::operation>& operations) {
  std::vector<std::string> parts;
  for (const auto& op : operations) {
    if (is_noise(op) && operations.size() > 1) continue;
    std::string p = phrase(op);
    if (std::find(parts.begin(), parts.end(), p) == parts.end()) parts.push_back(std::move(p));
  }
  if (parts.empty()) return "empty revision";
  if (parts.size() <= 3) return fmt::format("{}", fmt::join(parts, ", "));
  return fmt::format("{}, {} and {} more", parts[0], parts[1], parts.size() - 2);
}

std::string file_name_for(const revision& r) {
  std::string stamp;
  for (char c : r.created)
    if (std::isdigit(static_cast<unsigned char>(c))) stamp += c;
  std::string slug;
  for (char c : r.message) {
    if (std::isalnum(static_cast<unsigned char>(c))) slug += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    else if (!slug.empty() && slug.back() != '_') slug += '_';
    if (slug.size() >= 48) break;
  }
  while (!slug.empty() && slug.back() == '_') slug.pop_back();
  return fmt::format("{}_{}{}{}.json", stamp, r.id, slug.empty() ? "" : "_", slug);
}

schema single_head_schema(const revision_graph& graph) {
  const auto heads = graph.heads();
  if (heads.size() > 1)
    throw graph_error(graph_error::kind::multiple_heads,
                      fmt::format("the history has {} heads ({}); join them first with `retort merge`", heads.size(),
                                  fmt::join(heads, ", ")));
  return graph.schema_at(heads);
}

std::optional<revision> next_revision(const revision_graph& graph, const schema& head, const schema& models,
                                      std::string message, const authoring& source, const diff_options& options) {
  auto up = diff(head, models, options);
  if (up.empty()) return std::nullopt;
  revision r;
  r.id = source.new_id();
  r.parents = graph.heads();
  r.message = message.empty() ? default_message(up) : std::move(message);
  r.created = source.now();
  r.downgrade = ops::inverse(up);
  r.upgrade = std::move(up);
  return r;
}

std::optional<revision> next_revision(const revision_graph& graph, const schema& models, std::string message,
                                      const authoring& source, const diff_options& options) {
  return next_revision(graph, single_head_schema(graph), models, std::move(message), source, options);
}

revision data_step_revision(const revision_graph& graph, std::string message, data_step_kind kind,
                            const authoring& source) {
  const auto heads = graph.heads();
  if (heads.size() > 1)
    throw graph_error(graph_error::kind::multiple_heads,
                      fmt::format("the history has {} heads ({}); join them first with `retort merge`", heads.size(),
                                  fmt::join(heads, ", ")));
  revision r;
  r.id = source.new_id();
  r.parents = heads;
  r.message = message.empty() ? "data step" : std::move(message);
  r.created = source.now();
  if (kind == data_step_kind::cpp) {
    r.upgrade = {ops::cpp{ops::cpp::function::upgrade}};
  } else {
    // Comments, so that a skeleton applied unedited does nothing.
    r.upgrade = {ops::sql{"-- the data step's SQL: it runs in the revision's transaction; several statements may follow "
                          "one another",
                          "-- the SQL that undoes it; a step that cannot be undone gives irreversible (why) in place "
                          "of down"}};
  }
  r.downgrade = ops::inverse(r.upgrade);
  return r;
}

revision merge_revision(const revision_graph& graph, std::string message, const authoring& source) {
  const auto heads = graph.heads();
  if (heads.size() < 2)
    throw graph_error(graph_error::kind::multiple_heads, "there is nothing to merge: the history has a single head");
  revision r;
  r.id = source.new_id();
  r.parents = heads;
  r.message = message.empty() ? fmt::format("merge {}", fmt::join(heads, ", ")) : std::move(message);
  r.created = source.now();
  return r;
}

revision squash_revision(const revision_graph& graph, std::string_view target, std::string message,
                         bool without_sql_steps) {
  const revision& last = graph.at(graph.resolve(target));
  const std::set<std::string> range = graph.ancestry(last.id);
  if (range.size() < 2)
    throw graph_error(graph_error::kind::unknown_revision,
                      fmt::format("nothing to squash: {} is the first revision", last.id));
  std::vector<std::string> sql_steps;
  revision r;
  for (const auto& id : graph.order()) {
    const revision& each = graph.at(id);
    if (!range.contains(id)) {
      for (const auto& p : each.parents)
        if (p != last.id && range.contains(p))
          throw graph_error(graph_error::kind::conflict,
                            fmt::format("{} starts from {}, inside the history to squash: squash up to a revision "
                                        "that every branch starts from or after",
                                        each.file.empty() ? id : each.file, p));
      continue;
    }
    r.replaces.insert(r.replaces.end(), each.replaces.begin(), each.replaces.end());
    if (id != last.id) r.replaces.push_back(id);
    for (const auto& op : each.upgrade)
      if (const auto* step = std::get_if<ops::sql>(&op))
        sql_steps.push_back(fmt::format("  {} ({}): {}", id, each.file.empty() ? "in memory" : each.file,
                                        step->up.substr(0, step->up.find('\n'))));
  }
  if (!sql_steps.empty() && !without_sql_steps)
    throw error(fmt::format("the history up to {} has {} sql step{}, which the squash cannot carry (it creates the "
                            "schema the operations give):\n{}\nSquash up to a revision before the first of them, or "
                            "pass --without-sql-steps if a new database does not need them",
                            last.id, sql_steps.size(), sql_steps.size() == 1 ? "" : "s", fmt::join(sql_steps, "\n")));
  r.id = last.id;
  r.created = last.created;
  r.message = message.empty() ? fmt::format("squash of {} revisions up to {}", r.replaces.size() + 1, last.message)
                              : std::move(message);
  r.upgrade = diff(graph.schema_at({}), graph.schema_at({last.id}), {.require_backfill = false});
  r.downgrade = ops::inverse(r.upgrade);
  return r;
}

std::string random_revision_id() {
  std::random_device device;
  std::uniform_int_distribution<std::uint64_t> digits(0, (std::uint64_t{1} << 48) - 1);
  return fmt::format("{:012x}", digits(device));
}

std::string utc_now() {
  const auto now = std::chrono::time_point_cast<std::chrono::seconds>(std::chrono::system_clock::now());
  return fmt::format("{:%Y-%m-%dT%H:%M:%SZ}", fmt::gmtime(std::chrono::system_clock::to_time_t(now)));
}

}  // namespace retort
