// WriteSnapshot: one analysed snapshot into the store (pipeline/write.h).
#include "pipeline/write.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <unordered_map>

#include "detect/incident_type.h"
#include "report/report.h"

namespace vigia::pipeline {

namespace {

using nlohmann::ordered_json;

// Members an aggregate's stored summary lists (the API's page cap).
constexpr size_t kSummaryMembers = 1000;

// The AS entity's detail: route tallies, incident ids and the fix list.
std::string AsDetail(const score::AsScore& a, const score::Scoreboard& board) {
  ordered_json d;
  d["routes"] = a.routes;
  d["rpki"] = {
      {"valid", a.rpki_valid}, {"invalid", a.rpki_invalid}, {"not_found", a.rpki_not_found}};
  d["irr_registered"] = a.irr_registered;
  d["coverage"] = {
      {"rpki",
       {{"routes", a.routes},
        {"valid", a.rpki_valid},
        {"invalid", a.rpki_invalid},
        {"not_found", a.rpki_not_found},
        {"no_data", !board.have_vrps}}},
      {"irr",
       {{"routes", a.routes}, {"registered", a.irr_registered}, {"no_data", !board.have_irr}}}};
  ordered_json ids = ordered_json::array();
  for (uint32_t i : a.incidents) ids.push_back(i + 1);
  d["incidents"] = ids;
  ordered_json fixes = ordered_json::array();
  for (const score::Fix& f : a.fixes) {
    ordered_json o;
    o["metric"] = f.metric;
    o["what"] = f.what;
    o["key"] = f.key;
    o["args"] = {{"count", f.count}, {"metric", f.metric}};
    o["count"] = f.count;
    o["items"] = f.items;
    o["metric_after"] = report::Num(f.metric_after);
    o["action_after"] = report::Num(f.action_after);
    o["overall_after"] = report::Num(f.overall_after);
    fixes.push_back(std::move(o));
  }
  d["fixes"] = std::move(fixes);
  return d.dump();
}

// What an aggregate's report needs from its members, summed here once so
// that report/report.h need not read every member back (seconds for the
// largest aggregates at full scale). The members go lowest overall score
// first (ties in ASN order), and every sum runs in that order, exactly as
// report.h's recomputation from the members does (`vigia report
// --from-members`).
ordered_json ReportSummary(const score::Aggregate& g, const score::Scoreboard& board) {
  std::vector<const score::AsScore*> ms;
  for (Asn m : g.members) {
    if (const score::AsScore* a = board.Find(m)) ms.push_back(a);
  }
  std::stable_sort(ms.begin(), ms.end(), [](const score::AsScore* a, const score::AsScore* b) {
    return a->action[score::kOverall].value_or(101) < b->action[score::kOverall].value_or(101);
  });
  ordered_json lowest = ordered_json::array();
  std::array<std::pair<double, size_t>, score::kMetricCount> metric{};
  std::map<std::pair<std::string, std::string>, std::pair<size_t, size_t>>
      fixes;  // -> (members, items)
  double now_sum = 0, after_sum = 0;
  size_t scored = 0;
  for (const score::AsScore* a : ms) {
    const auto& overall = a->action[score::kOverall];
    if (lowest.size() < kSummaryMembers) {
      lowest.push_back({{"asn", a->asn},
                        {"name", a->name},
                        {"country", a->country},
                        {"manrs", a->manrs},
                        {"overall", overall ? ordered_json(*overall) : ordered_json(nullptr)},
                        {"overall_max", report::Num(a->action_max[score::kOverall])},
                        {"measured", a->measured[score::kOverall]},
                        {"band", a->band[score::kOverall]}});
    }
    for (size_t m = 0; m < score::kMetricCount; ++m) {
      if (!a->value[m]) continue;
      metric[m].first += *a->value[m];
      ++metric[m].second;
    }
    if (!overall) continue;
    ++scored;
    now_sum += *overall;
    double after = *overall;
    for (const score::Fix& f : a->fixes) {
      auto& x = fixes[{f.metric, f.what}];
      ++x.first;
      x.second += f.count;
      if (f.overall_after)
        after = std::round(*f.overall_after * 100) / 100;  // as AsDetail stores it
    }
    after_sum += after;
  }
  ordered_json mj = ordered_json::object();
  for (size_t m = 0; m < score::kMetricCount; ++m) {
    if (metric[m].second)
      mj[score::MetricName(static_cast<score::Metric>(m))] = {metric[m].first, metric[m].second};
  }
  ordered_json fj = ordered_json::array();
  for (const auto& [key, x] : fixes) fj.push_back({key.first, key.second, x.first, x.second});
  return {{"lowest", std::move(lowest)}, {"metrics", std::move(mj)}, {"fixes", std::move(fj)},
          {"now_sum", now_sum},          {"after_sum", after_sum},   {"scored", scored}};
}

}  // namespace

// Incidents, scores, entities and the origin history, in one snapshot.
Status WriteSnapshot(store::SnapshotWriter* w, const detect::Snapshot& s,
                     const detect::RouteView& v, const std::vector<detect::Incident>& found,
                     const score::Scoreboard& board, const std::vector<store::RouteSeenRow>* seen) {
  int64_t id = 0;
  for (const detect::Incident& in : found) {
    store::IncidentRow r;
    r.id = ++id;
    r.type = in.type;
    r.kind = in.kind;
    r.culprit = in.culprit;
    r.propagator = in.propagator;
    for (const Prefix& p : in.prefixes) r.prefixes.push_back(p.ToString());
    r.start = in.start;
    r.end = in.end;
    r.confidence = in.confidence;
    r.evidence = in.evidence;
    r.cause = in.cause;
    r.victims = in.victims;
    if (Status st = w->AddIncident(r); !st.ok()) return st;
  }
  for (const score::AsScore& a : board.ases) {
    const std::string asn = std::to_string(a.asn);
    store::EntityRow e{"as",     asn,     a.name,   a.country,
                       a.region, a.manrs, a.routes, AsDetail(a, board)};
    if (Status st = w->AddEntity(e); !st.ok()) return st;
    for (size_t m = 0; m < score::kMetricCount; ++m) {
      if (!a.value[m] && a.raw[m] == 0) continue;  // no data: no row
      store::MetricRow r{a.asn, score::MetricName(static_cast<score::Metric>(m)), a.value[m],
                         a.raw[m]};
      if (Status st = w->AddMetric(r); !st.ok()) return st;
    }
    for (size_t k = 0; k < score::kActionCount; ++k) {
      store::ScoreRow r{"as", asn, score::ActionName(static_cast<score::Action>(k)), a.action[k],
                        a.band[k]};
      r.score_max = a.action_max[k];
      r.measured = a.measured[k];
      r.of = a.of[k];
      if (Status st = w->AddScore(r); !st.ok()) return st;
    }
  }
  for (const score::Aggregate& g : board.aggregates) {
    ordered_json d;
    d["members"] = g.members;
    // RPKI and IRR coverage of the members' routes (prefix-origin pairs),
    // for the overview: summed here so that a reader need not open every AS.
    uint64_t routes = 0, valid = 0, invalid = 0, not_found = 0, registered = 0;
    for (Asn m : g.members) {
      if (const score::AsScore* a = board.Find(m)) {
        routes += a->routes;
        valid += a->rpki_valid;
        invalid += a->rpki_invalid;
        not_found += a->rpki_not_found;
        registered += a->irr_registered;
      }
    }
    // Without VRPs (or route objects) every route would count "not found"
    // (unregistered): the coverage says no_data instead of 0 % valid.
    d["coverage"] = {
        {"rpki",
         {{"routes", routes},
          {"valid", valid},
          {"invalid", invalid},
          {"not_found", not_found},
          {"no_data", !board.have_vrps}}},
        {"irr", {{"routes", routes}, {"registered", registered}, {"no_data", !board.have_irr}}}};
    d["summary"] = ReportSummary(g, board);
    if (g.kind == "group" && g.id == "all") {
      // What had no data and why, for every page (the overview's "notes").
      ordered_json notes = ordered_json::array();
      for (const score::Note& n : board.notes) {
        ordered_json args = ordered_json::object();
        for (const auto& [name, value] : n.args) args[name] = value;
        notes.push_back({{"key", n.key}, {"args", std::move(args)}, {"text", n.text}});
      }
      d["notes"] = std::move(notes);
    }
    store::EntityRow e{g.kind,
                       g.id,
                       g.name,
                       g.country,
                       g.region,
                       g.id == "manrs",
                       static_cast<int64_t>(g.members.size()),
                       d.dump()};
    if (Status st = w->AddEntity(e); !st.ok()) return st;
    for (size_t k = 0; k < score::kActionCount; ++k) {
      const auto& pa = g.action[k];
      store::ScoreRow r{g.kind,    g.id,        score::ActionName(static_cast<score::Action>(k)),
                        pa.mean,   pa.band,     static_cast<int64_t>(g.members.size()),
                        pa.ready,  pa.aspiring, pa.lagging,
                        pa.no_data};
      r.score_max = pa.mean_max;
      r.measured = pa.measured;
      r.of = pa.of;
      if (Status st = w->AddScore(r); !st.ok()) return st;
    }
  }
  // The history hijack detection consults later: every (prefix, origin)
  // with no incident that questions it.
  std::set<std::pair<uint32_t, Asn>> questioned;  // (prefix index, origin)
  std::unordered_map<Prefix, uint32_t, PrefixHash> index;
  const auto& prefixes = s.routes.prefixes();
  for (const detect::Incident& in : found) {
    if (!detect::QuestionsOrigin(in.type)) continue;
    if (index.empty()) {
      index.reserve(prefixes.size());
      for (uint32_t i = 0; i < prefixes.size(); ++i) index.emplace(prefixes[i], i);
    }
    for (const Prefix& p : in.prefixes) {
      auto it = index.find(p);
      if (it != index.end()) questioned.insert({it->second, in.culprit});
    }
  }
  const auto& bogons = s.registry.bogons();
  for (const detect::OriginRoute& o : v.routes()) {
    if (o.origin == 0 || bogons.ClassifyAsn(o.origin) || questioned.contains({o.prefix, o.origin}))
      continue;
    if (Status st = w->AddOrigin(prefixes[o.prefix].ToString(), o.origin); !st.ok()) return st;
  }
  return WriteRouteReference(w, s, v, seen);  // for /api/route (issue 15)
}

}  // namespace vigia::pipeline
