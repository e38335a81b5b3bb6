// One snapshot directory in memory (SPEC §1, snapshot/layout.h): the routes
// the collectors saw and the reference data of the same window, as the
// detectors and the scoring read them, and what of it was missing.
//
// LoadSnapshot fills it from a directory: the MRT files on threads of
// their own (mrt_threads decoding, ObservedRoutes::AddFiles), the reference data (RPKI, IRR,
// registry, topology) and the manifest check (sizes and SHA-256, snapshot/manifest.h) meanwhile. An
// input the manifest lists that is absent or differs, or a file of rpki/ or
// irr/ that cannot be read, or a VRP file with unreadable records, makes the
// snapshot partial: `missing` says what, `damaged` which parts, and the
// scores that part feeds say "no data" rather than a better score.
//
// Thread safety: filled by LoadSnapshot (which uses threads inside), then
// only read; any number of readers.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/asn.h"
#include "core/ip.h"
#include "core/status.h"
#include "irr/irr_index.h"
#include "observe/observed_routes.h"
#include "registry/registry.h"
#include "rpki/vrp.h"
#include "snapshot/layout.h"
#include "topology/as2org.h"
#include "topology/as_relationships.h"

namespace vigia::snapshot {

// Everything a snapshot directory holds that the detectors read. A part
// whose files are absent stays empty, and `skipped` says so.
struct Snapshot {
  std::string dir;
  uint32_t window_start = 0, window_end = 0;
  observe::ObservedRoutes routes;
  rpki::VrpSet vrps;
  irr::IrrDatabase irr;
  registry::Registry registry;
  bool have_registry = false;
  topology::AsRelationships relations;
  topology::As2Org orgs;
  // Origins each prefix had, with no incident, in earlier snapshots of the
  // store (filled by the caller; empty without a history).
  std::unordered_map<Prefix, std::vector<Asn>, PrefixHash> history;
  std::vector<std::string> skipped;               // what was left out and why
  double mrt_seconds = 0, reference_seconds = 0;  // LoadSnapshot's two threads
  // Set before LoadSnapshot: threads decoding MRT files (0: one per core;
  // the routes are the same with any number).
  unsigned mrt_threads = 0;
  // Set before LoadSnapshot: list the MRT files (their damage is reported)
  // but read no route (`vigia analyze --merge`: the routes come from the
  // partitions' partial files).
  bool skip_routes = false;
  std::vector<std::string> problems;  // bad lines and records, file:where
  // Inputs missing or damaged ("rpki/: absent", "irr/a.db: sha256 differs
  // from the manifest"); non-empty makes the snapshot partial.
  std::vector<std::string> missing;
  std::array<bool, kPartCount> damaged{};  // by Part
  // Where the inputs came from and how old they are (provenance.h), as
  // JSON; for store.h SnapshotInfo::provenance.
  std::string provenance;

  bool partial() const { return !missing.empty(); }
  bool Damaged(Part p) const { return damaged[static_cast<size_t>(p)]; }
  void MarkDamaged(Part p, std::string what) {
    damaged[static_cast<size_t>(p)] = true;
    missing.push_back(std::move(what));
  }
};

// Reads SNAP (layout.h). Fails only when no MRT file can be read; every
// other fault is in skipped, problems or missing. Never throws.
Status LoadSnapshot(const std::string& dir, Snapshot* out);

// The MRT files of the snapshot in DIR into *routes, as LoadSnapshot reads
// them (same files, same order), not finished: a later read of the routes
// with a filter (observe::ObservedRoutes::SetFilter), one prefix partition
// at a time. Damaged files were reported by LoadSnapshot.
Status LoadRoutes(const std::string& dir, observe::ObservedRoutes* routes, unsigned threads);

}  // namespace vigia::snapshot
