#include "irr/route_check.h"

#include <algorithm>

namespace vigia::irr {

std::string_view IrrStateName(IrrState s) {
  switch (s) {
    case IrrState::kExact:
      return "exact";
    case IrrState::kLessSpecific:
      return "less-specific";
    case IrrState::kOtherOrigin:
      return "other-origin";
    case IrrState::kNotFound:
      return "not-found";
  }
  return "?";
}

IrrCheckResult CheckRoute(const IrrDatabase& db, const Prefix& prefix, Asn origin,
                          std::span<const SourceId> sources) {
  const Prefix p = prefix.Masked();
  auto rank = [&](SourceId s) -> size_t {
    if (sources.empty()) return s;
    return static_cast<size_t>(std::find(sources.begin(), sources.end(), s) - sources.begin());
  };
  std::vector<uint32_t> exact, less, other;
  db.ForEachCoveringRoute(p, [&](uint32_t i) {
    const RouteObject& r = db.routes()[i];
    if (rank(r.source) == sources.size() && !sources.empty()) return;
    if (r.origin != origin) {
      other.push_back(i);
    } else if (r.prefix.length() == p.length()) {
      exact.push_back(i);
    } else {
      less.push_back(i);
    }
  });
  IrrCheckResult res;
  if (!exact.empty()) {
    res.state = IrrState::kExact;
    res.objects = std::move(exact);
  } else if (!less.empty()) {
    res.state = IrrState::kLessSpecific;
    res.objects = std::move(less);
  } else if (!other.empty()) {
    res.state = IrrState::kOtherOrigin;
    res.objects = std::move(other);
  } else {
    return res;
  }
  // The trie gives least specific first; answers read best most specific
  // first, and within one prefix in source preference order.
  std::stable_sort(res.objects.begin(), res.objects.end(), [&](uint32_t a, uint32_t b) {
    const RouteObject& x = db.routes()[a];
    const RouteObject& y = db.routes()[b];
    if (x.prefix.length() != y.prefix.length()) return x.prefix.length() > y.prefix.length();
    return rank(x.source) < rank(y.source);
  });
  return res;
}

}  // namespace vigia::irr
