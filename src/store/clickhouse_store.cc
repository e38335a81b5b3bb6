// The ClickHouse store: tables, the claim protocol for ids and unique keys,
// the buffered RowBinary writer, and each query of store.h.
#include "store/clickhouse_store.h"

#include <fmt/format.h>
#include <httplib.h>
#include <sys/random.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <ctime>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <thread>
#include <unordered_set>

#include "core/asn.h"
#include "core/ip.h"
#include "core/time_format.h"
#include "store/clickhouse_sql.h"

namespace vigia::store {

namespace {

namespace ch = clickhouse;
using ch::SqlInt;
using ch::SqlString;
using ch::TsvRow;

// The schema of this Vigía; a store made by a newer one is refused.
constexpr int64_t kSchemaVersion = 1;

// Every table: its columns (in the order the writer sends RowBinary) and
// its sorting key, chosen for the queries below: snapshot data by snapshot
// then the key a reader looks up (an incident id, an AS, an entity, a
// prefix); scores by entity first, for its history across snapshots.
// Every table is partitioned by month of `day` (the snapshot's date, or
// the day a log row was written).
struct Table {
  const char* name;
  const char* columns;
  const char* order;
  // Rows per mark (ClickHouse's default 8,192). A look-up by key reads and
  // decompresses whole granules, so the tables read a row or a few at a
  // time by key while serving, whose rows carry large text (an entity's
  // detail JSON, an incident's evidence), have small granules: measured at
  // full scale on the cluster (75,000 ASes, 17,730 incidents), one AS
  // entity's detail took 457 ms to read with 8,192-row granules.
  int granularity = 8192;
};
constexpr Table kTables[] = {
    {"snapshots",
     "id Int64, day Date, date String, window_start Int64, window_end Int64, source String, "
     "created String, partial UInt8, missing String, dir String, provenance String",
     "(date, id)"},
    {"incidents",
     "snapshot Int64, day Date, id Int64, type String, kind String, culprit Int64, propagator "
     "Nullable(Int64), prefixes String, start Int64, stop Int64, confidence Float64, evidence "
     "String, cause String, victims String",
     "(snapshot, id)", 128},
    {"metrics",
     "snapshot Int64, day Date, asn Int64, metric String, value Nullable(Float64), raw Float64",
     "(snapshot, asn, metric)", 1024},
    {"scores",
     "snapshot Int64, day Date, entity_kind String, entity String, action String, score "
     "Nullable(Float64), band String, members Int64, ready Int64, aspiring Int64, lagging Int64, "
     "no_data Int64, score_max Nullable(Float64), measured Int64, measured_of Int64",
     "(entity_kind, entity, snapshot, action)", 1024},
    {"entities",
     "snapshot Int64, day Date, kind String, id String, name String, country String, region "
     "String, manrs UInt8, size Int64, detail String",
     "(snapshot, kind, id)", 128},
    {"origins", "snapshot Int64, day Date, prefix String, origin Int64, date String",
     "(prefix, origin, snapshot)"},
    {"route_refs",
     "snapshot Int64, day Date, prefix String, kind String, asn Int64, max_length Int64, source "
     "String",
     "(snapshot, prefix, kind, asn)"},
    {"route_ref_totals",
     "snapshot Int64, day Date, vrps Int64, route_objects Int64, kept Int64, truncated UInt8",
     "snapshot"},
    {"routes_seen",
     "snapshot Int64, day Date, prefix String, origin Int64, peers Int64, collectors String, path "
     "String, first Int64, last Int64",
     "(snapshot, prefix, origin)"},
    {"contests",
     "id Int64, day Date, snapshot Int64, incident Int64, author String, reason String, time "
     "String, remote String",
     "id"},
    {"reviews",
     "id Int64, day Date, contest Int64, decision String, reviewer String, reason String, time "
     "String, remote String",
     "contest"},
    {"tokens",
     "id Int64, day Date, name String, role String, asns String, hash String, created String",
     "id"},
    {"token_revocations", "token Int64, day Date, revoked String", "token"},
    {"audit",
     "id Int64, day Date, time String, token Int64, who String, action String, target String, "
     "remote String, outcome String",
     "id"},
    {"rs_checks",
     "id Int64, day Date, ixp_id String, checked_at String, rib_file String, rib_date String, "
     "report_json String",
     "(ixp_id, id)"},
    {"live_events",
     "id Int64, day Date, phase String, rule String, key String, time Int64, peers Int64, type "
     "String, kind String, culprit Int64, propagator Nullable(Int64), prefixes String, start "
     "Int64, stop Int64, confidence Float64, cause String, victims String, evidence String, "
     "recorded String",
     "id"},
    {"claims", "kind String, key String, nonce UInt64, at DateTime, day Date", "(kind, key)"},
    {"claim_releases", "nonce UInt64, day Date", "nonce"},
    {"schema", "version Int64, day Date", "version"},
};
// The tables that hold a snapshot's rows (column `snapshot`).
constexpr const char* kSnapshotTables[] = {"incidents",        "metrics",    "scores",
                                           "entities",         "origins",    "route_refs",
                                           "route_ref_totals", "routes_seen"};

// In a cluster (?cluster=NAME), the tables every node holds whole,
// replicated to all of them: the commit markers, the claims and the schema
// version, which readers and claimers must see the same from any node. The
// others are sharded: NAME_local (ReplicatedMergeTree, two replicas per
// shard) under a Distributed table NAME.
bool Everywhere(std::string_view table) {
  return table == "snapshots" || table == "claims" || table == "claim_releases" ||
         table == "schema";
}

// Rows buffered per table are sent once they reach this size: a few MiB
// per INSERT keeps ClickHouse's parts few (one part per INSERT).
constexpr size_t kFlushBytes = 4 << 20;

uint16_t Today() { return static_cast<uint16_t>(time(nullptr) / 86400); }

// "toDate('2026-11-22')": a snapshot's partition, for pruning.
std::string DayLiteral(const std::string& date) {
  return ch::DayNumber(date) == 0 ? std::string("toDate('1970-01-01')")
                                  : "toDate(" + SqlString(date) + ")";
}

int64_t I(const TsvRow& r, size_t c) {
  return c < r.size() && r[c] ? std::strtoll(r[c]->c_str(), nullptr, 10) : 0;
}
double D(const TsvRow& r, size_t c) {
  return c < r.size() && r[c] ? std::strtod(r[c]->c_str(), nullptr) : 0;
}
bool Null(const TsvRow& r, size_t c) { return c >= r.size() || !r[c]; }
std::string S(const TsvRow& r, size_t c) { return c < r.size() && r[c] ? *r[c] : std::string(); }
std::optional<double> OptD(const TsvRow& r, size_t c) {
  if (Null(r, c)) return std::nullopt;
  return D(r, c);
}

// A JSON array's strings, or its unsigned numbers (as the SQLite store
// reads its JSON columns).
std::vector<std::string> JsonStrings(const std::string& text) {
  std::vector<std::string> out;
  const auto j = nlohmann::json::parse(text, nullptr, false);
  if (!j.is_array()) return out;
  for (const auto& v : j) {
    if (v.is_string()) out.push_back(v.get<std::string>());
  }
  return out;
}
std::vector<Asn> JsonAsns(const std::string& text) {
  std::vector<Asn> out;
  const auto j = nlohmann::json::parse(text, nullptr, false);
  if (!j.is_array()) return out;
  for (const auto& v : j) {
    if (v.is_number_unsigned()) out.push_back(v.get<Asn>());
  }
  return out;
}
std::string AsnsJson(const std::vector<Asn>& asns) {
  nlohmann::json a = nlohmann::json::array();
  for (Asn x : asns) a.push_back(x);
  return a.dump();
}

// Percent-encoding of a URL query value (RFC 3986 §2.1).
std::string UrlEncode(std::string_view s) {
  std::string out;
  for (const char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out += ch;
    } else {
      out += fmt::format("%{:02X}", c);
    }
  }
  return out;
}

uint64_t RandomNonce() {
  uint64_t n = 0;
  while (n == 0) {
    if (getrandom(&n, sizeof n, 0) != static_cast<ssize_t>(sizeof n)) {
      n = static_cast<uint64_t>(std::chrono::steady_clock::now().time_since_epoch().count()) | 1;
    }
  }
  return n;
}

// Whether one of a JSON array of prefixes is P or inside it (more) or is P
// or covers it (less); the SQLite store's vigia_prefix_match.
bool PrefixMatches(const std::string& list, const std::string& query, bool more) {
  const std::optional<Prefix> q = Prefix::Parse(query);
  if (!q) return false;
  std::string_view text(list);
  for (size_t b = text.find('"'); b != std::string_view::npos;) {
    const size_t e = text.find('"', b + 1);
    if (e == std::string_view::npos) break;
    if (auto p = Prefix::Parse(text.substr(b + 1, e - b - 1)); p && p->family() == q->family()) {
      if (more ? q->Contains(*p) : p->Contains(*q)) return true;
    }
    b = text.find('"', e + 1);
  }
  return false;
}

// ASCII case-insensitive equality and substring (SQLite's NOCASE, LIKE).
char Lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }
bool EqualNoCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (Lower(a[i]) != Lower(b[i])) return false;
  }
  return true;
}
bool ContainsNoCase(std::string_view hay, std::string_view needle) {
  if (needle.empty()) return true;
  if (needle.size() > hay.size()) return false;
  for (size_t i = 0; i + needle.size() <= hay.size(); ++i) {
    if (EqualNoCase(hay.substr(i, needle.size()), needle)) return true;
  }
  return false;
}

// The URL: clickhouse_sql.h ParseServerUrl, shared with the route archive.
using Url = ch::ServerUrl;

class ClickHouseStore;

class ChWriter : public SnapshotWriter {
 public:
  ChWriter(ClickHouseStore* store, SnapshotInfo info);
  ~ChWriter() override;
  Status AddIncident(const IncidentRow& row) override;
  Status AddMetric(const MetricRow& row) override;
  Status AddScore(const ScoreRow& row) override;
  Status AddEntity(const EntityRow& row) override;
  Status AddOrigin(const std::string& prefix, Asn origin) override;
  Status AddRouteRef(const RouteRefRow& row) override;
  Status SetRouteRefTotals(const RouteRefTotals& totals) override;
  Status AddRouteSeen(const RouteSeenRow& row) override;
  Result<SnapshotInfo> Commit() override;

 private:
  // The buffer of a table, with the snapshot's two leading columns written.
  ch::RowBinary& Row(const char* table);
  Status MaybeFlush(const char* table);
  Status Flush(const char* table);
  // kIoError naming the row when the key was given before.
  Status Unique(std::unordered_set<std::string>& seen, std::string key, const char* what);

  ClickHouseStore* store_;
  SnapshotInfo info_;
  uint16_t day_;
  std::map<std::string, ch::RowBinary> buffers_;
  std::unordered_set<std::string> incidents_, metrics_, scores_, entities_, routes_seen_;
  bool totals_set_ = false;
  bool done_ = false;
  bool committed_ = false;
};

class ClickHouseStore : public Store {
 public:
  static Result<std::unique_ptr<ClickHouseStore>> Open(const std::string& rest);

  int schema_version() const override { return static_cast<int>(version_); }
  Result<std::unique_ptr<SnapshotWriter>> BeginSnapshot(const SnapshotInfo& info) override;
  Result<std::vector<SnapshotInfo>> Snapshots() override;
  Result<std::vector<IncidentRow>> Incidents(const IncidentQuery& q) override;
  Result<int64_t> CountIncidents(const IncidentQuery& q) override;
  Result<std::map<std::string, int64_t>> IncidentCounts(int64_t snapshot) override;
  Result<std::vector<MetricRow>> Metrics(int64_t snapshot, Asn asn) override;
  Result<std::vector<ScoreRow>> Scores(int64_t snapshot, const std::string& entity_kind,
                                       const std::string& entity) override;
  Result<std::optional<EntityRow>> Entity(int64_t snapshot, const std::string& kind,
                                          const std::string& id) override;
  Result<std::vector<std::pair<EntityRow, ScoreRow>>> Ranking(int64_t snapshot,
                                                              const std::string& kind, size_t limit,
                                                              size_t offset) override;
  Result<std::vector<HistoryPoint>> History(const std::string& kind, const std::string& id,
                                            bool monthly) override;
  Result<std::vector<OriginRow>> KnownOrigins(const std::string& before_date) override;
  Result<ContestRow> AddContest(const ContestRow& c) override;
  Result<std::vector<ContestRow>> Contests(int64_t snapshot, int64_t incident,
                                           std::optional<Asn> asn, size_t limit) override;
  Result<std::vector<RouteRefRow>> RouteRefs(int64_t snapshot,
                                             const std::vector<std::string>& prefixes) override;
  Result<std::optional<RouteRefTotals>> RouteRefTotalsOf(int64_t snapshot) override;
  Result<std::vector<RouteSeenRow>> RoutesSeen(int64_t snapshot,
                                               const std::string& prefix) override;
  Result<std::vector<OriginRow>> OriginsOf(const std::string& prefix) override;
  Result<std::vector<ContestRow>> ListContests(const ContestQuery& q) override;
  Result<ReviewRow> AddReview(const ReviewRow& r) override;
  Result<TokenRow> AddToken(const TokenRow& t) override;
  Result<std::vector<TokenRow>> Tokens() override;
  Status RevokeToken(int64_t id) override;
  Result<AuditRow> AddAudit(const AuditRow& a) override;
  Result<std::vector<AuditRow>> Audit(size_t limit, size_t offset) override;
  Result<RsCheckRow> PutRsCheck(const RsCheckRow& r) override;
  Result<std::optional<RsCheckRow>> LatestRsCheck(const std::string& ixp_id) override;
  Result<LiveEventRow> AddLiveEvent(const LiveEventRow& e) override;
  Result<std::vector<LiveEventRow>> LiveEvents(const LiveEventQuery& q) override;
  Result<std::vector<EntityRow>> Search(int64_t snapshot, const std::string& text,
                                        size_t limit) override;
  Result<std::optional<uint64_t>> BeginRead() override;
  void EndRead() override { in_view_ = reading_ = false; }

  // `db`.table.
  std::string T(const char* table) const { return qdb_ + "." + table; }
  // Runs a statement that returns nothing (DDL, ALTER).
  Status Exec(const std::string& sql, const std::string& what);
  // Runs a SELECT, its answer as TabSeparated rows.
  Result<std::vector<TsvRow>> Rows(const std::string& sql, const std::string& what);
  // Inserts RowBinary rows into a table.
  Status Insert(const char* table, const std::string& rows, const std::string& what);
  // The date of a committed snapshot, or nullopt when there is none.
  Result<std::optional<std::string>> CommittedDate(int64_t id);
  void Remember(int64_t id, const std::string& date) { committed_[id] = date; }
  // The claim protocol (clickhouse_store.h): whether this claimer got `key`
  // of `kind`; false after releasing its claim when another holds it.
  Result<bool> Claim(const std::string& kind, const std::string& key);
  // The next id of a kind, claimed.
  Result<int64_t> NextId(const std::string& kind);
  // Deletes a snapshot's rows (it was never committed) and marks it so.
  void Discard(int64_t id);

 private:
  ClickHouseStore(Url url) : url_(std::move(url)), http_(url_.host, url_.port) {
    http_.set_connection_timeout(5, 0);
    http_.set_read_timeout(300, 0);
    http_.set_write_timeout(300, 0);
    http_.set_keep_alive(true);
    // cpp-httplib sends a request's headers and body in two writes; with
    // Nagle's algorithm the body waits for the server's delayed ACK, 40 ms
    // a query (measured on the cluster: an overview answered from the
    // answer cache took 44 ms at p50, its one version query 1.1 ms).
    http_.set_tcp_nodelay(true);
    name_ = fmt::format("clickhouse://{}:{}/{}", url_.host, url_.port, url_.db);
    qdb_ = *ch::SqlName(url_.db);
  }
  Result<std::string> Post(const std::string& params, const std::string& body,
                           const std::string& what);
  Status CreateSchema();
  // Snapshot ids that hold rows but were claimed over an hour ago and never
  // committed (a killed writer): their rows are deleted.
  void CleanAbandoned();
  // The committed ids of `ids`, by their date.
  Result<std::map<int64_t, std::string>> CommittedDates(const std::vector<int64_t>& ids);
  // Incidents matching a query, unordered and unpaged, with their snapshot
  // and date.
  Result<std::vector<IncidentRow>> MatchIncidents(const IncidentQuery& q);
  Result<std::vector<ContestRow>> AllContests();
  // The contest log and its reviews, raw (contests: id, snapshot,
  // incident, author, reason, time, remote, newest first; reviews: id,
  // contest, decision, reviewer, reason, time, remote): read once per read
  // view's version, or every time outside a view.
  Result<const std::vector<TsvRow>*> ContestLog();
  Result<const std::vector<TsvRow>*> ReviewLog();
  // The bundle of `kind` `id` in `snapshot` (below), read in one round trip
  // when it is not the one held; only inside a read view.
  Status LoadBundle(int64_t snapshot, const std::string& date, const std::string& kind,
                    const std::string& id);
  // Whether the held bundle answers for this entity (inside a view).
  bool Bundled(int64_t snapshot, const std::string& kind, const std::string& id) const {
    return in_view_ && bundle_.loaded && bundle_.snapshot == snapshot && bundle_.kind == kind &&
           bundle_.id == id;
  }

  Url url_;
  httplib::Client http_;
  std::string name_, qdb_;
  int64_t version_ = 0;
  std::map<int64_t, std::string> committed_;  // id -> date; committed snapshots never change

  // Read views (store.h BeginRead, what `vigia serve` uses). The version
  // is the number of rows of `snapshots` and `claims`, two tables every
  // node holds whole: every write adds a row to one of them after its data
  // is in (a snapshot's commit marker; for the logs, a "written" claim row
  // after the row, Insert below), and no row of either is ever deleted, so
  // the sum grows with every write. What is read inside a view is kept
  // while the version stays the same; a new version drops it.
  bool in_view_ = false;
  bool reading_ = false;       // from BeginRead to EndRead: reads without the quorum check (Post)
  uint64_t view_version_ = 0;  // the version the caches below were read at
  std::optional<std::vector<SnapshotInfo>> snapshots_cache_;
  std::optional<std::vector<TsvRow>> contests_cache_, reviews_cache_;
  // Outside a view: the last log read (ContestLog, ReviewLog).
  std::optional<std::vector<TsvRow>> contests_scratch_, reviews_scratch_;
  // An entity's rows a report reads, fetched in one UNION ALL when the
  // report first asks for the entity (Entity): the entity, its scores in
  // the snapshot, its score history, and for an AS its metrics and the
  // incidents it is culprit, propagator or victim of. A report then makes
  // one round trip instead of eleven (each through the Distributed tables
  // to both shards).
  struct Bundle {
    bool loaded = false;
    int64_t snapshot = 0;
    std::string kind, id;
    std::optional<EntityRow> entity;
    std::vector<ScoreRow> scores;
    std::vector<TsvRow> history;     // snapshot, action, score, score_max
    std::vector<MetricRow> metrics;  // by metric
    std::vector<TsvRow> incidents;   // the 13 columns of MatchIncidents's query
  } bundle_;
};

// --- the writer ---

ChWriter::ChWriter(ClickHouseStore* store, SnapshotInfo info)
    : store_(store), info_(std::move(info)), day_(ch::DayNumber(info_.date)) {}

ChWriter::~ChWriter() {
  if (!committed_) store_->Discard(info_.id);
}

ch::RowBinary& ChWriter::Row(const char* table) {
  ch::RowBinary& b = buffers_[table];
  b.Int64(info_.id);
  b.Date(day_);
  return b;
}

Status ChWriter::Flush(const char* table) {
  auto it = buffers_.find(table);
  if (it == buffers_.end() || it->second.size() == 0) return Status::Ok();
  Status st = store_->Insert(table, it->second.data(), fmt::format("insert {}", table));
  it->second.clear();
  return st;
}

Status ChWriter::MaybeFlush(const char* table) {
  auto it = buffers_.find(table);
  if (it != buffers_.end() && it->second.size() >= kFlushBytes) return Flush(table);
  return Status::Ok();
}

Status ChWriter::Unique(std::unordered_set<std::string>& seen, std::string key, const char* what) {
  if (done_) return Status::InvalidArgument("snapshot already committed");
  if (!seen.insert(std::move(key)).second) {
    return Status::IoError(
        fmt::format("clickhouse: insert {}: a {} with this key was given before "
                    "in this snapshot",
                    what, what));
  }
  return Status::Ok();
}

Status ChWriter::AddIncident(const IncidentRow& r) {
  if (Status st = Unique(incidents_, SqlInt(r.id), "incident"); !st.ok()) return st;
  std::vector<Asn> victims = r.victims;
  std::sort(victims.begin(), victims.end());
  victims.erase(std::unique(victims.begin(), victims.end()), victims.end());
  std::string v;
  for (Asn a : victims) v += (v.empty() ? "" : ",") + std::to_string(a);
  ch::RowBinary& b = Row("incidents");
  b.Int64(r.id);
  b.String(r.type);
  b.String(r.kind);
  b.Int64(r.culprit);
  b.NullableInt64(r.propagator ? std::optional<int64_t>(*r.propagator) : std::nullopt);
  b.String(nlohmann::json(r.prefixes).dump());
  b.Int64(r.start);
  b.Int64(r.end);
  b.Float64(r.confidence);
  b.String(r.evidence);
  b.String(r.cause);
  b.String(v);
  return MaybeFlush("incidents");
}

Status ChWriter::AddMetric(const MetricRow& r) {
  if (Status st = Unique(metrics_, fmt::format("{}\t{}", r.asn, r.metric), "metric"); !st.ok())
    return st;
  ch::RowBinary& b = Row("metrics");
  b.Int64(r.asn);
  b.String(r.metric);
  b.NullableFloat64(r.value);
  b.Float64(r.raw);
  return MaybeFlush("metrics");
}

Status ChWriter::AddScore(const ScoreRow& r) {
  if (Status st = Unique(scores_, r.entity_kind + '\t' + r.entity + '\t' + r.action, "score");
      !st.ok())
    return st;
  ch::RowBinary& b = Row("scores");
  b.String(r.entity_kind);
  b.String(r.entity);
  b.String(r.action);
  b.NullableFloat64(r.score);
  b.String(r.band);
  b.Int64(r.members);
  b.Int64(r.ready);
  b.Int64(r.aspiring);
  b.Int64(r.lagging);
  b.Int64(r.no_data);
  b.NullableFloat64(r.score_max);
  b.Int64(r.measured);
  b.Int64(r.of);
  return MaybeFlush("scores");
}

Status ChWriter::AddEntity(const EntityRow& r) {
  if (Status st = Unique(entities_, r.kind + '\t' + r.id, "entity"); !st.ok()) return st;
  ch::RowBinary& b = Row("entities");
  b.String(r.kind);
  b.String(r.id);
  b.String(r.name);
  b.String(r.country);
  b.String(r.region);
  b.UInt8(r.manrs ? 1 : 0);
  b.Int64(r.size);
  b.String(r.detail);
  return MaybeFlush("entities");
}

Status ChWriter::AddOrigin(const std::string& prefix, Asn origin) {
  if (done_) return Status::InvalidArgument("snapshot already committed");
  ch::RowBinary& b = Row("origins");
  b.String(prefix);
  b.Int64(origin);
  b.String(info_.date);
  return MaybeFlush("origins");
}

Status ChWriter::AddRouteRef(const RouteRefRow& r) {
  if (done_) return Status::InvalidArgument("snapshot already committed");
  // A row given twice is kept once: readers ask for DISTINCT rows.
  ch::RowBinary& b = Row("route_refs");
  b.String(r.prefix);
  b.String(r.kind);
  b.Int64(r.asn);
  b.Int64(r.max_length);
  b.String(r.source);
  return MaybeFlush("route_refs");
}

Status ChWriter::SetRouteRefTotals(const RouteRefTotals& t) {
  if (done_) return Status::InvalidArgument("snapshot already committed");
  if (totals_set_) {
    return Status::IoError("clickhouse: insert route reference totals: given twice");
  }
  totals_set_ = true;
  ch::RowBinary& b = Row("route_ref_totals");
  b.Int64(t.vrps);
  b.Int64(t.route_objects);
  b.Int64(t.kept);
  b.UInt8(t.truncated ? 1 : 0);
  return Status::Ok();
}

Status ChWriter::AddRouteSeen(const RouteSeenRow& r) {
  if (Status st = Unique(routes_seen_, fmt::format("{}\t{}", r.prefix, r.origin), "route seen");
      !st.ok())
    return st;
  ch::RowBinary& b = Row("routes_seen");
  b.String(r.prefix);
  b.Int64(r.origin);
  b.Int64(r.peers);
  b.String(nlohmann::json(r.collectors).dump());
  b.String(r.path);
  b.Int64(r.first);
  b.Int64(r.last);
  return MaybeFlush("routes_seen");
}

Result<SnapshotInfo> ChWriter::Commit() {
  if (done_) return Status::InvalidArgument("snapshot already committed");
  done_ = true;
  for (const char* t : kSnapshotTables) {
    if (Status st = Flush(t); !st.ok()) return st;
  }
  // The commit marker: one row, one INSERT, after every row it covers.
  ch::RowBinary m;
  m.Int64(info_.id);
  m.Date(day_);
  m.String(info_.date);
  m.Int64(info_.window_start);
  m.Int64(info_.window_end);
  m.String(info_.source);
  m.String(info_.created);
  m.UInt8(info_.partial ? 1 : 0);
  m.String(nlohmann::json(info_.missing).dump());
  m.String(info_.dir);
  m.String(info_.provenance);
  if (Status st = store_->Insert("snapshots", m.data(), "commit snapshot"); !st.ok()) return st;
  committed_ = true;
  store_->Remember(info_.id, info_.date);
  return info_;
}

// --- the store ---

Result<std::string> ClickHouseStore::Post(const std::string& params, const std::string& body,
                                          const std::string& what) {
  std::string path = "/" + params;
  if (!url_.cluster.empty()) {
    // Every insert waits until both replicas of its shard (two of the
    // replicas of a table held everywhere) have it, so a committed
    // snapshot's rows are on every replica a reader may be sent to; reads
    // see every insert a quorum confirmed (or fail, and are retried below).
    // An insert whose quorum is not reached in 20 s fails (a replica down).
    //
    // Reads inside a read view (BeginRead; vigia serve) skip the
    // sequential-consistency check (a ZooKeeper read per replicated table
    // per query, about a quarter of a small query's time on the cluster):
    // they need no insert newer than the markers the node holds, and every
    // row a marker covers was on both replicas of its shard before the
    // marker was inserted. A node that has not yet fetched a newer marker
    // shows the store as it was a moment before, which a view may.
    path += (params.empty() ? "?" : "&") +
            std::string("insert_quorum=2&insert_quorum_timeout=20000&insert_distributed_sync=1&") +
            (reading_ ? "select_sequential_consistency=0" : "select_sequential_consistency=1");
  }
  auto res = http_.Post(path, body, "application/octet-stream");
  for (int retry = 0; !url_.cluster.empty() && retry < 50 && res && res->status != 200 &&
                      res->body.find("quorum") != std::string::npos && body.rfind("SELECT", 0) == 0;
       ++retry) {
    // A replica that has not yet fetched a part a quorum confirmed.
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    res = http_.Post(path, body, "application/octet-stream");
  }
  if (!res) {
    return Status::IoError(fmt::format("{}: {}: {}", name_, what, httplib::to_string(res.error())));
  }
  if (res->status != 200) {
    std::string m = res->body.substr(0, std::min<size_t>(res->body.find('\n'), 400));
    return Status::IoError(fmt::format("{}: {}: HTTP {}: {}", name_, what, res->status, m));
  }
  return std::move(res->body);
}

Status ClickHouseStore::Exec(const std::string& sql, const std::string& what) {
  auto r = Post("", sql, what);
  return r.ok() ? Status::Ok() : r.status();
}

Result<std::vector<TsvRow>> ClickHouseStore::Rows(const std::string& sql, const std::string& what) {
  auto r = Post("", sql + " FORMAT TabSeparated", what);
  if (!r.ok()) return r.status();
  auto rows = ch::ParseTsv(*r);
  if (!rows.ok())
    return Status::IoError(fmt::format("{}: {}: {}", name_, what, rows.status().message()));
  return rows;
}

Status ClickHouseStore::Insert(const char* table, const std::string& rows,
                               const std::string& what) {
  const std::string q = "INSERT INTO " + T(table) + " FORMAT RowBinary";
  auto r = Post("?query=" + UrlEncode(q), rows, what);
  if (!r.ok()) return r.status();
  // A log row (a contest, a review, a token, ...) is followed by a
  // "written" row in `claims`, which moves the version read views see
  // (BeginRead) once the row is readable. A snapshot's rows need none:
  // their commit marker in `snapshots` moves it.
  const std::string_view t(table);
  if (Everywhere(t) || std::find(std::begin(kSnapshotTables), std::end(kSnapshotTables), t) !=
                           std::end(kSnapshotTables)) {
    return Status::Ok();
  }
  ch::RowBinary b;
  b.String("written");
  b.String(t);
  b.UInt64(RandomNonce());
  const auto now = static_cast<uint32_t>(time(nullptr));
  for (int i = 0; i < 4; ++i) b.UInt8(static_cast<uint8_t>(now >> (8 * i)));
  b.Date(Today());
  return Insert("claims", b.data(), what + " (version)");
}

Result<std::optional<uint64_t>> ClickHouseStore::BeginRead() {
  reading_ = true;
  auto rows = Rows(fmt::format("SELECT (SELECT count() FROM {}) + (SELECT count() FROM {})",
                               T("snapshots"), T("claims")),
                   "read the store's version");
  if (!rows.ok()) {
    reading_ = false;
    return rows.status();
  }
  const uint64_t version = (rows->empty() ? 0 : static_cast<uint64_t>(I((*rows)[0], 0))) + 1;
  if (version != view_version_) {
    view_version_ = version;
    snapshots_cache_.reset();
    contests_cache_.reset();
    reviews_cache_.reset();
    bundle_ = Bundle();
  }
  in_view_ = true;
  return std::optional<uint64_t>(version);
}

Status ClickHouseStore::CreateSchema() {
  const bool cluster = !url_.cluster.empty();
  const std::string on = cluster ? " ON CLUSTER " + *ch::SqlName(url_.cluster) : "";
  // DDL only when a table is missing: in a cluster, ON CLUSTER waits for
  // every node, and one may be down.
  auto have = Rows("SELECT count() FROM system.tables WHERE database = " + SqlString(url_.db),
                   "list tables");
  if (!have.ok()) return have.status();
  int64_t want = 0;
  for (const Table& t : kTables) want += cluster && !Everywhere(t.name) ? 2 : 1;
  if (have->empty() || I((*have)[0], 0) < want) {
    if (Status st = Exec("CREATE DATABASE IF NOT EXISTS " + qdb_ + on, "create database"); !st.ok())
      return st;
    for (const Table& t : kTables) {
      std::string sql;
      if (!cluster) {
        sql = fmt::format(
            "CREATE TABLE IF NOT EXISTS {} ({}) ENGINE = MergeTree PARTITION BY toYYYYMM(day) "
            "ORDER BY {} SETTINGS index_granularity = {}",
            T(t.name), t.columns, t.order, t.granularity);
      } else {
        // ZooKeeper paths: per shard for sharded tables, one for the
        // tables every node holds. {shard} and {replica} are each
        // server's macros.
        const std::string local = Everywhere(t.name) ? T(t.name) : T(t.name) + "_local";
        const std::string zk =
            Everywhere(t.name) ? fmt::format("/clickhouse/vigia/{}/all/{}", url_.db, t.name)
                               : fmt::format("/clickhouse/vigia/{}/{{shard}}/{}", url_.db, t.name);
        sql = fmt::format(
            "CREATE TABLE IF NOT EXISTS {}{} ({}) ENGINE = ReplicatedMergeTree({}, '{{replica}}') "
            "PARTITION BY toYYYYMM(day) ORDER BY {} SETTINGS index_granularity = {}",
            local, on, t.columns, SqlString(zk), t.order, t.granularity);
      }
      if (Status st = Exec(sql, fmt::format("create table {}", t.name)); !st.ok()) return st;
      if (cluster && !Everywhere(t.name)) {
        const std::string dist = fmt::format(
            "CREATE TABLE IF NOT EXISTS {0}{1} AS {0}_local ENGINE = Distributed({2}, {3}, "
            "{4}_local, rand())",
            T(t.name), on, *ch::SqlName(url_.cluster), qdb_, t.name);
        if (Status st = Exec(dist, fmt::format("create table {}", t.name)); !st.ok()) return st;
      }
    }
  }
  auto v = Rows("SELECT max(version) FROM " + T("schema"), "schema version");
  if (!v.ok()) return v.status();
  version_ = v->empty() ? 0 : I((*v)[0], 0);
  if (version_ > kSchemaVersion) {
    return Status::InvalidArgument(
        fmt::format("{}: schema version {} is newer than this program's {}; use a newer Vigía",
                    name_, version_, kSchemaVersion));
  }
  if (version_ < kSchemaVersion) {
    ch::RowBinary b;
    b.Int64(kSchemaVersion);
    b.Date(Today());
    if (Status st = Insert("schema", b.data(), "set schema version"); !st.ok()) return st;
    version_ = kSchemaVersion;
  }
  return Status::Ok();
}

Result<std::unique_ptr<ClickHouseStore>> ClickHouseStore::Open(const std::string& rest) {
  auto url = ch::ParseServerUrl("clickhouse:" + rest);
  if (!url.ok()) return url.status();
  std::unique_ptr<ClickHouseStore> s(new ClickHouseStore(std::move(url).value()));
  if (Status st = s->CreateSchema(); !st.ok()) return st;
  return s;
}

Result<bool> ClickHouseStore::Claim(const std::string& kind, const std::string& key) {
  const uint64_t nonce = RandomNonce();
  ch::RowBinary b;
  b.String(kind);
  b.String(key);
  b.UInt64(nonce);
  const auto now = static_cast<uint32_t>(time(nullptr));
  for (int i = 0; i < 4; ++i) b.UInt8(static_cast<uint8_t>(now >> (8 * i)));
  b.Date(Today());
  if (Status st = Insert("claims", b.data(), "claim " + kind); !st.ok()) return st;
  auto others = Rows(fmt::format("SELECT count() FROM {} WHERE kind = {} AND key = {} AND nonce != "
                                 "{} AND nonce NOT IN (SELECT nonce FROM {})",
                                 T("claims"), SqlString(kind), SqlString(key),
                                 fmt::format("{}", nonce), T("claim_releases")),
                     "read claims");
  if (!others.ok()) return others.status();
  if (!others->empty() && I((*others)[0], 0) == 0) return true;
  ch::RowBinary rel;
  rel.UInt64(nonce);
  rel.Date(Today());
  if (Status st = Insert("claim_releases", rel.data(), "release claim"); !st.ok()) return st;
  std::this_thread::sleep_for(std::chrono::milliseconds(1 + RandomNonce() % 30));
  return false;
}

Result<int64_t> ClickHouseStore::NextId(const std::string& kind) {
  for (int attempt = 0; attempt < 100; ++attempt) {
    auto top = Rows(fmt::format("SELECT max(toInt64(key)) FROM {} WHERE kind = {} AND nonce NOT IN "
                                "(SELECT nonce FROM {})",
                                T("claims"), SqlString(kind), T("claim_releases")),
                    "next " + kind + " id");
    if (!top.ok()) return top.status();
    const int64_t id = (top->empty() ? 0 : I((*top)[0], 0)) + 1;
    auto won = Claim(kind, SqlInt(id));
    if (!won.ok()) return won.status();
    if (*won) return id;
  }
  return Status::IoError(
      fmt::format("{}: no {} id after 100 claims (too many writers)", name_, kind));
}

void ClickHouseStore::Discard(int64_t id) {
  // Errors are ignored: the rows are invisible anyway, and CleanAbandoned
  // tries again later.
  const bool cluster = !url_.cluster.empty();
  for (const char* t : kSnapshotTables) {
    const std::string table =
        cluster ? T(t) + "_local ON CLUSTER " + *ch::SqlName(url_.cluster) : T(t);
    // In a cluster, a node that is down gets the DDL when it is back; do
    // not wait for it (ClickHouse's default: 180 s).
    auto r = Post(cluster ? "?distributed_ddl_task_timeout=5" : "",
                  fmt::format("ALTER TABLE {} DELETE WHERE snapshot = {}", table, SqlInt(id)),
                  "discard snapshot");
    static_cast<void>(r);
  }
  static_cast<void>(Claim("cleaned", SqlInt(id)));
}

void ClickHouseStore::CleanAbandoned() {
  auto rows = Rows(
      fmt::format("SELECT DISTINCT toInt64(key) FROM {0} WHERE kind = 'snapshot' AND at < now() - "
                  "3600 AND nonce NOT IN (SELECT nonce FROM {1}) AND toInt64(key) NOT IN (SELECT "
                  "id FROM {2}) AND key NOT IN (SELECT key FROM {0} WHERE kind = 'cleaned')",
                  T("claims"), T("claim_releases"), T("snapshots")),
      "find abandoned snapshots");
  if (!rows.ok()) return;
  for (const TsvRow& r : *rows) Discard(I(r, 0));
}

Result<std::unique_ptr<SnapshotWriter>> ClickHouseStore::BeginSnapshot(const SnapshotInfo& in) {
  CleanAbandoned();
  SnapshotInfo info = in;
  info.created = IsoTime(time(nullptr));
  auto id = NextId("snapshot");
  if (!id.ok()) return id.status();
  info.id = *id;
  return std::unique_ptr<SnapshotWriter>(new ChWriter(this, std::move(info)));
}

Result<std::vector<SnapshotInfo>> ClickHouseStore::Snapshots() {
  if (in_view_ && snapshots_cache_) return *snapshots_cache_;
  auto rows = Rows(
      "SELECT id, date, window_start, window_end, source, created, partial, missing, "
      "dir, provenance FROM " +
          T("snapshots") + " ORDER BY date DESC, id DESC",
      "list snapshots");
  if (!rows.ok()) return rows.status();
  std::vector<SnapshotInfo> out;
  for (const TsvRow& r : *rows) {
    SnapshotInfo i{I(r, 0), S(r, 1), I(r, 2), I(r, 3), S(r, 4), S(r, 5)};
    i.partial = I(r, 6) != 0;
    i.missing = JsonStrings(S(r, 7));
    i.dir = S(r, 8);
    i.provenance = S(r, 9);
    committed_[i.id] = i.date;
    out.push_back(std::move(i));
  }
  if (in_view_) snapshots_cache_ = out;
  return out;
}

Result<std::optional<std::string>> ClickHouseStore::CommittedDate(int64_t id) {
  if (auto it = committed_.find(id); it != committed_.end()) return std::optional(it->second);
  auto rows =
      Rows(fmt::format("SELECT date FROM {} WHERE id = {} LIMIT 1", T("snapshots"), SqlInt(id)),
           "find snapshot");
  if (!rows.ok()) return rows.status();
  if (rows->empty()) return std::optional<std::string>();
  committed_[id] = S((*rows)[0], 0);
  return std::optional(S((*rows)[0], 0));
}

Result<std::map<int64_t, std::string>> ClickHouseStore::CommittedDates(
    const std::vector<int64_t>& ids) {
  std::map<int64_t, std::string> out;
  std::vector<int64_t> missing;
  for (int64_t id : ids) {
    if (auto it = committed_.find(id); it != committed_.end()) {
      out[id] = it->second;
    } else {
      missing.push_back(id);
    }
  }
  if (!missing.empty()) {
    auto rows = Rows(fmt::format("SELECT id, date FROM {} WHERE id IN {}", T("snapshots"),
                                 ch::SqlIntList(missing)),
                     "find snapshots");
    if (!rows.ok()) return rows.status();
    for (const TsvRow& r : *rows) {
      committed_[I(r, 0)] = S(r, 1);
      out[I(r, 0)] = S(r, 1);
    }
  }
  return out;
}

Result<std::vector<IncidentRow>> ClickHouseStore::MatchIncidents(const IncidentQuery& iq) {
  std::map<int64_t, std::string> snaps;  // the snapshots searched, by id
  if (!iq.from_date.empty() || !iq.to_date.empty()) {
    const std::string from = iq.from_date.empty() ? "0000-01-01" : iq.from_date;
    const std::string to = iq.to_date.empty() ? "9999-12-31" : iq.to_date;
    auto all = Snapshots();
    if (!all.ok()) return all.status();
    for (const SnapshotInfo& s : *all) {
      if (s.date >= from && s.date <= to) snaps[s.id] = s.date;
    }
  } else {
    auto d = CommittedDate(iq.snapshot);
    if (!d.ok()) return d.status();
    if (*d) snaps[iq.snapshot] = **d;
  }
  std::vector<IncidentRow> out;
  if (snaps.empty()) return out;
  std::vector<int64_t> ids;
  std::set<std::string> days;
  for (const auto& [id, date] : snaps) {
    ids.push_back(id);
    days.insert(DayLiteral(date));
  }
  std::string day_list;
  for (const std::string& d : days) day_list += (day_list.empty() ? "" : ", ") + d;
  // An AS's report asks for the incidents it is culprit or propagator of,
  // and victim of: its bundle holds both (LoadBundle).
  const std::vector<TsvRow>* rows = nullptr;
  Result<std::vector<TsvRow>> fetched = std::vector<TsvRow>();
  const bool range = !iq.from_date.empty() || !iq.to_date.empty();
  if (!range && iq.asn && Bundled(iq.snapshot, "as", std::to_string(*iq.asn))) {
    rows = &bundle_.incidents;
  } else if (!range && iq.victim && Bundled(iq.snapshot, "as", std::to_string(*iq.victim))) {
    rows = &bundle_.incidents;
  } else {
    std::string sql = fmt::format(
        "SELECT snapshot, id, type, kind, culprit, propagator, prefixes, start, stop, confidence, "
        "evidence, cause, victims FROM {} WHERE day IN ({}) AND snapshot IN {}",
        T("incidents"), day_list, ch::SqlIntList(ids));
    if (iq.id) sql += " AND id = " + SqlInt(*iq.id);
    if (!iq.type.empty()) sql += " AND type = " + SqlString(iq.type);
    if (iq.asn) {
      sql += fmt::format(" AND (culprit = {0} OR propagator = {0})", SqlInt(*iq.asn));
    }
    // victims is "a,b,c" (ascending ASNs): a whole-item match.
    if (iq.victim) {
      sql += fmt::format(" AND position(concat(',', victims, ','), {}) > 0",
                         SqlString(fmt::format(",{},", *iq.victim)));
    }
    fetched = Rows(sql, "query incidents");
    if (!fetched.ok()) return fetched.status();
    rows = &*fetched;
  }
  for (const TsvRow& r : *rows) {
    // The SQL conditions again: a bundle's rows are a superset.
    if (!snaps.contains(I(r, 0))) continue;
    if (iq.id && I(r, 1) != *iq.id) continue;
    if (!iq.type.empty() && S(r, 2) != iq.type) continue;
    if (iq.asn && I(r, 4) != static_cast<int64_t>(*iq.asn) &&
        (Null(r, 5) || I(r, 5) != static_cast<int64_t>(*iq.asn)))
      continue;
    const std::string prefixes = S(r, 6);
    if (!iq.prefix.empty()) {
      const bool hit = iq.match == PrefixMatch::kExact
                           ? prefixes.find('"' + iq.prefix + '"') != std::string::npos
                           : PrefixMatches(prefixes, iq.prefix, iq.match == PrefixMatch::kMore);
      if (!hit) continue;
    }
    IncidentRow x;
    x.snapshot = I(r, 0);
    x.id = I(r, 1);
    x.type = S(r, 2);
    x.kind = S(r, 3);
    x.culprit = static_cast<Asn>(I(r, 4));
    if (!Null(r, 5)) x.propagator = static_cast<Asn>(I(r, 5));
    x.prefixes = JsonStrings(prefixes);
    x.start = I(r, 7);
    x.end = I(r, 8);
    x.confidence = D(r, 9);
    x.evidence = S(r, 10);
    x.cause = S(r, 11);
    const std::string victims = S(r, 12);
    for (size_t b = 0; b < victims.size();) {
      size_t e = victims.find(',', b);
      if (e == std::string::npos) e = victims.size();
      if (auto a = ParseAsn(victims.substr(b, e - b))) x.victims.push_back(*a);
      b = e + 1;
    }
    if (iq.victim && std::find(x.victims.begin(), x.victims.end(), *iq.victim) == x.victims.end())
      continue;
    x.date = snaps[x.snapshot];
    out.push_back(std::move(x));
  }
  if ((iq.country.empty() && iq.region.empty()) || out.empty()) return out;
  // The place of the culprit or a victim: the "as" entities of these ASes
  // and the "country" entities (for their region), per snapshot.
  std::set<std::string> asns;
  for (const IncidentRow& x : out) {
    asns.insert(std::to_string(x.culprit));
    for (Asn v : x.victims) asns.insert(std::to_string(v));
  }
  auto ents = Rows(fmt::format("SELECT snapshot, kind, id, country, region FROM {} WHERE day IN "
                               "({}) AND snapshot IN {} AND (kind = 'country' OR (kind = 'as' AND "
                               "id IN {}))",
                               T("entities"), day_list, ch::SqlIntList(ids),
                               ch::SqlStringList({asns.begin(), asns.end()})),
                   "query incident places");
  if (!ents.ok()) return ents.status();
  std::map<std::pair<int64_t, std::string>, std::pair<std::string, std::string>> as_place;
  std::map<std::pair<int64_t, std::string>, std::string> country_region;
  for (const TsvRow& r : *ents) {
    if (S(r, 1) == "as") {
      as_place[{I(r, 0), S(r, 2)}] = {S(r, 3), S(r, 4)};
    } else {
      country_region[{I(r, 0), S(r, 2)}] = S(r, 4);
    }
  }
  auto in_place = [&](int64_t snap, Asn a) {
    auto it = as_place.find({snap, std::to_string(a)});
    if (it == as_place.end()) return false;
    const auto& [country, region] = it->second;
    if (!iq.country.empty()) return country == iq.country;
    if (country.empty()) return region == iq.region;
    auto c = country_region.find({snap, country});
    return c != country_region.end() && c->second == iq.region;
  };
  std::vector<IncidentRow> kept;
  for (IncidentRow& x : out) {
    bool hit = in_place(x.snapshot, x.culprit);
    for (Asn v : x.victims) hit = hit || in_place(x.snapshot, v);
    if (hit) kept.push_back(std::move(x));
  }
  return kept;
}

Result<std::vector<IncidentRow>> ClickHouseStore::Incidents(const IncidentQuery& iq) {
  auto all = MatchIncidents(iq);
  if (!all.ok()) return all.status();
  std::vector<IncidentRow>& v = *all;
  if (iq.newest_first) {
    std::sort(v.begin(), v.end(), [](const IncidentRow& a, const IncidentRow& b) {
      if (a.date != b.date) return a.date > b.date;
      if (a.snapshot != b.snapshot) return a.snapshot > b.snapshot;
      if (a.start != b.start) return a.start > b.start;
      return a.id > b.id;
    });
  } else {
    std::sort(v.begin(), v.end(), [](const IncidentRow& a, const IncidentRow& b) {
      return std::pair(a.snapshot, a.id) < std::pair(b.snapshot, b.id);
    });
  }
  const size_t limit = std::min<size_t>(iq.limit, 100'000);
  std::vector<IncidentRow> page;
  for (size_t i = iq.offset; i < v.size() && page.size() < limit; ++i)
    page.push_back(std::move(v[i]));
  if (page.empty()) return page;
  // Contests and their reviews give each incident's count and status.
  std::set<int64_t> snaps;
  for (const IncidentRow& x : page) snaps.insert(x.snapshot);
  auto contests = ContestLog();
  if (!contests.ok()) return contests.status();
  std::map<std::pair<int64_t, int64_t>, std::vector<int64_t>> of_incident;
  for (const TsvRow& r : **contests) {
    if (snaps.contains(I(r, 1))) of_incident[{I(r, 1), I(r, 2)}].push_back(I(r, 0));
  }
  std::map<int64_t, std::string> decision;
  if (!of_incident.empty()) {
    auto reviews = ReviewLog();
    if (!reviews.ok()) return reviews.status();
    for (const TsvRow& r : **reviews) decision[I(r, 1)] = S(r, 2);
  }
  for (IncidentRow& x : page) {
    const auto it = of_incident.find({x.snapshot, x.id});
    const std::vector<int64_t> none;
    const std::vector<int64_t>& cs = it == of_incident.end() ? none : it->second;
    x.contests = static_cast<int64_t>(cs.size());
    bool accepted = x.evidence.find("\"excluded_by_contest\"") != std::string::npos;
    bool waiting = false;
    for (int64_t c : cs) {
      const auto d = decision.find(c);
      if (d == decision.end()) {
        waiting = true;
      } else if (d->second == "accepted") {
        accepted = true;
      }
    }
    x.status = accepted ? "accepted" : waiting ? "contested" : !cs.empty() ? "rejected" : "none";
  }
  return page;
}

Result<int64_t> ClickHouseStore::CountIncidents(const IncidentQuery& iq) {
  auto all = MatchIncidents(iq);
  if (!all.ok()) return all.status();
  return static_cast<int64_t>(all->size());
}

Result<std::map<std::string, int64_t>> ClickHouseStore::IncidentCounts(int64_t snapshot) {
  std::map<std::string, int64_t> out;
  auto d = CommittedDate(snapshot);
  if (!d.ok()) return d.status();
  if (!*d) return out;
  auto rows = Rows(fmt::format("SELECT type, count() FROM {} WHERE day = {} AND snapshot = {} "
                               "GROUP BY type",
                               T("incidents"), DayLiteral(**d), SqlInt(snapshot)),
                   "count incidents");
  if (!rows.ok()) return rows.status();
  for (const TsvRow& r : *rows) out[S(r, 0)] = I(r, 1);
  return out;
}

Result<std::vector<MetricRow>> ClickHouseStore::Metrics(int64_t snapshot, Asn asn) {
  std::vector<MetricRow> out;
  if (Bundled(snapshot, "as", std::to_string(asn))) return bundle_.metrics;
  auto d = CommittedDate(snapshot);
  if (!d.ok()) return d.status();
  if (!*d) return out;
  auto rows = Rows(fmt::format("SELECT metric, value, raw FROM {} WHERE day = {} AND snapshot = {} "
                               "AND asn = {} ORDER BY metric",
                               T("metrics"), DayLiteral(**d), SqlInt(snapshot), SqlInt(asn)),
                   "query metrics");
  if (!rows.ok()) return rows.status();
  for (const TsvRow& r : *rows) out.push_back({asn, S(r, 0), OptD(r, 1), D(r, 2)});
  return out;
}

namespace {
// Score columns 0.. of "action, score, band, members, ready, aspiring,
// lagging, no_data, score_max, measured, measured_of" from column `c`.
constexpr const char* kScoreColumns =
    "action, score, band, members, ready, aspiring, lagging, no_data, score_max, measured, "
    "measured_of";
ScoreRow ReadScore(const TsvRow& r, size_t c) {
  ScoreRow s;
  s.action = S(r, c);
  s.score = OptD(r, c + 1);
  s.band = S(r, c + 2);
  s.members = I(r, c + 3);
  s.ready = I(r, c + 4);
  s.aspiring = I(r, c + 5);
  s.lagging = I(r, c + 6);
  s.no_data = I(r, c + 7);
  s.score_max = OptD(r, c + 8);
  s.measured = I(r, c + 9);
  s.of = I(r, c + 10);
  return s;
}
}  // namespace

Result<std::vector<ScoreRow>> ClickHouseStore::Scores(int64_t snapshot, const std::string& kind,
                                                      const std::string& entity) {
  std::vector<ScoreRow> out;
  if (Bundled(snapshot, kind, entity)) return bundle_.scores;
  auto d = CommittedDate(snapshot);
  if (!d.ok()) return d.status();
  if (!*d) return out;
  auto rows = Rows(fmt::format("SELECT {} FROM {} WHERE entity_kind = {} AND entity = {} AND day = "
                               "{} AND snapshot = {} ORDER BY action",
                               kScoreColumns, T("scores"), SqlString(kind), SqlString(entity),
                               DayLiteral(**d), SqlInt(snapshot)),
                   "query scores");
  if (!rows.ok()) return rows.status();
  for (const TsvRow& r : *rows) {
    ScoreRow s = ReadScore(r, 0);
    s.entity_kind = kind;
    s.entity = entity;
    out.push_back(std::move(s));
  }
  return out;
}

Result<std::optional<EntityRow>> ClickHouseStore::Entity(int64_t snapshot, const std::string& kind,
                                                         const std::string& id) {
  auto d = CommittedDate(snapshot);
  if (!d.ok()) return d.status();
  if (!*d) return std::optional<EntityRow>();
  if (in_view_) {
    if (!Bundled(snapshot, kind, id)) {
      if (Status st = LoadBundle(snapshot, **d, kind, id); !st.ok()) return st;
    }
    return bundle_.entity;
  }
  auto rows = Rows(
      fmt::format("SELECT name, country, region, manrs, size, detail FROM {} WHERE day "
                  "= {} AND snapshot = {} AND kind = {} AND id = {} LIMIT 1",
                  T("entities"), DayLiteral(**d), SqlInt(snapshot), SqlString(kind), SqlString(id)),
      "query entity");
  if (!rows.ok()) return rows.status();
  if (rows->empty()) return std::optional<EntityRow>();
  const TsvRow& r = (*rows)[0];
  return std::optional<EntityRow>(
      EntityRow{kind, id, S(r, 0), S(r, 1), S(r, 2), I(r, 3) != 0, I(r, 4), S(r, 5)});
}

Status ClickHouseStore::LoadBundle(int64_t snapshot, const std::string& date,
                                   const std::string& kind, const std::string& id) {
  // One SELECT per kind of row, joined by UNION ALL: a tag, then the
  // branch's columns as text (toString writes a double as the TabSeparated
  // output does: shortest round-trip), NULL up to the widest branch's
  // width (a column NULL in every branch is refused by 18.16's UNION ALL).
  struct Branch {
    std::string columns;  // "'tag', a, b, ..."
    int width;
    std::string rest;  // "FROM ... WHERE ..."
  };
  const std::string day = DayLiteral(date), snap = SqlInt(snapshot), k = SqlString(kind),
                    e = SqlString(id);
  std::vector<Branch> branches = {
      {"'e', name, country, region, toString(manrs), toString(size), detail", 7,
       fmt::format("FROM {} WHERE day = {} AND snapshot = {} AND kind = {} AND id = {}",
                   T("entities"), day, snap, k, e)},
      {"'s', action, toString(score), band, toString(members), toString(ready), "
       "toString(aspiring), toString(lagging), toString(no_data), toString(score_max), "
       "toString(measured), toString(measured_of)",
       12,
       fmt::format("FROM {} WHERE entity_kind = {} AND entity = {} AND day = {} AND snapshot = {}",
                   T("scores"), k, e, day, snap)},
      {"'h', toString(snapshot), action, toString(score), toString(score_max)", 5,
       fmt::format("FROM {} WHERE entity_kind = {} AND entity = {}", T("scores"), k, e)},
  };
  std::optional<Asn> asn;
  if (kind == "as") asn = ParseAsn(id);
  if (asn) {
    const std::string a = SqlInt(*asn);
    branches.push_back({"'m', metric, toString(value), toString(raw)", 4,
                        fmt::format("FROM {} WHERE day = {} AND snapshot = {} AND asn = {}",
                                    T("metrics"), day, snap, a)});
    branches.push_back(
        {"'i', toString(snapshot), toString(id), type, kind, toString(culprit), "
         "toString(propagator), prefixes, toString(start), toString(stop), toString(confidence), "
         "evidence, cause, victims",
         14,
         fmt::format("FROM {} WHERE day = {} AND snapshot = {} AND (culprit = {} OR propagator = "
                     "{} OR position(concat(',', victims, ','), {}) > 0)",
                     T("incidents"), day, snap, a, a, SqlString(fmt::format(",{},", *asn)))});
  }
  int width = 0;
  for (const Branch& br : branches) width = std::max(width, br.width);
  std::string sql;
  for (const Branch& br : branches) {
    sql += sql.empty() ? "SELECT " : " UNION ALL SELECT ";
    sql += br.columns;
    for (int i = br.width; i < width; ++i) sql += ", NULL";
    sql += " " + br.rest;
  }
  auto rows = Rows(sql, "query " + kind + " " + id);
  if (!rows.ok()) return rows.status();
  Bundle b;
  b.loaded = true;
  b.snapshot = snapshot;
  b.kind = kind;
  b.id = id;
  for (TsvRow& r : *rows) {
    const std::string tag = S(r, 0);
    if (tag == "e") {
      b.entity = EntityRow{kind, id, S(r, 1), S(r, 2), S(r, 3), I(r, 4) != 0, I(r, 5), S(r, 6)};
    } else if (tag == "s") {
      ScoreRow sc = ReadScore(r, 1);
      sc.entity_kind = kind;
      sc.entity = id;
      b.scores.push_back(std::move(sc));
    } else if (tag == "h") {
      b.history.push_back(TsvRow(r.begin() + 1, r.begin() + 5));
    } else if (tag == "m") {
      b.metrics.push_back({*asn, S(r, 1), OptD(r, 2), D(r, 3)});
    } else if (tag == "i") {
      b.incidents.push_back(TsvRow(r.begin() + 1, r.end()));
    }
  }
  std::sort(b.scores.begin(), b.scores.end(),
            [](const ScoreRow& x, const ScoreRow& y) { return x.action < y.action; });
  std::sort(b.metrics.begin(), b.metrics.end(),
            [](const MetricRow& x, const MetricRow& y) { return x.metric < y.metric; });
  bundle_ = std::move(b);
  return Status::Ok();
}

Result<std::vector<std::pair<EntityRow, ScoreRow>>> ClickHouseStore::Ranking(
    int64_t snapshot, const std::string& kind, size_t limit, size_t offset) {
  std::vector<std::pair<EntityRow, ScoreRow>> out;
  auto d = CommittedDate(snapshot);
  if (!d.ok()) return d.status();
  if (!*d) return out;
  auto ents = Rows(fmt::format("SELECT id, name, country, region, manrs, size FROM {} WHERE day = "
                               "{} AND snapshot = {} AND kind = {}",
                               T("entities"), DayLiteral(**d), SqlInt(snapshot), SqlString(kind)),
                   "query ranking");
  if (!ents.ok()) return ents.status();
  auto scores = Rows(
      fmt::format("SELECT entity, {} FROM {} WHERE entity_kind = {} AND day = {} "
                  "AND snapshot = {} AND action = 'overall'",
                  kScoreColumns, T("scores"), SqlString(kind), DayLiteral(**d), SqlInt(snapshot)),
      "query ranking");
  if (!scores.ok()) return scores.status();
  std::map<std::string, ScoreRow> by_entity;
  for (const TsvRow& r : *scores) {
    ScoreRow s = ReadScore(r, 1);
    s.entity_kind = kind;
    s.entity = S(r, 0);
    by_entity[s.entity] = std::move(s);
  }
  for (const TsvRow& r : *ents) {
    auto it = by_entity.find(S(r, 0));
    if (it == by_entity.end()) continue;
    EntityRow e{kind, S(r, 0), S(r, 1), S(r, 2), S(r, 3), I(r, 4) != 0, I(r, 5), ""};
    out.emplace_back(std::move(e), it->second);
  }
  // SQLite's "ORDER BY s.score IS NULL, s.score DESC, e.id".
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) {
    const auto &sa = a.second.score, &sb = b.second.score;
    if (sa.has_value() != sb.has_value()) return sa.has_value();
    if (sa && *sa != *sb) return *sa > *sb;
    return a.first.id < b.first.id;
  });
  limit = std::min<size_t>(limit, 100'000);
  if (offset >= out.size()) return std::vector<std::pair<EntityRow, ScoreRow>>();
  out.erase(out.begin(), out.begin() + static_cast<std::ptrdiff_t>(offset));
  if (out.size() > limit) out.resize(limit);
  return out;
}

Result<std::vector<HistoryPoint>> ClickHouseStore::History(const std::string& kind,
                                                           const std::string& id, bool monthly) {
  // Every snapshot's scores of the entity: a bundle's (read under this
  // view's version, so no snapshot committed since), or read now.
  Result<std::vector<TsvRow>> rows = std::vector<TsvRow>();
  if (in_view_ && bundle_.loaded && bundle_.kind == kind && bundle_.id == id) {
    rows = bundle_.history;
  } else {
    rows = Rows(fmt::format("SELECT snapshot, action, score, score_max FROM {} WHERE "
                            "entity_kind = {} AND entity = {}",
                            T("scores"), SqlString(kind), SqlString(id)),
                "query history");
  }
  if (!rows.ok()) return rows.status();
  std::vector<int64_t> ids;
  for (const TsvRow& r : *rows) ids.push_back(I(r, 0));
  auto dates = CommittedDates(ids);
  if (!dates.ok()) return dates.status();
  std::vector<HistoryPoint> daily;
  for (const TsvRow& r : *rows) {
    auto it = dates->find(I(r, 0));
    if (it == dates->end()) continue;  // not committed
    HistoryPoint p;
    p.date = it->second;
    p.snapshot = I(r, 0);
    p.action = S(r, 1);
    p.score = OptD(r, 2);
    p.score_max = OptD(r, 3);
    daily.push_back(std::move(p));
  }
  std::sort(daily.begin(), daily.end(), [](const HistoryPoint& a, const HistoryPoint& b) {
    return std::tie(a.date, a.snapshot, a.action) < std::tie(b.date, b.snapshot, b.action);
  });
  if (!monthly) return daily;
  // The mean per (month, action) of the non-NULL values (SQL's avg), over
  // all rows (count(*)).
  struct Acc {
    double sum = 0, sum_max = 0;
    int64_t n = 0, n_score = 0, n_max = 0;
  };
  std::map<std::pair<std::string, std::string>, Acc> acc;
  for (const HistoryPoint& p : daily) {
    Acc& a = acc[{p.date.substr(0, 7), p.action}];
    ++a.n;
    if (p.score) {
      a.sum += *p.score;
      ++a.n_score;
    }
    if (p.score_max) {
      a.sum_max += *p.score_max;
      ++a.n_max;
    }
  }
  std::vector<HistoryPoint> out;
  for (const auto& [key, a] : acc) {
    HistoryPoint p;
    p.date = key.first;
    p.snapshot = 0;
    p.action = key.second;
    if (a.n_score) p.score = a.sum / static_cast<double>(a.n_score);
    p.snapshots = a.n;
    if (a.n_max) p.score_max = a.sum_max / static_cast<double>(a.n_max);
    out.push_back(std::move(p));
  }
  return out;
}

Result<std::vector<OriginRow>> ClickHouseStore::KnownOrigins(const std::string& before_date) {
  auto rows = Rows(fmt::format("SELECT prefix, origin, min(date), max(date) FROM {} WHERE snapshot "
                               "IN (SELECT id FROM {}) GROUP BY prefix, origin HAVING min(date) < "
                               "{} ORDER BY prefix, origin",
                               T("origins"), T("snapshots"), SqlString(before_date)),
                   "query origins");
  if (!rows.ok()) return rows.status();
  std::vector<OriginRow> out;
  out.reserve(rows->size());
  for (const TsvRow& r : *rows) {
    out.push_back({S(r, 0), static_cast<Asn>(I(r, 1)), S(r, 2), S(r, 3)});
  }
  return out;
}

Result<std::vector<OriginRow>> ClickHouseStore::OriginsOf(const std::string& prefix) {
  auto rows = Rows(fmt::format("SELECT prefix, origin, min(date), max(date) FROM {} WHERE prefix = "
                               "{} AND snapshot IN (SELECT id FROM {}) GROUP BY prefix, origin "
                               "ORDER BY origin LIMIT 1000",
                               T("origins"), SqlString(prefix), T("snapshots")),
                   "query origins");
  if (!rows.ok()) return rows.status();
  std::vector<OriginRow> out;
  for (const TsvRow& r : *rows) {
    out.push_back({S(r, 0), static_cast<Asn>(I(r, 1)), S(r, 2), S(r, 3)});
  }
  return out;
}

Result<ContestRow> ClickHouseStore::AddContest(const ContestRow& in) {
  ContestRow c = in;
  c.time = IsoTime(time(nullptr));
  auto d = CommittedDate(c.snapshot);
  if (!d.ok()) return d.status();
  auto none = [&] {
    return Status::NotFound(fmt::format("no incident {} in snapshot {}", c.incident, c.snapshot));
  };
  if (!*d) return none();
  auto rows =
      Rows(fmt::format("SELECT type, culprit, propagator FROM {} WHERE day = {} AND "
                       "snapshot = {} AND id = {} LIMIT 1",
                       T("incidents"), DayLiteral(**d), SqlInt(c.snapshot), SqlInt(c.incident)),
           "find incident");
  if (!rows.ok()) return rows.status();
  if (rows->empty()) return none();
  const TsvRow& r = (*rows)[0];
  c.date = **d;
  c.type = S(r, 0);
  c.culprit = static_cast<Asn>(I(r, 1));
  if (!Null(r, 2)) c.propagator = static_cast<Asn>(I(r, 2));
  auto id = NextId("contest");
  if (!id.ok()) return id.status();
  c.id = *id;
  ch::RowBinary b;
  b.Int64(c.id);
  b.Date(Today());
  b.Int64(c.snapshot);
  b.Int64(c.incident);
  b.String(c.author);
  b.String(c.reason);
  b.String(c.time);
  b.String(c.remote);
  if (Status st = Insert("contests", b.data(), "insert contest"); !st.ok()) return st;
  return c;
}

Result<const std::vector<TsvRow>*> ClickHouseStore::ContestLog() {
  if (in_view_ && contests_cache_) return &*contests_cache_;
  auto rows = Rows("SELECT id, snapshot, incident, author, reason, time, remote FROM " +
                       T("contests") + " ORDER BY id DESC",
                   "query contests");
  if (!rows.ok()) return rows.status();
  std::optional<std::vector<TsvRow>>& keep = in_view_ ? contests_cache_ : contests_scratch_;
  keep = std::move(*rows);
  return &*keep;
}

Result<const std::vector<TsvRow>*> ClickHouseStore::ReviewLog() {
  if (in_view_ && reviews_cache_) return &*reviews_cache_;
  auto rows =
      Rows("SELECT id, contest, decision, reviewer, reason, time, remote FROM " + T("reviews"),
           "query reviews");
  if (!rows.ok()) return rows.status();
  std::optional<std::vector<TsvRow>>& keep = in_view_ ? reviews_cache_ : reviews_scratch_;
  keep = std::move(*rows);
  return &*keep;
}

Result<std::vector<ContestRow>> ClickHouseStore::AllContests() {
  // The contest log is small (a row per operator complaint): read whole,
  // joined here with its incidents, snapshots and reviews.
  auto log = ContestLog();
  if (!log.ok()) return log.status();
  const std::vector<TsvRow>* rows = *log;
  std::vector<ContestRow> out;
  if (rows->empty()) return out;
  std::vector<int64_t> snaps;
  std::string pairs;
  for (const TsvRow& r : *rows) {
    snaps.push_back(I(r, 1));
    pairs += fmt::format("{}({}, {})", pairs.empty() ? "" : ", ", I(r, 1), I(r, 2));
  }
  auto dates = CommittedDates(snaps);
  if (!dates.ok()) return dates.status();
  auto incs =
      Rows(fmt::format("SELECT snapshot, id, type, culprit, propagator, kind, prefixes FROM "
                       "{} WHERE (snapshot, id) IN ({})",
                       T("incidents"), pairs),
           "query contested incidents");
  if (!incs.ok()) return incs.status();
  std::map<std::pair<int64_t, int64_t>, const TsvRow*> inc;
  for (const TsvRow& r : *incs) inc[{I(r, 0), I(r, 1)}] = &r;
  auto reviews = ReviewLog();
  if (!reviews.ok()) return reviews.status();
  std::map<int64_t, ReviewRow> review;
  for (const TsvRow& r : **reviews) {
    review.emplace(I(r, 1),
                   ReviewRow{I(r, 0), I(r, 1), S(r, 2), S(r, 3), S(r, 4), S(r, 5), S(r, 6)});
  }
  for (const TsvRow& r : *rows) {
    ContestRow c;
    c.id = I(r, 0);
    c.snapshot = I(r, 1);
    c.incident = I(r, 2);
    auto d = dates->find(c.snapshot);
    auto i = inc.find({c.snapshot, c.incident});
    if (d == dates->end() || i == inc.end()) continue;
    c.author = S(r, 3);
    c.reason = S(r, 4);
    c.time = S(r, 5);
    c.remote = S(r, 6);
    c.date = d->second;
    const TsvRow& ir = *i->second;
    c.type = S(ir, 2);
    c.culprit = static_cast<Asn>(I(ir, 3));
    if (!Null(ir, 4)) c.propagator = static_cast<Asn>(I(ir, 4));
    c.kind = S(ir, 5);
    c.prefixes = JsonStrings(S(ir, 6));
    if (auto rv = review.find(c.id); rv != review.end()) {
      c.state = rv->second.decision;
      c.review = rv->second;
    }
    out.push_back(std::move(c));
  }
  return out;
}

Result<std::vector<ContestRow>> ClickHouseStore::Contests(int64_t snapshot, int64_t incident,
                                                          std::optional<Asn> asn, size_t limit) {
  auto all = AllContests();
  if (!all.ok()) return all.status();
  std::vector<ContestRow> out;
  limit = std::min<size_t>(limit, 100'000);
  for (ContestRow& c : *all) {
    if (out.size() >= limit) break;
    const bool hit = asn ? (c.culprit == *asn || (c.propagator && *c.propagator == *asn))
                         : (c.snapshot == snapshot && c.incident == incident);
    if (hit) out.push_back(std::move(c));
  }
  return out;
}

Result<std::vector<ContestRow>> ClickHouseStore::ListContests(const ContestQuery& cq) {
  auto all = AllContests();
  if (!all.ok()) return all.status();
  std::vector<ContestRow> out;
  const size_t limit = std::min<size_t>(cq.limit, 100'000);
  size_t skipped = 0;
  for (ContestRow& c : *all) {
    if (out.size() >= limit) break;
    if (cq.id && c.id != *cq.id) continue;
    if (cq.state == "submitted" && c.review) continue;
    if (!cq.state.empty() && cq.state != "submitted" && (!c.review || c.state != cq.state))
      continue;
    if (!cq.asns.empty()) {
      bool hit = false;
      for (Asn a : cq.asns) hit = hit || c.culprit == a || (c.propagator && *c.propagator == a);
      if (!hit) continue;
    }
    if (!cq.date.empty() && c.date != cq.date) continue;
    if (skipped < cq.offset) {
      ++skipped;
      continue;
    }
    out.push_back(std::move(c));
  }
  return out;
}

Result<ReviewRow> ClickHouseStore::AddReview(const ReviewRow& in) {
  if (in.decision != "accepted" && in.decision != "rejected") {
    return Status::InvalidArgument("a review's decision is 'accepted' or 'rejected'");
  }
  ReviewRow r = in;
  r.time = IsoTime(time(nullptr));
  auto found =
      Rows(fmt::format("SELECT count() FROM {} WHERE id = {}", T("contests"), SqlInt(r.contest)),
           "find contest");
  if (!found.ok()) return found.status();
  if (found->empty() || I((*found)[0], 0) == 0)
    return Status::NotFound(fmt::format("no contest {}", r.contest));
  // One review per contest: the first claim of its number wins.
  for (int attempt = 0; attempt < 100; ++attempt) {
    auto won = Claim("review_of", SqlInt(r.contest));
    if (!won.ok()) return won.status();
    if (*won) break;
    auto prior = Rows(fmt::format("SELECT decision FROM {} WHERE contest = {} LIMIT 1",
                                  T("reviews"), SqlInt(r.contest)),
                      "find review");
    if (!prior.ok()) return prior.status();
    if (!prior->empty()) {
      return Status::InvalidArgument(
          fmt::format("already reviewed: contest {} was {}", r.contest, S((*prior)[0], 0)));
    }
    if (attempt == 99) return Status::IoError(fmt::format("{}: review: too many writers", name_));
  }
  auto id = NextId("review");
  if (!id.ok()) return id.status();
  r.id = *id;
  ch::RowBinary b;
  b.Int64(r.id);
  b.Date(Today());
  b.Int64(r.contest);
  b.String(r.decision);
  b.String(r.reviewer);
  b.String(r.reason);
  b.String(r.time);
  b.String(r.remote);
  if (Status st = Insert("reviews", b.data(), "insert review"); !st.ok()) return st;
  return r;
}

Result<TokenRow> ClickHouseStore::AddToken(const TokenRow& in) {
  if (in.name.empty()) return Status::InvalidArgument("a token needs a name");
  if (in.role != "operator" && in.role != "reviewer") {
    return Status::InvalidArgument("a token's role is 'operator' or 'reviewer'");
  }
  if (in.hash.size() != 64 || in.hash.find_first_not_of("0123456789abcdef") != std::string::npos) {
    return Status::InvalidArgument("a token's hash is a SHA-256 in lowercase hex");
  }
  TokenRow t = in;
  t.created = IsoTime(time(nullptr));
  t.revoked.clear();
  auto taken = [&]() -> Result<bool> {
    auto rows =
        Rows(fmt::format("SELECT count() FROM {} WHERE name = {}", T("tokens"), SqlString(t.name)),
             "find token");
    if (!rows.ok()) return rows.status();
    return !rows->empty() && I((*rows)[0], 0) > 0;
  };
  for (int attempt = 0;; ++attempt) {
    auto is_taken = taken();
    if (!is_taken.ok()) return is_taken.status();
    if (*is_taken) return Status::InvalidArgument(fmt::format("a token named '{}' exists", t.name));
    auto won = Claim("token_name", t.name);
    if (!won.ok()) return won.status();
    if (*won) break;
    if (attempt == 99) return Status::IoError(fmt::format("{}: token: too many writers", name_));
  }
  auto id = NextId("token_id");
  if (!id.ok()) return id.status();
  t.id = *id;
  ch::RowBinary b;
  b.Int64(t.id);
  b.Date(Today());
  b.String(t.name);
  b.String(t.role);
  b.String(AsnsJson(t.asns));
  b.String(t.hash);
  b.String(t.created);
  if (Status st = Insert("tokens", b.data(), "insert token"); !st.ok()) return st;
  return t;
}

Result<std::vector<TokenRow>> ClickHouseStore::Tokens() {
  auto rows =
      Rows("SELECT id, name, role, asns, hash, created FROM " + T("tokens") + " ORDER BY id",
           "list tokens");
  if (!rows.ok()) return rows.status();
  auto revs = Rows("SELECT token, min(revoked) FROM " + T("token_revocations") + " GROUP BY token",
                   "list revocations");
  if (!revs.ok()) return revs.status();
  std::map<int64_t, std::string> revoked;
  for (const TsvRow& r : *revs) revoked[I(r, 0)] = S(r, 1);
  std::vector<TokenRow> out;
  for (const TsvRow& r : *rows) {
    TokenRow t;
    t.id = I(r, 0);
    t.name = S(r, 1);
    t.role = S(r, 2);
    t.asns = JsonAsns(S(r, 3));
    t.hash = S(r, 4);
    t.created = S(r, 5);
    if (auto it = revoked.find(t.id); it != revoked.end()) t.revoked = it->second;
    out.push_back(std::move(t));
  }
  return out;
}

Status ClickHouseStore::RevokeToken(int64_t id) {
  auto found = Rows(fmt::format("SELECT count() FROM {} WHERE id = {}", T("tokens"), SqlInt(id)),
                    "find token");
  if (!found.ok()) return found.status();
  if (found->empty() || I((*found)[0], 0) == 0)
    return Status::NotFound(fmt::format("no token {}", id));
  auto when = [&]() -> Result<std::string> {
    auto rows = Rows(fmt::format("SELECT min(revoked), count() FROM {} WHERE token = {}",
                                 T("token_revocations"), SqlInt(id)),
                     "find revocation");
    if (!rows.ok()) return rows.status();
    return rows->empty() || I((*rows)[0], 1) == 0 ? std::string() : S((*rows)[0], 0);
  };
  for (int attempt = 0;; ++attempt) {
    auto t = when();
    if (!t.ok()) return t.status();
    if (!t->empty())
      return Status::InvalidArgument(fmt::format("token {} was revoked at {}", id, *t));
    auto won = Claim("revoke", SqlInt(id));
    if (!won.ok()) return won.status();
    if (*won) break;
    if (attempt == 99) return Status::IoError(fmt::format("{}: revoke: too many writers", name_));
  }
  ch::RowBinary b;
  b.Int64(id);
  b.Date(Today());
  b.String(IsoTime(time(nullptr)));
  return Insert("token_revocations", b.data(), "revoke token");
}

Result<AuditRow> ClickHouseStore::AddAudit(const AuditRow& in) {
  AuditRow a = in;
  a.time = IsoTime(time(nullptr));
  auto id = NextId("audit");
  if (!id.ok()) return id.status();
  a.id = *id;
  ch::RowBinary b;
  b.Int64(a.id);
  b.Date(Today());
  b.String(a.time);
  b.Int64(a.token);
  b.String(a.who);
  b.String(a.action);
  b.String(a.target);
  b.String(a.remote);
  b.String(a.outcome);
  if (Status st = Insert("audit", b.data(), "insert audit"); !st.ok()) return st;
  return a;
}

Result<std::vector<AuditRow>> ClickHouseStore::Audit(size_t limit, size_t offset) {
  auto rows =
      Rows(fmt::format("SELECT id, time, token, who, action, target, remote, outcome FROM {} "
                       "ORDER BY id DESC LIMIT {} OFFSET {}",
                       T("audit"), SqlInt(static_cast<int64_t>(std::min<size_t>(limit, 100'000))),
                       SqlInt(static_cast<int64_t>(offset))),
           "query audit");
  if (!rows.ok()) return rows.status();
  std::vector<AuditRow> out;
  for (const TsvRow& r : *rows) {
    out.push_back({I(r, 0), S(r, 1), I(r, 2), S(r, 3), S(r, 4), S(r, 5), S(r, 6), S(r, 7)});
  }
  return out;
}

Result<RsCheckRow> ClickHouseStore::PutRsCheck(const RsCheckRow& in) {
  if (in.ixp_id.empty()) return Status::InvalidArgument("route-server check without an IXP id");
  if (in.report_json.empty()) return Status::InvalidArgument("route-server check without a report");
  RsCheckRow r = in;
  r.checked_at = IsoTime(time(nullptr));
  auto id = NextId("rs_check");
  if (!id.ok()) return id.status();
  r.id = *id;
  ch::RowBinary b;
  b.Int64(r.id);
  b.Date(Today());
  b.String(r.ixp_id);
  b.String(r.checked_at);
  b.String(r.rib_file);
  b.String(r.rib_date);
  b.String(r.report_json);
  if (Status st = Insert("rs_checks", b.data(), "insert route-server check"); !st.ok()) return st;
  return r;
}

Result<std::optional<RsCheckRow>> ClickHouseStore::LatestRsCheck(const std::string& ixp_id) {
  auto rows =
      Rows(fmt::format("SELECT id, ixp_id, checked_at, rib_file, rib_date, report_json FROM "
                       "{} WHERE ixp_id = {} ORDER BY checked_at DESC, id DESC LIMIT 1",
                       T("rs_checks"), SqlString(ixp_id)),
           "query route-server checks");
  if (!rows.ok()) return rows.status();
  if (rows->empty()) return std::optional<RsCheckRow>();
  const TsvRow& r = (*rows)[0];
  return std::optional<RsCheckRow>(
      RsCheckRow{I(r, 0), S(r, 1), S(r, 2), S(r, 3), S(r, 4), S(r, 5)});
}

Result<LiveEventRow> ClickHouseStore::AddLiveEvent(const LiveEventRow& in) {
  if (in.rule.empty() || in.key.empty()) {
    return Status::InvalidArgument("live event without a rule or key");
  }
  if (in.phase != "raised" && in.phase != "cleared") {
    return Status::InvalidArgument("live event phase must be raised or cleared, not '" + in.phase +
                                   "'");
  }
  LiveEventRow e = in;
  e.recorded = IsoTime(time(nullptr));
  auto id = NextId("live_event");
  if (!id.ok()) return id.status();
  e.id = *id;
  ch::RowBinary b;
  b.Int64(e.id);
  b.Date(Today());
  b.String(e.phase);
  b.String(e.rule);
  b.String(e.key);
  b.Int64(e.time);
  b.Int64(e.peers);
  b.String(e.type);
  b.String(e.kind);
  b.Int64(e.culprit);
  b.NullableInt64(e.propagator ? std::optional<int64_t>(*e.propagator) : std::nullopt);
  b.String(nlohmann::json(e.prefixes).dump());
  b.Int64(e.start);
  b.Int64(e.end);
  b.Float64(e.confidence);
  b.String(e.cause);
  b.String(nlohmann::json(e.victims).dump());
  b.String(e.evidence);
  b.String(e.recorded);
  if (Status st = Insert("live_events", b.data(), "insert live event"); !st.ok()) return st;
  return e;
}

Result<std::vector<LiveEventRow>> ClickHouseStore::LiveEvents(const LiveEventQuery& lq) {
  std::string sql = fmt::format(
      "SELECT id, phase, rule, key, time, peers, type, kind, culprit, propagator, prefixes, start, "
      "stop, confidence, cause, victims, evidence, recorded FROM {} WHERE time >= {}",
      T("live_events"), SqlInt(lq.since));
  if (!lq.rule.empty()) sql += " AND rule = " + SqlString(lq.rule);
  if (!lq.key.empty()) sql += " AND key = " + SqlString(lq.key);
  if (lq.open_only) sql += " AND phase = 'raised'";
  sql += " ORDER BY id DESC";
  auto rows = Rows(sql, "query live events");
  if (!rows.ok()) return rows.status();
  std::map<std::string, int64_t> last_of_key;
  if (lq.open_only && !rows->empty()) {
    std::set<std::string> keys;
    for (const TsvRow& r : *rows) keys.insert(S(r, 3));
    auto last = Rows(fmt::format("SELECT key, max(id) FROM {} WHERE key IN {} GROUP BY key",
                                 T("live_events"), ch::SqlStringList({keys.begin(), keys.end()})),
                     "query live events");
    if (!last.ok()) return last.status();
    for (const TsvRow& r : *last) last_of_key[S(r, 0)] = I(r, 1);
  }
  std::vector<LiveEventRow> out;
  const size_t limit = std::min<size_t>(lq.limit, 100'000);
  size_t skipped = 0;
  for (const TsvRow& r : *rows) {
    if (out.size() >= limit) break;
    LiveEventRow e;
    e.id = I(r, 0);
    e.phase = S(r, 1);
    e.rule = S(r, 2);
    e.key = S(r, 3);
    e.time = I(r, 4);
    e.peers = I(r, 5);
    e.type = S(r, 6);
    e.kind = S(r, 7);
    e.culprit = static_cast<Asn>(I(r, 8));
    if (!Null(r, 9)) e.propagator = static_cast<Asn>(I(r, 9));
    e.prefixes = JsonStrings(S(r, 10));
    e.start = I(r, 11);
    e.end = I(r, 12);
    e.confidence = D(r, 13);
    e.cause = S(r, 14);
    e.victims = JsonAsns(S(r, 15));
    e.evidence = S(r, 16);
    e.recorded = S(r, 17);
    if (lq.asn != 0 && e.culprit != lq.asn && !(e.propagator && *e.propagator == lq.asn) &&
        std::find(e.victims.begin(), e.victims.end(), lq.asn) == e.victims.end())
      continue;
    if (lq.open_only && last_of_key[e.key] > e.id) continue;
    if (skipped < lq.offset) {
      ++skipped;
      continue;
    }
    out.push_back(std::move(e));
  }
  return out;
}

Result<std::vector<RouteRefRow>> ClickHouseStore::RouteRefs(
    int64_t snapshot, const std::vector<std::string>& prefixes) {
  std::vector<RouteRefRow> out;
  auto d = CommittedDate(snapshot);
  if (!d.ok()) return d.status();
  if (!*d || prefixes.empty()) return out;
  auto rows = Rows(
      fmt::format("SELECT DISTINCT prefix, kind, asn, max_length, source FROM {} WHERE "
                  "day = {} AND snapshot = {} AND prefix IN {} ORDER BY prefix, kind, "
                  "asn, max_length, source",
                  T("route_refs"), DayLiteral(**d), SqlInt(snapshot), ch::SqlStringList(prefixes)),
      "query route references");
  if (!rows.ok()) return rows.status();
  std::map<std::string, std::vector<RouteRefRow>> by_prefix;
  for (const TsvRow& r : *rows) {
    by_prefix[S(r, 0)].push_back({S(r, 1), S(r, 0), I(r, 3), static_cast<Asn>(I(r, 2)), S(r, 4)});
  }
  // In the order asked (a prefix asked twice gives its rows twice), at most
  // 10,000, as the SQLite store gives them.
  for (const std::string& p : prefixes) {
    auto it = by_prefix.find(p);
    if (it == by_prefix.end()) continue;
    for (const RouteRefRow& r : it->second) {
      if (out.size() >= 10'000) return out;
      out.push_back(r);
    }
  }
  return out;
}

Result<std::optional<RouteRefTotals>> ClickHouseStore::RouteRefTotalsOf(int64_t snapshot) {
  auto d = CommittedDate(snapshot);
  if (!d.ok()) return d.status();
  if (!*d) return std::optional<RouteRefTotals>();
  auto rows = Rows(fmt::format("SELECT vrps, route_objects, kept, truncated FROM {} WHERE day = {} "
                               "AND snapshot = {} LIMIT 1",
                               T("route_ref_totals"), DayLiteral(**d), SqlInt(snapshot)),
                   "query route reference totals");
  if (!rows.ok()) return rows.status();
  if (rows->empty()) return std::optional<RouteRefTotals>();
  const TsvRow& r = (*rows)[0];
  return std::optional<RouteRefTotals>(RouteRefTotals{I(r, 0), I(r, 1), I(r, 2), I(r, 3) != 0});
}

Result<std::vector<RouteSeenRow>> ClickHouseStore::RoutesSeen(int64_t snapshot,
                                                              const std::string& prefix) {
  std::vector<RouteSeenRow> out;
  auto d = CommittedDate(snapshot);
  if (!d.ok()) return d.status();
  if (!*d) return out;
  auto rows =
      Rows(fmt::format("SELECT origin, peers, collectors, path, first, last FROM {} WHERE "
                       "day = {} AND snapshot = {} AND prefix = {} ORDER BY origin LIMIT "
                       "1000",
                       T("routes_seen"), DayLiteral(**d), SqlInt(snapshot), SqlString(prefix)),
           "query routes seen");
  if (!rows.ok()) return rows.status();
  for (const TsvRow& r : *rows) {
    RouteSeenRow x;
    x.prefix = prefix;
    x.origin = static_cast<Asn>(I(r, 0));
    x.peers = I(r, 1);
    x.collectors = JsonStrings(S(r, 2));
    x.path = S(r, 3);
    x.first = I(r, 4);
    x.last = I(r, 5);
    out.push_back(std::move(x));
  }
  return out;
}

Result<std::vector<EntityRow>> ClickHouseStore::Search(int64_t snapshot, const std::string& text,
                                                       size_t limit) {
  std::vector<EntityRow> out;
  auto d = CommittedDate(snapshot);
  if (!d.ok()) return d.status();
  if (!*d) return out;
  std::string id = text;
  if (const std::optional<Asn> asn = ParseAsn(text, AsnSyntax{.require_as_prefix = true}))
    id = std::to_string(*asn);
  // ClickHouse narrows by the same ASCII case folding (lower, and
  // positionCaseInsensitive); the exact SQLite rules are applied below.
  auto rows = Rows(
      fmt::format("SELECT kind, id, name, country, region, manrs, size FROM {} WHERE "
                  "day = {} AND snapshot = {} AND kind IN ('as', 'country', 'ixp') "
                  "AND (lower(id) = lower({}) OR positionCaseInsensitive(name, {}) > "
                  "0)",
                  T("entities"), DayLiteral(**d), SqlInt(snapshot), SqlString(id), SqlString(text)),
      "search");
  if (!rows.ok()) return rows.status();
  std::vector<std::pair<int, EntityRow>> hits;
  for (const TsvRow& r : *rows) {
    EntityRow e{S(r, 0), S(r, 1), S(r, 2), S(r, 3), S(r, 4), I(r, 5) != 0, I(r, 6), ""};
    const bool id_hit = EqualNoCase(e.id, id);
    const bool name_hit = ContainsNoCase(e.name, text);
    if (!id_hit && !name_hit) continue;
    hits.emplace_back(id_hit ? 0 : 1, std::move(e));
  }
  // SQLite's "ORDER BY rank, kind = 'as', size DESC, id".
  std::sort(hits.begin(), hits.end(), [](const auto& a, const auto& b) {
    if (a.first != b.first) return a.first < b.first;
    const bool aa = a.second.kind == "as", ba = b.second.kind == "as";
    if (aa != ba) return !aa;
    if (a.second.size != b.second.size) return a.second.size > b.second.size;
    return a.second.id < b.second.id;
  });
  limit = std::min<size_t>(limit, 1000);
  for (auto& h : hits) {
    if (out.size() >= limit) break;
    out.push_back(std::move(h.second));
  }
  return out;
}

}  // namespace

Result<std::unique_ptr<Store>> OpenClickHouseStore(const std::string& rest) {
  auto s = ClickHouseStore::Open(rest);
  if (!s.ok()) return s.status();
  return std::unique_ptr<Store>(std::move(s).value());
}

}  // namespace vigia::store
