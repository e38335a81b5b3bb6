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

#include "core/test_util.h"
#include "serve/api.h"

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
};

constexpr const char* kToken = "test-token-0123456789abcdef";

// Starts `vigia serve ARGS --listen 127.0.0.1:0`; returns its pid and sets
// *port from the line it prints (0 when it did not start).
pid_t StartServer(const std::string& args, const fs::path& out, int* port) {
  return StartVigia("serve --listen 127.0.0.1:0 " + args, out, port);
}

Served* g_served = nullptr;  // set once Shared() has run

Served& Shared() {
  static Served* s = [] {
    auto* x = new Served;
    x->dir = test_util::FreshTempDir("vigia_serve_");
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
    std::ofstream(x->dir / "token") << kToken << "\n";
    // The server, its stdout to a file we read the port from.
    x->pid = StartServer("--no-access-log --web " + (x->dir / "web").string() + " --token-file " +
                             (x->dir / "token").string() + " --db sqlite:" + x->db.string(),
                         x->dir / "serve.out", &x->port);
    EXPECT_NE(x->port, 0) << "the server did not start";
    g_served = x;
    return x;
  }();
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
      {"/api/incidents/", std::to_string(inc[0]["id"].get<int64_t>())}};
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
    const json api = Get(path, &st);
    ASSERT_EQ(st, 200) << path;
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
int Connect(int port) {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return -1;
  timeval tv{2, 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(static_cast<uint16_t>(port));
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
    close(fd);
    return -1;
  }
  return fd;
}

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
            pick({"1", "0", "999999999999", "2"}), kToken, body.size(), body);
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
  EXPECT_EQ(line, "date,id,type,kind,culprit,propagator,prefixes,start,end,confidence,contested");
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

// The write API: a contest needs the token, is stored with its author and
// time, shows on the incident and on the AS report's audit log, and can
// never be changed or deleted; the incident stays.
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
  EXPECT_EQ(Post(port, path, body, "")->status, 401);
  EXPECT_EQ(Post(port, path, body, "wrong-token-0123456789abcdef")->status, 401);
  EXPECT_EQ(Post(port, path, body, std::string(kToken) + "x")->status, 401);
  EXPECT_EQ(Post(port, path, body, kToken, "text/plain")->status, 415);
  for (const char* bad :
       {"", "[]", "{}", R"({"author": "x"})", R"({"author": "", "reason": "y"})",
        R"({"author": "x", "reason": 5})", R"({"author": "x", "reason": "y", "more": 1})",
        R"({"author": "x\u0007", "reason": "y"})", "{\"author\": \"x\", \"reason\": \"y\""}) {
    EXPECT_EQ(Post(port, path, bad, kToken)->status, 400) << bad;
  }
  EXPECT_EQ(
      Post(port, path, R"({"author": "x", "reason": ")" + std::string(5000, 'y') + "\"}", kToken)
          ->status,
      400);
  EXPECT_EQ(Post(port, "/api/incidents/999999/contest", body, kToken)->status, 404);
  EXPECT_EQ(
      (Get("/api/incidents/" + std::to_string(inc["id"].get<int64_t>()), &st)["contests"].size()),
      0u);
  auto ok = Post(port, path, body, kToken);
  ASSERT_TRUE(ok);
  ASSERT_EQ(ok->status, 201) << ok->body;
  const json c = json::parse(ok->body)["contest"];
  EXPECT_EQ(c["author"], "noc@as64500.example");
  EXPECT_EQ(c["reason"], "Our customer's prefix, LOA on file");
  EXPECT_EQ(c["incident"], inc["id"]);
  EXPECT_EQ(c["type"], "hijack");
  EXPECT_EQ(c["time"].get<std::string>().size(), 20u);  // YYYY-MM-DDTHH:MM:SSZ
  ASSERT_EQ(Post(port, path, R"({"author": "second", "reason": "again"})", kToken)->status, 201);
  // On the incident, newest first, and the incident unchanged.
  const json one = Get("/api/incidents/" + std::to_string(inc["id"].get<int64_t>()), &st);
  ASSERT_EQ(st, 200);
  ASSERT_EQ(one["contests"].size(), 2u);
  EXPECT_EQ(one["contests"][0]["author"], "second");
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

// Without a token the server refuses every write with 403.
TEST(Serve, WritesOffWithoutAToken) {
  const Served& s = Shared();
  int port = 0;
  const pid_t pid =
      StartServer("--no-access-log --db sqlite:" + s.db.string(), s.dir / "notoken.out", &port);
  ASSERT_NE(port, 0);
  auto r = Post(port, "/api/incidents/1/contest", R"({"author": "x", "reason": "y"})", kToken);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 403);
  EXPECT_NE(r->body.find("writes are disabled"), std::string::npos);
  kill(pid, SIGTERM);
  int status = 0;
  waitpid(pid, &status, 0);
  EXPECT_EQ(Exit(status), 0);
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
    EXPECT_EQ(r->body.find(kToken), std::string::npos) << p;
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
  if (vigia::Served* s = vigia::g_served) {
    if (s->pid > 0) {
      kill(s->pid, SIGTERM);
      waitpid(s->pid, nullptr, 0);
    }
    std::error_code ec;
    std::filesystem::remove_all(s->dir, ec);
  }
  return rc;
}
