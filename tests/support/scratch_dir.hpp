// Scratch directories for tests: fresh under /tmp, reachable by the `postgres` user (root runs
// test clusters as `postgres`), removed with everything in them when the object goes.
#pragma once

#include <filesystem>
#include <string_view>

namespace retort::testing {

/// A fresh directory under /tmp (reachable by the `postgres` user when we are root), removed
/// with everything in it when the object goes.
class scratch_dir {
 public:
  explicit scratch_dir(std::string_view label = "retort");
  ~scratch_dir();
  scratch_dir(const scratch_dir&) = delete;
  scratch_dir& operator=(const scratch_dir&) = delete;
  [[nodiscard]] const std::filesystem::path& path() const noexcept { return path_; }

 private:
  std::filesystem::path path_;
};

}  // namespace retort::testing
