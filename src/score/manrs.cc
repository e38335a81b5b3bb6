#include "score/manrs.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "score/scoring.h"

namespace vigia::score {

namespace {

constexpr const char* kMetricNames[kMetricCount] = {"M1", "M1C", "M2", "M2C", "M3",    "M3C",
                                                    "M4", "M4C", "M5", "M6",  "M7IRR", "M7RPKI"};
constexpr const char* kActionNames[kActionCount] = {"action1", "action2", "action3", "action4",
                                                    "overall"};

std::string Upper(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = (c >= 'a' && c <= 'z') ? static_cast<char>(c - 'a' + 'A') : c;
  return out;
}

// The interval of a mean of parts some of which may have no data: a part
// with no data counts `missing_as` (0 for the lower bound, 100 for the
// upper), its own lower or upper bound otherwise. Empty when no part has
// data: nothing is known.
struct Span {
  std::optional<double> lo, hi;
  uint8_t measured = 0, of = 0;
};
Span MeanSpan(std::initializer_list<std::pair<std::optional<double>, std::optional<double>>> xs) {
  Span s;
  double lo = 0, hi = 0;
  for (const auto& [x_lo, x_hi] : xs) {
    ++s.of;
    if (x_lo) {
      ++s.measured;
      lo += *x_lo;
      hi += x_hi.value_or(*x_lo);
    } else {
      hi += 100;
    }
  }
  if (s.measured == 0) return s;
  s.lo = lo / s.of;
  s.hi = hi / s.of;
  return s;
}

}  // namespace

const char* MetricName(Metric m) { return kMetricNames[m]; }
const char* ActionName(Action a) { return kActionNames[a]; }

double IncidentWeight(uint32_t seconds) {
  if (seconds < 30 * 60) return 0.5;
  return 1 + seconds / 86400;  // [30 min, 24 h) 1; [24 h, 48 h) 2; ...
}

double MergedPenalty(std::vector<Interval> v) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end(),
            [](const Interval& a, const Interval& b) { return a.start < b.start; });
  double total = 0;
  Interval cur = v[0];
  for (size_t i = 1; i <= v.size(); ++i) {
    if (i < v.size() && v[i].start <= cur.end) {
      cur.end = std::max(cur.end, v[i].end);
      cur.confidence = std::max(cur.confidence, v[i].confidence);
      continue;
    }
    total += IncidentWeight(cur.end - cur.start) * cur.confidence;
    if (i < v.size()) cur = v[i];
  }
  return total;
}

double PenaltyToPercent(double raw) {
  if (raw <= 0) return 100;
  return 100 * std::pow(0.6, std::sqrt(2 * raw));
}

bool ParseBands(std::string_view text, Bands* out) {
  const size_t comma = text.find(',');
  if (comma == std::string_view::npos) return false;
  try {
    size_t n1 = 0, n2 = 0;
    const std::string a(text.substr(0, comma)), b(text.substr(comma + 1));
    const double ready = std::stod(a, &n1), aspiring = std::stod(b, &n2);
    if (n1 != a.size() || n2 != b.size()) return false;
    if (!(ready <= 100 && aspiring >= 0 && aspiring <= ready)) return false;
    *out = {ready, aspiring};
    return true;
  } catch (...) {
    return false;
  }
}

std::string BandOf(std::optional<double> score, const Bands& b) {
  if (!score) return "";
  if (*score >= b.ready) return "ready";
  if (*score >= b.aspiring) return "aspiring";
  return "lagging";
}

std::string RegionOf(std::string_view name) {
  std::string s = Upper(name.substr(0, name.find(',')));
  while (!s.empty() && s.front() == ' ') s.erase(s.begin());
  while (!s.empty() && s.back() == ' ') s.pop_back();
  if (s == "ARIN") return "arin";
  if (s == "RIPE" || s == "RIPE NCC" || s == "RIPENCC") return "ripencc";
  if (s == "APNIC") return "apnic";
  if (s == "LACNIC" || s == "NIC.BR" || s == "NIC.MX") return "lacnic";
  if (s == "AFRINIC") return "afrinic";
  for (std::string_view nir : {"JPNIC", "KRNIC", "TWNIC", "CNNIC", "IDNIC", "VNNIC", "IRINN"}) {
    if (s == nir) return "apnic";
  }
  return "";
}

std::string BandOfInterval(std::optional<double> lo, std::optional<double> hi, const Bands& b) {
  std::string band = BandOf(lo, b);
  if (hi && BandOf(hi, b) != band) return "incomplete";
  return band;
}

bool EnoughCoverage(uint32_t measured, uint32_t of) {
  return measured >= kMinMeasured && 2 * static_cast<uint64_t>(measured) >= of;
}

const AsScore* Scoreboard::Find(Asn asn) const {
  auto it = std::lower_bound(ases.begin(), ases.end(), asn,
                             [](const AsScore& a, Asn x) { return a.asn < x; });
  return it != ases.end() && it->asn == asn ? &*it : nullptr;
}

namespace internal {

// Actions and overall from the metrics (raw penalties for Action 1). A
// part with no data widens the interval rather than leaving the mean
// (decision 1 of docs/methodology.md): averaging only the parts with data
// made 841 networks of the real-data snapshot "Ready" on Action 1 alone.
void ComputeActions(AsScore* a, bool observed, const Bands& bands, bool action4_complete) {
  auto single = [&](Action act, std::optional<double> v) {
    a->action[act] = a->action_max[act] = v;
    a->measured[act] = v ? 1 : 0;
    a->of[act] = 1;
  };
  if (observed) {
    double penalty = 0;
    for (int m = kM1; m <= kM4C; ++m) penalty += a->raw[m];
    single(kAction1, PenaltyToPercent(penalty));
  } else {
    single(kAction1, std::nullopt);
  }
  single(kAction2, a->value[kM5]);
  single(kAction3, a->value[kM6]);
  // A damaged rpki/ or irr/ leaves Action 4 with no data at all: the
  // metric left alone would be a better score than the data.
  const Span a4 =
      action4_complete
          ? MeanSpan({{a->value[kM7Irr], a->value[kM7Irr]}, {a->value[kM7Rpki], a->value[kM7Rpki]}})
          : MeanSpan({{std::nullopt, std::nullopt}, {std::nullopt, std::nullopt}});
  a->action[kAction4] = a4.lo;
  a->action_max[kAction4] = a4.hi;
  a->measured[kAction4] = a4.measured;
  a->of[kAction4] = a4.of;
  const Span all = MeanSpan({{a->action[kAction1], a->action_max[kAction1]},
                             {a->action[kAction2], a->action_max[kAction2]},
                             {a->action[kAction3], a->action_max[kAction3]},
                             {a->action[kAction4], a->action_max[kAction4]}});
  a->action[kOverall] = all.lo;
  a->action_max[kOverall] = all.hi;
  a->measured[kOverall] = all.measured;
  a->of[kOverall] = all.of;
  for (size_t i = 0; i < kActionCount; ++i)
    a->band[i] = BandOfInterval(a->action[i], a->action_max[i], bands);
}

double Round2(double x) { return std::round(x * 100) / 100; }

bool Context::Observed(Asn a) const {
  return std::binary_search(observed.begin(), observed.end(), a);
}

void FixList::Add(Metric m, std::string_view code, std::string what, std::vector<std::string> items,
                  size_t count) {
  ComputeActions(&after_, seen_, bands_, action4_complete_);
  Fix f;
  f.metric = MetricName(m);
  f.what = std::move(what);
  f.key = "fix." + std::string(code);
  f.items = std::move(items);
  f.count = count;
  f.metric_after = after_.value[m];
  const Action act = m <= kM4C ? kAction1 : m == kM5 ? kAction2 : m == kM6 ? kAction3 : kAction4;
  f.action_after = after_.action[act];
  f.overall_after = after_.action[kOverall];
  if (f.metric_after) f.metric_after = Round2(*f.metric_after);
  if (f.action_after) f.action_after = Round2(*f.action_after);
  if (f.overall_after) f.overall_after = Round2(*f.overall_after);
  a_->fixes.push_back(std::move(f));
}

void FixList::ReviseLastOverall() {
  ComputeActions(&after_, seen_, bands_, action4_complete_);
  if (!a_->fixes.empty()) {
    a_->fixes.back().overall_after = after_.action[kOverall]
                                         ? std::optional<double>(Round2(*after_.action[kOverall]))
                                         : std::nullopt;
  }
}

}  // namespace internal

// The parts run in a fixed order: each fix's "after" scores build on the
// fixes above it (incidents, then RPKI and IRR, then PeeringDB, then
// Spoofer), and the route tallies of Action 4 come before the incident
// lists of Action 1, as the AS's incident list is kept in incident order.
Scoreboard Score(const detect::Snapshot& s, const detect::RouteView& v,
                 const std::vector<detect::Incident>& incidents, const Extras& extras,
                 const ScoreOptions& opts) {
  using snapshot::Part;
  Scoreboard board;
  internal::Context c{s, v, incidents, extras, opts, board, {}, {}};
  // An input the snapshot lacks, or has damaged, gives no data: a partial
  // snapshot never scores better than the data would.
  c.have_vrps = s.vrps.size() > 0 && !s.Damaged(Part::kRpki);
  c.have_irr = s.irr.route_count() > 0 && !s.Damaged(Part::kIrr);
  c.have_rel = s.relations.as_count() > 0;
  c.have_spoofer = extras.have_spoofer && !s.Damaged(Part::kExtra);
  c.have_peeringdb = extras.have_peeringdb && !s.Damaged(Part::kPeeringDb);
  c.action4_complete = !s.Damaged(Part::kRpki) && !s.Damaged(Part::kIrr);
  board.have_vrps = c.have_vrps;
  board.have_irr = c.have_irr;
  internal::ChooseAses(c);
  internal::Identify(c);
  internal::Action4Validation a4(c);
  internal::Action1Filtering a1(c);
  internal::Action2Spoofing a2(c);
  internal::Action3Coordination a3(c);

  // "score.note.no_vrps" ("M7RPKI: no VRPs"), or when the input is
  // damaged "score.note.damaged" with the metric and the directory.
  auto lacking = [&](const char* metric, Part p, const char* key, const char* none) {
    if (s.Damaged(p)) {
      const std::string dir = InfoOf(p).dir;
      board.notes.push_back(
          {"score.note.damaged",
           {{"metric", metric}, {"dir", dir}},
           std::string(metric) + ": " + dir + "/ is missing or damaged (a partial snapshot)"});
    } else {
      board.notes.push_back({key, {}, std::string(metric) + ": " + none});
    }
  };
  if (!c.have_rel) {
    board.notes.push_back({"score.note.no_relationships",
                           {},
                           "M1 and M1C: no AS relationships, so no route-leak detection"});
  }
  if (!c.have_vrps) lacking("M7RPKI", Part::kRpki, "score.note.no_vrps", "no VRPs");
  if (!c.have_irr) lacking("M7IRR", Part::kIrr, "score.note.no_irr", "no IRR route objects");
  if (!c.have_spoofer)
    lacking("M5", Part::kExtra, "score.note.no_spoofer", "no CAIDA Spoofer data");
  if (!c.have_peeringdb)
    lacking("M6", Part::kPeeringDb, "score.note.no_peeringdb", "no PeeringDB data");

  for (size_t k = 0; k < board.ases.size(); ++k) {
    AsScore& a = board.ases[k];
    const bool seen = c.Observed(a.asn);
    a1.Values(k);
    a2.Values(k);
    a3.Values(k);
    a4.Values(k);
    internal::ComputeActions(&a, seen, opts.bands, c.action4_complete);
    internal::FixList fixes(&a, seen, opts.bands, c.action4_complete);
    a1.Fixes(k, fixes);
    a4.Fixes(k, fixes);
    a3.Fixes(k, fixes);
    a2.Fixes(k, fixes);
  }
  internal::BuildAggregates(c);
  return board;
}

}  // namespace vigia::score
