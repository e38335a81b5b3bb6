#include "bgp/encode.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <initializer_list>
#include <string>
#include <utility>
#include <vector>

#include "bgp/message.h"
#include "bgp/path_attributes.h"
#include "bgp/test_builders.h"
#include "core/asn.h"

namespace vigia::bgp {
namespace {

using namespace test;  // NOLINT(google-build-using-namespace)

NlriEntry Entry(const char* prefix, uint32_t path_id = 0) {
  auto p = Prefix::Parse(prefix);
  EXPECT_TRUE(p.has_value()) << prefix;
  return {p.value_or(Prefix()), path_id};
}

const uint8_t kUnknownData[] = {0xCA, 0xFE, 0x01};

// Every attribute the encoder writes. `wide` puts 4-octet ASNs in AS_PATH
// and AGGREGATOR, which a 2-octet context cannot carry unchanged.
PathAttributes Rich(bool wide, bool add_path = false) {
  PathAttributes a;
  a.Set(kAttrOrigin);
  a.origin = 1;
  a.Set(kAttrAsPath);
  a.as_path = MakePath({{kAsConfedSequence, {65001, 65002}},
                        {kAsSequence, {64500, wide ? 4200000000u : 3356u, 13335}},
                        {kAsSet, {64512, 64513}},
                        {kAsConfedSet, {65010}}});
  a.Set(kAttrNextHop);
  a.next_hop = Ip("192.0.2.1");
  a.Set(kAttrMed);
  a.med = 0xFFFFFFFE;
  a.Set(kAttrLocalPref);
  a.local_pref = 200;
  a.Set(kAttrAtomicAggregate);
  a.Set(kAttrAggregator);
  a.aggregator_as = wide ? 4200000001u : 64512u;
  a.aggregator_addr = Ip("192.0.2.9");
  a.Set(kAttrCommunities);
  a.communities = {0xFFFF029A, (64500u << 16) | 100};
  a.Set(kAttrOriginatorId);
  a.originator_id = Ip("10.0.0.1");
  a.Set(kAttrClusterList);
  a.cluster_list = {0x0A000002, 0x0A000003};
  {
    MpReach& r = a.AddMpReach();
    r.afi = kAfiIpv6;
    r.safi = kSafiUnicast;
    r.next_hop_length = 32;
    r.next_hop = Ip("2001:db8::1");
    r.next_hop_link_local = Ip("fe80::1");
    r.supported = true;
    r.nlri = {Entry("2001:db8:1::/48", add_path ? 1 : 0),
              Entry("2001:db8:2::/64", add_path ? 2 : 0), Entry("::/0", 0)};
  }
  {
    MpReach& r = a.AddMpReach();
    r.afi = kAfiIpv4;
    r.safi = kSafiMulticast;
    r.next_hop_length = 4;
    r.next_hop = Ip("192.0.2.2");
    r.supported = true;
    r.nlri = {Entry("198.51.100.0/24", add_path ? 7 : 0)};
  }
  {
    MpUnreach& u = a.AddMpUnreach();
    u.afi = kAfiIpv6;
    u.safi = kSafiUnicast;
    u.supported = true;
    u.nlri = {Entry("2001:db8:dead::/48", add_path ? 3 : 0)};
  }
  a.Set(kAttrExtCommunities);
  a.ext_communities = {0x0002FDE800000064ull, 0x8301020304050607ull};
  a.Set(kAttrLargeCommunities);
  a.large_communities = {{4200000000u, 1, 2}, {64500, 0, 0xFFFFFFFF}};
  a.Set(kAttrOtc);
  a.otc = 64500;
  a.Set(99);
  a.unknown.push_back({kFlagOptional | kFlagTransitive | kFlagPartial, 99, kUnknownData});
  return a;
}

void ExpectSamePath(const AsPath& want, const AsPath& got) {
  ASSERT_EQ(want.segments.size(), got.segments.size());
  for (size_t i = 0; i < want.segments.size(); ++i) {
    EXPECT_EQ(want.segments[i].type, got.segments[i].type) << i;
    EXPECT_EQ(want.segments[i].count, got.segments[i].count) << i;
  }
  EXPECT_EQ(want.asns, got.asns);
  EXPECT_EQ(want.malformed, got.malformed);
  EXPECT_EQ(want.ToString(), got.ToString());
}

void ExpectSameAttributes(const PathAttributes& want, const PathAttributes& got) {
  for (int t = 0; t < 256; ++t) {
    EXPECT_EQ(want.Has(static_cast<uint8_t>(t)), got.Has(static_cast<uint8_t>(t))) << "type " << t;
  }
  EXPECT_EQ(want.origin, got.origin);
  ExpectSamePath(want.as_path, got.as_path);
  EXPECT_EQ(want.next_hop, got.next_hop);
  EXPECT_EQ(want.med, got.med);
  EXPECT_EQ(want.local_pref, got.local_pref);
  EXPECT_EQ(want.aggregator_as, got.aggregator_as);
  EXPECT_EQ(want.aggregator_addr, got.aggregator_addr);
  EXPECT_EQ(want.communities, got.communities);
  EXPECT_EQ(want.ext_communities, got.ext_communities);
  EXPECT_EQ(want.large_communities, got.large_communities);
  EXPECT_EQ(want.originator_id, got.originator_id);
  EXPECT_EQ(want.cluster_list, got.cluster_list);
  EXPECT_EQ(want.otc, got.otc);
  ASSERT_EQ(want.mp_reach_count, got.mp_reach_count);
  for (size_t i = 0; i < want.mp_reach_count; ++i) {
    SCOPED_TRACE("mp_reach " + std::to_string(i));
    const MpReach& w = want.mp_reach[i];
    const MpReach& g = got.mp_reach[i];
    EXPECT_EQ(w.afi, g.afi);
    EXPECT_EQ(w.safi, g.safi);
    EXPECT_EQ(w.next_hop_length, g.next_hop_length);
    EXPECT_EQ(w.next_hop, g.next_hop);
    EXPECT_EQ(w.next_hop_link_local, g.next_hop_link_local);
    EXPECT_EQ(w.abbreviated, g.abbreviated);
    EXPECT_EQ(w.supported, g.supported);
    EXPECT_EQ(Texts(w.nlri), Texts(g.nlri));
  }
  ASSERT_EQ(want.mp_unreach_count, got.mp_unreach_count);
  for (size_t i = 0; i < want.mp_unreach_count; ++i) {
    SCOPED_TRACE("mp_unreach " + std::to_string(i));
    EXPECT_EQ(want.mp_unreach[i].afi, got.mp_unreach[i].afi);
    EXPECT_EQ(want.mp_unreach[i].safi, got.mp_unreach[i].safi);
    EXPECT_EQ(want.mp_unreach[i].supported, got.mp_unreach[i].supported);
    EXPECT_EQ(Texts(want.mp_unreach[i].nlri), Texts(got.mp_unreach[i].nlri));
  }
  ASSERT_EQ(want.unknown.size(), got.unknown.size());
  for (size_t i = 0; i < want.unknown.size(); ++i) {
    EXPECT_EQ(want.unknown[i].flags, got.unknown[i].flags);
    EXPECT_EQ(want.unknown[i].type, got.unknown[i].type);
    EXPECT_EQ(Bytes(want.unknown[i].data.begin(), want.unknown[i].data.end()),
              Bytes(got.unknown[i].data.begin(), got.unknown[i].data.end()));
  }
  EXPECT_FALSE(got.add_path_detected);
  EXPECT_EQ(got.warning, "");
}

// Encodes, then decodes into *got with the same context.
Status RoundTrip(const PathAttributes& a, const AttrContext& ctx, Bytes* wire,
                 PathAttributes* got) {
  EncodeAttributes(a, ctx, wire);
  return got->Decode(*wire, ctx);
}

// (flags, type) of each attribute in an encoded block.
std::vector<std::pair<uint8_t, uint8_t>> Headers(const Bytes& b) {
  std::vector<std::pair<uint8_t, uint8_t>> out;
  size_t at = 0;
  while (at + 3 <= b.size()) {
    uint8_t flags = b[at], type = b[at + 1];
    size_t len = b[at + 2];
    size_t hdr = 3;
    if (flags & kFlagExtendedLength) {
      len = (len << 8) | b[at + 3];
      hdr = 4;
    }
    out.push_back({flags, type});
    at += hdr + len;
  }
  EXPECT_EQ(at, b.size());
  return out;
}

TEST(EncodeAttributes, RichSetRoundTripsInFourOctetContext) {
  const PathAttributes a = Rich(/*wide=*/true);
  Bytes wire;
  PathAttributes got;
  Status s = RoundTrip(a, Ctx(4), &wire, &got);
  ASSERT_TRUE(s.ok()) << s.ToString();
  ExpectSameAttributes(a, got);
  EXPECT_EQ(got.length, wire.size());
  EXPECT_EQ(got.as_path.ToString(), "(65001 65002) 64500 4200000000 13335 {64512,64513} [65010]");
}

TEST(EncodeAttributes, RichSetRoundTripsInTwoOctetContext) {
  const PathAttributes a = Rich(/*wide=*/false);
  Bytes wire;
  PathAttributes got;
  Status s = RoundTrip(a, Ctx(2), &wire, &got);
  ASSERT_TRUE(s.ok()) << s.ToString();
  ExpectSameAttributes(a, got);
  // Two octets per AS: the path is 4 segment headers and 8 ASNs.
  Bytes four;
  EncodeAttributes(a, Ctx(4), &four);
  EXPECT_EQ(four.size() - wire.size(), 8u * 2 + 2);  // ASNs and the AGGREGATOR AS
}

TEST(EncodeAttributes, EmptySetEncodesToNothing) {
  PathAttributes a;
  Bytes wire = {0xAA};
  EncodeAttributes(a, Ctx(4), &wire);
  EXPECT_EQ(wire, (Bytes{0xAA}));  // appends, and here nothing
}

TEST(EncodeAttributes, WritesExactBytesForSimpleAttributes) {
  PathAttributes a;
  a.Set(kAttrOrigin);
  a.origin = 2;
  a.Set(kAttrAsPath);
  a.as_path = MakePath({{kAsSequence, {64500, 65536}}});
  a.Set(kAttrMed);
  a.med = 0x01020304;
  Bytes four;
  EncodeAttributes(a, Ctx(4), &four);
  EXPECT_EQ(four, (Bytes{0x40, 1, 1,  2,                                   // ORIGIN
                         0x40, 2, 10, 2, 2, 0, 0, 0xFB, 0xF4, 0, 1, 0, 0,  // AS_PATH
                         0x80, 4, 4,  1, 2, 3, 4}));                       // MED
  // RFC 6793 §4.2.2: an AS that does not fit in two octets is sent as AS_TRANS.
  Bytes two;
  EncodeAttributes(a, Ctx(2), &two);
  EXPECT_EQ(two, (Bytes{0x40, 1, 1, 2,                             // ORIGIN
                        0x40, 2, 6, 2, 2, 0xFB, 0xF4, 0x5B, 0xA0,  // AS_PATH with AS_TRANS
                        0x80, 4, 4, 1, 2, 3,    4}));
}

// RFC 4271 §5 and the RFCs that define each attribute fix its category.
TEST(EncodeAttributes, WritesEachAttributeWithItsCategoryFlagsInTypeOrder) {
  Bytes wire;
  EncodeAttributes(Rich(true), Ctx(4), &wire);
  const uint8_t wk = kFlagTransitive;
  const uint8_t opt = kFlagOptional;
  const uint8_t opt_t = kFlagOptional | kFlagTransitive;
  const std::vector<std::pair<uint8_t, uint8_t>> want = {
      {wk, kAttrOrigin},
      {wk, kAttrAsPath},
      {wk, kAttrNextHop},
      {opt, kAttrMed},
      {wk, kAttrLocalPref},
      {wk, kAttrAtomicAggregate},
      {opt_t, kAttrAggregator},
      {opt_t, kAttrCommunities},
      {opt, kAttrOriginatorId},
      {opt, kAttrClusterList},
      {opt, kAttrMpReach},
      {opt, kAttrMpReach},
      {opt, kAttrMpUnreach},
      {opt_t, kAttrExtCommunities},
      {opt_t, kAttrLargeCommunities},
      {opt_t, kAttrOtc},
      {opt_t | kFlagPartial, 99},
  };
  EXPECT_EQ(Headers(wire), want);
}

// RFC 4271 §4.3: bodies over 255 octets need the Extended Length bit.
TEST(EncodeAttributes, LongBodiesUseExtendedLength) {
  PathAttributes a;
  a.Set(kAttrCommunities);
  for (uint32_t i = 0; i < 100; ++i) a.communities.push_back((64500u << 16) | i);
  Bytes wire;
  PathAttributes got;
  Status s = RoundTrip(a, Ctx(4), &wire, &got);
  ASSERT_TRUE(s.ok()) << s.ToString();
  ASSERT_EQ(wire.size(), 4u + 400u);
  EXPECT_EQ(wire[0], kFlagOptional | kFlagTransitive | kFlagExtendedLength);
  EXPECT_EQ(wire[2], 400 >> 8);
  EXPECT_EQ(wire[3], 400 & 0xFF);
  EXPECT_EQ(got.communities, a.communities);

  // A short unknown attribute that arrived with the bit set goes out without
  // it; all its other flags are kept.
  PathAttributes u;
  u.Set(200);
  u.unknown.push_back({kFlagOptional | kFlagExtendedLength, 200, kUnknownData});
  Bytes w2;
  EncodeAttributes(u, Ctx(4), &w2);
  EXPECT_EQ(w2, (Bytes{kFlagOptional, 200, 3, 0xCA, 0xFE, 0x01}));
}

// RFC 6396 §4.3.4: RIB entries carry only the next hop in MP_REACH_NLRI.
TEST(EncodeAttributes, RibContextWritesAbbreviatedMpReachThatDecodesBack) {
  const PathAttributes a = Rich(/*wide=*/true);
  Bytes wire;
  PathAttributes got;
  Status s = RoundTrip(a, Ctx(4, false, /*mrt_rib=*/true), &wire, &got);
  ASSERT_TRUE(s.ok()) << s.ToString();
  PathAttributes want = a;
  for (size_t i = 0; i < want.mp_reach_count; ++i) {
    want.mp_reach[i].afi = 0;
    want.mp_reach[i].safi = 0;
    want.mp_reach[i].abbreviated = true;
    want.mp_reach[i].supported = false;
    want.mp_reach[i].nlri.clear();
  }
  ExpectSameAttributes(want, got);
  EXPECT_EQ(got.mp_reach[0].next_hop_link_local.ToString(), "fe80::1");
  EXPECT_EQ(got.mp_reach[1].next_hop.ToString(), "192.0.2.2");
}

TEST(EncodeAttributes, RibContextMpReachBodyIsNextHopOnly) {
  PathAttributes a;
  MpReach& r = a.AddMpReach();
  r.afi = kAfiIpv6;
  r.safi = kSafiUnicast;
  r.next_hop = Ip("2001:db8::1");  // length left 0: taken from the address
  r.nlri = {Entry("2001:db8::/32")};
  Bytes wire;
  EncodeAttributes(a, Ctx(4, false, true), &wire);
  const IpAddress next_hop = Ip("2001:db8::1");
  Bytes nh(next_hop.bytes(), next_hop.bytes() + 16);
  Bytes want = {kFlagOptional, kAttrMpReach, 17, 16};
  want.insert(want.end(), nh.begin(), nh.end());
  EXPECT_EQ(wire, want);
}

TEST(EncodeAttributes, AddPathNlriRoundTrips) {
  const PathAttributes a = Rich(/*wide=*/true, /*add_path=*/true);
  Bytes wire;
  PathAttributes got;
  Status s = RoundTrip(a, Ctx(4, /*add_path=*/true), &wire, &got);
  ASSERT_TRUE(s.ok()) << s.ToString();
  ExpectSameAttributes(a, got);
  EXPECT_EQ(Texts(got.mp_reach[0].nlri),
            (Strings{"2001:db8:1::/48#1", "2001:db8:2::/64#2", "::/0"}));
}

TEST(EncodeAttributes, TwoOctetContextWritesAsTransForWideAsPathAsns) {
  PathAttributes a;
  a.Set(kAttrAsPath);
  a.as_path = MakePath({{kAsSequence, {64500, 4200000000u, 65535, 65536}}});
  Bytes wire;
  PathAttributes got;
  Status s = RoundTrip(a, Ctx(2), &wire, &got);
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ(got.as_path.ToString(), "64500 23456 65535 23456");
}

// RFC 6793 §4.2.2: a NEW speaker sending AGGREGATOR to an OLD one puts
// AS_TRANS in it when the aggregating AS does not fit in two octets.
TEST(EncodeAttributes, TwoOctetContextWritesAsTransForWideAggregator) {
  PathAttributes a;
  a.Set(kAttrAggregator);
  a.aggregator_as = 4200000001u;
  a.aggregator_addr = Ip("192.0.2.9");
  Bytes wire;
  PathAttributes got;
  Status s = RoundTrip(a, Ctx(2), &wire, &got);
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ(got.aggregator_as, kAsTrans);
  EXPECT_EQ(got.aggregator_addr.ToString(), "192.0.2.9");
}

// RFC 4271 §4.3: a segment holds at most 255 ASNs; a longer AS_SEQUENCE must
// go out as several segments (which print and count the same).
TEST(EncodeAttributes, SequenceLongerThan255IsSplitIntoSegments) {
  PathAttributes a;
  a.Set(kAttrAsPath);
  std::vector<Asn> asns;
  for (Asn i = 1; i <= 300; ++i) asns.push_back(64000 + i);
  a.as_path = MakePath({{kAsSequence, asns}});
  Bytes wire;
  PathAttributes got;
  Status s = RoundTrip(a, Ctx(4), &wire, &got);
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ(got.as_path.asns, asns);
  EXPECT_EQ(got.as_path.HopCount(), 300u);
  EXPECT_EQ(got.as_path.ToString(), a.as_path.ToString());
}

TEST(EncodeNlri, WritesOnlyTheOctetsTheLengthCovers) {
  Bytes out;
  EncodeNlri(
      {Entry("192.0.2.0/24"), Entry("0.0.0.0/0"), Entry("10.0.0.128/25"), Entry("2001:db8::/33")},
      false, &out);
  EXPECT_EQ(out, (Bytes{24, 192, 0, 2, 0, 25, 10, 0, 0, 128, 33, 0x20, 0x01, 0x0d, 0xb8, 0}));
}

// RFC 7911 §3: a four-octet path identifier before each prefix.
TEST(EncodeNlri, AddPathPrefixesEachEntryWithItsPathId) {
  Bytes out = {0xEE};
  EncodeNlri({Entry("192.0.2.0/24", 0x01020304), Entry("0.0.0.0/0", 0)}, true, &out);
  EXPECT_EQ(out, (Bytes{0xEE, 1, 2, 3, 4, 24, 192, 0, 2, 0, 0, 0, 0, 0}));
  std::vector<NlriEntry> back;
  ASSERT_TRUE(
      DecodeNlri(std::span<const uint8_t>(out).subspan(1), Family::kIpv4, true, &back).ok());
  EXPECT_EQ(Texts(back), (Strings{"192.0.2.0/24#16909060", "0.0.0.0/0"}));
}

Update RichUpdate(bool wide, bool add_path) {
  Update u;
  u.withdrawn = {Entry("10.0.0.0/8", add_path ? 11 : 0), Entry("172.16.0.0/12", add_path ? 12 : 0)};
  u.attrs = Rich(wide, add_path);
  u.nlri = {Entry("192.0.2.0/24", add_path ? 21 : 0), Entry("198.51.100.128/25", add_path ? 22 : 0),
            Entry("203.0.113.7/32", add_path ? 23 : 0)};
  return u;
}

void ExpectUpdateRoundTrips(const Update& u, const AttrContext& ctx) {
  Bytes wire = {1, 2, 3};  // EncodeUpdate appends; the message starts here
  EncodeUpdate(u, ctx, &wire);
  std::span<const uint8_t> msg = std::span<const uint8_t>(wire).subspan(3);
  for (size_t i = 0; i < 16; ++i) EXPECT_EQ(msg[i], 0xFF) << i;
  EXPECT_EQ((size_t{msg[16]} << 8) | msg[17], msg.size());
  EXPECT_EQ(msg[18], kMsgUpdate);

  BgpMessage m;
  Status s = m.Decode(msg, ctx);
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ(m.type, kMsgUpdate);
  EXPECT_EQ(m.length, msg.size());
  EXPECT_EQ(Texts(m.update.withdrawn), Texts(u.withdrawn));
  EXPECT_EQ(Texts(m.update.nlri), Texts(u.nlri));
  ExpectSameAttributes(u.attrs, m.update.attrs);
  EXPECT_FALSE(m.add_path_detected);
  EXPECT_EQ(m.warning, "");
}

TEST(EncodeUpdate, RoundTripsInFourOctetContext) {
  ExpectUpdateRoundTrips(RichUpdate(/*wide=*/true, false), Ctx(4));
}

TEST(EncodeUpdate, RoundTripsInTwoOctetContext) {
  ExpectUpdateRoundTrips(RichUpdate(/*wide=*/false, false), Ctx(2));
}

TEST(EncodeUpdate, RoundTripsWithAddPath) {
  ExpectUpdateRoundTrips(RichUpdate(/*wide=*/true, /*add_path=*/true), Ctx(4, /*add_path=*/true));
  ExpectUpdateRoundTrips(RichUpdate(/*wide=*/false, /*add_path=*/true), Ctx(2, /*add_path=*/true));
}

// An UPDATE always carries the full MP_REACH_NLRI, even when written from a
// RIB context.
TEST(EncodeUpdate, IgnoresRibContextForMpReach) {
  ExpectUpdateRoundTrips(RichUpdate(true, false), Ctx(4, false, /*mrt_rib=*/true));
}

TEST(EncodeUpdate, EmptyUpdateIsTheEndOfRibMarker) {
  Bytes wire;
  EncodeUpdate(Update{}, Ctx(4), &wire);
  Bytes want(16, 0xFF);
  for (uint8_t b : {0, 23, int{kMsgUpdate}, 0, 0, 0, 0}) want.push_back(b);
  EXPECT_EQ(wire, want);
}

}  // namespace
}  // namespace vigia::bgp
