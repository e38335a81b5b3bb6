// vigia analyze SNAP [--db URL]: the observatory's main run (issue [4/5]):
// reads a snapshot directory, detects incidents, writes them to the store
// as one snapshot. vigia incidents: reads them back.
#include <fmt/format.h>
#include <unistd.h>

#include <chrono>
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
#include "store/store.h"

namespace vigia::cli {

namespace {

using nlohmann::ordered_json;


struct AnalyzeArgs {
  std::string snap;
  std::string db = "sqlite:vigia.db";
  bool json = false;
};

int RunAnalyze(const AnalyzeArgs& a) {
  const auto t0 = std::chrono::steady_clock::now();
  auto seconds = [&] {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  };
  const bool tty = isatty(STDERR_FILENO);
  auto progress = [&](const char* step) {
    if (tty) std::fprintf(stderr, "\r\033[Kvigia: analyze: %s (%.1f s)", step, seconds());
  };
  progress("loading the snapshot");
  detect::Snapshot s;
  if (Status st = detect::LoadSnapshot(a.snap, &s); !st.ok()) {
    if (tty) std::fputs("\r\033[K", stderr);
    std::fprintf(stderr, "vigia: analyze: %s\n", st.message().c_str());
    return kExitFailed;
  }
  const double load_s = seconds();
  progress("detecting");
  const std::vector<detect::Incident> found = detect::Detect(s);
  const double detect_s = seconds() - load_s;
  progress("storing");
  auto store = store::Store::Open(a.db);
  if (!store.ok()) {
    if (tty) std::fputs("\r\033[K", stderr);
    std::fprintf(stderr, "vigia: analyze: %s\n", store.status().message().c_str());
    return kExitFailed;
  }
  store::SnapshotInfo info;
  info.date = IsoTime(s.window_start).substr(0, 10);
  info.window_start = s.window_start;
  info.window_end = s.window_end;
  const std::string manifest = (std::filesystem::path(a.snap) / "manifest.json").string();
  auto sum = Sha256File(manifest);
  info.source = sum.ok() ? "manifest sha256:" + *sum : "dir:" + std::filesystem::absolute(a.snap).string();
  auto w = (*store)->BeginSnapshot(info);
  if (!w.ok()) {
    if (tty) std::fputs("\r\033[K", stderr);
    std::fprintf(stderr, "vigia: analyze: %s\n", w.status().message().c_str());
    return kExitFailed;
  }
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
    if (Status st = (*w)->AddIncident(r); !st.ok()) {
      if (tty) std::fputs("\r\033[K", stderr);
      std::fprintf(stderr, "vigia: analyze: %s\n", st.message().c_str());
      return kExitFailed;
    }
  }
  auto committed = (*w)->Commit();
  if (tty) std::fputs("\r\033[K", stderr);
  if (!committed.ok()) {
    std::fprintf(stderr, "vigia: analyze: %s\n", committed.status().message().c_str());
    return kExitFailed;
  }
  std::map<std::string, size_t> per_type;
  for (const auto& in : found) ++per_type[in.type];
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
    j["skipped"] = s.skipped;
    j["problems"] = s.problems.size();
    j["seconds"] = {{"load", load_s}, {"detect", detect_s}, {"total", seconds()}};
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
    std::printf("  time       %.2f s (load %.2f s, detect %.2f s)\n", seconds(), load_s, detect_s);
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
      "analyze", "Detect incidents in a snapshot directory and store them as one snapshot");
  cmd->add_option("SNAP", a->snap, "Snapshot directory (SPEC layout: mrt/, rpki/, irr/, ...)")->required();
  cmd->add_option("--db", a->db, "Store: sqlite:PATH")->capture_default_str();
  cmd->add_flag("--json", a->json, "Print the summary as JSON");
  cmd->footer(
      "Exit status: 0, 1 when input was skipped (reported on stderr), 2 when nothing could be "
      "read or stored. Methodology: docs/methodology.md.");
  cmd->callback([a, exit_code] { *exit_code = RunAnalyze(*a); });

  auto q = std::make_shared<IncidentsArgs>();
  CLI::App* inc = app.add_subcommand("incidents", "List the incidents of a stored snapshot");
  inc->add_option("--db", q->db, "Store: sqlite:PATH")->capture_default_str();
  inc->add_option("--date", q->date, "Snapshot date YYYY-MM-DD (default: the newest)");
  inc->add_option("--type", q->type,
                  "hijack, subprefix_hijack, route_leak, bogon_prefix, bogon_asn, rpki_invalid")
      ->check(CLI::IsMember({"hijack", "subprefix_hijack", "route_leak", "bogon_prefix", "bogon_asn",
                             "rpki_invalid"}));
  inc->add_option("--as", q->asn, "Only incidents with this AS as culprit or propagator")
      ->check(CLI::Range(int64_t{0}, int64_t{4294967295}));
  inc->add_option("--limit", q->limit, "At most this many")->check(CLI::Range(size_t{1}, size_t{100000}))
      ->capture_default_str();
  inc->add_option("--offset", q->offset, "Skip this many first")->capture_default_str();
  inc->add_flag("--json", q->json, "One JSON object per incident, in an array");
  inc->callback([q, exit_code] { *exit_code = RunIncidents(*q); });
}

}  // namespace vigia::cli
