// vigia analyze SNAP [--db URL]: the observatory's main run (issue [4/5]):
// reads a snapshot directory, detects incidents, writes them to the store
// as one snapshot (pipeline/analyze.h does the work; this prints it).
// vigia incidents (incidents.cc) reads them back.
#include "pipeline/analyze.h"

#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <set>
#include <thread>
#include <unordered_map>

#include "cli/commands.h"
#include "core/sha256.h"
#include "core/time_format.h"
#include "detect/incident_type.h"
#include "pipeline/partition_plan.h"
#include "report/report.h"
#include "score/manrs.h"
#include "store/backends.h"
#include "store/store.h"

namespace vigia::cli {

namespace {

using nlohmann::ordered_json;

struct AnalyzeArgs {
  std::string snap;
  std::string db = "sqlite:vigia.db";
  std::string bands = "80,50";
  unsigned threads = 0;
  std::string memory;
  uint32_t partitions = 0;
  std::string partition;  // I/N
  std::string partials;
  bool merge = false;
  bool json = false;
  std::string archive;
};

int RunAnalyze(const AnalyzeArgs& a) {
  const bool tty = isatty(STDERR_FILENO);
  const auto t0 = std::chrono::steady_clock::now();
  auto fail = [&](const std::string& m) {
    if (tty) std::fputs("\r\033[K", stderr);
    std::fprintf(stderr, "vigia: analyze: %s\n", m.c_str());
    return kExitFailed;
  };
  pipeline::AnalyzeOptions opts;
  opts.score.threads = a.threads;
  opts.archive = a.archive;
  if (!a.memory.empty()) {
    const auto bytes = pipeline::ParseSize(a.memory);
    if (!bytes) {
      std::fprintf(stderr, "vigia: analyze: --memory %s: want a size such as 8G, 512M\n",
                   a.memory.c_str());
      return kExitFailed;
    }
    opts.memory = *bytes;
    opts.memory_setting = a.memory;
  }
  opts.partitions = a.partitions;
  opts.partials = a.partials;
  opts.merge = a.merge;
  if (!a.partition.empty()) {
    unsigned i = 0, n = 0;
    char tail = 0;
    if (std::sscanf(a.partition.c_str(), "%u/%u%c", &i, &n, &tail) != 2 || i == 0 || n == 0 ||
        i > n) {
      std::fprintf(stderr, "vigia: analyze: --partition %s: want I/N with 1 <= I <= N\n",
                   a.partition.c_str());
      return kExitFailed;
    }
    opts.partition_index = i;
    opts.partition_count = n;
  }
  if (!score::ParseBands(a.bands, &opts.score.bands)) {
    std::fprintf(
        stderr,
        "vigia: analyze: --bands %s: want READY,ASPIRING with 0 <= ASPIRING <= READY <= 100\n",
        a.bands.c_str());
    return kExitFailed;
  }
  if (tty) {
    opts.progress = [t0](std::string_view step) {
      const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
      std::fprintf(stderr, "\r\033[Kvigia: analyze: %.*s (%.1f s)", static_cast<int>(step.size()),
                   step.data(), s);
    };
  }
  auto store = store::Store::Open(a.db);
  if (!store.ok()) return fail(store.status().message());
  if (opts.partition_count > 0) {
    auto path = pipeline::AnalyzePartition(a.snap, **store, opts);
    if (!path.ok()) return fail(path.status().message());
    if (tty) std::fputs("\r\033[K", stderr);
    if (a.json) {
      std::printf("%s\n",
                  ordered_json({{"partition", a.partition}, {"partial", *path}}).dump(1).c_str());
    } else {
      std::printf(
          "partition %s written to %s; finish with vigia analyze %s --merge --partials %s\n",
          a.partition.c_str(), path->c_str(), a.snap.c_str(), a.partials.c_str());
    }
    return kExitOk;
  }
  auto r = pipeline::Analyze(a.snap, **store, opts);
  if (!r.ok()) return fail(r.status().message());
  if (tty) std::fputs("\r\033[K", stderr);
  const store::SnapshotInfo& committed = r->stored;
  if (a.json) {
    ordered_json j;
    j["snapshot"] = committed.id;
    j["date"] = committed.date;
    j["window"] = {{"start", IsoTime(r->window_start)}, {"end", IsoTime(r->window_end)}};
    j["rib_entries"] = r->rib_entries;
    j["announcements"] = r->announcements;
    j["withdrawals"] = r->withdrawals;
    j["prefixes"] = r->prefixes;
    j["incidents"] = r->incidents_per_type;
    j["ases"] = r->ases;
    if (r->all) {
      ordered_json bands;
      for (size_t k = 0; k < score::kActionCount; ++k) {
        const auto& pa = r->all->action[k];
        bands[score::ActionName(static_cast<score::Action>(k))] = {
            {"mean", report::Num(pa.mean)},
            {"mean_max", report::Num(pa.mean_max)},
            {"band", pa.band},
            {"measured", pa.measured},
            {"of", pa.of},
            {"ready", pa.ready},
            {"aspiring", pa.aspiring},
            {"lagging", pa.lagging},
            {"incomplete", pa.incomplete},
            {"no_data", pa.no_data}};
      }
      j["scores"] = bands;
    }
    j["aggregates"] = r->aggregates;
    if (!r->partitions.empty()) {
      ordered_json parts = ordered_json::array();
      for (const auto& p : r->partitions) {
        parts.push_back({{"buckets", p.first.empty() ? "" : p.first + " - " + p.last},
                         {"rib_entries", p.rib},
                         {"updates", p.updates},
                         {"estimate_bytes", p.estimate},
                         {"prefixes", p.prefixes},
                         {"peak_rss_bytes", p.peak_rss},
                         {"seconds", p.seconds}});
      }
      j["memory"] = {{"budget_bytes", r->memory_budget},
                     {"peak_rss_bytes", r->peak_rss},
                     {"partitions", parts}};
    }
    j["notes"] = r->notes;
    j["skipped"] = r->skipped;
    j["problems"] = r->problems.size();
    j["provenance"] = report::ProvenanceJson(committed);
    j["partial"] = committed.partial;
    j["missing"] = committed.missing;
    const auto& sec = r->seconds;
    j["seconds"] = {
        {"load", sec.load},     {"load_mrt", sec.load_mrt}, {"load_reference", sec.load_reference},
        {"detect", sec.detect}, {"score", sec.score},       {"store", sec.store},
        {"total", sec.total}};
    std::printf("%s\n", j.dump(1).c_str());
  } else {
    std::printf("snapshot %lld (%s) stored in %s%s\n", static_cast<long long>(committed.id),
                committed.date.c_str(), a.db.c_str(), committed.partial ? ", marked PARTIAL" : "");
    std::printf(
        "  routes     %llu RIB entries, %llu announcements, %llu withdrawals, %zu prefixes\n",
        static_cast<unsigned long long>(r->rib_entries),
        static_cast<unsigned long long>(r->announcements),
        static_cast<unsigned long long>(r->withdrawals), r->prefixes);
    std::string types;
    for (const auto& [t, n] : r->incidents_per_type) types += fmt::format(" {} {},", t, n);
    if (!types.empty()) types.pop_back();
    std::printf("  incidents  %zu:%s\n", r->incidents, types.c_str());
    if (r->all) {
      std::printf("  scores     %zu ASes, %zu aggregates (bands %s)\n", r->ases, r->aggregates,
                  a.bands.c_str());
      for (size_t k = 0; k < score::kActionCount; ++k) {
        const auto& pa = r->all->action[k];
        // "mean 25.0-78.7 from 5861 of 6455": the interval and what it rests on.
        const std::string mean =
            !pa.mean ? std::string("-")
            : pa.mean_max && std::round(*pa.mean_max * 10) != std::round(*pa.mean * 10)
                ? fmt::format("{:.1f}-{:.1f}", *pa.mean, *pa.mean_max)
                : fmt::format("{:.1f}", *pa.mean);
        std::printf(
            "    %-8s mean %-11s from %u of %u  %-12s ready %-6u aspiring %-6u lagging %-6u "
            "incomplete %-6u no data %u\n",
            score::ActionName(static_cast<score::Action>(k)), mean.c_str(), pa.measured, pa.of,
            pa.band.empty() ? "-" : pa.band.c_str(), pa.ready, pa.aspiring, pa.lagging,
            pa.incomplete, pa.no_data);
      }
    }
    for (const std::string& n : r->notes) std::printf("  note       %s\n", n.c_str());
    // Where the data came from and how old it is, before anyone reads a score.
    const std::string prov = report::ProvenanceText(report::ProvenanceJson(committed));
    if (!prov.empty()) std::printf("  provenance %s", prov.c_str());
    for (const std::string& m : committed.missing) std::printf("  missing    %s\n", m.c_str());
    const auto& sec = r->seconds;
    std::printf("  time       %.2f s (load %.2f s, detect %.2f s, score %.2f s, store %.2f s)\n",
                sec.total, sec.load, sec.detect, sec.score, sec.store);
  }
  for (const std::string& m : r->skipped)
    std::fprintf(stderr, "vigia: analyze: skipped %s\n", m.c_str());
  for (const std::string& m : committed.missing) {
    std::fprintf(stderr, "vigia: analyze: partial: %s\n", m.c_str());
  }
  const auto& problems = r->problems;
  const size_t shown = std::min<size_t>(problems.size(), 20);
  for (size_t i = 0; i < shown; ++i)
    std::fprintf(stderr, "vigia: analyze: %s\n", problems[i].c_str());
  if (problems.size() > shown) {
    std::fprintf(stderr, "vigia: analyze: %zu more problems not shown\n", problems.size() - shown);
  }
  return problems.empty() && !committed.partial ? kExitOk : kExitSkipped;
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
  CLI::App* cmd = app.add_subcommand("analyze",
                                     "Detect incidents and score every AS (MANRS) in a snapshot "
                                     "directory; store them as one snapshot");
  cmd->add_option("SNAP", a->snap, "Snapshot directory (SPEC layout: mrt/, rpki/, irr/, ...)")
      ->required();
  cmd->add_option("--db", a->db, "Store URL: " + store::BackendUsage() + ", or a path (SQLite)")
      ->capture_default_str();
  cmd->add_option("--bands", a->bands, "Band thresholds READY,ASPIRING in percent")
      ->capture_default_str();
  cmd->add_option("--threads", a->threads,
                  "Threads for MRT decoding and validation (0: one per core)");
  cmd->add_option("--memory", a->memory,
                  "Bound the memory (e.g. 8G, 512M): the routes are read and analysed one prefix "
                  "partition at a time, as many as fit; the stored snapshot is the same. Too small "
                  "for one /8 or /16 of routes: an error naming it, nothing stored "
                  "(docs/performance.md)");
  cmd->add_option("--partitions", a->partitions,
                  "Read the routes in exactly N prefix partitions (with or without --memory)");
  cmd->add_option("--partition", a->partition,
                  "Analysis across machines (docs/scale.md): analyse prefix partition I of N only "
                  "and write its partial file into --partials DIR; nothing is stored");
  cmd->add_option("--partials", a->partials,
                  "Directory of the partial files (--partition, --merge)");
  cmd->add_flag("--merge", a->merge,
                "Finish the snapshot from the N partial files in --partials DIR (every partition "
                "1/N .. N/N written): the same stored snapshot as one analyze");
  cmd->add_flag("--json", a->json, "Print the summary as JSON");
  cmd->add_option("--archive", a->archive,
                  "Also archive the day's observed routes (prefix, origin, path, peer, "
                  "collector, first/last seen) in ClickHouse: "
                  "clickhouse://HOST:PORT/DB[?cluster=NAME] (docs/archive.md); the day is "
                  "replaced if archived before");
  cmd->footer(
      "Exit status: 0, 1 when input was skipped or the snapshot is partial (an input missing or "
      "differing "
      "from manifest.json; reported on stderr and stored with the snapshot), 2 when nothing could "
      "be "
      "read or stored. Methodology: docs/methodology.md.");
  cmd->callback([a, exit_code] { *exit_code = RunAnalyze(*a); });
}

}  // namespace vigia::cli
