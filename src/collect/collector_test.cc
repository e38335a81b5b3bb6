// Collector as a library: a BMP station and a BGP speaker polled by one
// outer loop; two routers' BMP sessions and a BGP peer reach the tee with
// collector-wide handles (one per router, view and peer), the archive holds
// the same routes, and Stop() leaves whole files; a RIS Live websocket (a
// real python3-websockets server) is followed into the archive. The
// speaker is driven by a raw BGP client over loopback (RFC 4271 OPEN,
// KEEPALIVE, UPDATE), so its timers run from the collector's loop.
#include "collect/collector.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <functional>
#include <thread>

#include "bgp/test_builders.h"
#include "bmp/message.h"
#include "bmp/test_builders.h"
#include "collect/test_util.h"
#include "core/test_daemon.h"
#include "core/test_util.h"
#include "live/ris_live.h"

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
using bgp::test::WithHeader;
using bmp::test::Msg;
using bmp::test::PeerHeader;

Bytes Update(const char* nh, uint32_t as, uint32_t origin, int from, int n) {
  const Bytes path = Cat({Bytes{2, 2}, U32(as), U32(origin)});
  const Bytes attrs = Cat({Attr(bgp::test::kWellKnown, bgp::kAttrOrigin, {0}),
                           Attr(bgp::test::kWellKnown, bgp::kAttrAsPath, path),
                           Attr(bgp::test::kWellKnown, bgp::kAttrNextHop, IpBytes(nh))});
  Bytes nlri;
  for (int i = from; i < from + n; ++i)
    for (int b : {24, 10, (i >> 8) & 255, i & 255}) nlri.push_back(static_cast<uint8_t>(b));
  return WithHeader(2, Cat({U16(0), U16(static_cast<uint32_t>(attrs.size())), attrs, nlri}));
}
Bytes BmpSession(const char* peer, uint32_t as, uint32_t origin, int from, int n) {
  const Bytes init = Msg(bmp::kInitiation, Cat({U16(bmp::kInfoSysName), U16(1), Bytes{'r'}}));
  return Cat({init, Msg(bmp::kRouteMonitoring,
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
  const Bytes open = WithHeader(1, Cat({Bytes{4}, U16(65010), U16(90), IpBytes("10.0.0.3"),
                                        Bytes{8, 2, 6, 65, 4}, U32(65010)}));
  Send(b, open);
  Send(b, WithHeader(4, {}));
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

// The feeds helper's websocket test server (python3-websockets): sends each
// line of a file as a text message once the client subscribed.
class WsServer {
 public:
  WsServer(const fs::path& dir, const std::string& file)
      : portfile_((dir / "port").string()),
        daemon_({"/usr/bin/python3", VIGIA_SOURCE_DIR "/src/live/testdata/ws_server.py", portfile_,
                 "lines", file},
                dir / "ws_server.log") {
    test_util::WaitFor([this] { return fs::exists(portfile_); }, std::chrono::seconds(10));
    std::ifstream(portfile_) >> port_;
  }
  int port() const { return port_; }

 private:
  std::string portfile_;
  test_util::Daemon daemon_;
  int port_ = 0;
};

TEST(Collector, FollowsARisLiveWebsocketIntoTheArchive) {
  if (std::system("/usr/bin/python3 -c 'import websockets' >/dev/null 2>&1") != 0)
    GTEST_SKIP() << "python3-websockets is not installed (apt-get install python3-websockets)";
  test_util::ScopedTempDir dir("collector-ws");
  const fs::path lines = dir.path / "ris.jsonl";
  {
    std::ofstream f(lines);
    for (int i = 0; i < 20; ++i) {
      f << R"({"type":"ris_message","data":{"timestamp":1700000000,"host":"rrc99",)"
        << R"("peer":"192.0.2.)" << (1 + i % 3) << R"(","peer_asn":")" << (64500 + i % 3)
        << R"(","type":"UPDATE","path":[)" << (64500 + i % 3) << R"(,64999],"origin":"igp",)"
        << R"("announcements":[{"next_hop":"192.0.2.1","prefixes":["10.)" << i << R"(.0.0/16"]}]}})"
        << "\n";
    }
    f << R"({"type":"ris_message","data":{"timestamp":1700000001,"host":"rrc99",)"
      << R"("peer":"192.0.2.1","peer_asn":"64500","type":"UPDATE","withdrawals":["10.0.0.0/16"]}})"
      << "\n";
  }
  test::Recorder direct;
  ASSERT_TRUE(live::FeedRisLiveFile(lines.string(), &direct).ok());
  ASSERT_EQ(direct.routes.size(), 19u);
  WsServer server(dir.path, lines.string());
  ASSERT_GT(server.port(), 0) << "the websocket server did not start";
  CollectorOptions o;
  o.out_dir = (dir.path / "out").string();
  o.ris_live = {"ws://127.0.0.1:" + std::to_string(server.port()) + "/v1/ws/"};
  o.ris_live_subscribe = R"({"host":"rrc99","type":"UPDATE"})";
  Collector c(o, nullptr);
  ASSERT_TRUE(c.Start().ok());
  for (int i = 0; i < 300 && c.stats().withdraws < 1; ++i) ASSERT_TRUE(c.RunOnce(50).ok());
  EXPECT_EQ(c.stats().announces, 20u);
  ASSERT_TRUE(c.Stop().ok());
  EXPECT_EQ(test::ReadBack(c.archive()->written()).routes, direct.routes);
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
