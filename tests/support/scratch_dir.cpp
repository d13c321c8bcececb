// Scratch directories: mkdtemp under /tmp, opened to the server user, removed at the end.
#include "scratch_dir.hpp"

#include <stdlib.h>

#include <string>
#include <system_error>

#include <fmt/format.h>

#include "retort/errors.hpp"

namespace retort::testing {

namespace fs = std::filesystem;

scratch_dir::scratch_dir(std::string_view label) {
  std::string pattern = fmt::format("/tmp/{}-XXXXXX", label);
  if (mkdtemp(pattern.data()) == nullptr) throw error(fmt::format("cannot create a directory like {}", pattern));
  path_ = pattern;
  // The server user (root runs the cluster as `postgres`) may need to reach into it.
  fs::permissions(path_, fs::perms::owner_all | fs::perms::group_read | fs::perms::group_exec | fs::perms::others_read |
                             fs::perms::others_exec);
}

scratch_dir::~scratch_dir() {
  std::error_code ec;
  fs::remove_all(path_, ec);
}

}  // namespace retort::testing
