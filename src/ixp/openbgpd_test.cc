// The OpenBGPD configuration (openbgpd.h): every rule tagged with its
// reason, the config accepted by the real OpenBGPD 7.7 (`bgpd -n`, skipped
// when bgpd is not installed), the same bytes for the same inputs.
#include "ixp/openbgpd.h"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <string>

#include "core/test_util.h"
#include "irr/irr_index.h"
#include "ixp/policy.h"
#include "ixp/reason.h"
#include "ixp/test_lab.h"

namespace vigia::ixp {
namespace {

using test_lab::CheckConfig;
using test_util::HaveSharedData;
using test_util::SharedData;

constexpr char kMembers[] = R"(clients:
- asn: 1001
  description: "A rather long member name that OpenBGPD would refuse as a descr"
  ip: [10.9.0.2, "2001:7f8::2"]
  cfg: {filtering: {irrdb: {as_sets: [AS-ONE]}, max_prefix: {limit_ipv4: 10}}}
- asn: 1002
  ip: 10.9.0.3
)";

// The lab with RPKI from an RTR server.
PolicyOptions Options() {
  PolicyOptions o = test_lab::Options();
  o.rtr = ParseRtrServer("127.0.0.1:3323");
  return o;
}

TEST(OpenBgpd, EveryRuleCarriesItsReasonCode) {
  test_lab::Lab lab(kMembers);
  auto p = BuildPolicy(lab.members, Options(), &lab.db, {}, nullptr);
  ASSERT_TRUE(p.ok());
  const std::string conf = WriteOpenBgpd(*p);
  for (Reject r :
       {Reject::kPrefixTooLong, Reject::kPrefixTooShort, Reject::kBogon, Reject::kBogonAsn,
        Reject::kAsPathTooLong, Reject::kFirstAsNotPeer, Reject::kNextHopNotPeer,
        Reject::kIrrPrefix, Reject::kIrrOrigin, Reject::kRpkiInvalid, Reject::kTransitFreeAsn,
        Reject::kTooManyCommunities, Reject::kWellKnownCommunity}) {
    EXPECT_NE(conf.find(fmt::format("large-community 999:1101:{} }}", static_cast<uint32_t>(r))),
              std::string::npos)
        << RejectKey(r);
  }
  EXPECT_NE(conf.find("deny quick to group clients large-community 999:1101:*"), std::string::npos);
  EXPECT_NE(conf.find("transparent-as yes"), std::string::npos);
  EXPECT_NE(conf.find("rde evaluate all"), std::string::npos);
  EXPECT_NE(conf.find("rtr 127.0.0.1 {\n  port 3323\n}"), std::string::npos);
  EXPECT_NE(conf.find("max-prefix 10 restart 15"), std::string::npos);
  EXPECT_NE(conf.find("match from AS 1001 nexthop 10.9.0.2 set large-community delete 999:1102:8"),
            std::string::npos);
  EXPECT_NE(conf.find("match from AS 1001 nexthop 2001:7f8::2 "), std::string::npos);
  // AS1002 has no route object: the marker for reason 9 is never removed.
  EXPECT_EQ(conf.find("match from AS 1002 prefix-set"), std::string::npos);
  EXPECT_NE(conf.find("allow quick from AS 1002 large-community 999:1102:9 "), std::string::npos);
  EXPECT_EQ(conf.find("_longer"), std::string::npos);
  PolicyOptions loose = Options();
  loose.irr_allow_more_specific = true;
  auto pl = BuildPolicy(lab.members, loose, &lab.db, {}, nullptr);
  ASSERT_TRUE(pl.ok());
  const std::string lc = WriteOpenBgpd(*pl);
  EXPECT_NE(lc.find("prefix-set \"irr_as1001_longer\" {\n  185.1.0.0/24 or-longer"),
            std::string::npos);
  EXPECT_NE(lc.find("match from AS 1001 set large-community 999:1001:3"), std::string::npos);
}

TEST(OpenBgpd, SameInputsSameBytes) {
  test_lab::Lab a(kMembers), b(kMembers);
  auto pa = BuildPolicy(a.members, Options(), &a.db, {}, nullptr);
  auto pb = BuildPolicy(b.members, Options(), &b.db, {}, nullptr);
  ASSERT_TRUE(pa.ok() && pb.ok());
  EXPECT_EQ(WriteOpenBgpd(*pa), WriteOpenBgpd(*pb));
}

TEST(OpenBgpd, RealBgpdAcceptsTheLabConfig) {
  if (!test_util::HaveCommand("bgpd")) GTEST_SKIP() << "bgpd (OpenBGPD) is not installed";
  test_lab::Lab lab(kMembers);
  PolicyOptions o = Options();
  o.add_path = true;
  o.irr_allow_more_specific = true;
  auto p = BuildPolicy(lab.members, o, &lab.db, {}, nullptr);
  ASSERT_TRUE(p.ok());
  std::string message;
  EXPECT_EQ(CheckConfig("bgpd -n -f", WriteOpenBgpd(*p), &message), 0) << message;
  o = Options();
  o.rtr.reset();
  o.transit_free.clear();
  o.well_known = WellKnownPolicy::kPass;
  o.max_prefix_action = MaxPrefixAction::kDisable;
  o.reject_rpki_unknown = true;
  auto bare = BuildPolicy(lab.members, o, nullptr, {}, nullptr);
  ASSERT_TRUE(bare.ok());
  EXPECT_EQ(CheckConfig("bgpd -n -f", WriteOpenBgpd(*bare), &message), 0) << message;
}

TEST(OpenBgpd, RealBgpdAcceptsRealExchanges) {
  if (!test_util::HaveCommand("bgpd")) GTEST_SKIP() << "bgpd (OpenBGPD) is not installed";
  if (!HaveSharedData("peeringdb/ixp-rs-clients/bcix.yml") ||
      !HaveSharedData("peeringdb/ixf/gr-ix.json") || !HaveSharedData("irr/ripe-db-sample"))
    GTEST_SKIP() << "../shared/data/{peeringdb,irr} not present";
  irr::IrrDatabase db;
  ASSERT_NO_FATAL_FAILURE(test_lab::LoadRipeSample(&db));
  for (const char* f : {"ixp-rs-clients/bcix.yml", "ixf/gr-ix.json"}) {
    SCOPED_TRACE(f);
    ProblemLog problems;
    auto members = LoadMembers(SharedData() + "/peeringdb/" + f, &problems);
    ASSERT_TRUE(members.ok());
    auto p = BuildPolicy(*members, Options(), &db, {}, nullptr);
    ASSERT_TRUE(p.ok());
    std::string message;
    EXPECT_EQ(CheckConfig("bgpd -n -f", WriteOpenBgpd(*p), &message), 0) << message.substr(0, 2000);
  }
}

}  // namespace
}  // namespace vigia::ixp
