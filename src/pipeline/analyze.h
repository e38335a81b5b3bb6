// The observatory's main run as a library (issue [1/7] item 3): a snapshot
// in, one stored snapshot out. Load (snapshot/), the history of earlier
// snapshots from the store (for hijack detection), detect, score, write, in
// one call, with the time of each step. `vigia analyze` and `vigia demo`
// call it; a scheduler or a live collector will call it the same way,
// AnalyzeLoaded() taking a snapshot already in memory.
//
// Errors: kNotFound/kIoError when no MRT file can be read or the store
// fails; everything else (a missing input, a bad record) is reported in the
// result and, when it leaves the data incomplete, stored as a partial
// snapshot (store.h SnapshotInfo::partial). Never throws.
//
// Accepted contests (docs/contests.md): an incident that matches one
// accepted contest of a snapshot of the same date (same type, kind, culprit
// and prefixes) is still detected and stored, its evidence carrying
// "excluded_by_contest": ID, but left out of the scores.
//
// Thread safety: one call per Store at a time (store.h); Analyze uses
// threads inside (loading, validation).
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "score/manrs.h"
#include "snapshot/extras.h"
#include "snapshot/snapshot.h"
#include "store/store.h"

namespace vigia::pipeline {

struct AnalyzeOptions {
  score::ScoreOptions score;
  // Bounded memory (issue [6/7]; docs/performance.md "Analyze memory"):
  // with memory > 0 the routes are read one prefix partition at a time,
  // as many partitions as the estimate needs to fit in `memory` bytes
  // with what the rest of the analysis holds (partition_plan.h); with
  // partitions > 0 exactly that many (tests, and machines that know). The
  // stored snapshot is the same, byte for byte, as without; the MRT files
  // are read once to count and once per partition. kInvalidArgument, and
  // nothing stored, when one bucket (an IPv4 /8 or IPv6 /16) cannot fit.
  uint64_t memory = 0;
  uint32_t partitions = 0;
  std::string memory_setting;  // as the user wrote it, for messages ("8G")
  // Analysis across machines (docs/scale.md): AnalyzePartition() reads
  // partition partition_index of partition_count (1-based; every process
  // counts the same files and makes the same plan) and writes its partial
  // file into `partials`; Analyze() with merge finishes the snapshot from
  // the partial files there, the same bytes as one Analyze().
  uint32_t partition_index = 0, partition_count = 0;
  bool merge = false;
  std::string partials;
  // Called at each step ("loading the snapshot", "detecting", ...).
  std::function<void(std::string_view step)> progress;
  // clickhouse://HOST:PORT/DB[?cluster=NAME]: the day's observed routes are
  // archived there too (archive/route_archive.h); "" = not archived.
  std::string archive;
};

struct AnalyzeResult {
  store::SnapshotInfo stored;  // as committed: id, date, partial, missing
  uint32_t window_start = 0, window_end = 0;
  uint64_t rib_entries = 0, announcements = 0, withdrawals = 0;
  size_t prefixes = 0;
  size_t incidents = 0;
  size_t excluded = 0;  // incidents left out of the scores by accepted contests
  std::map<std::string, size_t> incidents_per_type;
  size_t ases = 0, aggregates = 0;
  std::optional<score::Aggregate> all;  // the "group all" aggregate, when any AS was scored
  std::vector<std::string> notes;       // what had no data and why
  std::vector<std::string> skipped;     // inputs left out (absent)
  std::vector<std::string> problems;    // bad lines and records, file:where
  // The partitioned read (AnalyzeOptions::memory): per partition its
  // buckets, estimate, routes and the peak resident memory measured while
  // it was analysed; empty when the routes were read whole.
  struct Partition {
    std::string first, last;  // first and last bucket ("0.0.0.0/8", "2a0f::/16")
    uint64_t rib = 0, updates = 0, estimate = 0, peak_rss = 0;
    size_t prefixes = 0;
    double seconds = 0;
  };
  std::vector<Partition> partitions;
  uint64_t memory_budget = 0, peak_rss = 0;  // bytes; peak over the whole run
  struct Seconds {
    double load = 0, load_mrt = 0, load_reference = 0, detect = 0, score = 0, store = 0, total = 0;
  } seconds;
};

// Loads SNAP (snapshot/layout.h) and analyses it into the store.
Result<AnalyzeResult> Analyze(const std::string& snapshot_dir, store::Store& store,
                              const AnalyzeOptions& options);

// One partition of SNAP (AnalyzeOptions::partition_index/count) into a
// partial file in AnalyzeOptions::partials: its path. Reads the store only
// (the history of earlier snapshots). kInvalidArgument on a bad I/N.
Result<std::string> AnalyzePartition(const std::string& snapshot_dir, store::Store& store,
                                     const AnalyzeOptions& options);

// The same over a snapshot already in memory; `source` is stored with it
// (e.g. "manifest sha256:...").
Result<AnalyzeResult> AnalyzeLoaded(snapshot::Snapshot& s, const snapshot::Extras& extras,
                                    const std::string& source, store::Store& store,
                                    const AnalyzeOptions& options);

// Re-runs the analysis of a date after a contest's acceptance: the newest
// snapshot of `date` that was analysed from a directory (SnapshotInfo::dir)
// is analysed again into a new snapshot of the same date, which then wins
// SnapshotFor(date); the earlier snapshots stay as they were. kNotFound
// when no snapshot of the date has a directory (analysed from memory, or
// stored before directories were recorded); the analysis' own errors
// otherwise (the directory may have been removed since).
Result<AnalyzeResult> Reanalyze(const std::string& date, store::Store& store,
                                const AnalyzeOptions& options);

}  // namespace vigia::pipeline
