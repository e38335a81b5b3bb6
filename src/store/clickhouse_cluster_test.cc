// The ClickHouse store on a cluster of 2 shards x 2 replicas
// (test_clickhouse.h's Cluster: four clickhouse-servers and a ZooKeeper
// that this program starts): a snapshot written through one node is read,
// whole, through the others; a replica killed during a write leaves every
// snapshot whole or absent, and reads go on through the other replica; a
// replica killed during reads does not stop them; restarted, it catches up.
// And the whole conformance suite (store_conformance_test.cc, linked in)
// through node 1 of the cluster.
// ctest LABELS cluster. Skipped, with the reason, without the servers.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <thread>

#include "store/store.h"
#include "store/test_clickhouse.h"
#include "store/test_rows.h"

namespace vigia::store {
namespace {

test_clickhouse::Cluster* g_cluster = nullptr;
constexpr const char* kDb = "vigia_cluster";
constexpr int64_t kIncidents = 6000;

#define REQUIRE_CLUSTER()                                                    \
  do {                                                                       \
    if (g_cluster == nullptr || !g_cluster->ok())                            \
      GTEST_SKIP() << (g_cluster ? g_cluster->skip_reason() : "no cluster"); \
  } while (0)

// A snapshot of kIncidents incidents (big enough for several INSERTs) and
// as many entities.
Status WriteSnapshot(Store& s, const std::string& date, Result<SnapshotInfo>* out) {
  auto w = s.BeginSnapshot(test_rows::Info(date));
  if (!w.ok()) return w.status();
  for (int64_t id = 1; id <= kIncidents; ++id) {
    IncidentRow r = test_rows::Incident(id, "hijack", 64500 + static_cast<Asn>(id % 50), 64501);
    r.evidence = std::string(700, 'e');
    if (Status st = (*w)->AddIncident(r); !st.ok()) return st;
    if (Status st = (*w)->AddEntity({"as", std::to_string(id), "n", "BR", "lacnic", false, id, ""});
        !st.ok())
      return st;
  }
  *out = (*w)->Commit();
  return out->ok() ? Status::Ok() : out->status();
}

// Every snapshot seen through node i is whole: kIncidents incidents each.
// The number of snapshots, or -1 on an error (its message in *why).
int64_t WholeSnapshots(int node, std::string* why) {
  auto s = Store::Open(g_cluster->Url(node, kDb));
  if (!s.ok()) {
    *why = s.status().message();
    return -1;
  }
  auto snaps = (*s)->Snapshots();
  if (!snaps.ok()) {
    *why = snaps.status().message();
    return -1;
  }
  for (const SnapshotInfo& i : *snaps) {
    auto n = (*s)->CountIncidents({i.id});
    if (!n.ok()) {
      *why = n.status().message();
      return -1;
    }
    if (*n != kIncidents) {
      *why = "snapshot " + std::to_string(i.id) + " has " + std::to_string(*n) + " incidents";
      return -2;
    }
  }
  return static_cast<int64_t>(snaps->size());
}

TEST(ClickHouseCluster, WrittenThroughOneNodeReadWholeThroughEveryOther) {
  REQUIRE_CLUSTER();
  auto s = Store::Open(g_cluster->Url(0, kDb));
  ASSERT_TRUE(s.ok()) << s.status().message();
  Result<SnapshotInfo> snap = Status::IoError("none");
  ASSERT_TRUE(WriteSnapshot(**s, "2026-11-20", &snap).ok()) << snap.status().message();
  for (int node = 0; node < 4; ++node) {
    std::string why;
    EXPECT_EQ(WholeSnapshots(node, &why), 1) << "node " << node << ": " << why;
  }
  // The rows are spread over both shards, each held by both its replicas.
  for (int node = 0; node < 4; ++node) {
    httplib::Client c("127.0.0.1", g_cluster->node(node).http_port());
    auto r =
        c.Post("/", std::string("SELECT count() FROM ") + kDb + ".incidents_local", "text/plain");
    ASSERT_TRUE(r && r->status == 200);
    const int64_t local = std::atoll(r->body.c_str());
    EXPECT_GT(local, 0) << "node " << node;
    EXPECT_LT(local, kIncidents) << "node " << node;
  }
}

TEST(ClickHouseCluster, AReplicaKilledDuringAWriteLeavesSnapshotsWholeOrAbsent) {
  REQUIRE_CLUSTER();
  std::string why;
  const int64_t before = WholeSnapshots(1, &why);
  ASSERT_GE(before, 1) << why;
  // A writer through node 0, in a child process; node 3 (shard 2's second
  // replica) is killed once the writer has begun.
  int p[2];
  ASSERT_EQ(pipe(p), 0);
  const pid_t pid = fork();
  if (pid == 0) {
    auto s = Store::Open(g_cluster->Url(0, kDb));
    if (!s.ok()) _exit(2);
    const char one = '1';
    if (write(p[1], &one, 1) != 1) _exit(4);
    Result<SnapshotInfo> snap = Status::IoError("none");
    Status st = WriteSnapshot(**s, "2026-11-21", &snap);
    _exit(st.ok() ? 0 : 1);
  }
  char c = 0;
  ASSERT_EQ(read(p[0], &c, 1), 1);
  g_cluster->Kill(3);
  int status = 0;
  waitpid(pid, &status, 0);
  close(p[0]);
  close(p[1]);
  ASSERT_TRUE(WIFEXITED(status));
  const bool written = WEXITSTATUS(status) == 0;
  std::printf("[ observed ] the write during the kill %s\n",
              written ? "committed" : "failed (quorum of 2 not reached), its snapshot invisible");
  // Reads go on through the live nodes: every snapshot whole, none lost.
  for (int node : {0, 1, 2}) {
    const int64_t n = WholeSnapshots(node, &why);
    EXPECT_GE(n, before) << "node " << node << ": " << why;
    EXPECT_LE(n, before + 1) << "node " << node;
  }
  // A write now: shard 2 has one live replica, short of the quorum of 2,
  // so it fails and nothing of it is visible.
  {
    auto s = Store::Open(g_cluster->Url(1, kDb));
    ASSERT_TRUE(s.ok()) << s.status().message();
    Result<SnapshotInfo> snap = Status::IoError("none");
    const Status st = WriteSnapshot(**s, "2026-11-22", &snap);
    std::printf("[ observed ] a write with a replica down: %s\n",
                st.ok() ? "committed" : st.message().substr(0, 160).c_str());
    const int64_t n = WholeSnapshots(2, &why);
    EXPECT_GE(n, before) << why;
  }
  // Restarted, node 3 catches up: its replica of shard 2 holds what node 2's
  // does, and reads through it give the same snapshots.
  ASSERT_TRUE(g_cluster->Restart(3)) << g_cluster->node(3).skip_reason();
  auto local = [](int node) {
    httplib::Client client("127.0.0.1", g_cluster->node(node).http_port());
    auto r = client.Post("/", std::string("SELECT count() FROM ") + kDb + ".incidents_local",
                         "text/plain");
    return r && r->status == 200 ? std::atoll(r->body.c_str()) : -1;
  };
  EXPECT_TRUE(test_util::WaitFor([&] { return local(3) == local(2); }, std::chrono::seconds(120),
                                 std::chrono::milliseconds(500)))
      << local(3) << " vs " << local(2);
  const int64_t on2 = WholeSnapshots(2, &why);
  EXPECT_TRUE(test_util::WaitFor([&] { return WholeSnapshots(3, &why) == on2; },
                                 std::chrono::seconds(60), std::chrono::milliseconds(500)))
      << why;
  // And writes work again.
  auto s = Store::Open(g_cluster->Url(3, kDb));
  ASSERT_TRUE(s.ok()) << s.status().message();
  Result<SnapshotInfo> snap = Status::IoError("none");
  ASSERT_TRUE(WriteSnapshot(**s, "2026-11-23", &snap).ok()) << snap.status().message();
  EXPECT_EQ(WholeSnapshots(0, &why), on2 + 1) << why;
}

TEST(ClickHouseCluster, ReadsGoOnWhileAReplicaIsKilled) {
  REQUIRE_CLUSTER();
  std::string why;
  const int64_t expect = WholeSnapshots(0, &why);
  ASSERT_GE(expect, 1) << why;
  std::atomic<bool> stop{false};
  std::atomic<int> good{0}, bad{0}, wrong{0};
  std::string last_error;
  std::thread reader([&] {
    while (!stop) {
      std::string w;
      const int64_t n = WholeSnapshots(0, &w);
      if (n == expect) {
        ++good;
      } else if (n == -1) {
        ++bad;
        last_error = w;
      } else {
        ++wrong;
        last_error = w;
      }
    }
  });
  std::this_thread::sleep_for(std::chrono::seconds(2));
  g_cluster->Kill(1);  // shard 1's second replica
  std::this_thread::sleep_for(std::chrono::seconds(6));
  stop = true;
  reader.join();
  std::printf(
      "[ observed ] reads through node 0 while node 1 was killed: %d whole, %d errors, %d "
      "partial\n",
      good.load(), bad.load(), wrong.load());
  EXPECT_EQ(wrong.load(), 0) << last_error;
  EXPECT_GT(good.load(), 0);
  ASSERT_TRUE(g_cluster->Restart(1)) << g_cluster->node(1).skip_reason();
  EXPECT_TRUE(test_util::WaitFor([&] { return WholeSnapshots(1, &why) == expect; },
                                 std::chrono::seconds(60), std::chrono::milliseconds(500)))
      << why;
}

}  // namespace
}  // namespace vigia::store

// Starts the cluster before the conformance suite (linked in) is
// instantiated, pointed at node 1 (the tables are made through whichever
// node a test opens first), and runs only the cluster's tests unless a
// filter is given.
int main(int argc, char** argv) {
  bool listing = false, filtered = false;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    listing = listing || a == "--gtest_list_tests";
    filtered = filtered || a.rfind("--gtest_filter", 0) == 0;
  }
  std::unique_ptr<vigia::store::test_clickhouse::Cluster> cluster;
  if (!listing) {
    cluster = std::make_unique<vigia::store::test_clickhouse::Cluster>();
    vigia::store::g_cluster = cluster.get();
    if (cluster->ok()) {
      setenv("VIGIA_STORE_TEST_URLS", cluster->Url(1, "vc_{name}").c_str(), 1);
    } else {
      std::fprintf(stderr, "cluster tests skipped: %s\n", cluster->skip_reason().c_str());
    }
  }
  ::testing::InitGoogleTest(&argc, argv);
  if (!filtered) GTEST_FLAG_SET(filter, "*clickhouse*:ClickHouseCluster*");
  const int rc = RUN_ALL_TESTS();
  vigia::store::g_cluster = nullptr;
  return rc;
}
