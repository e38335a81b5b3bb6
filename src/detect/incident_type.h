// The incident-type registry: one row per type of incident a detector
// reports, and everything the rest of the system needs to know about it.
// analyze (the origin history), score (which MANRS metric it counts
// against, what the fix is), serve and `vigia incidents` (which --type
// values exist), the web app (its display and fix keys in
// web/src/locales/*.json), the simulator (the names in truth.json) and the
// rule scenarios (tests/scenarios) all read it here, so that a new type is
// one row, not an edit in each of them.
//
// A built-in type is a row of kBuiltIn in incident_type.cc. A type defined
// outside this library (a detector compiled into one binary only, like the
// test-only detector of extension_test.cc) adds itself with
// RegisterIncidentType() from a static initialiser.
//
// Thread safety: registration happens during static initialisation, before
// main(); after that the registry is read-only and may be read from any
// thread. Rows live as long as the process (pointers stay valid).
#pragma once

#include <deque>
#include <string>
#include <string_view>
#include <vector>

namespace vigia::detect {

// The built-in types' names: stored with each incident, written in
// truth.json, accepted by `--type` and the API's `type` parameter.
inline constexpr std::string_view kHijack = "hijack";
inline constexpr std::string_view kSubprefixHijack = "subprefix_hijack";
inline constexpr std::string_view kRouteLeak = "route_leak";
inline constexpr std::string_view kBogonPrefix = "bogon_prefix";
inline constexpr std::string_view kBogonAsn = "bogon_asn";
inline constexpr std::string_view kRpkiInvalid = "rpki_invalid";
inline constexpr std::string_view kIrrUnregistered = "irr_unregistered";

struct IncidentType {
  std::string_view name;  // lower case, [a-z0-9_]
  // The MANRS Action 1 metric (score/manrs.h) an incident counts against
  // its culprit, and the one it counts against a provider that passed on
  // its direct customer's (SPEC C8); both empty for a type that is no
  // Action 1 incident (rpki_invalid counts through M7RPKI, irr_unregistered
  // through M7IRR).
  std::string_view metric, customer_metric;
  // The culprit may not be entitled to originate the prefix: the (prefix,
  // origin) is kept out of the origin history that hijack detection
  // consults in later snapshots.
  bool questions_origin = false;
  // The culprit's fix is to withdraw the route, not to register it:
  // scoring leaves those routes out of its ROA and route-object fix lists.
  bool withdraw_fix = false;
  // The fix for the culprit and for a provider that passed it on: a code
  // (locale key "fix.<code>") and its English text, which the score's fix
  // list carries and web/src/locales/en.json holds under that key.
  std::string_view fix, fix_text;
  std::string_view customer_fix, customer_fix_text;
  // Locale key of its display name in web/src/locales/*.json; the web app
  // builds it as "itype.<name>".
  std::string_view display_key;
};

// Every registered type: the built-in ones in kBuiltIn's order, then the
// registered ones in registration order.
const std::deque<IncidentType>& IncidentTypes();

// The type called `name`, or nullptr.
const IncidentType* FindIncidentType(std::string_view name);

// Adds a type. False (and nothing added) when the name is empty, not
// [a-z0-9_], or taken. Call it before main() (see the thread safety note).
bool RegisterIncidentType(const IncidentType& type);

// Every type's name, joined by `separator`, for help texts and errors.
std::string IncidentTypeNames(std::string_view separator = ", ");
std::vector<std::string> IncidentTypeNameList();

// FindIncidentType(name)->questions_origin, false for an unknown name.
bool QuestionsOrigin(std::string_view name);

}  // namespace vigia::detect
