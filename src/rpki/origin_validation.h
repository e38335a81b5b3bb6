// Route origin validation (RFC 6811): the state of a (prefix, origin AS)
// pair against a VrpSet, with the VRPs behind the answer. Stateless; safe to
// call from several threads on one VrpSet.
#pragma once

#include <span>
#include <string_view>
#include <vector>

#include "rpki/vrp.h"

namespace vigia::rpki {

enum class RovState {
  kNotFound,       // no VRP covers the prefix
  kValid,          // a covering VRP matches origin and length
  kInvalidOrigin,  // covered, but no covering VRP has this origin
  kInvalidLength,  // a covering VRP has this origin, but the prefix is longer than its maxLength
};

std::string_view RovStateName(RovState s);  // "valid", "invalid-origin", ...

struct RovResult {
  RovState state = RovState::kNotFound;
  std::vector<Vrp> matched;   // covering VRPs that make the route valid
  std::vector<Vrp> covering;  // every covering VRP
};

// Implements RFC 6811 §2. origin 0 means "none": the route's AS_PATH ends in
// an AS_SET (or is empty), and such a route never matches (§2: "NONE").
// VRPs for AS0 never match either (RFC 7607, RFC 6483 §4).
RovResult Validate(const VrpSet& vrps, const Prefix& prefix, Asn origin);

// The state alone, without collecting VRPs: the fast path for full tables.
RovState ValidateState(const VrpSet& vrps, const Prefix& prefix, Asn origin);

struct Route {
  Prefix prefix;
  Asn origin = 0;
  friend auto operator<=>(const Route&, const Route&) = default;
};
// ValidateState for every route, out[i] for routes[i], split over
// `threads` threads (0: one per core). Routes in prefix order, as a RIB
// dump lists them, are kinder to the caches.
void ValidateAll(const VrpSet& vrps, std::span<const Route> routes, std::span<RovState> out,
                 unsigned threads = 0);

}  // namespace vigia::rpki
