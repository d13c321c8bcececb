// The history's checksum file, `retort.sum` beside the migration files (in the spirit of
// Atlas's atlas.sum): the SHA-256 of every migration file and a hash of the whole list, so an
// edited, added or removed migration fails `check` and `upgrade` with no database.
//
//   total <SHA-256 of every line after this one>
//   <SHA-256 of the file>  <file name>        one line per migration file, by name
//
// The file lines are `sha256sum` lines: `tail -n +2 retort.sum | sha256sum -c` checks them too.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "retort/revision.hpp"

namespace retort {

/// The sum file's name in the migration directory.
inline constexpr std::string_view sum_file_name = "retort.sum";

/// The checksums of a history's files.
struct history_sum {
  struct entry {
    std::string file;    ///< the file name, without its directory
    std::string sha256;  ///< 64 lowercase hex digits
    friend bool operator==(const entry&, const entry&) = default;
  };
  std::vector<entry> entries;  ///< sorted by file name
  std::string total;           ///< SHA-256 of the entry lines; what the file says, when read
};

/// The sum of revisions read from files (their `file` and `checksum`).
[[nodiscard]] history_sum sum_of(const std::vector<revision>& revisions);

/// The sum of the migration files in `dir` from their bytes alone (none is parsed): what
/// sum_of(load_revisions(dir)) gives for a directory whose files all read.
[[nodiscard]] history_sum sum_of_files(const std::string& dir);

/// The `total` of these entries (sorted by file name): the SHA-256 of their lines.
[[nodiscard]] std::string sum_total(const std::vector<history_sum::entry>& entries);

/// The sum file's text.
[[nodiscard]] std::string write_sum(const history_sum& sum);

/// Parses a sum file; throws file_error with `file:line` for a malformed line.
[[nodiscard]] history_sum read_sum(std::string_view text, const std::string& file);

/// Every difference between what a sum file records and the files there are: an edited file,
/// a file added or removed without `retort rehash`, a sum file edited by hand. Empty: they agree.
[[nodiscard]] std::vector<std::string> compare_sums(const history_sum& recorded, const history_sum& actual);

/// Reads `<dir>/retort.sum` and compares it with `actual`. Throws integrity_error listing every
/// difference, or, when the file is missing for a non-empty history, saying to run `retort rehash`.
void verify_sum_file(const std::string& dir, const history_sum& actual);

/// Writes `<dir>/retort.sum` for `sum` (only when its bytes change).
void write_sum_file(const std::string& dir, const history_sum& sum);

}  // namespace retort
