// The incident routes: search (filters by type, dates, region, country, AS,
// victim and prefix, with a total for paging), one incident, and the
// "attacks" an AS's report lists (serve/api.h).
#include <fmt/format.h>

#include <cctype>
#include <set>

#include "core/ip.h"
#include "core/time_format.h"
#include "detect/incident_type.h"
#include "serve/api.h"

namespace vigia::serve {

ordered_json IncidentJson(const store::IncidentRow& r) {
  return {{"id", r.id},
          {"type", r.type},
          {"kind", r.kind},
          {"culprit", r.culprit},
          {"propagator", r.propagator ? ordered_json(*r.propagator) : ordered_json(nullptr)},
          {"prefixes", r.prefixes},
          {"start", IsoTime(r.start)},
          {"end", IsoTime(r.end)},
          {"confidence", r.confidence},
          {"evidence", ordered_json::parse(r.evidence, nullptr, false)},
          {"contested", r.contests},
          {"victims", r.victims},
          {"cause", r.cause},
          {"status", r.status},
          {"snapshot", {{"id", r.snapshot}, {"date", r.date}}}};
}

void DumpMemo::Append(const std::string& text, std::string* out) {
  {
    std::lock_guard<std::mutex> l(mu_);
    if (auto it = dumps_.find(text); it != dumps_.end()) {
      *out += it->second.empty() ? text : it->second;
      return;
    }
  }
  std::string dump = ordered_json::parse(text, nullptr, false).dump();
  *out += dump;
  std::lock_guard<std::mutex> l(mu_);
  if (bytes_ + 2 * text.size() > kMaxBytes) {
    dumps_.clear();
    bytes_ = 0;
  }
  bytes_ += text.size() + (dump == text ? 0 : dump.size());
  dumps_.emplace(text, dump == text ? std::string() : std::move(dump));
}

void AppendIncidentJson(const store::IncidentRow& r, DumpMemo* evidence, std::string* out) {
  // The fields and their order are IncidentJson's; strings and the double
  // are printed by the JSON library itself.
  auto str = [out](const std::string& v) { *out += ordered_json(v).dump(); };
  *out += fmt::format(R"({{"id":{},"type":)", r.id);
  str(r.type);
  *out += R"(,"kind":)";
  str(r.kind);
  *out += fmt::format(R"(,"culprit":{},"propagator":)", r.culprit);
  *out += r.propagator ? std::to_string(*r.propagator) : "null";
  *out += R"(,"prefixes":[)";
  for (size_t i = 0; i < r.prefixes.size(); ++i) {
    if (i) *out += ',';
    str(r.prefixes[i]);
  }
  *out += R"(],"start":)";
  str(IsoTime(r.start));
  *out += R"(,"end":)";
  str(IsoTime(r.end));
  *out += R"(,"confidence":)";
  *out += ordered_json(r.confidence).dump();
  *out += R"(,"evidence":)";
  evidence->Append(r.evidence, out);
  *out += fmt::format(R"(,"contested":{},"victims":[)", r.contests);
  for (size_t i = 0; i < r.victims.size(); ++i) {
    if (i) *out += ',';
    *out += std::to_string(r.victims[i]);
  }
  *out += R"(],"cause":)";
  str(r.cause);
  *out += R"(,"status":)";
  str(r.status);
  *out += fmt::format(R"(,"snapshot":{{"id":{},"date":)", r.snapshot);
  str(r.date);
  *out += "}}";
}

namespace {

// The RIR service regions (registry/rir_region.h) a region filter names.
bool KnownRegion(const std::string& r) {
  return r == "afrinic" || r == "apnic" || r == "arin" || r == "lacnic" || r == "ripencc";
}

}  // namespace

ordered_json Api::Attacks(int64_t snapshot, Asn asn) {
  store::IncidentQuery q;
  q.snapshot = snapshot;
  q.victim = asn;
  q.newest_first = true;
  q.limit = kMaxAttacks;
  auto rows = db().Incidents(q);
  auto total = db().CountIncidents(q);
  if (!rows.ok() || !total.ok()) return nullptr;
  ordered_json a = ordered_json::array();
  for (const auto& r : *rows) a.push_back(IncidentJson(r));
  return {{"total", *total}, {"limit", kMaxAttacks}, {"incidents", std::move(a)}};
}

Status Api::Incidents(const httplib::Request& req, httplib::Response& res) {
  SERVE_RETURN_IF_ERROR(Allow(req, {"date", "from", "to", "type", "as", "victim", "region",
                                    "country", "prefix", "match", "limit", "offset", "format"}));
  SERVE_ASSIGN_OR_RETURN(const std::string format, FormatParam(req));
  store::IncidentQuery q;
  q.type = Param(req, "type");
  if (!q.type.empty() && !detect::FindIncidentType(q.type))
    return Status::InvalidArgument("unknown incident type '" + q.type + "'");
  if (req.has_param("as")) {
    SERVE_ASSIGN_OR_RETURN(const int64_t asn, IntParam(req, "as", 0, 0, 4294967295LL));
    q.asn = static_cast<Asn>(asn);
  }
  if (req.has_param("victim")) {
    SERVE_ASSIGN_OR_RETURN(const int64_t asn, IntParam(req, "victim", 0, 0, 4294967295LL));
    q.victim = static_cast<Asn>(asn);
  }
  q.region = Param(req, "region");
  if (req.has_param("region") && !KnownRegion(q.region))
    return Status::InvalidArgument(
        "parameter 'region' must be afrinic, apnic, arin, lacnic or ripencc");
  q.country = Param(req, "country");
  if (req.has_param("country")) {
    if (q.country.size() != 2 || !std::isalpha(static_cast<unsigned char>(q.country[0])) ||
        !std::isalpha(static_cast<unsigned char>(q.country[1])))
      return Status::InvalidArgument("parameter 'country' must be a two-letter ISO code");
    for (char& c : q.country) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  }
  q.prefix = Param(req, "prefix");
  if (!q.prefix.empty() && !Prefix::Parse(q.prefix))
    return Status::InvalidArgument("parameter 'prefix' is not a prefix");
  if (!q.prefix.empty()) q.prefix = Prefix::Parse(q.prefix)->ToString();
  const std::string match = req.has_param("match") ? Param(req, "match") : "exact";
  if (match == "more") {
    q.match = store::PrefixMatch::kMore;
  } else if (match == "less") {
    q.match = store::PrefixMatch::kLess;
  } else if (match != "exact") {
    return Status::InvalidArgument("parameter 'match' must be exact, more or less");
  }
  if (req.has_param("match") && q.prefix.empty())
    return Status::InvalidArgument("parameter 'match' needs 'prefix'");
  SERVE_ASSIGN_OR_RETURN(const int64_t limit,
                         IntParam(req, "limit", 100, 1, static_cast<int64_t>(opts_.max_page)));
  SERVE_ASSIGN_OR_RETURN(const int64_t offset, IntParam(req, "offset", 0, 0, 1'000'000'000));
  q.limit = static_cast<size_t>(limit);
  q.offset = static_cast<size_t>(offset);
  // One snapshot (date, default the newest) or a date range (from, to).
  SERVE_ASSIGN_OR_RETURN(q.from_date, DateParam(req, "from"));
  SERVE_ASSIGN_OR_RETURN(q.to_date, DateParam(req, "to"));
  const bool range = req.has_param("from") || req.has_param("to");
  ordered_json where;
  if (range) {
    if (req.has_param("date"))
      return Status::InvalidArgument("give 'date' or 'from'/'to', not both");
    if (!q.from_date.empty() && !q.to_date.empty() && q.from_date > q.to_date) {
      return Status::InvalidArgument("parameter 'from' is after 'to'");
    }
    if (q.from_date.empty()) q.from_date = "0000-01-01";
    if (q.to_date.empty()) q.to_date = "9999-12-31";
    where = {{"from", q.from_date}, {"to", q.to_date}};
  } else {
    SERVE_ASSIGN_OR_RETURN(const std::string date, DateParam(req));
    auto snap = SnapshotFor(date);
    if (!snap.ok()) return snap.status();
    q.snapshot = snap->id;
    where = {{"id", snap->id}, {"date", snap->date}};
  }
  auto rows = db().Incidents(q);
  if (!rows.ok()) return rows.status();
  auto total = db().CountIncidents(q);
  if (!total.ok()) return total.status();
  if (format == "csv") {
    std::string csv =
        "date,id,type,kind,culprit,propagator,prefixes,start,end,confidence,contested,victims\n";
    for (const auto& r : *rows) {
      std::string prefixes, victims;
      for (const auto& p : r.prefixes) prefixes += (prefixes.empty() ? "" : " ") + p;
      for (Asn v : r.victims) victims += (victims.empty() ? "" : " ") + std::to_string(v);
      csv += fmt::format("{},{},{},{},{},{},{},{},{},{:.2f},{},{}\n", r.date, r.id, r.type,
                         CsvField(r.kind), r.culprit,
                         r.propagator ? std::to_string(*r.propagator) : "", CsvField(prefixes),
                         IsoTime(r.start), IsoTime(r.end), r.confidence, r.contests, victims);
    }
    return Csv(res, std::move(csv));
  }
  // What Json() would print for {range|snapshot, total, limit, offset,
  // incidents: [IncidentJson...]}, written directly (serve_reads_test
  // compares the two).
  std::string body =
      fmt::format(R"({{"{}":{},"total":{},"limit":{},"offset":{},"incidents":[)",
                  range ? "range" : "snapshot", where.dump(), *total, q.limit, q.offset);
  body.reserve(body.size() + rows->size() * 1024);
  for (size_t i = 0; i < rows->size(); ++i) {
    if (i) body += ',';
    AppendIncidentJson((*rows)[i], &evidence_, &body);
  }
  body += "]}";
  res.status = 200;
  res.set_content(std::move(body), "application/json");
  return Status::Ok();
}

Result<std::pair<store::SnapshotInfo, store::IncidentRow>> Api::FindIncident(
    const httplib::Request& req) {
  const int64_t id = std::stoll(std::string(req.matches[1]));
  SERVE_ASSIGN_OR_RETURN(const std::string date, DateParam(req));
  auto snap = SnapshotFor(date);
  if (!snap.ok()) return snap.status();
  store::IncidentQuery q;
  q.snapshot = snap->id;
  q.id = id;
  q.limit = 1;
  auto rows = db().Incidents(q);
  if (!rows.ok()) return rows.status();
  if (rows->empty())
    return Status::NotFound(fmt::format("no incident {} in the snapshot of {}", id, snap->date));
  return std::make_pair(*snap, (*rows)[0]);
}

Status Api::OneIncident(const httplib::Request& req, httplib::Response& res) {
  SERVE_RETURN_IF_ERROR(Allow(req, {"date"}));
  auto found = FindIncident(req);
  if (!found.ok()) return found.status();
  const auto& [snap, row] = *found;
  auto contests = db().Contests(snap.id, row.id, std::nullopt, 1000);
  if (!contests.ok()) return contests.status();
  ordered_json j = IncidentJson(row);
  j["snapshot"] = {{"id", snap.id}, {"date", snap.date}};
  ordered_json cj = ordered_json::array();
  for (const auto& c : *contests) cj.push_back(report::ContestJson(c));
  j["contests"] = std::move(cj);
  return Json(res, 200, j);
}

}  // namespace vigia::serve
