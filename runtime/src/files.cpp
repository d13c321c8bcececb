// read_bytes: one sized read; write_if_changed: compare, then replace through a temporary file.
#include "retort/files.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>

#include <fstream>
#include <string>
#include <system_error>

#include <fmt/format.h>

#include "retort/errors.hpp"

namespace retort {

std::string read_bytes(const std::filesystem::path& path, std::size_t spare) {
  // open, fstat, read, close: a history is read file by file, and a stream (its buffer, a second
  // look-up of the path for the size) costs more than the read of a small file.
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) throw file_error(path.string(), "", "cannot open file for reading");
  struct closer {
    int fd;
    ~closer() { ::close(fd); }
  } const close_at_end{fd};
  struct stat st {};
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) throw file_error(path.string(), "", "cannot open file for reading");
  const auto size = static_cast<std::size_t>(st.st_size);
  std::string bytes;
  bytes.reserve(size + spare);
  bytes.resize(size);
  for (std::size_t done = 0; done < size;) {
    const ssize_t n = ::read(fd, bytes.data() + done, size - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) throw file_error(path.string(), "", "cannot read file");
    done += static_cast<std::size_t>(n);
  }
  return bytes;
}

namespace {

bool holds(const std::filesystem::path& path, std::string_view bytes) {
  std::error_code ec;
  return std::filesystem::is_regular_file(path, ec) && std::filesystem::file_size(path, ec) == bytes.size() && !ec &&
         read_bytes(path) == bytes;
}

std::filesystem::path temporary_for(const std::filesystem::path& path) {
  std::filesystem::path temporary = path;
  temporary += fmt::format(".tmp{}", ::getpid());
  return temporary;
}

}  // namespace

bool write_if_changed(const std::filesystem::path& path, std::string_view bytes) {
  if (holds(path, bytes)) return false;
  write_all_if_changed({{path, bytes}});
  return true;
}

void write_all_if_changed(const std::vector<file_content>& files) {
  std::vector<const file_content*> staged;
  auto discard = [&] {
    std::error_code ignored;
    for (const file_content* f : staged) std::filesystem::remove(temporary_for(f->path), ignored);
  };
  for (const file_content& f : files) {
    if (holds(f.path, f.bytes)) continue;
    const std::filesystem::path temporary = temporary_for(f.path);
    std::ofstream out(temporary, std::ios::binary | std::ios::trunc);
    out.write(f.bytes.data(), static_cast<std::streamsize>(f.bytes.size()));
    out.close();
    if (!out) {
      std::error_code ignored;
      std::filesystem::remove(temporary, ignored);
      discard();
      throw error(fmt::format("cannot write {}", temporary.string()));
    }
    staged.push_back(&f);
  }
  for (std::size_t i = 0; i < staged.size(); ++i) {
    std::error_code ec;
    std::filesystem::rename(temporary_for(staged[i]->path), staged[i]->path, ec);
    if (ec) {  // a rename within a directory: after the writes succeeded, next to impossible
      const std::string failed = staged[i]->path.string();
      staged.erase(staged.begin(), staged.begin() + static_cast<std::ptrdiff_t>(i));
      discard();
      throw error(fmt::format("cannot replace {}: {}", failed, ec.message()));
    }
  }
}

}  // namespace retort
