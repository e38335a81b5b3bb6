// ObservedRoutes::AddFiles with several threads gives exactly what AddFile
// on each file in turn gives: the same ids, sighting order, stats,
// problems and first failure.
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>

#include "observe/observed_routes.h"
#include "sim/snapshot.h"

namespace vigia::observe {
namespace {

namespace fs = std::filesystem;
using Files = std::vector<ObservedRoutes::File>;

fs::path TempDir(const std::string& name) {
  fs::path p =
      fs::temp_directory_path() / ("vigia_parallel_" + name + "_" + std::to_string(getpid()));
  fs::remove_all(p);
  fs::create_directories(p);
  return p;
}

void ExpectSame(const ObservedRoutes& a, const ObservedRoutes& b) {
  EXPECT_EQ(a.prefixes(), b.prefixes());
  ASSERT_EQ(a.peers().size(), b.peers().size());
  for (size_t i = 0; i < a.peers().size(); ++i) {
    EXPECT_EQ(a.peers()[i].collector, b.peers()[i].collector);
    EXPECT_EQ(a.peers()[i].ip, b.peers()[i].ip);
    EXPECT_EQ(a.peers()[i].asn, b.peers()[i].asn);
  }
  ASSERT_EQ(a.paths().size(), b.paths().size());
  for (uint32_t i = 0; i < a.paths().size(); ++i) {
    ASSERT_TRUE(std::ranges::equal(a.paths().Get(i), b.paths().Get(i))) << "path " << i;
    ASSERT_EQ(a.paths().HasSet(i), b.paths().HasSet(i));
  }
  ASSERT_EQ(a.sightings().size(), b.sightings().size());
  for (size_t i = 0; i < a.sightings().size(); ++i) {
    const Sighting &x = a.sightings()[i], &y = b.sightings()[i];
    ASSERT_TRUE(x.prefix == y.prefix && x.peer == y.peer && x.path == y.path &&
                x.start == y.start && x.end == y.end)
        << "sighting " << i;
  }
  const ObserveStats &s = a.stats(), &t = b.stats();
  EXPECT_EQ(s.files, t.files);
  EXPECT_EQ(s.rib_entries, t.rib_entries);
  EXPECT_EQ(s.announcements, t.announcements);
  EXPECT_EQ(s.withdrawals, t.withdrawals);
  EXPECT_EQ(s.records_skipped, t.records_skipped);
  EXPECT_EQ(s.truncated_files, t.truncated_files);
  EXPECT_EQ(s.attributes_discarded, t.attributes_discarded);
  EXPECT_EQ(s.routes_withdrawn, t.routes_withdrawn);
  EXPECT_EQ(s.unknown_withdrawals, t.unknown_withdrawals);
  EXPECT_EQ(s.sessions_down, t.sessions_down);
  EXPECT_EQ(a.problems(), b.problems());
}

// Reads files with 1 thread and with `threads`, before and after Finish.
void ExpectParallelSame(const Files& files, unsigned threads) {
  ObservedRoutes one, many;
  const Status s1 = one.AddFiles(files, 1), s2 = many.AddFiles(files, threads);
  EXPECT_EQ(s1.ok(), s2.ok());
  EXPECT_EQ(s1.message(), s2.message());
  ExpectSame(one, many);
  one.Finish(2'000'000'000);
  many.Finish(2'000'000'000);
  ExpectSame(one, many);
}

// A small simulated snapshot, three collectors, two days of updates.
const fs::path& Snapshot() {
  static const fs::path dir = [] {
    const fs::path d = TempDir("sim");
    sim::SimulateOptions o;
    o.out = (d / "snap").string();
    o.ases = 400;
    o.prefixes = 4000;
    o.peers = 9;
    o.collectors = 3;
    o.seed = 5;
    EXPECT_TRUE(sim::Simulate(o).ok());
    return d / "snap";
  }();
  return dir;
}

// In the order AddDirectory and the snapshot loader use: RIB dumps first.
Files SnapshotFiles(bool ribs, bool updates) {
  std::vector<std::string> names;
  for (const auto& e : fs::directory_iterator(Snapshot() / "mrt"))
    names.push_back(e.path().filename().string());
  auto is_rib = [](const std::string& n) { return n.find("bview") != std::string::npos; };
  std::sort(names.begin(), names.end(), [&](const std::string& a, const std::string& b) {
    return is_rib(a) != is_rib(b) ? is_rib(a) : a < b;
  });
  Files out;
  for (const std::string& n : names) {
    if (is_rib(n) ? ribs : updates)
      out.push_back({(Snapshot() / "mrt" / n).string(), n.substr(0, n.find('.'))});
  }
  return out;
}

TEST(ParallelRead, ManyFilesSameAsOneByOne) {
  const Files files = SnapshotFiles(true, true);
  ASSERT_EQ(files.size(), 9u);  // 3 collectors x (1 RIB + 2 days)
  for (unsigned threads : {2u, 3u, 8u}) ExpectParallelSame(files, threads);
  // And the directory reader with one thread per core.
  ObservedRoutes one, dir;
  ASSERT_TRUE(one.AddFiles(files, 1).ok());
  ASSERT_TRUE(dir.AddDirectory((Snapshot() / "mrt").string(), 0).ok());
  ExpectSame(one, dir);
}

TEST(ParallelRead, OneFile) {
  const Files files = SnapshotFiles(true, false);
  ExpectParallelSame({files[1]}, 2);
}

TEST(ParallelRead, UpdateOnlyFiles) {
  // Without the RIBs the withdrawals are of routes never seen (counted)
  // and the first update starts the update phase.
  const Files files = SnapshotFiles(false, true);
  ObservedRoutes r;
  ASSERT_TRUE(r.AddFiles(files, 2).ok());
  EXPECT_GT(r.stats().unknown_withdrawals, 0u);
  EXPECT_EQ(r.stats().rib_entries, 0u);
  ExpectParallelSame(files, 2);
}

TEST(ParallelRead, EmptyList) {
  ObservedRoutes r;
  EXPECT_TRUE(r.AddFiles({}, 4).ok());
  r.Finish(10);
  EXPECT_TRUE(r.sightings().empty());
  EXPECT_EQ(r.stats().files, 0u);
}

TEST(ParallelRead, UnreadableFileStopsAtTheSamePlace) {
  Files files = SnapshotFiles(true, true);
  files.insert(files.begin() + 4, {"/nonexistent/x.updates.gz", "x"});
  ObservedRoutes r;
  const Status s = r.AddFiles(files, 2);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("/nonexistent/x.updates.gz"), std::string::npos) << s.message();
  EXPECT_EQ(r.stats().files, 4u);
  ExpectParallelSame(files, 2);
  ExpectParallelSame({{"/nonexistent/y", "y"}}, 3);
}

TEST(ParallelRead, DamagedFilesGiveTheSameProblems) {
  const fs::path dir = TempDir("bad");
  std::ofstream(dir / "junk.mrt", std::ios::binary) << std::string(100, '\x7f');
  // A RIB cut in the middle of a record.
  const Files ribs = SnapshotFiles(true, false);
  std::ifstream in(ribs[0].path, std::ios::binary);
  std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::ofstream(dir / "cut.bview.gz", std::ios::binary) << bytes.substr(0, bytes.size() / 2);
  Files files = {{(dir / "cut.bview.gz").string(), "cut"}};
  for (const auto& f : SnapshotFiles(false, true)) files.push_back(f);
  files.push_back({(dir / "junk.mrt").string(), "junk"});
  ObservedRoutes r;
  ASSERT_TRUE(r.AddFiles(files, 2).ok());
  EXPECT_FALSE(r.problems().empty());
  ExpectParallelSame(files, 2);
  fs::remove_all(dir);
}

TEST(ParallelRead, RealFilesSameAsOneByOne) {
  const std::string data = VIGIA_SHARED_DATA;
  const Files files = {
      {data + "/mrt/bgpdump-testdata/bview.20020722.2337.gz", "rrc00"},
      {data + "/mrt/pyasn/rib.20140523.0600_firstMB.bz2", "rv"},  // a cut bzip2 stream
      {data + "/mrt/bgpdump-testdata/updates.20020722.2238.gz", "rrc00"},
      {data + "/mrt/bgpkit-fixtures/rrc00-updates.20000325.0345.gz", "rrc00"},
      {data + "/mrt/mrtparse-samples/bird-mrtdump_bgp", "bird"},
  };
  for (const auto& f : files) {
    if (!fs::exists(f.path)) GTEST_SKIP() << "needs " << f.path << " (VIGIA_SHARED_DATA)";
  }
  ExpectParallelSame(files, 2);
}

}  // namespace
}  // namespace vigia::observe
