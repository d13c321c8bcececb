// retort.sum: writing, reading and comparing the history's checksum file. The directory side
// (verify_sum_file, write_sum_file) is a thin layer over the text functions, which tests use alone.
#include "retort/sum_file.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include "retort/errors.hpp"
#include "retort/files.hpp"
#include "retort/hash.hpp"

namespace retort {

namespace fs = std::filesystem;

namespace {

std::string entry_lines(const std::vector<history_sum::entry>& entries) {
  std::string out;
  for (const auto& e : entries) out += fmt::format("{}  {}\n", e.sha256, e.file);
  return out;
}

bool is_sha256(std::string_view s) {
  return s.size() == 64 && std::all_of(s.begin(), s.end(), [](char c) {
           return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
         });
}

std::string sum_path(const std::string& dir) { return (fs::path(dir) / std::string(sum_file_name)).string(); }

}  // namespace

history_sum sum_of(const std::vector<revision>& revisions) {
  history_sum sum;
  for (const auto& r : revisions) sum.entries.push_back({fs::path(r.file).filename().string(), r.checksum});
  std::sort(sum.entries.begin(), sum.entries.end(), [](const auto& a, const auto& b) { return a.file < b.file; });
  sum.total = sum_total(sum.entries);
  return sum;
}

std::string sum_total(const std::vector<history_sum::entry>& entries) { return sha256_hex(entry_lines(entries)); }

std::string write_sum(const history_sum& sum) { return fmt::format("total {}\n{}", sum.total, entry_lines(sum.entries)); }

history_sum read_sum(std::string_view text, const std::string& file) {
  history_sum sum;
  int line_number = 0;
  while (!text.empty()) {
    const auto end = text.find('\n');
    const std::string_view line = text.substr(0, end);
    text.remove_prefix(end == std::string_view::npos ? text.size() : end + 1);
    ++line_number;
    auto fail = [&](std::string_view what) {
      throw file_error(file, line_number, 1, fmt::format("{}; rewrite the file with `retort rehash`", what));
    };
    if (line_number == 1) {
      if (!line.starts_with("total ") || !is_sha256(line.substr(6))) fail("expected \"total <SHA-256>\"");
      sum.total = std::string(line.substr(6));
      continue;
    }
    if (line.size() < 67 || !is_sha256(line.substr(0, 64)) || line.substr(64, 2) != "  ")
      fail("expected \"<SHA-256>  <file name>\"");
    sum.entries.push_back({std::string(line.substr(66)), std::string(line.substr(0, 64))});
  }
  if (line_number == 0) throw file_error(file, 1, 1, "empty sum file; rewrite it with `retort rehash`");
  return sum;
}

std::vector<std::string> compare_sums(const history_sum& recorded, const history_sum& actual) {
  std::map<std::string, std::string> was, is;
  for (const auto& e : recorded.entries) was[e.file] = e.sha256;
  for (const auto& e : actual.entries) is[e.file] = e.sha256;
  std::vector<std::string> out;
  for (const auto& [file, sha] : is) {
    auto it = was.find(file);
    if (it == was.end()) out.push_back(fmt::format("{} was added without `retort revision` (not in {})", file, sum_file_name));
    else if (it->second != sha) out.push_back(fmt::format("{} was edited after it was written", file));
  }
  for (const auto& [file, sha] : was)
    if (!is.contains(file)) out.push_back(fmt::format("{} was removed (it is in {})", file, sum_file_name));
  if (out.empty() && recorded.total != sha256_hex(entry_lines(recorded.entries)))
    out.push_back(fmt::format("{} was edited by hand: its total does not match its lines", sum_file_name));
  return out;
}

void verify_sum_file(const std::string& dir, const history_sum& actual) {
  const std::string path = sum_path(dir);
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    if (actual.entries.empty()) return;  // a new project: the first revision writes it
    throw integrity_error(
        fmt::format("{} is missing: it records the checksum of every migration file, so an edited or hand-added "
                    "migration is caught without a database. If the files are as they should be, write it with "
                    "`retort rehash` and commit it",
                    path),
        {});
  }
  std::stringstream text;
  text << in.rdbuf();
  const auto problems = compare_sums(read_sum(text.str(), path), actual);
  if (problems.empty()) return;
  std::string list;
  for (const auto& p : problems) list += "\n  " + p;
  throw integrity_error(
      fmt::format("the migration files do not match {}:{}\nNothing was run. Restore the files; if the change is "
                  "intended (a file written by hand, a reviewed edit), record it with `retort rehash`",
                  path, list),
      problems);
}

void write_sum_file(const std::string& dir, const history_sum& sum) {
  fs::create_directories(dir);
  write_if_changed(sum_path(dir), write_sum(sum));
}

}  // namespace retort
