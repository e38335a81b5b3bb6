// Daily: the observatory kept current (SPEC C13, `vigia daily`). For each
// date of a range (default: yesterday, UTC; today is not over), unless the
// store already holds that date: Update into DATA/snapshots/YYYY-MM-DD
// (cache DATA/cache), then analyze it into the store. Then the pruning:
// the newest `keep` snapshot directories stay, older ones go, and so do
// the cache objects no kept snapshot's manifest lists. Run it twice and
// the second run does nothing: idempotent, so a systemd timer can run it
// every day and a backfill can be resumed (contrib/systemd/).
//
// The store and the analysis are hooks (DailyHooks), filled by the CLI with
// store/store.h and pipeline/analyze.h, so this library does not depend on
// them.
//
// Thread safety: Daily runs on the calling thread.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "acquire/update.h"
#include "core/status.h"

namespace vigia::acquire {

// A backfill longer than this is refused (ten years of days).
inline constexpr size_t kMaxDailyDates = 3660;

struct DailyOptions {
  std::string data;      // DATA: snapshots/ and cache/ under it
  std::string from, to;  // YYYY-MM-DD, inclusive; "" = yesterday (UTC)
  size_t keep = 0;       // snapshot directories kept; 0 = all
  bool force = false;    // update and analyze dates the store has
  UpdateOptions update;  // date, out and fetch.cache_dir are set per date
};

struct AnalyzedDay {
  int64_t snapshot = 0;  // its id in the store
  bool partial = false;
};

struct DailyHooks {
  // Whether the store already has a snapshot of this date.
  std::function<Result<bool>(const std::string& date)> stored;
  // Analyzes a snapshot directory into the store.
  std::function<Result<AnalyzedDay>(const std::string& snapshot_dir)> analyze;
};

struct DailyDay {
  std::string date;
  std::string action;  // "skipped" (stored already), "stored", "failed"
  std::string error;   // for "failed"
  int64_t snapshot = 0;
  bool partial = false;  // the snapshot (update) or the analysis said so
  double update_seconds = 0, analyze_seconds = 0;
  UpdateReport update;  // when updated
};

struct DailyReport {
  std::vector<DailyDay> days;
  std::vector<std::string> pruned_snapshots;  // directories removed
  size_t pruned_cache_files = 0;
  uint64_t pruned_cache_bytes = 0;
  bool ok() const;  // no day failed
};

// The dates from..to inclusive (each YYYY-MM-DD); "" for both = yesterday.
Result<std::vector<std::string>> DailyDates(const std::string& from, const std::string& to);

// Fails only on bad options; a day that fails is in the report, and the
// next days are still done.
Result<DailyReport> Daily(const DailyOptions& options, const DailyHooks& hooks, Progress* progress);

// The report as JSON (`vigia daily --json`).
std::string DailyJson(const DailyReport& r);

}  // namespace vigia::acquire
