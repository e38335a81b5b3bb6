#include "mrt/bgpdump_format.h"

#include <gtest/gtest.h>

#include "mrt/test_util.h"
#include "mrt/writer.h"

namespace vigia::mrt {
namespace {

std::string Ipv6(const char* text) {
  auto a = IpAddress::Parse(text);
  EXPECT_TRUE(a.has_value()) << text;
  char buf[64];
  return std::string(buf, FormatIpv6Bgpdump(a->bytes(), buf));
}

// bgpdump's inet_ntop.c fmt_ipv6, including where it departs from RFC 5952.
TEST(FormatIpv6Bgpdump, MatchesBgpdumpText) {
  EXPECT_EQ(Ipv6("fe80::"), "fe80::");
  EXPECT_EQ(Ipv6("2001:db8::1"), "2001:db8::1");
  EXPECT_EQ(Ipv6("::"), "::");
  EXPECT_EQ(Ipv6("::1"), "::1");  // 1 is not "compatible" (> 1 required)
  EXPECT_EQ(Ipv6("::ffff:192.168.2.1"), "::ffff:192.168.2.1");
  EXPECT_EQ(Ipv6("::192.168.1.2"), "::192.168.1.2");
  EXPECT_EQ(Ipv6("2001:7f8:30::2:1:0:8447"), "2001:7f8:30::2:1:0:8447");
  // A single zero group is compressed too (RFC 5952 §4.2.2 would not).
  EXPECT_EQ(Ipv6("2001:db8:0:1:1:1:1:1"), "2001:db8::1:1:1:1:1");
  // The first of two equal runs wins.
  EXPECT_EQ(Ipv6("2001:0:0:1:0:0:1:1"), "2001::1:0:0:1:1");
}

Bgp4mpMessage UpdateMessage() {
  Bgp4mpMessage m;
  m.peer_as = 64500;
  m.local_as = 64501;
  m.peer_ip = *IpAddress::Parse("192.0.2.1");
  m.local_ip = *IpAddress::Parse("192.0.2.2");
  bgp::Update& u = m.message.update;
  u.attrs.Set(bgp::kAttrOrigin);
  u.attrs.Set(bgp::kAttrAsPath);
  u.attrs.as_path.segments.push_back({bgp::kAsSequence, 2});
  u.attrs.as_path.asns = {64500, 4200000001u};
  u.attrs.Set(bgp::kAttrNextHop);
  u.attrs.next_hop = *IpAddress::Parse("192.0.2.1");
  u.attrs.Set(bgp::kAttrCommunities);
  u.attrs.communities = {0xFFFFFF01, (64500u << 16) | 7};
  u.nlri.push_back({*Prefix::Parse("198.51.100.0/24"), 0});
  u.withdrawn.push_back({*Prefix::Parse("203.0.113.0/24"), 0});
  bgp::MpReach& r = u.attrs.AddMpReach();
  r.afi = bgp::kAfiIpv6;
  r.safi = bgp::kSafiUnicast;
  r.next_hop = *IpAddress::Parse("2001:db8::1");
  r.next_hop_length = 16;
  r.nlri.push_back({*Prefix::Parse("2001:db8:1::/48"), 0});
  return m;
}

TEST(BgpdumpFormatter, Bgp4mpEtLinesInBgpdumpOrder) {
  MrtWriter w;
  ASSERT_TRUE(w.WriteBgp4mpUpdate(1700000000, 42, UpdateMessage()).ok());
  auto m = test_util::DecodeBytes(w.data(), test_util::Format::kBgpdumpM);
  EXPECT_EQ(m.text,
            "BGP4MP_ET|1700000000.000042|W|192.0.2.1|64500|203.0.113.0/24\n"
            "BGP4MP_ET|1700000000.000042|A|192.0.2.1|64500|198.51.100.0/24|64500 4200000001|IGP|"
            "192.0.2.1|0|0|no-export 64500:7|NAG||\n"
            "BGP4MP_ET|1700000000.000042|A|192.0.2.1|64500|2001:db8:1::/48|64500 4200000001|IGP|"
            "2001:db8::1|0|0|no-export 64500:7|NAG||\n");
  auto h = test_util::DecodeBytes(w.data(), test_util::Format::kBgpdumpUpperM);
  EXPECT_EQ(h.text,
            "BGP4MP_ET|11/14/23 22:13:20.000042|W|192.0.2.1|64500|203.0.113.0/24\n"
            "BGP4MP_ET|11/14/23 22:13:20.000042|A|192.0.2.1|64500|198.51.100.0/24|64500 "
            "4200000001|IGP\n"
            "BGP4MP_ET|11/14/23 22:13:20.000042|A|192.0.2.1|64500|2001:db8:1::/48|64500 "
            "4200000001|IGP\n");
}

TEST(BgpdumpFormatter, MissingOriginPrintsIncompleteAndAbsentNextHopAllOnes) {
  Bgp4mpMessage m = UpdateMessage();
  bgp::PathAttributes& a = m.message.update.attrs;
  a.Clear();
  a.Set(bgp::kAttrAsPath);
  a.as_path.segments.push_back({bgp::kAsSet, 2});
  a.as_path.asns = {1, 2};
  m.message.update.withdrawn.clear();
  MrtWriter w;
  ASSERT_TRUE(w.WriteBgp4mpUpdate(1, 0, m).ok());
  auto d = test_util::DecodeBytes(w.data(), test_util::Format::kBgpdumpM);
  EXPECT_EQ(d.text,
            "BGP4MP_ET|1.000000|A|192.0.2.1|64500|198.51.100.0/24|{1,2}|INCOMPLETE|"
            "255.255.255.255|0|0||NAG||\n");
}

TEST(BgpdumpFormatter, StateChangeLine) {
  MrtWriter w;
  StateChange sc;
  sc.peer_as = 65001;
  sc.local_as = 65002;
  sc.peer_ip = *IpAddress::Parse("2001:db8::5");
  sc.local_ip = *IpAddress::Parse("2001:db8::6");
  sc.old_state = 6;
  sc.new_state = 1;
  ASSERT_TRUE(w.WriteStateChange(1000, 5, sc).ok());
  EXPECT_EQ(test_util::DecodeBytes(w.data(), test_util::Format::kBgpdumpM).text,
            "BGP4MP_ET|1000.000005|STATE|2001:db8::5|65001|6|1\n");
}

}  // namespace
}  // namespace vigia::mrt
