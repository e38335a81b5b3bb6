#include "rpki/origin_validation.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <random>

namespace vigia::rpki {
namespace {

Prefix P(const char* s) { return *Prefix::Parse(s); }

class Rov : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(vrps_.Add(P("192.0.2.0/24"), 24, 64496));
    ASSERT_TRUE(vrps_.Add(P("198.51.100.0/22"), 24, 64497));
    ASSERT_TRUE(vrps_.Add(P("198.51.100.0/22"), 22, 64498));
    ASSERT_TRUE(vrps_.Add(P("203.0.113.0/24"), 24, 0));  // AS0: nobody may originate
    ASSERT_TRUE(vrps_.Add(P("2001:db8::/32"), 48, 64496));
  }
  VrpSet vrps_;
};

// RFC 6811 §2, each outcome.
TEST_F(Rov, ExactMatchIsValid) {
  RovResult r = Validate(vrps_, P("192.0.2.0/24"), 64496);
  EXPECT_EQ(r.state, RovState::kValid);
  ASSERT_EQ(r.matched.size(), 1u);
  EXPECT_EQ(r.matched[0].asn, 64496u);
}
TEST_F(Rov, MoreSpecificWithinMaxLengthIsValid) {
  EXPECT_EQ(ValidateState(vrps_, P("198.51.101.0/24"), 64497), RovState::kValid);
  EXPECT_EQ(ValidateState(vrps_, P("2001:db8:ff00::/40"), 64496), RovState::kValid);
}
TEST_F(Rov, OtherOriginIsInvalidOrigin) {
  RovResult r = Validate(vrps_, P("192.0.2.0/24"), 64511);
  EXPECT_EQ(r.state, RovState::kInvalidOrigin);
  EXPECT_TRUE(r.matched.empty());
  EXPECT_EQ(r.covering.size(), 1u);
}
TEST_F(Rov, TooSpecificForItsOriginIsInvalidLength) {
  EXPECT_EQ(ValidateState(vrps_, P("192.0.2.128/25"), 64496), RovState::kInvalidLength);
  // 64498's VRP stops at /22; 64497's allows /24 but is another origin.
  EXPECT_EQ(ValidateState(vrps_, P("198.51.100.0/23"), 64498), RovState::kInvalidLength);
}
TEST_F(Rov, OneMatchingVrpAmongSeveralMakesItValid) {
  RovResult r = Validate(vrps_, P("198.51.100.0/22"), 64498);
  EXPECT_EQ(r.state, RovState::kValid);
  EXPECT_EQ(r.covering.size(), 2u);
  EXPECT_EQ(r.matched.size(), 1u);
}
TEST_F(Rov, UncoveredIsNotFound) {
  EXPECT_EQ(ValidateState(vrps_, P("10.0.0.0/8"), 64496), RovState::kNotFound);
  EXPECT_EQ(ValidateState(vrps_, P("192.0.0.0/16"), 64496), RovState::kNotFound)
      << "a less-specific of a VRP is not covered by it";
  EXPECT_EQ(ValidateState(vrps_, P("2001:db9::/32"), 64496), RovState::kNotFound);
}
TEST_F(Rov, As0VrpNeverMatches) {
  EXPECT_EQ(ValidateState(vrps_, P("203.0.113.0/24"), 0), RovState::kInvalidOrigin);
  EXPECT_EQ(ValidateState(vrps_, P("203.0.113.0/24"), 64496), RovState::kInvalidOrigin);
}
TEST_F(Rov, AsSetOriginNeverMatches) {
  // Origin 0 stands for NONE (AS_PATH ending in an AS_SET), RFC 6811 §2.
  EXPECT_EQ(ValidateState(vrps_, P("192.0.2.0/24"), 0), RovState::kInvalidOrigin);
}
TEST_F(Rov, HostBitsInTheRouteAreIgnored) {
  EXPECT_EQ(ValidateState(vrps_, *Prefix::Parse("192.0.2.77/24", true), 64496), RovState::kValid);
}

TEST(VrpSet, MaxLengthOutsideItsRangeIsRefused) {
  VrpSet v;
  EXPECT_FALSE(v.Add(P("192.0.2.0/24"), 23, 1));
  EXPECT_FALSE(v.Add(P("192.0.2.0/24"), 33, 1));
  EXPECT_FALSE(v.Add(P("2001:db8::/32"), 129, 1));
  EXPECT_TRUE(v.Add(P("2001:db8::/32"), 128, 1));
  EXPECT_EQ(v.size(), 1u);
}

TEST(RovAll, AgreesWithValidateStateOnEveryThreadCount) {
  VrpSet v;
  std::vector<Route> routes;
  for (uint32_t i = 0; i < 70000; ++i) {
    const uint8_t b[16] = {static_cast<uint8_t>(10 + i % 50), static_cast<uint8_t>(i >> 8),
                           static_cast<uint8_t>(i), 0};
    const Prefix p(IpAddress::FromBytes(Family::kIpv4, b), 24);
    if (i % 3 == 0) v.Add(Prefix(p.address(), 16).Masked(), 24, i % 7);
    routes.push_back({p, i % 5});
  }
  v.Build();
  for (unsigned threads : {1u, 2u, 3u, 0u}) {
    std::vector<RovState> out(routes.size());
    ValidateAll(v, routes, out, threads);
    for (size_t i = 0; i < routes.size(); i += 97) {
      ASSERT_EQ(out[i], ValidateState(v, routes[i].prefix, routes[i].origin)) << i;
    }
  }
}

// The reference: RFC 6811 §2 read literally, one VRP at a time, with no
// index. A VRP covers the route when it is of the same family, no longer,
// and its first bits are the route's; it matches when it also has the
// route's origin (never NONE, 0; never an AS0 VRP, RFC 7607) and the route
// is no longer than its maxLength.
struct Reference {
  RovState state = RovState::kNotFound;
  std::vector<uint32_t> covering, matched;  // VRP numbers, innermost prefix first
};
bool FirstBitsEqual(const Prefix& a, const Prefix& b, int bits) {
  if (std::memcmp(a.address().bytes(), b.address().bytes(), static_cast<size_t>(bits / 8)) != 0)
    return false;
  for (int i = bits / 8 * 8; i < bits; ++i) {
    const int byte = i / 8, shift = 7 - i % 8;
    if (((a.address().bytes()[byte] >> shift) & 1) != ((b.address().bytes()[byte] >> shift) & 1))
      return false;
  }
  return true;
}
Reference BruteForce(const std::vector<Vrp>& vrps, const Prefix& p, Asn origin) {
  Reference r;
  bool origin_seen = false;
  for (uint32_t i = 0; i < vrps.size(); ++i) {
    const Vrp& v = vrps[i];
    if (v.prefix.family() != p.family() || v.prefix.length() > p.length() ||
        !FirstBitsEqual(v.prefix, p, v.prefix.length())) {
      continue;
    }
    r.covering.push_back(i);
    const bool same_origin = origin != 0 && v.asn != 0 && v.asn == origin;
    origin_seen |= same_origin;
    if (same_origin && p.length() <= v.max_length) r.matched.push_back(i);
  }
  // Innermost first, a prefix's VRPs in set order (the order Validate gives).
  auto order = [&](uint32_t a, uint32_t b) {
    if (vrps[a].prefix.length() != vrps[b].prefix.length())
      return vrps[a].prefix.length() > vrps[b].prefix.length();
    return a < b;
  };
  std::sort(r.covering.begin(), r.covering.end(), order);
  std::sort(r.matched.begin(), r.matched.end(), order);
  if (r.covering.empty()) {
    r.state = RovState::kNotFound;
  } else if (!r.matched.empty()) {
    r.state = RovState::kValid;
  } else {
    r.state = origin_seen ? RovState::kInvalidLength : RovState::kInvalidOrigin;
  }
  return r;
}

// Random prefixes in a small address space, so that VRPs nest, repeat and
// sit at the edges: /0, host routes, lengths around 64 for IPv6.
Prefix RandomPrefix(std::mt19937_64& rng, bool v6) {
  uint8_t b[16] = {0};
  b[0] = static_cast<uint8_t>(v6 ? 0x20 : 10 + rng() % 3);
  b[1] = static_cast<uint8_t>(rng() % 4);
  b[2] = static_cast<uint8_t>(rng() % 4 * 64);
  b[3] = static_cast<uint8_t>(rng() % 2 * 128 + rng() % 2);
  if (v6) {
    b[7] = static_cast<uint8_t>(rng() % 2);
    b[8] = static_cast<uint8_t>(rng() % 2 * 128);
    b[15] = static_cast<uint8_t>(rng() % 2);
  }
  const int width = v6 ? 128 : 32;
  int len;
  switch (rng() % 4) {
    case 0:
      len = static_cast<int>(rng() % (width + 1));
      break;
    case 1:  // near the ends and (IPv6) the 64-bit boundary
      len = static_cast<int>(std::vector<int>{0, 1, 8, 16, 24, width - 1, width, v6 ? 63 : 23,
                                              v6 ? 64 : 25, v6 ? 65 : 31}[rng() % 10]);
      break;
    default:
      len = v6 ? 16 + static_cast<int>(rng() % 50) : 8 + static_cast<int>(rng() % 20);
  }
  return Prefix(IpAddress::FromBytes(v6 ? Family::kIpv6 : Family::kIpv4, b),
                static_cast<uint8_t>(len))
      .Masked();
}

// ValidateAll sees the routes `copies` times over (enough copies pass the
// 65,536 routes above which it uses threads).
void ExpectAgreesWithBruteForce(uint64_t seed, int vrp_count, int route_count, int copies = 1) {
  std::mt19937_64 rng(seed);
  VrpSet set;
  for (int i = 0; i < vrp_count; ++i) {
    const bool v6 = rng() % 3 == 0;
    Prefix p = RandomPrefix(rng, v6);
    const int width = v6 ? 128 : 32;
    int max;
    switch (rng() % 4) {
      case 0:
        max = p.length();
        break;
      case 1:
        max = width;
        break;
      default:
        max = std::min(width, p.length() + static_cast<int>(rng() % 9));
    }
    // Few origins, AS0 among them, so that origins collide and repeat.
    const Asn asn = static_cast<Asn>(rng() % 6);
    ASSERT_TRUE(set.Add(p, static_cast<uint8_t>(max), asn));
    if (rng() % 10 == 0) {
      ASSERT_TRUE(set.Add(p, static_cast<uint8_t>(max), asn));  // a duplicate
    }
  }
  set.Build();
  const std::vector<Vrp> vrps(set.vrps().begin(), set.vrps().end());
  std::vector<Route> routes;
  for (int i = 0; i < route_count; ++i) {
    routes.push_back({RandomPrefix(rng, rng() % 3 == 0), static_cast<Asn>(rng() % 7)});
  }
  std::vector<Reference> expected;
  for (const Route& r : routes) expected.push_back(BruteForce(vrps, r.prefix, r.origin));
  for (size_t i = 0; i < routes.size(); ++i) {
    const Route& r = routes[i];
    const std::string what = r.prefix.ToString() + " AS" + std::to_string(r.origin);
    ASSERT_EQ(ValidateState(set, r.prefix, r.origin), expected[i].state) << what;
    const RovResult full = Validate(set, r.prefix, r.origin);
    ASSERT_EQ(full.state, expected[i].state) << what;
    std::vector<Vrp> covering, matched;
    for (uint32_t v : expected[i].covering) covering.push_back(vrps[v]);
    for (uint32_t v : expected[i].matched) matched.push_back(vrps[v]);
    ASSERT_EQ(full.covering, covering) << what;
    ASSERT_EQ(full.matched, matched) << what;
  }
  // ValidateAll in the given (random) order, in prefix order (the merge),
  // and in prefix order with jumps back (seeks in the middle of a merge).
  std::vector<size_t> order(routes.size() * static_cast<size_t>(copies));
  for (size_t i = 0; i < order.size(); ++i) order[i] = i % routes.size();
  std::vector<std::vector<size_t>> orders = {order};
  std::stable_sort(order.begin(), order.end(),
                   [&](size_t a, size_t b) { return routes[a] < routes[b]; });
  orders.push_back(order);
  std::vector<size_t> jumpy = order;
  for (size_t i = 0; i + 200 < jumpy.size(); i += 300) {
    std::reverse(jumpy.begin() + static_cast<long>(i), jumpy.begin() + static_cast<long>(i) + 7);
  }
  orders.push_back(jumpy);
  for (const auto& o : orders) {
    std::vector<Route> in;
    for (size_t i : o) in.push_back(routes[i]);
    for (unsigned threads : {1u, 2u}) {
      std::vector<RovState> out(in.size());
      ValidateAll(set, in, out, threads);
      for (size_t i = 0; i < in.size(); ++i) {
        ASSERT_EQ(out[i], expected[o[i]].state)
            << in[i].prefix.ToString() << " AS" << in[i].origin << " threads " << threads;
      }
    }
  }
}

// The index against the reference on random sets: small ones (the sorts'
// small cases) and large ones (radix sort, 16-bit buckets, the threaded
// path of ValidateAll above 65,536 routes).
TEST(RovReference, IndexAgreesWithBruteForceOnSmallRandomSets) {
  for (uint64_t seed = 1; seed <= 30; ++seed) ExpectAgreesWithBruteForce(seed, 60, 400);
}
TEST(RovReference, IndexAgreesWithBruteForceOnLargeRandomSets) {
  ExpectAgreesWithBruteForce(100, 3000, 10000, 7);
}

// RFC 6811 §2 and RFC 7607 edge cases, each against the reference too.
TEST(RovReference, MaxLengthAs0AndDuplicateEdgeCases) {
  VrpSet set;
  ASSERT_TRUE(set.Add(P("0.0.0.0/0"), 0, 64500));    // only the default route
  ASSERT_TRUE(set.Add(P("10.0.0.0/8"), 32, 64501));  // any length
  ASSERT_TRUE(set.Add(P("10.1.0.0/16"), 16, 0));     // AS0
  ASSERT_TRUE(set.Add(P("10.1.0.0/16"), 16, 0));     // duplicate
  ASSERT_TRUE(set.Add(P("10.1.2.0/24"), 24, 64502));
  ASSERT_TRUE(set.Add(P("10.1.2.0/24"), 25, 64502));  // same prefix and origin, longer max
  ASSERT_TRUE(set.Add(P("2001:db8::/32"), 64, 64503));
  ASSERT_TRUE(set.Add(P("2001:db8::/64"), 128, 64504));
  ASSERT_TRUE(set.Add(P("2001:db8::1/128"), 128, 64505));
  set.Build();
  const std::vector<Vrp> vrps(set.vrps().begin(), set.vrps().end());
  const std::vector<std::pair<const char*, Asn>> cases = {
      {"0.0.0.0/0", 64500},     {"0.0.0.0/1", 64500},     {"10.0.0.0/8", 64501},
      {"10.1.0.0/16", 0},       {"10.1.0.0/16", 64501},   {"10.1.2.0/24", 64502},
      {"10.1.2.0/25", 64502},   {"10.1.2.0/26", 64502},   {"10.1.2.0/26", 64501},
      {"10.1.2.0/26", 7},       {"11.0.0.0/8", 64500},    {"2001:db8::/64", 64503},
      {"2001:db8::/65", 64503}, {"2001:db8::/65", 64504}, {"2001:db8::1/128", 64505},
      {"2001:db8::1/128", 0},   {"2001:db9::/32", 64503}, {"::/0", 64503},
  };
  for (const auto& [text, origin] : cases) {
    const Prefix p = P(text);
    const Reference want = BruteForce(vrps, p, origin);
    EXPECT_EQ(ValidateState(set, p, origin), want.state) << text << " AS" << origin;
  }
  EXPECT_EQ(ValidateState(set, P("10.1.2.0/25"), 64502), RovState::kValid);
  // 64502's longest maxLength is 25; 10.0.0.0/8's any length is 64501's.
  EXPECT_EQ(ValidateState(set, P("10.1.2.0/26"), 64502), RovState::kInvalidLength);
  EXPECT_EQ(ValidateState(set, P("10.1.2.0/26"), 64501), RovState::kValid);
  EXPECT_EQ(ValidateState(set, P("10.1.0.0/16"), 0), RovState::kInvalidOrigin);
  EXPECT_EQ(ValidateState(set, P("0.0.0.0/1"), 64500), RovState::kInvalidLength);
  EXPECT_EQ(ValidateState(set, P("2001:db8::/65"), 64503), RovState::kInvalidLength);
  EXPECT_EQ(ValidateState(set, P("2001:db8::/65"), 64504), RovState::kValid);
}

}  // namespace
}  // namespace vigia::rpki
