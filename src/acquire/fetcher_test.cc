// Downloads against a real nginx on loopback, with the fault-injecting proxy
// tests/acquire/fault_proxy.py in front of it (test_servers.h): no mocks.
// Each test starts its own servers in its own temporary directory.
#include "acquire/fetcher.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <sys/xattr.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>

#include "acquire/cache.h"
#include "acquire/digest.h"
#include "acquire/progress.h"
#include "acquire/test_servers.h"
#include "core/limits.h"
#include "core/test_util.h"
#include "core/time_format.h"

namespace vigia::acquire {
namespace {

namespace fs = std::filesystem;
using test_util::TestServer;

std::string ReadAll(const fs::path& p) { return test_util::ReadText(p); }

void WriteAll(const fs::path& p, const std::string& data) {
  fs::create_directories(p.parent_path());
  std::ofstream(p, std::ios::binary) << data;
}

std::string RandomBytes(size_t n, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::string s(n, '\0');
  for (char& c : s) c = static_cast<char>(rng() & 0xff);
  return s;
}

// A mirror with a 300 kB binary, a gzip file, eight small files and a
// directory listing; nginx serving it.
class FetchTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (std::string why = test_util::NginxMissing(); !why.empty()) GTEST_SKIP() << why;
    dir_ = test_util::TestTempPath("vigia_fetch_");
    fs::remove_all(dir_);
    plain_ = RandomBytes(300'000, 1);
    WriteAll(dir_ / "root/plain.bin", plain_);
    std::string text;
    for (int i = 0; i < 40'000; ++i) text += "line " + std::to_string(i * 7919 % 100'003) + "\n";
    WriteAll(dir_ / "root/text.txt", text);
    int rc = 0;
    test_util::RunCommand("gzip -9 -c " + (dir_ / "root/text.txt").string() + " > " +
                              (dir_ / "root/data.gz").string(),
                          &rc);
    ASSERT_EQ(rc, 0) << "gzip(1) failed";
    gz_ = ReadAll(dir_ / "root/data.gz");
    ASSERT_GT(gz_.size(), 10'000u);
    for (int i = 0; i < 8; ++i) {
      WriteAll(dir_ / "root/many" / ("f" + std::to_string(i)), RandomBytes(20'000, 10 + i));
    }
    nginx_ = test_util::StartNginx(dir_ / "root", dir_ / "nginx");
    ASSERT_TRUE(nginx_.ok()) << nginx_.error();
  }
  void TearDown() override {
    proxy_.Stop();
    nginx_.Stop();
    if (!HasFailure()) fs::remove_all(dir_);
  }

  // The proxy in front of nginx; its url().
  std::string Proxy(const std::vector<std::string>& rules) {
    proxy_ = test_util::StartFaultProxy(nginx_.url(), rules, dir_ / "proxy");
    EXPECT_TRUE(proxy_.ok()) << proxy_.error();
    return proxy_.url();
  }

  // Fast retries: the suite stays under a few seconds per test.
  FetchOptions Options() const {
    FetchOptions o;
    o.cache_dir = (dir_ / "cache").string();
    o.backoff_initial = 0.05;
    o.backoff_max = 0.2;
    o.connect_timeout = 5;
    o.total_timeout = 30;
    return o;
  }

  static FetchRequest Req(const std::string& url, const std::string& tag = "test") {
    FetchRequest r;
    r.url = url;
    r.tag = tag;
    return r;
  }

  int Requests(const std::string& path) {
    const nlohmann::json stats = proxy_.Stats();
    return stats.is_object() && stats.contains(path) ? stats[path].get<int>() : 0;
  }

  static std::string Events(const FetchResult& r) {
    std::string s;
    for (const std::string& e : r.events) s += e + "\n";
    return s;
  }

  fs::path dir_;
  std::string plain_, gz_;
  TestServer nginx_, proxy_;
};

TEST_F(FetchTest, ColdFetchThenCacheHitSendsNoRequest) {
  const std::string base = Proxy({});
  Fetcher f(Options());
  std::vector<FetchResult> r =
      f.FetchAll({Req(base + "/plain.bin"), Req(base + "/data.gz")}, nullptr);
  ASSERT_EQ(r.size(), 2u);
  for (const FetchResult& x : r) ASSERT_TRUE(x.ok) << x.error << "\n" << Events(x);
  EXPECT_EQ(ReadAll(r[0].path), plain_);
  EXPECT_EQ(r[0].size, plain_.size());
  EXPECT_EQ(r[0].sha256, Sha256Hex(plain_));
  EXPECT_EQ(r[0].attempts, 1);
  EXPECT_FALSE(r[0].from_cache);
  EXPECT_EQ(r[0].http_status, 200);
  EXPECT_GT(r[0].fetched, 0);

  std::vector<FetchResult> again =
      f.FetchAll({Req(base + "/plain.bin"), Req(base + "/data.gz")}, nullptr);
  for (size_t i = 0; i < 2; ++i) {
    ASSERT_TRUE(again[i].ok) << again[i].error;
    EXPECT_TRUE(again[i].from_cache);
    EXPECT_EQ(again[i].attempts, 0);
    EXPECT_EQ(again[i].path, r[i].path);
    EXPECT_EQ(again[i].fetched, r[i].fetched);
    EXPECT_EQ(again[i].sha256, r[i].sha256);
  }
  EXPECT_EQ(Requests("/plain.bin"), 1);
  EXPECT_EQ(Requests("/data.gz"), 1);
  // The server saw Vigía's User-Agent.
  const std::vector<std::string> log = nginx_.AccessLog();
  ASSERT_FALSE(log.empty());
  EXPECT_NE(log[0].find("\"Vigia/0.1.0 ("), std::string::npos) << log[0];
}

TEST_F(FetchTest, DroppedConnectionIsResumedWithARangeRequest) {
  const std::string base = Proxy({"plain\\.bin=drop:1"});
  Fetcher f(Options());
  const FetchResult r = f.FetchAll({Req(base + "/plain.bin")}, nullptr)[0];
  ASSERT_TRUE(r.ok) << r.error << "\n" << Events(r);
  EXPECT_TRUE(r.resumed);
  EXPECT_EQ(r.attempts, 2);
  EXPECT_EQ(r.http_status, 206);
  EXPECT_EQ(ReadAll(r.path), plain_);
  EXPECT_NE(Events(r).find("resuming at byte "), std::string::npos) << Events(r);
  // nginx got a Range request for the second half.
  bool ranged = false;
  for (const std::string& line : nginx_.AccessLog()) {
    ranged |= line.find(" 206 ") != std::string::npos && line.find("\"bytes=") != std::string::npos;
  }
  EXPECT_TRUE(ranged);
}

TEST_F(FetchTest, ServiceUnavailableTwiceThenSuccess) {
  const std::string base = Proxy({"plain\\.bin=503:2"});
  Fetcher f(Options());
  const FetchResult r = f.FetchAll({Req(base + "/plain.bin")}, nullptr)[0];
  ASSERT_TRUE(r.ok) << r.error;
  EXPECT_EQ(r.attempts, 3);
  EXPECT_EQ(ReadAll(r.path), plain_);
  ASSERT_EQ(r.events.size(), 3u) << Events(r);
  EXPECT_NE(r.events[0].find("attempt 1: HTTP 503; retry in "), std::string::npos) << r.events[0];
  EXPECT_NE(r.events[1].find("attempt 2: HTTP 503; retry in "), std::string::npos) << r.events[1];

  EXPECT_EQ(Requests("/plain.bin"), 3);
}

TEST_F(FetchTest, TooManyRequestsWaitsAtLeastRetryAfterUpToBackoffMax) {
  const std::string base = Proxy({"plain\\.bin=429:1"});
  Fetcher f(Options());  // backoff_max 0.2 s
  const FetchResult r = f.FetchAll({Req(base + "/plain.bin")}, nullptr)[0];
  ASSERT_TRUE(r.ok) << r.error;
  EXPECT_EQ(r.attempts, 2);
  // The proxy's Retry-After: 1, honoured up to backoff_max.
  EXPECT_EQ(r.events[0], "attempt 1: HTTP 429; retry in 0.2 s (Retry-After: 1)");
}

TEST_F(FetchTest, ServiceUnavailableForeverFailsAfterTheRetries) {
  const std::string base = Proxy({"plain\\.bin=503"});
  FetchOptions o = Options();
  o.retries = 2;
  Fetcher f(o);
  const FetchResult r = f.FetchAll({Req(base + "/plain.bin")}, nullptr)[0];
  EXPECT_FALSE(r.ok);
  EXPECT_EQ(r.attempts, 3);
  EXPECT_EQ(r.error, "HTTP 503 after 3 attempts");
}

TEST_F(FetchTest, NotFoundFailsAtOnce) {
  const std::string base = Proxy({});
  Fetcher f(Options());
  // nginx's own 404 for a missing collector file.
  const FetchResult r = f.FetchAll({Req(base + "/rrc99/missing.gz")}, nullptr)[0];
  EXPECT_FALSE(r.ok);
  EXPECT_EQ(r.error, "HTTP 404");
  EXPECT_EQ(r.attempts, 1);
  EXPECT_EQ(r.http_status, 404);
  EXPECT_EQ(Requests("/rrc99/missing.gz"), 1);
  EXPECT_FALSE(fs::exists(Cache(Options().cache_dir).DataPath(base + "/rrc99/missing.gz")));
}

TEST_F(FetchTest, SlowTrickleIsAStallThatIsRetriedAndResumed) {
  const std::string base = Proxy({"plain\\.bin=trickle:1"});
  FetchOptions o = Options();
  o.low_speed_limit = 1000;
  o.low_speed_seconds = 1;
  Fetcher f(o);
  const FetchResult r = f.FetchAll({Req(base + "/plain.bin")}, nullptr)[0];
  ASSERT_TRUE(r.ok) << r.error << "\n" << Events(r);
  EXPECT_EQ(r.attempts, 2);
  EXPECT_NE(r.events[0].find("stalled: under 1000 bytes/s for 1.0 s"), std::string::npos)
      << Events(r);
  EXPECT_TRUE(r.resumed);
  EXPECT_EQ(ReadAll(r.path), plain_);
}

TEST_F(FetchTest, SlowTrickleEveryTimeFailsAsStalled) {
  const std::string base = Proxy({"plain\\.bin=trickle"});
  FetchOptions o = Options();
  o.low_speed_limit = 1000;
  o.low_speed_seconds = 1;
  o.retries = 1;
  Fetcher f(o);
  const FetchResult r = f.FetchAll({Req(base + "/plain.bin")}, nullptr)[0];
  EXPECT_FALSE(r.ok);
  EXPECT_EQ(r.attempts, 2);
  EXPECT_NE(r.error.find("stalled"), std::string::npos) << r.error;
  EXPECT_NE(r.error.find("after 2 attempts"), std::string::npos) << r.error;
}

TEST_F(FetchTest, TruncatedGzipFailsItsDecompressionCheckAfterTwoDownloads) {
  const std::string base = Proxy({"data\\.gz=truncate"});
  Fetcher f(Options());
  const FetchResult r = f.FetchAll({Req(base + "/data.gz")}, nullptr)[0];
  EXPECT_FALSE(r.ok);
  EXPECT_EQ(r.attempts, 2);
  EXPECT_EQ(r.error.rfind("gzip: ", 0), 0u) << r.error;
  EXPECT_NE(r.error.find("truncated"), std::string::npos) << r.error;
  EXPECT_NE(r.error.find("after 2 downloads"), std::string::npos) << r.error;
  const Cache cache(Options().cache_dir);
  EXPECT_FALSE(fs::exists(cache.DataPath(base + "/data.gz")));
  EXPECT_FALSE(fs::exists(cache.PartPath(base + "/data.gz")));
  EXPECT_EQ(Requests("/data.gz"), 2);
}

TEST_F(FetchTest, CorruptFileFailsItsPublishedChecksumsAfterTwoDownloads) {
  const std::string base = Proxy({"plain\\.bin=corrupt", "f0=corrupt"});
  Fetcher f(Options());
  FetchRequest by_sha = Req(base + "/plain.bin");
  by_sha.sha256 = Sha256Hex(plain_);
  FetchRequest by_md5 = Req(base + "/many/f0");
  by_md5.md5 = Md5Hex(ReadAll(dir_ / "root/many/f0"));
  const std::vector<FetchResult> r = f.FetchAll({by_sha, by_md5}, nullptr);
  EXPECT_FALSE(r[0].ok);
  EXPECT_EQ(r[0].error, "sha256 differs after 2 downloads");
  EXPECT_EQ(r[0].attempts, 2);
  EXPECT_FALSE(r[1].ok);
  EXPECT_EQ(r[1].error, "md5 differs after 2 downloads");
  EXPECT_EQ(r[1].attempts, 2);
}

TEST_F(FetchTest, CorruptFileOnceIsFetchedAgain) {
  const std::string base = Proxy({"plain\\.bin=corrupt:1"});
  Fetcher f(Options());
  FetchRequest req = Req(base + "/plain.bin");
  req.md5 = Md5Hex(plain_);
  req.size = plain_.size();
  const FetchResult r = f.FetchAll({req}, nullptr)[0];
  ASSERT_TRUE(r.ok) << r.error << "\n" << Events(r);
  EXPECT_EQ(r.attempts, 2);
  EXPECT_NE(r.events[0].find("md5 differs: fetching again from zero"), std::string::npos)
      << Events(r);
  EXPECT_EQ(ReadAll(r.path), plain_);
}

TEST_F(FetchTest, RedirectIsFollowedAndRecorded) {
  const std::string base = Proxy({"plain\\.bin=redirect"});
  Fetcher f(Options());
  const FetchResult r = f.FetchAll({Req(base + "/plain.bin")}, nullptr)[0];
  ASSERT_TRUE(r.ok) << r.error;
  EXPECT_EQ(r.final_url, base + "/_r/plain.bin");
  EXPECT_EQ(ReadAll(r.path), plain_);
  EXPECT_EQ(Cache(Options().cache_dir).Lookup(base + "/plain.bin")->final_url,
            base + "/_r/plain.bin");
}

TEST_F(FetchTest, ServerIgnoringRangeAfterADropRestartsFromZero) {
  const std::string base = Proxy({"plain\\.bin=drop:1", "plain\\.bin=norange"});
  Fetcher f(Options());
  const FetchResult r = f.FetchAll({Req(base + "/plain.bin")}, nullptr)[0];
  ASSERT_TRUE(r.ok) << r.error << "\n" << Events(r);
  EXPECT_EQ(ReadAll(r.path), plain_);
  EXPECT_NE(Events(r).find("restarting from zero"), std::string::npos) << Events(r);
  EXPECT_EQ(r.http_status, 200);
}

TEST_F(FetchTest, JobsCapLimitsConcurrentTransfers) {
  const std::string base = Proxy({"/many/=delay"});
  FetchOptions o = Options();
  o.jobs = 2;
  o.per_host = 8;
  Fetcher f(o);
  std::vector<FetchRequest> reqs;
  for (int i = 0; i < 8; ++i) reqs.push_back(Req(base + "/many/f" + std::to_string(i)));
  for (const FetchResult& r : f.FetchAll(reqs, nullptr)) ASSERT_TRUE(r.ok) << r.error;
  EXPECT_EQ(proxy_.Concurrency()["max"], 2);
}

TEST_F(FetchTest, PerHostCapLimitsConcurrentTransfers) {
  const std::string base = Proxy({"/many/=delay"});
  FetchOptions o = Options();
  o.jobs = 8;
  o.per_host = 3;
  Fetcher f(o);
  std::vector<FetchRequest> reqs;
  for (int i = 0; i < 8; ++i) reqs.push_back(Req(base + "/many/f" + std::to_string(i)));
  for (const FetchResult& r : f.FetchAll(reqs, nullptr)) ASSERT_TRUE(r.ok) << r.error;
  EXPECT_EQ(proxy_.Concurrency()["max"], 3);
}

TEST_F(FetchTest, TotalTimeoutFailsWhatIsUnfinishedAndKeepsThePart) {
  const std::string base = Proxy({"plain\\.bin=trickle"});
  FetchOptions o = Options();
  o.total_timeout = 1;
  Fetcher f(o);
  const auto start = std::chrono::steady_clock::now();
  const std::vector<FetchResult> r =
      f.FetchAll({Req(base + "/plain.bin"), Req(base + "/data.gz")}, nullptr);
  const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  EXPECT_LT(s, 3);
  EXPECT_FALSE(r[0].ok);
  EXPECT_EQ(r[0].error, "total timeout (1.0 s)");
  EXPECT_TRUE(r[1].ok) << r[1].error;
  EXPECT_GT(fs::file_size(Cache(o.cache_dir).PartPath(base + "/plain.bin")), 0u);
}

TEST_F(FetchTest, LeftoverPartOfAKilledFetchIsResumed) {
  const std::string base = Proxy({"plain\\.bin=trickle:1"});
  const std::string url = base + "/plain.bin";
  const std::string part = Cache(Options().cache_dir).PartPath(url);
  const pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    Fetcher f(Options());
    (void)f.FetchAll({Req(url)}, nullptr);
    _exit(0);
  }
  std::error_code ec;
  for (int i = 0; i < 200 && !(fs::file_size(part, ec) >= 200 && !ec); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  ::kill(child, SIGKILL);
  int status = 0;
  ::waitpid(child, &status, 0);
  const uintmax_t left = fs::file_size(part, ec);
  ASSERT_FALSE(ec) << "no .part left by the killed fetch";
  ASSERT_GE(left, 200u);
  EXPECT_FALSE(Cache(Options().cache_dir).Lookup(url).has_value());

  Fetcher f(Options());
  const FetchResult r = f.FetchAll({Req(url)}, nullptr)[0];
  ASSERT_TRUE(r.ok) << r.error << "\n" << Events(r);
  EXPECT_TRUE(r.resumed);
  EXPECT_EQ(r.attempts, 1);
  EXPECT_NE(r.events[0].find("resuming at byte " + std::to_string(left)), std::string::npos)
      << Events(r);
  EXPECT_EQ(ReadAll(r.path), plain_);
}

TEST_F(FetchTest, FileChangedOnTheServerSinceThePartRestartsFromZero) {
  const std::string base = Proxy({"plain\\.bin=drop:1"});
  const std::string url = base + "/plain.bin";
  FetchOptions o = Options();
  o.retries = 0;
  ASSERT_FALSE(Fetcher(o).FetchAll({Req(url)}, nullptr)[0].ok);
  const Cache cache(o.cache_dir);
  ASSERT_GT(fs::file_size(cache.PartPath(url)), 0u);
  char etag[256];
  ASSERT_GT(::getxattr(cache.PartPath(url).c_str(), "user.vigia.if_range", etag, sizeof etag), 0)
      << "the .part's validator";
  // The archive replaces the file (same size, new bytes, new mtime: a new
  // ETag); the .part's If-Range no longer matches, so nginx sends it whole.
  const std::string replaced = RandomBytes(plain_.size(), 2);
  WriteAll(dir_ / "root/plain.bin", replaced);
  fs::last_write_time(dir_ / "root/plain.bin",
                      fs::last_write_time(dir_ / "root/plain.bin") + std::chrono::hours(1));
  const FetchResult r = Fetcher(Options()).FetchAll({Req(url)}, nullptr)[0];
  ASSERT_TRUE(r.ok) << r.error << "\n" << Events(r);
  EXPECT_TRUE(ReadAll(r.path) == replaced) << "a mix of the old .part and the new file";
  EXPECT_NE(Events(r).find("restarting from zero"), std::string::npos) << Events(r);
}

TEST_F(FetchTest, CompletePartIsVerifiedNotFetchedAgain) {
  const std::string base = Proxy({});
  const std::string url = base + "/plain.bin";
  // A run killed after the last byte but before the cache store.
  WriteAll(Cache(Options().cache_dir).PartPath(url), plain_);
  Fetcher f(Options());
  FetchRequest req = Req(url);
  req.md5 = Md5Hex(plain_);
  const FetchResult r = f.FetchAll({req}, nullptr)[0];
  ASSERT_TRUE(r.ok) << r.error << "\n" << Events(r);
  EXPECT_EQ(r.attempts, 1);
  EXPECT_EQ(r.http_status, 416);
  EXPECT_NE(Events(r).find("the .part is complete (300000 bytes)"), std::string::npos) << Events(r);
  EXPECT_EQ(ReadAll(r.path), plain_);
}

TEST_F(FetchTest, PartLongerThanThePublishedSizeIsDiscarded) {
  const std::string base = Proxy({});
  const std::string url = base + "/plain.bin";
  WriteAll(Cache(Options().cache_dir).PartPath(url), RandomBytes(400'000, 99));
  Fetcher f(Options());
  FetchRequest req = Req(url);
  req.size = plain_.size();
  const FetchResult r = f.FetchAll({req}, nullptr)[0];
  ASSERT_TRUE(r.ok) << r.error << "\n" << Events(r);
  EXPECT_FALSE(r.resumed);
  EXPECT_EQ(r.attempts, 1);
  EXPECT_EQ(ReadAll(r.path), plain_);
}

TEST_F(FetchTest, FetchTextRefusesMoreThanItsCap) {
  WriteAll(dir_ / "root/huge.txt", std::string(kMaxFetchedTextBytes + 1, 'x'));
  Fetcher f(Options());
  const Result<std::string> r = f.FetchText(nginx_.url() + "/huge.txt");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kLimitExceeded);
  EXPECT_NE(r.status().message().find("kMaxFetchedTextBytes"), std::string::npos)
      << r.status().message();
  EXPECT_FALSE(Cache(Options().cache_dir).Lookup(nginx_.url() + "/huge.txt").has_value());
}

TEST_F(FetchTest, FetchTextReadsAListingAndReportsNotFound) {
  const std::string base = Proxy({});
  Fetcher f(Options());
  Result<std::string> listing = f.FetchText(base + "/many/");
  ASSERT_TRUE(listing.ok()) << listing.status().message();
  EXPECT_NE(listing->find("href=\"f7\""), std::string::npos) << *listing;
  Result<std::string> missing = f.FetchText(base + "/nothing/");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().code(), StatusCode::kNotFound);
  // A cached listing is reused unless it is older than max_age_seconds.
  ASSERT_TRUE(f.FetchText(base + "/many/").ok());
  EXPECT_EQ(Requests("/many/"), 1);
}

TEST_F(FetchTest, MaxAgeFetchesALatestFileAgain) {
  const std::string base = Proxy({});
  Fetcher f(Options());
  FetchRequest req = Req(base + "/plain.bin");
  req.max_age_seconds = 3600;
  ASSERT_TRUE(f.FetchAll({req}, nullptr)[0].ok);
  EXPECT_TRUE(f.FetchAll({req}, nullptr)[0].from_cache);
  // Make the cached copy two hours old.
  const Cache cache(Options().cache_dir);
  CacheEntry e = *cache.Lookup(req.url);
  e.fetched -= 7200;
  const std::string copy = cache.DataPath(req.url) + ".copy";
  fs::copy_file(cache.DataPath(req.url), copy);
  ASSERT_TRUE(cache.Store(e, copy).ok());
  const FetchResult r = f.FetchAll({req}, nullptr)[0];
  ASSERT_TRUE(r.ok) << r.error;
  EXPECT_FALSE(r.from_cache);
  EXPECT_EQ(Requests("/plain.bin"), 2);
}

TEST_F(FetchTest, CachePruneKeepsOnlyTheKeptUrls) {
  const std::string base = Proxy({"plain\\.bin=drop:1"});
  FetchOptions o = Options();
  o.retries = 0;  // leaves plain.bin as a .part
  Fetcher f(o);
  std::vector<FetchRequest> reqs = {Req(base + "/data.gz"), Req(base + "/many/f0"),
                                    Req(base + "/many/f1"), Req(base + "/plain.bin")};
  const std::vector<FetchResult> r = f.FetchAll(reqs, nullptr);
  ASSERT_TRUE(r[0].ok && r[1].ok && r[2].ok);
  ASSERT_FALSE(r[3].ok);
  const Cache cache(o.cache_dir);
  ASSERT_TRUE(fs::exists(cache.PartPath(base + "/plain.bin")));
  Result<PruneReport> p = PruneCache(o.cache_dir, {base + "/many/f1"});
  ASSERT_TRUE(p.ok()) << p.status().message();
  EXPECT_EQ(p->removed, 3u);
  EXPECT_EQ(p->kept, 1u);
  EXPECT_GE(p->removed_bytes, gz_.size() + 20'000);
  EXPECT_EQ(p->removed_urls.size(), 2u);
  EXPECT_FALSE(cache.Lookup(base + "/data.gz").has_value());
  EXPECT_FALSE(fs::exists(cache.PartPath(base + "/plain.bin")));
  EXPECT_TRUE(cache.Lookup(base + "/many/f1").has_value());
}

TEST_F(FetchTest, ProgressSummarizesEachTag) {
  const std::string base = Proxy({});
  Fetcher f(Options());
  char* buf = nullptr;
  size_t len = 0;
  FILE* out = open_memstream(&buf, &len);
  ASSERT_NE(out, nullptr);
  {
    std::unique_ptr<Progress> p = MakeProgress(false, false, out);
    (void)f.FetchAll({Req(base + "/plain.bin", "ris"), Req(base + "/data.gz", "ris"),
                      Req(base + "/nothing.gz", "caida")},
                     p.get());
    (void)f.FetchAll({Req(base + "/plain.bin", "ris")}, p.get());
  }
  std::fclose(out);
  const std::string text(buf, len);
  std::free(buf);
  const std::vector<std::string> lines = test_util::Lines(text);
  // One line per tag as its last file is done; the second run's file makes
  // "ris" complete again.
  ASSERT_EQ(lines.size(), 3u) << text;
  // The first run's two tags end in either order.
  const bool ris_first = lines[0].rfind("ris: ", 0) == 0;
  const std::string& ris = lines[ris_first ? 0 : 1];
  const std::string& caida = lines[ris_first ? 1 : 0];
  EXPECT_EQ(ris.rfind("ris: 2 files, ", 0), 0u) << ris;
  EXPECT_NE(ris.find("kB in "), std::string::npos) << ris;
  EXPECT_EQ(ris.find("failed"), std::string::npos) << ris;
  EXPECT_EQ(caida.rfind("caida: 1 file, 0 B in ", 0), 0u) << caida;
  EXPECT_NE(caida.find(", 1 failed"), std::string::npos) << caida;
  EXPECT_EQ(lines[2].rfind("ris: 3 files, ", 0), 0u) << lines[2];
  EXPECT_NE(lines[2].find(", 1 from cache"), std::string::npos) << lines[2];
}

TEST(ProgressTest, TerminalRedrawsOneLinePerTag) {
  char* buf = nullptr;
  size_t len = 0;
  FILE* out = open_memstream(&buf, &len);
  {
    std::unique_ptr<Progress> p = MakeProgress(true, false, out);
    p->Begin("ris", 2, 2'000'000);
    p->Begin("rpki", 1, 0);
    p->Bytes("ris", 1'000'000);
    FetchResult ok;
    ok.ok = true;
    ok.size = 1'000'000;
    p->Done("ris", FetchRequest{}, ok);
    p->Finish();
  }
  std::fclose(out);
  const std::string text(buf, len);
  std::free(buf);
  EXPECT_NE(text.find("ris: 1/2 files, 1.0 MB of 2.0 MB, "), std::string::npos) << text;
  EXPECT_NE(text.find("rpki: 0/1 files"), std::string::npos) << text;
  EXPECT_NE(text.find("\x1b[1A"), std::string::npos) << "redrawn in place";
}

TEST(ProgressTest, QuietPrintsNothing) {
  char* buf = nullptr;
  size_t len = 0;
  FILE* out = open_memstream(&buf, &len);
  {
    std::unique_ptr<Progress> p = MakeProgress(false, true, out);
    p->Begin("ris", 1, 0);
    p->Done("ris", FetchRequest{}, FetchResult{});
    p->Finish();
  }
  std::fclose(out);
  EXPECT_EQ(len, 0u);
  std::free(buf);
}

TEST(DigestTest, KnownVectors) {
  // RFC 1321 §A.5 and FIPS 180-4's "abc" examples.
  EXPECT_EQ(Md5Hex("abc"), "900150983cd24fb0d6963f7d28e17f72");
  EXPECT_EQ(Sha256Hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(Md5Hex(""), "d41d8cd98f00b204e9800998ecf8427e");
  const fs::path p = test_util::TestTempPath("vigia_digest_");
  const std::string data = RandomBytes(3'000'000, 7);  // more than one 1 MiB block
  WriteAll(p, data);
  Result<Digests> d = DigestFile(p.string());
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->size, data.size());
  EXPECT_EQ(d->md5, Md5Hex(data));
  EXPECT_EQ(d->sha256, Sha256Hex(data));
  fs::remove(p);
  EXPECT_FALSE(DigestFile(p.string()).ok());
}

TEST(CacheTest, EntryIsValidOnlyWithItsRecordedSize) {
  const fs::path dir = test_util::TestTempPath("vigia_cache_");
  fs::remove_all(dir);
  const Cache cache(dir.string());
  const std::string url = "https://data.ris.ripe.net/rrc00/2024.05/bview.20240523.0000.gz";
  EXPECT_EQ(Cache::Key(url), Sha256Hex(url));
  EXPECT_EQ(cache.DataPath(url),
            dir.string() + "/objects/" + Cache::Key(url).substr(0, 2) + "/" + Cache::Key(url));
  EXPECT_FALSE(cache.Lookup(url).has_value());
  WriteAll(dir / "incoming", "0123456789");
  CacheEntry e;
  e.url = url;
  e.size = 10;
  e.sha256 = Sha256Hex("0123456789");
  e.fetched = 1716451200;
  e.etag = "\"abc\"";
  ASSERT_TRUE(cache.Store(e, (dir / "incoming").string()).ok());
  std::optional<CacheEntry> got = cache.Lookup(url);
  ASSERT_TRUE(got.has_value());
  EXPECT_EQ(got->size, 10u);
  EXPECT_EQ(got->fetched, 1716451200);
  EXPECT_EQ(vigia::IsoTime(got->fetched), "2024-05-23T08:00:00Z");
  EXPECT_EQ(got->etag, "\"abc\"");
  EXPECT_EQ(got->final_url, "");
  EXPECT_FALSE(cache.Lookup(url + "x").has_value());
  // A file cut short behind the metadata's back is not an entry.
  WriteAll(cache.DataPath(url), "01234");
  EXPECT_FALSE(cache.Lookup(url).has_value());
  fs::remove_all(dir);
}

TEST(CacheTest, PruneOfAMissingCacheRemovesNothing) {
  Result<PruneReport> p = PruneCache("/nonexistent/vigia-cache", {});
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p->removed, 0u);
}

}  // namespace
}  // namespace vigia::acquire
