// The observatory's store (SPEC C9): snapshots of incidents, metrics and
// scores, kept over time. An interface with one implementation per backend,
// chosen by URL scheme (store/backends.cc: "sqlite:PATH" or a plain path
// today; "clickhouse://..." later). Every backend runs the same conformance
// suite (store/store_conformance_test.cc).
//
// Guarantees every backend gives (LevelDB's include/leveldb/db.h is the
// model for this header):
//   Atomic snapshots  a snapshot is written through one SnapshotWriter and
//                     becomes visible at Commit(), all of it or none of it;
//                     a process killed in the middle of a write leaves the
//                     earlier snapshots as they were.
//   Immutable         a committed snapshot is never changed (contests are
//                     an append-only log beside it).
//   Errors            no method throws. Each returns a Status / Result<T>:
//                     kIoError when the backend itself fails (its message
//                     names the store and the operation), kInvalidArgument
//                     for a caller error (a bad URL, a second Commit), and
//                     kNotFound only where a method says so. A query that
//                     matches nothing is OK and empty, not NotFound.
//   Caps              list queries clamp `limit` to 100,000 rows (Search:
//                     1,000).
//
// Thread safety: a Store object is NOT safe for concurrent use; give each
// thread its own Store (Store::Open; vigia serve keeps a pool of them, one
// per request in flight) or serialise calls with a mutex. A SnapshotWriter belongs to the Store
// that made it: at most one is open per Store, and the Store must not be used for anything else
// until the writer is committed or destroyed. Several processes may open
// the same store; writers are serialised by the backend.
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
  std::string source;   // e.g. the snapshot directory's manifest SHA-256
  std::string created;  // ISO 8601 UTC, set by the store
  // A snapshot analysed with an input missing or damaged (absent, a size or
  // SHA-256 that differs from the manifest, a file with unreadable records):
  // its scores are a lower bound of what the data would show, and the
  // metrics that input feeds say "no data". `missing` names each such input
  // ("rpki/: absent", "irr/x.db.gz: sha256 differs from the manifest").
  bool partial = false;
  std::vector<std::string> missing;
  // The snapshot directory the analysis read ("" when analysed from memory):
  // an accepted contest re-runs the analysis of it (docs/contests.md).
  std::string dir;
  // Where every input came from and how old it was (docs/methodology.md,
  // "Provenance"): a JSON object {"simulated", "observed", "inputs":
  // [{"input", "source", "date", "age_days"}], "spread_days", "warnings"}
  // as snapshot/provenance.h builds it; "" when the snapshot was stored
  // before provenance was kept.
  std::string provenance;
};

struct IncidentRow {
  int64_t id = 0;    // within the snapshot
  std::string type;  // "hijack", "subprefix_hijack", "route_leak", ...
  std::string kind;  // finer: "exact", "rfc7908_type1", "invalid_length", ...
  Asn culprit = 0;
  std::optional<Asn> propagator;
  std::vector<std::string> prefixes;
  int64_t start = 0, end = 0;
  double confidence = 1;
  std::string evidence;  // JSON
  // What makes it one fault beyond type, prefixes and culprit
  // (detect::Incident::cause); "" in stores written before it was kept.
  std::string cause;
  // The prefix's legitimate origins a hijack hurts (detect::Incident::victims),
  // ascending; empty for other types and in stores written before.
  std::vector<Asn> victims;
  int64_t contests = 0;  // read only: how many times it was contested
  int64_t snapshot = 0;  // read only: its snapshot
  std::string date;      // read only: its snapshot's date
  // Read only, its contests' state (docs/contests.md): "accepted" when a
  // contest of it was accepted or an accepted contest left it out of this
  // snapshot's scores, else "contested" while one awaits review, else
  // "rejected", else "none".
  std::string status = "none";
};

struct MetricRow {
  Asn asn = 0;
  std::string metric;           // "M1", "M1C", ..., "M7RPKI"
  std::optional<double> value;  // the score in percent; none = no data
  double raw = 0;
};

// An AS's score (members 1, the band counts 0), or an aggregate's: the
// mean over its members with data, and how many members fall in each band.
// A score is an interval (docs/methodology.md, "Coverage"): `score` the
// lower bound (parts with no data count 0), `score_max` the upper (they
// count 100); `measured` of `of` parts had data (an AS: metrics of Action
// 4, actions of the overall; an aggregate: members). Members in no band
// of the four counted here are "incomplete": members - the four.
struct ScoreRow {
  std::string entity_kind;  // "as", "country", "region", "ixp", "group"
  std::string entity;
  std::string action;  // "action1" ... "action4", "overall"
  std::optional<double> score;
  std::string band;  // "ready", "aspiring", "lagging", "incomplete", "low_coverage", ""
  int64_t members = 1;
  int64_t ready = 0, aspiring = 0, lagging = 0, no_data = 0;
  // Stores written before intervals: score_max = score, measured = of = 0.
  std::optional<double> score_max;
  int64_t measured = 0, of = 0;
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
  std::string date;      // YYYY-MM-DD, or YYYY-MM for monthly roll-ups
  int64_t snapshot = 0;  // 0 for monthly roll-ups
  std::string action;
  std::optional<double> score;
  int64_t snapshots = 1;            // averaged in a monthly roll-up
  std::optional<double> score_max;  // the upper bound (ScoreRow)
};

// A (prefix, origin) pair the collectors saw with no incident, and the
// dates it was first and last seen: the history hijack detection consults.
struct OriginRow {
  std::string prefix;
  Asn origin = 0;
  std::string first_date, last_date;
};

// How IncidentQuery::prefix matches an incident's prefixes.
enum class PrefixMatch {
  kExact,  // one of them is the prefix
  kMore,   // one of them is the prefix or a more specific of it (inside it)
  kLess,   // one of them is the prefix or a less specific of it (covers it)
};

struct IncidentQuery {
  int64_t snapshot = 0;
  std::string type;        // "" = any
  std::optional<Asn> asn;  // culprit or propagator
  size_t limit = 1000;
  size_t offset = 0;
  std::string
      prefix;  // "" = any; else one of the incident's prefixes, as Prefix::ToString writes it
  std::optional<int64_t> id;  // one incident
  // A date range (YYYY-MM-DD, inclusive; "" = open): the incidents of every
  // snapshot dated in it, in snapshot order; then `snapshot` is not used.
  std::string from_date, to_date;
  // (Fields below were added after callers began to list the ones above in
  // order; keep new ones at the end.)
  PrefixMatch match = PrefixMatch::kExact;  // how `prefix` matches
  std::optional<Asn> victim;                // one of IncidentRow::victims
  // An incident is in a country (ISO code) or a region (an RIR service
  // region id: "lacnic", ...) when its culprit or a victim is an AS of it
  // in that snapshot's entities. An AS is in a region by its country's
  // region (the "country" entity's), or by its own when it has no country
  // (method decision 5). "" = any.
  std::string country, region;
  // Newest first (snapshot date, then start time, descending) instead of
  // snapshot then id order.
  bool newest_first = false;
};

// Reference data of a snapshot that /api/route answers from (issue 15): a
// VRP or an IRR route object of the snapshot's inputs that covers a prefix
// the collectors saw (pipeline/write_reference.cc says which, and the cap).
struct RouteRefRow {
  std::string kind;        // "vrp" or "route"
  std::string prefix;      // as Prefix::ToString writes it
  int64_t max_length = 0;  // vrp: the ROA's maxLength; route: 0
  Asn asn = 0;             // vrp: the ROA's AS; route: the object's origin
  std::string source;      // vrp: the trust anchor ("" unknown); route: the IRR source
};

// One route (prefix, origin) as the collectors saw it in a snapshot's
// window: how many peers, which collectors, one example path, first and
// last seen (/api/route's "seen", /api/search's origins).
struct RouteSeenRow {
  std::string prefix;
  Asn origin = 0;
  int64_t peers = 0;
  std::vector<std::string> collectors;
  std::string path;             // one AS path, "A B C"
  int64_t first = 0, last = 0;  // seconds since the epoch
};

// What a snapshot's reference data held when it was analysed: how many VRPs
// and route objects were loaded in all (0: that input had no data), how many
// rows were kept, and whether the cap cut them short.
struct RouteRefTotals {
  int64_t vrps = 0, route_objects = 0;
  int64_t kept = 0;
  bool truncated = false;
};

// A reviewer's decision on a contest: a row of its own, append-only (the
// contest row itself never changes). At most one per contest.
struct ReviewRow {
  int64_t id = 0;  // assigned by the store
  int64_t contest = 0;
  std::string decision;  // "accepted" or "rejected"
  std::string reviewer;  // the reviewer token's name, or "cli"
  std::string reason;
  std::string time;  // ISO 8601 UTC, set by the store
  std::string remote;
};

// An operator's contest of an incident (vigia serve's write API). The
// contests are an append-only audit log; the incident itself stays. A
// contest is "submitted" until a reviewer accepts or rejects it; an
// accepted contest removes the incident from the scores of the next
// analysis of that date (pipeline/analyze.h, docs/contests.md).
struct ContestRow {
  int64_t id = 0;  // assigned by the store
  int64_t snapshot = 0;
  int64_t incident = 0;
  std::string author, reason;  // author: the operator token's name
  std::string time;            // ISO 8601 UTC, set by the store
  std::string remote;          // the client's address
  // Read only, from the incident and its snapshot:
  std::string date, type;
  Asn culprit = 0;
  std::optional<Asn> propagator;
  std::string kind;
  std::vector<std::string> prefixes;
  // Read only, from its review: "submitted", "accepted" or "rejected".
  std::string state = "submitted";
  std::optional<ReviewRow> review;
};

struct ContestQuery {
  std::optional<int64_t> id;  // one contest
  std::string state;          // "" = any; "submitted", "accepted", "rejected"
  std::vector<Asn> asns;      // the incident's culprit or propagator is one; empty = any
  std::string date;           // "" = any; else contests of snapshots of that date
  size_t limit = 100;
  size_t offset = 0;
};

// A bearer token of the write API. Only the SHA-256 of the token is
// stored (hex); the token itself is shown once, when it is made.
struct TokenRow {
  int64_t id = 0;         // assigned by the store
  std::string name;       // unique; the author of this token's contests
  std::string role;       // "operator" or "reviewer"
  std::vector<Asn> asns;  // operator: the ASNs it may contest for
  std::string hash;       // SHA-256 of the token, lowercase hex
  std::string created;    // ISO 8601 UTC, set by the store
  std::string revoked;    // ISO 8601 UTC; "" = valid
};

// One write, allowed or refused, in the append-only audit log.
struct AuditRow {
  int64_t id = 0;       // assigned by the store
  std::string time;     // ISO 8601 UTC, set by the store
  int64_t token = 0;    // the token's id; 0 = none (the CLI, or no valid token)
  std::string who;      // the token's name, "cli", or "anonymous"
  std::string action;   // "contest", "review", "token.create", "token.revoke", "recompute"
  std::string target;   // "incident 2026-11-22/7", "contest 3", "token 2", "snapshot 2026-11-22"
  std::string remote;   // client address; "" from the CLI
  std::string outcome;  // "ok", or why not: "401 ...", "403 ...", "409 ...", "failed: ..."
};

// A route-server compliance report (`vigia ixp check --db URL --ixp ID`):
// the report JSON of docs/ixp.md ("Checking a route server's RIB"), kept
// as given, with the fields a reader selects on. Append-only: a new check
// adds a row; the newest is the IXP's current report.
struct RsCheckRow {
  int64_t id = 0;          // assigned by the store
  std::string ixp_id;      // the IXP's id (the "ixp" entities' id, e.g. a PeeringDB ix id)
  std::string checked_at;  // ISO 8601 UTC, set by the store
  std::string rib_file;    // the RIB dump checked
  std::string rib_date;    // its date, YYYY-MM-DD, or ""
  std::string report_json;
};

// One event of the live detectors (live/live_event.h, `vigia watch`): a
// condition raised or cleared, with the incident fields of IncidentRow.
// Append-only, outside any snapshot: the live feed has no snapshot.
struct LiveEventRow {
  int64_t id = 0;     // assigned by the store, increasing
  std::string phase;  // "raised" or "cleared"
  std::string rule;   // "hijack", "visibility_loss", ... (live_event.h kRule*)
  std::string key;    // the condition's stable key; a clear has its raise's
  int64_t time = 0;   // route time of the causing message, seconds since the epoch
  int64_t peers = 0;  // collector peers that saw the condition then
  std::string type;   // the incident's: a batch type where one exists, else the rule
  std::string kind;
  Asn culprit = 0;
  std::optional<Asn> propagator;
  std::vector<std::string> prefixes;
  int64_t start = 0, end = 0;
  double confidence = 1;
  std::string cause;
  std::vector<Asn> victims;
  std::string evidence;  // JSON
  std::string recorded;  // ISO 8601 UTC, set by the store
};

struct LiveEventQuery {
  std::string rule;   // "" = any
  std::string key;    // "" = any
  Asn asn = 0;        // 0 = any; else the culprit, the propagator or a victim
  int64_t since = 0;  // time >= since
  // Only conditions still open: a "raised" row with no later row of its key.
  bool open_only = false;
  size_t limit = 100;
  size_t offset = 0;
};

// Writes one snapshot; nothing is visible until Commit(). Destroying it
// without Commit() discards the snapshot. Each Add* returns kIoError when
// the backend refuses the row (a duplicate key included: the message names
// the kind of row) and kInvalidArgument after Commit(); the writer may then
// only be destroyed.
class SnapshotWriter {
 public:
  virtual ~SnapshotWriter() = default;
  virtual Status AddIncident(const IncidentRow& row) = 0;
  virtual Status AddMetric(const MetricRow& row) = 0;
  virtual Status AddScore(const ScoreRow& row) = 0;
  virtual Status AddEntity(const EntityRow& row) = 0;
  // Records that (prefix, origin) was seen on this snapshot's date.
  virtual Status AddOrigin(const std::string& prefix, Asn origin) = 0;
  // Reference data for /api/route (RouteRefRow); a row given twice is kept
  // once. SetRouteRefTotals at most once per snapshot.
  virtual Status AddRouteRef(const RouteRefRow& row) = 0;
  virtual Status SetRouteRefTotals(const RouteRefTotals& totals) = 0;
  virtual Status AddRouteSeen(const RouteSeenRow& row) = 0;
  // Publishes the snapshot and returns it with its id and creation time.
  // kInvalidArgument when called twice; kIoError when the backend cannot
  // commit (then nothing of the snapshot is visible).
  virtual Result<SnapshotInfo> Commit() = 0;
};

class Store {
 public:
  virtual ~Store() = default;
  // Opens (creating it if need be) the store a URL names: "SCHEME:REST"
  // with SCHEME one of the backends of store/backends.cc, or a plain path
  // (no "SCHEME:" prefix), which is SQLite. kInvalidArgument for an unknown
  // scheme (the message lists the known ones); the backend's own error
  // otherwise (kIoError: cannot open; kInvalidArgument: a store made by a
  // newer Vigía).
  static Result<std::unique_ptr<Store>> Open(const std::string& url);

  // The schema version of the open store (after any migration Open made).
  virtual int schema_version() const = 0;
  // Starts a snapshot; see SnapshotWriter. kIoError when another writer of
  // this process or another holds the store for longer than the backend
  // waits (SQLite: 5 s).
  virtual Result<std::unique_ptr<SnapshotWriter>> BeginSnapshot(const SnapshotInfo& info) = 0;
  // Every committed snapshot, newest date first (the same date: the latest
  // committed first).
  virtual Result<std::vector<SnapshotInfo>> Snapshots() = 0;
  // The snapshot of a date (YYYY-MM-DD; the latest committed of that date),
  // or with an empty date the newest. The one lookup every reader (analyze,
  // report, serve) uses. kNotFound, with "the store holds no snapshot" or
  // "no snapshot for DATE", when there is none.
  virtual Result<SnapshotInfo> SnapshotFor(const std::string& date);
  virtual Result<std::vector<IncidentRow>> Incidents(const IncidentQuery& q) = 0;
  // How many incidents Incidents(q) would give without limit and offset
  // (the total for paging).
  virtual Result<int64_t> CountIncidents(const IncidentQuery& q) = 0;
  // Incidents per type in a snapshot.
  virtual Result<std::map<std::string, int64_t>> IncidentCounts(int64_t snapshot) = 0;
  // One AS's metrics in a snapshot, by metric name; empty when none.
  virtual Result<std::vector<MetricRow>> Metrics(int64_t snapshot, Asn asn) = 0;
  // One entity's scores in a snapshot, by action; empty when none.
  virtual Result<std::vector<ScoreRow>> Scores(int64_t snapshot, const std::string& entity_kind,
                                               const std::string& entity) = 0;
  // One entity of a snapshot; an empty optional (not NotFound) when absent.
  virtual Result<std::optional<EntityRow>> Entity(int64_t snapshot, const std::string& kind,
                                                  const std::string& id) = 0;
  // Every entity of a kind with its overall score, best first (no score
  // last, then by id).
  virtual Result<std::vector<std::pair<EntityRow, ScoreRow>>> Ranking(int64_t snapshot,
                                                                      const std::string& kind,
                                                                      size_t limit,
                                                                      size_t offset) = 0;
  // An entity's scores across snapshots, oldest first; monthly: the mean
  // per calendar month of the daily snapshots.
  virtual Result<std::vector<HistoryPoint>> History(const std::string& kind, const std::string& id,
                                                    bool monthly) = 0;
  // Every (prefix, origin) with no incident seen on a date before `before_date`.
  virtual Result<std::vector<OriginRow>> KnownOrigins(const std::string& before_date) = 0;
  // Stores a contest of an existing incident, filling its id and time;
  // kNotFound when the snapshot has no such incident.
  virtual Result<ContestRow> AddContest(const ContestRow& c) = 0;
  // Contests of one incident (incident > 0), or of every incident of an AS
  // as culprit or propagator in any snapshot (asn given); newest first.
  virtual Result<std::vector<ContestRow>> Contests(int64_t snapshot, int64_t incident,
                                                   std::optional<Asn> asn, size_t limit) = 0;
  // The reference rows of a snapshot whose prefix is one of `prefixes`
  // (a caller passes a prefix and its less-specifics to get what covers
  // it), by prefix length, kind, AS; at most 10,000. And the totals; an
  // empty optional for a snapshot stored without reference data.
  virtual Result<std::vector<RouteRefRow>> RouteRefs(int64_t snapshot,
                                                     const std::vector<std::string>& prefixes) = 0;
  virtual Result<std::optional<RouteRefTotals>> RouteRefTotalsOf(int64_t snapshot) = 0;
  // The routes of one prefix the collectors saw in a snapshot, by origin;
  // empty for a prefix not seen (or a snapshot stored before they were).
  virtual Result<std::vector<RouteSeenRow>> RoutesSeen(int64_t snapshot,
                                                       const std::string& prefix) = 0;
  // The (prefix, origin) history of OriginRow for one prefix: its origins
  // with the first and last dates seen (incident-free sightings only).
  virtual Result<std::vector<OriginRow>> OriginsOf(const std::string& prefix) = 0;

  // Contests matching a query, newest first, each with its state and review.
  virtual Result<std::vector<ContestRow>> ListContests(const ContestQuery& q) = 0;
  // Stores a contest's review (decision "accepted" or "rejected"), filling
  // its id and time. kNotFound when there is no such contest;
  // kInvalidArgument for another decision, or when the contest already has
  // a review (its message then starts "already reviewed").
  virtual Result<ReviewRow> AddReview(const ReviewRow& r) = 0;

  // Tokens of the write API. AddToken fills id and created;
  // kInvalidArgument for an empty or taken name, a role other than
  // "operator"/"reviewer", or a hash that is not 64 hex digits.
  virtual Result<TokenRow> AddToken(const TokenRow& t) = 0;
  // Every token, revoked ones included, oldest first.
  virtual Result<std::vector<TokenRow>> Tokens() = 0;
  // Revokes a token for good; kNotFound when there is none, kInvalidArgument
  // when it is already revoked.
  virtual Status RevokeToken(int64_t id) = 0;

  // The append-only audit log: AddAudit fills id and time; Audit lists it
  // newest first.
  virtual Result<AuditRow> AddAudit(const AuditRow& a) = 0;
  virtual Result<std::vector<AuditRow>> Audit(size_t limit, size_t offset) = 0;

  // Route-server checks. PutRsCheck stores one, filling id and checked_at;
  // kInvalidArgument for an empty ixp_id or report_json. LatestRsCheck is
  // the newest of an IXP (by checked_at, then id), or an empty optional
  // (not NotFound) when it has none.
  virtual Result<RsCheckRow> PutRsCheck(const RsCheckRow& r) = 0;
  virtual Result<std::optional<RsCheckRow>> LatestRsCheck(const std::string& ixp_id) = 0;

  // Live events (LiveEventRow). AddLiveEvent stores one, filling id and
  // recorded; kInvalidArgument for an empty rule or key, or a phase other
  // than "raised"/"cleared". LiveEvents lists those matching a query,
  // newest (highest id) first.
  virtual Result<LiveEventRow> AddLiveEvent(const LiveEventRow& e) = 0;
  virtual Result<std::vector<LiveEventRow>> LiveEvents(const LiveEventQuery& q) = 0;

  // Entities of the kinds "as", "country" and "ixp" whose id is `text`
  // (an ASN with or without "AS") or whose name holds it; exact ids first.
  virtual Result<std::vector<EntityRow>> Search(int64_t snapshot, const std::string& text,
                                                size_t limit) = 0;

  // A consistent read view (vigia serve, issue [6/7]): every read between
  // BeginRead() and EndRead() sees one committed state of the store, so
  // that an answer built from several queries never mixes a snapshot or
  // contest being written with the state before it. BeginRead() returns a
  // number that differs from the one the previous BeginRead() of this
  // object returned whenever another connection has committed in between
  // (SQLite: PRAGMA data_version), or nullopt when the backend cannot tell;
  // a caller caches what it read only with a number. Defaults: no view,
  // nullopt. Between the two calls the object is used for reads only.
  virtual Result<std::optional<uint64_t>> BeginRead() { return std::optional<uint64_t>(); }
  virtual void EndRead() {}
};

}  // namespace vigia::store
