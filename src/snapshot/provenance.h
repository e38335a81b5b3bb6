// A snapshot's provenance (docs/methodology.md, "Provenance"): whether its
// data is simulated or real, and for each input (mrt, rpki, irr, registry,
// topology, peeringdb, extra) where it came from, the data's own date and
// its age on the observation date; how far apart the inputs' dates lie
// (spread_days), and a warning when that is over kMaxSpreadDays.
//
// Built from the manifest alone (manifest.h): the per-file "source" and
// "source_date" `vigia update` writes, or the "source" and "date"
// scripts/real-snapshot.sh writes; "simulated" at the top level, which
// `vigia simulate` sets. A date given as YYYY-MM counts as the first of the
// month. A file with no date leaves its input's date unknown (null) unless
// another file of the input has one.
//
// Thread safety: functions over values.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "snapshot/manifest.h"

namespace vigia::snapshot {

// Inputs further apart than this are flagged: a month is what separates a
// routing table from the ROAs or route objects that judge it before the
// difference shows in the scores (docs/methodology.md).
inline constexpr int64_t kMaxSpreadDays = 30;

// The provenance as a compact JSON object:
//   {"simulated": bool, "observed": "YYYY-MM-DD",
//    "inputs": [{"input", "source", "date": "YYYY-MM-DD"|null,
//                "age_days": int|null, "files": int}],
//    "spread_days": int|null, "warnings": ["..."],
//    "warning_keys": [{"key", "args"}]}
// `observed` is the snapshot's date (YYYY-MM-DD). `manifest` null: the
// snapshot has no manifest, so nothing is known of its inputs (a warning
// says so).
std::string ProvenanceJson(const Manifest* manifest, const std::string& observed);

// "2022-09-25", "2022-09-25T00:00:00Z" -> "2022-09-25"; "2016-04" ->
// "2016-04-01"; anything else -> none.
std::optional<std::string> NormaliseDate(const std::string& text);

}  // namespace vigia::snapshot
