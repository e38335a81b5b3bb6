#include "store/sqlite_store.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <sqlite3.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>

#include "store/backends.h"
#include "store/test_rows.h"

namespace vigia::store {
namespace {

namespace fs = std::filesystem;

fs::path TempDb(const std::string& name) {
  const fs::path dir =
      fs::temp_directory_path() / ("vigia_store_" + name + "_" + std::to_string(getpid()));
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
  if (sqlite3_prepare_v2(h, sql.c_str(), -1, &s, nullptr) == SQLITE_OK &&
      sqlite3_step(s) == SQLITE_ROW && sqlite3_column_text(s, 0)) {
    out = reinterpret_cast<const char*>(sqlite3_column_text(s, 0));
  }
  sqlite3_finalize(s);
  sqlite3_close(h);
  return out;
}

using test_rows::Contest;
using test_rows::Incident;
using test_rows::Info;

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
  fs::remove_all(old_db.parent_path());
  fs::remove_all(new_db.parent_path());
}

// A file written by schema 1 (the first release of the store) keeps its
// snapshot through every later migration; its scores read back with members
// 1, the snapshot is not partial, and its incidents have no cause and no
// victims.
TEST(SqliteStore, MigratesSchemaOneWithItsData) {
  const fs::path db = TempDb("v1");
  Sql(db,
      "CREATE TABLE snapshots (id INTEGER PRIMARY KEY, date TEXT NOT NULL, window_start INTEGER "
      "NOT NULL, "
      "window_end INTEGER NOT NULL, source TEXT NOT NULL, created TEXT NOT NULL)");
  Sql(db,
      "CREATE TABLE scores (snapshot INTEGER NOT NULL REFERENCES snapshots(id), entity_kind TEXT "
      "NOT NULL, "
      "entity TEXT NOT NULL, action TEXT NOT NULL, score REAL, band TEXT NOT NULL, "
      "PRIMARY KEY (snapshot, entity_kind, entity, action))");
  Sql(db,
      "CREATE TABLE incidents (snapshot INTEGER NOT NULL REFERENCES snapshots(id), id INTEGER NOT "
      "NULL, "
      "type TEXT NOT NULL, kind TEXT NOT NULL, culprit INTEGER NOT NULL, propagator INTEGER, "
      "prefixes TEXT NOT NULL, "
      "start INTEGER NOT NULL, \"end\" INTEGER NOT NULL, confidence REAL NOT NULL, evidence TEXT "
      "NOT NULL, "
      "PRIMARY KEY (snapshot, id))");
  Sql(db,
      "INSERT INTO snapshots VALUES (1, '2026-11-01', 0, 86400, 'old', '2026-11-02T00:00:00Z')");
  Sql(db, "INSERT INTO scores VALUES (1, 'as', '64500', 'overall', 75.5, 'aspiring')");
  Sql(db,
      "INSERT INTO incidents VALUES (1, 1, 'hijack', 'exact', 64500, NULL, '[\"192.0.2.0/24\"]', "
      "0, 1, 0.5, '{}')");
  Sql(db, "PRAGMA user_version = 1");
  auto s = SqliteStore::Open(db.string());
  ASSERT_TRUE(s.ok()) << s.status().message();
  EXPECT_EQ((*s)->schema_version(), SqliteStore::latest_schema_version());
  // 5: incident cause and victims; 6: tokens, reviews, audit; 7: score
  // intervals and provenance; 8: route-server checks (rs_checks); 9: live
  // detector events (live_events)
  EXPECT_EQ(SqliteStore::latest_schema_version(), 9);
  auto rows = (*s)->Scores(1, "as", "64500");
  ASSERT_TRUE(rows.ok());
  ASSERT_EQ(rows->size(), 1u);
  EXPECT_EQ(*(*rows)[0].score, 75.5);
  EXPECT_EQ((*rows)[0].members, 1);
  auto snap = (*s)->SnapshotFor("2026-11-01");
  ASSERT_TRUE(snap.ok()) << snap.status().message();
  EXPECT_FALSE(snap->partial);
  EXPECT_TRUE(snap->missing.empty());
  auto incidents = (*s)->Incidents({1});
  ASSERT_TRUE(incidents.ok()) << incidents.status().message();
  ASSERT_EQ(incidents->size(), 1u);
  EXPECT_EQ((*incidents)[0].cause, "");
  EXPECT_TRUE((*incidents)[0].victims.empty());
  fs::remove_all(db.parent_path());
}

// The rollback leaves no row behind in the file (the conformance suite
// checks what the API shows).
TEST(SqliteStore, AnUncommittedSnapshotLeavesNoRow) {
  const fs::path db = TempDb("abort");
  auto s = SqliteStore::Open(db.string());
  ASSERT_TRUE(s.ok());
  {
    auto w = (*s)->BeginSnapshot(Info("2026-11-22"));
    ASSERT_TRUE(w.ok());
    ASSERT_TRUE((*w)->AddIncident(Incident(1, "hijack", 64500, 64501)).ok());
  }
  EXPECT_EQ(Sql(db, "SELECT count(*) FROM incidents"), "0");
  EXPECT_EQ(Sql(db, "SELECT count(*) FROM snapshots"), "0");
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
    for (int i = 0; i < 500; ++i)
      ASSERT_TRUE((*w)->AddIncident(Incident(i, "hijack", 64500, 64501)).ok());
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

// Contests are an append-only audit log even to SQL from outside: triggers
// refuse to change or delete one, and a contested incident stays.
TEST(SqliteStore, ContestTriggersRefuseChanges) {
  const fs::path db = TempDb("contests");
  auto s = SqliteStore::Open(db.string());
  ASSERT_TRUE(s.ok());
  auto w = (*s)->BeginSnapshot(Info("2026-11-22"));
  ASSERT_TRUE(w.ok());
  ASSERT_TRUE((*w)->AddIncident(Incident(1, "hijack", 64500, 64501)).ok());
  auto snap = (*w)->Commit();
  ASSERT_TRUE(snap.ok());
  ASSERT_TRUE((*s)->AddContest(Contest(snap->id, 1)).ok());
  EXPECT_EQ(Sql(db, "UPDATE contests SET reason = 'x'"), "");
  EXPECT_EQ(Sql(db, "SELECT reason FROM contests"), "customer route");
  Sql(db, "DELETE FROM contests");
  EXPECT_EQ(Sql(db, "SELECT count(*) FROM contests"), "1");
  Sql(db, "DELETE FROM incidents WHERE id = 1");
  EXPECT_EQ(Sql(db, "SELECT count(*) FROM incidents WHERE id = 1"), "1");
  fs::remove_all(db.parent_path());
}

// A stored route-server report is never rewritten (a new check adds a
// row); old ones may be pruned.
TEST(SqliteStore, RouteServerChecksAreNeverRewritten) {
  const fs::path db = TempDb("rs_checks");
  auto s = SqliteStore::Open(db.string());
  ASSERT_TRUE(s.ok());
  ASSERT_TRUE((*s)->PutRsCheck({0, "18", "", "a.mrt", "2020-10-08", "{\"a\":1}"}).ok());
  EXPECT_EQ(Sql(db, "UPDATE rs_checks SET report_json = '{}'"), "");
  EXPECT_EQ(Sql(db, "SELECT report_json FROM rs_checks"), "{\"a\":1}");
  Sql(db, "DELETE FROM rs_checks WHERE ixp_id = '18'");
  EXPECT_EQ(Sql(db, "SELECT count(*) FROM rs_checks"), "0");
  fs::remove_all(db.parent_path());
}

// Reviews, the audit log and tokens refuse changes from outside SQL too: a
// review or an audit row is never updated or deleted, a token is never
// deleted and only ever gets its revocation time, once.
TEST(SqliteStore, ReviewAuditAndTokenTriggersRefuseChanges) {
  const fs::path db = TempDb("reviews");
  auto s = SqliteStore::Open(db.string());
  ASSERT_TRUE(s.ok());
  auto w = (*s)->BeginSnapshot(Info("2026-11-22"));
  ASSERT_TRUE(w.ok());
  ASSERT_TRUE((*w)->AddIncident(Incident(1, "hijack", 64500, 64501)).ok());
  auto snap = (*w)->Commit();
  ASSERT_TRUE(snap.ok());
  auto c = (*s)->AddContest(Contest(snap->id, 1));
  ASSERT_TRUE(c.ok());
  ASSERT_TRUE((*s)->AddReview({0, c->id, "rejected", "rev", "no LOA", "", ""}).ok());
  ASSERT_TRUE((*s)->AddAudit({0, "", 0, "cli", "review", "contest 1", "", "ok"}).ok());
  ASSERT_TRUE((*s)->AddToken({0, "noc", "operator", {64500}, std::string(64, 'c'), "", ""}).ok());
  Sql(db, "UPDATE reviews SET decision = 'accepted'");
  EXPECT_EQ(Sql(db, "SELECT decision FROM reviews"), "rejected");
  Sql(db, "DELETE FROM reviews");
  EXPECT_EQ(Sql(db, "SELECT count(*) FROM reviews"), "1");
  Sql(db, "UPDATE audit SET outcome = 'x'");
  Sql(db, "DELETE FROM audit");
  EXPECT_EQ(Sql(db, "SELECT outcome FROM audit"), "ok");
  Sql(db, "DELETE FROM tokens");
  Sql(db, "UPDATE tokens SET role = 'reviewer'");
  EXPECT_EQ(Sql(db, "SELECT role FROM tokens"), "operator");
  Sql(db, "UPDATE tokens SET revoked = '2026-12-06T00:00:00Z'");
  Sql(db, "UPDATE tokens SET revoked = '2027-01-01T00:00:00Z'");
  EXPECT_EQ(Sql(db, "SELECT revoked FROM tokens"), "2026-12-06T00:00:00Z");
  fs::remove_all(db.parent_path());
}

// Store::Open picks the backend by URL scheme: sqlite: and a plain path are
// the same SQLite file; an unknown scheme is an error and creates nothing
// (it used to create a SQLite file named "clickhouse:x").
TEST(StoreUrl, UnknownSchemeIsAnErrorAndCreatesNothing) {
  const fs::path db = TempDb("url");
  const fs::path cwd = fs::current_path();
  fs::current_path(db.parent_path());
  for (const char* url :
       {"duckdb:x", "postgres://localhost:5432/vigia", "Postgres:db", "x+y.z-w:1"}) {
    auto s = Store::Open(url);
    ASSERT_FALSE(s.ok()) << url;
    EXPECT_EQ(s.status().code(), StatusCode::kInvalidArgument);
    EXPECT_NE(s.status().message().find("unknown store scheme"), std::string::npos)
        << s.status().message();
    EXPECT_NE(s.status().message().find("sqlite:PATH"), std::string::npos) << s.status().message();
  }
  EXPECT_TRUE(fs::is_empty(db.parent_path()));
  EXPECT_FALSE(Store::Open("sqlite:").ok());
  fs::current_path(cwd);

  {
    auto plain = Store::Open(db.string());
    ASSERT_TRUE(plain.ok()) << plain.status().message();
    auto w = (*plain)->BeginSnapshot(Info("2026-11-22"));
    ASSERT_TRUE(w.ok());
    ASSERT_TRUE((*w)->Commit().ok());
  }
  for (const std::string& url : {"sqlite:" + db.string(), "SQLite:" + db.string()}) {
    auto s = Store::Open(url);
    ASSERT_TRUE(s.ok()) << url;
    EXPECT_EQ((*s)->Snapshots()->size(), 1u) << url;
  }
  EXPECT_EQ(UrlScheme("/var/lib/vigia.db"), std::nullopt);
  EXPECT_EQ(UrlScheme("vigia.db"), std::nullopt);
  EXPECT_EQ(UrlScheme("./a:b"), std::nullopt);
  EXPECT_EQ(UrlScheme("1x:y"), std::nullopt);
  EXPECT_EQ(UrlScheme("ClickHouse://h/db"), "clickhouse");
  fs::remove_all(db.parent_path());
}

}  // namespace
}  // namespace vigia::store
