// The RTR cache: RtrCache's answers byte by byte, and RtrServer over TCP
// against Vigía's own client (versions 0, 1 and 2 with ASPA) and raw
// sockets that misbehave.
#include "rpki/rtr_server.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <random>
#include <set>
#include <thread>

#include "core/test_socket.h"
#include "rpki/rtr_client.h"

namespace vigia::rpki::rtr {
namespace {

using namespace std::chrono_literals;
using Bytes = std::vector<uint8_t>;

RtrVrp V(const char* prefix, uint8_t max, Asn asn) { return {*Prefix::Parse(prefix), max, asn}; }

std::shared_ptr<const RtrPayload> MakePayload(std::vector<RtrVrp> vrps, std::vector<Aspa> aspas) {
  auto p = std::make_shared<RtrPayload>();
  std::sort(vrps.begin(), vrps.end());
  p->vrps = std::move(vrps);
  p->aspas = std::move(aspas);
  return p;
}

// Every PDU of a byte string, decoded.
std::vector<Pdu> Decode(const Bytes& bytes) {
  PduReader r;
  r.Append(bytes);
  std::vector<Pdu> out;
  std::span<const uint8_t> one;
  while (true) {
    auto next = r.Next(&one);
    EXPECT_TRUE(next.ok());
    if (!next.ok() || !next.value()) break;
    Pdu p;
    EXPECT_TRUE(DecodePdu(one, &p).ok()) << "PDU at offset " << r.offset();
    out.push_back(p);
  }
  EXPECT_EQ(r.buffered(), 0u);
  return out;
}

std::vector<PduType> Types(const std::vector<Pdu>& pdus) {
  std::vector<PduType> t;
  for (const Pdu& p : pdus) t.push_back(p.type);
  return t;
}

const std::vector<RtrVrp> kThree = {V("192.0.2.0/24", 24, 64496), V("198.51.100.0/22", 24, 64497),
                                    V("2001:db8::/32", 48, 64498)};

TEST(RtrCache, ResetQueryGetsCacheResponseEveryRecordAndEndOfData) {
  RtrCache cache(77, 5, {900, 300, 3600});
  ASSERT_TRUE(cache.Update(MakePayload(kThree, {{64496, {64510, 64511}}})));
  EXPECT_EQ(cache.serial(), 5u);
  const auto v1 = Decode(*cache.FullSet(1));
  ASSERT_EQ(v1.size(), 5u);
  EXPECT_EQ(v1.front().type, PduType::kCacheResponse);
  EXPECT_EQ(v1.front().session_id, 77);
  EXPECT_EQ(v1[1].type, PduType::kIpv4Prefix);
  EXPECT_TRUE(v1[1].announce);
  EXPECT_EQ(v1[3].type, PduType::kIpv6Prefix);
  EXPECT_EQ(v1[3].max_length, 48);
  const Pdu& eod = v1.back();
  EXPECT_EQ(eod.type, PduType::kEndOfData);
  EXPECT_EQ(eod.serial, 5u);
  EXPECT_EQ(eod.refresh, 900u);
  EXPECT_EQ(eod.retry, 300u);
  EXPECT_EQ(eod.expire, 3600u);
  // Version 0 (RFC 6810): the same records, an End of Data without timers;
  // no ASPA before version 2.
  const Bytes v0 = *cache.FullSet(0);
  EXPECT_EQ(Decode(v0).size(), 5u);
  EXPECT_EQ(v0.size(), 8u + 20 + 20 + 32 + 12);
  // Version 2: one ASPA PDU per address family (8210bis-10 §5.12).
  const auto v2 = Decode(*cache.FullSet(2));
  ASSERT_EQ(v2.size(), 7u);
  EXPECT_EQ(v2[4].type, PduType::kAspa);
  EXPECT_EQ(v2[4].customer, 64496u);
  EXPECT_EQ(v2[4].providers, (std::vector<Asn>{64510, 64511}));
  EXPECT_EQ(v2[4].afi_flags, 0);
  EXPECT_EQ(v2[5].afi_flags, kAspaAfiIpv6);
  // Encoded once per serial and version, then shared.
  EXPECT_EQ(cache.FullSet(1).get(), cache.FullSet(1).get());
}

TEST(RtrCache, SameDataKeepsTheSerial) {
  RtrCache cache(1, 0, {});
  ASSERT_TRUE(cache.Update(MakePayload(kThree, {})));
  EXPECT_FALSE(cache.Update(MakePayload(kThree, {})));
  EXPECT_EQ(cache.serial(), 0u);
}

TEST(RtrCache, SerialQueryGetsTheChangesWithdrawalsFirst) {
  RtrCache cache(9, 100, {});
  cache.Update(MakePayload(kThree, {{64496, {64510}}, {64499, {64512}}}));
  auto next = kThree;
  next.erase(next.begin());                        // withdraw 192.0.2.0/24
  next.push_back(V("203.0.113.0/24", 24, 64500));  // announce
  cache.Update(MakePayload(next, {{64496, {64510, 64513}}}));
  EXPECT_EQ(cache.serial(), 101u);
  bool reset = true;
  const auto d = Decode(*cache.Delta(2, 9, 100, &reset));
  EXPECT_FALSE(reset);
  ASSERT_EQ(Types(d), (std::vector<PduType>{PduType::kCacheResponse, PduType::kIpv4Prefix,
                                            PduType::kIpv4Prefix, PduType::kAspa, PduType::kAspa,
                                            PduType::kAspa, PduType::kAspa, PduType::kEndOfData}));
  EXPECT_FALSE(d[1].announce);
  EXPECT_EQ(d[1].prefix.ToString(), "192.0.2.0/24");
  EXPECT_TRUE(d[2].announce);
  EXPECT_EQ(d[2].prefix.ToString(), "203.0.113.0/24");
  // AS64499's ASPA is withdrawn naming its providers; AS64496's replaced.
  EXPECT_FALSE(d[3].announce);
  EXPECT_EQ(d[3].customer, 64499u);
  EXPECT_EQ(d[3].providers, (std::vector<Asn>{64512}));
  EXPECT_TRUE(d[5].announce);
  EXPECT_EQ(d[5].providers, (std::vector<Asn>{64510, 64513}));
  EXPECT_EQ(d.back().serial, 101u);
  // Version 1 sees the VRP changes only.
  EXPECT_EQ(Decode(*cache.Delta(1, 9, 100, &reset)).size(), 4u);
  // The current serial: an empty delta.
  EXPECT_EQ(Types(Decode(*cache.Delta(1, 9, 101, &reset))),
            (std::vector<PduType>{PduType::kCacheResponse, PduType::kEndOfData}));
  EXPECT_FALSE(reset);
}

TEST(RtrCache, ChangesOverSeveralSerialsAreNetted) {
  RtrCache cache(9, 0, {});
  cache.Update(MakePayload(kThree, {}));
  auto plus = kThree;
  plus.push_back(V("203.0.113.0/24", 24, 64500));
  cache.Update(MakePayload(plus, {}));                    // serial 1: +203.0.113.0/24
  cache.Update(MakePayload({kThree[0]}, {}));             // serial 2: -all but the first
  cache.Update(MakePayload({kThree[0], kThree[1]}, {}));  // serial 3: +198.51.100.0/22
  bool reset = true;
  const auto d = Decode(*cache.Delta(1, 9, 0, &reset));
  ASSERT_FALSE(reset);
  // From serial 0 the net change is the IPv6 VRP withdrawn; the others
  // came and went.
  ASSERT_EQ(d.size(), 3u);
  EXPECT_FALSE(d[1].announce);
  EXPECT_EQ(d[1].prefix.ToString(), "2001:db8::/32");
}

TEST(RtrCache, UnknownSessionOrSerialGetsCacheReset) {
  RtrCache cache(9, 0, {});
  cache.Update(MakePayload(kThree, {}));
  bool reset = false;
  // RFC 8210 §8.3: another session id.
  EXPECT_EQ(Types(Decode(*cache.Delta(1, 10, 0, &reset))),
            (std::vector<PduType>{PduType::kCacheReset}));
  EXPECT_TRUE(reset);
  // A serial from the future.
  cache.Delta(1, 9, 5, &reset);
  EXPECT_TRUE(reset);
  // A serial older than the history reaches.
  for (uint32_t i = 0; i < RtrCache::kMaxHistory + 2; ++i) {
    cache.Update(MakePayload({V("192.0.2.0/24", 24, 64496 + i)}, {}));
  }
  cache.Delta(1, 9, 0, &reset);
  EXPECT_TRUE(reset);
  cache.Delta(1, 9, cache.oldest_serial(), &reset);
  EXPECT_FALSE(reset);
  cache.Delta(1, 9, cache.oldest_serial() - 1, &reset);
  EXPECT_TRUE(reset);
}

TEST(RtrCache, SerialWrapsAround) {
  // RFC 1982 via RFC 8210 §5.3: 0xFFFFFFFF is followed by 0.
  RtrCache cache(9, 0xFFFFFFFEu, {});
  cache.Update(MakePayload(kThree, {}));
  cache.Update(MakePayload({kThree[0]}, {}));
  cache.Update(MakePayload({kThree[1]}, {}));
  EXPECT_EQ(cache.serial(), 0u);
  bool reset = true;
  const auto d = Decode(*cache.Delta(1, 9, 0xFFFFFFFEu, &reset));
  EXPECT_FALSE(reset);
  // Net: 192.0.2.0/24 and the IPv6 VRP withdrawn; 198.51.100.0/22 went
  // and came back.
  ASSERT_EQ(d.size(), 4u);
  EXPECT_FALSE(d[1].announce);
  EXPECT_FALSE(d[2].announce);
  EXPECT_EQ(d.back().serial, 0u);
  cache.Delta(1, 9, 0xFFFFFFFFu, &reset);
  EXPECT_FALSE(reset);
}

// Feeds a byte string of PDUs to a router-side session (rtr_client.h);
// false when the session rejects one.
bool Feed(RtrSession* s, const Bytes& bytes) {
  PduReader r;
  r.Append(bytes);
  std::span<const uint8_t> one;
  for (;;) {
    auto next = r.Next(&one);
    if (!next.ok()) return false;
    if (!next.value()) return true;
    if (s->OnPdu(one).close) return false;
  }
}

TEST(RtrCache, EveryDeltaInTheHistoryLeadsToTheCurrentSet) {
  // Random churn over a small universe of VRPs and ASPAs, so that records
  // come, go and come back across serials. For each serial still in the
  // history, a router synced at that serial that applies the delta must
  // hold exactly the current set (Vigía's client checks every withdrawal
  // and announcement against what it holds).
  std::mt19937 rng(16);
  std::vector<RtrVrp> universe;
  for (uint32_t i = 0; i < 40; ++i) {
    universe.push_back({Prefix(IpAddress::V4(0xC6120000u + (i << 8)), 24), 24, 64496 + i % 7});
  }
  RtrCache cache(5, 0xFFFFFFF0u, {});  // crosses the 2^32 wrap on the way
  std::vector<std::shared_ptr<const RtrPayload>> sets;
  std::vector<uint32_t> serials;
  for (int step = 0; step < 40; ++step) {
    std::vector<RtrVrp> vrps;
    for (const RtrVrp& v : universe) {
      if (rng() % 3 != 0) vrps.push_back(v);
    }
    std::vector<Aspa> aspas;
    for (Asn c = 64496; c < 64500; ++c) {
      if (rng() % 2) aspas.push_back({c, {64510 + static_cast<Asn>(rng() % 3), 64520}});
    }
    auto p = MakePayload(vrps, aspas);
    if (!cache.Update(p)) continue;
    sets.push_back(p);
    serials.push_back(cache.serial());
    for (size_t k = 0; k + 1 < sets.size(); ++k) {
      if (SerialLess(serials[k], cache.oldest_serial())) continue;
      RtrCache past(5, serials[k], {});  // the set as it was at serials[k]
      past.Update(sets[k]);
      RtrSession router(2);
      router.Start();
      ASSERT_TRUE(Feed(&router, *past.FullSet(2)));
      router.OnRefresh();  // Serial Query for serials[k]
      bool reset = true;
      ASSERT_TRUE(Feed(&router, *cache.Delta(2, 5, serials[k], &reset)))
          << "from serial " << serials[k] << " to " << cache.serial();
      ASSERT_FALSE(reset);
      auto snap = router.snapshot();
      ASSERT_NE(snap, nullptr);
      EXPECT_EQ(snap->serial, cache.serial());
      std::vector<RtrVrp> held;
      for (const Vrp& v : snap->vrps) held.push_back({v.prefix, v.max_length, v.asn});
      std::sort(held.begin(), held.end());
      EXPECT_EQ(held, p->vrps) << "from serial " << serials[k];
      const AspaSet merged = snap->MergedAspas();
      EXPECT_EQ(merged.size(), p->aspas.size());
      for (const Aspa& a : p->aspas) {
        ASSERT_NE(merged.Providers(a.customer), nullptr);
        EXPECT_EQ(*merged.Providers(a.customer), a.providers);
      }
    }
  }
  EXPECT_GT(sets.size(), 30u);
}

// ---------------------------------------------------------------- over TCP

class ServerThread {
 public:
  explicit ServerThread(RtrServerOptions o = {}) {
    o.listen = {"127.0.0.1:0"};
    o.session_id = 4242;
    server_ = std::make_unique<RtrServer>(std::move(o));
    ok_ = server_->Listen().ok();
    if (ok_) thread_ = std::thread([this] { server_->Run(); });
  }
  ~ServerThread() {
    server_->Stop();
    if (thread_.joinable()) thread_.join();
  }
  bool ok() const { return ok_; }
  RtrServer& server() { return *server_; }
  uint16_t port() const {
    const std::string& a = server_->addresses().at(0);
    return static_cast<uint16_t>(std::stoi(a.substr(a.rfind(':') + 1)));
  }

 private:
  std::unique_ptr<RtrServer> server_;
  std::thread thread_;
  bool ok_ = false;
};

std::set<std::tuple<std::string, int, Asn>> VrpsOf(const RtrSnapshot& s) {
  std::set<std::tuple<std::string, int, Asn>> out;
  for (const Vrp& v : s.vrps) out.insert({v.prefix.ToString(), v.max_length, v.asn});
  return out;
}
std::set<std::tuple<std::string, int, Asn>> VrpsOf(const RtrPayload& p) {
  std::set<std::tuple<std::string, int, Asn>> out;
  for (const RtrVrp& v : p.vrps) out.insert({v.prefix.ToString(), v.max_length, v.asn});
  return out;
}

void FollowWithVersion(uint8_t version) {
  ServerThread st;
  ASSERT_TRUE(st.ok());
  auto first = MakePayload(kThree, {{64496, {64510, 64511}}});
  st.server().SetPayload(first);
  RtrClientOptions co;
  co.host = "127.0.0.1";
  co.port = st.port();
  co.version = version;
  RtrClient client(co);
  client.Start();
  auto snap = client.WaitForSync(0, 10s);
  ASSERT_NE(snap, nullptr) << client.last_error();
  EXPECT_EQ(snap->version, version);
  EXPECT_EQ(snap->session_id, 4242);
  EXPECT_EQ(VrpsOf(*snap), VrpsOf(*first));
  EXPECT_EQ(snap->aspas.size(), version >= 2 ? 2u : 0u);

  auto next_vrps = kThree;
  next_vrps.erase(next_vrps.begin());
  next_vrps.push_back(V("203.0.113.0/24", 24, 64500));
  auto second = MakePayload(next_vrps, {{64496, {64512}}, {64501, {64510}}});
  st.server().SetPayload(second);
  auto after = client.WaitForSync(snap->generation, 10s);
  ASSERT_NE(after, nullptr);
  ASSERT_GT(after->generation, snap->generation) << client.last_error();
  EXPECT_TRUE(after->incremental);
  EXPECT_EQ(after->serial, snap->serial + 1);
  EXPECT_EQ(VrpsOf(*after), VrpsOf(*second));
  if (version >= 2) {
    const AspaSet merged = after->MergedAspas();
    ASSERT_EQ(merged.size(), 2u);
    EXPECT_EQ(*merged.Providers(64496), (std::vector<Asn>{64512}));
    EXPECT_EQ(*merged.Providers(64501), (std::vector<Asn>{64510}));
  }
  const RtrStats cs = client.stats();
  EXPECT_EQ(cs.reset_queries, 1u);
  EXPECT_EQ(cs.errors_sent + cs.errors_received, 0u);
  EXPECT_GE(cs.serial_notifies, 1u);
  client.Stop();
  EXPECT_GE(st.server().stats().notifies, 1u);
}

TEST(RtrServer, Version0ClientFollowsChanges) { FollowWithVersion(0); }
TEST(RtrServer, Version1ClientFollowsChanges) { FollowWithVersion(1); }
TEST(RtrServer, Version2ClientFollowsChangesWithAspa) { FollowWithVersion(2); }

// A socket to the server (5 s timeouts), or -1.
int Connect(uint16_t port) { return test_util::ConnectLoopback(port, 5); }

// Reads until the peer closes (or the 5 s timeout); *closed says which.
Bytes ReadAll(int fd, bool* closed) {
  Bytes out;
  uint8_t buf[65536];
  *closed = false;
  for (;;) {
    const ssize_t n = recv(fd, buf, sizeof buf, 0);
    if (n == 0) *closed = true;
    if (n <= 0) break;
    out.insert(out.end(), buf, buf + n);
  }
  return out;
}

// Sends q on a new connection to the server and reads until the server
// closes it (or the 5 s timeout): the PDUs of its answer; *closed says
// whether it closed.
std::vector<Pdu> AnswerTo(uint16_t port, const Bytes& q, bool* closed) {
  const int fd = Connect(port);
  EXPECT_GE(fd, 0);
  EXPECT_EQ(send(fd, q.data(), q.size(), 0), static_cast<ssize_t>(q.size()));
  auto pdus = Decode(ReadAll(fd, closed));
  if (fd >= 0) close(fd);
  return pdus;
}

TEST(RtrServer, UnsupportedVersionGetsErrorReportAndClose) {
  ServerThread st;
  ASSERT_TRUE(st.ok());
  st.server().SetPayload(MakePayload(kThree, {}));
  Bytes q = ResetQuery(2);
  q[0] = 3;  // RFC 8210 §7: a version the cache does not speak
  bool closed = false;
  const auto pdus = AnswerTo(st.port(), q, &closed);
  EXPECT_TRUE(closed);
  ASSERT_EQ(pdus.size(), 1u);
  EXPECT_EQ(pdus[0].type, PduType::kErrorReport);
  EXPECT_EQ(pdus[0].error_code, static_cast<uint16_t>(ErrorCode::kUnsupportedProtocolVersion));
  EXPECT_EQ(pdus[0].erroneous_pdu, q);
}

TEST(RtrServer, GarbageGetsCorruptDataAndClose) {
  ServerThread st;
  ASSERT_TRUE(st.ok());
  st.server().SetPayload(MakePayload(kThree, {}));
  // A Reset Query with a wrong length for its type.
  const Bytes q = {1, 2, 0, 0, 0, 0, 0, 12, 0xde, 0xad, 0xbe, 0xef};
  bool closed = false;
  const auto pdus = AnswerTo(st.port(), q, &closed);
  EXPECT_TRUE(closed);
  ASSERT_EQ(pdus.size(), 1u);
  EXPECT_EQ(pdus[0].type, PduType::kErrorReport);
  EXPECT_EQ(pdus[0].error_code, static_cast<uint16_t>(ErrorCode::kCorruptData));
  EXPECT_FALSE(pdus[0].error_text.empty());
  EXPECT_EQ(st.server().stats().errors_sent, 1u);
}

TEST(RtrServer, RouterSendingCachePdusGetsInvalidRequest) {
  ServerThread st;
  ASSERT_TRUE(st.ok());
  st.server().SetPayload(MakePayload(kThree, {}));
  Pdu p;
  p.version = 1;
  p.type = PduType::kCacheReset;
  Bytes q;
  EncodePdu(p, &q);
  bool closed = false;
  const auto pdus = AnswerTo(st.port(), q, &closed);
  EXPECT_TRUE(closed);
  ASSERT_EQ(pdus.size(), 1u);
  EXPECT_EQ(pdus[0].error_code, static_cast<uint16_t>(ErrorCode::kInvalidRequest));
}

TEST(RtrServer, VersionChangeWithinASessionIsRefused) {
  ServerThread st;
  ASSERT_TRUE(st.ok());
  st.server().SetPayload(MakePayload(kThree, {}));
  Bytes q = ResetQuery(1);
  const Bytes q2 = ResetQuery(0);
  q.insert(q.end(), q2.begin(), q2.end());
  bool closed = false;
  const auto pdus = AnswerTo(st.port(), q, &closed);
  EXPECT_TRUE(closed);
  ASSERT_EQ(pdus.size(), 6u);  // the v1 full set (5), then the error
  EXPECT_EQ(pdus.back().type, PduType::kErrorReport);
  EXPECT_EQ(pdus.back().version, 1);
  EXPECT_EQ(pdus.back().error_code, static_cast<uint16_t>(ErrorCode::kUnsupportedProtocolVersion));
}

TEST(RtrServer, NoDataAvailableUntilDataThenNotify) {
  ServerThread st;
  ASSERT_TRUE(st.ok());
  const int fd = Connect(st.port());
  const Bytes q = ResetQuery(1);
  send(fd, q.data(), q.size(), 0);
  uint8_t buf[4096];
  ssize_t n = recv(fd, buf, sizeof buf, 0);
  ASSERT_GT(n, 0);
  auto pdus = Decode(Bytes(buf, buf + n));
  ASSERT_EQ(pdus.size(), 1u);
  EXPECT_EQ(pdus[0].error_code, static_cast<uint16_t>(ErrorCode::kNoDataAvailable));
  // RFC 8210 §8.4: not fatal; the data arrives, a Serial Notify follows.
  st.server().SetPayload(MakePayload(kThree, {}));
  n = recv(fd, buf, sizeof buf, 0);
  ASSERT_EQ(n, 12);
  pdus = Decode(Bytes(buf, buf + n));
  EXPECT_EQ(pdus[0].type, PduType::kSerialNotify);
  EXPECT_EQ(pdus[0].session_id, 4242);
  close(fd);
}

TEST(RtrServer, ErrorReportFromTheRouterClosesTheSession) {
  ServerThread st;
  ASSERT_TRUE(st.ok());
  st.server().SetPayload(MakePayload(kThree, {}));
  const int fd = Connect(st.port());
  const Bytes e = ErrorReport(1, ErrorCode::kCorruptData, {}, "router says no");
  send(fd, e.data(), e.size(), 0);
  bool closed = false;
  EXPECT_TRUE(ReadAll(fd, &closed).empty());  // never an Error Report back
  EXPECT_TRUE(closed);
  close(fd);
  EXPECT_EQ(st.server().stats().errors_received, 1u);
}

TEST(RtrServer, ClientThatNeverReadsIsDropped) {
  RtrServerOptions o;
  o.client_timeout = 1s;
  ServerThread st(o);
  ASSERT_TRUE(st.ok());
  // A full set large enough to fill the socket buffers.
  std::vector<RtrVrp> many;
  for (uint32_t i = 0; i < 200'000; ++i) {
    many.push_back({Prefix(IpAddress::V4(0x0A000000u + (i << 8)), 24), 24, 64496 + i % 100});
  }
  st.server().SetPayload(MakePayload(std::move(many), {}));
  const int fd = Connect(st.port());
  int small = 4096;
  setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &small, sizeof small);
  const Bytes q = ResetQuery(1);
  for (int i = 0; i < 100; ++i) send(fd, q.data(), q.size(), MSG_DONTWAIT);
  // Never read; the server drops the connection after client_timeout.
  for (int i = 0; i < 100 && st.server().stats().slow_dropped == 0; ++i) {
    std::this_thread::sleep_for(100ms);
  }
  EXPECT_EQ(st.server().stats().slow_dropped, 1u);
  EXPECT_EQ(st.server().stats().clients, 0u);
  close(fd);
}

TEST(RtrServer, HalfAPduIsNotWaitedForForever) {
  RtrServerOptions o;
  o.client_timeout = 1s;
  ServerThread st(o);
  ASSERT_TRUE(st.ok());
  st.server().SetPayload(MakePayload(kThree, {}));
  const int fd = Connect(st.port());
  const Bytes q = ResetQuery(1);
  send(fd, q.data(), 5, 0);  // slowloris: the rest never comes
  bool closed = false;
  EXPECT_TRUE(ReadAll(fd, &closed).empty());
  EXPECT_TRUE(closed);
  close(fd);
}

TEST(RtrServer, ConnectionsBeyondMaxClientsAreClosed) {
  RtrServerOptions o;
  o.max_clients = 2;
  ServerThread st(o);
  ASSERT_TRUE(st.ok());
  st.server().SetPayload(MakePayload(kThree, {}));
  const int a = Connect(st.port()), b = Connect(st.port());
  for (int i = 0; i < 50 && st.server().stats().clients < 2; ++i) std::this_thread::sleep_for(20ms);
  const int c = Connect(st.port());
  bool closed = false;
  EXPECT_TRUE(ReadAll(c, &closed).empty());
  EXPECT_TRUE(closed);
  // The first two are still served.
  const Bytes q = ResetQuery(1);
  send(a, q.data(), q.size(), 0);
  uint8_t buf[4096];
  EXPECT_GT(recv(a, buf, sizeof buf, 0), 0);
  EXPECT_EQ(st.server().stats().refused, 1u);
  close(a);
  close(b);
  close(c);
}

}  // namespace
}  // namespace vigia::rpki::rtr
