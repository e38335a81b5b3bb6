// The route-server policy (policy.h) and its BIRD 2 configuration
// (bird2.h): the rules resolved as documented, the config accepted by the
// real BIRD 2 (`bird -p`, skipped when bird is not installed), the same
// bytes for the same inputs.
#include "ixp/bird2.h"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <string>

#include "core/test_util.h"
#include "irr/irr_index.h"
#include "ixp/policy.h"
#include "ixp/reason.h"
#include "ixp/test_lab.h"

namespace vigia::ixp {
namespace {

using test_lab::CheckConfig;
using test_lab::Lab;
using test_lab::Options;
using test_util::HaveSharedData;
using test_util::SharedData;

constexpr char kMembers[] = R"(clients:
- asn: 1001
  description: "One; } protocol evil {"
  ip: [10.9.0.2, "2001:7f8::2"]
  cfg: {filtering: {irrdb: {as_sets: [AS-ONE]}, max_prefix: {limit_ipv4: 10}}}
- asn: 1002
  ip: 10.9.0.3
- asn: 999
  ip: 10.9.0.1
)";

TEST(Policy, DefaultsAreDocumented) {
  const PolicyOptions o;
  EXPECT_EQ(o.min_length4, 8);
  EXPECT_EQ(o.max_length4, 24);
  EXPECT_EQ(o.min_length6, 16);
  EXPECT_EQ(o.max_length6, 48);
  EXPECT_EQ(o.max_as_path, 64u);
  // arouteserver's reference general.yml, filtering.transit_free.asns.
  EXPECT_EQ(o.transit_free, (std::vector<Asn>{174, 701, 1299, 2914, 3257, 3320, 3356, 5511, 6453,
                                              6461, 6762, 6830, 7018, 12956}));
}

TEST(Policy, ResolvesMembersIrrAndBuiltInBogons) {
  Lab lab(kMembers);
  ProblemLog notes;
  auto p = BuildPolicy(lab.members, Options(), &lab.db, {}, &notes);
  ASSERT_TRUE(p.ok()) << p.status().ToString();
  // The route server's own ASN gets no session.
  ASSERT_EQ(p->members.size(), 2u);
  EXPECT_EQ(notes.count(), 1u);
  const MemberPolicy& one = p->members[0];
  EXPECT_EQ(one.member->asn, 1001u);
  EXPECT_EQ(one.origins, (std::vector<Asn>{1001, 1010}));
  EXPECT_EQ(one.prefixes4.size(), 2u);
  EXPECT_EQ(one.prefixes6.size(), 1u);
  EXPECT_EQ(one.max_prefix4, 10u);
  EXPECT_EQ(one.max_prefix6, kDefaultMaxPrefix6);
  // No as-set: the member's own ASN, which has no route object.
  const MemberPolicy& two = p->members[1];
  EXPECT_EQ(two.expanded, std::vector<std::string>{"AS1002"});
  EXPECT_EQ(two.origins, std::vector<Asn>{1002});
  EXPECT_TRUE(two.prefixes4.empty());
  EXPECT_EQ(p->bogon_source, BogonSource::kBuiltIn);
  const auto has = [](const std::vector<Prefix>& v, const char* s) {
    return std::find(v.begin(), v.end(), *Prefix::Parse(s)) != v.end();
  };
  EXPECT_TRUE(has(p->bogons4, "10.0.0.0/8"));
  EXPECT_TRUE(has(p->bogons4, "192.168.0.0/16"));
  EXPECT_TRUE(has(p->bogons6, "fc00::/7"));
  ASSERT_FALSE(p->bogon_asns.empty());
  EXPECT_EQ(p->bogon_asns.front().first, 0u);  // RFC 7607
}

TEST(Policy, RejectsBadOptions) {
  const MemberList members = Lab(kMembers).members;
  PolicyOptions o = Options();
  o.rs_asn = 0;
  EXPECT_FALSE(BuildPolicy(members, o, nullptr, {}, nullptr).ok());
  o = Options();
  o.rs_address4.reset();
  EXPECT_FALSE(BuildPolicy(members, o, nullptr, {}, nullptr).ok());  // no router id
  o = Options();
  o.min_length4 = 25;
  EXPECT_FALSE(BuildPolicy(members, o, nullptr, {}, nullptr).ok());
  BogonInput missing;
  missing.files = {"/nonexistent/fullbogons.txt"};
  EXPECT_FALSE(BuildPolicy(members, Options(), nullptr, missing, nullptr).ok());
}

TEST(Policy, RtrServerSyntax) {
  EXPECT_EQ(ParseRtrServer("127.0.0.1:3323")->port, 3323);
  EXPECT_EQ(ParseRtrServer("[::1]:8282")->host, "::1");
  EXPECT_EQ(ParseRtrServer("rtr.example.net:323")->host, "rtr.example.net");
  for (const char* bad : {"", "host", "host:0", "host:70000", "::1:323", "a\"b:1", "[::1]323"})
    EXPECT_FALSE(ParseRtrServer(bad)) << bad;
}

TEST(Bird2, EveryRuleCarriesItsReasonCode) {
  Lab lab(kMembers);
  PolicyOptions o = Options();
  o.rtr = ParseRtrServer("127.0.0.1:3323");
  auto p = BuildPolicy(lab.members, o, &lab.db, {}, nullptr);
  ASSERT_TRUE(p.ok());
  const std::string conf = WriteBird2(*p);
  for (Reject r :
       {Reject::kPrefixTooLong, Reject::kPrefixTooShort, Reject::kBogon, Reject::kBogonAsn,
        Reject::kAsPathTooLong, Reject::kAsPathTooShort, Reject::kFirstAsNotPeer,
        Reject::kNextHopNotPeer, Reject::kIrrPrefix, Reject::kIrrOrigin, Reject::kRpkiInvalid,
        Reject::kTransitFreeAsn, Reject::kTooManyCommunities, Reject::kWellKnownCommunity}) {
    EXPECT_NE(conf.find(fmt::format("vigia_reject({})", static_cast<uint32_t>(r))),
              std::string::npos)
        << RejectKey(r);
  }
  EXPECT_NE(conf.find("bgp_large_community.add((RS_ASN, 1101, reason_code))"), std::string::npos);
  EXPECT_NE(conf.find("protocol rpki vigia_rtr"), std::string::npos);
  EXPECT_NE(conf.find("import keep filtered on;"), std::string::npos);
  EXPECT_NE(conf.find("import table on;"), std::string::npos);
  EXPECT_NE(conf.find("secondary on;"), std::string::npos);
  EXPECT_NE(conf.find("import limit 10 action restart;"), std::string::npos);
  // One session per address: AS1001 twice (v4 and v6), AS1002 once.
  EXPECT_NE(conf.find("protocol bgp as1001_1 "), std::string::npos);
  EXPECT_NE(conf.find("protocol bgp as1001_2 "), std::string::npos);
  EXPECT_NE(conf.find("protocol bgp as1002_1 "), std::string::npos);
  EXPECT_EQ(conf.find("protocol bgp as999"), std::string::npos);
  // A member name cannot break out of its quotes.
  EXPECT_EQ(conf.find("} protocol evil {"), std::string::npos);
  // AS1002 has no route object: every route of it is rejected as irr_prefix.
  EXPECT_NE(conf.find("vigia_reject(9);  # no route object for this member"), std::string::npos);
  // Unknown is tagged, not rejected, unless asked.
  EXPECT_NE(conf.find("else: bgp_large_community.add((RS_ASN, 1000, 2));"), std::string::npos);
  o.reject_rpki_unknown = true;
  auto strict = BuildPolicy(lab.members, o, &lab.db, {}, nullptr);
  ASSERT_TRUE(strict.ok());
  EXPECT_NE(WriteBird2(*strict).find("else: vigia_reject(12);"), std::string::npos);
  // More-specifics of route objects: tagged 1001:3 when allowed.
  EXPECT_EQ(conf.find("(RS_ASN, 1001, 3)"), std::string::npos);
  o.irr_allow_more_specific = true;
  auto loose = BuildPolicy(lab.members, o, &lab.db, {}, nullptr);
  ASSERT_TRUE(loose.ok());
  const std::string loose_conf = WriteBird2(*loose);
  EXPECT_NE(loose_conf.find("185.1.0.0/24+"), std::string::npos);
  EXPECT_NE(loose_conf.find("then bgp_large_community.add((RS_ASN, 1001, 3));"), std::string::npos);
}

TEST(Bird2, WithoutIrrOrRpkiTheRoutesAreTaggedNotChecked) {
  Lab lab(kMembers);
  auto p = BuildPolicy(lab.members, Options(), nullptr, {}, nullptr);
  ASSERT_TRUE(p.ok());
  const std::string conf = WriteBird2(*p);
  EXPECT_NE(conf.find("bgp_large_community.add((RS_ASN, 1000, 3));"), std::string::npos);
  EXPECT_NE(conf.find("bgp_large_community.add((RS_ASN, 1001, 2));"), std::string::npos);
  EXPECT_EQ(conf.find("roa_check"), std::string::npos);
  EXPECT_EQ(conf.find("vigia_reject(9)"), std::string::npos);
}

TEST(Bird2, SameInputsSameBytes) {
  Lab a(kMembers), b(kMembers);
  auto pa = BuildPolicy(a.members, Options(), &a.db, {}, nullptr);
  auto pb = BuildPolicy(b.members, Options(), &b.db, {}, nullptr);
  ASSERT_TRUE(pa.ok() && pb.ok());
  EXPECT_EQ(WriteBird2(*pa), WriteBird2(*pb));
}

TEST(Bird2, RealBirdAcceptsTheLabConfig) {
  if (!test_util::HaveCommand("bird")) GTEST_SKIP() << "bird (BIRD 2) is not installed";
  Lab lab(kMembers);
  PolicyOptions o = Options();
  o.rtr = ParseRtrServer("127.0.0.1:3323");
  o.add_path = true;
  o.irr_allow_more_specific = true;
  auto p = BuildPolicy(lab.members, o, &lab.db, {}, nullptr);
  ASSERT_TRUE(p.ok());
  std::string message;
  EXPECT_EQ(CheckConfig("bird -p -c", WriteBird2(*p), &message), 0) << message;
  o = Options();
  o.well_known = WellKnownPolicy::kPass;
  o.transit_free.clear();
  o.max_prefix_action = MaxPrefixAction::kBlock;
  auto bare = BuildPolicy(lab.members, o, nullptr, {}, nullptr);
  ASSERT_TRUE(bare.ok());
  EXPECT_EQ(CheckConfig("bird -p -c", WriteBird2(*bare), &message), 0) << message;
}

TEST(Bird2, RealBirdAcceptsRealExchanges) {
  if (!test_util::HaveCommand("bird")) GTEST_SKIP() << "bird (BIRD 2) is not installed";
  if (!HaveSharedData("peeringdb/ixp-rs-clients/bcix.yml") ||
      !HaveSharedData("peeringdb/ixf/gr-ix.json") || !HaveSharedData("irr/ripe-db-sample") ||
      !HaveSharedData("registry/bogons/fullbogons-ipv4.txt"))
    GTEST_SKIP() << "../shared/data/{peeringdb,irr,registry} not present";
  irr::IrrDatabase db;
  ASSERT_NO_FATAL_FAILURE(test_lab::LoadRipeSample(&db));
  BogonInput bogons;
  bogons.files = {SharedData() + "/registry/bogons/fullbogons-ipv4.txt",
                  SharedData() + "/registry/bogons/fullbogons-ipv6.txt.gz"};
  for (const char* f : {"ixp-rs-clients/bcix.yml", "ixf/gr-ix.json"}) {
    SCOPED_TRACE(f);
    ProblemLog problems;
    auto members = LoadMembers(SharedData() + "/peeringdb/" + f, &problems);
    ASSERT_TRUE(members.ok());
    PolicyOptions o = Options();
    o.rtr = ParseRtrServer("127.0.0.1:3323");
    auto p = BuildPolicy(*members, o, &db, bogons, nullptr);
    ASSERT_TRUE(p.ok()) << p.status().ToString();
    EXPECT_EQ(p->bogon_source, BogonSource::kFile);
    EXPECT_GT(p->bogons4.size(), 100u);
    const std::string conf = WriteBird2(*p);
    std::string message;
    EXPECT_EQ(CheckConfig("bird -p -c", conf, &message), 0) << message;
    size_t sessions = 0;
    for (size_t at = 0; (at = conf.find("\nprotocol bgp ", at)) != std::string::npos; ++at)
      ++sessions;
    size_t addresses = 0;
    for (const Member& m : members->members) addresses += m.addresses.size();
    EXPECT_EQ(sessions, addresses);  // one session per router address
  }
}

}  // namespace
}  // namespace vigia::ixp
