// Reading migrations/versions/: every *.json file as a revision, with the SHA-256 checksum
// of its bytes (the audit history compares it to detect files edited after being applied), read
// on a few threads.
#include <fmt/format.h>

#include <algorithm>
#include <filesystem>
#include <system_error>
#include <variant>

#include "retort/errors.hpp"
#include "retort/files.hpp"
#include "retort/hash.hpp"
#include "retort/revision_graph.hpp"
#include "retort/sum_file.hpp"
#include "parallel.hpp"
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
  const auto files = migration_files(dir);
  history_sum sum;
  sum.entries = map_in_parallel<std::monostate>(files.size(), threads_for(files.size(), 32), [&](std::monostate&, std::size_t i) {
    return history_sum::entry{files[i].filename().string(), sha256_hex(read_bytes(files[i]))};
  });
  sum.total = sum_total(sum.entries);
  return sum;
}

namespace {

// One file as a revision, with its checksum.
revision load_revision(const std::filesystem::path& path, simdjson::dom::parser& parser) {
  std::string bytes = read_bytes(path, simdjson::SIMDJSON_PADDING);  // parsed in place
  std::string checksum = sha256_hex(bytes);
  revision r = read_revision(std::move(bytes), path.string(), parser);
  r.file = path.string();
  r.checksum = std::move(checksum);
  return r;
}

}  // namespace

std::vector<revision> load_revisions(const std::string& dir) {
  const auto files = migration_files(dir);
  // The large initial revision on one thread, the many small ones on the others; each thread's
  // parser serves all the files it reads.
  return map_in_parallel<simdjson::dom::parser>(files.size(), threads_for(files.size(), 32),
                                                [&](simdjson::dom::parser& parser, std::size_t i) {
                                                  return load_revision(files[i], parser);
                                                });
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
