// Aggregates (score/scoring.h): countries, RIR regions, IXPs and the
// groups "all" and "manrs", each with its members' band counts per action
// and the mean over the members with data.
#include <fmt/format.h>
#include <fmt/ranges.h>

#include <map>

#include "registry/rir_region.h"
#include "score/scoring.h"

namespace vigia::score::internal {
namespace {

// The region of a country: the RIR whose service region holds it (a fixed,
// cited table: registry/rir_region.h), whatever RIR its networks registered
// with. A code absent from the table (not ISO 3166-1: "EU", "AP", ...) falls
// back to the RIR region most of its members' resources come from (ties: the
// first by name) and is added to *by_vote.
std::string CountryRegion(Context& c, const Aggregate& g, std::vector<std::string>* by_vote) {
  if (auto r = registry::RirServiceRegionOf(g.id)) return std::string(*r);
  std::map<std::string, size_t> regions;
  for (Asn m : g.members) {
    if (const AsScore* a = c.Find(m); a && !a->region.empty()) ++regions[a->region];
  }
  std::string best;
  size_t most = 0;
  for (const auto& [r, n] : regions) {
    if (n > most) {
      most = n;
      best = r;
    }
  }
  by_vote->push_back(g.id);
  return best;
}

}  // namespace

void BuildAggregates(Context& c) {
  std::map<std::pair<std::string, std::string>, Aggregate> agg;
  auto add = [&](const std::string& kind, const std::string& id, const AsScore& a) {
    Aggregate& g = agg[{kind, id}];
    g.kind = kind;
    g.id = id;
    g.members.push_back(a.asn);
  };
  for (const AsScore& a : c.board.ases) {
    if (!a.country.empty()) add("country", a.country, a);
    // Decision 5: a region holds the ASes of the countries it serves,
    // whatever RIR they registered with; without a country in the table,
    // the AS's own region.
    const auto served = registry::RirServiceRegionOf(a.country);
    const std::string region = served ? std::string(*served) : a.region;
    if (!region.empty()) add("region", region, a);
    add("group", "all", a);
    if (a.manrs) add("group", "manrs", a);
  }
  if (c.extras.have_peeringdb) {
    for (const peeringdb::Ix& ix : c.extras.peeringdb.ixs()) {
      for (Asn m : c.extras.peeringdb.MemberAsns(ix.id)) {
        if (const AsScore* a = c.Find(m)) add("ixp", std::to_string(ix.id), *a);
      }
      auto it = agg.find({"ixp", std::to_string(ix.id)});
      if (it != agg.end()) {
        it->second.name = ix.name;
        it->second.country = ix.country;
      }
    }
  }
  static const std::map<std::string, std::string> kRegionNames = {
      {"afrinic", "AFRINIC (Africa)"},
      {"apnic", "APNIC (Asia-Pacific)"},
      {"arin", "ARIN (North America)"},
      {"lacnic", "LACNIC (Latin America and the Caribbean)"},
      {"ripencc", "RIPE NCC (Europe, Middle East, Central Asia)"}};
  std::vector<std::string> by_vote;  // countries absent from the service-region table
  for (auto& [key, g] : agg) {
    if (g.kind == "region") {
      auto it = kRegionNames.find(g.id);
      g.name = it != kRegionNames.end() ? it->second : g.id;
      g.region = g.id;
    } else if (g.kind == "country") {
      g.name = g.id;
      g.country = g.id;
      g.region = CountryRegion(c, g, &by_vote);
    } else if (g.kind == "group") {
      g.name = g.id == "all" ? "All networks" : "MANRS participants";
    }
    std::sort(g.members.begin(), g.members.end());
    g.members.erase(std::unique(g.members.begin(), g.members.end()), g.members.end());
    for (size_t act = 0; act < kActionCount; ++act) {
      Aggregate::PerAction& pa = g.action[act];
      double sum = 0, sum_max = 0;
      for (Asn m : g.members) {
        const AsScore& a = *c.Find(m);
        const auto& band = a.band[act];
        if (band == "ready") {
          ++pa.ready;
        } else if (band == "aspiring") {
          ++pa.aspiring;
        } else if (band == "lagging") {
          ++pa.lagging;
        } else if (band == "incomplete") {
          ++pa.incomplete;
        } else {
          ++pa.no_data;
        }
        if (a.action[act]) {
          sum += *a.action[act];
          sum_max += a.action_max[act].value_or(*a.action[act]);
          ++pa.measured;
        }
      }
      pa.of = static_cast<uint32_t>(g.members.size());
      if (pa.measured) {
        pa.mean = sum / pa.measured;
        pa.mean_max = sum_max / pa.measured;
      }
      // The low-coverage rule (decision 2): a mean of too few members, or
      // of a minority of them, is given but not banded.
      pa.band = !pa.mean ? ""
                : !EnoughCoverage(pa.measured, pa.of)
                    ? "low_coverage"
                    : BandOfInterval(pa.mean, pa.mean_max, c.opts.bands);
    }
    c.board.aggregates.push_back(std::move(g));
  }
  if (!by_vote.empty()) {
    const std::string codes = fmt::format("{}", fmt::join(by_vote, ", "));
    c.board.notes.push_back(
        {"score.note.region_by_vote",
         {{"count", std::to_string(by_vote.size())}, {"codes", codes}},
         fmt::format("country region: {} code(s) not in the RIR service-region table ({}); their "
                     "region is the RIR most of their ASes registered with",
                     by_vote.size(), codes)});
  }
}

}  // namespace vigia::score::internal
