// ParseHostPort's accepted and refused forms; ListenTcp binds loopback
// (port 0: the kernel's pick is reported) and names the address when the
// bind fails; FromSockaddr unwraps IPv4-mapped IPv6 addresses.
#include "core/net_listen.h"

#include <gtest/gtest.h>
#include <netinet/in.h>
#include <unistd.h>

#include <cstring>

namespace vigia::net {
namespace {

TEST(ParseHostPort, AcceptsV4AndBracketedV6) {
  auto a = ParseHostPort("192.0.2.1:179");
  ASSERT_TRUE(a.ok()) << a.status().message();
  EXPECT_EQ(a.value().first, *IpAddress::Parse("192.0.2.1"));
  EXPECT_EQ(a.value().second, 179);
  auto b = ParseHostPort("[2001:db8::1]:65535");
  ASSERT_TRUE(b.ok()) << b.status().message();
  EXPECT_EQ(b.value().first, *IpAddress::Parse("2001:db8::1"));
  EXPECT_EQ(b.value().second, 65535);
}

TEST(ParseHostPort, RefusesMalformedText) {
  for (const char* bad :
       {"", "192.0.2.1", "192.0.2.1:", "192.0.2.1:65536", "192.0.2.1:1x", "192.0.2.1:123456",
        "[2001:db8::1:179", "[2001:db8::1]179", "host:179", "2001:db8::1:179x"}) {
    EXPECT_FALSE(ParseHostPort(bad).ok()) << bad;
  }
}

TEST(ListenTcp, ReportsThePortTheKernelPicked) {
  auto s = ListenTcp("127.0.0.1:0");
  ASSERT_TRUE(s.ok()) << s.status().message();
  EXPECT_GE(s.value().fd, 0);
  EXPECT_NE(s.value().port, 0);
  sockaddr_storage ss{};
  socklen_t len = sizeof ss;
  ASSERT_EQ(::getsockname(s.value().fd, reinterpret_cast<sockaddr*>(&ss), &len), 0);
  EXPECT_EQ(FromSockaddr(ss).second, s.value().port);
  EXPECT_EQ(FromSockaddr(ss).first, *IpAddress::Parse("127.0.0.1"));
  // The same port again is refused, the message naming the address.
  const std::string taken = "127.0.0.1:" + std::to_string(s.value().port);
  auto again = ListenTcp(taken, "test: ");
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.status().message().rfind("test: listen on " + taken + ": ", 0), 0u)
      << again.status().message();
  ::close(s.value().fd);
}

TEST(FromSockaddr, GivesMappedV6AsV4) {
  sockaddr_storage ss{};
  auto* a = reinterpret_cast<sockaddr_in6*>(&ss);
  a->sin6_family = AF_INET6;
  a->sin6_port = htons(4242);
  const uint8_t mapped[16] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xFF, 0xFF, 192, 0, 2, 7};
  std::memcpy(a->sin6_addr.s6_addr, mapped, 16);
  const auto [ip, port] = FromSockaddr(ss);
  EXPECT_EQ(ip, *IpAddress::Parse("192.0.2.7"));
  EXPECT_EQ(port, 4242);
}

}  // namespace
}  // namespace vigia::net
