// Autonomous System numbers (RFC 6793: four octets).
//
// An Asn is a plain uint32_t; this header names the special values that the
// decoders and, later, the bogon checks need.
#pragma once

#include <cstdint>

namespace vigia {

using Asn = uint32_t;

// RFC 6793 §9: the 2-octet placeholder for a 4-octet AS in 2-octet sessions.
inline constexpr Asn kAsTrans = 23456;

}  // namespace vigia
