// The read routes: health, snapshots, overview, ranking, search
// (serve/api.h).
#include <fmt/format.h>

#include <algorithm>

#include "core/ip.h"
#include "core/time_format.h"
#include "serve/api.h"

namespace vigia::serve {

namespace {

// What had no data and why ({key, args, text}, score/manrs.h Note), kept
// with the "all" group; [] for stores written before it was.
ordered_json NotesOf(store::Store& st, int64_t snapshot) {
  auto e = st.Entity(snapshot, "group", "all");
  if (!e.ok() || !e->has_value()) return ordered_json::array();
  const ordered_json d = ordered_json::parse((*e)->detail, nullptr, false);
  if (!d.is_object() || !d.contains("notes") || !d["notes"].is_array())
    return ordered_json::array();
  return d["notes"];
}

}  // namespace

Status Api::Healthz(const httplib::Request& req, httplib::Response& res) {
  SERVE_RETURN_IF_ERROR(Allow(req, {}));
  auto snaps = db().Snapshots();
  if (!snaps.ok()) return Error(res, 503, snaps.status().message());
  return Json(
      res, 200,
      {{"status", "ok"},
       {"snapshots", snaps->size()},
       {"newest", snaps->empty() ? ordered_json(nullptr) : ordered_json((*snaps)[0].date)}});
}

Status Api::Snapshots(const httplib::Request& req, httplib::Response& res) {
  SERVE_RETURN_IF_ERROR(Allow(req, {}));
  auto snaps = db().Snapshots();
  if (!snaps.ok()) return snaps.status();
  ordered_json a = ordered_json::array();
  for (const auto& s : *snaps) {
    a.push_back({{"id", s.id},
                 {"date", s.date},
                 {"window_start", IsoTime(s.window_start)},
                 {"window_end", IsoTime(s.window_end)},
                 {"source", s.source},
                 {"created", s.created},
                 {"partial", s.partial},
                 {"missing", s.missing},
                 {"provenance", report::ProvenanceJson(s)}});
  }
  return Json(res, 200, a);
}

Status Api::Overview(const httplib::Request& req, httplib::Response& res) {
  SERVE_RETURN_IF_ERROR(Allow(req, {"date"}));
  SERVE_ASSIGN_OR_RETURN(const std::string date, DateParam(req));
  auto snap = SnapshotFor(date);
  if (!snap.ok()) return snap.status();
  // A committed snapshot never changes, and its overview reads every
  // incident of it and parses the member lists of all aggregates: built
  // once per snapshot; the requests that arrive while it is built wait
  // for it instead of building it too (with parallel readers, ten first
  // requests built it ten times over and waited 1.5 s).
  auto cached = [&] {
    std::lock_guard<std::mutex> l(overview_mu_);
    auto it = overview_cache_.find(snap->id);
    if (it == overview_cache_.end()) return false;
    res.status = 200;
    res.set_content(it->second, "application/json");
    return true;
  };
  if (cached()) return Status::Ok();
  std::lock_guard<std::mutex> building(overview_build_mu_);
  if (cached()) return Status::Ok();
  ordered_json j;
  j["snapshot"] = {{"id", snap->id}, {"date", snap->date}};
  auto scores = [&](const std::string& kind, const std::string& id) -> ordered_json {
    ordered_json o = ordered_json::object();
    auto rows = db().Scores(snap->id, kind, id);
    if (!rows.ok()) return o;
    for (const auto& r : *rows) o[r.action] = report::ScoreEntry(r);
    return o;
  };
  j["global"] = scores("group", "all");
  j["manrs"] = scores("group", "manrs");
  j["coverage"] = Coverage(snap->id, "group", "all");
  j["notes"] = NotesOf(db(), snap->id);
  ordered_json regions = ordered_json::array();
  auto ranking = db().Ranking(snap->id, "region", 100, 0);
  if (ranking.ok()) {
    // LACNIC first (the observatory's home region), then by name.
    std::vector<store::EntityRow> rs;
    for (const auto& x : *ranking) rs.push_back(x.first);
    std::stable_sort(rs.begin(), rs.end(), [](const auto& a, const auto& b) {
      return std::make_pair(a.id != "lacnic", a.id) < std::make_pair(b.id != "lacnic", b.id);
    });
    for (const auto& e : rs) {
      regions.push_back({{"id", e.id},
                         {"name", e.name},
                         {"scores", scores("region", e.id)},
                         {"coverage", Coverage(snap->id, "region", e.id)}});
    }
  }
  j["regions"] = std::move(regions);
  // Every country with its overall score and band counts: the map.
  ordered_json countries = ordered_json::array();
  auto cr = db().Ranking(snap->id, "country", 100'000, 0);
  if (cr.ok()) {
    for (const auto& [e, sc] : *cr) {
      countries.push_back({{"id", e.id},
                           {"region", e.region},
                           {"overall", ScoreJson(sc.score)},
                           {"band", sc.band},
                           {"members", sc.members},
                           {"ready", sc.ready},
                           {"aspiring", sc.aspiring},
                           {"lagging", sc.lagging},
                           {"no_data", sc.no_data},
                           {"score", report::ScoreEntry(sc)}});
    }
  }
  j["countries"] = std::move(countries);
  auto counts = db().IncidentCounts(snap->id);
  j["incidents"] = counts.ok() ? ordered_json(*counts) : ordered_json::object();
  std::string body = j.dump();
  if (ranking.ok() && cr.ok() && counts.ok()) {
    std::lock_guard<std::mutex> l(overview_mu_);
    overview_cache_[snap->id] = body;
  }
  res.status = 200;
  res.set_content(std::move(body), "application/json");
  return Status::Ok();
}

Status Api::Ranking(const httplib::Request& req, httplib::Response& res) {
  SERVE_RETURN_IF_ERROR(Allow(req, {"date", "kind", "limit", "offset", "format"}));
  const std::string kind = req.has_param("kind") ? Param(req, "kind") : "as";
  if (kind != "as" && kind != "country" && kind != "region" && kind != "ixp" && kind != "group") {
    return Status::InvalidArgument("parameter 'kind' must be as, country, region, ixp or group");
  }
  SERVE_ASSIGN_OR_RETURN(const std::string format, FormatParam(req));
  SERVE_ASSIGN_OR_RETURN(const int64_t limit,
                         IntParam(req, "limit", 100, 1, static_cast<int64_t>(opts_.max_page)));
  SERVE_ASSIGN_OR_RETURN(const int64_t offset, IntParam(req, "offset", 0, 0, 1'000'000'000));
  SERVE_ASSIGN_OR_RETURN(const std::string date, DateParam(req));
  auto snap = SnapshotFor(date);
  if (!snap.ok()) return snap.status();
  auto rows = db().Ranking(snap->id, kind, static_cast<size_t>(limit), static_cast<size_t>(offset));
  if (!rows.ok()) return rows.status();
  if (format == "csv") {
    std::string csv =
        "kind,id,name,country,region,manrs,size,overall,band,overall_max,measured,of\n";
    for (const auto& [e, s] : *rows) {
      csv += fmt::format("{},{},{},{},{},{},{},{},{},{},{},{}\n", kind, CsvField(e.id),
                         CsvField(e.name), CsvField(e.country), CsvField(e.region), e.manrs ? 1 : 0,
                         e.size, CsvNumber(s.score), s.band,
                         CsvNumber(s.score_max ? s.score_max : s.score), s.measured, s.of);
    }
    return Csv(res, std::move(csv));
  }
  ordered_json a = ordered_json::array();
  for (const auto& [e, s] : *rows) {
    a.push_back({{"id", e.id},
                 {"name", e.name},
                 {"country", e.country},
                 {"region", e.region},
                 {"manrs", e.manrs},
                 {"size", e.size},
                 {"overall", ScoreJson(s.score)},
                 {"band", s.band},
                 {"score", report::ScoreEntry(s)}});
  }
  return Json(res, 200,
              {{"snapshot", {{"id", snap->id}, {"date", snap->date}}},
               {"kind", kind},
               {"limit", limit},
               {"offset", offset},
               {"entities", std::move(a)}});
}

// The RPKI and IRR coverage analyze stored in an aggregate's detail;
// null for stores written before it did.
ordered_json Api::Coverage(int64_t snapshot, const std::string& kind, const std::string& id) {
  auto e = db().Entity(snapshot, kind, id);
  if (!e.ok() || !e->has_value()) return nullptr;
  const ordered_json d = ordered_json::parse((*e)->detail, nullptr, false);
  if (!d.is_object() || !d.contains("coverage")) return nullptr;
  return d["coverage"];
}

// Entities by id or name (store::Store::Search), and for a prefix or an
// address the longest matching prefix the collectors saw (issue 15): who
// originates it and how many incidents it has in the snapshot. The origins
// are the snapshot's routes (store RoutesSeen), or for an older store the
// incident-free origin history up to its date; /api/route gives one
// origin's RPKI and IRR state.
Status Api::Search(const httplib::Request& req, httplib::Response& res) {
  SERVE_RETURN_IF_ERROR(Allow(req, {"date", "q", "limit"}));
  const std::string q = Param(req, "q");
  if (q.empty()) return Status::InvalidArgument("parameter 'q' is required");
  if (q.size() > 100) return Status::InvalidArgument("parameter 'q' is too long");
  for (unsigned char c : q) {
    if (c < 0x20) return Status::InvalidArgument("parameter 'q' holds a control character");
  }
  SERVE_ASSIGN_OR_RETURN(const int64_t limit, IntParam(req, "limit", 20, 1, 100));
  SERVE_ASSIGN_OR_RETURN(const std::string date, DateParam(req));
  auto snap = SnapshotFor(date);
  if (!snap.ok()) return snap.status();
  ordered_json a = ordered_json::array();
  std::optional<Prefix> asked = Prefix::Parse(q, /*lenient=*/true);
  if (asked) {
    asked = asked->Masked();
  } else if (auto addr = IpAddress::Parse(q)) {
    asked = Prefix(*addr, addr->is_v4() ? 32 : 128);
  }
  if (asked) {
    for (int len = asked->length(); len >= 0; --len) {
      const std::string p = Prefix(asked->address(), static_cast<uint8_t>(len)).Masked().ToString();
      auto origins = db().OriginsOf(p);
      if (!origins.ok()) return origins.status();
      store::IncidentQuery iq;
      iq.snapshot = snap->id;
      iq.prefix = p;
      auto incidents = db().CountIncidents(iq);
      if (!incidents.ok()) return incidents.status();
      // The snapshot's own routes; for a store written before they were
      // kept, the incident-free history up to the snapshot's date.
      auto seen = db().RoutesSeen(snap->id, p);
      if (!seen.ok()) return seen.status();
      std::vector<Asn> asns;
      for (const auto& r : *seen) asns.push_back(r.origin);
      for (const auto& o : *origins) {
        if (seen->empty() && o.first_date <= snap->date) asns.push_back(o.origin);
      }
      if (asns.empty() && *incidents == 0) continue;
      a.push_back({{"kind", "prefix"},
                   {"id", p},
                   {"name", ""},
                   {"country", ""},
                   {"region", ""},
                   {"origins", asns},
                   {"incidents", *incidents},
                   {"exact", len == asked->length()}});
      break;
    }
  }
  auto rows = db().Search(snap->id, q, static_cast<size_t>(limit));
  if (!rows.ok()) return rows.status();
  for (const auto& e : *rows) {
    if (a.size() >= static_cast<size_t>(limit)) break;
    a.push_back({{"kind", e.kind},
                 {"id", e.id},
                 {"name", e.name},
                 {"country", e.country},
                 {"region", e.region}});
  }
  return Json(res, 200,
              {{"snapshot", {{"id", snap->id}, {"date", snap->date}}},
               {"q", q},
               {"results", std::move(a)}});
}

}  // namespace vigia::serve
