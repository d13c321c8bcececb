// libFuzzer target for the readers of untrusted files: a migration file, a snapshot and
// retort.sum. Any input must give a value or a retort::error; anything else (a crash, another
// exception, a sanitizer report, a hang) is a finding.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "retort/errors.hpp"
#include "retort/revision.hpp"
#include "retort/snapshot.hpp"
#include "retort/sum_file.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  try {
    const retort::revision r = retort::read_revision(text, "fuzz.json");
    (void)retort::read_revision(retort::write_revision(r), "rewritten.json");  // what it writes, it reads
  } catch (const retort::error&) {
  }
  try {
    const retort::schema s = retort::read_snapshot(text, "fuzz.json");
    (void)retort::read_snapshot(retort::write_snapshot(s), "rewritten.json");
  } catch (const retort::error&) {
  }
  try {
    (void)retort::read_sum(text, "retort.sum");
  } catch (const retort::error&) {
  }
  return 0;
}
