// vigia serve's parallel reads (serve/read_pool.h, Api::Handle in api.cc),
// against a real SQLite store and the real server on loopback:
//   - answers never mix two states of the store: reader threads ask for
//     the incidents of every snapshot (two queries: the rows and their
//     total) while a writer commits snapshots of kPerSnapshot incidents;
//     each answer's rows and total agree, and the total is whole snapshots;
//   - a write invalidates the cache: the answers asked after each commit
//     show it (the snapshot list, the incident total, the overview);
//   - a cached answer is byte for byte the one computed (same status,
//     Content-Type and body as with --cache-mb 0).
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <httplib.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

#include "serve/api.h"
#include "serve/http_server.h"
#include "store/store.h"
#include "store/test_rows.h"

namespace vigia::serve {
namespace {

constexpr int kPerSnapshot = 7;

class ServeReads : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("vigia-serve-reads-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    url_ = "sqlite:" + (dir_ / "vigia.db").string();
    auto st = store::Store::Open(url_);
    ASSERT_TRUE(st.ok()) << st.status().message();
    writer_ = std::move(*st);
    Write(1);
  }
  void TearDown() override {
    Stop();
    writer_.reset();
    std::filesystem::remove_all(dir_);
  }

  // Commits snapshot number n (date 2026-01-DD) with kPerSnapshot incidents.
  void Write(int n) {
    auto w = writer_->BeginSnapshot(store::test_rows::Info(fmt::format("2026-01-{:02d}", n)));
    ASSERT_TRUE(w.ok()) << w.status().message();
    for (int i = 1; i <= kPerSnapshot; ++i) {
      ASSERT_TRUE(
          (*w)->AddIncident(store::test_rows::Incident(i, "hijack", 64500 + n, 64499)).ok());
    }
    ASSERT_TRUE((*w)->Commit().ok());
  }

  void Start(size_t cache_mb) {
    ServeOptions o;
    o.db = url_;
    o.access_log = false;
    o.cache_mb = cache_mb;
    o.workers = 8;
    auto st = store::Store::Open(url_);
    ASSERT_TRUE(st.ok()) << st.status().message();
    HttpLimits lim;
    lim.workers = o.workers;
    server_ = std::make_unique<HttpServer>(lim);
    api_ = std::make_unique<Api>(std::move(*st), o);
    api_->Register(*server_);
    auto port = server_->Bind("127.0.0.1", 0);
    ASSERT_TRUE(port.ok()) << port.status().message();
    port_ = *port;
    thread_ = std::thread([this] { ASSERT_TRUE(server_->Run().ok()); });
  }
  void Stop() {
    if (!server_) return;
    server_->Stop();
    thread_.join();
    api_.reset();
    server_.reset();
  }

  httplib::Result Get(httplib::Client& c, const std::string& path) { return c.Get(path); }
  nlohmann::json GetJson(httplib::Client& c, const std::string& path) {
    auto r = c.Get(path);
    EXPECT_TRUE(r) << path;
    if (!r) return nullptr;
    EXPECT_EQ(r->status, 200) << path << " " << r->body;
    return nlohmann::json::parse(r->body, nullptr, false);
  }

  std::filesystem::path dir_;
  std::string url_;
  std::unique_ptr<store::Store> writer_;
  std::unique_ptr<HttpServer> server_;
  std::unique_ptr<Api> api_;
  std::thread thread_;
  int port_ = 0;
};

TEST_F(ServeReads, ReadersDuringWritesSeeOneStateAndWritesInvalidateTheCache) {
  Start(/*cache_mb=*/16);
  std::atomic<bool> done{false};
  std::atomic<int> answers{0}, mixed{0}, failed{0};
  const std::string all = "/api/incidents?from=2000-01-01&limit=1000";
  std::vector<std::thread> readers;
  for (int t = 0; t < 4; ++t) {
    readers.emplace_back([&] {
      httplib::Client c("127.0.0.1", port_);
      while (!done.load()) {
        auto r = c.Get(all);
        if (!r || r->status != 200) {
          ++failed;
          continue;
        }
        const auto j = nlohmann::json::parse(r->body, nullptr, false);
        const int64_t total = j["total"].get<int64_t>();
        if (static_cast<int64_t>(j["incidents"].size()) != total || total % kPerSnapshot != 0)
          ++mixed;
        ++answers;
      }
    });
  }
  httplib::Client c("127.0.0.1", port_);
  for (int n = 2; n <= 25; ++n) {
    Write(n);
    // Asked after the commit: the new state, cached or not.
    const auto snaps = GetJson(c, "/api/snapshots");
    ASSERT_EQ(snaps.size(), static_cast<size_t>(n));
    EXPECT_EQ(snaps[0]["date"], fmt::format("2026-01-{:02d}", n));
    EXPECT_EQ(GetJson(c, all)["total"], n * kPerSnapshot);
    EXPECT_EQ(GetJson(c, "/api/overview")["snapshot"]["date"], fmt::format("2026-01-{:02d}", n));
    EXPECT_EQ(GetJson(c, "/api/incidents")["incidents"][0]["culprit"], 64500 + n);
  }
  done = true;
  for (auto& t : readers) t.join();
  EXPECT_GT(answers.load(), 0);
  EXPECT_EQ(mixed.load(), 0) << "answers mixing two states of the store";
  EXPECT_EQ(failed.load(), 0);
}

TEST_F(ServeReads, CachedAnswersAreTheComputedOnes) {
  const std::vector<std::string> paths = {"/healthz",
                                          "/api/snapshots",
                                          "/api/overview",
                                          "/api/incidents",
                                          "/api/incidents?limit=3",
                                          "/api/incidents?format=csv",
                                          "/api/incidents/2",
                                          "/api/incidents/99",
                                          "/api/ranking?kind=as",
                                          "/api/as/64501",
                                          "/api/nosuch"};
  std::vector<std::tuple<int, std::string, std::string>> uncached;
  Start(/*cache_mb=*/0);
  {
    httplib::Client c("127.0.0.1", port_);
    for (const auto& p : paths) {
      auto r = c.Get(p);
      ASSERT_TRUE(r) << p;
      uncached.emplace_back(r->status, r->get_header_value("Content-Type"), r->body);
    }
  }
  Stop();
  Start(/*cache_mb=*/16);
  httplib::Client c("127.0.0.1", port_);
  for (int round = 0; round < 3; ++round) {  // computed, then from the cache
    for (size_t i = 0; i < paths.size(); ++i) {
      auto r = c.Get(paths[i]);
      ASSERT_TRUE(r) << paths[i];
      EXPECT_EQ(r->status, std::get<0>(uncached[i])) << paths[i];
      EXPECT_EQ(r->get_header_value("Content-Type"), std::get<1>(uncached[i])) << paths[i];
      EXPECT_EQ(r->body, std::get<2>(uncached[i])) << paths[i];
    }
  }
}

// The incident list's direct printer against the JSON library's, on rows
// whose text needs escaping and whose evidence is not in the library's
// own form (spaces, \u escapes, exponents, duplicate keys, not JSON).
TEST(IncidentJsonText, IsTheJsonLibrarysDump) {
  const std::vector<std::string> evidence = {
      R"({"paths":["64500 64501"]})",
      R"( { "b" : [1, 2.50, -0, 1e3, 1E-7, 123456789012345678901234567890] , "a":null } )",
      R"({"s":"caf\u00e9 \"q\" \/ \t \u0001 \ud83d\ude00 é"})",
      R"({"k":1,"k":2})",
      "not json",
      "",
      "[true,false,{}]",
      R"({"x":"\xff"})"};
  DumpMemo memo;
  for (int pass = 0; pass < 2; ++pass) {  // computed, then from the memo
    for (size_t i = 0; i < evidence.size(); ++i) {
      store::IncidentRow r = store::test_rows::Incident(static_cast<int64_t>(i) + 1, "hijack",
                                                        4200000000u, std::nullopt);
      r.kind = "exact \"quoted\"\n\x01 ñ";
      r.evidence = evidence[i];
      r.confidence = i % 2 ? 0.1 + 0.2 : 1.0;
      r.victims = i % 3 ? std::vector<Asn>{} : std::vector<Asn>{1, 4294967295u};
      r.propagator = i % 2 ? std::optional<Asn>(64499) : std::nullopt;
      r.cause = i == 3 ? "" : "origin 64500 \t";
      r.contests = static_cast<int64_t>(i);
      r.status = "contested";
      r.snapshot = 9;
      r.date = "2026-01-02";
      std::string direct;
      AppendIncidentJson(r, &memo, &direct);
      EXPECT_EQ(direct, IncidentJson(r).dump()) << evidence[i];
    }
  }
}

}  // namespace
}  // namespace vigia::serve
