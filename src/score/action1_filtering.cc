// MANRS Action 1, filtering (score/scoring.h): M1-M4C from the incidents
// the AS caused (M1 route leaks, M2 possible hijacks, M3 bogon prefixes, M4
// paths with a bogon ASN) and those of its direct customers it passed on
// (the C metrics). Each incident weighs by its duration times its
// confidence, overlapping ones of a metric merged (MergedPenalty); the raw
// penalty becomes a percentage by PenaltyToPercent.
#include <fmt/format.h>

#include <algorithm>

#include "detect/incident_type.h"
#include "score/scoring.h"

namespace vigia::score::internal {

namespace {

constexpr const char* kBaseMetricNames[] = {"M1", "M1C", "M2", "M2C", "M3", "M3C", "M4", "M4C"};

// The incident type's own metric (M1, M2, M3, M4: detect/incident_type.h),
// or -1 (rpki_invalid counts through M7RPKI, not as an incident). Its
// customer metric is the next one.
int BaseMetric(std::string_view type) {
  const detect::IncidentType* t = detect::FindIncidentType(type);
  for (int m = kM1; t != nullptr && !t->metric.empty() && m <= kM4; m += 2) {
    if (t->metric == kBaseMetricNames[m]) return m;
  }
  return -1;
}

}  // namespace

Action1Filtering::Action1Filtering(Context& c)
    : ActionPart(c), spans_(c.board.ases.size()), by_metric_(c.board.ases.size()) {
  AsScore* const base_ptr = c.board.ases.data();
  for (size_t i = 0; i < c.incidents.size(); ++i) {
    const detect::Incident& in = c.incidents[i];
    const int base = BaseMetric(in.type);
    const Interval iv{in.start, std::max(in.start, in.end), in.confidence};
    if (AsScore* culprit = c.Find(in.culprit)) {
      culprit->incidents.push_back(static_cast<uint32_t>(i));
      if (base >= 0) {
        spans_[culprit - base_ptr][base].push_back(iv);
        by_metric_[culprit - base_ptr][base].push_back(static_cast<uint32_t>(i));
      }
    }
    // The C metrics: the AS passed on what its direct customer did
    // (with no relationship data, any propagator counts).
    if (base >= 0 && in.propagator) {
      if (AsScore* p = c.Find(*in.propagator)) {
        const bool customer = !c.have_rel || c.s.relations.RelationOf(*in.propagator, in.culprit) ==
                                                 topology::Relation::kProvider;
        if (customer) {
          p->incidents.push_back(static_cast<uint32_t>(i));
          spans_[p - base_ptr][base + 1].push_back(iv);
          by_metric_[p - base_ptr][base + 1].push_back(static_cast<uint32_t>(i));
        }
      }
    }
  }
}

void Action1Filtering::Values(size_t k) {
  AsScore& a = c_.board.ases[k];
  const bool seen = c_.Observed(a.asn);
  for (int m = kM1; m <= kM4C; ++m) {
    a.raw[m] = MergedPenalty(spans_[k][m]);
    if (seen && (c_.have_rel || m > kM1C)) a.value[m] = PenaltyToPercent(a.raw[m]);
  }
}

void Action1Filtering::Fixes(size_t k, FixList& fixes) {
  AsScore& after = fixes.after();
  for (int m = kM1; m <= kM4C; ++m) {
    if (by_metric_[k][m].empty()) continue;
    // The fix the registry gives the first incident's type (types that
    // share a metric share its fix).
    const detect::IncidentType* type =
        detect::FindIncidentType(c_.incidents[by_metric_[k][m][0]].type);
    const std::string_view fix = m % 2 == kM1 ? type->fix_text : type->customer_fix_text;
    const std::string_view code = m % 2 == kM1 ? type->fix : type->customer_fix;
    std::vector<std::string> items;
    for (uint32_t i : by_metric_[k][m]) {
      if (items.size() >= kMaxFixItems) break;
      const auto& in = c_.incidents[i];
      items.push_back(fmt::format("#{} {} AS{} {}", i + 1, in.type, in.culprit,
                                  in.prefixes.empty() ? "" : in.prefixes[0].ToString()));
    }
    after.raw[m] = 0;
    after.value[m] = after.value[m] ? std::optional<double>(100) : std::nullopt;
    fixes.Add(static_cast<Metric>(m), code, std::string(fix), std::move(items),
              by_metric_[k][m].size());
  }
}

}  // namespace vigia::score::internal
