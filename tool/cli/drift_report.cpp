// Drift report: each operation mapped to the declaration it concerns (one overload per
// operation kind, so a new kind that nobody locates does not compile), and GitHub's
// workflow-command syntax with its escaping rules.
#include "drift_report.hpp"

#include <algorithm>
#include <filesystem>
#include <system_error>
#include <variant>

#include <fmt/format.h>

namespace retort::cli {

namespace {

namespace fs = std::filesystem;
using site = std::optional<declaration_site>;

class locator {
 public:
  explicit locator(const declaration_sites& sites) : sites_(sites) {}

  site operator()(const ops::create_schema&) const { return std::nullopt; }
  site operator()(const ops::drop_schema&) const { return std::nullopt; }
  site operator()(const ops::create_extension&) const { return std::nullopt; }
  site operator()(const ops::drop_extension&) const { return std::nullopt; }
  site operator()(const ops::alter_extension&) const { return std::nullopt; }
  site operator()(const ops::create_enum& o) const { return enum_type(o.type.name); }
  site operator()(const ops::drop_enum& o) const { return enum_type(o.type.name); }
  site operator()(const ops::add_enum_value& o) const { return enum_type(o.type); }
  site operator()(const ops::drop_enum_value& o) const { return enum_type(o.type); }
  site operator()(const ops::rename_enum_value& o) const { return enum_type(o.type); }
  site operator()(const ops::create_table& o) const { return table(o.def.name); }
  site operator()(const ops::drop_table& o) const { return table(o.def.name); }
  site operator()(const ops::rename_table& o) const { return table(o.to); }
  site operator()(const ops::set_table_comment& o) const { return table(o.table); }
  site operator()(const ops::add_column& o) const { return column(o.table, o.def.name); }
  site operator()(const ops::drop_column& o) const { return column(o.table, o.def.name); }
  site operator()(const ops::rename_column& o) const { return column(o.table, o.to); }
  site operator()(const ops::alter_column& o) const { return column(o.table, o.to.name); }
  site operator()(const ops::backfill_column& o) const { return column(o.table, o.column); }
  site operator()(const ops::add_primary_key& o) const { return key(o.table, o.def.columns); }
  site operator()(const ops::drop_primary_key& o) const { return key(o.table, o.def.columns); }
  site operator()(const ops::add_unique& o) const { return key(o.table, o.def.columns); }
  site operator()(const ops::drop_unique& o) const { return key(o.table, o.def.columns); }
  site operator()(const ops::add_check& o) const { return table(o.table); }
  site operator()(const ops::drop_check& o) const { return table(o.table); }
  site operator()(const ops::create_index& o) const { return key(o.table, columns_named(o.def)); }
  site operator()(const ops::drop_index& o) const { return key(o.table, columns_named(o.def)); }
  site operator()(const ops::add_foreign_key& o) const { return key(o.table, o.def.columns); }
  site operator()(const ops::drop_foreign_key& o) const { return key(o.table, o.def.columns); }
  site operator()(const ops::rename_index& o) const { return table(o.table); }
  site operator()(const ops::rename_constraint& o) const { return table(o.table); }
  site operator()(const ops::sql&) const { return std::nullopt; }
  site operator()(const ops::cpp&) const { return std::nullopt; }
  site operator()(const ops::create_view&) const { return std::nullopt; }
  site operator()(const ops::drop_view&) const { return std::nullopt; }
  site operator()(const ops::replace_view&) const { return std::nullopt; }
  site operator()(const ops::add_exclusion& o) const { return table(o.table); }
  site operator()(const ops::drop_exclusion& o) const { return table(o.table); }
  site operator()(const ops::set_row_level_security& o) const { return table(o.table); }
  site operator()(const ops::create_policy& o) const { return table(o.table); }
  site operator()(const ops::drop_policy& o) const { return table(o.table); }
  site operator()(const ops::alter_policy& o) const { return table(o.table); }
  // A sequence is cited at the column that owns it, if any (the locations file has no sequences).
  site operator()(const ops::create_sequence& o) const { return sequence(o.def); }
  site operator()(const ops::drop_sequence& o) const { return sequence(o.def); }
  site operator()(const ops::alter_sequence& o) const { return sequence(o.to); }
  site operator()(const ops::create_sql_object&) const { return std::nullopt; }  // a file of SQL_OBJECTS
  site operator()(const ops::drop_sql_object&) const { return std::nullopt; }
  site operator()(const ops::replace_sql_object&) const { return std::nullopt; }

 private:
  static site found(const declaration_site* s) { return s ? site(*s) : std::nullopt; }
  site table(const qualified_name& t) const { return found(table_site(sites_, t)); }
  site enum_type(const qualified_name& e) const { return found(enum_site(sites_, e)); }
  site sequence(const retort::sequence& q) const {
    if (!q.owned_by) return std::nullopt;
    return column({q.name.schema, q.owned_by->table}, q.owned_by->column);
  }
  site column(const qualified_name& t, std::string_view c) const {
    if (const declaration_site* s = column_site(sites_, t, c)) return *s;
    return table(t);
  }
  // A key or index on one column is usually that column's option (RETORT_COLUMN(unique)).
  site key(const qualified_name& t, const std::vector<std::string>& columns) const {
    return columns.size() == 1 ? column(t, columns.front()) : table(t);
  }

  const declaration_sites& sites_;
};

std::string escaped(std::string_view text, bool property) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '%': out += "%25"; break;
      case '\r': out += "%0D"; break;
      case '\n': out += "%0A"; break;
      case ':': out += property ? "%3A" : ":"; break;
      case ',': out += property ? "%2C" : ","; break;
      default: out += c;
    }
  }
  return out;
}

// The directory itself, without a trailing separator (lexically_relative compares elements).
fs::path directory(const fs::path& p) {
  fs::path out = p.lexically_normal();
  return out.has_filename() || out == out.root_path() ? out : out.parent_path();
}

}  // namespace

site site_of(const ops::operation& op, const declaration_sites& sites) { return std::visit(locator(sites), op); }

void print_changes(std::ostream& out, const context& ctx, const std::vector<ops::operation>& changes,
                   const std::vector<site>& where, const std::string& workspace) {
  // At its declaration, as a compiler says it, so that IDEs and CI problem matchers link it.
  for (std::size_t i = 0; i < changes.size(); ++i) {
    if (i < where.size() && where[i])
      out << diagnostic_prefix(*where[i], workspace) << ctx.paint("error: ", style::error);
    else
      out << "  - ";
    out << ops::describe(changes[i]) << "\n";
  }
}

nlohmann::json changes_json(const std::vector<ops::operation>& changes, const std::vector<site>& where) {
  using nlohmann::json;
  json out = json::array();
  for (std::size_t i = 0; i < changes.size(); ++i) {
    const site at = i < where.size() ? where[i] : std::nullopt;
    out.push_back(json{{"description", ops::describe(changes[i])},
                       {"file", at ? json(at->file) : json(nullptr)},
                       {"line", at ? json(at->line) : json(nullptr)},
                       {"column", at ? json(at->column) : json(nullptr)}});
  }
  return out;
}

site newest_head_site(const revision_graph& graph) {
  const std::vector<std::string> heads = graph.heads();
  const std::vector<std::string>& order = graph.order();
  const std::string* newest = nullptr;
  std::size_t newest_at = 0;
  for (const std::string& h : heads) {
    const std::size_t at = static_cast<std::size_t>(std::find(order.begin(), order.end(), h) - order.begin());
    if (!newest || graph.at(h).created > graph.at(*newest).created ||
        (graph.at(h).created == graph.at(*newest).created && at > newest_at)) {
      newest = &h;
      newest_at = at;
    }
  }
  if (!newest || graph.at(*newest).file.empty()) return std::nullopt;
  return declaration_site{graph.at(*newest).file, 1, 0};
}

std::string escape_data(std::string_view text) { return escaped(text, false); }

std::string escape_property(std::string_view text) { return escaped(text, true); }

std::string workspace_relative(const std::string& path, const std::string& workspace) {
  if (workspace.empty() || path.empty()) return path;
  std::error_code ec;
  const fs::path absolute = fs::absolute(path, ec).lexically_normal();
  if (ec) return path;
  // Compare as written and with symbolic links resolved: either side may have been spelled
  // through one (a checkout under /home that is a link to /data, say).
  const fs::path bases[] = {directory(workspace), directory(fs::weakly_canonical(workspace, ec))};
  const fs::path files[] = {absolute, fs::weakly_canonical(absolute, ec)};
  for (const fs::path& base : bases)
    for (const fs::path& file : files) {
      if (base.empty() || file.empty()) continue;
      const fs::path relative = file.lexically_relative(base);
      if (!relative.empty() && *relative.begin() != ".." && relative != ".") return relative.generic_string();
    }
  return path;
}

std::string diagnostic_prefix(const declaration_site& at, const std::string& workspace) {
  const std::string file = workspace_relative(at.file, workspace);
  return at.column > 0 ? fmt::format("{}:{}:{}: ", file, at.line, at.column) : fmt::format("{}:{}: ", file, at.line);
}

std::string github_error(const site& at, std::string_view title, std::string_view message, const std::string& workspace) {
  std::string properties;
  if (at) {
    properties = fmt::format("file={},line={}", escape_property(workspace_relative(at->file, workspace)), at->line);
    if (at->column > 0) properties += fmt::format(",col={}", at->column);
    properties += ",";
  }
  return fmt::format("::error {}title={}::{}", properties, escape_property(title), escape_data(message));
}

}  // namespace retort::cli
