// The route table of the API (serve/api.h) and the wrapper every route runs
// in: its store connection and read view, the answer cache, the answer for
// a failed Status, the /metrics count.
#include "serve/api.h"

#include <fmt/format.h>

#include <chrono>

namespace vigia::serve {

const std::vector<RouteSpec>& Routes() {
  static const std::vector<RouteSpec> kRoutes = {
      {"GET", "/healthz", "healthz", {"/healthz"}, &Api::Healthz},
      {"GET", "/metrics", "", {"/metrics"}, &Api::Metrics, RouteSpec::Access::kNone},
      {"GET",
       "/api/openapi.json",
       "openapi",
       {"/api/openapi.json"},
       &Api::OpenApi,
       RouteSpec::Access::kNone},
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
       &Api::Contest,
       RouteSpec::Access::kWrite},
      {"GET",
       "/api/contests",
       "contests",
       {"/api/contests"},
       &Api::ListContests,
       RouteSpec::Access::kPrivate},
      {"POST",
       R"(/api/contests/([0-9]{1,12})/review)",
       "review",
       {"/api/contests/{id}/review"},
       &Api::Review,
       RouteSpec::Access::kWrite},
      {"GET", "/api/audit", "audit", {"/api/audit"}, &Api::AuditLog, RouteSpec::Access::kPrivate},
      {"GET",
       "/api/history/prefix",
       "history_prefix",
       {"/api/history/prefix"},
       &Api::HistoryPrefix,
       RouteSpec::Access::kNone},
      {"GET",
       "/api/history/asn",
       "history_asn",
       {"/api/history/asn"},
       &Api::HistoryAsn,
       RouteSpec::Access::kNone},
  };
  return kRoutes;
}

void Api::Register(httplib::Server& svr) {
  for (const RouteSpec& r : Routes()) {
    auto wrapped = [this, &r](const httplib::Request& req, httplib::Response& res) {
      const auto t0 = std::chrono::steady_clock::now();
      try {
        Handle(r, req, res);
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

thread_local store::Store* Api::current_ = nullptr;

namespace {

// Sets the thread's store connection for one handler.
class Current {
 public:
  Current(store::Store** slot, store::Store* s) : slot_(slot) { *slot_ = s; }
  ~Current() { *slot_ = nullptr; }
  Current(const Current&) = delete;
  Current& operator=(const Current&) = delete;

 private:
  store::Store** slot_;
};

}  // namespace

// Writes: one at a time on the writing connection; whatever they wrote
// starts a new generation (readers would see it anyway through the data
// version; this is belt and braces).
//
// Reads: a connection of the pool, one read view for the whole handler.
// The cache's rule: an answer read under generation G is given to another
// request only if both read views are the same state of the store. A
// connection whose view shows a change since its previous view (a data
// version it has not seen) bumps the generation before it reads it, so
// every view that includes a commit C uses a generation made after C was
// seen. A request uses the cache only if the generation did not move
// between just before its view began and just after, so every view that
// lacks C uses a generation read before C was committed: the two never
// share a generation. (A request whose generation moved answers without
// the cache.)
void Api::Handle(const RouteSpec& r, const httplib::Request& req, httplib::Response& res) {
  if (r.access == RouteSpec::Access::kNone) {
    Answer(res, (this->*r.handler)(req, res));
    return;
  }
  if (r.access == RouteSpec::Access::kWrite) {
    std::lock_guard<std::mutex> l(write_mu_);
    Current cur(&current_, store_.get());
    Answer(res, (this->*r.handler)(req, res));
    generation_.fetch_add(1);
    return;
  }
  auto lease = readers_.Acquire();
  if (!lease.ok()) {
    static_cast<void>(Error(res, 503, lease.status().message()));
    return;
  }
  ReadPool::Conn& conn = **lease;
  const uint64_t before = generation_.load();
  auto version = conn.store->BeginRead();
  if (!version.ok()) {
    Answer(res, version.status());
    return;
  }
  if (*version && *version != conn.seen) {
    conn.seen = *version;
    generation_.fetch_add(1);
  }
  const uint64_t generation = generation_.load();
  const bool cached = cache_ && r.access == RouteSpec::Access::kRead && version->has_value() &&
                      generation == before;
  std::string key;
  if (cached) {
    key = req.method + ' ' + req.target;
    if (auto e = cache_->Find(generation, key)) {
      conn.store->EndRead();
      res.status = e->status;
      res.headers = e->headers;
      res.body = e->body;
      return;
    }
  }
  {
    Current cur(&current_, conn.store.get());
    Answer(res, (this->*r.handler)(req, res));
  }
  conn.store->EndRead();
  if (cached && res.status == 200) {
    cache_->Put(generation, key,
                std::make_shared<const ResponseCache::Entry>(
                    ResponseCache::Entry{res.status, res.headers, res.body}));
  }
}

Result<store::SnapshotInfo> Api::SnapshotFor(const std::string& date) {
  return db().SnapshotFor(date);
}

}  // namespace vigia::serve
