#include "sim/rib_builder.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <random>

#include "core/test_util.h"
#include "mrt/test_util.h"
#include "sim/routing.h"
#include "sim/test_graphs.h"

namespace vigia::sim {
namespace {

using topology::AsRelationships;
using topology::LinkType;

TEST(RibBuilder, WritesWhatBgpdumpReads) {
  const AsRelationships g = test::HandGraph();
  auto idx = [&](Asn a) { return *g.Index(a); };
  // Collector peers: AS5 (IPv4 session) and AS4 (IPv6 session).
  const std::vector<uint32_t> peers = {idx(5), idx(4)};
  const std::vector<uint32_t> origins = {idx(6), idx(3)};
  const PeerPaths paths = PeerPaths::Compute(g, peers, origins, 2);
  ASSERT_EQ(paths.origin_count(), 2u);
  EXPECT_EQ(std::vector<Asn>(paths.Path(0, 0).begin(), paths.Path(0, 0).end()),
            (std::vector<Asn>{5, 2, 1, 3, 6}));
  EXPECT_EQ(std::vector<Asn>(paths.Path(0, 1).begin(), paths.Path(0, 1).end()),
            (std::vector<Asn>{4, 6}));
  EXPECT_EQ(std::vector<Asn>(paths.Path(1, 1).begin(), paths.Path(1, 1).end()),
            (std::vector<Asn>{4, 1, 3}));

  Collector c;
  c.name = "sim-rrc00";
  c.id = IpAddress::V4(0xC0000201);
  c.peers.push_back({idx(5), IpAddress::V4(0xC6336405), IpAddress::V4(0x0A000005)});
  c.peers.push_back({idx(4), *IpAddress::Parse("2001:db8::4"), IpAddress::V4(0x0A000004)});
  const std::vector<size_t> slots = {0, 1};
  const std::vector<RibPrefix> prefixes = {{*Prefix::Parse("192.0.2.0/24"), 0},
                                           {*Prefix::Parse("198.51.100.0/24"), 1},
                                           {*Prefix::Parse("2001:db8:6::/48"), 0}};
  const std::string file = (std::filesystem::temp_directory_path() /
                            ("vigia-sim-rib-" + std::to_string(getpid()) + ".gz"))
                               .string();
  auto st = WriteCollectorRib(file, c, slots, paths, prefixes, 1700000000);
  ASSERT_TRUE(st.ok()) << st.status().message();
  EXPECT_EQ(st->prefixes, 3u);
  EXPECT_EQ(st->entries, 6u);
  const std::string ours = mrt::test_util::DecodeFile(file, mrt::test_util::Format::kBgpdumpM).text;
  EXPECT_EQ(
      ours,
      "TABLE_DUMP2|1700000000|B|198.51.100.5|5|192.0.2.0/24|5 2 1 3 6|IGP|198.51.100.5|0|0||NAG||\n"
      "TABLE_DUMP2|1700000000|B|2001:db8::4|4|192.0.2.0/24|4 6|IGP|2001:db8::4|0|0||NAG||\n"
      "TABLE_DUMP2|1700000000|B|198.51.100.5|5|198.51.100.0/24|5 2 1 "
      "3|IGP|198.51.100.5|0|0||NAG||\n"
      "TABLE_DUMP2|1700000000|B|2001:db8::4|4|198.51.100.0/24|4 1 3|IGP|2001:db8::4|0|0||NAG||\n"
      "TABLE_DUMP2|1700000000|B|198.51.100.5|5|2001:db8:6::/48|5 2 1 3 "
      "6|IGP|198.51.100.5|0|0||NAG||\n"
      "TABLE_DUMP2|1700000000|B|2001:db8::4|4|2001:db8:6::/48|4 6|IGP|2001:db8::4|0|0||NAG||\n");
  if (test_util::HaveCommand("bgpdump")) {
    EXPECT_EQ(test_util::RunCommand("bgpdump -q -m " + file + " 2>/dev/null"), ours);
  }
  std::filesystem::remove(file);
}

TEST(PeerPaths, ThreadCountDoesNotChangeTheResultAndPathsAreValleyFree) {
  std::mt19937_64 rng(3);
  AsRelationships g;
  // A clique of five on top; every other AS buys transit from one or two
  // earlier ones; some lateral peering.
  for (Asn i = 0; i < 5; ++i) {
    for (Asn j = i + 1; j < 5; ++j) g.AddLink(100 + i, 100 + j, LinkType::kP2p);
  }
  for (Asn j = 5; j < 300; ++j) {
    g.AddLink(100 + static_cast<Asn>(rng() % j), 100 + j, LinkType::kP2c);
    if (rng() % 2) g.AddLink(100 + static_cast<Asn>(rng() % j), 100 + j, LinkType::kP2c);
    if (rng() % 4 == 0)
      g.AddLink(100 + static_cast<Asn>(5 + rng() % (j - 5 + 1)), 100 + j, LinkType::kP2p);
  }
  g.Build();
  std::vector<uint32_t> peers, origins;
  for (uint32_t i = 0; i < g.as_count(); i += 13) peers.push_back(i);
  for (uint32_t i = 0; i < g.as_count(); ++i) origins.push_back(i);
  const PeerPaths one = PeerPaths::Compute(g, peers, origins, 1);
  const PeerPaths three = PeerPaths::Compute(g, peers, origins, 3);
  ASSERT_EQ(one.total_hops(), three.total_hops());
  size_t nonempty = 0;
  for (size_t o = 0; o < origins.size(); ++o) {
    for (size_t p = 0; p < peers.size(); ++p) {
      const auto a = one.Path(o, p), b = three.Path(o, p);
      ASSERT_TRUE(std::equal(a.begin(), a.end(), b.begin(), b.end()));
      if (a.empty()) continue;
      ++nonempty;
      std::vector<uint32_t> dense;
      for (Asn x : a) dense.push_back(*g.Index(x));
      ASSERT_TRUE(IsValleyFree(g, dense));
      EXPECT_EQ(a.front(), g.AsnAt(peers[p]));
      EXPECT_EQ(a.back(), g.AsnAt(origins[o]));
    }
  }
  // Everything hangs off the clique: every peer reaches every origin.
  EXPECT_EQ(nonempty, origins.size() * peers.size());
}

}  // namespace
}  // namespace vigia::sim
