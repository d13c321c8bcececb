// Lint findings for people, for CI and for GitHub pull requests.
#include "lint_report.hpp"

#include <algorithm>
#include <map>
#include <ostream>

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

std::optional<declaration_site> site_in(const lint::finding& f, const std::string* text) {
  if (f.file.empty()) return std::nullopt;
  if (!text) return declaration_site{f.file, 1, 0};
  // Retort writes "upgrade" before "downgrade" and one "op" key per operation.
  const auto up = text->find("\"upgrade\"");
  const auto down = text->find("\"downgrade\"");
  if (up == std::string::npos || down == std::string::npos || down < up) return declaration_site{f.file, 1, 0};
  std::size_t at = f.where == lint::side::upgrade ? up : down;
  for (std::size_t n = 0;; ++n) {
    at = text->find("\"op\":", at + 1);
    if (at == std::string::npos || (f.where == lint::side::upgrade && at > down)) return declaration_site{f.file, 1, 0};
    if (n == f.operation) break;
  }
  const auto line_start = text->rfind('\n', at);
  const unsigned line = static_cast<unsigned>(std::count(text->begin(), text->begin() + static_cast<long>(at), '\n')) + 1;
  const unsigned column = static_cast<unsigned>(at - (line_start == std::string::npos ? 0 : line_start + 1)) + 1;
  return declaration_site{f.file, line, column};
}

}  // namespace

std::vector<std::optional<declaration_site>> finding_sites(const std::vector<lint::finding>& findings) {
  std::map<std::string, std::optional<std::string>> texts;  // by file; nullopt: unreadable
  std::vector<std::optional<declaration_site>> out;
  for (const auto& f : findings) {
    auto it = texts.find(f.file);
    if (it == texts.end() && !f.file.empty()) {
      std::optional<std::string> text;
      try {
        text = read_bytes(f.file);
      } catch (const std::exception&) {
      }
      it = texts.emplace(f.file, std::move(text)).first;
    }
    out.push_back(site_in(f, it == texts.end() || !it->second ? nullptr : &*it->second));
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
