// The check cache (see check_cache.hpp). An entry is one file, `<key>.check`: a first line of
// JSON with the head and the revision count, then the head's schema as a snapshot. Its name is
// its key, so two checks writing at once (each through a rename) never mix two entries.
#include "check_cache.hpp"

#include <fmt/format.h>

#include <filesystem>
#include <nlohmann/json.hpp>
#include <system_error>
#include <vector>

#include "retort/errors.hpp"
#include "retort/files.hpp"
#include "retort/hash.hpp"
#include "retort/snapshot.hpp"

namespace retort::cli {

namespace fs = std::filesystem;

namespace {

constexpr std::string_view entry_extension = ".check";

// The binary that verified: its version, size and modification time (a rebuilt retort may
// verify differently, so its entries are not trusted).
std::string binary_identity() {
  std::error_code ec;
  const fs::path self = fs::read_symlink("/proc/self/exe", ec);
  if (ec) return "unknown";
  const auto size = fs::file_size(self, ec);
  const auto mtime = fs::last_write_time(self, ec).time_since_epoch().count();
  return fmt::format("{} {} {} {}", self.string(), size, mtime, RETORT_VERSION);
}

fs::path entry_path(const std::string& dir, const std::string& key) {
  return fs::path(dir) / (key + std::string(entry_extension));
}

}  // namespace

std::string check_cache_key(const history_sum& files, std::string_view options) {
  return sha256_hex(fmt::format("retort check cache 1\n{}\n{}\n{}", binary_identity(), options, write_sum(files)));
}

std::optional<verified_history> read_check_cache(const std::string& dir, const std::string& key) {
  const fs::path path = entry_path(dir, key);
  std::error_code ec;
  if (!fs::is_regular_file(path, ec)) return std::nullopt;
  try {
    const std::string bytes = read_bytes(path);
    const auto end_of_meta = bytes.find('\n');
    if (end_of_meta == std::string::npos) return std::nullopt;
    const auto meta = nlohmann::json::parse(std::string_view(bytes).substr(0, end_of_meta));
    verified_history v;
    v.head = meta.at("head").get<std::string>();
    v.revisions = meta.at("revisions").get<std::size_t>();
    v.head_schema = read_trusted_snapshot(std::string_view(bytes).substr(end_of_meta + 1), path.string());
    return v;
  } catch (const std::exception&) {  // a damaged entry is a miss: the check verifies again
    return std::nullopt;
  }
}

void write_check_cache(const std::string& dir, const std::string& key, const std::string& head, std::size_t revisions,
                       const schema& head_schema) {
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) return;
  try {
    const nlohmann::json meta{{"head", head}, {"revisions", revisions}};
    write_if_changed(entry_path(dir, key), meta.dump() + "\n" + write_snapshot(head_schema));
  } catch (const std::exception&) {
    return;  // not written: the next check verifies the history again
  }
  std::vector<fs::path> stale;
  for (const auto& e : fs::directory_iterator(dir, ec))
    if (e.path().extension() == entry_extension && e.path().stem() != key) stale.push_back(e.path());
  for (const auto& path : stale) fs::remove(path, ec);
}

}  // namespace retort::cli
