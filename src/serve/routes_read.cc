// The read routes: overview, ranking, search (serve/api.h).
#include <fmt/format.h>

#include <algorithm>

#include "serve/api.h"

namespace vigia::serve {

void Api::Overview(const std::string& date, httplib::Response& res) {
  auto snap = SnapshotFor(date);
  if (!snap.ok()) return Error(res, 404, snap.status().message());
  // A committed snapshot never changes, and its overview reads every
  // incident of it and parses the member lists of all aggregates: built
  // once per snapshot (under store_mu_, like every handler).
  if (auto it = overview_cache_.find(snap->id); it != overview_cache_.end()) {
    res.status = 200;
    res.set_content(it->second, "application/json");
    return;
  }
  ordered_json j;
  j["snapshot"] = {{"id", snap->id}, {"date", snap->date}};
  auto scores = [&](const std::string& kind, const std::string& id) -> ordered_json {
    ordered_json o = ordered_json::object();
    auto rows = store_->Scores(snap->id, kind, id);
    if (!rows.ok()) return o;
    for (const auto& r : *rows) {
      o[r.action] = {{"score", Num(r.score)}, {"band", r.band},         {"members", r.members},
                     {"ready", r.ready},      {"aspiring", r.aspiring}, {"lagging", r.lagging},
                     {"no_data", r.no_data}};
    }
    return o;
  };
  j["global"] = scores("group", "all");
  j["manrs"] = scores("group", "manrs");
  j["coverage"] = Coverage(snap->id, "group", "all");
  ordered_json regions = ordered_json::array();
  auto ranking = store_->Ranking(snap->id, "region", 100, 0);
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
  auto cr = store_->Ranking(snap->id, "country", 100'000, 0);
  if (cr.ok()) {
    for (const auto& [e, sc] : *cr) {
      countries.push_back({{"id", e.id},
                           {"region", e.region},
                           {"overall", Num(sc.score)},
                           {"band", sc.band},
                           {"members", sc.members},
                           {"ready", sc.ready},
                           {"aspiring", sc.aspiring},
                           {"lagging", sc.lagging},
                           {"no_data", sc.no_data}});
    }
  }
  j["countries"] = std::move(countries);
  auto counts = store_->IncidentCounts(snap->id);
  j["incidents"] = counts.ok() ? ordered_json(*counts) : ordered_json::object();
  std::string body = j.dump();
  if (ranking.ok() && cr.ok() && counts.ok()) overview_cache_[snap->id] = body;
  res.status = 200;
  res.set_content(std::move(body), "application/json");
}

void Api::Ranking(const httplib::Request& req, httplib::Response& res) {
  const std::string kind = req.has_param("kind") ? Param(req, "kind") : "as";
  if (kind != "as" && kind != "country" && kind != "region" && kind != "ixp" && kind != "group") {
    throw BadRequest{"parameter 'kind' must be as, country, region, ixp or group"};
  }
  const std::string format = FormatParam(req);
  const size_t limit =
      static_cast<size_t>(IntParam(req, "limit", 100, 1, static_cast<int64_t>(opts_.max_page)));
  const size_t offset = static_cast<size_t>(IntParam(req, "offset", 0, 0, 1'000'000'000));
  auto snap = SnapshotFor(DateParam(req));
  if (!snap.ok()) return Error(res, 404, snap.status().message());
  auto rows = store_->Ranking(snap->id, kind, limit, offset);
  if (!rows.ok()) return Error(res, 500, rows.status().message());
  if (format == "csv") {
    std::string csv = "kind,id,name,country,region,manrs,size,overall,band\n";
    for (const auto& [e, s] : *rows) {
      csv += fmt::format("{},{},{},{},{},{},{},{},{}\n", kind, CsvField(e.id), CsvField(e.name),
                         CsvField(e.country), CsvField(e.region), e.manrs ? 1 : 0, e.size,
                         CsvNum(s.score), s.band);
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
                 {"overall", Num(s.score)},
                 {"band", s.band}});
  }
  Json(res, 200,
       {{"snapshot", {{"id", snap->id}, {"date", snap->date}}},
        {"kind", kind},
        {"limit", limit},
        {"offset", offset},
        {"entities", std::move(a)}});
}

// The RPKI and IRR coverage analyze stored in an aggregate's detail;
// null for stores written before it did.
ordered_json Api::Coverage(int64_t snapshot, const std::string& kind, const std::string& id) {
  auto e = store_->Entity(snapshot, kind, id);
  if (!e.ok() || !e->has_value()) return nullptr;
  const ordered_json d = ordered_json::parse((*e)->detail, nullptr, false);
  if (!d.is_object() || !d.contains("coverage")) return nullptr;
  return d["coverage"];
}

void Api::Search(const httplib::Request& req, httplib::Response& res) {
  const std::string q = Param(req, "q");
  if (q.empty()) throw BadRequest{"parameter 'q' is required"};
  if (q.size() > 100) throw BadRequest{"parameter 'q' is too long"};
  for (unsigned char c : q) {
    if (c < 0x20) throw BadRequest{"parameter 'q' holds a control character"};
  }
  const size_t limit = static_cast<size_t>(IntParam(req, "limit", 20, 1, 100));
  auto snap = SnapshotFor(DateParam(req));
  if (!snap.ok()) return Error(res, 404, snap.status().message());
  auto rows = store_->Search(snap->id, q, limit);
  if (!rows.ok()) return Error(res, 500, rows.status().message());
  ordered_json a = ordered_json::array();
  for (const auto& e : *rows) {
    a.push_back({{"kind", e.kind},
                 {"id", e.id},
                 {"name", e.name},
                 {"country", e.country},
                 {"region", e.region}});
  }
  Json(res, 200,
       {{"snapshot", {{"id", snap->id}, {"date", snap->date}}},
        {"q", q},
        {"results", std::move(a)}});
}

}  // namespace vigia::serve
