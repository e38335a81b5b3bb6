// BgpSpeaker: a passive BGP speaker that routers peer with and that never
// announces anything (SPEC C2, issue [5/7] item 1). It accepts TCP
// connections, runs the RFC 4271 §8 FSM for the passive side (OpenSent,
// OpenConfirm, Established; Idle/Connect/Active collapse into "accepted"),
// answers OPEN with OPEN + KEEPALIVE, keeps hold and keepalive timers, and
// sends NOTIFICATION with the RFC's code/subcode before closing on errors.
//
// Capabilities advertised: RFC 4760 multiprotocol IPv4 and IPv6 unicast,
// RFC 2918 route refresh, RFC 6793 4-octet ASNs, RFC 7911 ADD-PATH receive
// for both families, RFC 4724 graceful restart (helper only: no AFI/SAFI),
// RFC 9234 BGP role when configured. UPDATEs are decoded by src/bgp
// (RFC 7606 handling included; OTC is an attribute of PathAttributes) and
// fed to a bgp::RouteSink: Peer() once per (peer address, peer AS), which
// keeps its handle across sessions; Announce/Withdraw per NLRI;
// SessionDown() when a session ends without graceful restart. With
// graceful restart the peer's routes stay (stale) until the restart time
// passes without a new session, or until End-of-RIB of the new session,
// after which the stale ones not re-announced are withdrawn (RFC 4724 §4.2).
//
// Event-driven: one epoll loop (RunOnce) drives every session; the caller
// owns the thread. Not thread-safe: one thread calls Listen/Adopt/RunOnce;
// the sink is called from that thread only.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "bgp/route_sink.h"
#include "core/asn.h"
#include "core/ip.h"
#include "core/status.h"

namespace vigia::bgp {
class BgpMessage;
}

namespace vigia::live {

// RFC 9234 §4.1 BGP role values.
enum class BgpRole : uint8_t {
  kProvider = 0,
  kRouteServer = 1,
  kRsClient = 2,
  kCustomer = 3,
  kPeer = 4
};

// A peer allowed to connect. ip unset: any address; asn 0: any AS.
struct AllowedPeer {
  std::optional<IpAddress> ip;
  Asn asn = 0;
};

struct SpeakerConfig {
  Asn local_asn = 0;                             // our AS (RFC 6793: AS_TRANS in my_as above 65535)
  IpAddress bgp_id = IpAddress::V4(0xC0000201);  // our BGP Identifier (192.0.2.1)
  uint16_t hold_time = 90;                       // proposed; RFC 4271 §4.2: 0 or >= 3
  std::string collector = "vigia";               // PeerInfo::collector
  std::vector<AllowedPeer> peers;                // empty: accept anyone
  uint16_t graceful_restart_time = 120;          // advertised in our GR capability
  // How long stale routes wait for End-of-RIB once the peer is back
  // (RFC 4724 §4.2 "stale routes time").
  std::chrono::seconds stale_routes_time{360};
  std::optional<BgpRole> role;  // RFC 9234: advertised and checked when set
  size_t max_sessions = 4096;   // accepted connections beyond are refused
};

// What a session looks like from outside (tests, `vigia collect` status).
struct SessionStatus {
  IpAddress peer_ip;
  Asn peer_asn = 0;
  std::string state;  // "OpenSent", "OpenConfirm", "Established"
  uint16_t hold_time = 0;
  bool add_path_v4 = false, add_path_v6 = false;
  bool graceful_restart = false;
  std::optional<BgpRole> peer_role;
};

// Counters since construction.
struct SpeakerStats {
  uint64_t accepted = 0, refused = 0, established = 0, updates = 0, notifications_sent = 0,
           notifications_received = 0, stale_flushed = 0;
  // The last NOTIFICATION we sent and received: code, subcode.
  uint8_t last_sent_code = 0, last_sent_subcode = 0, last_received_code = 0,
          last_received_subcode = 0;
};

class BgpSpeaker {
 public:
  BgpSpeaker(SpeakerConfig config, bgp::RouteSink* sink);
  ~BgpSpeaker();
  BgpSpeaker(const BgpSpeaker&) = delete;
  BgpSpeaker& operator=(const BgpSpeaker&) = delete;

  // Listens on "ADDR:PORT" or "[V6]:PORT"; port 0 picks one (see port()).
  Status Listen(std::string_view address);
  uint16_t port() const { return port_; }
  // The epoll descriptor RunOnce waits on, for a caller that polls several
  // loops (src/collect): readable when RunOnce(0) has work.
  int epoll_fd() const { return epfd_; }
  // Takes a connected stream socket (tests: one end of a socketpair) as if
  // accepted from peer_ip. The speaker owns and closes fd.
  Status Adopt(int fd, const IpAddress& peer_ip);
  // Waits up to timeout_ms for I/O or a timer, handles what is ready and
  // the timers that are due.
  Status RunOnce(int timeout_ms);

  std::vector<SessionStatus> Sessions() const;
  size_t EstablishedCount() const;
  const SpeakerStats& stats() const { return stats_; }
  // Steady-clock nanoseconds when the bytes being handled were read from
  // the socket (as bmp::BmpStation::arrival_ns()): a sink may read it while
  // it is being fed, for latency. 0 before the first read.
  int64_t arrival_ns() const { return arrival_ns_; }

  struct Session;
  struct PeerState;

 private:
  using Clock = std::chrono::steady_clock;
  void Accept(int lfd);
  void OnReadable(Session* s);
  void OnWritable(Session* s);
  bool HandleMessage(Session* s, const uint8_t* msg, size_t len);
  bool HandleOpen(Session* s, const uint8_t* body, size_t len);
  bool HandleUpdate(Session* s, const uint8_t* msg, size_t len);
  void Send(Session* s, const std::vector<uint8_t>& msg);
  void SendOpen(Session* s);
  void SendKeepalive(Session* s);
  // Sends NOTIFICATION code/subcode (RFC 4271 §4.5) and closes.
  void Fail(Session* s, uint8_t code, uint8_t subcode, std::vector<uint8_t> data = {});
  // Ends the session; graceful: keep routes stale when GR was negotiated.
  void Close(Session* s, bool graceful);
  void Timers();
  PeerState* PeerFor(const IpAddress& ip, Asn asn);
  void FlushStale(PeerState* p, bool all);
  bgp::RouteTime Now() const;

  SpeakerConfig config_;
  bgp::RouteSink* sink_;
  int epfd_ = -1;
  std::vector<int> listen_fds_;
  uint16_t port_ = 0;
  std::map<int, std::unique_ptr<Session>> sessions_;
  std::map<std::pair<IpAddress, Asn>, std::unique_ptr<PeerState>> peers_;
  SpeakerStats stats_;
  uint64_t attr_set_ = 0;
  int64_t arrival_ns_ = 0;
  // Reused for every UPDATE: its vectors keep their capacity.
  std::unique_ptr<bgp::BgpMessage> scratch_;
};

// Parses "ADDR:PORT" / "[V6]:PORT".
Result<std::pair<IpAddress, uint16_t>> ParseHostPort(std::string_view text);

}  // namespace vigia::live
