#include "bgp/path_attributes.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <initializer_list>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "bgp/test_builders.h"
#include "core/asn.h"

namespace vigia::bgp {
namespace {

using namespace test;  // NOLINT(google-build-using-namespace)

// ---------------------------------------------------------------------------
// Builders for wire bytes.

// One AS_PATH segment with `width`-octet ASNs.
Bytes Seg(uint8_t type, const std::vector<Asn>& asns, int width) {
  Bytes out = {type, static_cast<uint8_t>(asns.size())};
  for (Asn a : asns) {
    if (width == 4) {
      Put32(&out, a);
    } else {
      Put16(&out, a);
    }
  }
  return out;
}
Bytes Seg2(uint8_t type, const std::vector<Asn>& asns) { return Seg(type, asns, 2); }
Bytes Seg4(uint8_t type, const std::vector<Asn>& asns) { return Seg(type, asns, 4); }

Bytes AsPathAttr(std::initializer_list<Bytes> segments) {
  return Attr(kWellKnown, kAttrAsPath, Cat(segments));
}
Bytes As4PathAttr(std::initializer_list<Bytes> segments) {
  return Attr(kOptTrans, kAttrAs4Path, Cat(segments));
}
Bytes OriginAttr(uint8_t origin) { return Attr(kWellKnown, kAttrOrigin, {origin}); }
Bytes NextHopAttr(const char* addr) { return Attr(kWellKnown, kAttrNextHop, IpBytes(addr)); }
Bytes Aggregator2(uint16_t asn, const char* addr) {
  return Attr(kOptTrans, kAttrAggregator, Cat({U16(asn), IpBytes(addr)}));
}
Bytes Aggregator4(uint32_t asn, const char* addr) {
  return Attr(kOptTrans, kAttrAggregator, Cat({U32(asn), IpBytes(addr)}));
}
Bytes As4Aggregator(uint32_t asn, const char* addr) {
  return Attr(kOptTrans, kAttrAs4Aggregator, Cat({U32(asn), IpBytes(addr)}));
}

// RFC 4760 §3: AFI, SAFI, next hop length and next hop, reserved, NLRI.
Bytes MpReachBody(uint16_t afi, uint8_t safi, const Bytes& next_hop, const Bytes& nlri) {
  Bytes out = U16(afi);
  out.push_back(safi);
  out.push_back(static_cast<uint8_t>(next_hop.size()));
  out.insert(out.end(), next_hop.begin(), next_hop.end());
  out.push_back(0);
  out.insert(out.end(), nlri.begin(), nlri.end());
  return out;
}
// RFC 4760 §4: AFI, SAFI, withdrawn NLRI.
Bytes MpUnreachBody(uint16_t afi, uint8_t safi, const Bytes& nlri) {
  Bytes out = U16(afi);
  out.push_back(safi);
  out.insert(out.end(), nlri.begin(), nlri.end());
  return out;
}

// Decodes a copy of the block held in an allocation of exactly its size, so
// that ASan reports any read past its end. The copy lives as long as this
// object because spans in the result point into it.
struct Decoded {
  explicit Decoded(const Bytes& b, const AttrContext& ctx = AttrContext{})
      : size(b.size()), buf(std::make_unique<uint8_t[]>(b.size())) {
    std::copy(b.begin(), b.end(), buf.get());
    status = attrs.Decode({buf.get(), size}, ctx);
  }
  size_t size;
  std::unique_ptr<uint8_t[]> buf;
  PathAttributes attrs;
  Status status;
};

// ---------------------------------------------------------------------------
// One attribute at a time.

TEST(PathAttributes, EmptyBlockDecodesToNothing) {
  Decoded d(Bytes{});
  ASSERT_TRUE(d.status.ok()) << d.status.ToString();
  EXPECT_EQ(d.attrs.length, 0u);
  for (int t = 0; t < 256; ++t) EXPECT_FALSE(d.attrs.Has(static_cast<uint8_t>(t))) << t;
  EXPECT_TRUE(d.attrs.as_path.empty());
  EXPECT_EQ(d.attrs.next_hop, IpAddress::V4(0xFFFFFFFF));
}

TEST(PathAttributes, DecodesOrigin) {
  for (uint8_t origin : {0, 1, 2}) {
    Decoded d(OriginAttr(origin));
    ASSERT_TRUE(d.status.ok()) << d.status.ToString();
    EXPECT_TRUE(d.attrs.Has(kAttrOrigin));
    EXPECT_EQ(d.attrs.origin, origin);
    EXPECT_EQ(d.attrs.length, 4u);
  }
}

TEST(PathAttributes, DecodesFourOctetAsPathWithSequenceAndSet) {
  Decoded d(AsPathAttr({Seg4(kAsSequence, {64500, 4200000000u}), Seg4(kAsSet, {3, 4})}), Ctx(4));
  ASSERT_TRUE(d.status.ok()) << d.status.ToString();
  const AsPath& p = d.attrs.as_path;
  ASSERT_EQ(p.segments.size(), 2u);
  EXPECT_EQ(p.segments[0].type, kAsSequence);
  EXPECT_EQ(p.segments[0].count, 2);
  EXPECT_EQ(p.segments[1].type, kAsSet);
  EXPECT_EQ(p.segments[1].count, 2);
  EXPECT_EQ(p.asns, (std::vector<Asn>{64500, 4200000000u, 3, 4}));
  EXPECT_FALSE(p.malformed);
  EXPECT_EQ(p.ToString(), "64500 4200000000 {3,4}");
}

TEST(PathAttributes, DecodesTwoOctetAsPathWithSequenceAndSet) {
  Decoded d(AsPathAttr({Seg2(kAsSequence, {1, 2}), Seg2(kAsSet, {3, 65535})}), Ctx(2));
  ASSERT_TRUE(d.status.ok()) << d.status.ToString();
  EXPECT_EQ(d.attrs.as_path.asns, (std::vector<Asn>{1, 2, 3, 65535}));
  EXPECT_EQ(d.attrs.as_path.ToString(), "1 2 {3,65535}");
}

// RFC 5065 §3: confederation segments; bgpdump prints sequences in () and
// sets in [].
TEST(PathAttributes, DecodesConfederationSegmentsInBothWidths) {
  for (int width : {2, 4}) {
    SCOPED_TRACE(width);
    Decoded d(AsPathAttr({Seg(kAsConfedSequence, {65001, 65002}, width),
                          Seg(kAsConfedSet, {65003, 65004}, width), Seg(kAsSequence, {3}, width)}),
              Ctx(width));
    ASSERT_TRUE(d.status.ok()) << d.status.ToString();
    ASSERT_EQ(d.attrs.as_path.segments.size(), 3u);
    EXPECT_EQ(d.attrs.as_path.segments[0].type, kAsConfedSequence);
    EXPECT_EQ(d.attrs.as_path.segments[1].type, kAsConfedSet);
    EXPECT_EQ(d.attrs.as_path.ToString(), "(65001 65002) [65003,65004] 3");
  }
}

TEST(PathAttributes, EmptyAsPathIsPresentButEmpty) {
  Decoded d(Attr(kWellKnown, kAttrAsPath, {}));
  ASSERT_TRUE(d.status.ok()) << d.status.ToString();
  EXPECT_TRUE(d.attrs.Has(kAttrAsPath));
  EXPECT_TRUE(d.attrs.as_path.empty());
  EXPECT_EQ(d.attrs.as_path.ToString(), "");
  EXPECT_EQ(d.attrs.as_path.Origin(), 0u);
}

TEST(PathAttributes, DecodesNextHopMedAndLocalPref) {
  Decoded d(Cat({NextHopAttr("192.0.2.1"), Attr(kOptNonTrans, kAttrMed, U32(0xDEADBEEF)),
                 Attr(kWellKnown, kAttrLocalPref, U32(4000000000u))}));
  ASSERT_TRUE(d.status.ok()) << d.status.ToString();
  EXPECT_EQ(d.attrs.next_hop.ToString(), "192.0.2.1");
  EXPECT_EQ(d.attrs.med, 0xDEADBEEFu);
  EXPECT_EQ(d.attrs.local_pref, 4000000000u);
  EXPECT_TRUE(d.attrs.Has(kAttrNextHop));
  EXPECT_TRUE(d.attrs.Has(kAttrMed));
  EXPECT_TRUE(d.attrs.Has(kAttrLocalPref));
}

TEST(PathAttributes, DecodesAtomicAggregateAsPresenceOnly) {
  Decoded d(Attr(kWellKnown, kAttrAtomicAggregate, {}));
  ASSERT_TRUE(d.status.ok()) << d.status.ToString();
  EXPECT_TRUE(d.attrs.Has(kAttrAtomicAggregate));
  EXPECT_FALSE(d.attrs.Has(kAttrAggregator));
}

// RFC 6793 §4.1 lets either width appear; the length tells which.
TEST(PathAttributes, DecodesSixAndEightOctetAggregatorInEitherContext) {
  for (int width : {2, 4}) {
    SCOPED_TRACE(width);
    Decoded six(Aggregator2(64512, "198.51.100.1"), Ctx(width));
    ASSERT_TRUE(six.status.ok()) << six.status.ToString();
    EXPECT_EQ(six.attrs.aggregator_as, 64512u);
    EXPECT_EQ(six.attrs.aggregator_addr.ToString(), "198.51.100.1");

    Decoded eight(Aggregator4(4200000000u, "198.51.100.2"), Ctx(width));
    ASSERT_TRUE(eight.status.ok()) << eight.status.ToString();
    EXPECT_EQ(eight.attrs.aggregator_as, 4200000000u);
    EXPECT_EQ(eight.attrs.aggregator_addr.ToString(), "198.51.100.2");
  }
}

TEST(PathAttributes, DecodesCommunitiesInOrder) {
  Decoded d(Attr(kOptTrans, kAttrCommunities,
                 Cat({U32(0xFFFF029A), U32((64500u << 16) | 100), U32(0xFFFFFF01)})));
  ASSERT_TRUE(d.status.ok()) << d.status.ToString();
  EXPECT_EQ(d.attrs.communities,
            (std::vector<uint32_t>{0xFFFF029A, (64500u << 16) | 100, 0xFFFFFF01}));
}

TEST(PathAttributes, DecodesOriginatorIdAndClusterList) {
  Decoded d(Cat({Attr(kOptNonTrans, kAttrOriginatorId, IpBytes("10.0.0.7")),
                 Attr(kOptNonTrans, kAttrClusterList, Cat({U32(0x0A000001), U32(0x0A000002)}))}));
  ASSERT_TRUE(d.status.ok()) << d.status.ToString();
  EXPECT_EQ(d.attrs.originator_id.ToString(), "10.0.0.7");
  EXPECT_EQ(d.attrs.cluster_list, (std::vector<uint32_t>{0x0A000001, 0x0A000002}));
}

TEST(PathAttributes, DecodesIpv6MpReachWithGlobalNextHop) {
  Bytes body = MpReachBody(kAfiIpv6, kSafiUnicast, IpBytes("2001:db8::1"),
                           Cat({Nlri("2001:db8:1::/48"), Nlri("::/0"), Nlri("2001:db8::1/128")}));
  Decoded d(Attr(kOptNonTrans, kAttrMpReach, body));
  ASSERT_TRUE(d.status.ok()) << d.status.ToString();
  ASSERT_EQ(d.attrs.mp_reach_count, 1u);
  const MpReach& m = d.attrs.mp_reach[0];
  EXPECT_EQ(m.afi, kAfiIpv6);
  EXPECT_EQ(m.safi, kSafiUnicast);
  EXPECT_EQ(m.next_hop_length, 16);
  EXPECT_EQ(m.next_hop.ToString(), "2001:db8::1");
  EXPECT_TRUE(m.next_hop_link_local.IsZero());
  EXPECT_FALSE(m.abbreviated);
  EXPECT_TRUE(m.supported);
  EXPECT_EQ(Texts(m.nlri), (Strings{"2001:db8:1::/48", "::/0", "2001:db8::1/128"}));
  EXPECT_FALSE(d.attrs.add_path_detected);
  EXPECT_EQ(d.attrs.warning, "");
}

// RFC 2545 §3: a 32-octet next hop is the global address then the link-local.
TEST(PathAttributes, DecodesIpv6MpReachWithLinkLocalNextHop) {
  Bytes body =
      MpReachBody(kAfiIpv6, kSafiUnicast, Cat({IpBytes("2001:db8::1"), IpBytes("fe80::1")}),
                  Nlri("2001:db8::/32"));
  Decoded d(Attr(kOptNonTrans, kAttrMpReach, body));
  ASSERT_TRUE(d.status.ok()) << d.status.ToString();
  const MpReach& m = d.attrs.mp_reach[0];
  EXPECT_EQ(m.next_hop_length, 32);
  EXPECT_EQ(m.next_hop.ToString(), "2001:db8::1");
  EXPECT_EQ(m.next_hop_link_local.ToString(), "fe80::1");
  EXPECT_EQ(Texts(m.nlri), (Strings{"2001:db8::/32"}));
}

TEST(PathAttributes, DecodesIpv4MpReach) {
  Bytes body = MpReachBody(kAfiIpv4, kSafiMulticast, IpBytes("192.0.2.1"),
                           Cat({Nlri("198.51.100.0/24"), Nlri("10.0.0.0/8")}));
  Decoded d(Attr(kOptNonTrans, kAttrMpReach, body));
  ASSERT_TRUE(d.status.ok()) << d.status.ToString();
  const MpReach& m = d.attrs.mp_reach[0];
  EXPECT_EQ(m.afi, kAfiIpv4);
  EXPECT_EQ(m.safi, kSafiMulticast);
  EXPECT_EQ(m.next_hop_length, 4);
  EXPECT_EQ(m.next_hop.ToString(), "192.0.2.1");
  EXPECT_TRUE(m.supported);
  EXPECT_EQ(Texts(m.nlri), (Strings{"198.51.100.0/24", "10.0.0.0/8"}));
}

TEST(PathAttributes, KeepsUnsupportedMpReachWithoutDecodingNlri) {
  // AFI 25 (L2VPN) / SAFI 65 (VPLS): the NLRI is not a prefix list.
  Bytes body = MpReachBody(25, 65, IpBytes("192.0.2.1"), Bytes{0, 17, 0xAA, 0xBB, 0xCC});
  Decoded d(Attr(kOptNonTrans, kAttrMpReach, body));
  ASSERT_TRUE(d.status.ok()) << d.status.ToString();
  const MpReach& m = d.attrs.mp_reach[0];
  EXPECT_EQ(m.afi, 25);
  EXPECT_EQ(m.safi, 65);
  EXPECT_FALSE(m.supported);
  EXPECT_TRUE(m.nlri.empty());
  EXPECT_EQ(m.next_hop.ToString(), "192.0.2.1");
}

// RFC 2858 §5 (obsoleted by RFC 4760): the reserved octet was the number of
// SNPAs, each a one-octet length in semi-octets and ceil(length/2) octets.
TEST(PathAttributes, SkipsRfc2858SnpasBeforeNlri) {
  Bytes body = U16(kAfiIpv6);
  body.push_back(kSafiUnicast);
  body.push_back(16);
  Bytes nh = IpBytes("2001:db8::1");
  body.insert(body.end(), nh.begin(), nh.end());
  body.push_back(1);   // one SNPA
  body.push_back(12);  // 12 semi-octets: a 6-octet MAC address
  for (uint8_t b : {0x00, 0x11, 0x22, 0x33, 0x44, 0x55}) body.push_back(b);
  Bytes nlri = Nlri("2001:db8:1::/48");
  body.insert(body.end(), nlri.begin(), nlri.end());
  Decoded d(Attr(kOptNonTrans, kAttrMpReach, body));
  ASSERT_TRUE(d.status.ok()) << d.status.ToString();
  EXPECT_EQ(Texts(d.attrs.mp_reach[0].nlri), (Strings{"2001:db8:1::/48"}));
}

TEST(PathAttributes, SkipsEvenLengthSnpasBeforeNlri) {
  // Zero SNPAs of zero length is what every RFC 4760 speaker sends; one SNPA
  // of length 0 occupies only its length octet either way.
  Bytes body = U16(kAfiIpv4);
  body.push_back(kSafiUnicast);
  body.push_back(4);
  Bytes nh = IpBytes("192.0.2.1");
  body.insert(body.end(), nh.begin(), nh.end());
  body.push_back(1);  // one SNPA
  body.push_back(0);  // of no length
  Bytes nlri = Nlri("203.0.113.0/24");
  body.insert(body.end(), nlri.begin(), nlri.end());
  Decoded d(Attr(kOptNonTrans, kAttrMpReach, body));
  ASSERT_TRUE(d.status.ok()) << d.status.ToString();
  EXPECT_EQ(Texts(d.attrs.mp_reach[0].nlri), (Strings{"203.0.113.0/24"}));
}

// RFC 6396 §4.3.4: in TABLE_DUMP_V2 RIB entries MP_REACH_NLRI holds only the
// next hop length and the next hop.
TEST(PathAttributes, DecodesMrtAbbreviatedMpReach) {
  struct Case {
    Bytes next_hop;
    uint8_t length;
    const char* global;
    const char* link_local;
  };
  const Case cases[] = {
      {IpBytes("2001:db8::1"), 16, "2001:db8::1", "0.0.0.0"},
      {Cat({IpBytes("2001:db8::2"), IpBytes("fe80::2")}), 32, "2001:db8::2", "fe80::2"},
      {IpBytes("192.0.2.9"), 4, "192.0.2.9", "0.0.0.0"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.global);
    Bytes body = {c.length};
    body.insert(body.end(), c.next_hop.begin(), c.next_hop.end());
    Decoded d(Attr(kOptNonTrans, kAttrMpReach, body), Ctx(4, false, /*mrt_rib=*/true));
    ASSERT_TRUE(d.status.ok()) << d.status.ToString();
    ASSERT_EQ(d.attrs.mp_reach_count, 1u);
    const MpReach& m = d.attrs.mp_reach[0];
    EXPECT_TRUE(m.abbreviated);
    EXPECT_EQ(m.next_hop_length, c.length);
    EXPECT_EQ(m.next_hop.ToString(), c.global);
    EXPECT_EQ(m.next_hop_link_local.ToString(), c.link_local);
    EXPECT_EQ(m.afi, 0);
    EXPECT_TRUE(m.nlri.empty());
  }
}

// Some writers put the full RFC 4760 form in RIB entries; its first octet
// (the AFI's high octet) is 0, which tells the two apart.
TEST(PathAttributes, FullMpReachIsStillDecodedInMrtRibContext) {
  Bytes body = MpReachBody(kAfiIpv6, kSafiUnicast, IpBytes("2001:db8::1"), Nlri("2001:db8::/32"));
  Decoded d(Attr(kOptNonTrans, kAttrMpReach, body), Ctx(4, false, /*mrt_rib=*/true));
  ASSERT_TRUE(d.status.ok()) << d.status.ToString();
  const MpReach& m = d.attrs.mp_reach[0];
  EXPECT_FALSE(m.abbreviated);
  EXPECT_EQ(m.afi, kAfiIpv6);
  EXPECT_EQ(m.next_hop.ToString(), "2001:db8::1");
  EXPECT_EQ(Texts(m.nlri), (Strings{"2001:db8::/32"}));
}

TEST(PathAttributes, DecodesMpUnreachForBothFamilies) {
  Decoded d(Cat({Attr(kOptNonTrans, kAttrMpUnreach,
                      MpUnreachBody(kAfiIpv6, kSafiUnicast,
                                    Cat({Nlri("2001:db8:1::/48"), Nlri("2001:db8:2::/48")}))),
                 Attr(kOptNonTrans, kAttrMpUnreach,
                      MpUnreachBody(kAfiIpv4, kSafiUnicast, Nlri("192.0.2.0/24")))}));
  ASSERT_TRUE(d.status.ok()) << d.status.ToString();
  ASSERT_EQ(d.attrs.mp_unreach_count, 2u);
  EXPECT_EQ(d.attrs.mp_unreach[0].afi, kAfiIpv6);
  EXPECT_TRUE(d.attrs.mp_unreach[0].supported);
  EXPECT_EQ(Texts(d.attrs.mp_unreach[0].nlri), (Strings{"2001:db8:1::/48", "2001:db8:2::/48"}));
  EXPECT_EQ(d.attrs.mp_unreach[1].afi, kAfiIpv4);
  EXPECT_EQ(Texts(d.attrs.mp_unreach[1].nlri), (Strings{"192.0.2.0/24"}));
}

TEST(PathAttributes, MpUnreachWithNoPrefixesIsEndOfRib) {
  // RFC 4724 §2: an MP_UNREACH_NLRI with only AFI/SAFI marks End-of-RIB.
  Decoded d(Attr(kOptNonTrans, kAttrMpUnreach, MpUnreachBody(kAfiIpv6, kSafiUnicast, {})));
  ASSERT_TRUE(d.status.ok()) << d.status.ToString();
  ASSERT_EQ(d.attrs.mp_unreach_count, 1u);
  EXPECT_TRUE(d.attrs.mp_unreach[0].supported);
  EXPECT_TRUE(d.attrs.mp_unreach[0].nlri.empty());
}

TEST(PathAttributes, DecodesExtendedCommunitiesBigEndian) {
  // Route target 2:65000:100 and an opaque one with the high bit set.
  Bytes rt = {0x00, 0x02, 0xFD, 0xE8, 0x00, 0x00, 0x00, 0x64};
  Bytes hi = {0x83, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07};
  Decoded d(Attr(kOptTrans, kAttrExtCommunities, Cat({rt, hi})));
  ASSERT_TRUE(d.status.ok()) << d.status.ToString();
  EXPECT_EQ(d.attrs.ext_communities,
            (std::vector<uint64_t>{0x0002FDE800000064ull, 0x8301020304050607ull}));
}

TEST(PathAttributes, DecodesLargeCommunities) {
  Decoded d(Attr(kOptTrans, kAttrLargeCommunities,
                 Cat({U32(4200000000u), U32(1), U32(2), U32(64500), U32(0), U32(0xFFFFFFFF)})));
  ASSERT_TRUE(d.status.ok()) << d.status.ToString();
  EXPECT_EQ(d.attrs.large_communities,
            (std::vector<LargeCommunity>{{4200000000u, 1, 2}, {64500, 0, 0xFFFFFFFF}}));
}

// RFC 9234 §5: Only-To-Customer, type 35, one 4-octet ASN.
TEST(PathAttributes, DecodesOnlyToCustomer) {
  Decoded d(Attr(kOptTrans, kAttrOtc, U32(4200000001u)));
  ASSERT_TRUE(d.status.ok()) << d.status.ToString();
  EXPECT_TRUE(d.attrs.Has(kAttrOtc));
  EXPECT_EQ(d.attrs.otc, 4200000001u);
}

TEST(PathAttributes, KeepsUnknownAttributesRawWithFlags) {
  Bytes big(300, 0x5A);
  Decoded d(Cat({Attr(kOptTrans | kFlagPartial, 99, {1, 2, 3}),
                 Attr(kOptTrans | kFlagExtendedLength, 255, big), Attr(kOptNonTrans, 0, {})}));
  ASSERT_TRUE(d.status.ok()) << d.status.ToString();
  ASSERT_EQ(d.attrs.unknown.size(), 3u);
  const RawAttribute& a = d.attrs.unknown[0];
  EXPECT_EQ(a.flags, kOptTrans | kFlagPartial);
  EXPECT_EQ(a.type, 99);
  EXPECT_EQ(Bytes(a.data.begin(), a.data.end()), (Bytes{1, 2, 3}));
  // The data points into the caller's buffer rather than a copy.
  EXPECT_EQ(a.data.data(), d.buf.get() + 3);
  EXPECT_EQ(d.attrs.unknown[1].flags, kOptTrans | kFlagExtendedLength);
  EXPECT_EQ(d.attrs.unknown[1].type, 255);
  EXPECT_EQ(d.attrs.unknown[1].data.size(), 300u);
  EXPECT_EQ(d.attrs.unknown[2].type, 0);
  EXPECT_TRUE(d.attrs.unknown[2].data.empty());
  EXPECT_TRUE(d.attrs.Has(99));
  EXPECT_TRUE(d.attrs.Has(255));
}

// RFC 4271 §4.3: the Extended Length bit makes the length two octets, for
// any attribute, even one short enough for one.
TEST(PathAttributes, ExtendedLengthFlagSelectsTwoOctetLength) {
  Bytes comms;
  for (uint32_t i = 0; i < 100; ++i) Put32(&comms, (64500u << 16) | i);
  Decoded d(Cat({Attr(kWellKnown | kFlagExtendedLength, kAttrOrigin, {2}),
                 Attr(kOptTrans | kFlagExtendedLength, kAttrCommunities, comms),
                 NextHopAttr("192.0.2.1")}));
  ASSERT_TRUE(d.status.ok()) << d.status.ToString();
  EXPECT_EQ(d.attrs.origin, 2);
  ASSERT_EQ(d.attrs.communities.size(), 100u);
  EXPECT_EQ(d.attrs.communities[99], (64500u << 16) | 99);
  EXPECT_EQ(d.attrs.next_hop.ToString(), "192.0.2.1");
  EXPECT_EQ(d.attrs.length, 5u + 404u + 7u);
}

TEST(PathAttributes, DecodeResetsEverythingFromThePreviousBlock) {
  PathAttributes a;
  Bytes first = Cat({OriginAttr(2), AsPathAttr({Seg4(kAsSequence, {1, 2})}),
                     Attr(kOptTrans, kAttrCommunities, U32(7)),
                     Attr(kOptNonTrans, kAttrMpReach,
                          MpReachBody(kAfiIpv6, 1, IpBytes("2001:db8::1"), Nlri("2001:db8::/32"))),
                     Attr(kOptTrans, 99, {1})});
  ASSERT_TRUE(a.Decode(first, Ctx(4)).ok());
  ASSERT_EQ(a.mp_reach_count, 1u);
  Bytes second = OriginAttr(1);
  ASSERT_TRUE(a.Decode(second, Ctx(4)).ok());
  EXPECT_EQ(a.origin, 1);
  EXPECT_FALSE(a.Has(kAttrAsPath));
  EXPECT_TRUE(a.as_path.empty());
  EXPECT_TRUE(a.communities.empty());
  EXPECT_EQ(a.mp_reach_count, 0u);
  EXPECT_FALSE(a.Has(kAttrMpReach));
  EXPECT_TRUE(a.unknown.empty());
  EXPECT_EQ(a.length, 4u);
}

// ---------------------------------------------------------------------------
// AsPath text, hop count and origin.

TEST(AsPath, FormatsLikeBgpdump) {
  EXPECT_EQ(MakePath({{kAsSequence, {1, 2}}, {kAsSet, {3, 4}}}).ToString(), "1 2 {3,4}");
  EXPECT_EQ(MakePath({{kAsConfedSequence, {65001, 65002}}, {kAsSequence, {3}}}).ToString(),
            "(65001 65002) 3");
  EXPECT_EQ(MakePath({{kAsConfedSet, {1, 2}}}).ToString(), "[1,2]");
  EXPECT_EQ(MakePath({{kAsSet, {3, 4}}, {kAsSequence, {5}}}).ToString(), "{3,4} 5");
  EXPECT_EQ(MakePath({{kAsSequence, {1}}, {kAsSet, {2}}, {kAsSet, {3}}}).ToString(), "1 {2} {3}");
  EXPECT_EQ(MakePath({{kAsSequence, {1}}, {kAsSequence, {2, 3}}}).ToString(), "1 2 3");
  EXPECT_EQ(MakePath({{kAsSequence, {4294967295u}}}).ToString(), "4294967295");
  EXPECT_EQ(AsPath().ToString(), "");
}

// bgpdump writes the separator before a segment only when the previous one
// printed an ASN: after an empty segment the next follows without a space.
TEST(AsPath, EmptySegmentsFollowBgpdump) {
  EXPECT_EQ(MakePath({{kAsSequence, {1}}, {kAsSequence, {}}, {kAsSequence, {2}}}).ToString(),
            "1 2");
  EXPECT_EQ(MakePath({{kAsSequence, {1}}, {kAsSet, {}}, {kAsSequence, {2}}}).ToString(), "1 {}2");
  EXPECT_EQ(MakePath({{kAsSet, {}}}).ToString(), "{}");
  EXPECT_EQ(MakePath({{kAsSequence, {}}}).ToString(), "");
  EXPECT_EQ(MakePath({{kAsSequence, {1}}, {kAsSequence, {}}}).ToString(), "1 ");
}

TEST(AsPath, MalformedPrintsError) {
  AsPath p = MakePath({{kAsSequence, {1, 2}}});
  p.malformed = true;
  EXPECT_EQ(p.ToString(), "! Error !");
  char buf[kMaxAsPathText];
  char* end = p.Format(buf);
  EXPECT_EQ(std::string(buf, end), "! Error !");
}

TEST(AsPath, DecodedMalformedPathPrintsError) {
  Decoded d(AsPathAttr({Seg4(kAsSequence, {1, 2}), Bytes{7, 1, 0, 0, 0, 3}}), Ctx(4));
  EXPECT_EQ(d.status.code(), StatusCode::kCorrupt);
  EXPECT_TRUE(d.attrs.as_path.malformed);
  EXPECT_EQ(d.attrs.as_path.ToString(), "! Error !");
  EXPECT_EQ(d.attrs.as_path.Origin(), 0u);
}

// bgpdump (process_attr_aspath_string) stops once the text passes 7,900
// characters and appends "...".
TEST(AsPath, LongTextIsCutAfter7900CharactersWithEllipsis) {
  AsPath p;
  std::string expected;
  bool cut = false;
  for (int s = 0; s < 4; ++s) {
    p.segments.push_back({kAsSequence, 255});
    for (int i = 0; i < 255; ++i) {
      Asn asn = 4200000000u + static_cast<Asn>(s * 255 + i);
      p.asns.push_back(asn);
      if (cut) continue;
      if (!expected.empty()) expected += ' ';
      expected += std::to_string(asn);
      if (expected.size() > 7900) {
        expected += "...";
        cut = true;
      }
    }
  }
  ASSERT_TRUE(cut);
  std::string text = p.ToString();
  EXPECT_EQ(text, expected);
  EXPECT_EQ(text.size(), 7911u);  // 719 ASNs of 10 digits and 718 spaces, then "..."
  EXPECT_LE(text.size(), kMaxAsPathText);
}

TEST(AsPath, TextJustUnderTheCutIsComplete) {
  // 718 ten-digit ASNs: 7,180 digits and 717 spaces = 7,897 characters.
  AsPath p;
  for (int s = 0; s < 3; ++s) p.segments.push_back({kAsSequence, 239});
  p.segments.push_back({kAsSequence, 1});
  for (int i = 0; i < 718; ++i) p.asns.push_back(1000000000u + static_cast<Asn>(i));
  std::string text = p.ToString();
  EXPECT_EQ(text.size(), 7897u);
  EXPECT_EQ(text.substr(text.size() - 10), "1000000717");
}

TEST(AsPath, ManyEmptySetsStayWithinTheTextBound) {
  AsPath p;
  for (int i = 0; i < 5000; ++i) p.segments.push_back({kAsSet, 0});
  std::string text = p.ToString();
  EXPECT_LE(text.size(), kMaxAsPathText);
  EXPECT_EQ(text.substr(0, 4), "{}{}");

  // The same path from the wire.
  Bytes body;
  for (int i = 0; i < 5000; ++i) body.insert(body.end(), {kAsSet, 0});
  Decoded d(Attr(kWellKnown | kFlagExtendedLength, kAttrAsPath, body), Ctx(4));
  if (d.status.ok()) {
    EXPECT_LE(d.attrs.as_path.ToString().size(), kMaxAsPathText);
  }
}

// RFC 4271 §9.1.2.2: a set counts one; bgpdump also counts confederation
// sequences by their length (it stopped ignoring them).
TEST(AsPath, HopCountCountsSetsAsOne) {
  EXPECT_EQ(MakePath({{kAsSequence, {1, 2}}, {kAsSet, {3, 4, 5}}}).HopCount(), 3u);
  EXPECT_EQ(MakePath({{kAsConfedSequence, {65001, 65002}}, {kAsSequence, {3}}}).HopCount(), 3u);
  EXPECT_EQ(MakePath({{kAsConfedSet, {1, 2}}, {kAsSequence, {3}}}).HopCount(), 2u);
  EXPECT_EQ(MakePath({{kAsSequence, {1, 1, 1, 2}}}).HopCount(), 4u);  // prepends count
  EXPECT_EQ(AsPath().HopCount(), 0u);
}

// RFC 6811 §2: the origin is the last ASN of a trailing AS_SEQUENCE; a path
// that ends in a set has none.
TEST(AsPath, OriginIsLastAsnOfTrailingSequence) {
  EXPECT_EQ(MakePath({{kAsSequence, {1, 2, 3}}}).Origin(), 3u);
  EXPECT_EQ(MakePath({{kAsSet, {7}}, {kAsSequence, {8, 9}}}).Origin(), 9u);
  EXPECT_EQ(MakePath({{kAsSequence, {1, 2}}, {kAsSet, {3, 4}}}).Origin(), 0u);
  EXPECT_EQ(MakePath({{kAsSequence, {1}}, {kAsConfedSequence, {65001}}}).Origin(), 0u);
  EXPECT_EQ(MakePath({{kAsConfedSet, {1}}}).Origin(), 0u);
  EXPECT_EQ(AsPath().Origin(), 0u);
}

// ---------------------------------------------------------------------------
// RFC 6793 §4.2.3: AS4_PATH / AS4_AGGREGATOR from a 2-octet speaker.

TEST(As4Merge, As4PathReplacesTrailingAsTransWhenAsPathIsLonger) {
  Decoded d(Cat({AsPathAttr({Seg2(kAsSequence, {100, kAsTrans, kAsTrans})}),
                 As4PathAttr({Seg4(kAsSequence, {4200000001u, 4200000002u})})}),
            Ctx(2));
  ASSERT_TRUE(d.status.ok()) << d.status.ToString();
  EXPECT_EQ(d.attrs.as_path.ToString(), "100 4200000001 4200000002");
  EXPECT_EQ(d.attrs.as_path.Origin(), 4200000002u);
  // The AS4_PATH itself is kept as received.
  EXPECT_EQ(d.attrs.as4_path.ToString(), "4200000001 4200000002");
}

TEST(As4Merge, As4PathTakesOverWhenLengthsAreEqual) {
  Decoded d(Cat({AsPathAttr({Seg2(kAsSequence, {kAsTrans, 65000})}),
                 As4PathAttr({Seg4(kAsSequence, {4200000001u, 65000})})}),
            Ctx(2));
  ASSERT_TRUE(d.status.ok()) << d.status.ToString();
  EXPECT_EQ(d.attrs.as_path.ToString(), "4200000001 65000");
}

TEST(As4Merge, LeadingAsnsComeFromAsPathAcrossSegments) {
  // AS_PATH counts 4, AS4_PATH 1: the leading three come from AS_PATH, the
  // second segment cut short.
  Decoded d(Cat({AsPathAttr({Seg2(kAsSequence, {10, 20}), Seg2(kAsSequence, {30, kAsTrans})}),
                 As4PathAttr({Seg4(kAsSequence, {4200000000u})})}),
            Ctx(2));
  ASSERT_TRUE(d.status.ok()) << d.status.ToString();
  EXPECT_EQ(d.attrs.as_path.ToString(), "10 20 30 4200000000");
  EXPECT_EQ(d.attrs.as_path.HopCount(), 4u);
}

TEST(As4Merge, SetsCountOneOnEitherSide) {
  Decoded d(Cat({AsPathAttr({Seg2(kAsSequence, {100, 200}), Seg2(kAsSet, {kAsTrans, 300})}),
                 As4PathAttr({Seg4(kAsSet, {4200000001u, 300})})}),
            Ctx(2));
  ASSERT_TRUE(d.status.ok()) << d.status.ToString();
  EXPECT_EQ(d.attrs.as_path.ToString(), "100 200 {4200000001,300}");
}

TEST(As4Merge, LeadingConfederationSegmentIsKept) {
  Decoded d(Cat({AsPathAttr({Seg2(kAsConfedSequence, {65001}), Seg2(kAsSequence, {100, kAsTrans})}),
                 As4PathAttr({Seg4(kAsSequence, {4200000000u})})}),
            Ctx(2));
  ASSERT_TRUE(d.status.ok()) << d.status.ToString();
  EXPECT_EQ(d.attrs.as_path.ToString(), "(65001) 100 4200000000");
}

TEST(As4Merge, As4PathIgnoredWhenAsPathIsShorter) {
  Decoded d(Cat({AsPathAttr({Seg2(kAsSequence, {100, kAsTrans})}),
                 As4PathAttr({Seg4(kAsSequence, {1, 4200000000u, 3})})}),
            Ctx(2));
  ASSERT_TRUE(d.status.ok()) << d.status.ToString();
  EXPECT_EQ(d.attrs.as_path.ToString(), "100 23456");
  EXPECT_EQ(d.attrs.as4_path.ToString(), "1 4200000000 3");
}

TEST(As4Merge, As4AggregatorReplacesAsTransAggregator) {
  Decoded d(
      Cat({AsPathAttr({Seg2(kAsSequence, {100, kAsTrans})}), Aggregator2(kAsTrans, "192.0.2.1"),
           As4PathAttr({Seg4(kAsSequence, {4200000000u})}),
           As4Aggregator(4200000000u, "192.0.2.2")}),
      Ctx(2));
  ASSERT_TRUE(d.status.ok()) << d.status.ToString();
  EXPECT_EQ(d.attrs.aggregator_as, 4200000000u);
  EXPECT_EQ(d.attrs.aggregator_addr.ToString(), "192.0.2.2");
  EXPECT_EQ(d.attrs.as_path.ToString(), "100 4200000000");
}

// "If the AGGREGATOR attribute does not contain AS_TRANS, the AS4_AGGREGATOR
// and AS4_PATH attributes ... MUST be ignored."
TEST(As4Merge, EverythingAs4IgnoredWhenAggregatorIsNotAsTrans) {
  Decoded d(Cat({AsPathAttr({Seg2(kAsSequence, {100, kAsTrans})}), Aggregator2(64512, "192.0.2.1"),
                 As4PathAttr({Seg4(kAsSequence, {4200000000u})}),
                 As4Aggregator(4200000000u, "192.0.2.2")}),
            Ctx(2));
  ASSERT_TRUE(d.status.ok()) << d.status.ToString();
  EXPECT_EQ(d.attrs.aggregator_as, 64512u);
  EXPECT_EQ(d.attrs.aggregator_addr.ToString(), "192.0.2.1");
  EXPECT_EQ(d.attrs.as_path.ToString(), "100 23456");
}

// RFC 6793 §4.1: a NEW speaker ignores AS4_PATH and AS4_AGGREGATOR from
// another NEW speaker.
TEST(As4Merge, IgnoredEntirelyInFourOctetContext) {
  Decoded d(
      Cat({AsPathAttr({Seg4(kAsSequence, {100, kAsTrans})}), Aggregator4(kAsTrans, "192.0.2.1"),
           As4PathAttr({Seg4(kAsSequence, {7, 8})}), As4Aggregator(4200000000u, "192.0.2.2")}),
      Ctx(4));
  ASSERT_TRUE(d.status.ok()) << d.status.ToString();
  EXPECT_EQ(d.attrs.as_path.ToString(), "100 23456");
  EXPECT_EQ(d.attrs.aggregator_as, kAsTrans);
  EXPECT_EQ(d.attrs.aggregator_addr.ToString(), "192.0.2.1");
  EXPECT_TRUE(d.attrs.Has(kAttrAs4Path));
  EXPECT_EQ(d.attrs.as4_path.ToString(), "7 8");
}

// RFC 7606 §7.3: a malformed AS4_PATH is discarded, the UPDATE kept.
TEST(As4Merge, MalformedAs4PathIsIgnored) {
  for (const Bytes& bad : {Bytes{9, 1, 0, 0, 0, 1},            // segment type 9
                           Bytes{kAsSequence, 2, 0, 0, 0, 1},  // count overflows
                           Bytes{kAsSequence}}) {              // header cut
    Decoded d(
        Cat({AsPathAttr({Seg2(kAsSequence, {100, kAsTrans})}), Attr(kOptTrans, kAttrAs4Path, bad)}),
        Ctx(2));
    // RFC 6793 §6: attribute discard; the route stands on its AS_PATH.
    ASSERT_TRUE(d.status.ok()) << d.status.ToString();
    EXPECT_FALSE(d.attrs.Has(kAttrAs4Path));
    EXPECT_TRUE(d.attrs.as4_path.empty());
    ASSERT_EQ(d.attrs.errors().size(), 1u);
    EXPECT_EQ(d.attrs.errors()[0].action, AttrAction::kAttributeDiscard);
    EXPECT_STREQ(d.attrs.errors()[0].rule, "RFC 6793 §6");
    EXPECT_FALSE(d.attrs.as_path.malformed);
    EXPECT_EQ(d.attrs.as_path.ToString(), "100 23456");
  }
}

TEST(As4Merge, As4PathWithoutAsPathLeavesPathEmpty) {
  Decoded d(As4PathAttr({Seg4(kAsSequence, {4200000000u})}), Ctx(2));
  ASSERT_TRUE(d.status.ok()) << d.status.ToString();
  EXPECT_TRUE(d.attrs.as_path.empty());
}

// ---------------------------------------------------------------------------
// Hostile input: a non-OK Status or a documented repair, never a read out of
// bounds (the debug preset runs these under ASan).

// The flags each attribute must carry (RFC 4271 §5, RFC 7606 §3 c), so
// that these tests reach the length checks.
uint8_t FlagsOf(uint8_t type) {
  switch (type) {
    case kAttrOrigin:
    case kAttrAsPath:
    case kAttrNextHop:
    case kAttrLocalPref:
    case kAttrAtomicAggregate:
      return kWellKnown;
    case kAttrMed:
    case kAttrOriginatorId:
    case kAttrClusterList:
    case kAttrMpReach:
    case kAttrMpUnreach:
      return kOptNonTrans;
    default:
      return kOptTrans;
  }
}

TEST(HostileAttributes, ZeroLengthFixedSizeAttributesAreCorrupt) {
  for (uint8_t type : {kAttrOrigin, kAttrNextHop, kAttrMed, kAttrLocalPref, kAttrOriginatorId,
                       kAttrMpReach, kAttrMpUnreach, kAttrOtc}) {
    Decoded d(Attr(FlagsOf(type), type, {}));
    EXPECT_EQ(d.status.code(), StatusCode::kCorrupt) << int{type};
    EXPECT_TRUE(d.attrs.withdrawn()) << int{type};
  }
  // RFC 7606 §7.7 and RFC 6793 §6: the aggregators are discarded instead.
  for (uint8_t type : {kAttrAggregator, kAttrAs4Aggregator}) {
    Decoded d(Attr(kOptTrans, type, {}));
    EXPECT_TRUE(d.status.ok()) << int{type};
    EXPECT_EQ(d.attrs.action(), AttrAction::kAttributeDiscard) << int{type};
    EXPECT_FALSE(d.attrs.Has(type));
  }
  // An abbreviated MP_REACH needs at least its length octet too.
  Decoded rib(Attr(kOptNonTrans, kAttrMpReach, {}), Ctx(4, false, true));
  EXPECT_EQ(rib.status.code(), StatusCode::kCorrupt);
}

// RFC 7606 §7: each fixed-size attribute has exactly one valid length.
TEST(HostileAttributes, WrongLengthsAreCorrupt) {
  struct Case {
    uint8_t type;
    size_t length;
  };
  const Case cases[] = {
      {kAttrOrigin, 2},
      {kAttrNextHop, 3},
      {kAttrNextHop, 16},
      {kAttrMed, 5},
      {kAttrLocalPref, 8},
      {kAttrCommunities, 5},
      {kAttrOriginatorId, 16},
      {kAttrClusterList, 6},
      {kAttrExtCommunities, 12},
      {kAttrLargeCommunities, 8},
      {kAttrLargeCommunities, 13},
      {kAttrOtc, 2},
  };
  for (const Case& c : cases) {
    Decoded d(Attr(FlagsOf(c.type), c.type, Bytes(c.length, 0x01)));
    EXPECT_EQ(d.status.code(), StatusCode::kCorrupt)
        << "type " << int{c.type} << " length " << c.length;
    EXPECT_NE(d.status.message().find("RFC 7606"), std::string::npos) << d.status.message();
    EXPECT_TRUE(d.attrs.withdrawn());
  }
  // The aggregators are discarded, the route kept.
  const Case discarded[] = {
      {kAttrAggregator, 4}, {kAttrAggregator, 7}, {kAttrAggregator, 9}, {kAttrAs4Aggregator, 6}};
  for (const Case& c : discarded) {
    Decoded d(Attr(kOptTrans, c.type, Bytes(c.length, 0x01)));
    EXPECT_TRUE(d.status.ok()) << "type " << int{c.type} << " length " << c.length;
    ASSERT_EQ(d.attrs.errors().size(), 1u);
    EXPECT_EQ(d.attrs.errors()[0].action, AttrAction::kAttributeDiscard);
  }
}

TEST(HostileAttributes, AttributeLongerThanTheBlockIsCorrupt) {
  Bytes origin = OriginAttr(0);
  origin[2] = 5;  // claims five octets, has one
  Decoded d(origin);
  EXPECT_EQ(d.status.code(), StatusCode::kCorrupt);

  Bytes ext = {kOptTrans | kFlagExtendedLength, kAttrCommunities, 0xFF, 0xFF, 0, 0, 0, 1};
  Decoded e(ext);
  EXPECT_EQ(e.status.code(), StatusCode::kCorrupt);
  EXPECT_TRUE(e.attrs.communities.empty());

  // The good attributes before the bad one stay decoded.
  Decoded f(Cat({OriginAttr(2), Bytes{kWellKnown, kAttrNextHop, 200, 1, 2, 3, 4}}));
  EXPECT_EQ(f.status.code(), StatusCode::kCorrupt);
  EXPECT_EQ(f.attrs.origin, 2);
  EXPECT_FALSE(f.attrs.Has(kAttrNextHop));
}

TEST(HostileAttributes, TruncatedAttributeHeaderIsCorrupt) {
  for (const Bytes& b : {Bytes{kWellKnown}, Bytes{kWellKnown, kAttrOrigin},
                         Bytes{kWellKnown | kFlagExtendedLength, kAttrOrigin, 0}}) {
    Decoded d(b);
    EXPECT_EQ(d.status.code(), StatusCode::kCorrupt) << b.size();
  }
}

TEST(HostileAttributes, AsPathSegmentOverflowingTheAttributeIsCorrupt) {
  // Three ASNs announced, two present.
  Bytes seg = Seg4(kAsSequence, {1, 2});
  seg[1] = 3;
  Decoded d(AsPathAttr({seg}), Ctx(4));
  EXPECT_EQ(d.status.code(), StatusCode::kCorrupt);
  EXPECT_TRUE(d.attrs.as_path.malformed);
  EXPECT_EQ(d.attrs.as_path.ToString(), "! Error !");

  // A 2-octet path read with 4-octet ASNs overflows the same way.
  Decoded w(AsPathAttr({Seg2(kAsSequence, {1, 2, 3})}), Ctx(4));
  EXPECT_EQ(w.status.code(), StatusCode::kCorrupt);

  // A segment header cut after its type.
  Decoded h(AsPathAttr({Seg4(kAsSequence, {1}), Bytes{kAsSequence}}), Ctx(4));
  EXPECT_EQ(h.status.code(), StatusCode::kCorrupt);
}

TEST(HostileAttributes, BadSegmentTypeIsCorrupt) {
  for (uint8_t type : {0, 5, 255}) {
    Decoded d(AsPathAttr({Seg4(type, {1})}), Ctx(4));
    EXPECT_EQ(d.status.code(), StatusCode::kCorrupt) << int{type};
    EXPECT_TRUE(d.attrs.as_path.malformed);
  }
}

TEST(HostileAttributes, AsPathOverTheAsnCapIsRefused) {
  auto path = [](size_t total) {
    Bytes body;
    for (size_t done = 0; done < total;) {
      size_t n = std::min<size_t>(255, total - done);
      Bytes seg = Seg4(kAsSequence, std::vector<Asn>(n, 64500));
      body.insert(body.end(), seg.begin(), seg.end());
      done += n;
    }
    return Attr(kWellKnown | kFlagExtendedLength, kAttrAsPath, body);
  };
  Decoded at_cap(path(kMaxAsPathAsns), Ctx(4));
  ASSERT_TRUE(at_cap.status.ok()) << at_cap.status.ToString();
  EXPECT_EQ(at_cap.attrs.as_path.asns.size(), kMaxAsPathAsns);
  EXPECT_EQ(at_cap.attrs.as_path.HopCount(), kMaxAsPathAsns);

  Decoded over(path(kMaxAsPathAsns + 1), Ctx(4));
  EXPECT_EQ(over.status.code(), StatusCode::kLimitExceeded);
  EXPECT_TRUE(over.attrs.as_path.malformed);
}

// RFC 4271 §4.3 / RFC 4760 §5: a prefix length beyond the family's width is
// an error, also when the ADD-PATH reading is tried.
TEST(HostileAttributes, MpNlriPrefixLengthOverFamilyWidthIsCorrupt) {
  // Neither reading parses: without path ids /33 (or /129) is too long,
  // with them the length octet is 0xFF.
  Bytes v4 = {33, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF};
  Bytes v6 = {129, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF};
  Decoded r4(Attr(kOptNonTrans, kAttrMpReach,
                  MpReachBody(kAfiIpv4, kSafiUnicast, IpBytes("192.0.2.1"), v4)));
  EXPECT_EQ(r4.status.code(), StatusCode::kCorrupt);
  EXPECT_NE(r4.status.message().find("exceeds 32"), std::string::npos) << r4.status.message();
  Decoded r6(Attr(kOptNonTrans, kAttrMpReach,
                  MpReachBody(kAfiIpv6, kSafiUnicast, IpBytes("2001:db8::1"), v6)));
  EXPECT_EQ(r6.status.code(), StatusCode::kCorrupt);
  EXPECT_NE(r6.status.message().find("exceeds 128"), std::string::npos) << r6.status.message();
  Decoded u6(Attr(kOptNonTrans, kAttrMpUnreach, MpUnreachBody(kAfiIpv6, kSafiUnicast, v6)));
  EXPECT_EQ(u6.status.code(), StatusCode::kCorrupt);
  // With ADD-PATH declared, a length over the width after the path id.
  Decoded a4(Attr(kOptNonTrans, kAttrMpUnreach,
                  MpUnreachBody(kAfiIpv4, kSafiUnicast, Bytes{0, 0, 0, 1, 40, 1, 2, 3, 4, 5})),
             Ctx(4, /*add_path=*/true));
  EXPECT_EQ(a4.status.code(), StatusCode::kCorrupt);
}

TEST(HostileAttributes, TruncatedMpReachHeaderIsCorruptAtEveryCut) {
  const Bytes full =
      MpReachBody(kAfiIpv6, kSafiUnicast, Cat({IpBytes("2001:db8::1"), IpBytes("fe80::1")}),
                  Cat({Nlri("2001:db8:1::/48"), Nlri("2001:db8:2::/64")}));
  const size_t header = 2 + 1 + 1 + 32 + 1;
  const size_t first_end = header + 1 + 6;
  for (size_t cut = 0; cut <= full.size(); ++cut) {
    SCOPED_TRACE(cut);
    Decoded d(Attr(kOptNonTrans, kAttrMpReach, Bytes(full.begin(), full.begin() + cut)));
    if (cut < header) {
      EXPECT_EQ(d.status.code(), StatusCode::kCorrupt);
      continue;
    }
    // Past the header a cut prefix is dropped with a warning and the
    // complete ones before it kept.
    ASSERT_TRUE(d.status.ok()) << d.status.ToString();
    const MpReach& m = d.attrs.mp_reach[0];
    EXPECT_EQ(m.next_hop_link_local.ToString(), "fe80::1");
    const bool boundary = cut == header || cut == first_end || cut == full.size();
    EXPECT_EQ(d.attrs.warning.empty(), boundary) << d.attrs.warning;
    EXPECT_FALSE(d.attrs.add_path_detected);
    size_t want = (cut >= first_end ? 1 : 0) + (cut == full.size() ? 1 : 0);
    EXPECT_EQ(m.nlri.size(), want);
  }
}

TEST(HostileAttributes, TruncatedMpUnreachAndAbbreviatedNextHopAreCorrupt) {
  for (const Bytes& b : {Bytes{0}, Bytes{0, 2}}) {
    Decoded d(Attr(kOptNonTrans, kAttrMpUnreach, b));
    EXPECT_EQ(d.status.code(), StatusCode::kCorrupt) << b.size();
  }
  // RFC 6396 §4.3.4 form with a 16-octet next hop cut at 8.
  Bytes abbreviated = {16, 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0};
  Decoded d(Attr(kOptNonTrans, kAttrMpReach, abbreviated), Ctx(4, false, true));
  EXPECT_EQ(d.status.code(), StatusCode::kCorrupt);
}

// A realistic 4-octet block: every attribute kind the decoder knows, plus an
// unknown one. Returned as separate attributes to know where they end.
std::vector<Bytes> RealisticBlock() {
  Bytes comms;
  for (uint32_t c : {0xFFFF029Au, (64500u << 16) | 1, (64500u << 16) | 2}) Put32(&comms, c);
  return {
      OriginAttr(0),
      AsPathAttr({Seg4(kAsSequence, {64500, 4200000000u, 13335}), Seg4(kAsSet, {64512, 64513})}),
      NextHopAttr("192.0.2.1"),
      Attr(kOptNonTrans, kAttrMed, U32(50)),
      Attr(kWellKnown, kAttrLocalPref, U32(100)),
      Attr(kWellKnown, kAttrAtomicAggregate, {}),
      Aggregator4(4200000000u, "192.0.2.7"),
      Attr(kOptTrans, kAttrCommunities, comms),
      Attr(kOptNonTrans, kAttrOriginatorId, IpBytes("10.0.0.1")),
      Attr(kOptNonTrans, kAttrClusterList, U32(0x0A000002)),
      Attr(kOptNonTrans | kFlagExtendedLength, kAttrMpReach,
           MpReachBody(kAfiIpv6, kSafiUnicast, Cat({IpBytes("2001:db8::1"), IpBytes("fe80::1")}),
                       Cat({Nlri("2001:db8:1::/48"), Nlri("2001:db8:2::/47")}))),
      Attr(kOptNonTrans, kAttrMpUnreach,
           MpUnreachBody(kAfiIpv6, kSafiUnicast, Nlri("2001:db8::/32"))),
      Attr(kOptTrans, kAttrExtCommunities, Bytes{0, 2, 0xFD, 0xE8, 0, 0, 0, 100}),
      Attr(kOptTrans, kAttrLargeCommunities, Cat({U32(64500), U32(1), U32(2)})),
      Attr(kOptTrans, kAttrOtc, U32(64500)),
      Attr(kOptTrans | kFlagPartial, 200, {0xDE, 0xAD}),
  };
}

TEST(HostileAttributes, BlockTruncatedAtEveryOffsetFailsUnlessOnABoundary) {
  const std::vector<Bytes> parts = RealisticBlock();
  Bytes block;
  std::vector<size_t> boundaries = {0};
  for (const Bytes& p : parts) {
    block.insert(block.end(), p.begin(), p.end());
    boundaries.push_back(block.size());
  }
  {
    Decoded whole(block);
    ASSERT_TRUE(whole.status.ok()) << whole.status.ToString();
    EXPECT_EQ(whole.attrs.as_path.ToString(), "64500 4200000000 13335 {64512,64513}");
    EXPECT_EQ(whole.attrs.mp_reach[0].nlri.size(), 2u);
    EXPECT_EQ(whole.attrs.unknown.size(), 1u);
  }
  for (size_t cut = 0; cut < block.size(); ++cut) {
    SCOPED_TRACE(cut);
    Decoded d(Bytes(block.begin(), block.begin() + static_cast<long>(cut)));
    auto at = std::find(boundaries.begin(), boundaries.end(), cut);
    if (at != boundaries.end()) {
      EXPECT_TRUE(d.status.ok()) << d.status.ToString();
      // Exactly the attributes before the cut are present.
      size_t whole_parts = static_cast<size_t>(at - boundaries.begin());
      if (whole_parts > 0) {
        EXPECT_TRUE(d.attrs.Has(parts[whole_parts - 1][1]));
      }
      EXPECT_FALSE(d.attrs.Has(parts[whole_parts][1]));
    } else {
      EXPECT_EQ(d.status.code(), StatusCode::kCorrupt) << d.status.ToString();
    }
  }
}

TEST(HostileAttributes, EveryByteMutationIsHandled) {
  Bytes block;
  for (const Bytes& p : RealisticBlock()) block.insert(block.end(), p.begin(), p.end());
  size_t failures = 0;
  for (size_t i = 0; i < block.size(); ++i) {
    for (uint8_t v : {uint8_t{0x00}, uint8_t{0xFF}, uint8_t{0x80}, uint8_t(block[i] ^ 0x10)}) {
      Bytes m = block;
      m[i] = v;
      for (int width : {2, 4}) {
        for (bool rib : {false, true}) {
          Decoded d(m, Ctx(width, false, rib));
          if (!d.status.ok()) {
            ++failures;
            EXPECT_FALSE(d.status.message().empty());
          }
          (void)d.attrs.as_path.ToString();
        }
      }
    }
  }
  // Some mutations must be caught (a length byte set to 0xFF, say).
  EXPECT_GT(failures, 0u);
}

// RFC 7606 §3(g): of repeated attributes (other than MP_REACH_NLRI and
// MP_UNREACH_NLRI) all but the first are discarded.
TEST(HostileAttributes, DuplicateAttributesFirstWins) {
  Decoded d(Cat({OriginAttr(0), AsPathAttr({Seg4(kAsSequence, {1})}),
                 Attr(kOptTrans, kAttrCommunities, U32(1)), OriginAttr(2),
                 AsPathAttr({Seg4(kAsSequence, {2, 3})}), Attr(kOptTrans, kAttrCommunities, U32(2)),
                 // A malformed repeat is discarded, not an error.
                 Attr(kWellKnown, kAttrNextHop, IpBytes("192.0.2.1")),
                 Attr(kWellKnown, kAttrNextHop, Bytes{1, 2})}),
            Ctx(4));
  ASSERT_TRUE(d.status.ok()) << d.status.ToString();
  EXPECT_EQ(d.attrs.origin, 0);
  EXPECT_EQ(d.attrs.as_path.ToString(), "1");
  EXPECT_EQ(d.attrs.communities, (std::vector<uint32_t>{1}));
  EXPECT_EQ(d.attrs.next_hop.ToString(), "192.0.2.1");
}

TEST(HostileAttributes, RepeatedMpReachBlocksAreAllKept) {
  Decoded d(Cat({Attr(kOptNonTrans, kAttrMpReach,
                      MpReachBody(kAfiIpv6, 1, IpBytes("2001:db8::1"), Nlri("2001:db8:1::/48"))),
                 Attr(kOptNonTrans, kAttrMpReach,
                      MpReachBody(kAfiIpv4, 1, IpBytes("192.0.2.1"), Nlri("192.0.2.0/24")))}));
  ASSERT_TRUE(d.status.ok()) << d.status.ToString();
  ASSERT_EQ(d.attrs.mp_reach_count, 2u);
  EXPECT_EQ(Texts(d.attrs.mp_reach[0].nlri), (Strings{"2001:db8:1::/48"}));
  EXPECT_EQ(Texts(d.attrs.mp_reach[1].nlri), (Strings{"192.0.2.0/24"}));
}

// ---------------------------------------------------------------------------
// MP NLRI and ADD-PATH.

// RFC 7911 §3 without the capability in the dump: the plain reading fails,
// the path-id reading succeeds and is taken, with a warning.
TEST(PathAttributes, UndeclaredAddPathInMpNlriIsDetected) {
  Bytes nlri = Cat({Nlri("2001:db8:1::/48", 1), Nlri("2001:db8:2::/48", 2)});
  Decoded d(Attr(kOptNonTrans, kAttrMpReach,
                 MpReachBody(kAfiIpv6, kSafiUnicast, IpBytes("2001:db8::1"), nlri)));
  ASSERT_TRUE(d.status.ok()) << d.status.ToString();
  EXPECT_TRUE(d.attrs.add_path_detected);
  EXPECT_NE(d.attrs.warning.find("RFC 7911"), std::string::npos) << d.attrs.warning;
  EXPECT_EQ(Texts(d.attrs.mp_reach[0].nlri), (Strings{"2001:db8:1::/48#1", "2001:db8:2::/48#2"}));
}

TEST(PathAttributes, DeclaredAddPathInMpNlriIsNotAWarning) {
  Bytes nlri = Cat({Nlri("2001:db8:1::/48", 1), Nlri("2001:db8:2::/48", 2)});
  Decoded d(Cat({Attr(kOptNonTrans, kAttrMpReach,
                      MpReachBody(kAfiIpv6, kSafiUnicast, IpBytes("2001:db8::1"), nlri)),
                 Attr(kOptNonTrans, kAttrMpUnreach,
                      MpUnreachBody(kAfiIpv4, kSafiUnicast, Nlri("10.0.0.0/8", 9)))}),
            Ctx(4, /*add_path=*/true));
  ASSERT_TRUE(d.status.ok()) << d.status.ToString();
  EXPECT_FALSE(d.attrs.add_path_detected);
  EXPECT_EQ(d.attrs.warning, "");
  EXPECT_EQ(Texts(d.attrs.mp_reach[0].nlri), (Strings{"2001:db8:1::/48#1", "2001:db8:2::/48#2"}));
  EXPECT_EQ(Texts(d.attrs.mp_unreach[0].nlri), (Strings{"10.0.0.0/8#9"}));
}

TEST(PathAttributes, DetectedAddPathCarriesOverToLaterMpAttributes) {
  // The MP_UNREACH alone would parse either way (without path ids, id 0
  // reads as four ::/0 entries before the /48); once MP_REACH showed path
  // ids it is read with them.
  Bytes reach = Cat({Nlri("2001:db8:1::/48", 1)});
  Bytes unreach = Nlri("2001:db8:9::/48", 0);
  Decoded d(
      Cat({Attr(kOptNonTrans, kAttrMpReach,
                MpReachBody(kAfiIpv6, kSafiUnicast, IpBytes("2001:db8::1"), reach)),
           Attr(kOptNonTrans, kAttrMpUnreach, MpUnreachBody(kAfiIpv6, kSafiUnicast, unreach))}));
  ASSERT_TRUE(d.status.ok()) << d.status.ToString();
  EXPECT_TRUE(d.attrs.add_path_detected);
  EXPECT_EQ(Texts(d.attrs.mp_unreach[0].nlri), (Strings{"2001:db8:9::/48"}));
}

TEST(DecodeNlri, DecodesPlainIpv4List) {
  std::vector<NlriEntry> out;
  Bytes b = Cat({Nlri("192.0.2.0/24"), Nlri("0.0.0.0/0"), Nlri("10.0.0.1/32"), Nlri("128.0.0.0/1"),
                 Nlri("198.51.100.128/25")});
  ASSERT_TRUE(DecodeNlri(b, Family::kIpv4, false, &out).ok());
  EXPECT_EQ(Texts(out), (Strings{"192.0.2.0/24", "0.0.0.0/0", "10.0.0.1/32", "128.0.0.0/1",
                                 "198.51.100.128/25"}));
  for (const NlriEntry& e : out) EXPECT_EQ(e.path_id, 0u);
}

TEST(DecodeNlri, DecodesIpv6List) {
  std::vector<NlriEntry> out;
  Bytes b = Cat({Nlri("2001:db8::/32"), Nlri("::/0"), Nlri("2001:db8::1/128")});
  ASSERT_TRUE(DecodeNlri(b, Family::kIpv6, false, &out).ok());
  EXPECT_EQ(Texts(out), (Strings{"2001:db8::/32", "::/0", "2001:db8::1/128"}));
  EXPECT_TRUE(out[0].prefix.address().is_v6());
}

// RFC 7911 §3: each prefix is preceded by a four-octet path identifier.
TEST(DecodeNlri, DecodesAddPathIdentifiers) {
  std::vector<NlriEntry> out;
  Bytes b = Cat({Nlri("192.0.2.0/24", 1), Nlri("192.0.2.0/24", 0xFFFFFFFF), Nlri("0.0.0.0/0", 7)});
  EXPECT_EQ(b[0], 0);
  EXPECT_EQ(b[3], 1);
  EXPECT_EQ(b[4], 24);
  ASSERT_TRUE(DecodeNlri(b, Family::kIpv4, true, &out).ok());
  EXPECT_EQ(Texts(out), (Strings{"192.0.2.0/24#1", "192.0.2.0/24#4294967295", "0.0.0.0/0#7"}));
}

TEST(DecodeNlri, TruncatedTailKeepsEarlierPrefixes) {
  std::vector<NlriEntry> out;
  Bytes b = Cat({Nlri("192.0.2.0/24"), Nlri("198.51.100.0/24")});
  b.pop_back();
  Status s = DecodeNlri(b, Family::kIpv4, false, &out);
  EXPECT_EQ(s.code(), StatusCode::kTruncated);
  EXPECT_EQ(Texts(out), (Strings{"192.0.2.0/24"}));

  out.clear();
  Bytes a = Cat({Nlri("2001:db8::/32", 5), Nlri("2001:db8:1::/48", 6)});
  a.resize(a.size() - 3);
  s = DecodeNlri(a, Family::kIpv6, true, &out);
  EXPECT_EQ(s.code(), StatusCode::kTruncated);
  EXPECT_EQ(Texts(out), (Strings{"2001:db8::/32#5"}));
}

TEST(DecodeNlri, TruncatedPathIdentifierIsCorrupt) {
  std::vector<NlriEntry> out;
  Bytes b = Cat({Nlri("192.0.2.0/24", 1), Bytes{0, 0}});
  EXPECT_EQ(DecodeNlri(b, Family::kIpv4, true, &out).code(), StatusCode::kCorrupt);
  EXPECT_EQ(out.size(), 1u);
  Bytes id_only = {0, 0, 0, 1};
  out.clear();
  EXPECT_EQ(DecodeNlri(id_only, Family::kIpv4, true, &out).code(), StatusCode::kCorrupt);
  EXPECT_TRUE(out.empty());
}

TEST(DecodeNlri, PrefixLengthOverWidthIsCorrupt) {
  std::vector<NlriEntry> out;
  Bytes v4 = Cat({Nlri("192.0.2.0/24"), Bytes{33, 1, 2, 3, 4, 5}});
  EXPECT_EQ(DecodeNlri(v4, Family::kIpv4, false, &out).code(), StatusCode::kCorrupt);
  EXPECT_EQ(out.size(), 1u);
  out.clear();
  Bytes v6 = Bytes{129};
  v6.resize(18, 0xFF);
  EXPECT_EQ(DecodeNlri(v6, Family::kIpv6, false, &out).code(), StatusCode::kCorrupt);
  EXPECT_TRUE(out.empty());
  // 128 is fine for IPv6 but not for IPv4.
  Bytes l128 = Bytes{128};
  l128.resize(17, 0x11);
  out.clear();
  EXPECT_TRUE(DecodeNlri(l128, Family::kIpv6, false, &out).ok());
  EXPECT_EQ(DecodeNlri(l128, Family::kIpv4, false, &out).code(), StatusCode::kCorrupt);
}

TEST(DecodeNlri, KeepsHostBitsAsSent) {
  std::vector<NlriEntry> out;
  Bytes b = {23, 192, 0, 3};  // 192.0.3.0/23 has a host bit set
  ASSERT_TRUE(DecodeNlri(b, Family::kIpv4, false, &out).ok());
  EXPECT_EQ(out[0].prefix.ToString(), "192.0.3.0/23");
  EXPECT_EQ(out[0].prefix.Masked().ToString(), "192.0.2.0/23");
}

TEST(DecodeNlri, AppendsToTheOutput) {
  std::vector<NlriEntry> out = {{Prefix(IpAddress::V4(0x0A000000), 8), 3}};
  ASSERT_TRUE(DecodeNlri(Nlri("192.0.2.0/24"), Family::kIpv4, false, &out).ok());
  EXPECT_EQ(Texts(out), (Strings{"10.0.0.0/8#3", "192.0.2.0/24"}));
  ASSERT_TRUE(DecodeNlri({}, Family::kIpv4, false, &out).ok());
  EXPECT_EQ(out.size(), 2u);
}

TEST(DecodeNlri, TruncatedAtEveryOffsetNeverOverreads) {
  Bytes full = Cat({Nlri("2001:db8::/32", 1), Nlri("2001:db8:1:2::/64", 2), Nlri("::/0", 3)});
  for (size_t cut = 0; cut <= full.size(); ++cut) {
    SCOPED_TRACE(cut);
    std::unique_ptr<uint8_t[]> buf = std::make_unique<uint8_t[]>(cut);
    std::copy(full.begin(), full.begin() + static_cast<long>(cut), buf.get());
    std::vector<NlriEntry> out;
    Status s = DecodeNlri({buf.get(), cut}, Family::kIpv6, true, &out);
    const bool boundary = cut == 0 || cut == 9 || cut == 22 || cut == full.size();
    EXPECT_EQ(s.ok(), boundary) << s.ToString();
  }
}

}  // namespace
}  // namespace vigia::bgp
