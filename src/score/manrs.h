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
// Lagging below. A score known only as an interval (some of its parts had
// no data) takes the band both its bounds fall in, and "incomplete" when
// they straddle two; an aggregate resting on too few members with data is
// "low_coverage" (docs/methodology.md, "Coverage").
struct Bands {
  double ready = 80;
  double aspiring = 50;
};
// "READY,ASPIRING", e.g. "80,50"; false on anything else.
bool ParseBands(std::string_view text, Bands* out);
// "ready", "aspiring", "lagging", or "" for no data.
std::string BandOf(std::optional<double> score, const Bands& b);
// The band of an interval [lo, hi]: BandOf(lo) when BandOf(hi) is the same,
// "incomplete" otherwise; "" when there is no data.
std::string BandOfInterval(std::optional<double> lo, std::optional<double> hi, const Bands& b);

// The low-coverage rule of aggregates: a mean is banded only when it rests
// on at least kMinMeasured members with data and on at least half of them.
inline constexpr uint32_t kMinMeasured = 3;
bool EnoughCoverage(uint32_t measured, uint32_t of);

// What could lift a score, and to what.
struct Fix {
  std::string metric;  // the metric it lifts
  std::string what;  // "create ROAs", "register route objects", "filter customer route leaks", ...
  // `what` as a translation key: "fix.<code>" (the codes of
  // detect/incident_type.h and "sav", "pdb_contact", "pdb_register",
  // "create_roas", "correct_roas", "irr_register"; web/src/locales).
  std::string key;
  std::vector<std::string> items;  // prefixes (origin) or incident ids, at most kMaxFixItems
  size_t count = 0;                // items in all
  // The scores reached; action_after and overall_after are lower bounds
  // when a part of them has no data (AsScore::action).
  std::optional<double> metric_after, action_after, overall_after;
};
inline constexpr size_t kMaxFixItems = 100;

struct AsScore {
  Asn asn = 0;
  // region: afrinic, apnic, arin, lacnic, ripencc, "": the RIR service
  // region of `country` (registry/rir_region.h), or when the country is
  // unknown or not in the table, the RIR the AS registered with.
  std::string name, country, region;
  bool manrs = false;                                       // in the participant list
  std::array<std::optional<double>, kMetricCount> value{};  // percent; none = no data
  std::array<double, kMetricCount> raw{};                   // penalty (M1-M4C), tallies otherwise
  // Each action (and the overall) as an interval: `action` is the lower
  // bound, every part with no data counted 0; `action_max` the upper bound,
  // counted 100. Both equal when every part has data (measured == of);
  // both empty when no part has. The parts: Action 4's metrics M7IRR and
  // M7RPKI (of 2), the overall's four actions (of 4); Actions 1-3 are one
  // part each. An action with some data counts as measured for the overall.
  std::array<std::optional<double>, kActionCount> action{};
  std::array<std::optional<double>, kActionCount> action_max{};
  std::array<uint8_t, kActionCount> measured{}, of{};
  std::array<std::string, kActionCount> band{};  // BandOfInterval
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
    // The means of the members' lower and upper bounds, over the members
    // with data (measured of the `of` members).
    std::optional<double> mean, mean_max;
    uint32_t measured = 0, of = 0;
    // Members per band; incomplete: an interval straddling two bands.
    uint32_t ready = 0, aspiring = 0, lagging = 0, incomplete = 0, no_data = 0;
    // BandOfInterval of the means, or "low_coverage" when EnoughCoverage
    // fails (and there is some data).
    std::string band;
  };
  std::array<PerAction, kActionCount> action{};
};

struct ScoreOptions {
  Bands bands;
  unsigned threads = 0;  // 0: one per core
  // The ASNs on some path, sorted and distinct, when the routes were read
  // a prefix partition at a time (pipeline/analyze.cc) and the snapshot's
  // paths are no longer in memory; null: from s.routes.paths().
  const std::vector<Asn>* observed_asns = nullptr;
};

// A note for people as a translation key (web/src/locales/server-score.*.json,
// "{name}" placeholders filled from args) beside its English text.
struct Note {
  std::string key;
  std::vector<std::pair<std::string, std::string>> args;
  std::string text;
};

struct Scoreboard {
  std::vector<AsScore> ases;  // by ASN
  std::vector<Aggregate> aggregates;
  std::vector<Note> notes;  // what had no data and why
  // Whether the snapshot had VRPs / IRR route objects at all (and not
  // damaged): without them an RPKI or IRR share is missing data, not 0 %.
  bool have_vrps = false, have_irr = false;
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
