// The embedded store: one SQLite file, WAL journal, a versioned schema with
// migrations, one transaction per snapshot, parameterised statements only.
#include "store/sqlite_store.h"

#include <fmt/format.h>
#include <sqlite3.h>

#include <ctime>
#include <nlohmann/json.hpp>

#include "core/asn.h"
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
    // 4 -> 5: scores as intervals with their coverage (score_max, measured
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
};
constexpr int kSchemaVersion = static_cast<int>(std::size(kMigrations));

// A prepared statement, finalised on destruction.
class Stmt {
 public:
  Stmt(sqlite3* db, const char* sql) { rc_ = sqlite3_prepare_v2(db, sql, -1, &s_, nullptr); }
  ~Stmt() { sqlite3_finalize(s_); }
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

 private:
  sqlite3_stmt* s_ = nullptr;
  int rc_ = SQLITE_ERROR;
};

class SqliteWriter : public SnapshotWriter {
 public:
  SqliteWriter(SqliteStore* store, sqlite3* db, SnapshotInfo info)
      : store_(store),
        db_(db),
        info_(std::move(info)),
        incident_(db,
                  "INSERT INTO incidents VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)"),
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
    if (r.propagator) {
      s.Bind(6, static_cast<int64_t>(*r.propagator));
    } else {
      s.BindNull(6);
    }
    s.Bind(7, nlohmann::json(r.prefixes).dump());
    s.Bind(8, r.start);
    s.Bind(9, r.end);
    s.Bind(10, r.confidence);
    s.Bind(11, r.evidence);
    return Run(s, "incident");
  }
  Status AddMetric(const MetricRow& r) override {
    Stmt& s = metric_;
    s.Bind(1, info_.id);
    s.Bind(2, static_cast<int64_t>(r.asn));
    s.Bind(3, r.metric);
    if (r.value) {
      s.Bind(4, *r.value);
    } else {
      s.BindNull(4);
    }
    s.Bind(5, r.raw);
    return Run(s, "metric");
  }
  Status AddScore(const ScoreRow& r) override {
    Stmt& s = score_;
    s.Bind(1, info_.id);
    s.Bind(2, r.entity_kind);
    s.Bind(3, r.entity);
    s.Bind(4, r.action);
    if (r.score) {
      s.Bind(5, *r.score);
    } else {
      s.BindNull(5);
    }
    s.Bind(6, r.band);
    s.Bind(7, r.members);
    s.Bind(8, r.ready);
    s.Bind(9, r.aspiring);
    s.Bind(10, r.lagging);
    s.Bind(11, r.no_data);
    if (r.score_max) {
      s.Bind(12, *r.score_max);
    } else {
      s.BindNull(12);
    }
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
  Stmt incident_, metric_, score_, entity_, origin_;
  bool done_ = false;
};

}  // namespace

Result<std::unique_ptr<Store>> OpenSqliteStore(const std::string& path) {
  if (path.empty())
    return Status::InvalidArgument("sqlite: the store needs a file path (sqlite:PATH)");
  auto s = SqliteStore::Open(path);
  if (!s.ok()) return s.status();
  return std::unique_ptr<Store>(std::move(s).value());
}

SqliteStore::~SqliteStore() { sqlite3_close(db_); }

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
  std::unique_ptr<SqliteStore> s(new SqliteStore);
  s->path_ = path;
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
  if (Status st =
          s->Exec("PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON; "
                  "PRAGMA cache_size=-262144",
                  "pragmas");
      !st.ok()) {
    return st;
  }
  if (Status st = s->Migrate(); !st.ok()) return st;
  return s;
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
      db_,
      "INSERT INTO snapshots (date, window_start, window_end, source, created, partial, missing, "
      "provenance) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)");
  ins.Bind(1, info.date);
  ins.Bind(2, info.window_start);
  ins.Bind(3, info.window_end);
  ins.Bind(4, info.source);
  ins.Bind(5, info.created);
  ins.Bind(6, int64_t{info.partial});
  ins.Bind(7, nlohmann::json(info.missing).dump());
  ins.Bind(8, info.provenance);
  if (!ins.ok() || ins.Step() != SQLITE_DONE) {
    Status s = Error("insert snapshot");
    static_cast<void>(Exec("ROLLBACK", "rollback"));  // s is the error to report
    return s;
  }
  info.id = sqlite3_last_insert_rowid(db_);
  return std::unique_ptr<SnapshotWriter>(new SqliteWriter(this, db_, info));
}

Result<std::vector<SnapshotInfo>> SqliteStore::Snapshots() {
  Stmt q(db_,
         "SELECT id, date, window_start, window_end, source, created, partial, missing, provenance "
         "FROM snapshots ORDER BY date DESC, id DESC");
  if (!q.ok()) return Error("list snapshots");
  std::vector<SnapshotInfo> out;
  while (q.Step() == SQLITE_ROW) {
    SnapshotInfo i{q.Int(0), q.Text(1), q.Int(2), q.Int(3), q.Text(4), q.Text(5)};
    i.partial = q.Int(6) != 0;
    i.provenance = q.Text(8);
    const auto missing = nlohmann::json::parse(q.Text(7), nullptr, false);
    if (missing.is_array()) {
      for (const auto& m : missing) {
        if (m.is_string()) i.missing.push_back(m.get<std::string>());
      }
    }
    out.push_back(std::move(i));
  }
  return out;
}

Result<std::vector<IncidentRow>> SqliteStore::Incidents(const IncidentQuery& iq) {
  // The optional filters are left out of the SQL rather than bound as NULL,
  // so that SQLite plans each shape of query with its own index.
  const bool range = !iq.from_date.empty() || !iq.to_date.empty();
  // The snapshots searched: one, or those dated in the range.
  const std::string in_snapshots =
      range ? "snapshot IN (SELECT id FROM snapshots WHERE date >= ?8 AND date <= ?9)"
            : "snapshot = ?1";
  std::string sql =
      "SELECT id, type, kind, culprit, propagator, prefixes, start, \"end\", confidence, evidence, "
      "(SELECT count(*) FROM contests c WHERE c.snapshot = i.snapshot AND c.incident = i.id), "
      "snapshot, "
      "(SELECT date FROM snapshots n WHERE n.id = i.snapshot) FROM incidents i WHERE ";
  // By AS: the rowids from incidents_culprit and incidents_propagator. With
  // "snapshot = ?1 AND (culprit = ?3 OR propagator = ?3) ORDER BY id" SQLite
  // (no sqlite_stat1) walks the whole snapshot by primary key instead, and a
  // "snapshot = ?1" beside the IN makes it do so again.
  sql += iq.asn ? "i.rowid IN (SELECT rowid FROM incidents WHERE " + in_snapshots +
                      " AND culprit = ?3 UNION SELECT rowid FROM incidents WHERE " + in_snapshots +
                      " AND propagator = ?3)"
                : in_snapshots;
  if (iq.id) sql += " AND id = ?7";
  if (!iq.type.empty()) sql += " AND type = ?2";
  if (!iq.prefix.empty()) sql += " AND instr(prefixes, '\"' || ?6 || '\"') > 0";
  sql += " ORDER BY snapshot, id LIMIT ?4 OFFSET ?5";
  Stmt q(db_, sql.c_str());
  if (!q.ok()) return Error("query incidents");
  if (range) {
    q.Bind(8, iq.from_date.empty() ? std::string("0000-01-01") : iq.from_date);
    q.Bind(9, iq.to_date.empty() ? std::string("9999-12-31") : iq.to_date);
  } else {
    q.Bind(1, iq.snapshot);
  }
  if (iq.id) q.Bind(7, *iq.id);
  if (!iq.type.empty()) q.Bind(2, iq.type);
  if (iq.asn) q.Bind(3, static_cast<int64_t>(*iq.asn));
  if (!iq.prefix.empty()) q.Bind(6, iq.prefix);
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
    const auto prefixes = nlohmann::json::parse(q.Text(5), nullptr, false);
    if (prefixes.is_array()) {
      for (const auto& p : prefixes) {
        if (p.is_string()) r.prefixes.push_back(p.get<std::string>());
      }
    }
    r.start = q.Int(6);
    r.end = q.Int(7);
    r.confidence = q.Real(8);
    r.evidence = q.Text(9);
    r.contests = q.Int(10);
    r.snapshot = q.Int(11);
    r.date = q.Text(12);
    out.push_back(std::move(r));
  }
  return out;
}

Result<std::map<std::string, int64_t>> SqliteStore::IncidentCounts(int64_t snapshot) {
  Stmt q(db_, "SELECT type, count(*) FROM incidents WHERE snapshot = ?1 GROUP BY type");
  if (!q.ok()) return Error("count incidents");
  q.Bind(1, snapshot);
  std::map<std::string, int64_t> out;
  while (q.Step() == SQLITE_ROW) out[q.Text(0)] = q.Int(1);
  return out;
}

Result<std::vector<MetricRow>> SqliteStore::Metrics(int64_t snapshot, Asn asn) {
  Stmt q(db_,
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
  Stmt q(db_,
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
  Stmt q(db_,
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
  Stmt q(db_,
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
  Stmt q(db_, monthly ? monthly_sql : daily_sql);
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
  Stmt q(db_, "SELECT prefix, origin, first_date, last_date FROM origins WHERE first_date < ?1");
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
  Stmt find(db_,
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
  Stmt q(db_,
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

Result<std::vector<ContestRow>> SqliteStore::Contests(int64_t snapshot, int64_t incident,
                                                      std::optional<Asn> asn, size_t limit) {
  std::string sql =
      "SELECT c.id, c.snapshot, c.incident, c.author, c.reason, c.time, c.remote, n.date, i.type, "
      "i.culprit, "
      "i.propagator FROM contests c JOIN incidents i ON i.snapshot = c.snapshot AND i.id = "
      "c.incident "
      "JOIN snapshots n ON n.id = c.snapshot WHERE ";
  sql += asn ? "(i.culprit = ?3 OR i.propagator = ?3)" : "c.snapshot = ?1 AND c.incident = ?2";
  sql += " ORDER BY c.id DESC LIMIT ?4";
  Stmt q(db_, sql.c_str());
  if (!q.ok()) return Error("query contests");
  if (asn) {
    q.Bind(3, static_cast<int64_t>(*asn));
  } else {
    q.Bind(1, snapshot);
    q.Bind(2, incident);
  }
  q.Bind(4, static_cast<int64_t>(std::min<size_t>(limit, 100'000)));
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
    out.push_back(std::move(c));
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
  Stmt q(db_,
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
