// The observatory's store (SPEC C9): snapshots of incidents, metrics and
// scores, kept over time. An interface, so that a ClickHouse backend can
// follow the embedded SQLite one (sqlite_store.h).
//
// Every snapshot is written in one transaction: readers see all of it or
// none of it, and a process killed in the middle of a write leaves the
// earlier snapshots as they were. A published snapshot is never changed.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/asn.h"
#include "core/status.h"

namespace vigia::store {

struct SnapshotInfo {
  int64_t id = 0;            // assigned by the store
  std::string date;          // YYYY-MM-DD, the observation date
  int64_t window_start = 0;  // seconds since the epoch
  int64_t window_end = 0;
  std::string source;        // e.g. the snapshot directory's manifest SHA-256
  std::string created;       // ISO 8601 UTC, set by the store
};

struct IncidentRow {
  int64_t id = 0;  // within the snapshot
  std::string type;  // "hijack", "subprefix_hijack", "route_leak", ...
  std::string kind;  // finer: "exact", "rfc7908_type1", "invalid_length", ...
  Asn culprit = 0;
  std::optional<Asn> propagator;
  std::vector<std::string> prefixes;
  int64_t start = 0, end = 0;
  double confidence = 1;
  std::string evidence;  // JSON
};

struct MetricRow {
  Asn asn = 0;
  std::string metric;  // "M1", "M1C", ..., "M7RPKI"
  std::optional<double> value;  // the score in percent; none = no data
  double raw = 0;
};

struct ScoreRow {
  std::string entity_kind;  // "as", "country", "region", "ixp"
  std::string entity;
  std::string action;  // "action1" ... "action4", "overall"
  std::optional<double> score;
  std::string band;  // "ready", "aspiring", "lagging", ""
};

struct IncidentQuery {
  int64_t snapshot = 0;
  std::string type;  // "" = any
  std::optional<Asn> asn;  // culprit or propagator
  size_t limit = 1000;
  size_t offset = 0;
};

// Writes one snapshot; nothing is visible until Commit(). Destroying it
// without Commit() discards the snapshot.
class SnapshotWriter {
 public:
  virtual ~SnapshotWriter() = default;
  virtual Status AddIncident(const IncidentRow& row) = 0;
  virtual Status AddMetric(const MetricRow& row) = 0;
  virtual Status AddScore(const ScoreRow& row) = 0;
  virtual Result<SnapshotInfo> Commit() = 0;
};

class Store {
 public:
  virtual ~Store() = default;
  // "sqlite:PATH" or a plain path (SQLite).
  static Result<std::unique_ptr<Store>> Open(const std::string& url);

  virtual int schema_version() const = 0;
  virtual Result<std::unique_ptr<SnapshotWriter>> BeginSnapshot(const SnapshotInfo& info) = 0;
  // Newest first.
  virtual Result<std::vector<SnapshotInfo>> Snapshots() = 0;
  virtual Result<std::vector<IncidentRow>> Incidents(const IncidentQuery& q) = 0;
  virtual Result<std::vector<MetricRow>> Metrics(int64_t snapshot, Asn asn) = 0;
  virtual Result<std::vector<ScoreRow>> Scores(int64_t snapshot, const std::string& entity_kind,
                                               const std::string& entity) = 0;
};

}  // namespace vigia::store
