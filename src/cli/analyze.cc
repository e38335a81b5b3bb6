// vigia analyze SNAP [--db URL]: the observatory's main run (issue [4/5]):
// reads a snapshot directory, detects incidents, writes them to the store
// as one snapshot. vigia incidents: reads them back.
#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cmath>
#include <set>
#include <thread>
#include <unordered_map>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>

#include "cli/commands.h"
#include "core/sha256.h"
#include "core/time_format.h"
#include "detect/detect.h"
#include "report/report.h"
#include "score/manrs.h"
#include "store/store.h"

namespace vigia::cli {

namespace {

using nlohmann::ordered_json;


struct AnalyzeArgs {
  std::string snap;
  std::string db = "sqlite:vigia.db";
  std::string bands = "80,50";
  unsigned threads = 0;
  bool json = false;
};

// Members an aggregate's stored summary lists (the API's page cap).
constexpr size_t kSummaryMembers = 1000;

// The AS entity's detail: route tallies, incident ids and the fix list.
std::string AsDetail(const score::AsScore& a) {
  ordered_json d;
  d["routes"] = a.routes;
  d["rpki"] = {{"valid", a.rpki_valid}, {"invalid", a.rpki_invalid}, {"not_found", a.rpki_not_found}};
  d["irr_registered"] = a.irr_registered;
  ordered_json ids = ordered_json::array();
  for (uint32_t i : a.incidents) ids.push_back(i + 1);
  d["incidents"] = ids;
  ordered_json fixes = ordered_json::array();
  for (const score::Fix& f : a.fixes) {
    ordered_json o;
    o["metric"] = f.metric;
    o["what"] = f.what;
    o["count"] = f.count;
    o["items"] = f.items;
    o["metric_after"] = report::Num(f.metric_after);
    o["action_after"] = report::Num(f.action_after);
    o["overall_after"] = report::Num(f.overall_after);
    fixes.push_back(std::move(o));
  }
  d["fixes"] = std::move(fixes);
  return d.dump();
}

// What an aggregate's report needs from its members, summed here once so
// that report/report.h need not read every member back (seconds for the
// largest aggregates at full scale). The members go lowest overall score
// first (ties in ASN order), and every sum runs in that order, exactly as
// report.h's recomputation from the members does (`vigia report
// --from-members`).
ordered_json ReportSummary(const score::Aggregate& g, const score::Scoreboard& board) {
  std::vector<const score::AsScore*> ms;
  for (Asn m : g.members) {
    if (const score::AsScore* a = board.Find(m)) ms.push_back(a);
  }
  std::stable_sort(ms.begin(), ms.end(), [](const score::AsScore* a, const score::AsScore* b) {
    return a->action[score::kOverall].value_or(101) < b->action[score::kOverall].value_or(101);
  });
  ordered_json lowest = ordered_json::array();
  std::array<std::pair<double, size_t>, score::kMetricCount> metric{};
  std::map<std::pair<std::string, std::string>, std::pair<size_t, size_t>> fixes;  // -> (members, items)
  double now_sum = 0, after_sum = 0;
  size_t scored = 0;
  for (const score::AsScore* a : ms) {
    const auto& overall = a->action[score::kOverall];
    if (lowest.size() < kSummaryMembers) {
      lowest.push_back({{"asn", a->asn}, {"name", a->name}, {"country", a->country}, {"manrs", a->manrs},
                        {"overall", overall ? ordered_json(*overall) : ordered_json(nullptr)},
                        {"band", a->band[score::kOverall]}});
    }
    for (size_t m = 0; m < score::kMetricCount; ++m) {
      if (!a->value[m]) continue;
      metric[m].first += *a->value[m];
      ++metric[m].second;
    }
    if (!overall) continue;
    ++scored;
    now_sum += *overall;
    double after = *overall;
    for (const score::Fix& f : a->fixes) {
      auto& x = fixes[{f.metric, f.what}];
      ++x.first;
      x.second += f.count;
      if (f.overall_after) after = std::round(*f.overall_after * 100) / 100;  // as AsDetail stores it
    }
    after_sum += after;
  }
  ordered_json mj = ordered_json::object();
  for (size_t m = 0; m < score::kMetricCount; ++m) {
    if (metric[m].second) mj[score::MetricName(static_cast<score::Metric>(m))] = {metric[m].first, metric[m].second};
  }
  ordered_json fj = ordered_json::array();
  for (const auto& [key, x] : fixes) fj.push_back({key.first, key.second, x.first, x.second});
  return {{"lowest", std::move(lowest)}, {"metrics", std::move(mj)}, {"fixes", std::move(fj)},
          {"now_sum", now_sum}, {"after_sum", after_sum}, {"scored", scored}};
}

// Incidents, scores, entities and the origin history, in one snapshot.
Status WriteSnapshot(store::SnapshotWriter* w, const detect::Snapshot& s, const detect::RouteView& v,
                     const std::vector<detect::Incident>& found, const score::Scoreboard& board) {
  int64_t id = 0;
  for (const detect::Incident& in : found) {
    store::IncidentRow r;
    r.id = ++id;
    r.type = in.type;
    r.kind = in.kind;
    r.culprit = in.culprit;
    r.propagator = in.propagator;
    for (const Prefix& p : in.prefixes) r.prefixes.push_back(p.ToString());
    r.start = in.start;
    r.end = in.end;
    r.confidence = in.confidence;
    r.evidence = in.evidence;
    if (Status st = w->AddIncident(r); !st.ok()) return st;
  }
  for (const score::AsScore& a : board.ases) {
    const std::string asn = std::to_string(a.asn);
    store::EntityRow e{"as", asn, a.name, a.country, a.region, a.manrs, a.routes, AsDetail(a)};
    if (Status st = w->AddEntity(e); !st.ok()) return st;
    for (size_t m = 0; m < score::kMetricCount; ++m) {
      if (!a.value[m] && a.raw[m] == 0) continue;  // no data: no row
      store::MetricRow r{a.asn, score::MetricName(static_cast<score::Metric>(m)), a.value[m], a.raw[m]};
      if (Status st = w->AddMetric(r); !st.ok()) return st;
    }
    for (size_t k = 0; k < score::kActionCount; ++k) {
      store::ScoreRow r{"as", asn, score::ActionName(static_cast<score::Action>(k)), a.action[k], a.band[k]};
      if (Status st = w->AddScore(r); !st.ok()) return st;
    }
  }
  for (const score::Aggregate& g : board.aggregates) {
    ordered_json d;
    d["members"] = g.members;
    // RPKI and IRR coverage of the members' routes (prefix-origin pairs),
    // for the overview: summed here so that a reader need not open every AS.
    uint64_t routes = 0, valid = 0, invalid = 0, not_found = 0, registered = 0;
    for (Asn m : g.members) {
      if (const score::AsScore* a = board.Find(m)) {
        routes += a->routes;
        valid += a->rpki_valid;
        invalid += a->rpki_invalid;
        not_found += a->rpki_not_found;
        registered += a->irr_registered;
      }
    }
    d["coverage"] = {{"rpki", {{"routes", routes}, {"valid", valid}, {"invalid", invalid}, {"not_found", not_found}}},
                     {"irr", {{"routes", routes}, {"registered", registered}}}};
    d["summary"] = ReportSummary(g, board);
    store::EntityRow e{g.kind, g.id, g.name, g.country, g.region, g.id == "manrs",
                       static_cast<int64_t>(g.members.size()), d.dump()};
    if (Status st = w->AddEntity(e); !st.ok()) return st;
    for (size_t k = 0; k < score::kActionCount; ++k) {
      const auto& pa = g.action[k];
      store::ScoreRow r{g.kind, g.id, score::ActionName(static_cast<score::Action>(k)), pa.mean, pa.band,
                        static_cast<int64_t>(g.members.size()), pa.ready, pa.aspiring, pa.lagging, pa.no_data};
      if (Status st = w->AddScore(r); !st.ok()) return st;
    }
  }
  // The history hijack detection consults later: every (prefix, origin)
  // with no incident that questions it.
  std::set<std::pair<uint32_t, Asn>> questioned;  // (prefix index, origin)
  std::unordered_map<Prefix, uint32_t, PrefixHash> index;
  const auto& prefixes = s.routes.prefixes();
  for (const detect::Incident& in : found) {
    if (!detect::QuestionsOrigin(in.type)) continue;
    if (index.empty()) {
      index.reserve(prefixes.size());
      for (uint32_t i = 0; i < prefixes.size(); ++i) index.emplace(prefixes[i], i);
    }
    for (const Prefix& p : in.prefixes) {
      auto it = index.find(p);
      if (it != index.end()) questioned.insert({it->second, in.culprit});
    }
  }
  const auto& bogons = s.registry.bogons();
  for (const detect::OriginRoute& o : v.routes()) {
    if (o.origin == 0 || bogons.ClassifyAsn(o.origin) || questioned.contains({o.prefix, o.origin})) continue;
    if (Status st = w->AddOrigin(prefixes[o.prefix].ToString(), o.origin); !st.ok()) return st;
  }
  return Status::Ok();
}

int RunAnalyze(const AnalyzeArgs& a) {
  const auto t0 = std::chrono::steady_clock::now();
  auto seconds = [&] {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  };
  const bool tty = isatty(STDERR_FILENO);
  auto progress = [&](const char* step) {
    if (tty) std::fprintf(stderr, "\r\033[Kvigia: analyze: %s (%.1f s)", step, seconds());
  };
  auto fail = [&](const std::string& m) {
    if (tty) std::fputs("\r\033[K", stderr);
    std::fprintf(stderr, "vigia: analyze: %s\n", m.c_str());
    return kExitFailed;
  };
  score::ScoreOptions sopts;
  sopts.threads = a.threads;
  if (!score::ParseBands(a.bands, &sopts.bands)) {
    std::fprintf(stderr, "vigia: analyze: --bands %s: want READY,ASPIRING with 0 <= ASPIRING <= READY <= 100\n",
                 a.bands.c_str());
    return kExitFailed;
  }
  auto store = store::Store::Open(a.db);
  if (!store.ok()) return fail(store.status().message());
  progress("loading the snapshot");
  detect::Snapshot s;
  score::Extras extras;  // PeeringDB and extra/, read meanwhile
  std::thread extras_thread([&] { score::LoadExtras(a.snap, &extras); });
  const Status loaded = detect::LoadSnapshot(a.snap, &s);
  extras_thread.join();
  if (!loaded.ok()) return fail(loaded.message());
  for (auto& m : extras.skipped) s.skipped.push_back(std::move(m));
  for (auto& m : extras.problems) s.problems.push_back(std::move(m));
  const std::string date = IsoTime(s.window_start).substr(0, 10);
  // The history of earlier snapshots, for hijack detection.
  auto known = (*store)->KnownOrigins(date);
  if (!known.ok()) return fail(known.status().message());
  for (const store::OriginRow& r : *known) {
    if (auto p = Prefix::Parse(r.prefix)) s.history[*p].push_back(r.origin);
  }
  std::vector<std::string> notes;
  if (known->empty()) notes.push_back("history: no earlier snapshot in the store; hijacks are judged on this window alone");
  const double load_s = seconds();
  progress("detecting");
  const detect::RouteView view(s.routes);
  const std::vector<detect::Incident> found = detect::Detect(s, view);
  const double detect_s = seconds() - load_s;
  progress("scoring");
  const score::Scoreboard board = score::Score(s, view, found, extras, sopts);
  for (const std::string& n : board.notes) notes.push_back(n);
  const double score_s = seconds() - load_s - detect_s;
  progress("storing");
  store::SnapshotInfo info;
  info.date = date;
  info.window_start = s.window_start;
  info.window_end = s.window_end;
  const std::string manifest = (std::filesystem::path(a.snap) / "manifest.json").string();
  auto sum = Sha256File(manifest);
  info.source = sum.ok() ? "manifest sha256:" + *sum : "dir:" + std::filesystem::absolute(a.snap).string();
  auto w = (*store)->BeginSnapshot(info);
  if (!w.ok()) return fail(w.status().message());
  if (Status st = WriteSnapshot(w->get(), s, view, found, board); !st.ok()) return fail(st.message());
  auto committed = (*w)->Commit();
  if (!committed.ok()) return fail(committed.status().message());
  const double store_s = seconds() - load_s - detect_s - score_s;
  if (tty) std::fputs("\r\033[K", stderr);
  std::map<std::string, size_t> per_type;
  for (const auto& in : found) ++per_type[in.type];
  const score::Aggregate* all = nullptr;
  for (const auto& g : board.aggregates) {
    if (g.kind == "group" && g.id == "all") all = &g;
  }
  const auto& st = s.routes.stats();
  if (a.json) {
    ordered_json j;
    j["snapshot"] = committed->id;
    j["date"] = committed->date;
    j["window"] = {{"start", IsoTime(s.window_start)}, {"end", IsoTime(s.window_end)}};
    j["rib_entries"] = st.rib_entries;
    j["announcements"] = st.announcements;
    j["withdrawals"] = st.withdrawals;
    j["prefixes"] = s.routes.prefixes().size();
    j["incidents"] = per_type;
    j["ases"] = board.ases.size();
    if (all) {
      ordered_json bands;
      for (size_t k = 0; k < score::kActionCount; ++k) {
        const auto& pa = all->action[k];
        bands[score::ActionName(static_cast<score::Action>(k))] = {{"mean", report::Num(pa.mean)},
                                                                    {"ready", pa.ready},
                                                                    {"aspiring", pa.aspiring},
                                                                    {"lagging", pa.lagging},
                                                                    {"no_data", pa.no_data}};
      }
      j["scores"] = bands;
    }
    j["aggregates"] = board.aggregates.size();
    j["notes"] = notes;
    j["skipped"] = s.skipped;
    j["problems"] = s.problems.size();
    j["seconds"] = {{"load", load_s},          {"load_mrt", s.mrt_seconds}, {"load_reference", s.reference_seconds},
                    {"detect", detect_s},      {"score", score_s},          {"store", store_s},
                    {"total", seconds()}};
    std::printf("%s\n", j.dump(1).c_str());
  } else {
    std::printf("snapshot %lld (%s) stored in %s\n", static_cast<long long>(committed->id),
                committed->date.c_str(), a.db.c_str());
    std::printf("  routes     %llu RIB entries, %llu announcements, %llu withdrawals, %zu prefixes\n",
                static_cast<unsigned long long>(st.rib_entries),
                static_cast<unsigned long long>(st.announcements),
                static_cast<unsigned long long>(st.withdrawals), s.routes.prefixes().size());
    std::string types;
    for (const auto& [t, n] : per_type) types += fmt::format(" {} {},", t, n);
    if (!types.empty()) types.pop_back();
    std::printf("  incidents  %zu:%s\n", found.size(), types.c_str());
    if (all) {
      std::printf("  scores     %zu ASes, %zu aggregates (bands %s)\n", board.ases.size(), board.aggregates.size(),
                  a.bands.c_str());
      for (size_t k = 0; k < score::kActionCount; ++k) {
        const auto& pa = all->action[k];
        std::printf("    %-8s mean %-7s ready %-6u aspiring %-6u lagging %-6u no data %u\n",
                    score::ActionName(static_cast<score::Action>(k)),
                    pa.mean ? fmt::format("{:.1f}", *pa.mean).c_str() : "-", pa.ready, pa.aspiring, pa.lagging,
                    pa.no_data);
      }
    }
    for (const std::string& n : notes) std::printf("  note       %s\n", n.c_str());
    std::printf("  time       %.2f s (load %.2f s, detect %.2f s, score %.2f s, store %.2f s)\n", seconds(), load_s,
                detect_s, score_s, store_s);
  }
  for (const std::string& m : s.skipped) std::fprintf(stderr, "vigia: analyze: skipped %s\n", m.c_str());
  const size_t shown = std::min<size_t>(s.problems.size(), 20);
  for (size_t i = 0; i < shown; ++i) std::fprintf(stderr, "vigia: analyze: %s\n", s.problems[i].c_str());
  if (s.problems.size() > shown) {
    std::fprintf(stderr, "vigia: analyze: %zu more problems not shown\n", s.problems.size() - shown);
  }
  return s.problems.empty() ? kExitOk : kExitSkipped;
}

struct IncidentsArgs {
  std::string db = "sqlite:vigia.db";
  std::string date, type;
  int64_t asn = -1;
  size_t limit = 1000, offset = 0;
  bool json = false;
};

int RunIncidents(const IncidentsArgs& a) {
  auto store = store::Store::Open(a.db);
  if (!store.ok()) {
    std::fprintf(stderr, "vigia: incidents: %s\n", store.status().message().c_str());
    return kExitFailed;
  }
  auto snaps = (*store)->Snapshots();
  if (!snaps.ok()) {
    std::fprintf(stderr, "vigia: incidents: %s\n", snaps.status().message().c_str());
    return kExitFailed;
  }
  const store::SnapshotInfo* snap = nullptr;
  for (const auto& x : *snaps) {
    if (a.date.empty() || x.date == a.date) {
      snap = &x;
      break;
    }
  }
  if (!snap) {
    std::fprintf(stderr, "vigia: incidents: %s: no snapshot%s\n", a.db.c_str(),
                 a.date.empty() ? "" : (" for " + a.date).c_str());
    return kExitFailed;
  }
  store::IncidentQuery q;
  q.snapshot = snap->id;
  q.type = a.type;
  if (a.asn >= 0) q.asn = static_cast<Asn>(a.asn);
  q.limit = a.limit;
  q.offset = a.offset;
  auto rows = (*store)->Incidents(q);
  if (!rows.ok()) {
    std::fprintf(stderr, "vigia: incidents: %s\n", rows.status().message().c_str());
    return kExitFailed;
  }
  if (a.json) {
    ordered_json arr = ordered_json::array();
    for (const auto& r : *rows) {
      ordered_json o;
      o["id"] = r.id;
      o["type"] = r.type;
      o["kind"] = r.kind;
      o["culprit"] = r.culprit;
      o["propagator"] = r.propagator ? ordered_json(*r.propagator) : ordered_json(nullptr);
      o["prefixes"] = r.prefixes;
      o["start"] = IsoTime(r.start);
      o["end"] = IsoTime(r.end);
      o["confidence"] = r.confidence;
      o["evidence"] = ordered_json::parse(r.evidence, nullptr, false);
      arr.push_back(std::move(o));
    }
    std::printf("%s\n", arr.dump(1).c_str());
  } else {
    std::printf("snapshot %lld (%s): %zu incidents\n", static_cast<long long>(snap->id), snap->date.c_str(),
                rows->size());
    for (const auto& r : *rows) {
      std::printf("%-17s AS%-10u %-12s %s .. %s  %s%s  confidence %.2f\n", r.type.c_str(), r.culprit,
                  r.propagator ? fmt::format("via AS{}", *r.propagator).c_str() : "",
                  IsoTime(r.start).c_str(), IsoTime(r.end).c_str(), r.prefixes.empty() ? "" : r.prefixes[0].c_str(),
                  r.prefixes.size() > 1 ? fmt::format(" (+{})", r.prefixes.size() - 1).c_str() : "",
                  r.confidence);
    }
  }
  return kExitOk;
}

}  // namespace

int Analyze(const std::string& snap, const std::string& db, bool json) {
  AnalyzeArgs a;
  a.snap = snap;
  a.db = db;
  a.json = json;
  return RunAnalyze(a);
}

void RegisterAnalyze(CLI::App& app, int* exit_code) {
  auto a = std::make_shared<AnalyzeArgs>();
  CLI::App* cmd = app.add_subcommand(
      "analyze", "Detect incidents and score every AS (MANRS) in a snapshot directory; store them as one snapshot");
  cmd->add_option("SNAP", a->snap, "Snapshot directory (SPEC layout: mrt/, rpki/, irr/, ...)")->required();
  cmd->add_option("--db", a->db, "Store: sqlite:PATH")->capture_default_str();
  cmd->add_option("--bands", a->bands, "Band thresholds READY,ASPIRING in percent")->capture_default_str();
  cmd->add_option("--threads", a->threads, "Threads for validation (0: one per core)");
  cmd->add_flag("--json", a->json, "Print the summary as JSON");
  cmd->footer(
      "Exit status: 0, 1 when input was skipped (reported on stderr), 2 when nothing could be "
      "read or stored. Methodology: docs/methodology.md.");
  cmd->callback([a, exit_code] { *exit_code = RunAnalyze(*a); });

  auto q = std::make_shared<IncidentsArgs>();
  CLI::App* inc = app.add_subcommand("incidents", "List the incidents of a stored snapshot");
  inc->add_option("--db", q->db, "Store: sqlite:PATH")->capture_default_str();
  inc->add_option("--date", q->date, "Snapshot date YYYY-MM-DD (default: the newest)");
  inc->add_option("--type", q->type, detect::IncidentTypeNames())
      ->check(CLI::IsMember(detect::IncidentTypeNameList()));
  inc->add_option("--as", q->asn, "Only incidents with this AS as culprit or propagator")
      ->check(CLI::Range(int64_t{0}, int64_t{4294967295}));
  inc->add_option("--limit", q->limit, "At most this many")->check(CLI::Range(size_t{1}, size_t{100000}))
      ->capture_default_str();
  inc->add_option("--offset", q->offset, "Skip this many first")->capture_default_str();
  inc->add_flag("--json", q->json, "One JSON object per incident, in an array");
  inc->callback([q, exit_code] { *exit_code = RunIncidents(*q); });
}

}  // namespace vigia::cli
