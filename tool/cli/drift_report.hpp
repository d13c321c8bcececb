// What `retort check` says about each change, beyond its description: the model declaration
// the change concerns (from retort-scan's locations file), and the GitHub Actions workflow
// commands (`::error file=...,line=...::`) that show it on that line of a pull request.
#pragma once

#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "context.hpp"
#include "declaration_sites.hpp"
#include "retort/ops.hpp"
#include "retort/revision_graph.hpp"

namespace retort::cli {

/// The declaration a drift operation concerns, on the models' side: the column or enum type
/// it changes (a constraint or index on one column: that column), else its table. An object
/// the models no longer declare (a dropped column) falls back to its table; nullopt when
/// neither is known (a dropped table, a schema, a hand-written step).
[[nodiscard]] std::optional<declaration_site> site_of(const ops::operation& op, const declaration_sites& sites);

/// Each change as `check` and `verify` list it, one line each: `file:line:col: error: <description>`
/// at its site (`where[i]`, relative to `workspace`) when known, else `  - <description>`.
void print_changes(std::ostream& out, const context& ctx, const std::vector<ops::operation>& changes,
                   const std::vector<std::optional<declaration_site>>& where, const std::string& workspace);

/// The same changes for `--format json`: `{"description", "file", "line", "column"}` each, null
/// where no site is known.
[[nodiscard]] nlohmann::json changes_json(const std::vector<ops::operation>& changes,
                                          const std::vector<std::optional<declaration_site>>& where);

/// The first line of the newest head's migration file (by `created`, then history order),
/// where an annotation about several heads goes; nullopt for an empty history.
[[nodiscard]] std::optional<declaration_site> newest_head_site(const revision_graph& graph);

/// A workflow command's message: `%`, CR and LF escaped as %25, %0D and %0A.
[[nodiscard]] std::string escape_data(std::string_view text);

/// A workflow command's property value: escape_data, and `:` and `,` as %3A and %2C.
[[nodiscard]] std::string escape_property(std::string_view text);

/// `path` relative to `workspace` (GITHUB_WORKSPACE) when it lies inside it, since GitHub
/// matches annotations to a repository's files by such paths; otherwise `path` unchanged.
/// A relative `path` is taken from the current directory.
[[nodiscard]] std::string workspace_relative(const std::string& path, const std::string& workspace);

/// `file:line:col: ` (without `col:` for a column of 0), the prefix of a compiler diagnostic, which
/// IDEs and CI problem matchers link to that line; the file relative to `workspace` when inside it.
[[nodiscard]] std::string diagnostic_prefix(const declaration_site& site, const std::string& workspace);

/// `::error file=F,line=N,col=C,title=T::message`, with F relative to `workspace`; without a
/// site `::error title=T::message`, and without `col=` for a site with no column (0).
[[nodiscard]] std::string github_error(const std::optional<declaration_site>& site, std::string_view title,
                                       std::string_view message, const std::string& workspace);

}  // namespace retort::cli
