#include "rpki/origin_validation.h"

#include <gtest/gtest.h>

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

}  // namespace
}  // namespace vigia::rpki
