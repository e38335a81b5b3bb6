// A synthetic Internet for `vigia simulate` (SPEC C14): a tiered AS graph with
// regions, countries, sibling organisations and IXPs, and the address space
// each AS holds and announces, all drawn deterministically from one seed.
//
//   Graph      a Tier-1 clique (full p2p mesh); tier-2 regional transit,
//              tier-3 local ISPs and stubs (~85 %), each non-clique AS with
//              1-4 providers from a higher tier (or, for tier 2, an earlier
//              tier-2 AS), chosen by preferential attachment on customer
//              count and preferring the AS's own region; p2p links among
//              transit ASes of a region and among members of an IXP. A
//              provider always comes earlier in ases(), so there are no
//              provider cycles.
//   Registry   five RIRs with realistic shares of ASes, real country codes
//              per region (LACNIC weighted so BR, then MX, are largest),
//              public ASNs (16- and 32-bit, no bogon ASN, unique), and
//              allocations carved by a buddy allocator out of the IPv4 /8s
//              and IPv6 /12s IANA gave each RIR, so no allocation is a bogon
//              and no two overlap.
//   Prefixes   each AS announces its allocations and, for some, more-specifics
//              of them (IPv4 up to /24, IPv6 up to /48); the total is
//              SyntheticConfig::prefixes.
//
// Determinism: a std::mt19937_64 (whose output the C++ standard fixes) feeds
// bounded draws written here with integer arithmetic only, so one seed gives
// the same Internet with every compiler and standard library.
//
// A SyntheticInternet is a value: built once, then read-only and safe to
// share between threads.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/asn.h"
#include "core/ip.h"
#include "core/status.h"
#include "topology/as_relationships.h"

namespace vigia::sim {

enum class Rir : uint8_t { kAfrinic, kApnic, kArin, kLacnic, kRipeNcc };
inline constexpr int kRirCount = 5;
std::string_view RirName(Rir r);      // "AFRINIC", "APNIC", "ARIN", "LACNIC", "RIPE NCC"
std::string_view RirRegistry(Rir r);  // as in delegated files: "afrinic", ..., "ripencc"

enum class Tier : uint8_t { kTier1, kTier2, kTier3, kStub };
std::string_view TierName(Tier t);  // "tier1", "tier2", "tier3", "stub"

// True for ASNs that must not appear in routing: 0, AS_TRANS (RFC 6793),
// documentation (RFC 5398), private (RFC 6996) and reserved ranges (RFC 7300).
bool IsBogonAsn(Asn asn);

// The address blocks IANA gave each RIR that allocations are carved from.
std::vector<Prefix> IanaBlocks(Rir r, Family f);

struct SyntheticConfig {
  uint32_t ases = 2000;
  uint64_t seed = 1;
  uint32_t prefixes = 20'000;  // announced prefixes, IPv4 and IPv6 together
  double ipv6_share = 0.2;     // of the announced prefixes
  uint32_t tier1 = 0;          // clique size; 0 = 10..20 from ases
  double tier2_share = 0.03;
  double tier3_share = 0.12;        // the rest are stubs
  double sibling_org_share = 0.04;  // of organisations, those owning 2-5 ASes
  uint32_t ixps = 0;                // 0 = about one per 75 ASes, at least 3
  uint32_t date = 20261122;         // the delegated files' end date and serial
};

struct SynthAs {
  Asn asn = 0;
  Tier tier = Tier::kStub;
  Rir rir = Rir::kRipeNcc;
  std::string country;    // ISO 3166 alpha-2
  uint32_t org = 0;       // into SyntheticInternet::orgs
  uint32_t asn_date = 0;  // YYYYMMDD the ASN was delegated
};

// An organisation in CAIDA as2org terms; most own one AS, siblings 2-5.
struct SynthOrg {
  std::string id;  // e.g. "SYN-000042-LACNIC"; also the delegated opaque-id
  std::string name;
  std::string country;
  Rir rir = Rir::kRipeNcc;
  std::vector<Asn> ases;  // in ases() order
};

struct SynthIxp {
  uint32_t id = 0;  // 1-based
  std::string name;
  Rir rir = Rir::kRipeNcc;
  std::string country;
  std::vector<Asn> members;  // sorted
};

// A block delegated by an RIR to the organisation of `holder`.
struct Allocation {
  Prefix prefix;
  Asn holder = 0;
  Rir rir = Rir::kRipeNcc;
  uint32_t date = 0;      // YYYYMMDD
  bool assigned = false;  // "assigned" (end-user) rather than "allocated"
};

struct Announcement {
  Prefix prefix;
  Asn origin = 0;
  uint32_t allocation = 0;  // into SyntheticInternet::allocations
};

// RIR pool records that are neither allocated nor assigned.
struct PoolRecord {
  Rir rir = Rir::kRipeNcc;
  bool reserved = false;  // else "available"
  bool is_asn = false;
  Asn asn = 0;    // when is_asn
  Prefix prefix;  // otherwise
};

struct SyntheticInternet {
  SyntheticConfig config;
  std::vector<SynthAs> ases;  // Tier-1 first, then tier 2, tier 3, stubs
  std::vector<SynthOrg> orgs;
  std::vector<SynthIxp> ixps;
  std::vector<Allocation> allocations;
  std::vector<Announcement> announcements;
  std::vector<PoolRecord> pool;
  std::vector<Asn> clique;          // the Tier-1 ASNs
  topology::AsRelationships graph;  // built
  // graph.links() from this index on are peerings at IXPs; before it, p2c
  // links, then the clique and private peering.
  size_t first_ixp_link = 0;
};

// Generates the Internet described by config. Fails with kInvalidArgument on
// a config it cannot honour (fewer ASes than the clique plus three; more than
// 300,000 ASes, a 100-AS clique or 5,000,000 prefixes; a share out of range)
// and with kLimitExceeded when an RIR's address pool runs out.
Result<SyntheticInternet> GenerateTopology(const SyntheticConfig& config);

// Draws the address space of GenerateTopology (allocations, announcements,
// RIR pool records) for the ASes already in *net, by their tiers and RIRs,
// replacing any net holds: net->config.prefixes announced prefixes, a share
// net->config.ipv6_share of them IPv6; pool ASNs are none of net's ASNs. For
// an AS graph from elsewhere (sim/real_internet.h). Deterministic in seed and
// *net. Fails with kInvalidArgument when net has no AS or the config is out
// of range, and with kLimitExceeded when an RIR's address pool runs out (the
// address space of *net is then partial).
Status AddSyntheticAddressSpace(SyntheticInternet* net, uint64_t seed);

// The RIR statistics exchange format v2.3 "delegated-extended" file of one
// RIR: version line, asn/ipv4/ipv6 summary lines, then records
// registry|cc|type|start|value|date|status|opaque-id sorted by type and start.
std::string DelegatedExtendedText(const SyntheticInternet& net, Rir rir);
// Writes delegated-<registry>-extended-<date> for every RIR into dir (which
// must exist).
Status WriteDelegatedFiles(const SyntheticInternet& net, const std::string& dir);

// CAIDA serial-2 as-rel text: "# input clique:" and "# IXP ASes:" headers,
// then provider|customer|-1|bgp and peer|peer|0|bgp (mlp for IXP peerings).
std::string AsRelText(const SyntheticInternet& net);

// CAIDA as2org text (the "# format:" org and aut sections) for the orgs.
std::string As2OrgText(const SyntheticInternet& net);

}  // namespace vigia::sim
