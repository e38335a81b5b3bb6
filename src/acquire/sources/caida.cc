// CAIDA topology: the AS relationships (serial-1 and serial-2) and the
// AS-to-organisation mapping nearest on or before the date, chosen from the
// directory listing of publicdata.caida.org (layout: the datasets' pages,
// https://www.caida.org/catalog/datasets/as-relationships/ and
// .../as-organizations/, and the README in each directory):
//
//   /datasets/as-relationships/serial-1/YYYYMMDD.as-rel.txt.bz2   (monthly)
//   /datasets/as-relationships/serial-2/YYYYMMDD.as-rel2.txt.bz2  (monthly)
//   /datasets/as-organizations/YYYYMMDD.as-org2info.txt.gz        (quarterly)
//
// The listings are fetched through fetch_text and parsed with listing.h;
// the dated name is what is matched (the mtime is when CAIDA uploaded it).
#include <fmt/format.h>

#include "acquire/listing.h"
#include "acquire/sources/sources.h"

namespace vigia::acquire {
namespace {

struct Series {
  const char* item;
  const char* dir;     // under the base, no trailing '/'
  const char* suffix;  // after "YYYYMMDD"
};

constexpr Series kSeries[] = {
    {"serial-1", "/datasets/as-relationships/serial-1", ".as-rel.txt.bz2"},
    {"serial-2", "/datasets/as-relationships/serial-2", ".as-rel2.txt.bz2"},
    {"as2org", "/datasets/as-organizations", ".as-org2info.txt.gz"},
};

// The date of "YYYYMMDD<suffix>", or 0.
uint32_t DateOf(std::string_view name, std::string_view suffix) {
  if (name.size() != 8 + suffix.size() || name.substr(8) != suffix) return 0;
  uint32_t d = 0;
  for (char c : name.substr(0, 8)) {
    if (c < '0' || c > '9') return 0;
    d = d * 10 + static_cast<uint32_t>(c - '0');
  }
  return d;
}

Result<SourcePlan> Plan(const PlanContext& ctx) {
  SourcePlan plan;
  if (!ctx.fetch_text) return Status::InvalidArgument("caida: the plan needs fetch_text");
  std::vector<std::string> items;
  for (const Series& s : kSeries) items.emplace_back(s.item);
  for (const std::string& want : plan::Chosen(ctx, items)) {
    const Series* series = nullptr;
    for (const Series& s : kSeries) {
      if (want == s.item) series = &s;
    }
    if (series == nullptr) {
      plan.problems.push_back(
          fmt::format("{}: not a CAIDA series (serial-1, serial-2, as2org)", want));
      continue;
    }
    const std::string dir_url = ctx.base + series->dir + "/";
    auto text = ctx.fetch_text(dir_url);
    if (!text.ok()) {
      plan.problems.push_back(fmt::format("{}: {}: {}", want, dir_url, text.status().message()));
      continue;
    }
    auto listing = ParseListing(*text);
    if (!listing.ok()) {
      plan.problems.push_back(fmt::format("{}: {}: {}", want, dir_url, listing.status().message()));
      continue;
    }
    const ListingEntry* best = nullptr;
    uint32_t best_day = 0;
    for (const ListingEntry& e : *listing) {
      const uint32_t d = DateOf(e.name, series->suffix);
      if (!e.is_dir && d != 0 && d <= ctx.yyyymmdd && d > best_day) {
        best = &e;
        best_day = d;
      }
    }
    if (best == nullptr) {
      plan.problems.push_back(
          fmt::format("{}: no *{} on or before {} in {}", want, series->suffix, ctx.date, dir_url));
      continue;
    }
    PlannedFile f;
    f.url = dir_url + best->name;
    f.dest = "topology/" + best->name;
    f.item = want;
    f.size = best->size;  // exact only (nginx); Apache's "3.4M" is not
    f.source_date =
        fmt::format("{:04}-{:02}-{:02}", best_day / 10000, best_day / 100 % 100, best_day % 100);
    plan.files.push_back(std::move(f));
  }
  if (plan.files.empty()) {
    plan.unavailable = plan.problems.empty() ? "no CAIDA series chosen" : plan.problems.front();
  }
  return plan;
}

}  // namespace

SourceInfo CaidaSource() {
  return {.name = "caida",
          .part = snapshot::Part::kTopology,
          .default_base = "https://publicdata.caida.org",
          .what = "CAIDA AS relationships (serial-1, serial-2) and as2org nearest before the date",
          .default_on = true,
          .plan = Plan};
}

}  // namespace vigia::acquire
