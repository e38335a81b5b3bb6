#include "serve/server.h"

#include <fmt/format.h>
#include <httplib.h>

#include <atomic>
#include <chrono>
#include <cmath>
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <set>
#include <thread>

#include "core/ip.h"
#include "core/time_format.h"
#include "detect/incident_type.h"
#include "report/report.h"
#include "store/store.h"

namespace vigia::serve {

namespace {

using nlohmann::ordered_json;
using report::CsvField;
using report::Num;

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

std::string DateParam(const httplib::Request& req, const char* name = "date") {
  const std::string d = Param(req, name);
  if (d.empty()) return d;
  if (d.size() != 10 || d[4] != '-' || d[7] != '-' || !ParseIsoTime(d + "T00:00:00Z")) {
    throw BadRequest{fmt::format("parameter '{}' must be YYYY-MM-DD", name)};
  }
  return d;
}

std::string FormatParam(const httplib::Request& req) {
  const std::string format = req.has_param("format") ? Param(req, "format") : "json";
  if (format != "json" && format != "csv") throw BadRequest{"parameter 'format' must be json or csv"};
  return format;
}

std::string CsvNum(const std::optional<double>& v) { return v ? fmt::format("{:.2f}", *v) : ""; }

void Csv(httplib::Response& res, std::string body) {
  res.status = 200;
  res.set_content(std::move(body), "text/csv; charset=utf-8");
}

ordered_json IncidentJson(const store::IncidentRow& r) {
  return {{"id", r.id}, {"type", r.type}, {"kind", r.kind}, {"culprit", r.culprit},
          {"propagator", r.propagator ? ordered_json(*r.propagator) : ordered_json(nullptr)},
          {"prefixes", r.prefixes}, {"start", IsoTime(r.start)}, {"end", IsoTime(r.end)},
          {"confidence", r.confidence}, {"evidence", ordered_json::parse(r.evidence, nullptr, false)},
          {"contested", r.contests}, {"snapshot", {{"id", r.snapshot}, {"date", r.date}}}};
}

// Compares without leaking where two strings first differ.
bool SameSecret(const std::string& given, const std::string& want) {
  if (want.empty()) return false;
  unsigned char diff = given.size() == want.size() ? 0 : 1;
  for (size_t i = 0; i < given.size(); ++i) {
    diff |= static_cast<unsigned char>(given[i] ^ want[i % want.size()]);
  }
  return diff == 0;
}

// Text a person typed: 1..max bytes, trimmed, no control characters.
std::string PlainText(const ordered_json& body, const char* field, size_t max) {
  if (!body.contains(field) || !body[field].is_string()) {
    throw BadRequest{fmt::format("field '{}' is required and must be a string", field)};
  }
  std::string v = body[field].get<std::string>();
  const size_t b = v.find_first_not_of(" \t");
  const size_t e = v.find_last_not_of(" \t");
  v = b == std::string::npos ? "" : v.substr(b, e - b + 1);
  if (v.empty()) throw BadRequest{fmt::format("field '{}' is empty", field)};
  if (v.size() > max) throw BadRequest{fmt::format("field '{}' is longer than {} bytes", field, max)};
  for (unsigned char c : v) {
    if (c < 0x20 || c == 0x7f) throw BadRequest{fmt::format("field '{}' holds a control character", field)};
  }
  return v;
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
            Allow(req, {"date", "members", "format"});
            const std::string format = FormatParam(req);
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
            if (format == "csv") return Csv(res, report::ReportCsv(*r));
            Json(res, 200, *r);
          });
    Route(svr, "/api/incidents", "incidents", [this](const httplib::Request& req, httplib::Response& res) {
      Allow(req, {"date", "from", "to", "type", "as", "prefix", "limit", "offset", "format"});
      Incidents(req, res);
    });
    Route(svr, "/api/ranking", "ranking", [this](const httplib::Request& req, httplib::Response& res) {
      Allow(req, {"date", "kind", "limit", "offset", "format"});
      Ranking(req, res);
    });
    Route(svr, "/api/search", "search", [this](const httplib::Request& req, httplib::Response& res) {
      Allow(req, {"date", "q", "limit"});
      Search(req, res);
    });
    Route(svr, "/api/compare", "compare", [this](const httplib::Request& req, httplib::Response& res) {
      Allow(req, {"date", "kind", "ids", "format"});
      Compare(req, res);
    });
    Route(svr, R"(/api/incidents/([0-9]{1,12}))", "incident",
          [this](const httplib::Request& req, httplib::Response& res) {
            Allow(req, {"date"});
            OneIncident(req, res);
          });
    Route(svr, R"(/api/incidents/([0-9]{1,12})/contest)", "contest",
          [this](const httplib::Request& req, httplib::Response& res) {
            Contest(req, res);
          }, "POST");
  }

  // Request counts and latency for /metrics, by route name and status.
  void Count(const std::string& route, int status, double seconds) {
    std::lock_guard<std::mutex> l(metrics_mu_);
    ++requests_[{route, status}];
    seconds_[route] += seconds;
  }

 private:
  using Handler = std::function<void(const httplib::Request&, httplib::Response&)>;

  void Route(httplib::Server& svr, const char* pattern, std::string name, Handler h, const char* method = "GET") {
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
      Count(name, res.status, std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
    };
    if (std::string_view(method) == "POST") {
      svr.Post(pattern, wrapped);
    } else {
      svr.Get(pattern, wrapped);
    }
  }

  Result<store::SnapshotInfo> SnapshotFor(const std::string& date) {
    return store_->SnapshotFor(date);
  }

  void Overview(const std::string& date, httplib::Response& res) {
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
        o[r.action] = {{"score", Num(r.score)},
                       {"band", r.band}, {"members", r.members}, {"ready", r.ready}, {"aspiring", r.aspiring},
                       {"lagging", r.lagging}, {"no_data", r.no_data}};
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
        regions.push_back({{"id", e.id}, {"name", e.name}, {"scores", scores("region", e.id)},
                           {"coverage", Coverage(snap->id, "region", e.id)}});
      }
    }
    j["regions"] = std::move(regions);
    // Every country with its overall score and band counts: the map.
    ordered_json countries = ordered_json::array();
    auto cr = store_->Ranking(snap->id, "country", 100'000, 0);
    if (cr.ok()) {
      for (const auto& [e, sc] : *cr) {
        countries.push_back({{"id", e.id}, {"region", e.region}, {"overall", Num(sc.score)}, {"band", sc.band},
                             {"members", sc.members}, {"ready", sc.ready}, {"aspiring", sc.aspiring},
                             {"lagging", sc.lagging}, {"no_data", sc.no_data}});
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

  void Incidents(const httplib::Request& req, httplib::Response& res) {
    const std::string format = FormatParam(req);
    store::IncidentQuery q;
    q.type = Param(req, "type");
    if (!q.type.empty() && !detect::FindIncidentType(q.type))
      throw BadRequest{"unknown incident type '" + q.type + "'"};
    if (req.has_param("as")) q.asn = static_cast<Asn>(IntParam(req, "as", 0, 0, 4294967295LL));
    q.prefix = Param(req, "prefix");
    if (!q.prefix.empty() && !Prefix::Parse(q.prefix)) throw BadRequest{"parameter 'prefix' is not a prefix"};
    if (!q.prefix.empty()) q.prefix = Prefix::Parse(q.prefix)->ToString();
    q.limit = static_cast<size_t>(IntParam(req, "limit", 100, 1, static_cast<int64_t>(opts_.max_page)));
    q.offset = static_cast<size_t>(IntParam(req, "offset", 0, 0, 1'000'000'000));
    // One snapshot (date, default the newest) or a date range (from, to).
    q.from_date = DateParam(req, "from");
    q.to_date = DateParam(req, "to");
    const bool range = req.has_param("from") || req.has_param("to");
    ordered_json where;
    if (range) {
      if (req.has_param("date")) throw BadRequest{"give 'date' or 'from'/'to', not both"};
      if (!q.from_date.empty() && !q.to_date.empty() && q.from_date > q.to_date) {
        throw BadRequest{"parameter 'from' is after 'to'"};
      }
      if (q.from_date.empty()) q.from_date = "0000-01-01";
      if (q.to_date.empty()) q.to_date = "9999-12-31";
      where = {{"from", q.from_date}, {"to", q.to_date}};
    } else {
      auto snap = SnapshotFor(DateParam(req));
      if (!snap.ok()) return Error(res, 404, snap.status().message());
      q.snapshot = snap->id;
      where = {{"id", snap->id}, {"date", snap->date}};
    }
    auto rows = store_->Incidents(q);
    if (!rows.ok()) return Error(res, 500, rows.status().message());
    if (format == "csv") {
      std::string csv = "date,id,type,kind,culprit,propagator,prefixes,start,end,confidence,contested\n";
      for (const auto& r : *rows) {
        std::string prefixes;
        for (const auto& p : r.prefixes) prefixes += (prefixes.empty() ? "" : " ") + p;
        csv += fmt::format("{},{},{},{},{},{},{},{},{},{:.2f},{}\n", r.date, r.id, r.type, CsvField(r.kind), r.culprit,
                           r.propagator ? std::to_string(*r.propagator) : "", CsvField(prefixes), IsoTime(r.start),
                           IsoTime(r.end), r.confidence, r.contests);
      }
      return Csv(res, std::move(csv));
    }
    ordered_json a = ordered_json::array();
    for (const auto& r : *rows) a.push_back(IncidentJson(r));
    Json(res, 200, {{range ? "range" : "snapshot", std::move(where)},
                    {"limit", q.limit}, {"offset", q.offset}, {"incidents", std::move(a)}});
  }

  void Ranking(const httplib::Request& req, httplib::Response& res) {
    const std::string kind = req.has_param("kind") ? Param(req, "kind") : "as";
    if (kind != "as" && kind != "country" && kind != "region" && kind != "ixp" && kind != "group") {
      throw BadRequest{"parameter 'kind' must be as, country, region, ixp or group"};
    }
    const std::string format = FormatParam(req);
    const size_t limit = static_cast<size_t>(IntParam(req, "limit", 100, 1, static_cast<int64_t>(opts_.max_page)));
    const size_t offset = static_cast<size_t>(IntParam(req, "offset", 0, 0, 1'000'000'000));
    auto snap = SnapshotFor(DateParam(req));
    if (!snap.ok()) return Error(res, 404, snap.status().message());
    auto rows = store_->Ranking(snap->id, kind, limit, offset);
    if (!rows.ok()) return Error(res, 500, rows.status().message());
    if (format == "csv") {
      std::string csv = "kind,id,name,country,region,manrs,size,overall,band\n";
      for (const auto& [e, s] : *rows) {
        csv += fmt::format("{},{},{},{},{},{},{},{},{}\n", kind, CsvField(e.id), CsvField(e.name), CsvField(e.country),
                           CsvField(e.region), e.manrs ? 1 : 0, e.size, CsvNum(s.score), s.band);
      }
      return Csv(res, std::move(csv));
    }
    ordered_json a = ordered_json::array();
    for (const auto& [e, s] : *rows) {
      a.push_back({{"id", e.id}, {"name", e.name}, {"country", e.country}, {"region", e.region}, {"manrs", e.manrs},
                   {"size", e.size},
                   {"overall", Num(s.score)},
                   {"band", s.band}});
    }
    Json(res, 200, {{"snapshot", {{"id", snap->id}, {"date", snap->date}}}, {"kind", kind}, {"limit", limit},
                    {"offset", offset}, {"entities", std::move(a)}});
  }

  // The RPKI and IRR coverage analyze stored in an aggregate's detail;
  // null for stores written before it did.
  ordered_json Coverage(int64_t snapshot, const std::string& kind, const std::string& id) {
    auto e = store_->Entity(snapshot, kind, id);
    if (!e.ok() || !e->has_value()) return nullptr;
    const ordered_json d = ordered_json::parse((*e)->detail, nullptr, false);
    if (!d.is_object() || !d.contains("coverage")) return nullptr;
    return d["coverage"];
  }

  void Search(const httplib::Request& req, httplib::Response& res) {
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
      a.push_back({{"kind", e.kind}, {"id", e.id}, {"name", e.name}, {"country", e.country}, {"region", e.region}});
    }
    Json(res, 200, {{"snapshot", {{"id", snap->id}, {"date", snap->date}}}, {"q", q}, {"results", std::move(a)}});
  }

  // Two to ten ASes or countries side by side: scores per action, metric
  // values (ASes) or means (countries), from the same reports as
  // /api/{kind}/{id}.
  void Compare(const httplib::Request& req, httplib::Response& res) {
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
      if (!report::NormaliseEntity(kind, &id)) throw BadRequest{fmt::format("'{}' is not a valid {} id", list.substr(b, e - b), kind)};
      if (std::find(ids.begin(), ids.end(), id) != ids.end()) throw BadRequest{fmt::format("'{}' is listed twice", id)};
      ids.push_back(id);
      b = e + 1;
    }
    if (ids.size() < 2 || ids.size() > 10) throw BadRequest{"parameter 'ids' must list 2 to 10 ids, comma-separated"};
    static constexpr const char* kActions[] = {"action1", "action2", "action3", "action4", "overall"};
    ordered_json entities = ordered_json::array();
    ordered_json snapshot;
    for (const std::string& id : ids) {
      report::ReportOptions o{kind, id, date, 0, 0};
      auto r = report::BuildReport(*store_, o);
      if (!r.ok()) return Error(res, r.status().code() == StatusCode::kNotFound ? 404 : 500, r.status().message());
      snapshot = {{"id", (*r)["snapshot"]["id"]}, {"date", (*r)["snapshot"]["date"]}};
      ordered_json sc = ordered_json::object();
      for (const char* a : kActions) {
        if (!(*r)["scores"].contains(a)) continue;
        sc[a] = {{"score", (*r)["scores"][a]["score"]}, {"band", (*r)["scores"][a]["band"]}};
      }
      ordered_json mj = ordered_json::object();
      for (const auto& [m, x] : (*r)["metrics"].items()) mj[m] = x.contains("value") ? x["value"] : x["mean"];
      entities.push_back({{"id", id}, {"name", (*r)["name"]}, {"country", (*r)["country"]}, {"region", (*r)["region"]},
                          {"scores", std::move(sc)}, {"metrics", std::move(mj)}});
    }
    if (format == "csv") {
      std::string csv = "kind,id,name,country,region";
      for (const char* a : kActions) csv += fmt::format(",{},{}_band", a, a);
      const ordered_json& first_metrics = entities[0]["metrics"];
      for (const auto& [m, x] : first_metrics.items()) csv += "," + m;
      csv += "\n";
      for (const auto& e : entities) {
        csv += fmt::format("{},{},{},{},{}", kind, CsvField(e["id"].get<std::string>()),
                           CsvField(e["name"].get<std::string>()), CsvField(e["country"].get<std::string>()),
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
    Json(res, 200, {{"snapshot", std::move(snapshot)}, {"kind", kind}, {"entities", std::move(entities)}});
  }

  Result<std::pair<store::SnapshotInfo, store::IncidentRow>> FindIncident(const httplib::Request& req) {
    const int64_t id = std::stoll(std::string(req.matches[1]));
    auto snap = SnapshotFor(DateParam(req));
    if (!snap.ok()) return snap.status();
    store::IncidentQuery q;
    q.snapshot = snap->id;
    q.id = id;
    q.limit = 1;
    auto rows = store_->Incidents(q);
    if (!rows.ok()) return rows.status();
    if (rows->empty()) return Status::NotFound(fmt::format("no incident {} in the snapshot of {}", id, snap->date));
    return std::make_pair(*snap, (*rows)[0]);
  }

  void OneIncident(const httplib::Request& req, httplib::Response& res) {
    auto found = FindIncident(req);
    if (!found.ok()) return Error(res, found.status().code() == StatusCode::kNotFound ? 404 : 500, found.status().message());
    const auto& [snap, row] = *found;
    auto contests = store_->Contests(snap.id, row.id, std::nullopt, 1000);
    if (!contests.ok()) return Error(res, 500, contests.status().message());
    ordered_json j = IncidentJson(row);
    j["snapshot"] = {{"id", snap.id}, {"date", snap.date}};
    ordered_json cj = ordered_json::array();
    for (const auto& c : *contests) cj.push_back(report::ContestJson(c));
    j["contests"] = std::move(cj);
    Json(res, 200, j);
  }

  // The write API: an operator contests an incident with a reason. Needs
  // the configured bearer token (RFC 6750 §2.1); the contest is appended to
  // the audit log with its author, time and client address, and the
  // incident stays as it was.
  void Contest(const httplib::Request& req, httplib::Response& res) {
    if (opts_.token.empty()) {
      return Error(res, 403, "writes are disabled: start vigia serve with --token-file");
    }
    const std::string auth = req.get_header_value("Authorization");
    const std::string bearer = "Bearer ";
    if (auth.size() <= bearer.size() || auth.compare(0, bearer.size(), bearer) != 0 ||
        !SameSecret(auth.substr(bearer.size()), opts_.token)) {
      res.set_header("WWW-Authenticate", "Bearer realm=\"vigia\"");
      return Error(res, 401, "a valid bearer token is required");
    }
    const std::string type = req.get_header_value("Content-Type");
    if (type.rfind("application/json", 0) != 0) {
      return Error(res, 415, "the body must be JSON (Content-Type: application/json)");
    }
    Allow(req, {"date"});
    const ordered_json body = ordered_json::parse(req.body, nullptr, false);
    if (!body.is_object()) throw BadRequest{"the body must be a JSON object with 'author' and 'reason'"};
    for (const auto& [k, v] : body.items()) {
      if (k != "author" && k != "reason") throw BadRequest{fmt::format("unknown field '{}'", k)};
    }
    store::ContestRow c;
    c.author = PlainText(body, "author", 200);
    c.reason = PlainText(body, "reason", 4000);
    auto found = FindIncident(req);
    if (!found.ok()) return Error(res, found.status().code() == StatusCode::kNotFound ? 404 : 500, found.status().message());
    c.snapshot = found->first.id;
    c.incident = found->second.id;
    c.remote = req.remote_addr;
    auto stored = store_->AddContest(c);
    if (!stored.ok()) return Error(res, 500, stored.status().message());
    Json(res, 201, {{"contest", report::ContestJson(*stored)}});
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
        {"parameters", {date, param("from", "query", "string", "Range start YYYY-MM-DD: every snapshot dated from it (instead of date)"),
                        param("to", "query", "string", "Range end YYYY-MM-DD, inclusive"),
                        param("type", "query", "string", "Incident type"),
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
    const ordered_json format = param("format", "query", "string", "json (default) or csv");
    for (const char* kind : {"as", "country", "region", "ixp", "group"}) {
      paths[fmt::format("/api/{}/{{id}}", kind)]["get"]["parameters"].push_back(format);
    }
    paths["/api/incidents"]["get"]["parameters"].push_back(format);
    paths["/api/search"]["get"] = {
        {"summary", "ASes, countries and IXPs whose id is q (an ASN with or without AS) or whose name holds q"},
        {"parameters", {date, param("q", "query", "string", "Text to look for, 1-100 bytes", true),
                        param("limit", "query", "integer", "Results, 1-100 (default 20)")}},
        {"responses", {{"200", ok("Results")}, {"400", error}}}};
    paths["/api/compare"]["get"] = {
        {"summary", "Two to ten ASes or countries side by side: scores per action and metrics"},
        {"parameters", {date, param("kind", "query", "string", "as or country"),
                        param("ids", "query", "string", "2-10 ids, comma-separated", true), format}},
        {"responses", {{"200", ok("Comparison")}, {"400", error}, {"404", ok("Unknown entity or date")}}}};
    const ordered_json incident_id = param("id", "path", "integer", "The incident's id in its snapshot", true);
    paths["/api/incidents/{id}"]["get"] = {
        {"summary", "One incident with its evidence and contests"},
        {"parameters", {incident_id, date}},
        {"responses", {{"200", ok("Incident")}, {"400", error}, {"404", ok("No such incident")}}}};
    paths["/api/incidents/{id}/contest"]["post"] = {
        {"summary", "Contest an incident: appended to the audit log with author and time; the incident stays"},
        {"security", {{{"bearer", ordered_json::array()}}}},
        {"parameters", {incident_id, date}},
        {"requestBody",
         {{"required", true},
          {"content",
           {{"application/json",
             {{"schema", {{"type", "object"}, {"required", {"author", "reason"}},
                          {"properties", {{"author", {{"type", "string"}, {"maxLength", 200}}},
                                          {"reason", {{"type", "string"}, {"maxLength", 4000}}}}}}}}}}}}},
        {"responses", {{"201", ok("The stored contest")}, {"400", error}, {"401", ok("No or a wrong token")},
                       {"403", ok("Writes are disabled")}, {"404", ok("No such incident")},
                       {"415", ok("The body is not JSON")}}}};
    return {{"openapi", "3.0.3"},
            {"info", {{"title", "Vigía observatory API"}, {"version", "1"},
                      {"description", "MANRS readiness, incidents and reports; docs/methodology.md"}}},
            {"paths", std::move(paths)},
            {"components",
             {{"securitySchemes", {{"bearer", {{"type", "http"}, {"scheme", "bearer"}}}}},
              {"schemas",
               {{"Error", {{"type", "object"},
                           {"properties", {{"error", {{"type", "string"}}}, {"status", {{"type", "integer"}}}}}}}}}}}};
  }

  std::unique_ptr<store::Store> store_;
  ServeOptions opts_;
  std::mutex store_mu_, metrics_mu_;
  std::map<int64_t, std::string> overview_cache_;  // by snapshot id; under store_mu_
  std::map<std::pair<std::string, int>, uint64_t> requests_;
  std::map<std::string, double> seconds_;
};

}  // namespace

std::string FindWebApp(const std::string& configured) {
  namespace fs = std::filesystem;
  std::error_code ec;
  if (!configured.empty()) return fs::is_directory(configured, ec) ? configured : std::string();
  std::vector<fs::path> candidates;
  const fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  if (!ec) {
    candidates.push_back(exe.parent_path() / "../../web/dist");  // build/<preset>/vigia
    candidates.push_back(exe.parent_path() / "../share/vigia/web");  // installed
  }
  candidates.push_back("web/dist");
  for (const auto& c : candidates) {
    if (fs::is_regular_file(c / "index.html", ec)) return fs::weakly_canonical(c, ec).string();
  }
  return {};
}

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
  // cpp-httplib writes the headers and the body with two send() calls; with
  // Nagle's algorithm on, the body waits for the client's delayed ACK of the
  // headers (40 ms on Linux) on every keep-alive request but the first.
  svr.set_tcp_nodelay(true);
  // cpp-httplib keeps a worker thread per keep-alive connection: with its
  // default of 8, a ninth client waits for an idle connection to close.
  svr.new_task_queue = [] { return new httplib::ThreadPool(64); };
  Api api(std::move(*st), opts);
  api.Register(svr);
  const std::string web = FindWebApp(opts.web);
  if (!opts.web.empty() && web.empty()) {
    std::fprintf(stderr, "vigia: serve: --web %s: no such directory\n", opts.web.c_str());
    return 2;
  }
  if (!web.empty()) {
    svr.set_mount_point("/", web);
  } else {
    std::fprintf(stderr,
                 "vigia: serve: no web app found (build it: cd web && npm ci && npm run build); "
                 "serving the API only\n");
  }
  // The app loads only its own scripts and data; ECharts sets inline styles.
  svr.set_default_headers({{"X-Content-Type-Options", "nosniff"},
                           {"Referrer-Policy", "no-referrer"},
                           {"Content-Security-Policy",
                            "default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; "
                            "frame-ancestors 'none'"}});
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
      std::fprintf(stderr, "%s %s %s %s %d %zu\n", IsoTime(time(nullptr)).c_str(), req.remote_addr.c_str(),
                   req.method.c_str(), req.path.c_str(), res.status, res.body.size());
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
