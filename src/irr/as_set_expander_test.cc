#include "irr/as_set_expander.h"

#include <gtest/gtest.h>

#include <string>

namespace vigia::irr {
namespace {

constexpr const char* kSets =
    "as-set:  AS-TOP\n"
    "members: AS1, AS-MID, as-leaf   # case does not matter\n"
    "members: AS64496:AS-CUSTOMERS, AS-MISSING\n"
    "source:  ONE\n"
    "\n"
    "as-set:  AS-MID\n"
    "members: AS2, AS-LEAF, AS3\n"
    "source:  ONE\n"
    "\n"
    "as-set:  AS-LEAF\n"
    "members: AS4, AS1\n"
    "source:  ONE\n"
    "\n"
    "as-set:  AS64496:AS-CUSTOMERS\n"
    "members: AS5\n"
    "source:  ONE\n"
    "\n"
    "as-set:  AS-MID\n"
    "members: AS99\n"
    "source:  TWO\n"
    "\n"
    "route:   192.0.2.0/24\n"
    "origin:  AS1\n"
    "source:  ONE\n"
    "\n"
    "route:   198.51.100.0/24\n"
    "origin:  AS5\n"
    "source:  TWO\n"
    "\n"
    "route6:  2001:db8::/32\n"
    "origin:  AS4\n"
    "source:  ONE\n"
    "\n"
    "route:   203.0.113.0/24\n"
    "origin:  AS99\n"
    "source:  TWO\n";

TEST(ExpandAsSet, NestedSetsAsnsAndPrefixes) {
  IrrDatabase db;
  ASSERT_TRUE(db.LoadText(kSets, "s.db").ok());
  ExpandResult r = ExpandAsSet(db, "as-top", {});
  ASSERT_TRUE(r.found);
  EXPECT_EQ(db.sources()[r.root_source], "ONE");
  EXPECT_EQ(r.asns, (std::vector<Asn>{1, 2, 3, 4, 5}));
  EXPECT_EQ(r.sets_expanded, 4u);
  EXPECT_EQ(r.ipv4, (std::vector<Prefix>{*Prefix::Parse("192.0.2.0/24"),
                                         *Prefix::Parse("198.51.100.0/24")}));
  EXPECT_EQ(r.ipv6, (std::vector<Prefix>{*Prefix::Parse("2001:db8::/32")}));
  ASSERT_EQ(r.unresolved.size(), 1u);
  EXPECT_EQ(r.unresolved[0].first, "AS-MISSING");
  EXPECT_EQ(r.unresolved[0].second, "AS-TOP");
  EXPECT_TRUE(r.cycles.empty());  // AS-LEAF reached twice is a diamond, not a cycle
  EXPECT_TRUE(r.depth_limited.empty());
}

TEST(ExpandAsSet, SourcePinningFirstSourceWinsPerSet) {
  IrrDatabase db;
  ASSERT_TRUE(db.LoadText(kSets, "s.db").ok());
  ExpandOptions two_first;
  two_first.sources = {*db.FindSource("TWO"), *db.FindSource("ONE")};
  ExpandResult r = ExpandAsSet(db, "AS-TOP", two_first);
  // AS-MID comes from TWO (AS99 only); AS-LEAF is still reached from AS-TOP.
  EXPECT_EQ(r.asns, (std::vector<Asn>{1, 4, 5, 99}));
  // Routes come from both pinned sources.
  EXPECT_EQ(r.ipv4.size(), 3u);

  ExpandOptions only_two;
  only_two.sources = {*db.FindSource("TWO")};
  EXPECT_FALSE(ExpandAsSet(db, "AS-TOP", only_two).found);
  r = ExpandAsSet(db, "AS-MID", only_two);
  EXPECT_EQ(r.asns, (std::vector<Asn>{99}));
  EXPECT_EQ(r.ipv4, (std::vector<Prefix>{*Prefix::Parse("203.0.113.0/24")}));

  ExpandOptions only_one;
  only_one.sources = {*db.FindSource("ONE")};
  r = ExpandAsSet(db, "AS-TOP", only_one);
  // AS5's route object is in TWO, which is not pinned.
  EXPECT_EQ(r.ipv4, (std::vector<Prefix>{*Prefix::Parse("192.0.2.0/24")}));
}

TEST(ExpandAsSet, CyclesAreReportedAndDoNotLoop) {
  IrrDatabase db;
  ASSERT_TRUE(db.LoadText("as-set: AS-A\nmembers: AS1, AS-B\n\n"
                          "as-set: AS-B\nmembers: AS2, AS-C\n\n"
                          "as-set: AS-C\nmembers: AS3, AS-A, AS-C\n",
                          "c.db")
                  .ok());
  ExpandResult r = ExpandAsSet(db, "AS-A", {});
  EXPECT_EQ(r.asns, (std::vector<Asn>{1, 2, 3}));
  EXPECT_EQ(r.sets_expanded, 3u);
  ASSERT_EQ(r.cycles.size(), 2u);
  EXPECT_EQ(r.cycles[0], (std::vector<std::string>{"AS-A", "AS-B", "AS-C", "AS-A"}));
  EXPECT_EQ(r.cycles[1], (std::vector<std::string>{"AS-C", "AS-C"}));
}

TEST(ExpandAsSet, DepthLimitIsReportedWhereItCuts) {
  std::string text;
  for (int i = 0; i < 30; ++i) {
    text += "as-set: AS-L" + std::to_string(i) + "\nmembers: AS" + std::to_string(i + 1);
    if (i < 29) text += ", AS-L" + std::to_string(i + 1);
    text += "\n\n";
  }
  IrrDatabase db;
  ASSERT_TRUE(db.LoadText(text, "d.db").ok());
  ExpandResult r = ExpandAsSet(db, "AS-L0", {});  // default depth 20
  EXPECT_EQ(r.asns.size(), 20u);
  EXPECT_EQ(r.asns.back(), 20u);
  ASSERT_EQ(r.depth_limited.size(), 1u);
  EXPECT_EQ(r.depth_limited[0].first, "AS-L20");
  EXPECT_EQ(r.depth_limited[0].second, "AS-L19");

  ExpandOptions one;
  one.max_depth = 1;
  r = ExpandAsSet(db, "AS-L0", one);
  EXPECT_EQ(r.asns, (std::vector<Asn>{1}));
  EXPECT_EQ(r.depth_limited[0].first, "AS-L1");

  ExpandOptions deep;
  deep.max_depth = 100;
  r = ExpandAsSet(db, "AS-L0", deep);
  EXPECT_EQ(r.asns.size(), 30u);
  EXPECT_TRUE(r.depth_limited.empty());
}

TEST(ExpandAsSet, PlainAsnAndUnknownSet) {
  IrrDatabase db;
  ASSERT_TRUE(db.LoadText(kSets, "s.db").ok());
  ExpandResult r = ExpandAsSet(db, "AS4", {});
  ASSERT_TRUE(r.found);
  EXPECT_TRUE(r.root_is_asn);
  EXPECT_EQ(r.asns, (std::vector<Asn>{4}));
  EXPECT_EQ(r.ipv6.size(), 1u);
  EXPECT_FALSE(ExpandAsSet(db, "AS-NOPE", {}).found);
  EXPECT_FALSE(ExpandAsSet(db, "", {}).found);
}

TEST(ExpandAsSet, FiftyThousandMembersInNestedSets) {
  // 50 sets of 1,000 ASNs under one root, each also listing its
  // neighbour (a diamond per pair): every ASN must come out once.
  std::string text = "as-set: AS-ROOT\n";
  for (int s = 0; s < 50; ++s) text += "members: AS-S" + std::to_string(s) + "\n";
  text += "\n";
  for (int s = 0; s < 50; ++s) {
    text += "as-set: AS-S" + std::to_string(s) + "\nmembers: AS-S" + std::to_string((s + 1) % 50) +
            "\n";
    for (int i = 0; i < 1000; ++i)
      text += "members: AS" + std::to_string(100000 + s * 1000 + i) + "\n";
    text += "\n";
  }
  IrrDatabase db;
  ASSERT_TRUE(db.LoadText(text, "big.db").ok());
  ExpandResult r = ExpandAsSet(db, "AS-ROOT", {});
  EXPECT_EQ(r.asns.size(), 50'000u);
  EXPECT_EQ(r.sets_expanded, 51u);
  ASSERT_EQ(r.cycles.size(), 1u);  // AS-S0 -> AS-S1 -> ... -> AS-S49 -> AS-S0
  EXPECT_EQ(r.cycles[0].size(), 51u);
}

}  // namespace
}  // namespace vigia::irr
