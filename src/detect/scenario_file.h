// Detection scenarios as data (tests/scenarios/*.scn, format in
// tests/scenarios/README.md): the routes collector peers had and saw, the
// VRPs, IRR route objects, AS relationships, as2org siblings, delegated
// registry lines and origin history in; the exact incidents out.
//
// ParseScenario() reads one scenario (with its includes) and says where it
// went wrong as file:line; WriteScenarioSnapshot() turns it into a real
// snapshot directory (MRT files written with Vigía's own MrtWriter,
// rpki-client JSON, RPSL, CAIDA as-rel and as2org files, an RIR delegated
// file, manifest.json), so that LoadSnapshot() + Detect() run on it as on
// collected data; CompareIncidents() lists every difference between the
// expected and the detected incidents, each at the file:line it concerns.
//
// Test support: compiled into the test binaries only. No shared state;
// each function works on its arguments alone.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <tuple>
#include <unordered_map>
#include <vector>

#include "core/asn.h"
#include "core/ip.h"
#include "core/status.h"
#include "detect/detect.h"

namespace vigia::detect::scenario {

// A place in a scenario file.
struct Where {
  std::string file;
  int line = 0;
};

struct PeerDef {
  std::string collector;
  Asn asn = 0;
  IpAddress ip;
};

struct PathDef {
  std::vector<std::pair<uint8_t, std::vector<Asn>>> segments;  // (type, ASNs)
};

struct RouteEvent {
  bool rib = false;
  bool withdraw = false;
  uint32_t time = 0;
  std::string peer;
  Prefix prefix;
  PathDef path;
};

struct Expected {
  std::string type, kind;
  Asn culprit = 0;
  std::optional<Asn> propagator;
  std::vector<Prefix> prefixes;
  std::optional<uint32_t> start, end;
  std::optional<double> confidence;
  std::optional<std::vector<Asn>> origins;  // of the evidence paths, sorted
  std::optional<std::vector<Asn>> victims;  // Incident::victims, sorted
  Where where;
};

struct Scenario {
  Where where;                      // the file, line 0
  std::string rule;                 // the rule (RFC, SPEC, methodology) it checks
  std::optional<std::string> gap;   // set: a known gap, why the detectors disagree
  std::vector<std::string> checks;  // the incident types it is about
  bool expect_none = false;         // "expect none" was given
  uint32_t window_start = 0, window_end = 0;
  std::map<std::string, PeerDef> peers;
  std::vector<std::string> peer_order;
  std::vector<RouteEvent> events;
  std::vector<std::tuple<Prefix, int, Asn>> vrps;
  std::vector<std::tuple<Prefix, Asn, std::string>> irr;
  std::vector<std::string> rels;
  std::vector<std::pair<Asn, std::string>> orgs;
  std::vector<std::string> delegated;
  std::unordered_map<Prefix, std::vector<Asn>, PrefixHash> history;
  std::vector<Expected> expected;
};

// A parse error, at the line it concerns.
struct ParseError {
  Where where;
  std::string message;
};

// Reads the scenario file `file`; `include NAME` reads
// `include_dir`/NAME.inc. Checks what a scenario must have (rule, checks,
// window, expect lines or "expect none") and that every type named is a
// registered incident type (incident_type.h).
std::optional<ParseError> ParseScenarioFile(const std::filesystem::path& file,
                                            const std::filesystem::path& include_dir,
                                            Scenario* out);
// The same over text; `name` stands for the file in messages.
std::optional<ParseError> ParseScenario(const std::string& text, const std::string& name,
                                        const std::filesystem::path& include_dir, Scenario* out);

// Writes the snapshot directory `root` (created) for `s`.
Status WriteScenarioSnapshot(const Scenario& s, const std::filesystem::path& root);

// One difference between expected and detected incidents.
struct Mismatch {
  Where where;          // the expect line, or the file for an extra incident
  std::string message;  // "missing: ..." or "extra: ...", with what was detected
};
// Nothing missing, nothing extra. irr_unregistered incidents count only in
// a scenario that checks or expects that type: elsewhere every route
// without a route object would be one.
std::vector<Mismatch> CompareIncidents(const Scenario& s, const std::vector<Incident>& detected);

// An incident as an expect line would state it.
std::string Describe(const Scenario& s, const Incident& in);

}  // namespace vigia::detect::scenario
