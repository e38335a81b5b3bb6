// RsCheck on crafted route-server RIBs: each rule with a route that breaks
// it and one that does not, written as TABLE_DUMP_V2 by the project's MRT
// writer (and TABLE_DUMP v1 by hand, as OpenBGPD writes it) and read back
// through the reader and decoder, as `vigia ixp check` reads a dump.
#include "ixp/rs_check.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "bgp/encode.h"
#include "bgp/test_builders.h"
#include "irr/irr_index.h"
#include "mrt/reader.h"
#include "mrt/writer.h"
#include "registry/range_set.h"
#include "rpki/vrp.h"

namespace vigia::ixp {
namespace {

using bgp::test::Ip;

Prefix P(const char* text) {
  auto p = Prefix::Parse(text);
  EXPECT_TRUE(p.has_value()) << text;
  return p.value_or(Prefix());
}

// Two members: AS 8529 at 193.239.118.210 and 2001:7f8:13::a500:8529:1,
// and AS 9009 at 193.239.118.115; as-sets AS-ONE and AS-TWO.
MemberList TwoMembers() {
  MemberList l;
  Member a;
  a.asn = 8529;
  a.name = "One";
  a.addresses = {Ip("193.239.118.210"), Ip("2001:7f8:13::a500:8529:1")};
  a.as_sets = {"AS-ONE"};
  Member b;
  b.asn = 9009;
  b.name = "Two";
  b.addresses = {Ip("193.239.118.115")};
  b.as_sets = {"AS-TWO"};
  l.members = {a, b};
  l.source = "members.json";
  return l;
}

struct TestRoute {
  uint16_t peer = 0;  // index into the peer table
  const char* prefix;
  std::vector<Asn> path;  // one AS_SEQUENCE; empty: no segment
  const char* next_hop;
  std::vector<bgp::LargeCommunity> large = {};
};

bgp::PathAttributes Attrs(const TestRoute& r, const Prefix& p) {
  bgp::PathAttributes a;
  a.Set(bgp::kAttrOrigin);
  a.Set(bgp::kAttrAsPath);
  if (!r.path.empty()) {
    a.as_path.segments.push_back({bgp::kAsSequence, static_cast<uint16_t>(r.path.size())});
    a.as_path.asns = r.path;
  }
  if (p.family() == Family::kIpv6) {
    bgp::MpReach& m = a.AddMpReach();
    m.abbreviated = true;
    m.next_hop = Ip(r.next_hop);
    m.next_hop_length = 16;
  } else {
    a.Set(bgp::kAttrNextHop);
    a.next_hop = Ip(r.next_hop);
  }
  if (!r.large.empty()) {
    a.Set(bgp::kAttrLargeCommunities);
    a.large_communities = r.large;
  }
  return a;
}

// A TABLE_DUMP_V2 RIB of the routes, one record per route.
std::vector<uint8_t> Rib(const std::vector<mrt::PeerEntry>& peers,
                         const std::vector<TestRoute>& routes) {
  mrt::MrtWriter w;
  mrt::PeerIndexTable t;
  t.collector_id = Ip("193.239.116.255");
  t.peers = peers;
  EXPECT_TRUE(w.WritePeerIndexTable(1602156199, t).ok());
  uint32_t seq = 0;
  for (const TestRoute& r : routes) {
    mrt::Rib rib;
    rib.prefix = P(r.prefix);
    rib.afi = rib.prefix.family() == Family::kIpv6 ? bgp::kAfiIpv6 : bgp::kAfiIpv4;
    rib.safi = bgp::kSafiUnicast;
    rib.sequence = seq++;
    rib.entry_count = 1;
    rib.entries.resize(1);
    rib.entries[0].peer_index = r.peer;
    rib.entries[0].originated_time = 1602150000;
    rib.entries[0].attrs = Attrs(r, rib.prefix);
    EXPECT_TRUE(w.WriteRib(1602156200, rib).ok());
  }
  return w.data();
}

mrt::PeerEntry Peer(const char* ip, Asn asn) {
  mrt::PeerEntry p;
  p.peer_type = 2 | (Ip(ip).is_v6() ? 1 : 0);
  p.bgp_id = Ip("10.0.0.1");
  p.ip = Ip(ip);
  p.asn = asn;
  return p;
}

// Feeds the records of one file's bytes to check, as `vigia ixp check` does.
void Feed(const std::vector<uint8_t>& bytes, RsCheck* check) {
  mrt::MrtReader r(
      io::InputStream::FromMemory({reinterpret_cast<const std::byte*>(bytes.data()), bytes.size()}),
      "test.mrt");
  mrt::Decoder d;
  mrt::Record rec;
  while (r.Next(&rec)) {
    if (d.Decode(rec).ok()) check->Add(d);
  }
}

CheckReport Check(const std::vector<uint8_t>& bytes, CheckInputs in) {
  RsCheck check(std::move(in));
  Feed(bytes, &check);
  return check.Finish();
}

// The reason keys of every bad route, "prefix: key,key".
std::vector<std::string> Bad(const CheckReport& r) {
  std::vector<std::string> out;
  for (const MemberReport& m : r.per_member) {
    for (const BadRoute& b : m.bad_routes) {
      std::string s = b.prefix + ":";
      for (size_t i = 0; i < b.reasons.size(); ++i)
        s += (i ? "," : " ") + std::string(RejectKey(b.reasons[i]));
      out.push_back(s);
    }
  }
  return out;
}

class RsCheckTest : public ::testing::Test {
 protected:
  // The route server's own RIB: its peers are the two members.
  CheckReport RsView(const std::vector<TestRoute>& routes) {
    return Check(Rib({Peer("193.239.118.210", 8529), Peer("193.239.118.115", 9009),
                      Peer("2001:7f8:13::a500:8529:1", 8529)},
                     routes),
                 inputs_);
  }
  MemberList members_ = TwoMembers();
  CheckInputs inputs_{.members = &members_};
};

TEST_F(RsCheckTest, CleanRoutesHaveNoReason) {
  CheckReport r = RsView({{0, "185.186.205.0/24", {8529, 28885, 206350}, "193.239.118.210"},
                          {1, "185.186.79.0/24", {9009, 136258}, "193.239.118.115"},
                          {2, "2a0c:9a40::/32", {8529, 206350}, "2001:7f8:13::a500:8529:1"}});
  EXPECT_EQ(r.rib_format, "TABLE_DUMP_V2");
  EXPECT_EQ(r.rib_date, "2020-10-08");
  EXPECT_EQ(r.rib_routes, 3u);
  EXPECT_EQ(r.rib_peers, 3u);
  EXPECT_EQ(r.routes, 3u);
  EXPECT_EQ(r.accepted_bad, 0u);
  EXPECT_TRUE(Bad(r).empty());
  ASSERT_EQ(r.per_member.size(), 2u);
  EXPECT_EQ(r.per_member[0].asn, 8529u);
  EXPECT_EQ(r.per_member[0].routes, 2u);
  EXPECT_EQ(ReportExitCode(r), 0);
}

TEST_F(RsCheckTest, AnEmptyRibIsARibWithNoRoutes) {
  CheckReport r = RsView({});
  EXPECT_EQ(r.rib_format, "TABLE_DUMP_V2");
  EXPECT_EQ(r.rib_date, "2020-10-08");
  EXPECT_EQ(r.rib_routes, 0u);
  EXPECT_EQ(r.routes, 0u);
  EXPECT_TRUE(r.per_member.empty());
  EXPECT_EQ(ReportExitCode(r), 0);
}

TEST_F(RsCheckTest, PrefixLengthLimitsPerFamily) {
  CheckReport r = RsView({{0, "185.186.205.0/25", {8529}, "193.239.118.210"},
                          {0, "185.186.205.0/24", {8529}, "193.239.118.210"},
                          {0, "12.0.0.0/7", {8529}, "193.239.118.210"},
                          {0, "12.0.0.0/8", {8529}, "193.239.118.210"},
                          {2, "2a0c:9a40::/49", {8529}, "2001:7f8:13::a500:8529:1"},
                          {2, "2a0c:9a40::/48", {8529}, "2001:7f8:13::a500:8529:1"},
                          {2, "2a00::/15", {8529}, "2001:7f8:13::a500:8529:1"},
                          {2, "2a00::/16", {8529}, "2001:7f8:13::a500:8529:1"}});
  EXPECT_EQ(Bad(r), (std::vector<std::string>{
                        "185.186.205.0/25: prefix_too_long", "12.0.0.0/7: prefix_too_short",
                        "2a0c:9a40::/49: prefix_too_long", "2a00::/15: prefix_too_short"}));
  EXPECT_EQ(r.by_reason[Reject::kPrefixTooLong], 2u);
  EXPECT_EQ(r.by_reason[Reject::kPrefixTooShort], 2u);
  EXPECT_EQ(ReportExitCode(r), 1);
}

TEST_F(RsCheckTest, BogonPrefixesAndAsns) {
  CheckReport r = RsView({{0, "192.168.10.0/24", {8529}, "193.239.118.210"},
                          {0, "100.64.0.0/16", {8529}, "193.239.118.210"},
                          {0, "185.186.8.0/24", {8529, 64512, 206350}, "193.239.118.210"},
                          {0, "185.186.9.0/24", {8529, 23456}, "193.239.118.210"},
                          {0, "185.186.10.0/24", {8529, 65551}, "193.239.118.210"},
                          {2, "2001:db8::/32", {8529}, "2001:7f8:13::a500:8529:1"},
                          {0, "185.186.11.0/24", {8529, 206350}, "193.239.118.210"},
                          // holds the globally reachable 192.0.0.9/32 and
                          // 192.0.0.10/32 (RFC 8190): not wholly bogon
                          {0, "192.0.0.0/24", {8529}, "193.239.118.210"}});
  EXPECT_EQ(Bad(r),
            (std::vector<std::string>{"192.168.10.0/24: bogon", "100.64.0.0/16: bogon",
                                      "185.186.8.0/24: bogon_asn", "185.186.9.0/24: bogon_asn",
                                      "185.186.10.0/24: bogon_asn", "2001:db8::/32: bogon"}));
}

TEST_F(RsCheckTest, ExtraBogonListCountsWholePrefixesOnly) {
  registry::RangeSet extra4(Family::kIpv4);
  extra4.Add(P("45.0.0.0/16"));
  inputs_.bogons4 = &extra4;
  CheckReport r = RsView({{0, "45.0.3.0/24", {8529}, "193.239.118.210"},
                          {0, "45.0.0.0/15", {8529}, "193.239.118.210"},
                          {0, "46.0.0.0/16", {8529}, "193.239.118.210"}});
  EXPECT_EQ(Bad(r), (std::vector<std::string>{"45.0.3.0/24: bogon"}));
}

TEST_F(RsCheckTest, AsPathLengthAndEmptyPath) {
  std::vector<Asn> longest(64, 8529), too_long(65, 8529);
  CheckReport r = RsView({{0, "185.186.1.0/24", longest, "193.239.118.210"},
                          {0, "185.186.2.0/24", too_long, "193.239.118.210"},
                          {0, "185.186.3.0/24", {}, "193.239.118.210"}});
  EXPECT_EQ(Bad(r), (std::vector<std::string>{"185.186.2.0/24: as_path_too_long",
                                              "185.186.3.0/24: as_path_too_short"}));
}

TEST_F(RsCheckTest, FirstAsAndNextHopMustBeTheMembers) {
  CheckReport r = RsView({{0, "185.186.1.0/24", {6939, 206350}, "193.239.118.210"},
                          {0, "185.186.2.0/24", {8529, 206350}, "193.239.118.115"},
                          {2, "2a0c:9a40::/32", {8529}, "2001:7f8:13::1"},
                          {1, "185.186.3.0/24", {9009}, "193.239.118.115"}});
  EXPECT_EQ(Bad(r), (std::vector<std::string>{"185.186.1.0/24: first_as_not_peer",
                                              "185.186.2.0/24: next_hop_not_peer",
                                              "2a0c:9a40::/32: next_hop_not_peer"}));
  ASSERT_EQ(r.per_member[0].bad_routes.size(), 3u);
  EXPECT_EQ(r.per_member[0].bad_routes[1].detail, "next hop 193.239.118.115 is not AS8529's");
}

TEST_F(RsCheckTest, TransitFreeAsnOtherThanTheMembersOwn) {
  members_.members[1].asn = 3356;  // a transit-free member announcing itself is fine
  CheckReport r = Check(Rib({Peer("193.239.118.210", 8529), Peer("193.239.118.115", 3356)},
                            {{0, "185.186.1.0/24", {8529, 3356, 206350}, "193.239.118.210"},
                             {1, "185.186.2.0/24", {3356, 206350}, "193.239.118.115"},
                             {0, "185.186.3.0/24", {8529, 206350}, "193.239.118.210"},
                             {0, "185.186.4.0/24", {1299, 206350}, "193.239.118.210"}}),
                        inputs_);
  EXPECT_EQ(Bad(r),
            (std::vector<std::string>{"185.186.1.0/24: transit_free_asn",
                                      "185.186.4.0/24: first_as_not_peer,transit_free_asn"}));
}

TEST_F(RsCheckTest, RpkiInvalidOnlyWithVrps) {
  std::vector<TestRoute> routes = {{1, "185.186.79.0/24", {9009, 136258}, "193.239.118.115"},
                                   {0, "185.186.11.0/24", {8529, 26695}, "193.239.118.210"},
                                   {0, "185.186.12.0/25", {8529, 26695}, "193.239.118.210"},
                                   {0, "185.186.13.0/24", {8529, 26695}, "193.239.118.210"}};
  CheckReport without = RsView(routes);
  EXPECT_EQ(without.by_reason.count(Reject::kRpkiInvalid), 0u);
  EXPECT_EQ(without.not_checked, (std::vector<std::string>{"rpki", "irr"}));

  rpki::VrpSet vrps;
  ASSERT_TRUE(vrps.Add(P("185.186.79.0/24"), 28, 64496));
  ASSERT_TRUE(vrps.Add(P("185.186.11.0/24"), 24, 26695));
  ASSERT_TRUE(vrps.Add(P("185.186.12.0/24"), 24, 26695));
  vrps.Build();
  inputs_.vrps = &vrps;
  CheckReport r = RsView(routes);
  EXPECT_EQ(r.not_checked, (std::vector<std::string>{"irr"}));
  // Invalid origin and invalid length (RFC 6811 §2); valid and not found pass.
  EXPECT_EQ(Bad(r), (std::vector<std::string>{"185.186.12.0/25: prefix_too_long,rpki_invalid",
                                              "185.186.79.0/24: rpki_invalid"}));
  EXPECT_EQ(r.by_reason[Reject::kRpkiInvalid], 2u);
}

constexpr const char* kIrr =
    "as-set:  AS-ONE\n"
    "members: AS8529, AS-DOWN\n"
    "source:  TEST\n"
    "\n"
    "as-set:  AS-DOWN\n"
    "members: AS206350\n"
    "source:  TEST\n"
    "\n"
    "route:   185.186.204.0/22\n"
    "origin:  AS206350\n"
    "source:  TEST\n"
    "\n"
    "route:   185.186.0.0/24\n"
    "origin:  AS8529\n"
    "source:  TEST\n";

TEST_F(RsCheckTest, IrrOriginPrefixAndRouteObjectOfTheOrigin) {
  irr::IrrDatabase db;
  ASSERT_TRUE(db.LoadText(kIrr, "test.db").ok());
  db.Build();
  inputs_.irr = &db;
  const std::vector<TestRoute> routes = {
      // inside 185.186.204.0/22 of AS206350, in AS-ONE
      {0, "185.186.205.0/24", {8529, 206350}, "193.239.118.210"},
      // origin not in AS-ONE
      {0, "185.186.206.0/24", {8529, 31500}, "193.239.118.210"},
      // no route object of AS-ONE covers it
      {0, "185.186.100.0/24", {8529}, "193.239.118.210"},
      // exactly 185.186.0.0/24, origin in the set, but the object is
      // AS8529's, not AS206350's
      {0, "185.186.0.0/24", {8529, 206350}, "193.239.118.210"},
      // AS-TWO is in no IRR: nothing of AS9009's is registered
      {1, "185.186.79.0/24", {9009}, "193.239.118.115"},
  };
  // As the generated config filters: exact route objects only, no
  // prefix-origin check.
  CheckReport r = RsView(routes);
  EXPECT_EQ(Bad(r), (std::vector<std::string>{
                        "185.186.205.0/24: irr_prefix", "185.186.206.0/24: irr_prefix,irr_origin",
                        "185.186.100.0/24: irr_prefix", "185.186.79.0/24: irr_prefix,irr_origin"}));
  EXPECT_EQ(r.not_checked, (std::vector<std::string>{"rpki"}));
  EXPECT_NE(r.per_member[1].bad_routes[0].detail.find("AS-TWO not found in the IRR"),
            std::string::npos);
  EXPECT_EQ(std::count(r.rules_checked.begin(), r.rules_checked.end(), Reject::kPrefixNotInOrigin),
            0);

  // More-specifics allowed, and the prefix-origin check on.
  inputs_.policy.irr_allow_more_specific = true;
  inputs_.policy.irr_prefix_origin = true;
  r = RsView(routes);
  EXPECT_EQ(Bad(r),
            (std::vector<std::string>{
                "185.186.206.0/24: irr_origin", "185.186.100.0/24: irr_prefix",
                "185.186.0.0/24: prefix_not_in_origin", "185.186.79.0/24: irr_prefix,irr_origin"}));
}

// A path ending in an AS_SET: RPKI has no origin (RFC 6811 §2), the IRR
// is asked about the last AS before the set, as BIRD's
// bgp_path.last_nonaggregated in the generated config.
TEST_F(RsCheckTest, IrrOriginOfAPathEndingInAnAsSet) {
  irr::IrrDatabase db;
  ASSERT_TRUE(db.LoadText(kIrr, "test.db").ok());
  db.Build();
  inputs_.irr = &db;
  RsCheck check(inputs_);
  bgp::PathAttributes a = Attrs({0, "", {8529}, "193.239.118.210"}, P("185.186.0.0/24"));
  a.as_path = bgp::test::MakePath({{bgp::kAsSequence, {8529}}, {bgp::kAsSet, {206350, 31500}}});
  check.AddRoute(Ip("193.239.118.210"), 8529, P("185.186.0.0/24"), a);
  a.as_path = bgp::test::MakePath({{bgp::kAsSet, {8529}}});
  check.AddRoute(Ip("193.239.118.210"), 8529, P("185.186.0.0/24"), a);
  CheckReport r = check.Finish();
  EXPECT_EQ(Bad(r), (std::vector<std::string>{"185.186.0.0/24: first_as_not_peer,irr_origin"}));
}

TEST_F(RsCheckTest, ClientViewGivesRoutesToMembersByNextHopThenFirstAs) {
  // The route server (AS 34307) is the only peer, as in the NL-ix dump of
  // the MANRS tool's tests.
  CheckReport r = Check(Rib({Peer("193.239.116.255", 34307)},
                            {{0, "185.186.205.0/24", {8529, 206350}, "193.239.118.210"},
                             {0, "185.186.79.0/24", {9009, 136258}, "193.239.118.199"},
                             {0, "185.186.9.0/24", {25369, 200639}, "193.239.118.199"}}),
                        inputs_);
  ASSERT_EQ(r.rs_peers.size(), 1u);
  EXPECT_EQ(r.rs_peers[0].asn, 34307u);
  EXPECT_EQ(r.routes, 2u);
  EXPECT_EQ(Bad(r), (std::vector<std::string>{"185.186.79.0/24: next_hop_not_peer"}));
  ASSERT_EQ(r.unknown_peers.size(), 1u);
  EXPECT_EQ(r.unknown_peers[0].asn, 34307u);
  EXPECT_EQ(r.unknown_peers[0].routes, 1u);
}

TEST_F(RsCheckTest, TheServersOwnRoutesAreNotJudged) {
  // BIRD dumps static and device routes with peer 0.0.0.0 AS 0.
  CheckReport r = Check(Rib({Peer("193.239.118.210", 8529), Peer("0.0.0.0", 0)},
                            {{0, "185.186.205.0/24", {8529, 206350}, "193.239.118.210"},
                             {1, "10.0.0.0/8", {}, "0.0.0.0"}}),
                        inputs_);
  EXPECT_EQ(r.local_routes, 1u);
  EXPECT_EQ(r.routes, 1u);
  EXPECT_TRUE(r.unknown_peers.empty());
  EXPECT_TRUE(r.rs_peers.empty());
  EXPECT_EQ(r.accepted_bad, 0u);
}

TEST_F(RsCheckTest, UnknownPeerOfARouteServerRibIsListed) {
  inputs_.policy.rs_asn = 34307;
  CheckReport r = Check(Rib({Peer("193.239.118.210", 8529), Peer("193.239.118.50", 25369)},
                            {{0, "185.186.205.0/24", {8529, 206350}, "193.239.118.210"},
                             {1, "185.186.9.0/24", {25369, 200639}, "193.239.118.50"},
                             {1, "185.186.10.0/24", {25369, 39335}, "193.239.118.50"}}),
                        inputs_);
  EXPECT_EQ(r.routes, 1u);
  EXPECT_TRUE(r.rs_peers.empty());
  ASSERT_EQ(r.unknown_peers.size(), 1u);
  EXPECT_EQ(r.unknown_peers[0].peer.ToString(), "193.239.118.50");
  EXPECT_EQ(r.unknown_peers[0].routes, 2u);
}

TEST_F(RsCheckTest, RouteServerRejectCommunityMeansFiltered) {
  inputs_.policy.rs_asn = 34307;
  CheckReport r = RsView({{0, "185.186.1.0/25", {8529}, "193.239.118.210", {{34307, 1101, 1}}},
                          {0, "185.186.2.0/25", {8529}, "193.239.118.210", {{34307, 1000, 2}}},
                          {0, "185.186.3.0/25", {8529}, "193.239.118.210", {{65000, 1101, 1}}}});
  EXPECT_EQ(r.filtered, 1u);
  EXPECT_EQ(r.per_member[0].filtered, 1u);
  EXPECT_EQ(r.per_member[0].filtered_codes, (std::map<uint32_t, uint64_t>{{1, 1}}));
  EXPECT_EQ(nlohmann::json::parse(ReportJson(r))["per_member"][0]["filtered_by_reason"],
            nlohmann::json({{"prefix_too_long", 1}}));
  EXPECT_EQ(Bad(r), (std::vector<std::string>{"185.186.2.0/25: prefix_too_long",
                                              "185.186.3.0/25: prefix_too_long"}));
}

// RFC 6396 §4.2 TABLE_DUMP: 2-byte peer AS and AS_PATH, as OpenBGPD's
// `dump table` writes it.
void PutTableDump(std::vector<uint8_t>* out, const char* prefix, const char* peer, Asn peer_as,
                  const TestRoute& r) {
  using bgp::test::Put16;
  using bgp::test::Put32;
  const Prefix p = P(prefix);
  const bool v6 = p.family() == Family::kIpv6;
  bgp::PathAttributes a = Attrs(r, p);
  std::vector<uint8_t> attrs;
  bgp::EncodeAttributes(a, bgp::test::Ctx(2, false, true), &attrs);
  std::vector<uint8_t> body;
  Put16(&body, 0);  // view
  Put16(&body, 1);  // sequence
  const size_t width = v6 ? 16 : 4;
  body.insert(body.end(), p.address().bytes(), p.address().bytes() + width);
  body.push_back(p.length());
  body.push_back(1);  // status
  Put32(&body, 1602150000);
  const IpAddress pip = Ip(peer);
  body.insert(body.end(), pip.bytes(), pip.bytes() + width);
  Put16(&body, peer_as);
  Put16(&body, static_cast<uint32_t>(attrs.size()));
  body.insert(body.end(), attrs.begin(), attrs.end());
  Put32(out, 1602156200);
  Put16(out, mrt::kTypeTableDump);
  Put16(out, v6 ? 2 : 1);  // AFI_IPv4 / AFI_IPv6
  Put32(out, static_cast<uint32_t>(body.size()));
  out->insert(out->end(), body.begin(), body.end());
}

TEST_F(RsCheckTest, TableDumpV1AsOpenBgpdWritesIt) {
  std::vector<uint8_t> bytes;
  // 206350 does not fit: the encoder writes AS_TRANS, as a 2-byte dump has it.
  PutTableDump(&bytes, "185.186.205.0/24", "193.239.118.210", 8529,
               {0, "", {8529, 206350}, "193.239.118.210"});
  PutTableDump(&bytes, "185.186.206.0/25", "193.239.118.210", 8529,
               {0, "", {8529, 31500}, "193.239.118.210"});
  PutTableDump(&bytes, "2a0c:9a40::/32", "2001:7f8:13::a500:8529:1", 8529,
               {0, "", {8529, 64999}, "2001:7f8:13::a500:8529:1"});
  CheckReport r = Check(bytes, inputs_);
  EXPECT_EQ(r.rib_format, "TABLE_DUMP");
  EXPECT_EQ(r.rib_routes, 3u);
  EXPECT_EQ(Bad(r), (std::vector<std::string>{"185.186.206.0/25: prefix_too_long",
                                              "2a0c:9a40::/32: bogon_asn"}));
}

// BIRD's periodic `mrt dump` appends a whole dump to the file each period:
// the last one of a file is judged, and files do not replace each other.
TEST_F(RsCheckTest, OnlyTheLastDumpOfAFileIsJudged) {
  const std::vector<mrt::PeerEntry> peers = {Peer("193.239.118.210", 8529)};
  std::vector<uint8_t> older = Rib(peers, {{0, "185.186.1.0/25", {8529}, "193.239.118.210"},
                                           {0, "185.186.2.0/24", {8529}, "193.239.118.210"}});
  const std::vector<uint8_t> newer = Rib(peers, {{0, "185.186.2.0/24", {8529}, "193.239.118.210"},
                                                 {0, "185.186.3.0/26", {8529}, "193.239.118.210"},
                                                 {0, "185.186.4.0/24", {8529}, "193.239.118.210"}});
  std::vector<uint8_t> appended = older;
  appended.insert(appended.end(), newer.begin(), newer.end());
  const std::vector<uint8_t> v6 = Rib({Peer("2001:7f8:13::a500:8529:1", 8529)},
                                      {{0, "2a0c:9a40::/49", {8529}, "2001:7f8:13::a500:8529:1"}});
  RsCheck check(inputs_);
  Feed(appended, &check);
  Feed(v6, &check);
  CheckReport r = check.Finish();
  EXPECT_EQ(r.dumps_replaced, 1u);
  EXPECT_EQ(r.rib_routes, 4u);
  EXPECT_EQ(r.routes, 4u);
  EXPECT_EQ(Bad(r), (std::vector<std::string>{"185.186.3.0/26: prefix_too_long",
                                              "2a0c:9a40::/49: prefix_too_long"}));
}

TEST_F(RsCheckTest, MaxPrefixIsPerSessionAndFamily) {
  members_.members[0].max_prefix4 = 2;
  CheckReport r = RsView({{0, "185.186.1.0/24", {8529}, "193.239.118.210"},
                          {0, "185.186.2.0/24", {8529}, "193.239.118.210"},
                          {0, "185.186.3.0/24", {8529}, "193.239.118.210"},
                          {2, "2a0c:9a40::/32", {8529}, "2001:7f8:13::a500:8529:1"},
                          {1, "185.186.4.0/24", {9009}, "193.239.118.115"}});
  ASSERT_EQ(r.per_member.size(), 2u);
  EXPECT_EQ(r.per_member[0].routes4, 3u);
  EXPECT_EQ(r.per_member[0].routes6, 1u);
  EXPECT_EQ(r.per_member[0].max_prefix_exceeded,
            (std::vector<std::string>{"ipv4: 3 routes, limit 2"}));
  EXPECT_TRUE(r.per_member[1].max_prefix_exceeded.empty());  // default 170000
  EXPECT_EQ(r.members_over_max_prefix, 1u);
  EXPECT_EQ(r.accepted_bad, 0u);  // a session rule, not a route's
  EXPECT_NE(ReportText(r).find("AS8529: over its max-prefix (ipv4: 3 routes, limit 2)"),
            std::string::npos);
}

TEST_F(RsCheckTest, BadRoutesAreCappedButCounted) {
  RsCheck check(inputs_);
  bgp::PathAttributes a = Attrs({0, "", {8529}, "193.239.118.210"}, P("185.186.0.0/25"));
  for (uint32_t i = 0; i < kMaxBadRoutesKept + 5; ++i) {
    const Prefix p(IpAddress::V4(0xB9BA0000u + (i << 8)), 25);
    check.AddRoute(Ip("193.239.118.210"), 8529, p, a);
  }
  CheckReport r = check.Finish();
  ASSERT_EQ(r.per_member.size(), 1u);
  EXPECT_EQ(r.per_member[0].bad, kMaxBadRoutesKept + 5);
  EXPECT_EQ(r.per_member[0].bad_routes.size(), kMaxBadRoutesKept);
  EXPECT_TRUE(r.per_member[0].bad_routes_truncated);
}

TEST_F(RsCheckTest, BadRoutesKeptInAllAreCapped) {
  // One member per 1,000 bad routes, 101 of them: the last is cut.
  MemberList many;
  for (uint32_t m = 0; m < 101; ++m) {
    Member x;
    x.asn = 10000 + m;
    x.addresses = {IpAddress::V4(0xC1EF0000u + m)};
    many.members.push_back(x);
  }
  RsCheck check({.members = &many});
  for (uint32_t m = 0; m < 101; ++m) {
    bgp::PathAttributes a;
    a.Set(bgp::kAttrAsPath);
    a.as_path.segments.push_back({bgp::kAsSequence, 1});
    a.as_path.asns = {10000 + m};
    a.Set(bgp::kAttrNextHop);
    a.next_hop = IpAddress::V4(0xC1EF0000u + m);
    for (uint32_t i = 0; i < kMaxBadRoutesKept; ++i)
      check.AddRoute(a.next_hop, 10000 + m, Prefix(IpAddress::V4(0xB9000000u + (i << 8)), 25), a);
  }
  CheckReport r = check.Finish();
  size_t kept = 0;
  for (const MemberReport& m : r.per_member) kept += m.bad_routes.size();
  EXPECT_EQ(kept, kMaxBadRoutesKeptTotal);
  EXPECT_EQ(r.accepted_bad, 101 * kMaxBadRoutesKept);
  EXPECT_TRUE(r.per_member.back().bad_routes_truncated);
  EXPECT_TRUE(r.per_member.back().bad_routes.empty());
  EXPECT_FALSE(r.per_member.front().bad_routes_truncated);
}

TEST_F(RsCheckTest, TruncatedAndGarbageRibsNeverCrash) {
  std::vector<uint8_t> rib =
      Rib({Peer("193.239.118.210", 8529)}, {{0, "185.186.1.0/25", {8529}, "193.239.118.210"},
                                            {0, "185.186.2.0/25", {8529}, "193.239.118.210"}});
  for (size_t cut = 0; cut < rib.size(); cut += 7) {
    std::vector<uint8_t> part(rib.begin(), rib.begin() + static_cast<ptrdiff_t>(cut));
    CheckReport r = Check(part, inputs_);
    EXPECT_LE(r.accepted_bad, 2u);
  }
  std::vector<uint8_t> garbage(4096);
  for (size_t i = 0; i < garbage.size(); ++i) garbage[i] = static_cast<uint8_t>(i * 131 + 7);
  CheckReport g = Check(garbage, inputs_);
  EXPECT_EQ(g.routes, 0u);
  EXPECT_EQ(g.rib_format, "");
}

TEST_F(RsCheckTest, JsonFollowsTheContract) {
  CheckReport r = RsView({{0, "185.186.1.0/25", {8529}, "193.239.118.210"},
                          {1, "185.186.2.0/24", {9009}, "193.239.118.115"}});
  r.rib_file = "rs.mrt";
  r.members_file = "members.json";
  r.members_format = "ixf";
  r.members_count = 2;
  const nlohmann::json j = nlohmann::json::parse(ReportJson(r));
  EXPECT_EQ(j["rib"]["file"], "rs.mrt");
  EXPECT_EQ(j["rib"]["format"], "TABLE_DUMP_V2");
  EXPECT_EQ(j["rib"]["date"], "2020-10-08");
  EXPECT_EQ(j["rib"]["routes"], 2);
  EXPECT_EQ(j["rib"]["peers"], 2);
  EXPECT_EQ(j["members"]["format"], "ixf");
  EXPECT_TRUE(j["members"]["date"].is_null());
  EXPECT_TRUE(j["inputs"]["vrps"].is_null());
  EXPECT_EQ(j["inputs"]["bogons"], "built-in");
  EXPECT_EQ(j["summary"]["routes"], 2);
  EXPECT_EQ(j["summary"]["accepted_bad"], 1);
  EXPECT_EQ(j["summary"]["members"], 2);
  EXPECT_EQ(j["summary"]["members_with_bad"], 1);
  // Every reason judged, zero or not; RPKI and IRR were not, so they are absent.
  EXPECT_EQ(j["summary"]["by_reason"].size(), 9u);
  EXPECT_EQ(j["summary"]["by_reason"]["bogon"], 0);
  EXPECT_FALSE(j["summary"]["by_reason"].contains("rpki_invalid"));
  EXPECT_FALSE(j["summary"]["by_reason"].contains("irr_origin"));
  EXPECT_FALSE(j["summary"]["by_reason"].contains("max_prefix"));
  EXPECT_EQ(j["summary"]["by_reason"]["prefix_too_long"], 1);
  EXPECT_EQ(j["summary"]["not_checked"], nlohmann::json::array({"rpki", "irr"}));
  ASSERT_EQ(j["per_member"].size(), 2u);
  const nlohmann::json& m = j["per_member"][0];
  EXPECT_EQ(m["asn"], 8529);
  EXPECT_EQ(m["name"], "One");
  EXPECT_EQ(m["bad"], 1);
  EXPECT_EQ(m["by_reason"], nlohmann::json({{"prefix_too_long", 1}}));
  EXPECT_EQ(m["bad_routes"][0]["prefix"], "185.186.1.0/25");
  EXPECT_EQ(m["bad_routes"][0]["as_path"], "8529");
  EXPECT_EQ(m["bad_routes"][0]["next_hop"], "193.239.118.210");
  EXPECT_EQ(m["bad_routes"][0]["peer"], "193.239.118.210");
  EXPECT_EQ(m["bad_routes"][0]["reasons"], nlohmann::json::array({"prefix_too_long"}));
  EXPECT_FALSE(m["bad_routes_truncated"]);
  EXPECT_TRUE(j["unknown_peers"].is_array());
}

}  // namespace
}  // namespace vigia::ixp
