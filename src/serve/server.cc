#include "serve/server.h"

#include <fmt/format.h>
#include <httplib.h>

#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <set>
#include <thread>

#include "core/ip.h"
#include "core/time_format.h"
#include "report/report.h"
#include "store/store.h"

namespace vigia::serve {

namespace {

using nlohmann::ordered_json;

std::atomic<httplib::Server*> g_server{nullptr};

void OnSignal(int) {
  if (httplib::Server* s = g_server.load()) s->stop();
}

// A request parameter that is not valid: 400 with this message.
struct BadRequest {
  std::string message;
};

void Json(httplib::Response& res, int status, const ordered_json& body) {
  res.status = status;
  res.set_content(body.dump(), "application/json");
}

void Error(httplib::Response& res, int status, const std::string& message) {
  Json(res, status, {{"error", message}, {"status", status}});
}

// Only the listed parameters, each at most once.
void Allow(const httplib::Request& req, std::initializer_list<const char*> names) {
  std::set<std::string> ok(names.begin(), names.end());
  for (const auto& [k, v] : req.params) {
    if (!ok.contains(k)) throw BadRequest{fmt::format("unknown parameter '{}'", k)};
    if (req.get_param_value_count(k) > 1) throw BadRequest{fmt::format("parameter '{}' given twice", k)};
    if (v.size() > 200) throw BadRequest{fmt::format("parameter '{}' is too long", k)};
  }
}

std::string Param(const httplib::Request& req, const char* name) {
  return req.has_param(name) ? req.get_param_value(name) : std::string();
}

int64_t IntParam(const httplib::Request& req, const char* name, int64_t def, int64_t lo, int64_t hi) {
  if (!req.has_param(name)) return def;
  const std::string v = req.get_param_value(name);
  if (v.empty() || v.size() > 19 || v.find_first_not_of("0123456789") != std::string::npos) {
    throw BadRequest{fmt::format("parameter '{}' must be a whole number", name)};
  }
  const int64_t x = std::stoll(v);
  if (x < lo || x > hi) throw BadRequest{fmt::format("parameter '{}' must be from {} to {}", name, lo, hi)};
  return x;
}

std::string DateParam(const httplib::Request& req) {
  const std::string d = Param(req, "date");
  if (d.empty()) return d;
  if (d.size() != 10 || d[4] != '-' || d[7] != '-' || !ParseIsoTime(d + "T00:00:00Z")) {
    throw BadRequest{"parameter 'date' must be YYYY-MM-DD"};
  }
  return d;
}

class Api {
 public:
  Api(std::unique_ptr<store::Store> st, const ServeOptions& o) : store_(std::move(st)), opts_(o) {}

  void Register(httplib::Server& svr) {
    Route(svr, "/healthz", "healthz", [this](const httplib::Request& req, httplib::Response& res) {
      Allow(req, {});
      auto snaps = store_->Snapshots();
      if (!snaps.ok()) return Error(res, 503, snaps.status().message());
      Json(res, 200, {{"status", "ok"}, {"snapshots", snaps->size()},
                      {"newest", snaps->empty() ? ordered_json(nullptr) : ordered_json((*snaps)[0].date)}});
    });
    svr.Get("/metrics", [this](const httplib::Request&, httplib::Response& res) { Metrics(res); });
    Route(svr, "/api/openapi.json", "openapi", [](const httplib::Request& req, httplib::Response& res) {
      Allow(req, {});
      Json(res, 200, OpenApi());
    });
    Route(svr, "/api/snapshots", "snapshots", [this](const httplib::Request& req, httplib::Response& res) {
      Allow(req, {});
      auto snaps = store_->Snapshots();
      if (!snaps.ok()) return Error(res, 500, snaps.status().message());
      ordered_json a = ordered_json::array();
      for (const auto& s : *snaps) {
        a.push_back({{"id", s.id}, {"date", s.date}, {"window_start", IsoTime(s.window_start)},
                     {"window_end", IsoTime(s.window_end)}, {"source", s.source}, {"created", s.created}});
      }
      Json(res, 200, a);
    });
    Route(svr, "/api/overview", "overview", [this](const httplib::Request& req, httplib::Response& res) {
      Allow(req, {"date"});
      Overview(DateParam(req), res);
    });
    Route(svr, R"(/api/(as|country|region|ixp|group)/([A-Za-z0-9.-]{1,20}))", "report",
          [this](const httplib::Request& req, httplib::Response& res) {
            Allow(req, {"date", "members"});
            report::ReportOptions o;
            o.kind = req.matches[1];
            o.id = req.matches[2];
            o.date = DateParam(req);
            o.max_members = static_cast<size_t>(IntParam(req, "members", 50, 0, 1000));
            if (!report::NormaliseEntity(o.kind, &o.id)) {
              throw BadRequest{fmt::format("'{}' is not a valid {} id", std::string(req.matches[2]), o.kind)};
            }
            auto r = report::BuildReport(*store_, o);
            if (!r.ok()) return Error(res, r.status().code() == StatusCode::kNotFound ? 404 : 500, r.status().message());
            Json(res, 200, *r);
          });
    Route(svr, "/api/incidents", "incidents", [this](const httplib::Request& req, httplib::Response& res) {
      Allow(req, {"date", "type", "as", "prefix", "limit", "offset"});
      Incidents(req, res);
    });
    Route(svr, "/api/ranking", "ranking", [this](const httplib::Request& req, httplib::Response& res) {
      Allow(req, {"date", "kind", "limit", "offset", "format"});
      Ranking(req, res);
    });
  }

  // Request counts and latency for /metrics, by route name and status.
  void Count(const std::string& route, int status, double seconds) {
    std::lock_guard<std::mutex> l(metrics_mu_);
    ++requests_[{route, status}];
    seconds_[route] += seconds;
  }

 private:
  using Handler = std::function<void(const httplib::Request&, httplib::Response&)>;

  void Route(httplib::Server& svr, const char* pattern, std::string name, Handler h) {
    svr.Get(pattern, [this, name, h](const httplib::Request& req, httplib::Response& res) {
      const auto t0 = std::chrono::steady_clock::now();
      try {
        std::lock_guard<std::mutex> l(store_mu_);  // one SQLite connection
        h(req, res);
      } catch (const BadRequest& e) {
        Error(res, 400, e.message);
      } catch (const std::exception& e) {
        Error(res, 500, e.what());
      }
      Count(name, res.status, std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
    });
  }

  Result<store::SnapshotInfo> SnapshotFor(const std::string& date) {
    auto snaps = store_->Snapshots();
    if (!snaps.ok()) return snaps.status();
    for (const auto& s : *snaps) {
      if (date.empty() || s.date == date) return s;
    }
    return Status::NotFound(date.empty() ? "the store holds no snapshot" : "no snapshot for " + date);
  }

  void Overview(const std::string& date, httplib::Response& res) {
    auto snap = SnapshotFor(date);
    if (!snap.ok()) return Error(res, 404, snap.status().message());
    ordered_json j;
    j["snapshot"] = {{"id", snap->id}, {"date", snap->date}};
    auto scores = [&](const std::string& kind, const std::string& id) -> ordered_json {
      ordered_json o = ordered_json::object();
      auto rows = store_->Scores(snap->id, kind, id);
      if (!rows.ok()) return o;
      for (const auto& r : *rows) {
        o[r.action] = {{"score", r.score ? ordered_json(std::round(*r.score * 100) / 100) : ordered_json(nullptr)},
                       {"band", r.band}, {"members", r.members}, {"ready", r.ready}, {"aspiring", r.aspiring},
                       {"lagging", r.lagging}, {"no_data", r.no_data}};
      }
      return o;
    };
    j["global"] = scores("group", "all");
    j["manrs"] = scores("group", "manrs");
    ordered_json regions = ordered_json::array();
    auto ranking = store_->Ranking(snap->id, "region", 100, 0);
    if (ranking.ok()) {
      // LACNIC first (the observatory's home region), then by name.
      std::vector<store::EntityRow> rs;
      for (const auto& x : *ranking) rs.push_back(x.first);
      std::stable_sort(rs.begin(), rs.end(), [](const auto& a, const auto& b) {
        return std::make_pair(a.id != "lacnic", a.id) < std::make_pair(b.id != "lacnic", b.id);
      });
      for (const auto& e : rs) regions.push_back({{"id", e.id}, {"name", e.name}, {"scores", scores("region", e.id)}});
    }
    j["regions"] = std::move(regions);
    auto counts = store_->IncidentCounts(snap->id);
    j["incidents"] = counts.ok() ? ordered_json(*counts) : ordered_json::object();
    Json(res, 200, j);
  }

  void Incidents(const httplib::Request& req, httplib::Response& res) {
    static const std::set<std::string> kTypes = {"hijack",    "subprefix_hijack", "route_leak",      "bogon_prefix",
                                                 "bogon_asn", "rpki_invalid",     "irr_unregistered"};
    store::IncidentQuery q;
    q.type = Param(req, "type");
    if (!q.type.empty() && !kTypes.contains(q.type)) throw BadRequest{"unknown incident type '" + q.type + "'"};
    if (req.has_param("as")) q.asn = static_cast<Asn>(IntParam(req, "as", 0, 0, 4294967295LL));
    q.prefix = Param(req, "prefix");
    if (!q.prefix.empty() && !Prefix::Parse(q.prefix)) throw BadRequest{"parameter 'prefix' is not a prefix"};
    if (!q.prefix.empty()) q.prefix = Prefix::Parse(q.prefix)->ToString();
    q.limit = static_cast<size_t>(IntParam(req, "limit", 100, 1, static_cast<int64_t>(opts_.max_page)));
    q.offset = static_cast<size_t>(IntParam(req, "offset", 0, 0, 1'000'000'000));
    auto snap = SnapshotFor(DateParam(req));
    if (!snap.ok()) return Error(res, 404, snap.status().message());
    q.snapshot = snap->id;
    auto rows = store_->Incidents(q);
    if (!rows.ok()) return Error(res, 500, rows.status().message());
    ordered_json a = ordered_json::array();
    for (const auto& r : *rows) {
      a.push_back({{"id", r.id}, {"type", r.type}, {"kind", r.kind}, {"culprit", r.culprit},
                   {"propagator", r.propagator ? ordered_json(*r.propagator) : ordered_json(nullptr)},
                   {"prefixes", r.prefixes}, {"start", IsoTime(r.start)}, {"end", IsoTime(r.end)},
                   {"confidence", r.confidence}, {"evidence", ordered_json::parse(r.evidence, nullptr, false)}});
    }
    Json(res, 200, {{"snapshot", {{"id", snap->id}, {"date", snap->date}}},
                    {"limit", q.limit}, {"offset", q.offset}, {"incidents", std::move(a)}});
  }

  void Ranking(const httplib::Request& req, httplib::Response& res) {
    const std::string kind = req.has_param("kind") ? Param(req, "kind") : "as";
    if (kind != "as" && kind != "country" && kind != "region" && kind != "ixp" && kind != "group") {
      throw BadRequest{"parameter 'kind' must be as, country, region, ixp or group"};
    }
    const std::string format = req.has_param("format") ? Param(req, "format") : "json";
    if (format != "json" && format != "csv") throw BadRequest{"parameter 'format' must be json or csv"};
    const size_t limit = static_cast<size_t>(IntParam(req, "limit", 100, 1, static_cast<int64_t>(opts_.max_page)));
    const size_t offset = static_cast<size_t>(IntParam(req, "offset", 0, 0, 1'000'000'000));
    auto snap = SnapshotFor(DateParam(req));
    if (!snap.ok()) return Error(res, 404, snap.status().message());
    auto rows = store_->Ranking(snap->id, kind, limit, offset);
    if (!rows.ok()) return Error(res, 500, rows.status().message());
    if (format == "csv") {
      std::string csv = "kind,id,name,country,region,manrs,size,overall,band\n";
      auto cell = [](const std::string& s) {
        if (s.find_first_of(",\"\n") == std::string::npos) return s;
        std::string q = "\"";
        for (char c : s) q += c == '"' ? std::string("\"\"") : std::string(1, c);
        return q + "\"";
      };
      for (const auto& [e, s] : *rows) {
        csv += fmt::format("{},{},{},{},{},{},{},{},{}\n", kind, cell(e.id), cell(e.name), e.country, e.region,
                           e.manrs ? 1 : 0, e.size, s.score ? fmt::format("{:.2f}", *s.score) : "", s.band);
      }
      res.status = 200;
      res.set_content(csv, "text/csv");
      return;
    }
    ordered_json a = ordered_json::array();
    for (const auto& [e, s] : *rows) {
      a.push_back({{"id", e.id}, {"name", e.name}, {"country", e.country}, {"region", e.region}, {"manrs", e.manrs},
                   {"size", e.size},
                   {"overall", s.score ? ordered_json(std::round(*s.score * 100) / 100) : ordered_json(nullptr)},
                   {"band", s.band}});
    }
    Json(res, 200, {{"snapshot", {{"id", snap->id}, {"date", snap->date}}}, {"kind", kind}, {"limit", limit},
                    {"offset", offset}, {"entities", std::move(a)}});
  }

  void Metrics(httplib::Response& res) {
    std::string out =
        "# HELP vigia_http_requests_total HTTP requests by route and status.\n"
        "# TYPE vigia_http_requests_total counter\n";
    std::lock_guard<std::mutex> l(metrics_mu_);
    for (const auto& [key, n] : requests_) {
      out += fmt::format("vigia_http_requests_total{{route=\"{}\",status=\"{}\"}} {}\n", key.first, key.second, n);
    }
    out += "# HELP vigia_http_request_seconds_sum Time spent answering, by route.\n"
           "# TYPE vigia_http_request_seconds_sum counter\n";
    for (const auto& [route, s] : seconds_) {
      out += fmt::format("vigia_http_request_seconds_sum{{route=\"{}\"}} {:.6f}\n", route, s);
    }
    res.status = 200;
    res.set_content(out, "text/plain; version=0.0.4");
  }

  static ordered_json OpenApi() {
    auto param = [](const char* name, const char* in, const char* type, const char* desc, bool required = false) {
      return ordered_json{{"name", name}, {"in", in}, {"required", required}, {"description", desc},
                          {"schema", {{"type", type}}}};
    };
    const ordered_json date = param("date", "query", "string", "Snapshot date YYYY-MM-DD (default: the newest)");
    const ordered_json error = {{"description", "A bad parameter"},
                                {"content", {{"application/json", {{"schema", {{"$ref", "#/components/schemas/Error"}}}}}}}};
    auto ok = [](const char* what) {
      return ordered_json{{"description", what}, {"content", {{"application/json", {{"schema", {{"type", "object"}}}}}}}};
    };
    ordered_json paths;
    paths["/healthz"]["get"] = {{"summary", "Liveness"}, {"responses", {{"200", ok("Status")}}}};
    paths["/api/snapshots"]["get"] = {{"summary", "Stored snapshots, newest first"}, {"responses", {{"200", ok("Snapshots")}}}};
    paths["/api/overview"]["get"] = {{"summary", "Global and per-region readiness and incidents per type"},
                                     {"parameters", {date}},
                                     {"responses", {{"200", ok("Overview")}, {"400", error}, {"404", ok("No snapshot")}}}};
    for (const char* kind : {"as", "country", "region", "ixp", "group"}) {
      paths[fmt::format("/api/{}/{{id}}", kind)]["get"] = {
          {"summary", fmt::format("Report on one {}: scores, metrics, incidents, fix list, history", kind)},
          {"parameters", {param("id", "path", "string", "The entity id", true), date,
                          param("members", "query", "integer", "Aggregates: members listed, 0-1000")}},
          {"responses", {{"200", ok("Report")}, {"400", error}, {"404", ok("Unknown entity or date")}}}};
    }
    paths["/api/incidents"]["get"] = {
        {"summary", "Incidents of a snapshot, filtered and paged"},
        {"parameters", {date, param("type", "query", "string", "Incident type"),
                        param("as", "query", "integer", "Culprit or propagator AS"),
                        param("prefix", "query", "string", "One of the incident's prefixes"),
                        param("limit", "query", "integer", "Page size, 1 to the server's cap (1000)"),
                        param("offset", "query", "integer", "Skip this many")}},
        {"responses", {{"200", ok("Incidents")}, {"400", error}}}};
    paths["/api/ranking"]["get"] = {
        {"summary", "Entities of a kind by overall score; CSV with format=csv"},
        {"parameters", {date, param("kind", "query", "string", "as, country, region, ixp or group"),
                        param("limit", "query", "integer", "Page size"), param("offset", "query", "integer", "Skip"),
                        param("format", "query", "string", "json or csv")}},
        {"responses", {{"200", ok("Ranking")}, {"400", error}}}};
    return {{"openapi", "3.0.3"},
            {"info", {{"title", "Vigía observatory API"}, {"version", "1"},
                      {"description", "MANRS readiness, incidents and reports; docs/methodology.md"}}},
            {"paths", std::move(paths)},
            {"components",
             {{"schemas",
               {{"Error", {{"type", "object"},
                           {"properties", {{"error", {{"type", "string"}}}, {"status", {{"type", "integer"}}}}}}}}}}}};
  }

  std::unique_ptr<store::Store> store_;
  ServeOptions opts_;
  std::mutex store_mu_, metrics_mu_;
  std::map<std::pair<std::string, int>, uint64_t> requests_;
  std::map<std::string, double> seconds_;
};

}  // namespace

int Serve(const ServeOptions& opts) {
  const size_t colon = opts.listen.rfind(':');
  if (colon == std::string::npos) {
    std::fprintf(stderr, "vigia: serve: --listen %s: want HOST:PORT\n", opts.listen.c_str());
    return 2;
  }
  std::string host = opts.listen.substr(0, colon);
  if (host.size() > 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  int port = 0;
  try {
    port = std::stoi(opts.listen.substr(colon + 1));
  } catch (...) {
    port = -1;
  }
  if (port < 0 || port > 65535) {
    std::fprintf(stderr, "vigia: serve: --listen %s: bad port\n", opts.listen.c_str());
    return 2;
  }
  auto st = store::Store::Open(opts.db);
  if (!st.ok()) {
    std::fprintf(stderr, "vigia: serve: %s\n", st.status().message().c_str());
    return 2;
  }
  httplib::Server svr;
  svr.set_payload_max_length(64 * 1024);
  svr.set_read_timeout(5, 0);
  svr.set_write_timeout(5, 0);
  Api api(std::move(*st), opts);
  api.Register(svr);
  svr.set_error_handler([](const httplib::Request&, httplib::Response& res) {
    if (res.body.empty()) {
      Error(res, res.status, res.status == 404 ? "no such path" : "request refused");
    }
  });
  svr.set_exception_handler([](const httplib::Request&, httplib::Response& res, std::exception_ptr) {
    Error(res, 500, "internal error");
  });
  if (opts.access_log) {
    svr.set_logger([](const httplib::Request& req, const httplib::Response& res) {
      std::fprintf(stderr, "%s %s %s %d %zu\n", IsoTime(time(nullptr)).c_str(), req.method.c_str(), req.path.c_str(),
                   res.status, res.body.size());
    });
  }
  const int bound = port == 0 ? svr.bind_to_any_port(host) : (svr.bind_to_port(host, port) ? port : -1);
  if (bound < 0) {
    std::fprintf(stderr, "vigia: serve: cannot listen on %s\n", opts.listen.c_str());
    return 2;
  }
  g_server = &svr;
  std::signal(SIGINT, OnSignal);
  std::signal(SIGTERM, OnSignal);
  std::printf("vigia: serving http://%s:%d\n", host.find(':') != std::string::npos ? ("[" + host + "]").c_str() : host.c_str(),
              bound);
  std::fflush(stdout);
  const bool ok = svr.listen_after_bind();
  g_server = nullptr;
  std::fprintf(stderr, "vigia: serve: stopped\n");
  return ok ? 0 : 2;
}

}  // namespace vigia::serve
