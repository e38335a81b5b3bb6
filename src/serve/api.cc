// The route table of the API (serve/api.h).
#include "serve/api.h"

#include <fmt/format.h>

#include <chrono>

#include "core/time_format.h"

namespace vigia::serve {

void Api::Register(httplib::Server& svr) {
  Route(svr, "/healthz", "healthz", [this](const httplib::Request& req, httplib::Response& res) {
    Allow(req, {});
    auto snaps = store_->Snapshots();
    if (!snaps.ok()) return Error(res, 503, snaps.status().message());
    Json(res, 200,
         {{"status", "ok"},
          {"snapshots", snaps->size()},
          {"newest", snaps->empty() ? ordered_json(nullptr) : ordered_json((*snaps)[0].date)}});
  });
  svr.Get("/metrics", [this](const httplib::Request&, httplib::Response& res) { Metrics(res); });
  Route(svr, "/api/openapi.json", "openapi",
        [](const httplib::Request& req, httplib::Response& res) {
          Allow(req, {});
          Json(res, 200, OpenApi());
        });
  Route(svr, "/api/snapshots", "snapshots",
        [this](const httplib::Request& req, httplib::Response& res) {
          Allow(req, {});
          auto snaps = store_->Snapshots();
          if (!snaps.ok()) return Error(res, 500, snaps.status().message());
          ordered_json a = ordered_json::array();
          for (const auto& s : *snaps) {
            a.push_back({{"id", s.id},
                         {"date", s.date},
                         {"window_start", IsoTime(s.window_start)},
                         {"window_end", IsoTime(s.window_end)},
                         {"source", s.source},
                         {"created", s.created}});
          }
          Json(res, 200, a);
        });
  Route(svr, "/api/overview", "overview",
        [this](const httplib::Request& req, httplib::Response& res) {
          Allow(req, {"date"});
          Overview(DateParam(req), res);
        });
  Route(svr, R"(/api/(as|country|region|ixp|group)/([A-Za-z0-9.-]{1,20}))", "report",
        [this](const httplib::Request& req, httplib::Response& res) {
          Allow(req, {"date", "members", "format"});
          const std::string format = FormatParam(req);
          report::ReportOptions o;
          o.kind = req.matches[1];
          o.id = req.matches[2];
          o.date = DateParam(req);
          o.max_members = static_cast<size_t>(IntParam(req, "members", 50, 0, 1000));
          if (!report::NormaliseEntity(o.kind, &o.id)) {
            throw BadRequest{
                fmt::format("'{}' is not a valid {} id", std::string(req.matches[2]), o.kind)};
          }
          auto r = report::BuildReport(*store_, o);
          if (!r.ok())
            return Error(res, r.status().code() == StatusCode::kNotFound ? 404 : 500,
                         r.status().message());
          if (format == "csv") return Csv(res, report::ReportCsv(*r));
          Json(res, 200, *r);
        });
  Route(svr, "/api/incidents", "incidents",
        [this](const httplib::Request& req, httplib::Response& res) {
          Allow(req, {"date", "from", "to", "type", "as", "prefix", "limit", "offset", "format"});
          Incidents(req, res);
        });
  Route(svr, "/api/ranking", "ranking",
        [this](const httplib::Request& req, httplib::Response& res) {
          Allow(req, {"date", "kind", "limit", "offset", "format"});
          Ranking(req, res);
        });
  Route(svr, "/api/search", "search", [this](const httplib::Request& req, httplib::Response& res) {
    Allow(req, {"date", "q", "limit"});
    Search(req, res);
  });
  Route(svr, "/api/compare", "compare",
        [this](const httplib::Request& req, httplib::Response& res) {
          Allow(req, {"date", "kind", "ids", "format"});
          Compare(req, res);
        });
  Route(svr, R"(/api/incidents/([0-9]{1,12}))", "incident",
        [this](const httplib::Request& req, httplib::Response& res) {
          Allow(req, {"date"});
          OneIncident(req, res);
        });
  Route(
      svr, R"(/api/incidents/([0-9]{1,12})/contest)", "contest",
      [this](const httplib::Request& req, httplib::Response& res) { Contest(req, res); }, "POST");
}

void Api::Route(httplib::Server& svr, const char* pattern, std::string name, Handler h,
                const char* method) {
  auto wrapped = [this, name, h](const httplib::Request& req, httplib::Response& res) {
    const auto t0 = std::chrono::steady_clock::now();
    try {
      std::lock_guard<std::mutex> l(store_mu_);  // one SQLite connection
      h(req, res);
    } catch (const BadRequest& e) {
      Error(res, 400, e.message);
    } catch (const std::exception& e) {
      Error(res, 500, e.what());
    }
    Count(name, res.status,
          std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
  };
  if (std::string_view(method) == "POST") {
    svr.Post(pattern, wrapped);
  } else {
    svr.Get(pattern, wrapped);
  }
}

Result<store::SnapshotInfo> Api::SnapshotFor(const std::string& date) {
  auto snaps = store_->Snapshots();
  if (!snaps.ok()) return snaps.status();
  for (const auto& s : *snaps) {
    if (date.empty() || s.date == date) return s;
  }
  return Status::NotFound(date.empty() ? "the store holds no snapshot" : "no snapshot for " + date);
}

}  // namespace vigia::serve
