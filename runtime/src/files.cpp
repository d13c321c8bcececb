// write_if_changed: compare, then replace through a temporary file.
#include "retort/files.hpp"

#include <unistd.h>

#include <fstream>
#include <iterator>
#include <string>
#include <system_error>

#include <fmt/format.h>

#include "retort/errors.hpp"

namespace retort {

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

}  // namespace retort
