// What `retort lint`, `check` and `revision` say about lint findings: which revisions to lint
// (everything after a revision marked as applied everywhere), where each finding is in its
// migration file, and how it prints (compiler-style lines, JSON, GitHub annotations).
#pragma once

#include <iosfwd>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "declaration_sites.hpp"
#include "retort/lint.hpp"

namespace retort::cli {

/// The revisions to lint, in history order: every one when `since` is empty or "base", else
/// those that are not `since` or one of its ancestors (applied nowhere yet).
[[nodiscard]] std::vector<std::string> revisions_since(const revision_graph& graph, const std::string& since);

/// For each finding, the line of its operation in its migration file (the n-th `"op"` of a file
/// laid out as Retort writes it); the file's first line otherwise; nullopt for a revision with
/// no file. Each file is read once.
[[nodiscard]] std::vector<std::optional<declaration_site>> finding_sites(const std::vector<lint::finding>& findings);

/// One GitHub Actions `::error` line per failing finding, on its operation's line.
void print_github_findings(std::ostream& out, const std::vector<lint::finding>& findings, const std::string& workspace);

/// "file:line: error: [rule] upgrade[2] message" and an indented hint; silenced findings as
/// notes with their reason when `show_silenced`.
void print_findings(std::ostream& out, const std::vector<lint::finding>& findings, bool show_silenced);

/// The findings as JSON objects.
[[nodiscard]] nlohmann::json findings_json(const std::vector<lint::finding>& findings);

/// How many findings fail the check (errors not silenced).
[[nodiscard]] std::size_t failing(const std::vector<lint::finding>& findings);

}  // namespace retort::cli
