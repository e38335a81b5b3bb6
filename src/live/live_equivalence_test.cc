// LiveDetector against the batch detectors (detect/detect.h) on the same
// simulated snapshot (`vigia simulate`'s code): its MRT files fed through
// mrt::RouteFeed into the live detector, with every route checked
// (only_watched = false) and min_peers 1, raise the same (type, prefix,
// culprit) set as Detect() reports for hijack, subprefix_hijack,
// rpki_invalid, bogon_prefix and bogon_asn, and the same (culprit,
// receiver) leaks.
//
// Known differences, by design (so excluded from the comparison):
//  - batch "history" hijacks need earlier snapshots in a store; the
//    simulated snapshot has none (and the live detector takes history as
//    baseline only).
//  - irr_unregistered is a registration state, not a live condition.
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <map>
#include <set>
#include <tuple>

#include "detect/detect.h"
#include "live/live_detector.h"
#include "live/live_test_util.h"
#include "mrt/route_feed.h"
#include "sim/snapshot.h"
#include "sim/test_simulation.h"

namespace vigia::live {
namespace {

namespace fs = std::filesystem;

// The feeds of several collectors into one sink, as src/collect's mux does:
// each collector's peer handles moved to a range of their own.
class Offset : public bgp::RouteSink {
 public:
  Offset(bgp::RouteSink* inner, uint32_t base) : inner_(inner), base_(base) {}
  void Peer(bgp::PeerHandle h, const bgp::PeerInfo& info) override {
    inner_->Peer(h + base_, info);
  }
  void Announce(const bgp::Route& r, const bgp::PathAttributes& a) override {
    bgp::Route m = r;
    m.peer += base_;
    inner_->Announce(m, a);
  }
  void Withdraw(const bgp::Route& r, bgp::WithdrawCause c) override {
    bgp::Route m = r;
    m.peer += base_;
    inner_->Withdraw(m, c);
  }
  void SessionDown(bgp::PeerHandle p, bgp::RouteTime t) override {
    inner_->SessionDown(p + base_, t);
  }

 private:
  bgp::RouteSink* inner_;
  uint32_t base_;
};

class Null : public bgp::RouteSink {
 public:
  void Peer(bgp::PeerHandle, const bgp::PeerInfo&) override {}
  void Announce(const bgp::Route&, const bgp::PathAttributes&) override { ++announces; }
  void Withdraw(const bgp::Route&, bgp::WithdrawCause) override {}
  void SessionDown(bgp::PeerHandle, bgp::RouteTime) override {}
  uint64_t announces = 0;
};

// Every MRT file of SNAP/mrt as ObservedRoutes::AddDirectory reads them:
// RIB dumps first, then by name; collector = name up to the first '.'.
void FeedSnapshot(const fs::path& dir, bgp::RouteSink* sink) {
  std::vector<fs::path> files;
  for (const auto& e : fs::directory_iterator(dir / "mrt")) files.push_back(e.path());
  auto is_rib = [](const fs::path& p) {
    const std::string n = p.filename().string();
    return n.find("bview") != std::string::npos || n.find("rib") != std::string::npos;
  };
  std::sort(files.begin(), files.end(), [&](const fs::path& a, const fs::path& b) {
    return is_rib(a) != is_rib(b) ? is_rib(a) : a.filename() < b.filename();
  });
  std::map<std::string, std::unique_ptr<mrt::RouteFeed>> feeds;
  std::map<std::string, std::unique_ptr<Offset>> offsets;
  for (const fs::path& f : files) {
    const std::string name = f.filename().string();
    const std::string collector = name.substr(0, name.find('.'));
    auto& feed = feeds[collector];
    if (!feed) {
      feed = std::make_unique<mrt::RouteFeed>(collector);
      offsets[collector] =
          std::make_unique<Offset>(sink, static_cast<uint32_t>(offsets.size()) << 16);
    }
    ASSERT_TRUE(feed->ReadFile(f.string(), offsets[collector].get()).ok()) << f;
  }
}

using Key = std::tuple<std::string, std::string, Asn>;  // type, prefix or receiver, culprit

std::string Show(const std::set<Key>& s) {
  std::string out;
  for (const auto& [t, p, c] : s) out += fmt::format("\n  {} {} AS{}", t, p, c);
  return out;
}

struct Simulated {
  fs::path dir;
  snapshot::Snapshot snap;
};

void Simulate(uint64_t seed, uint32_t ases, uint32_t prefixes, uint32_t peers, Simulated* out) {
  out->dir =
      fs::temp_directory_path() / fmt::format("vigia_live_eq_{}_{}_{}", getpid(), seed, prefixes);
  auto rep =
      sim::Simulate(sim::test::SmallSimulation(out->dir.string(), ases, prefixes, peers, seed));
  ASSERT_TRUE(rep.ok()) << rep.status().message();
  ASSERT_TRUE(snapshot::LoadSnapshot(out->dir.string(), &out->snap).ok());
}

TEST(LiveEquivalence, SimulatedSnapshotRaisesWhatTheBatchDetectorsReport) {
  size_t compared = 0;
  for (uint64_t seed : {3u, 11u}) {
    Simulated sim;
    Simulate(seed, 400, 3000, 10, &sim);
    if (HasFatalFailure()) return;
    std::set<Key> batch;
    for (const detect::Incident& in : detect::Detect(sim.snap)) {
      if (in.type == detect::kIrrUnregistered || in.kind == "history") continue;
      if (in.type == detect::kRouteLeak) {
        batch.insert({in.type, fmt::format("AS{}", *in.propagator), in.culprit});
        continue;
      }
      for (const Prefix& p : in.prefixes) batch.insert({in.type, p.ToString(), in.culprit});
    }
    LiveRules rules;
    rules.only_watched = false;
    rules.min_peers = 1;
    test::EventLog log;
    LiveDetector d(rules, &sim.snap, &log);
    FeedSnapshot(sim.dir, &d);
    std::set<Key> live;
    for (const LiveEvent& e : log.events) {
      if (e.phase != EventPhase::kRaised) continue;
      const detect::Incident& in = e.incident;
      if (in.type == detect::kRouteLeak) {
        live.insert({in.type, fmt::format("AS{}", *in.propagator), in.culprit});
        continue;
      }
      for (const Prefix& p : in.prefixes) live.insert({in.type, p.ToString(), in.culprit});
    }
    std::set<Key> only_batch, only_live;
    std::set_difference(batch.begin(), batch.end(), live.begin(), live.end(),
                        std::inserter(only_batch, only_batch.end()));
    std::set_difference(live.begin(), live.end(), batch.begin(), batch.end(),
                        std::inserter(only_live, only_live.end()));
    std::map<std::string, size_t> by_type;
    for (const auto& k : batch) ++by_type[std::get<0>(k)];
    std::string types;
    for (const auto& [t, n] : by_type) types += fmt::format(" {}={}", t, n);
    std::cout << "seed " << seed << ": batch " << batch.size() << " (" << types << " ), live "
              << live.size() << ", events " << log.events.size() << "\n";
    EXPECT_TRUE(only_batch.empty()) << "seed " << seed << " batch only:" << Show(only_batch);
    EXPECT_TRUE(only_live.empty()) << "seed " << seed << " live only:" << Show(only_live);
    EXPECT_GT(batch.size(), 5u);
    compared += batch.size();
    // Every raised condition is cleared at most once, and never twice.
    std::map<std::string, int> open;
    for (const LiveEvent& e : log.events) {
      open[e.key] += e.phase == EventPhase::kRaised ? 1 : -1;
      EXPECT_GE(open[e.key], 0) << e.key;
      EXPECT_LE(open[e.key], 1) << e.key;
    }
    fs::remove_all(sim.dir);
  }
  EXPECT_GT(compared, 10u);
}

// Not a test: the rate of Announce on a simulated stream (everything
// checked), for the closing note. Run with --gtest_also_run_disabled_tests.
TEST(LiveEquivalence, DISABLED_AnnounceRate) {
  Simulated sim;
  Simulate(5, 3000, 100'000, 20, &sim);
  if (HasFatalFailure()) return;
  using Clock = std::chrono::steady_clock;
  Null null;
  auto t0 = Clock::now();
  FeedSnapshot(sim.dir, &null);
  const double decode = std::chrono::duration<double>(Clock::now() - t0).count();
  LiveRules rules;
  rules.only_watched = false;
  test::EventLog log;
  LiveDetector d(rules, &sim.snap, &log);
  t0 = Clock::now();
  FeedSnapshot(sim.dir, &d);
  const double both = std::chrono::duration<double>(Clock::now() - t0).count();
  const auto& st = d.stats();
  std::cout << fmt::format(
      "announces {} withdraws {} events {}; decode only {:.2f} s, decode+detect {:.2f} s; "
      "detector alone {:.0f} announces/s; routes {} prefixes {} paths {}\n",
      st.announces, st.withdraws, log.events.size(), decode, both,
      st.announces / std::max(1e-9, both - decode), st.routes, st.prefixes, st.paths);
  fs::remove_all(sim.dir);
}

}  // namespace
}  // namespace vigia::live
