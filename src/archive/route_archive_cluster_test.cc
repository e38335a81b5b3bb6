// The route archive on 2 shards x 2 replicas (store/test_clickhouse.h's
// Cluster: four clickhouse-servers and a ZooKeeper this program starts): a
// day written through node 0 is read, whole and not doubled after a second
// write, through node 3 (the other shard's second replica); the rows are
// spread over both shards by prefix, each prefix on one shard; a later
// write's cleaning deletes the superseded loads on every node.
// ctest LABELS "cluster;clickhouse". Skipped, with the reason, without the
// servers.
#include <gtest/gtest.h>
#include <httplib.h>

#include <filesystem>
#include <map>
#include <set>
#include <thread>

#include "archive/route_archive.h"
#include "core/test_util.h"
#include "core/time_format.h"
#include "snapshot/snapshot.h"
#include "store/test_clickhouse.h"

namespace vigia::archive {
namespace {

namespace fs = std::filesystem;
store::test_clickhouse::Cluster* g_cluster = nullptr;
constexpr const char* kDb = "archive_cluster";

std::vector<std::string> Select(int node, const std::string& sql) {
  httplib::Client c("127.0.0.1", g_cluster->node(node).http_port());
  c.set_read_timeout(120, 0);
  auto r = c.Post("/?select_sequential_consistency=1", sql + " FORMAT TabSeparated", "text/plain");
  EXPECT_TRUE(r && r->status == 200) << sql << ": " << (r ? r->body : "no answer");
  return r ? test_util::Lines(r->body) : std::vector<std::string>{};
}

TEST(RouteArchiveCluster, WrittenThroughOneNodeReadThroughAnother) {
  if (g_cluster == nullptr || !g_cluster->ok()) {
    GTEST_SKIP() << (g_cluster ? g_cluster->skip_reason() : "no cluster");
  }
  const fs::path dir = test_util::FreshTempDir("vigia_archive_cluster_");
  int st = 0;
  const std::string sim = test_util::RunCommand(test_util::Vigia() +
                                                    " simulate --seed 2 --ases 300 --prefixes "
                                                    "3000 --peers 6 --out " +
                                                    (dir / "snap").string() + " 2>&1",
                                                &st);
  ASSERT_EQ(test_util::Exit(st), 0) << sim;
  snapshot::Snapshot s;
  ASSERT_TRUE(snapshot::LoadSnapshot((dir / "snap").string(), &s).ok());
  const std::string date = IsoTime(s.window_start).substr(0, 10);
  // What the sightings imply: (prefix, peer, path) rows, and per prefix its
  // origins' peers.
  std::set<std::tuple<uint32_t, uint32_t, uint32_t>> rows;
  for (const auto& x : s.routes.sightings()) rows.insert({x.prefix, x.peer, x.path});
  {
    auto a = RouteArchive::Open(g_cluster->Url(0, kDb), 256 << 10);
    ASSERT_TRUE(a.ok()) << a.status().message();
    for (int i = 0; i < 2; ++i) {
      ASSERT_TRUE(a->Add(s.routes, date).ok());
      ASSERT_TRUE(a->Commit().ok());
    }
  }
  auto b = RouteArchive::Open(g_cluster->Url(3, kDb));
  ASSERT_TRUE(b.ok()) << b.status().message();
  auto days = b->Days({});
  ASSERT_TRUE(days.ok()) << days.status().message();
  ASSERT_EQ(days->size(), 1u);
  EXPECT_EQ((*days)[0].routes, rows.size());
  const auto visible = Select(3, fmt::format("SELECT count() FROM {0}.archive_routes WHERE load IN "
                                             "(SELECT argMax(load, committed) FROM "
                                             "{0}.archive_loads GROUP BY day)",
                                             kDb));
  ASSERT_EQ(visible.size(), 1u);
  EXPECT_EQ(visible[0], std::to_string(rows.size()));
  // Both shards hold rows (node 0: shard 1, node 3: shard 2), and no prefix
  // is on both.
  std::set<std::string> shard1, shard2;
  for (const std::string& p :
       Select(0, fmt::format("SELECT DISTINCT prefix FROM {}.archive_routes_local", kDb)))
    shard1.insert(p);
  for (const std::string& p :
       Select(3, fmt::format("SELECT DISTINCT prefix FROM {}.archive_routes_local", kDb)))
    shard2.insert(p);
  EXPECT_GT(shard1.size(), 0u);
  EXPECT_GT(shard2.size(), 0u);
  for (const std::string& p : shard1) EXPECT_FALSE(shard2.contains(p)) << p;
  // A third write with no delay before cleaning: the superseded loads'
  // rows (ALTER ... DELETE ON CLUSTER) and markers (replicated) go, on
  // every node.
  {
    auto a = RouteArchive::Open(g_cluster->Url(1, kDb), 256 << 10);
    ASSERT_TRUE(a.ok()) << a.status().message();
    a->SetCleanDelays(0, 86400);
    ASSERT_TRUE(a->Add(s.routes, date).ok());
    ASSERT_TRUE(a->Commit().ok());
  }
  std::string all;
  for (int i = 0; i < 600 && all != std::to_string(rows.size()); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    const auto n = Select(2, fmt::format("SELECT count() FROM {}.archive_routes", kDb));
    all = n.empty() ? "" : n[0];
  }
  EXPECT_EQ(all, std::to_string(rows.size())) << "rows of every load, through node 2";
  EXPECT_EQ(Select(3, fmt::format("SELECT count() FROM {}.archive_loads", kDb)),
            std::vector<std::string>{"1"});
  // A prefix's history read through node 3 equals the sightings'.
  const Prefix& p = s.routes.prefixes()[s.routes.sightings()[0].prefix];
  std::map<Asn, std::set<uint32_t>> peers;
  for (const auto& x : s.routes.sightings()) {
    if (s.routes.prefixes()[x.prefix] == p) peers[s.routes.paths().Origin(x.path)].insert(x.peer);
  }
  auto h = b->PrefixOrigins(p, {});
  ASSERT_TRUE(h.ok()) << h.status().message();
  ASSERT_EQ(h->rows.size(), peers.size());
  for (const OriginDay& o : h->rows) {
    EXPECT_EQ(o.date, date);
    EXPECT_EQ(o.peers, peers[o.origin].size()) << o.origin;
  }
  fs::remove_all(dir);
}

}  // namespace
}  // namespace vigia::archive

int main(int argc, char** argv) {
  bool listing = false;
  for (int i = 1; i < argc; ++i) listing = listing || std::string(argv[i]) == "--gtest_list_tests";
  std::unique_ptr<vigia::store::test_clickhouse::Cluster> cluster;
  if (!listing) {
    cluster = std::make_unique<vigia::store::test_clickhouse::Cluster>();
    vigia::archive::g_cluster = cluster.get();
    if (!cluster->ok()) std::fprintf(stderr, "skipped: %s\n", cluster->skip_reason().c_str());
  }
  ::testing::InitGoogleTest(&argc, argv);
  const int rc = RUN_ALL_TESTS();
  vigia::archive::g_cluster = nullptr;
  return rc;
}
