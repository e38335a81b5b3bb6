// An OpenBGPD (7.7) route-server configuration from a resolved Policy
// (policy.h): the same rules and the same reason communities as bird2.h.
//
// OpenBGPD keeps no filtered routes with their attributes, so a route that
// fails a rule is accepted tagged (arouteserver's "tag" reject policy):
// `allow quick ... set { localpref 1 large-community RS_ASN:1101:<code> }`
// stops the evaluation at the first failing rule, the low LOCAL_PREF keeps
// it from winning over a clean route, and the export rule `deny quick to
// group clients large-community RS_ASN:1101:*` keeps it from every member;
// `bgpctl show rib large-community RS_ASN:1101:*` lists them. Rules OpenBGPD
// cannot say negatively ("next hop is not", "origin not in", "prefix not
// in", "first AS is not") use arouteserver's marker technique: a private
// marker RS_ASN:1102:<code> is set, removed when the route passes, and a
// route still carrying it is tagged.
//
// Differences from the BIRD 2 config, by the daemon's design: an empty
// AS_PATH is tagged 7 (first AS not the peer's), not 6; AS 0 is refused by
// OpenBGPD itself on receipt (RFC 7607); RFC 7947 path hiding is mitigated
// with `rde evaluate all`; RPKI comes from `rtr` and OpenBGPD re-evaluates
// `ovs` when the ROAs change; max-prefix `block` and `warn` do not exist in
// OpenBGPD and fall back to `restart`.
//
// The output is a pure function of the Policy. Values only; no thread
// concerns.
#pragma once

#include <string>

#include "ixp/policy.h"

namespace vigia::ixp {

std::string WriteOpenBgpd(const Policy& policy);

}  // namespace vigia::ixp
