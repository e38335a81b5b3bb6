#include "sim/prefix_origins.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "core/test_util.h"

namespace vigia::sim {
namespace {

std::vector<std::string> Cidrs(const char* a, const char* b) {
  std::vector<Prefix> out;
  RangeToPrefixes(*IpAddress::Parse(a), *IpAddress::Parse(b), &out);
  std::vector<std::string> s;
  for (const Prefix& p : out) s.push_back(p.ToString());
  return s;
}

TEST(RangeToPrefixes, FewestAlignedBlocks) {
  EXPECT_EQ(Cidrs("1.0.0.0", "1.0.0.255"), (std::vector<std::string>{"1.0.0.0/24"}));
  EXPECT_EQ(Cidrs("1.0.128.0", "1.0.196.255"),
            (std::vector<std::string>{"1.0.128.0/18", "1.0.192.0/22", "1.0.196.0/24"}));
  EXPECT_EQ(Cidrs("10.0.0.1", "10.0.0.6"),
            (std::vector<std::string>{"10.0.0.1/32", "10.0.0.2/31", "10.0.0.4/31", "10.0.0.6/32"}));
  EXPECT_EQ(Cidrs("0.0.0.0", "255.255.255.255"), (std::vector<std::string>{"0.0.0.0/0"}));
  EXPECT_EQ(Cidrs("255.255.255.255", "255.255.255.255"),
            (std::vector<std::string>{"255.255.255.255/32"}));
  EXPECT_EQ(
      Cidrs("2001:200::", "2001:200:1b9:ffff:ffff:ffff:ffff:ffff"),
      (std::vector<std::string>{"2001:200::/40", "2001:200:100::/41", "2001:200:180::/43",
                                "2001:200:1a0::/44", "2001:200:1b0::/45", "2001:200:1b8::/47"}));
  EXPECT_EQ(Cidrs("::", "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"),
            (std::vector<std::string>{"::/0"}));
}

TEST(PrefixOriginTable, BothFormatsAndBadLines) {
  PrefixOriginTable t;
  ASSERT_TRUE(t.LoadText("; IP-ASN32-DAT file\n"
                         "1.0.0.0/24\t15169\n"
                         "2001:db8::/32\tAS64496\r\n"
                         "1.0.4.0,1.0.7.255,38803,Gtelecom Pty Ltd\n"
                         "1.0.64.0,1.0.127.255,18144,\"Enecom,Inc.\"\n"
                         "1.0.0.0/24\tx\n"
                         "1.0.0.0/33\t1\n"
                         "1.0.0.9,1.0.0.1,1,backwards\n"
                         "1.0.0.0,::1,1,mixed\n"
                         "2.0.0.0/8\t0\n"
                         "garbage\n",
                         "t")
                  .ok());
  EXPECT_EQ(t.routes(), (std::vector<PrefixOrigin>{{*Prefix::Parse("1.0.0.0/24"), 15169},
                                                   {*Prefix::Parse("2001:db8::/32"), 64496},
                                                   {*Prefix::Parse("1.0.4.0/22"), 38803},
                                                   {*Prefix::Parse("1.0.64.0/18"), 18144}}));
  ASSERT_EQ(t.skipped(), 6u);
  EXPECT_EQ(t.problems().kept()[0].where, "t:6");
  EXPECT_EQ(t.problems().kept()[0].message, "bad AS number");
  EXPECT_EQ(t.problems().kept()[2].message, "range ends before it starts");
  EXPECT_EQ(t.problems().kept()[3].message, "range mixes IPv4 and IPv6");
  EXPECT_EQ(t.problems().kept()[4].message, "origin AS0");
}

// Figures computed with Python's ipaddress.summarize_address_range over the
// same files.
TEST(PrefixOriginTable, RealTables) {
  const std::string loc = test_util::SharedData() + "/ipmeta/ip-location-db/asn-ipv4.csv.xz";
  const std::string pyasn = test_util::SharedData() + "/ipmeta/pyasn/ipasn_20140513.dat.gz";
  if (!std::filesystem::exists(loc) || !std::filesystem::exists(pyasn)) {
    GTEST_SKIP() << "ip-location-db / pyasn tables absent under " << test_util::SharedData();
  }
  PrefixOriginTable t;
  ASSERT_TRUE(t.LoadFile(loc).ok());
  EXPECT_EQ(t.skipped(), 0u);
  EXPECT_EQ(t.routes().size(), 564580u);  // 411,961 ranges
  uint64_t addresses = 0;
  for (const PrefixOrigin& r : t.routes()) addresses += uint64_t{1} << (32 - r.prefix.length());
  EXPECT_EQ(addresses, 3310151665u);
  PrefixOriginTable p;
  ASSERT_TRUE(p.LoadFile(pyasn).ok());
  EXPECT_EQ(p.skipped(), 0u);
  EXPECT_EQ(p.routes().size(), 512621u);  // the file's own header says so too
}

}  // namespace
}  // namespace vigia::sim
