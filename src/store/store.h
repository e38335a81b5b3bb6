// The observatory's store (SPEC C9): snapshots of incidents, metrics and
// scores, kept over time. An interface, so that a ClickHouse backend can
// follow the embedded SQLite one (sqlite_store.h).
//
// Every snapshot is written in one transaction: readers see all of it or
// none of it, and a process killed in the middle of a write leaves the
// earlier snapshots as they were. A published snapshot is never changed.
#pragma once

#include <cstdint>
#include <map>
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
  int64_t contests = 0;  // read only: how many times it was contested
  int64_t snapshot = 0;  // read only: its snapshot
  std::string date;      // read only: its snapshot's date
};

struct MetricRow {
  Asn asn = 0;
  std::string metric;  // "M1", "M1C", ..., "M7RPKI"
  std::optional<double> value;  // the score in percent; none = no data
  double raw = 0;
};

// An AS's score (members 1, the band counts 0), or an aggregate's: the
// mean over its members with data, and how many members fall in each band.
struct ScoreRow {
  std::string entity_kind;  // "as", "country", "region", "ixp", "group"
  std::string entity;
  std::string action;  // "action1" ... "action4", "overall"
  std::optional<double> score;
  std::string band;  // "ready", "aspiring", "lagging", ""
  int64_t members = 1;
  int64_t ready = 0, aspiring = 0, lagging = 0, no_data = 0;
};

// Who an entity is, in one snapshot: an AS (with its route tallies and fix
// list) or an aggregate (with its members).
struct EntityRow {
  std::string kind;  // "as", "country", "region", "ixp", "group"
  std::string id;    // "64496", "BR", "lacnic", PeeringDB ix id, "manrs"/"all"
  std::string name, country, region;
  bool manrs = false;
  int64_t size = 0;    // AS: routes originated; aggregate: members
  std::string detail;  // JSON
};

// One point of an entity's history: a snapshot's score, or a month's mean.
struct HistoryPoint {
  std::string date;  // YYYY-MM-DD, or YYYY-MM for monthly roll-ups
  int64_t snapshot = 0;  // 0 for monthly roll-ups
  std::string action;
  std::optional<double> score;
  int64_t snapshots = 1;  // averaged in a monthly roll-up
};

// A (prefix, origin) pair the collectors saw with no incident, and the
// dates it was first and last seen: the history hijack detection consults.
struct OriginRow {
  std::string prefix;
  Asn origin = 0;
  std::string first_date, last_date;
};

struct IncidentQuery {
  int64_t snapshot = 0;
  std::string type;  // "" = any
  std::optional<Asn> asn;  // culprit or propagator
  size_t limit = 1000;
  size_t offset = 0;
  std::string prefix;  // "" = any; else one of the incident's prefixes, as Prefix::ToString writes it
  std::optional<int64_t> id;  // one incident
  // A date range (YYYY-MM-DD, inclusive; "" = open): the incidents of every
  // snapshot dated in it, in snapshot order; then `snapshot` is not used.
  std::string from_date, to_date;
};

// An operator's contest of an incident (vigia serve's write API). The
// contests are an append-only audit log; the incident itself stays.
struct ContestRow {
  int64_t id = 0;  // assigned by the store
  int64_t snapshot = 0;
  int64_t incident = 0;
  std::string author, reason;
  std::string time;    // ISO 8601 UTC, set by the store
  std::string remote;  // the client's address
  // Read only, from the incident and its snapshot:
  std::string date, type;
  Asn culprit = 0;
  std::optional<Asn> propagator;
};

// Writes one snapshot; nothing is visible until Commit(). Destroying it
// without Commit() discards the snapshot.
class SnapshotWriter {
 public:
  virtual ~SnapshotWriter() = default;
  virtual Status AddIncident(const IncidentRow& row) = 0;
  virtual Status AddMetric(const MetricRow& row) = 0;
  virtual Status AddScore(const ScoreRow& row) = 0;
  virtual Status AddEntity(const EntityRow& row) = 0;
  // Records that (prefix, origin) was seen on this snapshot's date.
  virtual Status AddOrigin(const std::string& prefix, Asn origin) = 0;
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
  // Incidents per type in a snapshot.
  virtual Result<std::map<std::string, int64_t>> IncidentCounts(int64_t snapshot) = 0;
  virtual Result<std::vector<MetricRow>> Metrics(int64_t snapshot, Asn asn) = 0;
  virtual Result<std::vector<ScoreRow>> Scores(int64_t snapshot, const std::string& entity_kind,
                                               const std::string& entity) = 0;
  virtual Result<std::optional<EntityRow>> Entity(int64_t snapshot, const std::string& kind,
                                                  const std::string& id) = 0;
  // Every entity of a kind with its overall score, best first.
  virtual Result<std::vector<std::pair<EntityRow, ScoreRow>>> Ranking(int64_t snapshot, const std::string& kind,
                                                                      size_t limit, size_t offset) = 0;
  // An entity's scores across snapshots, oldest first; monthly: the mean
  // per calendar month of the daily snapshots.
  virtual Result<std::vector<HistoryPoint>> History(const std::string& kind, const std::string& id,
                                                    bool monthly) = 0;
  // Every (prefix, origin) with no incident seen on a date before `before_date`.
  virtual Result<std::vector<OriginRow>> KnownOrigins(const std::string& before_date) = 0;
  // Stores a contest of an existing incident; NotFound when there is none.
  virtual Result<ContestRow> AddContest(const ContestRow& c) = 0;
  // Contests of one incident (incident > 0), or of every incident of an AS
  // as culprit or propagator in any snapshot (asn given); newest first.
  virtual Result<std::vector<ContestRow>> Contests(int64_t snapshot, int64_t incident, std::optional<Asn> asn,
                                                   size_t limit) = 0;
  // Entities of the kinds "as", "country" and "ixp" whose id is `text`
  // (an ASN with or without "AS") or whose name holds it; exact ids first.
  virtual Result<std::vector<EntityRow>> Search(int64_t snapshot, const std::string& text, size_t limit) = 0;
};

}  // namespace vigia::store
