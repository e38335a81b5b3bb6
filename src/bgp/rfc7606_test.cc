// RFC 7606 (revised error handling for BGP UPDATE messages) as it applies
// to recorded routes: one case per rule of §7.1-§7.14 (and the attribute
// rules of RFC 6793, 8092 and 9234 written in its style), plus the general
// rules of §3 and §4. Each case says which action the rule names and checks
// that the decoder takes exactly that action and cites the rule.
#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "bgp/attr_table.h"
#include "bgp/path_attributes.h"
#include "bgp/test_builders.h"

namespace vigia::bgp {
namespace {

using namespace test;  // NOLINT(google-build-using-namespace)

// A clean route the bad attribute is added to: ORIGIN, AS_PATH, NEXT_HOP,
// less the one of type `skip` (which the case supplies).
Bytes Base(int as_size, uint8_t skip) {
  Bytes path = {kAsSequence, 2};
  for (uint32_t asn : {64500u, 64501u}) {
    if (as_size == 4) {
      Put32(&path, asn);
    } else {
      Put16(&path, asn);
    }
  }
  Bytes out;
  for (const Bytes& b : {Attr(kWellKnown, kAttrOrigin, {0}), Attr(kWellKnown, kAttrAsPath, path),
                         Attr(kWellKnown, kAttrNextHop, IpBytes("192.0.2.1"))}) {
    if (b[1] != skip) out.insert(out.end(), b.begin(), b.end());
  }
  return out;
}

struct Rule {
  const char* name;  // the test name
  Bytes bad;         // attribute(s) appended to Base()
  AttrAction action;
  const char* rule;
  int as_size = 4;
};

class Rfc7606 : public ::testing::TestWithParam<Rule> {};

TEST_P(Rfc7606, TakesTheActionTheRuleNames) {
  const Rule& r = GetParam();
  // A case about ORIGIN, AS_PATH or NEXT_HOP replaces the base's one,
  // except the repeated-attribute case.
  const bool repeat = std::string(r.rule) == "RFC 7606 §3 g";
  const Bytes block = Cat({Base(r.as_size, repeat ? 0 : r.bad[1]), r.bad});
  PathAttributes a;
  AttrContext ctx;
  ctx.as_size = r.as_size;
  Status s = a.Decode(block, ctx);
  ASSERT_EQ(a.errors().size(), 1u) << s.ToString();
  const AttrError& e = a.errors()[0];
  EXPECT_EQ(e.action, r.action) << e.message;
  EXPECT_STREQ(e.rule, r.rule) << e.message;
  EXPECT_FALSE(e.message.empty());
  EXPECT_EQ(a.action(), r.action);
  if (r.action == AttrAction::kTreatAsWithdraw) {
    EXPECT_FALSE(s.ok());
    EXPECT_TRUE(a.withdrawn());
  } else {
    // Attribute discard: the route stands, the bad attribute is gone, the
    // good ones are intact.
    EXPECT_TRUE(s.ok()) << s.ToString();
    EXPECT_EQ(a.Has(e.type), repeat);  // a repeat leaves the first in place
    if (repeat) {
      EXPECT_EQ(a.origin, 0);
    }
    EXPECT_EQ(a.as_path.ToString(), "64500 64501");
    EXPECT_EQ(a.next_hop.ToString(), "192.0.2.1");
  }
}

const Rule kRules[] = {
    {"S7_1_OriginLength", Attr(kWellKnown, kAttrOrigin, {0, 0}), AttrAction::kTreatAsWithdraw,
     "RFC 7606 §7.1"},
    {"S7_1_OriginUndefinedValue", Attr(kWellKnown, kAttrOrigin, {3}), AttrAction::kTreatAsWithdraw,
     "RFC 7606 §7.1"},
    {"S7_2_AsPathSegmentOverrun", Attr(kWellKnown, kAttrAsPath, {kAsSequence, 3, 0, 0, 0, 1}),
     AttrAction::kTreatAsWithdraw, "RFC 7606 §7.2"},
    {"S7_2_AsPathBadSegmentType", Attr(kWellKnown, kAttrAsPath, {7, 1, 0, 0, 0, 1}),
     AttrAction::kTreatAsWithdraw, "RFC 7606 §7.2"},
    {"S7_3_NextHopLength", Attr(kWellKnown, kAttrNextHop, {1, 2, 3}), AttrAction::kTreatAsWithdraw,
     "RFC 7606 §7.3"},
    {"S7_4_MedLength", Attr(kOptNonTrans, kAttrMed, {0, 0, 1}), AttrAction::kTreatAsWithdraw,
     "RFC 7606 §7.4"},
    {"S7_5_LocalPrefLength", Attr(kWellKnown, kAttrLocalPref, {0, 0, 0, 0, 1}),
     AttrAction::kTreatAsWithdraw, "RFC 7606 §7.5"},
    {"S7_6_AtomicAggregateWithALength", Attr(kWellKnown, kAttrAtomicAggregate, {1}),
     AttrAction::kAttributeDiscard, "RFC 7606 §7.6"},
    {"S7_7_AggregatorOfFiveOctets", Attr(kOptTrans, kAttrAggregator, {0, 1, 192, 0, 2}),
     AttrAction::kAttributeDiscard, "RFC 7606 §7.7"},
    {"S7_8_CommunitiesRagged", Attr(kOptTrans, kAttrCommunities, {0, 0, 0, 1, 2}),
     AttrAction::kTreatAsWithdraw, "RFC 7606 §7.8"},
    {"S7_8_CommunitiesEmpty", Attr(kOptTrans, kAttrCommunities, {}), AttrAction::kTreatAsWithdraw,
     "RFC 7606 §7.8"},
    {"S7_9_OriginatorIdLength", Attr(kOptNonTrans, kAttrOriginatorId, {10, 0, 0}),
     AttrAction::kTreatAsWithdraw, "RFC 7606 §7.9"},
    {"S7_10_ClusterListEmpty", Attr(kOptNonTrans, kAttrClusterList, {}),
     AttrAction::kTreatAsWithdraw, "RFC 7606 §7.10"},
    {"S7_11_MpReachHeaderCut", Attr(kOptNonTrans, kAttrMpReach, {0, 2, 1, 16, 0x20}),
     AttrAction::kTreatAsWithdraw, "RFC 7606 §7.11"},
    {"S7_12_MpUnreachHeaderCut", Attr(kOptNonTrans, kAttrMpUnreach, {0, 2}),
     AttrAction::kTreatAsWithdraw, "RFC 7606 §7.12"},
    {"S7_14_ExtCommunitiesRagged", Attr(kOptTrans, kAttrExtCommunities, Bytes(7, 1)),
     AttrAction::kTreatAsWithdraw, "RFC 7606 §7.14"},
    // The attributes later RFCs define with RFC 7606 actions.
    {"Rfc6793_As4PathMalformed", Attr(kOptTrans, kAttrAs4Path, {kAsSequence, 2, 0, 0, 0, 1}),
     AttrAction::kAttributeDiscard, "RFC 6793 §6", 2},
    {"Rfc6793_As4AggregatorLength", Attr(kOptTrans, kAttrAs4Aggregator, Bytes(6, 1)),
     AttrAction::kAttributeDiscard, "RFC 6793 §6", 2},
    {"Rfc8092_LargeCommunitiesRagged", Attr(kOptTrans, kAttrLargeCommunities, Bytes(13, 1)),
     AttrAction::kTreatAsWithdraw, "RFC 8092 §5"},
    {"Rfc9234_OtcLength", Attr(kOptTrans, kAttrOtc, {0, 1}), AttrAction::kTreatAsWithdraw,
     "RFC 9234 §5"},
    // §3 c: conflicting Optional/Transitive bits make the attribute
    // malformed, with its own action.
    {"S3c_WellKnownFlaggedOptional", Attr(kOptTrans, kAttrLocalPref, U32(100)),
     AttrAction::kTreatAsWithdraw, "RFC 7606 §7.5"},
    {"S3c_AggregatorFlaggedWellKnown", Attr(kWellKnown, kAttrAggregator, Cat({U32(1), U32(2)})),
     AttrAction::kAttributeDiscard, "RFC 7606 §7.7"},
    // §3 g: a repeated attribute is discarded, the first kept.
    {"S3g_RepeatedOrigin", Attr(kWellKnown, kAttrOrigin, {2}), AttrAction::kAttributeDiscard,
     "RFC 7606 §3 g"},
    // §4: an attribute overrunning the block: the rest cannot be read.
    {"S4_AttributeOverrunsTheBlock", Bytes{kOptTrans, kAttrCommunities, 40, 0, 0},
     AttrAction::kTreatAsWithdraw, "RFC 7606 §4"},
};

INSTANTIATE_TEST_SUITE_P(Rules, Rfc7606, ::testing::ValuesIn(kRules),
                         [](const ::testing::TestParamInfo<Rule>& i) { return i.param.name; });

// Not an RFC rule: an AS_PATH over the cap withdraws that route only.
TEST(Rfc7606Cap, AsPathOverTheCapWithdrawsTheRoute) {
  Bytes path;
  for (size_t done = 0; done < kMaxAsPathAsns + 1;) {
    const size_t n = std::min<size_t>(255, kMaxAsPathAsns + 1 - done);
    path.push_back(kAsSequence);
    path.push_back(static_cast<uint8_t>(n));
    for (size_t i = 0; i < n; ++i) Put32(&path, 64500);
    done += n;
  }
  PathAttributes a;
  EXPECT_FALSE(a.Decode(Attr(kWellKnown | kFlagExtendedLength, kAttrAsPath, path), Ctx(4)).ok());
  ASSERT_EQ(a.errors().size(), 1u);
  EXPECT_STREQ(a.errors()[0].rule, "cap kMaxAsPathAsns");
  EXPECT_TRUE(a.withdrawn());
}

// §7.13 (Traffic Engineering, RFC 5543) is not decoded: the attribute is
// kept as received, with no action.
TEST(Rfc7606Table, TrafficEngineeringAttributeIsKeptRaw) {
  PathAttributes a;
  ASSERT_TRUE(a.Decode(Cat({Base(4, 0), Attr(kOptNonTrans, 24, {1, 2, 3})}), Ctx(4)).ok());
  EXPECT_TRUE(a.errors().empty());
  ASSERT_EQ(a.unknown.size(), 1u);
  EXPECT_EQ(a.unknown[0].type, 24);
}

// Several errors on one route: all are listed, the strongest action wins.
TEST(Rfc7606Table, EveryActionIsListedAndTheStrongestWins) {
  PathAttributes a;
  Status s = a.Decode(Cat({Base(4, 0), Attr(kOptTrans, kAttrAggregator, {1, 2, 3, 4, 5}),
                           Attr(kOptNonTrans, kAttrMed, {1})}),
                      Ctx(4));
  EXPECT_FALSE(s.ok());
  ASSERT_EQ(a.errors().size(), 2u);
  EXPECT_EQ(a.errors()[0].action, AttrAction::kAttributeDiscard);
  EXPECT_EQ(a.errors()[1].action, AttrAction::kTreatAsWithdraw);
  EXPECT_TRUE(a.withdrawn());
  // Decoding went on after the errors: the path is known.
  EXPECT_EQ(a.as_path.ToString(), "64500 64501");
}

TEST(Rfc7606Table, EveryDecodedTypeHasANameAFlagRuleAndAnAction) {
  for (int t = 0; t < 256; ++t) {
    const AttrSpec& s = AttrSpecFor(static_cast<uint8_t>(t));
    if (!s.decode) continue;
    SCOPED_TRACE(t);
    EXPECT_NE(s.name, nullptr);
    EXPECT_NE(s.rule, nullptr);
    EXPECT_NE(s.on_error, AttrAction::kNone);
    EXPECT_EQ(s.flags & ~(kFlagOptional | kFlagTransitive), 0);
    // Every attribute is written back except the AS4 ones, which the
    // RFC 6793 merge folds into AS_PATH and AGGREGATOR.
    EXPECT_EQ(s.encode == nullptr, t == kAttrAs4Path || t == kAttrAs4Aggregator);
  }
  EXPECT_EQ(AttrName(kAttrAggregator), "AGGREGATOR");
  EXPECT_EQ(AttrName(200), "attribute 200");
}

}  // namespace
}  // namespace vigia::bgp

namespace vigia::bgp {
namespace {

// RFC 7606 §3 c is about what a peer sent; in an MRT RIB entry the flags
// are the dumper's (real dumps write 0x00 on well-known attributes), so
// they are not checked there.
TEST(Rfc7606Flags, NotCheckedInMrtRibEntries) {
  const Bytes block = Cat({Attr(0, kAttrOrigin, {0}), Attr(0, kAttrNextHop, IpBytes("192.0.2.1")),
                           Attr(0, kAttrLocalPref, U32(100))});
  PathAttributes rib;
  ASSERT_TRUE(rib.Decode(block, Ctx(4, false, /*mrt_rib=*/true)).ok());
  EXPECT_TRUE(rib.errors().empty());
  EXPECT_EQ(rib.local_pref, 100u);
  PathAttributes update;
  EXPECT_FALSE(update.Decode(block, Ctx(4)).ok());
  EXPECT_EQ(update.errors().size(), 3u);
}

}  // namespace
}  // namespace vigia::bgp
