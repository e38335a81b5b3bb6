// The IANA special-purpose address registries (RFC 6890, updated by RFC 8190)
// for IPv4 and IPv6, built in, plus the multicast blocks, and the special and
// reserved AS numbers.
//
// Each address entry carries the registry's columns that matter for routing:
// forwardable and globally reachable (RFC 8190 §2: true, false or N/A), and
// the bogon decision Vigía takes for it with the reason. The rule: an entry
// is a bogon when it is not globally reachable; the N/A entries (6to4, Teredo,
// the deprecated 6to4 relay anycast) are routed in the global table by
// design and are not bogons; a globally reachable entry inside a bogon one
// (192.0.0.9/32 in 192.0.0.0/24, 2001:3::/32 in 2001::/23) is carved out of
// it. docs/bogons.md lists every decision.
//
// Static tables; thread-safe.
#pragma once

#include <span>
#include <string_view>
#include <vector>

#include "core/asn.h"
#include "core/ip.h"

namespace vigia::registry {

enum class Reachability : uint8_t { kFalse, kTrue, kNotApplicable };
std::string_view ReachabilityName(Reachability r);

struct SpecialPurposeBlock {
  Prefix prefix;
  std::string_view name;  // the registry's "Name" column
  std::string_view rfc;   // "RFC 1918", "RFC 791 §3.2"
  Reachability forwardable;
  Reachability globally_reachable;
  bool bogon;  // the decision, see the header comment
};

// IPv4 (iana-ipv4-special-registry, 224.0.0.0/4 from RFC 5771) and IPv6
// (iana-ipv6-special-registry, ff00::/8 from RFC 4291 §2.7), in address
// order.
std::span<const SpecialPurposeBlock> SpecialPurposeBlocks();

// The special-purpose entries covering a (least specific first); empty when
// none.
std::vector<const SpecialPurposeBlock*> SpecialPurposeCovering(const Prefix& p);

struct SpecialAsnRange {
  Asn first;
  Asn last;
  std::string_view name;
  std::string_view rfc;
};

// AS numbers that must not appear in the global table (SPEC C5): 0, 23456,
// documentation, private use, last ASNs and the IANA-reserved 65552-131071.
std::span<const SpecialAsnRange> SpecialAsnRanges();
// The entry for asn, or nullptr.
const SpecialAsnRange* FindSpecialAsn(Asn asn);

}  // namespace vigia::registry
