// `vigia simulate`: a whole snapshot directory (SPEC §1, the layout and
// file names of snapshot/layout.h) of a simulated Internet, with the ground
// truth of what was injected into it.
//
//   SNAP/manifest.json      date, window, generator and options, sha256 and
//                           size of every file
//   SNAP/truth.json         incidents, benign lookalikes, stale registrations
//   SNAP/mrt/               per collector: a TABLE_DUMP_V2 RIB at the window
//                           start (<name>.bview.YYYYMMDD.0000.gz) and one
//                           BGP4MP_ET update file per day
//                           (<name>.updates.YYYYMMDD.gz)
//   SNAP/rpki/vrps.json     ROAs and ASPAs, rpki-client JSON
//   SNAP/irr/*.db.gz        one RPSL dump per IRR source
//   SNAP/registry/          delegated-extended statistics per RIR
//   SNAP/topology/          CAIDA serial-2 as-rel and as2org
//   SNAP/peeringdb/         the PeeringDB dump, every table in one file
//   SNAP/extra/             the MANRS participant list (manrs_isps.csv) and
//                           CAIDA Spoofer sessions (spoofer-sessions.csv)
//
// The directory is written as SNAP.partial and renamed when complete, so a
// reader never sees half a snapshot. The same options give byte-identical
// files.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace vigia::sim {

struct SimulateOptions {
  std::string out;
  uint32_t ases = 2000;
  uint32_t prefixes = 20'000;
  uint32_t peers = 20;      // collector peer ASes
  uint32_t collectors = 2;  // the peers are spread over them
  uint32_t days = 2;        // the observation window
  uint64_t seed = 1;
  std::string incidents;     // IncidentPlan spec; "" = DefaultPlan
  std::string asrel;         // real AS graph (CAIDA as-rel, serial-1 or -2)
  std::string as2org;        // with asrel: CAIDA as2org
  std::string pfx2as;        // with asrel: real prefix -> origin table
  uint32_t date = 20261122;  // YYYYMMDD: the window starts at 00:00 UTC
  unsigned threads = 0;      // 0: one per core; also writes collectors in parallel
  bool force = false;        // replace an existing SNAP
  // Issue [6/7] item 2, full Internet size. Every default leaves the output
  // of earlier versions byte for byte.
  double ipv6_share = 0.2;  // of the synthetic prefixes (RIS today: ~0.18-0.2)
  // Background churn (sim/churn.h): prefix updates per day over all
  // collectors; 0: only the scenario's events.
  uint64_t churn = 0;
  // "sim": sim00, sim01, ...; "real": RIS and RouteViews names (rrc00,
  // route-views2, rrc01, route-views3, ...).
  std::string collector_names = "sim";
  int gzip_level = 6;  // MRT files; 1 is about 3x faster to write
  // Called at each step with its name; for progress output.
  std::function<void(std::string_view step)> progress;
};

struct SimulateReport {
  struct Step {
    std::string name;
    double seconds = 0;
  };
  std::vector<Step> steps;
  size_t ases = 0, links = 0, prefixes = 0, peers = 0, collectors = 0;
  uint64_t rib_entries = 0, update_messages = 0;
  uint64_t churn_prefix_updates = 0;  // background churn, all days
  size_t roas = 0, aspas = 0, route_objects = 0;
  size_t incidents = 0, benign = 0, events = 0;
  std::string shortfall;           // events planned but not placed
  std::vector<std::string> files;  // relative paths, sorted
};

Result<SimulateReport> Simulate(const SimulateOptions& options);

}  // namespace vigia::sim
