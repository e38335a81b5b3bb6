#include "detect/incident_type.h"

#include <algorithm>

namespace vigia::detect {

namespace {

// One row per built-in type, in the order the detectors report them
// (detect.h describes each rule). The fix texts are the ones
// web/src/locales/en.json holds under fix.<code>; incident_type_test.cc
// checks that every key exists in every language. constexpr, so that the
// table is there before any static initialiser registers more types (a
// copy taken before its dynamic initialisation would be empty rows).
constexpr IncidentType kBuiltIn[] = {
    {kHijack, "M2", "M2C", true, true, "stop_hijack",
     "stop announcing space of other networks, or register the authorisation (ROA, route object)",
     "filter_customers",
     "filter customer announcements of space they do not hold (IRR and RPKI based filters)",
     "itype.hijack"},
    {kSubprefixHijack, "M2", "M2C", true, true, "stop_hijack",
     "stop announcing space of other networks, or register the authorisation (ROA, route object)",
     "filter_customers",
     "filter customer announcements of space they do not hold (IRR and RPKI based filters)",
     "itype.subprefix_hijack"},
    {kRouteLeak, "M1", "M1C", false, false, "stop_leaks",
     "stop the route leaks: export provider and peer routes only to customers (RFC 7908)",
     "filter_leaks",
     "filter route leaks from customers: prefix filters or ASPA on customer sessions",
     "itype.route_leak"},
    {kBogonPrefix, "M3", "M3C", true, true, "stop_bogon_prefix", "stop originating bogon prefixes",
     "filter_bogon_prefix", "filter bogon prefixes from customers", "itype.bogon_prefix"},
    {kBogonAsn, "M4", "M4C", false, false, "stop_bogon_asn",
     "stop passing on paths with bogon ASNs", "filter_bogon_asn",
     "filter customer paths with bogon ASNs", "itype.bogon_asn"},
    // Counted through M7RPKI: the fix is the score's own ROA fix.
    {kRpkiInvalid, "", "", true, false, "correct_roas",
     "correct the ROAs (origin or maxLength) behind these RPKI-invalid routes, or withdraw them",
     "", "", "itype.rpki_invalid"},
    // Counted through M7IRR: the fix is the score's own route-object fix.
    {kIrrUnregistered, "", "", false, false, "irr_register",
     "register route objects for these routes in an IRR", "", "", "itype.irr_unregistered"},
};

std::deque<IncidentType>& Registry() {
  static std::deque<IncidentType> types(std::begin(kBuiltIn), std::end(kBuiltIn));
  return types;
}

bool ValidName(std::string_view n) {
  return !n.empty() && std::all_of(n.begin(), n.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
  });
}

}  // namespace

const std::deque<IncidentType>& IncidentTypes() { return Registry(); }

const IncidentType* FindIncidentType(std::string_view name) {
  for (const IncidentType& t : Registry()) {
    if (t.name == name) return &t;
  }
  return nullptr;
}

bool RegisterIncidentType(const IncidentType& type) {
  if (!ValidName(type.name) || FindIncidentType(type.name) != nullptr) return false;
  Registry().push_back(type);
  return true;
}

std::string IncidentTypeNames(std::string_view separator) {
  std::string out;
  for (const IncidentType& t : Registry()) {
    if (!out.empty()) out += separator;
    out += t.name;
  }
  return out;
}

std::vector<std::string> IncidentTypeNameList() {
  std::vector<std::string> out;
  for (const IncidentType& t : Registry()) out.emplace_back(t.name);
  return out;
}

bool QuestionsOrigin(std::string_view name) {
  const IncidentType* t = FindIncidentType(name);
  return t != nullptr && t->questions_origin;
}

}  // namespace vigia::detect
