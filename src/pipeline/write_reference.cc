// WriteRouteReference (pipeline/write.h): the reference data /api/route
// answers from (issue 15), stored with each snapshot: every route seen
// (peers, collectors, one path, first and last seen), and the VRPs and
// route objects below.
//
// Which data, and why it is stored rather than reloaded: the server holds
// only the store, and a snapshot directory may be moved, pruned or changed
// after analysis (the manifest check makes that a different snapshot). So
// `vigia analyze` keeps, per snapshot, every VRP and every IRR route object
// that covers a prefix the collectors saw (RFC 6811 §2 "covering"; for the
// IRR, the objects irr/route_check.h decides from: exact and less
// specific). Those are what RPKI and IRR state of any seen route depend
// on; a prefix no collector saw may have a covering VRP or object that
// covers no seen prefix, and /api/route says its answer is then partial.
// Cap: kMaxRouteRefs rows per snapshot (a full table: about 500k VRPs and
// 1.5M route objects, some 100 MB in SQLite); past it the rest is dropped
// and the totals say `truncated`. The totals also record how many VRPs and
// objects were loaded in all, so that "no data" (an input absent or empty)
// is told from "not found".
//
// Thread safety: one call per writer.
#include <set>
#include <string>
#include <utility>

#include "pipeline/write.h"
#include "rpki/origin_validation.h"

namespace vigia::pipeline {

namespace {

// Rows kept per snapshot (see above).
constexpr size_t kMaxRouteRefs = 4'000'000;

store::RouteSeenRow RouteSeenOf(const observe::ObservedRoutes& obs, const detect::OriginRoute& o) {
  store::RouteSeenRow row;
  row.prefix = obs.prefixes()[o.prefix].ToString();
  row.origin = o.origin;
  row.peers = static_cast<int64_t>(o.peers.size());
  std::set<std::string> collectors;
  for (uint32_t p : o.peers) collectors.insert(obs.peers()[p].collector);
  row.collectors.assign(collectors.begin(), collectors.end());
  if (!o.paths.empty()) row.path = detect::PathText(obs.paths().Get(o.paths[0]));
  row.first = o.first;
  row.last = o.last;
  return row;
}

}  // namespace

std::vector<store::RouteSeenRow> RoutesSeen(const detect::Snapshot& s, const detect::RouteView& v) {
  std::vector<store::RouteSeenRow> out;
  out.reserve(v.routes().size());
  for (const detect::OriginRoute& o : v.routes()) out.push_back(RouteSeenOf(s.routes, o));
  return out;
}

Status WriteRouteReference(store::SnapshotWriter* w, const detect::Snapshot& s,
                           const detect::RouteView& v,
                           const std::vector<store::RouteSeenRow>* seen) {
  // Every route seen: peers, collectors, one path, first and last seen (a
  // full table: about a million rows, some 60 MB; bounded by what the
  // observe stage holds, so not capped again here).
  if (seen) {
    for (const store::RouteSeenRow& row : *seen) {
      if (Status st = w->AddRouteSeen(row); !st.ok()) return st;
    }
  } else {
    for (const detect::OriginRoute& o : v.routes()) {
      if (Status st = w->AddRouteSeen(RouteSeenOf(s.routes, o)); !st.ok()) return st;
    }
  }

  const auto& prefixes = s.routes.prefixes();
  std::set<uint32_t> routes;  // indexes into s.irr.routes()
  bool truncated = false;
  // Covering VRPs through the validator: Validate() lists them for any
  // origin (0 matches none, RFC 6811 §2).
  std::set<std::pair<Prefix, std::pair<uint8_t, Asn>>> seen_vrps;
  std::vector<store::RouteRefRow> rows;
  for (const Prefix& p : prefixes) {
    if (rows.size() >= kMaxRouteRefs) {
      truncated = true;
      break;
    }
    if (s.vrps.size() > 0) {
      for (const rpki::Vrp& vrp : rpki::Validate(s.vrps, p, 0).covering) {
        if (!seen_vrps.insert({vrp.prefix, {vrp.max_length, vrp.asn}}).second) continue;
        const auto& tas = s.vrps.trust_anchors();
        rows.push_back({"vrp", vrp.prefix.ToString(), vrp.max_length, vrp.asn,
                        vrp.ta < tas.size() ? tas[vrp.ta] : std::string()});
      }
    }
    if (s.irr.route_count() > 0) {
      s.irr.ForEachCoveringRoute(p, [&](uint32_t i) {
        if (!routes.insert(i).second) return;
        const irr::RouteObject& r = s.irr.routes()[i];
        rows.push_back(
            {"route", r.prefix.ToString(), 0, r.origin,
             r.source < s.irr.sources().size() ? s.irr.sources()[r.source] : std::string()});
      });
    }
  }
  if (rows.size() > kMaxRouteRefs) {
    rows.resize(kMaxRouteRefs);
    truncated = true;
  }
  for (const store::RouteRefRow& r : rows) {
    if (Status st = w->AddRouteRef(r); !st.ok()) return st;
  }
  store::RouteRefTotals t;
  t.vrps = static_cast<int64_t>(s.vrps.size());
  t.route_objects = static_cast<int64_t>(s.irr.route_count());
  t.kept = static_cast<int64_t>(rows.size());
  t.truncated = truncated;
  return w->SetRouteRefTotals(t);
}

}  // namespace vigia::pipeline
