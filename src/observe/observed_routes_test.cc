#include "observe/observed_routes.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>
#include <tuple>

#include "mrt/writer.h"
#include "sim/snapshot.h"

namespace vigia::observe {
namespace {

namespace fs = std::filesystem;

fs::path TempDir(const std::string& name) {
  fs::path p =
      fs::temp_directory_path() / ("vigia_observe_" + name + "_" + std::to_string(getpid()));
  fs::remove_all(p);
  fs::create_directories(p);
  return p;
}

Prefix P(const char* s) { return *Prefix::Parse(s); }
IpAddress Ip(const char* s) { return *IpAddress::Parse(s); }

// An UPDATE from peer 192.0.2.1 AS 64500 (or a withdrawal when path is
// empty) of IPv4 prefixes.
void Update(mrt::MrtWriter* w, uint32_t t, std::vector<Asn> path, std::vector<Prefix> prefixes) {
  mrt::Bgp4mpMessage m;
  m.peer_as = 64500;
  m.local_as = 12654;
  m.afi = bgp::kAfiIpv4;
  m.peer_ip = Ip("192.0.2.1");
  m.local_ip = Ip("198.51.100.1");
  m.as4 = true;
  bgp::Update& u = m.message.update;
  for (const Prefix& p : prefixes) (path.empty() ? u.withdrawn : u.nlri).push_back({p, 0});
  if (!path.empty()) {
    u.attrs.Set(bgp::kAttrOrigin);
    u.attrs.Set(bgp::kAttrAsPath);
    u.attrs.as_path.segments.push_back({bgp::kAsSequence, static_cast<uint16_t>(path.size())});
    u.attrs.as_path.asns = path;
    u.attrs.Set(bgp::kAttrNextHop);
    u.attrs.next_hop = m.peer_ip;
  }
  ASSERT_TRUE(w->WriteBgp4mpUpdate(t, 0, m).ok());
}

// DIR/rc.bview.gz: a RIB at t=1000 where peers 192.0.2.1 (AS 64500) and
// 192.0.2.2 (AS 64501) have 10.0.0.0/8 with paths "6450x 65000".
void WriteTwoPeerRib(const fs::path& dir) {
  auto w = mrt::MrtWriter::Create((dir / "rc.bview.gz").string());
  ASSERT_TRUE(w.ok());
  mrt::PeerIndexTable t;
  t.collector_id = Ip("198.51.100.1");
  t.view_name = "rc";
  t.peers.push_back({2, Ip("192.0.2.1"), Ip("192.0.2.1"), 64500});
  t.peers.push_back({2, Ip("192.0.2.2"), Ip("192.0.2.2"), 64501});
  ASSERT_TRUE((*w)->WritePeerIndexTable(1000, t).ok());
  mrt::Rib rib;
  rib.afi = bgp::kAfiIpv4;
  rib.safi = bgp::kSafiUnicast;
  rib.prefix = P("10.0.0.0/8");
  rib.entries.resize(2);
  rib.entry_count = 2;
  for (uint16_t i = 0; i < 2; ++i) {
    bgp::PathAttributes& a = rib.entries[i].attrs;
    a.Set(bgp::kAttrOrigin);
    a.Set(bgp::kAttrAsPath);
    a.as_path.segments.push_back({bgp::kAsSequence, 2});
    a.as_path.asns = {static_cast<Asn>(64500 + i), 65000};
    a.Set(bgp::kAttrNextHop);
    a.next_hop = t.peers[i].ip;
    rib.entries[i].peer_index = i;
  }
  ASSERT_TRUE((*w)->WriteRib(1000, rib).ok());
  ASSERT_TRUE((*w)->Close().ok());
}

// A RIB at t=1000 where peers 192.0.2.1 (AS 64500) and 192.0.2.2 (AS
// 64501) have 10.0.0.0/8, then updates: a new path, the same path again, a
// withdrawal, a withdrawal of what the peer does not have, a return.
TEST(ObservedRoutes, RibThenUpdatesByHand) {
  const fs::path dir = TempDir("hand");
  ASSERT_NO_FATAL_FAILURE(WriteTwoPeerRib(dir));
  {
    auto w = mrt::MrtWriter::Create((dir / "rc.updates.gz").string());
    ASSERT_TRUE(w.ok());
    Update(w->get(), 2000, {64500, 65001, 65000}, {P("10.0.0.0/8")});
    Update(w->get(), 2500, {64500, 65001, 65000}, {P("10.0.0.0/8")});  // the same again
    Update(w->get(), 3000, {}, {P("10.0.0.0/8")});
    Update(w->get(), 3100, {}, {P("10.0.0.0/8"), P("192.168.0.0/16")});  // nothing to withdraw
    Update(w->get(), 4000, {64500, 65000}, {P("10.0.0.0/8")});
    ASSERT_TRUE((*w)->Close().ok());
  }
  ObservedRoutes r;
  ASSERT_TRUE(r.AddFile((dir / "rc.bview.gz").string(), "rc").ok());
  ASSERT_TRUE(r.AddFile((dir / "rc.updates.gz").string(), "rc").ok());
  r.Finish(9000);
  EXPECT_TRUE(r.problems().empty());
  EXPECT_EQ(r.stats().rib_entries, 2u);
  EXPECT_EQ(r.stats().announcements, 3u);
  EXPECT_EQ(r.stats().withdrawals, 3u);
  EXPECT_EQ(r.stats().unknown_withdrawals, 2u);
  ASSERT_EQ(r.peers().size(), 2u);
  const auto& s = r.sightings();
  ASSERT_EQ(s.size(), 4u);
  auto path = [&](const Sighting& x) {
    auto p = r.paths().Get(x.path);
    return std::vector<Asn>(p.begin(), p.end());
  };
  // Peer 64500: RIB route until 2000, the new path until the withdrawal at
  // 3000, the RIB path again from 4000 to the window end.
  EXPECT_EQ(r.peers()[s[0].peer].asn, 64500u);
  EXPECT_EQ(path(s[0]), (std::vector<Asn>{64500, 65000}));
  EXPECT_EQ(s[0].start, 1000u);
  EXPECT_EQ(s[0].end, 2000u);
  EXPECT_EQ(path(s[1]), (std::vector<Asn>{64500, 65001, 65000}));
  EXPECT_EQ(s[1].start, 2000u);
  EXPECT_EQ(s[1].end, 3000u);
  EXPECT_EQ(s[2].start, 4000u);
  EXPECT_EQ(s[2].end, 9000u);
  EXPECT_EQ(s[2].path, s[0].path);  // one path, stored once
  // Peer 64501 kept its RIB route.
  EXPECT_EQ(r.peers()[s[3].peer].asn, 64501u);
  EXPECT_EQ(s[3].start, 1000u);
  EXPECT_EQ(s[3].end, 9000u);
  EXPECT_EQ(r.paths().Origin(s[3].path), 65000u);
  fs::remove_all(dir);
}

// RFC 4271 §8.2.2: a session leaving Established drops every route the peer
// sent, those from the RIB dump and those from updates alike; a state
// change between other states drops nothing.
TEST(ObservedRoutes, SessionDownEndsThePeersRoutes) {
  const fs::path dir = TempDir("state");
  ASSERT_NO_FATAL_FAILURE(WriteTwoPeerRib(dir));
  auto state = [](mrt::MrtWriter* w, uint32_t t, const char* ip, Asn as, uint16_t from,
                  uint16_t to) {
    mrt::StateChange c;
    c.subtype = static_cast<uint16_t>(mrt::Bgp4mpSubtype::kStateChangeAs4);
    c.peer_as = as;
    c.local_as = 12654;
    c.afi = bgp::kAfiIpv4;
    c.peer_ip = Ip(ip);
    c.local_ip = Ip("198.51.100.1");
    c.old_state = from;
    c.new_state = to;
    ASSERT_TRUE(w->WriteStateChange(t, 0, c).ok());
  };
  {
    auto w = mrt::MrtWriter::Create((dir / "rc.updates.gz").string());
    ASSERT_TRUE(w.ok());
    Update(w->get(), 1500, {64500, 65002}, {P("11.0.0.0/8")});
    state(w->get(), 1800, "192.0.2.2", 64501, 1, 2);            // Idle -> Connect: nothing
    state(w->get(), 2000, "192.0.2.2", 64501, 6, 1);            // Established -> Idle
    state(w->get(), 3000, "192.0.2.1", 64500, 6, 3);            // Established -> Active
    Update(w->get(), 3500, {64500, 65000}, {P("10.0.0.0/8")});  // back up, re-announced
    ASSERT_TRUE((*w)->Close().ok());
  }
  ObservedRoutes r;
  ASSERT_TRUE(r.AddFile((dir / "rc.bview.gz").string(), "rc").ok());
  ASSERT_TRUE(r.AddFile((dir / "rc.updates.gz").string(), "rc").ok());
  r.Finish(9000);
  EXPECT_TRUE(r.problems().empty()) << r.problems()[0];
  EXPECT_EQ(r.stats().sessions_down, 2u);
  std::vector<std::tuple<std::string, Asn, uint32_t, uint32_t>> got;
  for (const auto& x : r.sightings()) {
    got.emplace_back(r.prefixes()[x.prefix].ToString(), r.peers()[x.peer].asn, x.start, x.end);
  }
  std::sort(got.begin(), got.end());
  const std::vector<std::tuple<std::string, Asn, uint32_t, uint32_t>> want = {
      {"10.0.0.0/8", 64500, 1000, 3000},
      {"10.0.0.0/8", 64500, 3500, 9000},
      {"10.0.0.0/8", 64501, 1000, 2000},
      {"11.0.0.0/8", 64500, 1500, 3000},
  };
  EXPECT_EQ(got, want);
  fs::remove_all(dir);
}

TEST(ObservedRoutes, DamagedFileIsReportedAndReadOn) {
  const fs::path dir = TempDir("bad");
  std::ofstream(dir / "junk.mrt", std::ios::binary) << std::string(100, '\x7f');
  ObservedRoutes r;
  EXPECT_TRUE(r.AddFile((dir / "junk.mrt").string(), "x").ok());
  EXPECT_FALSE(r.problems().empty());
  EXPECT_NE(r.problems()[0].find("junk.mrt"), std::string::npos) << r.problems()[0];
  EXPECT_FALSE(r.AddFile((dir / "absent.mrt").string(), "x").ok());
  r.Finish(0);
  EXPECT_TRUE(r.sightings().empty());
  fs::remove_all(dir);
}

// ObservedRoutes is a RouteSink: a feed other than MRT (BMP, a BGP
// session) drives it with the same events. RFC 7606 treat-as-withdraw ends
// the route like a withdrawal and is counted apart; problems are kept.
TEST(ObservedRoutes, FedThroughTheRouteSinkInterface) {
  ObservedRoutes r;
  bgp::RouteSink& sink = r;
  sink.Peer(0, bgp::PeerInfo{"bmp1", Ip("192.0.2.1"), 65001, IpAddress()});
  bgp::PathAttributes a;
  a.Set(bgp::kAttrAsPath);
  a.as_path.segments.push_back({bgp::kAsSequence, 2});
  a.as_path.asns = {65001, 13335};
  bgp::Route route;
  route.peer = 0;
  route.source = bgp::RouteSource::kUpdate;
  route.prefix = P("203.0.113.0/24");
  route.time = {1000, 0};
  route.attr_set = 1;
  sink.Announce(route, a);
  route.time = {2000, 0};
  sink.Withdraw(route, bgp::WithdrawCause::kTreatAsWithdraw);
  sink.Problem(bgp::FeedProblem{bgp::FeedProblem::Kind::kTruncated, "bmp1", 77, "cut"});
  r.Finish(3000);
  ASSERT_EQ(r.sightings().size(), 1u);
  EXPECT_EQ(r.sightings()[0].start, 1000u);
  EXPECT_EQ(r.sightings()[0].end, 2000u);
  EXPECT_EQ(r.paths().Origin(r.sightings()[0].path), 13335u);
  EXPECT_EQ(r.peers()[0].collector, "bmp1");
  EXPECT_EQ(r.stats().announcements, 1u);
  EXPECT_EQ(r.stats().withdrawals, 0u);
  EXPECT_EQ(r.stats().routes_withdrawn, 1u);
  EXPECT_EQ(r.stats().truncated_files, 1u);
  ASSERT_EQ(r.problems().size(), 1u);
  EXPECT_EQ(r.problems()[0], "bmp1: offset 77: cut");
}

// Item 8: a plain MRT file cut inside a record is a counted problem.
TEST(ObservedRoutes, TruncatedFileIsCountedAsAProblem) {
  const fs::path dir = TempDir("cut");
  mrt::MrtWriter w;
  mrt::PeerIndexTable t;
  t.collector_id = IpAddress::V4(1);
  t.peers.push_back({2, IpAddress::V4(2), Ip("192.0.2.2"), 65002});
  ASSERT_TRUE(w.WritePeerIndexTable(1000, t).ok());
  const std::vector<uint8_t>& bytes = w.data();
  std::ofstream(dir / "x.rib", std::ios::binary)
      .write(reinterpret_cast<const char*>(bytes.data()),
             static_cast<std::streamsize>(bytes.size() - 3));
  ObservedRoutes r;
  ASSERT_TRUE(r.AddFile((dir / "x.rib").string(), "x").ok());
  EXPECT_EQ(r.stats().truncated_files, 1u);
  ASSERT_EQ(r.problems().size(), 1u);
  EXPECT_NE(r.problems()[0].find("stream ends inside"), std::string::npos) << r.problems()[0];
  fs::remove_all(dir);
}

int64_t Epoch(const std::string& iso) {
  struct tm tm = {};
  strptime(iso.c_str(), "%Y-%m-%dT%H:%M:%SZ", &tm);
  return timegm(&tm);
}

// On a simulated snapshot: every RIB entry and update is accounted for, and
// each injected incident is seen from (within a minute of) its start to its
// end.
TEST(ObservedRoutes, SimulatedSnapshotMatchesTruth) {
  const fs::path dir = TempDir("sim");
  sim::SimulateOptions o;
  o.out = (dir / "snap").string();
  o.ases = 500;
  o.prefixes = 5000;
  o.peers = 8;
  o.seed = 11;
  auto rep = sim::Simulate(o);
  ASSERT_TRUE(rep.ok()) << rep.status().message();
  ObservedRoutes r;
  ASSERT_TRUE(r.AddDirectory((dir / "snap/mrt").string()).ok());
  const nlohmann::json truth = nlohmann::json::parse(std::ifstream(dir / "snap/truth.json"));
  r.Finish(static_cast<uint32_t>(Epoch(truth["window"]["end"])));
  EXPECT_TRUE(r.problems().empty());
  EXPECT_EQ(r.stats().rib_entries, rep->rib_entries);
  EXPECT_EQ(r.stats().unknown_withdrawals, 0u);
  EXPECT_EQ(r.peers().size(), 2 * rep->peers);  // an IPv4 and an IPv6 session each

  std::map<Prefix, uint32_t> id;
  for (uint32_t i = 0; i < r.prefixes().size(); ++i) id[r.prefixes()[i]] = i;
  size_t checked = 0;
  for (const auto& e : truth["incidents"]) {
    if (e["type"] == "route_leak" || e["type"] == "bogon_asn") continue;
    const Prefix p = P(e["prefixes"][0].get<std::string>().c_str());
    ASSERT_TRUE(id.contains(p)) << e.dump();
    const Asn culprit = e["culprit"];
    uint32_t first = UINT32_MAX, last = 0;
    for (const Sighting& s : r.sightings()) {
      if (s.prefix != id[p] || r.paths().Origin(s.path) != culprit) continue;
      first = std::min(first, s.start);
      last = std::max(last, s.end);
    }
    const int64_t start = Epoch(e["start"]), end = Epoch(e["end"]);
    EXPECT_GE(first, start) << e.dump();
    EXPECT_LT(first, start + 60) << e.dump();
    EXPECT_GE(last, end) << e.dump();
    EXPECT_LT(last, end + 60) << e.dump();
    ++checked;
  }
  EXPECT_GT(checked, 5u);
  fs::remove_all(dir);
}

TEST(ObservedRoutes, BucketsAreSlash8AndSlash16InPrefixOrder) {
  EXPECT_EQ(BucketOf(P("0.0.0.0/0")), 0u);
  EXPECT_EQ(BucketOf(P("10.1.0.0/16")), 10u);
  EXPECT_EQ(BucketOf(P("255.255.255.0/24")), 255u);
  EXPECT_EQ(BucketOf(P("::/0")), 256u);
  EXPECT_EQ(BucketOf(P("2001:db8::/32")), 256u + 0x2001);
  EXPECT_EQ(BucketOf(P("ffff::/16")), kBuckets - 1);
  EXPECT_EQ(BucketName(10), "10.0.0.0/8");
  EXPECT_EQ(BucketName(256 + 0x2a0f), "2a0f::/16");
  // Bucket order is Prefix order.
  std::vector<Prefix> ps = {P("9.255.0.0/16"),   P("10.0.0.0/7"), P("10.0.0.0/8"),
                            P("11.0.0.0/24"),    P("::/0"),       P("2001::/16"),
                            P("2001:ffff::/32"), P("2002::/16")};
  for (size_t i = 1; i < ps.size(); ++i) {
    ASSERT_LT(ps[i - 1], ps[i]);
    EXPECT_LE(BucketOf(ps[i - 1]), BucketOf(ps[i]));
  }
}

TEST(ObservedRoutes, IdsAreInPrefixAndPathOrderWhateverTheInputOrder) {
  const fs::path dir = TempDir("canonical");
  {
    auto w = mrt::MrtWriter::Create((dir / "rc.updates.gz").string());
    ASSERT_TRUE(w.ok());
    Update(w->get(), 2000, {64500, 65009, 65000}, {P("192.168.0.0/16")});
    Update(w->get(), 2001, {64500, 65001, 65000}, {P("10.0.0.0/8"), P("10.1.0.0/16")});
    Update(w->get(), 2002, {64500, 65000}, {P("172.16.0.0/12")});
    ASSERT_TRUE((*w)->Close().ok());
  }
  ObservedRoutes r;
  ASSERT_TRUE(r.AddFile((dir / "rc.updates.gz").string(), "rc").ok());
  r.Finish(9000);
  ASSERT_EQ(r.prefixes().size(), 4u);
  EXPECT_TRUE(std::is_sorted(r.prefixes().begin(), r.prefixes().end()));
  ASSERT_EQ(r.paths().size(), 3u);
  for (uint32_t id = 1; id < r.paths().size(); ++id) {
    EXPECT_TRUE(PathLess(r.paths().Get(id - 1), r.paths().HasSet(id - 1), r.paths().Get(id),
                         r.paths().HasSet(id)));
  }
  // Sightings follow the new ids: by prefix.
  ASSERT_EQ(r.sightings().size(), 4u);
  EXPECT_EQ(r.prefixes()[r.sightings()[0].prefix], P("10.0.0.0/8"));
  EXPECT_EQ(r.paths().Get(r.sightings()[0].path)[1], 65001u);
  EXPECT_EQ(r.prefixes()[r.sightings()[3].prefix], P("192.168.0.0/16"));
  EXPECT_EQ(r.paths().Get(r.sightings()[3].path)[1], 65009u);
  fs::remove_all(dir);
}

// SetFilter and SetBucketRange (which also passes over other buckets' RIB
// records undecoded): the routes read a bucket range at a time are, range
// by range, the routes of one whole read (the bounded-memory analysis
// rests on it).
TEST(ObservedRoutes, FilteredReadsPartitionTheWholeRead) {
  const fs::path dir = TempDir("filter");
  sim::SimulateOptions o;
  o.out = (dir / "snap").string();
  o.ases = 400;
  o.prefixes = 3000;
  o.peers = 6;
  o.seed = 5;
  auto rep = sim::Simulate(o);
  ASSERT_TRUE(rep.ok()) << rep.status().message();
  using Row = std::tuple<Prefix, uint32_t, std::vector<Asn>, uint32_t, uint32_t>;
  auto rows = [](const ObservedRoutes& r) {
    std::vector<Row> out;
    for (const Sighting& s : r.sightings()) {
      auto p = r.paths().Get(s.path);
      out.emplace_back(r.prefixes()[s.prefix], s.peer, std::vector<Asn>(p.begin(), p.end()),
                       s.start, s.end);
    }
    return out;
  };
  for (auto [threads, skip] : {std::pair{1u, false}, {2u, false}, {1u, true}, {2u, true}}) {
    ObservedRoutes whole;
    ASSERT_TRUE(whole.AddDirectory((dir / "snap/mrt").string(), threads).ok());
    whole.Finish(2'000'000'000);
    const std::vector<Row> all = rows(whole);
    ASSERT_GT(all.size(), 10'000u);
    // Cut points inside the IPv4 space, then IPv6.
    const uint32_t cuts[] = {0, 60, 130, 256, 256 + 0x2400, kBuckets};
    std::vector<Row> joined;
    uint64_t rib = 0, announcements = 0, withdrawals = 0;
    for (size_t k = 0; k + 1 < std::size(cuts); ++k) {
      const uint32_t lo = cuts[k], hi = cuts[k + 1];
      ObservedRoutes part;
      if (skip) {
        part.SetBucketRange(lo, hi);
      } else {
        part.SetFilter([lo, hi](const Prefix& p, bgp::RouteSource, bool, uint32_t) {
          return BucketOf(p) >= lo && BucketOf(p) < hi;
        });
      }
      ASSERT_TRUE(part.AddDirectory((dir / "snap/mrt").string(), threads).ok());
      part.Finish(2'000'000'000);
      for (const Prefix& p : part.prefixes()) {
        EXPECT_GE(BucketOf(p), lo);
        EXPECT_LT(BucketOf(p), hi);
      }
      EXPECT_EQ(part.peers().size(), whole.peers().size());
      EXPECT_EQ(part.stats().files, whole.stats().files);
      EXPECT_EQ(part.problems(), whole.problems());
      const std::vector<Row> mine = rows(part);
      joined.insert(joined.end(), mine.begin(), mine.end());
      rib += part.stats().rib_entries;
      announcements += part.stats().announcements;
      withdrawals += part.stats().withdrawals;
    }
    EXPECT_TRUE(joined == all) << threads << " threads, skip " << skip << ": " << joined.size()
                               << " vs " << all.size();
    EXPECT_EQ(rib, whole.stats().rib_entries);
    EXPECT_EQ(announcements, whole.stats().announcements);
    EXPECT_EQ(withdrawals, whole.stats().withdrawals);
  }
  fs::remove_all(dir);
}

}  // namespace
}  // namespace vigia::observe
