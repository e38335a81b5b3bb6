// Rows shared by the store tests (store_conformance_test.cc and
// sqlite_store_test.cc): a snapshot header for a date, an incident and a
// contest with fixed, recognisable fields. Test-only; no state, so thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "store/store.h"

namespace vigia::store::test_rows {

// A snapshot for `date` with a fixed two-day window and source.
inline SnapshotInfo Info(const std::string& date) {
  SnapshotInfo i;
  i.date = date;
  i.window_start = 1795305600;
  i.window_end = 1795478400;
  i.source = "sha256:test";
  return i;
}

// An incident numbered `id` (its times derive from it) with two prefixes.
inline IncidentRow Incident(int64_t id, const std::string& type, Asn culprit,
                            std::optional<Asn> prop) {
  IncidentRow r;
  r.id = id;
  r.type = type;
  r.culprit = culprit;
  r.propagator = prop;
  r.prefixes = {"192.0.2.0/24", "2001:db8::/32"};
  r.start = 1795306000 + id;
  r.end = 1795309000 + id;
  r.confidence = 0.75;
  r.evidence = R"({"paths":["64500 64501"]})";
  return r;
}

// A contest of incident `incident` in snapshot `snapshot`, by a fixed author
// with a fixed reason.
inline ContestRow Contest(int64_t snapshot, int64_t incident) {
  ContestRow c;
  c.snapshot = snapshot;
  c.incident = incident;
  c.author = "noc@example.net";
  c.reason = "customer route";
  return c;
}

}  // namespace vigia::store::test_rows
