// pipeline::Analyze: load, history, detect, score, write (pipeline/analyze.h).
#include "pipeline/analyze.h"

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <thread>
#include <tuple>

#include "archive/route_archive.h"
#include "core/sha256.h"
#include "core/time_format.h"
#include "detect/detect.h"
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

Result<AnalyzeResult> AnalyzeLoadedAt(snapshot::Snapshot& s, const snapshot::Extras& extras,
                                      const std::string& source, const std::string& dir,
                                      store::Store& store, const AnalyzeOptions& o,
                                      Clock::time_point t0) {
  AnalyzeResult r;
  const std::string date = IsoTime(s.window_start).substr(0, 10);
  // The history of earlier snapshots, for hijack detection.
  auto known = store.KnownOrigins(date);
  if (!known.ok()) return known.status();
  for (const store::OriginRow& row : *known) {
    if (auto p = Prefix::Parse(row.prefix)) s.history[*p].push_back(row.origin);
  }
  if (known->empty()) {
    r.notes.push_back(
        "history: no earlier snapshot in the store; hijacks are judged on this window alone");
  }
  r.seconds.load = Since(t0);
  Step(o, "detecting");
  const detect::RouteView view(s.routes);
  std::vector<detect::Incident> found = detect::Detect(s, view);
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
  if (Status st = WriteSnapshot(w->get(), s, view, found, board); !st.ok()) return st;
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
  return r;
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
