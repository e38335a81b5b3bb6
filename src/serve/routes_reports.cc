// The report routes: compare (serve/api.h).
#include <fmt/format.h>

#include <algorithm>

#include "serve/api.h"

namespace vigia::serve {

// Two to ten ASes or countries side by side: scores per action, metric
// values (ASes) or means (countries), from the same reports as
// /api/{kind}/{id}.
void Api::Compare(const httplib::Request& req, httplib::Response& res) {
  const std::string kind = req.has_param("kind") ? Param(req, "kind") : "as";
  if (kind != "as" && kind != "country") throw BadRequest{"parameter 'kind' must be as or country"};
  const std::string format = FormatParam(req);
  const std::string date = DateParam(req);
  std::vector<std::string> ids;
  const std::string list = Param(req, "ids");
  for (size_t b = 0; b <= list.size();) {
    size_t e = list.find(',', b);
    if (e == std::string::npos) e = list.size();
    std::string id = list.substr(b, e - b);
    if (!report::NormaliseEntity(kind, &id))
      throw BadRequest{fmt::format("'{}' is not a valid {} id", list.substr(b, e - b), kind)};
    if (std::find(ids.begin(), ids.end(), id) != ids.end())
      throw BadRequest{fmt::format("'{}' is listed twice", id)};
    ids.push_back(id);
    b = e + 1;
  }
  if (ids.size() < 2 || ids.size() > 10)
    throw BadRequest{"parameter 'ids' must list 2 to 10 ids, comma-separated"};
  static constexpr const char* kActions[] = {"action1", "action2", "action3", "action4", "overall"};
  ordered_json entities = ordered_json::array();
  ordered_json snapshot;
  for (const std::string& id : ids) {
    report::ReportOptions o{kind, id, date, 0, 0};
    auto r = report::BuildReport(*store_, o);
    if (!r.ok())
      return Error(res, r.status().code() == StatusCode::kNotFound ? 404 : 500,
                   r.status().message());
    snapshot = {{"id", (*r)["snapshot"]["id"]}, {"date", (*r)["snapshot"]["date"]}};
    ordered_json sc = ordered_json::object();
    for (const char* a : kActions) {
      if (!(*r)["scores"].contains(a)) continue;
      sc[a] = {{"score", (*r)["scores"][a]["score"]}, {"band", (*r)["scores"][a]["band"]}};
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
  Json(res, 200,
       {{"snapshot", std::move(snapshot)}, {"kind", kind}, {"entities", std::move(entities)}});
}

}  // namespace vigia::serve
