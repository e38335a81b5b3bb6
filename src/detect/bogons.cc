// Bogon prefixes and bogon ASNs (SPEC C5, C7; MANRS M3 and M4).
#include <fmt/format.h>

#include <map>

#include "detect/detect.h"

namespace vigia::detect {

void DetectBogons(const Snapshot& s, const RouteView& v, std::vector<Incident>* out) {
  const auto& bogons = s.registry.bogons();
  const auto& paths = s.routes.paths();
  // Prefixes in special-purpose (RFC 6890) or undelegated space.
  for (const OriginRoute& o : v.routes()) {
    const Prefix& p = s.routes.prefixes()[o.prefix];
    const registry::BogonReason* why = bogons.Classify(p.address());
    if (!why || o.origin == 0) continue;
    const bool special = why->kind == registry::BogonKind::kSpecialPurpose;
    Incident in;
    in.type = "bogon_prefix";
    in.kind = special ? "special_purpose" : "unallocated";
    in.culprit = o.origin;
    in.propagator = PropagatorOf(paths, o.paths, o.origin);
    in.prefixes = {p};
    in.start = o.first;
    in.end = o.last;
    in.confidence = 1;
    in.reasons = {fmt::format("{} is {} space: {}", p.ToString(),
                              special ? "special-purpose" : "undelegated", why->detail)};
    in.evidence = Evidence(s, {&o}, in.reasons);
    out->push_back(std::move(in));
  }
  // Paths holding a bogon ASN: the AS next to it towards the collector let
  // it through (or added it).
  std::map<uint32_t, std::pair<Asn, Asn>> culprit_of;  // path id -> (culprit, bogon)
  for (const OriginRoute& o : v.routes()) {
    for (uint32_t id : o.paths) {
      if (culprit_of.contains(id)) continue;
      const auto p = paths.Get(id);
      std::pair<Asn, Asn> found{0, 0};
      // From the origin end: the first bogon ASN with a public AS before it.
      for (size_t i = p.size(); i-- > 1;) {
        if (bogons.ClassifyAsn(p[i]) && !bogons.ClassifyAsn(p[i - 1])) {
          found = {p[i - 1], p[i]};
          break;
        }
      }
      culprit_of[id] = found;
    }
  }
  for (const OriginRoute& o : v.routes()) {
    std::map<std::pair<Asn, Asn>, std::vector<uint32_t>> by;
    for (uint32_t id : o.paths) {
      const auto c = culprit_of[id];
      if (c.first != 0) by[c].push_back(id);
    }
    for (const auto& [key, ids] : by) {
      const auto [culprit, bogon] = key;
      Incident in;
      in.type = "bogon_asn";
      const registry::BogonReason* why = bogons.ClassifyAsn(bogon);
      in.kind = why ? why->detail : "bogon";
      in.culprit = culprit;
      in.propagator = PropagatorOf(paths, ids, culprit);
      in.prefixes = {s.routes.prefixes()[o.prefix]};
      in.start = o.first;
      in.end = o.last;
      in.reasons = {fmt::format("AS{} passes on a path with bogon AS{} ({})", culprit, bogon,
                                why ? why->detail : "bogon")};
      in.evidence = Evidence(s, {&o}, in.reasons);
      out->push_back(std::move(in));
    }
  }
}

}  // namespace vigia::detect
