#include "core/large_alloc.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <numeric>

namespace vigia {
namespace {

TEST(LargeAlloc, SmallAndLargeBlocksHoldTheirBytes) {
  for (size_t bytes : {size_t{16}, kLargeAllocMin - 1, kLargeAllocMin, size_t{5} << 20}) {
    auto* p = static_cast<uint8_t*>(AllocateLarge(bytes));
    ASSERT_NE(p, nullptr);
    p[0] = 1;
    p[bytes - 1] = 2;
    EXPECT_EQ(p[0] + p[bytes - 1], 3);
    if (bytes >= kLargeAllocMin) {
      // Large blocks start on a 2 MiB boundary.
      EXPECT_EQ(reinterpret_cast<uintptr_t>(p) % (size_t{2} << 20), 0u);
    }
    FreeLarge(p, bytes);
  }
}

TEST(LargeAlloc, VectorGrowsAcrossTheThreshold) {
  LargeVector<uint64_t> v;
  for (uint64_t i = 0; i < 1'000'000; ++i) v.push_back(i);  // 8 MB, several moves
  EXPECT_EQ(std::accumulate(v.begin(), v.end(), uint64_t{0}), 999'999ull * 1'000'000ull / 2);
}

}  // namespace
}  // namespace vigia
