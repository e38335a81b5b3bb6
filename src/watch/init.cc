// See init.h.
#include "watch/init.h"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <unordered_map>

#include "core/time_format.h"
#include "irr/irr_index.h"
#include "observe/observed_routes.h"
#include "rpki/vrp.h"
#include "snapshot/snapshot.h"

namespace vigia::watch {

namespace {

struct Collected {
  std::map<Prefix, InitPrefix> by_prefix;
  InitPrefix& At(const Prefix& p) {
    InitPrefix& e = by_prefix[p];
    e.prefix = p;
    return e;
  }
};

// RIB: prefixes N originated, the peers that saw it, other origins seen.
void FromRoutes(const observe::ObservedRoutes& routes, Asn asn, Collected* c, InitResult* r) {
  std::unordered_map<uint32_t, std::set<uint32_t>> peers;  // prefix id -> peers seeing N
  std::unordered_map<uint32_t, std::set<Asn>> origins;     // prefix id -> every origin seen
  for (const observe::Sighting& s : routes.sightings()) {
    const Asn o = routes.paths().Origin(s.path);
    if (o == asn) peers[s.prefix].insert(s.peer);
    if (o != 0) origins[s.prefix].insert(o);
  }
  for (const auto& [id, ps] : peers) {
    InitPrefix& e = c->At(routes.prefixes()[id]);
    e.rib_peers += static_cast<uint32_t>(ps.size());
    e.origins.insert(asn);
    for (Asn o : origins[id])
      if (o != asn) e.rib_others.insert(o);
    ++r->rib_prefixes;
  }
}

void FromIrr(const irr::IrrDatabase& db, Asn asn, Collected* c, InitResult* r) {
  std::set<Prefix> own;
  for (uint32_t i : db.RoutesByOrigin(asn)) own.insert(db.routes()[i].prefix);
  r->irr_prefixes += own.size();
  for (const Prefix& p : own) {
    InitPrefix& e = c->At(p);
    e.in_irr = true;
    e.origins.insert(asn);
  }
  // Other origins registered for the exact prefix (MOAS by design: DDoS
  // scrubbing, a customer's own AS).
  for (const irr::RouteObject& ro : db.routes())
    if (ro.origin != 0 && own.count(ro.prefix)) c->At(ro.prefix).origins.insert(ro.origin);
}

void FromVrps(const rpki::VrpSet& vrps, Asn asn, Collected* c, InitResult* r) {
  std::set<Prefix> own;
  for (const rpki::Vrp& v : vrps.vrps())
    if (v.asn == asn) own.insert(v.prefix);
  r->vrp_prefixes += own.size();
  for (const Prefix& p : own) {
    InitPrefix& e = c->At(p);
    e.in_rpki = true;
    e.origins.insert(asn);
  }
  // RFC 6483 §4: an AS0 VRP authorises no origin.
  for (const rpki::Vrp& v : vrps.vrps())
    if (v.asn != 0 && own.count(v.prefix)) c->At(v.prefix).origins.insert(v.asn);
}

void Keep(std::vector<std::string>* problems, const std::string& p) {
  if (problems->size() < 20) problems->push_back(p);
}

std::string Quoted(const std::string& s) {
  std::string out = "\"";
  for (char ch : s) {
    if (ch == '"' || ch == '\\') out += '\\';
    if (static_cast<unsigned char>(ch) < 0x20) continue;
    out += ch;
  }
  return out + "\"";
}

}  // namespace

Result<InitResult> BuildInit(const InitOptions& o) {
  if (o.asn == 0) return Status::InvalidArgument("--asn: AS 0 originates nothing (RFC 7607)");
  if (o.ribs.empty() && o.irr_files.empty() && o.vrp_files.empty() && o.snapshot_dir.empty())
    return Status::InvalidArgument("give at least one of --rib, --irr, --vrps or --snapshot");
  InitResult r;
  r.asn = o.asn;
  Collected c;
  if (!o.ribs.empty()) {
    observe::ObservedRoutes routes;
    for (const std::string& f : o.ribs) {
      if (Status s = routes.AddFile(f, "init"); !s.ok()) return s;
      r.sources.push_back("RIB " + f);
    }
    routes.Finish(UINT32_MAX);
    for (const std::string& p : routes.problems()) Keep(&r.problems, p);
    FromRoutes(routes, o.asn, &c, &r);
  }
  if (!o.irr_files.empty()) {
    irr::IrrDatabase db;
    for (const std::string& f : o.irr_files) {
      if (Status s = db.LoadFile(f); !s.ok()) return s;
      r.sources.push_back("IRR " + f);
    }
    db.Build();
    FromIrr(db, o.asn, &c, &r);
  }
  if (!o.vrp_files.empty()) {
    rpki::VrpSet vrps;
    for (const std::string& f : o.vrp_files) {
      if (Status s = vrps.LoadFile(f); !s.ok()) return s;
      r.sources.push_back("VRPs " + f);
    }
    FromVrps(vrps, o.asn, &c, &r);
  }
  if (!o.snapshot_dir.empty()) {
    snapshot::Snapshot snap;
    if (Status s = snapshot::LoadSnapshot(o.snapshot_dir, &snap); !s.ok()) return s;
    r.sources.push_back("snapshot " + o.snapshot_dir);
    for (const std::string& m : snap.missing) Keep(&r.problems, m);
    FromRoutes(snap.routes, o.asn, &c, &r);
    FromIrr(snap.irr, o.asn, &c, &r);
    FromVrps(snap.vrps, o.asn, &c, &r);
  }
  if (c.by_prefix.size() > kMaxInitPrefixes)
    return Status::LimitExceeded(fmt::format("AS{} has {} prefixes, over the {} a config may list",
                                             o.asn, c.by_prefix.size(), kMaxInitPrefixes));
  for (auto& [p, e] : c.by_prefix) r.prefixes.push_back(std::move(e));
  std::stable_sort(
      r.prefixes.begin(), r.prefixes.end(), [](const InitPrefix& a, const InitPrefix& b) {
        return a.prefix.family() == Family::kIpv4 && b.prefix.family() == Family::kIpv6;
      });
  return r;
}

std::string RenderInitYaml(const InitResult& r, int64_t now_unix) {
  std::string y;
  y += fmt::format("# vigia watch config for AS{}, written by `vigia watch init` at {}.\n", r.asn,
                   IsoTime(now_unix));
  for (const std::string& s : r.sources) y += "# read: " + s + "\n";
  y += fmt::format(
      "# found: {} prefixes originated by AS{} in the RIBs, {} in its route objects, {} in its "
      "VRPs;\n#        {} distinct prefixes below.\n",
      r.rib_prefixes, r.asn, r.irr_prefixes, r.vrp_prefixes, r.prefixes.size());
  y += "# Check the list (remove what you no longer hold, add what is missing), pick the\n"
       "# channels, then `vigia watch --config THIS --dry-run`. Every key: docs/alerts.md.\n\n";
  y += "collector:\n"
       "  name: vigia\n"
       "  # Point routers at these (docs/live.md): BMP (RFC 7854) and/or a BGP session.\n"
       "  bmp: 127.0.0.1:1790\n"
       "  # bgp: {listen: 127.0.0.1:1179, asn: 64512}\n"
       "  # archive: {dir: /var/lib/vigia/mrt, rotate: 5m, rib_every: 8h}\n\n"
       "# A snapshot directory with the reference data (registry, IRR, relationships, VRPs).\n"
       "# reference: /var/lib/vigia/snapshots/latest\n"
       "# rtr: 127.0.0.1:3323\n"
       "# store: sqlite:/var/lib/vigia/vigia.db\n"
       "state_file: vigia-watch-state.json\n\n";
  y += "prefixes:\n";
  if (r.prefixes.empty()) y += "  {}\n";
  for (const InitPrefix& p : r.prefixes) {
    std::string seen;
    if (p.rib_peers)
      seen += fmt::format("RIB ({} peer{})", p.rib_peers, p.rib_peers == 1 ? "" : "s");
    if (p.in_irr) seen += seen.empty() ? "IRR" : ", IRR";
    if (p.in_rpki) seen += seen.empty() ? "RPKI" : ", RPKI";
    y += "  # seen in: " + seen + "\n";
    if (!p.rib_others.empty()) {
      std::string others;
      for (Asn a : p.rib_others) others += fmt::format(" AS{}", a);
      y += "  # also originated in the RIB by" + others +
           " (not authorised in IRR/RPKI: add to origins if legitimate)\n";
    }
    std::string origins;
    for (Asn a : p.origins) origins += (origins.empty() ? "" : ", ") + std::to_string(a);
    y += fmt::format(
        "  {}:\n    description: {}\n    origins: [{}]\n    ignore_more_specifics: false\n",
        Quoted(p.prefix.ToString()), Quoted(fmt::format("AS{} {}", r.asn, p.prefix.ToString())),
        origins);
  }
  y += fmt::format("\nasns: [{}]\n\n", r.asn);
  y +=
      "monitor:\n"
      "  only_watched: true\n"
      "  min_peers: 3            # alert when at least this many collector peers see it\n"
      "  visibility_min_peers: 3 # visibility_loss below this many peers\n"
      "  warmup: 0s\n\n"
      "# Per rule: enabled, min_peers, severity (info/warning/critical), channels (default: all).\n"
      "rules:\n"
      "  hijack: {severity: critical}\n"
      "  subprefix_hijack: {severity: critical}\n"
      "  route_leak: {severity: warning}\n"
      "  rpki_invalid: {severity: warning}\n"
      "  visibility_loss: {severity: warning}\n"
      "  roa_disappeared: {severity: warning}\n"
      "  new_upstream: {severity: info}\n"
      "  new_downstream: {severity: info}\n"
      "  bogon_prefix: {severity: warning}\n"
      "  bogon_asn: {severity: warning}\n"
      "  # path_pattern: {patterns: [{name: via-64666, regex: \" 64666 \"}]}\n\n"
      "channels:\n"
      "  log: {type: file, path: vigia-alerts.jsonl}\n"
      "  # ops: {type: webhook, url: \"https://hooks.slack.com/services/...\", format: slack, "
      "retries: 5}\n"
      "  # mail: {type: smtp, server: \"127.0.0.1:25\", from: vigia@example.net, to: "
      "[noc@example.net], "
      "starttls: try}\n"
      "  # syslog: {type: syslog, server: \"127.0.0.1:514\", transport: udp}\n"
      "  # metrics: {type: prometheus, listen: \"127.0.0.1:9650\"}\n\n"
      "gate:\n"
      "  summary_every: 15m  # a summary of repeats of a still-open alert\n"
      "  restore_grace: 10m  # after a restart, an open alert not seen again is recovered\n";
  return y;
}

}  // namespace vigia::watch
