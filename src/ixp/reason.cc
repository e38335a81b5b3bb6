// The reject reason table of reason.h.
#include "ixp/reason.h"

#include <array>

namespace vigia::ixp {
namespace {

constexpr std::array<ReasonInfo, 17> kReasons = {{
    {Reject::kPrefixTooLong, "prefix_too_long", "prefix longer than /24 (IPv4) or /48 (IPv6)"},
    {Reject::kPrefixTooShort, "prefix_too_short", "prefix shorter than /8 (IPv4) or /16 (IPv6)"},
    {Reject::kBogon, "bogon", "bogon prefix (special purpose or not allocated by a RIR)"},
    {Reject::kBogonAsn, "bogon_asn",
     "bogon ASN in the AS_PATH (private, reserved or not allocated)"},
    {Reject::kAsPathTooLong, "as_path_too_long", "AS_PATH longer than the limit"},
    {Reject::kAsPathTooShort, "as_path_too_short", "empty AS_PATH"},
    {Reject::kFirstAsNotPeer, "first_as_not_peer",
     "first AS in the AS_PATH is not the member's ASN"},
    {Reject::kNextHopNotPeer, "next_hop_not_peer",
     "next hop is not the member's router address (RFC 7948 4.8)"},
    {Reject::kIrrPrefix, "irr_prefix",
     "prefix not covered by the route objects of the member's as-set"},
    {Reject::kIrrOrigin, "irr_origin", "origin AS not in the member's as-set"},
    {Reject::kPrefixNotInOrigin, "prefix_not_in_origin",
     "no route object for this prefix and origin"},
    {Reject::kRpkiUnknown, "rpki_unknown", "RPKI NotFound (rejected by policy)"},
    {Reject::kRpkiInvalid, "rpki_invalid", "RPKI Invalid (RFC 6811)"},
    {Reject::kTransitFreeAsn, "transit_free_asn", "a transit-free network's ASN in the AS_PATH"},
    {Reject::kTooManyCommunities, "too_many_communities", "more communities than the limit"},
    {Reject::kWellKnownCommunity, "well_known_community",
     "carries a well-known community the route server must honour"},
    {Reject::kMaxPrefix, "max_prefix", "the session went over its max-prefix limit"},
}};

}  // namespace

std::span<const ReasonInfo> RejectReasons() { return kReasons; }

std::optional<Reject> RejectFromCode(uint32_t code) {
  for (const ReasonInfo& r : kReasons)
    if (static_cast<uint32_t>(r.code) == code) return r.code;
  return std::nullopt;
}

std::string_view RejectKey(Reject r) {
  for (const ReasonInfo& info : kReasons)
    if (info.code == r) return info.key;
  return "unknown";
}

}  // namespace vigia::ixp
