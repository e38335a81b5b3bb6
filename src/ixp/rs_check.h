// RsCheck: judges a route server's RIB (an MRT dump) against the members'
// routing intent, as the MANRS IXP validation tool does for RPKI and more:
// for every member, the routes the route server accepted that MANRS for IXPs
// Action 1 says it should have rejected, each with the reason keys of
// reason.h (RejectKey): RPKI invalid (RFC 6811), bogon prefix and bogon ASN,
// IRR origin and prefix (the member's as-sets expanded by src/irr), next hop
// not the member's (RFC 7948 §4.8), first AS not the member's, AS_PATH too
// long or empty, prefix too long or too short, a transit-free ASN in the
// path other than the member's own.
//
// Two kinds of dump are read, route by route:
//   - the route server's own RIB (BIRD `mrt dump`, OpenBGPD `dump table`):
//     each RIB entry's peer (PEER_INDEX_TABLE, or the TABLE_DUMP entry) is
//     the member that announced the route, found by ASN, then by address;
//   - a client's view of the route server (the NL-ix dump of the MANRS
//     tool's tests): the peer is the route server itself (its ASN is
//     --rs-asn, or it is not a member at all). The RS is transparent
//     (RFC 7947 §2.2), so the member is the one owning the next hop, else
//     the one whose ASN is first in the AS_PATH.
// Routes that cannot be given to a member are counted per peer as unknown.
// A route carrying the route server's own reject community RS_ASN:1101:x
// (reason.h) was filtered by the server and is kept for looking glasses: it
// is counted as filtered, never as accepted.
//
// Rules whose data was not given (no VRPs, no IRR) are named in
// not_checked and never count as clean. Memory: the member index, the
// expanded IRR prefix lists and at most kMaxBadRoutesKept bad routes per
// member (kMaxBadRoutesKeptTotal in all); the RIB itself streams.
// Not thread-safe.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/asn.h"
#include "core/ip.h"
#include "ixp/members.h"
#include "ixp/policy.h"
#include "ixp/reason.h"
#include "mrt/decoder.h"

namespace vigia::rpki {
class VrpSet;
}
namespace vigia::irr {
class IrrDatabase;
}
namespace vigia::registry {
class RangeSet;
}

namespace vigia::ixp {

// Caps on what a report keeps (the counts are always exact).
inline constexpr size_t kMaxBadRoutesKept = 1000;  // per member, then bad_routes_truncated
// In all: a report stays a few tens of MB for the store and the web page
// (a bad route is ~200 bytes of JSON).
inline constexpr size_t kMaxBadRoutesKeptTotal = 100000;
inline constexpr size_t kMaxUnknownPeers = 10000;  // peers listed (routes still counted)

// The thresholds of the rules: the route server's own defaults
// (policy.h, the ones `vigia ixp config` writes), so that a check of a
// server configured by Vigía finds what its filters should have caught.
struct CheckPolicy {
  size_t max_as_path = kDefaultMaxAsPath;  // ASNs (RFC 4271 §9.1.2.2 length; a set counts 1)
  uint8_t min_length4 = kDefaultMinLength4, max_length4 = kDefaultMaxLength4;
  uint8_t min_length6 = kDefaultMinLength6, max_length6 = kDefaultMaxLength6;
  std::vector<Asn> transit_free = DefaultTransitFreeAsns();
  // IRR prefixes: also accept more-specifics of a route object (policy.h's
  // irr_allow_more_specific, arouteserver's allow_longer_prefixes); by
  // default only exact route objects, as the generated config.
  bool irr_allow_more_specific = false;
  // Also require a route object of the prefix with the route's own origin
  // (reason prefix_not_in_origin), which the generated config does not check.
  bool irr_prefix_origin = false;
  // The route server's ASN: peers with it are the server seen by a client,
  // and RS_ASN:1101:x marks a route the server filtered. Unset: a peer that
  // is not a member is taken as the route server.
  std::optional<Asn> rs_asn;
};

struct CheckInputs {
  const MemberList* members = nullptr;          // required
  const rpki::VrpSet* vrps = nullptr;           // null: "rpki" not checked
  const irr::IrrDatabase* irr = nullptr;        // null: "irr" not checked
  const registry::RangeSet* bogons4 = nullptr;  // extra bogon space (--bogons), or null
  const registry::RangeSet* bogons6 = nullptr;
  CheckPolicy policy;
};

struct BadRoute {
  std::string prefix, as_path, next_hop, peer;
  std::vector<Reject> reasons;  // in code order
  std::string detail;           // one clause per reason, "; "-separated
};

struct MemberReport {
  Asn asn = 0;
  std::string name;
  uint64_t routes = 0;                          // accepted routes attributed to the member
  uint64_t bad = 0;                             // of which at least one reason
  uint64_t filtered = 0;                        // carrying the route server's reject community
  std::map<uint32_t, uint64_t> filtered_codes;  // by the community's code
  std::map<Reject, uint64_t> by_reason;
  std::vector<BadRoute> bad_routes;  // first kMaxBadRoutesKept
  bool bad_routes_truncated = false;
  uint64_t routes4 = 0, routes6 = 0;  // routes (judged) per family
  // "ipv4: 12 routes, limit 10" per family over the member's max-prefix
  // (its own, else policy.h's default): the server should have stopped
  // the session (reason max_prefix, per session, so not a route count).
  std::vector<std::string> max_prefix_exceeded;
};

struct PeerCount {
  IpAddress peer;
  Asn asn = 0;
  uint64_t routes = 0;
};

struct InputFile {
  std::string file;
  std::string date;  // YYYY-MM-DD the file states, or "" (JSON null)
  size_t count = 0;
};

struct CheckReport {
  // The inputs, as the report names them (filled by the caller).
  std::string members_file, members_format, members_date;
  size_t members_count = 0;
  std::optional<InputFile> vrps;  // unset: no VRPs given
  std::vector<InputFile> irr;
  std::string bogons = "built-in";    // "built-in", or "file" with --bogons
  std::vector<std::string> warnings;  // e.g. inputs dated far from the RIB
  // The RIB.
  std::string rib_file;
  std::string rib_format;   // "TABLE_DUMP_V2", "TABLE_DUMP", "TABLE_DUMP_V2+TABLE_DUMP", "" (none)
  std::string rib_date;     // of the first RIB record, YYYY-MM-DD UTC; "" when none
  uint64_t rib_routes = 0;  // route entries read
  uint64_t rib_peers = 0;   // distinct peers
  uint64_t withdrawn = 0;   // entries with malformed attributes (RFC 7606), not judged
  uint64_t undecoded = 0;   // RIB_GENERIC entries of other families, not judged
  // The server's own routes (peer 0.0.0.0 or :: with AS 0, as BIRD dumps
  // static and device routes): no member announced them; not judged.
  uint64_t local_routes = 0;
  // Earlier dumps in a file that holds several (BIRD's periodic `mrt dump`
  // appends): only the last of each file is judged.
  uint64_t dumps_replaced = 0;
  std::vector<PeerCount> rs_peers;  // peers taken as the route server (client view)
  // The result.
  uint64_t routes = 0;  // routes judged (attributed to a member)
  uint64_t accepted_bad = 0;
  uint64_t filtered = 0;  // carrying RS_ASN:1101:x
  std::map<Reject, uint64_t> by_reason;
  std::vector<std::string> not_checked;  // "rpki", "irr"
  // The reasons judged, in code order: the summary's by_reason has each
  // (0 when clean) and no other, so a rule not applied never reads as 0.
  // Never judged from a RIB: rpki_unknown (a tag, not a reject, by
  // default), too_many_communities, well_known_community, max_prefix.
  std::vector<Reject> rules_checked;
  std::vector<MemberReport> per_member;  // members with routes, by ASN
  size_t members_over_max_prefix = 0;
  size_t members_total = 0;
  std::vector<PeerCount> unknown_peers;  // routes given to no member, by peer
  bool unknown_peers_truncated = false;
};

class RsCheck {
 public:
  explicit RsCheck(CheckInputs in);
  ~RsCheck();
  RsCheck(const RsCheck&) = delete;
  RsCheck& operator=(const RsCheck&) = delete;

  // Judges the routes of one decoded record (TABLE_DUMP_V2 RIB records with
  // the PEER_INDEX_TABLE the decoder holds, TABLE_DUMP entries); other
  // record kinds are ignored.
  void Add(const mrt::Decoder& d);

  // Judges one route of `peer` (address, ASN). Add() calls it; tests may too.
  void AddRoute(const IpAddress& peer_ip, Asn peer_asn, const Prefix& prefix,
                const bgp::PathAttributes& attrs);

  // The report so far; rib_file is left to the caller.
  CheckReport Finish() const;

  // The reasons for one route of `member` (no attribution, no counting).
  std::vector<Reject> Judge(const Member& member, const Prefix& prefix,
                            const bgp::PathAttributes& attrs, std::string* detail) const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// The report as the CONTRACT JSON of docs/ixp.md ("## Checking a route
// server's RIB"); indent < 0: one line.
std::string ReportJson(const CheckReport& r, int indent = -1);
// The text report: a summary, a line per member with bad routes, then its
// routes with their reasons.
std::string ReportText(const CheckReport& r);
// Exit status of `vigia ixp check`: 1 when a bad route was accepted, else 0.
int ReportExitCode(const CheckReport& r);

// The next hop of a route's attributes: MP_REACH_NLRI's for IPv6 (RFC 4760
// §3, the abbreviated form of RFC 6396 §4.3.4 included), else NEXT_HOP.
IpAddress RouteNextHop(const bgp::PathAttributes& attrs, Family family);

}  // namespace vigia::ixp
