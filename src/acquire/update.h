// Update: one date's snapshot directory from the public archives (SPEC C13,
// `vigia update`). Plans every chosen source (source.h), downloads the plan
// through the Fetcher (fetcher.h), places each file in OUT.partial/ with the
// layout of snapshot/layout.h, writes manifest.json (each file's URL, size,
// SHA-256, fetch time and the source's own date; each source's status) and
// renames OUT.partial to OUT when done.
//
// A source that fails after retries does not stop the others: the snapshot
// is written without it and the manifest's "sources" entry says why
// (status "absent" or "partial"); the loader then marks that part damaged,
// so the metrics that need it say "no data" (snapshot/snapshot.h).
//
// Rerunning after a kill resumes: finished downloads are in the cache,
// partial ones resume with a Range request, OUT.partial is rebuilt.
//
// Thread safety: Update runs on the calling thread (libcurl's multi
// interface does the parallel transfers).
#pragma once

#include <cstdint>
#include <ctime>
#include <map>
#include <string>
#include <vector>

#include "acquire/fetcher.h"
#include "core/status.h"

namespace vigia::acquire {

struct UpdateOptions {
  std::string date;                                      // YYYY-MM-DD
  std::string out;                                       // the snapshot directory to write
  std::vector<std::string> sources;                      // empty = every default_on source
  std::map<std::string, std::string> mirrors;            // NAME -> base URL
  std::map<std::string, std::vector<std::string>> only;  // NAME -> items (--collectors)
  std::vector<std::string> slurm;                        // local SLURM files (RFC 8416) for rpki/
  // NAME -> local files the source copies in (--local manrs=participants.csv):
  // for sources without a public export, or data an operator holds.
  std::map<std::string, std::vector<std::string>> local;
  uint32_t window_start_minute = 0;  // of the day, UTC: [start, end)
  uint32_t window_end_minute = 24 * 60;
  FetchOptions fetch;  // cache_dir, jobs, per_host, retries, timeouts
};

struct SourceOutcome {
  std::string name;
  std::string part;    // "mrt"
  std::string status;  // "complete", "partial", "absent"
  std::string reason;  // for partial and absent: what failed, e.g. "rrc02: HTTP 404"
  size_t files = 0, failed = 0;
  uint64_t bytes = 0;
  std::vector<std::string> notes;
};

// One planned file, as it went (for --json and the tests' fault matrix).
struct FileOutcome {
  std::string source, item, url, dest;
  bool ok = false, required = false, from_cache = false, resumed = false;
  int attempts = 0;
  long http_status = 0;
  uint64_t size = 0;
  std::string sha256, error;
  std::vector<std::string> events;  // FetchResult::events
};

struct UpdateReport {
  std::string out;
  std::string date;
  std::vector<SourceOutcome> sources;
  std::vector<FileOutcome> file_outcomes;  // every planned file, in plan order
  size_t files = 0, from_cache = 0;
  uint64_t bytes = 0;
  double seconds = 0;
  bool complete() const;  // every source complete
};

// Fails (and leaves no OUT) only on bad options or when OUT cannot be
// written; a source's failure is in the report.
Result<UpdateReport> Update(const UpdateOptions& options, Progress* progress);

// The report as JSON (`vigia update --json`, `vigia daily --json`).
std::string ReportJson(const UpdateReport& r);

// "2024-05-23" -> its 00:00 UTC; an error names what is wrong.
Result<std::time_t> ParseDate(const std::string& date);
// "HH:MM-HH:MM" (end "24:00" allowed, end > start) -> minutes of the day.
Status ParseWindow(const std::string& text, uint32_t* start_minute, uint32_t* end_minute);
// The names of the sources --sources would choose: LIST "a,b" or, empty, the
// default ones; unknown names are an error.
Result<std::vector<std::string>> ChooseSources(const std::vector<std::string>& names);

}  // namespace vigia::acquire
