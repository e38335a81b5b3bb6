// The IRR status of an announcement (prefix, origin AS): is there a route or
// route6 object (or an ARIN-WHOIS originAS record) that registers it?
//
// States, in order of precedence; the first that applies is the answer:
//   exact          a route object for exactly this prefix with this origin;
//   less-specific  none exact, but a covering (less-specific) route object
//                  with this origin: the holder registered an aggregate;
//   other-origin   route objects for the prefix or a less-specific exist,
//                  but none with this origin;
//   not-found      no route object for the prefix or any less-specific.
// More-specific route objects never decide: a registration of
// 192.0.2.0/25 says nothing about who may announce 192.0.2.0/24.
//
// A pure function of an IrrDatabase; thread-safe once the database is built.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include "irr/irr_index.h"

namespace vigia::irr {

enum class IrrState : uint8_t { kExact, kLessSpecific, kOtherOrigin, kNotFound };

// "exact", "less-specific", "other-origin", "not-found".
std::string_view IrrStateName(IrrState s);

struct IrrCheckResult {
  IrrState state = IrrState::kNotFound;
  // The route objects behind the answer (indexes into db.routes()): the
  // exact matches, or the covering objects of the origin, or every covering
  // object of other origins; most specific first, then by source order.
  std::vector<uint32_t> objects;
};

// Looks only at the sources in `sources` (every source when empty).
IrrCheckResult CheckRoute(const IrrDatabase& db, const Prefix& prefix, Asn origin,
                          std::span<const SourceId> sources = {});

}  // namespace vigia::irr
