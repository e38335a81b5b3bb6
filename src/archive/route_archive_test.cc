// The route archive against a real clickhouse-server this program starts
// (store/test_clickhouse.h): `vigia analyze --archive` of the demo-size
// simulated snapshot writes exactly the rows ObservedRoutes implies (every
// row compared, as text); a day written twice is not doubled; Add() called
// per disjoint prefix half equals one Add() of all; a prefix given twice
// is refused; an uncommitted load is invisible; `vigia serve --archive`
// answers /api/history/* with what the rows say and refuses bad parameters.
// ctest LABELS clickhouse; skipped, with the reason, without the server.
#include "archive/route_archive.h"

#include <gtest/gtest.h>
#include <httplib.h>
#include <signal.h>
#include <sys/wait.h>

#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <thread>
#include <tuple>

#include "core/test_util.h"
#include "core/time_format.h"
#include "mrt/route_feed.h"
#include "snapshot/snapshot.h"
#include "store/test_clickhouse.h"

namespace vigia::archive {
namespace {

namespace fs = std::filesystem;
using test_util::Exit;
using test_util::RunCommand;
using test_util::Vigia;

store::test_clickhouse::Server* g_server = nullptr;
fs::path g_dir;  // removed by main()

#define REQUIRE_SERVER()                                                  \
  do {                                                                    \
    if (g_server == nullptr || !g_server->ok())                           \
      GTEST_SKIP() << (g_server ? g_server->skip_reason() : "no server"); \
  } while (0)

// A SELECT's TabSeparated answer, as lines.
std::vector<std::string> Select(const std::string& sql) {
  httplib::Client c("127.0.0.1", g_server->http_port());
  c.set_read_timeout(120, 0);
  auto r = c.Post("/", sql + " FORMAT TabSeparated", "text/plain");
  EXPECT_TRUE(r && r->status == 200) << sql << ": " << (r ? r->body : "no answer");
  return r ? test_util::Lines(r->body) : std::vector<std::string>{};
}

// The visible rows of a database's archive, one text line each, sorted.
std::vector<std::string> ArchivedRows(const std::string& db) {
  auto lines = Select(fmt::format(
      "SELECT toString(day), prefix, collector, peer_ip, peer_asn, origin, "
      "arrayStringConcat(arrayMap(x -> toString(x), path), ' '), has_set, toUInt32(first_seen), "
      "toUInt32(last_seen), sightings FROM {0}.archive_routes WHERE load IN (SELECT "
      "argMax(load, committed) FROM {0}.archive_loads GROUP BY day)",
      db));
  std::sort(lines.begin(), lines.end());
  return lines;
}

std::vector<std::string> ArchivedOrigins(const std::string& db) {
  auto lines = Select(
      fmt::format("SELECT toString(day), prefix, origin, peers, paths, toUInt32(first_seen), "
                  "toUInt32(last_seen) FROM {0}.archive_origins WHERE load IN (SELECT argMax(load, "
                  "committed) FROM {0}.archive_loads GROUP BY day)",
                  db));
  std::sort(lines.begin(), lines.end());
  return lines;
}

// What the archive must hold for `routes` on `date`, computed here
// directly from the sightings, without the archive's code: per (prefix,
// peer, path) the min start, max end and count; per (prefix, origin) the
// distinct peers and paths.
struct Expected {
  std::vector<std::string> routes, origins;
};
Expected Expect(const observe::ObservedRoutes& routes, const std::string& date) {
  using Key = std::tuple<uint32_t, uint32_t, uint32_t>;  // prefix, peer, path
  std::map<Key, std::tuple<uint32_t, uint32_t, uint32_t>> rows;
  for (const observe::Sighting& s : routes.sightings()) {
    auto [it, fresh] = rows.try_emplace(Key{s.prefix, s.peer, s.path}, s.start, s.end, 0);
    auto& [first, last, count] = it->second;
    first = std::min(first, s.start);
    last = std::max(last, s.end);
    ++count;
  }
  struct Origin {
    std::set<uint32_t> peers, paths;
    uint32_t first = UINT32_MAX, last = 0;
  };
  std::map<std::pair<uint32_t, Asn>, Origin> origins;
  Expected e;
  const auto& paths = routes.paths();
  for (const auto& [k, v] : rows) {
    const auto [prefix, peer, path] = k;
    const auto [first, last, count] = v;
    const observe::Peer& p = routes.peers()[peer];
    std::string text;
    for (Asn a : paths.Get(path)) text += (text.empty() ? "" : " ") + std::to_string(a);
    e.routes.push_back(fmt::format("{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}", date,
                                   routes.prefixes()[prefix].ToString(), p.collector,
                                   p.ip.ToString(), p.asn, paths.Origin(path), text,
                                   paths.HasSet(path) ? 1 : 0, first, last, count));
    Origin& o = origins[{prefix, paths.Origin(path)}];
    o.peers.insert(peer);
    o.paths.insert(path);
    o.first = std::min(o.first, first);
    o.last = std::max(o.last, last);
  }
  for (const auto& [k, o] : origins) {
    e.origins.push_back(fmt::format("{}\t{}\t{}\t{}\t{}\t{}\t{}", date,
                                    routes.prefixes()[k.first].ToString(), k.second, o.peers.size(),
                                    o.paths.size(), o.first, o.last));
  }
  std::sort(e.routes.begin(), e.routes.end());
  std::sort(e.origins.begin(), e.origins.end());
  return e;
}

// Forwards a feed's events to `out`, the announcements and withdrawals
// only of prefixes whose half (of a hash of their text) is `half`; -1: all.
class HalfSink : public bgp::RouteSink {
 public:
  HalfSink(observe::ObservedRoutes* out, int half) : out_(out), half_(half) {}
  void Peer(bgp::PeerHandle h, const bgp::PeerInfo& info) override { out_->Peer(h, info); }
  void Announce(const bgp::Route& r, const bgp::PathAttributes& a) override {
    if (Mine(r.prefix)) out_->Announce(r, a);
  }
  void Withdraw(const bgp::Route& r, bgp::WithdrawCause c) override {
    if (Mine(r.prefix)) out_->Withdraw(r, c);
  }
  void SessionDown(bgp::PeerHandle p, bgp::RouteTime t) override { out_->SessionDown(p, t); }

 private:
  bool Mine(const Prefix& p) const {
    return half_ < 0 || static_cast<int>(std::hash<std::string>{}(p.ToString()) % 2) == half_;
  }
  observe::ObservedRoutes* out_;
  int half_;
};

// The snapshot's MRT files read as ObservedRoutes::AddDirectory does,
// through HalfSink.
void LoadHalf(const fs::path& mrt, int half, uint32_t window_end, observe::ObservedRoutes* out) {
  std::vector<fs::path> files;
  for (const auto& e : fs::directory_iterator(mrt)) files.push_back(e.path());
  auto is_rib = [](const fs::path& p) {
    const std::string n = p.filename().string();
    return n.find("bview") != std::string::npos || n.find("rib") != std::string::npos;
  };
  std::sort(files.begin(), files.end(), [&](const fs::path& a, const fs::path& b) {
    return is_rib(a) != is_rib(b) ? is_rib(a) : a.filename() < b.filename();
  });
  HalfSink sink(out, half);
  for (const fs::path& f : files) {
    const std::string name = f.filename().string();
    out->BeginFeed();
    mrt::RouteFeed feed(name.substr(0, name.find('.')));
    ASSERT_TRUE(feed.ReadFile(f.string(), &sink).ok()) << f;
  }
  out->Finish(window_end);
}

// The demo-size snapshot (vigia simulate --seed 1), loaded, and analysed
// once with --archive into database "analyzed".
struct Fixture {
  fs::path snap;
  std::string sqlite, date;
  snapshot::Snapshot loaded;
  bool ok = false;
};
Fixture& Shared() {
  static Fixture* f = [] {
    auto* x = new Fixture;
    g_dir = test_util::FreshTempDir("vigia_archive_");
    x->snap = g_dir / "snap";
    x->sqlite = "sqlite:" + (g_dir / "vigia.db").string();
    int st = 0;
    const std::string sim =
        RunCommand(Vigia() + " simulate --seed 1 --out " + x->snap.string() + " 2>&1", &st);
    EXPECT_EQ(Exit(st), 0) << sim;
    const std::string out =
        RunCommand(Vigia() + " analyze --db " + x->sqlite + " --archive " +
                       g_server->Url("analyzed") + " " + x->snap.string() + " 2>&1",
                   &st);
    EXPECT_EQ(Exit(st), 0) << out;
    EXPECT_TRUE(snapshot::LoadSnapshot(x->snap.string(), &x->loaded).ok());
    x->date = IsoTime(x->loaded.window_start).substr(0, 10);
    x->ok = !::testing::Test::HasFailure();
    return x;
  }();
  return *f;
}

TEST(RouteArchive, AnalyzeArchivesEveryRouteOfTheDay) {
  REQUIRE_SERVER();
  Fixture& f = Shared();
  ASSERT_TRUE(f.ok);
  const Expected e = Expect(f.loaded.routes, f.date);
  ASSERT_GT(e.routes.size(), 10000u);  // the demo size: enough to matter
  const auto rows = ArchivedRows("analyzed");
  EXPECT_EQ(rows.size(), e.routes.size());
  EXPECT_TRUE(rows == e.routes) << "first row: " << (rows.empty() ? "" : rows[0])
                                << "\nexpected: " << e.routes[0];
  const auto origins = ArchivedOrigins("analyzed");
  EXPECT_EQ(origins.size(), e.origins.size());
  EXPECT_TRUE(origins == e.origins);
  // The load's marker counts what it holds.
  auto a = RouteArchive::Open(g_server->Url("analyzed"));
  ASSERT_TRUE(a.ok()) << a.status().message();
  auto days = a->Days({});
  ASSERT_TRUE(days.ok()) << days.status().message();
  ASSERT_EQ(days->size(), 1u);
  EXPECT_EQ((*days)[0].date, f.date);
  EXPECT_EQ((*days)[0].routes, e.routes.size());
  EXPECT_EQ((*days)[0].origins, e.origins.size());
}

TEST(RouteArchive, ADayWrittenTwiceIsNotDoubled) {
  REQUIRE_SERVER();
  Fixture& f = Shared();
  ASSERT_TRUE(f.ok);
  auto a = RouteArchive::Open(g_server->Url("twice"));
  ASSERT_TRUE(a.ok()) << a.status().message();
  for (int i = 0; i < 2; ++i) {
    ASSERT_TRUE(a->Add(f.loaded.routes, f.date).ok());
    ASSERT_TRUE(a->Commit().ok());
  }
  const Expected e = Expect(f.loaded.routes, f.date);
  EXPECT_TRUE(ArchivedRows("twice") == e.routes);
  EXPECT_TRUE(ArchivedOrigins("twice") == e.origins);
  auto days = a->Days({});
  ASSERT_TRUE(days.ok());
  EXPECT_EQ(days->size(), 1u);
  // Both loads are on disk until the first is deleted, ten minutes after it
  // was superseded: readers see one.
  EXPECT_EQ(Select("SELECT count() FROM twice.archive_loads"), std::vector<std::string>{"2"});
}

// Waits up to two minutes for a mutation's effect: the table's rows (all
// loads, visible or not) to number `want`; the last count.
std::string WaitForRows(const std::string& table, const std::string& want) {
  std::string got;
  for (int i = 0; i < 600; ++i) {
    const auto n = Select("SELECT count() FROM " + table);
    got = n.empty() ? "" : n[0];
    if (got == want) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  return got;
}

TEST(RouteArchive, SupersededLoadsAndUncommittedWritersRowsAreDeleted) {
  REQUIRE_SERVER();
  Fixture& f = Shared();
  ASSERT_TRUE(f.ok);
  const std::string one = std::to_string(Expect(f.loaded.routes, f.date).routes.size());
  {
    auto a = RouteArchive::Open(g_server->Url("cleaned"));
    ASSERT_TRUE(a.ok()) << a.status().message();
    a->SetCleanDelays(0, 0);
    for (int i = 0; i < 2; ++i) {
      ASSERT_TRUE(a->Add(f.loaded.routes, f.date).ok());
      ASSERT_TRUE(a->Commit().ok());
    }
    // The second commit deleted the first load (superseded 0 s ago).
    EXPECT_EQ(WaitForRows("cleaned.archive_routes", one), one);
    EXPECT_EQ(Select("SELECT count() FROM cleaned.archive_loads"), std::vector<std::string>{"1"});
    // A writer destroyed without Commit(): its rows go, the day stays.
    auto b = RouteArchive::Open(g_server->Url("cleaned"), 64 << 10);
    ASSERT_TRUE(b.ok());
    ASSERT_TRUE(b->Add(f.loaded.routes, f.date).ok());
  }
  EXPECT_EQ(WaitForRows("cleaned.archive_routes", one), one);
  EXPECT_TRUE(ArchivedRows("cleaned") == Expect(f.loaded.routes, f.date).routes);
}

TEST(RouteArchive, TwoDisjointHalvesEqualOneAdd) {
  REQUIRE_SERVER();
  Fixture& f = Shared();
  ASSERT_TRUE(f.ok);
  const fs::path mrt = f.snap / "mrt";
  observe::ObservedRoutes all, half0, half1;
  LoadHalf(mrt, -1, f.loaded.window_end, &all);
  LoadHalf(mrt, 0, f.loaded.window_end, &half0);
  LoadHalf(mrt, 1, f.loaded.window_end, &half1);
  ASSERT_GT(half0.sightings().size(), 0u);
  ASSERT_GT(half1.sightings().size(), 0u);
  {
    auto a = RouteArchive::Open(g_server->Url("one_add"));
    ASSERT_TRUE(a.ok()) << a.status().message();
    ASSERT_TRUE(a->Add(all, f.date).ok());
    ASSERT_TRUE(a->Commit().ok());
  }
  {
    auto a = RouteArchive::Open(g_server->Url("two_adds"), 256 << 10);
    ASSERT_TRUE(a.ok()) << a.status().message();
    ASSERT_TRUE(a->Add(half0, f.date).ok());
    ASSERT_TRUE(a->Add(half1, f.date).ok());
    ASSERT_TRUE(a->Commit().ok());
  }
  const auto one = ArchivedRows("one_add");
  EXPECT_EQ(one.size(), Expect(all, f.date).routes.size());
  EXPECT_TRUE(one == ArchivedRows("two_adds"));
  EXPECT_TRUE(ArchivedOrigins("one_add") == ArchivedOrigins("two_adds"));
  // The same as analyze's own loading.
  EXPECT_TRUE(one == ArchivedRows("analyzed"));
}

TEST(RouteArchive, APrefixGivenTwiceIsRefusedAndAnUncommittedLoadIsInvisible) {
  REQUIRE_SERVER();
  Fixture& f = Shared();
  ASSERT_TRUE(f.ok);
  // INSERTs of 64 KiB: most rows reach the server before Commit().
  auto a = RouteArchive::Open(g_server->Url("refused"), 64 << 10);
  ASSERT_TRUE(a.ok()) << a.status().message();
  ASSERT_TRUE(a->Add(f.loaded.routes, f.date).ok());
  const Status again = a->Add(f.loaded.routes, f.date);
  EXPECT_EQ(again.code(), StatusCode::kInvalidArgument) << again.message();
  EXPECT_NE(again.message().find("already added"), std::string::npos) << again.message();
  const auto sent = Select("SELECT count() FROM refused.archive_routes");
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_GT(std::stoull(sent[0]), 10000u) << "rows reached the server";
  // Not committed: no day, nothing to read.
  auto days = a->Days({});
  ASSERT_TRUE(days.ok());
  EXPECT_TRUE(days->empty());
  auto some = a->PrefixOrigins(f.loaded.routes.prefixes()[0], {});
  ASSERT_TRUE(some.ok());
  EXPECT_TRUE(some->rows.empty());
  EXPECT_EQ(a->Add(f.loaded.routes, "2026-13-01").code(), StatusCode::kInvalidArgument);
}

TEST(RouteArchive, MalformedUrlsAreRefusedNamingTheFault) {
  for (const auto& [url, why] : std::vector<std::pair<std::string, std::string>>{
           {"http://127.0.0.1:8123/db", "clickhouse://"},
           {"clickhouse://127.0.0.1:8123", "no /DB"},
           {"clickhouse://127.0.0.1:8123/a-b", "database name"},
           {"clickhouse://127.0.0.1:99999/db", "port"},
           {"clickhouse://127.0.0.1:x/db", "port"},
           {"clickhouse://:8123/db", "no host"},
           {"clickhouse://h/db?shard=1", "cluster=NAME"},
           {"clickhouse://h/db?cluster=a;b", "cluster name"}}) {
    auto a = RouteArchive::Open(url);
    ASSERT_FALSE(a.ok()) << url;
    EXPECT_EQ(a.status().code(), StatusCode::kInvalidArgument) << url;
    EXPECT_NE(a.status().message().find(why), std::string::npos) << a.status().message();
  }
}

// GET path on a vigia serve; the status and JSON answer.
std::pair<int, nlohmann::json> Get(int port, const std::string& path) {
  httplib::Client c("127.0.0.1", port);
  c.set_read_timeout(60, 0);
  auto r = c.Get(path);
  if (!r) return {0, nullptr};
  return {r->status, nlohmann::json::parse(r->body, nullptr, false)};
}

struct Serving {
  pid_t pid = -1;
  int port = 0;
  ~Serving() {
    if (pid > 0) {
      kill(pid, SIGTERM);
      waitpid(pid, nullptr, 0);
    }
  }
};

TEST(RouteArchiveApi, HistoryAnswersWhatTheRowsSay) {
  REQUIRE_SERVER();
  Fixture& f = Shared();
  ASSERT_TRUE(f.ok);
  Serving s;
  s.pid = test_util::StartVigia("serve --no-access-log --listen 127.0.0.1:0 --db " + f.sqlite +
                                    " --archive " + g_server->Url("analyzed"),
                                g_dir / "serve.out", &s.port, 30);
  ASSERT_GT(s.port, 0) << test_util::ReadText(g_dir / "serve.out.err");

  // The prefix with the most origins (a hijacked one, in the demo), and
  // what the sightings say of it.
  const observe::ObservedRoutes& routes = f.loaded.routes;
  const Expected e = Expect(routes, f.date);
  std::map<std::string, std::vector<std::vector<std::string>>> by_prefix;  // origin rows
  for (const std::string& line : e.origins) {
    std::vector<std::string> cols;
    for (size_t b = 0;;) {
      const size_t t = line.find('\t', b);
      cols.push_back(line.substr(b, t - b));
      if (t == std::string::npos) break;
      b = t + 1;
    }
    by_prefix[cols[1]].push_back(cols);
  }
  std::string busiest;
  for (const auto& [p, rows] : by_prefix) {
    if (busiest.empty() || rows.size() > by_prefix[busiest].size()) busiest = p;
  }
  ASSERT_FALSE(busiest.empty());
  auto [st, j] = Get(s.port, "/api/history/prefix?p=" + busiest);
  ASSERT_EQ(st, 200) << j.dump();
  EXPECT_EQ(j["prefix"], busiest);
  ASSERT_EQ(j["days"].size(), 1u) << j.dump();
  EXPECT_EQ(j["days"][0]["date"], f.date);
  const auto& origins = j["days"][0]["origins"];
  ASSERT_EQ(origins.size(), by_prefix[busiest].size()) << j.dump();
  size_t path_rows = 0;
  for (size_t i = 0; i < origins.size(); ++i) {
    bool found = false;
    for (const auto& w : by_prefix[busiest]) {
      if (std::to_string(origins[i]["origin"].get<uint64_t>()) != w[2]) continue;
      found = true;
      EXPECT_EQ(std::to_string(origins[i]["peers"].get<uint64_t>()), w[3]);
      EXPECT_EQ(std::to_string(origins[i]["path_count"].get<uint64_t>()), w[4]);
      EXPECT_EQ(origins[i]["paths"].size(), std::stoul(w[4]));
      EXPECT_EQ(origins[i]["first"], IsoTime(std::stoll(w[5])));
      EXPECT_EQ(origins[i]["last"], IsoTime(std::stoll(w[6])));
    }
    EXPECT_TRUE(found) << origins[i].dump();
    path_rows += origins[i]["paths"].size();
  }
  EXPECT_FALSE(j["truncated"].get<bool>());
  // The limit cuts the paths and says so.
  if (path_rows > 1) {
    auto [st2, j2] = Get(s.port, "/api/history/prefix?limit=1&p=" + busiest);
    EXPECT_EQ(st2, 200);
    EXPECT_TRUE(j2["truncated"].get<bool>()) << j2.dump();
  }
  // Outside the archived days: nothing.
  auto [st3, j3] = Get(s.port, "/api/history/prefix?p=" + busiest + "&to=2000-01-01");
  EXPECT_EQ(st3, 200);
  EXPECT_TRUE(j3["days"].empty());

  // An AS: the origin of the first origin row; its prefixes as the rows say.
  const std::string asn = by_prefix.begin()->second[0][2];
  std::set<std::string> want;
  for (const std::string& line : e.origins) {
    std::vector<std::string> cols;
    for (size_t b = 0;;) {
      const size_t t = line.find('\t', b);
      cols.push_back(line.substr(b, t - b));
      if (t == std::string::npos) break;
      b = t + 1;
    }
    if (cols[2] == asn) want.insert(cols[1] + " " + cols[3]);
  }
  auto [st4, j4] = Get(s.port, "/api/history/asn?a=AS" + asn + "&limit=100000");
  ASSERT_EQ(st4, 400) << "limit above --max-page is refused";
  std::tie(st4, j4) = Get(s.port, "/api/history/asn?a=AS" + asn);
  ASSERT_EQ(st4, 200) << j4.dump();
  EXPECT_EQ(std::to_string(j4["asn"].get<uint64_t>()), asn);
  std::set<std::string> got;
  for (const auto& d : j4["days"]) {
    EXPECT_EQ(d["date"], f.date);
    for (const auto& p : d["prefixes"]) {
      got.insert(p["prefix"].get<std::string>() + " " + std::to_string(p["peers"].get<uint64_t>()));
    }
  }
  EXPECT_EQ(got, want);

  // Bad parameters: 400 with a message naming the parameter.
  for (const char* bad :
       {"/api/history/prefix", "/api/history/prefix?p=10.0.0.0/33", "/api/history/prefix?p=zz",
        "/api/history/prefix?p=10.0.0.1/8", "/api/history/prefix?p=10.0.0.0/8&from=2026-02-30",
        "/api/history/prefix?p=10.0.0.0/8&from=2026-02-02&to=2026-02-01",
        "/api/history/prefix?p=10.0.0.0/8&limit=0", "/api/history/prefix?p=10.0.0.0/8&x=1",
        "/api/history/asn", "/api/history/asn?a=4294967296", "/api/history/asn?a=-1",
        "/api/history/asn?a=AS1&to=yesterday"}) {
    auto [code, body] = Get(s.port, bad);
    EXPECT_EQ(code, 400) << bad << " " << body.dump();
    EXPECT_TRUE(body.contains("error")) << bad;
  }
  auto [code, body] = Get(s.port, "/api/history/prefix?p=10.0.0.1/8");
  EXPECT_NE(body["error"].get<std::string>().find("10.0.0.0/8"), std::string::npos) << body.dump();
}

TEST(RouteArchiveApi, WithoutAnArchiveTheHistoryIsNotFound) {
  REQUIRE_SERVER();
  Fixture& f = Shared();
  ASSERT_TRUE(f.ok);
  Serving s;
  s.pid = test_util::StartVigia("serve --no-access-log --listen 127.0.0.1:0 --db " + f.sqlite,
                                g_dir / "serve2.out", &s.port, 30);
  ASSERT_GT(s.port, 0);
  for (const char* path : {"/api/history/prefix?p=10.0.0.0/8", "/api/history/asn?a=64496"}) {
    auto [code, body] = Get(s.port, path);
    EXPECT_EQ(code, 404) << path;
    EXPECT_NE(body["error"].get<std::string>().find("--archive"), std::string::npos) << body.dump();
  }
}

}  // namespace
}  // namespace vigia::archive

int main(int argc, char** argv) {
  bool listing = false;
  for (int i = 1; i < argc; ++i) listing = listing || std::string(argv[i]) == "--gtest_list_tests";
  std::unique_ptr<vigia::store::test_clickhouse::Server> server;
  if (!listing) {
    server = vigia::store::test_clickhouse::StartServer();
    vigia::archive::g_server = server.get();
    if (!server->ok()) {
      std::fprintf(stderr, "route archive tests skipped: %s\n", server->skip_reason().c_str());
    }
  }
  ::testing::InitGoogleTest(&argc, argv);
  const int rc = RUN_ALL_TESTS();
  if (!vigia::archive::g_dir.empty()) std::filesystem::remove_all(vigia::archive::g_dir);
  vigia::archive::g_server = nullptr;
  return rc;
}
