// What happens in a simulated Internet during the observation window: the
// incidents a detector must find, the benign events that look like them and
// that it must not flag, and background churn; with the ground truth
// (truth.json) that says exactly what was injected (issue [3/5] item 6).
//
//   hijack            an AS with no relation to the holder (not a sibling,
//                     customer or provider) originates the holder's prefix.
//   subprefix_hijack  the same, for a more-specific nobody announces.
//   route_leak        RFC 7908 §3 types 1-4: a customer sends routes it
//                     learnt from a provider or peer to another provider
//                     (types 1, 4) or peer (types 2, 3); the receiver, named
//                     the propagator, carries them on (Router::ComputeLeak).
//   bogon_prefix      special-purpose space (RFC 6890) or space the RIRs
//                     hold unallocated, originated by an AS.
//   bogon_asn         a path whose origin is a private or reserved ASN
//                     behind the culprit, which did not strip it.
//   rpki_invalid      an AS originates a more-specific of its own prefix
//                     that its ROA's maxLength does not allow (RFC 6811
//                     invalid-length; the "too-short maxLength" mistake).
//
//   benign            sibling MOAS (two ASes of one organisation originate
//                     a prefix), DDoS-protection diversion (a scrubbing
//                     provider the holder authorised with a ROA and a route
//                     object originates the prefix for a while), and a
//                     direct customer announcing a more-specific of its
//                     provider's space under a valid ROA.
//
// Every injected event is visible: at least one collector peer's route
// changes because of it; candidates that no peer would see are skipped.
// An incident's propagator is the neighbour of the culprit that passed it
// on in most collector paths (null when only the culprit itself, as a
// collector peer, shows it); for a leak, the receiver.
//
// A Scenario is built once, after the registrations (whose ROAs it reads and
// extends), and is deterministic in the seed.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "core/asn.h"
#include "core/ip.h"
#include "core/status.h"
#include "core/time_format.h"
#include "sim/registrations.h"
#include "sim/synthetic_topology.h"

namespace vigia::sim {

enum class IncidentType : uint8_t {
  kHijack,
  kSubprefixHijack,
  kRouteLeak,
  kBogonPrefix,
  kBogonAsn,
  kRpkiInvalid,
};
inline constexpr int kIncidentTypeCount = 6;
// The names truth.json and `vigia incidents` use: the incident-type
// registry's (detect/incident_type.h).
const char* IncidentTypeName(IncidentType t);

enum class BenignKind : uint8_t { kSiblingMoas, kDdosProtection, kCustomerSubprefix };
inline constexpr int kBenignKindCount = 3;
const char* BenignKindName(
    BenignKind k);  // "sibling_moas", "ddos_protection", "customer_subprefix"

// How many of each to inject: "--incidents" is a comma-separated list of
// NAME=COUNT with NAME an incident type, a benign kind or "flaps"
// (withdraw-and-return churn); "none" injects nothing.
struct IncidentPlan {
  uint32_t incidents[kIncidentTypeCount] = {};
  uint32_t benign[kBenignKindCount] = {};
  uint32_t flaps = 0;
};
// A plan scaled to the size of the Internet (about 1 incident per 50 ASes
// of each type, at least 2).
IncidentPlan DefaultPlan(const SyntheticInternet& net);
// Parses SPEC over `base`: names not given keep base's counts.
Result<IncidentPlan> ParsePlan(std::string_view spec, const IncidentPlan& base);

// What every AS routes to for one prefix while a job is in force.
struct RouteJob {
  std::vector<uint32_t> origins;  // dense indexes; several = MOAS
  // A leak of origins[0]'s route by culprit to receiver (dense indexes).
  uint32_t leak_culprit = UINT32_MAX, leak_receiver = UINT32_MAX;
  // Appended after the origin in every path: the announced origin is then
  // this (bogon) ASN.
  Asn appended_asn = 0;
  friend bool operator==(const RouteJob&, const RouteJob&) = default;
};

// A change of routing for one prefix at one time.
struct RouteEvent {
  int64_t time = 0;  // seconds since the epoch
  Prefix prefix;
  int32_t job = -1;  // into Scenario::jobs; -1 = withdrawn everywhere
};

struct TruthEntry {
  std::string type;  // IncidentTypeName; for benign events, what they look like
  std::string kind;  // finer: "exact", "rfc7908_type1", "special_purpose", "sibling_moas", ...
  Asn culprit = 0;
  std::optional<Asn> propagator;
  std::vector<Prefix> prefixes;
  int64_t start = 0, end = 0;  // seconds since the epoch
  std::string note;            // human-readable: who, what, why
};

struct Scenario {
  int64_t window_start = 0, window_end = 0;
  std::vector<RouteJob> jobs;
  // Every collector peer's AS path (AS_PATH order, peer first; empty: no
  // route) under each job: job_paths[job][peer slot of ScenarioConfig].
  std::vector<std::vector<std::vector<Asn>>> job_paths;
  // The routing at the window start of every prefix that events touch or
  // that differs from the plain announcements (persistent events), sorted
  // by prefix; any other prefix is routed from its announcement's origin.
  std::vector<std::pair<Prefix, int32_t>> baseline;
  std::vector<RouteEvent> events;  // by time, then prefix
  std::vector<TruthEntry> incidents, benign;
  // Registrations the scenario made wrong on purpose (too-short maxLength).
  std::vector<StaleRegistration> stale;
};

struct ScenarioConfig {
  uint64_t seed = 1;
  int64_t window_start = 0;  // seconds since the epoch
  uint32_t days = 2;
  IncidentPlan plan;
  // Collector peers (dense indexes): visibility is judged from them.
  std::vector<uint32_t> peers;
  unsigned threads = 0;  // for the routes of events; 0: one per core
  // Called as each kind of event is placed, with its name.
  std::function<void(std::string_view)> progress;
};

// Builds the scenario; adds the ROAs and route objects of benign events to
// *regs. Fails with kInvalidArgument on a bad config; injects fewer events
// than planned (and says so in `shortfall`) when the Internet has too few
// candidates.
Result<Scenario> BuildScenario(const SyntheticInternet& net, Registrations* regs,
                               const ScenarioConfig& config, std::string* shortfall);

// truth.json: {"window": {...}, "incidents": [...], "benign": [...],
// "stale_registrations": [...]}, times in ISO 8601 UTC.
std::string TruthJson(const Scenario& s, const Registrations& regs);

}  // namespace vigia::sim
