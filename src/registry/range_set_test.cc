#include "registry/range_set.h"

#include <gtest/gtest.h>

namespace vigia::registry {
namespace {

Prefix P(const char* t) { return *Prefix::Parse(t); }

std::vector<std::string> Strings(const std::vector<Prefix>& v) {
  std::vector<std::string> out;
  for (const Prefix& p : v) out.push_back(p.ToString());
  return out;
}

TEST(RangeSet, AdjacentAndOverlappingRangesMerge) {
  RangeSet s(Family::kIpv4);
  s.Add(P("10.0.1.0/24"));
  s.Add(P("10.0.0.0/24"));
  s.Add(P("10.0.0.128/25"));
  ASSERT_EQ(s.ranges().size(), 1u);
  EXPECT_EQ(s.AddressCount(), Uint128{512});
  EXPECT_EQ(Strings(s.ToPrefixes()), std::vector<std::string>{"10.0.0.0/23"});
}

TEST(RangeSet, NonPowerOfTwoCountBecomesSeveralPrefixes) {
  // An RIR record of 384 addresses from 192.0.2.0, and one of 2560 from
  // 196.4.20.0 (a real AFRINIC record).
  EXPECT_EQ(Strings(RangeToPrefixes(Family::kIpv4, AddressToInt(*IpAddress::Parse("192.0.2.0")),
                                    AddressToInt(*IpAddress::Parse("192.0.2.0")) + 383)),
            (std::vector<std::string>{"192.0.2.0/24", "192.0.3.0/25"}));
  const Uint128 a = AddressToInt(*IpAddress::Parse("196.4.20.0"));
  EXPECT_EQ(Strings(RangeToPrefixes(Family::kIpv4, a, a + 2559)),
            (std::vector<std::string>{"196.4.20.0/22", "196.4.24.0/22", "196.4.28.0/23"}));
}

TEST(RangeSet, SubtractAndIntersect) {
  RangeSet a(Family::kIpv4), b(Family::kIpv4);
  a.Add(P("192.0.0.0/24"));
  b.Add(P("192.0.0.9/32"));
  b.Add(P("192.0.0.10/32"));
  b.Add(P("10.0.0.0/8"));
  EXPECT_EQ(Strings(a.Subtract(b).ToPrefixes()),
            (std::vector<std::string>{"192.0.0.0/29", "192.0.0.8/32", "192.0.0.11/32",
                                      "192.0.0.12/30", "192.0.0.16/28", "192.0.0.32/27",
                                      "192.0.0.64/26", "192.0.0.128/25"}));
  EXPECT_EQ(a.Intersect(b).AddressCount(), Uint128{2});
  EXPECT_TRUE(a.Subtract(a).empty());
  EXPECT_EQ(a.Subtract(RangeSet(Family::kIpv4)), a);
}

TEST(RangeSet, WholeSpacesAndTheTopAddress) {
  RangeSet v4(Family::kIpv4);
  v4.Add(P("0.0.0.0/0"));
  EXPECT_EQ(v4.AddressCount(), Uint128{1} << 32);
  EXPECT_EQ(Strings(v4.ToPrefixes()), std::vector<std::string>{"0.0.0.0/0"});
  RangeSet top(Family::kIpv4);
  top.Add(P("255.255.255.255/32"));
  top.Add(P("255.255.255.254/32"));
  EXPECT_EQ(Strings(top.ToPrefixes()), std::vector<std::string>{"255.255.255.254/31"});

  RangeSet v6(Family::kIpv6);
  v6.Add(P("::/0"));
  EXPECT_EQ(v6.AddressCount(), ~Uint128{0});  // saturates
  EXPECT_EQ(Strings(v6.ToPrefixes()), std::vector<std::string>{"::/0"});
  RangeSet hole = v6.Subtract([] {
    RangeSet s(Family::kIpv6);
    s.Add(*Prefix::Parse("2000::/3"));
    return s;
  }());
  EXPECT_EQ(Strings(hole.ToPrefixes()), (std::vector<std::string>{"::/3", "4000::/2", "8000::/1"}));
}

TEST(RangeSet, ContainsAndOtherFamiliesIgnored) {
  RangeSet s(Family::kIpv6);
  s.Add(P("10.0.0.0/8"));  // wrong family
  s.Add(P("2001:db8::/32"));
  EXPECT_TRUE(s.Contains(*IpAddress::Parse("2001:db8::1")));
  EXPECT_FALSE(s.Contains(*IpAddress::Parse("2001:db9::")));
  EXPECT_EQ(s.ranges().size(), 1u);
  s.Add(5, 4);  // empty range
  EXPECT_EQ(s.ranges().size(), 1u);
}

TEST(RangeSet, FormatsHugeCounts) {
  EXPECT_EQ(FormatUint128(0), "0");
  EXPECT_EQ(FormatUint128(~Uint128{0}), "340282366920938463463374607431768211455");
}

}  // namespace
}  // namespace vigia::registry
