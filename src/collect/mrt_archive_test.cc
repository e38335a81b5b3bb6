// MrtArchive and MuxSink: route events in, MRT files out, read back with
// the project's MRT reader (mrt::RouteFeed) into the same routes; file
// names, rotation, never overwriting; restart from the newest complete dump
// plus later updates, including with garbage, truncated and temporary files
// in the output directory; the bytes a RIB entry costs.
#include "collect/mrt_archive.h"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <random>

#include "bgp/test_builders.h"
#include "collect/mux_sink.h"
#include "collect/test_util.h"
#include "core/test_util.h"

namespace vigia::collect {
namespace {

namespace fs = std::filesystem;
using test::ReadBack;
using test::Routes;

// 2026-12-07 01:40:00 UTC.
constexpr uint32_t kT0 = 1796607600;

bgp::PathAttributes V4Attrs(std::vector<Asn> path, const char* nh, uint32_t community = 0) {
  bgp::PathAttributes a;
  a.origin = 0;
  a.Set(bgp::kAttrOrigin);
  a.as_path = bgp::test::MakePath({{bgp::kAsSequence, path}});
  a.Set(bgp::kAttrAsPath);
  a.next_hop = *IpAddress::Parse(nh);
  a.Set(bgp::kAttrNextHop);
  if (community) {
    a.communities = {community};
    a.Set(bgp::kAttrCommunities);
  }
  a.med = 10;
  a.Set(bgp::kAttrMed);
  return a;
}

bgp::PathAttributes V6Attrs(std::vector<Asn> path, const char* nh) {
  bgp::PathAttributes a;
  a.Set(bgp::kAttrOrigin);
  a.as_path = bgp::test::MakePath({{bgp::kAsSequence, path}});
  a.Set(bgp::kAttrAsPath);
  bgp::MpReach& m = a.AddMpReach();
  m.afi = bgp::kAfiIpv6;
  m.safi = bgp::kSafiUnicast;
  m.next_hop = *IpAddress::Parse(nh);
  m.next_hop_length = 16;
  m.supported = true;
  m.nlri.push_back({*Prefix::Parse("2001:db8:ffff::/48"), 0});  // stripped by the archive
  return a;
}

bgp::Route R(bgp::PeerHandle peer, const char* prefix, uint64_t set, uint32_t path_id = 0) {
  bgp::Route r;
  r.peer = peer;
  r.prefix = *Prefix::Parse(prefix);
  r.afi = r.prefix.family() == Family::kIpv6 ? bgp::kAfiIpv6 : bgp::kAfiIpv4;
  r.path_id = path_id;
  r.attr_set = set;
  r.time = {kT0 + 5, 0};
  return r;
}

struct Clock {
  uint32_t now = kT0;
};

ArchiveOptions Options(const fs::path& dir, Clock* c,
                       ArchiveLayout layout = ArchiveLayout::kArchive) {
  ArchiveOptions o;
  o.out_dir = dir.string();
  o.name = "rrc99";
  o.local_asn = 65000;
  o.layout = layout;
  o.clock = [c] { return c->now; };
  return o;
}

const std::map<bgp::PeerHandle, std::string> kNames = {
    {0, "192.0.2.1 AS65001"}, {1, "2001:db8::2 AS65002"}, {2, "198.51.100.3 AS4200000003"}};

void AddPeers(bgp::RouteSink* s) {
  s->Peer(0, {"x", *IpAddress::Parse("192.0.2.1"), 65001, IpAddress::V4(0x01010101)});
  s->Peer(1, {"x", *IpAddress::Parse("2001:db8::2"), 65002, IpAddress::V4(0x02020202)});
  s->Peer(2, {"x", *IpAddress::Parse("198.51.100.3"), 4200000003u, IpAddress::V4(0x03030303)});
}

// A day of events: announcements over both families with ADD-PATH on peer
// 1, replacements, withdrawals, a session down.
void FeedEvents(bgp::RouteSink* s) {
  AddPeers(s);
  const auto a1 = V4Attrs({65001, 64500}, "192.0.2.1", 0xFDE80001);
  s->Announce(R(0, "10.0.0.0/8", 1), a1);
  s->Announce(R(0, "10.1.0.0/16", 1), a1);
  s->Announce(R(0, "203.0.113.0/24", 2), V4Attrs({65001, 64501}, "192.0.2.1"));
  const auto a6 = V6Attrs({65002, 64502}, "2001:db8::2");
  s->Announce(R(1, "2001:db8:1::/48", 3, 7), a6);
  s->Announce(R(1, "2001:db8:1::/48", 4, 8), V6Attrs({65002, 64999, 64502}, "2001:db8::2"));
  s->Announce(R(1, "2001:db8:2::/48", 3, 7), a6);
  s->Announce(R(2, "10.0.0.0/8", 5), V4Attrs({4200000003u, 64500}, "198.51.100.3"));
  s->Announce(R(2, "198.18.0.0/15", 5), V4Attrs({4200000003u, 64500}, "198.51.100.3"));
  // Replace, withdraw (IPv4 and MP_UNREACH with a path id), session down.
  s->Announce(R(0, "10.1.0.0/16", 6), V4Attrs({65001, 65010, 64500}, "192.0.2.1"));
  s->Withdraw(R(0, "203.0.113.0/24", 0), bgp::WithdrawCause::kWithdrawn);
  s->Withdraw(R(1, "2001:db8:2::/48", 0, 7), bgp::WithdrawCause::kWithdrawn);
  s->SessionDown(2, {kT0 + 9, 0});
}

const Routes kExpected = {
    {{"192.0.2.1 AS65001", "10.0.0.0/8", 0}, "65001 64500|o0|nh 192.0.2.1|c 4259840001|med 10"},
    {{"192.0.2.1 AS65001", "10.1.0.0/16", 0}, "65001 65010 64500|o0|nh 192.0.2.1|c|med 10"},
    {{"2001:db8::2 AS65002", "2001:db8:1::/48", 7}, "65002 64502|o0|nh 2001:db8::2|c"},
    {{"2001:db8::2 AS65002", "2001:db8:1::/48", 8}, "65002 64999 64502|o0|nh 2001:db8::2|c"},
};

std::vector<std::string> FilesUnder(const fs::path& d) {
  std::vector<std::string> out;
  for (auto& e : fs::recursive_directory_iterator(d))
    if (e.is_regular_file()) out.push_back(fs::relative(e.path(), d).string());
  std::sort(out.begin(), out.end());
  return out;
}

TEST(MrtArchive, HoldsTheRoutesFedAndWritesFilesThatReadBackToThem) {
  test_util::ScopedTempDir dir("collect-roundtrip");
  Clock clock;
  MrtArchive a(Options(dir.path, &clock));
  FeedEvents(&a);
  EXPECT_EQ(test::Held(a, kNames), kExpected);
  EXPECT_EQ(a.stats().entries, 4u);
  EXPECT_EQ(a.stats().prefixes, 3u);
  clock.now = kT0 + 60;
  ASSERT_TRUE(a.DumpRib().ok());
  ASSERT_TRUE(a.Close().ok());
  ASSERT_EQ(a.written().size(), 2u);
  EXPECT_EQ(FilesUnder(dir.path),
            (std::vector<std::string>{"2026.12/RIBS/bview.20261207.0141.gz",
                                      "2026.12/UPDATES/updates.20261207.0140.gz"}));
  // The dump alone, and the updates alone from nothing, give the routes.
  const fs::path rib = dir.path / "2026.12/RIBS/bview.20261207.0141.gz";
  const fs::path upd = dir.path / "2026.12/UPDATES/updates.20261207.0140.gz";
  auto from_rib = ReadBack({rib.string()});
  EXPECT_EQ(from_rib.routes, kExpected);
  EXPECT_TRUE(from_rib.problems.empty()) << from_rib.problems.front();
  auto from_updates = ReadBack({upd.string()});
  EXPECT_EQ(from_updates.routes, kExpected);
  EXPECT_EQ(from_updates.session_downs, 1u);
  EXPECT_TRUE(from_updates.problems.empty()) << from_updates.problems.front();
  // `vigia mrt dump` reads them too (when the binary is built).
  if (fs::exists(test_util::Vigia())) {
    int status = 0;
    const std::string out = test_util::RunCommand(
        test_util::Vigia() + " mrt dump " + rib.string() + " " + upd.string() + " 2>&1", &status);
    EXPECT_EQ(test_util::Exit(status), 0) << out;
    EXPECT_NE(out.find("TABLE_DUMP2|"), std::string::npos) << out;
    EXPECT_NE(out.find("|A|"), std::string::npos) << out;
    EXPECT_NE(out.find("STATE|"), std::string::npos) << out;
  }
}

TEST(MrtArchive, OneUpdateRecordPerRunOfOnePeerAndAttributeSet) {
  test_util::ScopedTempDir dir("collect-grouping");
  Clock clock;
  MrtArchive a(Options(dir.path, &clock));
  AddPeers(&a);
  const auto attrs = V4Attrs({65001, 64500}, "192.0.2.1");
  for (int i = 0; i < 600; ++i) {
    a.Announce(R(0, fmt::format("10.{}.{}.0/24", i / 256, i % 256).c_str(), 1), attrs);
  }
  ASSERT_TRUE(a.Close().ok());
  // 600 /24s at 4 octets each fit under 4,096 octets in one UPDATE? No:
  // 2,400 octets of NLRI do; so one record.
  EXPECT_EQ(a.stats().records, 1u);
  auto back = ReadBack(a.written());
  EXPECT_EQ(back.routes.size(), 600u);
  EXPECT_EQ(back.announces, 600u);
}

TEST(MrtArchive, RotatesByIntervalAndNeverOverwritesAFileOfAnEarlierRun) {
  test_util::ScopedTempDir dir("collect-rotate");
  Clock clock;
  {
    MrtArchive a(Options(dir.path, &clock));
    AddPeers(&a);
    a.Announce(R(0, "10.0.0.0/8", 1), V4Attrs({65001}, "192.0.2.1"));
    clock.now = kT0 + 299;
    ASSERT_TRUE(a.Tick().ok());
    EXPECT_EQ(a.stats().update_files, 0u);  // the 01:40 interval is not over
    clock.now = kT0 + 300;
    ASSERT_TRUE(a.Tick().ok());
    EXPECT_EQ(a.stats().update_files, 1u);
    a.Announce(R(0, "10.0.0.0/9", 1), V4Attrs({65001}, "192.0.2.1"));
    ASSERT_TRUE(a.Close().ok());
  }
  {
    // A second run inside the 01:45 interval: its file gets ".1".
    MrtArchive b(Options(dir.path, &clock));
    ASSERT_TRUE(b.Restore(&b).ok());
    b.Announce(R(0, "10.0.0.0/10", 1), V4Attrs({65001}, "192.0.2.1"));
    ASSERT_TRUE(b.Close().ok());
  }
  EXPECT_EQ(FilesUnder(dir.path),
            (std::vector<std::string>{"2026.12/UPDATES/updates.20261207.0140.gz",
                                      "2026.12/UPDATES/updates.20261207.0145.1.gz",
                                      "2026.12/UPDATES/updates.20261207.0145.gz"}));
  ArchiveName n;
  ASSERT_TRUE(ParseArchiveName("updates.20261207.0145.1.gz", &n));
  EXPECT_EQ(n.key, 202612070145u);
  EXPECT_EQ(n.n, 1);
  EXPECT_FALSE(n.rib);
  ASSERT_TRUE(ParseArchiveName("rrc99.bview.20261207.0800.gz", &n));
  EXPECT_TRUE(n.rib);
  EXPECT_FALSE(ParseArchiveName(".updates.20261207.0145.gz", &n));
  EXPECT_FALSE(ParseArchiveName("updates.20261207.0145.gz.tmp", &n));
  EXPECT_FALSE(ParseArchiveName("updates.2026120.0145.gz", &n));
}

TEST(MrtArchive, SnapshotLayoutIsWhatTheSnapshotLoaderReads) {
  test_util::ScopedTempDir dir("collect-snaplayout");
  Clock clock;
  MrtArchive a(Options(dir.path, &clock, ArchiveLayout::kSnapshot));
  FeedEvents(&a);
  ASSERT_TRUE(a.DumpRib().ok());
  ASSERT_TRUE(a.Close().ok());
  EXPECT_EQ(FilesUnder(dir.path), (std::vector<std::string>{"mrt/rrc99.bview.20261207.0140.gz",
                                                            "mrt/rrc99.updates.20261207.0140.gz"}));
}

// Feeds events through a mux into an archive, the way the collector does.
struct Rig {
  explicit Rig(ArchiveOptions o) : archive(std::move(o)), mux({&archive}) {}
  MrtArchive archive;
  MuxSink mux;
};

TEST(MrtArchive, RestartRebuildsTheRibFromTheNewestDumpAndTheUpdatesAfterIt) {
  test_util::ScopedTempDir dir("collect-restore");
  Clock clock;
  Routes before;
  {
    Rig rig(Options(dir.path, &clock));
    ASSERT_TRUE(rig.archive.Restore(rig.mux.Input("restore", MuxSink::InputKind::kRestore)).ok());
    bgp::RouteSink* in = rig.mux.Input("test");
    FeedEvents(in);
    clock.now = kT0 + 120;
    ASSERT_TRUE(rig.archive.DumpRib().ok());  // bview.0142 mid-interval
    clock.now = kT0 + 130;
    in->Announce(R(0, "172.16.0.0/12", 9), V4Attrs({65001, 64777}, "192.0.2.1"));
    in->Withdraw(R(0, "10.0.0.0/8", 0), bgp::WithdrawCause::kWithdrawn);
    clock.now = kT0 + 400;  // the next interval
    ASSERT_TRUE(rig.archive.Tick().ok());
    in->Announce(R(1, "2001:db8:9::/48", 10, 3), V6Attrs({65002, 64888}, "2001:db8::2"));
    ASSERT_TRUE(rig.archive.Close().ok());
    before = test::Held(rig.archive, kNames);
  }
  EXPECT_EQ(before.size(), 5u);
  clock.now = kT0 + 500;
  Rig rig(Options(dir.path, &clock));
  ASSERT_TRUE(rig.archive.Restore(rig.mux.Input("restore", MuxSink::InputKind::kRestore)).ok());
  EXPECT_EQ(rig.archive.stats().restored_files, 3u);  // the bview, updates 0140 and 0145
  std::map<bgp::PeerHandle, std::string> names;
  for (bgp::PeerHandle h = 0; h < rig.mux.peers(); ++h)
    names[h] = rig.mux.peer(h).ip.ToString() + " AS" + std::to_string(rig.mux.peer(h).asn);
  EXPECT_EQ(test::Held(rig.archive, names), before);
  // The next dump is the state, and nothing restored was written again.
  clock.now = kT0 + 600;
  ASSERT_TRUE(rig.archive.DumpRib().ok());
  ASSERT_TRUE(rig.archive.Close().ok());
  ASSERT_EQ(rig.archive.written().size(), 1u);
  EXPECT_EQ(ReadBack(rig.archive.written()).routes, before);
}

TEST(MrtArchive, RestartSurvivesGarbageTruncatedAndTemporaryFiles) {
  test_util::ScopedTempDir dir("collect-hostile");
  Clock clock;
  Routes state;
  std::string updates_file;
  {
    Rig rig(Options(dir.path, &clock));
    ASSERT_TRUE(rig.archive.Restore(rig.mux.Input("restore", MuxSink::InputKind::kRestore)).ok());
    FeedEvents(rig.mux.Input("test"));
    clock.now = kT0 + 60;
    ASSERT_TRUE(rig.archive.DumpRib().ok());
    ASSERT_TRUE(rig.archive.Close().ok());
    state = test::Held(rig.archive, kNames);
    updates_file = rig.archive.written()[1];
  }
  // A newer "dump" of garbage, a newer updates file cut in the middle, a
  // gzip of nonsense, an empty file, and a temporary of a killed run.
  std::mt19937 rng(17);
  auto write = [](const fs::path& p, const std::string& bytes) {
    fs::create_directories(p.parent_path());
    std::ofstream(p, std::ios::binary) << bytes;
  };
  std::string garbage(5000, '\0');
  for (char& c : garbage) c = static_cast<char>(rng());
  const fs::path month = dir.path / "2026.12";
  write(month / "RIBS/bview.20261207.0900.gz", garbage);
  write(month / "RIBS/bview.20261207.0905.gz", "");
  std::ifstream in(updates_file, std::ios::binary);
  std::string whole((std::istreambuf_iterator<char>(in)), {});
  write(month / "UPDATES/updates.20261207.0910.gz", whole.substr(0, whole.size() / 2));
  write(month / "UPDATES/updates.20261207.0915.gz", "\x1f\x8b" + garbage);
  write(dir.path / ".tmp/updates.20261207.0920.gz", whole.substr(0, 40));
  clock.now = kT0 + 10000;
  Rig rig(Options(dir.path, &clock));
  ASSERT_TRUE(rig.archive.Restore(rig.mux.Input("restore", MuxSink::InputKind::kRestore)).ok());
  EXPECT_EQ(rig.archive.stats().removed_tmp, 1u);
  EXPECT_FALSE(fs::exists(dir.path / ".tmp/updates.20261207.0920.gz"));
  EXPECT_GE(rig.archive.stats().restore_problems, 3u);
  std::map<bgp::PeerHandle, std::string> names;
  for (bgp::PeerHandle h = 0; h < rig.mux.peers(); ++h)
    names[h] = rig.mux.peer(h).ip.ToString() + " AS" + std::to_string(rig.mux.peer(h).asn);
  // The good dump, then what can be read of the cut updates file (the first
  // events of the run again) and of the nonsense one (nothing).
  const auto expected = ReadBack({(month / "RIBS/bview.20261207.0141.gz").string(),
                                  (month / "UPDATES/updates.20261207.0910.gz").string()});
  EXPECT_FALSE(expected.problems.empty());
  EXPECT_NE(expected.routes, state);
  EXPECT_EQ(test::Held(rig.archive, names), expected.routes);
  // A restart after that reads the same again: nothing it wrote is damaged.
  ASSERT_TRUE(rig.archive.Close().ok());
  EXPECT_TRUE(rig.archive.written().empty());
}

TEST(MuxSink, GivesEveryInputsPeersCollectorWideHandlesAndClaimsRestoredPeers) {
  test::Recorder out;
  MuxSink mux({&out});
  bgp::RouteSink* restore = mux.Input("restore", MuxSink::InputKind::kRestore);
  bgp::RouteSink* bmp = mux.Input("bmp");
  bgp::RouteSink* bgp = mux.Input("bgp");
  restore->Peer(0, {"vigia", *IpAddress::Parse("192.0.2.1"), 65001, {}});
  restore->Announce(R(0, "10.0.0.0/8", 1), V4Attrs({65001}, "192.0.2.1"));
  restore->Announce(R(0, "10.9.0.0/16", 1), V4Attrs({65001}, "192.0.2.1"));
  // Both inputs use handle 0 for different peers.
  bmp->Peer(0, {"vigia r1 adj-rib-in-pre", *IpAddress::Parse("198.51.100.7"), 65007, {}});
  bgp->Peer(0, {"vigia", *IpAddress::Parse("192.0.2.1"), 65001, {}});  // the restored one, back
  EXPECT_EQ(mux.peers(), 2u);
  EXPECT_EQ(out.session_downs, 1u);  // its old session ended with the collector
  EXPECT_TRUE(out.routes.empty());
  bmp->Announce(R(0, "10.0.0.0/8", 1), V4Attrs({65007}, "198.51.100.7"));
  bgp->Announce(R(0, "10.0.0.0/8", 1), V4Attrs({65001, 1}, "192.0.2.1"));
  EXPECT_EQ(out.routes.size(), 2u);
  const test::Key key{"198.51.100.7 AS65007", "10.0.0.0/8", 0};
  EXPECT_EQ(out.routes[key], "65007|o0|nh 198.51.100.7|c|med 10");
  // An event for a handle never introduced is a problem, not a route.
  bgp->Announce(R(5, "10.0.0.0/8", 1), V4Attrs({65001}, "192.0.2.1"));
  EXPECT_EQ(out.routes.size(), 2u);
  ASSERT_EQ(out.problems.size(), 1u);
  EXPECT_NE(out.problems[0].find("before its Peer()"), std::string::npos);
}

// Not a timed test: the bytes one RIB entry costs at 200 peers x 5,000
// prefixes with shared attribute sets (printed for the closing note).
TEST(MrtArchive, ARibEntryCostsUnderTwelveBytesAtManyPeersPerPrefix) {
  Clock clock;
  ArchiveOptions o;
  o.clock = [&clock] { return clock.now; };
  MrtArchive a(o);  // no out_dir: nothing is written
  constexpr int kPeers = 200, kPrefixes = 5000;
  for (int p = 0; p < kPeers; ++p)
    a.Peer(static_cast<bgp::PeerHandle>(p),
           {"x", IpAddress::V4(0x0A000000u + static_cast<uint32_t>(p)), 65000u + p, {}});
  std::vector<bgp::PathAttributes> sets;
  for (int s = 0; s < 50; ++s) sets.push_back(V4Attrs({65001, 64500u + s}, "192.0.2.1"));
  for (int p = 0; p < kPeers; ++p) {
    for (int i = 0; i < kPrefixes; ++i) {
      bgp::Route r;
      r.peer = static_cast<bgp::PeerHandle>(p);
      r.prefix = Prefix(IpAddress::V4(0x64000000u + (static_cast<uint32_t>(i) << 8)), 24);
      r.attr_set = static_cast<uint64_t>(i % 50);
      r.time = {kT0, 0};
      a.Announce(r, sets[static_cast<size_t>(i % 50)]);
    }
  }
  const double per_entry = static_cast<double>(a.MemoryBytes()) / a.stats().entries;
  std::printf("RIB: %llu entries, %llu bytes, %.2f bytes per entry\n",
              static_cast<unsigned long long>(a.stats().entries),
              static_cast<unsigned long long>(a.MemoryBytes()), per_entry);
  RecordProperty("bytes_per_entry", std::to_string(per_entry));
  EXPECT_EQ(a.stats().entries, uint64_t{kPeers} * kPrefixes);
  EXPECT_LT(per_entry, 12.0);
}

}  // namespace
}  // namespace vigia::collect

namespace vigia::collect {
namespace {

// A probe, not a test (disabled; run with --gtest_also_run_disabled_tests):
// route events per second through the archive with update files written
// (gzip), and the time of a RIB dump, at 100 peers x 20,000 prefixes.
TEST(MrtArchiveProbe, DISABLED_EventsPerSecondAndDumpTime) {
  test_util::ScopedTempDir dir("collect-probe");
  Clock clock;
  MrtArchive a(Options(dir.path, &clock));
  constexpr int kPeers = 100, kPrefixes = 20000;
  for (int p = 0; p < kPeers; ++p)
    a.Peer(static_cast<bgp::PeerHandle>(p),
           {"x", IpAddress::V4(0x0A000000u + static_cast<uint32_t>(p)), 65000u + p, {}});
  std::vector<bgp::PathAttributes> sets;
  for (int s = 0; s < 1000; ++s) sets.push_back(V4Attrs({65001, 3356, 64500u + s}, "192.0.2.1"));
  const auto t0 = std::chrono::steady_clock::now();
  uint64_t set = 0;
  for (int p = 0; p < kPeers; ++p) {
    for (int i = 0; i < kPrefixes; ++i) {
      bgp::Route r;
      r.peer = static_cast<bgp::PeerHandle>(p);
      r.prefix = Prefix(IpAddress::V4(0x64000000u + (static_cast<uint32_t>(i) << 8)), 24);
      if (i % 10 == 0) ++set;  // ten prefixes per UPDATE
      r.attr_set = set;
      r.time = {kT0, 0};
      a.Announce(r, sets[static_cast<size_t>((i / 10) % 1000)]);
    }
  }
  ASSERT_TRUE(a.Tick().ok());
  const double s1 = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  const auto t1 = std::chrono::steady_clock::now();
  ASSERT_TRUE(a.DumpRib().ok());
  const double s2 = std::chrono::duration<double>(std::chrono::steady_clock::now() - t1).count();
  ASSERT_TRUE(a.Close().ok());
  ASSERT_EQ(a.stats().entries, uint64_t{kPeers} * kPrefixes);
  std::printf(
      "archive: %d events in %.2f s = %.0f events/s (update records written), RIB dump of %llu "
      "entries in %.2f s, %.2f B/entry\n",
      kPeers * kPrefixes, s1, kPeers * kPrefixes / s1,
      static_cast<unsigned long long>(a.stats().entries), s2,
      static_cast<double>(a.MemoryBytes()) / a.stats().entries);
}

}  // namespace
}  // namespace vigia::collect
