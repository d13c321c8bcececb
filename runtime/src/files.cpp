// read_bytes: one sized read; write_if_changed: compare, then replace through a temporary file.
#include "retort/files.hpp"

#include <unistd.h>

#include <fstream>
#include <string>
#include <system_error>

#include <fmt/format.h>

#include "retort/errors.hpp"

namespace retort {

std::string read_bytes(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::error_code ec;
  const auto size = std::filesystem::file_size(path, ec);
  if (!in || ec) throw file_error(path.string(), "", "cannot open file for reading");
  std::string bytes(size, '\0');
  in.read(bytes.data(), static_cast<std::streamsize>(size));
  if (in.gcount() != static_cast<std::streamsize>(size)) throw file_error(path.string(), "", "cannot read file");
  return bytes;
}

bool write_if_changed(const std::filesystem::path& path, std::string_view bytes) {
  {
    std::error_code ec;
    if (std::filesystem::is_regular_file(path, ec) && read_bytes(path) == bytes) return false;
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
