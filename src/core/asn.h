// Autonomous System numbers (RFC 6793: four octets), their special values
// and the one parser of their text forms that every loader and command uses.
//
// An Asn is a plain uint32_t. ParseAsn is pure (no allocation, no state), so
// it is safe from any thread.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace vigia {

using Asn = uint32_t;

// RFC 6793 §9: the 2-octet placeholder for a 4-octet AS in 2-octet sessions.
inline constexpr Asn kAsTrans = 23456;

// Which text forms a caller accepts. Every form is case-insensitive in its
// "AS" prefix and rejects signs, spaces and anything after the number.
struct AsnSyntax {
  // "AS" must lead, as in RPSL (RFC 2622 §2: an AS number is "AS" then the
  // number); otherwise "AS64496" and "64496" are both accepted.
  bool require_as_prefix = false;
  // RFC 5396 asdot: "1.10" is 65546, each half 16 bits. Otherwise only
  // asplain ("65546") is accepted.
  bool allow_asdot = false;
};

// The text forms used by the data files and the command line:
//  - kAsnPlain: "AS64496", "as64496" or "64496" (VRP CSV/JSON, CAIDA, PeeringDB,
//    pfx2as, delegated queries, CLI arguments);
//  - kAsnRpsl: "AS64496" or "AS1.10" (RPSL aut-num, origin, members);
//  - kAsnAny: "AS64496", "64496", "AS1.10" or "1.10" (`vigia irr` arguments).
inline constexpr AsnSyntax kAsnPlain{};
inline constexpr AsnSyntax kAsnRpsl{.require_as_prefix = true, .allow_asdot = true};
inline constexpr AsnSyntax kAsnAny{.require_as_prefix = false, .allow_asdot = true};

// At most 10 decimal digits (the width of 2^32-1), no sign, no spaces, at
// most max: the digits rule of ParseAsn, also used for the small numbers of
// RPSL range operators. False and *out untouched otherwise.
bool ParseDecimal(std::string_view text, uint64_t max, uint64_t* out);

// The number written in text, or nullopt. asplain is at most 10 digits and at
// most 2^32-1 (RFC 6793); asdot halves at most 10 digits and 65535 each.
std::optional<Asn> ParseAsn(std::string_view text, AsnSyntax syntax = kAsnPlain);

// The same, for callers that keep an out-parameter: true and *out set, or
// false and *out untouched.
inline bool ParseAsn(std::string_view text, Asn* out, AsnSyntax syntax = kAsnPlain) {
  const std::optional<Asn> v = ParseAsn(text, syntax);
  if (v) *out = *v;
  return v.has_value();
}

}  // namespace vigia
