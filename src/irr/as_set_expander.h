// Recursive as-set expansion (RFC 2622 §5.1), as bgpq4 asks an IRRd for it:
// the AS numbers an as-set stands for, and the prefixes of the route and
// route6 objects those ASes originate.
//
// Sets are resolved through a source order (--sources): each set name is
// looked up in the sources in that order and the first source that has it
// wins; with no order, every source in load order. Route objects are taken
// from the same sources. The expansion is breadth-first, so every set is
// expanded once, at the least depth it is reached at; a set reached again
// is not expanded again. Cycles (AS-A contains AS-B contains AS-A) are
// reported with their path and do not loop. Sets reached at the depth limit
// are reported and not expanded (depth 1 = only the root's own members).
// Member names found in no source are reported as unresolved. mbrs-by-ref
// and member-of (membership claimed by the member) are not followed.
//
// A pure function of an IrrDatabase; thread-safe once the database is built.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/limits.h"
#include "irr/irr_index.h"

namespace vigia::irr {

inline constexpr int kDefaultExpandDepth = 20;
// kMaxExpandDepth, kMaxCyclesReported: core/limits.h.

struct ExpandOptions {
  std::vector<SourceId> sources;  // preference order; empty = every source in load order
  int max_depth = kDefaultExpandDepth;
  bool prefixes = true;  // also collect the route/route6 prefixes
};

struct ExpandResult {
  bool found = false;  // the root set exists (an ASN always does)
  bool root_is_asn = false;
  SourceId root_source = 0;        // where the root set came from
  std::vector<Asn> asns;           // sorted, unique
  std::vector<Prefix> ipv4, ipv6;  // sorted, unique
  size_t sets_expanded = 0;
  // Each cycle as the path of set names that closes it, first == last.
  std::vector<std::vector<std::string>> cycles;
  // Sets reached at the depth limit and not expanded, with the set they
  // were found in.
  std::vector<std::pair<std::string, std::string>> depth_limited;
  // Member set names no source has, with the set they were found in.
  std::vector<std::pair<std::string, std::string>> unresolved;
};

// name: an as-set name (any case, hierarchical allowed) or an AS number
// ("AS64496").
ExpandResult ExpandAsSet(const IrrDatabase& db, std::string_view name, const ExpandOptions& opts);

}  // namespace vigia::irr
