#include "topology/customer_cone.h"

#include <gtest/gtest.h>

#include <chrono>

#include "core/test_util.h"

namespace vigia::topology {
namespace {

using test_util::HaveSharedData;
using test_util::SharedData;

uint32_t ConeSize(const AsRelationships& g, const CustomerCones& c, Asn asn) {
  return c.Size(*g.Index(asn));
}

TEST(CustomerCones, ChainsAndDiamondsCountEachAsOnce) {
  //        1
  //       / \      p2c edges point down; 2|3 are peers, which add nothing.
  //      2 - 3
  //       \ /
  //        4
  //        |
  //        5
  AsRelationships g;
  ASSERT_TRUE(g.LoadText("1|2|-1\n1|3|-1\n2|3|0\n2|4|-1\n3|4|-1\n4|5|-1\n6|1|0\n", "d").ok());
  CustomerCones c(g);
  EXPECT_EQ(ConeSize(g, c, 1), 5u);
  EXPECT_EQ(ConeSize(g, c, 2), 3u);
  EXPECT_EQ(ConeSize(g, c, 4), 2u);
  EXPECT_EQ(ConeSize(g, c, 5), 1u);
  EXPECT_EQ(ConeSize(g, c, 6), 1u);
  EXPECT_EQ(c.Members(2), (std::vector<Asn>{2, 4, 5}));
  EXPECT_TRUE(c.Members(99).empty());
  EXPECT_TRUE(c.ProviderCycles().empty());
}

TEST(CustomerCones, CyclesPutTheirMembersInEachOthersCones) {
  // 10 -> 20 -> 30 -> 10 is a p2c cycle; 30 also serves 40; 50 is above it.
  AsRelationships g;
  ASSERT_TRUE(g.LoadText("10|20|-1\n20|30|-1\n30|10|-1\n30|40|-1\n50|10|-1\n", "cyc").ok());
  CustomerCones c(g);
  for (Asn a : {10u, 20u, 30u}) {
    EXPECT_EQ(ConeSize(g, c, a), 4u) << a;
    EXPECT_EQ(c.Members(a), (std::vector<Asn>{10, 20, 30, 40}));
  }
  EXPECT_EQ(ConeSize(g, c, 50), 5u);
  EXPECT_EQ(ConeSize(g, c, 40), 1u);
  auto cycles = c.ProviderCycles();
  ASSERT_EQ(cycles.size(), 1u);
  EXPECT_EQ(cycles[0], (std::vector<Asn>{10, 20, 30}));
}

TEST(CustomerCones, TwoCyclesAndASelfContainedPairAreFound) {
  AsRelationships g;
  ASSERT_TRUE(g.LoadText("1|2|-1\n2|1|-1\n", "pair").ok());  // conflict: first kept
  ASSERT_TRUE(g.AddLink(3, 4, LinkType::kP2c));
  ASSERT_TRUE(g.AddLink(4, 5, LinkType::kP2c));
  ASSERT_TRUE(g.AddLink(5, 3, LinkType::kP2c));
  ASSERT_TRUE(g.AddLink(7, 8, LinkType::kP2c));
  ASSERT_TRUE(g.AddLink(8, 9, LinkType::kP2c));
  ASSERT_TRUE(g.AddLink(9, 8, LinkType::kP2c) == false);  // conflicts with 8|9
  ASSERT_TRUE(g.AddLink(9, 7, LinkType::kP2c));
  ASSERT_TRUE(g.AddLink(9, 10, LinkType::kP2c));
  g.Build();
  CustomerCones c(g);
  auto cycles = c.ProviderCycles();
  ASSERT_EQ(cycles.size(), 2u);
  EXPECT_EQ(cycles[0], (std::vector<Asn>{3, 4, 5}));
  EXPECT_EQ(cycles[1], (std::vector<Asn>{7, 8, 9}));
  EXPECT_EQ(ConeSize(g, c, 1), 2u);
  EXPECT_EQ(ConeSize(g, c, 2), 1u);
  EXPECT_EQ(ConeSize(g, c, 8), 4u);
}

TEST(CustomerCones, EmptyGraph) {
  AsRelationships g;
  g.Build();
  CustomerCones c(g);
  EXPECT_TRUE(c.sizes().empty());
  EXPECT_TRUE(c.ProviderCycles().empty());
}

TEST(CustomerConesRealData, Caida20220301) {
  if (!HaveSharedData("caida/serial-1")) GTEST_SKIP() << "needs ../shared/data/caida (absent)";
  AsRelationships g;
  ASSERT_TRUE(g.LoadFile(SharedData() + "/caida/serial-1/20220301.as-rel.txt.bz2").ok());
  const auto t0 = std::chrono::steady_clock::now();
  CustomerCones c(g);
  const double ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
  std::printf("customer cones of %zu ASes: %.1f ms\n", g.as_count(), ms);
  // Independently, with a python3 set-based DFS over the -1 lines of the same
  // file: 3356 66558, 174 60553, 1299 61722, 6939 51197, 13335 24096,
  // 15169 13, 33491 332; the sum of all cone sizes is 9104558 and 11417 ASes
  // have customers. networkx finds no p2c cycle in this file.
  EXPECT_EQ(ConeSize(g, c, 3356), 66558u);
  EXPECT_EQ(ConeSize(g, c, 174), 60553u);
  EXPECT_EQ(ConeSize(g, c, 1299), 61722u);
  EXPECT_EQ(ConeSize(g, c, 6939), 51197u);
  EXPECT_EQ(ConeSize(g, c, 13335), 24096u);
  EXPECT_EQ(ConeSize(g, c, 15169), 13u);
  EXPECT_EQ(ConeSize(g, c, 33491), 332u);
  uint64_t sum = 0;
  size_t with_customers = 0;
  for (uint32_t i = 0; i < g.as_count(); ++i) {
    sum += c.Size(i);
    with_customers += !g.Customers(i).empty();
  }
  EXPECT_EQ(sum, 9104558u);
  EXPECT_EQ(with_customers, 11417u);
  EXPECT_TRUE(c.ProviderCycles().empty());
  const std::vector<Asn> m = c.Members(15169);
  ASSERT_EQ(m.size(), 13u);
  EXPECT_TRUE(std::binary_search(m.begin(), m.end(), 15169u));
}

TEST(CustomerConesRealData, TopoScope201701HasProviderCycles) {
  if (!HaveSharedData("caida/toposcope")) GTEST_SKIP() << "needs ../shared/data/caida (absent)";
  AsRelationships g;
  ASSERT_TRUE(g.LoadFile(SharedData() + "/caida/toposcope/asrel_201701.txt.xz").ok());
  CustomerCones c(g);
  // Independently: networkx.strongly_connected_components over the -1 lines
  // gives 5 components of more than one AS, sizes 9, 3, 3, 3, 3; the largest
  // is 3223 7922 22663 30036 30475 33182 36236 50300 53055.
  auto cycles = c.ProviderCycles();
  ASSERT_EQ(cycles.size(), 5u);
  EXPECT_EQ(cycles[0],
            (std::vector<Asn>{3223, 7922, 22663, 30036, 30475, 33182, 36236, 50300, 53055}));
  for (size_t i = 1; i < cycles.size(); ++i) EXPECT_EQ(cycles[i].size(), 3u);
  // Every member of a cycle has the same cone.
  for (Asn a : cycles[0]) EXPECT_EQ(ConeSize(g, c, a), ConeSize(g, c, 3223));
}

}  // namespace
}  // namespace vigia::topology
