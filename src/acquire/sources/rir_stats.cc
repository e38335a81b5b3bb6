// The five RIRs' delegated-extended statistics for a date, with the MD5
// each publishes beside its file. The format and the checksum rule are the
// RIR Statistics Exchange Format (e.g. ftp.ripe.net/pub/stats/ripencc/
// RIR-Statistics-Exchange-Format.txt, §1: "An MD5 checksum is ... published
// under a matching name, with file extension .md5 appended"; §2.1: the file
// is delegated-<registry>-yyyymmdd, compression optional). Each RIR keeps
// its dated files in its own place and compression:
//
//   afrinic  ftp.afrinic.net/stats/afrinic/YYYY/delegated-afrinic-extended-YYYYMMDD
//   apnic    ftp.apnic.net/stats/apnic/YYYY/delegated-apnic-extended-YYYYMMDD.gz
//   arin     ftp.arin.net/pub/stats/arin/delegated-arin-extended-YYYYMMDD
//   lacnic   ftp.lacnic.net/pub/stats/lacnic/delegated-lacnic-extended-YYYYMMDD
//   ripencc  ftp.ripe.net/pub/stats/ripencc/YYYY/delegated-ripencc-extended-YYYYMMDD.bz2
//
// Today's file is not out until the RIR's day ends, so for today the plan
// reads delegated-<rir>-extended-latest from each RIR's top directory
// (refetched when older than 6 hours). The .md5 is fetched now, through
// fetch_text, and parsed with listing.h into PlannedFile::md5; when it is
// missing or names another file, the file is planned without it and a note
// says so.
#include <fmt/format.h>

#include "acquire/listing.h"
#include "acquire/sources/sources.h"

namespace vigia::acquire {
namespace {

struct Rir {
  const char* name;
  const char* host;
  const char* dir;     // the top directory
  bool yearly;         // dated files under dir/YYYY/
  const char* suffix;  // compression of the dated file
};

constexpr Rir kRirs[] = {
    {"afrinic", "ftp.afrinic.net", "/stats/afrinic", true, ""},
    {"apnic", "ftp.apnic.net", "/stats/apnic", true, ".gz"},
    {"arin", "ftp.arin.net", "/pub/stats/arin", false, ""},
    {"lacnic", "ftp.lacnic.net", "/pub/stats/lacnic", false, ""},
    {"ripencc", "ftp.ripe.net", "/pub/stats/ripencc", true, ".bz2"},
};
constexpr double kLatestMaxAge = 6 * 3600;

Result<SourcePlan> Plan(const PlanContext& ctx) {
  SourcePlan plan;
  std::vector<std::string> names;
  for (const Rir& r : kRirs) names.emplace_back(r.name);
  for (const std::string& want : plan::Chosen(ctx, names)) {
    const Rir* rir = nullptr;
    for (const Rir& r : kRirs) {
      if (want == r.name) rir = &r;
    }
    if (rir == nullptr) {
      plan.problems.push_back(
          fmt::format("{}: not an RIR (afrinic, apnic, arin, lacnic, ripencc)", want));
      continue;
    }
    PlannedFile f;
    std::string path;
    if (ctx.today) {
      path = fmt::format("{}/delegated-{}-extended-latest", rir->dir, rir->name);
      f.max_age_seconds = kLatestMaxAge;
    } else {
      path = fmt::format("{}{}/delegated-{}-extended-{}{}", rir->dir,
                         rir->yearly ? "/" + ctx.date.substr(0, 4) : std::string(), rir->name,
                         ctx.yyyymmdd, rir->suffix);
      f.source_date = ctx.date;
    }
    f.url = plan::HostUrl(ctx, rir->host, path);
    f.dest = "registry/" + plan::BaseName(path);
    f.item = rir->name;
    const std::string md5_url = f.url + ".md5";
    if (ctx.fetch_text) {
      auto text = ctx.fetch_text(md5_url);
      if (!text.ok()) {
        plan.notes.push_back(
            fmt::format("{}: no MD5 ({}: {}); the file is checked for size and "
                        "decompression only",
                        rir->name, md5_url, text.status().message()));
      } else if (auto sums = ParseChecksums(*text, plan::BaseName(f.url)); !sums.ok()) {
        plan.notes.push_back(
            fmt::format("{}: {}: {}", rir->name, md5_url, sums.status().message()));
      } else if (std::string md5 = DigestFor(*sums, plan::BaseName(f.url)); md5.size() == 32) {
        f.md5 = md5;
      } else {
        plan.notes.push_back(
            fmt::format("{}: {} gives no MD5 for {}", rir->name, md5_url, plan::BaseName(f.url)));
      }
    }
    plan.files.push_back(std::move(f));
  }
  if (plan.files.empty()) plan.unavailable = "no RIR chosen";
  return plan;
}

}  // namespace

SourceInfo RirStatsSource() {
  return {.name = "rir-stats",
          .part = snapshot::Part::kRegistry,
          .default_base = std::string(kMultiHostBase),
          .what = "the five RIRs' delegated-extended statistics of the date, with their MD5",
          .default_on = true,
          .plan = Plan};
}

}  // namespace vigia::acquire
