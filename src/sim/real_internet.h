// A simulated Internet built from real parts (issue [3/5] item 2): a CAIDA
// as-rel graph (serial-1 or serial-2), optionally CAIDA as2org for
// organisations and countries, and a real prefix -> origin table
// (sim/prefix_origins.h). The result has the shape GenerateTopology gives,
// so routing, registrations, incidents and the written files work the same.
//
//   ASes       every AS of the graph; the clique from the file's
//              "# input clique:" header is tier 1; transit ASes are tier 2
//              (100 or more customers) or tier 3; the rest are stubs.
//   Regions    an AS's RIR is its as2org source when known, else the RIR
//              whose IANA block holds its first prefix, else RIPE NCC;
//              its country the as2org organisation's, else "ZZ".
//   Prefixes   the table's prefixes whose origin is in the graph; each
//              prefix not covered by another of the same origin is an
//              allocation to that origin, of the RIR whose IANA block holds
//              it.
//   IXPs       from serial-2 "mlp" peerings where present; otherwise none.
#pragma once

#include <string>

#include "core/status.h"
#include "sim/prefix_origins.h"
#include "sim/synthetic_topology.h"
#include "topology/as2org.h"
#include "topology/as_relationships.h"

namespace vigia::sim {

struct RealInputs {
  std::string asrel_path;   // required
  std::string as2org_path;  // optional
  std::string pfx2as_path;  // optional: without it, GenerateTopology's
                            // address space is drawn for the real graph
  uint32_t date = 20261122;
  uint64_t seed = 1;
};

// Fails when a file cannot be read; bad lines are skipped (counted in the
// loaders' problem logs, summarised in the returned Status message only on
// failure).
Result<SyntheticInternet> BuildRealInternet(const RealInputs& in);

}  // namespace vigia::sim
