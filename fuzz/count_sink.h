// Fuzz-only: a RouteSink that folds every event into a number, so that the
// work a fuzz target drives is observable and not optimised away. Used by
// the fuzz targets whose sink needs no more than that (pcap, collect
// restore). Not thread-safe.
#pragma once

#include <cstddef>

#include "bgp/route_sink.h"

namespace vigia::fuzz {

struct CountSink : bgp::RouteSink {
  size_t n = 0;
  void Peer(bgp::PeerHandle h, const bgp::PeerInfo&) override { n += h; }
  void Announce(const bgp::Route& r, const bgp::PathAttributes&) override {
    n += r.prefix.length();
  }
  void Withdraw(const bgp::Route& r, bgp::WithdrawCause) override { n += r.prefix.length(); }
  void SessionDown(bgp::PeerHandle p, bgp::RouteTime) override { n += p; }
};

}  // namespace vigia::fuzz
