// Tests of retort.sum: its text, its reader's errors, every difference it catches, the
// directory side (missing file), and that the example history's sum file is committed and true.
#include "retort/sum_file.hpp"
#include "scratch_dir.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <string>
#include <vector>

#include "retort/errors.hpp"
#include "retort/hash.hpp"
#include "retort/revision_graph.hpp"

namespace retort {
namespace {

revision file_rev(std::string file, std::string_view bytes) {
  revision r;
  r.id = file;
  r.file = "some/dir/" + file;
  r.checksum = sha256_hex(bytes);
  return r;
}

const std::vector<revision> two{file_rev("b.json", "second"), file_rev("a.json", "first")};

TEST(SumFile, ListsEachFileByNameWithATotalOfTheLines) {
  const history_sum sum = sum_of(two);
  const std::string lines = sha256_hex("first") + "  a.json\n" + sha256_hex("second") + "  b.json\n";
  EXPECT_EQ(write_sum(sum), "total " + sha256_hex(lines) + "\n" + lines);
  const history_sum back = read_sum(write_sum(sum), "retort.sum");
  EXPECT_EQ(back.entries, sum.entries);
  EXPECT_EQ(back.total, sum.total);
  EXPECT_TRUE(compare_sums(back, sum).empty());
}

TEST(SumFile, CatchesEditedAddedAndRemovedFiles) {
  const history_sum recorded = sum_of(two);
  auto differences = [&](std::vector<revision> now) { return compare_sums(recorded, sum_of(now)); };
  EXPECT_EQ(differences({file_rev("a.json", "first"), file_rev("b.json", "edited")}),
            std::vector<std::string>{"b.json was edited after it was written"});
  EXPECT_EQ(differences({file_rev("a.json", "first"), file_rev("b.json", "second"), file_rev("c.json", "by hand")}),
            std::vector<std::string>{"c.json was added without `retort revision` (not in retort.sum)"});
  EXPECT_EQ(differences({file_rev("a.json", "first")}), std::vector<std::string>{"b.json was removed (it is in retort.sum)"});
}

TEST(SumFile, CatchesALineAddedByHandWithoutItsTotal) {
  history_sum forged = sum_of(two);
  const revision added = file_rev("c.json", "by hand");
  forged.entries.push_back({"c.json", added.checksum});  // the total still covers two files
  EXPECT_EQ(compare_sums(read_sum(write_sum(forged), "retort.sum"), sum_of({two[0], two[1], added})),
            std::vector<std::string>{"retort.sum was edited by hand: its total does not match its lines"});
}

TEST(SumFile, MalformedLinesNameTheirLine) {
  const std::string total = "total " + std::string(64, 'a') + "\n";
  const std::vector<std::pair<std::string, std::string>> cases{
      {"", "retort.sum:1:1: empty sum file"},
      {"sum 12\n", "retort.sum:1:1: expected \"total <SHA-256>\""},
      {total + "nothex  a.json\n", "retort.sum:2:1: expected \"<SHA-256>  <file name>\""},
      {total + std::string(64, 'b') + " a.json\n", "retort.sum:2:1: expected \"<SHA-256>  <file name>\""},
      {total + std::string(64, 'B') + "  a.json\n", "retort.sum:2:1: expected \"<SHA-256>  <file name>\""},
  };
  for (const auto& [text, expected] : cases) {
    try {
      (void)read_sum(text, "retort.sum");
      ADD_FAILURE() << "accepted: " << text;
    } catch (const file_error& e) {
      EXPECT_EQ(std::string(e.what()).substr(0, expected.size()), expected);
      EXPECT_NE(std::string(e.what()).find("retort rehash"), std::string::npos);
    }
  }
}

TEST(SumFile, AMissingSumFileForAnExistingHistorySaysToRehash) {
  testing::scratch_dir dir("retort-sum");
  EXPECT_NO_THROW(verify_sum_file(dir.path().string(), sum_of({})));  // a new project
  try {
    verify_sum_file(dir.path().string(), sum_of(two));
    FAIL() << "a missing sum file was accepted";
  } catch (const integrity_error& e) {
    EXPECT_NE(std::string(e.what()).find("retort.sum is missing"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("`retort rehash`"), std::string::npos) << e.what();
  }
  write_sum_file(dir.path().string(), sum_of(two));
  EXPECT_NO_THROW(verify_sum_file(dir.path().string(), sum_of(two)));
  try {
    verify_sum_file(dir.path().string(), sum_of({two[1]}));
    FAIL() << "a removed file was accepted";
  } catch (const integrity_error& e) {
    EXPECT_EQ(e.problems(), std::vector<std::string>{"b.json was removed (it is in retort.sum)"});
    EXPECT_NE(std::string(e.what()).find("Nothing was run"), std::string::npos) << e.what();
  }
}

TEST(SumFile, TheExampleHistoryCarriesItsSumFile) {
  const std::string dir = RETORT_SOURCE_DIR "/migrations/versions";
  EXPECT_NO_THROW(verify_sum_file(dir, sum_of(load_revisions(dir))));
}

}  // namespace
}  // namespace retort
