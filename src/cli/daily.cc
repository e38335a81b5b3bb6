// vigia daily --db URL --data DIR [--from D1 --to D2] [--keep N] [--force]:
// update then analyze each date into the store, skipping the stored ones,
// then prune (acquire/daily.h). contrib/systemd/ runs it every day.
#include "acquire/daily.h"

#include <fmt/format.h>
#include <unistd.h>

#include <cstdio>
#include <memory>
#include <string>

#include "cli/commands.h"
#include "cli/update_options.h"
#include "core/printable.h"
#include "pipeline/analyze.h"
#include "store/backends.h"
#include "store/store.h"

namespace vigia::cli {

namespace {

struct Args {
  std::string db = "sqlite:vigia.db";
  std::string data, from, to;
  size_t keep = 0;
  bool force = false;
  UpdateArgs u;
};

int RunDaily(const Args& a) {
  auto fail = [](const std::string& m) {
    std::fprintf(stderr, "vigia: daily: %s\n", Printable(m).c_str());
    return kExitFailed;
  };
  if (a.data.empty()) return fail("--data is required");
  acquire::DailyOptions o;
  o.data = a.data;
  o.from = a.from;
  o.to = a.to;
  o.keep = a.keep;
  o.force = a.force;
  if (Status st = ToUpdateOptions(a.u, &o.update); !st.ok()) return fail(st.message());
  auto store = store::Store::Open(a.db);
  if (!store.ok()) return fail(store.status().message());
  store::Store& db = **store;
  acquire::DailyHooks hooks;
  hooks.stored = [&db](const std::string& date) -> Result<bool> {
    auto s = db.SnapshotFor(date);
    if (s.ok()) return true;
    if (s.status().code() == StatusCode::kNotFound) return false;
    return s.status();
  };
  hooks.analyze = [&db](const std::string& dir) -> Result<acquire::AnalyzedDay> {
    auto r = pipeline::Analyze(dir, db, pipeline::AnalyzeOptions{});
    if (!r.ok()) return r.status();
    return acquire::AnalyzedDay{r->stored.id, r->stored.partial};
  };
  auto r = acquire::Daily(o, hooks, nullptr);
  if (!r.ok()) return fail(r.status().message());
  if (a.u.json) {
    std::printf("%s\n", acquire::DailyJson(*r).c_str());
  } else {
    for (const acquire::DailyDay& d : r->days) {
      if (d.action == "skipped") {
        std::printf("%s skipped: the store has it (--force to redo)\n", d.date.c_str());
      } else if (d.action == "failed") {
        std::printf("%s FAILED: %s\n", d.date.c_str(), Printable(d.error).c_str());
      } else {
        std::printf(
            "%s snapshot %lld%s: %zu files (%zu from the cache), update %.1f s, analyze "
            "%.1f s\n",
            d.date.c_str(), static_cast<long long>(d.snapshot), d.partial ? " PARTIAL" : "",
            d.update.files, d.update.from_cache, d.update_seconds, d.analyze_seconds);
        if (!a.u.quiet) {
          for (const auto& s : d.update.sources) {
            if (s.status != "complete")
              std::printf("  %s %s: %s\n", s.name.c_str(), s.status.c_str(),
                          Printable(s.reason).c_str());
          }
        }
      }
    }
    for (const std::string& p : r->pruned_snapshots) std::printf("pruned %s\n", p.c_str());
    if (r->pruned_cache_files > 0) {
      std::printf("pruned %zu cache files (%llu bytes)\n", r->pruned_cache_files,
                  static_cast<unsigned long long>(r->pruned_cache_bytes));
    }
  }
  if (!r->ok()) return kExitFailed;
  for (const auto& d : r->days) {
    if (d.partial) return kExitSkipped;
  }
  return kExitOk;
}

}  // namespace

void RegisterDaily(CLI::App& app, int* exit_code) {
  auto a = std::make_shared<Args>();
  CLI::App* cmd = app.add_subcommand(
      "daily", "Keep the observatory current: update then analyze each date into the store");
  cmd->add_option("--db", a->db, "Store URL: " + store::BackendUsage() + ", or a path (SQLite)")
      ->capture_default_str();
  cmd->add_option("--data", a->data, "Data directory: DATA/snapshots/YYYY-MM-DD, DATA/cache");
  cmd->add_option("--from", a->from, "First date, YYYY-MM-DD (default: yesterday, UTC)");
  cmd->add_option("--to", a->to, "Last date, YYYY-MM-DD, inclusive (default: --from)");
  cmd->add_option("--keep", a->keep,
                  "Keep the newest N snapshot directories and the cache files they use (0: all)")
      ->capture_default_str();
  cmd->add_flag("--force", a->force, "Update and analyze dates the store already has");
  AddUpdateOptions(cmd, &a->u);
  cmd->footer(SourcesHelp() +
              "\nIdempotent: a date the store has is skipped. Exit status: 0 every date stored "
              "complete or skipped, 1 a snapshot is partial, 2 a date failed or nothing could "
              "run. contrib/systemd/ has a service and timer that run it daily.");
  cmd->callback([a, exit_code] { *exit_code = RunDaily(*a); });
}

}  // namespace vigia::cli
