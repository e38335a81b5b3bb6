// PlanPartitions and the size parser (pipeline/partition_plan.h).
#include "pipeline/partition_plan.h"

#include <gtest/gtest.h>

namespace vigia::pipeline {
namespace {

TEST(PartitionPlan, ParsesSizes) {
  EXPECT_EQ(ParseSize("8G"), 8ull << 30);
  EXPECT_EQ(ParseSize("8GiB"), 8ull << 30);
  EXPECT_EQ(ParseSize("512M"), 512ull << 20);
  EXPECT_EQ(ParseSize("1.5g"), 3ull << 29);
  EXPECT_EQ(ParseSize("2000000"), 2000000u);
  EXPECT_FALSE(ParseSize(""));
  EXPECT_FALSE(ParseSize("G"));
  EXPECT_FALSE(ParseSize("-1G"));
  EXPECT_FALSE(ParseSize("8X"));
  EXPECT_FALSE(ParseSize("1e30"));
}

TEST(PartitionPlan, RangesFitTheBudgetCoverEveryBucketInOrder) {
  std::vector<BucketCount> b(observe::kBuckets);
  for (uint32_t i = 0; i < 256; ++i) b[i].rib = 1000 + 37 * (i % 11);
  b[256 + 0x2001].rib = 5000;
  b[256 + 0x2a00].updates = 900;
  const uint64_t budget = 40'000 * kBytesPerRibEntry;
  auto plan = PlanPartitions(b, budget, 0, 1 << 20, "1G");
  ASSERT_TRUE(plan.ok()) << plan.status().message();
  ASSERT_GT(plan->ranges.size(), 5u);
  uint32_t next = 0;
  uint64_t rib = 0;
  for (const PartitionRange& r : plan->ranges) {
    EXPECT_EQ(r.first, next);
    EXPECT_GT(r.last, r.first);
    EXPECT_LE(r.estimate, budget);
    next = r.last;
    rib += r.rib;
  }
  EXPECT_EQ(next, observe::kBuckets);
  EXPECT_EQ(
      rib, 256 * 1000 + 5000 + [] {
        uint64_t extra = 0;
        for (uint32_t i = 0; i < 256; ++i) extra += 37 * (i % 11);
        return extra;
      }());
}

TEST(PartitionPlan, ACountGivesThatManyRanges) {
  std::vector<BucketCount> b(observe::kBuckets);
  for (uint32_t i = 0; i < 256; ++i) b[i].rib = 100;
  for (uint32_t n : {1u, 2u, 4u, 16u, 300u}) {
    auto plan = PlanPartitions(b, UINT64_MAX, n, 0, "");
    ASSERT_TRUE(plan.ok());
    EXPECT_EQ(plan->ranges.size(), n);
    EXPECT_EQ(plan->ranges.back().last, observe::kBuckets);
  }
}

TEST(PartitionPlan, ABucketLargerThanTheBudgetIsNamed) {
  std::vector<BucketCount> b(observe::kBuckets);
  b[103].rib = 41'203'117;
  b[7].rib = 10;
  auto plan = PlanPartitions(b, 1ull << 30, 0, 800ull << 20, "2G");
  ASSERT_FALSE(plan.ok());
  EXPECT_EQ(plan.status().code(), StatusCode::kInvalidArgument);
  const std::string m = plan.status().message();
  EXPECT_NE(m.find("--memory 2G is too small"), std::string::npos) << m;
  EXPECT_NE(m.find("103.0.0.0/8"), std::string::npos) << m;
  EXPECT_NE(m.find("41203117 RIB entries"), std::string::npos) << m;
}

}  // namespace
}  // namespace vigia::pipeline
