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
// Baseline. Origins of RouteSource::kTableSnapshot routes received before
// the first update, of every route during `warmup` (counted from the first
// route's time), of the reference's history, and the declared origins of
// the watched prefixes (which, when given, are the only legitimate ones
// for that prefix and its more-specifics). Neighbours of watched ASNs are
// learnt the same way; a neighbour the relationships already know is not
// new. Conditions that the baseline explains are not raised; the baseline
// only grows. The ROA-valid exception and the ASPA hops of route_leak are
// judged against the VRPs current when the (prefix, origin) or AS path is
// first seen (rpki_invalid and roa_disappeared follow every SetVrps()).
//
// Conditions. Each condition is a key (rule|prefix|ASculprit|...) and the
// routes that show it; it is raised once at least min_peers distinct peers
// have such a route (visibility and ROA rules: at once) and cleared when
// the last such route goes (withdrawn, replaced, session down), or, for
// rpki_invalid, when new VRPs make the route valid or not-found. A
// (prefix, origin) route evaluates hijack, rpki_invalid and bogon_prefix
// once, when the first route with it arrives; an AS path evaluates
// route_leak, bogon_asn, path_pattern and the watched ASNs' neighbours
// once, when it is first interned. path_pattern matches paths of up to
// kMaxPatternPathLength ASNs (std::regex recurses; longer paths are not
// matched and counted in stats().pattern_skipped).
//
// Memory: per (peer, prefix, path_id) route 12 bytes (peer, path id, an
// interned AS path id; kept in a vector per prefix sorted by peer and path
// id, so a route is found by binary search and a prefix's routes are
// contiguous). Per prefix ~100 bytes (prefix, its origins with route
// counts, flags); per distinct AS path its ASNs plus ~40 bytes. Conditions
// and the routes that show them are kept apart (few). So 1,000 peers x
// 1 M prefixes ~ 12 GB of route state plus ~0.1 GB per 1 M prefixes.
// Time: Announce/Withdraw are O(log routes of the prefix) plus a hash
// look-up of the prefix; the covering look-ups (baseline holders, watched
// prefixes) are binary tries walked once per new (prefix, origin) or new
// prefix. SessionDown and SetVrps walk every prefix.
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
  uint64_t unknown_withdraws = 0;                    // of a route the peer did not have
  uint64_t pattern_skipped = 0;                      // paths too long for path_pattern
  uint64_t routes = 0;                               // current (peer, prefix, path_id) routes
  uint64_t prefixes = 0, paths = 0, conditions = 0;  // interned / open now
};

// AS paths longer than this are not matched against path_pattern.
inline constexpr size_t kMaxPatternPathLength = 512;

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

  // stats_ with the current sizes filled in.
  const LiveDetectorStats& stats() const;

  struct State;

 private:
  std::unique_ptr<State> state_;
  mutable LiveDetectorStats stats_;
  int64_t arrival_ns_ = 0;
};

}  // namespace vigia::live
