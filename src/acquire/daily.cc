// Daily: update then analyze each date, then prune (daily.h).
#include "acquire/daily.h"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <set>

#include "acquire/cache.h"
#include "core/time_format.h"
#include "snapshot/manifest.h"

namespace vigia::acquire {

namespace {

namespace fs = std::filesystem;
using nlohmann::ordered_json;

double Since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

// A snapshot directory daily wrote: its name is a date.
bool IsDateName(const std::string& n) { return n.size() == 10 && ParseDate(n).ok(); }

// Removes the oldest snapshot directories beyond `keep`; returns the URLs
// the kept ones' manifests list.
std::set<std::string> PruneSnapshots(const fs::path& dir, size_t keep, DailyReport* rep) {
  std::vector<std::string> names;
  std::error_code ec;
  for (auto it = fs::directory_iterator(dir, ec); !ec && it != fs::directory_iterator();
       it.increment(ec)) {
    const std::string n = it->path().filename().string();
    std::error_code e;
    if (IsDateName(n) && it->is_directory(e)) names.push_back(n);
  }
  std::sort(names.begin(), names.end());
  std::set<std::string> urls;
  for (size_t i = 0; i < names.size(); ++i) {
    const fs::path p = dir / names[i];
    if (keep != 0 && i + keep < names.size()) {
      std::error_code e;
      fs::remove_all(p, e);
      rep->pruned_snapshots.push_back(p.string());
      continue;
    }
    auto m = snapshot::ReadManifest(p.string());
    if (!m.ok()) continue;
    for (const auto& f : m->files) {
      if (!f.url.empty()) urls.insert(f.url);
    }
  }
  return urls;
}

}  // namespace

bool DailyReport::ok() const {
  return std::none_of(days.begin(), days.end(),
                      [](const DailyDay& d) { return d.action == "failed"; });
}

Result<std::vector<std::string>> DailyDates(const std::string& from, const std::string& to) {
  std::time_t a = 0, b = 0;
  if (from.empty() && to.empty()) {
    a = b = (std::time(nullptr) / 86400 - 1) * 86400;  // yesterday, UTC
  } else {
    const std::string f = from.empty() ? to : from, t = to.empty() ? from : to;
    auto x = ParseDate(f);
    if (!x.ok()) return x.status();
    auto y = ParseDate(t);
    if (!y.ok()) return y.status();
    a = *x;
    b = *y;
    if (b < a) return Status::InvalidArgument(fmt::format("--to {} is before --from {}", t, f));
  }
  const auto n = static_cast<size_t>((b - a) / 86400) + 1;
  if (n > kMaxDailyDates)
    return Status::LimitExceeded(fmt::format("{} dates, over the cap of {}", n, kMaxDailyDates));
  std::vector<std::string> out;
  for (std::time_t t = a; t <= b; t += 86400) out.push_back(vigia::IsoTime(t).substr(0, 10));
  return out;
}

Result<DailyReport> Daily(const DailyOptions& o, const DailyHooks& hooks, Progress* progress) {
  if (o.data.empty()) return Status::InvalidArgument("no data directory (--data)");
  if (!hooks.stored || !hooks.analyze) return Status::InvalidArgument("daily: hooks missing");
  auto dates = DailyDates(o.from, o.to);
  if (!dates.ok()) return dates.status();
  // The options are checked once, before any date is done.
  if (auto s = ChooseSources(o.update.sources); !s.ok()) return s.status();
  const fs::path data(o.data), snaps = data / "snapshots", cache = data / "cache";
  std::error_code ec;
  fs::create_directories(snaps, ec);
  if (ec) return Status::IoError(fmt::format("{}: {}", snaps.string(), ec.message()));

  DailyReport rep;
  for (const std::string& date : *dates) {
    DailyDay d;
    d.date = date;
    if (!o.force) {
      auto have = hooks.stored(date);
      if (!have.ok()) return have.status();  // the store is unusable: stop
      if (*have) {
        d.action = "skipped";
        rep.days.push_back(std::move(d));
        continue;
      }
    }
    UpdateOptions u = o.update;
    u.date = date;
    u.out = (snaps / date).string();
    u.fetch.cache_dir = cache.string();
    const auto t0 = std::chrono::steady_clock::now();
    auto up = Update(u, progress);
    d.update_seconds = Since(t0);
    if (!up.ok()) {
      d.action = "failed";
      d.error = "update: " + up.status().message();
      rep.days.push_back(std::move(d));
      continue;
    }
    d.update = std::move(*up);
    const auto t1 = std::chrono::steady_clock::now();
    auto an = hooks.analyze(u.out);
    d.analyze_seconds = Since(t1);
    if (!an.ok()) {
      d.action = "failed";
      d.error = "analyze: " + an.status().message();
    } else {
      d.action = "stored";
      d.snapshot = an->snapshot;
      d.partial = an->partial || !d.update.complete();
    }
    rep.days.push_back(std::move(d));
  }

  const std::set<std::string> keep_urls = PruneSnapshots(snaps, o.keep, &rep);
  if (o.keep != 0 && fs::is_directory(cache, ec)) {
    auto pruned =
        PruneCache(cache.string(), std::vector<std::string>(keep_urls.begin(), keep_urls.end()));
    if (pruned.ok()) {
      rep.pruned_cache_files = pruned->removed;
      rep.pruned_cache_bytes = pruned->removed_bytes;
    }
  }
  return rep;
}

std::string DailyJson(const DailyReport& r) {
  ordered_json j;
  ordered_json days = ordered_json::array();
  for (const DailyDay& d : r.days) {
    ordered_json x;
    x["date"] = d.date;
    x["action"] = d.action;
    if (!d.error.empty()) x["error"] = d.error;
    if (d.action == "stored") {
      x["snapshot"] = d.snapshot;
      x["partial"] = d.partial;
    }
    if (d.action != "skipped") {
      x["update_seconds"] = d.update_seconds;
      x["analyze_seconds"] = d.analyze_seconds;
      if (!d.update.out.empty()) x["update"] = ordered_json::parse(ReportJson(d.update));
    }
    days.push_back(std::move(x));
  }
  j["days"] = std::move(days);
  j["pruned_snapshots"] = r.pruned_snapshots;
  j["pruned_cache_files"] = r.pruned_cache_files;
  j["pruned_cache_bytes"] = r.pruned_cache_bytes;
  j["ok"] = r.ok();
  return j.dump(1);
}

}  // namespace vigia::acquire
