// The report routes: one entity's report, reports side by side
// (serve/api.h).
#include <fmt/format.h>

#include <algorithm>

#include "serve/api.h"

namespace vigia::serve {

Status Api::Report(const httplib::Request& req, httplib::Response& res) {
  SERVE_RETURN_IF_ERROR(Allow(req, {"date", "members", "format"}));
  SERVE_ASSIGN_OR_RETURN(const std::string format, FormatParam(req));
  report::ReportOptions o;
  o.kind = req.matches[1];
  o.id = req.matches[2];
  SERVE_ASSIGN_OR_RETURN(o.date, DateParam(req));
  SERVE_ASSIGN_OR_RETURN(const int64_t members, IntParam(req, "members", 50, 0, 1000));
  o.max_members = static_cast<size_t>(members);
  if (!report::NormaliseEntity(o.kind, &o.id)) {
    return Status::InvalidArgument(
        fmt::format("'{}' is not a valid {} id", std::string(req.matches[2]), o.kind));
  }
  auto r = report::BuildReport(db(), o);
  if (!r.ok()) return r.status();
  if (format == "csv") return Csv(res, report::ReportCsv(*r));
  // An AS's report lists the attacks on its prefixes (issue 15).
  if (o.kind == "as") {
    (*r)["attacks"] =
        Attacks((*r)["snapshot"]["id"].get<int64_t>(), static_cast<Asn>(std::stoul(o.id)));
  }
  // An IXP's: members' fixes, route-server check, MANRS-for-IXPs checklist.
  if (o.kind == "ixp") {
    SERVE_RETURN_IF_ERROR(IxpExtras((*r)["snapshot"]["id"].get<int64_t>(), o.id, &*r));
  }
  return Json(res, 200, *r);
}

// Two to ten ASes or countries side by side: scores per action, metric
// values (ASes) or means (countries), from the same reports as
// /api/{kind}/{id}.
Status Api::Compare(const httplib::Request& req, httplib::Response& res) {
  SERVE_RETURN_IF_ERROR(Allow(req, {"date", "kind", "ids", "format"}));
  const std::string kind = req.has_param("kind") ? Param(req, "kind") : "as";
  if (kind != "as" && kind != "country")
    return Status::InvalidArgument("parameter 'kind' must be as or country");
  SERVE_ASSIGN_OR_RETURN(const std::string format, FormatParam(req));
  SERVE_ASSIGN_OR_RETURN(const std::string date, DateParam(req));
  std::vector<std::string> ids;
  const std::string list = Param(req, "ids");
  for (size_t b = 0; b <= list.size();) {
    size_t e = list.find(',', b);
    if (e == std::string::npos) e = list.size();
    std::string id = list.substr(b, e - b);
    if (!report::NormaliseEntity(kind, &id))
      return Status::InvalidArgument(
          fmt::format("'{}' is not a valid {} id", list.substr(b, e - b), kind));
    if (std::find(ids.begin(), ids.end(), id) != ids.end())
      return Status::InvalidArgument(fmt::format("'{}' is listed twice", id));
    ids.push_back(id);
    b = e + 1;
  }
  if (ids.size() < 2 || ids.size() > 10)
    return Status::InvalidArgument("parameter 'ids' must list 2 to 10 ids, comma-separated");
  static constexpr const char* kActions[] = {"action1", "action2", "action3", "action4", "overall"};
  ordered_json entities = ordered_json::array();
  ordered_json snapshot;
  for (const std::string& id : ids) {
    report::ReportOptions o{kind, id, date, 0, 0};
    auto r = report::BuildReport(db(), o);
    if (!r.ok()) return r.status();
    snapshot = {{"id", (*r)["snapshot"]["id"]}, {"date", (*r)["snapshot"]["date"]}};
    ordered_json sc = ordered_json::object();
    for (const char* a : kActions) {
      if (!(*r)["scores"].contains(a)) continue;
      sc[a] = (*r)["scores"][a];  // report::ScoreEntry
    }
    ordered_json mj = ordered_json::object();
    for (const auto& [m, x] : (*r)["metrics"].items())
      mj[m] = x.contains("value") ? x["value"] : x["mean"];
    entities.push_back({{"id", id},
                        {"name", (*r)["name"]},
                        {"country", (*r)["country"]},
                        {"region", (*r)["region"]},
                        {"scores", std::move(sc)},
                        {"metrics", std::move(mj)}});
  }
  if (format == "csv") {
    std::string csv = "kind,id,name,country,region";
    for (const char* a : kActions) csv += fmt::format(",{},{}_band", a, a);
    const ordered_json& first_metrics = entities[0]["metrics"];
    for (const auto& [m, x] : first_metrics.items()) csv += "," + m;
    csv += "\n";
    for (const auto& e : entities) {
      csv += fmt::format("{},{},{},{},{}", kind, CsvField(e["id"].get<std::string>()),
                         CsvField(e["name"].get<std::string>()),
                         CsvField(e["country"].get<std::string>()),
                         CsvField(e["region"].get<std::string>()));
      for (const char* a : kActions) {
        const bool has = e["scores"].contains(a);
        const ordered_json& v = has ? e["scores"][a]["score"] : ordered_json(nullptr);
        csv += "," + (v.is_number() ? fmt::format("{:.2f}", v.get<double>()) : std::string());
        csv += "," + (has ? e["scores"][a]["band"].get<std::string>() : std::string());
      }
      for (const auto& [m, x] : first_metrics.items()) {
        const ordered_json& v = e["metrics"].contains(m) ? e["metrics"][m] : ordered_json(nullptr);
        csv += "," + (v.is_number() ? fmt::format("{:.2f}", v.get<double>()) : std::string());
      }
      csv += "\n";
    }
    return Csv(res, std::move(csv));
  }
  return Json(
      res, 200,
      {{"snapshot", std::move(snapshot)}, {"kind", kind}, {"entities", std::move(entities)}});
}

}  // namespace vigia::serve
