// Tests of BmpStation over real loopback TCP: crafted BMP sessions from
// clients bound to distinct 127.0.0.x addresses (and ::1), and hostile
// clients (garbage, a message cut by close, an oversized length, more
// connections than max_routers, an address not allowed, a client sending
// one byte at a time, a router reconnecting over its old session), a
// termination message, and IPv4 routers on a dual-stack listener.
#include "bmp/station.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <functional>
#include <string>
#include <vector>

#include "bgp/test_builders.h"
#include "bmp/message.h"
#include "bmp/station_test_util.h"
#include "bmp/test_builders.h"

namespace vigia::bmp {
namespace {

using bgp::test::Attr;
using bgp::test::Bytes;
using bgp::test::Cat;
using bgp::test::IpBytes;
using bgp::test::Nlri;
using bgp::test::Put16;
using bgp::test::Put32;
using bgp::test::U16;
using bgp::test::U32;
using bgp::test::WithHeader;
using test::Msg;
using test::PeerHeader;
using namespace std::chrono_literals;

// ---------------------------------------------------------------- builders

Bytes Tlv2(uint16_t type, const std::string& v) {
  Bytes out;
  Put16(&out, type);
  Put16(&out, static_cast<uint32_t>(v.size()));
  for (char ch : v) out.push_back(static_cast<uint8_t>(ch));
  return out;
}
Bytes Initiation(const std::string& name) {
  return Msg(kInitiation, Cat({Tlv2(kInfoSysDescr, "test router"), Tlv2(kInfoSysName, name)}));
}
// An OPEN with the 4-octet AS capability (RFC 6793).
Bytes Open(uint32_t as) {
  Bytes body = {4};
  Put16(&body, 23456);
  Put16(&body, 90);
  Bytes id = IpBytes("192.0.2.9");
  body.insert(body.end(), id.begin(), id.end());
  body.insert(body.end(), {8, 2, 6, 65, 4});
  Put32(&body, as);
  return WithHeader(1, body);
}
Bytes PeerUp(const char* peer, uint32_t as) {
  Bytes local(12, 0);
  Bytes l4 = IpBytes("192.0.2.254");
  local.insert(local.end(), l4.begin(), l4.end());
  return Msg(kPeerUp,
             Cat({PeerHeader(peer, as), local, U16(179), U16(40000), Open(64500), Open(as)}));
}
Bytes PeerDown(const char* peer, uint32_t as) {
  return Msg(kPeerDown, Cat({PeerHeader(peer, as), {kDownRemoteNoNotification}}));
}
// A route monitoring message announcing prefixes with AS path {as, origin}.
Bytes Announce(const char* peer, uint32_t as, uint32_t origin, const std::vector<std::string>& p) {
  Bytes path = {2, 2};
  Put32(&path, as);
  Put32(&path, origin);
  Bytes attrs = Cat({Attr(bgp::test::kWellKnown, bgp::kAttrOrigin, {0}),
                     Attr(bgp::test::kWellKnown, bgp::kAttrAsPath, path),
                     Attr(bgp::test::kWellKnown, bgp::kAttrNextHop, IpBytes(peer))});
  Bytes nlri;
  for (const auto& s : p) nlri = Cat({nlri, Nlri(s.c_str())});
  return Msg(
      kRouteMonitoring,
      Cat({PeerHeader(peer, as),
           WithHeader(2, Cat({U16(0), U16(static_cast<uint32_t>(attrs.size())), attrs, nlri}))}));
}
// A router's whole session: initiation, one peer up, its routes.
Bytes Session(const std::string& name, const char* peer, uint32_t as,
              const std::vector<std::string>& prefixes) {
  return Cat({Initiation(name), PeerUp(peer, as), Announce(peer, as, 65999, prefixes)});
}

// ---------------------------------------------------------------- harness

// A TCP client of the station from `source` (bound, so each client is
// its own router address).
class Client {
 public:
  Client(const std::string& source, uint16_t port, bool v6 = false) {
    fd_ = ::socket(v6 ? AF_INET6 : AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (v6) {
      sockaddr_in6 a{};
      a.sin6_family = AF_INET6;
      ::inet_pton(AF_INET6, source.c_str(), &a.sin6_addr);
      ::bind(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a);
      a.sin6_port = htons(port);
      ok_ = ::connect(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0;
    } else {
      sockaddr_in a{};
      a.sin_family = AF_INET;
      ::inet_pton(AF_INET, source.c_str(), &a.sin_addr);
      ::bind(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a);
      a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
      a.sin_port = htons(port);
      ok_ = ::connect(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0;
    }
  }
  ~Client() { Close(); }
  bool ok() const { return ok_; }
  bool Send(const Bytes& b) {
    return ::send(fd_, b.data(), b.size(), MSG_NOSIGNAL) == static_cast<ssize_t>(b.size());
  }
  void Close() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }
  // True when the station closed the connection (recv sees EOF or reset).
  bool ClosedByStation() {
    timeval tv{0, 200000};
    ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    char c;
    const ssize_t n = ::recv(fd_, &c, 1, 0);
    return n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK);
  }

 private:
  int fd_ = -1;
  bool ok_ = false;
};

class StationTest : public ::testing::Test {
 protected:
  void Start(StationConfig c = {}) {
    station_ = std::make_unique<BmpStation>(c, &rec_);
    ASSERT_TRUE(station_->Listen("127.0.0.1:0").ok());
  }
  // Runs the station until f() or 5 s.
  bool RunUntil(const std::function<bool()>& f) {
    const auto end = std::chrono::steady_clock::now() + 5s;
    while (std::chrono::steady_clock::now() < end) {
      if (f()) return true;
      EXPECT_TRUE(station_->RunOnce(10).ok());
    }
    return f();
  }
  bool HasProblem(const std::string& text) {
    for (const auto& p : rec_.problems()) {
      if (p.find(text) != std::string::npos) return true;
    }
    return false;
  }
  test::ViewRecorder rec_;
  std::unique_ptr<BmpStation> station_;
};

// ---------------------------------------------------------------- tests

TEST_F(StationTest, RoutersOverIpv4AndIpv6StayApartAndEndWithTheirSessions) {
  StationConfig c;
  c.name = "st";
  station_ = std::make_unique<BmpStation>(c, &rec_);
  ASSERT_TRUE(station_->Listen("127.0.0.1:0").ok());
  const uint16_t v4 = station_->port();
  ASSERT_TRUE(station_->Listen("[::1]:0").ok()) << "a second listener, IPv6";
  const uint16_t v6 = station_->port();
  Client r1("127.0.0.2", v4), r2("127.0.0.3", v4), r3("::1", v6, true);
  ASSERT_TRUE(r1.ok() && r2.ok() && r3.ok());
  ASSERT_TRUE(r1.Send(Session("r1", "10.0.0.1", 65001, {"192.0.2.0/24", "198.51.100.0/24"})));
  ASSERT_TRUE(r2.Send(Session("r2", "10.0.0.1", 65001, {"203.0.113.0/24"})));
  ASSERT_TRUE(r3.Send(Session("r3", "10.0.0.2", 65002, {"192.0.2.0/24"})));
  ASSERT_TRUE(RunUntil([&] { return rec_.Count() == 4; })) << rec_.Dump();
  const test::Table t1 = rec_.PeerTable("127.0.0.2", "adj-rib-in-pre", "10.0.0.1");
  ASSERT_EQ(t1.size(), 2u);
  EXPECT_EQ(t1.at("192.0.2.0/24"), (test::RouteView{"65001 65999", "10.0.0.1"}));
  EXPECT_EQ(rec_.PeerTable("127.0.0.3", "adj-rib-in-pre", "10.0.0.1").size(), 1u);
  EXPECT_EQ(rec_.PeerTable("::1", "adj-rib-in-pre", "10.0.0.2").size(), 1u);

  auto routers = station_->Routers();
  ASSERT_EQ(routers.size(), 3u);
  std::map<std::string, RouterStatus> by;
  for (const auto& r : routers) by[r.address.ToString()] = r;
  EXPECT_EQ(by["127.0.0.2"].sys_name, "r1");
  EXPECT_EQ(by["127.0.0.2"].sys_descr, "test router");
  EXPECT_EQ(by["127.0.0.2"].messages, 3u);
  EXPECT_EQ(by["127.0.0.2"].route_monitoring, 1u);
  EXPECT_EQ(by["127.0.0.2"].peers_up, 1u);
  EXPECT_EQ(by["::1"].sys_name, "r3");
  EXPECT_EQ(station_->stats().accepted, 3u);
  EXPECT_EQ(station_->stats().messages, 9u);

  // A peer down ends that peer's routes only; a closed session ends the router's.
  ASSERT_TRUE(r2.Send(PeerDown("10.0.0.1", 65001)));
  ASSERT_TRUE(RunUntil([&] { return rec_.Count() == 3; }));
  EXPECT_EQ(rec_.PeerTable("127.0.0.2", "adj-rib-in-pre", "10.0.0.1").size(), 2u);
  r1.Close();
  ASSERT_TRUE(RunUntil([&] { return rec_.Count() == 1; })) << rec_.Dump();
  EXPECT_EQ(rec_.PeerTable("::1", "adj-rib-in-pre", "10.0.0.2").size(), 1u);
  EXPECT_EQ(station_->router_count(), 2u);
  EXPECT_EQ(station_->stats().closed, 1u);
  EXPECT_TRUE(rec_.problems().empty()) << rec_.Dump();
}

TEST_F(StationTest, GarbageClosesTheConnectionWithAProblem) {
  Start();
  Client c("127.0.0.2", station_->port());
  const Bytes good = Session("r", "10.0.0.1", 65001, {"192.0.2.0/24"});
  ASSERT_TRUE(c.Send(good));
  ASSERT_TRUE(RunUntil([&] { return rec_.Count() == 1; }));
  const std::string http = "GET / HTTP/1.1\r\nHost: x\r\n\r\n";
  ASSERT_TRUE(c.Send(Bytes(http.begin(), http.end())));
  ASSERT_TRUE(RunUntil([&] { return station_->router_count() == 0; }));
  EXPECT_EQ(rec_.Count(), 0u) << "the router's routes end with its session";
  EXPECT_EQ(station_->stats().errors, 1u);
  EXPECT_TRUE(HasProblem("vigia router 127.0.0.2: offset " + std::to_string(good.size())))
      << rec_.Dump();
  EXPECT_TRUE(HasProblem("not 3; connection closed")) << rec_.Dump();
  EXPECT_TRUE(c.ClosedByStation());
}

TEST_F(StationTest, TruncatedMessageThenCloseIsReportedWithItsOffset) {
  Start();
  Client c("127.0.0.2", station_->port());
  const Bytes whole = Session("r", "10.0.0.1", 65001, {"192.0.2.0/24"});
  const Bytes more = Announce("10.0.0.1", 65001, 65999, {"198.51.100.0/24"});
  ASSERT_TRUE(c.Send(Cat({whole, Bytes(more.begin(), more.begin() + 20)})));
  ASSERT_TRUE(RunUntil([&] { return rec_.Count() == 1; }));
  c.Close();
  ASSERT_TRUE(RunUntil([&] { return station_->router_count() == 0; }));
  EXPECT_EQ(rec_.Count(), 0u);
  EXPECT_TRUE(HasProblem("offset " + std::to_string(whole.size()) +
                         ": session ends inside a message (20 octets)"))
      << rec_.Dump();
}

TEST_F(StationTest, OversizedLengthIsFatalAndBadContentIsSkipped) {
  StationConfig cfg;
  cfg.max_message = 4096;
  Start(cfg);
  Client c("127.0.0.2", station_->port());
  // A message with a sane length that does not decode: skipped, session kept.
  Bytes bad = Msg(kPeerDown, Bytes(10, 0));
  ASSERT_TRUE(c.Send(Cat({Session("r", "10.0.0.1", 65001, {"192.0.2.0/24"}), bad})));
  ASSERT_TRUE(RunUntil([&] { return rec_.Count() == 1 && station_->stats().errors == 1; }));
  EXPECT_EQ(station_->router_count(), 1u);
  // Then a header claiming 2 GiB.
  Bytes huge = {kVersion, 0x80, 0, 0, 0, kRouteMonitoring};
  ASSERT_TRUE(c.Send(huge));
  ASSERT_TRUE(RunUntil([&] { return station_->router_count() == 0; }));
  EXPECT_TRUE(HasProblem("message length 2147483648 outside 6..4096")) << rec_.Dump();
  EXPECT_EQ(rec_.Count(), 0u);
  EXPECT_TRUE(c.ClosedByStation());
}

TEST_F(StationTest, ConnectionsBeyondMaxRoutersAndOutsideTheAllowListAreRefused) {
  StationConfig cfg;
  cfg.max_routers = 2;
  for (const char* a : {"127.0.0.2", "127.0.0.3", "127.0.0.4", "127.0.0.5"}) {
    cfg.routers.push_back(*IpAddress::Parse(a));
  }
  Start(cfg);
  std::vector<std::unique_ptr<Client>> cs;
  for (const char* a : {"127.0.0.2", "127.0.0.3", "127.0.0.4", "127.0.0.5", "127.0.0.9"}) {
    cs.push_back(std::make_unique<Client>(a, station_->port()));
    ASSERT_TRUE(cs.back()->ok());
    ASSERT_TRUE(RunUntil(
        [&] { return station_->stats().accepted + station_->stats().refused == cs.size(); }));
  }
  EXPECT_EQ(station_->stats().accepted, 2u);
  EXPECT_EQ(station_->stats().refused, 3u);
  EXPECT_EQ(station_->router_count(), 2u);
  EXPECT_TRUE(HasProblem("127.0.0.4 refused: already 2 routers (max_routers)")) << rec_.Dump();
  EXPECT_TRUE(HasProblem("127.0.0.9 refused: not an allowed router")) << rec_.Dump();
  EXPECT_FALSE(cs[0]->ClosedByStation());
  EXPECT_TRUE(cs[2]->ClosedByStation());
  EXPECT_TRUE(cs[4]->ClosedByStation());
  // When one leaves, a newcomer fits.
  cs[0]->Close();
  ASSERT_TRUE(RunUntil([&] { return station_->router_count() == 1; }));
  Client late("127.0.0.5", station_->port());
  ASSERT_TRUE(RunUntil([&] { return station_->router_count() == 2; }));
  ASSERT_TRUE(late.Send(Session("late", "10.0.0.1", 65001, {"192.0.2.0/24"})));
  ASSERT_TRUE(RunUntil([&] { return rec_.Count() == 1; }));
}

TEST_F(StationTest, OneByteAtATimeGivesTheSameRoutes) {
  Start();
  Client c("127.0.0.2", station_->port());
  const Bytes s = Cat({Session("slow", "10.0.0.1", 65001, {"192.0.2.0/24", "198.51.100.0/24"}),
                       Announce("10.0.0.1", 65001, 65888, {"203.0.113.0/24"})});
  for (uint8_t b : s) {
    ASSERT_TRUE(c.Send(Bytes{b}));
    ASSERT_TRUE(station_->RunOnce(0).ok());
  }
  ASSERT_TRUE(RunUntil([&] { return rec_.Count() == 3; })) << rec_.Dump();
  const test::Table t = rec_.PeerTable("127.0.0.2", "adj-rib-in-pre", "10.0.0.1");
  EXPECT_EQ(t.at("203.0.113.0/24"), (test::RouteView{"65001 65888", "10.0.0.1"}));
  EXPECT_EQ(station_->Routers().at(0).sys_name, "slow");
  EXPECT_EQ(station_->Routers().at(0).bytes, s.size());
  EXPECT_EQ(station_->stats().messages, 4u);
  EXPECT_TRUE(rec_.problems().empty()) << rec_.Dump();
  EXPECT_GT(station_->arrival_ns(), 0);
}

TEST_F(StationTest, AReconnectingRouterReplacesItsOldSession) {
  Start();
  Client old_session("127.0.0.2", station_->port());
  ASSERT_TRUE(old_session.Send(Session("r", "10.0.0.1", 65001, {"192.0.2.0/24"})));
  ASSERT_TRUE(RunUntil([&] { return rec_.Count() == 1; }));
  // The router restarts without the old connection's FIN reaching us.
  Client fresh("127.0.0.2", station_->port());
  ASSERT_TRUE(fresh.Send(Session("r", "10.0.0.1", 65001, {"198.51.100.0/24"})));
  ASSERT_TRUE(RunUntil([&] {
    return rec_.PeerTable("127.0.0.2", "adj-rib-in-pre", "10.0.0.1").count("198.51.100.0/24");
  }));
  const test::Table t = rec_.PeerTable("127.0.0.2", "adj-rib-in-pre", "10.0.0.1");
  EXPECT_EQ(t.size(), 1u) << "the old session's routes ended";
  EXPECT_EQ(station_->router_count(), 1u);
  EXPECT_TRUE(old_session.ClosedByStation());
  // Closing everything ends every route.
  station_->CloseAll();
  EXPECT_EQ(rec_.Count(), 0u);
  EXPECT_EQ(station_->router_count(), 0u);
}

TEST_F(StationTest, TerminationEndsTheRoutersRoutesBeforeItCloses) {
  Start();
  Client c("127.0.0.2", station_->port());
  ASSERT_TRUE(c.Send(Session("r", "10.0.0.1", 65001, {"192.0.2.0/24", "198.51.100.0/24"})));
  ASSERT_TRUE(RunUntil([&] { return rec_.Count() == 2; }));
  // RFC 7854 §4.5: reason 0, administratively closed.
  Bytes term = {0, 1, 0, 2, 0, 0};
  ASSERT_TRUE(c.Send(Msg(kTermination, term)));
  ASSERT_TRUE(RunUntil([&] { return rec_.Count() == 0; }));
  EXPECT_EQ(station_->router_count(), 1u) << "the router closes, not the station";
  EXPECT_EQ(station_->Routers().at(0).peers_up, 0u);
  c.Close();
  ASSERT_TRUE(RunUntil([&] { return station_->router_count() == 0; }));
  EXPECT_TRUE(rec_.problems().empty()) << rec_.Dump();
}

TEST_F(StationTest, DualStackListenerNamesIpv4RoutersByTheirIpv4Address) {
  station_ = std::make_unique<BmpStation>(StationConfig{}, &rec_);
  ASSERT_TRUE(station_->Listen("[::]:0").ok());
  Client c("127.0.0.7", station_->port());
  ASSERT_TRUE(c.ok());
  ASSERT_TRUE(c.Send(Session("r", "10.0.0.1", 65001, {"192.0.2.0/24"})));
  ASSERT_TRUE(RunUntil([&] { return rec_.Count() == 1; }));
  EXPECT_EQ(station_->Routers().at(0).address.ToString(), "127.0.0.7");
  EXPECT_EQ(rec_.PeerTable("127.0.0.7", "adj-rib-in-pre", "10.0.0.1").size(), 1u);
}

TEST(StationListen, BadAddressesAreRejectedWithTheirText) {
  test::ViewRecorder rec;
  BmpStation s({}, &rec);
  for (const char* bad : {"127.0.0.1", "nonsense:1", "127.0.0.1:70000", "[::1]1", "1.2.3.4:x"}) {
    const Status st = s.Listen(bad);
    EXPECT_FALSE(st.ok()) << bad;
    EXPECT_NE(st.message().find(bad), std::string::npos) << st.message();
  }
  // A port in use.
  ASSERT_TRUE(s.Listen("127.0.0.1:0").ok());
  BmpStation t({}, &rec);
  const Status st = t.Listen("127.0.0.1:" + std::to_string(s.port()));
  EXPECT_FALSE(st.ok());
}

}  // namespace
}  // namespace vigia::bmp
