// Outputs: compare-then-replace for the snapshot and depfile, and depfile escaping.
#include "output.hpp"

#include <fstream>
#include <iterator>
#include <sstream>
#include <system_error>

#include <fmt/format.h>
#include <unistd.h>

#include "retort/errors.hpp"

namespace retort::scan {

bool write_if_changed(const std::filesystem::path& path, std::string_view bytes) {
  {
    std::ifstream in(path, std::ios::binary);
    if (in) {
      std::string current((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
      if (current == bytes) return false;
    }
  }
  std::filesystem::path temporary = path;
  temporary += fmt::format(".tmp{}", ::getpid());
  {
    std::ofstream out(temporary, std::ios::binary | std::ios::trunc);
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    out.close();
    if (!out) throw error(fmt::format("cannot write {}", temporary.string()));
  }
  std::error_code ec;
  std::filesystem::rename(temporary, path, ec);
  if (ec) {
    std::filesystem::remove(temporary, ec);
    throw error(fmt::format("cannot replace {}: {}", path.string(), ec.message()));
  }
  return true;
}

namespace {
std::string escaped(std::string_view path) {
  std::string out;
  for (char c : path) {
    if (c == ' ' || c == '#' || c == '\\') out += '\\';
    if (c == '$') out += '$';
    out += c;
  }
  return out;
}
}  // namespace

std::string depfile_text(std::string_view target, const std::vector<std::string>& dependencies) {
  std::string out = escaped(target) + ":";
  for (const std::string& d : dependencies) out += " \\\n  " + escaped(d);
  return out + "\n";
}

}  // namespace retort::scan
