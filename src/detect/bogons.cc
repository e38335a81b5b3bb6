// Bogon prefixes and bogon ASNs (SPEC C5, C7; MANRS M3 and M4).
#include <fmt/format.h>

#include <map>
#include <unordered_map>

#include "detect/detect.h"

namespace vigia::detect {

Incident BogonPrefixIncident(const Prefix& p, const registry::BogonReason& why, Asn origin) {
  const bool special = why.kind == registry::BogonKind::kSpecialPurpose;
  Incident in;
  in.type = kBogonPrefix;
  in.kind = special ? "special_purpose" : "unallocated";
  in.cause = in.kind;
  in.culprit = origin;
  in.prefixes = {p};
  in.confidence = 1;
  AddReason(&in,
            fmt::format("{} is {} space: {}", p.ToString(),
                        special ? "special-purpose" : "undelegated", why.detail),
            {special ? "detect.bogon_prefix.special_purpose" : "detect.bogon_prefix.undelegated",
             {{"prefix", p.ToString()}, {"detail", why.detail}}});
  return in;
}

std::pair<Asn, Asn> BogonAsnOf(const registry::BogonList& bogons, std::span<const Asn> path) {
  // From the origin end: the first bogon ASN with a public AS before it.
  for (size_t i = path.size(); i-- > 1;) {
    if (bogons.ClassifyAsn(path[i]) && !bogons.ClassifyAsn(path[i - 1])) {
      return {path[i - 1], path[i]};
    }
  }
  return {0, 0};
}

Incident BogonAsnIncident(const registry::BogonList& bogons, const Prefix& p, Asn culprit,
                          Asn bogon) {
  Incident in;
  in.type = kBogonAsn;
  const registry::BogonReason* why = bogons.ClassifyAsn(bogon);
  in.kind = why ? why->detail : "bogon";
  in.culprit = culprit;
  in.cause = fmt::format("AS{}", bogon);
  in.prefixes = {p};
  const std::string detail = why ? why->detail : "bogon";
  AddReason(&in, fmt::format("AS{} passes on a path with bogon AS{} ({})", culprit, bogon, detail),
            {"detect.bogon_asn.passes",
             {{"culprit", std::to_string(culprit)},
              {"bogon", std::to_string(bogon)},
              {"detail", detail}}});
  return in;
}

void DetectBogons(const Snapshot& s, const RouteView& v, std::vector<Incident>* out) {
  const auto& bogons = s.registry.bogons();
  const auto& paths = s.routes.paths();
  // Prefixes in special-purpose (RFC 6890) or undelegated space.
  for (const OriginRoute& o : v.routes()) {
    const Prefix& p = s.routes.prefixes()[o.prefix];
    const registry::BogonReason* why = bogons.Classify(p.address());
    if (!why || o.origin == 0) continue;
    Incident in = BogonPrefixIncident(p, *why, o.origin);
    in.propagator = PropagatorOf(paths, o.paths, o.origin);
    in.start = o.first;
    in.end = o.last;
    in.evidence = Evidence(s, {&o}, in.reasons);
    out->push_back(std::move(in));
  }
  // Paths holding a bogon ASN: the AS next to it towards the collector let
  // it through (or added it).
  std::vector<std::pair<Asn, Asn>> culprit_of(paths.size(),
                                              {0, 0});  // by path id: (culprit, bogon)
  for (uint32_t id = 0; id < paths.size(); ++id) {
    culprit_of[id] = BogonAsnOf(bogons, paths.Get(id));
  }
  // When each (prefix, path) with a bogon ASN was seen: the incident's
  // window is that of its paths, not of the whole route.
  std::unordered_map<uint64_t, std::pair<uint32_t, uint32_t>> seen;
  for (const auto& x : s.routes.sightings()) {
    if (culprit_of[x.path].first == 0) continue;
    auto [it, fresh] = seen.try_emplace((uint64_t{x.prefix} << 32) | x.path, x.start, x.end);
    if (!fresh) {
      it->second.first = std::min(it->second.first, x.start);
      it->second.second = std::max(it->second.second, x.end);
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
      Incident in = BogonAsnIncident(bogons, s.routes.prefixes()[o.prefix], culprit, bogon);
      in.propagator = PropagatorOf(paths, ids, culprit);
      in.start = UINT32_MAX;
      in.end = 0;
      for (uint32_t id : ids) {
        auto it = seen.find((uint64_t{o.prefix} << 32) | id);
        if (it == seen.end()) continue;
        in.start = std::min(in.start, it->second.first);
        in.end = std::max(in.end, it->second.second);
      }
      if (in.start > in.end) {
        in.start = o.first;
        in.end = o.last;
      }
      in.evidence = Evidence(s, {&o}, in.reasons);
      out->push_back(std::move(in));
    }
  }
}

}  // namespace vigia::detect
