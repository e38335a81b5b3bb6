// pipeline::Analyze: load, history, detect, score, write (pipeline/analyze.h).
#include "pipeline/analyze.h"

#include <fmt/format.h>
#include <malloc.h>

#include <algorithm>
#include <atomic>
#include <bit>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <thread>
#include <tuple>

#include "archive/route_archive.h"
#include "core/sha256.h"
#include "core/time_format.h"
#include "detect/detect.h"
#include "pipeline/partition_plan.h"
#include "pipeline/write.h"
#include "snapshot/layout.h"
#include "snapshot/provenance.h"

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
//
// With `buckets` (a --memory run without a fixed count) the plan adapts:
// before each partition the buckets still to read are planned again
// against what is left of o.memory once what is resident now (the
// reference data and what the earlier partitions left) is counted, the
// model's estimate scaled by how far the partitions so far went over it.
Result<PartitionedRoutes> RunPartitions(const std::string& dir, snapshot::Snapshot& s,
                                        PartitionPlan plan, uint32_t window_start,
                                        const AnalyzeOptions& o,
                                        detect::PartitionedDetect* detector,
                                        archive::RouteArchive* archive = nullptr,
                                        const std::vector<BucketCount>* buckets = nullptr) {
  PartitionedRoutes out;
  AsnSet asns;
  uint32_t offset = 0;
  double factor = 1.5;  // measured / estimated, at least; raised as partitions show
  for (size_t k = 0; k < plan.ranges.size(); ++k) {
    malloc_trim(0);
    if (buckets && o.memory > 0) {
      // What is left for this partition: the setting less what is resident
      // now and 64 MiB for what this partition leaves behind.
      const uint64_t base = CurrentRss() + (64ull << 20);
      const uint64_t avail = o.memory > base ? o.memory - base : 0;
      const std::vector<BucketCount> rest(buckets->begin() + plan.ranges[k].first, buckets->end());
      auto again = PlanPartitions(rest, static_cast<uint64_t>(avail / factor), 0, base,
                                  o.memory_setting, plan.ranges[k].first);
      if (!again.ok()) {
        size_t largest = 0;
        uint64_t need = 0;
        for (size_t b = 0; b < rest.size(); ++b) {
          const uint64_t e = rest[b].rib * kBytesPerRibEntry + rest[b].updates * kBytesPerUpdate;
          if (e > need) need = e, largest = b;
        }
        const uint64_t scaled = static_cast<uint64_t>(need * factor);
        return Status::InvalidArgument(fmt::format(
            "--memory {} is too small: after {} partition{}, {} is resident (reference data, "
            "history and the routes' summaries so far) and bucket {} needs about {} more ({} "
            "estimated x {:.2f}, the ratio measured so far); at least {} is needed",
            o.memory_setting, k, k == 1 ? "" : "s", SizeText(base),
            observe::BucketName(static_cast<uint32_t>(largest) + plan.ranges[k].first),
            SizeText(scaled), SizeText(need), factor, SizeText(base + scaled)));
      }
      plan.ranges.resize(k);
      const uint32_t shift = plan.ranges.empty() ? 0 : plan.ranges.back().last;
      for (PartitionRange r : again->ranges) {
        r.first += shift;
        r.last += shift;
        plan.ranges.push_back(r);
      }
    }
    const PartitionRange& range = plan.ranges[k];
    const auto pt0 = Clock::now();
    const uint64_t resident = CurrentRss();
    ResetPeakRss();
    Step(o, fmt::format("partition {} of {}: reading", k + 1, plan.ranges.size()));
    observe::ObservedRoutes part;
    const uint32_t lo = range.first, hi = range.last;
    part.SetBucketRange(lo, hi);
    part.ReserveSightings(range.rib + range.updates);
    if (lo < hi) {
      if (Status st = snapshot::LoadRoutes(dir, &part, s.mrt_threads); !st.ok()) return st;
    }
    for (const observe::Sighting& x : part.sightings()) {
      out.first_start = std::min(out.first_start, x.start);
      out.last_start = std::max(out.last_start, x.start);
      out.any = true;
    }
    part.Finish(s.window_end);
    if (archive) {
      Step(o, fmt::format("partition {} of {}: archiving", k + 1, plan.ranges.size()));
      if (Status st = archive->Add(part, IsoTime(s.window_start).substr(0, 10)); !st.ok()) {
        return Status(st.code(), archive->name() + ": " + st.message());
      }
    }
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
    if (range.estimate > (16ull << 20) && info.peak_rss > resident) {
      factor = std::max(factor, double(info.peak_rss - resident) / double(range.estimate));
    }
    out.partitions.push_back(std::move(info));
  }
  out.asns = asns.Sorted();
  return out;
}

// What the counting read (or, for --merge, the partial files) gives the
// partitioned analysis: the snapshot with its reference data and no routes,
// the window, the per-file stats, peers and problems of the routes.
struct Counted {
  snapshot::Snapshot s;
  snapshot::Extras extras;
  std::string source, dir;  // as stored
  std::vector<BucketCount> buckets;
  uint64_t rib = 0, updates = 0;
  bool any_announce = false;
  uint32_t first_announce = UINT32_MAX, last_announce = 0;
  bool end_from_data = false, start_from_data = false;
  observe::ObserveStats stats;  // per file: files, records skipped, sessions down...
  std::vector<observe::Peer> peers;
  std::vector<std::string> route_problems;
  double seconds = 0;
};

// The snapshot's source and directory as Analyze() stores them.
void SourceOf(const std::string& dir, Counted* c) {
  const std::string manifest = (std::filesystem::path(dir) / snapshot::kManifestFile).string();
  auto sum = Sha256File(manifest);
  std::error_code ec;
  const auto abs = std::filesystem::absolute(dir, ec);
  c->source = sum.ok() ? "manifest sha256:" + *sum : "dir:" + (ec ? dir : abs.string());
  c->dir = ec ? dir : abs.lexically_normal().string();
}

// The reference data and, unless `count` is false, a counting read of the
// MRT files: every route event's bucket and the earliest and latest
// announcement (the window's data bounds), no route kept.
Status LoadCounted(const std::string& dir, const AnalyzeOptions& o, bool count, Counted* c,
                   Clock::time_point t0) {
  snapshot::Snapshot& s = c->s;
  s.mrt_threads = o.score.threads;
  s.skip_routes = !count;
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
  std::thread extras_thread([&] { snapshot::LoadExtras(dir, &c->extras); });
  const Status loaded = snapshot::LoadSnapshot(dir, &s);
  extras_thread.join();
  if (!loaded.ok()) return loaded;
  c->route_problems = s.routes.problems();
  for (auto& m : c->extras.skipped) s.skipped.push_back(std::move(m));
  for (auto& m : c->extras.problems) s.problems.push_back(std::move(m));
  c->seconds = Since(t0);
  c->buckets.resize(observe::kBuckets);
  for (uint32_t b = 0; b < observe::kBuckets; ++b) {
    c->buckets[b] = {rib[b].load(), updates[b].load()};
    c->rib += c->buckets[b].rib;
    c->updates += c->buckets[b].updates;
  }
  c->first_announce = first.load();
  c->last_announce = last.load();
  c->any_announce = c->last_announce >= c->first_announce;
  // The window from the data when the manifest has none (the loader found
  // no sighting to take it from): as the unpartitioned read would take it.
  c->end_from_data = s.window_end == 0;
  c->start_from_data = s.window_start == 0;
  if (count) {
    if (c->end_from_data) s.window_end = c->any_announce ? c->last_announce + 1 : 0;
    if (c->start_from_data) {
      s.window_start = c->any_announce ? c->first_announce : 0;
      s.provenance = snapshot::ProvenanceJson(nullptr, IsoTime(s.window_start).substr(0, 10));
    }
  }
  c->stats = s.routes.stats();
  c->peers = s.routes.peers();
  s.routes = observe::ObservedRoutes();
  SourceOf(dir, c);
  return Status::Ok();
}

// The plan: what is held whatever the partition (the process, the
// reference data, the history), plus what the partitions leave (routes,
// their rows, incidents): about 400 bytes per route. Routes are estimated
// from the RIB entries per peer: a peer session carries one family, and
// collectors have about as many IPv4 as IPv6 sessions, so a prefix is in
// about half the sessions' tables (updates add few prefixes).
Result<PartitionPlan> Plan(const Counted& c, const AnalyzeOptions& o, uint32_t count) {
  const uint64_t routes_estimate = 2 * c.rib / std::max<size_t>(c.peers.size(), 1);
  const uint64_t fixed = CurrentRss() + 400 * routes_estimate + (128ull << 20);
  uint64_t budget = o.memory > fixed ? o.memory - fixed : 0;
  if (o.memory > 0 && budget == 0) {
    return Status::InvalidArgument(fmt::format(
        "--memory {} is too small: the reference data, history and process take {} and the "
        "routes' summaries about {} more, before any route is read",
        o.memory_setting, SizeText(CurrentRss()), SizeText(fixed - CurrentRss())));
  }
  if (o.memory == 0) budget = UINT64_MAX;
  return PlanPartitions(c.buckets, budget, count, fixed, o.memory_setting);
}

// The whole snapshot from its partitions (in order), then scores and the
// store. window_start: the view's, used by every partition.
Result<AnalyzeResult> FinishPartitioned(Counted& c, AnalyzeResult r,
                                        std::vector<PartitionedRoutes> parts,
                                        detect::PartitionedDetect& detector, store::Store& store,
                                        const AnalyzeOptions& o, Clock::time_point t0,
                                        const std::string& planned) {
  snapshot::Snapshot& s = c.s;
  observe::ObserveStats stats = c.stats;
  std::vector<Prefix> prefixes;
  std::vector<detect::OriginRoute> routes;
  std::vector<store::RouteSeenRow> seen;
  std::vector<Asn> asns;
  double load = c.seconds;
  for (PartitionedRoutes& p : parts) {
    stats.rib_entries += p.stats.rib_entries;
    stats.announcements += p.stats.announcements;
    stats.withdrawals += p.stats.withdrawals;
    stats.routes_withdrawn += p.stats.routes_withdrawn;
    stats.unknown_withdrawals += p.stats.unknown_withdrawals;
    const uint32_t offset = static_cast<uint32_t>(prefixes.size());
    prefixes.insert(prefixes.end(), p.prefixes.begin(), p.prefixes.end());
    for (detect::OriginRoute& route : p.routes) {
      route.prefix += offset;
      routes.push_back(std::move(route));
    }
    std::move(p.seen.begin(), p.seen.end(), std::back_inserter(seen));
    std::vector<Asn> both;
    std::set_union(asns.begin(), asns.end(), p.asns.begin(), p.asns.end(),
                   std::back_inserter(both));
    asns = std::move(both);
    if (!s.skip_routes) load += p.load_seconds;  // --merge: the partitions ran elsewhere
    for (auto& info : p.partitions) {
      r.peak_rss = std::max(r.peak_rss, info.peak_rss);
      r.partitions.push_back(std::move(info));
    }
    p = PartitionedRoutes();
  }
  s.routes.AdoptSummary(std::move(prefixes), c.peers, stats, c.route_problems);
  if (s.skip_routes) {
    // --merge: the routes' problems were not read here; where the loader
    // puts them (after the reference data's, before the extras').
    s.problems.insert(s.problems.end() - static_cast<std::ptrdiff_t>(c.extras.problems.size()),
                      c.route_problems.begin(), c.route_problems.end());
  }
  const detect::RouteView view(std::move(routes), s.routes.prefixes().size());
  Step(o, "detecting");
  std::vector<detect::Incident> found = detector.Finish(s, view);
  r.notes.push_back(fmt::format(
      "memory: routes read in {} partition{}{} ({} RIB entries, {} updates); peak resident {}",
      r.partitions.size(), r.partitions.size() == 1 ? "" : "s", planned, c.rib, c.updates,
      SizeText(r.peak_rss)));
  r.seconds.load = load;
  AnalyzeOptions scored = o;
  scored.score.observed_asns = &asns;
  auto result = ScoreAndStore(s, c.extras, c.source, c.dir, store, scored, t0, std::move(r), view,
                              std::move(found), &seen);
  if (result.ok()) {
    result->seconds.load_mrt = s.mrt_seconds;
    result->seconds.load_reference = s.reference_seconds;
  }
  return result;
}

Result<AnalyzeResult> AnalyzePartitioned(const std::string& dir, store::Store& store,
                                         const AnalyzeOptions& o, Clock::time_point t0) {
  if (!detect::PartitionedDetect::Partitionable()) {
    return Status::InvalidArgument(
        "a registered detector reads routes across prefixes: the routes cannot be read a "
        "partition at a time (--memory); run without it");
  }
  Step(o, "counting the routes");
  Counted c;
  if (Status st = LoadCounted(dir, o, true, &c, t0); !st.ok()) return st;
  AnalyzeResult r;
  r.memory_budget = o.memory;
  if (Status st = LoadHistory(c.s, store, &r); !st.ok()) return st;
  auto plan = Plan(c, o, o.partitions);
  if (!plan.ok()) return plan.status();
  uint32_t window_start = c.any_announce ? c.first_announce : UINT32_MAX;
  for (int attempt = 0;; ++attempt) {
    detect::PartitionedDetect detector;
    std::optional<archive::RouteArchive> archived;  // a new load per attempt
    if (!o.archive.empty()) {
      auto opened = archive::RouteArchive::Open(o.archive);
      if (!opened.ok()) return opened.status();
      archived.emplace(std::move(opened).value());
    }
    auto parts =
        RunPartitions(dir, c.s, *plan, window_start, o, &detector, archived ? &*archived : nullptr,
                      o.partitions == 0 ? &c.buckets : nullptr);
    if (!parts.ok()) return parts.status();
    // The counting read's bounds are the announcements'; the sightings'
    // can differ only when an announcement repeats a route (no sighting):
    // then once more with the true ones.
    const uint32_t true_start = parts->any ? parts->first_start : UINT32_MAX;
    const uint32_t true_end = parts->any ? parts->last_start + 1 : 0;
    if (attempt == 0 &&
        (true_start != window_start || (c.end_from_data && true_end != c.s.window_end))) {
      window_start = true_start;
      if (c.end_from_data) c.s.window_end = true_end;
      if (c.start_from_data) c.s.window_start = parts->any ? parts->first_start : 0;
      r.notes.push_back(
          "partitions: the window's bounds differed from the announcements'; read again");
      continue;
    }
    if (archived) {
      if (Status st = archived->Commit(); !st.ok()) {
        return Status(st.code(), archived->name() + ": " + st.message());
      }
    }
    std::vector<PartitionedRoutes> all;
    all.push_back(std::move(parts).value());
    const std::string planned = o.partitions > 0
                                    ? std::string(" (as asked)")
                                    : " of at most " + SizeText(plan->budget) + " estimated each";
    return FinishPartitioned(c, std::move(r), std::move(all), detector, store, o, t0, planned);
  }
}

// Partial files (`vigia analyze --partition i/N`, docs/scale.md).
constexpr const char* kPartialFormat = "vigia-partial-1";

std::string PartialPath(const std::string& partials, uint32_t i, uint32_t n) {
  return (std::filesystem::path(partials) / fmt::format("partial-{}-of-{}.json", i, n)).string();
}

nlohmann::json StatsJson(const observe::ObserveStats& st) {
  return {st.files,
          st.rib_entries,
          st.announcements,
          st.withdrawals,
          st.records_skipped,
          st.truncated_files,
          st.attributes_discarded,
          st.routes_withdrawn,
          st.unknown_withdrawals,
          st.sessions_down};
}

observe::ObserveStats StatsFromJson(const nlohmann::json& j) {
  observe::ObserveStats st;
  uint64_t* f[] = {&st.files,
                   &st.rib_entries,
                   &st.announcements,
                   &st.withdrawals,
                   &st.records_skipped,
                   &st.truncated_files,
                   &st.attributes_discarded,
                   &st.routes_withdrawn,
                   &st.unknown_withdrawals,
                   &st.sessions_down};
  for (size_t k = 0; k < std::size(f) && k < j.size(); ++k) *f[k] = j.at(k).get<uint64_t>();
  return st;
}

}  // namespace

Result<std::string> AnalyzePartition(const std::string& dir, store::Store& store,
                                     const AnalyzeOptions& o) {
  const auto t0 = Clock::now();
  const uint32_t i = o.partition_index, n = o.partition_count;
  if (n == 0 || i == 0 || i > n) {
    return Status::InvalidArgument(
        fmt::format("--partition {}/{}: want I/N with 1 <= I <= N", i, n));
  }
  if (o.partials.empty()) return Status::InvalidArgument("--partition needs --partials DIR");
  if (!o.archive.empty()) {
    return Status::InvalidArgument(
        "--archive with --partition is not supported yet (each process would open its own load "
        "of the day); archive with --memory in one process");
  }
  if (!detect::PartitionedDetect::Partitionable()) {
    return Status::InvalidArgument("a registered detector reads routes across prefixes");
  }
  Step(o, "counting the routes");
  Counted c;
  if (Status st = LoadCounted(dir, o, true, &c, t0); !st.ok()) return st;
  AnalyzeResult r;
  if (Status st = LoadHistory(c.s, store, &r); !st.ok()) return st;
  // Every process counts the same files, so all make the same plan.
  auto plan = Plan(c, AnalyzeOptions{}, n);
  if (!plan.ok()) return plan.status();
  PartitionPlan mine;
  mine.budget = plan->budget;
  mine.ranges = {plan->ranges[i - 1]};
  const uint32_t window_start = c.any_announce ? c.first_announce : UINT32_MAX;
  detect::PartitionedDetect detector;
  auto parts = RunPartitions(dir, c.s, mine, window_start, o, &detector);
  if (!parts.ok()) return parts.status();
  nlohmann::json j;
  j["format"] = kPartialFormat;
  j["index"] = i;
  j["count"] = n;
  j["source"] = c.source;
  j["window"] = {c.s.window_start, c.s.window_end, window_start};
  j["from_data"] = {c.start_from_data, c.end_from_data};
  j["bounds"] = {parts->any, parts->first_start, parts->last_start};
  j["counted"] = {c.rib, c.updates};
  j["stats"] = StatsJson(c.stats);
  j["route_stats"] = StatsJson(parts->stats);
  nlohmann::json peers = nlohmann::json::array();
  for (const observe::Peer& p : c.peers) peers.push_back({p.collector, p.ip.ToString(), p.asn});
  j["peers"] = std::move(peers);
  j["route_problems"] = c.route_problems;
  nlohmann::json prefixes = nlohmann::json::array(), routes = nlohmann::json::array(),
                 seen = nlohmann::json::array();
  for (const Prefix& p : parts->prefixes) prefixes.push_back(p.ToString());
  for (const detect::OriginRoute& o2 : parts->routes)
    routes.push_back({o2.prefix, o2.origin, o2.first, o2.last, o2.at_start});
  for (const store::RouteSeenRow& row : parts->seen)
    seen.push_back(
        {row.prefix, row.origin, row.peers, row.collectors, row.path, row.first, row.last});
  j["prefixes"] = std::move(prefixes);
  j["routes"] = std::move(routes);
  j["seen"] = std::move(seen);
  j["asns"] = parts->asns;
  const auto& info = parts->partitions.front();
  j["partition"] = {info.first,    info.last,     info.rib,      info.updates,
                    info.estimate, info.peak_rss, info.prefixes, info.seconds};
  j["load_seconds"] = parts->load_seconds;
  j["detect"] = detector.Save();
  std::error_code ec;
  std::filesystem::create_directories(o.partials, ec);
  const std::string path = PartialPath(o.partials, i, n);
  const std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    out << j.dump();
    if (!out.flush()) return Status::IoError(tmp + ": cannot write");
  }
  std::filesystem::rename(tmp, path, ec);
  if (ec) return Status::IoError(path + ": " + ec.message());
  return path;
}

Result<AnalyzeResult> AnalyzeMerge(const std::string& dir, store::Store& store,
                                   const AnalyzeOptions& o) {
  const auto t0 = Clock::now();
  if (o.partials.empty()) return Status::InvalidArgument("--merge needs --partials DIR");
  // The partial files: all N of one N, of this snapshot.
  namespace fs = std::filesystem;
  uint32_t n = 0;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(o.partials, ec)) {
    unsigned a = 0, b = 0;
    if (std::sscanf(e.path().filename().c_str(), "partial-%u-of-%u.json", &a, &b) == 2 &&
        e.path().extension() == ".json") {
      if (n != 0 && b != n) {
        return Status::InvalidArgument(fmt::format(
            "{}: partial files of {} and of {} partitions; keep one set", o.partials, n, b));
      }
      n = b;
    }
  }
  if (ec) {
    return Status::NotFound(o.partials +
                            ": no partial file (partial-I-of-N.json): " + ec.message());
  }
  if (n == 0) return Status::NotFound(o.partials + ": no partial file (partial-I-of-N.json)");
  Step(o, "loading the reference data");
  Counted c;
  if (Status st = LoadCounted(dir, o, false, &c, t0); !st.ok()) return st;
  AnalyzeResult r;
  std::vector<PartitionedRoutes> parts;
  detect::PartitionedDetect detector;
  uint32_t view_start = 0;
  bool any = false;
  uint32_t first_start = UINT32_MAX, last_start = 0;
  for (uint32_t i = 1; i <= n; ++i) {
    const std::string path = PartialPath(o.partials, i, n);
    std::ifstream in(path, std::ios::binary);
    if (!in) {
      return Status::NotFound(
          fmt::format("{}: missing; run vigia analyze --partition {}/{}", path, i, n));
    }
    const nlohmann::json j = nlohmann::json::parse(in, nullptr, false);
    try {
      if (!j.is_object() || j.value("format", "") != kPartialFormat)
        return Status::InvalidArgument(path + ": not a partial file of this version");
      if (j.at("source").get<std::string>() != c.source) {
        return Status::InvalidArgument(
            fmt::format("{}: written from {}, not from this snapshot ({})", path,
                        j.at("source").get<std::string>(), c.source));
      }
      if (i == 1) {
        c.s.window_start = j.at("window").at(0).get<uint32_t>();
        c.s.window_end = j.at("window").at(1).get<uint32_t>();
        view_start = j.at("window").at(2).get<uint32_t>();
        c.start_from_data = j.at("from_data").at(0).get<bool>();
        c.end_from_data = j.at("from_data").at(1).get<bool>();
        c.rib = j.at("counted").at(0).get<uint64_t>();
        c.updates = j.at("counted").at(1).get<uint64_t>();
        c.stats = StatsFromJson(j.at("stats"));
        c.peers.clear();
        for (const auto& p : j.at("peers")) {
          c.peers.push_back({p.at(0).get<std::string>(),
                             IpAddress::Parse(p.at(1).get<std::string>()).value_or(IpAddress()),
                             p.at(2).get<Asn>()});
        }
        c.route_problems = j.at("route_problems").get<std::vector<std::string>>();
        if (c.start_from_data) {
          c.s.provenance =
              snapshot::ProvenanceJson(nullptr, IsoTime(c.s.window_start).substr(0, 10));
        }
      } else if (j.at("window").at(2).get<uint32_t>() != view_start) {
        return Status::InvalidArgument(path + ": another window than partial 1's");
      }
      if (j.at("bounds").at(0).get<bool>()) {
        any = true;
        first_start = std::min(first_start, j.at("bounds").at(1).get<uint32_t>());
        last_start = std::max(last_start, j.at("bounds").at(2).get<uint32_t>());
      }
      PartitionedRoutes p;
      p.stats = StatsFromJson(j.at("route_stats"));
      for (const auto& x : j.at("prefixes")) {
        if (auto prefix = Prefix::Parse(x.get<std::string>())) p.prefixes.push_back(*prefix);
      }
      for (const auto& x : j.at("routes")) {
        detect::OriginRoute route;
        route.prefix = x.at(0).get<uint32_t>();
        if (route.prefix >= p.prefixes.size() ||
            (!p.routes.empty() && route.prefix < p.routes.back().prefix)) {
          return Status::InvalidArgument(path + ": a route of an unknown prefix or out of order");
        }
        route.origin = x.at(1).get<Asn>();
        route.first = x.at(2).get<uint32_t>();
        route.last = x.at(3).get<uint32_t>();
        route.at_start = x.at(4).get<bool>();
        p.routes.push_back(std::move(route));
      }
      for (const auto& x : j.at("seen")) {
        store::RouteSeenRow row;
        row.prefix = x.at(0).get<std::string>();
        row.origin = x.at(1).get<Asn>();
        row.peers = x.at(2).get<int64_t>();
        row.collectors = x.at(3).get<std::vector<std::string>>();
        row.path = x.at(4).get<std::string>();
        row.first = x.at(5).get<int64_t>();
        row.last = x.at(6).get<int64_t>();
        p.seen.push_back(std::move(row));
      }
      p.asns = j.at("asns").get<std::vector<Asn>>();
      if (!std::is_sorted(p.asns.begin(), p.asns.end()) ||
          !std::is_sorted(p.prefixes.begin(), p.prefixes.end()) ||
          p.prefixes.size() != j.at("prefixes").size()) {
        return Status::InvalidArgument(path + ": prefixes or ASNs not in order, or unreadable");
      }
      const auto& info = j.at("partition");
      AnalyzeResult::Partition part;
      part.first = info.at(0).get<std::string>();
      part.last = info.at(1).get<std::string>();
      part.rib = info.at(2).get<uint64_t>();
      part.updates = info.at(3).get<uint64_t>();
      part.estimate = info.at(4).get<uint64_t>();
      part.peak_rss = info.at(5).get<uint64_t>();
      part.prefixes = info.at(6).get<size_t>();
      part.seconds = info.at(7).get<double>();
      p.partitions.push_back(std::move(part));
      p.load_seconds = j.at("load_seconds").get<double>();
      if (Status st = detector.Merge(j.at("detect")); !st.ok())
        return Status::InvalidArgument(path + ": " + st.message());
      parts.push_back(std::move(p));
    } catch (const nlohmann::json::exception& e) {
      return Status::InvalidArgument(path + ": " + e.what());
    }
  }
  // Every partition used the counting read's window start; the sightings'
  // own can differ only in a corner case (an announcement that repeats a
  // route): then the partitions must be run again.
  if ((any ? first_start : UINT32_MAX) != view_start ||
      (c.end_from_data && (any ? last_start + 1 : 0) != c.s.window_end)) {
    return Status::InvalidArgument(
        "the partitions' routes start at another time than their announcements: analyze this "
        "snapshot in one process (--memory) instead");
  }
  if (Status st = LoadHistory(c.s, store, &r); !st.ok()) return st;
  r.notes.insert(r.notes.begin(), fmt::format("merged from {} partial files in {}", n, o.partials));
  return FinishPartitioned(c, std::move(r), std::move(parts), detector, store, o, t0,
                           fmt::format(" (--partition I/{}, merged)", n));
}

namespace {}  // namespace

Result<AnalyzeResult> AnalyzeLoaded(snapshot::Snapshot& s, const snapshot::Extras& extras,
                                    const std::string& source, store::Store& store,
                                    const AnalyzeOptions& o) {
  return AnalyzeLoadedAt(s, extras, source, "", store, o, Clock::now());
}

Result<AnalyzeResult> Analyze(const std::string& dir, store::Store& store,
                              const AnalyzeOptions& o) {
  const auto t0 = Clock::now();
  if (o.merge) return AnalyzeMerge(dir, store, o);
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
  if (!o.archive.empty()) {
    Step(o, "archiving the routes");
    const std::string day = IsoTime(s.window_start).substr(0, 10);
    if (Status st = archive::ArchiveDay(o.archive, s.routes, day); !st.ok()) return st;
  }
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
