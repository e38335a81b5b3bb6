// A simulated Internet built from real parts (issue [3/5] item 2): a CAIDA
// as-rel graph (serial-1 or serial-2), optionally CAIDA as2org for
// organisations and countries, and a real prefix -> origin table
// (sim/prefix_origins.h). The result has the shape GenerateTopology gives,
// so routing, registrations, incidents and the written files work the same.
//
//   ASes       every AS of the graph, in ases() order tier 1 first, then
//              tier 2, tier 3 and stubs, each tier by ascending ASN; the
//              clique from the file's "# input clique:" header is tier 1 (a
//              file without the header has no tier 1); transit ASes are tier
//              2 (100 or more customers) or tier 3; the rest are stubs.
//              Unlike GenerateTopology's, a provider may come after its
//              customer, and the graph may hold provider cycles.
//   Regions    an AS's RIR is its as2org source when known (the AS line's,
//              else its organisation's; "RIPE" or "RIPE NCC" for the RIPE
//              NCC, and APNIC for the national registries under it, e.g.
//              JPNIC), else the RIR whose IANA block (IanaBlocks) holds the
//              first of its prefixes in one (IPv4 first, by address), else
//              RIPE NCC; its country the as2org organisation's, else "ZZ".
//   Orgs       the as2org organisations of the graph's ASes (id, name,
//              country, RIR from the source); an AS as2org does not know
//              has an organisation of its own, "REAL-<asn>" named "AS<asn>".
//   Prefixes   the table's prefixes whose origin is in the graph, each
//              (prefix, origin) once, sorted by prefix then origin; a prefix
//              with several origins (MOAS) is one announcement per origin.
//              Each prefix not covered by another of the same origin is an
//              allocation to that origin (sorted by prefix, then holder), of
//              the RIR whose IANA block holds it, else of the origin's RIR;
//              an announcement's allocation is the one of its origin that
//              covers it. Allocations of different origins may overlap (a
//              customer announcing its provider's space), and the pool of
//              unallocated space is empty. Without a table, the address
//              space is drawn as GenerateTopology draws it
//              (AddSyntheticAddressSpace, RealInputs::prefixes of them).
//   Dates      the data carry no delegation dates: every ASN and allocation
//              is dated kRealDelegationDate.
//   IXPs       from serial-2 "mlp" peerings where present: one IXP per
//              connected set of ASes joined by mlp links, in the members'
//              most common RIR and country; otherwise none.
//   Graph      rebuilt from the file's links with p2c links first, then p2p,
//              then the mlp peerings (from first_ixp_link on), each group in
//              file order; its dense indices are its own, not ases() order,
//              so look an AS up with graph.Index(asn). Link file and line
//              numbers are not kept.
//
// Building is single-threaded; the result is a value like GenerateTopology's.
#pragma once

#include <cstdint>
#include <string>

#include "core/status.h"
#include "sim/prefix_origins.h"
#include "sim/synthetic_topology.h"
#include "topology/as2org.h"
#include "topology/as_relationships.h"

namespace vigia::sim {

// YYYYMMDD given to every ASN and allocation of a real-based Internet.
inline constexpr uint32_t kRealDelegationDate = 20000101;

struct RealInputs {
  std::string asrel_path;      // required
  std::string as2org_path;     // optional
  std::string pfx2as_path;     // optional: without it, GenerateTopology's
                               // address space is drawn for the real graph
  uint32_t prefixes = 20'000;  // announced prefixes drawn without pfx2as_path
  uint32_t date = 20261122;
  uint64_t seed = 1;
};

// Fails when a file cannot be read (with the loader's Status), with
// kInvalidArgument when the as-rel file holds no link, and as
// AddSyntheticAddressSpace does when the address space is drawn; bad lines
// are skipped (counted in the loaders' problem logs, summarised in the
// returned Status message only on failure).
Result<SyntheticInternet> BuildRealInternet(const RealInputs& in);

}  // namespace vigia::sim
