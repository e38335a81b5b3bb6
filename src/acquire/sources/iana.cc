// IANA: the registries Vigía's registry loader reads (registry/registry.h:
// ipv4-address-space*, ipv6-unicast-address-assignments*), as CSV from
// www.iana.org/assignments/<registry>/<registry>.csv (each registry page
// links its CSV form). IANA publishes the current registry only: the bytes
// are of the fetch time whatever the date (a note says so).
#include <fmt/format.h>

#include "acquire/sources/sources.h"

namespace vigia::acquire {
namespace {

Result<SourcePlan> Plan(const PlanContext& ctx) {
  SourcePlan plan;
  for (const std::string& reg :
       plan::Chosen(ctx, {"ipv4-address-space", "ipv6-unicast-address-assignments"})) {
    if (reg.empty() || reg.find_first_of("/.") != std::string::npos) {
      plan.problems.push_back(fmt::format("\"{}\": not an IANA registry name", reg));
      continue;
    }
    PlannedFile f;
    f.url = fmt::format("{}/assignments/{}/{}.csv", ctx.base, reg, reg);
    f.dest = fmt::format("registry/{}.csv", reg);
    f.item = reg;
    plan.files.push_back(std::move(f));
  }
  plan.notes.push_back("IANA registries are not archived: the files are as of the fetch time");
  if (plan.files.empty()) plan.unavailable = "no IANA registry chosen";
  return plan;
}

}  // namespace

SourceInfo IanaSource() {
  return {.name = "iana",
          .part = snapshot::Part::kRegistry,
          .default_base = "https://www.iana.org",
          .what = "IANA IPv4 address space and IPv6 unicast assignments registries (CSV)",
          .default_on = true,
          .plan = Plan};
}

}  // namespace vigia::acquire
