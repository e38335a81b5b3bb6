#include "store/sqlite_store.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <sqlite3.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>

namespace vigia::store {
namespace {

namespace fs = std::filesystem;

fs::path TempDb(const std::string& name) {
  const fs::path dir = fs::temp_directory_path() / ("vigia_store_" + name + "_" + std::to_string(getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  return dir / "vigia.db";
}

// Runs one SQL statement on a file with the plain SQLite API; returns the
// first column of the first row.
std::string Sql(const fs::path& db, const std::string& sql) {
  sqlite3* h = nullptr;
  EXPECT_EQ(sqlite3_open(db.c_str(), &h), SQLITE_OK);
  sqlite3_stmt* s = nullptr;
  std::string out;
  if (sqlite3_prepare_v2(h, sql.c_str(), -1, &s, nullptr) == SQLITE_OK && sqlite3_step(s) == SQLITE_ROW &&
      sqlite3_column_text(s, 0)) {
    out = reinterpret_cast<const char*>(sqlite3_column_text(s, 0));
  }
  sqlite3_finalize(s);
  sqlite3_close(h);
  return out;
}

SnapshotInfo Info(const std::string& date) {
  SnapshotInfo i;
  i.date = date;
  i.window_start = 1795305600;
  i.window_end = 1795478400;
  i.source = "sha256:test";
  return i;
}

IncidentRow Incident(int64_t id, const std::string& type, Asn culprit, std::optional<Asn> prop) {
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

TEST(SqliteStore, CreatesTheSchemaAndReopens) {
  const fs::path db = TempDb("schema");
  {
    auto s = SqliteStore::Open(db.string());
    ASSERT_TRUE(s.ok()) << s.status().message();
    EXPECT_EQ((*s)->schema_version(), SqliteStore::latest_schema_version());
  }
  EXPECT_EQ(Sql(db, "PRAGMA journal_mode"), "wal");
  EXPECT_EQ(Sql(db, "PRAGMA user_version"), std::to_string(SqliteStore::latest_schema_version()));
  auto again = Store::Open("sqlite:" + db.string());
  ASSERT_TRUE(again.ok());
  EXPECT_EQ((*again)->schema_version(), SqliteStore::latest_schema_version());
  fs::remove_all(db.parent_path());
}

TEST(SqliteStore, MigratesAnOlderFileAndRefusesANewerOne) {
  const fs::path old_db = TempDb("old");
  Sql(old_db, "CREATE TABLE notes (x TEXT)");  // a version-0 file with something in it
  auto s = SqliteStore::Open(old_db.string());
  ASSERT_TRUE(s.ok()) << s.status().message();
  EXPECT_EQ((*s)->schema_version(), SqliteStore::latest_schema_version());
  EXPECT_EQ(Sql(old_db, "SELECT count(*) FROM sqlite_master WHERE name = 'notes'"), "1");

  const fs::path new_db = TempDb("new");
  Sql(new_db, "PRAGMA user_version = 999");
  auto n = SqliteStore::Open(new_db.string());
  ASSERT_FALSE(n.ok());
  EXPECT_NE(n.status().message().find("newer"), std::string::npos) << n.status().message();
  EXPECT_NE(n.status().message().find(new_db.string()), std::string::npos);
  EXPECT_FALSE(Store::Open("clickhouse://localhost:9000/vigia").ok());
  fs::remove_all(old_db.parent_path());
  fs::remove_all(new_db.parent_path());
}

// A file written by schema 1 (the first release of the store) keeps its
// snapshot through the migrations to 3; its scores read back with members 1.
TEST(SqliteStore, MigratesSchemaOneWithItsData) {
  const fs::path db = TempDb("v1");
  Sql(db,
      "CREATE TABLE snapshots (id INTEGER PRIMARY KEY, date TEXT NOT NULL, window_start INTEGER NOT NULL, "
      "window_end INTEGER NOT NULL, source TEXT NOT NULL, created TEXT NOT NULL)");
  Sql(db,
      "CREATE TABLE scores (snapshot INTEGER NOT NULL REFERENCES snapshots(id), entity_kind TEXT NOT NULL, "
      "entity TEXT NOT NULL, action TEXT NOT NULL, score REAL, band TEXT NOT NULL, "
      "PRIMARY KEY (snapshot, entity_kind, entity, action))");
  Sql(db,
      "CREATE TABLE incidents (snapshot INTEGER NOT NULL REFERENCES snapshots(id), id INTEGER NOT NULL, "
      "type TEXT NOT NULL, kind TEXT NOT NULL, culprit INTEGER NOT NULL, propagator INTEGER, prefixes TEXT NOT NULL, "
      "start INTEGER NOT NULL, \"end\" INTEGER NOT NULL, confidence REAL NOT NULL, evidence TEXT NOT NULL, "
      "PRIMARY KEY (snapshot, id))");
  Sql(db, "INSERT INTO snapshots VALUES (1, '2026-11-01', 0, 86400, 'old', '2026-11-02T00:00:00Z')");
  Sql(db, "INSERT INTO scores VALUES (1, 'as', '64500', 'overall', 75.5, 'aspiring')");
  Sql(db, "PRAGMA user_version = 1");
  auto s = SqliteStore::Open(db.string());
  ASSERT_TRUE(s.ok()) << s.status().message();
  EXPECT_EQ((*s)->schema_version(), SqliteStore::latest_schema_version());
  EXPECT_EQ(SqliteStore::latest_schema_version(), 3);
  auto rows = (*s)->Scores(1, "as", "64500");
  ASSERT_TRUE(rows.ok());
  ASSERT_EQ(rows->size(), 1u);
  EXPECT_EQ(*(*rows)[0].score, 75.5);
  EXPECT_EQ((*rows)[0].members, 1);
  fs::remove_all(db.parent_path());
}

// Entities, rankings, daily and monthly history, and the origin history.
TEST(SqliteStore, EntitiesHistoryAndOrigins) {
  const fs::path db = TempDb("history");
  auto s = SqliteStore::Open(db.string());
  ASSERT_TRUE(s.ok());
  const std::pair<const char*, double> days[] = {{"2026-10-30", 40}, {"2026-10-31", 60}, {"2026-11-01", 90}};
  for (const auto& [date, score] : days) {
    auto w = (*s)->BeginSnapshot(Info(date));
    ASSERT_TRUE(w.ok());
    EntityRow e{"as", "64500", "Example Net", "BR", "lacnic", true, 12, R"({"fixes":[]})"};
    ASSERT_TRUE((*w)->AddEntity(e).ok());
    ASSERT_TRUE((*w)->AddEntity({"as", "64501", "Other", "MX", "lacnic", false, 3, "{}"}).ok());
    ScoreRow r{"as", "64500", "overall", score, score >= 80 ? "ready" : "lagging"};
    ASSERT_TRUE((*w)->AddScore(r).ok());
    ASSERT_TRUE((*w)->AddScore({"as", "64501", "overall", 70.0, "aspiring"}).ok());
    ScoreRow g{"region", "lacnic", "overall", 55.0, "aspiring", 2, 1, 1, 0, 0};
    ASSERT_TRUE((*w)->AddScore(g).ok());
    ASSERT_TRUE((*w)->AddOrigin("192.0.2.0/24", 64500).ok());
    if (std::string(date) == "2026-11-01") {
      ASSERT_TRUE((*w)->AddOrigin("198.51.100.0/24", 64501).ok());
    }
    ASSERT_TRUE((*w)->Commit().ok());
  }
  auto snaps = (*s)->Snapshots();
  ASSERT_TRUE(snaps.ok());
  const int64_t newest = (*snaps)[0].id;
  auto e = (*s)->Entity(newest, "as", "64500");
  ASSERT_TRUE(e.ok() && e->has_value());
  EXPECT_EQ((*e)->name, "Example Net");
  EXPECT_TRUE((*e)->manrs);
  EXPECT_EQ((*e)->size, 12);
  auto none = (*s)->Entity(newest, "as", "1");
  ASSERT_TRUE(none.ok());
  EXPECT_FALSE(none->has_value());
  auto rank = (*s)->Ranking(newest, "as", 10, 0);
  ASSERT_TRUE(rank.ok());
  ASSERT_EQ(rank->size(), 2u);
  EXPECT_EQ((*rank)[0].first.id, "64500");  // 90 before 70
  EXPECT_EQ(*(*rank)[1].second.score, 70);
  auto agg = (*s)->Scores(newest, "region", "lacnic");
  ASSERT_TRUE(agg.ok() && agg->size() == 1);
  EXPECT_EQ((*agg)[0].members, 2);
  EXPECT_EQ((*agg)[0].ready, 1);
  EXPECT_EQ((*agg)[0].aspiring, 1);

  auto daily = (*s)->History("as", "64500", false);
  ASSERT_TRUE(daily.ok());
  ASSERT_EQ(daily->size(), 3u);
  EXPECT_EQ((*daily)[0].date, "2026-10-30");
  EXPECT_EQ(*(*daily)[2].score, 90);
  auto monthly = (*s)->History("as", "64500", true);
  ASSERT_TRUE(monthly.ok());
  ASSERT_EQ(monthly->size(), 2u);
  EXPECT_EQ((*monthly)[0].date, "2026-10");
  EXPECT_EQ(*(*monthly)[0].score, 50);  // (40 + 60) / 2
  EXPECT_EQ((*monthly)[0].snapshots, 2);
  EXPECT_EQ(*(*monthly)[1].score, 90);

  auto known = (*s)->KnownOrigins("2026-11-01");
  ASSERT_TRUE(known.ok());
  ASSERT_EQ(known->size(), 1u);  // 198.51.100.0/24 is first seen on 2026-11-01 itself
  EXPECT_EQ((*known)[0].prefix, "192.0.2.0/24");
  EXPECT_EQ((*known)[0].first_date, "2026-10-30");
  EXPECT_EQ((*known)[0].last_date, "2026-11-01");
  auto all = (*s)->KnownOrigins("9999");
  ASSERT_TRUE(all.ok());
  EXPECT_EQ(all->size(), 2u);
  fs::remove_all(db.parent_path());
}

TEST(SqliteStore, WritesASnapshotAndReadsItBack) {
  const fs::path db = TempDb("rw");
  auto s = SqliteStore::Open(db.string());
  ASSERT_TRUE(s.ok());
  auto w = (*s)->BeginSnapshot(Info("2026-11-22"));
  ASSERT_TRUE(w.ok()) << w.status().message();
  ASSERT_TRUE((*w)->AddIncident(Incident(1, "hijack", 64500, 64501)).ok());
  ASSERT_TRUE((*w)->AddIncident(Incident(2, "route_leak", 64502, 64500)).ok());
  // Text is bound, never spliced into SQL.
  ASSERT_TRUE((*w)->AddIncident(Incident(3, "bogon_asn'); DROP TABLE incidents; --", 64503, std::nullopt)).ok());
  ASSERT_TRUE((*w)->AddMetric({64500, "M2", 36.0, 2.0}).ok());
  ASSERT_TRUE((*w)->AddMetric({64500, "M5", std::nullopt, 0}).ok());
  ASSERT_TRUE((*w)->AddScore({"country", "BR", "action1", 81.5, "aspiring"}).ok());
  // A duplicate key is refused and named.
  Status dup = (*w)->AddIncident(Incident(1, "hijack", 1, std::nullopt));
  EXPECT_FALSE(dup.ok());
  EXPECT_NE(dup.message().find("incident"), std::string::npos) << dup.message();
  auto info = (*w)->Commit();
  ASSERT_TRUE(info.ok()) << info.status().message();
  EXPECT_FALSE((*w)->Commit().ok());
  const int64_t id = info->id;

  auto list = (*s)->Snapshots();
  ASSERT_TRUE(list.ok());
  ASSERT_EQ(list->size(), 1u);
  EXPECT_EQ((*list)[0].date, "2026-11-22");
  EXPECT_EQ((*list)[0].source, "sha256:test");
  EXPECT_FALSE((*list)[0].created.empty());

  auto all = (*s)->Incidents({id});
  ASSERT_TRUE(all.ok());
  ASSERT_EQ(all->size(), 3u);
  EXPECT_EQ((*all)[0].prefixes, (std::vector<std::string>{"192.0.2.0/24", "2001:db8::/32"}));
  EXPECT_EQ((*all)[0].evidence, R"({"paths":["64500 64501"]})");
  EXPECT_DOUBLE_EQ((*all)[0].confidence, 0.75);
  EXPECT_EQ((*all)[2].type, "bogon_asn'); DROP TABLE incidents; --");
  EXPECT_FALSE((*all)[2].propagator.has_value());
  // By type, by AS (as culprit or propagator), paged.
  EXPECT_EQ((*s)->Incidents({id, "route_leak"})->size(), 1u);
  auto by_as = (*s)->Incidents({id, "", 64500});
  ASSERT_TRUE(by_as.ok());
  EXPECT_EQ(by_as->size(), 2u);
  auto page = (*s)->Incidents({id, "", std::nullopt, 1, 1});
  ASSERT_EQ(page->size(), 1u);
  EXPECT_EQ((*page)[0].id, 2);

  auto m = (*s)->Metrics(id, 64500);
  ASSERT_TRUE(m.ok());
  ASSERT_EQ(m->size(), 2u);
  EXPECT_EQ((*m)[0].metric, "M2");
  EXPECT_DOUBLE_EQ(*(*m)[0].value, 36.0);
  EXPECT_FALSE((*m)[1].value.has_value());  // no data
  auto sc = (*s)->Scores(id, "country", "BR");
  ASSERT_EQ(sc->size(), 1u);
  EXPECT_EQ((*sc)[0].band, "aspiring");
  fs::remove_all(db.parent_path());
}

TEST(SqliteStore, AnUncommittedSnapshotLeavesNothing) {
  const fs::path db = TempDb("abort");
  auto s = SqliteStore::Open(db.string());
  ASSERT_TRUE(s.ok());
  {
    auto w = (*s)->BeginSnapshot(Info("2026-11-22"));
    ASSERT_TRUE(w.ok());
    ASSERT_TRUE((*w)->AddIncident(Incident(1, "hijack", 64500, 64501)).ok());
  }
  EXPECT_TRUE((*s)->Snapshots()->empty());
  EXPECT_EQ(Sql(db, "SELECT count(*) FROM incidents"), "0");
  // And the store goes on working.
  auto w = (*s)->BeginSnapshot(Info("2026-11-23"));
  ASSERT_TRUE(w.ok());
  ASSERT_TRUE((*w)->Commit().ok());
  EXPECT_EQ((*s)->Snapshots()->size(), 1u);
  fs::remove_all(db.parent_path());
}

// SPEC §5: a kill during a write leaves the earlier snapshots intact. A
// child process writes a large snapshot and is killed (SIGKILL) in the
// middle; the file then holds exactly the snapshot committed before.
TEST(SqliteStore, KillDuringAWriteKeepsEarlierSnapshots) {
  const fs::path db = TempDb("kill");
  {
    auto s = SqliteStore::Open(db.string());
    ASSERT_TRUE(s.ok());
    auto w = (*s)->BeginSnapshot(Info("2026-11-21"));
    ASSERT_TRUE(w.ok());
    for (int i = 0; i < 500; ++i) ASSERT_TRUE((*w)->AddIncident(Incident(i, "hijack", 64500, 64501)).ok());
    ASSERT_TRUE((*w)->Commit().ok());
  }
  int ready[2];
  ASSERT_EQ(pipe(ready), 0);
  const pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    close(ready[0]);
    auto s = SqliteStore::Open(db.string());
    if (!s.ok()) _exit(3);
    auto w = (*s)->BeginSnapshot(Info("2026-11-22"));
    if (!w.ok()) _exit(4);
    for (int i = 0;; ++i) {
      if (!(*w)->AddIncident(Incident(i, "route_leak", 64502, 64500)).ok()) _exit(5);
      if (i == 20'000) {
        const char c = 'x';
        if (write(ready[1], &c, 1) != 1) _exit(6);
      }
    }
  }
  close(ready[1]);
  char c = 0;
  ASSERT_EQ(read(ready[0], &c, 1), 1) << "the writer did not start";
  usleep(50'000);  // let it write on
  kill(child, SIGKILL);
  int status = 0;
  waitpid(child, &status, 0);
  close(ready[0]);
  ASSERT_TRUE(WIFSIGNALED(status));
  EXPECT_EQ(WTERMSIG(status), SIGKILL);

  EXPECT_EQ(Sql(db, "PRAGMA integrity_check"), "ok");
  auto s = SqliteStore::Open(db.string());
  ASSERT_TRUE(s.ok()) << s.status().message();
  auto list = (*s)->Snapshots();
  ASSERT_TRUE(list.ok());
  ASSERT_EQ(list->size(), 1u);
  EXPECT_EQ((*list)[0].date, "2026-11-21");
  EXPECT_EQ((*s)->Incidents({(*list)[0].id, "", std::nullopt, 100'000})->size(), 500u);
  EXPECT_EQ(Sql(db, "SELECT count(*) FROM incidents"), "500");
  // The store takes the next snapshot normally.
  auto w = (*s)->BeginSnapshot(Info("2026-11-22"));
  ASSERT_TRUE(w.ok()) << w.status().message();
  ASSERT_TRUE((*w)->AddIncident(Incident(1, "route_leak", 64502, 64500)).ok());
  ASSERT_TRUE((*w)->Commit().ok());
  EXPECT_EQ((*s)->Snapshots()->size(), 2u);
  fs::remove_all(db.parent_path());
}

// A date range reads the incidents of every snapshot dated in it, in
// snapshot order, each with its snapshot's id and date.
TEST(SqliteStore, IncidentsOverADateRange) {
  const fs::path db = TempDb("range");
  auto s = SqliteStore::Open(db.string());
  ASSERT_TRUE(s.ok());
  for (const char* date : {"2026-11-20", "2026-11-21", "2026-11-22"}) {
    auto w = (*s)->BeginSnapshot(Info(date));
    ASSERT_TRUE(w.ok());
    ASSERT_TRUE((*w)->AddIncident(Incident(1, "hijack", 64500, 64501)).ok());
    ASSERT_TRUE((*w)->AddIncident(Incident(2, "route_leak", 64502, std::nullopt)).ok());
    ASSERT_TRUE((*w)->Commit().ok());
  }
  IncidentQuery q;
  q.from_date = "2026-11-21";
  q.to_date = "2026-11-22";
  auto r = (*s)->Incidents(q);
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->size(), 4u);
  EXPECT_EQ((*r)[0].date, "2026-11-21");
  EXPECT_EQ((*r)[3].date, "2026-11-22");
  EXPECT_LT((*r)[0].snapshot, (*r)[3].snapshot);
  q.asn = 64501;  // as propagator, through the index
  r = (*s)->Incidents(q);
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->size(), 2u);
  EXPECT_EQ((*r)[1].type, "hijack");
  q.asn.reset();
  q.to_date.clear();  // open end
  q.type = "route_leak";
  EXPECT_EQ((*s)->Incidents(q)->size(), 2u);
  q.from_date = "2026-11-23";
  EXPECT_TRUE((*s)->Incidents(q)->empty());
}

// Contests (the write API's audit log): stored with their time, read back
// per incident and per AS in any snapshot, append-only.
TEST(SqliteStore, ContestsAreAnAppendOnlyAuditLog) {
  const fs::path db = TempDb("contests");
  auto s = SqliteStore::Open(db.string());
  ASSERT_TRUE(s.ok());
  auto w = (*s)->BeginSnapshot(Info("2026-11-22"));
  ASSERT_TRUE(w.ok());
  ASSERT_TRUE((*w)->AddIncident(Incident(1, "hijack", 64500, 64501)).ok());
  ASSERT_TRUE((*w)->AddIncident(Incident(2, "route_leak", 64502, std::nullopt)).ok());
  ASSERT_TRUE((*w)->AddEntity({"as", "64500", "Example Net", "BR", "lacnic", false, 3, "{}"}).ok());
  ASSERT_TRUE((*w)->AddEntity({"country", "BR", "BR", "BR", "lacnic", false, 1, "{}"}).ok());
  auto snap = (*w)->Commit();
  ASSERT_TRUE(snap.ok());

  ContestRow c;
  c.snapshot = snap->id;
  c.incident = 1;
  c.author = "noc@example.net";
  c.reason = "customer route";
  c.remote = "127.0.0.1";
  auto stored = (*s)->AddContest(c);
  ASSERT_TRUE(stored.ok()) << stored.status().message();
  EXPECT_GT(stored->id, 0);
  EXPECT_EQ(stored->type, "hijack");
  EXPECT_EQ(stored->culprit, 64500u);
  EXPECT_EQ(stored->date, "2026-11-22");
  EXPECT_EQ(stored->time.size(), 20u);
  c.incident = 99;
  EXPECT_EQ((*s)->AddContest(c).status().code(), StatusCode::kNotFound);

  auto of_incident = (*s)->Contests(snap->id, 1, std::nullopt, 10);
  ASSERT_TRUE(of_incident.ok());
  ASSERT_EQ(of_incident->size(), 1u);
  EXPECT_EQ((*of_incident)[0].author, "noc@example.net");
  for (Asn asn : {64500u, 64501u}) {  // culprit and propagator
    auto of_as = (*s)->Contests(0, 0, asn, 10);
    ASSERT_TRUE(of_as.ok());
    EXPECT_EQ(of_as->size(), 1u) << asn;
  }
  EXPECT_TRUE((*s)->Contests(0, 0, Asn{64502}, 10)->empty());
  IncidentQuery q;
  q.snapshot = snap->id;
  q.id = 1;
  auto one = (*s)->Incidents(q);
  ASSERT_TRUE(one.ok());
  ASSERT_EQ(one->size(), 1u);
  EXPECT_EQ((*one)[0].contests, 1);

  // The triggers: no change, no delete, and the incident stays.
  EXPECT_EQ(Sql(db, "UPDATE contests SET reason = 'x'"), "");
  EXPECT_EQ(Sql(db, "SELECT reason FROM contests"), "customer route");
  Sql(db, "DELETE FROM contests");
  EXPECT_EQ(Sql(db, "SELECT count(*) FROM contests"), "1");
  Sql(db, "DELETE FROM incidents WHERE id = 1");
  EXPECT_EQ(Sql(db, "SELECT count(*) FROM incidents WHERE id = 1"), "1");

  // Search: an ASN with or without "AS", a name in any case, a country id.
  for (const char* text : {"64500", "AS64500", "as64500", "example", "EXAMPLE NET"}) {
    auto r = (*s)->Search(snap->id, text, 10);
    ASSERT_TRUE(r.ok());
    ASSERT_EQ(r->size(), 1u) << text;
    EXPECT_EQ((*r)[0].id, "64500");
  }
  auto br = (*s)->Search(snap->id, "br", 10);
  ASSERT_TRUE(br.ok());
  ASSERT_FALSE(br->empty());
  EXPECT_EQ((*br)[0].kind, "country");
  EXPECT_TRUE((*s)->Search(snap->id, "%", 10)->empty());
}

}  // namespace
}  // namespace vigia::store
