// BmpStation: the TCP side of a BMP station (RFC 7854 §3.2: the router
// connects to the station and only the router sends). It listens, accepts
// many routers at once, reads each router's byte stream without blocking,
// and hands every message to a BmpRouteFeed (route_feed.h), which keeps
// each router's peers and RIB views apart and calls the bgp::RouteSink.
// When a router's connection ends (close, reset, or a fatal framing error,
// after which the connection is closed), RouterDown() ends its routes.
//
// A router is known by its address (the feed keys its peers by it): a new
// connection from an address that already has one replaces the old one
// (RouterDown() first), since a router reconnects only after its previous
// session failed, possibly without the station seeing the FIN. Connections
// from addresses not in StationConfig::routers, or beyond max_routers, are
// closed at once and counted as refused. A message longer than max_message
// or with a version other than 3 is a fatal framing error (reader.h): the
// connection is closed. The station only reads; it never writes.
//
// Event-driven: one epoll loop (RunOnce); epoll_fd() lets a caller that
// owns other loops (src/collect) poll it. Listen() may be called more than
// once (an IPv4 and an IPv6 address). Not thread-safe: one thread calls
// Listen/RunOnce; the sink is called from that thread.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "bgp/route_sink.h"
#include "bmp/reader.h"
#include "bmp/route_feed.h"
#include "core/ip.h"
#include "core/status.h"

namespace vigia::bmp {

struct StationConfig {
  std::string name = "vigia";      // PeerInfo::collector prefix ("<name> <router> <view>")
  std::vector<IpAddress> routers;  // allowed router addresses; empty: any
  size_t max_routers = 1024;       // connections beyond are refused
  size_t max_message = kDefaultMaxMessage;
};

struct RouterStatus {
  IpAddress address;
  uint16_t port = 0;
  std::string sys_name, sys_descr;  // from the initiation message (RFC 7854 §4.3)
  uint64_t messages = 0, route_monitoring = 0, bytes = 0;
  uint32_t peers_up = 0;
};

struct StationStats {
  uint64_t accepted = 0, refused = 0, closed = 0, messages = 0, bytes = 0, errors = 0;
};

class BmpStation {
 public:
  BmpStation(StationConfig config, bgp::RouteSink* sink);
  ~BmpStation();
  BmpStation(const BmpStation&) = delete;
  BmpStation& operator=(const BmpStation&) = delete;

  // "ADDR:PORT" or "[V6]:PORT"; port 0 picks one (see port()).
  Status Listen(std::string_view address);
  uint16_t port() const { return port_; }
  int epoll_fd() const { return epfd_; }
  // Waits up to timeout_ms, reads what is ready, feeds whole messages.
  Status RunOnce(int timeout_ms);
  // Arrival time (steady_clock ns) of the bytes being fed now, for latency.
  int64_t arrival_ns() const { return arrival_ns_; }

  std::vector<RouterStatus> Routers() const;
  const StationStats& stats() const { return stats_; }
  // Connected routers now.
  size_t router_count() const { return connections_.size(); }
  // The feed's counters and handles (which router, peer and view each
  // PeerHandle is).
  const BmpRouteFeed& feed() const { return feed_; }
  // Closes every router's connection, RouterDown() for each (a collector
  // shutting down ends the routes it reported). Listening goes on.
  void CloseAll();

  struct Connection;

 private:
  void Accept(int listen_fd);
  void OnReadable(Connection* c);
  void Close(Connection* c);
  void Drain(Connection* c);

  StationConfig config_;
  bgp::RouteSink* sink_;
  BmpRouteFeed feed_;
  int epfd_ = -1;
  std::vector<int> listen_fds_;
  uint16_t port_ = 0;
  std::vector<std::unique_ptr<Connection>> connections_;
  StationStats stats_;
  int64_t arrival_ns_ = 0;
};

}  // namespace vigia::bmp
