// RouteFeed: the route events of MRT files, checked by a test-only
// RouteSink that records them as text, against what `bgpdump -m` prints for
// the same real files and against hand-built records.
#include "mrt/route_feed.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "bgp/test_builders.h"
#include "mrt/test_util.h"

namespace vigia::mrt {
namespace {

namespace b = bgp::test;
using test_util::HaveSharedData;
using test_util::Lines;
using test_util::SharedData;

// Records every event as a line of text, in the shape of bgpdump's fields.
class RecordingSink : public bgp::RouteSink {
 public:
  void Peer(bgp::PeerHandle h, const bgp::PeerInfo& info) override {
    EXPECT_EQ(h, peers.size()) << "handles are dense and introduced once";
    peers.push_back(info.ip.ToString() + "|" + std::to_string(info.asn));
    collector = std::string(info.collector);
  }
  void Announce(const bgp::Route& r, const bgp::PathAttributes& a) override {
    ASSERT_LT(r.peer, peers.size()) << "a handle is introduced before use";
    announces.push_back("A|" + peers[r.peer] + "|" + r.prefix.ToString() + "|" +
                        a.as_path.ToString());
    sources.push_back(r.source);
    times.push_back(r.time.seconds);
  }
  void Withdraw(const bgp::Route& r, bgp::WithdrawCause cause) override {
    ASSERT_LT(r.peer, peers.size());
    withdraws.push_back(std::string(cause == bgp::WithdrawCause::kWithdrawn ? "W|" : "TAW|") +
                        peers[r.peer] + "|" + r.prefix.ToString());
  }
  void SessionDown(bgp::PeerHandle peer, bgp::RouteTime t) override {
    downs.push_back(peers[peer] + "@" + std::to_string(t.seconds));
  }
  void Problem(const bgp::FeedProblem& p) override { problems.push_back({p.kind, p.ToString()}); }

  std::string collector;
  std::vector<std::string> peers, announces, withdraws, downs;
  std::vector<bgp::RouteSource> sources;
  std::vector<uint32_t> times;
  std::vector<std::pair<bgp::FeedProblem::Kind, std::string>> problems;
};

// The bgpdump -m lines of kind `kind` ("A", "W", "B") as
// "<kind>|peer|as|prefix[|path]" (the RIB kind "B" recorded as "A").
std::vector<std::string> DumpFields(const std::string& text, const std::string& kind) {
  std::vector<std::string> out;
  for (const std::string& l : Lines(text)) {
    std::vector<std::string> f;
    size_t start = 0;
    for (size_t bar; (bar = l.find('|', start)) != std::string::npos; start = bar + 1) {
      f.push_back(l.substr(start, bar - start));
    }
    f.push_back(l.substr(start));
    if (f.size() < 6 || f[2] != kind) continue;
    std::string s = (kind == "W" ? "W|" : "A|") + f[3] + "|" + f[4] + "|" + f[5];
    if (kind != "W") s += "|" + f[6];
    out.push_back(s);
  }
  return out;
}

class RouteFeedRealData : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!HaveSharedData()) GTEST_SKIP() << "needs ../shared/data (absent)";
  }
};

TEST_F(RouteFeedRealData, UpdateFileEventsMatchTheBgpdumpLines) {
  const std::string f = SharedData() + "/mrt/mrtparse-samples/quagga_bgp";
  RecordingSink sink;
  RouteFeed feed("rrc99");
  ASSERT_TRUE(feed.ReadFile(f, &sink).ok());
  const std::string text = test_util::DecodeFile(f, test_util::Format::kBgpdumpM).text;
  EXPECT_EQ(sink.announces, DumpFields(text, "A"));
  EXPECT_EQ(sink.withdraws, DumpFields(text, "W"));
  EXPECT_FALSE(sink.announces.empty());
  EXPECT_EQ(sink.collector, "rrc99");
  // Two sessions (IPv4 and IPv6 peer) leave Established once each.
  ASSERT_EQ(sink.downs.size(), 2u);
  EXPECT_EQ(sink.downs[0].substr(0, sink.downs[0].find('@')), "192.168.0.10|65000");
  for (bgp::RouteSource s : sink.sources) EXPECT_EQ(s, bgp::RouteSource::kUpdate);
  EXPECT_TRUE(sink.problems.empty());
}

TEST_F(RouteFeedRealData, RibDumpEntriesAreTableSnapshotAnnouncements) {
  const std::string f = SharedData() + "/mrt/mrtparse-samples/quagga_rib";
  RecordingSink sink;
  RouteFeed feed("rrc99");
  ASSERT_TRUE(feed.ReadFile(f, &sink).ok());
  const std::string text = test_util::DecodeFile(f, test_util::Format::kBgpdumpM).text;
  EXPECT_EQ(sink.announces, DumpFields(text, "B"));
  ASSERT_FALSE(sink.announces.empty());
  for (bgp::RouteSource s : sink.sources) EXPECT_EQ(s, bgp::RouteSource::kTableSnapshot);
  EXPECT_EQ(sink.times[0], 1486802400u);
  EXPECT_TRUE(sink.withdraws.empty());
  EXPECT_TRUE(sink.downs.empty());
}

// PeekRibPrefix reads the prefix Decode() does from every RIB record of
// one AFI/SAFI (IPv4, IPv6, ADD-PATH), and nothing from other records or
// from a record cut inside its prefix.
TEST_F(RouteFeedRealData, PeekedRibPrefixIsTheDecodedOne) {
  uint64_t peeked = 0;
  for (const char* name :
       {"pyasn/rib.20140523.0600_firstMB.bz2", "pyasn/rib6.20151101.0600_firstMB.bz2",
        "bgpdump-testdata/bview.ipv4_unicast_add_path.gz",
        "bgpdump-testdata/bview.ipv6_unicast_add_path.gz",
        "bgpdump-testdata/bview.20020722.2337.gz", "mrtparse-samples/quagga_rib",
        "mrtparse-samples/quagga_bgp"}) {
    const std::string f = SharedData() + "/mrt/" + name;
    auto reader = MrtReader::Open(f);
    ASSERT_TRUE(reader.ok()) << f;
    Decoder dec;
    Record rec;
    while ((*reader)->Next(&rec)) {
      Prefix p;
      const bool got = PeekRibPrefix(rec, &p);
      const bool decoded = dec.Decode(rec).ok();
      if (!got) {
        EXPECT_FALSE(decoded && dec.kind() == EntryKind::kRib && dec.rib().prefix_decoded &&
                     rec.header.subtype != kRibGeneric && rec.header.subtype != kRibGenericAddPath)
            << f << " offset " << rec.offset;
        continue;
      }
      ++peeked;
      ASSERT_TRUE(decoded) << f << " offset " << rec.offset;
      ASSERT_EQ(dec.kind(), EntryKind::kRib);
      EXPECT_EQ(p, dec.rib().prefix) << f << " offset " << rec.offset;
      // Cut inside the sequence number or the prefix: no prefix.
      const size_t prefix_end = 5 + (p.length() + 7) / 8;
      for (size_t cut = 0; cut < prefix_end; ++cut) {
        Record short_rec = rec;
        short_rec.body = rec.body.first(cut);
        EXPECT_FALSE(PeekRibPrefix(short_rec, &p)) << cut;
      }
    }
  }
  EXPECT_GT(peeked, 10'000u);
}

// SkipRibRecords: the records of skipped prefixes give no event; every
// other event is the unskipped read's, in its order.
TEST_F(RouteFeedRealData, SkippedRibRecordsLeaveTheOtherRoutesAsTheyAre) {
  const std::string f = SharedData() + "/mrt/pyasn/rib6.20151101.0600_firstMB.bz2";
  auto low = [](const Prefix& p) { return p.address().bytes()[3] % 2 == 0; };
  RecordingSink all, kept;
  RouteFeed whole("route-views2"), part("route-views2");
  part.SkipRibRecords(low);
  ASSERT_TRUE(whole.ReadFile(f, &all).ok());
  ASSERT_TRUE(part.ReadFile(f, &kept).ok());
  std::vector<std::string> expected;
  for (const std::string& a : all.announces) {
    const std::string prefix = a.substr(0, a.rfind('|'));
    if (!low(*Prefix::Parse(prefix.substr(prefix.rfind('|') + 1)))) expected.push_back(a);
  }
  ASSERT_GT(expected.size(), 1000u);
  ASSERT_LT(expected.size(), all.announces.size());
  EXPECT_EQ(kept.announces, expected);
  EXPECT_EQ(kept.peers, all.peers);
}

TEST_F(RouteFeedRealData, TruncatedFileIsReportedAsTruncated) {
  const std::string f = ::testing::TempDir() + "/vigia_feed_cut_quagga_bgp";
  test_util::RunCommand("head -c 3000 " + SharedData() + "/mrt/mrtparse-samples/quagga_bgp > " + f);
  RecordingSink sink;
  RouteFeed feed("rrc99");
  ASSERT_TRUE(feed.ReadFile(f, &sink).ok());
  ASSERT_EQ(sink.problems.size(), 1u);
  EXPECT_EQ(sink.problems[0].first, bgp::FeedProblem::Kind::kTruncated);
  EXPECT_NE(sink.problems[0].second.find(f + ": offset "), std::string::npos)
      << sink.problems[0].second;
}

Status DecodeRecord(uint16_t type, uint16_t subtype, const std::vector<uint8_t>& body,
                    Decoder* dec) {
  Record rec;
  rec.header.type = type;
  rec.header.subtype = subtype;
  rec.header.timestamp = 1700000000;
  rec.header.length = static_cast<uint32_t>(body.size());
  rec.body = body;
  return dec->Decode(rec);
}

// RFC 7606 treat-as-withdraw reaches the sink as Withdraw(kTreatAsWithdraw)
// with a Problem() before it; the other peer's route is announced.
TEST(RouteFeed, MalformedOriginOnOneEntryIsATreatAsWithdrawEvent) {
  Decoder d;
  // Two IPv4 peers with 4-octet ASes 65001 and 65002.
  std::vector<uint8_t> pit = {192, 0, 2, 1, 0, 0, 0, 2};
  for (uint8_t i = 1; i <= 2; ++i) {
    pit.insert(pit.end(), {2, 10, 0, 0, i, 192, 0, 2, static_cast<uint8_t>(10 + i), 0, 0, 0xFD,
                           static_cast<uint8_t>(0xE8 + i)});
  }
  ASSERT_TRUE(DecodeRecord(kTypeTableDumpV2, kPeerIndexTable, pit, &d).ok());
  RecordingSink sink;
  RouteFeed feed("c");
  feed.Feed(d, "mem", &sink);
  ASSERT_EQ(sink.peers, (std::vector<std::string>{"192.0.2.11|65001", "192.0.2.12|65002"}));

  const b::Bytes good = b::Cat(
      {b::Attr(0x40, bgp::kAttrOrigin, {0}),
       b::Attr(0x40, bgp::kAttrAsPath, b::Cat({b::Bytes{bgp::kAsSequence, 1}, b::U32(65001)}))});
  const b::Bytes bad = b::Attr(0x40, bgp::kAttrOrigin, {0, 0});
  std::vector<uint8_t> rib = {0, 0, 0, 1, 8, 10, 0, 2};
  for (uint8_t i = 0; i < 2; ++i) {
    const b::Bytes& a = i == 0 ? good : bad;
    rib.insert(rib.end(), {0, i, 0, 0, 0, 0});
    b::Put16(&rib, static_cast<uint32_t>(a.size()));
    rib.insert(rib.end(), a.begin(), a.end());
  }
  ASSERT_TRUE(DecodeRecord(kTypeTableDumpV2, kRibIpv4Unicast, rib, &d).ok());
  feed.Feed(d, "mem", &sink);
  EXPECT_EQ(sink.announces, (std::vector<std::string>{"A|192.0.2.11|65001|10.0.0.0/8|65001"}));
  EXPECT_EQ(sink.withdraws, (std::vector<std::string>{"TAW|192.0.2.12|65002|10.0.0.0/8"}));
  ASSERT_EQ(sink.problems.size(), 1u);
  EXPECT_EQ(sink.problems[0].first, bgp::FeedProblem::Kind::kRouteWithdrawn);
  EXPECT_NE(sink.problems[0].second.find("RFC 7606 §7.1 treat-as-withdraw"), std::string::npos)
      << sink.problems[0].second;
}

// The decoder reads labeled and VPN NLRI (SAFI 4, 128) since RFC 8277 /
// RFC 4364 support; the MRT route feed, which fills the global table,
// keeps passing unicast only.
TEST(RouteFeed, VpnAndLabeledBlocksGiveNoEvents) {
  const b::Bytes vpn =
      b::Cat({b::U16(bgp::kAfiIpv4),
              {bgp::kSafiMplsVpn, 12},
              b::Bytes(8, 0),
              b::IpBytes("192.0.2.1"),
              {0},
              {24 + 64 + 24, 0x00, 0x01, 0x01, 0, 0, 0xFD, 0xE8, 0, 0, 0, 1, 198, 51, 100}});
  const b::Bytes attrs = b::Cat(
      {b::Attr(bgp::kFlagOptional, bgp::kAttrMpReach, vpn), b::Attr(0x40, bgp::kAttrOrigin, {0}),
       b::Attr(0x40, bgp::kAttrAsPath, b::Cat({b::Bytes{bgp::kAsSequence, 1}, b::U32(65001)})),
       b::Attr(0x40, bgp::kAttrNextHop, b::IpBytes("192.0.2.1"))});
  b::Bytes update(16, 0xFF);
  b::Put16(&update, static_cast<uint32_t>(19 + 4 + attrs.size() + 2));
  update.push_back(bgp::kMsgUpdate);
  b::Put16(&update, 0);
  b::Put16(&update, static_cast<uint32_t>(attrs.size()));
  update.insert(update.end(), attrs.begin(), attrs.end());
  update.insert(update.end(), {8, 10});  // 10.0.0.0/8 unicast
  // RFC 6396 §4.4.3 BGP4MP_MESSAGE_AS4: peer AS, local AS, ifindex, AFI,
  // peer and local address, the message.
  b::Bytes body = b::Cat({b::U32(65001), b::U32(65000), b::U16(0), b::U16(1),
                          b::IpBytes("192.0.2.1"), b::IpBytes("192.0.2.2"), update});
  Decoder d;
  ASSERT_TRUE(DecodeRecord(kTypeBgp4mp, 4, body, &d).ok());
  // The VPN route is decoded (RD type 0, 65000:1)...
  const bgp::PathAttributes& a = d.bgp4mp().message.update.attrs;
  ASSERT_EQ(a.mp_reach_count, 1u);
  ASSERT_EQ(a.mp_reach[0].nlri.size(), 1u);
  EXPECT_EQ(bgp::FormatRd(a.mp_reach[0].nlri[0].rd), "65000:1");
  // ...and not passed on.
  RecordingSink sink;
  RouteFeed feed("c");
  feed.Feed(d, "mem", &sink);
  EXPECT_EQ(sink.announces, (std::vector<std::string>{"A|192.0.2.1|65001|10.0.0.0/8|65001"}));
  EXPECT_TRUE(sink.withdraws.empty());
}

}  // namespace
}  // namespace vigia::mrt
