// Why a route server rejected or tagged a route: one reason code per filter
// rule, carried by the route as a BGP large community (RFC 8092)
// RS_ASN:1101:<code> (rejected) or RS_ASN:1000:<code> / RS_ASN:1001:<code>
// (RPKI and IRR state of an accepted route), so members and looking glasses
// can see why. The scheme follows IXP Manager's route-server filtering
// communities (https://docs.ixpmanager.org/latest/features/route-servers/),
// whose codes 1..15 it keeps; codes from 50 up are Vigía's own, for rules
// IXP Manager does not have. docs/ixp.md lists them all.
//
// The same table is read by the config generators (src/ixp/bird2.cc,
// openbgpd.cc), by `vigia ixp check` and by the live lab's assertions, so a
// code means one thing everywhere. Values only; no thread concerns.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

namespace vigia::ixp {

// RS_ASN:1101:<code>: the route was rejected (kept in the route server's
// RIB as filtered, with this community, for looking glasses).
enum class Reject : uint32_t {
  kPrefixTooLong = 1,        // longer than /24 (IPv4) or /48 (IPv6)
  kPrefixTooShort = 2,       // shorter than /8 (IPv4) or /16 (IPv6)
  kBogon = 3,                // a bogon prefix (full bogons: unallocated or special purpose)
  kBogonAsn = 4,             // a bogon ASN anywhere in the AS_PATH
  kAsPathTooLong = 5,        // more than the AS_PATH length limit
  kAsPathTooShort = 6,       // empty AS_PATH
  kFirstAsNotPeer = 7,       // first AS is not the member's ASN
  kNextHopNotPeer = 8,       // next hop is not the member's address (RFC 7948 §4.8)
  kIrrPrefix = 9,            // prefix not in the member's IRR route objects
  kIrrOrigin = 10,           // origin not in the member's as-set
  kPrefixNotInOrigin = 11,   // IRR: prefix not registered for this origin
  kRpkiUnknown = 12,         // RPKI NotFound, rejected only when the policy says so
  kRpkiInvalid = 13,         // RPKI Invalid (RFC 6811)
  kTransitFreeAsn = 14,      // a transit-free network's ASN in the path after the first
  kTooManyCommunities = 15,  // more communities than the limit
  kWellKnownCommunity = 50,  // NO_ADVERTISE / NO_EXPORT / ... handled as RFC 1997 says (Vigía)
  kMaxPrefix = 51,           // the session went over its max-prefix limit (Vigía; per session)
};

// RS_ASN:1000:<code>: RPKI origin validation state of an accepted route.
enum class RpkiTag : uint32_t { kValid = 1, kUnknown = 2, kNotChecked = 3 };
// RS_ASN:1001:<code>: IRR state of an accepted route.
enum class IrrTag : uint32_t { kValid = 1, kNotChecked = 2, kMoreSpecific = 3 };

inline constexpr uint32_t kRejectFunction = 1101;
inline constexpr uint32_t kRpkiFunction = 1000;
inline constexpr uint32_t kIrrFunction = 1001;

struct ReasonInfo {
  Reject code;
  std::string_view key;   // stable name: "prefix_too_long", ...
  std::string_view text;  // one line for operators
};

// Every reject reason, in code order.
std::span<const ReasonInfo> RejectReasons();
std::optional<Reject> RejectFromCode(uint32_t code);
std::string_view RejectKey(Reject r);

}  // namespace vigia::ixp
