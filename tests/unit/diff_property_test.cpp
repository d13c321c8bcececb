// Property test for diff and replay over hundreds of random schema pairs (fixed seeds, printed
// on failure): replay(a, diff(a, b)) == b, replay(b, downgrade) == a, and the history is stable.
#include <gtest/gtest.h>

#include "random_schema.hpp"
#include "retort/diff.hpp"
#include "retort/errors.hpp"
#include "retort/pg/render.hpp"
#include "retort/replay.hpp"
#include "retort/revision.hpp"
#include "retort/snapshot.hpp"

namespace retort {
namespace {

constexpr int pairs = 600;

TEST(DiffProperty, ReplayOfDiffReachesTargetAndDowngradeReturns) {
  for (int seed = 1; seed <= pairs; ++seed) {
    SCOPED_TRACE(::testing::Message() << "seed " << seed);
    std::mt19937_64 rng(seed);
    const schema a = testing::random_schema(rng);
    const schema b = testing::mutate(a, rng);

    std::vector<ops::operation> up;
    ASSERT_NO_THROW(up = diff(a, b)) << write_snapshot(a) << "\n---\n" << write_snapshot(b);
    const schema reached = replay(a, up);
    ASSERT_EQ(comparable(reached), comparable(b)) << write_operations(up);

    const auto down = ops::inverse(up);
    ASSERT_EQ(comparable(replay(reached, down)), comparable(a)) << write_operations(down);

    // No drift once applied, in either direction.
    EXPECT_TRUE(diff(reached, b).empty()) << write_operations(diff(reached, b));
    EXPECT_EQ(diff(b, a, {.require_backfill = false}).empty(), comparable(a) == comparable(b));

    // Every operation renders, and survives the migration file format.
    EXPECT_NO_THROW((void)pg::render(up, a));
    EXPECT_NO_THROW((void)pg::render(down, reached));
    revision r{"r", {}, "m", "2026-01-01T00:00:00Z", up, down, "", "", {}, {}};
    const revision back = read_revision(write_revision(r), "r.json");
    EXPECT_EQ(back.upgrade, up);
    EXPECT_EQ(back.downgrade, down);
  }
}

TEST(DiffProperty, DiffOfEqualSchemasIsEmpty) {
  for (int seed = 1; seed <= pairs; ++seed) {
    SCOPED_TRACE(::testing::Message() << "seed " << seed);
    std::mt19937_64 rng(seed);
    const schema a = testing::random_schema(rng);
    EXPECT_TRUE(diff(a, a).empty());
    // A snapshot round trip changes nothing either.
    EXPECT_TRUE(diff(a, read_snapshot(write_snapshot(a), "a.json")).empty());
  }
}

TEST(DiffProperty, ChainedMutationsReplayAsOneHistory) {
  for (int seed = 1; seed <= pairs / 10; ++seed) {
    SCOPED_TRACE(::testing::Message() << "seed " << seed);
    std::mt19937_64 rng(seed);
    schema model = testing::random_schema(rng);
    std::vector<std::vector<ops::operation>> history{diff(schema{}, model)};
    for (int step = 0; step < 8; ++step) {
      schema next = testing::mutate(model, rng);
      history.push_back(diff(model, next));
      model = next;
    }
    schema replayed;
    for (const auto& ops : history) replayed = replay(replayed, ops);
    EXPECT_EQ(comparable(replayed), comparable(model));
    for (auto it = history.rbegin(); it != history.rend(); ++it) replayed = replay(replayed, ops::inverse(*it));
    EXPECT_EQ(comparable(replayed), comparable(schema{}));
  }
}

}  // namespace
}  // namespace retort
