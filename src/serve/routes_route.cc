// /api/route?prefix=P&origin=A (issue 15): one route's RPKI and IRR state,
// what the collectors saw of it, its incidents, and what would fix it.
//
// Where the reference data comes from: the server holds only the store, so
// `vigia analyze` stores per snapshot the VRPs and IRR route objects that
// cover the prefixes the collectors saw, with how many VRPs and objects
// were loaded in all (pipeline/write_reference.cc argues the choice and
// states the cap). Reading the snapshot directory again at request time
// was the alternative: it would cost seconds and gigabytes per request at
// full scale, and the directory may be gone. Consequences stated in the
// answer: a snapshot analysed before reference data was kept, or one whose
// input was absent, gives "no_data"; a prefix no collector saw is answered
// from the rows kept, which may miss a VRP or object covering only unseen
// space ("partial": true).
//
// Text the page shows is given as keys with arguments beside the English
// (web/src/locales/server-detect.*.json defines the keys).
//
// Thread safety: a handler of Api (serve/api.h), on its request's store connection.
#include <fmt/format.h>

#include <algorithm>
#include <set>

#include "core/ip.h"
#include "core/time_format.h"
#include "serve/api.h"

namespace vigia::serve {

namespace {

// Incidents and objects listed at most.
constexpr size_t kMaxListed = 100;

// `p` and every less-specific of it, most specific first, as the store
// writes prefixes.
std::vector<std::string> SelfAndLessSpecifics(const Prefix& p) {
  std::vector<std::string> out;
  for (int len = p.length(); len >= 0; --len) {
    out.push_back(Prefix(p.address(), static_cast<uint8_t>(len)).Masked().ToString());
  }
  return out;
}

ordered_json Key(const std::string& key, ordered_json args, const std::string& text) {
  return {{"key", key}, {"args", std::move(args)}, {"text", text}};
}

}  // namespace

Status Api::Route(const httplib::Request& req, httplib::Response& res) {
  SERVE_RETURN_IF_ERROR(Allow(req, {"date", "prefix", "origin"}));
  const std::string ptext = Param(req, "prefix");
  if (ptext.empty()) return Status::InvalidArgument("parameter 'prefix' is required");
  std::optional<Prefix> parsed = Prefix::Parse(ptext);
  if (!parsed) {
    // An address stands for its host prefix.
    if (auto a = IpAddress::Parse(ptext)) parsed = Prefix(*a, a->is_v4() ? 32 : 128);
  }
  if (!parsed) return Status::InvalidArgument("parameter 'prefix' is not a prefix or an address");
  const Prefix p = *parsed;
  const std::string prefix = p.ToString();
  if (!req.has_param("origin")) return Status::InvalidArgument("parameter 'origin' is required");
  const std::optional<Asn> parsed_origin = ParseAsn(Param(req, "origin"));
  if (!parsed_origin)
    return Status::InvalidArgument("parameter 'origin' must be an AS number (64496 or AS64496)");
  const Asn origin = *parsed_origin;
  SERVE_ASSIGN_OR_RETURN(const std::string date, DateParam(req));
  auto snap = SnapshotFor(date);
  if (!snap.ok()) return snap.status();

  SERVE_ASSIGN_OR_RETURN(const auto refs, db().RouteRefs(snap->id, SelfAndLessSpecifics(p)));
  SERVE_ASSIGN_OR_RETURN(const auto totals, db().RouteRefTotalsOf(snap->id));
  SERVE_ASSIGN_OR_RETURN(const auto origins, db().OriginsOf(prefix));
  store::IncidentQuery iq;
  iq.snapshot = snap->id;
  iq.prefix = prefix;
  iq.limit = kMaxListed;
  SERVE_ASSIGN_OR_RETURN(const auto incidents, db().Incidents(iq));

  // What the collectors saw: the route in this snapshot's window (peers,
  // collectors, a path, first and last seen), more paths from its
  // incidents' evidence, and the dates of the incident-free origin history.
  SERVE_ASSIGN_OR_RETURN(const auto routes_seen, db().RoutesSeen(snap->id, prefix));
  ordered_json seen = {{"peers", nullptr},
                       {"collectors", ordered_json::array()},
                       {"paths", ordered_json::array()},
                       {"first", nullptr},
                       {"last", nullptr},
                       {"history", nullptr}};
  std::set<std::string> collectors, paths;
  bool was_seen = false;
  for (const auto& r : routes_seen) {
    if (r.origin != origin) continue;
    was_seen = true;
    seen["peers"] = r.peers;
    collectors.insert(r.collectors.begin(), r.collectors.end());
    if (!r.path.empty()) paths.insert(r.path);
    seen["first"] = IsoTime(r.first);
    seen["last"] = IsoTime(r.last);
  }
  for (const auto& o : origins) {
    if (o.origin != origin) continue;
    seen["history"] = {{"first", o.first_date}, {"last", o.last_date}};
    was_seen = true;
  }
  for (const auto& in : incidents) {
    if (in.culprit != origin) continue;
    const ordered_json e = ordered_json::parse(in.evidence, nullptr, false);
    if (!e.is_object()) continue;
    was_seen = true;
    if (seen["peers"].is_null() && e.contains("peers_seen") && e["peers_seen"].is_number())
      seen["peers"] = e["peers_seen"];
    for (const char* k : {"collectors", "example_paths"}) {
      if (!e.contains(k) || !e[k].is_array()) continue;
      for (const auto& x : e[k]) {
        if (x.is_string()) (k[0] == 'c' ? collectors : paths).insert(x.get<std::string>());
      }
    }
    if (seen["first"].is_null()) seen["first"] = IsoTime(in.start);
    if (seen["last"].is_null()) seen["last"] = IsoTime(in.end);
  }
  seen["collectors"] = collectors;
  std::vector<std::string> shown(paths.begin(), paths.end());
  if (shown.size() > 20) shown.resize(20);
  seen["paths"] = shown;
  // Reference rows kept cover seen prefixes; an unseen one may lack some.
  const bool prefix_seen =
      was_seen || !routes_seen.empty() || !origins.empty() || !incidents.empty();

  // RPKI: RFC 6811 §2 over the covering VRPs kept.
  ordered_json rpki;
  ordered_json vrps = ordered_json::array();
  bool covered = false, valid = false, origin_listed = false;
  const store::RouteRefRow* longest_own = nullptr;  // a VRP of this origin, too short
  for (const auto& r : refs) {
    if (r.kind != "vrp") continue;
    covered = true;
    const bool same = origin != 0 && r.asn != 0 && r.asn == origin;
    origin_listed |= same;
    valid |= same && p.length() <= r.max_length;
    if (same && !longest_own) longest_own = &r;
    if (vrps.size() < kMaxListed) {
      vrps.push_back({{"prefix", r.prefix}, {"max_length", r.max_length}, {"asn", r.asn}});
    }
  }
  const bool rpki_data = totals && totals->vrps > 0;
  std::string rpki_state = !rpki_data ? "no_data"
                           : valid    ? "valid"
                           : covered  ? "invalid"
                                      : "not_found";
  ordered_json rpki_reason;
  if (!totals) {
    rpki_reason = Key("route.rpki.no_reference", ordered_json::object(),
                      "this snapshot was stored before route reference data was kept");
  } else if (!rpki_data) {
    rpki_reason = Key("route.rpki.no_vrps", ordered_json::object(), "the snapshot had no VRPs");
  } else if (valid) {
    rpki_reason = Key("route.rpki.valid", {{"origin", origin}},
                      fmt::format("a covering VRP authorises AS{} for this length", origin));
  } else if (covered && origin_listed) {
    rpki_reason =
        Key("route.rpki.invalid_length", {{"origin", origin}, {"length", p.length()}},
            fmt::format("VRPs for AS{} cover it, but none allows a /{}", origin, p.length()));
  } else if (covered) {
    rpki_reason = Key("route.rpki.invalid_origin", {{"origin", origin}},
                      fmt::format("covering VRPs authorise other ASes, not AS{}", origin));
  } else {
    rpki_reason = Key("route.rpki.not_found", ordered_json::object(), "no VRP covers the prefix");
  }
  rpki = {{"state", rpki_state}, {"reason", rpki_reason}, {"vrps", std::move(vrps)}};

  // IRR: exact, then less specific, objects of this origin (irr/route_check.h).
  ordered_json objects = ordered_json::array();
  bool any_object = false, registered = false;
  std::set<Asn> others;
  for (const auto& r : refs) {
    if (r.kind != "route") continue;
    any_object = true;
    if (r.asn == origin) {
      registered = true;
    } else {
      others.insert(r.asn);
    }
    if (objects.size() < kMaxListed) {
      objects.push_back({{"prefix", r.prefix}, {"origin", r.asn}, {"source", r.source}});
    }
  }
  const bool irr_data = totals && totals->route_objects > 0;
  const std::string irr_state = !irr_data    ? "no_data"
                                : registered ? "registered"
                                : any_object ? "other_origin"
                                             : "not_found";
  ordered_json irr = {{"state", irr_state}, {"objects", std::move(objects)}};

  // What would fix it.
  ordered_json fix = ordered_json::array();
  const std::string len = std::to_string(p.length());
  if (rpki_state == "not_found") {
    fix.push_back(Key(
        "fix.rpki.create_roa", {{"prefix", prefix}, {"origin", origin}, {"max_length", p.length()}},
        fmt::format("create a ROA for {} with origin AS{} and maxLength {}", prefix, origin, len)));
  } else if (rpki_state == "invalid" && origin_listed && longest_own) {
    fix.push_back(Key("fix.rpki.max_length",
                      {{"roa_prefix", longest_own->prefix},
                       {"origin", origin},
                       {"max_length", p.length()},
                       {"prefix", prefix}},
                      fmt::format("raise the maxLength of the ROA for {} (AS{}) to {}, or create "
                                  "a ROA for {} itself",
                                  longest_own->prefix, origin, len, prefix)));
  } else if (rpki_state == "invalid") {
    fix.push_back(Key("fix.rpki.add_origin",
                      {{"prefix", prefix}, {"origin", origin}, {"max_length", p.length()}},
                      fmt::format("if AS{} may originate {}, its holder creates a ROA for it "
                                  "(maxLength {}); otherwise the route should be withdrawn",
                                  origin, prefix, len)));
  }
  const std::string object = p.address().is_v4() ? "route" : "route6";
  if (irr_state == "not_found") {
    fix.push_back(
        Key("fix.irr.create_route", {{"object", object}, {"prefix", prefix}, {"origin", origin}},
            fmt::format("register a {} object for {} with origin AS{}", object, prefix, origin)));
  } else if (irr_state == "other_origin") {
    std::string list;
    for (Asn a : others) list += (list.empty() ? "AS" : ", AS") + std::to_string(a);
    fix.push_back(
        Key("fix.irr.other_origin",
            {{"object", object}, {"prefix", prefix}, {"origin", origin}, {"others", list}},
            fmt::format("route objects name {}; if AS{} may originate {}, register a {} "
                        "object for it",
                        list, origin, prefix, object)));
  }

  ordered_json inc = ordered_json::array();
  for (const auto& r : incidents) inc.push_back(IncidentJson(r));
  const bool partial = !prefix_seen || (totals && totals->truncated);
  return Json(res, 200,
              {{"snapshot", {{"id", snap->id}, {"date", snap->date}}},
               {"prefix", prefix},
               {"origin", origin},
               {"rpki", std::move(rpki)},
               {"irr", std::move(irr)},
               {"seen", std::move(seen)},
               {"incidents", std::move(inc)},
               {"fix", std::move(fix)},
               {"partial", partial}});
}

}  // namespace vigia::serve
