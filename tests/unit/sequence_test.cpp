// Tests of sequences as objects (canonical values, what PostgreSQL refuses, nextval() in
// defaults) and of partition keys (their text both ways, the keys that must include them).
#include <gtest/gtest.h>

#include <limits>

#include "retort/schema.hpp"

namespace retort {
namespace {

sequence named(std::string name) {
  sequence s;
  s.name = {"public", std::move(name)};
  return s;
}

TEST(Sequence, CanonicalLeavesPostgresDefaultsUnset) {
  sequence s = named("n");
  s.start = 1;
  s.min_value = 1;
  s.max_value = std::numeric_limits<std::int64_t>::max();
  EXPECT_EQ(canonical(s), named("n"));

  sequence small = named("n");
  small.type = "smallint";
  small.max_value = 32767;
  small.start = 5;
  const sequence c = canonical(small);
  EXPECT_FALSE(c.max_value);
  EXPECT_EQ(c.start, 5);
}

TEST(Sequence, DescendingDefaultsAreTheTypesMinimumToMinusOne) {
  sequence s = named("down");
  s.type = "integer";
  s.increment = -1;
  s.min_value = std::numeric_limits<std::int32_t>::min();
  s.max_value = -1;
  s.start = -1;
  const sequence c = canonical(s);
  EXPECT_FALSE(c.min_value);
  EXPECT_FALSE(c.max_value);
  EXPECT_FALSE(c.start);
  EXPECT_EQ(start_value(c), -1);
  // The start follows the bounds given: descending from 100.
  s.max_value = 100;
  s.start = 100;
  EXPECT_FALSE(canonical(s).start);
  EXPECT_EQ(canonical(s).max_value, 100);
}

TEST(Sequence, ProblemsArePostgresRefusals) {
  EXPECT_FALSE(sequence_problem(named("ok")));
  sequence zero = named("z");
  zero.increment = 0;
  EXPECT_NE(sequence_problem(zero)->find("increment cannot be 0"), std::string::npos);
  sequence outside = named("o");
  outside.min_value = 10;
  outside.start = 5;
  EXPECT_NE(sequence_problem(outside)->find("start 5 is outside its bounds 10.."), std::string::npos);
  sequence too_big = named("b");
  too_big.type = "smallint";
  too_big.max_value = 40000;
  EXPECT_NE(sequence_problem(too_big)->find("outside type smallint"), std::string::npos);
  sequence reversed = named("r");
  reversed.min_value = 10;
  reversed.max_value = 5;
  EXPECT_NE(sequence_problem(reversed)->find("must be less than"), std::string::npos);
  sequence cache = named("c");
  cache.cache = 0;
  EXPECT_TRUE(sequence_problem(cache));
  sequence type = named("t");
  type.type = "numeric";
  EXPECT_TRUE(sequence_problem(type));
}

TEST(Sequence, ASerialsSequenceHasEveryDefaultAndTheColumnsType) {
  sequence s = named("t_id_seq");
  s.type = "integer";
  EXPECT_TRUE(is_serial_sequence(s, "integer"));
  EXPECT_FALSE(is_serial_sequence(s, "bigint"));
  s.start = 1000;
  EXPECT_FALSE(is_serial_sequence(s, "integer"));
}

TEST(Sequence, NextvalIsReadInEitherSpelling) {
  EXPECT_EQ(sequences_called("nextval('invoice_numbers'::regclass)"),
            (std::vector<qualified_name>{{"public", "invoice_numbers"}}));
  EXPECT_EQ(sequences_called("nextval('billing.\"Numbers\"')"), (std::vector<qualified_name>{{"billing", "Numbers"}}));
  EXPECT_EQ(sequences_called("'INV-' || nextval('Seq')::text"), (std::vector<qualified_name>{{"public", "seq"}}));
  EXPECT_TRUE(sequences_called("mynextval('x')").empty());
  EXPECT_TRUE(sequences_called("now()").empty());
}

TEST(Sequence, ACallAloneTakesPgGetExprsSpelling) {
  EXPECT_EQ(canonical_nextval("nextval('invoice_numbers')"), "nextval('invoice_numbers'::regclass)");
  EXPECT_EQ(canonical_nextval(" NEXTVAL( 'public.Invoice_Numbers' ) "), "nextval('invoice_numbers'::regclass)");
  EXPECT_EQ(canonical_nextval("nextval('billing.numbers'::regclass)"), "nextval('billing.numbers'::regclass)");
  EXPECT_EQ(canonical_nextval("nextval('\"Mixed\"')"), "nextval('\"Mixed\"'::regclass)");
  // Anything else is the author's SQL, kept as written.
  EXPECT_EQ(canonical_nextval("nextval('a') + 1"), "nextval('a') + 1");
  EXPECT_EQ(canonical_nextval("now()"), "now()");
}

TEST(PartitionKey, TextBothWays) {
  const auto k = parse_partition_key("range (created_at)");
  ASSERT_TRUE(k);
  EXPECT_EQ(k->method, partition_method::range);
  EXPECT_EQ(k->columns, std::vector<std::string>{"created_at"});
  EXPECT_EQ(to_string(*k), "RANGE (created_at)");
  const auto h = parse_partition_key("HASH (Tenant, \"Region, Zone\")");
  ASSERT_TRUE(h);
  EXPECT_EQ(h->columns, (std::vector<std::string>{"tenant", "Region, Zone"}));
  EXPECT_EQ(to_string(*h), "HASH (tenant, \"Region, Zone\")");
  EXPECT_EQ(parse_partition_key(to_string(*h)), h);
  EXPECT_EQ(parse_partition_key("list(region)")->method, partition_method::list);
}

TEST(PartitionKey, OnlyColumnKeysAreRead) {
  EXPECT_FALSE(parse_partition_key("range (date_trunc('day', at))"));
  EXPECT_FALSE(parse_partition_key("interval (at)"));
  EXPECT_FALSE(parse_partition_key("range ()"));
  EXPECT_FALSE(parse_partition_key("range created_at"));
}

TEST(PartitionKey, KeysMustIncludeItsColumns) {
  table t;
  t.partition = partition_key{partition_method::range, {"created_at"}};
  EXPECT_EQ(missing_partition_columns(t, {"id"}), std::vector<std::string>{"created_at"});
  EXPECT_TRUE(missing_partition_columns(t, {"id", "created_at"}).empty());
  t.partition.reset();
  EXPECT_TRUE(missing_partition_columns(t, {"id"}).empty());
}

}  // namespace
}  // namespace retort
