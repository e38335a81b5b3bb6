// The API of `vigia serve` (serve/server.h) as one class whose routes live
// in one file per group: routes_read.cc (health, snapshots, overview,
// ranking, search), routes_reports.cc (reports, compare),
// routes_incidents.cc (incident search, one incident), routes_write.cc
// (contests), metrics.cc (/metrics), openapi.cc (/api/openapi.json).
// request.cc holds the parameter parsing and the JSON, error and CSV
// answers every route uses.
//
// Ownership: Api owns the store. Thread safety: handlers run on the
// server's worker threads; every handler runs under store_mu_ (one SQLite
// connection), the request counters under metrics_mu_.
#pragma once

#include <httplib.h>

#include <functional>
#include <initializer_list>
#include <map>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "core/status.h"
#include "report/report.h"
#include "serve/server.h"
#include "store/store.h"

namespace vigia::serve {

using nlohmann::ordered_json;
using report::CsvField;
using report::Num;

// A request parameter that is not valid: 400 with this message.
struct BadRequest {
  std::string message;
};

void Json(httplib::Response& res, int status, const ordered_json& body);
void Error(httplib::Response& res, int status, const std::string& message);
// Only the listed parameters, each at most once.
void Allow(const httplib::Request& req, std::initializer_list<const char*> names);
std::string Param(const httplib::Request& req, const char* name);
int64_t IntParam(const httplib::Request& req, const char* name, int64_t def, int64_t lo,
                 int64_t hi);
std::string DateParam(const httplib::Request& req, const char* name = "date");
std::string FormatParam(const httplib::Request& req);
std::string CsvNum(const std::optional<double>& v);
void Csv(httplib::Response& res, std::string body);
ordered_json IncidentJson(const store::IncidentRow& r);

class Api {
 public:
  Api(std::unique_ptr<store::Store> st, const ServeOptions& o) : store_(std::move(st)), opts_(o) {}

  void Register(httplib::Server& svr);

  // Request counts and latency for /metrics, by route name and status.
  void Count(const std::string& route, int status, double seconds);

 private:
  using Handler = std::function<void(const httplib::Request&, httplib::Response&)>;

  void Route(httplib::Server& svr, const char* pattern, std::string name, Handler h,
             const char* method = "GET");
  Result<store::SnapshotInfo> SnapshotFor(const std::string& date);
  void Overview(const std::string& date, httplib::Response& res);
  void Incidents(const httplib::Request& req, httplib::Response& res);
  void Ranking(const httplib::Request& req, httplib::Response& res);
  ordered_json Coverage(int64_t snapshot, const std::string& kind, const std::string& id);
  void Search(const httplib::Request& req, httplib::Response& res);
  void Compare(const httplib::Request& req, httplib::Response& res);
  Result<std::pair<store::SnapshotInfo, store::IncidentRow>> FindIncident(
      const httplib::Request& req);
  void OneIncident(const httplib::Request& req, httplib::Response& res);
  void Contest(const httplib::Request& req, httplib::Response& res);
  void Metrics(httplib::Response& res);
  static ordered_json OpenApi();

  std::unique_ptr<store::Store> store_;
  ServeOptions opts_;
  std::mutex store_mu_, metrics_mu_;
  std::map<int64_t, std::string> overview_cache_;  // by snapshot id; under store_mu_
  std::map<std::pair<std::string, int>, uint64_t> requests_;
  std::map<std::string, double> seconds_;
};

}  // namespace vigia::serve
