// A detector compiled into one test binary only (vigia_detect_extension_test):
// the proof that a new detector is its own file and its registration, and
// that nothing else has to change for its incidents to be detected, stored
// and scored. A built-in detector would be the same function, a line in
// Detectors()' table (detect.cc), a row in incident_type.cc and its
// itype.<name> strings in web/src/locales/{en,es,pt}.json.
//
//   too_specific  an IPv4 prefix longer than /24 or an IPv6 one longer than
//                 /48: most networks filter them (MANRS filtering guidance),
//                 so the route is noise at best. Counted like a bogon
//                 prefix (M3, M3C) and fixed the same way.
#include <fmt/format.h>

#include "detect/detect.h"
#include "detect/incident_type.h"

namespace vigia::detect {
namespace {

constexpr std::string_view kTooSpecific = "too_specific";

void DetectTooSpecific(const Snapshot& s, const RouteView& v, std::vector<Incident>* out) {
  for (const OriginRoute& o : v.routes()) {
    const Prefix& p = s.routes.prefixes()[o.prefix];
    const int longest = p.family() == Family::kIpv4 ? 24 : 48;
    if (o.origin == 0 || p.length() <= longest) continue;
    Incident in;
    in.type = kTooSpecific;
    in.kind = fmt::format("longer_than_{}", longest);
    in.culprit = o.origin;
    in.propagator = PropagatorOf(s.routes.paths(), o.paths, o.origin);
    in.prefixes = {p};
    in.start = o.first;
    in.end = o.last;
    in.reasons = {fmt::format("{} is longer than /{}", p.ToString(), longest)};
    in.evidence = Evidence(s, {&o}, in.reasons);
    out->push_back(std::move(in));
  }
}

// Registered before main(), after the built-in types and detectors.
const bool kRegistered =
    RegisterIncidentType({kTooSpecific, "M3", "M3C", false, false, "stop_bogon_prefix",
                          "stop originating bogon prefixes", "filter_bogon_prefix",
                          "filter bogon prefixes from customers", "itype.too_specific"}) &&
    RegisterDetector({"too_specific", DetectTooSpecific});

}  // namespace

bool TooSpecificRegistered() { return kRegistered; }

}  // namespace vigia::detect
