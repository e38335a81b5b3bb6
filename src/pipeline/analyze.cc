// pipeline::Analyze: load, history, detect, score, write (pipeline/analyze.h).
#include "pipeline/analyze.h"

#include <fmt/format.h>
#include <malloc.h>

#include <algorithm>
#include <atomic>
#include <bit>
#include <chrono>
#include <filesystem>
#include <iterator>
#include <nlohmann/json.hpp>
#include <set>
#include <thread>
#include <tuple>

#include "core/sha256.h"
#include "core/time_format.h"
#include "detect/detect.h"
#include "pipeline/partition_plan.h"
#include "pipeline/write.h"
#include "snapshot/layout.h"

namespace vigia::pipeline {

namespace {

using Clock = std::chrono::steady_clock;

double Since(Clock::time_point t0) {
  return std::chrono::duration<double>(Clock::now() - t0).count();
}

void Step(const AnalyzeOptions& o, std::string_view step) {
  if (o.progress) o.progress(step);
}

// What an accepted contest names an incident by: it matches the same
// incident in a re-analysis of the same data (incident ids need not).
using IncidentKey = std::tuple<std::string, std::string, Asn, std::vector<std::string>>;

IncidentKey KeyOf(const std::string& type, const std::string& kind, Asn culprit,
                  std::vector<std::string> prefixes) {
  std::sort(prefixes.begin(), prefixes.end());
  return {type, kind, culprit, std::move(prefixes)};
}

// Marks the incidents accepted contests of `date` name (evidence
// "excluded_by_contest": the newest such contest's id) and returns the
// indexes of the others, the incidents that count in the scores.
Result<std::vector<uint32_t>> ApplyAcceptedContests(const std::string& date, store::Store& store,
                                                    std::vector<detect::Incident>* found) {
  store::ContestQuery q;
  q.state = "accepted";
  q.date = date;
  q.limit = 100'000;
  auto accepted = store.ListContests(q);
  if (!accepted.ok()) return accepted.status();
  std::map<IncidentKey, int64_t> by_key;  // newest first: keep the first seen
  for (const store::ContestRow& c : *accepted)
    by_key.emplace(KeyOf(c.type, c.kind, c.culprit, c.prefixes), c.id);
  std::vector<uint32_t> scored;
  scored.reserve(found->size());
  for (uint32_t i = 0; i < found->size(); ++i) {
    detect::Incident& in = (*found)[i];
    if (!by_key.empty()) {
      std::vector<std::string> prefixes;
      for (const Prefix& p : in.prefixes) prefixes.push_back(p.ToString());
      auto it = by_key.find(KeyOf(in.type, in.kind, in.culprit, std::move(prefixes)));
      if (it != by_key.end()) {
        auto ev = nlohmann::ordered_json::parse(in.evidence, nullptr, false);
        if (!ev.is_object()) ev = nlohmann::ordered_json::object();
        ev["excluded_by_contest"] = it->second;
        in.evidence = ev.dump();
        continue;
      }
    }
    scored.push_back(i);
  }
  return scored;
}

// The history of earlier snapshots, for hijack detection.
Status LoadHistory(snapshot::Snapshot& s, store::Store& store, AnalyzeResult* r) {
  const std::string date = IsoTime(s.window_start).substr(0, 10);
  auto known = store.KnownOrigins(date);
  if (!known.ok()) return known.status();
  for (const store::OriginRow& row : *known) {
    if (auto p = Prefix::Parse(row.prefix)) s.history[*p].push_back(row.origin);
  }
  if (known->empty()) {
    r->notes.push_back(
        "history: no earlier snapshot in the store; hijacks are judged on this window alone");
  }
  return Status::Ok();
}

// After detection: accepted contests, scores, the store. seen: the
// routes-seen rows of a partitioned read (else from view).
Result<AnalyzeResult> ScoreAndStore(snapshot::Snapshot& s, const snapshot::Extras& extras,
                                    const std::string& source, const std::string& dir,
                                    store::Store& store, const AnalyzeOptions& o,
                                    Clock::time_point t0, AnalyzeResult r,
                                    const detect::RouteView& view,
                                    std::vector<detect::Incident> found,
                                    const std::vector<store::RouteSeenRow>* seen) {
  const std::string date = IsoTime(s.window_start).substr(0, 10);
  auto scored = ApplyAcceptedContests(date, store, &found);
  if (!scored.ok()) return scored.status();
  r.excluded = found.size() - scored->size();
  r.seconds.detect = Since(t0) - r.seconds.load;
  Step(o, "scoring");
  score::Scoreboard board;
  if (r.excluded == 0) {
    board = score::Score(s, view, found, extras, o.score);
  } else {
    std::vector<detect::Incident> counted;
    counted.reserve(scored->size());
    for (uint32_t i : *scored) counted.push_back(found[i]);
    board = score::Score(s, view, counted, extras, o.score);
    // The board indexes the incidents it was given; the store numbers all.
    for (score::AsScore& a : board.ases) {
      for (uint32_t& i : a.incidents) i = (*scored)[i];
    }
    r.notes.push_back(std::to_string(r.excluded) +
                      " incident(s) left out of the scores by accepted contests");
  }
  for (const score::Note& n : board.notes) r.notes.push_back(n.text);
  r.seconds.score = Since(t0) - r.seconds.load - r.seconds.detect;
  Step(o, "storing");
  store::SnapshotInfo info;
  info.date = date;
  info.window_start = s.window_start;
  info.window_end = s.window_end;
  info.source = source;
  info.partial = s.partial();
  info.missing = s.missing;
  info.dir = dir;
  info.provenance = s.provenance;
  auto w = store.BeginSnapshot(info);
  if (!w.ok()) return w.status();
  if (Status st = WriteSnapshot(w->get(), s, view, found, board, seen); !st.ok()) return st;
  auto committed = (*w)->Commit();
  if (!committed.ok()) return committed.status();
  r.seconds.store = Since(t0) - r.seconds.load - r.seconds.detect - r.seconds.score;

  r.stored = std::move(committed).value();
  r.window_start = s.window_start;
  r.window_end = s.window_end;
  const auto& st = s.routes.stats();
  r.rib_entries = st.rib_entries;
  r.announcements = st.announcements;
  r.withdrawals = st.withdrawals;
  r.prefixes = s.routes.prefixes().size();
  r.incidents = found.size();
  for (const auto& in : found) ++r.incidents_per_type[in.type];
  r.ases = board.ases.size();
  r.aggregates = board.aggregates.size();
  for (const auto& g : board.aggregates) {
    if (g.kind == "group" && g.id == "all") r.all = g;
  }
  r.skipped = s.skipped;
  r.problems = s.problems;
  r.seconds.load_mrt = s.mrt_seconds;
  r.seconds.load_reference = s.reference_seconds;
  r.seconds.total = Since(t0);
  r.peak_rss = std::max(r.peak_rss, PeakRss());
  return r;
}

Result<AnalyzeResult> AnalyzeLoadedAt(snapshot::Snapshot& s, const snapshot::Extras& extras,
                                      const std::string& source, const std::string& dir,
                                      store::Store& store, const AnalyzeOptions& o,
                                      Clock::time_point t0) {
  AnalyzeResult r;
  if (Status st = LoadHistory(s, store, &r); !st.ok()) return st;
  r.seconds.load = Since(t0);
  Step(o, "detecting");
  const detect::RouteView view(s.routes);
  std::vector<detect::Incident> found = detect::Detect(s, view);
  return ScoreAndStore(s, extras, source, dir, store, o, t0, std::move(r), view, std::move(found),
                       nullptr);
}

// The distinct ASNs of every path of a partition, for scoring (who is
// scored): a bitmap below 2^22, a set above.
class AsnSet {
 public:
  AsnSet() : bits_(kDense / 64) {}
  void Add(const observe::PathTable& paths) {
    for (uint32_t id = 0; id < paths.size(); ++id) {
      for (Asn a : paths.Get(id)) {
        if (a < kDense) {
          bits_[a / 64] |= uint64_t{1} << (a % 64);
        } else {
          high_.insert(a);
        }
      }
    }
  }
  std::vector<Asn> Sorted() const {
    std::vector<Asn> all;
    for (size_t w = 0; w < bits_.size(); ++w) {
      for (uint64_t x = bits_[w]; x; x &= x - 1)
        all.push_back(static_cast<Asn>(w * 64 + std::countr_zero(x)));
    }
    all.insert(all.end(), high_.begin(), high_.end());
    return all;
  }

 private:
  static constexpr Asn kDense = Asn{1} << 22;
  std::vector<uint64_t> bits_;
  std::set<Asn> high_;
};

void AtomicMin(std::atomic<uint32_t>& a, uint32_t v) {
  uint32_t cur = a.load(std::memory_order_relaxed);
  while (v < cur && !a.compare_exchange_weak(cur, v, std::memory_order_relaxed)) {
  }
}
void AtomicMax(std::atomic<uint32_t>& a, uint32_t v) {
  uint32_t cur = a.load(std::memory_order_relaxed);
  while (v > cur && !a.compare_exchange_weak(cur, v, std::memory_order_relaxed)) {
  }
}

// What the partitions of one pass leave for the rest of the analysis.
struct PartitionedRoutes {
  std::vector<Prefix> prefixes;
  std::vector<detect::OriginRoute> routes;  // paths and peers left out
  std::vector<store::RouteSeenRow> seen;
  std::vector<Asn> asns;
  observe::ObserveStats stats;  // the per-route counts only
  uint32_t first_start = UINT32_MAX, last_start = 0;
  bool any = false;
  double load_seconds = 0;
  std::vector<AnalyzeResult::Partition> partitions;
};

// Reads and detects partition by partition (AnalyzeOptions::memory).
// window_start: the view's, the whole snapshot's earliest sighting (as
// estimated by the counting read; checked by the caller).
Result<PartitionedRoutes> RunPartitions(const std::string& dir, snapshot::Snapshot& s,
                                        const PartitionPlan& plan, uint32_t window_start,
                                        const AnalyzeOptions& o,
                                        detect::PartitionedDetect* detector) {
  PartitionedRoutes out;
  AsnSet asns;
  uint32_t offset = 0;
  for (size_t k = 0; k < plan.ranges.size(); ++k) {
    const PartitionRange& range = plan.ranges[k];
    const auto pt0 = Clock::now();
    malloc_trim(0);
    ResetPeakRss();
    Step(o, fmt::format("partition {} of {}: reading", k + 1, plan.ranges.size()));
    observe::ObservedRoutes part;
    const uint32_t lo = range.first, hi = range.last;
    part.SetFilter([lo, hi](const Prefix& p, bgp::RouteSource, bool, uint32_t) {
      const uint32_t b = observe::BucketOf(p);
      return b >= lo && b < hi;
    });
    if (lo < hi) {
      if (Status st = snapshot::LoadRoutes(dir, &part, s.mrt_threads); !st.ok()) return st;
    }
    for (const observe::Sighting& x : part.sightings()) {
      out.first_start = std::min(out.first_start, x.start);
      out.last_start = std::max(out.last_start, x.start);
      out.any = true;
    }
    part.Finish(s.window_end);
    out.load_seconds += Since(pt0);
    const observe::ObserveStats& st = part.stats();
    out.stats.rib_entries += st.rib_entries;
    out.stats.announcements += st.announcements;
    out.stats.withdrawals += st.withdrawals;
    out.stats.routes_withdrawn += st.routes_withdrawn;
    out.stats.unknown_withdrawals += st.unknown_withdrawals;
    s.routes = std::move(part);
    Step(o, fmt::format("partition {} of {}: detecting", k + 1, plan.ranges.size()));
    {
      const detect::RouteView view(s.routes, window_start);
      detector->Add(s, view);
      std::vector<store::RouteSeenRow> seen = RoutesSeen(s, view);
      std::move(seen.begin(), seen.end(), std::back_inserter(out.seen));
      for (const detect::OriginRoute& route : view.routes()) {
        detect::OriginRoute lite;
        lite.prefix = route.prefix + offset;
        lite.origin = route.origin;
        lite.first = route.first;
        lite.last = route.last;
        lite.at_start = route.at_start;
        out.routes.push_back(std::move(lite));
      }
    }
    const auto& prefixes = s.routes.prefixes();
    out.prefixes.insert(out.prefixes.end(), prefixes.begin(), prefixes.end());
    offset += static_cast<uint32_t>(prefixes.size());
    asns.Add(s.routes.paths());
    AnalyzeResult::Partition info;
    if (lo < hi) {
      info.first = observe::BucketName(lo);
      info.last = observe::BucketName(hi - 1);
    }
    info.rib = range.rib;
    info.updates = range.updates;
    info.estimate = range.estimate;
    info.prefixes = prefixes.size();
    s.routes = observe::ObservedRoutes();
    info.peak_rss = PeakRss();
    info.seconds = Since(pt0);
    out.partitions.push_back(std::move(info));
  }
  out.asns = asns.Sorted();
  return out;
}

Result<AnalyzeResult> AnalyzePartitioned(const std::string& dir, store::Store& store,
                                         const AnalyzeOptions& o, Clock::time_point t0) {
  if (!detect::PartitionedDetect::Partitionable()) {
    return Status::InvalidArgument(
        "a registered detector reads routes across prefixes: the routes cannot be read a "
        "partition at a time (--memory); run without it");
  }
  Step(o, "counting the routes");
  snapshot::Snapshot s;
  s.mrt_threads = o.score.threads;
  // The counting read: every route event's bucket, and the earliest and
  // latest announcement (the window's data bounds), nothing kept.
  std::vector<std::atomic<uint64_t>> rib(observe::kBuckets), updates(observe::kBuckets);
  std::atomic<uint32_t> first{UINT32_MAX}, last{0};
  s.routes.SetFilter([&](const Prefix& p, bgp::RouteSource src, bool announce, uint32_t t) {
    (src == bgp::RouteSource::kUpdate ? updates : rib)[observe::BucketOf(p)].fetch_add(
        1, std::memory_order_relaxed);
    if (announce) {
      AtomicMin(first, t);
      AtomicMax(last, t);
    }
    return false;
  });
  snapshot::Extras extras;
  std::thread extras_thread([&] { snapshot::LoadExtras(dir, &extras); });
  const Status loaded = snapshot::LoadSnapshot(dir, &s);
  extras_thread.join();
  if (!loaded.ok()) return loaded;
  for (auto& m : extras.skipped) s.skipped.push_back(std::move(m));
  for (auto& m : extras.problems) s.problems.push_back(std::move(m));
  const double counting_seconds = Since(t0);
  // The window from the data when the manifest has none (the loader found
  // no sighting to take it from): as the unpartitioned read would take it.
  const bool any_announce = last.load() >= first.load();
  const bool end_from_data = s.window_end == 0, start_from_data = s.window_start == 0;
  if (end_from_data) s.window_end = any_announce ? last.load() + 1 : 0;
  if (start_from_data) s.window_start = any_announce ? first.load() : 0;
  const observe::ObserveStats counted = s.routes.stats();
  const std::vector<observe::Peer> peers = s.routes.peers();
  const std::vector<std::string> route_problems = s.routes.problems();
  s.routes = observe::ObservedRoutes();

  AnalyzeResult r;
  r.memory_budget = o.memory;
  if (Status st = LoadHistory(s, store, &r); !st.ok()) return st;

  // The plan: what is held whatever the partition (the process, the
  // reference data, the history), plus what the partitions leave (routes,
  // their rows, incidents): about 400 bytes per route, estimated from the
  // RIB entries per peer.
  std::vector<BucketCount> counts(observe::kBuckets);
  uint64_t total_rib = 0, total_updates = 0;
  for (uint32_t b = 0; b < observe::kBuckets; ++b) {
    counts[b] = {rib[b].load(), updates[b].load()};
    total_rib += counts[b].rib;
    total_updates += counts[b].updates;
  }
  const uint64_t routes_estimate =
      total_rib / std::max<size_t>(peers.size(), 1) + total_updates / 10;
  const uint64_t fixed = CurrentRss() + 400 * routes_estimate + (128ull << 20);
  uint64_t budget = o.memory > fixed ? o.memory - fixed : 0;
  if (o.memory > 0 && budget == 0) {
    return Status::InvalidArgument(fmt::format(
        "--memory {} is too small: the reference data, history and process take {} and the "
        "routes' summaries about {} more, before any route is read",
        o.memory_setting, SizeText(CurrentRss()), SizeText(fixed - CurrentRss())));
  }
  if (o.memory == 0) budget = UINT64_MAX;
  auto plan = PlanPartitions(counts, budget, o.partitions, fixed, o.memory_setting);
  if (!plan.ok()) return plan.status();

  uint32_t window_start = any_announce ? first.load() : UINT32_MAX;
  for (int attempt = 0;; ++attempt) {
    detect::PartitionedDetect detector;
    auto parts = RunPartitions(dir, s, *plan, window_start, o, &detector);
    if (!parts.ok()) return parts.status();
    // The counting read's bounds are the announcements'; the sightings'
    // can differ only when an announcement repeats a route (no sighting):
    // then once more with the true ones.
    const uint32_t true_start = parts->any ? parts->first_start : UINT32_MAX;
    const uint32_t true_end = parts->any ? parts->last_start + 1 : 0;
    if (attempt == 0 &&
        (true_start != window_start || (end_from_data && true_end != s.window_end))) {
      window_start = true_start;
      if (end_from_data) s.window_end = true_end;
      if (start_from_data) s.window_start = parts->any ? parts->first_start : 0;
      r.notes.push_back(
          "partitions: the window's bounds differed from the announcements'; read again");
      continue;
    }
    observe::ObserveStats stats = counted;
    stats.rib_entries = parts->stats.rib_entries;
    stats.announcements = parts->stats.announcements;
    stats.withdrawals = parts->stats.withdrawals;
    stats.routes_withdrawn = parts->stats.routes_withdrawn;
    stats.unknown_withdrawals = parts->stats.unknown_withdrawals;
    s.routes.AdoptSummary(std::move(parts->prefixes), peers, stats, route_problems);
    const detect::RouteView view(std::move(parts->routes), s.routes.prefixes().size());
    Step(o, "detecting");
    std::vector<detect::Incident> found = detector.Finish(s, view);
    r.partitions = std::move(parts->partitions);
    for (const auto& p : r.partitions) r.peak_rss = std::max(r.peak_rss, p.peak_rss);
    r.notes.push_back(fmt::format(
        "memory: routes read in {} partition{}{} ({} RIB entries, {} updates); peak resident {}",
        r.partitions.size(), r.partitions.size() == 1 ? "" : "s",
        o.partitions > 0 ? std::string(" (as asked)")
                         : " of at most " + SizeText(plan->budget) + " estimated each",
        total_rib, total_updates, SizeText(r.peak_rss)));
    r.seconds.load = counting_seconds + parts->load_seconds;
    AnalyzeOptions scored = o;
    scored.score.observed_asns = &parts->asns;
    const std::string manifest = (std::filesystem::path(dir) / snapshot::kManifestFile).string();
    auto sum = Sha256File(manifest);
    std::error_code ec;
    const auto abs = std::filesystem::absolute(dir, ec);
    const std::string source =
        sum.ok() ? "manifest sha256:" + *sum : "dir:" + (ec ? dir : abs.string());
    auto result =
        ScoreAndStore(s, extras, source, ec ? dir : abs.lexically_normal().string(), store, scored,
                      t0, std::move(r), view, std::move(found), &parts->seen);
    if (result.ok()) {
      result->seconds.load_mrt = s.mrt_seconds;
      result->seconds.load_reference = s.reference_seconds;
    }
    return result;
  }
}

}  // namespace

Result<AnalyzeResult> AnalyzeLoaded(snapshot::Snapshot& s, const snapshot::Extras& extras,
                                    const std::string& source, store::Store& store,
                                    const AnalyzeOptions& o) {
  return AnalyzeLoadedAt(s, extras, source, "", store, o, Clock::now());
}

Result<AnalyzeResult> Analyze(const std::string& dir, store::Store& store,
                              const AnalyzeOptions& o) {
  const auto t0 = Clock::now();
  if (o.memory > 0 || o.partitions > 0) return AnalyzePartitioned(dir, store, o, t0);
  Step(o, "loading the snapshot");
  snapshot::Snapshot s;
  // MRT decoding on as many threads as validation (0: one per core).
  s.mrt_threads = o.score.threads;
  snapshot::Extras extras;  // PeeringDB and extra/, read meanwhile
  std::thread extras_thread([&] { snapshot::LoadExtras(dir, &extras); });
  const Status loaded = snapshot::LoadSnapshot(dir, &s);
  extras_thread.join();
  if (!loaded.ok()) return loaded;
  for (auto& m : extras.skipped) s.skipped.push_back(std::move(m));
  for (auto& m : extras.problems) s.problems.push_back(std::move(m));
  const std::string manifest = (std::filesystem::path(dir) / snapshot::kManifestFile).string();
  auto sum = Sha256File(manifest);
  std::error_code ec;
  const auto abs = std::filesystem::absolute(dir, ec);
  const std::string source =
      sum.ok() ? "manifest sha256:" + *sum : "dir:" + (ec ? dir : abs.string());
  return AnalyzeLoadedAt(s, extras, source, ec ? dir : abs.lexically_normal().string(), store, o,
                         t0);
}

Result<AnalyzeResult> Reanalyze(const std::string& date, store::Store& store,
                                const AnalyzeOptions& o) {
  auto snaps = store.Snapshots();  // newest first
  if (!snaps.ok()) return snaps.status();
  for (const store::SnapshotInfo& i : *snaps) {
    if (i.date == date && !i.dir.empty()) return Analyze(i.dir, store, o);
  }
  return Status::NotFound("no snapshot of " + date +
                          " records the directory it was analysed from; run vigia analyze on it");
}

}  // namespace vigia::pipeline
