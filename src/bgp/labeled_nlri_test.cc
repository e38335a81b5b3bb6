// Labeled and VPN NLRI (RFC 8277 SAFI 4, RFC 4364/4659 SAFI 128): label
// stacks, route distinguishers, VPN next hops with their zero RD, RFC 8950
// IPv6 next hops for IPv4 NLRI, the encoder's round trip, hostile lengths.
#include <gtest/gtest.h>

#include <vector>

#include "bgp/encode.h"
#include "bgp/path_attributes.h"
#include "bgp/test_builders.h"

namespace vigia::bgp {
namespace {

using namespace test;  // NOLINT(google-build-using-namespace)

// RD type 1 10.215.182.150:0, as on the wire.
const Bytes kRd1 = {0, 1, 10, 215, 182, 150, 0, 0};
constexpr uint64_t kRd1Value = 0x00010AD7B6960000;

// One labeled entry: length in bits of labels + RD + prefix, then each.
Bytes Labeled(std::vector<uint32_t> labels, const Bytes& rd, const char* prefix,
              bool bottom = true) {
  auto p = Prefix::Parse(prefix);
  Bytes out = {static_cast<uint8_t>(24 * labels.size() + 8 * rd.size() + p->length())};
  for (size_t i = 0; i < labels.size(); ++i) {
    const uint32_t v = labels[i] << 4 | (bottom && i + 1 == labels.size() ? 1 : 0);
    out.insert(out.end(), {static_cast<uint8_t>(v >> 16), static_cast<uint8_t>(v >> 8),
                           static_cast<uint8_t>(v)});
  }
  out.insert(out.end(), rd.begin(), rd.end());
  out.insert(out.end(), p->address().bytes(), p->address().bytes() + (p->length() + 7) / 8);
  return out;
}

TEST(LabeledNlri, VpnV4EntryHasLabelRdAndPrefix) {
  std::vector<NlriEntry> out;
  ASSERT_TRUE(DecodeLabeledNlri(Cat({Labeled({917600}, kRd1, "193.135.110.64/28"),
                                     Labeled({16, 17}, kRd1, "10.0.0.0/8")}),
                                Family::kIpv4, true, true, false, &out)
                  .ok());
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[0].prefix.ToString(), "193.135.110.64/28");
  EXPECT_EQ(out[0].label_count, 1);
  EXPECT_EQ(out[0].labels[0], 917600u);
  EXPECT_EQ(out[0].rd, kRd1Value);
  EXPECT_EQ(FormatRd(out[0].rd), "10.215.182.150:0");
  EXPECT_EQ(out[1].label_count, 2);
  EXPECT_EQ(out[1].labels[1], 17u);
  EXPECT_EQ(out[1].prefix.ToString(), "10.0.0.0/8");
}

TEST(LabeledNlri, LabeledUnicastHasNoRd) {
  std::vector<NlriEntry> out;
  ASSERT_TRUE(DecodeLabeledNlri(Labeled({65718}, {}, "2001:db8::12/128"), Family::kIpv6, false,
                                true, false, &out)
                  .ok());
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].rd, 0u);
  EXPECT_EQ(out[0].labels[0], 65718u);
  EXPECT_EQ(out[0].prefix.ToString(), "2001:db8::12/128");
}

TEST(LabeledNlri, WithdrawalCompatibilityLabelEndsTheStack) {
  // RFC 8277 §2.4: 0x800000 without the bottom-of-stack bit in a withdrawal.
  Bytes w = {static_cast<uint8_t>(24 + 64 + 24), 0x80, 0, 0};
  w.insert(w.end(), kRd1.begin(), kRd1.end());
  w.insert(w.end(), {192, 0, 2});
  std::vector<NlriEntry> out;
  ASSERT_TRUE(DecodeLabeledNlri(w, Family::kIpv4, true, false, false, &out).ok());
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].prefix.ToString(), "192.0.2.0/24");
  // In an announcement the same bytes read a second label: malformed.
  out.clear();
  EXPECT_FALSE(DecodeLabeledNlri(w, Family::kIpv4, true, true, false, &out).ok());
}

TEST(LabeledNlri, HostileLengthsAreErrorsNeverOverreads) {
  std::vector<NlriEntry> out;
  // Length shorter than one label.
  EXPECT_FALSE(DecodeLabeledNlri(Bytes{20, 0, 0, 1}, Family::kIpv4, false, true, false, &out).ok());
  // Too short for the RD.
  EXPECT_FALSE(
      DecodeLabeledNlri(Bytes{24 + 32, 0, 0, 1, 1, 2, 3, 4}, Family::kIpv4, true, true, false, &out)
          .ok());
  // A prefix longer than the family after labels and RD.
  EXPECT_EQ(DecodeLabeledNlri(Bytes{24 + 33, 0, 0, 1, 1, 2, 3, 4, 5}, Family::kIpv4, false, true,
                              false, &out)
                .code(),
            StatusCode::kCorrupt);
  // A stack past kMaxLabelStack without the bottom bit.
  EXPECT_FALSE(DecodeLabeledNlri(Labeled({1, 2, 3, 4}, {}, "10.0.0.0/8", false), Family::kIpv4,
                                 false, true, false, &out)
                   .ok());
  // Every cut of a good list fails or stops cleanly.
  const Bytes good =
      Cat({Labeled({917600}, kRd1, "193.135.110.64/28"), Labeled({5}, kRd1, "2001:db8::/32")});
  for (size_t cut = 0; cut < good.size(); ++cut) {
    std::vector<NlriEntry> o;
    (void)DecodeLabeledNlri(Bytes(good.begin(), good.begin() + cut), Family::kIpv6, true, true,
                            true, &o);
  }
}

TEST(LabeledNlri, VpnMpReachReadsTheNextHopAfterItsRd) {
  // RFC 8950 / RFC 4659: VPNv4 NLRI with an RD + IPv6 next hop (24 octets).
  const Bytes nh = Cat({Bytes(8, 0), IpBytes("fd7c:3f00:301::1")});
  const Bytes body = Cat({U16(kAfiIpv4),
                          {kSafiMplsVpn, static_cast<uint8_t>(nh.size())},
                          nh,
                          {0},
                          Labeled({917600}, kRd1, "193.135.110.64/28")});
  PathAttributes a;
  ASSERT_TRUE(a.Decode(Attr(kOptNonTrans, kAttrMpReach, body), Ctx()).ok());
  ASSERT_EQ(a.mp_reach_count, 1u);
  const MpReach& m = a.mp_reach[0];
  EXPECT_TRUE(m.supported);
  EXPECT_EQ(m.next_hop_length, 24);
  EXPECT_EQ(m.next_hop.ToString(), "fd7c:3f00:301::1");
  ASSERT_EQ(m.nlri.size(), 1u);
  EXPECT_EQ(m.nlri[0].rd, kRd1Value);

  // RD + IPv4 (12) and RD + global + RD + link-local (48).
  const Bytes v4 = Cat({U16(kAfiIpv4), {kSafiMplsVpn, 12}, Bytes(8, 0), IpBytes("192.0.2.1"), {0}});
  ASSERT_TRUE(a.Decode(Attr(kOptNonTrans, kAttrMpReach, v4), Ctx()).ok());
  EXPECT_EQ(a.mp_reach[0].next_hop.ToString(), "192.0.2.1");
  const Bytes v6 = Cat({U16(kAfiIpv6),
                        {kSafiMplsVpn, 48},
                        Bytes(8, 0),
                        IpBytes("2001:db8::1"),
                        Bytes(8, 0),
                        IpBytes("fe80::1"),
                        {0}});
  ASSERT_TRUE(a.Decode(Attr(kOptNonTrans, kAttrMpReach, v6), Ctx()).ok());
  EXPECT_EQ(a.mp_reach[0].next_hop.ToString(), "2001:db8::1");
  EXPECT_EQ(a.mp_reach[0].next_hop_link_local.ToString(), "fe80::1");
}

TEST(LabeledNlri, UnicastIpv4WithIpv6NextHopIsRfc8950) {
  const Bytes body =
      Cat({U16(kAfiIpv4), {kSafiUnicast, 16}, IpBytes("2001:db8::1"), {0}, Nlri("192.0.2.0/24")});
  PathAttributes a;
  ASSERT_TRUE(a.Decode(Attr(kOptNonTrans, kAttrMpReach, body), Ctx()).ok());
  EXPECT_EQ(a.mp_reach[0].next_hop.ToString(), "2001:db8::1");
  ASSERT_EQ(a.mp_reach[0].nlri.size(), 1u);
  EXPECT_EQ(a.mp_reach[0].nlri[0].rd, 0u);
  EXPECT_EQ(a.mp_reach[0].nlri[0].label_count, 0);
}

TEST(LabeledNlri, EncoderRoundTripsVpnAndLabeledBlocks) {
  PathAttributes a;
  MpReach& r = a.AddMpReach();
  r.afi = kAfiIpv6;
  r.safi = kSafiMplsVpn;
  r.next_hop = Ip("2001:db8::1");
  NlriEntry e;
  e.prefix = *Prefix::Parse("2001:db8:5::/48");
  e.label_count = 2;
  e.labels[0] = 100;
  e.labels[1] = 917616;
  e.rd = kRd1Value;
  r.nlri = {e};
  MpUnreach& w = a.AddMpUnreach();
  w.afi = kAfiIpv4;
  w.safi = kSafiLabeled;
  NlriEntry l;
  l.prefix = *Prefix::Parse("203.0.113.12/32");
  l.label_count = 1;
  l.labels[0] = 65705;
  w.nlri = {l};
  std::vector<uint8_t> bytes;
  EncodeAttributes(a, Ctx(), &bytes);
  PathAttributes b;
  ASSERT_TRUE(b.Decode(bytes, Ctx()).ok());
  ASSERT_EQ(b.mp_reach_count, 1u);
  EXPECT_EQ(b.mp_reach[0].next_hop_length, 24);
  EXPECT_EQ(b.mp_reach[0].next_hop.ToString(), "2001:db8::1");
  ASSERT_EQ(b.mp_reach[0].nlri.size(), 1u);
  const NlriEntry& d = b.mp_reach[0].nlri[0];
  EXPECT_EQ(d.prefix.ToString(), "2001:db8:5::/48");
  EXPECT_EQ(d.rd, kRd1Value);
  ASSERT_EQ(d.label_count, 2);
  EXPECT_EQ(d.labels[0], 100u);
  EXPECT_EQ(d.labels[1], 917616u);
  ASSERT_EQ(b.mp_unreach_count, 1u);
  ASSERT_EQ(b.mp_unreach[0].nlri.size(), 1u);
  EXPECT_EQ(b.mp_unreach[0].nlri[0].prefix.ToString(), "203.0.113.12/32");
  EXPECT_EQ(b.mp_unreach[0].nlri[0].labels[0], 65705u);
}

TEST(LabeledNlri, RdTextForms) {
  EXPECT_EQ(FormatRd(0x0000FDE800000064), "65000:100");       // type 0
  EXPECT_EQ(FormatRd(0x0001C00002010007), "192.0.2.1:7");     // type 1
  EXPECT_EQ(FormatRd(0x0002FA56EA000005), "4200000000:5");    // type 2
  EXPECT_EQ(FormatRd(0x0007000000000001), "7:000000000001");  // unknown type
}

TEST(LabeledNlri, OtherSafisStayUndecoded) {
  // SAFI 133 (flowspec) is kept, its NLRI not read.
  const Bytes body = Cat({U16(kAfiIpv4), {133, 0}, {0}, {5, 1, 2, 3, 4, 5}});
  PathAttributes a;
  ASSERT_TRUE(a.Decode(Attr(kOptNonTrans, kAttrMpReach, body), Ctx()).ok());
  EXPECT_FALSE(a.mp_reach[0].supported);
  EXPECT_TRUE(a.mp_reach[0].nlri.empty());
}

}  // namespace
}  // namespace vigia::bgp
