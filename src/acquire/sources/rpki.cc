// RPKI: the VRPs (and, where published, the ASPAs) valid on a date.
//
// Past dates: the RIPE NCC RPKI repository archive
// (https://ftp.ripe.net/rpki/, layout in RIPE-NCC/internet-dataset-
// descriptions, rpki-repo-archive.md: "TAL/YYYY/MM/DD/"), one directory per
// trust anchor and day, validated with Routinator. Since 2023-10-11 each
// day has output.json.xz (Routinator JSON: "roas" and, with ASPA enabled
// from 2023-10-10, "aspas"); every day has roas.csv.xz (the historic
// roas.csv recompressed as .xz on 2024-01-25; columns URI, ASN, IP Prefix,
// Max Length, Not Before, Not After). rpki/vrp.h reads both: JSON when the
// file starts with '{', the validator CSV otherwise. From 2012-10-26 to
// 2018-04-04 APNIC's repository was split into apnic-{iana,afrinic,arin,
// lacnic,ripe}.tal (rpki-study.github.io/rpki-archive): all five are read.
//
// Today: the live rpki-client JSON of console.rpki-client.org (vrps.json,
// every trust anchor, VRPs and ASPAs), refetched when older than an hour.
//
// SLURM files (RFC 8416) given on the command line are copied into rpki/.
#include <fmt/format.h>

#include "acquire/sources/sources.h"

namespace vigia::acquire {
namespace {

constexpr uint32_t kJsonFrom = 20231012;  // the first whole day with output.json.xz
constexpr uint32_t kApnicSplitFrom = 20121026, kApnicSplitTo = 20180404;
constexpr double kLiveMaxAge = 3600;

std::vector<std::string> TrustAnchors(uint32_t day) {
  if (day >= kApnicSplitFrom && day <= kApnicSplitTo) {
    return {"afrinic",    "apnic-afrinic", "apnic-arin", "apnic-iana", "apnic-lacnic",
            "apnic-ripe", "arin",          "lacnic",     "ripencc"};
  }
  return {"afrinic", "apnic", "arin", "lacnic", "ripencc"};
}

Result<SourcePlan> Plan(const PlanContext& ctx) {
  SourcePlan plan;
  if (ctx.today) {
    PlannedFile f;
    f.url = plan::HostUrl(ctx, "console.rpki-client.org", "/vrps.json");
    f.dest = "rpki/vrps.json";
    f.item = "rpki-client";
    f.required = true;
    f.max_age_seconds = kLiveMaxAge;
    plan.files.push_back(std::move(f));
    plan.notes.push_back(
        "today: the live rpki-client output (console.rpki-client.org), as of the fetch time");
  } else {
    const std::time_t day = plan::DayStart(ctx);
    const bool json = ctx.yyyymmdd >= kJsonFrom;
    const char* file = json ? "output.json.xz" : "roas.csv.xz";
    for (const std::string& ta : plan::Chosen(ctx, TrustAnchors(ctx.yyyymmdd))) {
      PlannedFile f;
      f.url =
          plan::HostUrl(ctx, "ftp.ripe.net",
                        fmt::format("/rpki/{}.tal/{}/{}", ta, plan::Utc(day, "%Y/%m/%d"), file));
      f.dest = fmt::format("rpki/{}.{}", ta, file);
      f.item = ta;
      f.source_date = ctx.date;
      plan.files.push_back(std::move(f));
    }
    if (!json) {
      plan.notes.push_back(fmt::format(
          "{}: before 2023-10-12 the RIPE NCC archive has VRPs only (roas.csv.xz), no ASPAs",
          ctx.date));
    }
  }
  plan::AddLocal(ctx, "rpki", "slurm", &plan);
  return plan;
}

}  // namespace

SourceInfo RpkiSource() {
  return {.name = "rpki",
          .part = snapshot::Part::kRpki,
          .default_base = std::string(kMultiHostBase),
          .what = "RPKI VRPs and ASPAs: RIPE NCC per-trust-anchor archive; today rpki-client JSON",
          .default_on = true,
          .plan = Plan};
}

}  // namespace vigia::acquire
