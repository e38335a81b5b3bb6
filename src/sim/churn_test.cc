#include "sim/churn.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <array>

#include "sim/test_graphs.h"

namespace vigia::sim {
namespace {

// Peers AS5, AS4, AS3 (slots 0-2) towards origins AS6 and AS3; a RIB of
// 2,000 IPv4 and 500 IPv6 prefixes, the last 100 IPv4 ones carrying an
// injected event's routing (origin slot 2, not plain).
struct Fixture {
  topology::AsRelationships g = test::HandGraph();
  PeerPaths paths;
  std::vector<RibPrefix> rib;
  Fixture() {
    const std::vector<uint32_t> peers = {*g.Index(5), *g.Index(4), *g.Index(3)};
    const std::vector<uint32_t> origins = {*g.Index(6), *g.Index(3)};
    paths = PeerPaths::Compute(g, peers, origins, 1);
    paths.Append({{5, 2, 1, 3, 666}, {4, 1, 3, 666}, {3, 666}});
    for (uint32_t i = 0; i < 2000; ++i) {
      const uint32_t slot = i >= 1900 ? 2 : (i / 7) % 2;
      rib.push_back({Prefix(IpAddress::V4(0x0A000000u + (i << 8)), 24), slot});
    }
    for (uint32_t i = 0; i < 500; ++i) {
      std::array<uint8_t, 16> b{
          0x20, 0x01, 0x0d, 0xb8, static_cast<uint8_t>(i >> 8), static_cast<uint8_t>(i)};
      rib.push_back({Prefix(IpAddress::FromBytes(Family::kIpv6, b.data()), 48), (i / 5) % 2});
    }
  }
  ChurnConfig Config(uint64_t per_day) const {
    ChurnConfig c;
    c.prefix_updates_per_day = per_day;
    c.seed = 3;
    c.window_start = 1'700'000'000;
    c.days = 1;
    c.total_peers = 3;
    c.plain_origin_slots = 2;
    return c;
  }
  std::vector<ChurnSession> Sessions() const {
    std::vector<ChurnSession> s;
    for (size_t p = 0; p < 3; ++p) {
      s.push_back({p, Family::kIpv4});
      s.push_back({p, Family::kIpv6});
    }
    return s;
  }
};

std::vector<ChurnMessage> All(ChurnStream& s) {
  std::vector<ChurnMessage> v;
  for (ChurnMessage m; s.Next(&m);) v.push_back(m);
  return v;
}

TEST(Churn, PeerSharesAreSkewedAndSumToOne) {
  double sum = 0, top = 0;
  std::vector<double> shares;
  for (size_t p = 0; p < 1000; ++p) shares.push_back(ChurnPeerShare(9, p, 1000));
  for (double s : shares) sum += s;
  std::sort(shares.rbegin(), shares.rend());
  for (size_t i = 0; i < 10; ++i) top += shares[i];
  EXPECT_NEAR(sum, 1.0, 1e-9);
  // Zipf over 1,000 peers: the noisiest 10 send about 39 %, the median
  // peer about 0.03 %.
  EXPECT_GT(top, 0.35);
  EXPECT_LT(shares[500], 0.001);
  EXPECT_EQ(ChurnPeerShare(9, 1000, 1000), 0.0);
}

TEST(Churn, MessagesAreInTimeOrderWithinTheWindowAndNearTheBudget) {
  Fixture f;
  ChurnStream s(f.Config(20'000), f.rib, f.paths, f.Sessions(), 0);
  const std::vector<ChurnMessage> v = All(s);
  ASSERT_FALSE(v.empty());
  uint64_t updates = 0;
  int64_t last = 0;
  size_t withdrawals = 0, prepends = 0, v6 = 0;
  for (const ChurnMessage& m : v) {
    EXPECT_GE(m.time_us, last);
    last = m.time_us;
    EXPECT_GE(m.time_us, int64_t{1'700'000'000} * 1'000'000);
    EXPECT_LT(m.time_us, int64_t{1'700'086'400} * 1'000'000);
    updates += m.count;
    withdrawals += m.withdraw;
    prepends += m.prepend > 0;
    // Only plain prefixes churn, and runs keep to one origin and family.
    const RibPrefix& first = f.rib[m.rib_begin];
    EXPECT_LT(first.origin_slot, 2u);
    for (uint32_t i = 0; i < m.count; ++i) {
      EXPECT_EQ(f.rib[m.rib_begin + i].origin_slot, first.origin_slot);
      EXPECT_EQ(f.rib[m.rib_begin + i].prefix.family(), f.Sessions()[m.session].family);
    }
    v6 += first.prefix.family() == Family::kIpv6;
  }
  EXPECT_EQ(updates, s.prefix_updates());
  // Returns that would fall after the window are dropped and not counted.
  EXPECT_GT(updates, 19'600u);
  EXPECT_LE(updates, 20'100u);
  EXPECT_GT(withdrawals, v.size() / 4);
  EXPECT_GT(prepends, v.size() / 8);
  EXPECT_GT(v6, 0u);
  EXPECT_LT(v6, v.size() / 2);
}

TEST(Churn, SameSeedSameStreamOtherCollectorOtherStream) {
  Fixture f;
  ChurnStream a(f.Config(5000), f.rib, f.paths, f.Sessions(), 0);
  ChurnStream b(f.Config(5000), f.rib, f.paths, f.Sessions(), 0);
  ChurnStream c(f.Config(5000), f.rib, f.paths, f.Sessions(), 1);
  const auto va = All(a), vb = All(b), vc = All(c);
  ASSERT_EQ(va.size(), vb.size());
  for (size_t i = 0; i < va.size(); ++i) {
    EXPECT_EQ(va[i].time_us, vb[i].time_us);
    EXPECT_EQ(va[i].rib_begin, vb[i].rib_begin);
    EXPECT_EQ(va[i].session, vb[i].session);
  }
  bool differs = va.size() != vc.size();
  for (size_t i = 0; !differs && i < va.size(); ++i) differs = va[i].time_us != vc[i].time_us;
  EXPECT_TRUE(differs);
}

TEST(Churn, ZeroRateGivesNothing) {
  Fixture f;
  ChurnStream s(f.Config(0), f.rib, f.paths, f.Sessions(), 0);
  ChurnMessage m;
  EXPECT_FALSE(s.Next(&m));
  EXPECT_EQ(s.prefix_updates(), 0u);
}

}  // namespace
}  // namespace vigia::sim
