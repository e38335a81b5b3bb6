// Collector as a library: a BMP station and a BGP speaker polled by one
// outer loop; two routers' BMP sessions and a pcap replay reach the tee
// with collector-wide handles (one per router, view and peer), the archive
// holds the same routes, and Stop() leaves whole files. The speaker is
// driven by a raw BGP client over loopback (RFC 4271 OPEN, KEEPALIVE,
// UPDATE), so its timers run from the collector's loop.
#include "collect/collector.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <functional>

#include "bgp/test_builders.h"
#include "bmp/message.h"
#include "collect/test_util.h"
#include "core/test_util.h"

namespace vigia::collect {
namespace {

namespace fs = std::filesystem;
using bgp::test::Attr;
using bgp::test::Bytes;
using bgp::test::Cat;
using bgp::test::IpBytes;
using bgp::test::Put16;
using bgp::test::Put32;
using bgp::test::U16;
using bgp::test::U32;

Bytes Bgp(uint8_t type, const Bytes& body) {
  Bytes out(16, 0xFF);
  Put16(&out, static_cast<uint32_t>(19 + body.size()));
  out.push_back(type);
  out.insert(out.end(), body.begin(), body.end());
  return out;
}
Bytes Update(const char* nh, uint32_t as, uint32_t origin, int from, int n) {
  const Bytes path = Cat({Bytes{2, 2}, U32(as), U32(origin)});
  const Bytes attrs = Cat({Attr(bgp::test::kWellKnown, bgp::kAttrOrigin, {0}),
                           Attr(bgp::test::kWellKnown, bgp::kAttrAsPath, path),
                           Attr(bgp::test::kWellKnown, bgp::kAttrNextHop, IpBytes(nh))});
  Bytes nlri;
  for (int i = from; i < from + n; ++i)
    for (int b : {24, 10, (i >> 8) & 255, i & 255}) nlri.push_back(static_cast<uint8_t>(b));
  return Bgp(2, Cat({U16(0), U16(static_cast<uint32_t>(attrs.size())), attrs, nlri}));
}
Bytes Bmp(uint8_t type, const Bytes& body) {
  Bytes out = Cat({Bytes{bmp::kVersion}, U32(static_cast<uint32_t>(6 + body.size())), Bytes{type}});
  out.insert(out.end(), body.begin(), body.end());
  return out;
}
Bytes PeerHeader(const char* address, uint32_t as) {
  return Cat({Bytes{bmp::kGlobalInstance, 0}, U32(0), U32(0), Bytes(12, 0), IpBytes(address),
              U32(as), IpBytes(address), U32(1700000000), U32(0)});
}
Bytes BmpSession(const char* peer, uint32_t as, uint32_t origin, int from, int n) {
  const Bytes init = Bmp(bmp::kInitiation, Cat({U16(bmp::kInfoSysName), U16(1), Bytes{'r'}}));
  return Cat({init, Bmp(bmp::kRouteMonitoring,
                        Cat({PeerHeader(peer, as), Update(peer, as, origin, from, n)}))});
}

int Connect(const char* from, uint16_t port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  ::inet_pton(AF_INET, from, &a.sin_addr);
  ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a);
  a.sin_port = htons(port);
  ::inet_pton(AF_INET, "127.0.0.1", &a.sin_addr);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
    ::close(fd);
    return -1;
  }
  return fd;
}
void Send(int fd, const Bytes& b) {
  ASSERT_EQ(::send(fd, b.data(), b.size(), MSG_NOSIGNAL), static_cast<ssize_t>(b.size()));
}

bool RunUntil(Collector& c, const std::function<bool()>& done) {
  for (int i = 0; i < 200 && !done(); ++i) EXPECT_TRUE(c.RunOnce(25).ok());
  return done();
}

TEST(Collector, BmpRoutersAndABgpPeerReachTheTeeAndTheArchiveWithCollectorWideHandles) {
  test_util::ScopedTempDir dir("collector-lib");
  CollectorOptions o;
  o.name = "lab";
  o.bmp_listen = "127.0.0.1:0";
  o.bgp_listen = "127.0.0.1:0";
  o.asn = 65000;
  o.out_dir = dir.path.string();
  test::Recorder tee;
  Collector c(o, &tee);
  ASSERT_TRUE(c.Start().ok());
  ASSERT_NE(c.bmp_port(), 0);
  ASSERT_NE(c.bgp_port(), 0);
  // Two routers report the same peer address: two collector-wide peers.
  const int r1 = Connect("127.0.0.1", c.bmp_port());
  const int r2 = Connect("127.0.0.2", c.bmp_port());
  ASSERT_GE(r1, 0);
  ASSERT_GE(r2, 0);
  Send(r1, BmpSession("192.0.2.7", 65007, 64500, 0, 10));
  Send(r2, BmpSession("192.0.2.7", 65007, 64501, 0, 5));
  ASSERT_TRUE(RunUntil(c, [&] { return tee.announces == 15; })) << tee.announces;
  // A BGP peer: OPEN (4-octet AS capability), KEEPALIVE, an UPDATE.
  const int b = Connect("127.0.0.3", c.bgp_port());
  ASSERT_GE(b, 0);
  const Bytes open = Bgp(1, Cat({Bytes{4}, U16(65010), U16(90), IpBytes("10.0.0.3"),
                                 Bytes{8, 2, 6, 65, 4}, U32(65010)}));
  Send(b, open);
  Send(b, Bgp(4, {}));
  ASSERT_TRUE(RunUntil(c, [&] { return c.speaker()->EstablishedCount() == 1; }));
  Send(b, Update("127.0.0.3", 65010, 64502, 100, 3));
  ASSERT_TRUE(RunUntil(c, [&] { return tee.announces == 18; }));
  EXPECT_EQ(c.stats().peers, 3u);
  EXPECT_EQ(c.stats().rib_entries, 18u);
  EXPECT_EQ(tee.routes.size(), 13u);  // the recorder names peers by address: r1, r2 share one
  EXPECT_GT(c.arrival_ns(), 0);
  // Router 2 goes: its routes end (RFC 7854 §3.3), router 1's stay.
  ::close(r2);
  ASSERT_TRUE(RunUntil(c, [&] { return c.stats().rib_entries == 13u; }));
  ASSERT_TRUE(c.DumpRib().ok());
  ASSERT_TRUE(c.Stop().ok());
  ::close(r1);
  ::close(b);
  const auto& files = c.archive()->written();
  ASSERT_EQ(files.size(), 2u);
  const auto back = test::ReadBack({files[0]});
  EXPECT_EQ(back.routes.size(), 13u);
  EXPECT_EQ(back.routes.count({"127.0.0.3 AS65010", "10.0.100.0/24", 0}), 1u);
  EXPECT_EQ(c.stats().update_files, 1u);
  EXPECT_EQ(c.stats().rib_files, 1u);
}

TEST(Collector, StartNamesTheInputThatCannotBeOpened) {
  CollectorOptions o;
  o.bmp_listen = "127.0.0.1:99999";
  Collector c(o, nullptr);
  const Status st = c.Start();
  ASSERT_FALSE(st.ok());
  EXPECT_NE(st.message().find("--bmp 127.0.0.1:99999"), std::string::npos) << st.message();
  CollectorOptions p;
  p.pcaps = {"/nonexistent/x.pcap"};
  Collector d(p, nullptr);
  const Status sp = d.Start();
  ASSERT_FALSE(sp.ok());
  EXPECT_NE(sp.message().find("/nonexistent/x.pcap"), std::string::npos) << sp.message();
}

}  // namespace
}  // namespace vigia::collect
