// LiveDetector: each rule raised and cleared over route events, with a
// small hand-made reference (relationships, as2org, VRPs, the registry's
// special-purpose space), and hostile events.
#include "live/live_detector.h"

#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <regex>
#include <string>
#include <vector>

#include "live/live_test_util.h"

namespace vigia::live {
namespace {

using test::EventLog;
using test::Feeder;

// Every event's reasons are translatable as batch incidents' are (issue
// 15): each has a key defined in every web/src/locales/server-detect.*.json
// whose placeholders are among its arguments.
void CheckReasonKeys(const std::vector<LiveEvent>& events) {
  static const std::map<std::string, nlohmann::json> locales = [] {
    std::map<std::string, nlohmann::json> out;
    for (const char* lang : {"en", "es", "pt"}) {
      std::ifstream in(std::string(VIGIA_SOURCE_DIR) + "/web/src/locales/server-detect." + lang +
                       ".json");
      out[lang] = nlohmann::json::parse(in, nullptr, false);
    }
    return out;
  }();
  const std::regex placeholder(R"(\{(\w+)\})");
  for (const LiveEvent& e : events) {
    const auto ev = nlohmann::json::parse(e.incident.evidence, nullptr, false);
    ASSERT_TRUE(ev.is_object() && ev.contains("reason_keys")) << e.incident.evidence;
    for (const auto& k : ev["reason_keys"]) {
      const std::string key = k["key"];
      EXPECT_NE(key, "detect.reason.text") << e.key;
      for (const auto& [lang, texts] : locales) {
        ASSERT_TRUE(texts.is_object() && texts.contains(key)) << key << " not in " << lang;
        const std::string text = texts[key];
        for (auto m = std::sregex_iterator(text.begin(), text.end(), placeholder);
             m != std::sregex_iterator(); ++m) {
          EXPECT_TRUE(k["args"].contains((*m)[1].str())) << lang << " " << key;
        }
      }
    }
  }
}

// 64500 holds 192.0.2.0/24 and 198.51.100.0/24; 64510 and 64511 are its
// transit; 64501 is a customer of 64510 and 64511 (so a path through it
// from one to the other is a leak); 64502 is 64500's sibling; 64503 is
// 64500's customer.
class LiveDetectorTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(ref_.relations
                    .LoadText("64510|64500|-1\n64511|64500|-1\n64510|64501|-1\n64511|64501|-1\n"
                              "64500|64503|-1\n64510|64511|0\n64520|64510|-1\n",
                              "rel")
                    .ok());
    ASSERT_TRUE(ref_.orgs
                    .LoadText("# format:org_id|changed|org_name|country|source\n"
                              "ORG-A|20220101|A|AR|LACNIC\n"
                              "# format:aut|changed|aut_name|org_id|opaque_id|source\n"
                              "64500|20220101|A1|ORG-A||LACNIC\n64502|20220101|A2|ORG-A||LACNIC\n",
                              "as2org")
                    .ok());
    ASSERT_TRUE(ref_.orgs.AreSiblings(64500, 64502));
    // No registry here: documentation prefixes and ASNs would be bogons
    // (BogonPrefixAndBogonAsn builds it).
    ref_.vrps.Add(*Prefix::Parse("198.51.100.0/24"), 24, 64500);
    ref_.vrps.Build();
  }

  void TearDown() override { CheckReasonKeys(log_.events); }

  LiveRules Rules(uint32_t min_peers = 1) {
    LiveRules r;
    r.only_watched = false;
    r.min_peers = min_peers;
    return r;
  }

  snapshot::Snapshot ref_;
  EventLog log_;
};

TEST_F(LiveDetectorTest, ExactHijackRaisedAtMinPeersAndClearedWhenTheLastRouteGoes) {
  LiveDetector d(Rules(2), &ref_, &log_);
  Feeder f(&d, 3);
  for (uint32_t p = 0; p < 3; ++p) f.Table(p, "192.0.2.0/24", {64510, 64500});
  f.Announce(0, "192.0.2.0/24", {64510, 64666});
  EXPECT_TRUE(log_.events.empty()) << "one peer is below min_peers";
  f.Announce(1, "192.0.2.0/24", {64511, 64666});
  ASSERT_EQ(log_.events.size(), 1u);
  const LiveEvent e = log_.events[0];
  EXPECT_EQ(e.phase, EventPhase::kRaised);
  EXPECT_EQ(e.rule, "hijack");
  EXPECT_EQ(e.key, "hijack|192.0.2.0/24|AS64666");
  EXPECT_EQ(e.peers, 2u);
  EXPECT_EQ(e.incident.type, "hijack");
  EXPECT_EQ(e.incident.kind, "exact");
  EXPECT_EQ(e.incident.culprit, 64666u);
  ASSERT_EQ(e.incident.prefixes.size(), 1u);
  EXPECT_EQ(e.incident.victims, std::vector<Asn>{64500});
  EXPECT_EQ(e.incident.reason_keys[0].key, "detect.hijack.new_origin_exact");
  const auto ev = nlohmann::json::parse(e.incident.evidence);
  EXPECT_EQ(ev["peers_seen"], 2);
  EXPECT_EQ(ev["example_paths"].size(), 2u);
  EXPECT_EQ(ev["victims"][0], 64500);
  EXPECT_EQ(ev["collectors"][0], "test");
  EXPECT_TRUE(ev.contains("reason_keys"));
  // One peer withdraws: still shown by the other.
  f.Withdraw(0, "192.0.2.0/24");
  EXPECT_EQ(log_.events.size(), 1u);
  // The other's session goes down: cleared, same key.
  d.SessionDown(1, {1'800'000'100, 0});
  ASSERT_EQ(log_.events.size(), 2u);
  EXPECT_EQ(log_.events[1].phase, EventPhase::kCleared);
  EXPECT_EQ(log_.events[1].key, e.key);
  EXPECT_EQ(log_.events[1].peers, 0u);
  EXPECT_EQ(d.stats().raised, 1u);
  EXPECT_EQ(d.stats().cleared, 1u);
}

TEST_F(LiveDetectorTest, SubprefixHijackNamesTheCoveringHolder) {
  LiveDetector d(Rules(), &ref_, &log_);
  Feeder f(&d, 1);
  f.Table(0, "192.0.2.0/24", {64510, 64500});
  f.Announce(0, "192.0.2.128/25", {64510, 64666});
  ASSERT_EQ(log_.events.size(), 1u);
  EXPECT_EQ(log_.events[0].rule, "subprefix_hijack");
  EXPECT_EQ(log_.events[0].key, "subprefix_hijack|192.0.2.128/25|AS64666|192.0.2.0/24");
  EXPECT_EQ(log_.events[0].incident.kind, "more_specific");
  EXPECT_EQ(log_.events[0].incident.propagator, std::optional<Asn>(64510));
  f.Withdraw(0, "192.0.2.128/25");
  ASSERT_EQ(log_.events.size(), 2u);
  EXPECT_EQ(log_.events[1].phase, EventPhase::kCleared);
}

TEST_F(LiveDetectorTest, SiblingsNeighboursAndRoaValidOriginsAreNoHijack) {
  LiveDetector d(Rules(), &ref_, &log_);
  Feeder f(&d, 1);
  f.Table(0, "192.0.2.0/24", {64510, 64500});
  f.Table(0, "198.51.100.0/24", {64510, 64777});
  f.Announce(0, "192.0.2.0/24", {64510, 64502});         // sibling (as2org)
  f.Announce(0, "192.0.2.0/25", {64510, 64500, 64503});  // customer of the holder
  f.Announce(0, "192.0.2.0/24", {64510, 64510});         // provider of the holder
  f.Announce(0, "198.51.100.0/24", {64511, 64500});      // RFC 6811 valid
  // Only the table route of 64777 was RPKI invalid, and it was replaced.
  EXPECT_EQ(log_.Keys(),
            " +rpki_invalid|198.51.100.0/24|AS64777 -rpki_invalid|198.51.100.0/24|AS64777");
}

TEST_F(LiveDetectorTest, WatchedPrefixUsesItsDeclaredOriginsOnly) {
  LiveRules r = Rules();
  r.only_watched = true;
  r.prefixes.push_back({*Prefix::Parse("203.0.113.0/24"), {64500}, "ours", false});
  LiveDetector d(r, &ref_, &log_);
  Feeder f(&d, 1);
  f.Announce(0, "203.0.113.0/24", {64510, 64500});
  f.Announce(0, "203.0.113.0/25", {64510, 64666});
  f.Announce(0, "192.0.2.0/24", {64510, 64666});  // not watched
  ASSERT_EQ(log_.events.size(), 1u) << log_.Keys();
  EXPECT_EQ(log_.events[0].key, "subprefix_hijack|203.0.113.0/25|AS64666|203.0.113.0/24");
}

TEST_F(LiveDetectorTest, RouteLeakOverTheRelationshipsWithRfc7908Type) {
  LiveDetector d(Rules(), &ref_, &log_);
  Feeder f(&d, 2);
  // 64501 passes its provider 64510's route to its other provider 64511.
  f.Announce(0, "192.0.2.0/24", {64511, 64501, 64510, 64500});
  ASSERT_EQ(log_.events.size(), 1u) << log_.Keys();
  const LiveEvent e = log_.events[0];
  EXPECT_EQ(e.key, "route_leak|AS64501|AS64511");
  EXPECT_EQ(e.incident.kind, "rfc7908_type1");
  EXPECT_EQ(e.incident.culprit, 64501u);
  EXPECT_EQ(e.incident.propagator, std::optional<Asn>(64511));
  // A second prefix and peer: the same leak, not raised again.
  f.Announce(1, "198.51.100.0/24", {64511, 64501, 64510, 64500});
  EXPECT_EQ(log_.events.size(), 1u);
  // A route replaced by another leaking path of the same leak: no flap.
  f.Announce(0, "192.0.2.0/24", {64511, 64501, 64501, 64510, 64500});
  EXPECT_EQ(log_.events.size(), 1u);
  f.Withdraw(0, "192.0.2.0/24");
  EXPECT_EQ(log_.events.size(), 1u);
  f.Announce(1, "198.51.100.0/24", {64511, 64500});  // replaced by a clean path
  ASSERT_EQ(log_.events.size(), 2u);
  EXPECT_EQ(log_.events[1].phase, EventPhase::kCleared);
  EXPECT_EQ(log_.events[1].incident.prefixes.size(), 2u);
}

TEST_F(LiveDetectorTest, Rfc9234OtcRouteSentUpIsALeak) {
  LiveDetector d(Rules(), &ref_, &log_);
  Feeder f(&d, 1);
  // 64666 is not in the relationships (no valley judgement), but the route
  // carries OTC 64666 and 64501 sent it to its provider 64511.
  f.Announce(0, "192.0.2.0/24", {64511, 64501, 64666}, 0, 64666);
  ASSERT_EQ(log_.events.size(), 1u) << log_.Keys();
  EXPECT_EQ(log_.events[0].key, "route_leak|AS64501|AS64511");
  EXPECT_EQ(log_.events[0].incident.kind, "rfc7908_type4");
  EXPECT_EQ(log_.events[0].incident.reason_keys.back().key, "live.route_leak.otc");
  // Without OTC, nothing to judge.
  f.Announce(0, "192.0.2.0/24", {64511, 64501, 64666});
  ASSERT_EQ(log_.events.size(), 2u);
  EXPECT_EQ(log_.events[1].phase, EventPhase::kCleared);
  // OTC of an AS the route went down from: no leak.
  f.Announce(0, "192.0.2.0/24", {64510, 64500}, 0, 64510);
  EXPECT_EQ(log_.events.size(), 2u);
}

TEST_F(LiveDetectorTest, RpkiInvalidFollowsTheVrps) {
  LiveDetector d(Rules(), &ref_, &log_);
  Feeder f(&d, 1);
  f.Announce(0, "198.51.100.0/24", {64510, 64777});
  ASSERT_EQ(log_.events.size(), 1u) << log_.Keys();
  EXPECT_EQ(log_.events[0].key, "rpki_invalid|198.51.100.0/24|AS64777");
  EXPECT_EQ(log_.events[0].incident.kind, "invalid_origin");
  // A ROA for the new origin: valid, cleared.
  rpki::VrpSet next;
  next.Add(*Prefix::Parse("198.51.100.0/24"), 24, 64500);
  next.Add(*Prefix::Parse("198.51.100.0/24"), 24, 64777);
  d.SetVrps(next);
  ASSERT_EQ(log_.events.size(), 2u);
  EXPECT_EQ(log_.events[1].phase, EventPhase::kCleared);
  // And gone again: raised again with the same key.
  d.SetVrps(ref_.vrps);
  ASSERT_EQ(log_.events.size(), 3u);
  EXPECT_EQ(log_.events[2].phase, EventPhase::kRaised);
  EXPECT_EQ(log_.events[2].key, log_.events[0].key);
  f.Withdraw(0, "198.51.100.0/24");
  ASSERT_EQ(log_.events.size(), 4u);
  EXPECT_EQ(log_.events[3].phase, EventPhase::kCleared);
}

TEST_F(LiveDetectorTest, BogonPrefixAndBogonAsn) {
  // The special-purpose registries (RFC 6890) without delegated files.
  ref_.registry.Build();
  LiveDetector d(Rules(), &ref_, &log_);
  Feeder f(&d, 1);
  f.Announce(0, "10.0.0.0/8", {3356, 15169});
  f.Announce(0, "8.8.8.0/24", {3356, 4200000000u, 15169});  // private-use ASN (RFC 6996)
  ASSERT_EQ(log_.events.size(), 2u) << log_.Keys();
  EXPECT_EQ(log_.events[0].key, "bogon_prefix|10.0.0.0/8|AS15169");
  EXPECT_EQ(log_.events[0].incident.kind, "special_purpose");
  EXPECT_EQ(log_.events[1].key, "bogon_asn|8.8.8.0/24|AS3356|AS4200000000");
  EXPECT_EQ(log_.events[1].incident.culprit, 3356u);
  f.Withdraw(0, "10.0.0.0/8");
  f.Withdraw(0, "8.8.8.0/24");
  ASSERT_EQ(log_.events.size(), 4u);
  EXPECT_EQ(log_.events[2].phase, EventPhase::kCleared);
  EXPECT_EQ(log_.events[3].phase, EventPhase::kCleared);
}

TEST_F(LiveDetectorTest, VisibilityLossBelowMinPeersAndRecovery) {
  LiveRules r = Rules();
  r.only_watched = true;
  r.visibility_min_peers = 2;
  r.prefixes.push_back({*Prefix::Parse("192.0.2.0/24"), {64500}, "ours", false});
  LiveDetector d(r, &ref_, &log_);
  Feeder f(&d, 3);
  f.Announce(0, "192.0.2.0/24", {64510, 64500});
  EXPECT_TRUE(log_.events.empty()) << "never visible yet: no loss";
  f.Announce(1, "192.0.2.0/24", {64511, 64500});
  f.Announce(2, "192.0.2.0/24", {64511, 64500});
  f.Withdraw(0, "192.0.2.0/24");
  EXPECT_TRUE(log_.events.empty());
  f.Withdraw(1, "192.0.2.0/24");
  ASSERT_EQ(log_.events.size(), 1u);
  EXPECT_EQ(log_.events[0].key, "visibility_loss|192.0.2.0/24");
  EXPECT_EQ(log_.events[0].peers, 0u);
  EXPECT_EQ(log_.events[0].incident.kind, "below_min_peers");
  d.SessionDown(2, {1'800'000'100, 0});
  EXPECT_EQ(log_.events.size(), 1u) << "already raised";
  f.Announce(0, "192.0.2.0/24", {64510, 64500});
  f.Announce(1, "192.0.2.0/24", {64510, 64500});
  ASSERT_EQ(log_.events.size(), 2u);
  EXPECT_EQ(log_.events[1].phase, EventPhase::kCleared);
}

TEST_F(LiveDetectorTest, NewUpstreamAndDownstreamOfAWatchedAsn) {
  LiveRules r = Rules();
  r.only_watched = true;
  r.asns = {64500};
  LiveDetector d(r, &ref_, &log_);
  Feeder f(&d, 1);
  f.Table(0, "192.0.2.0/24", {64530, 64500});  // learnt in the table snapshot
  f.Announce(0, "198.51.100.0/24", {64530, 64500});
  f.Announce(0, "198.51.100.0/24", {64510, 64500});  // known from the relationships
  EXPECT_TRUE(log_.events.empty()) << log_.Keys();
  f.Announce(0, "203.0.113.0/24", {64531, 64500, 64540});
  ASSERT_EQ(log_.events.size(), 2u) << log_.Keys();
  EXPECT_EQ(log_.events[0].key, "new_upstream|AS64500|AS64531");
  EXPECT_EQ(log_.events[0].incident.culprit, 64531u);
  EXPECT_EQ(log_.events[1].key, "new_downstream|AS64500|AS64540");
  f.Withdraw(0, "203.0.113.0/24");
  ASSERT_EQ(log_.events.size(), 4u);
  EXPECT_EQ(log_.events[2].phase, EventPhase::kCleared);
}

TEST_F(LiveDetectorTest, PathPatternMatchesAndClears) {
  LiveRules r = Rules();
  r.hijack = r.subprefix_hijack = false;
  r.path_patterns.push_back({"via-64666", "(^| )64666( |$)"});
  LiveDetector d(r, &ref_, &log_);
  Feeder f(&d, 1);
  f.Announce(0, "192.0.2.0/24", {64510, 64500});
  EXPECT_TRUE(log_.events.empty());
  f.Announce(0, "192.0.2.0/24", {64510, 64666, 64500});
  ASSERT_EQ(log_.events.size(), 1u) << log_.Keys();
  EXPECT_EQ(log_.events[0].key, "path_pattern|via-64666|192.0.2.0/24");
  EXPECT_EQ(log_.events[0].incident.culprit, 64500u);
  f.Announce(0, "192.0.2.0/24", {64510, 64500});
  ASSERT_EQ(log_.events.size(), 2u);
  EXPECT_EQ(log_.events[1].phase, EventPhase::kCleared);
}

TEST_F(LiveDetectorTest, RoaDisappearingFromAWatchedPrefixAndComingBack) {
  LiveRules r = Rules();
  r.only_watched = true;
  r.prefixes.push_back({*Prefix::Parse("198.51.100.0/24"), {64500}, "ours", false});
  LiveDetector d(r, &ref_, &log_);
  rpki::VrpSet empty;
  d.SetVrps(empty);
  ASSERT_EQ(log_.events.size(), 1u);
  EXPECT_EQ(log_.events[0].key, "roa_disappeared|198.51.100.0/24");
  EXPECT_NE(log_.events[0].incident.reasons[0].find("198.51.100.0/24-24 AS64500"),
            std::string::npos);
  d.SetVrps(empty);
  EXPECT_EQ(log_.events.size(), 1u);
  d.SetVrps(ref_.vrps);
  ASSERT_EQ(log_.events.size(), 2u);
  EXPECT_EQ(log_.events[1].phase, EventPhase::kCleared);
}

TEST_F(LiveDetectorTest, WarmupOriginsAreBaseline) {
  LiveRules r = Rules();
  r.warmup = std::chrono::seconds(60);
  LiveDetector d(r, &ref_, &log_);
  Feeder f(&d, 1);
  f.Announce(0, "192.0.2.0/24", {64510, 64500});  // t0: learnt
  f.time += 30;
  f.Announce(0, "192.0.2.0/24", {64510, 64600});  // within the warm-up: learnt
  f.time += 60;
  f.Announce(0, "192.0.2.0/24", {64510, 64500});
  f.Announce(0, "192.0.2.0/24", {64510, 64600});
  EXPECT_TRUE(log_.events.empty()) << log_.Keys();
  f.Announce(0, "192.0.2.0/24", {64510, 64666});
  ASSERT_EQ(log_.events.size(), 1u);
  EXPECT_EQ(log_.events[0].key, "hijack|192.0.2.0/24|AS64666");
}

TEST_F(LiveDetectorTest, HostileEventsChangeNothing) {
  LiveRules r = Rules();
  r.path_patterns.push_back({"any", "6"});
  LiveDetector d(r, &ref_, &log_);
  Feeder f(&d, 1);
  // Withdrawals of routes never announced, of an unknown peer, session
  // down of an unknown peer.
  f.Withdraw(0, "192.0.2.0/24");
  f.Withdraw(77, "192.0.2.0/24");
  d.SessionDown(4'000'000'000u, {1, 0});
  EXPECT_EQ(d.stats().unknown_withdraws, 2u);
  // A route from a peer never introduced, and a path of 100,000 ASNs
  // (patterns skip it; the leak and bogon look-ups walk it).
  std::vector<Asn> huge;
  for (uint32_t i = 0; i < 100'000; ++i) huge.push_back(64500 + i % 3);
  f.Announce(99, "192.0.2.0/24", huge);
  EXPECT_EQ(d.stats().pattern_skipped, 1u);
  EXPECT_EQ(d.stats().routes, 1u);
  f.Withdraw(99, "192.0.2.0/24");
  f.Withdraw(99, "192.0.2.0/24");
  EXPECT_EQ(d.stats().routes, 0u);
  EXPECT_EQ(d.stats().unknown_withdraws, 3u);
  EXPECT_EQ(d.stats().conditions, 0u);
  // Raised and cleared balance.
  EXPECT_EQ(d.stats().raised, d.stats().cleared);
}

TEST_F(LiveDetectorTest, AddPathRoutesOfOnePeerCountOnce) {
  LiveDetector d(Rules(2), &ref_, &log_);
  Feeder f(&d, 2);
  f.Table(0, "192.0.2.0/24", {64510, 64500});
  f.Announce(0, "192.0.2.0/24", {64510, 64666}, 1);
  f.Announce(0, "192.0.2.0/24", {64511, 64666}, 2);
  EXPECT_TRUE(log_.events.empty()) << "two paths, one peer";
  f.Announce(1, "192.0.2.0/24", {64511, 64666});
  ASSERT_EQ(log_.events.size(), 1u);
  f.Withdraw(0, "192.0.2.0/24", 1);
  f.Withdraw(0, "192.0.2.0/24", 2);
  f.Withdraw(1, "192.0.2.0/24");
  ASSERT_EQ(log_.events.size(), 2u);
  EXPECT_EQ(d.stats().routes, 1u);  // the table route
}

// A VPN route (RFC 4364: an RD, SAFI 128) is in its VRF's address space: a
// "new origin" for a prefix the global table holds is no hijack, and its
// withdrawal is not an unknown withdraw of the unicast route.
TEST_F(LiveDetectorTest, VpnAndLabeledRoutesAreNotJudgedAsUnicast) {
  LiveDetector d(Rules(1), &ref_, &log_);
  Feeder f(&d, 2);
  f.Table(0, "192.0.2.0/24", {64510, 64500});
  bgp::PathAttributes a;
  a.as_path.asns = {64511, 64666};
  a.as_path.segments.push_back({bgp::kAsSequence, 2});
  bgp::Route r;
  r.peer = 1;
  r.time = {1'800'000'050, 0};
  r.prefix = *Prefix::Parse("192.0.2.0/24");
  r.safi = bgp::kSafiMplsVpn;
  r.rd = (uint64_t{0} << 48) | (uint64_t{64511} << 32) | 7;
  r.attr_set = 999;
  d.Announce(r, a);
  r.safi = bgp::kSafiLabeled;
  r.rd = 0;
  d.Announce(r, a);
  EXPECT_TRUE(log_.events.empty());
  d.Withdraw(r, bgp::WithdrawCause::kWithdrawn);
  EXPECT_EQ(d.stats().unknown_withdraws, 0u);
  // The same path over unicast is a hijack.
  f.Announce(1, "192.0.2.0/24", {64511, 64666});
  ASSERT_EQ(log_.events.size(), 1u);
  EXPECT_EQ(log_.events[0].rule, "hijack");
}

}  // namespace
}  // namespace vigia::live
