// RIS Live (https://ris-live.ripe.net/manual/) as route events
// (bgp/route_sink.h): a file of its JSON messages, one per line, or the
// websocket itself.
//
// Each {"type":"ris_message","data":{...}} names a BGP session by (host,
// peer, peer_asn): one PeerHandle each, PeerInfo::collector = host (the
// RRC). data.type says what it is:
//  - "UPDATE": when data.raw holds the whole BGP message in hex (asked for
//    with "includeRaw"), it is decoded by src/bgp (4-octet AS; the ADD-PATH
//    guess applies), as a live session would; otherwise the attributes are
//    built from the JSON fields: path (an AS_SET as a nested array),
//    origin, med, community, aggregator ("asn:address"), and announcements
//    [{next_hop, prefixes}] (an IPv6 next hop "global,link-local") and
//    withdrawals. Each prefix gives Announce() or Withdraw() (afi from the
//    prefix, SAFI 1); a raw UPDATE also its MP blocks' other SAFIs.
//  - "RIS_PEER_STATE" with state "down": SessionDown() (RFC 4271 §8.2.2).
//  - OPEN, KEEPALIVE, NOTIFICATION, other states: no route event.
// {"type":"ris_error"} becomes a kNote problem; other message types
// (ris_subscribe_ok, pong) are ignored. Time is data.timestamp (seconds
// with a fraction) split into seconds and microseconds.
//
// Bad input never stops the feed: a line that is not JSON, a field of the
// wrong type, bad hex or a raw message that does not decode is a Problem
// naming the line (the raw message falls back to the fields). Caps: a line
// or message is at most kMaxRisLiveMessage octets.
//
// Not thread-safe; the sink is called from the caller's thread.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

#include "bgp/message.h"
#include "bgp/route_sink.h"
#include "core/status.h"

namespace vigia::live {

// One RIS Live message: real ones are < 100 KB (an UPDATE is at most 64 KB,
// twice that in hex, plus its JSON fields).
inline constexpr size_t kMaxRisLiveMessage = size_t{1} << 20;

struct RisLiveStats {
  uint64_t messages = 0;     // JSON messages read
  uint64_t updates = 0;      // ris_message UPDATEs
  uint64_t from_raw = 0;     // UPDATEs decoded from raw
  uint64_t from_fields = 0;  // UPDATEs built from the JSON fields
  uint64_t announced = 0;    // Announce() calls
  uint64_t withdrawn = 0;    // Withdraw() calls
  uint64_t sessions_down = 0;
  uint64_t bad = 0;  // messages or parts skipped (each a Problem)
};

struct RisLiveOptions {
  // Decode data.raw when present (the default); false reads the JSON
  // fields even then (the test compares both readings).
  bool prefer_raw = true;
};

class RisLiveFeed {
 public:
  explicit RisLiveFeed(RisLiveOptions opts = {}) : opts_(opts) {}

  // One message (a line of a file, a websocket text message). where/line
  // name it in problems (line 0: none). Never fails: problems go to the sink.
  void Feed(std::string_view json, std::string_view where, uint64_t line, bgp::RouteSink* sink);

  const RisLiveStats& stats() const { return stats_; }

 private:
  struct Key {
    std::string host, peer;
    Asn asn = 0;
    friend auto operator<=>(const Key&, const Key&) = default;
  };
  bgp::PeerHandle Handle(const Key& k, const IpAddress& ip, bgp::RouteSink* sink);

  RisLiveOptions opts_;
  RisLiveStats stats_;
  std::map<Key, bgp::PeerHandle> peers_;
  uint64_t attr_set_ = 0;
  bgp::BgpMessage msg_;
  std::vector<uint8_t> raw_;
  bgp::PathAttributes attrs_;
};

// Feeds every line of a RIS Live JSON-lines file (gzip/xz/bz2 read as the
// io layer does). A bad line is a Problem with its line number (also
// appended to *problems when given); the feed goes on. Fails only when the
// file cannot be read.
Status FeedRisLiveFile(const std::string& path, bgp::RouteSink* sink,
                       std::vector<std::string>* problems = nullptr, RisLiveOptions opts = {},
                       RisLiveStats* stats = nullptr);

struct RisLiveClientOptions {
  std::string url = "ws://ris-live.ripe.net/v1/ws/?client=vigia";
  // The "data" object of the ris_subscribe message (RIS Live manual), e.g.
  // {"host":"rrc00","type":"UPDATE","includeRaw":true}; sent after every
  // (re)connection. Empty: no subscription is sent.
  std::string subscribe;
  size_t max_frame = kMaxRisLiveMessage;  // payload cap of a frame and of a message
  std::chrono::milliseconds backoff_min{500};
  std::chrono::milliseconds backoff_max{30000};
  std::chrono::milliseconds handshake_timeout{10000};
  std::string where = "ris-live";  // names the feed in problems
  RisLiveOptions feed;
};

// A RIS Live websocket client (RFC 6455 over a non-blocking TCP socket),
// feeding each text message to a RisLiveFeed. Built to be polled: fd() is
// the socket (-1 while waiting to reconnect), RunOnce(timeout) does what
// is due (connect, handshake, read, answer pings, reconnect with
// exponential backoff between backoff_min and backoff_max after an error
// or a close) waiting at most timeout. Every session end is a Problem
// (kNote) with its cause; routes of a lost connection are not withdrawn
// (RIS Live peers are the RRC's, whose sessions did not end).
//
// The host name is resolved with getaddrinfo() inside RunOnce (blocking;
// an address in the URL avoids it). Not thread-safe: one thread calls
// RunOnce.
class RisLiveClient {
 public:
  RisLiveClient(RisLiveClientOptions opts, bgp::RouteSink* sink);
  ~RisLiveClient();
  RisLiveClient(const RisLiveClient&) = delete;
  RisLiveClient& operator=(const RisLiveClient&) = delete;

  int fd() const;
  // Fails only on a bad URL; network trouble is retried.
  Status RunOnce(std::chrono::milliseconds timeout);
  // Whether the websocket is open (handshake done).
  bool open() const;
  // Sends a close frame and drops the connection; RunOnce reconnects.
  void Close();

  struct Counters {
    uint64_t connects = 0;    // TCP connections attempted
    uint64_t handshakes = 0;  // websockets opened
    uint64_t messages = 0;    // text messages fed
    uint64_t pings = 0;       // pings answered
    uint64_t closes = 0;      // server close frames
    uint64_t errors = 0;      // sessions ended by an error
  };
  const Counters& counters() const { return counters_; }
  const RisLiveStats& stats() const { return feed_.stats(); }
  const RisLiveFeed& feed() const { return feed_; }

 private:
  struct Conn;
  void Drop(const std::string& why, bool error);
  Status Step();

  RisLiveClientOptions opts_;
  bgp::RouteSink* sink_;
  RisLiveFeed feed_;
  Counters counters_;
  std::unique_ptr<Conn> conn_;
  std::chrono::steady_clock::time_point next_attempt_{};
  std::chrono::milliseconds backoff_;
};

}  // namespace vigia::live
