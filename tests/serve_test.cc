// `vigia serve` end to end (issue [5/5], started): a store built from a
// simulated snapshot, the server started on loopback, its API read back
// and compared with `vigia report`, bad parameters refused with 400, and a
// hostile-request run (random and malformed requests) with no 5xx and no
// crash.
#include <arpa/inet.h>
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <httplib.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <random>
#include <thread>

#include "core/test_util.h"

namespace vigia {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using test_util::RunCommand;
using test_util::Vigia;

int Exit(int wait_status) { return WIFEXITED(wait_status) ? WEXITSTATUS(wait_status) : -1; }

// One store and one server for the whole file.
struct Served {
  fs::path dir, db;
  pid_t pid = -1;
  int port = 0;
  json truth;
};

Served* g_served = nullptr;  // set once Shared() has run

Served& Shared() {
  static Served* s = [] {
    auto* x = new Served;
    x->dir = fs::temp_directory_path() / ("vigia_serve_" + std::to_string(getpid()));
    fs::remove_all(x->dir);
    fs::create_directories(x->dir);
    x->db = x->dir / "vigia.db";
    int status = 0;
    RunCommand(Vigia() + " simulate --seed 9 --ases 600 --prefixes 6000 --peers 8 --out " + (x->dir / "snap").string() +
                   " 2>&1",
               &status);
    EXPECT_EQ(Exit(status), 0);
    RunCommand(Vigia() + " analyze --db sqlite:" + x->db.string() + " " + (x->dir / "snap").string() + " 2>&1", &status);
    EXPECT_EQ(Exit(status), 0);
    std::ifstream in(x->dir / "snap" / "truth.json");
    x->truth = json::parse(in);
    // The server, its stdout to a file we read the port from.
    const fs::path out = x->dir / "serve.out";
    x->pid = fork();
    if (x->pid == 0) {
      const std::string cmd = Vigia() + " serve --no-access-log --listen 127.0.0.1:0 --db sqlite:" + x->db.string() +
                              " > " + out.string() + " 2> " + (x->dir / "serve.err").string();
      execl("/bin/sh", "sh", "-c", ("exec " + cmd).c_str(), static_cast<char*>(nullptr));
      _exit(127);
    }
    for (int i = 0; i < 200 && x->port == 0; ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
      std::ifstream f(out);
      std::string line;
      if (std::getline(f, line)) {
        const size_t colon = line.rfind(':');
        if (colon != std::string::npos && line.find("serving http://127.0.0.1:") != std::string::npos) {
          x->port = std::stoi(line.substr(colon + 1));
        }
      }
    }
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
  for (const char* p : {"/api/overview", "/api/incidents", "/api/ranking", "/api/as/{id}", "/api/ixp/{id}"}) {
    EXPECT_TRUE(api["paths"].contains(p)) << p;
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
  for (const std::string& what : {"as " + std::to_string(hijacker), std::string("region lacnic"), std::string("group manrs")}) {
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
  const json all = json::parse(RunCommand(Vigia() + " report group all --json --db sqlite:" + s.db.string()));
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
  const json by_prefix = Get("/api/incidents?prefix=" + first["prefixes"][0].get<std::string>(), &st);
  ASSERT_EQ(st, 200);
  bool found = false;
  for (const auto& i : by_prefix["incidents"]) found |= i["id"] == first["id"];
  EXPECT_TRUE(found);
  const json by_as = Get("/api/incidents?as=" + std::to_string(first["culprit"].get<uint64_t>()), &st);
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
  EXPECT_EQ(csv->get_header_value("Content-Type"), "text/csv");
  EXPECT_EQ(csv->body.rfind("kind,id,name,country,region,manrs,size,overall,band\n", 0), 0u);
}

// Every parameter is validated: 400 with a JSON error, never a 5xx.
TEST(Serve, BadParametersGet400) {
  for (const char* path :
       {"/api/incidents?limit=0", "/api/incidents?limit=100001", "/api/incidents?limit=x", "/api/incidents?type=worm",
        "/api/incidents?as=-1", "/api/incidents?as=4294967296", "/api/incidents?prefix=1.2.3.4/33",
        "/api/incidents?date=2026-13-01", "/api/incidents?bogus=1", "/api/incidents?limit=1&limit=2",
        "/api/as/AS", "/api/as/4294967296", "/api/region/mars", "/api/country/BRA", "/api/ranking?kind=planet",
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

// Thousands of random and malformed requests over raw sockets: no 5xx, and
// the server still answers afterwards.
TEST(Serve, HostileRequestsGetNo5xx) {
  const int port = Shared().port;
  std::mt19937_64 rng(20261122);
  auto pick = [&](std::initializer_list<const char*> xs) { return *(xs.begin() + rng() % xs.size()); };
  auto junk = [&](size_t n) {
    std::string s;
    for (size_t i = 0; i < n; ++i) s += static_cast<char>(rng() % 256);
    return s;
  };
  size_t answered = 0, server_errors = 0;
  for (int i = 0; i < 2000; ++i) {
    std::string req;
    const int kind = static_cast<int>(rng() % 6);
    switch (kind) {
      case 0:  // random bytes
        req = junk(1 + rng() % 300);
        break;
      case 1:  // a real route with junk parameters
        req = fmt::format("GET {}?{}={} HTTP/1.1\r\nHost: x\r\n\r\n",
                          pick({"/api/incidents", "/api/ranking", "/api/overview", "/api/as/1", "/api/region/lacnic"}),
                          pick({"limit", "offset", "as", "type", "date", "prefix", "kind", "format", "members", "x"}),
                          pick({"%", "%zz", "-1", "99999999999999999999", "1e9", "", "%00", "AS1", "🙂", "1.2.3.4/99"}));
        break;
      case 2:  // odd methods and paths
        req = fmt::format("{} {} HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n",
                          pick({"GET", "POST", "PUT", "DELETE", "HEAD", "BREW"}),
                          pick({"/", "/api", "/api/", "/api/as/", "/api/as/%2e%2e", "//api//as//1", "/api/ixp/0",
                                "/../../etc/passwd", "/api/country/zz"}));
        break;
      case 3:  // truncated request
        req = "GET /api/incidents?limit=5 HTTP/1.1\r\nHost:";
        break;
      case 4:  // huge header
        req = "GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: " + std::string(20000 + rng() % 50000, 'a') + "\r\n\r\n";
        break;
      default:  // a body on a GET, with a lying length
        req = "GET /api/snapshots HTTP/1.1\r\nHost: x\r\nContent-Length: 999999\r\n\r\nabc";
        break;
    }
    const int fd = socket(AF_INET, SOCK_STREAM, 0);
    ASSERT_GE(fd, 0);
    timeval tv{2, 0};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(static_cast<uint16_t>(port));
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ASSERT_EQ(connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a), 0) << "request " << i;
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
  EXPECT_NE(m->body.find("vigia_http_requests_total{route=\"incidents\",status=\"400\"}"), std::string::npos);
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
  std::ifstream err(s.dir / "serve.err");
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
