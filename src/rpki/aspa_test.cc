#include "rpki/aspa.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "rpki/vrp.h"

namespace vigia::rpki {
namespace {

AspaSet Make(std::initializer_list<std::pair<Asn, std::vector<Asn>>> list) {
  AspaSet s;
  for (const auto& [c, p] : list) s.Add(c, p);
  return s;
}

TEST(AspaSet, MergesSortsAndChecksHops) {
  AspaSet s;
  s.Add(64500, std::vector<Asn>{65002, 65001});
  s.Add(64500, std::vector<Asn>{65001, 65003});
  ASSERT_NE(s.Providers(64500), nullptr);
  EXPECT_EQ(*s.Providers(64500), (std::vector<Asn>{65001, 65002, 65003}));
  EXPECT_EQ(s.size(), 1u);
  EXPECT_EQ(s.Check(64500, 65002), HopCheck::kProviderPlus);
  EXPECT_EQ(s.Check(64500, 65009), HopCheck::kNotProviderPlus);
  EXPECT_EQ(s.Check(64501, 65002), HopCheck::kNoAttestation);
}

TEST(PeerRole, NamesRoundTrip) {
  for (PeerRole r : {PeerRole::kCustomer, PeerRole::kPeer, PeerRole::kProvider, PeerRole::kRsClient,
                     PeerRole::kRs}) {
    PeerRole back;
    ASSERT_TRUE(ParsePeerRole(PeerRoleName(r), &back));
    EXPECT_EQ(back, r);
  }
  PeerRole x;
  EXPECT_FALSE(ParsePeerRole("sibling", &x));
}

// Paths are written as BGP carries them: neighbour first, origin last.
std::vector<Asn> P(std::initializer_list<Asn> l) { return l; }

// §6.2: a route from a customer whose every hop is attested.
TEST(AspaUpstream, FullyAttestedUpRampIsValid) {
  // 64503 -> 64502 -> 64501 (origin): each customer names the next AS.
  AspaSet s = Make({{64501, {64502}}, {64502, {64503, 65000}}, {64503, {65001}}});
  AspaResult r = VerifyAsPath(s, P({64503, 64502, 64501}), PeerRole::kCustomer);
  EXPECT_EQ(r.state, AspaState::kValid);
  EXPECT_TRUE(r.upstream);
  EXPECT_EQ(r.max_up_ramp, 3u);
  EXPECT_EQ(r.min_up_ramp, 3u);
}

TEST(AspaUpstream, MissingAttestationIsUnknown) {
  AspaSet s = Make({{64501, {64502}}});
  AspaResult r = VerifyAsPath(s, P({64503, 64502, 64501}), PeerRole::kCustomer);
  EXPECT_EQ(r.state, AspaState::kUnknown);
  EXPECT_EQ(r.min_up_ramp, 2u);  // 64502 has no ASPA
  EXPECT_EQ(r.max_up_ramp, 3u);
}

// The classic leak: a customer passes on a route it learnt from its other
// provider. The provider's ASPA does not name its own customer.
TEST(AspaUpstream, CustomerLeakingAProviderRouteIsInvalid) {
  // 64510 (origin) is a customer of 64520; 64520's route reaches its
  // customer 64530, which leaks it to us (its other provider).
  AspaSet s = Make({{64510, {64520}}, {64520, {3356}}, {64530, {64520, 174}}});
  AspaResult r = VerifyAsPath(s, P({64530, 64520, 64510}), PeerRole::kCustomer);
  EXPECT_EQ(r.state, AspaState::kInvalid);
  EXPECT_EQ(r.max_up_ramp, 2u);
  EXPECT_EQ(r.bad_customer, 64520u);
  EXPECT_EQ(r.bad_provider, 64530u);
  // From a lateral peer, from an RS and as an RS: the same algorithm.
  for (PeerRole role : {PeerRole::kPeer, PeerRole::kRs, PeerRole::kRsClient}) {
    EXPECT_EQ(VerifyAsPath(s, P({64530, 64520, 64510}), role).state, AspaState::kInvalid);
  }
  // From a provider the same path is a normal down-ramp: 64530 names
  // 64520 as its provider.
  AspaResult d = VerifyAsPath(s, P({64530, 64520, 64510}), PeerRole::kProvider);
  EXPECT_FALSE(d.upstream);
  EXPECT_EQ(d.state, AspaState::kValid);
}

TEST(AspaUpstream, SingleAsPrependsAndAsSets) {
  AspaSet s = Make({{64501, {64502}}});
  EXPECT_EQ(VerifyAsPath(s, P({64501}), PeerRole::kCustomer).state, AspaState::kValid);
  // Prepends collapse: 64502 64502 64501 64501 is 64502 64501.
  AspaResult r = VerifyAsPath(s, P({64502, 64502, 64501, 64501}), PeerRole::kCustomer);
  EXPECT_EQ(r.path, (std::vector<Asn>{64502, 64501}));
  EXPECT_EQ(r.state, AspaState::kValid);
  EXPECT_EQ(VerifyAsPath(s, P({64502, 64501}), PeerRole::kCustomer, /*has_as_set=*/true).state,
            AspaState::kInvalid);
  EXPECT_EQ(VerifyAsPath(s, P({}), PeerRole::kCustomer).state, AspaState::kInvalid);
}

// The worked example used with the draft's ramp definitions (§6.1): B
// receives from its provider E the path E G F C A (A the origin). With
// ASPAs A:{C}, C:{F}, G:{X}, and none for F and E, the ramps are
// max_up 4 (A C F G), min_up 3 (A C F), max_down 2 (E G), min_down 1 (E):
// not Invalid (4 + 2 >= 5) but Unknown (3 + 1 < 5).
TEST(AspaDownstream, RampsOfTheWorkedExample) {
  const Asn A = 65010, C = 65020, F = 65050, G = 65060, E = 65040, X = 65099;
  AspaSet s = Make({{A, {C}}, {C, {F}}, {G, {X}}});
  AspaResult r = VerifyAsPath(s, P({E, G, F, C, A}), PeerRole::kProvider);
  EXPECT_EQ(r.max_up_ramp, 4u);
  EXPECT_EQ(r.min_up_ramp, 3u);
  EXPECT_EQ(r.max_down_ramp, 2u);
  EXPECT_EQ(r.min_down_ramp, 1u);
  EXPECT_EQ(r.state, AspaState::kUnknown);
  // With ASPAs for F (provider G) and E (provider G) the path is an
  // attested up-ramp A C F G and down-ramp G E: Valid.
  s.Add(F, std::vector<Asn>{G});
  s.Add(E, std::vector<Asn>{G});
  r = VerifyAsPath(s, P({E, G, F, C, A}), PeerRole::kProvider);
  EXPECT_EQ(r.min_up_ramp, 4u);
  EXPECT_EQ(r.min_down_ramp, 2u);
  EXPECT_EQ(r.state, AspaState::kValid);
  // Upstream, the same path is Invalid: G does not name E.
  EXPECT_EQ(VerifyAsPath(s, P({E, G, F, C, A}), PeerRole::kCustomer).state, AspaState::kInvalid);
}

// A valley: the route goes up from the origin, down, and up again.
TEST(AspaDownstream, ValleyIsInvalid) {
  // Neighbour 64540 (our provider) got it from 64530, which is not among
  // 64540's providers; 64510 (origin) does not name 64520 either.
  AspaSet s = Make({{64510, {64999}}, {64540, {64998}}});
  AspaResult r = VerifyAsPath(s, P({64540, 64530, 64520, 64510}), PeerRole::kProvider);
  EXPECT_EQ(r.max_up_ramp, 1u);
  EXPECT_EQ(r.max_down_ramp, 1u);
  EXPECT_EQ(r.state, AspaState::kInvalid);
}

TEST(AspaDownstream, ShortPathsAreValid) {
  AspaSet s = Make({{64510, {64999}}});
  // N = 2: the ramps always meet.
  EXPECT_EQ(VerifyAsPath(s, P({64520, 64510}), PeerRole::kProvider).state, AspaState::kValid);
}

TEST(AspaLoad, StayRtrSampleMergesAddressFamilies) {
  const std::string f =
      std::string(VIGIA_SHARED_DATA) + "/rpki/samples/stayrtr-test.rpki-client.json";
  if (!std::filesystem::exists(f)) GTEST_SKIP() << f << " is absent";
  VrpSet v;
  ASSERT_TRUE(v.LoadFile(f).ok());
  // Counted by hand in the file: two customers, each listed under ipv4
  // and ipv6 with the same providers.
  EXPECT_EQ(v.aspas().size(), 2u);
  ASSERT_NE(v.aspas().Providers(15562), nullptr);
  EXPECT_EQ(*v.aspas().Providers(15562), (std::vector<Asn>{2914, 8283, 51088, 206238}));
  EXPECT_EQ(v.aspas().Providers(64496)->size(), 6u);
  EXPECT_EQ(v.size(), 19u);
  EXPECT_EQ(v.skipped(), 0u);
}

TEST(AspaLoad, RpkiClientAspasArrayAndBadEntries) {
  VrpSet v;
  ASSERT_TRUE(v.LoadText(R"({"aspas":[
    {"customer":64496,"expires":1700000000,"providers":[64497,"AS64498",64497]},
    {"customer_asid":"AS64500","providers":[{"asid":64501,"afi_limit":"ipv4"}]},
    {"customer":0,"providers":[1]},
    {"customer":64502},
    {"customer":64503,"providers":["x"]},
    {"customer":"ASx","providers":[1]},
    3],
    "roas":[{"asn":64496,"prefix":"192.0.2.0/24","maxLength":24}]})",
                         "a.json")
                  .ok());
  EXPECT_EQ(v.size(), 1u);  // "roas" after "aspas" is read too
  EXPECT_EQ(v.aspas().size(), 2u);
  EXPECT_EQ(*v.aspas().Providers(64496), (std::vector<Asn>{64497, 64498}));
  EXPECT_EQ(*v.aspas().Providers(64500), (std::vector<Asn>{64501}));
  ASSERT_EQ(v.problems().kept().size(), 5u);
  EXPECT_EQ(v.problems().kept()[0].where, "a.json: aspas[2]");
  EXPECT_EQ(v.problems().kept()[0].message, "customer AS0");
  EXPECT_EQ(v.problems().kept()[1].message, "entry lacks customer or providers");
  EXPECT_EQ(v.problems().kept()[3].message, "bad customer ASN");
  EXPECT_EQ(v.problems().kept()[4].message, "entry is not an object");
}

TEST(AspaLoad, FileWithNeitherRoasNorAspasIsRefused) {
  VrpSet v;
  EXPECT_FALSE(v.LoadText(R"({"metadata":{}})", "m.json").ok());
  EXPECT_FALSE(v.LoadText(R"([1,2])", "m.json").ok());
}

}  // namespace
}  // namespace vigia::rpki
