// Reading migrations/versions/: every *.json file as a revision, with the SHA-256 checksum
// of its bytes (the audit history compares it to detect files edited after being applied).
#include <fmt/format.h>

#include <algorithm>
#include <filesystem>
#include <system_error>

#include "retort/errors.hpp"
#include "retort/files.hpp"
#include "retort/hash.hpp"
#include "retort/revision_graph.hpp"
#include "retort/sum_file.hpp"
#include "revision_reader.hpp"

namespace retort {

std::vector<std::filesystem::path> migration_files(const std::string& dir) {
  namespace fs = std::filesystem;
  std::error_code ec;
  fs::directory_iterator entries(dir, ec);
  if (ec) throw error(fmt::format("cannot read migration directory {}: {}", dir, ec.message()));

  std::vector<fs::path> files;
  for (; entries != fs::directory_iterator(); entries.increment(ec)) {
    std::error_code type_ec;  // an entry that cannot be stat'ed (a dangling link) is not a revision
    if (entries->path().extension() == ".json" && entries->is_regular_file(type_ec)) files.push_back(entries->path());
  }
  if (ec) throw error(fmt::format("cannot read migration directory {}: {}", dir, ec.message()));
  std::sort(files.begin(), files.end(),
            [](const fs::path& a, const fs::path& b) { return a.filename().string() < b.filename().string(); });
  return files;
}

history_sum sum_of_files(const std::string& dir) {
  history_sum sum;
  for (const auto& path : migration_files(dir)) sum.entries.push_back({path.filename().string(), sha256_hex(read_bytes(path))});
  sum.total = sum_total(sum.entries);
  return sum;
}

std::vector<revision> load_revisions(const std::string& dir) {
  const auto files = migration_files(dir);
  std::vector<revision> result;
  result.reserve(files.size());
  simdjson::dom::parser parser;  // one for all files: its buffers are allocated once
  for (const auto& path : files) {
    const std::string bytes = read_bytes(path);
    revision r = read_revision(bytes, path.string(), parser);
    r.file = path.string();
    r.checksum = sha256_hex(bytes);
    result.push_back(std::move(r));
  }
  return result;
}

std::vector<revision> load_embedded(std::span<const embedded_file> files) {
  std::vector<revision> result;
  simdjson::dom::parser parser;
  for (const embedded_file& f : files) {
    revision r = read_revision(f.bytes, std::string(f.name), parser);
    r.file = std::string(f.name);
    r.checksum = sha256_hex(f.bytes);
    result.push_back(std::move(r));
  }
  return result;
}

}  // namespace retort
