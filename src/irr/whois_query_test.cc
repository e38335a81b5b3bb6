#include "irr/whois_query.h"

#include <gtest/gtest.h>

#include <string>

namespace vigia::irr {
namespace {

constexpr const char* kDb =
    "as-set:  AS-TOP\n"
    "members: AS1, AS-MID\n"
    "source:  ONE\n"
    "\n"
    "as-set:  AS-MID\n"
    "members: AS2, AS-TOP\n"  // a cycle back to the root
    "source:  ONE\n"
    "\n"
    "route:   192.0.2.0/24\n"
    "origin:  AS1\n"
    "mnt-by:  MNT-ONE\n"
    "source:  ONE\n"
    "\n"
    "route:   198.51.100.0/24\n"
    "origin:  AS2\n"
    "source:  TWO\n"
    "\n"
    "route6:  2001:db8::/32\n"
    "origin:  AS2\n"
    "source:  ONE\n"
    "\n"
    "aut-num: AS1\n"
    "as-name: ONE-NET\n"
    "source:  ONE\n";

class WhoisQueryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(db_.LoadText(kDb, "test.db").ok());
    db_.Build();
  }
  std::string Ask(std::string_view q) {
    std::string out;
    AnswerWhoisQuery(db_, q, limits_, &session_, &out);
    return out;
  }
  IrrDatabase db_;
  WhoisLimits limits_;
  WhoisSession session_;
};

TEST_F(WhoisQueryTest, OriginPrefixesAreFramedWithTheirLength) {
  EXPECT_EQ(Ask("!gAS1"), "A13\n192.0.2.0/24\nC\n");
  EXPECT_EQ(Ask("!g2"), "A16\n198.51.100.0/24\nC\n");
  EXPECT_EQ(Ask("!6AS2"), "A14\n2001:db8::/32\nC\n");
  EXPECT_EQ(Ask("!gAS99"), "D\n");
  EXPECT_EQ(Ask("!gfoo"), "F invalid AS number\n");
}

TEST_F(WhoisQueryTest, SetMembersDirectAndRecursiveThroughACycle) {
  EXPECT_EQ(Ask("!iAS-TOP"), "A11\nAS1 AS-MID\nC\n");
  EXPECT_EQ(Ask("!iAS-TOP,1"), "A8\nAS1 AS2\nC\n");
  EXPECT_EQ(Ask("!ias-mid,1"), "A8\nAS1 AS2\nC\n");
  EXPECT_EQ(Ask("!iAS-NONE,1"), "D\n");
}

TEST_F(WhoisQueryTest, SetPrefixesPerFamily) {
  EXPECT_EQ(Ask("!aAS-TOP"), "A43\n192.0.2.0/24 198.51.100.0/24 2001:db8::/32\nC\n");
  EXPECT_EQ(Ask("!a4AS-TOP"), "A29\n192.0.2.0/24 198.51.100.0/24\nC\n");
  EXPECT_EQ(Ask("!a6AS-TOP"), "A14\n2001:db8::/32\nC\n");
}

TEST_F(WhoisQueryTest, SourcesRestrictLaterQueries) {
  EXPECT_EQ(Ask("!s-lc"), "A8\nONE,TWO\nC\n");
  EXPECT_EQ(Ask("!sONE"), "C\n");
  EXPECT_EQ(Ask("!s-lc"), "A4\nONE\nC\n");
  EXPECT_EQ(Ask("!a4AS-TOP"), "A13\n192.0.2.0/24\nC\n");
  EXPECT_EQ(Ask("!sNOPE"), "F Unknown source NOPE\n");
  EXPECT_EQ(Ask("!s-lc"), "A4\nONE\nC\n");  // a failed !s changes nothing
}

TEST_F(WhoisQueryTest, SessionCommands) {
  EXPECT_EQ(Ask("!!"), "");
  EXPECT_TRUE(session_.persistent);
  EXPECT_EQ(Ask("!t120"), "C\n");
  EXPECT_EQ(session_.timeout_seconds, 120);
  EXPECT_EQ(Ask("!t0"), "F !t needs a timeout of 1 to 3600 seconds\n");
  EXPECT_EQ(Ask("!nbgpq4-1.9"), "C\n");
  EXPECT_EQ(Ask("!v").substr(0, 1), "A");
  EXPECT_EQ(Ask("!x"), "F unrecognised command\n");
  EXPECT_EQ(Ask("!q"), "");
  EXPECT_TRUE(session_.quit);
}

TEST_F(WhoisQueryTest, HostileQueriesGetAnError) {
  EXPECT_EQ(Ask(std::string(kMaxWhoisQuery + 1, 'a')), "F query too long\n");
  EXPECT_EQ(Ask(std::string("!g\0AS1", 6)), "F query contains control characters\n");
  EXPECT_EQ(Ask("!i"), "F !i needs a set name\n");
  EXPECT_EQ(Ask("!a"), "F Missing required set name for A query\n");
}

TEST_F(WhoisQueryTest, DepthAndAnswerCapsGiveAnError) {
  limits_.max_depth = 1;
  EXPECT_EQ(Ask("!iAS-TOP,1"), "F expansion depth limit exceeded\n");
  limits_.max_depth = kDefaultExpandDepth;
  limits_.max_answer = 10;
  EXPECT_EQ(Ask("!a4AS-TOP"), "F answer too large\n");
}

TEST_F(WhoisQueryTest, MaintainerObjectsAndSourceSerials) {
  EXPECT_EQ(Ask("!omnt-one"),
            "A94\nroute:          192.0.2.0/24\norigin:         AS1\nmnt-by:         MNT-ONE\n"
            "source:         ONE\n\nC\n");
  EXPECT_EQ(Ask("!oMNT-NOBODY"), "D\n");
  EXPECT_EQ(Ask("!j-*"), "A20\nONE:N:0-0\nTWO:N:0-0\nC\n");
  EXPECT_EQ(Ask("!jTWO"), "A10\nTWO:N:0-0\nC\n");
  EXPECT_EQ(Ask("!jNOPE"), "F Unknown source NOPE\n");
}

TEST_F(WhoisQueryTest, ExactMatchOfOneObjectByClassAndKey) {
  EXPECT_EQ(Ask("!mroute,192.0.2.0/24AS1"),
            "A94\nroute:          192.0.2.0/24\norigin:         AS1\nmnt-by:         MNT-ONE\n"
            "source:         ONE\n\nC\n");
  EXPECT_EQ(Ask("!mroute6,2001:db8::/32AS2"),
            "A71\nroute6:         2001:db8::/32\norigin:         AS2\nsource:         ONE\n\nC\n");
  EXPECT_EQ(Ask("!maut-num,AS1"),
            "A65\naut-num:        AS1\nas-name:        ONE-NET\nsource:         ONE\n\nC\n");
  const std::string set = Ask("!mas-set,as-mid");
  EXPECT_NE(set.find("as-set:         AS-MID\nmembers:        AS2\nmembers:        AS-TOP\n"),
            std::string::npos)
      << set;
  EXPECT_EQ(Ask("!mroute,192.0.2.0/24AS2"), "D\n");   // the prefix exists, not with this origin
  EXPECT_EQ(Ask("!mroute,2001:db8::/32AS2"), "D\n");  // a route6 is not a route
  EXPECT_EQ(Ask("!mroute,192.0.2.0/24"), "F route key must be <prefix><origin>\n");
  EXPECT_EQ(Ask("!mperson,JD1-TEST"),
            "F unsupported object class for !m (route, route6, aut-num, as-set)\n");
  EXPECT_EQ(Ask("!mroute"), "F !m needs <object class>,<key>\n");
}

TEST_F(WhoisQueryTest, RipeStyleQueries) {
  EXPECT_EQ(Ask("-K -i origin AS2"),
            "route:          198.51.100.0/24\norigin:         AS2\n\n"
            "route6:         2001:db8::/32\norigin:         AS2\n\n");
  EXPECT_EQ(Ask("-s TWO -K -i origin AS2"),
            "route:          198.51.100.0/24\norigin:         AS2\n\n");
  EXPECT_EQ(Ask("192.0.2.0/24"),
            "route:          192.0.2.0/24\norigin:         AS1\nmnt-by:         MNT-ONE\n"
            "source:         ONE\n\n");
  EXPECT_EQ(Ask("AS1"), "aut-num:        AS1\nas-name:        ONE-NET\nsource:         ONE\n\n");
  EXPECT_EQ(Ask("-K AS-MID"), "as-set:         AS-MID\n\n");
  EXPECT_EQ(Ask("AS-NONE"), "%  No entries found for the selected source(s).\n\n");
  EXPECT_EQ(Ask("-z x"), "%ERROR:111: invalid option supplied\n\n");
  EXPECT_FALSE(session_.persistent);
  Ask("-k");
  EXPECT_TRUE(session_.persistent);
}

}  // namespace
}  // namespace vigia::irr
