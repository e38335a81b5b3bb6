// The detect stage (SPEC C7): incidents with evidence, from the routes the
// collectors saw (observe/observed_routes.h) and the reference data of the
// same snapshot.
//
//   hijack            an origin that appears during the window for a prefix
//                     that had other origins at its start, unless it is a
//                     sibling (as2org) or a direct customer or provider of
//                     one of them, or a ROA makes it valid (RFC 6811), or
//                     earlier snapshots saw it originate the prefix; and
//                     (kind "history") an origin at the window start that
//                     earlier snapshots never saw for a prefix they saw
//                     with other origins, under the same exceptions.
//   subprefix_hijack  a more-specific that appears during the window with an
//                     origin none of the covering prefix's origins share,
//                     under the same exceptions.
//   route_leak        an AS path that is not valley-free over the AS
//                     relationships (Gao): the AS that sent a route learnt
//                     from a provider or peer on to a provider or peer is the
//                     leaker, the neighbour it sent it to the propagator;
//                     RFC 7908 §3 type 1-4 from the two links.
//   bogon_prefix      a prefix in special-purpose or undelegated space.
//   bogon_asn         a path holding a bogon ASN; the AS next to it (towards
//                     the collector) is the culprit.
//   rpki_invalid      a route RFC 6811 calls invalid (origin or length),
//                     when no incident above already explains it.
//   irr_unregistered  an origin's routes with no route object of that
//                     origin (kind other_origin: objects name other ASes;
//                     not_found: none covers the prefix), one incident per
//                     origin and kind, unless an incident above explains
//                     the route.
//
// Each detector is a function in its own file, listed in Detectors(); the
// types it reports are rows of the incident-type registry
// (detect/incident_type.h), which says what each type means to the rest of
// the system. Each incident names its culprit and propagator, the prefixes, the window it was
// seen in, the peers and collectors that saw it, example paths, a
// confidence and the reasons behind it (evidence, as JSON).
//
// Detectors work per route (prefix and origin); Detect() then merges the
// incidents that are one fault (Deduplicate): same type, prefixes, culprit
// and cause (Incident::cause), keeping every origin's paths as evidence.
#pragma once

#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <span>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/asn.h"
#include "core/ip.h"
#include "core/status.h"
#include "detect/incident_type.h"
#include "irr/irr_index.h"
#include "observe/observed_routes.h"
#include "registry/registry.h"
#include "rpki/vrp.h"
#include "snapshot/snapshot.h"
#include "topology/as2org.h"
#include "topology/as_relationships.h"

namespace vigia::detect {

// The snapshot the detectors read, and its loader, live in src/snapshot/.
using Snapshot = snapshot::Snapshot;
using snapshot::LoadSnapshot;

// A reason as a key with arguments, for translation (issue 15): the keys
// are defined in web/src/locales/server-detect.{en,es,pt}.json, flat
// {"key": "text with {arg}"}; the English text beside it in
// Incident::reasons says the same.
struct ReasonKey {
  std::string key;  // "detect.hijack.new_origin_exact", ...
  std::vector<std::pair<std::string, std::string>> args;
  friend bool operator==(const ReasonKey&, const ReasonKey&) = default;
};

struct Incident {
  std::string type;  // a registered IncidentType's name (incident_type.h)
  std::string kind;  // finer, e.g. "rfc7908_type1", "invalid_length"
  Asn culprit = 0;
  std::optional<Asn> propagator;
  std::vector<Prefix> prefixes;
  uint32_t start = 0, end = 0;
  double confidence = 1;
  std::vector<std::string> reasons;
  // reason_keys[i] is reasons[i] as a key (AddReason keeps them in step); a
  // reason without one is given as "detect.reason.text" {text}. Detect()
  // writes them into the evidence as "reason_keys": [{"key", "args"}].
  std::vector<ReasonKey> reason_keys;
  std::string evidence;  // JSON: paths, peers, collectors, times, reasons
  // What makes it one fault, beyond type, prefixes and culprit: incidents
  // equal in all four are one (Deduplicate). Per type:
  //   bogon_asn         "AS<bogon>": the bogon ASN the culprit passed on
  //   bogon_prefix      the kind (special_purpose, unallocated)
  //   hijack,           kind, the holders' prefix and the legitimate
  //   subprefix_hijack  origins it conflicts with ("exact 10.0.0.0/8 AS1,AS2")
  //   route_leak        kind and the receiver ("rfc7908_type1 AS2")
  //   rpki_invalid      kind and the covering VRPs
  //   irr_unregistered  the kind
  // Empty (a detector that sets none): the kind and reasons, so that only
  // identical incidents merge.
  std::string cause;
  // Whom it hurts (issue 15, method decision 4): for a hijack or
  // subprefix_hijack, the prefix's legitimate origins other than the
  // culprit, ascending, at most kMaxVictims: the origins it had at the window
  // start or in earlier snapshots (the holders the detector compares with),
  // the ASes of the ROAs covering it (RFC 6811 §2: a covering VRP) and the
  // origins of its most specific covering route objects. Empty for other
  // types. The evidence JSON repeats them as "victims".
  std::vector<Asn> victims;
};

// Victims an incident names at most (a prefix with more holders is shared
// space, e.g. anycast, and the list says "and others" by being full).
inline constexpr size_t kMaxVictims = 16;

// Evidence paths (and origins) a merged incident keeps; the counts beside
// them say how many there were.
inline constexpr size_t kMaxMergedPaths = 20;

// One incident per (type, prefixes, culprit, cause), in the order of their
// first occurrence: the earliest start, the latest end, the highest
// confidence, the propagator most of them name, the reasons of all, and
// evidence merged: example paths of every one (at least one each while
// under kMaxMergedPaths, "example_paths_total" counting them), "origins"
// and "origins_seen" (the paths' origins), peers, collectors, first and last
// seen, and "merged": how many incidents it stands for. Detect() calls it
// once, after every detector.
std::vector<Incident> Deduplicate(std::vector<Incident> incidents);

// Routes per prefix and origin, the view every detector starts from.
struct OriginRoute {
  uint32_t prefix = 0;  // into routes.prefixes()
  Asn origin = 0;       // 0: the path ends in an AS_SET
  uint32_t first = 0, last = 0;
  bool at_start = false;        // present at the window start
  std::vector<uint32_t> paths;  // distinct path ids
  std::vector<uint32_t> peers;  // distinct peer ids
};

class RouteView {
 public:
  // window_start decides OriginRoute::at_start; by default the earliest
  // sighting's start. A prefix partition's view is given the whole
  // snapshot's (pipeline/analyze.cc).
  explicit RouteView(const observe::ObservedRoutes& r,
                     std::optional<uint32_t> window_start = std::nullopt);
  // Routes already made, sorted by prefix and origin, over prefix_count
  // prefixes: the whole snapshot's routes assembled from its partitions,
  // their paths and peers left out (what scoring and storing read).
  RouteView(std::vector<OriginRoute> routes, size_t prefix_count);
  const std::vector<OriginRoute>& routes() const { return routes_; }  // by prefix, origin
  // routes() of one prefix: [begin, end).
  std::pair<size_t, size_t> OfPrefix(uint32_t prefix) const;

 private:
  std::vector<OriginRoute> routes_;
  std::vector<uint32_t> first_of_prefix_;  // prefixes + 1
};

using DetectorFn = void (*)(const Snapshot&, const RouteView&, std::vector<Incident>*);
struct DetectorEntry {
  const char* name;
  DetectorFn run;
  // Its incidents each name one prefix, found from that prefix's routes
  // (and those covering it) alone, in route order: it can run a prefix
  // partition at a time. A registered detector without it makes a
  // partitioned analysis refuse to split the routes.
  bool per_prefix = false;
};
// In the order they run; later ones see what earlier ones found (an RPKI
// invalid route already reported as a hijack is not reported again). The
// built-in ones are the table in detect.cc; registered ones follow.
const std::vector<DetectorEntry>& Detectors();
// Adds a detector after the others, for one compiled outside this library
// (see extension_test.cc); its incident types must be registered
// (RegisterIncidentType). False when the name is taken. As for incident
// types, call it before main(): the list is read-only afterwards.
bool RegisterDetector(const DetectorEntry& d);

// An incident as JSON and back, every field (partial files).
nlohmann::json IncidentToJson(const Incident& in);
Incident IncidentFromJson(const nlohmann::json& j);

// Runs every detector.
std::vector<Incident> Detect(const Snapshot& s);
// The same over a view already built (it takes seconds at full scale).
std::vector<Incident> Detect(const Snapshot& s, const RouteView& view);

// Detection a prefix partition at a time (bounded-memory analysis, docs/
// performance.md "Analyze memory"): Add() each partition's snapshot and
// view, partitions in prefix order (observe::BucketOf ranges ascending),
// then Finish(): the same incidents, in the same order, as Detect() over
// the whole snapshot — Detect() is this with one partition. The
// per-prefix detectors run in each partition; the route leak and IRR
// detectors, which group routes across prefixes, add each partition to a
// summary (paths by their ASNs, prefixes by value: ids are per
// partition) and report at Finish().
class PartitionedDetect {
 public:
  PartitionedDetect();
  ~PartitionedDetect();
  PartitionedDetect(const PartitionedDetect&) = delete;
  PartitionedDetect& operator=(const PartitionedDetect&) = delete;
  // Whether every detector can run a partition at a time (registered ones
  // say so: DetectorEntry::per_prefix).
  static bool Partitionable();
  void Add(const Snapshot& s, const RouteView& view);
  // s: the last partition's (reference data, peers); with one partition,
  // registered detectors that are not per prefix run on `view` too.
  std::vector<Incident> Finish(const Snapshot& s, const RouteView& view);
  // What Add() gathered, as JSON (`vigia analyze --partition i/N` writes it
  // to its partial file), and the same read back and added after what this
  // one holds: Merge() of each partition's Save(), in partition order, then
  // Finish(), gives what Add() of each would have.
  nlohmann::json Save() const;
  Status Merge(const nlohmann::json& saved);

 private:
  struct State;
  State* state_;
  size_t partitions_ = 0;
};

// Shared helpers.
// Adds a reason: its English text and its key.
void AddReason(Incident* in, std::string text, ReasonKey key);
// Writes in->reason_keys into its evidence as "reason_keys", one per
// reason (Detect() calls it last).
void AttachReasonKeys(Incident* in);
// The neighbour that passed `culprit`'s route on in most of the paths.
std::optional<Asn> PropagatorOf(const observe::PathTable& paths, const std::vector<uint32_t>& ids,
                                Asn culprit);
// PropagatorOf in two steps: counts per neighbour over some paths (a path
// counts once per time it is given), then the most counted (the lowest
// ASN among equals).
void CountPropagators(const observe::PathTable& paths, const std::vector<uint32_t>& ids,
                      Asn culprit, std::map<Asn, size_t>* count);
std::optional<Asn> MostCounted(const std::map<Asn, size_t>& count);
// A path as Evidence() writes it: ASNs separated by spaces.
std::string PathText(std::span<const Asn> path);
// Evidence JSON for a set of routes.
std::string Evidence(const Snapshot& s, const std::vector<const OriginRoute*>& routes,
                     const std::vector<std::string>& reasons);

// The evidence JSON itself, from what a detector gathered (Evidence() and
// the live detectors, src/live, share it): peers and collectors are sorted
// and made unique here, peers cut at 20 with "peers_seen" counting them.
std::string EvidenceJson(const std::vector<std::string>& reasons, std::vector<std::string> paths,
                         std::vector<std::string> peers, std::vector<std::string> collectors,
                         uint32_t first, uint32_t last);

// The per-rule parts the batch detectors and the live ones (src/live/
// live_detector.h) share, so that an incident reads the same from either:
// type, kind, culprit, prefixes, cause, reasons and confidence (and for a
// hijack the victims); the caller adds propagator, times and evidence.
//
// Not a conflict: a is b, a sibling (as2org), or a direct customer or
// provider of b; a peer is no exception.
bool RelatedOrigins(const Snapshot& s, Asn a, Asn b);
// A hijack (holder_prefix == p) or sub-prefix hijack of p by origin against
// the holders of holder_prefix; history: kind "history" (the holders are
// earlier snapshots'). RPKI state against vrps, IRR from s.irr.
Incident HijackIncident(const Snapshot& s, const rpki::VrpSet& vrps, const Prefix& p, Asn origin,
                        const Prefix& holder_prefix, const std::set<Asn>& holders, bool history);
// Evidence JSON with "victims" added.
std::string WithVictims(std::string evidence, const std::vector<Asn>& victims);
// RFC 6811 invalid (origin or length) against vrps, or nullopt when not.
std::optional<Incident> RpkiInvalidIncident(const rpki::VrpSet& vrps, const Prefix& p, Asn origin);
Incident BogonPrefixIncident(const Prefix& p, const registry::BogonReason& why, Asn origin);
// (culprit, bogon ASN) of a path: from the origin end, the first bogon ASN
// with a public AS before it; {0, 0} when none.
std::pair<Asn, Asn> BogonAsnOf(const registry::BogonList& bogons, std::span<const Asn> path);
Incident BogonAsnIncident(const registry::BogonList& bogons, const Prefix& p, Asn culprit,
                          Asn bogon);
// A valley in an AS path (Gao): culprit passed a route learnt from a
// provider or peer on to receiver, a provider or peer; RFC 7908 §3 type.
struct Valley {
  Asn culprit = 0, receiver = 0;
  int type = 0;  // RFC 7908 §3 type 1-4
};
// The first valley read from the origin, or none (also when a link is not
// in the relationships: no judgement without data). ASPA decides a hop
// over the inferred relationships where one of its ASes published one.
std::optional<Valley> FindValley(const topology::AsRelationships& rel, const rpki::AspaSet& aspas,
                                 std::span<const Asn> path);
// A route leak by culprit to receiver over these prefixes seen by `peers`
// peers (the ASPA reason is the batch detector's own).
Incident LeakIncident(Asn culprit, Asn receiver, int type, std::vector<Prefix> prefixes,
                      size_t peers);

void DetectHijacks(const Snapshot& s, const RouteView& v, std::vector<Incident>* out);
void DetectRouteLeaks(const Snapshot& s, const RouteView& v, std::vector<Incident>* out);

// The route leak detector in two steps: Add() each partition, Emit() once.
class LeakSummary {
 public:
  LeakSummary();
  ~LeakSummary();
  LeakSummary(const LeakSummary&) = delete;
  LeakSummary& operator=(const LeakSummary&) = delete;
  void Add(const Snapshot& s, const RouteView& v);
  void Emit(const Snapshot& s, std::vector<Incident>* out);
  nlohmann::json Save() const;
  void Merge(const nlohmann::json& saved);

 private:
  struct Leaks;
  Leaks* leaks_;
};
// The IRR detector in two steps: Add() each partition with the incidents
// the earlier detectors found in it, in route order; Emit() once.
class IrrSummary {
 public:
  IrrSummary();
  ~IrrSummary();
  IrrSummary(const IrrSummary&) = delete;
  IrrSummary& operator=(const IrrSummary&) = delete;
  void Add(const Snapshot& s, const RouteView& v, const std::vector<Incident>& earlier);
  void Emit(const Snapshot& s, std::vector<Incident>* out);
  nlohmann::json Save() const;
  void Merge(const nlohmann::json& saved);

 private:
  struct Groups;
  Groups* groups_;
};
void DetectBogons(const Snapshot& s, const RouteView& v, std::vector<Incident>* out);
void DetectRpkiInvalid(const Snapshot& s, const RouteView& v, std::vector<Incident>* out);
void DetectIrrUnregistered(const Snapshot& s, const RouteView& v, std::vector<Incident>* out);

}  // namespace vigia::detect
