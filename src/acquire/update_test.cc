// Update and Daily (update.h, daily.h) in process: the option checks, the
// dates, and Daily's idempotence and pruning with the store and the
// analysis as hooks. The downloads themselves, through nginx and the fault
// proxy, are tested end to end in tests/update_cli_test.cc.
#include "acquire/update.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>

#include "acquire/cache.h"
#include "acquire/daily.h"
#include "acquire/source.h"
#include "acquire/test_servers.h"
#include "core/test_util.h"

namespace vigia::acquire {
namespace {

namespace fs = std::filesystem;

using TempDir = test_util::ScopedTempDir;

TEST(UpdateOptions, DatesAreCheckedForReal) {
  EXPECT_TRUE(ParseDate("2024-02-29").ok());
  EXPECT_EQ(*ParseDate("2000-01-02"), 946771200);
  EXPECT_FALSE(ParseDate("2023-02-29").ok());
  EXPECT_FALSE(ParseDate("2024-5-23").ok());
  EXPECT_FALSE(ParseDate("2024-05-23x").ok());
  EXPECT_FALSE(ParseDate("20240523").ok());
  EXPECT_FALSE(ParseDate("").ok());
}

TEST(UpdateOptions, Windows) {
  uint32_t a = 0, b = 0;
  ASSERT_TRUE(ParseWindow("00:00-24:00", &a, &b).ok());
  EXPECT_EQ(a, 0u);
  EXPECT_EQ(b, 1440u);
  ASSERT_TRUE(ParseWindow("08:05-08:30", &a, &b).ok());
  EXPECT_EQ(a, 485u);
  EXPECT_EQ(b, 510u);
  for (const char* bad : {"08:30-08:05", "08:00-08:00", "24:00-24:00", "8:00-9:00", "08:60-09:00",
                          "00:00-24:01", "00:00-12:00x"}) {
    EXPECT_FALSE(ParseWindow(bad, &a, &b).ok()) << bad;
  }
}

TEST(UpdateOptions, SourcesByNameOrTheDefaultOnes) {
  auto all = ChooseSources({});
  ASSERT_TRUE(all.ok());
  for (const SourceInfo& s : Sources()) {
    const bool in = std::find(all->begin(), all->end(), s.name) != all->end();
    EXPECT_EQ(in, s.default_on) << s.name;
  }
  auto two = ChooseSources({"rpki", "ris", "rpki"});
  ASSERT_TRUE(two.ok());
  EXPECT_EQ(*two, (std::vector<std::string>{"rpki", "ris"}));
  auto bad = ChooseSources({"ris", "nosuch"});
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("unknown source 'nosuch'"), std::string::npos);
}

// Bad options fail before anything is fetched or written.
TEST(UpdateOptions, BadOptionsLeaveNoOutput) {
  const TempDir tmp("vigia_update_bad_");
  const fs::path& dir = tmp.path;
  UpdateOptions o;
  o.date = "2024-05-23";
  o.out = (dir / "snap").string();
  o.fetch.cache_dir = (dir / "cache").string();
  o.mirrors["nosuch"] = "http://127.0.0.1:1";
  auto r = Update(o, nullptr);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("--mirror nosuch"), std::string::npos);
  o.mirrors.clear();
  o.only["nosuch"] = {"a"};
  EXPECT_FALSE(Update(o, nullptr).ok());
  o.only.clear();
  o.date = "2024-05-32";
  EXPECT_FALSE(Update(o, nullptr).ok());
  EXPECT_FALSE(fs::exists(dir / "snap"));
  EXPECT_FALSE(fs::exists(dir / "snap.partial"));
}

// A server that is not there: every source is absent, with the reason, and
// the snapshot is written all the same (and replaces the old one).
TEST(Update, ASourceThatFailsIsAbsentAndTheSnapshotIsWritten) {
  const TempDir tmp("vigia_update_down_");
  const fs::path& dir = tmp.path;
  fs::create_directories(dir / "snap" / "old");
  UpdateOptions o;
  o.date = "2024-05-23";
  o.out = (dir / "snap").string();
  o.sources = {"ris"};
  o.only["ris"] = {"rrc00"};
  o.window_end_minute = 10;
  o.mirrors["ris"] = "http://127.0.0.1:" + std::to_string(test_util::PickFreePort());
  o.fetch.cache_dir = (dir / "cache").string();
  o.fetch.retries = 0;
  auto r = Update(o, nullptr);
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_FALSE(r->complete());
  ASSERT_EQ(r->sources.size(), 1u);
  EXPECT_EQ(r->sources[0].status, "absent");
  EXPECT_NE(r->sources[0].reason.find("rrc00"), std::string::npos) << r->sources[0].reason;
  EXPECT_EQ(r->sources[0].files, 0u);
  EXPECT_FALSE(fs::exists(dir / "snap" / "old"));
  EXPECT_FALSE(fs::exists(dir / "snap.partial"));
  std::ifstream in(dir / "snap" / "manifest.json");
  const auto m = nlohmann::json::parse(in);
  EXPECT_EQ(m["format"], "vigia-snapshot/1");
  EXPECT_EQ(m["generator"]["name"], "vigia update");
  EXPECT_EQ(m["simulated"], false);
  EXPECT_EQ(m["window"]["start"], "2024-05-23T00:00:00Z");
  EXPECT_EQ(m["window"]["end"], "2024-05-23T00:10:00Z");
  ASSERT_EQ(m["sources"].size(), 1u);
  EXPECT_EQ(m["sources"][0]["status"], "absent");
  EXPECT_TRUE(m["files"].empty());
  const auto j = nlohmann::json::parse(ReportJson(*r));
  EXPECT_EQ(j["complete"], false);
  EXPECT_EQ(j["file_outcomes"].size(), 3u);  // the bview and two updates files
}

TEST(Daily, DatesDefaultToYesterday) {
  auto y = DailyDates("", "");
  ASSERT_TRUE(y.ok());
  ASSERT_EQ(y->size(), 1u);
  const std::time_t now = std::time(nullptr);
  EXPECT_LT(*ParseDate((*y)[0]), now - 86400 + 1);
  EXPECT_GE(*ParseDate((*y)[0]), now - 2 * 86400);
  auto r = DailyDates("2024-02-28", "2024-03-01");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(*r, (std::vector<std::string>{"2024-02-28", "2024-02-29", "2024-03-01"}));
  EXPECT_FALSE(DailyDates("2024-03-01", "2024-02-28").ok());
  EXPECT_EQ(DailyDates("2000-01-01", "2024-01-01").status().code(), StatusCode::kLimitExceeded);
}

// The dates the store has are skipped without a download; --force redoes
// them; a date whose update and analysis ran is stored.
TEST(Daily, StoredDatesAreSkippedUnlessForced) {
  const TempDir tmp("vigia_daily_skip_");
  const fs::path& dir = tmp.path;
  std::set<std::string> stored = {"2024-05-01", "2024-05-02"};
  std::vector<std::string> analyzed;
  DailyHooks hooks;
  hooks.stored = [&](const std::string& d) -> Result<bool> { return stored.count(d) > 0; };
  hooks.analyze = [&](const std::string& snap) -> Result<AnalyzedDay> {
    analyzed.push_back(snap);
    return AnalyzedDay{static_cast<int64_t>(analyzed.size()), false};
  };
  DailyOptions o;
  o.data = dir.string();
  o.from = "2024-05-01";
  o.to = "2024-05-02";
  o.update.sources = {"ris"};
  o.update.only["ris"] = {"rrc00"};
  o.update.window_end_minute = 5;
  o.update.mirrors["ris"] = "http://127.0.0.1:" + std::to_string(test_util::PickFreePort());
  o.update.fetch.retries = 0;
  auto r = Daily(o, hooks, nullptr);
  ASSERT_TRUE(r.ok()) << r.status().message();
  ASSERT_EQ(r->days.size(), 2u);
  for (const auto& d : r->days) EXPECT_EQ(d.action, "skipped") << d.date;
  EXPECT_TRUE(analyzed.empty());
  EXPECT_FALSE(fs::exists(dir / "snapshots" / "2024-05-01"));

  o.to = "2024-05-03";
  r = Daily(o, hooks, nullptr);
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->days.size(), 3u);
  EXPECT_EQ(r->days[2].action, "stored");
  EXPECT_TRUE(r->days[2].partial);  // the server is not there: ris is absent
  ASSERT_EQ(analyzed.size(), 1u);
  EXPECT_EQ(analyzed[0], (dir / "snapshots" / "2024-05-03").string());
  EXPECT_TRUE(fs::exists(dir / "snapshots" / "2024-05-03" / "manifest.json"));

  o.force = true;
  o.to = "2024-05-01";
  r = Daily(o, hooks, nullptr);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->days[0].action, "stored");
  EXPECT_EQ(analyzed.size(), 2u);
}

// --keep N: the newest N snapshot directories stay, and the cache objects
// their manifests list; the others go.
TEST(Daily, KeepPrunesOldSnapshotsAndTheirCacheObjects) {
  const TempDir tmp("vigia_daily_keep_");
  const fs::path& dir = tmp.path;
  Cache cache((dir / "cache").string());
  for (const char* d : {"2024-05-01", "2024-05-02", "2024-05-03"}) {
    const fs::path snap = dir / "snapshots" / d;
    fs::create_directories(snap);
    const std::string url = std::string("http://mirror/") + d + ".gz";
    nlohmann::json m;
    m["format"] = "vigia-snapshot/1";
    m["window"] = {{"start", std::string(d) + "T00:00:00Z"},
                   {"end", std::string(d) + "T01:00:00Z"}};
    m["files"] = {{{"path", "mrt/x.gz"}, {"size", 1}, {"url", url}}};
    std::ofstream(snap / "manifest.json") << m.dump();
    const fs::path body = dir / "body";
    std::ofstream(body) << "x";
    CacheEntry e;
    e.url = url;
    e.size = 1;
    ASSERT_TRUE(cache.Store(e, body.string()).ok());
    ASSERT_TRUE(cache.Lookup(url).has_value());
  }
  DailyHooks hooks;
  hooks.stored = [](const std::string&) -> Result<bool> { return true; };
  hooks.analyze = [](const std::string&) -> Result<AnalyzedDay> { return AnalyzedDay{}; };
  DailyOptions o;
  o.data = dir.string();
  o.from = o.to = "2024-05-03";
  o.keep = 2;
  auto r = Daily(o, hooks, nullptr);
  ASSERT_TRUE(r.ok()) << r.status().message();
  ASSERT_EQ(r->pruned_snapshots.size(), 1u);
  EXPECT_FALSE(fs::exists(dir / "snapshots" / "2024-05-01"));
  EXPECT_TRUE(fs::exists(dir / "snapshots" / "2024-05-02"));
  EXPECT_EQ(r->pruned_cache_files, 1u);
  EXPECT_FALSE(cache.Lookup("http://mirror/2024-05-01.gz").has_value());
  EXPECT_TRUE(cache.Lookup("http://mirror/2024-05-02.gz").has_value());
  EXPECT_TRUE(cache.Lookup("http://mirror/2024-05-03.gz").has_value());
  // Again: nothing more to prune.
  r = Daily(o, hooks, nullptr);
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->pruned_snapshots.empty());
  EXPECT_EQ(r->pruned_cache_files, 0u);
}

}  // namespace
}  // namespace vigia::acquire
