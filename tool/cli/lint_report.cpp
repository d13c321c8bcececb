// Lint findings for people, for CI and for GitHub pull requests.
#include "lint_report.hpp"

#include <algorithm>
#include <map>
#include <ostream>
#include <vector>

#include <fmt/format.h>

#include "drift_report.hpp"
#include "retort/files.hpp"

namespace retort::cli {

std::vector<std::string> revisions_since(const revision_graph& graph, const std::string& since) {
  if (since.empty() || since == "base") return graph.order();
  const auto done = graph.ancestry(graph.resolve(since));
  std::vector<std::string> out;
  for (const auto& id : graph.order())
    if (!done.contains(id)) out.push_back(id);
  return out;
}

namespace {

// Where each operation of a migration file starts, by side, found in one pass over its text:
// Retort writes "upgrade" before "downgrade" and one "op" key per operation. (Looked up per
// finding, the first revision of a large history, with a finding per table, took seconds.)
struct operation_sites {
  std::vector<declaration_site> upgrade, downgrade;
};

operation_sites sites_of(const std::string& file, const std::string& text) {
  operation_sites out;
  const auto up = text.find("\"upgrade\"");
  const auto down = text.find("\"downgrade\"");
  if (up == std::string::npos || down == std::string::npos || down < up) return out;
  unsigned line = 1;
  std::size_t line_start = 0, counted = 0;
  for (auto at = text.find("\"op\":", up); at != std::string::npos; at = text.find("\"op\":", at + 1)) {
    for (; counted < at; ++counted)
      if (text[counted] == '\n') ++line, line_start = counted + 1;
    (at < down ? out.upgrade : out.downgrade).push_back({file, line, static_cast<unsigned>(at - line_start) + 1});
  }
  return out;
}

std::optional<declaration_site> site_in(const lint::finding& f, const operation_sites* sites) {
  if (f.file.empty()) return std::nullopt;
  const auto* side = sites ? (f.where == lint::side::upgrade ? &sites->upgrade : &sites->downgrade) : nullptr;
  if (!side || f.operation >= side->size()) return declaration_site{f.file, 1, 0};
  return (*side)[f.operation];
}

}  // namespace

std::vector<std::optional<declaration_site>> finding_sites(const std::vector<lint::finding>& findings) {
  std::map<std::string, std::optional<operation_sites>> files;  // nullopt: unreadable
  std::vector<std::optional<declaration_site>> out;
  for (const auto& f : findings) {
    auto it = files.find(f.file);
    if (it == files.end() && !f.file.empty()) {
      std::optional<operation_sites> sites;
      try {
        sites = sites_of(f.file, read_bytes(f.file));
      } catch (const std::exception&) {
      }
      it = files.emplace(f.file, std::move(sites)).first;
    }
    out.push_back(site_in(f, it == files.end() || !it->second ? nullptr : &*it->second));
  }
  return out;
}

void print_github_findings(std::ostream& out, const std::vector<lint::finding>& findings, const std::string& workspace) {
  const auto sites = finding_sites(findings);
  for (std::size_t i = 0; i < findings.size(); ++i)
    if (findings[i].fails())
      out << github_error(sites[i], "Retort lint " + findings[i].rule, findings[i].message + ". " + findings[i].hint,
                          workspace)
          << "\n";
}

void print_findings(std::ostream& out, const std::vector<lint::finding>& findings, bool show_silenced) {
  const auto sites = finding_sites(findings);
  for (std::size_t i = 0; i < findings.size(); ++i) {
    const auto& f = findings[i];
    if (f.silenced() && !show_silenced) continue;
    const auto& site = sites[i];
    const std::string where = site ? fmt::format("{}:{}:{}: ", site->file, site->line, site->column) : "";
    const std::string level = f.silenced() ? "note" : f.level == lint::severity::error ? "error" : "warning";
    out << fmt::format("{}{}: [{}] revision {} {}: {}\n", where, level, f.rule, f.revision, lint::location(f),
                       f.message);
    if (f.silenced()) out << fmt::format("  allowed: {}\n", f.allowed);
    else if (!f.hint.empty()) out << fmt::format("  hint: {}\n", f.hint);
  }
}

nlohmann::json findings_json(const std::vector<lint::finding>& findings) {
  nlohmann::json out = nlohmann::json::array();
  const auto sites = finding_sites(findings);
  for (std::size_t i = 0; i < findings.size(); ++i) {
    const auto& f = findings[i];
    const auto& site = sites[i];
    out.push_back({{"rule", f.rule},
                   {"severity", f.level == lint::severity::error ? "error" : "warning"},
                   {"revision", f.revision},
                   {"file", f.file},
                   {"line", site ? nlohmann::json(site->line) : nlohmann::json(nullptr)},
                   {"operation", lint::location(f)},
                   {"message", f.message},
                   {"hint", f.hint},
                   {"allowed", f.silenced() ? nlohmann::json(f.allowed) : nlohmann::json(nullptr)}});
  }
  return out;
}

std::size_t failing(const std::vector<lint::finding>& findings) {
  return static_cast<std::size_t>(std::count_if(findings.begin(), findings.end(), [](const auto& f) { return f.fails(); }));
}

}  // namespace retort::cli
