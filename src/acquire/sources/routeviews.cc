// University of Oregon RouteViews: MRT dumps of every collector, as
// archive.routeviews.org publishes them (https://www.routeviews.org/routeviews/
// "Archive": route-views2's files live under /bgpdata/, every other
// collector's under /<collector>/bgpdata/; below that, one directory per
// month, "YYYY.MM/", with RIBS/rib.YYYYMMDD.HHMM.bz2 every 2 hours and
// UPDATES/updates.YYYYMMDD.HHMM.bz2 every 15 minutes).
//
// Collector names hold dots ("route-views.amsix"), and Vigía takes a
// file's collector from its name up to the first '.' (snapshot/layout.h),
// so the snapshot names them with '-' instead: mrt/route-views-amsix.rib....
// Every file is optional: a missing collector makes the source partial.
#include <fmt/format.h>

#include <algorithm>

#include "acquire/sources/sources.h"
#include "core/limits.h"

namespace vigia::acquire {
namespace {

constexpr std::time_t kRibEvery = 2 * 3600;
constexpr std::time_t kUpdatesEvery = 15 * 60;

// The collectors listed at https://www.routeviews.org/routeviews/ (their
// archive directories at archive.routeviews.org).
std::vector<std::string> Collectors() {
  return {
      "route-views2",          "route-views3",          "route-views4",      "route-views5",
      "route-views6",          "route-views7",          "route-views.amsix", "route-views.bdix",
      "route-views.bknix",     "route-views.chicago",   "route-views.chile", "route-views.eqix",
      "route-views.flix",      "route-views.fortaleza", "route-views.gorex", "route-views.isc",
      "route-views.jinx",      "route-views.kixp",      "route-views.linx",  "route-views.mwix",
      "route-views.napafrica", "route-views.ny",        "route-views.nwax",  "route-views.perth",
      "route-views.peru",      "route-views.phoix",     "route-views.rio",   "route-views.saopaulo",
      "route-views.sfmix",     "route-views.sg",        "route-views.soxrs", "route-views.sydney",
      "route-views.telxatl",   "route-views.uaeix",     "route-views.wide"};
}

Result<SourcePlan> Plan(const PlanContext& ctx) {
  SourcePlan plan;
  if (ctx.window_end <= ctx.window_start) {
    return Status::InvalidArgument("routeviews: the window is empty");
  }
  const std::time_t rib = plan::Floor(ctx.window_start, kRibEvery);
  const std::time_t first = plan::Floor(ctx.window_start, kUpdatesEvery);
  for (const std::string& c : plan::Chosen(ctx, Collectors())) {
    // route-views2 is the archive's root collector.
    const std::string dir = c == "route-views2" ? ctx.base : ctx.base + "/" + c;
    std::string label = c;
    std::replace(label.begin(), label.end(), '.', '-');
    auto add = [&](std::time_t t, const char* sub, const char* kind) {
      PlannedFile f;
      const std::string name = fmt::format("{}.{}.bz2", kind, plan::Utc(t, "%Y%m%d.%H%M"));
      f.url = fmt::format("{}/bgpdata/{}/{}/{}", dir, plan::Utc(t, "%Y.%m"), sub, name);
      f.dest = fmt::format("mrt/{}.{}", label, name);
      f.item = c;
      f.source_date = plan::Iso(t);
      plan.files.push_back(std::move(f));
    };
    add(rib, "RIBS", "rib");
    for (std::time_t t = first; t < ctx.window_end; t += kUpdatesEvery) {
      add(t, "UPDATES", "updates");
      if (plan.files.size() > kMaxPlannedFiles) {
        return Status::LimitExceeded(
            fmt::format("routeviews: more than {} files planned", kMaxPlannedFiles));
      }
    }
  }
  return plan;
}

}  // namespace

SourceInfo RouteViewsSource() {
  return {.name = "routeviews",
          .part = snapshot::Part::kMrt,
          .default_base = "https://archive.routeviews.org",
          .what = "RouteViews: 2-hourly RIBs and 15-minute updates of every collector",
          .default_on = true,
          .plan = Plan};
}

}  // namespace vigia::acquire
