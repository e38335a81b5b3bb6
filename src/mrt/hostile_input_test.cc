// Hostile MRT records: every one must be skipped with a Status that names
// the rule, never crash, never read outside its buffer (ASan checks).
#include <gtest/gtest.h>

#include "bgp/test_builders.h"
#include "mrt/decoder.h"
#include "mrt/test_util.h"
#include "mrt/writer.h"

namespace vigia::mrt {
namespace {

Status DecodeRecord(uint16_t type, uint16_t subtype, const std::vector<uint8_t>& body,
                    Decoder* dec) {
  Record rec;
  rec.header.type = type;
  rec.header.subtype = subtype;
  rec.header.length = static_cast<uint32_t>(body.size());
  rec.body = body;
  return dec->Decode(rec);
}

std::vector<uint8_t> PeerIndex() {
  // collector 192.0.2.1, empty view, one IPv4 peer with a 4-octet AS.
  return {192, 0, 2, 1, 0, 0, 0, 1, 2, 10, 0, 0, 1, 192, 0, 2, 9, 0, 0, 0xFD, 0xE8};
}

TEST(HostileMrt, RibEntryCountBeyondTheRecord) {
  Decoder d;
  ASSERT_TRUE(DecodeRecord(kTypeTableDumpV2, kPeerIndexTable, PeerIndex(), &d).ok());
  // seq, /8 prefix 10, 5 entries claimed, none present.
  Status s = DecodeRecord(kTypeTableDumpV2, kRibIpv4Unicast, {0, 0, 0, 1, 8, 10, 0, 5}, &d);
  EXPECT_FALSE(s.ok());
  EXPECT_NE(s.message().find("RFC 6396 §4.3.4"), std::string::npos) << s.message();
}

TEST(HostileMrt, PeerIndexOutOfRange) {
  Decoder d;
  ASSERT_TRUE(DecodeRecord(kTypeTableDumpV2, kPeerIndexTable, PeerIndex(), &d).ok());
  Status s = DecodeRecord(kTypeTableDumpV2, kRibIpv4Unicast,
                          {0, 0, 0, 1, 8, 10, 0, 1, 0, 7, 0, 0, 0, 0, 0, 0}, &d);
  EXPECT_FALSE(s.ok());
  EXPECT_NE(s.message().find("peer index 7"), std::string::npos) << s.message();
}

TEST(HostileMrt, RibBeforePeerIndexTable) {
  Decoder d;
  Status s = DecodeRecord(kTypeTableDumpV2, kRibIpv4Unicast,
                          {0, 0, 0, 1, 8, 10, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0}, &d);
  EXPECT_FALSE(s.ok());
}

TEST(HostileMrt, PrefixLengthOverWidth) {
  Decoder d;
  ASSERT_TRUE(DecodeRecord(kTypeTableDumpV2, kPeerIndexTable, PeerIndex(), &d).ok());
  EXPECT_FALSE(
      DecodeRecord(kTypeTableDumpV2, kRibIpv4Unicast, {0, 0, 0, 1, 33, 1, 2, 3, 4, 5, 0, 0}, &d)
          .ok());
  std::vector<uint8_t> v6 = {0, 0, 0, 1, 129};
  v6.insert(v6.end(), 17, 0);
  v6.insert(v6.end(), {0, 0});
  EXPECT_FALSE(DecodeRecord(kTypeTableDumpV2, kRibIpv6Unicast, v6, &d).ok());
  // TABLE_DUMP v1 with /40.
  std::vector<uint8_t> td = {0, 0, 0, 0, 10, 0, 0, 0, 40, 1, 0, 0, 0, 0, 1, 2, 3, 4, 0, 1, 0, 0};
  EXPECT_FALSE(DecodeRecord(kTypeTableDump, 1, td, &d).ok());
}

TEST(HostileMrt, AttributeLongerThanItsRecord) {
  Decoder d;
  ASSERT_TRUE(DecodeRecord(kTypeTableDumpV2, kPeerIndexTable, PeerIndex(), &d).ok());
  // One entry whose attribute length says 200 but carries 4 bytes.
  std::vector<uint8_t> rib = {0, 0, 0, 1, 8, 10, 0, 1, 0, 0, 0, 0, 0, 0, 0, 200, 0x40, 1, 1, 0};
  EXPECT_FALSE(DecodeRecord(kTypeTableDumpV2, kRibIpv4Unicast, rib, &d).ok());
  // Attribute block fits, but an attribute inside claims more than the block.
  // RFC 7606 §4: that entry is treat-as-withdraw, the record stands.
  std::vector<uint8_t> rib2 = {0, 0, 0, 1, 8, 10, 0, 1, 0, 0, 0, 0, 0, 0, 0, 4, 0x40, 1, 90, 0};
  ASSERT_TRUE(DecodeRecord(kTypeTableDumpV2, kRibIpv4Unicast, rib2, &d).ok());
  const bgp::PathAttributes& a = d.rib().entries[0].attrs;
  EXPECT_TRUE(a.withdrawn());
  ASSERT_EQ(a.errors().size(), 1u);
  EXPECT_NE(a.errors()[0].message.find("exceeds"), std::string::npos) << a.errors()[0].message;
}

TEST(HostileMrt, AsPathSegmentOverflow) {
  Decoder d;
  ASSERT_TRUE(DecodeRecord(kTypeTableDumpV2, kPeerIndexTable, PeerIndex(), &d).ok());
  // AS_SEQUENCE of 200 ASNs in a 6-byte attribute.
  std::vector<uint8_t> rib = {0, 0, 0, 1,    8, 10, 0, 1,   0, 0, 0, 0, 0,
                              0, 0, 9, 0x40, 2, 6,  2, 200, 0, 0, 0, 1};
  // RFC 7606 §7.2: that entry is treat-as-withdraw, the record stands.
  ASSERT_TRUE(DecodeRecord(kTypeTableDumpV2, kRibIpv4Unicast, rib, &d).ok());
  const bgp::PathAttributes& a = d.rib().entries[0].attrs;
  EXPECT_TRUE(a.withdrawn());
  ASSERT_EQ(a.errors().size(), 1u);
  EXPECT_STREQ(a.errors()[0].rule, "RFC 7606 §7.2");
  EXPECT_NE(a.errors()[0].message.find("AS_PATH"), std::string::npos) << a.errors()[0].message;
}

TEST(HostileMrt, Bgp4mpBadAfiAndBadMarkerAndShortLength) {
  Decoder d;
  std::vector<uint8_t> m = {0, 1, 0, 2, 0, 0, 0, 9};  // AFI 9
  m.insert(m.end(), 40, 0);
  EXPECT_FALSE(DecodeRecord(kTypeBgp4mp, kMessage, m, &d).ok());
  std::vector<uint8_t> marker = {0, 1, 0, 2, 0, 0, 0, 1, 1, 2, 3, 4, 5, 6, 7, 8};
  marker.insert(marker.end(), 16, 0xFE);
  marker.insert(marker.end(), {0, 19, 4});
  EXPECT_FALSE(DecodeRecord(kTypeBgp4mp, kMessage, marker, &d).ok());
  std::vector<uint8_t> shortlen = {0, 1, 0, 2, 0, 0, 0, 1, 1, 2, 3, 4, 5, 6, 7, 8};
  shortlen.insert(shortlen.end(), 16, 0xFF);
  shortlen.insert(shortlen.end(), {0, 5, 4});
  EXPECT_FALSE(DecodeRecord(kTypeBgp4mp, kMessage, shortlen, &d).ok());
  std::vector<uint8_t> longlen = shortlen;
  longlen[longlen.size() - 2] = 200;  // length 200 in a 35-byte message
  EXPECT_FALSE(DecodeRecord(kTypeBgp4mp, kMessage, longlen, &d).ok());
}

TEST(HostileMrt, ZeroLengthRecordsOfEveryKindAreSkipped) {
  Decoder d;
  for (uint16_t type : {kTypeTableDump, kTypeTableDumpV2, kTypeBgp4mp, kTypeBgp4mpEt, kTypeBgp}) {
    for (uint16_t st = 0; st < 14; ++st) {
      Status s = DecodeRecord(type, st, {}, &d);
      // An empty PEER_INDEX_TABLE or state change can not be valid either.
      EXPECT_FALSE(s.ok()) << type << "/" << st;
    }
  }
}

// Every prefix of a real record decodes or fails cleanly.
TEST(HostileMrt, RecordsTruncatedAtEveryByte) {
  MrtWriter w;
  PeerIndexTable t;
  t.collector_id = IpAddress::V4(1);
  t.peers.push_back({2, IpAddress::V4(2), *IpAddress::Parse("2001:db8::2"), 4200000000u});
  ASSERT_TRUE(w.WritePeerIndexTable(1, t).ok());
  Rib rib;
  rib.afi = bgp::kAfiIpv6;
  rib.safi = bgp::kSafiUnicast;
  rib.prefix = *Prefix::Parse("2001:db8:100::/40");
  rib.entries.resize(1);
  rib.entry_count = 1;
  bgp::PathAttributes& a = rib.entries[0].attrs;
  a.Set(bgp::kAttrOrigin);
  a.Set(bgp::kAttrAsPath);
  a.as_path.segments.push_back({bgp::kAsSequence, 2});
  a.as_path.asns = {4200000000u, 65001};
  a.Set(bgp::kAttrCommunities);
  a.communities = {1, 2, 3};
  bgp::MpReach& m = a.AddMpReach();
  m.abbreviated = true;
  m.next_hop = *IpAddress::Parse("2001:db8::2");
  m.next_hop_length = 16;
  ASSERT_TRUE(w.WriteRib(1, rib).ok());
  const std::vector<uint8_t>& all = w.data();
  Decoder d;
  Record rec;
  // The peer index table occupies the first record.
  size_t pit = 12 + ((all[8] << 24) | (all[9] << 16) | (all[10] << 8) | all[11]);
  rec.header.type = kTypeTableDumpV2;
  rec.header.subtype = kPeerIndexTable;
  rec.body = {all.data() + 12, pit - 12};
  ASSERT_TRUE(d.Decode(rec).ok());
  const std::vector<uint8_t> body(all.begin() + static_cast<long>(pit) + 12, all.end());
  for (size_t cut = 0; cut < body.size(); ++cut) {
    std::vector<uint8_t> part(body.begin(), body.begin() + static_cast<long>(cut));
    EXPECT_FALSE(DecodeRecord(kTypeTableDumpV2, kRibIpv6Unicast, part, &d).ok()) << cut;
  }
  EXPECT_TRUE(DecodeRecord(kTypeTableDumpV2, kRibIpv6Unicast, body, &d).ok());
}

// ---------------------------------------------------------------------------
// RFC 7606 in TABLE_DUMP_V2: a bad attribute on one peer's entry affects
// that entry alone.

namespace b = bgp::test;

// PEER_INDEX_TABLE of three IPv4 peers with 4-octet ASes 65001-65003.
std::vector<uint8_t> ThreePeers() {
  std::vector<uint8_t> t = {192, 0, 2, 1, 0, 0, 0, 3};
  for (uint8_t i = 1; i <= 3; ++i) {
    t.insert(t.end(), {2, 10, 0, 0, i, 192, 0, 2, static_cast<uint8_t>(10 + i), 0, 0, 0xFD,
                       static_cast<uint8_t>(0xE8 + i)});
  }
  return t;
}

// A clean attribute block: ORIGIN IGP, AS_PATH <peer AS> 13335, NEXT_HOP.
b::Bytes GoodAttrs(uint32_t peer_as) {
  return b::Cat({b::Attr(0x40, bgp::kAttrOrigin, {0}),
                 b::Attr(0x40, bgp::kAttrAsPath,
                         b::Cat({b::Bytes{bgp::kAsSequence, 2}, b::U32(peer_as), b::U32(13335)})),
                 b::Attr(0x40, bgp::kAttrNextHop, b::IpBytes("192.0.2.254"))});
}

// A RIB_IPV4_UNICAST body for 10.0.0.0/8 with one entry per attribute block.
std::vector<uint8_t> RibBody(const std::vector<b::Bytes>& entries) {
  std::vector<uint8_t> r = {0, 0, 0, 1, 8, 10, 0, static_cast<uint8_t>(entries.size())};
  for (size_t i = 0; i < entries.size(); ++i) {
    const b::Bytes& a = entries[i];
    r.insert(r.end(), {0, static_cast<uint8_t>(i), 0, 0, 0, 0});
    b::Put16(&r, static_cast<uint32_t>(a.size()));
    r.insert(r.end(), a.begin(), a.end());
  }
  return r;
}

// One record through the decoder and the bgpdump -m formatter.
std::string DumpM(const Decoder& d) {
  OutputBuffer out;
  BgpdumpFormatter f(BgpdumpMode::kUnixTime);
  f.Format(d, &out);
  return std::string(out.view());
}

TEST(Rfc7606Rib, FiveByteAggregatorOnOneEntryIsDiscardedThereOnly) {
  Decoder d;
  ASSERT_TRUE(DecodeRecord(kTypeTableDumpV2, kPeerIndexTable, ThreePeers(), &d).ok());
  const b::Bytes bad =
      b::Cat({GoodAttrs(65002), b::Attr(0xC0, bgp::kAttrAggregator, {0, 1, 192, 0, 2})});
  ASSERT_TRUE(DecodeRecord(kTypeTableDumpV2, kRibIpv4Unicast,
                           RibBody({GoodAttrs(65001), bad, GoodAttrs(65003)}), &d)
                  .ok());
  ASSERT_EQ(d.rib().entry_count, 3u);
  EXPECT_EQ(DumpM(d),
            "TABLE_DUMP2|0|B|192.0.2.11|65001|10.0.0.0/8|65001 13335|IGP|192.0.2.254|0|0||NAG||\n"
            "TABLE_DUMP2|0|B|192.0.2.12|65002|10.0.0.0/8|65002 13335|IGP|192.0.2.254|0|0||NAG||\n"
            "TABLE_DUMP2|0|B|192.0.2.13|65003|10.0.0.0/8|65003 13335|IGP|192.0.2.254|0|0||NAG||\n");
  std::vector<std::string> reports;
  ForEachRouteProblem(d, [&](const RouteProblem& p) { reports.push_back(p.ToString()); });
  ASSERT_EQ(reports.size(), 1u);
  EXPECT_EQ(
      reports[0].rfind("peer 192.0.2.12 AS65002, 10.0.0.0/8: RFC 7606 §7.7 attribute discard:", 0),
      0u)
      << reports[0];
}

TEST(Rfc7606Rib, MalformedAsPathOnOneEntryWithdrawsThatEntryOnly) {
  Decoder d;
  ASSERT_TRUE(DecodeRecord(kTypeTableDumpV2, kPeerIndexTable, ThreePeers(), &d).ok());
  const b::Bytes bad = b::Cat({b::Attr(0x40, bgp::kAttrOrigin, {0}),
                               b::Attr(0x40, bgp::kAttrAsPath, {bgp::kAsSequence, 9, 0, 0})});
  ASSERT_TRUE(DecodeRecord(kTypeTableDumpV2, kRibIpv4Unicast,
                           RibBody({GoodAttrs(65001), bad, GoodAttrs(65003)}), &d)
                  .ok());
  const std::string text = DumpM(d);
  EXPECT_NE(text.find("|65001|10.0.0.0/8|"), std::string::npos) << text;
  EXPECT_EQ(text.find("|65002|"), std::string::npos) << text;
  EXPECT_NE(text.find("|65003|10.0.0.0/8|"), std::string::npos) << text;
  EXPECT_TRUE(d.rib().entries[1].attrs.withdrawn());
  std::vector<std::string> reports;
  ForEachRouteProblem(d, [&](const RouteProblem& p) { reports.push_back(p.ToString()); });
  ASSERT_EQ(reports.size(), 1u);
  EXPECT_NE(reports[0].find("RFC 7606 §7.2 treat-as-withdraw"), std::string::npos) << reports[0];
}

// Item 8: one peer's 4,097-hop AS_PATH used to skip the whole record;
// bgpdump prints the other peers, and so does Vigía now.
TEST(Rfc7606Rib, OverlongAsPathOnOneEntrySkipsThatEntryOnly) {
  Decoder d;
  ASSERT_TRUE(DecodeRecord(kTypeTableDumpV2, kPeerIndexTable, ThreePeers(), &d).ok());
  b::Bytes path;
  for (size_t done = 0; done < bgp::kMaxAsPathAsns + 1;) {
    const size_t n = std::min<size_t>(255, bgp::kMaxAsPathAsns + 1 - done);
    path.push_back(bgp::kAsSequence);
    path.push_back(static_cast<uint8_t>(n));
    for (size_t i = 0; i < n; ++i) b::Put32(&path, 64500);
    done += n;
  }
  const b::Bytes bad = b::Attr(0x40 | bgp::kFlagExtendedLength, bgp::kAttrAsPath, path);
  ASSERT_TRUE(DecodeRecord(kTypeTableDumpV2, kRibIpv4Unicast,
                           RibBody({GoodAttrs(65001), bad, GoodAttrs(65003)}), &d)
                  .ok());
  EXPECT_EQ(test_util::Lines(DumpM(d)).size(), 2u);
  std::vector<std::string> reports;
  ForEachRouteProblem(d, [&](const RouteProblem& p) { reports.push_back(p.ToString()); });
  ASSERT_EQ(reports.size(), 1u);
  EXPECT_NE(reports[0].find("cap kMaxAsPathAsns treat-as-withdraw"), std::string::npos)
      << reports[0];
}

// Item 8: -m cuts a long path with "..." after 7,900 characters as bgpdump
// does (documented in docs/bgpdump-compatibility.md); --json prints it whole.
TEST(LongAsPath, BgpdumpTextIsCutJsonIsWhole) {
  Decoder d;
  ASSERT_TRUE(DecodeRecord(kTypeTableDumpV2, kPeerIndexTable, ThreePeers(), &d).ok());
  b::Bytes path;
  for (size_t done = 0; done < 2000;) {
    const size_t n = std::min<size_t>(255, 2000 - done);
    path.push_back(bgp::kAsSequence);
    path.push_back(static_cast<uint8_t>(n));
    for (size_t i = 0; i < n; ++i) b::Put32(&path, 4200000000u + static_cast<uint32_t>(done + i));
    done += n;
  }
  const b::Bytes attrs = b::Cat({b::Attr(0x40, bgp::kAttrOrigin, {0}),
                                 b::Attr(0x40 | bgp::kFlagExtendedLength, bgp::kAttrAsPath, path)});
  ASSERT_TRUE(DecodeRecord(kTypeTableDumpV2, kRibIpv4Unicast, RibBody({attrs}), &d).ok());
  const std::string m = DumpM(d);
  EXPECT_NE(m.find("...|IGP|"), std::string::npos) << m.substr(0, 100);
  EXPECT_EQ(m.find("4200001999"), std::string::npos);
  OutputBuffer out;
  JsonFormatter j;
  j.Format(d, &out);
  const std::string json(out.view());
  EXPECT_EQ(json.find("..."), std::string::npos);
  EXPECT_NE(json.find("4200001998 4200001999\""), std::string::npos);
}

}  // namespace
}  // namespace vigia::mrt
