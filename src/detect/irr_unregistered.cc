// IRR-unregistered announcements (SPEC C7; the incidents behind MANRS
// M7IRR): routes with no route object of their origin, by the route-check
// states of irr/route_check.h. One incident per origin AS and state, not
// per route: a registration gap is one thing for its holder to fix, and a
// full table holds hundreds of thousands of such routes.
//
//   kind other_origin  route objects cover the prefix but none names this
//                      origin (the stronger signal: someone registered the
//                      space for another AS)
//   kind not_found     no route object covers the prefix at all
//
// Routes an earlier detector reported (hijacks, bogons, RPKI invalid) are
// left to that incident.
#include <fmt/format.h>

#include <map>
#include <set>
#include <thread>

#include "detect/detect.h"
#include "irr/route_check.h"

namespace vigia::detect {

void DetectIrrUnregistered(const Snapshot& s, const RouteView& v, std::vector<Incident>* out) {
  if (s.irr.route_count() == 0) return;
  const auto& routes = v.routes();
  std::vector<uint8_t> state(routes.size(), static_cast<uint8_t>(irr::IrrState::kExact));
  {
    const unsigned n = std::clamp(std::thread::hardware_concurrency(), 1u, 8u);
    std::vector<std::thread> pool;
    for (unsigned t = 0; t < n; ++t) {
      pool.emplace_back([&, t] {
        for (size_t i = t; i < routes.size(); i += n) {
          if (routes[i].origin == 0) continue;
          state[i] = static_cast<uint8_t>(
              irr::CheckRoute(s.irr, s.routes.prefixes()[routes[i].prefix], routes[i].origin)
                  .state);
        }
      });
    }
    for (auto& th : pool) th.join();
  }
  std::set<std::pair<Prefix, Asn>> explained;
  for (const Incident& in : *out) {
    if (in.type == kRouteLeak) continue;
    for (const Prefix& p : in.prefixes) explained.insert({p, in.culprit});
  }
  const auto& bogons = s.registry.bogons();
  std::map<std::pair<Asn, uint8_t>, std::vector<const OriginRoute*>> by;
  for (size_t i = 0; i < routes.size(); ++i) {
    const auto st = static_cast<irr::IrrState>(state[i]);
    if (st != irr::IrrState::kOtherOrigin && st != irr::IrrState::kNotFound) continue;
    const OriginRoute& o = routes[i];
    const Prefix& p = s.routes.prefixes()[o.prefix];
    if (bogons.ClassifyAsn(o.origin) || bogons.Classify(p.address())) continue;
    if (!explained.empty() && explained.contains({p, o.origin})) continue;
    by[{o.origin, state[i]}].push_back(&o);
  }
  for (const auto& [key, list] : by) {
    const bool other = static_cast<irr::IrrState>(key.second) == irr::IrrState::kOtherOrigin;
    Incident in;
    in.type = kIrrUnregistered;
    in.kind = other ? "other_origin" : "not_found";
    in.cause = in.kind;
    in.culprit = key.first;
    std::vector<uint32_t> ids;
    in.start = UINT32_MAX;
    for (const OriginRoute* o : list) {
      in.prefixes.push_back(s.routes.prefixes()[o->prefix]);
      in.start = std::min(in.start, o->first);
      in.end = std::max(in.end, o->last);
      if (ids.size() < 200) ids.insert(ids.end(), o->paths.begin(), o->paths.end());
    }
    std::sort(in.prefixes.begin(), in.prefixes.end());
    in.propagator = PropagatorOf(s.routes.paths(), ids, key.first);
    in.confidence = 1;
    AddReason(&in,
              fmt::format("AS{} originates {} route{} with {}", key.first, list.size(),
                          list.size() == 1 ? "" : "s",
                          other ? "route objects in the IRR for other origins only"
                                : "no covering route object in any IRR source loaded"),
              {fmt::format("detect.irr_unregistered.{}.{}", other ? "other_origin" : "not_found",
                           list.size() == 1 ? "one" : "other"),
               {{"origin", std::to_string(key.first)}, {"count", std::to_string(list.size())}}});
    const std::vector<const OriginRoute*> sample(list.begin(),
                                                 list.begin() + std::min<size_t>(list.size(), 20));
    in.evidence = Evidence(s, sample, in.reasons);
    out->push_back(std::move(in));
  }
}

}  // namespace vigia::detect
