// The ClickHouse store against a real clickhouse-server (test_clickhouse.h)
// that this program starts: the whole conformance suite
// (store_conformance_test.cc, linked into this program and pointed at the
// server through VIGIA_STORE_TEST_URLS by main() below), then what only
// ClickHouse needs shown: hostile strings through the server, a writer
// killed after its rows reached the server (invisible, and cleaned), ids
// and unique names claimed by racing processes, bad URLs; and end to end,
// `vigia analyze` into ClickHouse and SQLite giving byte-identical reports
// and API answers. Skipped, with the reason, without clickhouse-server.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <regex>
#include <set>

#include "core/test_daemon.h"
#include "core/test_util.h"
#include "store/backends.h"
#include "store/clickhouse_sql.h"
#include "store/store.h"
#include "store/test_clickhouse.h"
#include "store/test_rows.h"

namespace vigia::store {
namespace {

namespace fs = std::filesystem;
using test_util::Exit;
using test_util::RunCommand;
using test_util::Vigia;

test_clickhouse::Server* g_server = nullptr;
fs::path g_e2e_dir;  // the end-to-end tests' directory, removed by main()

#define REQUIRE_SERVER()                                                  \
  do {                                                                    \
    if (g_server == nullptr || !g_server->ok())                           \
      GTEST_SKIP() << (g_server ? g_server->skip_reason() : "no server"); \
  } while (0)

// A database name unique to the running test.
std::string DbName() {
  std::string n = ::testing::UnitTest::GetInstance()->current_test_info()->name();
  for (char& c : n) {
    if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
  }
  return "vigia_t_" + n + "_" + std::to_string(getpid());
}

// A raw query's TabSeparated answer (the test's own client, not the store's).
std::string Raw(const std::string& sql) {
  httplib::Client c("127.0.0.1", g_server->http_port());
  auto r = c.Post("/", sql + " FORMAT TabSeparated", "text/plain");
  if (!r) return "<no answer>";
  return r->status == 200 ? r->body : "<HTTP " + std::to_string(r->status) + ": " + r->body + ">";
}

TEST(ClickHouseStore, HostileStringsComeBackAsThemselves) {
  REQUIRE_SERVER();
  const std::string hostile[] = {
      "'; DROP TABLE x; --", "\\' OR 1=1 --",    std::string("a\0b", 3), "tab\tnew\nline\r",
      "\xff\xfe\x01\x7f",    "Ω 漢字 `x` \"y\"", "x' FORMAT JSON --",    ""};
  for (const std::string& s : hostile) {
    const auto rows = clickhouse::ParseTsv(Raw("SELECT " + clickhouse::SqlString(s)));
    ASSERT_TRUE(rows.ok()) << rows.status().message();
    ASSERT_EQ(rows->size(), 1u);
    ASSERT_EQ((*rows)[0].size(), 1u);
    EXPECT_EQ(*(*rows)[0][0], s);
  }
  // Through the store: every text field of every kind of row.
  auto s = Store::Open(g_server->Url(DbName()));
  ASSERT_TRUE(s.ok()) << s.status().message();
  auto w = (*s)->BeginSnapshot(test_rows::Info("2026-11-22"));
  ASSERT_TRUE(w.ok());
  int64_t n = 0;
  for (const std::string& h : hostile) {
    IncidentRow i = test_rows::Incident(++n, h, 64500, std::nullopt);
    i.evidence = h;
    i.cause = h;
    ASSERT_TRUE((*w)->AddIncident(i).ok());
    ASSERT_TRUE((*w)->AddEntity({"as", h, h, h, h, false, n, h}).ok());
  }
  auto snap = (*w)->Commit();
  ASSERT_TRUE(snap.ok()) << snap.status().message();
  for (const std::string& h : hostile) {
    if (h.empty()) continue;  // an empty type is "any type"
    IncidentQuery q;
    q.snapshot = snap->id;
    q.type = h;
    auto got = (*s)->Incidents(q);
    ASSERT_TRUE(got.ok()) << got.status().message();
    ASSERT_EQ(got->size(), 1u) << h;
    EXPECT_EQ((*got)[0].evidence, h);
    EXPECT_EQ((*got)[0].cause, h);
    auto e = (*s)->Entity(snap->id, "as", h);
    ASSERT_TRUE(e.ok() && e->has_value());
    EXPECT_EQ((*e)->detail, h);
  }
  EXPECT_EQ(Raw("SELECT count() FROM " + DbName() + ".incidents"), "8\n");
}

// The child of a fork: writes more than one INSERT's worth of a snapshot
// (so rows reach the server), says so on `fd`, and waits to be killed.
[[noreturn]] void WriteAndHang(const std::string& url, int fd) {
  auto s = Store::Open(url);
  if (!s.ok()) _exit(2);
  auto w = (*s)->BeginSnapshot(test_rows::Info("2026-11-23"));
  if (!w.ok()) _exit(3);
  for (int64_t id = 1; id <= 20'000; ++id) {
    IncidentRow r = test_rows::Incident(id, "hijack", 64500, 64501);
    r.evidence = std::string(300, 'e');
    if (!(*w)->AddIncident(r).ok()) _exit(4);
  }
  const char ok = '1';
  if (write(fd, &ok, 1) != 1) _exit(5);
  for (;;) pause();
}

TEST(ClickHouseStore, AKilledWriterLeavesOnlyInvisibleRows) {
  REQUIRE_SERVER();
  const std::string url = g_server->Url(DbName());
  {
    auto s = Store::Open(url);
    ASSERT_TRUE(s.ok());
    auto w = (*s)->BeginSnapshot(test_rows::Info("2026-11-22"));
    ASSERT_TRUE((*w)->AddIncident(test_rows::Incident(1, "hijack", 64500, 64501)).ok());
    ASSERT_TRUE((*w)->Commit().ok());
  }
  int p[2];
  ASSERT_EQ(pipe(p), 0);
  const pid_t pid = fork();
  if (pid == 0) WriteAndHang(url, p[1]);
  char c = 0;
  ASSERT_EQ(read(p[0], &c, 1), 1);
  kill(pid, SIGKILL);
  waitpid(pid, nullptr, 0);
  close(p[0]);
  close(p[1]);
  // Its rows are on the server (4 MiB went in one INSERT) ...
  const int64_t raw = std::atoll(Raw("SELECT count() FROM " + DbName() + ".incidents").c_str());
  EXPECT_GT(raw, 1000);
  // ... and invisible: no marker, so no snapshot and no incident of id 2.
  auto s = Store::Open(url);
  ASSERT_TRUE(s.ok());
  auto snaps = (*s)->Snapshots();
  ASSERT_TRUE(snaps.ok());
  ASSERT_EQ(snaps->size(), 1u);
  EXPECT_EQ((*snaps)[0].date, "2026-11-22");
  EXPECT_TRUE((*s)->Incidents({2})->empty());
  EXPECT_EQ(*(*s)->CountIncidents({1}), 1);
  // The next snapshot gets a new id (never the killed writer's), and sees
  // only its own rows.
  auto w = (*s)->BeginSnapshot(test_rows::Info("2026-11-23"));
  ASSERT_TRUE(w.ok());
  ASSERT_TRUE((*w)->AddIncident(test_rows::Incident(7, "route_leak", 64502, std::nullopt)).ok());
  auto next = (*w)->Commit();
  ASSERT_TRUE(next.ok());
  EXPECT_EQ(next->id, 3);
  auto rows = (*s)->Incidents({next->id});
  ASSERT_EQ(rows->size(), 1u);
  EXPECT_EQ((*rows)[0].id, 7);
  ASSERT_TRUE((*s)->SnapshotFor("2026-11-23").ok());
  EXPECT_EQ((*s)->SnapshotFor("2026-11-23")->id, 3);
}

TEST(ClickHouseStore, AWriterDestroyedWithoutCommitHasItsRowsDeleted) {
  REQUIRE_SERVER();
  const std::string url = g_server->Url(DbName());
  auto s = Store::Open(url);
  ASSERT_TRUE(s.ok());
  {
    auto w = (*s)->BeginSnapshot(test_rows::Info("2026-11-22"));
    ASSERT_TRUE(w.ok());
    for (int64_t id = 1; id <= 20'000; ++id) {
      IncidentRow r = test_rows::Incident(id, "hijack", 64500, 64501);
      r.evidence = std::string(300, 'e');
      ASSERT_TRUE((*w)->AddIncident(r).ok());
    }
  }
  EXPECT_TRUE((*s)->Snapshots()->empty());
  // ALTER ... DELETE is a mutation, applied in the background.
  EXPECT_TRUE(test_util::WaitFor(
      [&] { return Raw("SELECT count() FROM " + DbName() + ".incidents") == "0\n"; },
      std::chrono::seconds(60), std::chrono::milliseconds(250)))
      << Raw("SELECT count() FROM " + DbName() + ".incidents");
}

TEST(ClickHouseStore, RacingProcessesClaimDistinctIdsAndOneTokenName) {
  REQUIRE_SERVER();
  const std::string url = g_server->Url(DbName());
  ASSERT_TRUE(Store::Open(url).ok());  // the tables, made once
  constexpr int kProcs = 3, kEach = 8;
  std::vector<pid_t> kids;
  for (int k = 0; k < kProcs; ++k) {
    const pid_t pid = fork();
    if (pid == 0) {
      auto s = Store::Open(url);
      if (!s.ok()) _exit(2);
      for (int i = 0; i < kEach; ++i) {
        if (!(*s)->AddAudit({0, "", 0, "cli", "token.create", "p" + std::to_string(k), "", "ok"})
                 .ok())
          _exit(3);
      }
      auto t =
          (*s)->AddToken({0, "same-name", "operator", {64500}, std::string(64, 'a' + k), "", ""});
      _exit(t.ok() ? 0 : t.status().code() == StatusCode::kInvalidArgument ? 10 : 4);
    }
    kids.push_back(pid);
  }
  int made = 0;
  for (pid_t pid : kids) {
    int st = 0;
    waitpid(pid, &st, 0);
    ASSERT_TRUE(WIFEXITED(st));
    const int rc = WEXITSTATUS(st);
    EXPECT_TRUE(rc == 0 || rc == 10) << rc;
    made += rc == 0;
  }
  EXPECT_EQ(made, 1);
  auto s = Store::Open(url);
  ASSERT_TRUE(s.ok());
  auto audit = (*s)->Audit(1000, 0);
  ASSERT_TRUE(audit.ok());
  ASSERT_EQ(audit->size(), static_cast<size_t>(kProcs * kEach));
  std::set<int64_t> ids;
  for (const AuditRow& a : *audit) ids.insert(a.id);
  EXPECT_EQ(ids.size(), static_cast<size_t>(kProcs * kEach));  // no id given twice
  auto tokens = (*s)->Tokens();
  ASSERT_TRUE(tokens.ok());
  EXPECT_EQ(tokens->size(), 1u);
}

TEST(ClickHouseStore, BadUrlsAreRefusedWithTheForm) {
  for (const char* bad : {"clickhouse:localhost/db", "clickhouse://localhost",
                          "clickhouse://localhost:x/db", "clickhouse://localhost:70000/db",
                          "clickhouse://localhost:8123/a-b", "clickhouse://localhost:8123/db;DROP",
                          "clickhouse://:8123/db", "clickhouse://h:8123/db?user=x"}) {
    auto s = Store::Open(bad);
    ASSERT_FALSE(s.ok()) << bad;
    EXPECT_EQ(s.status().code(), StatusCode::kInvalidArgument) << bad;
    EXPECT_NE(s.status().message().find("clickhouse://HOST:PORT/DB"), std::string::npos)
        << s.status().message();
  }
  EXPECT_EQ(Store::Open("clickhouse://h:8123/db?cluster=a-b").status().code(),
            StatusCode::kInvalidArgument);
  // Nothing listens on this port: an I/O error naming the store.
  auto down =
      Store::Open("clickhouse://127.0.0.1:" + std::to_string(test_util::FreePort()) + "/db");
  ASSERT_FALSE(down.ok());
  EXPECT_EQ(down.status().code(), StatusCode::kIoError);
  EXPECT_NE(down.status().message().find("clickhouse://127.0.0.1:"), std::string::npos);
}

// --- end to end: the same snapshot analysed into both stores ---

struct Both {
  fs::path dir;
  std::string sqlite, clickhouse;
  double sqlite_store_s = 0, clickhouse_store_s = 0;
  bool ok = false;
};

// The demo-size snapshot (vigia demo's simulation: 2,000 ASes), analysed
// once into SQLite and once into ClickHouse.
const Both& Analysed() {
  static Both* b = [] {
    auto* x = new Both;
    x->dir = g_e2e_dir = test_util::FreshTempDir("vigia_ch_e2e_");
    x->sqlite = "sqlite:" + (x->dir / "vigia.db").string();
    x->clickhouse = g_server->Url("vigia_e2e_" + std::to_string(getpid()));
    int st = 0;
    const std::string sim = RunCommand(
        Vigia() + " simulate --seed 1 --out " + (x->dir / "snap").string() + " 2>&1", &st);
    EXPECT_EQ(Exit(st), 0) << sim;
    for (auto [url, secs] : {std::pair{&x->sqlite, &x->sqlite_store_s},
                             std::pair{&x->clickhouse, &x->clickhouse_store_s}}) {
      const std::string out = RunCommand(
          Vigia() + " analyze --json --db " + *url + " " + (x->dir / "snap").string(), &st);
      EXPECT_EQ(Exit(st), 0) << out;
      const auto j = nlohmann::json::parse(out, nullptr, false);
      if (j.is_object() && j.contains("seconds")) *secs = j["seconds"].value("store", 0.0);
    }
    x->ok = !::testing::Test::HasFailure();
    return x;
  }();
  return *b;
}

TEST(ClickHouseStoreEndToEnd, ReportsAreByteIdenticalToSqlite) {
  REQUIRE_SERVER();
  const Both& b = Analysed();
  ASSERT_TRUE(b.ok);
  // Entities to report on, from the SQLite store.
  auto s = Store::Open(b.sqlite);
  ASSERT_TRUE(s.ok());
  auto snap = (*s)->SnapshotFor("");
  ASSERT_TRUE(snap.ok());
  std::vector<std::string> ases, ixps;
  for (auto [kind, n, from, into] : {std::tuple{"as", 3, 0, &ases}, std::tuple{"as", 2, 500, &ases},
                                     std::tuple{"ixp", 2, 0, &ixps}}) {
    auto rank = (*s)->Ranking(snap->id, kind, n, from);
    ASSERT_TRUE(rank.ok());
    for (const auto& [e, sc] : *rank) into->push_back(e.id);
  }
  auto inc = (*s)->Incidents({snap->id, "", std::nullopt, 3});
  ASSERT_TRUE(inc.ok() && !inc->empty());
  ases.push_back(std::to_string((*inc)[0].culprit));
  std::vector<std::string> commands = {
      "incidents",
      "incidents --json",
      "incidents --type hijack --json",
      "incidents --region lacnic",
      "incidents --country BR --json",
      "incidents --victim " + std::to_string((*inc)[0].victims.empty() ? 1 : (*inc)[0].victims[0]),
      "incidents --prefix " + (*inc)[0].prefixes[0] + " --match less --json",
      "incidents --limit 7 --offset 3",
      "report country BR",
      "report country BR --json",
      "report region lacnic",
      "report region ripencc --csv",
      "report group all",
      "report group manrs --json",
      "report group manrs --members 50",
      "report region arin --from-members",
      "report as 4200000000"};
  for (const std::string& a : ases) {
    for (const char* f : {"", " --json", " --csv"}) commands.push_back("report as " + a + f);
  }
  for (const std::string& i : ixps) {
    commands.push_back("report ixp " + i);
    commands.push_back("report ixp " + i + " --json");
  }
  size_t bytes = 0, same = 0;
  for (const std::string& c : commands) {
    int st_s = 0, st_c = 0;
    std::string out_s = RunCommand(Vigia() + " " + c + " --db " + b.sqlite + " 2>&1", &st_s);
    std::string out_c = RunCommand(Vigia() + " " + c + " --db " + b.clickhouse + " 2>&1", &st_c);
    EXPECT_EQ(Exit(st_s), Exit(st_c)) << c;
    // An error names its store: the one place the two may differ.
    auto unnamed = [](std::string out, const std::string& url) {
      for (size_t i = out.find(url); i != std::string::npos; i = out.find(url, i))
        out.replace(i, url.size(), "STORE");
      return out;
    };
    out_s = unnamed(out_s, b.sqlite);
    out_c = unnamed(out_c, b.clickhouse);
    EXPECT_TRUE(out_s == out_c) << c << ": outputs differ (" << out_s.size() << " vs "
                                << out_c.size() << " bytes)";
    bytes += out_s.size();
    same += out_s == out_c && Exit(st_s) == Exit(st_c);
  }
  std::printf(
      "[ figures  ] %zu of %zu commands byte-identical (%zu bytes); analyze's store "
      "phase: SQLite %.2f s, ClickHouse %.2f s\n",
      same, commands.size(), bytes, b.sqlite_store_s, b.clickhouse_store_s);
}

// `vigia serve` over each store answers the API the same, but for the
// store's creation times of the snapshot (set by each store at its write).
TEST(ClickHouseStoreEndToEnd, ServeAnswersTheSameAsSqlite) {
  REQUIRE_SERVER();
  const Both& b = Analysed();
  ASSERT_TRUE(b.ok);
  auto s = Store::Open(b.sqlite);
  ASSERT_TRUE(s.ok());
  auto snap = (*s)->SnapshotFor("");
  ASSERT_TRUE(snap.ok());
  auto top = (*s)->Ranking(snap->id, "as", 1, 0);
  auto ixp = (*s)->Ranking(snap->id, "ixp", 1, 0);
  auto inc = (*s)->Incidents({snap->id, "hijack", std::nullopt, 1});
  ASSERT_TRUE(top.ok() && !top->empty() && ixp.ok() && !ixp->empty() && inc.ok() && !inc->empty());
  const std::string as = top->front().first.id, ix = ixp->front().first.id;
  const std::string prefix = inc->front().prefixes[0];
  const std::vector<std::string> paths = {
      "/api/snapshots",
      "/api/overview",
      "/api/incidents",
      "/api/incidents?type=hijack&limit=1000",
      "/api/incidents?limit=2&offset=2",
      "/api/incidents?prefix=" + prefix,
      "/api/incidents?as=" + std::to_string(inc->front().culprit),
      "/api/ranking?kind=as",
      "/api/ranking?kind=country",
      "/api/ranking?kind=region&format=csv",
      "/api/ranking?kind=ixp",
      "/api/as/" + as,
      "/api/as/" + std::to_string(inc->front().culprit),
      "/api/country/BR",
      "/api/region/lacnic",
      "/api/group/all",
      "/api/group/manrs",
      "/api/ixp/" + ix,
      "/api/incidents/" + std::to_string(inc->front().id),
      "/api/route?prefix=" + prefix,
      "/api/search?q=" + as,
      "/api/search?q=net",
      "/api/as/4200000000",
      "/api/region/mars",
      "/api/overview?date=1999-01-01",
      "/api/history/as/" + as,
      "/metrics-not-here"};
  int port_s = 0, port_c = 0;
  const fs::path out = b.dir / "serve";
  const pid_t ps =
      test_util::StartVigia("serve --listen 127.0.0.1:0 --no-access-log --db " + b.sqlite,
                            out.string() + ".sqlite", &port_s, 30);
  const pid_t pc =
      test_util::StartVigia("serve --listen 127.0.0.1:0 --no-access-log --db " + b.clickhouse,
                            out.string() + ".ch", &port_c, 30);
  ASSERT_NE(port_s, 0);
  ASSERT_NE(port_c, 0);
  const std::regex created("\"created\":\"[0-9TZ:-]+\"");
  int same = 0;
  for (const std::string& p : paths) {
    httplib::Client cs("127.0.0.1", port_s), cc("127.0.0.1", port_c);
    auto rs = cs.Get(p);
    auto rc = cc.Get(p);
    ASSERT_TRUE(rs && rc) << p;
    EXPECT_EQ(rs->status, rc->status) << p;
    const std::string bs = std::regex_replace(rs->body, created, "\"created\":\"-\"");
    const std::string bc = std::regex_replace(rc->body, created, "\"created\":\"-\"");
    EXPECT_TRUE(bs == bc) << p << ":\n" << bs.substr(0, 300) << "\n" << bc.substr(0, 300);
    same += bs == bc;
  }
  kill(ps, SIGTERM);
  kill(pc, SIGTERM);
  waitpid(ps, nullptr, 0);
  waitpid(pc, nullptr, 0);
  std::printf("[ figures  ] %d of %zu API answers identical\n", same, paths.size());
}

}  // namespace
}  // namespace vigia::store

// Starts the server before the conformance suite is instantiated (its URL
// list is read when tests are registered, in InitGoogleTest), and runs
// only the ClickHouse tests unless a filter is given.
int main(int argc, char** argv) {
  bool listing = false, filtered = false;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    listing = listing || a == "--gtest_list_tests";
    filtered = filtered || a.rfind("--gtest_filter", 0) == 0;
  }
  std::unique_ptr<vigia::store::test_clickhouse::Server> server;
  if (!listing) {
    server = vigia::store::test_clickhouse::StartServer();
    vigia::store::g_server = server.get();
    if (server->ok()) {
      setenv("VIGIA_STORE_TEST_URLS", server->Url("vigia_{name}").c_str(), 1);
    } else {
      std::fprintf(stderr, "clickhouse tests skipped: %s\n", server->skip_reason().c_str());
    }
  }
  ::testing::InitGoogleTest(&argc, argv);
  if (!filtered) GTEST_FLAG_SET(filter, "*clickhouse*:ClickHouse*");
  const int rc = RUN_ALL_TESTS();
  if (!vigia::store::g_e2e_dir.empty()) std::filesystem::remove_all(vigia::store::g_e2e_dir);
  vigia::store::g_server = nullptr;
  return rc;
}
