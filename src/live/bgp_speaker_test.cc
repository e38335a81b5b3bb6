// Tests of the passive BGP speaker's FSM with crafted messages over a
// socketpair: the test plays the router, byte by byte.
#include "live/bgp_speaker.h"

#include <gtest/gtest.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <iterator>
#include <map>
#include <tuple>

#include "live/test_recorder.h"

namespace vigia::live {
namespace {

using Bytes = std::vector<uint8_t>;

Bytes Msg(uint8_t type, const Bytes& body) {
  Bytes m(16, 0xFF);
  const size_t len = 19 + body.size();
  m.push_back(static_cast<uint8_t>(len >> 8));
  m.push_back(static_cast<uint8_t>(len));
  m.push_back(type);
  m.insert(m.end(), body.begin(), body.end());
  return m;
}

// OPEN from AS `asn` (4-octet capability), hold time, identifier, plus
// extra capabilities (already encoded code/len/value).
Bytes Open(uint32_t asn, uint16_t hold, uint32_t id, const Bytes& extra_caps = {},
           uint8_t version = 4) {
  Bytes caps = {65,
                4,
                static_cast<uint8_t>(asn >> 24),
                static_cast<uint8_t>(asn >> 16),
                static_cast<uint8_t>(asn >> 8),
                static_cast<uint8_t>(asn)};
  caps.insert(caps.end(), extra_caps.begin(), extra_caps.end());
  const uint16_t my_as = asn > 0xFFFF ? 23456 : static_cast<uint16_t>(asn);
  Bytes b = {version,
             static_cast<uint8_t>(my_as >> 8),
             static_cast<uint8_t>(my_as),
             static_cast<uint8_t>(hold >> 8),
             static_cast<uint8_t>(hold),
             static_cast<uint8_t>(id >> 24),
             static_cast<uint8_t>(id >> 16),
             static_cast<uint8_t>(id >> 8),
             static_cast<uint8_t>(id),
             static_cast<uint8_t>(caps.size() + 2),
             2,
             static_cast<uint8_t>(caps.size())};
  b.insert(b.end(), caps.begin(), caps.end());
  return Msg(1, b);
}

const Bytes kAddPathSendV4 = {69, 4, 0, 1, 1, 2};
const Bytes kGracefulRestart1s = {64, 2, 0, 1};

// An IPv4 UPDATE: withdrawn and announced /24s (a.b.c.0/24 as {a,b,c}),
// each with a path id when add_path.
Bytes Update4(const std::vector<std::pair<uint32_t, Bytes>>& withdrawn,
              const std::vector<std::pair<uint32_t, Bytes>>& nlri, bool add_path,
              uint32_t origin_as = 65010) {
  auto encode = [&](const std::vector<std::pair<uint32_t, Bytes>>& l) {
    Bytes o;
    for (const auto& [id, p] : l) {
      if (add_path) {
        o.push_back(static_cast<uint8_t>(id >> 24));
        o.push_back(static_cast<uint8_t>(id >> 16));
        o.push_back(static_cast<uint8_t>(id >> 8));
        o.push_back(static_cast<uint8_t>(id));
      }
      o.push_back(24);
      o.insert(o.end(), p.begin(), p.end());
    }
    return o;
  };
  const Bytes w = encode(withdrawn), n = encode(nlri);
  Bytes attrs;
  if (!nlri.empty()) {
    attrs = {0x40,
             1,
             1,
             0,  // ORIGIN IGP
             0x40,
             2,
             6,
             2,
             1,
             static_cast<uint8_t>(origin_as >> 24),
             static_cast<uint8_t>(origin_as >> 16),
             static_cast<uint8_t>(origin_as >> 8),
             static_cast<uint8_t>(origin_as),  // AS_PATH
             0x40,
             3,
             4,
             192,
             0,
             2,
             9};  // NEXT_HOP
  }
  Bytes b = {static_cast<uint8_t>(w.size() >> 8), static_cast<uint8_t>(w.size())};
  b.insert(b.end(), w.begin(), w.end());
  b.push_back(static_cast<uint8_t>(attrs.size() >> 8));
  b.push_back(static_cast<uint8_t>(attrs.size()));
  b.insert(b.end(), attrs.begin(), attrs.end());
  b.insert(b.end(), n.begin(), n.end());
  return Msg(2, b);
}

// An IPv6 UPDATE: 2001:db8:<n>::/48 in MP_REACH_NLRI (RFC 4760 §3), with
// path id when add_path.
Bytes Update6(uint8_t n, uint32_t path_id, bool add_path) {
  Bytes mp = {0, 2, 1, 16, 0x20, 1, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0};
  if (add_path) {
    for (int sh = 24; sh >= 0; sh -= 8) mp.push_back(static_cast<uint8_t>(path_id >> sh));
  }
  const Bytes prefix = {48, 0x20, 0x01, 0x0d, 0xb8, 0, n};
  mp.insert(mp.end(), prefix.begin(), prefix.end());
  Bytes attrs = {0x40, 1, 1, 0,    0x40, 2,    6,  2,
                 1,    0, 0, 0xFD, 0xF2, 0x80, 14, static_cast<uint8_t>(mp.size())};
  attrs.insert(attrs.end(), mp.begin(), mp.end());
  Bytes b = {0, 0, 0, static_cast<uint8_t>(attrs.size())};
  b.insert(b.end(), attrs.begin(), attrs.end());
  return Msg(2, b);
}

class SpeakerFsm : public ::testing::Test {
 protected:
  SpeakerFsm() { config_.local_asn = 65000; }

  void Start() { speaker_ = std::make_unique<BgpSpeaker>(config_, &sink_); }

  // A new "router" connected to the speaker; returns the router's end.
  int Connect(const IpAddress& ip = IpAddress::V4(0xC0000209)) {
    int sv[2];
    EXPECT_EQ(::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), 0);
    EXPECT_TRUE(speaker_->Adopt(sv[0], ip).ok());
    return sv[1];
  }

  void Write(int fd, const Bytes& b) {
    ASSERT_EQ(::write(fd, b.data(), b.size()), static_cast<ssize_t>(b.size()));
    for (int i = 0; i < 3; ++i) ASSERT_TRUE(speaker_->RunOnce(5).ok());
  }

  // Runs the speaker until the router's end has a whole message (or EOF:
  // empty), for up to max_ms.
  Bytes Read(int fd, int max_ms = 3000) {
    Bytes buf;
    for (int waited = 0; waited < max_ms; waited += 10) {
      EXPECT_TRUE(speaker_->RunOnce(10).ok());
      pollfd p{fd, POLLIN, 0};
      while (::poll(&p, 1, 0) == 1) {
        uint8_t c[4096];
        const size_t want =
            buf.size() < 19 ? 19 - buf.size() : ((buf[16] << 8) | buf[17]) - buf.size();
        const ssize_t n = ::read(fd, c, std::min(want, sizeof c));
        if (n <= 0) return buf;
        buf.insert(buf.end(), c, c + n);
        if (buf.size() >= 19 && buf.size() == static_cast<size_t>((buf[16] << 8) | buf[17])) {
          return buf;
        }
      }
    }
    return buf;
  }

  // Expects a NOTIFICATION code/subcode and then EOF.
  void ExpectNotification(int fd, uint8_t code, uint8_t subcode) {
    Bytes m = Read(fd);
    ASSERT_GE(m.size(), 21u);
    EXPECT_EQ(m[18], 3) << "message type";
    EXPECT_EQ(m[19], code);
    EXPECT_EQ(m[20], subcode);
    EXPECT_TRUE(Read(fd, 500).empty()) << "the speaker closes after a NOTIFICATION";
  }

  // Reads the speaker's OPEN, sends ours, reads KEEPALIVE, sends one.
  void Establish(int fd, const Bytes& open) {
    Bytes o = Read(fd);
    ASSERT_GE(o.size(), 29u);
    ASSERT_EQ(o[18], 1) << "the speaker speaks first with OPEN";
    Write(fd, open);
    Bytes k = Read(fd);
    ASSERT_EQ(k.size(), 19u);
    ASSERT_EQ(k[18], 4);
    Write(fd, Msg(4, {}));
    ASSERT_EQ(speaker_->EstablishedCount(), 1u);
  }

  SpeakerConfig config_;
  test::RouteRecorder sink_;
  std::unique_ptr<BgpSpeaker> speaker_;
};

TEST_F(SpeakerFsm, OpenAdvertisesCapabilitiesAndNeverAnnounces) {
  Start();
  const int fd = Connect();
  Bytes o = Read(fd);
  ASSERT_GE(o.size(), 29u);
  EXPECT_EQ(o[19], 4) << "version";
  EXPECT_EQ((o[20] << 8) | o[21], 65000);
  const Bytes caps(o.begin() + 29, o.end());
  auto has = [&](const Bytes& c) {
    return std::search(caps.begin(), caps.end(), c.begin(), c.end()) != caps.end();
  };
  EXPECT_TRUE(has({1, 4, 0, 1, 0, 1})) << "MP IPv4 unicast";
  EXPECT_TRUE(has({1, 4, 0, 2, 0, 1})) << "MP IPv6 unicast";
  EXPECT_TRUE(has({2, 0})) << "route refresh";
  EXPECT_TRUE(has({65, 4, 0, 0, 0xFD, 0xE8})) << "4-octet AS 65000";
  EXPECT_TRUE(has({69, 8, 0, 1, 1, 1, 0, 2, 1, 1})) << "ADD-PATH receive v4+v6";
  EXPECT_TRUE(has({64, 2, 0, 120})) << "graceful restart, helper (no AFI)";
  Write(fd, Open(65010, 90, 0x0A000009));
  Bytes k = Read(fd);
  ASSERT_EQ(k.size(), 19u);
  Write(fd, Msg(4, {}));
  EXPECT_EQ(speaker_->EstablishedCount(), 1u);
  // Nothing but KEEPALIVEs ever comes from the speaker: no UPDATE.
  Bytes more = Read(fd, 300);
  EXPECT_TRUE(more.empty() || more[18] == 4);
  ::close(fd);
}

TEST_F(SpeakerFsm, BadOpenVersionIsNotification2_1) {
  Start();
  const int fd = Connect();
  Read(fd);
  Write(fd, Open(65010, 90, 0x0A000009, {}, 3));
  ExpectNotification(fd, 2, 1);
  ::close(fd);
}

TEST_F(SpeakerFsm, UnacceptableHoldTimeIsNotification2_6) {
  Start();
  const int fd = Connect();
  Read(fd);
  Write(fd, Open(65010, 2, 0x0A000009));
  ExpectNotification(fd, 2, 6);
  ::close(fd);
}

TEST_F(SpeakerFsm, ZeroBgpIdentifierIsNotification2_3) {
  Start();
  const int fd = Connect();
  Read(fd);
  Write(fd, Open(65010, 90, 0));
  ExpectNotification(fd, 2, 3);
  ::close(fd);
}

TEST_F(SpeakerFsm, UnexpectedPeerAsIsNotification2_2) {
  config_.peers.push_back(AllowedPeer{IpAddress::V4(0xC0000209), 65010});
  Start();
  const int fd = Connect();
  Read(fd);
  Write(fd, Open(4200000000u, 90, 0x0A000009));
  ExpectNotification(fd, 2, 2);
  ::close(fd);
}

TEST_F(SpeakerFsm, UnlistedPeerAddressIsRefused) {
  config_.peers.push_back(AllowedPeer{IpAddress::V4(0xC0000209), 0});
  Start();
  int sv[2];
  ASSERT_EQ(::socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
  EXPECT_FALSE(speaker_->Adopt(sv[0], IpAddress::V4(0xC000020A)).ok());
  EXPECT_TRUE(Read(sv[1], 200).empty());
  EXPECT_EQ(speaker_->stats().refused, 1u);
  ::close(sv[1]);
}

TEST_F(SpeakerFsm, RoleMismatchIsNotification2_11) {
  config_.role = BgpRole::kCustomer;  // we are the peer's customer: it must be a provider
  Start();
  const int fd = Connect();
  Read(fd);
  Write(fd, Open(65010, 90, 0x0A000009, {9, 1, 4}));  // it says "peer"
  ExpectNotification(fd, 2, 11);
  ::close(fd);
}

TEST_F(SpeakerFsm, BadMarkerIsNotification1_1) {
  Start();
  const int fd = Connect();
  Read(fd);
  Bytes m = Msg(4, {});
  m[3] = 0;
  Write(fd, m);
  ExpectNotification(fd, 1, 1);
  ::close(fd);
}

TEST_F(SpeakerFsm, BadLengthIsNotification1_2AndBadTypeIs1_3) {
  Start();
  int fd = Connect();
  Read(fd);
  Bytes m = Msg(4, {0});  // a KEEPALIVE of 20 octets
  Write(fd, m);
  ExpectNotification(fd, 1, 2);
  ::close(fd);
  fd = Connect();
  Read(fd);
  Write(fd, Msg(9, {}));
  ExpectNotification(fd, 1, 3);
  ::close(fd);
}

TEST_F(SpeakerFsm, MessageOver4096OctetsIsNotification1_2WithTheLength) {
  Start();
  const int fd = Connect();
  Establish(fd, Open(65010, 90, 0x0A000009));
  Bytes m = Msg(2, {});
  m[16] = 0x10;  // length 4097: no RFC 8654 extended messages
  m[17] = 0x01;
  Write(fd, m);
  Bytes n;
  for (int i = 0; i < 5; ++i) {
    n = Read(fd);
    if (n.empty() || n[18] != 4) break;  // skip KEEPALIVEs
  }
  ASSERT_EQ(n.size(), 23u);
  EXPECT_EQ(n[18], 3);
  EXPECT_EQ(n[19], 1);
  EXPECT_EQ(n[20], 2);
  EXPECT_EQ((n[21] << 8) | n[22], 4097) << "RFC 4271 §6.1: data is the erroneous length";
  EXPECT_EQ(sink_.session_downs(), 1u);
  ::close(fd);
}

TEST_F(SpeakerFsm, UpdateBeforeEstablishedIsFsmError5_1) {
  Start();
  const int fd = Connect();
  Read(fd);
  Write(fd, Update4({}, {{0, {198, 51, 100}}}, false));
  ExpectNotification(fd, 5, 1);
  ::close(fd);
}

TEST_F(SpeakerFsm, HoldTimerExpiryIsNotification4_0AndRoutesGo) {
  Start();
  const int fd = Connect();
  Establish(fd, Open(65010, 3, 0x0A000009));
  Write(fd, Update4({}, {{0, {198, 51, 100}}}, false));
  EXPECT_EQ(sink_.Count(), 1u);
  // No KEEPALIVE from the router: after 3 s the speaker gives up. Its own
  // KEEPALIVEs (every second) come first.
  Bytes m;
  for (int i = 0; i < 10; ++i) {
    m = Read(fd, 5000);
    if (m.empty() || m[18] != 4) break;
  }
  ASSERT_GE(m.size(), 21u);
  EXPECT_EQ(m[18], 3);
  EXPECT_EQ(m[19], 4);
  EXPECT_EQ(m[20], 0);
  EXPECT_EQ(sink_.Count(), 0u) << "leaving Established drops the peer's routes";
  EXPECT_EQ(sink_.session_downs(), 1u);
  ::close(fd);
}

TEST_F(SpeakerFsm, AddPathPathsAreKeptApart) {
  Start();
  const int fd = Connect();
  Establish(fd, Open(65010, 90, 0x0A000009, kAddPathSendV4));
  ASSERT_TRUE(speaker_->Sessions()[0].add_path_v4);
  Write(fd, Update4({}, {{1, {198, 51, 100}}}, true, 65011));
  Write(fd, Update4({}, {{2, {198, 51, 100}}}, true, 65012));
  EXPECT_EQ(sink_.Count(), 2u);
  EXPECT_EQ(sink_.Origin(0, "198.51.100.0/24", 1), 65011u);
  EXPECT_EQ(sink_.Origin(0, "198.51.100.0/24", 2), 65012u);
  Write(fd, Update4({{1, {198, 51, 100}}}, {}, true));
  EXPECT_EQ(sink_.Count(), 1u);
  EXPECT_EQ(sink_.Origin(0, "198.51.100.0/24", 2), 65012u);
  ::close(fd);
}

TEST_F(SpeakerFsm, AddPathNegotiatedForIpv6OnlyDecodesEachFamilyRight) {
  Start();
  const int fd = Connect();
  Establish(fd, Open(65010, 90, 0x0A000009, {69, 4, 0, 2, 1, 2}));
  ASSERT_FALSE(speaker_->Sessions()[0].add_path_v4);
  ASSERT_TRUE(speaker_->Sessions()[0].add_path_v6);
  Write(fd, Update4({}, {{0, {198, 51, 100}}}, false));
  Write(fd, Update6(1, 9, true));
  EXPECT_EQ(sink_.Count(), 2u);
  EXPECT_EQ(sink_.Origin(0, "198.51.100.0/24", 0), 65010u);
  EXPECT_EQ(sink_.Origin(0, "2001:db8:1::/48", 9), 65010u);
  EXPECT_EQ(speaker_->EstablishedCount(), 1u);
  ::close(fd);
}

TEST_F(SpeakerFsm, ManySessionsAtOnceKeepTheirPeersApart) {
  Start();
  constexpr int kPeers = 40;
  std::vector<int> fds;
  for (int i = 0; i < kPeers; ++i) {
    fds.push_back(Connect(IpAddress::V4(0x0A000100 + static_cast<uint32_t>(i))));
  }
  for (int i = 0; i < kPeers; ++i) ASSERT_EQ(Read(fds[i])[18], 1);  // every OPEN
  for (int i = 0; i < kPeers; ++i) {
    Write(fds[i],
          Open(65100 + static_cast<uint32_t>(i), 90, 0x0A000100 + static_cast<uint32_t>(i)));
  }
  for (int i = 0; i < kPeers; ++i) {
    ASSERT_EQ(Read(fds[i])[18], 4);
    Write(fds[i], Msg(4, {}));
  }
  ASSERT_EQ(speaker_->EstablishedCount(), static_cast<size_t>(kPeers));
  // Every peer announces the same prefix with its own AS as origin.
  for (int i = 0; i < kPeers; ++i) {
    Write(fds[i], Update4({}, {{0, {198, 51, 100}}}, false, 65100 + static_cast<uint32_t>(i)));
  }
  EXPECT_EQ(sink_.Count(), static_cast<size_t>(kPeers));
  for (int i = 0; i < kPeers; ++i) {
    EXPECT_EQ(sink_.Origin(static_cast<bgp::PeerHandle>(i), "198.51.100.0/24", 0),
              65100u + static_cast<uint32_t>(i));
  }
  // One peer going down takes only its route.
  ::close(fds[7]);
  for (int i = 0; i < 5; ++i) ASSERT_TRUE(speaker_->RunOnce(5).ok());
  EXPECT_EQ(sink_.Count(), static_cast<size_t>(kPeers - 1));
  EXPECT_EQ(sink_.Origin(7, "198.51.100.0/24", 0), 0u);
  for (int i = 0; i < kPeers; ++i) {
    if (i != 7) ::close(fds[i]);
  }
}

TEST_F(SpeakerFsm, MalformedAttributeIsTreatAsWithdrawNotReset) {
  Start();
  const int fd = Connect();
  Establish(fd, Open(65010, 90, 0x0A000009));
  Write(fd, Update4({}, {{0, {198, 51, 100}}}, false));
  ASSERT_EQ(sink_.Count(), 1u);
  // ORIGIN value 7 (RFC 7606 §7.1: treat-as-withdraw).
  Bytes u = Update4({}, {{0, {198, 51, 100}}}, false);
  u[19 + 2 + 2 + 3] = 7;
  Write(fd, u);
  EXPECT_EQ(sink_.Count(), 0u);
  EXPECT_EQ(sink_.treat_as_withdraw(), 1u);
  EXPECT_EQ(speaker_->EstablishedCount(), 1u) << "RFC 7606: no session reset";
  ::close(fd);
}

TEST_F(SpeakerFsm, GracefulRestartKeepsStaleRoutesThenFlushes) {
  Start();
  int fd = Connect();
  Establish(fd, Open(65010, 90, 0x0A000009, kGracefulRestart1s));
  Write(fd, Update4({}, {{0, {198, 51, 100}}, {0, {203, 0, 113}}}, false));
  ASSERT_EQ(sink_.Count(), 2u);
  ::close(fd);  // the router "restarts": TCP goes away without NOTIFICATION
  for (int i = 0; i < 5; ++i) ASSERT_TRUE(speaker_->RunOnce(5).ok());
  EXPECT_EQ(sink_.Count(), 2u) << "routes kept stale during the restart time";
  EXPECT_EQ(sink_.session_downs(), 0u);
  // It comes back, re-announces one route and sends End-of-RIB: the other,
  // stale one is withdrawn.
  fd = Connect();
  Establish(fd, Open(65010, 90, 0x0A000009, kGracefulRestart1s));
  Write(fd, Update4({}, {{0, {198, 51, 100}}}, false));
  EXPECT_EQ(sink_.Count(), 2u);
  Write(fd, Update4({}, {}, false));  // End-of-RIB IPv4
  EXPECT_EQ(sink_.Count(), 1u);
  EXPECT_EQ(sink_.Origin(0, "198.51.100.0/24", 0), 65010u);
  // Gone again and not back within 1 s: everything is flushed.
  ::close(fd);
  for (int i = 0; i < 100 && sink_.session_downs() == 0; ++i)
    ASSERT_TRUE(speaker_->RunOnce(50).ok());
  EXPECT_EQ(sink_.session_downs(), 1u);
  EXPECT_EQ(sink_.Count(), 0u);
}

TEST_F(SpeakerFsm, WithoutGracefulRestartAResetDropsRoutes) {
  Start();
  const int fd = Connect();
  Establish(fd, Open(65010, 90, 0x0A000009));
  Write(fd, Update4({}, {{0, {198, 51, 100}}}, false));
  ASSERT_EQ(sink_.Count(), 1u);
  ::close(fd);
  for (int i = 0; i < 5; ++i) ASSERT_TRUE(speaker_->RunOnce(5).ok());
  EXPECT_EQ(sink_.Count(), 0u);
  EXPECT_EQ(sink_.session_downs(), 1u);
}

// Stale routes of a graceful-restart session meet a new session without
// the capability: they go at Established (RFC 4724 §4.2), and that
// session's own routes (whose keys are not kept) go when it resets.
TEST_F(SpeakerFsm, StaleRoutesFlushedByASessionWithoutGracefulRestartWhoseRoutesThenDrop) {
  Start();
  int fd = Connect();
  Establish(fd, Open(65010, 90, 0x0A000009, kGracefulRestart1s));
  Write(fd, Update4({}, {{0, {198, 51, 100}}, {0, {203, 0, 113}}}, false));
  ASSERT_EQ(sink_.Count(), 2u);
  ::close(fd);
  for (int i = 0; i < 5; ++i) ASSERT_TRUE(speaker_->RunOnce(5).ok());
  ASSERT_EQ(sink_.Count(), 2u) << "stale during the restart time";
  fd = Connect();
  Establish(fd, Open(65010, 90, 0x0A000009));
  EXPECT_EQ(sink_.Count(), 0u) << "no GR capability any more: stale routes withdrawn";
  EXPECT_EQ(speaker_->stats().stale_flushed, 2u);
  Write(fd, Update4({}, {{0, {192, 0, 2}}, {0, {203, 0, 113}}}, false));
  Write(fd, Update4({{0, {203, 0, 113}}}, {}, false));
  EXPECT_EQ(sink_.Count(), 1u);
  Write(fd, Update4({}, {}, false));  // End-of-RIB: nothing stale to flush
  EXPECT_EQ(sink_.Count(), 1u);
  EXPECT_EQ(speaker_->stats().stale_flushed, 2u);
  ::close(fd);
  for (int i = 0; i < 5; ++i) ASSERT_TRUE(speaker_->RunOnce(5).ok());
  EXPECT_EQ(sink_.Count(), 0u);
  EXPECT_EQ(sink_.session_downs(), 1u);
}

TEST_F(SpeakerFsm, ArrivalNsIsTheSteadyClockTimeOfTheRead) {
  Start();
  EXPECT_EQ(speaker_->arrival_ns(), 0) << "nothing read yet";
  const int fd = Connect();
  Establish(fd, Open(65010, 90, 0x0A000009));
  const auto ns = [] {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(
               std::chrono::steady_clock::now().time_since_epoch())
        .count();
  };
  const int64_t before = ns();
  Write(fd, Update4({}, {{0, {198, 51, 100}}}, false));
  const int64_t after = ns();
  ASSERT_EQ(sink_.Count(), 1u);
  EXPECT_GE(speaker_->arrival_ns(), before);
  EXPECT_LE(speaker_->arrival_ns(), after);
  ::close(fd);
}

// The fuzz seed: OPEN (4-octet AS, ADD-PATH both families, GR, role
// customer), KEEPALIVE, two IPv4 paths of one prefix, an IPv6 path over
// MP_REACH, End-of-RIB for both, a withdrawal of IPv4 path 1, ROUTE-REFRESH.
TEST_F(SpeakerFsm, FuzzSeedSessionDecodesBothFamiliesWithPathIds) {
  std::ifstream in(std::string(VIGIA_SOURCE_DIR) +
                       "/fuzz/regressions/bgp_session_fuzz/seed-established-v4-v6-addpath-eor",
                   std::ios::binary);
  const Bytes seed((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  ASSERT_FALSE(seed.empty());
  Start();
  const int fd = Connect();
  Read(fd);
  Write(fd, seed);
  ASSERT_EQ(speaker_->EstablishedCount(), 1u) << "sent " << int{speaker_->stats().last_sent_code}
                                              << "/" << int{speaker_->stats().last_sent_subcode};
  const SessionStatus st = speaker_->Sessions()[0];
  EXPECT_TRUE(st.add_path_v4 && st.add_path_v6 && st.graceful_restart);
  EXPECT_EQ(st.peer_role, BgpRole::kCustomer);
  EXPECT_EQ(sink_.Count(), 2u);
  EXPECT_EQ(sink_.Origin(0, "198.51.100.0/24", 2), 65010u);
  EXPECT_EQ(sink_.Origin(0, "2001:db8:1::/48", 7), 65010u);
  EXPECT_EQ(sink_.Origin(0, "198.51.100.0/24", 1), 0u) << "path 1 withdrawn";
  ::close(fd);
}

TEST(ParseHostPort, FormsAndErrors) {
  auto a = ParseHostPort("127.0.0.1:179");
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(a->second, 179);
  auto b = ParseHostPort("[::1]:1179");
  ASSERT_TRUE(b.ok());
  EXPECT_TRUE(b->first.is_v6());
  EXPECT_FALSE(ParseHostPort("127.0.0.1").ok());
  EXPECT_FALSE(ParseHostPort("127.0.0.1:70000").ok());
  EXPECT_FALSE(ParseHostPort("nohost:1").ok());
}

}  // namespace
}  // namespace vigia::live
