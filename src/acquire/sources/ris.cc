// RIPE NCC RIS (Routing Information Service): MRT dumps of every route
// collector (rrcNN), as data.ris.ripe.net publishes them
// (https://ris.ripe.net/docs/mrt/ "MRT files": one directory per collector
// and month, "rrcNN/YYYY.MM/", holding a RIB dump "bview.YYYYMMDD.HHMM.gz"
// every 8 hours, at 00:00, 08:00 and 16:00 UTC, and an updates file
// "updates.YYYYMMDD.HHMM.gz" every 5 minutes, named after the start of the
// 5 minutes it holds).
//
// For the window [start, end) the plan is, per collector: the bview at or
// before start, and every updates file whose 5 minutes begin in the window.
// A collector that is not there (retired, not yet running, a 404) makes
// the source partial, never absent: every file is optional.
#include <fmt/format.h>

#include "acquire/sources/sources.h"
#include "core/limits.h"

namespace vigia::acquire {
namespace {

constexpr std::time_t kBviewEvery = 8 * 3600;
constexpr std::time_t kUpdatesEvery = 5 * 60;

// rrc00 .. rrc26 (https://ris.ripe.net/docs/route-collectors/). rrc02,
// rrc08 and rrc09 are retired; they stay in the list so that a past date
// from their years finds them, and answer 404 (partial) after.
std::vector<std::string> Collectors() {
  std::vector<std::string> c;
  for (int i = 0; i <= 26; ++i) c.push_back(fmt::format("rrc{:02}", i));
  return c;
}

Result<SourcePlan> Plan(const PlanContext& ctx) {
  SourcePlan plan;
  if (ctx.window_end <= ctx.window_start) {
    return Status::InvalidArgument("ris: the window is empty");
  }
  const std::time_t bview = plan::Floor(ctx.window_start, kBviewEvery);
  const std::time_t first = plan::Floor(ctx.window_start, kUpdatesEvery);
  for (const std::string& rrc : plan::Chosen(ctx, Collectors())) {
    auto add = [&](std::time_t t, const char* kind) {
      PlannedFile f;
      const std::string name = fmt::format("{}.{}.gz", kind, plan::Utc(t, "%Y%m%d.%H%M"));
      f.url = fmt::format("{}/{}/{}/{}", ctx.base, rrc, plan::Utc(t, "%Y.%m"), name);
      f.dest = fmt::format("mrt/{}.{}", rrc, name);
      f.item = rrc;
      f.source_date = plan::Iso(t);
      plan.files.push_back(std::move(f));
    };
    add(bview, "bview");
    for (std::time_t t = first; t < ctx.window_end; t += kUpdatesEvery) {
      add(t, "updates");
      if (plan.files.size() > kMaxPlannedFiles) {
        return Status::LimitExceeded(
            fmt::format("ris: more than {} files planned", kMaxPlannedFiles));
      }
    }
  }
  if (ctx.window_start != bview) {
    plan.notes.push_back(fmt::format(
        "the window starts at {}; the RIB dump is the bview of {} (RIS dumps every 8 h)",
        plan::Iso(ctx.window_start), plan::Iso(bview)));
  }
  return plan;
}

}  // namespace

SourceInfo RisSource() {
  return {.name = "ris",
          .part = snapshot::Part::kMrt,
          .default_base = "https://data.ris.ripe.net",
          .what = "RIPE NCC RIS: bview and 5-minute updates of every rrcNN collector",
          .default_on = true,
          .plan = Plan};
}

}  // namespace vigia::acquire
