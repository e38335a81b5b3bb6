// LiveEvent: what the live detectors (live_detector.h) report, and what
// `vigia watch` turns into alerts (src/alert) and store rows.
//
// A condition (rule + key) is raised once when it starts and cleared once
// when it ends (the route withdrawn, the origin back, visibility regained).
// The same key is used for both, and it is stable: the same condition seen
// again later gives the same key. `incident` carries the same fields and
// evidence JSON as a batch incident of detect/detect.h (type, kind, culprit,
// propagator, prefixes, start/end, confidence, reasons, evidence, victims),
// so that the store, the API and the alert channels need no second format.
//
// Ownership: a LiveEventSink borrows the event during the call and copies
// what it keeps. Thread safety: a LiveEventSink is called from the
// detector's thread only.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "bgp/route_sink.h"
#include "detect/detect.h"

namespace vigia::live {

enum class EventPhase : uint8_t { kRaised, kCleared };

// The rule names, as written in `vigia watch` configs, alerts and the store.
inline constexpr std::string_view kRuleHijack = "hijack";
inline constexpr std::string_view kRuleSubprefixHijack = "subprefix_hijack";
inline constexpr std::string_view kRuleRouteLeak = "route_leak";
inline constexpr std::string_view kRuleRpkiInvalid = "rpki_invalid";
inline constexpr std::string_view kRuleBogonPrefix = "bogon_prefix";
inline constexpr std::string_view kRuleBogonAsn = "bogon_asn";
inline constexpr std::string_view kRuleVisibilityLoss = "visibility_loss";
inline constexpr std::string_view kRuleNewUpstream = "new_upstream";
inline constexpr std::string_view kRuleNewDownstream = "new_downstream";
inline constexpr std::string_view kRulePathPattern = "path_pattern";
inline constexpr std::string_view kRuleRoaDisappeared = "roa_disappeared";

struct LiveEvent {
  EventPhase phase = EventPhase::kRaised;
  std::string rule;  // one of the kRule* names
  // Stable identity of the condition, e.g. "hijack|192.0.2.0/24|AS64500";
  // a kCleared event has the key of the kRaised one it ends.
  std::string key;
  detect::Incident incident;  // incident.type is the batch type where one exists
  bgp::RouteTime time;        // the route time of the message that caused it
  // steady_clock nanoseconds when the causing message was read from its
  // socket or file (0 if unknown): latency = alert sent - arrival_ns.
  int64_t arrival_ns = 0;
  uint32_t peers = 0;  // collector peers that see the condition now
};

class LiveEventSink {
 public:
  virtual ~LiveEventSink() = default;
  virtual void OnEvent(const LiveEvent& e) = 0;
};

}  // namespace vigia::live
