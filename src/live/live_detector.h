// LiveDetector: incremental detection over a live route feed (issue [5/7]
// item 2). It is a bgp::RouteSink: the collector (src/collect) tees every
// route event into it, and it reports LiveEvents (live_event.h) as
// conditions start and end.
//
// Rules (each can be switched off; thresholds in LiveRules):
//  - hijack / subprefix_hijack: an origin for a prefix (or a more-specific
//    of it) that the baseline does not hold: the watched prefixes' declared
//    origins, else origins seen during the warm-up (table snapshots, the
//    first minutes), ROA-valid origins (RFC 6811), siblings (as2org) and
//    direct customers/providers of a holder, as in detect/hijacks.cc.
//  - route_leak: a path that is not valley-free over the relationships
//    (Gao; RFC 7908 types), as detect/route_leaks.cc; RFC 9234 OTC seen.
//  - rpki_invalid: RFC 6811 invalid against the current VRPs; re-evaluated
//    when SetVrps() changes them (VRPs kept current over RTR).
//  - bogon_prefix / bogon_asn: as detect/bogons.cc.
//  - visibility_loss: a watched prefix seen by fewer than min_peers peers
//    (raised), and back (cleared).
//  - new_upstream / new_downstream: a watched ASN with a neighbour on the
//    provider/customer side not seen before.
//  - path_pattern: a path matching a configured regular expression.
//  - roa_disappeared: a VRP covering a watched prefix gone after SetVrps().
//
// Thread safety: not thread-safe; one thread feeds it, calls SetVrps() and
// Tick(); the LiveEventSink is called from that thread.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "bgp/route_sink.h"
#include "live/live_event.h"
#include "rpki/vrp.h"
#include "snapshot/snapshot.h"

namespace vigia::live {

struct WatchedPrefix {
  Prefix prefix;
  std::vector<Asn> origins;            // legitimate origins; empty: any of `asns`
  std::string description;             // shown in alerts
  bool ignore_more_specifics = false;  // BGPalerter's ignoreMorespecifics
};

struct PathPattern {
  std::string name;
  std::string regex;  // ECMAScript, over the path as "64500 64501 64502"
};

struct LiveRules {
  bool hijack = true, subprefix_hijack = true, route_leak = true, rpki_invalid = true,
       bogon_prefix = true, bogon_asn = true, visibility_loss = true, new_upstream = true,
       new_downstream = true, roa_disappeared = true;
  // Only routes touching the watched prefixes/ASNs raise events (BGPalerter's
  // model); false: every route in the feed is checked (an observatory).
  bool only_watched = true;
  std::vector<WatchedPrefix> prefixes;
  std::vector<Asn> asns;  // own ASNs
  std::vector<PathPattern> path_patterns;
  uint32_t min_peers = 3;             // raise only when at least this many peers see it
  uint32_t visibility_min_peers = 3;  // visibility_loss below this many peers
  std::chrono::seconds warmup{0};     // baseline learning time before raising
};

struct LiveDetectorStats {
  uint64_t announces = 0, withdraws = 0, sessions_down = 0, raised = 0, cleared = 0;
};

class LiveDetector : public bgp::RouteSink {
 public:
  // reference: a loaded snapshot's reference data (registry, RPKI, IRR,
  // relationships, as2org); may lack MRT. Borrowed; outlives the detector.
  LiveDetector(LiveRules rules, const snapshot::Snapshot* reference, LiveEventSink* out);
  ~LiveDetector() override;

  // Replaces the VRPs (an RTR cache's new serial): RPKI states re-evaluated,
  // roa_disappeared raised for watched prefixes that lost their last VRP.
  void SetVrps(const rpki::VrpSet& vrps);
  // Timers (visibility hold, warm-up end); call at least once a second.
  void Tick(bgp::RouteTime now);
  // Sets the arrival time attached to events raised by the next calls.
  void SetArrival(int64_t steady_ns) { arrival_ns_ = steady_ns; }

  void Peer(bgp::PeerHandle h, const bgp::PeerInfo& info) override;
  void Announce(const bgp::Route& r, const bgp::PathAttributes& attrs) override;
  void Withdraw(const bgp::Route& r, bgp::WithdrawCause cause) override;
  void SessionDown(bgp::PeerHandle peer, bgp::RouteTime t) override;

  const LiveDetectorStats& stats() const { return stats_; }

  struct State;

 private:
  std::unique_ptr<State> state_;
  LiveDetectorStats stats_;
  int64_t arrival_ns_ = 0;
};

}  // namespace vigia::live
