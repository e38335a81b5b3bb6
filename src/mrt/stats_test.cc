// The distinct-count sets behind `vigia mrt stats` (stats.h) against
// std::set on the same keys: IPv4 prefixes on both sides of the bitmap's
// /24 limit, origin ASNs on both sides of the bitmap's 2^22 limit.
#include "mrt/stats.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <random>
#include <set>
#include <utility>

namespace vigia::mrt {
namespace {

uint32_t Mask(uint32_t a, uint8_t len) { return len == 0 ? 0 : a & (~uint32_t{0} << (32 - len)); }

TEST(Ipv4PrefixSetTest, CountsDistinctPrefixesOfEveryLengthLikeAStdSet) {
  Ipv4PrefixSet set;
  std::set<std::pair<uint32_t, uint8_t>> reference;
  std::mt19937 rng(1);
  for (int i = 0; i < 200000; ++i) {
    // Mostly /8-/24 from a small pool, so that repeats are common.
    const uint8_t len = static_cast<uint8_t>(i % 7 == 0 ? rng() % 33 : 8 + rng() % 17);
    const uint32_t a = Mask((rng() % 4096) << 20 | (rng() % 256) << 4 | (rng() % 16), len);
    set.Add(a, len);
    reference.emplace(a, len);
  }
  // Edges: the default route, the all-ones host, both sides of /24.
  for (auto [a, len] : {std::pair<uint32_t, uint8_t>{0, 0},
                        {0xFFFFFFFF, 32},
                        {0xFFFFFF00, 24},
                        {0xFFFFFF80, 25},
                        {0, 24},
                        {0, 25},
                        {0, 32},
                        {0x80000000, 1}}) {
    set.Add(a, len);
    set.Add(a, len);
    reference.emplace(a, len);
  }
  EXPECT_EQ(set.size(), reference.size());
}

TEST(Ipv4PrefixSetTest, SameAddressWithDifferentLengthsIsDistinct) {
  Ipv4PrefixSet set;
  for (uint8_t len = 0; len <= 32; ++len) set.Add(0, len);
  EXPECT_EQ(set.size(), 33u);
  EXPECT_EQ(Ipv4PrefixSet().size(), 0u);
}

TEST(AsnSetTest, CountsDistinctAsnsOnBothSidesOfTheBitmapLikeAStdSet) {
  AsnSet set;
  std::set<Asn> reference;
  std::mt19937 rng(2);
  for (int i = 0; i < 100000; ++i) {
    const Asn a = i % 3 == 0 ? static_cast<Asn>(rng()) : static_cast<Asn>(rng() % 70000);
    set.Insert(a);
    reference.insert(a);
  }
  for (Asn a : {Asn{1}, Asn{(1u << 22) - 1}, Asn{1u << 22}, Asn{0xFFFFFFFF}, Asn{64496}}) {
    set.Insert(a);
    set.Insert(a);
    reference.insert(a);
  }
  EXPECT_EQ(set.size(), reference.size());
}

}  // namespace
}  // namespace vigia::mrt
