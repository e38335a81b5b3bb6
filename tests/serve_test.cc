// `vigia serve` end to end (issue [5/5]): a store built from a simulated
// snapshot, the server started on loopback, its API read back and compared
// with `vigia report` and the store, the write API (contests) with its
// token, the web app's static files, bad parameters refused with 400, and
// a hostile-request run (random and malformed requests) with no 5xx and no
// crash.
#include <arpa/inet.h>
#include <fcntl.h>
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <httplib.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <random>
#include <regex>
#include <set>
#include <sstream>
#include <thread>

#include "contest_fixture.h"
#include "core/test_socket.h"
#include "core/test_util.h"
#include "serve/api.h"
#include "store/store.h"

namespace vigia {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using test_util::RunCommand;
using test_util::StartVigia;
using test_util::Vigia;

using test_util::Exit;

// One store and one server for the whole file.
struct Served {
  fs::path dir, db;
  pid_t pid = -1;
  int port = 0;
  json truth;
  // The write API's tokens (vigia token create), made once the server runs:
  // an operator for the culprit of the first hijack, an operator of an AS
  // no incident involves, a reviewer, and a revoked operator token of the
  // same culprit.
  json hijack;
  std::string op_token, other_token, reviewer_token, revoked_token;
};

// `vigia token create ARGS` on a store; returns the token it prints.
std::string CreateToken(const fs::path& db, const std::string& args) {
  int status = 0;
  std::string out = RunCommand(
      Vigia() + " token create --db sqlite:" + db.string() + " " + args + " 2>/dev/null", &status);
  EXPECT_EQ(Exit(status), 0) << args;
  while (!out.empty() && out.back() == '\n') out.pop_back();
  EXPECT_EQ(out.size(), 64u) << out;
  return out;
}

// Starts `vigia serve ARGS --listen 127.0.0.1:0`; returns its pid and sets
// *port from the line it prints (0 when it did not start).
pid_t StartServer(const std::string& args, const fs::path& out, int* port) {
  return StartVigia("serve --listen 127.0.0.1:0 " + args, out, port);
}

Served* g_served = nullptr;    // set once Shared() has run
Served* g_contests = nullptr;  // set once ContestsShared() has run

// A store copied from the simulated one, its server, and its tokens.
Served* MakeServed(const char* prefix) {
  {
    auto* x = new Served;
    x->dir = test_util::FreshTempDir(prefix);
    x->db = x->dir / "vigia.db";
    // The simulated store is made once per build of the program (ctest
    // runs each test in its own process, two at a time) and copied: every
    // process writes contests to its own copy.
    std::error_code ec;
    const auto stamp = fs::last_write_time(Vigia(), ec).time_since_epoch().count();
    const fs::path cache = fs::temp_directory_path() /
                           fmt::format("vigia_serve_store_{:x}",
                                       std::hash<std::string>{}(Vigia() + std::to_string(stamp)));
    const int lock = open((cache.string() + ".lock").c_str(), O_CREAT | O_RDWR, 0644);
    EXPECT_GE(lock, 0);
    flock(lock, LOCK_EX);
    if (!fs::exists(cache / "vigia.db")) {
      const fs::path tmp = cache.string() + ".tmp" + std::to_string(getpid());
      fs::remove_all(tmp);
      fs::create_directories(tmp);
      int status = 0;
      RunCommand(Vigia() + " simulate --seed 9 --ases 600 --prefixes 6000 --peers 8 --out " +
                     (tmp / "snap").string() + " 2>&1",
                 &status);
      EXPECT_EQ(Exit(status), 0);
      RunCommand(Vigia() + " analyze --db sqlite:" + (tmp / "vigia.db").string() + " " +
                     (tmp / "snap").string() + " 2>&1",
                 &status);
      EXPECT_EQ(Exit(status), 0);
      fs::copy_file(tmp / "snap" / "truth.json", tmp / "truth.json");
      fs::remove_all(tmp / "snap");
      fs::remove_all(cache);
      fs::rename(tmp, cache);
    }
    flock(lock, LOCK_UN);
    close(lock);
    fs::copy_file(cache / "vigia.db", x->db);
    std::ifstream in(cache / "truth.json");
    x->truth = json::parse(in);
    // A web app to serve: two static files.
    fs::create_directories(x->dir / "web" / "assets");
    std::ofstream(x->dir / "web" / "index.html") << "<!doctype html><title>Vigía</title>\n";
    std::ofstream(x->dir / "web" / "assets" / "app.js") << "console.log('vigia');\n";
    // The server, its stdout to a file we read the port from.
    x->pid = StartServer(
        "--no-access-log --web " + (x->dir / "web").string() + " --db sqlite:" + x->db.string(),
        x->dir / "serve.out", &x->port);
    EXPECT_NE(x->port, 0) << "the server did not start";
    // Tokens are read from the store at each request: made now, they work.
    httplib::Client c("127.0.0.1", x->port);
    auto r = c.Get("/api/incidents?type=hijack&limit=1");
    EXPECT_TRUE(r && r->status == 200);
    if (r) x->hijack = json::parse(r->body)["incidents"][0];
    const std::string culprit = std::to_string(x->hijack["culprit"].get<uint64_t>());
    x->op_token = CreateToken(x->db, "--name noc@as64500.example --role operator --asn " + culprit);
    x->other_token = CreateToken(x->db, "--name other --role operator --asn 4200000001");
    x->reviewer_token = CreateToken(x->db, "--name reviewer-1 --role reviewer");
    x->revoked_token = CreateToken(x->db, "--name gone --role operator --asn " + culprit);
    RunCommand(Vigia() + " token revoke 4 --db sqlite:" + x->db.string() + " 2>/dev/null");
    // A secret beside the web app, which must never be served.
    std::ofstream(x->dir / "token") << x->op_token << "\n";
    return x;
  }
}

Served& Shared() {
  static Served* s = g_served = MakeServed("vigia_serve_");
  return *s;
}

// The contests' own server (the ServeContests tests), so that they neither
// see the Serve tests' contests nor lose their server to ZzStopsOnSigterm.
Served& ContestsShared() {
  static Served* s = g_contests = MakeServed("vigia_contests_");
  return *s;
}

json Get(const std::string& path, int* status) {
  httplib::Client c("127.0.0.1", Shared().port);
  c.set_read_timeout(10, 0);
  auto r = c.Get(path.c_str());
  if (!r) {
    *status = -1;
    return json();
  }
  *status = r->status;
  return json::parse(r->body, nullptr, false);
}

TEST(Serve, HealthSnapshotsAndOpenApi) {
  int st = 0;
  json h = Get("/healthz", &st);
  ASSERT_EQ(st, 200);
  EXPECT_EQ(h["status"], "ok");
  EXPECT_EQ(h["snapshots"], 1);
  json snaps = Get("/api/snapshots", &st);
  ASSERT_EQ(st, 200);
  ASSERT_EQ(snaps.size(), 1u);
  EXPECT_EQ(snaps[0]["date"], "2026-11-22");
  json api = Get("/api/openapi.json", &st);
  ASSERT_EQ(st, 200);
  EXPECT_EQ(api["openapi"], "3.0.3");
  for (const char* p :
       {"/api/overview", "/api/incidents", "/api/ranking", "/api/as/{id}", "/api/ixp/{id}"}) {
    EXPECT_TRUE(api["paths"].contains(p)) << p;
  }
}

// openapi.json documents every registered route and nothing else, and
// every documented route answers (neither 404 nor 405) with real ids.
TEST(Serve, EveryRouteIsDocumentedAndAnswers) {
  int st = 0;
  const json api = Get("/api/openapi.json", &st);
  ASSERT_EQ(st, 200);
  ASSERT_TRUE(api.contains("paths")) << "src/serve/openapi.json does not parse";
  std::set<std::pair<std::string, std::string>> documented, registered;
  for (const auto& [path, ops] : api["paths"].items()) {
    for (const auto& [method, op] : ops.items()) {
      std::string m = method;
      for (char& c : m) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
      documented.insert({m, path});
    }
  }
  // Real ids for the path parameters.
  const json as = Get("/api/ranking?kind=as&limit=1", &st)["entities"];
  const json ixp = Get("/api/ranking?kind=ixp&limit=1", &st)["entities"];
  const json inc = Get("/api/incidents?limit=1", &st)["incidents"];
  ASSERT_FALSE(as.empty());
  ASSERT_FALSE(ixp.empty());
  ASSERT_FALSE(inc.empty());
  const std::map<std::string, std::string> ids = {
      {"/api/as/", as[0]["id"].get<std::string>()},
      {"/api/country/", "BR"},
      {"/api/region/", "lacnic"},
      {"/api/ixp/", ixp[0]["id"].get<std::string>()},
      {"/api/group/", "all"},
      {"/api/incidents/", std::to_string(inc[0]["id"].get<int64_t>())},
      {"/api/contests/", "1"}};
  auto fill = [&](std::string path) {
    const size_t at = path.find("{id}");
    if (at == std::string::npos) return path;
    const auto it = ids.find(path.substr(0, at));
    return it == ids.end() ? path : path.replace(at, 4, it->second);
  };
  for (const serve::RouteSpec& r : serve::Routes()) {
    for (const std::string& p : r.documented) {
      registered.insert({r.method, p});
      EXPECT_TRUE(std::regex_match(fill(p), std::regex(r.pattern)))
          << r.pattern << " does not match " << p;
    }
  }
  EXPECT_EQ(registered, documented)
      << "routes in serve::Routes() and src/serve/openapi.json differ";
  httplib::Client c("127.0.0.1", Shared().port);
  for (const auto& [method, path] : documented) {
    const std::string url = fill(path);
    // The write route without a token: 401, an answer from the route.
    auto res =
        method == "POST" ? c.Post(url.c_str(), "{}", "application/json") : c.Get(url.c_str());
    ASSERT_TRUE(res) << method << " " << url;
    EXPECT_NE(res->status, 404) << method << " " << url << " " << res->body;
    EXPECT_NE(res->status, 405) << method << " " << url;
    EXPECT_LT(res->status, 500) << method << " " << url << " " << res->body;
  }
}

// The API's numbers are the store's: the same report `vigia report` prints.
TEST(Serve, ReportsEqualTheCommandLine) {
  const Served& s = Shared();
  uint64_t hijacker = 0;
  for (const auto& t : s.truth["incidents"]) {
    if (t["type"] == "hijack") hijacker = t["culprit"].get<uint64_t>();
  }
  ASSERT_NE(hijacker, 0u);
  for (const std::string& what : {"as " + std::to_string(hijacker), std::string("region lacnic"),
                                  std::string("group manrs")}) {
    int status = 0;
    const json cli = json::parse(
        RunCommand(Vigia() + " report " + what + " --json --db sqlite:" + s.db.string(), &status));
    ASSERT_EQ(Exit(status), 0);
    std::string path = "/api/" + what;
    path[path.find(' ')] = '/';
    int st = 0;
    json api = Get(path, &st);
    ASSERT_EQ(st, 200) << path;
    // An AS's "attacks" (issue 15) are the API's addition; the command
    // line lists them with `vigia incidents --victim` (analyze_cli_test).
    if (what.starts_with("as ")) {
      EXPECT_TRUE(api["attacks"].is_object()) << path;
      api.erase("attacks");
    }
    EXPECT_EQ(api, cli) << path;
  }
  int st = 0;
  const json over = Get("/api/overview", &st);
  ASSERT_EQ(st, 200);
  const json all =
      json::parse(RunCommand(Vigia() + " report group all --json --db sqlite:" + s.db.string()));
  EXPECT_EQ(over["global"]["overall"]["score"], all["scores"]["overall"]["score"]);
  EXPECT_EQ(over["global"]["overall"]["ready"], all["scores"]["overall"]["ready"]);
  ASSERT_FALSE(over["regions"].empty());
  EXPECT_EQ(over["regions"][0]["id"], "lacnic");  // LAC first
  const json hijacks = json::parse(
      RunCommand(Vigia() + " incidents --json --type hijack --db sqlite:" + s.db.string()));
  EXPECT_EQ(over["incidents"]["hijack"], hijacks.size());
}

TEST(Serve, IncidentSearchAndPaging) {
  int st = 0;
  const json all = Get("/api/incidents?type=hijack&limit=1000", &st);
  ASSERT_EQ(st, 200);
  ASSERT_FALSE(all["incidents"].empty());
  const json first = all["incidents"][0];
  const json by_prefix =
      Get("/api/incidents?prefix=" + first["prefixes"][0].get<std::string>(), &st);
  ASSERT_EQ(st, 200);
  bool found = false;
  for (const auto& i : by_prefix["incidents"]) found |= i["id"] == first["id"];
  EXPECT_TRUE(found);
  const json by_as =
      Get("/api/incidents?as=" + std::to_string(first["culprit"].get<uint64_t>()), &st);
  ASSERT_EQ(st, 200);
  for (const auto& i : by_as["incidents"]) {
    EXPECT_TRUE(i["culprit"] == first["culprit"] || i["propagator"] == first["culprit"]);
  }
  const json p1 = Get("/api/incidents?limit=2&offset=0", &st);
  const json p2 = Get("/api/incidents?limit=2&offset=2", &st);
  ASSERT_EQ(p1["incidents"].size(), 2u);
  ASSERT_EQ(p2["incidents"].size(), 2u);
  EXPECT_NE(p1["incidents"][0]["id"], p2["incidents"][0]["id"]);
  httplib::Client c("127.0.0.1", Shared().port);
  auto csv = c.Get("/api/ranking?kind=region&format=csv");
  ASSERT_TRUE(csv);
  EXPECT_EQ(csv->status, 200);
  EXPECT_EQ(csv->get_header_value("Content-Type"), "text/csv; charset=utf-8");
  EXPECT_EQ(csv->body.rfind(
                "kind,id,name,country,region,manrs,size,overall,band,overall_max,measured,of\n", 0),
            0u);
}

// A date range searches every snapshot dated in it; each incident names
// its snapshot.
TEST(Serve, IncidentsByDateRange) {
  int st = 0;
  const json one = Get("/api/incidents?type=route_leak&limit=1000", &st);
  ASSERT_EQ(st, 200);
  ASSERT_FALSE(one["incidents"].empty());
  for (const char* q : {"from=2026-11-01&to=2026-11-30", "from=2026-11-22", "to=2026-11-22",
                        "from=2026-11-22&to=2026-11-22"}) {
    const json r = Get(std::string("/api/incidents?type=route_leak&limit=1000&") + q, &st);
    ASSERT_EQ(st, 200) << q;
    EXPECT_EQ(r["incidents"], one["incidents"]) << q;
    EXPECT_TRUE(r.contains("range")) << q;
  }
  EXPECT_EQ(one["incidents"][0]["snapshot"]["date"], "2026-11-22");
  EXPECT_TRUE(Get("/api/incidents?from=2026-11-23", &st)["incidents"].empty());
  EXPECT_TRUE(Get("/api/incidents?to=2026-11-21", &st)["incidents"].empty());
  for (const char* bad : {"/api/incidents?from=2026-11-23&to=2026-11-22",
                          "/api/incidents?from=2026-11-01&date=2026-11-22",
                          "/api/incidents?from=11/01/2026", "/api/incidents?to=2026-02-30x"}) {
    EXPECT_EQ((Get(bad, &st), st), 400) << bad;
  }
}

// Every parameter is validated: 400 with a JSON error, never a 5xx.
TEST(Serve, BadParametersGet400) {
  for (const char* path :
       {"/api/incidents?limit=0", "/api/incidents?limit=100001", "/api/incidents?limit=x",
        "/api/incidents?type=worm", "/api/incidents?as=-1", "/api/incidents?as=4294967296",
        "/api/incidents?prefix=1.2.3.4/33", "/api/incidents?date=2026-13-01",
        "/api/incidents?bogus=1", "/api/incidents?limit=1&limit=2", "/api/as/AS",
        "/api/as/4294967296", "/api/region/mars", "/api/country/BRA", "/api/ranking?kind=planet",
        "/api/ranking?format=xml", "/api/overview?date=yesterday", "/api/as/1?members=5000"}) {
    int st = 0;
    const json j = Get(path, &st);
    EXPECT_EQ(st, 400) << path << " " << j.dump();
    EXPECT_TRUE(j.contains("error")) << path;
  }
  int st = 0;
  EXPECT_EQ((Get("/api/as/4200000000", &st), st), 404);
  EXPECT_EQ((Get("/api/overview?date=1999-01-01", &st), st), 404);
  EXPECT_EQ((Get("/no/such/path", &st), st), 404);
}

// A socket to the server on loopback with 2 s send and receive timeouts;
// -1 when connect fails.
int Connect(int port) { return test_util::ConnectLoopback(port, 2); }

// What the server answers on `fd` (up to 4 KiB, until it closes or 2 s).
std::string ReadAnswer(int fd) {
  std::string got;
  char buf[4096];
  while (got.size() < sizeof buf) {
    const ssize_t n = recv(fd, buf, sizeof buf, 0);
    if (n <= 0) break;
    got.append(buf, static_cast<size_t>(n));
  }
  return got;
}

// Thousands of random and malformed requests over raw sockets: no 5xx, and
// the server still answers afterwards.
TEST(Serve, HostileRequestsGetNo5xx) {
  const int port = Shared().port;
  std::mt19937_64 rng(20261122);
  auto pick = [&](std::initializer_list<const char*> xs) {
    return *(xs.begin() + rng() % xs.size());
  };
  auto junk = [&](size_t n) {
    std::string s;
    for (size_t i = 0; i < n; ++i) s += static_cast<char>(rng() % 256);
    return s;
  };
  size_t answered = 0, server_errors = 0;
  for (int i = 0; i < 2000; ++i) {
    std::string req;
    const int kind = static_cast<int>(rng() % 7);
    switch (kind) {
      case 0:  // random bytes
        req = junk(1 + rng() % 300);
        break;
      case 1:  // a real route with junk parameters
        req = fmt::format("GET {}?{}={} HTTP/1.1\r\nHost: x\r\n\r\n",
                          pick({"/api/incidents", "/api/ranking", "/api/overview", "/api/as/1",
                                "/api/region/lacnic"}),
                          pick({"limit", "offset", "as", "type", "date", "prefix", "kind", "format",
                                "members", "x"}),
                          pick({"%", "%zz", "-1", "99999999999999999999", "1e9", "", "%00", "AS1",
                                "🙂", "1.2.3.4/99"}));
        break;
      case 2:  // odd methods and paths
        req = fmt::format(
            "{} {} HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n",
            pick({"GET", "POST", "PUT", "DELETE", "HEAD", "BREW"}),
            pick({"/", "/api", "/api/", "/api/as/", "/api/as/%2e%2e", "//api//as//1", "/api/ixp/0",
                  "/../../etc/passwd", "/api/country/zz", "/api/incidents/1/contest"}));
        break;
      case 3:  // truncated request
        req = "GET /api/incidents?limit=5 HTTP/1.1\r\nHost:";
        break;
      case 4:  // huge header
        req = "GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: " +
              std::string(20000 + rng() % 50000, 'a') + "\r\n\r\n";
        break;
      case 5:  // a body on a GET, with a lying length
        req = "GET /api/snapshots HTTP/1.1\r\nHost: x\r\nContent-Length: 999999\r\n\r\nabc";
        break;
      default: {  // a contest with the right token and a hostile body
        const std::string body =
            pick({"{", "[]", "null", "{\"author\":1}", "{\"author\":\"a\",\"reason\":\"\\u0000\"}",
                  "{\"author\":\"a\",\"reason\":\"\\ud800\"}", "\xff\xfe{}", ""}) +
            (rng() % 2 ? junk(rng() % 100) : std::string());
        req = fmt::format(
            "POST /api/incidents/{}/contest HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {}\r\n"
            "Content-Type: application/json\r\nContent-Length: {}\r\n\r\n{}",
            pick({"1", "0", "999999999999", "2"}), Shared().op_token, body.size(), body);
        break;
      }
    }
    const int fd = Connect(port);
    ASSERT_GE(fd, 0) << "request " << i;
    static_cast<void>(send(fd, req.data(), req.size(), MSG_NOSIGNAL));
    // Junk and cut-off requests end with the connection; the others wait
    // for their answer.
    if (kind == 0 || kind == 3 || kind == 5) shutdown(fd, SHUT_WR);
    char buf[64] = {};
    const ssize_t n = recv(fd, buf, sizeof buf - 1, 0);
    close(fd);
    if (n >= 12 && std::string(buf, 5) == "HTTP/") {
      ++answered;
      if (buf[9] == '5') ++server_errors;
    }
  }
  EXPECT_EQ(server_errors, 0u);
  EXPECT_GT(answered, 500u);
  int st = 0;
  EXPECT_EQ((Get("/healthz", &st), st), 200);  // still up
  // /metrics counted the requests that reached a route.
  httplib::Client c("127.0.0.1", port);
  auto m = c.Get("/metrics");
  ASSERT_TRUE(m);
  EXPECT_NE(m->body.find("vigia_http_requests_total{route=\"incidents\",status=\"400\"}"),
            std::string::npos);
}

// The overview's coverage is the sum of the ASes' route tallies, and its
// country list is the country ranking.
TEST(Serve, OverviewCoverageAndCountries) {
  const Served& s = Shared();
  int st = 0;
  const json over = Get("/api/overview", &st);
  ASSERT_EQ(st, 200);
  int64_t routes = 0, valid = 0, invalid = 0, not_found = 0, registered = 0;
  const json ranking = Get("/api/ranking?kind=as&limit=1000", &st);
  ASSERT_EQ(st, 200);
  ASSERT_LT(ranking["entities"].size(), 1000u);  // all of them on one page
  for (const auto& e : ranking["entities"]) {
    const json r = Get("/api/as/" + e["id"].get<std::string>(), &st);
    ASSERT_EQ(st, 200);
    routes += r["routes"]["originated"].get<int64_t>();
    valid += r["routes"]["rpki"]["valid"].get<int64_t>();
    invalid += r["routes"]["rpki"]["invalid"].get<int64_t>();
    not_found += r["routes"]["rpki"]["not_found"].get<int64_t>();
    registered += r["routes"]["irr_registered"].get<int64_t>();
  }
  const json& cov = over["coverage"];
  EXPECT_GT(routes, 1000);
  EXPECT_EQ(cov["rpki"]["routes"], routes);
  EXPECT_EQ(cov["rpki"]["valid"], valid);
  EXPECT_EQ(cov["rpki"]["invalid"], invalid);
  EXPECT_EQ(cov["rpki"]["not_found"], not_found);
  EXPECT_EQ(cov["irr"]["registered"], registered);
  EXPECT_EQ(valid + invalid + not_found, routes);
  int64_t region_routes = 0;
  for (const auto& r : over["regions"])
    region_routes += r["coverage"]["rpki"]["routes"].get<int64_t>();
  EXPECT_LE(region_routes, routes);
  EXPECT_GT(region_routes, routes / 2);
  const json countries = Get("/api/ranking?kind=country&limit=1000", &st);
  ASSERT_EQ(over["countries"].size(), countries["entities"].size());
  for (size_t i = 0; i < countries["entities"].size(); ++i) {
    EXPECT_EQ(over["countries"][i]["id"], countries["entities"][i]["id"]);
    EXPECT_EQ(over["countries"][i]["overall"], countries["entities"][i]["overall"]);
    EXPECT_FALSE(over["countries"][i]["region"].get<std::string>().empty());
  }
  const json br =
      json::parse(RunCommand(Vigia() + " report country BR --json --db sqlite:" + s.db.string()));
  EXPECT_EQ(br["region"], "lacnic");
  EXPECT_TRUE(br.contains("coverage"));
}

TEST(Serve, SearchByAsnAndName) {
  int st = 0;
  const json top = Get("/api/ranking?kind=as&limit=1", &st);
  ASSERT_EQ(st, 200);
  const std::string asn = top["entities"][0]["id"];
  const std::string name = top["entities"][0]["name"];
  for (const std::string& q : {asn, "AS" + asn, "as" + asn}) {
    const json r = Get("/api/search?q=" + q, &st);
    ASSERT_EQ(st, 200) << q;
    ASSERT_FALSE(r["results"].empty()) << q;
    EXPECT_EQ(r["results"][0]["kind"], "as");
    EXPECT_EQ(r["results"][0]["id"], asn);
  }
  // A word of the name, in other case, finds it among the results.
  std::string word = name.substr(0, name.find(' '));
  for (char& c : word) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  const json r = Get("/api/search?limit=100&q=" + httplib::detail::encode_query_param(word), &st);
  ASSERT_EQ(st, 200);
  bool found = false;
  for (const auto& x : r["results"]) found |= x["id"] == asn;
  EXPECT_TRUE(found) << word;
  // Country ids; LIKE wildcards are literal.
  const json br = Get("/api/search?q=br", &st);
  ASSERT_FALSE(br["results"].empty());
  EXPECT_EQ(br["results"][0]["kind"], "country");
  EXPECT_TRUE(Get("/api/search?q=%25", &st)["results"].empty());
  EXPECT_TRUE(Get("/api/search?q=_", &st)["results"].empty());
  for (const char* bad :
       {"/api/search", "/api/search?q=", "/api/search?q=x&limit=0", "/api/search?q=x&limit=101"}) {
    EXPECT_EQ((Get(bad, &st), st), 400) << bad;
  }
}

TEST(Serve, CompareEqualsTheReports) {
  int st = 0;
  const json top = Get("/api/ranking?kind=as&limit=3", &st);
  std::vector<std::string> ids;
  for (const auto& e : top["entities"]) ids.push_back(e["id"]);
  ASSERT_EQ(ids.size(), 3u);
  const json cmp =
      Get(fmt::format("/api/compare?kind=as&ids={},AS{},{}", ids[0], ids[1], ids[2]), &st);
  ASSERT_EQ(st, 200) << cmp.dump();
  ASSERT_EQ(cmp["entities"].size(), 3u);
  for (size_t i = 0; i < 3; ++i) {
    const json r = Get("/api/as/" + ids[i], &st);
    const json& e = cmp["entities"][i];
    EXPECT_EQ(e["id"], ids[i]);
    for (const auto& [a, x] : r["scores"].items())
      EXPECT_EQ(e["scores"][a]["score"], x["score"]) << a;
    for (const auto& [m, x] : r["metrics"].items()) EXPECT_EQ(e["metrics"][m], x["value"]) << m;
  }
  const json cc = Get("/api/compare?kind=country&ids=BR,us", &st);
  ASSERT_EQ(st, 200);
  const json us = Get("/api/country/US", &st);
  EXPECT_EQ(cc["entities"][1]["id"], "US");
  EXPECT_EQ(cc["entities"][1]["scores"]["overall"]["score"], us["scores"]["overall"]["score"]);
  EXPECT_EQ(cc["entities"][1]["metrics"]["M6"], us["metrics"]["M6"]["mean"]);
  httplib::Client c("127.0.0.1", Shared().port);
  auto csv = c.Get("/api/compare?kind=country&ids=BR,US&format=csv");
  ASSERT_TRUE(csv);
  EXPECT_EQ(csv->status, 200);
  EXPECT_EQ(csv->body.rfind("kind,id,name,country,region,action1,action1_band,", 0), 0u)
      << csv->body;
  EXPECT_EQ(std::count(csv->body.begin(), csv->body.end(), '\n'), 3);
  for (const char* bad :
       {"/api/compare?ids=1", "/api/compare?ids=1,2,3,4,5,6,7,8,9,10,11", "/api/compare?ids=1,1",
        "/api/compare?ids=1,x", "/api/compare?kind=ixp&ids=1,2", "/api/compare?ids=1,,2"}) {
    EXPECT_EQ((Get(bad, &st), st), 400) << bad;
  }
  EXPECT_EQ((Get("/api/compare?ids=1,4200000000", &st), st), 404);
}

// CSV of the incident table: the same rows as the JSON page.
TEST(Serve, IncidentsAndReportsAsCsv) {
  int st = 0;
  const json page = Get("/api/incidents?limit=50", &st);
  httplib::Client c("127.0.0.1", Shared().port);
  auto csv = c.Get("/api/incidents?limit=50&format=csv");
  ASSERT_TRUE(csv);
  ASSERT_EQ(csv->status, 200);
  std::istringstream lines(csv->body);
  std::string line;
  std::getline(lines, line);
  EXPECT_EQ(line,
            "date,id,type,kind,culprit,propagator,prefixes,start,end,confidence,contested,victims");
  size_t n = 0;
  while (std::getline(lines, line)) {
    ASSERT_LT(n, page["incidents"].size());
    const json& i = page["incidents"][n++];
    EXPECT_EQ(line.rfind(fmt::format("2026-11-22,{},{},", i["id"].get<int64_t>(),
                                     i["type"].get<std::string>()),
                         0),
              0u)
        << line;
  }
  EXPECT_EQ(n, page["incidents"].size());
  auto rep = c.Get("/api/region/lacnic?format=csv");
  ASSERT_TRUE(rep);
  EXPECT_EQ(rep->status, 200);
  EXPECT_EQ(rep->body.rfind("kind,id,date,what,", 0), 0u);
}

// CSV exports neutralise formulas (OWASP): an as2org name like
// =HYPERLINK(...) reaches a spreadsheet as text, with a leading '.
TEST(Serve, CsvNeutralisesFormulas) {
  if (!test_util::HaveCommand("sqlite3")) GTEST_SKIP() << "needs the sqlite3 program";
  const Served& s = Shared();
  const fs::path db = s.dir / "formula.db";
  fs::copy_file(s.db, db, fs::copy_options::overwrite_existing);
  int status = 0;
  std::ofstream(s.dir / "formula.sql")
      << "UPDATE entities SET name = '=HYPERLINK(\"http://x.example\",\"click\")' WHERE kind = "
         "'as';\n";
  RunCommand("sqlite3 " + db.string() + " < " + (s.dir / "formula.sql").string() + " 2>&1",
             &status);
  ASSERT_EQ(Exit(status), 0);
  int port = 0;
  const pid_t pid =
      StartServer("--no-access-log --db sqlite:" + db.string(), s.dir / "formula.out", &port);
  ASSERT_NE(port, 0);
  httplib::Client c("127.0.0.1", port);
  auto csv = c.Get("/api/ranking?kind=as&limit=3&format=csv");
  ASSERT_TRUE(csv);
  EXPECT_EQ(csv->status, 200);
  EXPECT_NE(csv->body.find(",\"'=HYPERLINK(\"\"http://x.example\"\",\"\"click\"\")\","),
            std::string::npos)
      << csv->body;
  EXPECT_EQ(csv->body.find(",=HYPERLINK"), std::string::npos) << csv->body;
  // The JSON keeps the name as it is.
  auto js = c.Get("/api/ranking?kind=as&limit=1");
  ASSERT_TRUE(js);
  EXPECT_EQ(json::parse(js->body)["entities"][0]["name"],
            "=HYPERLINK(\"http://x.example\",\"click\")");
  kill(pid, SIGTERM);
  waitpid(pid, &status, 0);
}

httplib::Result Post(int port, const std::string& path, const std::string& body,
                     const std::string& token, const char* type = "application/json") {
  httplib::Client c("127.0.0.1", port);
  httplib::Headers h;
  if (!token.empty()) h.emplace("Authorization", "Bearer " + token);
  return c.Post(path.c_str(), h, body, type);
}

// The write API: a contest needs an operator token of the incident's AS,
// is stored with the token's name as its author and its time, shows on the incident and on the AS
// report's audit log, and can never be changed or deleted; the incident stays.
TEST(Serve, ContestAnIncident) {
  const Served& s = Shared();
  int st = 0;
  const json hijacks = Get("/api/incidents?type=hijack&limit=1", &st);
  ASSERT_FALSE(hijacks["incidents"].empty());
  const json inc = hijacks["incidents"][0];
  const json counts_before = Get("/api/overview", &st)["incidents"];
  const std::string path = fmt::format("/api/incidents/{}/contest", inc["id"].get<int64_t>());
  const std::string body =
      R"({"author": "noc@as64500.example", "reason": "Our customer's prefix, LOA on file"})";
  const int port = s.port;
  const std::string& token = s.op_token;
  ASSERT_EQ(inc, s.hijack);
  EXPECT_EQ(Post(port, path, body, "")->status, 401);
  EXPECT_EQ(Post(port, path, body, "wrong-token-0123456789abcdef")->status, 401);
  EXPECT_EQ(Post(port, path, body, token + "x")->status, 401);
  EXPECT_EQ(Post(port, path, body, token, "text/plain")->status, 415);
  for (const char* bad :
       {"", "[]", "{}", R"({"author": "x"})", R"({"author": "", "reason": "y"})",
        R"({"author": "x", "reason": 5})", R"({"author": "x", "reason": "y", "more": 1})",
        R"({"author": "x\u0007", "reason": "y"})", "{\"author\": \"x\", \"reason\": \"y\""}) {
    EXPECT_EQ(Post(port, path, bad, token)->status, 400) << bad;
  }
  EXPECT_EQ(
      Post(port, path, R"({"author": "x", "reason": ")" + std::string(5000, 'y') + "\"}", token)
          ->status,
      400);
  EXPECT_EQ(Post(port, "/api/incidents/999999/contest", body, token)->status, 404);
  EXPECT_EQ(
      (Get("/api/incidents/" + std::to_string(inc["id"].get<int64_t>()), &st)["contests"].size()),
      0u);
  auto ok = Post(port, path, body, token);
  ASSERT_TRUE(ok);
  ASSERT_EQ(ok->status, 201) << ok->body;
  const json c = json::parse(ok->body)["contest"];
  EXPECT_EQ(c["author"], "noc@as64500.example");
  EXPECT_EQ(c["reason"], "Our customer's prefix, LOA on file");
  EXPECT_EQ(c["incident"], inc["id"]);
  EXPECT_EQ(c["type"], "hijack");
  EXPECT_EQ(c["time"].get<std::string>().size(), 20u);  // YYYY-MM-DDTHH:MM:SSZ
  // The author is the token's name, whatever a (deprecated) "author" says.
  ASSERT_EQ(Post(port, path, R"({"author": "second", "reason": "again"})", token)->status, 201);
  // On the incident, newest first, and the incident unchanged.
  const json one = Get("/api/incidents/" + std::to_string(inc["id"].get<int64_t>()), &st);
  ASSERT_EQ(st, 200);
  ASSERT_EQ(one["contests"].size(), 2u);
  EXPECT_EQ(one["contests"][0]["author"], "noc@as64500.example");
  EXPECT_EQ(one["contests"][0]["reason"], "again");
  EXPECT_EQ(one["contests"][0]["state"], "submitted");
  EXPECT_EQ(one["contested"], 2);
  for (const char* k : {"type", "kind", "culprit", "prefixes", "start", "end", "evidence"})
    EXPECT_EQ(one[k], inc[k]) << k;
  // On the AS report (the API and the command line) as the audit log.
  const std::string asn = std::to_string(inc["culprit"].get<uint64_t>());
  const json rep = Get("/api/as/" + asn, &st);
  ASSERT_EQ(rep["contests"].size(), 2u);
  EXPECT_EQ(rep["contests"][1]["author"], "noc@as64500.example");
  const std::string text =
      RunCommand(Vigia() + " report as " + asn + " --db sqlite:" + s.db.string());
  EXPECT_NE(text.find("noc@as64500.example contested incident #"), std::string::npos) << text;
  // The audit log is append-only, and a contested incident stays.
  const std::string sql = "sqlite3 " + s.db.string() + " ";
  int status = 0;
  if (test_util::HaveCommand("sqlite3")) {
    const std::string upd = RunCommand(sql + "\"UPDATE contests SET reason = 'x'\" 2>&1", &status);
    EXPECT_NE(Exit(status), 0);
    EXPECT_NE(upd.find("append-only"), std::string::npos) << upd;
    const std::string del = RunCommand(sql + "\"DELETE FROM incidents\" 2>&1", &status);
    EXPECT_NE(Exit(status), 0);
    EXPECT_NE(del.find("never deleted"), std::string::npos) << del;
  }
  EXPECT_EQ(Get("/api/overview", &st)["incidents"], counts_before);
}

// The one shared token of earlier versions is gone: --token-file is
// refused with a message that says what replaced it, and a store with no
// tokens refuses every write with 401.
TEST(Serve, SharedTokenFileIsRefused) {
  const Served& s = Shared();
  int status = 0;
  const std::string out =
      RunCommand(Vigia() + " serve --listen 127.0.0.1:0 --db sqlite:" + s.db.string() +
                     " --token-file " + (s.dir / "token").string() + " 2>&1",
                 &status);
  EXPECT_EQ(Exit(status), 2);
  EXPECT_NE(out.find("vigia token create"), std::string::npos) << out;
  const fs::path empty = s.dir / "empty.db";
  fs::copy_file(s.db, empty, fs::copy_options::overwrite_existing);
  // The copy has the tokens: revoke them all, and the writes are off.
  for (int id = 1; id <= 3; ++id)
    RunCommand(Vigia() + " token revoke " + std::to_string(id) + " --db sqlite:" + empty.string() +
               " 2>/dev/null");
  int port = 0;
  const pid_t pid =
      StartServer("--no-access-log --db sqlite:" + empty.string(), s.dir / "notoken.out", &port);
  ASSERT_NE(port, 0);
  for (const std::string& t : {s.op_token, s.reviewer_token, std::string()}) {
    auto r = Post(port, "/api/incidents/1/contest", R"({"reason": "y"})", t);
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 401) << r->body;
  }
  kill(pid, SIGTERM);
  waitpid(pid, &status, 0);
  EXPECT_EQ(Exit(status), 0);
}

// ---- Contests with review (docs/contests.md): every role x action ----

httplib::Result GetAs(int port, const std::string& path, const std::string& token) {
  httplib::Client c("127.0.0.1", port);
  c.set_read_timeout(10, 0);
  httplib::Headers h;
  if (!token.empty()) h.emplace("Authorization", "Bearer " + token);
  return c.Get(path.c_str(), h);
}

int StatusOf(const httplib::Result& r) { return r ? r->status : -1; }

// Contesting: no token and a revoked token 401; an operator of the
// incident's AS 201; an operator of another AS and a reviewer 403. Every
// attempt is in the audit log with who tried and the outcome.
TEST(ServeContests, WhoMayContest) {
  const Served& s = ContestsShared();
  const std::string path = fmt::format("/api/incidents/{}/contest", s.hijack["id"].get<int64_t>());
  const std::string body = R"({"reason": "our customer's route"})";
  EXPECT_EQ(StatusOf(Post(s.port, path, body, "")), 401);
  auto revoked = Post(s.port, path, body, s.revoked_token);
  EXPECT_EQ(StatusOf(revoked), 401);
  EXPECT_NE(revoked->body.find("revoked"), std::string::npos) << revoked->body;
  EXPECT_NE(revoked->get_header_value("WWW-Authenticate").find("invalid_token"), std::string::npos);
  auto other = Post(s.port, path, body, s.other_token);
  EXPECT_EQ(StatusOf(other), 403);
  EXPECT_NE(other->body.find("AS4200000001"), std::string::npos) << other->body;
  EXPECT_EQ(StatusOf(Post(s.port, path, body, s.reviewer_token)), 403);
  auto ok = Post(s.port, path, body, s.op_token);
  ASSERT_EQ(StatusOf(ok), 201) << ok->body;
  const json c = json::parse(ok->body)["contest"];
  EXPECT_EQ(c["author"], "noc@as64500.example");
  EXPECT_EQ(c["state"], "submitted");
  EXPECT_TRUE(c["review"].is_null());
  auto inc = GetAs(s.port, fmt::format("/api/incidents/{}", s.hijack["id"].get<int64_t>()), "");
  ASSERT_EQ(StatusOf(inc), 200);
  EXPECT_EQ(json::parse(inc->body)["status"], "contested");

  auto audit = GetAs(s.port, "/api/audit?limit=20", s.reviewer_token);
  ASSERT_EQ(StatusOf(audit), 200) << audit->body;
  std::vector<std::pair<std::string, std::string>> seen;  // (who, outcome), oldest first
  const json parsed1 = json::parse(audit->body);
  for (const auto& a : parsed1["audit"]) {
    if (a["action"] == "contest")
      seen.insert(seen.begin(), {a["who"].get<std::string>(), a["outcome"].get<std::string>()});
  }
  ASSERT_GE(seen.size(), 5u);
  seen.erase(seen.begin(), seen.end() - 5);
  EXPECT_EQ(seen[0].first, "anonymous");
  EXPECT_EQ(seen[0].second.substr(0, 3), "401");
  EXPECT_EQ(seen[1].first, "gone");
  EXPECT_EQ(seen[1].second.substr(0, 3), "401");
  EXPECT_EQ(seen[2].first, "other");
  EXPECT_EQ(seen[2].second.substr(0, 3), "403");
  EXPECT_EQ(seen[3].first, "reviewer-1");
  EXPECT_EQ(seen[3].second.substr(0, 3), "403");
  EXPECT_EQ(seen[4], (std::pair<std::string, std::string>{"noc@as64500.example", "ok"}));
}

// Reviewing: only a reviewer (an operator 403, no token 401); one review
// per contest (a second 409, accept or reject); a missing contest 404; a
// bad decision 400. The review shows on the contest and the incident.
TEST(ServeContests, WhoMayReviewAndOnlyOnce) {
  const Served& s = ContestsShared();
  const int64_t incident = s.hijack["id"].get<int64_t>();
  auto made = Post(s.port, fmt::format("/api/incidents/{}/contest", incident),
                   R"({"reason": "to be rejected"})", s.op_token);
  ASSERT_EQ(StatusOf(made), 201);
  const int64_t id = json::parse(made->body)["contest"]["id"].get<int64_t>();
  const std::string path = fmt::format("/api/contests/{}/review", id);
  const std::string reject =
      R"({"decision": "reject", "reason": "the route object is not theirs"})";
  EXPECT_EQ(StatusOf(Post(s.port, path, reject, "")), 401);
  EXPECT_EQ(StatusOf(Post(s.port, path, reject, s.revoked_token)), 401);
  EXPECT_EQ(StatusOf(Post(s.port, path, reject, s.op_token)), 403);
  EXPECT_EQ(StatusOf(Post(s.port, path, reject, s.other_token)), 403);
  EXPECT_EQ(StatusOf(Post(s.port, path, reject, s.reviewer_token, "text/plain")), 415);
  for (const char* bad : {R"({"decision": "maybe", "reason": "x"})", R"({"decision": "accept"})",
                          R"({"decision": "accept", "reason": "x", "by": "me"})", "[]"}) {
    EXPECT_EQ(StatusOf(Post(s.port, path, bad, s.reviewer_token)), 400) << bad;
  }
  EXPECT_EQ(StatusOf(Post(s.port, "/api/contests/999999/review", reject, s.reviewer_token)), 404);
  auto done = Post(s.port, path, reject, s.reviewer_token);
  ASSERT_EQ(StatusOf(done), 201) << done->body;
  const json r = json::parse(done->body);
  EXPECT_EQ(r["contest"]["state"], "rejected");
  EXPECT_EQ(r["contest"]["review"]["reviewer"], "reviewer-1");
  EXPECT_EQ(r["contest"]["review"]["reason"], "the route object is not theirs");
  EXPECT_EQ(r["contest"]["reason"], "to be rejected");
  EXPECT_TRUE(r["recompute"].is_null());
  auto again = Post(s.port, path, reject, s.reviewer_token);
  EXPECT_EQ(StatusOf(again), 409);
  EXPECT_NE(again->body.find("already rejected by reviewer-1"), std::string::npos) << again->body;
  EXPECT_EQ(StatusOf(Post(s.port, path, R"({"decision": "accept", "reason": "changed my mind"})",
                          s.reviewer_token)),
            409);
  auto got = GetAs(s.port, fmt::format("/api/incidents/{}", incident), "");
  ASSERT_EQ(StatusOf(got), 200);
  const json one = json::parse(got->body);
  bool found = false;
  for (const auto& c : one["contests"]) {
    if (c["id"] == id) {
      found = true;
      EXPECT_EQ(c["state"], "rejected");
    }
  }
  EXPECT_TRUE(found);
  // The double review is in the audit log as a 409.
  auto audit = GetAs(s.port, "/api/audit?limit=5", s.reviewer_token);
  ASSERT_EQ(StatusOf(audit), 200);
  const json last = json::parse(audit->body)["audit"][0];
  EXPECT_EQ(last["action"], "review");
  EXPECT_EQ(last["target"], fmt::format("contest {}", id));
  EXPECT_EQ(last["outcome"].get<std::string>().substr(0, 3), "409");
  EXPECT_EQ(last["who"], "reviewer-1");
  EXPECT_EQ(last["remote"], "127.0.0.1");
}

// Listing contests: a token is needed; a reviewer sees all, an operator
// those of its own ASNs (another AS: 403). The audit log: reviewers only.
TEST(ServeContests, WhoMayListContestsAndReadTheAuditLog) {
  const Served& s = ContestsShared();
  ASSERT_EQ(
      StatusOf(Post(s.port, fmt::format("/api/incidents/{}/contest", s.hijack["id"].get<int64_t>()),
                    R"({"reason": "listed"})", s.op_token)),
      201);
  const std::string culprit = std::to_string(s.hijack["culprit"].get<uint64_t>());
  EXPECT_EQ(StatusOf(GetAs(s.port, "/api/contests", "")), 401);
  EXPECT_EQ(StatusOf(GetAs(s.port, "/api/contests", s.revoked_token)), 401);
  auto all = GetAs(s.port, "/api/contests?state=submitted", s.reviewer_token);
  ASSERT_EQ(StatusOf(all), 200);
  const json a = json::parse(all->body);
  ASSERT_FALSE(a["contests"].empty());
  for (const auto& c : a["contests"]) EXPECT_EQ(c["state"], "submitted");
  auto every = GetAs(s.port, "/api/contests", s.reviewer_token);
  auto mine = GetAs(s.port, "/api/contests", s.op_token);
  ASSERT_EQ(StatusOf(mine), 200);
  EXPECT_EQ(json::parse(mine->body)["contests"].size(),
            json::parse(every->body)["contests"].size());
  EXPECT_EQ(StatusOf(GetAs(s.port, "/api/contests?as=" + culprit, s.op_token)), 200);
  EXPECT_EQ(StatusOf(GetAs(s.port, "/api/contests?as=" + culprit, s.other_token)), 403);
  auto none = GetAs(s.port, "/api/contests", s.other_token);
  ASSERT_EQ(StatusOf(none), 200);
  EXPECT_TRUE(json::parse(none->body)["contests"].empty());
  EXPECT_EQ(StatusOf(GetAs(s.port, "/api/contests?state=pending", s.reviewer_token)), 400);

  EXPECT_EQ(StatusOf(GetAs(s.port, "/api/audit", "")), 401);
  EXPECT_EQ(StatusOf(GetAs(s.port, "/api/audit", s.revoked_token)), 401);
  EXPECT_EQ(StatusOf(GetAs(s.port, "/api/audit", s.op_token)), 403);
  EXPECT_EQ(StatusOf(GetAs(s.port, "/api/audit", s.other_token)), 403);
  auto log = GetAs(s.port, "/api/audit?limit=1000", s.reviewer_token);
  ASSERT_EQ(StatusOf(log), 200);
  // The command line's writes are there too, as "cli".
  std::set<std::string> cli;
  const json parsed2 = json::parse(log->body);
  for (const auto& r : parsed2["audit"]) {
    if (r["who"] == "cli") cli.insert(r["action"].get<std::string>());
    EXPECT_EQ(r.size(), 8u);
  }
  EXPECT_EQ(cli, (std::set<std::string>{"token.create", "token.revoke"}));
}

// Recompute on acceptance, end to end: a culprit whose Action 1 score
// rests on one incident contests it, a reviewer accepts, and the server
// re-analyses the snapshot's directory into a new snapshot of the same
// date in which the culprit's Action 1 is higher; the old snapshot, the
// incident (marked excluded) and the audit trail stay.
TEST(ServeContests, AcceptedContestRecomputesTheScores) {
  const fs::path dir = test_util::FreshTempDir("vigia_recompute_");
  const fs::path db = dir / "vigia.db";
  int status = 0;
  RunCommand(Vigia() + " simulate --seed 9 --ases 600 --prefixes 6000 --peers 8 --out " +
                 (dir / "snap").string() + " 2>&1",
             &status);
  ASSERT_EQ(Exit(status), 0);
  RunCommand(
      Vigia() + " analyze --db sqlite:" + db.string() + " " + (dir / "snap").string() + " 2>&1",
      &status);
  ASSERT_EQ(Exit(status), 0);
  // An incident whose culprit is in no other incident, with Action 1 < 100.
  auto st = store::Store::Open("sqlite:" + db.string());
  ASSERT_TRUE(st.ok());
  auto old = (*st)->SnapshotFor("");
  ASSERT_TRUE(old.ok());
  EXPECT_EQ(old->dir, fs::canonical(dir / "snap").string());
  const auto found = test::FindSoleIncident(**st, old->id);
  ASSERT_TRUE(found) << "no culprit with one incident and Action 1 below 100";
  const std::optional<store::IncidentRow> pick = found->incident;
  const double before = found->action1;
  const std::string asn = std::to_string(pick->culprit);
  const std::string op = CreateToken(db, "--name noc-" + asn + " --role operator --asn " + asn);
  const std::string rev = CreateToken(db, "--name reviewer --role reviewer");

  int port = 0;
  const pid_t pid =
      StartServer("--no-access-log --db sqlite:" + db.string(), dir / "serve.out", &port);
  ASSERT_NE(port, 0);
  auto made = Post(port, fmt::format("/api/incidents/{}/contest", pick->id),
                   R"({"reason": "a customer's route, LOA on file"})", op);
  ASSERT_EQ(StatusOf(made), 201) << made->body;
  const int64_t contest = json::parse(made->body)["contest"]["id"].get<int64_t>();
  auto accepted = Post(port, fmt::format("/api/contests/{}/review", contest),
                       R"({"decision": "accept", "reason": "LOA checked"})", rev);
  ASSERT_EQ(StatusOf(accepted), 201) << accepted->body;
  const json ar = json::parse(accepted->body);
  EXPECT_EQ(ar["contest"]["state"], "accepted");
  EXPECT_EQ(ar["recompute"]["state"], "queued");
  EXPECT_EQ(ar["recompute"]["date"], old->date);
  // The re-analysis runs in the background: wait for the new snapshot.
  json snaps;
  for (int i = 0; i < 300; ++i) {
    auto r = GetAs(port, "/api/snapshots", "");
    if (r && r->status == 200) snaps = json::parse(r->body);
    if (snaps.size() == 2) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  ASSERT_EQ(snaps.size(), 2u) << "no re-analysis within 30 s";
  EXPECT_EQ(snaps[0]["date"], old->date);
  auto rep = GetAs(port, "/api/as/" + asn, "");
  ASSERT_EQ(StatusOf(rep), 200);
  const json r = json::parse(rep->body);
  ASSERT_TRUE(r["scores"]["action1"]["score"].is_number()) << r["scores"];
  EXPECT_GT(r["scores"]["action1"]["score"].get<double>(), before);
  // The incident is still there in the new snapshot, marked excluded.
  auto now = GetAs(port, "/api/incidents?as=" + asn, "");
  ASSERT_EQ(StatusOf(now), 200);
  bool excluded = false;
  const json parsed3 = json::parse(now->body);
  for (const auto& i : parsed3["incidents"]) {
    if (i["type"] == pick->type &&
        i["evidence"].value("excluded_by_contest", int64_t{0}) == contest) {
      excluded = true;
      EXPECT_EQ(i["status"], "accepted");
    }
  }
  EXPECT_TRUE(excluded) << now->body;
  // The old snapshot is as it was: its score, its incident, its contest.
  auto again = store::Store::Open("sqlite:" + db.string());
  ASSERT_TRUE(again.ok());
  auto old_scores = (*again)->Scores(old->id, "as", asn);
  ASSERT_TRUE(old_scores.ok());
  for (const auto& sc : *old_scores) {
    if (sc.action == "action1") {
      EXPECT_EQ(sc.score, before);
    }
  }
  store::IncidentQuery q;
  q.snapshot = old->id;
  q.id = pick->id;
  auto kept = (*again)->Incidents(q);
  ASSERT_EQ(kept->size(), 1u);
  EXPECT_EQ((*kept)[0].evidence, pick->evidence);
  EXPECT_EQ((*kept)[0].contests, 1);
  // The audit trail: the contest, the review and the recompute.
  auto log = GetAs(port, "/api/audit", rev);
  ASSERT_EQ(StatusOf(log), 200);
  std::vector<std::string> actions;
  const json parsed4 = json::parse(log->body);
  for (const auto& a : parsed4["audit"]) {
    actions.push_back(a["action"].get<std::string>() + " " + a["outcome"].get<std::string>());
  }
  ASSERT_GE(actions.size(), 3u);
  EXPECT_EQ(actions[0], "recompute ok: snapshot 2, 1 incident(s) excluded");
  EXPECT_EQ(actions[1], "review ok");
  EXPECT_EQ(actions[2], "contest ok");
  kill(pid, SIGTERM);
  waitpid(pid, &status, 0);
  EXPECT_EQ(Exit(status), 0);
  fs::remove_all(dir);
}

// A hijack's victim may contest it too: an operator token for one of the
// incident's victims (not its culprit or propagator) gets 201, and the
// contest names the token as its author.
TEST(ServeContests, VictimMayContestTheHijackOfItsPrefix) {
  const Served& s = ContestsShared();
  ASSERT_TRUE(s.hijack.contains("victims")) << s.hijack.dump();
  ASSERT_FALSE(s.hijack["victims"].empty()) << s.hijack.dump();
  const std::string victim = std::to_string(s.hijack["victims"][0].get<uint64_t>());
  ASSERT_NE(victim, std::to_string(s.hijack["culprit"].get<uint64_t>()));
  const std::string token =
      CreateToken(s.db, "--name victim-" + victim + " --role operator --asn " + victim);
  const std::string path = fmt::format("/api/incidents/{}/contest", s.hijack["id"].get<int64_t>());
  auto r = Post(s.port, path, R"({"reason": "this prefix is ours; the origin is not"})", token);
  ASSERT_EQ(StatusOf(r), 201) << r->body;
  EXPECT_EQ(json::parse(r->body)["contest"]["author"], "victim-" + victim);
}

// Slowloris: 500 sockets each sending a request one byte a second hold no
// worker; /healthz still answers within 2 s. Bounded: about 4 s.
TEST(Serve, SlowClientsDoNotBlockHealthz) {
  const int port = Shared().port;
  std::vector<int> slow;
  for (int i = 0; i < 500; ++i) {
    const int fd = Connect(port);
    ASSERT_GE(fd, 0) << "socket " << i;
    slow.push_back(fd);
  }
  const std::string req = "GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: ";
  for (size_t second = 0; second < 4; ++second) {
    for (int fd : slow) static_cast<void>(send(fd, &req[second], 1, MSG_NOSIGNAL | MSG_DONTWAIT));
    const auto t0 = std::chrono::steady_clock::now();
    httplib::Client c("127.0.0.1", port);
    c.set_connection_timeout(2, 0);
    c.set_read_timeout(2, 0);
    auto r = c.Get("/healthz");
    const double took =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    ASSERT_TRUE(r) << "no answer with 500 slow sockets open, second " << second;
    EXPECT_EQ(r->status, 200);
    EXPECT_LT(took, 2.0);
    std::this_thread::sleep_for(std::chrono::milliseconds(1000) -
                                std::chrono::duration<double>(took));
  }
  for (int fd : slow) close(fd);
}

// 200,000 headers (1.4 MB) or one 60 KB header: 431 and the connection
// closed, never 200.
TEST(Serve, HeaderFloodIsRefused) {
  const int port = Shared().port;
  std::string many = "GET /healthz HTTP/1.1\r\nHost: x\r\n";
  for (int i = 0; i < 200'000; ++i) many += "X-a: b\r\n";
  many += "\r\n";
  const std::string big =
      "GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: " + std::string(60'000, 'a') + "\r\n\r\n";
  std::string few = "GET /healthz HTTP/1.1\r\nHost: x\r\n";
  for (int i = 0; i < 150; ++i) few += fmt::format("X-{}: b\r\n", i);
  few += "\r\n";
  for (const std::string* req : std::vector<const std::string*>{&many, &big, &few}) {
    const int fd = Connect(port);
    ASSERT_GE(fd, 0);
    for (size_t sent = 0; sent < req->size();) {
      const ssize_t n = send(fd, req->data() + sent, req->size() - sent, MSG_NOSIGNAL);
      if (n <= 0) break;  // the server stopped reading: fine
      sent += static_cast<size_t>(n);
    }
    const std::string got = ReadAnswer(fd);
    close(fd);
    EXPECT_EQ(got.rfind("HTTP/1.1 431 ", 0), 0u) << req->size() << " bytes: " << got.substr(0, 200);
  }
  int st = 0;
  EXPECT_EQ((Get("/healthz", &st), st), 200);
}

// Over --max-connections, a new connection gets 503 with a short JSON body
// and is closed; once others close, it is served again.
TEST(Serve, ConnectionCapRefusesWith503) {
  const Served& s = Shared();
  int port = 0;
  const pid_t pid = StartServer("--no-access-log --max-connections 8 --db sqlite:" + s.db.string(),
                                s.dir / "cap.out", &port);
  ASSERT_NE(port, 0);
  std::vector<int> held;
  for (int i = 0; i < 8; ++i) held.push_back(Connect(port));
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  const int extra = Connect(port);
  ASSERT_GE(extra, 0);
  const std::string got = ReadAnswer(extra);
  close(extra);
  EXPECT_EQ(got.rfind("HTTP/1.1 503 ", 0), 0u) << got;
  EXPECT_NE(got.find("too many connections"), std::string::npos) << got;
  for (int fd : held) close(fd);
  int status = 0;
  bool served = false;
  for (int i = 0; i < 20 && !served; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    httplib::Client c("127.0.0.1", port);
    auto r = c.Get("/healthz");
    served = r && r->status == 200;
  }
  EXPECT_TRUE(served);
  kill(pid, SIGTERM);
  waitpid(pid, &status, 0);
  EXPECT_EQ(Exit(status), 0);
}

// A request that does not arrive whole within --request-timeout is
// answered 408 and closed; the worker threads never waited for it.
TEST(Serve, SlowRequestGets408) {
  const Served& s = Shared();
  int port = 0;
  const pid_t pid = StartServer("--no-access-log --request-timeout 1 --db sqlite:" + s.db.string(),
                                s.dir / "timeout.out", &port);
  ASSERT_NE(port, 0);
  const int fd = Connect(port);
  ASSERT_GE(fd, 0);
  const std::string part = "GET /healthz HTTP/1.1\r\nHost: x\r\n";
  ASSERT_EQ(send(fd, part.data(), part.size(), MSG_NOSIGNAL), static_cast<ssize_t>(part.size()));
  const auto t0 = std::chrono::steady_clock::now();
  timeval tv{4, 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  const std::string got = ReadAnswer(fd);
  const double took = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  close(fd);
  EXPECT_EQ(got.rfind("HTTP/1.1 408 ", 0), 0u) << got;
  EXPECT_LT(took, 3.0);
  kill(pid, SIGTERM);
  int status = 0;
  waitpid(pid, &status, 0);
  EXPECT_EQ(Exit(status), 0);
}

// A NUL or another control character in a path is refused with 400:
// /index.html%00.js served index.html as text/javascript.
TEST(Serve, ControlCharactersInPathsGet400) {
  httplib::Client c("127.0.0.1", Shared().port);
  for (const char* p : {"/index.html%00.js", "/assets/app.js%00", "/a%0Ab", "/api/overview%0D",
                        "/%1b[31m", "/x%7f"}) {
    auto r = c.Get(p);
    ASSERT_TRUE(r) << p;
    EXPECT_EQ(r->status, 400) << p;
    EXPECT_EQ(r->body.find("<title>"), std::string::npos) << p;
  }
}

// The access log escapes control characters: a %0A in a path cannot add a
// line, an ESC cannot reach the terminal.
TEST(Serve, AccessLogEscapesControlCharacters) {
  const Served& s = Shared();
  int port = 0;
  const pid_t pid = StartServer("--db sqlite:" + s.db.string(), s.dir / "log.out", &port);
  ASSERT_NE(port, 0);
  httplib::Client c("127.0.0.1", port);
  ASSERT_TRUE(c.Get("/api/x%0A2026-01-01T00:00:00Z 6.6.6.6 GET /forged 200 0%1b[2J"));
  ASSERT_TRUE(c.Get("/healthz"));
  kill(pid, SIGTERM);
  int status = 0;
  waitpid(pid, &status, 0);
  std::ifstream f(s.dir / "log.out.err");
  std::stringstream ss;
  ss << f.rdbuf();
  const std::string log = ss.str();
  EXPECT_NE(log.find("/api/x\\x0a2026-01-01T00:00:00Z 6.6.6.6 GET /forged 200 0\\x1b[2J"),
            std::string::npos)
      << log;
  EXPECT_EQ(log.find("\n2026-01-01T00:00:00Z 6.6.6.6"), std::string::npos) << log;
  EXPECT_EQ(log.find('\x1b'), std::string::npos);
  EXPECT_NE(log.find(" GET /healthz 200 "), std::string::npos) << log;
}

// Error messages escape what the user gave: no ESC or NUL reaches stderr,
// and a JSON error quoting bytes that are not UTF-8 is a 400, not a 500.
TEST(Serve, ErrorMessagesEscapeInput) {
  for (const char* path :
       {"/api/incidents?%ff%1b=1", "/api/compare?ids=%ff,1", "/api/as/1?%00=1"}) {
    int st = 0;
    const json j = Get(path, &st);
    EXPECT_EQ(st, 400) << path;
    const std::string message = j.value("error", "");
    EXPECT_TRUE(message.find("\\xff") != std::string::npos ||
                message.find("\\x00") != std::string::npos)
        << path << " " << message;
  }
  int status = 0;
  const std::string out = RunCommand(
      Vigia() + " serve --listen \"$(printf 'evil\\033[2J')\" --db sqlite:/nonexistent/x.db 2>&1",
      &status);
  EXPECT_EQ(Exit(status), 2) << out;
  EXPECT_EQ(out.find('\x1b'), std::string::npos) << out;
  EXPECT_NE(out.find("evil\\x1b[2J"), std::string::npos) << out;
  const std::string web = RunCommand(
      Vigia() +
          " serve --listen 127.0.0.1:0 --web \"$(printf 'no\\033]0;title\\007')\" --db sqlite:" +
          (Shared().dir / "esc.db").string() + " 2>&1",
      &status);
  EXPECT_EQ(Exit(status), 2) << web;
  EXPECT_EQ(web.find('\x1b'), std::string::npos) << web;
  EXPECT_NE(web.find("no\\x1b]0;title\\x07"), std::string::npos) << web;
}

// The built web app is served at / with safe headers; no path escapes it.
TEST(Serve, ServesTheWebApp) {
  httplib::Client c("127.0.0.1", Shared().port);
  auto index = c.Get("/");
  ASSERT_TRUE(index);
  EXPECT_EQ(index->status, 200);
  EXPECT_NE(index->body.find("<title>Vigía</title>"), std::string::npos);
  EXPECT_EQ(index->get_header_value("Content-Type"), "text/html");
  EXPECT_NE(index->get_header_value("Content-Security-Policy").find("default-src 'self'"),
            std::string::npos);
  EXPECT_EQ(index->get_header_value("X-Content-Type-Options"), "nosniff");
  auto js = c.Get("/assets/app.js");
  ASSERT_TRUE(js);
  EXPECT_EQ(js->status, 200);
  EXPECT_EQ(js->body, "console.log('vigia');\n");
  for (const char* p :
       {"/../token", "/assets/../../token", "/%2e%2e/token", "/token", "/assets/nope.js"}) {
    auto r = c.Get(p);
    ASSERT_TRUE(r) << p;
    EXPECT_TRUE(r->status == 400 || r->status == 404) << p << " " << r->status;
    EXPECT_EQ(r->body.find(Shared().op_token), std::string::npos) << p;
  }
}

// `vigia demo` ends by serving the dashboard and printing its URL.
TEST(Serve, DemoEndsServing) {
  const fs::path dir = Shared().dir / "demo";
  const fs::path out = Shared().dir / "demo.out";
  int port = 0;
  // The demo takes a few seconds under ASan.
  const pid_t pid = StartVigia("demo --listen 127.0.0.1:0 --dir " + dir.string(), out, &port, 60);
  std::ifstream f(out);
  std::stringstream ss;
  ss << f.rdbuf();
  const std::string text = ss.str();
  ASSERT_NE(port, 0) << text;
  EXPECT_NE(text.find("4. serving the dashboard"), std::string::npos) << text;
  EXPECT_TRUE(fs::exists(dir / "token"));
  httplib::Client c("127.0.0.1", port);
  auto h = c.Get("/api/overview");
  ASSERT_TRUE(h);
  EXPECT_EQ(h->status, 200);
  kill(pid, SIGTERM);
  int status = 0;
  waitpid(pid, &status, 0);
  EXPECT_EQ(Exit(status), 0);
}

// ---- Issue 15, incidents: victims, filters, totals, attacks, /api/route ----

// A hijack names its victims; ?victim= lists the incidents naming it, an
// AS's report lists them as "attacks"; every answer gives the total.
TEST(Serve, IncidentsByVictimAndAttacksOnAnAs) {
  int st = 0;
  const json hijacks = Get("/api/incidents?type=hijack&limit=1000", &st);
  ASSERT_EQ(st, 200);
  ASSERT_FALSE(hijacks["incidents"].empty());
  EXPECT_EQ(hijacks["total"], hijacks["incidents"].size());
  const json h = hijacks["incidents"][0];
  ASSERT_FALSE(h["victims"].empty()) << h.dump();
  EXPECT_FALSE(h["cause"].get<std::string>().empty());
  // (Serve.ContestAnIncident may have contested it before.)
  EXPECT_EQ(h["status"], h["contested"].get<int64_t>() > 0 ? "contested" : "none");
  EXPECT_EQ(h["evidence"]["victims"], h["victims"]);
  const uint64_t victim = h["victims"][0];
  const json by_victim = Get(fmt::format("/api/incidents?victim={}&limit=1000", victim), &st);
  ASSERT_EQ(st, 200);
  bool found = false;
  for (const auto& i : by_victim["incidents"]) {
    EXPECT_NE(std::find(i["victims"].begin(), i["victims"].end(), victim), i["victims"].end());
    found |= i["id"] == h["id"];
  }
  EXPECT_TRUE(found);
  // The total counts past the page.
  const json page = Get(fmt::format("/api/incidents?victim={}&limit=1", victim), &st);
  EXPECT_EQ(page["total"], by_victim["incidents"].size());
  EXPECT_EQ(page["incidents"].size(), 1u);
  const json report = Get(fmt::format("/api/as/{}", victim), &st);
  ASSERT_EQ(st, 200);
  ASSERT_TRUE(report["attacks"].is_object()) << report.dump().substr(0, 300);
  EXPECT_EQ(report["attacks"]["total"], by_victim["total"]);
  found = false;
  for (const auto& i : report["attacks"]["incidents"]) found |= i["id"] == h["id"];
  EXPECT_TRUE(found);
  // A culprit that is no victim has none.
  const json culprit = Get(fmt::format("/api/as/{}", h["culprit"].get<uint64_t>()), &st);
  ASSERT_EQ(st, 200);
  for (const auto& i : culprit["attacks"]["incidents"])
    EXPECT_NE(std::find(i["victims"].begin(), i["victims"].end(), h["culprit"]),
              i["victims"].end());
}

// ?country= and ?region= find an incident by its culprit's or a victim's
// place; ?prefix= with match=more or less by a covering or covered prefix.
TEST(Serve, IncidentsByPlaceAndPrefixMatch) {
  int st = 0;
  const json hijacks = Get("/api/incidents?type=hijack&limit=1000", &st);
  ASSERT_EQ(st, 200);
  ASSERT_FALSE(hijacks["incidents"].empty());
  const json h = hijacks["incidents"][0];
  const json culprit = Get(fmt::format("/api/as/{}", h["culprit"].get<uint64_t>()), &st);
  ASSERT_EQ(st, 200);
  const std::string cc = culprit["country"];
  ASSERT_FALSE(cc.empty());
  auto has = [&](const std::string& query) {
    const json r = Get(query, &st);
    EXPECT_EQ(st, 200) << query;
    for (const auto& i : r["incidents"]) {
      if (i["id"] == h["id"]) return true;
    }
    return false;
  };
  EXPECT_TRUE(has("/api/incidents?type=hijack&limit=1000&country=" + cc));
  const json country = Get("/api/country/" + cc, &st);
  ASSERT_EQ(st, 200);
  const std::string region = country["region"];
  EXPECT_TRUE(has("/api/incidents?type=hijack&limit=1000&region=" + region));
  for (const char* other : {"afrinic", "apnic", "arin", "lacnic", "ripencc"}) {
    const json r = Get(std::string("/api/incidents?limit=1000&region=") + other, &st);
    ASSERT_EQ(st, 200);
    EXPECT_EQ(r["total"], r["incidents"].size());
  }
  const std::string p = h["prefixes"][0];
  EXPECT_TRUE(has("/api/incidents?type=hijack&limit=1000&prefix=" + p + "&match=less"));
  EXPECT_TRUE(has("/api/incidents?type=hijack&limit=1000&prefix=" + p + "&match=more"));
  if (p.find(':') == std::string::npos) {
    const std::string slash8 = p.substr(0, p.find('.')) + ".0.0.0/8";
    EXPECT_FALSE(has("/api/incidents?type=hijack&limit=1000&prefix=" + slash8));
    EXPECT_TRUE(has("/api/incidents?type=hijack&limit=1000&prefix=" + slash8 + "&match=more"));
    EXPECT_FALSE(has("/api/incidents?type=hijack&limit=1000&prefix=" + slash8 + "&match=less"));
  }
  for (const char* bad :
       {"/api/incidents?victim=-1", "/api/incidents?victim=4294967296",
        "/api/incidents?region=europe", "/api/incidents?country=BRA", "/api/incidents?country=1x",
        "/api/incidents?prefix=10.0.0.0/8&match=x", "/api/incidents?match=more"}) {
    Get(bad, &st);
    EXPECT_EQ(st, 400) << bad;
  }
}

// /api/route: a hijacked prefix with its hijacker as origin is not valid,
// lists its incident, shows what the collectors saw and what would fix it;
// with its victim as origin, the incident-free history is seen.
TEST(Serve, RouteStateOfAHijackedPrefix) {
  int st = 0;
  const json hijacks = Get("/api/incidents?type=hijack&limit=1000", &st);
  ASSERT_EQ(st, 200);
  ASSERT_FALSE(hijacks["incidents"].empty());
  const json h = hijacks["incidents"][0];
  const std::string p = h["prefixes"][0];
  const uint64_t culprit = h["culprit"];
  const json r = Get(fmt::format("/api/route?prefix={}&origin=AS{}", p, culprit), &st);
  ASSERT_EQ(st, 200) << r.dump();
  EXPECT_EQ(r["prefix"], p);
  EXPECT_EQ(r["origin"], culprit);
  const std::set<std::string> rpki_states = {"valid", "invalid", "not_found", "no_data"};
  const std::set<std::string> irr_states = {"registered", "other_origin", "not_found", "no_data"};
  EXPECT_TRUE(rpki_states.contains(r["rpki"]["state"].get<std::string>())) << r["rpki"].dump();
  EXPECT_NE(r["rpki"]["state"], "valid");  // a ROA making it valid is no hijack
  EXPECT_NE(r["rpki"]["state"], "no_data") << "the simulation has VRPs";
  EXPECT_FALSE(r["rpki"]["reason"]["key"].get<std::string>().empty());
  EXPECT_TRUE(irr_states.contains(r["irr"]["state"].get<std::string>())) << r["irr"].dump();
  for (const auto& v : r["rpki"]["vrps"]) {
    EXPECT_TRUE(v.contains("prefix") && v.contains("max_length") && v.contains("asn"));
  }
  if (r["rpki"]["state"] == "invalid") {
    bool names_victim = false;
    for (const auto& v : r["rpki"]["vrps"]) {
      for (const auto& x : h["victims"]) names_victim |= v["asn"] == x;
    }
    EXPECT_TRUE(names_victim) << "a covering ROA's AS is a victim";
  }
  bool listed = false;
  for (const auto& i : r["incidents"]) listed |= i["id"] == h["id"];
  EXPECT_TRUE(listed);
  EXPECT_FALSE(r["seen"]["paths"].empty());
  EXPECT_FALSE(r["seen"]["collectors"].empty());
  EXPECT_GE(r["seen"]["peers"].get<int64_t>(), 1);
  EXPECT_EQ(r["seen"]["first"], h["start"]);
  EXPECT_FALSE(r["partial"]);
  // A fix for every state short of valid and registered, as a key with args.
  size_t wanted = (r["rpki"]["state"] != "valid") +
                  (r["irr"]["state"] == "not_found" || r["irr"]["state"] == "other_origin");
  EXPECT_EQ(r["fix"].size(), wanted) << r["fix"].dump();
  for (const auto& f : r["fix"]) {
    EXPECT_EQ(f["key"].get<std::string>().rfind("fix.", 0), 0u);
    EXPECT_EQ(f["args"]["prefix"], p);
  }
  // The victims: legitimate origins, one at least seen before (the holder),
  // none with an incident of its own as culprit of this prefix.
  size_t victims_seen = 0;
  for (const auto& victim : h["victims"]) {
    const json v =
        Get(fmt::format("/api/route?prefix={}&origin={}", p, victim.get<uint64_t>()), &st);
    ASSERT_EQ(st, 200);
    victims_seen += !v["seen"]["first"].is_null();
    if (!v["seen"]["first"].is_null()) {
      EXPECT_GE(v["seen"]["peers"].get<int64_t>(), 1) << v["seen"].dump();
      EXPECT_FALSE(v["seen"]["paths"].empty()) << v["seen"].dump();
    }
    for (const auto& i : v["incidents"]) EXPECT_NE(i["culprit"], victim) << i.dump();
  }
  EXPECT_GE(victims_seen, 1u);
  for (const char* bad :
       {"/api/route", "/api/route?prefix=10.0.0.0/8", "/api/route?origin=1",
        "/api/route?prefix=10.0.0.0/33&origin=1", "/api/route?prefix=10.0.0.0/8&origin=ASx",
        "/api/route?prefix=x&origin=1"}) {
    Get(bad, &st);
    EXPECT_EQ(st, 400) << bad;
  }
  // An address stands for its host prefix.
  const json host =
      Get(fmt::format("/api/route?prefix={}&origin={}", p.substr(0, p.find('/')), culprit), &st);
  EXPECT_EQ(st, 200);
  const std::string hp = host["prefix"];
  EXPECT_TRUE(hp.ends_with("/32") || hp.ends_with("/128")) << hp;
}

// Search by prefix or address: the longest matching prefix seen, its
// origins and its incident count, ahead of the entities.
TEST(Serve, SearchByPrefixAndAddress) {
  int st = 0;
  const json hijacks = Get("/api/incidents?type=hijack&limit=1000", &st);
  ASSERT_EQ(st, 200);
  ASSERT_FALSE(hijacks["incidents"].empty());
  const json h = hijacks["incidents"][0];
  const std::string p = h["prefixes"][0];
  const json r = Get("/api/search?q=" + httplib::detail::encode_query_param(p), &st);
  ASSERT_EQ(st, 200);
  ASSERT_FALSE(r["results"].empty());
  const json& first = r["results"][0];
  EXPECT_EQ(first["kind"], "prefix");
  EXPECT_EQ(first["id"], p);
  EXPECT_TRUE(first["exact"]);
  EXPECT_GE(first["incidents"].get<int64_t>(), 1);
  bool holder = false;
  for (const auto& o : first["origins"]) {
    for (const auto& v : h["victims"]) holder |= o == v;
  }
  EXPECT_TRUE(holder) << "a victim originates it: " << first.dump();
  // An address inside it finds it or a more specific of it.
  const std::string addr = p.substr(0, p.find('/'));
  const json byaddr = Get("/api/search?q=" + httplib::detail::encode_query_param(addr), &st);
  ASSERT_EQ(st, 200);
  ASSERT_FALSE(byaddr["results"].empty());
  EXPECT_EQ(byaddr["results"][0]["kind"], "prefix");
  EXPECT_FALSE(byaddr["results"][0]["exact"]);
  // Space nobody announced: no prefix result.
  const json none = Get("/api/search?q=240.0.0.1", &st);
  ASSERT_EQ(st, 200);
  for (const auto& x : none["results"]) EXPECT_NE(x["kind"], "prefix");
}

// Graceful shutdown on SIGTERM: exit status 0 and a last log line. Runs
// last (gtest runs the tests of a file in order; ctest runs each alone,
// and then it starts its own server).
TEST(Serve, ZzStopsOnSigterm) {
  Served& s = Shared();
  ASSERT_GT(s.pid, 0);
  kill(s.pid, SIGTERM);
  int status = 0;
  ASSERT_EQ(waitpid(s.pid, &status, 0), s.pid);
  EXPECT_EQ(Exit(status), 0);
  std::ifstream err(s.dir / "serve.out.err");
  std::stringstream ss;
  ss << err.rdbuf();
  EXPECT_NE(ss.str().find("vigia: serve: stopped"), std::string::npos) << ss.str();
  s.pid = -1;
}

}  // namespace
}  // namespace vigia

int main(int argc, char** argv) {
  ::testing::InitGoogleTest(&argc, argv);
  const int rc = RUN_ALL_TESTS();
  // Stop a server a test left running (each ctest process starts its own).
  for (vigia::Served* s : {vigia::g_served, vigia::g_contests}) {
    if (!s) continue;
    if (s->pid > 0) {
      kill(s->pid, SIGTERM);
      waitpid(s->pid, nullptr, 0);
    }
    std::error_code ec;
    std::filesystem::remove_all(s->dir, ec);
  }
  return rc;
}
