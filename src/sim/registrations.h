// What the networks of a simulated Internet registered (issue [3/5] item 5):
// ROAs and ASPAs (RPKI), route objects (IRR, one RPSL dump per source) and
// PeeringDB records (net, org, ix, ixlan, ixpfx, netixlan, poc), with
// adoption rates per RIR region, and some registrations stale or wrong as
// in real life.
//
//   RPKI       an adopting AS has a ROA for every prefix it announces (exact,
//              or a covering ROA whose maxLength reaches it), so every
//              baseline announcement of an adopter is RPKI-valid; a share of
//              adopters also publishes an ASPA listing all its providers.
//   IRR        an adopting AS has a route/route6 object for every prefix it
//              announces, in its RIR's database or in RADB; stale objects
//              (for a former origin, with no object for today's origin) are
//              listed in Registrations::stale.
//   PeeringDB  a net record per adopting AS, pocs for some, and the ix,
//              ixlan, ixpfx and netixlan records of the IXPs.
//
// The scenario (incidents and benign lookalikes) adds its own ROAs and
// route objects with AddRoa/AddRouteObject before the files are written.
// Deterministic: the same Internet and config give byte-identical files.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/asn.h"
#include "core/ip.h"
#include "core/status.h"
#include "sim/synthetic_topology.h"

namespace vigia::sim {

struct RegistrationConfig {
  uint64_t seed = 1;
  // Shares of ASes, indexed by Rir (AFRINIC, APNIC, ARIN, LACNIC, RIPE NCC).
  std::array<double, kRirCount> roa_share{0.35, 0.50, 0.45, 0.40, 0.70};
  std::array<double, kRirCount> irr_share{0.60, 0.75, 0.80, 0.65, 0.90};
  std::array<double, kRirCount> peeringdb_share{0.25, 0.35, 0.40, 0.35, 0.50};
  double aspa_share = 0.10;       // of RPKI adopters
  double poc_share = 0.70;        // of PeeringDB nets, those with contacts
  double stale_irr_share = 0.01;  // of IRR adopters' prefixes: former origin
  uint32_t date = 20261122;       // YYYYMMDD of the data
};

struct SimRoa {
  Prefix prefix;
  uint8_t max_length = 0;
  Asn asn = 0;
  Rir ta = Rir::kRipeNcc;  // written as "afrinic", "apnic", "arin", "lacnic", "ripe"
  friend bool operator==(const SimRoa&, const SimRoa&) = default;
};

struct SimAspa {
  Asn customer = 0;
  std::vector<Asn> providers;  // sorted
};

struct SimRouteObject {
  Prefix prefix;
  Asn origin = 0;
  std::string source;    // "RADB", "RIPE", "ARIN", "APNIC", "AFRINIC", "LACNIC"
  std::string mnt_by;    // e.g. "MAINT-AS64500"
  uint32_t changed = 0;  // YYYYMMDD, written as last-modified
};

// A registration that does not match today's routing, on purpose.
struct StaleRegistration {
  std::string kind;  // "irr_former_origin", ...
  Prefix prefix;
  Asn registered_origin = 0;
  Asn announced_origin = 0;
  std::string where;  // "RIPE", "rpki", ...
};

// The peering LAN prefixes of one IXP in PeeringDB (ixpfx): an IPv4 block
// in 185.1.0.0/16 (where the RIPE NCC assigns IXP LANs), 185.1.<k>.0/24 for
// the k-th IXP unless the IXP has more members than a /24 holds (then the
// /23../16 that fits) or the block is taken (then the next free one, on
// into the rest of 185.0.0.0/8), and an IPv6 2001:7f8:<k>::/64. Never
// overlapping another LAN, an allocation, an announcement or the RIRs'
// pools; empty only when that space runs out.
struct IxpLan {
  std::optional<Prefix> v4, v6;
};

struct Registrations {
  std::vector<SimRoa> roas;
  std::vector<SimAspa> aspas;
  std::vector<SimRouteObject> route_objects;
  std::vector<StaleRegistration> stale;
  // Per AS, in SyntheticInternet::ases order.
  std::vector<uint8_t> rpki_adopter, irr_adopter, in_peeringdb, has_poc;
  // Per IXP, in SyntheticInternet::ixps order.
  std::vector<IxpLan> ixp_lans;
  // RegistrationConfig::seed: the writers draw the details no decision
  // depends on (PeeringDB port speeds, contacts) from it.
  uint64_t seed = 0;

  void AddRoa(const SimRoa& roa) { roas.push_back(roa); }
  void AddRouteObject(SimRouteObject ro) { route_objects.push_back(std::move(ro)); }
};

Registrations GenerateRegistrations(const SyntheticInternet& net, const RegistrationConfig& config);

// The IRR database of an RIR as route objects name it in `source:`:
// "AFRINIC", "APNIC", "ARIN", "LACNIC", "RIPE".
std::string_view IrrSourceName(Rir r);
// The trust anchor of an RIR in rpki-client JSON: "afrinic", ..., "ripe".
std::string_view TrustAnchorName(Rir r);

// rpki/vrps.json in rpki-client JSON (roas and aspas), sorted; build time
// `generated` (seconds since the epoch).
Status WriteRoas(const Registrations& regs, const std::string& path, int64_t generated);
// One RPSL dump per source in dir (which must exist), e.g. "ripe.db.gz",
// "radb.db.gz": mntner, aut-num and route/route6 objects, sorted.
Status WriteRpslDumps(const SyntheticInternet& net, const Registrations& regs,
                      const std::string& dir);
// The PeeringDB dump as one JSON file with every table (the form
// peeringdb::PeeringDb reads as a single file).
Status WritePeeringDb(const SyntheticInternet& net, const Registrations& regs,
                      const std::string& path);

}  // namespace vigia::sim
