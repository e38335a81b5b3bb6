// PeeringDB: for a past date, CAIDA's archive of daily PeeringDB dumps
// (https://www.caida.org/catalog/datasets/peeringdb/; files at
// publicdata.caida.org/datasets/peeringdb/YYYY/MM/peeringdb_2_dump_YYYY_MM_DD.json,
// the full-dump form {"net": {"data": [...]}, ...} that peeringdb/peeringdb.h
// reads; the schema-2 JSON dumps start in 2018, earlier days are SQLite
// files Vigía does not read, so those answer 404 and the source is absent).
// For today, the PeeringDB API (https://www.peeringdb.com/apidocs/): one
// file per table, /api/<table>, the API form {"data": [...]} named after
// the table; refetched when older than 6 hours.
#include <fmt/format.h>

#include "acquire/sources/sources.h"

namespace vigia::acquire {
namespace {

// The tables peeringdb/ loads that the API serves without an account.
constexpr const char* kTables[] = {"net", "org", "ix", "ixlan", "ixpfx", "netixlan"};
constexpr double kApiMaxAge = 6 * 3600;

Result<SourcePlan> Plan(const PlanContext& ctx) {
  SourcePlan plan;
  if (ctx.today) {
    for (const char* t : kTables) {
      PlannedFile f;
      f.url = plan::HostUrl(ctx, "www.peeringdb.com", fmt::format("/api/{}", t));
      f.dest = fmt::format("peeringdb/{}.json", t);
      f.item = t;
      f.required = true;
      f.max_age_seconds = kApiMaxAge;
      plan.files.push_back(std::move(f));
    }
    plan.notes.push_back("today: the PeeringDB API as of the fetch time");
  } else {
    const std::string name = fmt::format("peeringdb_2_dump_{}_{}_{}.json", ctx.date.substr(0, 4),
                                         ctx.date.substr(5, 2), ctx.date.substr(8, 2));
    PlannedFile f;
    f.url = plan::HostUrl(ctx, "publicdata.caida.org",
                          fmt::format("/datasets/peeringdb/{}/{}/{}", ctx.date.substr(0, 4),
                                      ctx.date.substr(5, 2), name));
    f.dest = "peeringdb/" + name;
    f.item = "dump";
    f.required = true;
    f.source_date = ctx.date;
    plan.files.push_back(std::move(f));
  }
  return plan;
}

}  // namespace

SourceInfo PeeringDbSource() {
  return {.name = "peeringdb",
          .part = snapshot::Part::kPeeringDb,
          .default_base = std::string(kMultiHostBase),
          .what = "PeeringDB: CAIDA's daily dump archive; today the PeeringDB API",
          .default_on = true,
          .plan = Plan};
}

}  // namespace vigia::acquire
