// MANRS participants and CAIDA Spoofer sessions (extra/, read by
// snapshot/extras.h: a name holding "manrs" or "spoof", CSV).
//
// Neither has a public export to fetch:
//   - MANRS publishes its participants as web pages (manrs.org, one page per
//     programme); the MANRS Observatory's data needs an account. There is no
//     documented CSV or JSON download.
//   - CAIDA Spoofer's session results are browsable reports on
//     spoofer.caida.org; the session data itself is shared on request under
//     the Spoofer data-sharing terms, not as a public download.
// So by default each source is unavailable with that reason, and the
// snapshot says so. Two ways in:
//   - a local file (ctx.local_files), copied into extra/ (named so the
//     loader recognises it: "manrs-"/"spoofer-" prefixed when needed);
//   - a base URL given with --mirror: the file at BASE/manrs_isps.csv or
//     BASE/spoofer-sessions.csv (the names snapshot/layout.h gives them).
#include <fmt/format.h>

#include "acquire/sources/sources.h"

namespace vigia::acquire {
namespace {

SourcePlan PlanExtra(const PlanContext& ctx, std::string_view file, std::string_view must_hold,
                     std::string_view reason) {
  SourcePlan plan;
  plan::AddLocal(ctx, "extra", must_hold, &plan);
  if (!ctx.base.empty()) {
    PlannedFile f;
    f.url = fmt::format("{}/{}", ctx.base, file);
    f.dest = fmt::format("extra/{}", file);
    f.item = std::string(must_hold);
    f.required = true;
    plan.files.push_back(std::move(f));
  }
  if (plan.files.empty() && plan.local.empty()) plan.unavailable = std::string(reason);
  return plan;
}

Result<SourcePlan> PlanManrs(const PlanContext& ctx) {
  return PlanExtra(
      ctx, snapshot::kManrsFile, "manrs",
      "no public export: MANRS lists its participants as web pages only (manrs.org) "
      "and the MANRS Observatory needs an account; give --local manrs=FILE.csv, or serve one at "
      "--mirror manrs=URL as manrs_isps.csv");
}

Result<SourcePlan> PlanSpoofer(const PlanContext& ctx) {
  return PlanExtra(ctx, snapshot::kSpooferFile, "spoofer",
                   "no public export: CAIDA Spoofer session data is shared on request under its "
                   "data-sharing terms, spoofer.caida.org has HTML reports only; give --local "
                   "spoofer=FILE.csv, or "
                   "serve one at --mirror spoofer=URL as spoofer-sessions.csv");
}

}  // namespace

SourceInfo ManrsSource() {
  return {.name = "manrs",
          .part = snapshot::Part::kExtra,
          .default_base = "",
          .what = "MANRS participants (no public export: --local NAME=CSV or --mirror)",
          .default_on = true,
          .plan = PlanManrs};
}

SourceInfo SpooferSource() {
  return {.name = "spoofer",
          .part = snapshot::Part::kExtra,
          .default_base = "",
          .what = "CAIDA Spoofer sessions (no public export: --local NAME=CSV or --mirror)",
          .default_on = true,
          .plan = PlanSpoofer};
}

}  // namespace vigia::acquire
