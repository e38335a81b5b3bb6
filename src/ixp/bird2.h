// A BIRD 2 route-server configuration from a resolved Policy (policy.h):
// one `protocol bgp` per member router address (`rs client`, the member's
// next hop kept), one import filter per member and family implementing
// every rule of the policy, RPKI through `protocol rpki` (RTR) with ROA
// tables that re-evaluate routes when the ROAs change.
//
// How rejected routes stay visible (IXP Manager's approach): the import
// filter adds the large community RS_ASN:1101:<code> (reason.h) and
// rejects; `import keep filtered on` keeps the route, with the community,
// in the table as filtered (`birdc show route filtered all`), where it
// never competes for best path and is never exported. Accepted routes carry
// RS_ASN:1000:<n> (RPKI) and RS_ASN:1001:<n> (IRR) and keep them on export.
// A member's own RS_ASN:*:* communities are deleted on import, so nobody
// can forge a reason. The checks run in a fixed order and the first failing
// one names the reason (docs/ixp.md "Configuration").
//
// RPKI re-evaluation: each channel has `import table on`, so BIRD 2.0.12's
// `rpki reload` (on by default) re-runs the import filter from the stored
// routes whenever the ROA tables change, without a route refresh.
//
// RFC 7947 §2.3.1 path hiding: every channel has `secondary on` (when the
// best route is refused by a client's export filter, the next one is
// tried), arouteserver's choice for BIRD; `add paths tx` (RFC 7911) is
// added on request.
//
// Max-prefix: `import limit N action restart|block|disable|warn`.
//
// The output is a pure function of the Policy: sorted, no timestamps, so
// the same inputs give the same bytes. Values only; no thread concerns.
#pragma once

#include <string>

#include "ixp/policy.h"

namespace vigia::ixp {

std::string WriteBird2(const Policy& policy);

}  // namespace vigia::ixp
