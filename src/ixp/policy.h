// The route-server policy of an exchange, resolved: the global rules of
// MANRS for IXPs Action 1 (prefix length limits, full bogons and bogon
// ASNs, AS_PATH length, transit-free networks, well-known communities,
// RPKI) and, per member, what it may announce (IRR prefixes and origin
// ASNs expanded from its as-sets by Vigía's own IRR code, max-prefix, the
// next hops it may use). The config writers (bird2.h, openbgpd.h) turn a
// Policy into a daemon's configuration without deciding anything; the same
// Policy says what `vigia ixp check` should find.
//
// Defaults, and where they come from (docs/ixp.md "Configuration"):
//   - prefix length: IPv4 /8../24, IPv6 /16../48 (reason.h's codes 1 and 2;
//     arouteserver's default is /12 for the shortest IPv6);
//   - AS_PATH at most 64 ASNs (IXP Manager's "no one needs an AS path with
//     > 64 hops"; arouteserver's default is 32);
//   - transit-free ASNs: arouteserver's reference general.yml
//     (pierky/arouteserver config.d/general.yml, filtering.transit_free):
//     174, 701, 1299, 2914, 3257, 3320, 3356, 5511, 6453, 6461, 6762, 6830,
//     7018, 12956; rejected anywhere in the AS_PATH after the first ASN;
//   - max-prefix: the member's, else 170000 (IPv4) / 12000 (IPv6),
//     arouteserver's general_limit_ipv4/6;
//   - bogons: the built-in special-purpose registries (RFC 6890 / 8190) and
//     special ASNs unless a full-bogons list or registry data is given.
//
// A Policy is a value: built once, read by the writers; no thread concerns.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/asn.h"
#include "core/ip.h"
#include "core/problem_log.h"
#include "core/status.h"
#include "ixp/members.h"

namespace vigia::irr {
class IrrDatabase;
}
namespace vigia::registry {
class BogonList;
}

namespace vigia::ixp {

enum class MaxPrefixAction : uint8_t { kRestart, kBlock, kDisable, kWarn };
std::string_view MaxPrefixActionName(MaxPrefixAction a);
std::optional<MaxPrefixAction> MaxPrefixActionFromName(std::string_view name);

// RFC 1997 well-known communities (NO_EXPORT, NO_ADVERTISE,
// NO_EXPORT_SUBCONFED) and RFC 3765 NOPEER received from a member:
// kRfc1997 rejects the route with reason 50 (the route server is another
// AS, so RFC 1997 says the route goes no further), kPass propagates it
// unchanged (arouteserver's default "pass").
enum class WellKnownPolicy : uint8_t { kRfc1997, kPass };

inline constexpr uint8_t kDefaultMinLength4 = 8, kDefaultMaxLength4 = 24;
inline constexpr uint8_t kDefaultMinLength6 = 16, kDefaultMaxLength6 = 48;
inline constexpr uint32_t kDefaultMaxAsPath = 64;
inline constexpr uint32_t kDefaultMaxPrefix4 = 170000, kDefaultMaxPrefix6 = 12000;
inline constexpr uint32_t kDefaultMaxCommunities = 100;
// arouteserver's reference transit-free list (see the header comment).
std::vector<Asn> DefaultTransitFreeAsns();

struct RtrServer {
  std::string host;
  uint16_t port = 0;
};
// "HOST:PORT" or "[V6]:PORT".
std::optional<RtrServer> ParseRtrServer(std::string_view text);

struct PolicyOptions {
  Asn rs_asn = 0;
  std::optional<IpAddress> rs_address4, rs_address6;
  std::optional<IpAddress> router_id;  // default: rs_address4
  uint8_t min_length4 = kDefaultMinLength4, max_length4 = kDefaultMaxLength4;
  uint8_t min_length6 = kDefaultMinLength6, max_length6 = kDefaultMaxLength6;
  uint32_t max_as_path = kDefaultMaxAsPath;
  std::vector<Asn> transit_free = DefaultTransitFreeAsns();
  uint32_t default_max_prefix4 = kDefaultMaxPrefix4, default_max_prefix6 = kDefaultMaxPrefix6;
  MaxPrefixAction max_prefix_action = MaxPrefixAction::kRestart;
  uint32_t max_communities = kDefaultMaxCommunities;
  WellKnownPolicy well_known = WellKnownPolicy::kRfc1997;
  std::optional<RtrServer> rtr;      // RPKI via RTR; none: RPKI not checked (tag 1000:3)
  bool reject_rpki_unknown = false;  // reason 12 instead of the tag 1000:2
  bool add_path = false;             // ADD-PATH tx to clients (RFC 7911)
  // Also accept more-specifics of a member's route objects (down to the
  // length limit), tagged RS_ASN:1001:3 (arouteserver's
  // allow_longer_prefixes); otherwise only exact route objects (reason 9).
  bool irr_allow_more_specific = false;
  std::vector<std::string> irr_sources;  // IRR source order; empty: every source
};

// How the bogon lists were obtained, for the config's header and reports.
enum class BogonSource : uint8_t { kBuiltIn, kFile, kRegistry };
std::string_view BogonSourceName(BogonSource s);  // "built-in", "file", "registry"

struct AsnRange {
  Asn first = 0, last = 0;
};

struct MemberPolicy {
  const Member* member = nullptr;                 // into the MemberList the Policy was built from
  std::vector<IpAddress> next_hops4, next_hops6;  // the member's own addresses
  uint32_t max_prefix4 = 0, max_prefix6 = 0;      // resolved (member's or default)
  bool irr_checked = false;                       // IRR data was given
  std::vector<std::string> expanded;              // the names expanded ("AS-FOO", or "AS64500")
  std::vector<Asn> origins;                       // allowed origin ASNs, sorted
  std::vector<Prefix> prefixes4, prefixes6;       // IRR route(6) objects, sorted
  std::vector<std::string> unresolved;            // as-sets no IRR source has
};

struct Policy {
  PolicyOptions options;
  std::string members_source;  // file name of the members list (base name)
  std::string members_format, members_date, ixp_name;
  std::vector<MemberPolicy> members;  // by ASN; members without an address are left out
  BogonSource bogon_source = BogonSource::kBuiltIn;
  std::vector<Prefix> bogons4, bogons6;  // aggregated, address order
  std::vector<AsnRange> bogon_asns;      // ASN order
  bool irr = false;                      // IRR data given
};

// Where the bogons come from: nothing (built-in special-purpose), prefix
// list files (Team Cymru's fullbogons format) or a registry's BogonList.
struct BogonInput {
  std::vector<std::string> files;
  const registry::BogonList* registry = nullptr;
};

// Text from input (member names) made safe for a config file, inside
// quotes or after '#': printable ASCII only, no quote, backslash or '#'
// (replaced by '_'), at most max_bytes.
std::string SafeConfigText(std::string_view text, size_t max_bytes = 64);

// The part of a generated config's header comment that every writer
// shares: the "# <daemon> route-server configuration written by ..." line,
// the inputs (members, exchange, bogons, IRR, RPKI) and the global limits.
void WriteConfigHeaderInputs(const Policy& p, std::string_view daemon, std::string* out);
// The reject reasons of reason.h, one "#   <code> <key> <text>" line each.
void WriteConfigReasonList(std::string* out);

// Resolves the policy. `irr` may be null (IRR rules not checked: tag
// 1001:2). Fails on bad options (no RS ASN, min > max lengths, a bogon file
// that cannot be read); members whose as-sets resolve to nothing are
// reported in problems and get an empty prefix list (every route rejected
// with reason 9, as IXP Manager does).
Result<Policy> BuildPolicy(const MemberList& members, const PolicyOptions& options,
                           const irr::IrrDatabase* irr, const BogonInput& bogons,
                           ProblemLog* problems);

}  // namespace vigia::ixp
