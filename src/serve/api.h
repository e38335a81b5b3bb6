// The API of `vigia serve` (serve/server.h) as one class whose routes live
// in one file per group: routes_read.cc (health, snapshots, overview,
// ranking, search), routes_reports.cc (reports, compare), routes_ixp.cc
// (an IXP report's route-server check and MANRS-for-IXPs checklist),
// routes_incidents.cc (incident search, one incident), routes_route.cc
// (one route's RPKI, IRR and incidents), routes_write.cc (contests,
// reviews, the audit log; recompute.h re-analyses after an accepted
// contest), metrics.cc (/metrics), openapi.cc (/api/openapi.json).
// api.cc holds the route table, request.cc the parameter parsing and the
// JSON, error and CSV answers every route uses.
//
// Ownership: Api owns the store connections. Thread safety: handlers run
// on the server's worker threads, concurrently. A handler reaches the store
// through db(), the connection of its request: a read route a reader of
// the pool (serve/read_pool.h) inside one read view (store.h BeginRead), a
// write route the writing connection under write_mu_. The answers of the
// public read routes are cached per store generation (Api::Handle, in
// api.cc); the request counters are under metrics_mu_.
#pragma once

#include <httplib.h>

#include <atomic>
#include <functional>
#include <initializer_list>
#include <map>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/csv.h"
#include "core/score_json.h"
#include "core/status.h"
#include "report/report.h"
#include "serve/read_pool.h"
#include "serve/recompute.h"
#include "serve/server.h"
#include "store/store.h"

namespace vigia::serve {

using nlohmann::ordered_json;

// Evaluates `expr`, a Result<T>; returns its Status from the enclosing
// function when it failed, else moves its value into `lhs`.
#define VIGIA_SERVE_CAT_(a, b) a##b
#define VIGIA_SERVE_CAT(a, b) VIGIA_SERVE_CAT_(a, b)
#define SERVE_ASSIGN_OR_RETURN(lhs, expr) \
  SERVE_ASSIGN_OR_RETURN_(VIGIA_SERVE_CAT(result_, __LINE__), lhs, expr)
#define SERVE_ASSIGN_OR_RETURN_(tmp, lhs, expr) \
  auto tmp = (expr);                            \
  if (!tmp.ok()) return tmp.status();           \
  lhs = std::move(*tmp)
#define SERVE_RETURN_IF_ERROR(expr)              \
  do {                                           \
    if (Status s_ = (expr); !s_.ok()) return s_; \
  } while (false)

// The answers: each sets `res` and returns OK, so that a handler ends with
// `return Json(res, 200, body);`.
Status Json(httplib::Response& res, int status, const ordered_json& body);
Status Error(httplib::Response& res, int status, const std::string& message);
// The answer for a handler's failed Status: kInvalidArgument and
// kLimitExceeded 400, kNotFound 404, anything else 500; nothing for OK.
void Answer(httplib::Response& res, const Status& s);

// Parameter parsing: a bad parameter is kInvalidArgument with a message
// naming it (400). Only the listed parameters, each at most once, each at
// most 200 bytes.
Status Allow(const httplib::Request& req, std::initializer_list<const char*> names);
// The parameter's value; "" when absent.
std::string Param(const httplib::Request& req, const char* name);
// A whole number in [lo, hi] (lo >= 0); `def` when absent.
Result<int64_t> IntParam(const httplib::Request& req, const char* name, int64_t def, int64_t lo,
                         int64_t hi);
// YYYY-MM-DD, a real date; "" when absent.
Result<std::string> DateParam(const httplib::Request& req, const char* name = "date");
// "json" (the default) or "csv".
Result<std::string> FormatParam(const httplib::Request& req);
Status Csv(httplib::Response& res, std::string body);
ordered_json IncidentJson(const store::IncidentRow& r);

// Stored JSON text (an incident's evidence) as the answers print it:
// ordered_json::parse(text, nullptr, false).dump(), byte for byte, kept by
// text so that each distinct text is parsed once (at most kMaxBytes of
// texts, then all forgotten at once). Thread-safe.
class DumpMemo {
 public:
  void Append(const std::string& text, std::string* out);

 private:
  static constexpr size_t kMaxBytes = 64 << 20;
  std::mutex mu_;
  std::unordered_map<std::string, std::string> dumps_;  // "" = the text itself
  size_t bytes_ = 0;
};

// IncidentJson(r).dump() appended to `out`, byte for byte, without
// building the JSON tree (the incident list's answer is mostly these).
void AppendIncidentJson(const store::IncidentRow& r, DumpMemo* evidence, std::string* out);

class Api;

// One route of the API: how it is matched, the name /metrics counts it
// under, the OpenAPI paths it answers (openapi.json documents each), and
// its handler. A handler answers through `res` and returns OK, or returns
// the Status that Answer() turns into a JSON error.
struct RouteSpec {
  const char* method;                   // "GET" or "POST"
  const char* pattern;                  // cpp-httplib's regular expression
  const char* name;                     // "" = not counted in /metrics
  std::vector<std::string> documented;  // OpenAPI paths, e.g. "/api/as/{id}"
  Status (Api::*handler)(const httplib::Request& req, httplib::Response& res);
  enum class Access {
    kRead,     // reads the store; its answer depends on the target only: cached
    kPrivate,  // reads the store; its answer depends on the caller's token
    kWrite,    // writes the store: the writing connection, under write_mu_
    kNone,     // no store
  };
  Access access = Access::kRead;
};

// Every route of the API, in the order they are registered. Adding a route
// is a handler in its routes_*.cc file, a row here and its entry in
// openapi.json (tests/serve_test.cc checks both ways).
const std::vector<RouteSpec>& Routes();

// The OpenAPI 3 document (src/serve/openapi.json, embedded at build time).
const ordered_json& OpenApiDocument();

class Api {
 public:
  // `st`: the writing connection (opened, and migrated, by the caller).
  Api(std::unique_ptr<store::Store> st, const ServeOptions& o)
      : store_(std::move(st)),
        opts_(o),
        readers_(o.db, o.workers),
        cache_(o.cache_mb ? std::make_unique<ResponseCache>(o.cache_mb << 20) : nullptr),
        recompute_(std::make_unique<Recomputer>(o.db)) {}

  // Registers every row of Routes() on `svr`.
  void Register(httplib::Server& svr);

  // Runs route `r`'s handler for `req` on a store connection (see api.cc).
  void Handle(const RouteSpec& r, const httplib::Request& req, httplib::Response& res);

  // Request counts and latency for /metrics, by route name and status.
  void Count(const std::string& route, int status, double seconds);

  // The handlers, one per route (see Routes()).
  Status Healthz(const httplib::Request& req, httplib::Response& res);
  Status Metrics(const httplib::Request& req, httplib::Response& res);
  Status OpenApi(const httplib::Request& req, httplib::Response& res);
  Status Snapshots(const httplib::Request& req, httplib::Response& res);
  Status Overview(const httplib::Request& req, httplib::Response& res);
  Status Report(const httplib::Request& req, httplib::Response& res);
  Status Incidents(const httplib::Request& req, httplib::Response& res);
  Status Ranking(const httplib::Request& req, httplib::Response& res);
  Status Search(const httplib::Request& req, httplib::Response& res);
  Status Compare(const httplib::Request& req, httplib::Response& res);
  Status Route(const httplib::Request& req, httplib::Response& res);  // routes_route.cc
  Status OneIncident(const httplib::Request& req, httplib::Response& res);
  Status Contest(const httplib::Request& req, httplib::Response& res);
  Status Review(const httplib::Request& req, httplib::Response& res);
  Status ListContests(const httplib::Request& req, httplib::Response& res);
  Status AuditLog(const httplib::Request& req, httplib::Response& res);
  Status HistoryPrefix(const httplib::Request& req, httplib::Response& res);  // routes_history.cc
  Status HistoryAsn(const httplib::Request& req, httplib::Response& res);

 private:
  // The store connection of the request this thread is answering.
  store::Store& db() { return *current_; }
  static thread_local store::Store* current_;

  Result<store::SnapshotInfo> SnapshotFor(const std::string& date);
  ordered_json Coverage(int64_t snapshot, const std::string& kind, const std::string& id);
  // The incidents of a snapshot whose victims include `asn`, newest first,
  // at most kMaxAttacks, with their total: an AS report's "attacks"
  // (routes_incidents.cc); null when the store fails.
  static constexpr int64_t kMaxAttacks = 100;
  ordered_json Attacks(int64_t snapshot, Asn asn);
  // An IXP report's additions (routes_ixp.cc): each listed member's
  // "fixes", the latest route-server check "rs_check" (null when none) and
  // the MANRS-for-IXPs checklist "manrs_ixp".
  Status IxpExtras(int64_t snapshot, const std::string& id, ordered_json* report);
  Result<std::pair<store::SnapshotInfo, store::IncidentRow>> FindIncident(
      const httplib::Request& req);
  // The caller of a write route (routes_write.cc): a valid, unrevoked
  // token of the store, or why not (for the 401).
  struct Caller {
    std::optional<store::TokenRow> token;
    std::optional<store::TokenRow> revoked;  // a known token, revoked
    bool token_given = false;
    std::string why;
  };
  Result<Caller> Authenticate(const httplib::Request& req);
  // The caller of a JSON write that needs `role`, named in its audit row
  // `a`; otherwise the response is set (401 no, unknown or revoked token;
  // 403 `refusal` for another role; 415 not JSON) and its status returned.
  Result<store::TokenRow> WriteCaller(const httplib::Request& req, httplib::Response& res,
                                      store::AuditRow* a, const std::string& role,
                                      const std::string& refusal);
  // Appends the write's audit row with its outcome (from `s` or `res`).
  Status Audited(store::AuditRow a, const Status& s, httplib::Response& res);
  Status DoContest(const httplib::Request& req, httplib::Response& res, store::AuditRow* a);
  // Sets *recompute_date when the review accepted a contest.
  Status DoReview(const httplib::Request& req, httplib::Response& res, store::AuditRow* a,
                  std::string* recompute_date);

  std::unique_ptr<store::Store> store_;  // the writing connection, under write_mu_
  ServeOptions opts_;
  ReadPool readers_;
  std::unique_ptr<ResponseCache> cache_;  // null: --cache-mb 0
  // Bumped whenever a reader sees a new data version or a write route
  // ran: a cached answer is kept under the generation it was read at.
  std::atomic<uint64_t> generation_{1};
  std::mutex write_mu_, metrics_mu_, overview_mu_;
  std::mutex overview_build_mu_;                   // one overview built at a time
  std::map<int64_t, std::string> overview_cache_;  // by snapshot id; under overview_mu_
  DumpMemo evidence_;
  std::map<std::pair<std::string, int>, uint64_t> requests_;
  std::map<std::string, double> seconds_;
  std::unique_ptr<Recomputer> recompute_;  // re-analyses after accepted contests
};

}  // namespace vigia::serve
