// Source: one public archive that `vigia update` reads (RIPE RIS, RouteViews,
// an RPKI archive, an IRR database, RIR statistics, CAIDA, PeeringDB, ...),
// as a plug-in: given a date, it plans which URLs make that day's data and
// where each goes in the snapshot (snapshot/layout.h). It does no transfer
// of its own beyond small texts (directory listings, checksum lists) through
// PlanContext::fetch_text; the Fetcher (fetcher.h) downloads the plan.
//
// A new source is one file in sources/ and one line in sources/sources.cc's
// table; docs/sources.md documents every source's URL template, cadence,
// licence and where its layout is described.
//
// Every base URL is configurable: --mirror NAME=URL replaces `default_base`,
// and the plan builds every URL from `PlanContext::base` alone, so a local
// mirror with the archive's layout serves the same paths.
//
// Thread safety: SourceInfo values are immutable; plan functions are pure
// except for fetch_text.
#pragma once

#include <cstdint>
#include <ctime>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "snapshot/layout.h"

namespace vigia::acquire {

struct PlanContext {
  std::string date;                              // "2024-05-23" (UTC)
  uint32_t yyyymmdd = 0;                         // 20240523
  std::time_t window_start = 0, window_end = 0;  // UTC seconds, [start, end)
  bool today = false;             // date is today's UTC date: "latest" URLs are allowed
  std::string base;               // the source's base URL, no trailing '/'
  std::vector<std::string> only;  // items chosen for this source (--collectors); empty = all
  std::vector<std::string>
      local_files;  // files given on the command line (SLURM, a MANRS CSV, ...)
  // A small text (a listing, a checksum list) through the fetcher's cache.
  std::function<Result<std::string>(const std::string& url)> fetch_text;
};

struct PlannedFile {
  std::string url;
  std::string dest;  // relative path in the snapshot: "mrt/rrc00.bview.20240523.0000.gz"
  std::string item;  // what it is within the source ("rrc00", "arin"): messages, partial status
  std::optional<uint64_t> size;  // published size, if any
  std::string md5, sha256;       // published digests, lower-case hex; "" = none
  std::string source_date;       // the data's own time, ISO 8601 UTC; "" = the fetch time
  bool required = false;  // a failed required file makes the source absent, an optional one partial
  double max_age_seconds = 0;  // for "latest" URLs (fetcher.h)
};

struct SourcePlan {
  std::vector<PlannedFile> files;
  // Local files copied into the snapshot as they are: (path, dest).
  std::vector<std::pair<std::string, std::string>> local;
  std::vector<std::string> notes;  // recorded in the manifest ("IRR dumps are not archived: ...")
  std::vector<std::string>
      problems;  // items that could not be planned ("rrc02: not in the listing")
  // Non-empty: the source has nothing to fetch for this date, and why ("no
  // public export"; "no dump on or before 2004-01-01"). The snapshot records
  // the source as absent with this reason.
  std::string unavailable;
};

struct SourceInfo {
  std::string name;  // "ris": --sources, --mirror NAME=URL, the manifest
  snapshot::Part part;
  std::string default_base;  // "https://data.ris.ripe.net"
  std::string what;          // one line for --help and docs
  bool default_on = true;    // in the set fetched when --sources is not given
  Result<SourcePlan> (*plan)(const PlanContext&) = nullptr;
};

// Every source, in sources/sources.cc's table order (the order of --help and
// of the manifest).
const std::vector<SourceInfo>& Sources();
const SourceInfo* FindSource(std::string_view name);

}  // namespace vigia::acquire
