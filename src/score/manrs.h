// MANRS metrics and scores (SPEC C8), per AS and aggregated.
//
//   Action 1 Filtering      M1  route leaks the AS caused
//                           M1C route leaks of its direct customers it passed on
//                           M2  possible hijacks (exact and sub-prefix) it caused
//                           M2C ... of its customers, passed on
//                           M3  bogon prefixes it originated       M3C customers'
//                           M4  paths with a bogon ASN it passed on M4C customers'
//   Action 2 Anti-spoofing  M5  CAIDA Spoofer sessions from the AS that were blocked
//   Action 3 Coordination   M6  contact information in PeeringDB
//   Action 4 Global valid.  M7IRR  share of its routes with a route object
//                           M7RPKI valid share − 10 × invalid share (RFC 6811)
//
// M1-M4C: each incident weighs by its duration, < 30 min 0.5, < 24 h 1, and
// 1 more per further 24 h, times its confidence; incidents of one metric
// that overlap in time merge into one first. The raw penalty (the sum)
// becomes a percentage by PenaltyToPercent(). docs/methodology.md explains
// every choice and its limits.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/asn.h"
#include "detect/detect.h"
#include "score/extras.h"

namespace vigia::score {

enum Metric : uint8_t { kM1, kM1C, kM2, kM2C, kM3, kM3C, kM4, kM4C, kM5, kM6, kM7Irr, kM7Rpki };
inline constexpr size_t kMetricCount = 12;
const char* MetricName(Metric m);  // "M1", ..., "M7IRR", "M7RPKI"

enum Action : uint8_t { kAction1, kAction2, kAction3, kAction4, kOverall };
inline constexpr size_t kActionCount = 5;
const char* ActionName(Action a);  // "action1", ..., "overall"

// SPEC C8: < 30 min 0.5, < 24 h 1, and +1 per further (started) 24 h.
double IncidentWeight(uint32_t seconds);

struct Interval {
  uint32_t start = 0, end = 0;
  double confidence = 1;
};
// Merges overlapping (or touching) intervals, each merged stretch taking
// the highest confidence among its parts, and sums weight × confidence.
double MergedPenalty(std::vector<Interval> v);

// The raw penalty as a percentage: 100 · 0.6^√(2·raw). It is 100 at 0,
// decreasing, and passes through the published points 0.5 → 60 %,
// 1 → 48.6 % (≈ 49) and 2 → 36 %.
double PenaltyToPercent(double raw);

// Bands: Ready at or above `ready`, Aspiring at or above `aspiring`,
// Lagging below.
struct Bands {
  double ready = 80;
  double aspiring = 50;
};
// "READY,ASPIRING", e.g. "80,50"; false on anything else.
bool ParseBands(std::string_view text, Bands* out);
// "ready", "aspiring", "lagging", or "" for no data.
std::string BandOf(std::optional<double> score, const Bands& b);

// What could lift a score, and to what.
struct Fix {
  std::string metric;  // the metric it lifts
  std::string what;  // "create ROAs", "register route objects", "filter customer route leaks", ...
  std::vector<std::string> items;  // prefixes (origin) or incident ids, at most kMaxFixItems
  size_t count = 0;                // items in all
  std::optional<double> metric_after, action_after, overall_after;
};
inline constexpr size_t kMaxFixItems = 100;

struct AsScore {
  Asn asn = 0;
  std::string name, country, region;  // region: afrinic, apnic, arin, lacnic, ripencc, ""
  bool manrs = false;                 // in the participant list
  std::array<std::optional<double>, kMetricCount> value{};  // percent; none = no data
  std::array<double, kMetricCount> raw{};                   // penalty (M1-M4C), tallies otherwise
  std::array<std::optional<double>, kActionCount> action{};
  std::array<std::string, kActionCount> band{};
  uint32_t routes = 0, rpki_valid = 0, rpki_invalid = 0, rpki_not_found = 0, irr_registered = 0;
  std::vector<uint32_t>
      incidents;  // indexes into the incident list: as culprit or counted propagator
  std::vector<Fix> fixes;
};

// One entity's readiness per action: how many member ASes fall in each band.
struct Aggregate {
  std::string kind;  // "country", "region", "ixp", "group"
  std::string id;    // "BR", "lacnic", "26162" (PeeringDB ix id), "manrs" / "all"
  std::string name;
  std::string country, region;  // when the entity has one
  std::vector<Asn> members;
  struct PerAction {
    std::optional<double> mean;  // of the members with data
    uint32_t ready = 0, aspiring = 0, lagging = 0, no_data = 0;
    std::string band;  // of the mean
  };
  std::array<PerAction, kActionCount> action{};
};

struct ScoreOptions {
  Bands bands;
  unsigned threads = 0;  // 0: one per core
};

struct Scoreboard {
  std::vector<AsScore> ases;  // by ASN
  std::vector<Aggregate> aggregates;
  std::vector<std::string> notes;  // what had no data and why
  const AsScore* Find(Asn asn) const;
};

// Scores every public AS seen in a path or named in the participant list.
Scoreboard Score(const detect::Snapshot& s, const detect::RouteView& v,
                 const std::vector<detect::Incident>& incidents, const Extras& extras,
                 const ScoreOptions& opts);

// The RIR region of a delegated-stats registry name or an as2org source
// ("RIPE", "NIC.BR", "JPNIC", ...): "afrinic", "apnic", "arin", "lacnic",
// "ripencc", or "" when unknown.
std::string RegionOf(std::string_view registry_or_source);

}  // namespace vigia::score
