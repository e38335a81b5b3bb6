#include "core/ip.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <string_view>
#include <vector>

namespace vigia {
namespace {

// Parses text that the test knows is valid; fails the test otherwise.
IpAddress Addr(std::string_view text) {
  auto a = IpAddress::Parse(text);
  EXPECT_TRUE(a.has_value()) << text;
  return a.value_or(IpAddress());
}

Prefix Pfx(std::string_view text) {
  auto p = Prefix::Parse(text);
  EXPECT_TRUE(p.has_value()) << text;
  return p.value_or(Prefix());
}

TEST(IpAddress, ParsesDottedQuadIntoNetworkOrderBytes) {
  IpAddress a = Addr("192.0.2.1");
  EXPECT_TRUE(a.is_v4());
  EXPECT_FALSE(a.is_v6());
  EXPECT_EQ(a.family(), Family::kIpv4);
  EXPECT_EQ(a.bit_width(), 32);
  EXPECT_EQ(a.v4(), 0xC0000201u);
  EXPECT_EQ(a.bytes()[0], 192);
  EXPECT_EQ(a.bytes()[3], 1);
  // The twelve unused octets stay zero so that equality is a byte compare.
  for (int i = 4; i < 16; ++i) EXPECT_EQ(a.bytes()[i], 0) << i;
  EXPECT_EQ(a, IpAddress::V4(0xC0000201));
}

TEST(IpAddress, FormatsIpv4AsDottedQuad) {
  EXPECT_EQ(IpAddress::V4(0).ToString(), "0.0.0.0");
  EXPECT_EQ(IpAddress::V4(0xFFFFFFFF).ToString(), "255.255.255.255");
  EXPECT_EQ(IpAddress::V4(0x0A000001).ToString(), "10.0.0.1");
  EXPECT_EQ(Addr("198.51.100.200").ToString(), "198.51.100.200");
}

TEST(IpAddress, FormatWritesAtPointerAndReturnsEnd) {
  char buf[64];
  std::fill(std::begin(buf), std::end(buf), 'x');
  char* end = Addr("2001:db8::1").Format(buf);
  EXPECT_EQ(std::string(buf, end), "2001:db8::1");
  EXPECT_EQ(*end, 'x');  // no terminator written
}

TEST(IpAddress, ParsesIpv6) {
  IpAddress a = Addr("2001:db8::1");
  EXPECT_TRUE(a.is_v6());
  EXPECT_EQ(a.bit_width(), 128);
  EXPECT_EQ(a.bytes()[0], 0x20);
  EXPECT_EQ(a.bytes()[1], 0x01);
  EXPECT_EQ(a.bytes()[2], 0x0d);
  EXPECT_EQ(a.bytes()[3], 0xb8);
  EXPECT_EQ(a.bytes()[15], 0x01);
  for (int i = 4; i < 15; ++i) EXPECT_EQ(a.bytes()[i], 0) << i;
}

// RFC 5952 §4: lower case, no leading zeros, the longest run of zero groups
// compressed (the first when tied), a single zero group not compressed.
TEST(IpAddress, FormatsIpv6InRfc5952CanonicalText) {
  EXPECT_EQ(Addr("2001:0DB8:0000:0000:0000:0000:0000:0001").ToString(), "2001:db8::1");
  EXPECT_EQ(Addr("2001:db8:0:0:1:0:0:1").ToString(), "2001:db8::1:0:0:1");
  EXPECT_EQ(Addr("2001:db8:0:0:0:1:0:0").ToString(), "2001:db8::1:0:0");
  EXPECT_EQ(Addr("2001:db8:0:1:1:1:1:1").ToString(), "2001:db8:0:1:1:1:1:1");
  EXPECT_EQ(Addr("0:0:0:0:0:0:0:0").ToString(), "::");
  EXPECT_EQ(Addr("0:0:0:0:0:0:0:1").ToString(), "::1");
  EXPECT_EQ(Addr("fe80:0:0:0:0:0:0:0").ToString(), "fe80::");
  EXPECT_EQ(Addr("2001:db8:aaaa:bbbb:cccc:dddd:eeee:ffff").ToString(),
            "2001:db8:aaaa:bbbb:cccc:dddd:eeee:ffff");
  // RFC 5952 §5: IPv4-mapped addresses keep the dotted quad.
  EXPECT_EQ(Addr("::ffff:c000:0201").ToString(), "::ffff:192.0.2.1");
}

TEST(IpAddress, Ipv4MappedIpv6IsNotEqualToIpv4) {
  IpAddress mapped = Addr("::ffff:192.0.2.1");
  EXPECT_TRUE(mapped.is_v6());
  EXPECT_NE(mapped, Addr("192.0.2.1"));
}

TEST(IpAddress, RejectsInvalidText) {
  for (std::string_view bad : {"", "1.2.3", "1.2.3.4.5", "256.0.0.1", "1.2.3.-1", "a.b.c.d",
                               " 1.2.3.4", "1.2.3.4 ", "1.2.3.4/24", "2001:db8::1::2", "12345::",
                               "2001:db8:::1", "1:2:3:4:5:6:7:8:9", "gggg::", ":", "::1%eth0"}) {
    EXPECT_FALSE(IpAddress::Parse(bad).has_value()) << "'" << bad << "'";
  }
}

TEST(IpAddress, RejectsOverlongText) {
  // The longest valid text is 45 characters; longer input must be refused
  // without overrunning the parser's stack buffer.
  EXPECT_TRUE(IpAddress::Parse("0000:0000:0000:0000:0000:ffff:255.255.255.255").has_value());
  EXPECT_FALSE(IpAddress::Parse(std::string(64, '1')).has_value());
  EXPECT_FALSE(IpAddress::Parse(std::string(63, ':')).has_value());
  EXPECT_FALSE(IpAddress::Parse(std::string(4096, '0')).has_value());
}

TEST(IpAddress, ParseStopsAtTheViewAndIgnoresBytesAfterIt) {
  // A view into a longer buffer: only the viewed characters count.
  std::string_view whole = "10.0.0.1999";
  auto a = IpAddress::Parse(whole.substr(0, 8));
  ASSERT_TRUE(a.has_value());
  EXPECT_EQ(a->ToString(), "10.0.0.1");
}

TEST(IpAddress, RejectsTextWithEmbeddedNul) {
  EXPECT_FALSE(IpAddress::Parse(std::string_view("192.0.2.1\0junk", 14)).has_value());
  EXPECT_FALSE(Prefix::Parse(std::string_view("192.0.2.0\0x/24", 14)).has_value());
}

TEST(IpAddress, DefaultIsIpv4Zero) {
  IpAddress a;
  EXPECT_TRUE(a.is_v4());
  EXPECT_TRUE(a.IsZero());
  EXPECT_EQ(a.ToString(), "0.0.0.0");
  EXPECT_FALSE(IpAddress::V4(1).IsZero());
  EXPECT_TRUE(Addr("::").IsZero());
}

TEST(IpAddress, FromBytesCopiesFourOrSixteenOctets) {
  const uint8_t raw[16] = {0x20, 0x01, 0x0d, 0xb8, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12};
  EXPECT_EQ(IpAddress::FromBytes(Family::kIpv4, raw).ToString(), "32.1.13.184");
  EXPECT_EQ(IpAddress::FromBytes(Family::kIpv6, raw).ToString(),
            "2001:db8:102:304:506:708:90a:b0c");
}

TEST(IpAddress, OrdersIpv4BeforeIpv6ThenByBytes) {
  std::vector<IpAddress> v = {Addr("::1"),      Addr("10.0.0.2"),      Addr("2001:db8::"),
                              Addr("10.0.0.1"), Addr("9.255.255.255"), Addr("::")};
  std::sort(v.begin(), v.end());
  std::vector<std::string> text;
  for (const IpAddress& a : v) text.push_back(a.ToString());
  EXPECT_EQ(text, (std::vector<std::string>{"9.255.255.255", "10.0.0.1", "10.0.0.2", "::", "::1",
                                            "2001:db8::"}));
  EXPECT_LT(Addr("255.255.255.255"), Addr("::"));
}

TEST(Prefix, ParsesIpv4AndIpv6) {
  Prefix p = Pfx("192.0.2.0/24");
  EXPECT_EQ(p.family(), Family::kIpv4);
  EXPECT_EQ(p.length(), 24);
  EXPECT_EQ(p.address(), Addr("192.0.2.0"));
  EXPECT_EQ(p.ToString(), "192.0.2.0/24");

  Prefix q = Pfx("2001:DB8::/32");
  EXPECT_EQ(q.family(), Family::kIpv6);
  EXPECT_EQ(q.length(), 32);
  EXPECT_EQ(q.ToString(), "2001:db8::/32");

  EXPECT_EQ(Pfx("0.0.0.0/0").ToString(), "0.0.0.0/0");
  EXPECT_EQ(Pfx("::/0").ToString(), "::/0");
  EXPECT_EQ(Pfx("192.0.2.1/32").ToString(), "192.0.2.1/32");
  EXPECT_EQ(Pfx("2001:db8::1/128").ToString(), "2001:db8::1/128");
}

TEST(Prefix, RejectsHostBitsUnlessLenient) {
  EXPECT_FALSE(Prefix::Parse("192.0.2.1/24").has_value());
  EXPECT_FALSE(Prefix::Parse("2001:db8::1/64").has_value());
  EXPECT_FALSE(Prefix::Parse("10.128.0.0/8").has_value());

  auto p = Prefix::Parse("192.0.2.1/24", /*lenient=*/true);
  ASSERT_TRUE(p.has_value());
  EXPECT_TRUE(p->HasHostBits());
  // Lenient parsing keeps the bits as written.
  EXPECT_EQ(p->ToString(), "192.0.2.1/24");
  EXPECT_FALSE(Pfx("192.0.2.0/24").HasHostBits());
}

TEST(Prefix, RejectsBadLengths) {
  for (std::string_view bad :
       {"192.0.2.0/33", "2001:db8::/129", "192.0.2.0/", "192.0.2.0", "192.0.2.0/-1", "192.0.2.0/+8",
        "192.0.2.0/24x", "192.0.2.0/ 24", "192.0.2.0/2 4", "192.0.2.0/4294967320", "192.0.2.0/256",
        "/24", "192.0.2.0//24", "bad/24"}) {
    EXPECT_FALSE(Prefix::Parse(bad).has_value()) << "'" << bad << "'";
    EXPECT_FALSE(Prefix::Parse(bad, /*lenient=*/true).has_value()) << "'" << bad << "'";
  }
}

TEST(Prefix, MaskedClearsEveryBitPastTheLength) {
  EXPECT_EQ(Prefix(Addr("192.0.2.255"), 24).Masked().ToString(), "192.0.2.0/24");
  EXPECT_EQ(Prefix(Addr("192.0.2.255"), 25).Masked().ToString(), "192.0.2.128/25");
  EXPECT_EQ(Prefix(Addr("255.255.255.255"), 0).Masked().ToString(), "0.0.0.0/0");
  EXPECT_EQ(Prefix(Addr("255.255.255.255"), 1).Masked().ToString(), "128.0.0.0/1");
  EXPECT_EQ(Prefix(Addr("255.255.255.255"), 31).Masked().ToString(), "255.255.255.254/31");
  EXPECT_EQ(Prefix(Addr("255.255.255.255"), 32).Masked().ToString(), "255.255.255.255/32");
  EXPECT_EQ(Prefix(Addr("2001:db8:ffff:ffff::1"), 36).Masked().ToString(), "2001:db8:f000::/36");
  EXPECT_EQ(Prefix(Addr("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"), 127).Masked().ToString(),
            "ffff:ffff:ffff:ffff:ffff:ffff:ffff:fffe/127");
  EXPECT_EQ(Prefix(Addr("2001:db8::1"), 0).Masked().ToString(), "::/0");
  // Masking keeps the family: an IPv4 prefix stays four octets wide.
  Prefix m = Prefix(Addr("10.1.2.3"), 8).Masked();
  EXPECT_TRUE(m.address().is_v4());
  EXPECT_EQ(m.length(), 8);
}

TEST(Prefix, ContainsItselfAndMoreSpecificsOnly) {
  Prefix p = Pfx("10.0.0.0/8");
  EXPECT_TRUE(p.Contains(p));
  EXPECT_TRUE(p.Contains(Pfx("10.1.0.0/16")));
  EXPECT_TRUE(p.Contains(Pfx("10.255.255.255/32")));
  EXPECT_FALSE(p.Contains(Pfx("11.0.0.0/16")));
  EXPECT_FALSE(p.Contains(Pfx("0.0.0.0/0")));  // less specific
  EXPECT_FALSE(Pfx("10.1.0.0/16").Contains(p));
  EXPECT_TRUE(Pfx("0.0.0.0/0").Contains(Pfx("203.0.113.0/24")));

  EXPECT_TRUE(Pfx("2001:db8::/32").Contains(Pfx("2001:db8:1234::/48")));
  EXPECT_FALSE(Pfx("2001:db8::/32").Contains(Pfx("2001:db9::/48")));
  EXPECT_TRUE(Pfx("::/0").Contains(Pfx("2001:db8::/32")));
}

TEST(Prefix, ContainsNeverCrossesFamilies) {
  EXPECT_FALSE(Pfx("0.0.0.0/0").Contains(Pfx("::/0")));
  EXPECT_FALSE(Pfx("::/0").Contains(Pfx("0.0.0.0/0")));
  EXPECT_FALSE(Pfx("::/0").Contains(Pfx("10.0.0.0/8")));
}

TEST(Prefix, ContainsIgnoresHostBitsOfEitherSide) {
  Prefix lenient = Prefix(Addr("10.9.9.9"), 8);
  EXPECT_TRUE(lenient.Contains(Pfx("10.1.0.0/16")));
  EXPECT_TRUE(Pfx("10.0.0.0/8").Contains(Prefix(Addr("10.1.2.3"), 16)));
}

TEST(Prefix, OrdersByAddressThenLength) {
  std::vector<Prefix> v = {Pfx("10.0.0.0/16"), Pfx("2001:db8::/32"), Pfx("10.0.0.0/8"),
                           Pfx("9.0.0.0/8"), Pfx("10.1.0.0/16")};
  std::sort(v.begin(), v.end());
  std::vector<std::string> text;
  for (const Prefix& p : v) text.push_back(p.ToString());
  EXPECT_EQ(text, (std::vector<std::string>{"9.0.0.0/8", "10.0.0.0/8", "10.0.0.0/16", "10.1.0.0/16",
                                            "2001:db8::/32"}));
  EXPECT_EQ(Pfx("192.0.2.0/24"), Prefix(IpAddress::V4(0xC0000200), 24));
  EXPECT_NE(Pfx("192.0.2.0/24"), Pfx("192.0.2.0/25"));
}

TEST(Prefix, FormatWritesLongestTextsInFull) {
  char buf[64];
  Prefix p = Pfx("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff/128");
  char* end = p.Format(buf);
  EXPECT_EQ(std::string(buf, end), "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff/128");
  EXPECT_EQ(Pfx("255.255.255.255/32").ToString(), "255.255.255.255/32");
}

}  // namespace
}  // namespace vigia
