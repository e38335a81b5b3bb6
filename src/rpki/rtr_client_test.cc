#include "rpki/rtr_client.h"

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <set>
#include <thread>
#include <tuple>

#include "core/test_util.h"
#include "rpki/rpki_client_json.h"
#include "rpki/stayrtr_process.h"

namespace vigia::rpki::rtr {
namespace {

using Bytes = std::vector<uint8_t>;
using namespace std::chrono_literals;

// Hand-made PDUs from the cache.
Bytes Encode(const Pdu& p) {
  Bytes b;
  EncodePdu(p, &b);
  return b;
}
Bytes CacheResponse(uint8_t v, uint16_t session) {
  Pdu p;
  p.version = v;
  p.type = PduType::kCacheResponse;
  p.session_id = session;
  return Encode(p);
}
Bytes PrefixPdu(uint8_t v, bool announce, const char* prefix, uint8_t max, Asn asn) {
  Pdu p;
  p.version = v;
  p.type = PduType::kIpv4Prefix;
  p.announce = announce;
  p.prefix = *Prefix::Parse(prefix);
  p.max_length = max;
  p.asn = asn;
  return Encode(p);
}
Bytes AspaPdu(bool announce, Asn customer, bool ipv6, std::vector<Asn> providers) {
  Pdu p;
  p.version = 2;
  p.type = PduType::kAspa;
  p.announce = announce;
  p.customer = customer;
  p.afi_flags = ipv6 ? kAspaAfiIpv6 : 0;
  p.providers = std::move(providers);
  return Encode(p);
}
Bytes KeyPdu(uint8_t v, bool announce, Asn asn) {
  Pdu p;
  p.version = v;
  p.type = PduType::kRouterKey;
  p.announce = announce;
  p.asn = asn;
  p.ski[0] = 0xAB;
  p.spki = {0x30, 0x59};
  return Encode(p);
}
Bytes EndOfData(uint8_t v, uint16_t session, uint32_t serial, uint32_t refresh = 3600,
                uint32_t retry = 600, uint32_t expire = 7200) {
  Pdu p;
  p.version = v;
  p.type = PduType::kEndOfData;
  p.session_id = session;
  p.serial = serial;
  p.refresh = refresh;
  p.retry = retry;
  p.expire = expire;
  return Encode(p);
}
Bytes SerialNotify(uint8_t v, uint16_t session, uint32_t serial) {
  Pdu p;
  p.version = v;
  p.type = PduType::kSerialNotify;
  p.session_id = session;
  p.serial = serial;
  return Encode(p);
}
Bytes Simple(uint8_t v, PduType t) {
  Pdu p;
  p.version = v;
  p.type = t;
  return Encode(p);
}
Bytes ErrorPdu(uint8_t v, ErrorCode code) { return ErrorReport(v, code, {}, "test"); }

Pdu DecodeOrDie(const Bytes& b) {
  Pdu p;
  Status s = DecodePdu(b, &p);
  EXPECT_TRUE(s.ok()) << s.ToString();
  return p;
}

// Feeds the PDUs in order; returns the last output.
RtrSession::Output Feed(RtrSession& s, const std::vector<Bytes>& pdus) {
  RtrSession::Output out;
  for (const Bytes& b : pdus) {
    out = s.OnPdu(b);
    if (out.close) break;
  }
  return out;
}

// A version 2 session synced at serial 5 of session 7 with two VRPs, an
// ASPA and a router key.
void SyncV2(RtrSession& s) {
  ASSERT_EQ(s.Start(), ResetQuery(2));
  RtrSession::Output out = Feed(
      s, {CacheResponse(2, 7), PrefixPdu(2, true, "192.0.2.0/24", 24, 64496),
          PrefixPdu(2, true, "198.51.100.0/24", 28, 64497),
          AspaPdu(true, 64496, false, {64499, 64498}), KeyPdu(2, true, 64496), EndOfData(2, 7, 5)});
  ASSERT_TRUE(out.synced);
  ASSERT_FALSE(out.close);
}

TEST(RtrSession, ResetQueryYieldsTheFullSet) {
  RtrSession s(2);
  SyncV2(s);
  auto snap = s.snapshot();
  ASSERT_TRUE(snap);
  EXPECT_EQ(snap->version, 2);
  EXPECT_EQ(snap->session_id, 7);
  EXPECT_EQ(snap->serial, 5u);
  EXPECT_EQ(snap->generation, 1u);
  EXPECT_FALSE(snap->incremental);
  ASSERT_EQ(snap->vrps.size(), 2u);
  EXPECT_EQ(snap->vrps[0].prefix, *Prefix::Parse("192.0.2.0/24"));
  EXPECT_EQ(snap->vrps[1].max_length, 28);
  ASSERT_EQ(snap->aspas.size(), 1u);
  EXPECT_EQ(snap->aspas[0].providers, (std::vector<Asn>{64498, 64499}));
  ASSERT_EQ(snap->router_keys.size(), 1u);
  EXPECT_EQ(snap->router_keys[0].asn, 64496u);
  EXPECT_EQ(snap->stats.reset_queries, 1u);
}

TEST(RtrSession, SerialNotifyLeadsToAnIncrementalDelta) {
  RtrSession s(2);
  SyncV2(s);
  // RFC 8210 §8.2: a newer serial is answered with a Serial Query carrying
  // ours.
  RtrSession::Output out = s.OnPdu(SerialNotify(2, 7, 6));
  EXPECT_EQ(out.send, SerialQuery(2, 7, 5));
  out = Feed(s, {CacheResponse(2, 7), PrefixPdu(2, false, "192.0.2.0/24", 24, 64496),
                 PrefixPdu(2, true, "203.0.113.0/24", 24, 64500), AspaPdu(false, 64496, false, {}),
                 EndOfData(2, 7, 6)});
  ASSERT_TRUE(out.synced);
  auto snap = s.snapshot();
  EXPECT_TRUE(snap->incremental);
  EXPECT_EQ(snap->serial, 6u);
  EXPECT_EQ(snap->generation, 2u);
  ASSERT_EQ(snap->vrps.size(), 2u);
  EXPECT_EQ(snap->vrps[1].prefix, *Prefix::Parse("203.0.113.0/24"));
  EXPECT_TRUE(snap->aspas.empty());
  EXPECT_EQ(snap->stats.reset_queries, 1u);
  EXPECT_EQ(snap->stats.serial_queries, 1u);
}

TEST(RtrSession, NotifyOfTheSameOrOlderSerialIsIgnored) {
  RtrSession s(2);
  SyncV2(s);
  EXPECT_TRUE(s.OnPdu(SerialNotify(2, 7, 5)).send.empty());
  EXPECT_TRUE(s.OnPdu(SerialNotify(2, 7, 4)).send.empty());
}

TEST(RtrSession, NotifyDuringAResponseIsQueriedAfterIt) {
  RtrSession s(2);
  SyncV2(s);
  ASSERT_FALSE(s.OnRefresh().send.empty());
  EXPECT_TRUE(s.OnPdu(CacheResponse(2, 7)).send.empty());
  EXPECT_TRUE(s.OnPdu(SerialNotify(2, 7, 7)).send.empty());
  RtrSession::Output out = s.OnPdu(EndOfData(2, 7, 6));
  EXPECT_TRUE(out.synced);
  EXPECT_EQ(out.send, SerialQuery(2, 7, 6));
}

TEST(RtrSession, SerialNotifyIsIgnoredBeforeTheVersionIsAgreed) {
  RtrSession s(2);
  (void)s.Start();
  // RFC 8210 §7, even in another version.
  RtrSession::Output out = s.OnPdu(SerialNotify(1, 7, 9));
  EXPECT_TRUE(out.send.empty());
  EXPECT_FALSE(out.close);
  EXPECT_TRUE(Feed(s, {CacheResponse(2, 7), EndOfData(2, 7, 9)}).synced);
}

TEST(RtrSession, SerialNumbersWrapPerRfc1982) {
  RtrSession s(1);
  (void)s.Start();
  ASSERT_TRUE(Feed(s, {CacheResponse(1, 1), EndOfData(1, 1, 0xFFFFFFFFu)}).synced);
  EXPECT_EQ(s.OnPdu(SerialNotify(1, 1, 0)).send, SerialQuery(1, 1, 0xFFFFFFFFu));
}

TEST(RtrSession, RefreshTimerPollsOnlyWhenIdle) {
  RtrSession s(2);
  (void)s.Start();
  EXPECT_TRUE(s.OnRefresh().send.empty());  // no data yet
  ASSERT_TRUE(Feed(s, {CacheResponse(2, 7), EndOfData(2, 7, 1)}).synced);
  EXPECT_EQ(s.OnRefresh().send, SerialQuery(2, 7, 1));
  EXPECT_TRUE(s.OnRefresh().send.empty());  // already waiting
}

TEST(RtrSession, CacheResetLeadsToAResetQueryAndAFullSet) {
  RtrSession s(2);
  SyncV2(s);
  (void)s.OnRefresh();
  RtrSession::Output out = s.OnPdu(Simple(2, PduType::kCacheReset));
  EXPECT_EQ(out.send, ResetQuery(2));
  EXPECT_FALSE(out.close);
  out = Feed(s, {CacheResponse(2, 8), PrefixPdu(2, true, "10.0.0.0/8", 8, 1), EndOfData(2, 8, 1)});
  ASSERT_TRUE(out.synced);
  auto snap = s.snapshot();
  EXPECT_FALSE(snap->incremental);
  EXPECT_EQ(snap->session_id, 8);
  EXPECT_EQ(snap->vrps.size(), 1u);
  EXPECT_TRUE(snap->aspas.empty());
  EXPECT_EQ(snap->stats.cache_resets, 1u);
  EXPECT_EQ(snap->stats.reset_queries, 2u);
}

TEST(RtrSession, DuplicateAnnouncementIsReportedAndTheSessionRestarts) {
  RtrSession s(2);
  SyncV2(s);
  (void)s.OnPdu(SerialNotify(2, 7, 6));
  const Bytes dup = PrefixPdu(2, true, "192.0.2.0/24", 24, 64496);
  RtrSession::Output out = Feed(s, {CacheResponse(2, 7), dup});
  ASSERT_TRUE(out.close);
  // RFC 8210 §5.11: the report carries the offending PDU.
  Pdu report = DecodeOrDie(out.send);
  EXPECT_EQ(report.type, PduType::kErrorReport);
  EXPECT_EQ(report.error_code, static_cast<uint16_t>(ErrorCode::kDuplicateAnnouncement));
  EXPECT_EQ(report.erroneous_pdu, dup);
  EXPECT_NE(report.error_text.find("192.0.2.0/24"), std::string::npos);
  // The last good snapshot stays; the next connection resets.
  EXPECT_EQ(s.snapshot()->serial, 5u);
  EXPECT_EQ(s.Start(), ResetQuery(2));
}

TEST(RtrSession, WithdrawalOfUnknownRecordIsReported) {
  RtrSession s(1);
  (void)s.Start();
  RtrSession::Output out =
      Feed(s, {CacheResponse(1, 3), PrefixPdu(1, false, "192.0.2.0/24", 24, 64496)});
  ASSERT_TRUE(out.close);
  EXPECT_EQ(DecodeOrDie(out.send).error_code,
            static_cast<uint16_t>(ErrorCode::kWithdrawalOfUnknownRecord));
  // Router keys and ASPAs follow the same rule.
  (void)s.Start();
  out = Feed(s, {CacheResponse(1, 3), KeyPdu(1, false, 1)});
  EXPECT_EQ(DecodeOrDie(out.send).error_code,
            static_cast<uint16_t>(ErrorCode::kWithdrawalOfUnknownRecord));
  RtrSession v2(2);
  (void)v2.Start();
  out = Feed(v2, {CacheResponse(2, 3), AspaPdu(false, 1, false, {2})});
  EXPECT_EQ(DecodeOrDie(out.send).error_code,
            static_cast<uint16_t>(ErrorCode::kWithdrawalOfUnknownRecord));
}

TEST(RtrSession, AspaAnnouncementReplacesAndStaleWithdrawalIsIgnored) {
  RtrSession s(2);
  SyncV2(s);
  // StayRTR 0.5 changes a provider set by announcing the new one, then
  // withdrawing the old one.
  (void)s.OnPdu(SerialNotify(2, 7, 6));
  RtrSession::Output out = Feed(s, {CacheResponse(2, 7), AspaPdu(true, 64496, false, {64510}),
                                    AspaPdu(false, 64496, false, {64498, 64499}),
                                    AspaPdu(true, 64496, true, {64511}), EndOfData(2, 7, 6)});
  ASSERT_TRUE(out.synced) << out.message;
  auto snap = s.snapshot();
  ASSERT_EQ(snap->aspas.size(), 2u);
  EXPECT_EQ(snap->aspas[0], (RtrAspa{64496, false, {64510}}));
  EXPECT_EQ(snap->aspas[1], (RtrAspa{64496, true, {64511}}));
  EXPECT_EQ(snap->stats.stale_aspa_withdrawals, 1u);
  EXPECT_EQ(*snap->MergedAspas().Providers(64496), (std::vector<Asn>{64510, 64511}));
  // A withdrawal naming the current providers, or none, removes it.
  (void)s.OnPdu(SerialNotify(2, 7, 7));
  out = Feed(s, {CacheResponse(2, 7), AspaPdu(false, 64496, false, {64510}),
                 AspaPdu(false, 64496, true, {}), EndOfData(2, 7, 7)});
  ASSERT_TRUE(out.synced);
  EXPECT_TRUE(s.snapshot()->aspas.empty());
}

TEST(RtrSession, UnsupportedVersionErrorFallsBackOneVersionAtATime) {
  RtrSession s(2);
  EXPECT_EQ(s.Start(), ResetQuery(2));
  // RFC 8210 §7: a version 1 cache answers a version 2 query with error 4.
  RtrSession::Output out = s.OnPdu(ErrorPdu(1, ErrorCode::kUnsupportedProtocolVersion));
  EXPECT_TRUE(out.close);
  EXPECT_EQ(out.retry_version, 1);
  EXPECT_TRUE(out.send.empty());  // never answer an Error Report
  EXPECT_EQ(s.Start(), ResetQuery(1));
  out = s.OnPdu(ErrorPdu(0, ErrorCode::kUnsupportedProtocolVersion));
  EXPECT_EQ(out.retry_version, 0);
  EXPECT_EQ(s.Start(), ResetQuery(0));
  out = s.OnPdu(ErrorPdu(0, ErrorCode::kUnsupportedProtocolVersion));
  EXPECT_EQ(out.retry_version, -1);  // nothing lower to try
  EXPECT_TRUE(out.retry_soon);
}

TEST(RtrSession, CacheAnsweringInALowerVersionDowngradesTheSession) {
  RtrSession s(2);
  (void)s.Start();
  ASSERT_TRUE(
      Feed(s, {CacheResponse(1, 9), PrefixPdu(1, true, "192.0.2.0/24", 24, 1), EndOfData(1, 9, 1)})
          .synced);
  EXPECT_EQ(s.version(), 1);
  EXPECT_EQ(s.snapshot()->version, 1);
  EXPECT_EQ(s.OnRefresh().send, SerialQuery(1, 9, 1));
  // Once agreed, a PDU of another version is an error (RFC 8210 §7).
  RtrSession::Output out = s.OnPdu(CacheResponse(2, 9));
  ASSERT_TRUE(out.close);
  Pdu report = DecodeOrDie(out.send);
  EXPECT_EQ(report.version, 1);
  EXPECT_EQ(report.error_code, static_cast<uint16_t>(ErrorCode::kUnsupportedProtocolVersion));
}

TEST(RtrSession, CacheAnsweringInAHigherVersionIsRefused) {
  RtrSession s(1);
  (void)s.Start();
  RtrSession::Output out = s.OnPdu(CacheResponse(2, 9));
  ASSERT_TRUE(out.close);
  EXPECT_EQ(DecodeOrDie(out.send).error_code,
            static_cast<uint16_t>(ErrorCode::kUnsupportedProtocolVersion));
}

TEST(RtrSession, SessionIdMismatchIsCorruptData) {
  RtrSession s(2);
  SyncV2(s);
  (void)s.OnPdu(SerialNotify(2, 7, 6));
  RtrSession::Output out = Feed(s, {CacheResponse(2, 7), EndOfData(2, 8, 6)});
  ASSERT_TRUE(out.close);
  Pdu report = DecodeOrDie(out.send);
  EXPECT_EQ(report.error_code, static_cast<uint16_t>(ErrorCode::kCorruptData));
  EXPECT_NE(report.error_text.find("RFC 8210 §5.1"), std::string::npos);
}

TEST(RtrSession, PayloadOutsideACacheResponseIsCorruptData) {
  RtrSession s(2);
  SyncV2(s);
  RtrSession::Output out = s.OnPdu(PrefixPdu(2, true, "10.0.0.0/8", 8, 1));
  ASSERT_TRUE(out.close);
  EXPECT_EQ(DecodeOrDie(out.send).error_code, static_cast<uint16_t>(ErrorCode::kCorruptData));
  RtrSession t(2);
  SyncV2(t);
  EXPECT_TRUE(t.OnPdu(EndOfData(2, 7, 9)).close);
  RtrSession u(2);
  SyncV2(u);
  EXPECT_TRUE(u.OnPdu(CacheResponse(2, 7)).close);  // no query outstanding
}

TEST(RtrSession, RouterQueriesFromTheCacheAreRefused) {
  RtrSession s(1);
  (void)s.Start();
  RtrSession::Output out = s.OnPdu(ResetQuery(1));
  ASSERT_TRUE(out.close);
  EXPECT_EQ(DecodeOrDie(out.send).error_code,
            static_cast<uint16_t>(ErrorCode::kUnsupportedPduType));
}

TEST(RtrSession, MalformedPduIsReportedWithTheReason) {
  RtrSession s(1);
  (void)s.Start();
  (void)s.OnPdu(CacheResponse(1, 1));
  const Bytes bad = {1, 4, 0, 0, 0, 0, 0, 20, 1, 24, 16, 0, 10, 0, 0, 0, 0, 0, 0, 1};
  RtrSession::Output out = s.OnPdu(bad);
  ASSERT_TRUE(out.close);
  Pdu report = DecodeOrDie(out.send);
  EXPECT_EQ(report.error_code, static_cast<uint16_t>(ErrorCode::kCorruptData));
  EXPECT_EQ(report.erroneous_pdu, bad);
  EXPECT_NE(report.error_text.find("max length 16"), std::string::npos);
  // A type this version lacks: Unsupported PDU Type.
  (void)s.Start();
  out = Feed(s, {CacheResponse(1, 1), AspaPdu(true, 1, false, {2})});
  ASSERT_TRUE(out.close);
  // An ASPA in version 2 framing inside a version 1 session is a version
  // error; with version 1 framing the decoder refuses the type.
  EXPECT_NE(DecodeOrDie(out.send).error_code, static_cast<uint16_t>(ErrorCode::kCorruptData));
}

TEST(RtrSession, MalformedErrorReportIsNotAnsweredWithAnother) {
  RtrSession s(1);
  (void)s.Start();
  RtrSession::Output out = s.OnPdu(Bytes{1, 10, 0, 0, 0, 0, 0, 16, 0, 0, 0, 9, 0, 0, 0, 0});
  EXPECT_TRUE(out.close);
  EXPECT_TRUE(out.send.empty());
}

TEST(RtrSession, NoDataAvailableRetriesLater) {
  RtrSession s(2);
  (void)s.Start();
  RtrSession::Output out = s.OnPdu(ErrorPdu(2, ErrorCode::kNoDataAvailable));
  EXPECT_TRUE(out.close);
  EXPECT_TRUE(out.retry_soon);
  EXPECT_EQ(out.retry_version, -1);
  EXPECT_NE(out.message.find("No Data Available"), std::string::npos);
}

TEST(RtrSession, OutOfRangeTimersAreClamped) {
  RtrSession s(1);
  (void)s.Start();
  ASSERT_TRUE(Feed(s, {CacheResponse(1, 1), EndOfData(1, 1, 1, 0, 9000, 10)}).synced);
  auto snap = s.snapshot();
  EXPECT_EQ(snap->refresh, kMinRefresh);
  EXPECT_EQ(snap->retry, kMaxRetry);
  EXPECT_EQ(snap->expire, kMinExpire);
  EXPECT_EQ(snap->stats.timers_clamped, 3u);
}

TEST(RtrSession, Version0EndOfDataUsesDefaultTimers) {
  RtrSession s(0);
  EXPECT_EQ(s.Start(), ResetQuery(0));
  ASSERT_TRUE(Feed(s, {CacheResponse(0, 1), EndOfData(0, 1, 3)}).synced);
  EXPECT_EQ(s.snapshot()->refresh, kDefaultRefresh);
  EXPECT_EQ(s.snapshot()->expire, kDefaultExpire);
}

TEST(ParseHostPort, Forms) {
  std::string host, error;
  uint16_t port = 0;
  ASSERT_TRUE(ParseHostPort("127.0.0.1:8282", &host, &port, &error));
  EXPECT_EQ(host, "127.0.0.1");
  EXPECT_EQ(port, 8282);
  ASSERT_TRUE(ParseHostPort("[::1]:323", &host, &port, &error));
  EXPECT_EQ(host, "::1");
  ASSERT_TRUE(ParseHostPort("rtr.example.net", &host, &port, &error));
  EXPECT_EQ(port, 323);
  ASSERT_TRUE(ParseHostPort("[2001:db8::1]", &host, &port, &error));
  EXPECT_EQ(host, "2001:db8::1");
  EXPECT_FALSE(ParseHostPort("::1:323", &host, &port, &error));
  EXPECT_NE(error.find("[ADDRESS]:PORT"), std::string::npos);
  EXPECT_FALSE(ParseHostPort("host:0", &host, &port, &error));
  EXPECT_FALSE(ParseHostPort("host:65536", &host, &port, &error));
  EXPECT_FALSE(ParseHostPort("host:", &host, &port, &error));
  EXPECT_FALSE(ParseHostPort(":323", &host, &port, &error));
  EXPECT_FALSE(ParseHostPort("[::1", &host, &port, &error));
  EXPECT_FALSE(ParseHostPort("[::1]323", &host, &port, &error));
}

// --- over TCP ---------------------------------------------------------------

// A listening socket on 127.0.0.1 with a kernel-chosen port.
int Listen(uint16_t* port) {
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 || listen(fd, 4) != 0) {
    close(fd);
    return -1;
  }
  socklen_t len = sizeof a;
  getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
  *port = ntohs(a.sin_port);
  return fd;
}

Bytes ReadPdu(int fd) {
  Bytes b(8);
  if (recv(fd, b.data(), 8, MSG_WAITALL) != 8) return {};
  const uint32_t len = (uint32_t{b[4]} << 24) | (uint32_t{b[5]} << 16) | (b[6] << 8) | b[7];
  b.resize(len);
  if (len > 8 && recv(fd, b.data() + 8, len - 8, MSG_WAITALL) != static_cast<ssize_t>(len - 8)) {
    return {};
  }
  return b;
}

void SendBytes(int fd, const std::vector<Bytes>& pdus) {
  Bytes all;
  for (const Bytes& b : pdus) all.insert(all.end(), b.begin(), b.end());
  ASSERT_EQ(send(fd, all.data(), all.size(), MSG_NOSIGNAL), static_cast<ssize_t>(all.size()));
}

RtrClientOptions FastOptions(uint16_t port, uint8_t version = 2) {
  RtrClientOptions o;
  o.host = "127.0.0.1";
  o.port = port;
  o.version = version;
  o.connect_timeout = 2s;
  o.max_retry_delay = 100ms;
  o.initial_retry_delay = 100ms;
  o.response_timeout = 5s;
  return o;
}

// A cache that speaks only version 1 and says so with Error Report 4, as
// RFC 8210 §7 has it; the client must come back with a version 1 query.
TEST(RtrClient, FallsBackToVersion1OnUnsupportedProtocolVersion) {
  uint16_t port = 0;
  const int lfd = Listen(&port);
  ASSERT_GE(lfd, 0);
  std::vector<Bytes> queries;
  std::thread cache([&] {
    int c = accept(lfd, nullptr, nullptr);
    queries.push_back(ReadPdu(c));
    SendBytes(c, {ErrorReport(1, ErrorCode::kUnsupportedProtocolVersion, queries.back(),
                              "version 1 only")});
    close(c);
    c = accept(lfd, nullptr, nullptr);
    queries.push_back(ReadPdu(c));
    SendBytes(c, {CacheResponse(1, 77), PrefixPdu(1, true, "192.0.2.0/24", 24, 64496),
                  EndOfData(1, 77, 3)});
    // Hold the connection until the client leaves.
    char x;
    (void)!recv(c, &x, 1, 0);
    close(c);
  });
  RtrClient client(FastOptions(port));
  client.Start();
  auto snap = client.WaitForSync(0, 10s);
  client.Stop();
  cache.join();
  close(lfd);
  ASSERT_TRUE(snap) << client.last_error();
  EXPECT_EQ(snap->version, 1);
  EXPECT_EQ(snap->serial, 3u);
  EXPECT_EQ(snap->vrps.size(), 1u);
  ASSERT_EQ(queries.size(), 2u);
  EXPECT_EQ(queries[0], ResetQuery(2));
  EXPECT_EQ(queries[1], ResetQuery(1));
}

// After an error the client sends a report, reconnects and resets.
TEST(RtrClient, ReportsDuplicateAndResyncsOnANewConnection) {
  uint16_t port = 0;
  const int lfd = Listen(&port);
  ASSERT_GE(lfd, 0);
  Bytes report;
  std::thread cache([&] {
    int c = accept(lfd, nullptr, nullptr);
    (void)ReadPdu(c);
    const Bytes a = PrefixPdu(2, true, "192.0.2.0/24", 24, 1);
    SendBytes(c, {CacheResponse(2, 5), a, a});
    report = ReadPdu(c);
    close(c);
    c = accept(lfd, nullptr, nullptr);
    (void)ReadPdu(c);
    SendBytes(c, {CacheResponse(2, 5), a, EndOfData(2, 5, 1)});
    char x;
    (void)!recv(c, &x, 1, 0);
    close(c);
  });
  RtrClient client(FastOptions(port));
  client.Start();
  auto snap = client.WaitForSync(0, 10s);
  client.Stop();
  cache.join();
  close(lfd);
  ASSERT_TRUE(snap) << client.last_error();
  EXPECT_EQ(snap->vrps.size(), 1u);
  EXPECT_EQ(snap->stats.errors_sent, 1u);
  EXPECT_EQ(snap->stats.connects, 2u);
  ASSERT_FALSE(report.empty());
  EXPECT_EQ(DecodeOrDie(report).error_code,
            static_cast<uint16_t>(ErrorCode::kDuplicateAnnouncement));
}

TEST(RtrClient, ConnectionRefusedIsReported) {
  uint16_t port = 0;
  const int lfd = Listen(&port);
  close(lfd);  // nobody listens there now
  RtrClient client(FastOptions(port));
  client.Start();
  auto snap = client.WaitForSync(0, 300ms);
  client.Stop();
  EXPECT_FALSE(snap);
  EXPECT_NE(client.last_error().find("refused"), std::string::npos) << client.last_error();
}

// --- against the real StayRTR -------------------------------------------------

struct TestVrp {
  const char* prefix;
  int max;
  Asn asn;
};
struct TestAspa {
  Asn customer;
  std::vector<Asn> providers;
};

// A JSON file as StayRTR 0.5 reads it: "roas", "bgpsec_keys" and the
// pre-8.x "provider_authorizations".
std::string StayRtrJson(const std::vector<TestVrp>& vrps, const std::vector<TestAspa>& aspas) {
  std::string j = "{\"metadata\": {\"buildtime\": \"2024-01-01T00:00:00Z\"},\n\"roas\": [";
  for (size_t i = 0; i < vrps.size(); ++i) {
    j += fmt::format("{}{{\"asn\": {}, \"prefix\": \"{}\", \"maxLength\": {}, \"ta\": \"test\"}}\n",
                     i ? "," : "", vrps[i].asn, vrps[i].prefix, vrps[i].max);
  }
  // One router key, from StayRTR's own test file.
  j += "],\n\"bgpsec_keys\": [{\"asn\": 15562, \"ski\": "
       "\"5d4250e2d81d4448d8a29efce91d29ff075ec9e2\", "
       "\"pubkey\": \"MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEgFcjQ/g//LAQerAH2Mpp+GucoDAGBbhIqD33wNPsX"
       "xnAGb+mtZ7XQrVO9DQ6UlAShtig5+QfEKpTtFgiqfiAFQ==\"}],\n";
  auto list = [&](bool v6) {
    std::string l;
    for (size_t i = 0; i < aspas.size(); ++i) {
      // The second AFI list carries only every other customer, so that the
      // two families differ.
      if (v6 && i % 2) continue;
      l += fmt::format("{}{{\"customer_asid\": {}, \"providers\": [", l.empty() ? "" : ",",
                       aspas[i].customer);
      for (size_t k = 0; k < aspas[i].providers.size(); ++k) {
        l += fmt::format("{}{}", k ? "," : "", aspas[i].providers[k]);
      }
      l += "]}";
    }
    return l;
  };
  j += "\"provider_authorizations\": {\"ipv4\": [" + list(false) + "], \"ipv6\": [" + list(true) +
       "]}\n}\n";
  return j;
}

void WriteAtomically(const std::string& path, const std::string& text) {
  ASSERT_TRUE(rpki::WriteFileAtomically(path, text).ok());
}

using StayRtr = test::StayRtrProcess;

using VrpTuple = std::tuple<Prefix, uint8_t, Asn>;
std::set<VrpTuple> Expected(const std::vector<TestVrp>& vrps) {
  std::set<VrpTuple> s;
  for (const TestVrp& v : vrps) s.insert({*Prefix::Parse(v.prefix), uint8_t(v.max), v.asn});
  return s;
}
std::set<VrpTuple> Got(const RtrSnapshot& snap) {
  std::set<VrpTuple> s;
  for (const Vrp& v : snap.vrps) s.insert({v.prefix, v.max_length, v.asn});
  return s;
}
AspaSet ExpectedAspas(const std::vector<TestAspa>& aspas) {
  AspaSet s;
  for (const TestAspa& a : aspas) s.Add(a.customer, a.providers);
  return s;
}

void FollowStayRtr(int protocol) {
  if (!test_util::HaveCommand("stayrtr")) GTEST_SKIP() << "stayrtr is not installed";
  const auto t0 = std::chrono::steady_clock::now();
  const std::string dir = std::filesystem::temp_directory_path() /
                          fmt::format("vigia-rtr-e2e-{}-{}", getpid(), protocol);
  std::filesystem::create_directories(dir);
  const std::string file = dir + "/vrps.json";

  const std::vector<TestVrp> before = {
      {"192.0.2.0/24", 24, 64496},  {"198.51.100.0/22", 24, 64497},
      {"2001:db8::/32", 48, 64498}, {"2001:db8:1000::/36", 36, 64499},
      {"203.0.113.0/24", 24, 0},    {"10.0.0.0/8", 8, 4200000000u}};
  const std::vector<TestAspa> aspas_before = {
      {64496, {64510, 64511}}, {64497, {64512}}, {64498, {64513, 64514, 64515}}};
  WriteAtomically(file, StayRtrJson(before, aspas_before));

  StayRtr server(file, dir + "/stayrtr.log", protocol);
  ASSERT_TRUE(server.started());
  RtrClientOptions o = FastOptions(server.port());
  std::vector<std::string> log;
  std::mutex log_mu;
  o.on_log = [&](const std::string& line) {
    std::lock_guard lock(log_mu);
    log.push_back(line);
  };
  RtrClient client(o);
  client.Start();
  auto first = client.WaitForSync(0, 15s);
  ASSERT_TRUE(first) << "no sync with stayrtr: " << client.last_error();
  EXPECT_EQ(first->version, protocol);
  EXPECT_FALSE(first->incremental);
  EXPECT_EQ(Got(*first), Expected(before));
  ASSERT_EQ(first->router_keys.size(), 1u);
  EXPECT_EQ(first->router_keys[0].asn, 15562u);
  EXPECT_EQ(first->router_keys[0].ski[0], 0x5d);
  if (protocol >= 2) {
    EXPECT_TRUE(first->MergedAspas() == ExpectedAspas(aspas_before));
    EXPECT_EQ(first->aspas.size(), 5u);  // 3 IPv4 + 2 IPv6
  } else {
    EXPECT_TRUE(first->aspas.empty());
  }

  // Rewrite the file while the session runs: two VRPs go, two come, one
  // customer's providers change, one customer goes, one comes.
  const std::vector<TestVrp> after = {
      {"192.0.2.0/24", 24, 64496},       {"2001:db8::/32", 48, 64498},
      {"2001:db8:1000::/36", 36, 64499}, {"10.0.0.0/8", 8, 4200000000u},
      {"192.0.2.128/25", 25, 64500},     {"2001:db8:ffff::/48", 64, 64501}};
  const std::vector<TestAspa> aspas_after = {
      {64496, {64510, 64520}}, {64498, {64513, 64514, 64515}}, {64499, {64530}}};
  WriteAtomically(file, StayRtrJson(after, aspas_after));

  auto second = client.WaitForSync(first->generation, 20s);
  ASSERT_TRUE(second && second->generation > first->generation)
      << "no delta from stayrtr: " << client.last_error();
  // Serial Notify (or the Refresh timer) led to a Serial Query and a delta,
  // not to a reset.
  EXPECT_TRUE(SerialLess(first->serial, second->serial));
  EXPECT_TRUE(second->incremental);
  EXPECT_EQ(second->session_id, first->session_id);
  EXPECT_EQ(second->stats.reset_queries, 1u);
  EXPECT_EQ(second->stats.errors_sent, 0u);
  EXPECT_EQ(second->stats.connects, 1u);
  EXPECT_GE(second->stats.serial_notifies, 1u);
  EXPECT_EQ(Got(*second), Expected(after));
  if (protocol >= 2) {
    EXPECT_TRUE(second->MergedAspas() == ExpectedAspas(aspas_after));
  } else {
    EXPECT_TRUE(second->aspas.empty());
  }

  // What was delivered, written as rpki-client JSON, loads back the same.
  const std::string out = dir + "/out.json";
  ASSERT_TRUE(WriteFileAtomically(out, FormatRpkiClientJson(*second, "rtr://test")).ok());
  VrpSet loaded;
  ASSERT_TRUE(loaded.LoadFile(out).ok());
  std::set<VrpTuple> back;
  for (const Vrp& v : loaded.vrps()) back.insert({v.prefix, v.max_length, v.asn});
  EXPECT_EQ(back, Expected(after));
  EXPECT_EQ(loaded.skipped(), 0u);
  EXPECT_TRUE(loaded.aspas() == second->MergedAspas());

  client.Stop();
  std::filesystem::remove_all(dir);
  const auto secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  ::testing::Test::RecordProperty("seconds", std::to_string(secs));
  EXPECT_LT(secs, 30.0);
}

TEST(RtrClientStayRtr, FollowsIncrementallyVersion1) { FollowStayRtr(1); }
TEST(RtrClientStayRtr, FollowsIncrementallyVersion2WithAspa) { FollowStayRtr(2); }

// StayRTR at version 1 downgrades a version 2 query silently; the client
// follows (RFC 8210 §7).
TEST(RtrClientStayRtr, Version2ClientAgainstVersion1Cache) {
  if (!test_util::HaveCommand("stayrtr")) GTEST_SKIP() << "stayrtr is not installed";
  const std::string dir =
      std::filesystem::temp_directory_path() / fmt::format("vigia-rtr-e2e-{}-down", getpid());
  std::filesystem::create_directories(dir);
  const std::string file = dir + "/vrps.json";
  WriteAtomically(file, StayRtrJson({{"192.0.2.0/24", 24, 64496}}, {{64496, {64510}}}));
  StayRtr server(file, dir + "/stayrtr.log", 1);
  RtrClient client(FastOptions(server.port(), 2));
  client.Start();
  auto snap = client.WaitForSync(0, 15s);
  client.Stop();
  std::filesystem::remove_all(dir);
  ASSERT_TRUE(snap) << client.last_error();
  EXPECT_EQ(snap->version, 1);
  EXPECT_EQ(snap->vrps.size(), 1u);
  EXPECT_TRUE(snap->aspas.empty());
}

}  // namespace
}  // namespace vigia::rpki::rtr
