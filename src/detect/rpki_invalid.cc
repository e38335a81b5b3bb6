// RPKI-invalid routes (RFC 6811; MANRS M7RPKI's incidents): reported when no
// earlier detector already explains the route (a hijack of a prefix with
// ROAs is invalid too, and is reported as the hijack).
#include <fmt/format.h>

#include <set>

#include "detect/detect.h"
#include "rpki/origin_validation.h"

namespace vigia::detect {

std::optional<Incident> RpkiInvalidIncident(const rpki::VrpSet& vrps, const Prefix& p, Asn origin) {
  const rpki::RovResult r = rpki::Validate(vrps, p, origin);
  if (r.state != rpki::RovState::kInvalidOrigin && r.state != rpki::RovState::kInvalidLength) {
    return std::nullopt;
  }
  Incident in;
  in.type = kRpkiInvalid;
  in.kind = r.state == rpki::RovState::kInvalidLength ? "invalid_length" : "invalid_origin";
  in.culprit = origin;
  in.prefixes = {p};
  std::string roas;
  for (const rpki::Vrp& x : r.covering) {
    if (roas.size() > 200) break;
    roas += fmt::format("{}{}-{} AS{}", roas.empty() ? "" : ", ", x.prefix.ToString(), x.max_length,
                        x.asn);
  }
  in.cause = fmt::format("{}: {}", in.kind, roas);
  AddReason(&in, fmt::format("RFC 6811 {}: covering ROAs {}", rpki::RovStateName(r.state), roas),
            {r.state == rpki::RovState::kInvalidLength ? "detect.rpki_invalid.length"
                                                       : "detect.rpki_invalid.origin",
             {{"roas", roas}}});
  return in;
}

void DetectRpkiInvalid(const Snapshot& s, const RouteView& v, std::vector<Incident>* out) {
  if (s.vrps.size() == 0) return;
  std::set<std::pair<Prefix, Asn>> explained;
  std::set<Prefix> bogon_paths;  // prefixes with a bogon_asn incident
  for (const Incident& in : *out) {
    for (const Prefix& p : in.prefixes) {
      if (in.type == kBogonAsn) bogon_paths.insert(p);
      if (in.type != kRouteLeak) explained.insert({p, in.culprit});
    }
  }
  const auto& bogons = s.registry.bogons();
  for (const OriginRoute& o : v.routes()) {
    if (o.origin == 0) continue;
    const Prefix& p = s.routes.prefixes()[o.prefix];
    // A route whose origin is itself a bogon ASN is that incident's.
    if (explained.contains({p, o.origin})) continue;
    if (bogons.ClassifyAsn(o.origin) && bogon_paths.contains(p)) continue;
    std::optional<Incident> found = RpkiInvalidIncident(s.vrps, p, o.origin);
    if (!found) continue;
    Incident& in = *found;
    in.propagator = PropagatorOf(s.routes.paths(), o.paths, o.origin);
    in.start = o.first;
    in.end = o.last;
    in.evidence = Evidence(s, {&o}, in.reasons);
    out->push_back(std::move(in));
  }
}

}  // namespace vigia::detect
