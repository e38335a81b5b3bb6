// The embedded store: one SQLite file, WAL journal, a versioned schema with
// migrations, one transaction per snapshot, parameterised statements only.
#include "store/sqlite_store.h"

#include <fmt/format.h>
#include <sqlite3.h>

#include <ctime>
#include <nlohmann/json.hpp>
#include <optional>
#include <unordered_map>

#include "core/asn.h"
#include "core/ip.h"
#include "core/time_format.h"

namespace vigia::store {

namespace {

// Migration k takes the schema from version k to k + 1. Never edit one that
// has shipped; add another.
constexpr const char* kMigrations[] = {
    // 0 -> 1: snapshots, incidents, metrics, scores.
    R"sql(
CREATE TABLE snapshots (
  id INTEGER PRIMARY KEY,
  date TEXT NOT NULL,
  window_start INTEGER NOT NULL,
  window_end INTEGER NOT NULL,
  source TEXT NOT NULL,
  created TEXT NOT NULL
);
CREATE INDEX snapshots_date ON snapshots(date);
CREATE TABLE incidents (
  snapshot INTEGER NOT NULL REFERENCES snapshots(id),
  id INTEGER NOT NULL,
  type TEXT NOT NULL,
  kind TEXT NOT NULL,
  culprit INTEGER NOT NULL,
  propagator INTEGER,
  prefixes TEXT NOT NULL,
  start INTEGER NOT NULL,
  "end" INTEGER NOT NULL,
  confidence REAL NOT NULL,
  evidence TEXT NOT NULL,
  PRIMARY KEY (snapshot, id)
);
CREATE INDEX incidents_culprit ON incidents(snapshot, culprit);
CREATE INDEX incidents_propagator ON incidents(snapshot, propagator);
CREATE TABLE metrics (
  snapshot INTEGER NOT NULL REFERENCES snapshots(id),
  asn INTEGER NOT NULL,
  metric TEXT NOT NULL,
  value REAL,
  raw REAL NOT NULL,
  PRIMARY KEY (snapshot, asn, metric)
);
CREATE TABLE scores (
  snapshot INTEGER NOT NULL REFERENCES snapshots(id),
  entity_kind TEXT NOT NULL,
  entity TEXT NOT NULL,
  action TEXT NOT NULL,
  score REAL,
  band TEXT NOT NULL,
  PRIMARY KEY (snapshot, entity_kind, entity, action)
);
)sql",
    // 1 -> 2: band counts on scores (for aggregates), entities, and the
    // origin history that hijack detection consults.
    R"sql(
ALTER TABLE scores ADD COLUMN members INTEGER NOT NULL DEFAULT 1;
ALTER TABLE scores ADD COLUMN ready INTEGER NOT NULL DEFAULT 0;
ALTER TABLE scores ADD COLUMN aspiring INTEGER NOT NULL DEFAULT 0;
ALTER TABLE scores ADD COLUMN lagging INTEGER NOT NULL DEFAULT 0;
ALTER TABLE scores ADD COLUMN no_data INTEGER NOT NULL DEFAULT 0;
CREATE INDEX scores_ranking ON scores(snapshot, entity_kind, action, score);
CREATE TABLE entities (
  snapshot INTEGER NOT NULL REFERENCES snapshots(id),
  kind TEXT NOT NULL,
  id TEXT NOT NULL,
  name TEXT NOT NULL,
  country TEXT NOT NULL,
  region TEXT NOT NULL,
  manrs INTEGER NOT NULL,
  size INTEGER NOT NULL,
  detail TEXT NOT NULL,
  PRIMARY KEY (snapshot, kind, id)
) WITHOUT ROWID;
CREATE TABLE origins (
  prefix TEXT NOT NULL,
  origin INTEGER NOT NULL,
  first_date TEXT NOT NULL,
  last_date TEXT NOT NULL,
  PRIMARY KEY (prefix, origin)
) WITHOUT ROWID;
)sql",
    // 2 -> 3: contests of incidents (the write API of vigia serve), and an
    // index for the history of one entity. Contests are an append-only
    // audit log: triggers refuse to change or delete one, and a contested
    // incident cannot be deleted.
    R"sql(
CREATE TABLE contests (
  id INTEGER PRIMARY KEY,
  snapshot INTEGER NOT NULL,
  incident INTEGER NOT NULL,
  author TEXT NOT NULL,
  reason TEXT NOT NULL,
  time TEXT NOT NULL,
  remote TEXT NOT NULL,
  FOREIGN KEY (snapshot, incident) REFERENCES incidents(snapshot, id)
);
CREATE INDEX contests_incident ON contests(snapshot, incident);
CREATE INDEX scores_history ON scores(entity_kind, entity);
CREATE TRIGGER contests_no_update BEFORE UPDATE ON contests
  BEGIN SELECT RAISE(ABORT, 'contests are an append-only audit log'); END;
CREATE TRIGGER contests_no_delete BEFORE DELETE ON contests
  BEGIN SELECT RAISE(ABORT, 'contests are an append-only audit log'); END;
CREATE TRIGGER incidents_contested_no_delete BEFORE DELETE ON incidents
  WHEN EXISTS (SELECT 1 FROM contests c WHERE c.snapshot = old.snapshot AND c.incident = old.id)
  BEGIN SELECT RAISE(ABORT, 'a contested incident is never deleted'); END;
)sql",
    // 3 -> 4: a snapshot analysed with an input missing or damaged is
    // marked partial, with what was missing (a JSON array of strings).
    R"sql(
ALTER TABLE snapshots ADD COLUMN partial INTEGER NOT NULL DEFAULT 0;
ALTER TABLE snapshots ADD COLUMN missing TEXT NOT NULL DEFAULT '[]';
)sql",
    // 4 -> 5 (issue 15, incidents): an incident's cause (what makes it one
    // fault), and the victims of a hijack (the prefix's legitimate origins),
    // indexed by victim for "attacks on your prefixes"; the VRPs and route
    // objects covering seen prefixes and the routes seen, for /api/route.
    R"sql(
ALTER TABLE incidents ADD COLUMN cause TEXT NOT NULL DEFAULT '';
CREATE TABLE incident_victims (
  snapshot INTEGER NOT NULL,
  incident INTEGER NOT NULL,
  asn INTEGER NOT NULL,
  PRIMARY KEY (snapshot, incident, asn),
  FOREIGN KEY (snapshot, incident) REFERENCES incidents(snapshot, id)
) WITHOUT ROWID;
CREATE INDEX incident_victims_asn ON incident_victims(asn, snapshot);
CREATE TABLE route_refs (
  snapshot INTEGER NOT NULL REFERENCES snapshots(id),
  prefix TEXT NOT NULL,
  kind TEXT NOT NULL,
  asn INTEGER NOT NULL,
  max_length INTEGER NOT NULL,
  source TEXT NOT NULL,
  PRIMARY KEY (snapshot, prefix, kind, asn, max_length, source)
) WITHOUT ROWID;
CREATE TABLE routes_seen (
  snapshot INTEGER NOT NULL REFERENCES snapshots(id),
  prefix TEXT NOT NULL,
  origin INTEGER NOT NULL,
  peers INTEGER NOT NULL,
  collectors TEXT NOT NULL,
  path TEXT NOT NULL,
  first INTEGER NOT NULL,
  last INTEGER NOT NULL,
  PRIMARY KEY (snapshot, prefix, origin)
) WITHOUT ROWID;
CREATE TABLE route_ref_totals (
  snapshot INTEGER PRIMARY KEY REFERENCES snapshots(id),
  vrps INTEGER NOT NULL,
  route_objects INTEGER NOT NULL,
  kept INTEGER NOT NULL,
  truncated INTEGER NOT NULL
);
)sql",
    // 5 -> 6: contests with review (docs/contests.md). Bearer tokens, only
    // their SHA-256 kept, revoked but never deleted; one review per contest
    // as a row of its own (the contest row never changes); an audit log of
    // every write; and the directory each snapshot was analysed from, which
    // an accepted contest re-analyses. Reviews and the audit log are
    // append-only like the contests: triggers refuse to change them.
    R"sql(
ALTER TABLE snapshots ADD COLUMN dir TEXT NOT NULL DEFAULT '';
CREATE TABLE tokens (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL UNIQUE,
  role TEXT NOT NULL CHECK (role IN ('operator', 'reviewer')),
  asns TEXT NOT NULL,
  hash TEXT NOT NULL UNIQUE,
  created TEXT NOT NULL,
  revoked TEXT
);
CREATE TRIGGER tokens_no_delete BEFORE DELETE ON tokens
  BEGIN SELECT RAISE(ABORT, 'tokens are revoked, never deleted'); END;
CREATE TRIGGER tokens_only_revoked BEFORE UPDATE ON tokens
  WHEN old.revoked IS NOT NULL OR new.revoked IS NULL OR new.id IS NOT old.id
    OR new.name IS NOT old.name OR new.role IS NOT old.role OR new.asns IS NOT old.asns
    OR new.hash IS NOT old.hash OR new.created IS NOT old.created
  BEGIN SELECT RAISE(ABORT, 'a token can only be revoked, once'); END;
CREATE TABLE reviews (
  id INTEGER PRIMARY KEY,
  contest INTEGER NOT NULL UNIQUE REFERENCES contests(id),
  decision TEXT NOT NULL CHECK (decision IN ('accepted', 'rejected')),
  reviewer TEXT NOT NULL,
  reason TEXT NOT NULL,
  time TEXT NOT NULL,
  remote TEXT NOT NULL
);
CREATE TRIGGER reviews_no_update BEFORE UPDATE ON reviews
  BEGIN SELECT RAISE(ABORT, 'reviews are an append-only audit log'); END;
CREATE TRIGGER reviews_no_delete BEFORE DELETE ON reviews
  BEGIN SELECT RAISE(ABORT, 'reviews are an append-only audit log'); END;
CREATE TABLE audit (
  id INTEGER PRIMARY KEY,
  time TEXT NOT NULL,
  token INTEGER NOT NULL,
  who TEXT NOT NULL,
  action TEXT NOT NULL,
  target TEXT NOT NULL,
  remote TEXT NOT NULL,
  outcome TEXT NOT NULL
);
CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit
  BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit
  BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
)sql",
    // 6 -> 7: scores as intervals with their coverage (score_max, measured
    // of measured_of; "of" is an SQL keyword), and each snapshot's
    // provenance (a JSON object; '' before it was kept). Older rows were
    // points: their upper bound is their score.
    R"sql(
ALTER TABLE scores ADD COLUMN score_max REAL;
ALTER TABLE scores ADD COLUMN measured INTEGER NOT NULL DEFAULT 0;
ALTER TABLE scores ADD COLUMN measured_of INTEGER NOT NULL DEFAULT 0;
UPDATE scores SET score_max = score;
ALTER TABLE snapshots ADD COLUMN provenance TEXT NOT NULL DEFAULT '';
)sql",
    // 7 -> 8: route-server compliance reports (`vigia ixp check --db`),
    // append-only like the audit log; the newest per IXP is its report.
    R"sql(
CREATE TABLE rs_checks (
  id INTEGER PRIMARY KEY,
  ixp_id TEXT NOT NULL,
  checked_at TEXT NOT NULL,
  rib_file TEXT NOT NULL,
  rib_date TEXT NOT NULL,
  report_json TEXT NOT NULL
);
CREATE INDEX rs_checks_ixp ON rs_checks (ixp_id, checked_at);
CREATE TRIGGER rs_checks_no_update BEFORE UPDATE ON rs_checks
  BEGIN SELECT RAISE(ABORT, 'route-server checks are append-only'); END;
)sql",
    // 8 -> 9: live detector events (`vigia watch`), append-only, outside
    // any snapshot; victims as a JSON array beside the prefixes.
    R"sql(
CREATE TABLE live_events (
  id INTEGER PRIMARY KEY,
  phase TEXT NOT NULL,
  rule TEXT NOT NULL,
  key TEXT NOT NULL,
  time INTEGER NOT NULL,
  peers INTEGER NOT NULL,
  type TEXT NOT NULL,
  kind TEXT NOT NULL,
  culprit INTEGER NOT NULL,
  propagator INTEGER,
  prefixes TEXT NOT NULL,
  start INTEGER NOT NULL,
  "end" INTEGER NOT NULL,
  confidence REAL NOT NULL,
  cause TEXT NOT NULL,
  victims TEXT NOT NULL,
  evidence TEXT NOT NULL,
  recorded TEXT NOT NULL
);
CREATE INDEX live_events_key ON live_events (key, id);
CREATE INDEX live_events_time ON live_events (time);
CREATE TRIGGER live_events_no_update BEFORE UPDATE ON live_events
  BEGIN SELECT RAISE(ABORT, 'live events are append-only'); END;
)sql",
};
constexpr int kSchemaVersion = static_cast<int>(std::size(kMigrations));

}  // namespace

// A connection's prepared statements by SQL text, kept for the next call
// (preparing was a third of an AS report's time in vigia serve). At most
// kMax; a statement in use is not lent twice.
struct StmtCache {
  static constexpr size_t kMax = 128;
  struct Slot {
    sqlite3_stmt* stmt = nullptr;
    bool in_use = false;
  };
  std::unordered_map<std::string, Slot> slots;
  ~StmtCache() {
    for (auto& [sql, slot] : slots) sqlite3_finalize(slot.stmt);
  }
};

namespace {

// A prepared statement: from the connection's cache (reset and given back
// on destruction) or prepared for this use (finalised on destruction).
class Stmt {
 public:
  Stmt(sqlite3* db, const char* sql) { rc_ = sqlite3_prepare_v2(db, sql, -1, &s_, nullptr); }
  Stmt(sqlite3* db, StmtCache* cache, const std::string& sql) {
    auto it = cache->slots.find(sql);
    if (it != cache->slots.end() && !it->second.in_use) {
      slot_ = &it->second;
      slot_->in_use = true;
      s_ = slot_->stmt;
      rc_ = SQLITE_OK;
      return;
    }
    rc_ = sqlite3_prepare_v2(db, sql.c_str(), static_cast<int>(sql.size()), &s_, nullptr);
    if (rc_ == SQLITE_OK && it == cache->slots.end() && cache->slots.size() < StmtCache::kMax) {
      slot_ = &cache->slots[sql];
      slot_->stmt = s_;
      slot_->in_use = true;
    }
  }
  ~Stmt() {
    if (slot_) {
      sqlite3_reset(s_);
      sqlite3_clear_bindings(s_);
      slot_->in_use = false;
    } else {
      sqlite3_finalize(s_);
    }
  }
  Stmt(const Stmt&) = delete;
  Stmt& operator=(const Stmt&) = delete;
  bool ok() const { return rc_ == SQLITE_OK; }
  sqlite3_stmt* get() { return s_; }
  void Bind(int i, int64_t v) { sqlite3_bind_int64(s_, i, v); }
  void Bind(int i, double v) { sqlite3_bind_double(s_, i, v); }
  void Bind(int i, const std::string& v) {
    sqlite3_bind_text(s_, i, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT);
  }
  void BindNull(int i) { sqlite3_bind_null(s_, i); }
  // A value, or NULL when there is none.
  void Bind(int i, const std::optional<double>& v) {
    if (v) {
      Bind(i, *v);
    } else {
      BindNull(i);
    }
  }
  void Bind(int i, const std::optional<Asn>& v) {
    if (v) {
      Bind(i, static_cast<int64_t>(*v));
    } else {
      BindNull(i);
    }
  }
  int Step() { return sqlite3_step(s_); }
  void Reset() {
    sqlite3_reset(s_);
    sqlite3_clear_bindings(s_);
  }
  int64_t Int(int c) { return sqlite3_column_int64(s_, c); }
  double Real(int c) { return sqlite3_column_double(s_, c); }
  bool Null(int c) { return sqlite3_column_type(s_, c) == SQLITE_NULL; }
  std::string Text(int c) {
    const auto* p = sqlite3_column_text(s_, c);
    return p ? std::string(reinterpret_cast<const char*>(p),
                           static_cast<size_t>(sqlite3_column_bytes(s_, c)))
             : std::string();
  }
  // Column c read as a JSON array: its strings (Strings) or its unsigned
  // numbers (Asns); other elements, and text that is not an array, give
  // nothing.
  std::vector<std::string> Strings(int c) {
    std::vector<std::string> out;
    const auto j = nlohmann::json::parse(Text(c), nullptr, false);
    if (!j.is_array()) return out;
    for (const auto& v : j) {
      if (v.is_string()) out.push_back(v.get<std::string>());
    }
    return out;
  }
  std::vector<Asn> Asns(int c) {
    std::vector<Asn> out;
    const auto j = nlohmann::json::parse(Text(c), nullptr, false);
    if (!j.is_array()) return out;
    for (const auto& v : j) {
      if (v.is_number_unsigned()) out.push_back(v.get<Asn>());
    }
    return out;
  }

 private:
  sqlite3_stmt* s_ = nullptr;
  int rc_ = SQLITE_ERROR;
  StmtCache::Slot* slot_ = nullptr;  // lent by the connection's cache
};

// An incident's contest state (store.h IncidentRow::status), as a column of
// a query over `incidents i`.
constexpr const char* kIncidentStatus =
    "CASE WHEN instr(i.evidence, '\"excluded_by_contest\"') > 0 OR EXISTS (SELECT 1 FROM "
    "contests c JOIN reviews r ON r.contest = c.id WHERE c.snapshot = i.snapshot AND c.incident = "
    "i.id AND r.decision = 'accepted') THEN 'accepted' WHEN EXISTS (SELECT 1 FROM contests c "
    "WHERE c.snapshot = i.snapshot AND c.incident = i.id AND NOT EXISTS (SELECT 1 FROM reviews r "
    "WHERE r.contest = c.id)) THEN 'contested' WHEN EXISTS (SELECT 1 FROM contests c WHERE "
    "c.snapshot = i.snapshot AND c.incident = i.id) THEN 'rejected' ELSE 'none' END";

class SqliteWriter : public SnapshotWriter {
 public:
  SqliteWriter(SqliteStore* store, sqlite3* db, SnapshotInfo info)
      : store_(store),
        db_(db),
        info_(std::move(info)),
        incident_(
            db,
            "INSERT INTO incidents (snapshot, id, type, kind, culprit, propagator, prefixes, "
            "start, \"end\", confidence, evidence, cause) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, "
            "?8, ?9, ?10, ?11, ?12)"),
        victim_(db, "INSERT OR IGNORE INTO incident_victims VALUES (?1, ?2, ?3)"),
        route_ref_(db, "INSERT OR IGNORE INTO route_refs VALUES (?1, ?2, ?3, ?4, ?5, ?6)"),
        route_seen_(db, "INSERT INTO routes_seen VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)"),
        metric_(db, "INSERT INTO metrics VALUES (?1, ?2, ?3, ?4, ?5)"),
        score_(db,
               "INSERT INTO scores (snapshot, entity_kind, entity, action, score, band, members, "
               "ready, aspiring, lagging, no_data, score_max, measured, measured_of) VALUES (?1, "
               "?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)"),
        entity_(db, "INSERT INTO entities VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)"),
        origin_(db,
                "INSERT INTO origins VALUES (?1, ?2, ?3, ?3) ON CONFLICT (prefix, origin) DO "
                "UPDATE SET "
                "first_date = min(first_date, excluded.first_date), "
                "last_date = max(last_date, excluded.last_date)") {}
  ~SqliteWriter() override {
    if (!done_) sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
  }

  Status AddIncident(const IncidentRow& r) override {
    Stmt& s = incident_;
    s.Bind(1, info_.id);
    s.Bind(2, r.id);
    s.Bind(3, r.type);
    s.Bind(4, r.kind);
    s.Bind(5, static_cast<int64_t>(r.culprit));
    s.Bind(6, r.propagator);
    s.Bind(7, nlohmann::json(r.prefixes).dump());
    s.Bind(8, r.start);
    s.Bind(9, r.end);
    s.Bind(10, r.confidence);
    s.Bind(11, r.evidence);
    s.Bind(12, r.cause);
    if (Status st = Run(s, "incident"); !st.ok()) return st;
    for (Asn v : r.victims) {
      victim_.Bind(1, info_.id);
      victim_.Bind(2, r.id);
      victim_.Bind(3, static_cast<int64_t>(v));
      if (Status st = Run(victim_, "incident victim"); !st.ok()) return st;
    }
    return Status::Ok();
  }
  Status AddMetric(const MetricRow& r) override {
    Stmt& s = metric_;
    s.Bind(1, info_.id);
    s.Bind(2, static_cast<int64_t>(r.asn));
    s.Bind(3, r.metric);
    s.Bind(4, r.value);
    s.Bind(5, r.raw);
    return Run(s, "metric");
  }
  Status AddScore(const ScoreRow& r) override {
    Stmt& s = score_;
    s.Bind(1, info_.id);
    s.Bind(2, r.entity_kind);
    s.Bind(3, r.entity);
    s.Bind(4, r.action);
    s.Bind(5, r.score);
    s.Bind(6, r.band);
    s.Bind(7, r.members);
    s.Bind(8, r.ready);
    s.Bind(9, r.aspiring);
    s.Bind(10, r.lagging);
    s.Bind(11, r.no_data);
    s.Bind(12, r.score_max);
    s.Bind(13, r.measured);
    s.Bind(14, r.of);
    return Run(s, "score");
  }
  Status AddEntity(const EntityRow& r) override {
    Stmt& s = entity_;
    s.Bind(1, info_.id);
    s.Bind(2, r.kind);
    s.Bind(3, r.id);
    s.Bind(4, r.name);
    s.Bind(5, r.country);
    s.Bind(6, r.region);
    s.Bind(7, int64_t{r.manrs});
    s.Bind(8, r.size);
    s.Bind(9, r.detail);
    return Run(s, "entity");
  }
  Status AddOrigin(const std::string& prefix, Asn origin) override {
    Stmt& s = origin_;
    s.Bind(1, prefix);
    s.Bind(2, static_cast<int64_t>(origin));
    s.Bind(3, info_.date);
    return Run(s, "origin");
  }
  Status AddRouteRef(const RouteRefRow& r) override {
    Stmt& s = route_ref_;
    s.Bind(1, info_.id);
    s.Bind(2, r.prefix);
    s.Bind(3, r.kind);
    s.Bind(4, static_cast<int64_t>(r.asn));
    s.Bind(5, r.max_length);
    s.Bind(6, r.source);
    return Run(s, "route reference");
  }
  Status AddRouteSeen(const RouteSeenRow& r) override {
    Stmt& s = route_seen_;
    s.Bind(1, info_.id);
    s.Bind(2, r.prefix);
    s.Bind(3, static_cast<int64_t>(r.origin));
    s.Bind(4, r.peers);
    s.Bind(5, nlohmann::json(r.collectors).dump());
    s.Bind(6, r.path);
    s.Bind(7, r.first);
    s.Bind(8, r.last);
    return Run(s, "route seen");
  }
  Status SetRouteRefTotals(const RouteRefTotals& t) override {
    Stmt s(db_, "INSERT INTO route_ref_totals VALUES (?1, ?2, ?3, ?4, ?5)");
    s.Bind(1, info_.id);
    s.Bind(2, t.vrps);
    s.Bind(3, t.route_objects);
    s.Bind(4, t.kept);
    s.Bind(5, int64_t{t.truncated});
    return Run(s, "route reference totals");
  }
  Result<SnapshotInfo> Commit() override {
    if (done_) return Status::InvalidArgument("snapshot already committed");
    if (sqlite3_exec(db_, "COMMIT", nullptr, nullptr, nullptr) != SQLITE_OK) {
      return store_->Error("commit");
    }
    done_ = true;
    return info_;
  }

 private:
  Status Run(Stmt& s, const char* what) {
    if (done_) return Status::InvalidArgument("snapshot already committed");
    if (!s.ok()) return store_->Error(what);
    const int rc = s.Step();
    s.Reset();
    if (rc != SQLITE_DONE) return store_->Error(fmt::format("insert {}", what));
    return Status::Ok();
  }

  SqliteStore* store_;
  sqlite3* db_;
  SnapshotInfo info_;
  Stmt incident_, victim_, route_ref_, route_seen_, metric_, score_, entity_, origin_;
  bool done_ = false;
};

// Registered on every connection (defined below, with the incident queries).
void PrefixMatchFn(sqlite3_context* ctx, int argc, sqlite3_value** argv);

}  // namespace

Result<std::unique_ptr<Store>> OpenSqliteStore(const std::string& path) {
  if (path.empty())
    return Status::InvalidArgument("sqlite: the store needs a file path (sqlite:PATH)");
  auto s = SqliteStore::Open(path);
  if (!s.ok()) return s.status();
  return std::unique_ptr<Store>(std::move(s).value());
}

SqliteStore::~SqliteStore() {
  stmts_.reset();  // finalised before the close
  sqlite3_close(db_);
}

Status SqliteStore::Error(const std::string& what) const {
  return Status::IoError(fmt::format("{}: {}: {}", path_, what, sqlite3_errmsg(db_)));
}

Status SqliteStore::Exec(const char* sql, const std::string& what) {
  char* err = nullptr;
  if (sqlite3_exec(db_, sql, nullptr, nullptr, &err) != SQLITE_OK) {
    std::string m = err ? err : "error";
    sqlite3_free(err);
    return Status::IoError(fmt::format("{}: {}: {}", path_, what, m));
  }
  return Status::Ok();
}

Result<std::unique_ptr<SqliteStore>> SqliteStore::Open(const std::string& path) {
  return OpenConnection(path, /*reader=*/false);
}

Result<std::unique_ptr<SqliteStore>> SqliteStore::OpenReader(const std::string& path) {
  return OpenConnection(path, /*reader=*/true);
}

Result<std::unique_ptr<SqliteStore>> SqliteStore::OpenConnection(const std::string& path,
                                                                 bool reader) {
  std::unique_ptr<SqliteStore> s(new SqliteStore);
  s->path_ = path;
  s->stmts_ = std::make_unique<StmtCache>();
  if (sqlite3_open_v2(path.c_str(), &s->db_, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr) !=
      SQLITE_OK) {
    return Status::IoError(fmt::format("{}: cannot open: {}", path,
                                       s->db_ ? sqlite3_errmsg(s->db_) : "out of memory"));
  }
  sqlite3_busy_timeout(s->db_, 5000);
  // WAL: readers (the web server) go on while a snapshot is written, and a
  // crash never damages committed data. synchronous=NORMAL is durable at
  // each checkpoint and never corrupts in WAL mode.
  // A 256 MiB page cache: a full-scale snapshot inserts a million origin
  // rows in key order unrelated to insertion order.
  // A reader: a 16 MiB cache of its own (there is one reader per request
  // in flight) and no writes, not even by mistake.
  if (Status st = s->Exec(reader ? "PRAGMA query_only=1; PRAGMA cache_size=-16384"
                                 : "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; "
                                   "PRAGMA foreign_keys=ON; PRAGMA cache_size=-262144",
                          "pragmas");
      !st.ok()) {
    return st;
  }
  // The prefix matching of IncidentQuery::match (more or less specific).
  if (sqlite3_create_function(s->db_, "vigia_prefix_match", 3,
                              SQLITE_UTF8 | SQLITE_DETERMINISTIC | SQLITE_INNOCUOUS, nullptr,
                              PrefixMatchFn, nullptr, nullptr) != SQLITE_OK) {
    return s->Error("register vigia_prefix_match");
  }
  if (reader) {
    Stmt v(s->db_, "PRAGMA user_version");
    if (!v.ok() || v.Step() != SQLITE_ROW) return s->Error("schema version");
    s->version_ = static_cast<int>(v.Int(0));
    if (s->version_ != kSchemaVersion) {
      return Status::InvalidArgument(
          fmt::format("{}: schema version {}, this program reads {}: open it for writing first",
                      path, s->version_, kSchemaVersion));
    }
    return s;
  }
  if (Status st = s->Migrate(); !st.ok()) return st;
  return s;
}

Result<std::optional<uint64_t>> SqliteStore::BeginRead() {
  {
    Stmt begin(db_, stmts_.get(), "BEGIN");
    if (!begin.ok() || begin.Step() != SQLITE_DONE) return Error("begin read");
  }
  Stmt v(db_, stmts_.get(), "PRAGMA data_version");
  if (!v.ok() || v.Step() != SQLITE_ROW) {
    Status st = Error("data version");
    static_cast<void>(Exec("ROLLBACK", "rollback"));  // st is the error to report
    return st;
  }
  return std::optional<uint64_t>(static_cast<uint64_t>(v.Int(0)));
}

void SqliteStore::EndRead() {
  if (sqlite3_get_autocommit(db_) != 0) return;
  Stmt commit(db_, stmts_.get(), "COMMIT");
  if (!commit.ok() || commit.Step() != SQLITE_DONE) static_cast<void>(Exec("ROLLBACK", "end read"));
}

Status SqliteStore::Migrate() {
  Stmt v(db_, "PRAGMA user_version");
  if (!v.ok() || v.Step() != SQLITE_ROW) return Error("schema version");
  version_ = static_cast<int>(v.Int(0));
  if (version_ > kSchemaVersion) {
    return Status::InvalidArgument(
        fmt::format("{}: schema version {} is newer than this program's {}; use a newer Vigía",
                    path_, version_, kSchemaVersion));
  }
  for (; version_ < kSchemaVersion; ++version_) {
    // Each step in its own transaction, with the version bump.
    if (Status s = Exec("BEGIN IMMEDIATE", "migration"); !s.ok()) return s;
    const std::string sql =
        std::string(kMigrations[version_]) + fmt::format("PRAGMA user_version = {};", version_ + 1);
    if (Status s = Exec(sql.c_str(), fmt::format("migration to schema {}", version_ + 1));
        !s.ok()) {
      static_cast<void>(Exec("ROLLBACK", "rollback"));  // s is the error to report
      return s;
    }
    if (Status s = Exec("COMMIT", "migration"); !s.ok()) return s;
  }
  return Status::Ok();
}

int SqliteStore::schema_version() const { return version_; }
int SqliteStore::latest_schema_version() { return kSchemaVersion; }

Result<std::unique_ptr<SnapshotWriter>> SqliteStore::BeginSnapshot(const SnapshotInfo& in) {
  if (Status s = Exec("BEGIN IMMEDIATE", "begin snapshot"); !s.ok()) return s;
  SnapshotInfo info = in;
  info.created = IsoTime(time(nullptr));
  Stmt ins(
      db_, stmts_.get(),
      "INSERT INTO snapshots (date, window_start, window_end, source, created, partial, missing, "
      "dir, provenance) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)");
  ins.Bind(1, info.date);
  ins.Bind(2, info.window_start);
  ins.Bind(3, info.window_end);
  ins.Bind(4, info.source);
  ins.Bind(5, info.created);
  ins.Bind(6, int64_t{info.partial});
  ins.Bind(7, nlohmann::json(info.missing).dump());
  ins.Bind(8, info.dir);
  ins.Bind(9, info.provenance);
  if (!ins.ok() || ins.Step() != SQLITE_DONE) {
    Status s = Error("insert snapshot");
    static_cast<void>(Exec("ROLLBACK", "rollback"));  // s is the error to report
    return s;
  }
  info.id = sqlite3_last_insert_rowid(db_);
  return std::unique_ptr<SnapshotWriter>(new SqliteWriter(this, db_, info));
}

Result<std::vector<SnapshotInfo>> SqliteStore::Snapshots() {
  Stmt q(db_, stmts_.get(),
         "SELECT id, date, window_start, window_end, source, created, partial, missing, dir, "
         "provenance FROM snapshots ORDER BY date DESC, id DESC");
  if (!q.ok()) return Error("list snapshots");
  std::vector<SnapshotInfo> out;
  while (q.Step() == SQLITE_ROW) {
    SnapshotInfo i{q.Int(0), q.Text(1), q.Int(2), q.Int(3), q.Text(4), q.Text(5)};
    i.partial = q.Int(6) != 0;
    i.provenance = q.Text(9);
    i.missing = q.Strings(7);
    i.dir = q.Text(8);
    out.push_back(std::move(i));
  }
  return out;
}

namespace {

// The WHERE clause of an incident query (IncidentQuery) over "incidents i",
// with its parameters numbered as BindIncidentQuery binds them.
std::string IncidentWhere(const IncidentQuery& iq) {
  // The optional filters are left out of the SQL rather than bound as NULL,
  // so that SQLite plans each shape of query with its own index.
  const bool range = !iq.from_date.empty() || !iq.to_date.empty();
  // The snapshots searched: one, or those dated in the range.
  const std::string in_snapshots =
      range ? "snapshot IN (SELECT id FROM snapshots WHERE date >= ?8 AND date <= ?9)"
            : "snapshot = ?1";
  std::string sql;
  // By AS: the rowids from incidents_culprit and incidents_propagator. With
  // "snapshot = ?1 AND (culprit = ?3 OR propagator = ?3) ORDER BY id" SQLite
  // (no sqlite_stat1) walks the whole snapshot by primary key instead, and a
  // "snapshot = ?1" beside the IN makes it do so again.
  if (iq.asn) {
    sql = "i.rowid IN (SELECT rowid FROM incidents WHERE " + in_snapshots +
          " AND culprit = ?3 UNION SELECT rowid FROM incidents WHERE " + in_snapshots +
          " AND propagator = ?3)";
  } else if (iq.victim) {
    // By victim: the (snapshot, id) pairs from incident_victims_asn.
    sql =
        "(i.snapshot, i.id) IN (SELECT snapshot, incident FROM incident_victims WHERE asn = ?10 "
        "AND " +
        in_snapshots + ")";
  } else {
    sql = "i." + in_snapshots;
  }
  if (iq.asn && iq.victim) {
    sql +=
        " AND EXISTS (SELECT 1 FROM incident_victims v WHERE v.snapshot = i.snapshot AND "
        "v.incident = i.id AND v.asn = ?10)";
  }
  if (iq.id) sql += " AND i.id = ?7";
  if (!iq.type.empty()) sql += " AND i.type = ?2";
  if (!iq.prefix.empty()) {
    sql += iq.match == PrefixMatch::kExact ? " AND instr(i.prefixes, '\"' || ?6 || '\"') > 0"
                                           : " AND vigia_prefix_match(i.prefixes, ?6, ?13)";
  }
  if (!iq.country.empty() || !iq.region.empty()) {
    // The culprit or a victim is an AS of the country or region in the
    // incident's snapshot; an AS's region is its country's (the country
    // entity's region), or its own when it has no country.
    const std::string geo =
        !iq.country.empty()
            ? std::string("e.country = ?11")
            : std::string(
                  "(e.country IN (SELECT c.id FROM entities c WHERE c.snapshot = e.snapshot AND "
                  "c.kind = 'country' AND c.region = ?12) OR (e.country = '' AND e.region = ?12))");
    sql +=
        " AND (EXISTS (SELECT 1 FROM entities e WHERE e.snapshot = i.snapshot AND e.kind = 'as' "
        "AND e.id = CAST(i.culprit AS TEXT) AND " +
        geo +
        ") OR EXISTS (SELECT 1 FROM incident_victims v JOIN entities e ON e.snapshot = "
        "v.snapshot AND e.kind = 'as' AND e.id = CAST(v.asn AS TEXT) WHERE v.snapshot = "
        "i.snapshot AND v.incident = i.id AND " +
        geo + "))";
  }
  return sql;
}

void BindIncidentQuery(Stmt& q, const IncidentQuery& iq) {
  if (!iq.from_date.empty() || !iq.to_date.empty()) {
    q.Bind(8, iq.from_date.empty() ? std::string("0000-01-01") : iq.from_date);
    q.Bind(9, iq.to_date.empty() ? std::string("9999-12-31") : iq.to_date);
  } else {
    q.Bind(1, iq.snapshot);
  }
  if (iq.id) q.Bind(7, *iq.id);
  if (!iq.type.empty()) q.Bind(2, iq.type);
  if (iq.asn) q.Bind(3, static_cast<int64_t>(*iq.asn));
  if (iq.victim) q.Bind(10, static_cast<int64_t>(*iq.victim));
  if (!iq.prefix.empty()) q.Bind(6, iq.prefix);
  if (!iq.prefix.empty() && iq.match != PrefixMatch::kExact)
    q.Bind(13, int64_t{iq.match == PrefixMatch::kMore ? 1 : 2});
  if (!iq.country.empty()) q.Bind(11, iq.country);
  if (!iq.region.empty()) q.Bind(12, iq.region);
}

// vigia_prefix_match(PREFIXES, P, MODE): whether one of PREFIXES (a JSON
// array of prefixes, as incidents.prefixes holds them) is P or inside it
// (MODE 1) or is P or covers it (MODE 2). False for text that is no prefix.
void PrefixMatchFn(sqlite3_context* ctx, int, sqlite3_value** argv) {
  const auto* list = sqlite3_value_text(argv[0]);
  const auto* query = sqlite3_value_text(argv[1]);
  const int64_t mode = sqlite3_value_int64(argv[2]);
  if (list == nullptr || query == nullptr) {
    sqlite3_result_int(ctx, 0);
    return;
  }
  const std::optional<Prefix> q = Prefix::Parse(reinterpret_cast<const char*>(query));
  if (!q) {
    sqlite3_result_int(ctx, 0);
    return;
  }
  // The array holds plain prefix strings: split on the quotes rather than
  // parse JSON, once per row.
  std::string_view text(reinterpret_cast<const char*>(list),
                        static_cast<size_t>(sqlite3_value_bytes(argv[0])));
  bool hit = false;
  for (size_t b = text.find('"'); b != std::string_view::npos && !hit;) {
    const size_t e = text.find('"', b + 1);
    if (e == std::string_view::npos) break;
    if (auto p = Prefix::Parse(text.substr(b + 1, e - b - 1)); p && p->family() == q->family()) {
      hit = mode == 1 ? q->Contains(*p) : p->Contains(*q);
    }
    b = text.find('"', e + 1);
  }
  sqlite3_result_int(ctx, hit ? 1 : 0);
}

}  // namespace

Result<std::vector<IncidentRow>> SqliteStore::Incidents(const IncidentQuery& iq) {
  std::string sql =
      "SELECT id, type, kind, culprit, propagator, prefixes, start, \"end\", confidence, evidence, "
      "(SELECT count(*) FROM contests c WHERE c.snapshot = i.snapshot AND c.incident = i.id), "
      "snapshot, "
      "(SELECT date FROM snapshots n WHERE n.id = i.snapshot), cause, "
      "(SELECT group_concat(asn) FROM (SELECT asn FROM incident_victims v WHERE v.snapshot = "
      "i.snapshot AND v.incident = i.id ORDER BY asn)), " +
      std::string(kIncidentStatus) + " FROM incidents i WHERE ";
  sql += IncidentWhere(iq);
  sql += iq.newest_first ? " ORDER BY (SELECT date FROM snapshots n WHERE n.id = i.snapshot) DESC, "
                           "snapshot DESC, start DESC, id DESC"
                         : " ORDER BY snapshot, id";
  sql += " LIMIT ?4 OFFSET ?5";
  Stmt q(db_, stmts_.get(), sql);
  if (!q.ok()) return Error("query incidents");
  BindIncidentQuery(q, iq);
  q.Bind(4, static_cast<int64_t>(std::min<size_t>(iq.limit, 100'000)));
  q.Bind(5, static_cast<int64_t>(iq.offset));
  std::vector<IncidentRow> out;
  while (q.Step() == SQLITE_ROW) {
    IncidentRow r;
    r.id = q.Int(0);
    r.type = q.Text(1);
    r.kind = q.Text(2);
    r.culprit = static_cast<Asn>(q.Int(3));
    if (!q.Null(4)) r.propagator = static_cast<Asn>(q.Int(4));
    r.prefixes = q.Strings(5);
    r.start = q.Int(6);
    r.end = q.Int(7);
    r.confidence = q.Real(8);
    r.evidence = q.Text(9);
    r.contests = q.Int(10);
    r.snapshot = q.Int(11);
    r.date = q.Text(12);
    r.cause = q.Text(13);
    const std::string victims = q.Text(14);
    for (size_t b = 0; b < victims.size();) {
      size_t e = victims.find(',', b);
      if (e == std::string::npos) e = victims.size();
      if (auto a = ParseAsn(victims.substr(b, e - b))) r.victims.push_back(*a);
      b = e + 1;
    }
    r.status = q.Text(15);
    out.push_back(std::move(r));
  }
  return out;
}

Result<int64_t> SqliteStore::CountIncidents(const IncidentQuery& iq) {
  const std::string sql = "SELECT count(*) FROM incidents i WHERE " + IncidentWhere(iq);
  Stmt q(db_, stmts_.get(), sql);
  if (!q.ok()) return Error("count incidents");
  BindIncidentQuery(q, iq);
  if (q.Step() != SQLITE_ROW) return Error("count incidents");
  return q.Int(0);
}

Result<std::map<std::string, int64_t>> SqliteStore::IncidentCounts(int64_t snapshot) {
  Stmt q(db_, stmts_.get(),
         "SELECT type, count(*) FROM incidents WHERE snapshot = ?1 GROUP BY type");
  if (!q.ok()) return Error("count incidents");
  q.Bind(1, snapshot);
  std::map<std::string, int64_t> out;
  while (q.Step() == SQLITE_ROW) out[q.Text(0)] = q.Int(1);
  return out;
}

Result<std::vector<MetricRow>> SqliteStore::Metrics(int64_t snapshot, Asn asn) {
  Stmt q(db_, stmts_.get(),
         "SELECT metric, value, raw FROM metrics WHERE snapshot = ?1 AND asn = ?2 ORDER BY metric");
  if (!q.ok()) return Error("query metrics");
  q.Bind(1, snapshot);
  q.Bind(2, static_cast<int64_t>(asn));
  std::vector<MetricRow> out;
  while (q.Step() == SQLITE_ROW) {
    MetricRow r;
    r.asn = asn;
    r.metric = q.Text(0);
    if (!q.Null(1)) r.value = q.Real(1);
    r.raw = q.Real(2);
    out.push_back(std::move(r));
  }
  return out;
}

Result<std::vector<ScoreRow>> SqliteStore::Scores(int64_t snapshot, const std::string& kind,
                                                  const std::string& entity) {
  Stmt q(db_, stmts_.get(),
         "SELECT action, score, band, members, ready, aspiring, lagging, no_data, score_max, "
         "measured, measured_of FROM scores "
         "WHERE snapshot = ?1 AND entity_kind = ?2 AND "
         "entity = ?3 ORDER BY action");
  if (!q.ok()) return Error("query scores");
  q.Bind(1, snapshot);
  q.Bind(2, kind);
  q.Bind(3, entity);
  std::vector<ScoreRow> out;
  while (q.Step() == SQLITE_ROW) {
    ScoreRow r;
    r.entity_kind = kind;
    r.entity = entity;
    r.action = q.Text(0);
    if (!q.Null(1)) r.score = q.Real(1);
    r.band = q.Text(2);
    r.members = q.Int(3);
    r.ready = q.Int(4);
    r.aspiring = q.Int(5);
    r.lagging = q.Int(6);
    r.no_data = q.Int(7);
    if (!q.Null(8)) r.score_max = q.Real(8);
    r.measured = q.Int(9);
    r.of = q.Int(10);
    out.push_back(std::move(r));
  }
  return out;
}

Result<std::optional<EntityRow>> SqliteStore::Entity(int64_t snapshot, const std::string& kind,
                                                     const std::string& id) {
  Stmt q(db_, stmts_.get(),
         "SELECT name, country, region, manrs, size, detail FROM entities WHERE snapshot = ?1 AND "
         "kind = ?2 "
         "AND id = ?3");
  if (!q.ok()) return Error("query entity");
  q.Bind(1, snapshot);
  q.Bind(2, kind);
  q.Bind(3, id);
  if (q.Step() != SQLITE_ROW) return std::optional<EntityRow>();
  EntityRow r{kind, id, q.Text(0), q.Text(1), q.Text(2), q.Int(3) != 0, q.Int(4), q.Text(5)};
  return std::optional<EntityRow>(std::move(r));
}

Result<std::vector<std::pair<EntityRow, ScoreRow>>> SqliteStore::Ranking(int64_t snapshot,
                                                                         const std::string& kind,
                                                                         size_t limit,
                                                                         size_t offset) {
  Stmt q(db_, stmts_.get(),
         "SELECT e.id, e.name, e.country, e.region, e.manrs, e.size, s.score, s.band, s.members, "
         "s.ready, "
         "s.aspiring, s.lagging, s.no_data, s.score_max, s.measured, s.measured_of FROM entities e "
         "JOIN scores s ON s.snapshot = "
         "e.snapshot AND "
         "s.entity_kind = e.kind AND s.entity = e.id AND s.action = 'overall' "
         "WHERE e.snapshot = ?1 AND e.kind = ?2 ORDER BY s.score IS NULL, s.score DESC, e.id LIMIT "
         "?3 OFFSET ?4");
  if (!q.ok()) return Error("query ranking");
  q.Bind(1, snapshot);
  q.Bind(2, kind);
  q.Bind(3, static_cast<int64_t>(std::min<size_t>(limit, 100'000)));
  q.Bind(4, static_cast<int64_t>(offset));
  std::vector<std::pair<EntityRow, ScoreRow>> out;
  while (q.Step() == SQLITE_ROW) {
    EntityRow e{kind, q.Text(0), q.Text(1), q.Text(2), q.Text(3), q.Int(4) != 0, q.Int(5), ""};
    ScoreRow s;
    s.entity_kind = kind;
    s.entity = e.id;
    s.action = "overall";
    if (!q.Null(6)) s.score = q.Real(6);
    s.band = q.Text(7);
    s.members = q.Int(8);
    s.ready = q.Int(9);
    s.aspiring = q.Int(10);
    s.lagging = q.Int(11);
    s.no_data = q.Int(12);
    if (!q.Null(13)) s.score_max = q.Real(13);
    s.measured = q.Int(14);
    s.of = q.Int(15);
    out.emplace_back(std::move(e), std::move(s));
  }
  return out;
}

Result<std::vector<HistoryPoint>> SqliteStore::History(const std::string& kind,
                                                       const std::string& id, bool monthly) {
  // Daily: one point per snapshot. Monthly: the mean of the snapshots of
  // each calendar month (a day analysed twice counts twice).
  const char* daily_sql =
      "SELECT n.date, n.id, s.action, s.score, 1, s.score_max FROM scores s JOIN snapshots n ON "
      "n.id = "
      "s.snapshot "
      "WHERE s.entity_kind = ?1 AND s.entity = ?2 ORDER BY n.date, n.id, s.action";
  const char* monthly_sql =
      "SELECT substr(n.date, 1, 7) AS month, 0, s.action, avg(s.score), count(*), "
      "avg(s.score_max) FROM scores s "
      "JOIN snapshots n ON n.id = s.snapshot WHERE s.entity_kind = ?1 AND s.entity = ?2 "
      "GROUP BY month, s.action ORDER BY month, s.action";
  Stmt q(db_, stmts_.get(), std::string(monthly ? monthly_sql : daily_sql));
  if (!q.ok()) return Error("query history");
  q.Bind(1, kind);
  q.Bind(2, id);
  std::vector<HistoryPoint> out;
  while (q.Step() == SQLITE_ROW) {
    HistoryPoint p;
    p.date = q.Text(0);
    p.snapshot = q.Int(1);
    p.action = q.Text(2);
    if (!q.Null(3)) p.score = q.Real(3);
    p.snapshots = q.Int(4);
    if (!q.Null(5)) p.score_max = q.Real(5);
    out.push_back(std::move(p));
  }
  return out;
}

Result<std::vector<OriginRow>> SqliteStore::KnownOrigins(const std::string& before_date) {
  Stmt q(db_, stmts_.get(),
         "SELECT prefix, origin, first_date, last_date FROM origins WHERE first_date < ?1");
  if (!q.ok()) return Error("query origins");
  q.Bind(1, before_date);
  std::vector<OriginRow> out;
  while (q.Step() == SQLITE_ROW) {
    out.push_back({q.Text(0), static_cast<Asn>(q.Int(1)), q.Text(2), q.Text(3)});
  }
  return out;
}

Result<ContestRow> SqliteStore::AddContest(const ContestRow& in) {
  ContestRow c = in;
  c.time = IsoTime(time(nullptr));
  Stmt find(db_, stmts_.get(),
            "SELECT n.date, i.type, i.culprit, i.propagator FROM incidents i JOIN snapshots n ON "
            "n.id = i.snapshot "
            "WHERE i.snapshot = ?1 AND i.id = ?2");
  if (!find.ok()) return Error("find incident");
  find.Bind(1, c.snapshot);
  find.Bind(2, c.incident);
  if (find.Step() != SQLITE_ROW) {
    return Status::NotFound(fmt::format("no incident {} in snapshot {}", c.incident, c.snapshot));
  }
  c.date = find.Text(0);
  c.type = find.Text(1);
  c.culprit = static_cast<Asn>(find.Int(2));
  if (!find.Null(3)) c.propagator = static_cast<Asn>(find.Int(3));
  Stmt q(db_, stmts_.get(),
         "INSERT INTO contests (snapshot, incident, author, reason, time, remote) VALUES (?1, ?2, "
         "?3, ?4, ?5, ?6)");
  if (!q.ok()) return Error("insert contest");
  q.Bind(1, c.snapshot);
  q.Bind(2, c.incident);
  q.Bind(3, c.author);
  q.Bind(4, c.reason);
  q.Bind(5, c.time);
  q.Bind(6, c.remote);
  if (q.Step() != SQLITE_DONE) return Error("insert contest");
  c.id = sqlite3_last_insert_rowid(db_);
  return c;
}

namespace {

// The columns every contest query reads, with its incident and its review.
constexpr const char* kContestSelect =
    "SELECT c.id, c.snapshot, c.incident, c.author, c.reason, c.time, c.remote, n.date, i.type, "
    "i.culprit, i.propagator, i.kind, i.prefixes, r.id, r.decision, r.reviewer, r.reason, "
    "r.time, r.remote FROM contests c JOIN incidents i ON i.snapshot = c.snapshot AND i.id = "
    "c.incident JOIN snapshots n ON n.id = c.snapshot LEFT JOIN reviews r ON r.contest = c.id "
    "WHERE ";

std::vector<ContestRow> ReadContests(Stmt& q) {
  std::vector<ContestRow> out;
  while (q.Step() == SQLITE_ROW) {
    ContestRow c;
    c.id = q.Int(0);
    c.snapshot = q.Int(1);
    c.incident = q.Int(2);
    c.author = q.Text(3);
    c.reason = q.Text(4);
    c.time = q.Text(5);
    c.remote = q.Text(6);
    c.date = q.Text(7);
    c.type = q.Text(8);
    c.culprit = static_cast<Asn>(q.Int(9));
    if (!q.Null(10)) c.propagator = static_cast<Asn>(q.Int(10));
    c.kind = q.Text(11);
    c.prefixes = q.Strings(12);
    if (!q.Null(13)) {
      ReviewRow r{q.Int(13), c.id, q.Text(14), q.Text(15), q.Text(16), q.Text(17), q.Text(18)};
      c.state = r.decision;
      c.review = std::move(r);
    }
    out.push_back(std::move(c));
  }
  return out;
}

std::string AsnsJson(const std::vector<Asn>& asns) {
  nlohmann::json a = nlohmann::json::array();
  for (Asn x : asns) a.push_back(x);
  return a.dump();
}

}  // namespace

Result<std::vector<ContestRow>> SqliteStore::Contests(int64_t snapshot, int64_t incident,
                                                      std::optional<Asn> asn, size_t limit) {
  std::string sql = kContestSelect;
  sql += asn ? "(i.culprit = ?3 OR i.propagator = ?3)" : "c.snapshot = ?1 AND c.incident = ?2";
  sql += " ORDER BY c.id DESC LIMIT ?4";
  Stmt q(db_, stmts_.get(), sql);
  if (!q.ok()) return Error("query contests");
  if (asn) {
    q.Bind(3, static_cast<int64_t>(*asn));
  } else {
    q.Bind(1, snapshot);
    q.Bind(2, incident);
  }
  q.Bind(4, static_cast<int64_t>(std::min<size_t>(limit, 100'000)));
  return ReadContests(q);
}

Result<std::vector<ContestRow>> SqliteStore::ListContests(const ContestQuery& cq) {
  std::string sql = kContestSelect;
  sql += "1";
  if (cq.id) sql += " AND c.id = ?1";
  if (cq.state == "submitted") {
    sql += " AND r.id IS NULL";
  } else if (!cq.state.empty()) {
    sql += " AND r.decision = ?2";
  }
  // The ASNs as a bound JSON array, so that the statement stays one shape.
  if (!cq.asns.empty()) {
    sql +=
        " AND EXISTS (SELECT 1 FROM json_each(?3) j WHERE j.value = i.culprit OR j.value = "
        "i.propagator)";
  }
  if (!cq.date.empty()) sql += " AND n.date = ?4";
  sql += " ORDER BY c.id DESC LIMIT ?5 OFFSET ?6";
  Stmt q(db_, stmts_.get(), sql);
  if (!q.ok()) return Error("query contests");
  if (cq.id) q.Bind(1, *cq.id);
  if (!cq.state.empty() && cq.state != "submitted") q.Bind(2, cq.state);
  if (!cq.asns.empty()) q.Bind(3, AsnsJson(cq.asns));
  if (!cq.date.empty()) q.Bind(4, cq.date);
  q.Bind(5, static_cast<int64_t>(std::min<size_t>(cq.limit, 100'000)));
  q.Bind(6, static_cast<int64_t>(cq.offset));
  return ReadContests(q);
}

Result<ReviewRow> SqliteStore::AddReview(const ReviewRow& in) {
  if (in.decision != "accepted" && in.decision != "rejected") {
    return Status::InvalidArgument("a review's decision is 'accepted' or 'rejected'");
  }
  ReviewRow r = in;
  r.time = IsoTime(time(nullptr));
  // The check and the insert in one transaction: a second reviewer racing
  // the first meets the UNIQUE constraint, reported the same way.
  if (Status st = Exec("BEGIN IMMEDIATE", "review"); !st.ok()) return st;
  auto fail = [this](Status st) {
    static_cast<void>(Exec("ROLLBACK", "rollback"));  // st is the error to report
    return st;
  };
  Stmt find(db_, stmts_.get(),
            "SELECT (SELECT decision FROM reviews WHERE contest = c.id) FROM contests c "
            "WHERE c.id = ?1");
  if (!find.ok()) return fail(Error("find contest"));
  find.Bind(1, r.contest);
  if (find.Step() != SQLITE_ROW)
    return fail(Status::NotFound(fmt::format("no contest {}", r.contest)));
  if (!find.Null(0)) {
    return fail(Status::InvalidArgument(
        fmt::format("already reviewed: contest {} was {}", r.contest, find.Text(0))));
  }
  Stmt q(db_, stmts_.get(),
         "INSERT INTO reviews (contest, decision, reviewer, reason, time, remote) VALUES (?1, ?2, "
         "?3, ?4, ?5, ?6)");
  if (!q.ok()) return fail(Error("insert review"));
  q.Bind(1, r.contest);
  q.Bind(2, r.decision);
  q.Bind(3, r.reviewer);
  q.Bind(4, r.reason);
  q.Bind(5, r.time);
  q.Bind(6, r.remote);
  if (q.Step() != SQLITE_DONE) return fail(Error("insert review"));
  r.id = sqlite3_last_insert_rowid(db_);
  if (Status st = Exec("COMMIT", "review"); !st.ok()) return st;
  return r;
}

Result<TokenRow> SqliteStore::AddToken(const TokenRow& in) {
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
  Stmt taken(db_, stmts_.get(), "SELECT 1 FROM tokens WHERE name = ?1");
  if (!taken.ok()) return Error("find token");
  taken.Bind(1, t.name);
  if (taken.Step() == SQLITE_ROW) {
    return Status::InvalidArgument(fmt::format("a token named '{}' exists", t.name));
  }
  Stmt q(db_, stmts_.get(),
         "INSERT INTO tokens (name, role, asns, hash, created) VALUES (?1, ?2, ?3, ?4, ?5)");
  if (!q.ok()) return Error("insert token");
  q.Bind(1, t.name);
  q.Bind(2, t.role);
  q.Bind(3, AsnsJson(t.asns));
  q.Bind(4, t.hash);
  q.Bind(5, t.created);
  if (q.Step() != SQLITE_DONE) return Error("insert token");
  t.id = sqlite3_last_insert_rowid(db_);
  return t;
}

Result<std::vector<TokenRow>> SqliteStore::Tokens() {
  Stmt q(db_, stmts_.get(),
         "SELECT id, name, role, asns, hash, created, revoked FROM tokens ORDER BY id");
  if (!q.ok()) return Error("list tokens");
  std::vector<TokenRow> out;
  while (q.Step() == SQLITE_ROW) {
    TokenRow t;
    t.id = q.Int(0);
    t.name = q.Text(1);
    t.role = q.Text(2);
    t.asns = q.Asns(3);
    t.hash = q.Text(4);
    t.created = q.Text(5);
    t.revoked = q.Text(6);
    out.push_back(std::move(t));
  }
  return out;
}

Status SqliteStore::RevokeToken(int64_t id) {
  Stmt find(db_, stmts_.get(), "SELECT revoked FROM tokens WHERE id = ?1");
  if (!find.ok()) return Error("find token");
  find.Bind(1, id);
  if (find.Step() != SQLITE_ROW) return Status::NotFound(fmt::format("no token {}", id));
  if (!find.Null(0)) {
    return Status::InvalidArgument(fmt::format("token {} was revoked at {}", id, find.Text(0)));
  }
  Stmt q(db_, stmts_.get(), "UPDATE tokens SET revoked = ?2 WHERE id = ?1 AND revoked IS NULL");
  if (!q.ok()) return Error("revoke token");
  q.Bind(1, id);
  q.Bind(2, IsoTime(time(nullptr)));
  if (q.Step() != SQLITE_DONE) return Error("revoke token");
  return Status::Ok();
}

Result<AuditRow> SqliteStore::AddAudit(const AuditRow& in) {
  AuditRow a = in;
  a.time = IsoTime(time(nullptr));
  Stmt q(db_, stmts_.get(),
         "INSERT INTO audit (time, token, who, action, target, remote, outcome) VALUES (?1, ?2, "
         "?3, ?4, ?5, ?6, ?7)");
  if (!q.ok()) return Error("insert audit");
  q.Bind(1, a.time);
  q.Bind(2, a.token);
  q.Bind(3, a.who);
  q.Bind(4, a.action);
  q.Bind(5, a.target);
  q.Bind(6, a.remote);
  q.Bind(7, a.outcome);
  if (q.Step() != SQLITE_DONE) return Error("insert audit");
  a.id = sqlite3_last_insert_rowid(db_);
  return a;
}

Result<std::vector<AuditRow>> SqliteStore::Audit(size_t limit, size_t offset) {
  Stmt q(db_, stmts_.get(),
         "SELECT id, time, token, who, action, target, remote, outcome FROM audit ORDER BY id DESC "
         "LIMIT ?1 OFFSET ?2");
  if (!q.ok()) return Error("query audit");
  q.Bind(1, static_cast<int64_t>(std::min<size_t>(limit, 100'000)));
  q.Bind(2, static_cast<int64_t>(offset));
  std::vector<AuditRow> out;
  while (q.Step() == SQLITE_ROW) {
    out.push_back(
        {q.Int(0), q.Text(1), q.Int(2), q.Text(3), q.Text(4), q.Text(5), q.Text(6), q.Text(7)});
  }
  return out;
}

Result<RsCheckRow> SqliteStore::PutRsCheck(const RsCheckRow& in) {
  if (in.ixp_id.empty()) return Status::InvalidArgument("route-server check without an IXP id");
  if (in.report_json.empty()) return Status::InvalidArgument("route-server check without a report");
  RsCheckRow r = in;
  r.checked_at = IsoTime(time(nullptr));
  Stmt q(db_, stmts_.get(),
         "INSERT INTO rs_checks (ixp_id, checked_at, rib_file, rib_date, report_json) VALUES (?1, "
         "?2, ?3, ?4, ?5)");
  if (!q.ok()) return Error("insert route-server check");
  q.Bind(1, r.ixp_id);
  q.Bind(2, r.checked_at);
  q.Bind(3, r.rib_file);
  q.Bind(4, r.rib_date);
  q.Bind(5, r.report_json);
  if (q.Step() != SQLITE_DONE) return Error("insert route-server check");
  r.id = sqlite3_last_insert_rowid(db_);
  return r;
}

Result<std::optional<RsCheckRow>> SqliteStore::LatestRsCheck(const std::string& ixp_id) {
  Stmt q(db_, stmts_.get(),
         "SELECT id, ixp_id, checked_at, rib_file, rib_date, report_json FROM rs_checks WHERE "
         "ixp_id = ?1 ORDER BY checked_at DESC, id DESC LIMIT 1");
  if (!q.ok()) return Error("query route-server checks");
  q.Bind(1, ixp_id);
  const int rc = q.Step();
  if (rc == SQLITE_DONE) return std::optional<RsCheckRow>();
  if (rc != SQLITE_ROW) return Error("query route-server checks");
  return std::optional<RsCheckRow>(
      RsCheckRow{q.Int(0), q.Text(1), q.Text(2), q.Text(3), q.Text(4), q.Text(5)});
}

Result<LiveEventRow> SqliteStore::AddLiveEvent(const LiveEventRow& in) {
  if (in.rule.empty() || in.key.empty()) {
    return Status::InvalidArgument("live event without a rule or key");
  }
  if (in.phase != "raised" && in.phase != "cleared") {
    return Status::InvalidArgument("live event phase must be raised or cleared, not '" + in.phase +
                                   "'");
  }
  LiveEventRow e = in;
  e.recorded = IsoTime(time(nullptr));
  Stmt q(
      db_, stmts_.get(),
      "INSERT INTO live_events (phase, rule, key, time, peers, type, kind, culprit, propagator, "
      "prefixes, start, \"end\", confidence, cause, victims, evidence, recorded) VALUES (?1, ?2, "
      "?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17)");
  if (!q.ok()) return Error("insert live event");
  q.Bind(1, e.phase);
  q.Bind(2, e.rule);
  q.Bind(3, e.key);
  q.Bind(4, e.time);
  q.Bind(5, e.peers);
  q.Bind(6, e.type);
  q.Bind(7, e.kind);
  q.Bind(8, static_cast<int64_t>(e.culprit));
  q.Bind(9, e.propagator);
  q.Bind(10, nlohmann::json(e.prefixes).dump());
  q.Bind(11, e.start);
  q.Bind(12, e.end);
  q.Bind(13, e.confidence);
  q.Bind(14, e.cause);
  q.Bind(15, nlohmann::json(e.victims).dump());
  q.Bind(16, e.evidence);
  q.Bind(17, e.recorded);
  if (q.Step() != SQLITE_DONE) return Error("insert live event");
  e.id = sqlite3_last_insert_rowid(db_);
  return e;
}

Result<std::vector<LiveEventRow>> SqliteStore::LiveEvents(const LiveEventQuery& lq) {
  std::string sql =
      "SELECT id, phase, rule, key, time, peers, type, kind, culprit, propagator, prefixes, start, "
      "\"end\", confidence, cause, victims, evidence, recorded FROM live_events e WHERE "
      "(?1 = '' OR rule = ?1) AND (?2 = '' OR key = ?2) AND time >= ?3 AND (?4 = 0 OR culprit = ?4 "
      "OR propagator = ?4 OR EXISTS (SELECT 1 FROM json_each(e.victims) WHERE value = ?4))";
  if (lq.open_only) {
    sql +=
        " AND phase = 'raised' AND NOT EXISTS (SELECT 1 FROM live_events l WHERE l.key = e.key AND "
        "l.id > e.id)";
  }
  sql += " ORDER BY id DESC LIMIT ?5 OFFSET ?6";
  Stmt q(db_, stmts_.get(), sql);
  if (!q.ok()) return Error("query live events");
  q.Bind(1, lq.rule);
  q.Bind(2, lq.key);
  q.Bind(3, lq.since);
  q.Bind(4, static_cast<int64_t>(lq.asn));
  q.Bind(5, static_cast<int64_t>(std::min<size_t>(lq.limit, 100'000)));
  q.Bind(6, static_cast<int64_t>(lq.offset));
  std::vector<LiveEventRow> out;
  while (q.Step() == SQLITE_ROW) {
    LiveEventRow e;
    e.id = q.Int(0);
    e.phase = q.Text(1);
    e.rule = q.Text(2);
    e.key = q.Text(3);
    e.time = q.Int(4);
    e.peers = q.Int(5);
    e.type = q.Text(6);
    e.kind = q.Text(7);
    e.culprit = static_cast<Asn>(q.Int(8));
    if (!q.Null(9)) e.propagator = static_cast<Asn>(q.Int(9));
    e.prefixes = q.Strings(10);
    e.start = q.Int(11);
    e.end = q.Int(12);
    e.confidence = q.Real(13);
    e.cause = q.Text(14);
    e.victims = q.Asns(15);
    e.evidence = q.Text(16);
    e.recorded = q.Text(17);
    out.push_back(std::move(e));
  }
  return out;
}

Result<std::vector<RouteRefRow>> SqliteStore::RouteRefs(int64_t snapshot,
                                                        const std::vector<std::string>& prefixes) {
  Stmt q(db_, stmts_.get(),
         "SELECT prefix, kind, asn, max_length, source FROM route_refs WHERE snapshot = ?1 AND "
         "prefix = ?2 ORDER BY kind, asn, max_length, source LIMIT 10000");
  if (!q.ok()) return Error("query route references");
  std::vector<RouteRefRow> out;
  for (const std::string& p : prefixes) {
    q.Bind(1, snapshot);
    q.Bind(2, p);
    while (q.Step() == SQLITE_ROW && out.size() < 10'000) {
      RouteRefRow r;
      r.prefix = q.Text(0);
      r.kind = q.Text(1);
      r.asn = static_cast<Asn>(q.Int(2));
      r.max_length = q.Int(3);
      r.source = q.Text(4);
      out.push_back(std::move(r));
    }
    q.Reset();
  }
  return out;
}

Result<std::optional<RouteRefTotals>> SqliteStore::RouteRefTotalsOf(int64_t snapshot) {
  Stmt q(db_, stmts_.get(),
         "SELECT vrps, route_objects, kept, truncated FROM route_ref_totals WHERE snapshot = ?1");
  if (!q.ok()) return Error("query route reference totals");
  q.Bind(1, snapshot);
  if (q.Step() != SQLITE_ROW) return std::optional<RouteRefTotals>();
  return std::optional<RouteRefTotals>(RouteRefTotals{q.Int(0), q.Int(1), q.Int(2), q.Int(3) != 0});
}

Result<std::vector<RouteSeenRow>> SqliteStore::RoutesSeen(int64_t snapshot,
                                                          const std::string& prefix) {
  Stmt q(db_, stmts_.get(),
         "SELECT origin, peers, collectors, path, first, last FROM routes_seen WHERE snapshot = ?1 "
         "AND prefix = ?2 ORDER BY origin LIMIT 1000");
  if (!q.ok()) return Error("query routes seen");
  q.Bind(1, snapshot);
  q.Bind(2, prefix);
  std::vector<RouteSeenRow> out;
  while (q.Step() == SQLITE_ROW) {
    RouteSeenRow r;
    r.prefix = prefix;
    r.origin = static_cast<Asn>(q.Int(0));
    r.peers = q.Int(1);
    r.collectors = q.Strings(2);
    r.path = q.Text(3);
    r.first = q.Int(4);
    r.last = q.Int(5);
    out.push_back(std::move(r));
  }
  return out;
}

Result<std::vector<OriginRow>> SqliteStore::OriginsOf(const std::string& prefix) {
  Stmt q(db_, stmts_.get(),
         "SELECT prefix, origin, first_date, last_date FROM origins WHERE prefix = ?1 ORDER BY "
         "origin LIMIT 1000");
  if (!q.ok()) return Error("query origins");
  q.Bind(1, prefix);
  std::vector<OriginRow> out;
  while (q.Step() == SQLITE_ROW) {
    out.push_back({q.Text(0), static_cast<Asn>(q.Int(1)), q.Text(2), q.Text(3)});
  }
  return out;
}

Result<std::vector<EntityRow>> SqliteStore::Search(int64_t snapshot, const std::string& text,
                                                   size_t limit) {
  // An ASN ("64496", "AS64496", "as64496") matches its AS exactly; any
  // text matches names (ASCII case-insensitive) and ids of countries and
  // IXPs. LIKE's wildcards in the text are taken literally.
  std::string id = text;
  if (const std::optional<Asn> asn = ParseAsn(text, AsnSyntax{.require_as_prefix = true}))
    id = std::to_string(*asn);
  std::string like = "%";
  for (char ch : text) {
    if (ch == '%' || ch == '_' || ch == '\\') like += '\\';
    like += ch;
  }
  like += '%';
  Stmt q(db_, stmts_.get(),
         "SELECT kind, id, name, country, region, manrs, size, "
         "CASE WHEN id = ?2 COLLATE NOCASE THEN 0 WHEN name LIKE ?3 ESCAPE '\\' THEN 1 ELSE 2 END "
         "AS rank "
         "FROM entities WHERE snapshot = ?1 AND kind IN ('as', 'country', 'ixp') "
         "AND (id = ?2 COLLATE NOCASE OR name LIKE ?3 ESCAPE '\\') "
         "ORDER BY rank, kind = 'as', size DESC, id LIMIT ?4");
  if (!q.ok()) return Error("search");
  q.Bind(1, snapshot);
  q.Bind(2, id);
  q.Bind(3, like);
  q.Bind(4, static_cast<int64_t>(std::min<size_t>(limit, 1000)));
  std::vector<EntityRow> out;
  while (q.Step() == SQLITE_ROW) {
    out.push_back(
        {q.Text(0), q.Text(1), q.Text(2), q.Text(3), q.Text(4), q.Int(5) != 0, q.Int(6), ""});
  }
  return out;
}

}  // namespace vigia::store
