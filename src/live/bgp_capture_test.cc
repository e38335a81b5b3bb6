// Captured BGP sessions replayed as route events: the real VPN capture of
// ../shared/data compared route by route with tshark's dissection, the
// labeled/VPN blocks of the BMP captures likewise, and damaged streams.
#include "live/bgp_capture.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <memory>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "bgp/encode.h"
#include "bgp/test_builders.h"
#include "bmp/route_feed.h"

namespace vigia::live {
namespace {

using bgp::test::Bytes;
using bgp::test::Cat;

// Every route event as "A afi safi rd prefix nh path" / "W afi safi rd prefix".
struct LineSink : bgp::RouteSink {
  std::multiset<std::string> routes;
  std::vector<std::string> problems;
  std::vector<std::string> peers;
  size_t downs = 0;
  bool labeled_only = false;

  void Peer(bgp::PeerHandle, const bgp::PeerInfo& i) override {
    peers.push_back(std::string(i.collector) + " " + i.ip.ToString() + " AS" +
                    std::to_string(i.asn));
  }
  static std::string Rd(const bgp::Route& r) {
    return r.safi == bgp::kSafiMplsVpn ? bgp::FormatRd(r.rd) : "-";
  }
  void Announce(const bgp::Route& r, const bgp::PathAttributes& a) override {
    if (labeled_only && !bgp::IsLabeledSafi(r.safi)) return;
    std::string nh = a.next_hop.ToString();
    for (size_t i = 0; i < a.mp_reach_count; ++i) {
      if (a.mp_reach[i].afi == r.afi && a.mp_reach[i].safi == r.safi) {
        nh = a.mp_reach[i].next_hop.ToString();
      }
    }
    routes.insert(fmt("A", r) + " " + nh + " " + a.as_path.ToString());
  }
  void Withdraw(const bgp::Route& r, bgp::WithdrawCause) override {
    if (labeled_only && !bgp::IsLabeledSafi(r.safi)) return;
    routes.insert(fmt("W", r) + " - -");
  }
  static std::string fmt(const char* k, const bgp::Route& r) {
    return std::string(k) + " " + std::to_string(r.afi) + " " + std::to_string(r.safi) + " " +
           Rd(r) + " " + r.prefix.ToString();
  }
  void SessionDown(bgp::PeerHandle, bgp::RouteTime) override { ++downs; }
  void Problem(const bgp::FeedProblem& p) override { problems.push_back(p.ToString()); }
};

std::string Tshark() {
  for (const char* p : {"/usr/bin/tshark", "/usr/local/bin/tshark"}) {
    if (std::filesystem::exists(p)) return p;
  }
  return "";
}

struct TsharkRoutes {
  std::multiset<std::string> routes;  // normalised like LineSink's
  size_t unprinted = 0;               // NLRI tshark shows without a prefix
  size_t unicast = 0;                 // SAFI 1/2 routes (not compared here)
};

// tshark -V | tshark_bgp_routes.py, addresses normalised through our parser.
TsharkRoutes FromTshark(const std::string& pcap, const std::string& decode_as) {
  TsharkRoutes out;
  const std::string cmd = Tshark() + " -r '" + pcap + "' " + decode_as +
                          " -V 2>/dev/null | python3 '" VIGIA_SOURCE_DIR
                          "/src/live/testdata/tshark_bgp_routes.py'";
  std::unique_ptr<FILE, int (*)(FILE*)> f(popen(cmd.c_str(), "r"), pclose);
  std::string text;
  char buf[65536];
  for (size_t n; f && (n = fread(buf, 1, sizeof buf, f.get())) > 0;) text.append(buf, n);
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    if (line.empty()) continue;
    std::vector<std::string> c;
    std::istringstream fields(line);
    for (std::string x; std::getline(fields, x, '\t');) c.push_back(x);
    EXPECT_EQ(c.size(), 7u) << line;
    if (c.size() != 7) continue;
    if (c[0] == "?") {
      ++out.unprinted;
      continue;
    }
    if (!bgp::IsLabeledSafi(static_cast<uint8_t>(std::stoi(c[2])))) {
      ++out.unicast;
      continue;
    }
    auto p = Prefix::Parse(c[4], true);
    EXPECT_TRUE(p.has_value()) << line;
    if (!p) continue;
    std::string nh = c[5];
    if (auto a = IpAddress::Parse(nh)) nh = a->ToString();
    std::string s = c[0] + " " + c[1] + " " + c[2] + " " + c[3] + " " + p->ToString() + " " + nh +
                    " " + (c[0] == "A" ? c[6] : "-");
    out.routes.insert(s);
  }
  return out;
}

size_t Missing(const std::multiset<std::string>& want, const std::multiset<std::string>& have,
               const char* what) {
  std::multiset<std::string> diff;
  std::set_difference(want.begin(), want.end(), have.begin(), have.end(),
                      std::inserter(diff, diff.end()));
  for (auto it = diff.begin(); it != diff.end() && std::distance(diff.begin(), it) < 5; ++it) {
    ADD_FAILURE() << what << ": " << *it;
  }
  return diff.size();
}

#define REQUIRE_CAPTURE(name)                                                              \
  const std::string path =                                                                 \
      std::string(VIGIA_SHARED_DATA) + "/bmp/pmacct-test-automation/" + std::string(name); \
  if (!std::filesystem::exists(path)) GTEST_SKIP() << path << " is absent";                \
  if (Tshark().empty()) GTEST_SKIP() << "tshark is not installed (apt-get install tshark)";

TEST(BgpCaptureReal, VpnSessionRoutesEqualTshark) {
  // 300-BGP-IPv6-CISCO-extNH_enc.pcap: one direction of an IOS-XR session
  // over IPv6 whose UPDATEs are all VPNv4/VPNv6 (SAFI 128), VPNv4 with an
  // RFC 8950 IPv6 next hop. Every route must be the one tshark decodes:
  // prefix, RD, next hop and AS path.
  REQUIRE_CAPTURE("300-BGP-IPv6-CISCO-extNH_enc.pcap");
  auto cap = bmp::ReadPcapTcpFile(path);
  ASSERT_TRUE(cap.ok()) << cap.status().message();
  LineSink ours;
  BgpCaptureStats stats;
  ASSERT_TRUE(FeedBgpPcap(*cap, "300.pcap", &ours, &stats).ok());
  EXPECT_TRUE(ours.problems.empty()) << ours.problems.front();
  EXPECT_EQ(stats.messages, 47u);
  EXPECT_EQ(stats.opens, 1u);
  EXPECT_EQ(stats.updates, 45u);
  ASSERT_EQ(ours.peers.size(), 1u);
  EXPECT_EQ(ours.peers[0], "300.pcap 2001:4d98:a100:300:0:921:f:1 AS64969");

  const TsharkRoutes theirs = FromTshark(path, "");
  EXPECT_EQ(theirs.unprinted, 0u);
  EXPECT_EQ(theirs.routes.size(), 163u);
  const size_t missing = Missing(theirs.routes, ours.routes, "tshark's, not ours");
  const size_t extra = Missing(ours.routes, theirs.routes, "ours, not tshark's");
  EXPECT_EQ(ours.routes, theirs.routes);
  std::printf(
      "300-BGP-IPv6-CISCO-extNH_enc.pcap: %zu BGP messages, %zu UPDATEs; %zu VPN routes "
      "(prefix, RD, next hop, AS path) from tshark, %zu from Vigia, %zu differ\n",
      static_cast<size_t>(stats.messages), static_cast<size_t>(stats.updates), theirs.routes.size(),
      ours.routes.size(), missing + extra);
}

void CompareBmpLabeled(const std::string& path, size_t* equal, size_t* differ, size_t* unprinted) {
  auto cap = bmp::ReadPcapTcpFile(path);
  ASSERT_TRUE(cap.ok()) << cap.status().message();
  LineSink ours;
  ours.labeled_only = true;
  bmp::BmpRouteFeed feed("pcap");
  for (const bmp::TcpStream& s : cap->streams) {
    if (s.dst_port == 1790) {
      ASSERT_TRUE(feed.FeedStream(s.data, s.src, path, &ours).ok());
    }
  }
  const TsharkRoutes theirs = FromTshark(path, "-d tcp.port==1790,bmp");
  // NLRI that tshark prints as a bare label have no prefix to compare:
  // ours has one route more for each.
  const size_t missing = Missing(theirs.routes, ours.routes, "tshark's, not ours");
  const size_t extra = ours.routes.size() - (theirs.routes.size() - missing);
  std::multiset<std::string> more;
  std::set_difference(ours.routes.begin(), ours.routes.end(), theirs.routes.begin(),
                      theirs.routes.end(), std::inserter(more, more.end()));
  for (const std::string& r : more)
    std::printf("  ours only (tshark printed no prefix): %s\n", r.c_str());
  EXPECT_EQ(missing, 0u);
  EXPECT_EQ(extra, theirs.unprinted);
  *equal = theirs.routes.size() - missing;
  *differ = missing;
  *unprinted = theirs.unprinted;
}

TEST(BgpCaptureReal, BmpLabeledAndVpnBlocksEqualTshark) {
  // The BMP captures' SAFI 4 / SAFI 128 blocks (77 in the Huawei one) now
  // give route events through BmpRouteFeed, each equal to tshark's.
  REQUIRE_CAPTURE("200-BMP-HUAWEI-locrib_instance.pcap");
  size_t total = 0;
  for (const char* name :
       {"200-BMP-HUAWEI-locrib_instance.pcap", "201-BMP-CISCO-rd_instance.pcap"}) {
    const std::string p = std::string(VIGIA_SHARED_DATA) + "/bmp/pmacct-test-automation/" + name;
    size_t equal = 0, differ = 0, unprinted = 0;
    CompareBmpLabeled(p, &equal, &differ, &unprinted);
    std::printf(
        "%s: %zu labeled/VPN route events equal to tshark's, %zu differ, %zu NLRI tshark "
        "prints without a prefix\n",
        name, equal, differ, unprinted);
    total += equal;
  }
  EXPECT_GT(total, 70u);
}

// ---------------------------------------------------------------- synthetic sessions

Bytes Message(uint8_t type, const Bytes& body) {
  Bytes m(16, 0xFF);
  bgp::test::Put16(&m, static_cast<uint32_t>(19 + body.size()));
  m.push_back(type);
  return Cat({m, body});
}

// An OPEN with My AS, optionally the 4-octet AS capability (RFC 6793).
Bytes Open(uint32_t as, bool as4) {
  Bytes caps;
  if (as4) caps = Cat({{2, 6, 65, 4}, bgp::test::U32(as)});
  Bytes body = Cat({{4},
                    bgp::test::U16(as4 && as > 0xFFFF ? 23456 : as),
                    bgp::test::U16(90),
                    {10, 0, 0, 1},
                    {static_cast<uint8_t>(caps.size())},
                    caps});
  return Message(bgp::kMsgOpen, body);
}

// An UPDATE of one IPv4 prefix with AS_PATH of as_size-octet ASNs.
Bytes Update(const std::vector<uint32_t>& path, int as_size, const char* prefix) {
  Bytes seg = {bgp::kAsSequence, static_cast<uint8_t>(path.size())};
  for (uint32_t a : path) {
    if (as_size == 4) {
      bgp::test::Put32(&seg, a);
    } else {
      bgp::test::Put16(&seg, a);
    }
  }
  Bytes attrs = Cat({{0x40, 1, 1, 0},
                     {0x40, 2, static_cast<uint8_t>(seg.size())},
                     seg,
                     {0x40, 3, 4, 192, 0, 2, 1}});
  auto p = Prefix::Parse(prefix);
  Bytes nlri = {p->length()};
  nlri.insert(nlri.end(), p->address().bytes(), p->address().bytes() + (p->length() + 7) / 8);
  Bytes body =
      Cat({bgp::test::U16(0), bgp::test::U16(static_cast<uint32_t>(attrs.size())), attrs, nlri});
  return Message(bgp::kMsgUpdate, body);
}

bmp::TcpStream Stream(const char* src, const char* dst, uint16_t sport, uint16_t dport, Bytes d) {
  bmp::TcpStream s;
  s.src = *IpAddress::Parse(src);
  s.dst = *IpAddress::Parse(dst);
  s.src_port = sport;
  s.dst_port = dport;
  s.data = std::move(d);
  s.first_seconds = 1700000000;
  return s;
}

TEST(BgpCapture, BothDirectionsNegotiateTwoOctetAsWhenOneSideLacksIt) {
  // RFC 6793 §4: B did not advertise capability 65, so A's AS_PATH has
  // 2-octet ASNs although A's own OPEN has the capability.
  const auto a = Stream("10.0.0.1", "10.0.0.2", 40000, 179,
                        Cat({Open(65001, true), Update({65001, 3356}, 2, "198.51.100.0/24")}));
  const auto b = Stream("10.0.0.2", "10.0.0.1", 179, 40000,
                        Cat({Open(65002, false), Update({65002, 174}, 2, "203.0.113.0/24")}));
  LineSink sink;
  ASSERT_TRUE(FeedBgpCapture(a, &b, "lab", &sink).ok());
  EXPECT_TRUE(sink.problems.empty()) << sink.problems.front();
  EXPECT_EQ(sink.routes,
            (std::multiset<std::string>{"A 1 1 - 198.51.100.0/24 192.0.2.1 65001 3356",
                                        "A 1 1 - 203.0.113.0/24 192.0.2.1 65002 174"}));
  EXPECT_EQ(sink.peers, (std::vector<std::string>{"lab 10.0.0.1 AS65001", "lab 10.0.0.2 AS65002"}));
}

TEST(BgpCapture, FourOctetPathsWhenBothSidesAdvertiseIt) {
  const auto a =
      Stream("10.0.0.1", "10.0.0.2", 40000, 179,
             Cat({Open(4200000001u, true), Update({4200000001u, 3356}, 4, "192.0.2.0/24")}));
  const auto b = Stream("10.0.0.2", "10.0.0.1", 179, 40000, Open(65002, true));
  LineSink sink;
  ASSERT_TRUE(FeedBgpCapture(a, &b, "lab", &sink).ok());
  EXPECT_EQ(sink.routes,
            (std::multiset<std::string>{"A 1 1 - 192.0.2.0/24 192.0.2.1 4200000001 3356"}));
  EXPECT_EQ(sink.peers[0], "lab 10.0.0.1 AS4200000001");
}

TEST(BgpCapture, NotificationEndsTheSessionAndLaterBytesAreIgnored) {
  const auto a =
      Stream("10.0.0.1", "10.0.0.2", 40000, 179,
             Cat({Open(65001, true), Update({65001}, 4, "192.0.2.0/24"),
                  Message(bgp::kMsgNotification, {6, 2}), Update({65001}, 4, "198.51.100.0/24")}));
  LineSink sink;
  ASSERT_TRUE(FeedBgpCapture(a, nullptr, "lab", &sink).ok());
  EXPECT_EQ(sink.routes.size(), 1u);
  EXPECT_EQ(sink.downs, 1u);
}

TEST(BgpCapture, DamagedFramingResynchronisesOnTheNextMarker) {
  // A capture gap left 7 stray bytes between two messages; the stream
  // then ends inside a message.
  Bytes cut = Update({65001}, 4, "203.0.113.0/24");
  cut.resize(cut.size() - 3);
  const auto a = Stream("10.0.0.1", "10.0.0.2", 40000, 179,
                        Cat({Open(65001, true), Bytes{1, 2, 3, 4, 5, 6, 7},
                             Update({65001}, 4, "192.0.2.0/24"), cut}));
  LineSink sink;
  BgpCaptureStats stats;
  ASSERT_TRUE(FeedBgpCapture(a, nullptr, "lab", &sink, &stats).ok());
  EXPECT_EQ(sink.routes.size(), 1u);
  ASSERT_EQ(sink.problems.size(), 2u);
  EXPECT_NE(sink.problems[0].find("7 octets skipped"), std::string::npos) << sink.problems[0];
  EXPECT_NE(sink.problems[1].find("stream ends inside a BGP message"), std::string::npos)
      << sink.problems[1];
  EXPECT_EQ(stats.bad, 2u);
}

TEST(BgpCapture, LengthUnderNineteenIsDamageNotALoop) {
  Bytes bad(16, 0xFF);
  bad.insert(bad.end(), {0, 5, 2});  // length 5
  const auto a = Stream("10.0.0.1", "10.0.0.2", 40000, 179, Cat({bad, bad, bad}));
  LineSink sink;
  EXPECT_EQ(FeedBgpCapture(a, nullptr, "lab", &sink).code(), StatusCode::kCorrupt);
  EXPECT_TRUE(sink.routes.empty());
  EXPECT_FALSE(sink.problems.empty());
}

TEST(BgpCapture, PcapWithoutPort179IsNotFound) {
  bmp::PcapSummary pcap;
  pcap.streams.push_back(Stream("10.0.0.1", "10.0.0.2", 40000, 1790, Bytes{1, 2, 3}));
  LineSink sink;
  EXPECT_EQ(FeedBgpPcap(pcap, "x.pcap", &sink).code(), StatusCode::kNotFound);
}

TEST(BgpCapture, PcapPairsEachConnectionWithItsReverse) {
  bmp::PcapSummary pcap;
  pcap.streams.push_back(Stream("10.0.0.1", "10.0.0.2", 40000, 179,
                                Cat({Open(65001, true), Update({65001}, 4, "192.0.2.0/24")})));
  pcap.streams.push_back(Stream("10.0.0.3", "10.0.0.2", 40001, 179,
                                Cat({Open(65003, true), Update({65003}, 4, "192.0.2.0/24")})));
  pcap.streams.push_back(Stream("10.0.0.2", "10.0.0.1", 179, 40000, Open(65002, true)));
  LineSink sink;
  BgpCaptureStats stats;
  ASSERT_TRUE(FeedBgpPcap(pcap, "x.pcap", &sink, &stats).ok());
  EXPECT_EQ(stats.sessions, 2u);
  EXPECT_EQ(sink.peers.size(), 3u);  // 10.0.0.1, its reverse 10.0.0.2, 10.0.0.3
  EXPECT_EQ(sink.routes.size(), 2u);
}

}  // namespace
}  // namespace vigia::live
