// The route table of the API (serve/api.h) and the wrapper every route runs
// in: the store lock, the answer for a failed Status, the /metrics count.
#include "serve/api.h"

#include <fmt/format.h>

#include <chrono>

namespace vigia::serve {

const std::vector<RouteSpec>& Routes() {
  static const std::vector<RouteSpec> kRoutes = {
      {"GET", "/healthz", "healthz", {"/healthz"}, &Api::Healthz},
      {"GET", "/metrics", "", {"/metrics"}, &Api::Metrics, false},
      {"GET", "/api/openapi.json", "openapi", {"/api/openapi.json"}, &Api::OpenApi, false},
      {"GET", "/api/snapshots", "snapshots", {"/api/snapshots"}, &Api::Snapshots},
      {"GET", "/api/overview", "overview", {"/api/overview"}, &Api::Overview},
      {"GET",
       R"(/api/(as|country|region|ixp|group)/([A-Za-z0-9.-]{1,20}))",
       "report",
       {"/api/as/{id}", "/api/country/{id}", "/api/region/{id}", "/api/ixp/{id}",
        "/api/group/{id}"},
       &Api::Report},
      {"GET", "/api/incidents", "incidents", {"/api/incidents"}, &Api::Incidents},
      {"GET", "/api/ranking", "ranking", {"/api/ranking"}, &Api::Ranking},
      {"GET", "/api/search", "search", {"/api/search"}, &Api::Search},
      {"GET", "/api/compare", "compare", {"/api/compare"}, &Api::Compare},
      {"GET", "/api/route", "route", {"/api/route"}, &Api::Route},
      {"GET",
       R"(/api/incidents/([0-9]{1,12}))",
       "incident",
       {"/api/incidents/{id}"},
       &Api::OneIncident},
      {"POST",
       R"(/api/incidents/([0-9]{1,12})/contest)",
       "contest",
       {"/api/incidents/{id}/contest"},
       &Api::Contest},
      {"GET", "/api/contests", "contests", {"/api/contests"}, &Api::ListContests},
      {"POST",
       R"(/api/contests/([0-9]{1,12})/review)",
       "review",
       {"/api/contests/{id}/review"},
       &Api::Review},
      {"GET", "/api/audit", "audit", {"/api/audit"}, &Api::AuditLog},
  };
  return kRoutes;
}

void Api::Register(httplib::Server& svr) {
  for (const RouteSpec& r : Routes()) {
    auto wrapped = [this, &r](const httplib::Request& req, httplib::Response& res) {
      const auto t0 = std::chrono::steady_clock::now();
      try {
        std::unique_lock<std::mutex> l(store_mu_, std::defer_lock);  // one SQLite connection
        if (r.uses_store) l.lock();
        Answer(res, (this->*r.handler)(req, res));
      } catch (const std::exception&) {
        // Only a bug gets here (a store or JSON library throwing).
        static_cast<void>(Error(res, 500, "internal error"));
      }
      if (*r.name) {
        Count(r.name, res.status,
              std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
      }
    };
    if (std::string_view(r.method) == "POST") {
      svr.Post(r.pattern, wrapped);
    } else {
      svr.Get(r.pattern, wrapped);
    }
  }
}

Result<store::SnapshotInfo> Api::SnapshotFor(const std::string& date) {
  return store_->SnapshotFor(date);
}

}  // namespace vigia::serve
