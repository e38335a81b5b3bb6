#include "report/report.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <set>

#include "core/asn.h"
#include "core/csv.h"
#include "core/time_format.h"

namespace vigia::report {

namespace {

using nlohmann::ordered_json;

constexpr const char* kActions[] = {"action1", "action2", "action3", "action4", "overall"};
constexpr const char* kActionTitles[] = {"Action 1 Filtering", "Action 2 Anti-spoofing",
                                         "Action 3 Coordination", "Action 4 Global validation",
                                         "Overall"};
constexpr const char* kMetrics[] = {"M1", "M1C", "M2", "M2C", "M3",    "M3C",
                                    "M4", "M4C", "M5", "M6",  "M7IRR", "M7RPKI"};
constexpr const char* kMetricTitles[] = {"route leaks by the AS",
                                         "route leaks by its customers",
                                         "possible hijacks by the AS",
                                         "possible hijacks by customers",
                                         "bogon prefixes by the AS",
                                         "bogon prefixes by customers",
                                         "bogon ASNs passed on",
                                         "customers' bogon ASNs",
                                         "anti-spoofing (CAIDA Spoofer)",
                                         "contacts in PeeringDB",
                                         "routes with an IRR route object",
                                         "RPKI: valid - 10 x invalid share"};

std::string Pct(const ordered_json& v) {
  return v.is_number() ? fmt::format("{:.1f} %", v.get<double>()) : std::string("no data");
}

}  // namespace

bool NormaliseEntity(const std::string& kind, std::string* id) {
  std::string s = *id;
  if (kind == "as") {
    const std::optional<Asn> asn = ParseAsn(s);  // "AS64496", "as64496" or "64496"
    if (!asn) return false;
    *id = std::to_string(*asn);
    return true;
  }
  if (kind == "country") {
    if (s.size() != 2 || !std::isalpha(static_cast<unsigned char>(s[0])) ||
        !std::isalpha(static_cast<unsigned char>(s[1]))) {
      return false;
    }
    for (char& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    *id = s;
    return true;
  }
  if (kind == "region") {
    for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (s == "ripe" || s == "ripe ncc" || s == "ripe-ncc") s = "ripencc";
    static const std::set<std::string> kRegions = {"afrinic", "apnic", "arin", "lacnic", "ripencc"};
    if (!kRegions.contains(s)) return false;
    *id = s;
    return true;
  }
  if (kind == "ixp") {
    if (s.empty() || s.size() > 10 || !std::all_of(s.begin(), s.end(), ::isdigit)) return false;
    *id = std::to_string(std::stoull(s));
    return true;
  }
  if (kind == "group") {
    for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (s != "manrs" && s != "all") return false;
    *id = s;
    return true;
  }
  return false;
}

ordered_json ScoreEntry(const store::ScoreRow& r) {
  // Rows of stores written before intervals have no upper bound: a point.
  const std::optional<double> hi = r.score_max ? r.score_max : r.score;
  const int64_t banded = r.ready + r.aspiring + r.lagging + r.no_data;
  return {{"score", Num(r.score)},
          {"score_max", Num(hi)},
          {"band", r.band},
          {"measured", r.measured},
          {"of", r.of},
          {"members", r.members},
          {"ready", r.ready},
          {"aspiring", r.aspiring},
          {"lagging", r.lagging},
          {"incomplete", r.entity_kind == "as" ? 0 : std::max<int64_t>(0, r.members - banded)},
          {"no_data", r.no_data}};
}

std::string ScoreText(const ordered_json& x, const std::string& what) {
  if (!x.contains("score") || !x["score"].is_number()) return "no data";
  const double lo = x["score"].get<double>();
  const double hi =
      x.contains("score_max") && x["score_max"].is_number() ? x["score_max"].get<double>() : lo;
  std::string out = std::round(lo * 10) == std::round(hi * 10)
                        ? fmt::format("{:.1f} %", lo)
                        : fmt::format("{:.1f}-{:.1f} %", lo, hi);
  auto count = [&](const char* k) {
    return x.contains(k) && x[k].is_number() ? x[k].get<int64_t>() : int64_t{0};
  };
  const int64_t measured = count("measured"), of = count("of");
  if (of > 0 && measured < of) {
    out += what == "networks" ? fmt::format(" from {} of {} {}", measured, of, what)
                              : fmt::format(" ({} of {} {} measured)", measured, of, what);
  }
  return out;
}

ordered_json ProvenanceJson(const store::SnapshotInfo& s) {
  if (s.provenance.empty()) return nullptr;
  ordered_json p = ordered_json::parse(s.provenance, nullptr, false);
  return p.is_object() ? p : ordered_json(nullptr);
}

namespace {
// An input's age: data newer than the observation is said so.
std::string AgeText(const ordered_json& age) {
  if (!age.is_number()) return "";
  const int64_t d = age.get<int64_t>();
  return d >= 0 ? fmt::format(" ({} days before the observation)", d)
                : fmt::format(" ({} days AFTER the observation)", -d);
}
}  // namespace

std::string ProvenanceText(const ordered_json& p) {
  if (!p.is_object()) return "";
  std::string out =
      fmt::format("{} data, observed {}\n", p.value("simulated", false) ? "SIMULATED" : "Real",
                  p.value("observed", std::string("?")));
  if (p.contains("inputs") && p["inputs"].is_array()) {
    for (const auto& i : p["inputs"]) {
      const ordered_json& date = i.contains("date") ? i["date"] : ordered_json(nullptr);
      const ordered_json& age = i.contains("age_days") ? i["age_days"] : ordered_json(nullptr);
      out += fmt::format("  {:<10} {:<12} {}{}\n", i.value("input", std::string()),
                         date.is_string() ? date.get<std::string>() : std::string("date unknown"),
                         i.value("source", std::string()), AgeText(age));
    }
  }
  if (p.contains("spread_days") && p["spread_days"].is_number())
    out += fmt::format("  inputs span {} days\n", p["spread_days"].get<int64_t>());
  if (p.contains("warnings") && p["warnings"].is_array()) {
    for (const auto& w : p["warnings"]) {
      if (w.is_object()) out += "  WARNING: " + w.value("text", std::string()) + "\n";
      if (w.is_string()) out += "  WARNING: " + w.get<std::string>() + "\n";
    }
  }
  return out;
}

ordered_json ContestJson(const store::ContestRow& c) {
  return {{"id", c.id},
          {"incident", c.incident},
          {"snapshot", c.snapshot},
          {"date", c.date},
          {"type", c.type},
          {"culprit", c.culprit},
          {"propagator", c.propagator ? ordered_json(*c.propagator) : ordered_json(nullptr)},
          {"author", c.author},
          {"reason", c.reason},
          {"time", c.time},
          {"state", c.state},
          {"review", c.review ? ordered_json{{"decision", c.review->decision},
                                             {"reviewer", c.review->reviewer},
                                             {"reason", c.review->reason},
                                             {"time", c.review->time}}
                              : ordered_json(nullptr)}};
}

Result<ordered_json> BuildReport(store::Store& st, const ReportOptions& o) {
  std::string id = o.id;
  if (!NormaliseEntity(o.kind, &id)) {
    return Status::InvalidArgument(fmt::format("'{}' is not a valid {} id", o.id, o.kind));
  }
  auto found = st.SnapshotFor(o.date);
  if (!found.ok()) return found.status();
  const store::SnapshotInfo* snap = &*found;
  auto entity = st.Entity(snap->id, o.kind, id);
  if (!entity.ok()) return entity.status();
  if (!entity->has_value()) {
    return Status::NotFound(
        fmt::format("{} {} is not in snapshot {} ({})", o.kind, id, snap->id, snap->date));
  }
  const store::EntityRow& e = **entity;
  const ordered_json detail = ordered_json::parse(e.detail, nullptr, false);

  ordered_json r;
  r["kind"] = o.kind;
  r["id"] = id;
  r["name"] = e.name;
  r["country"] = e.country;
  r["region"] = e.region;
  if (o.kind == "as") r["manrs"] = e.manrs;
  r["snapshot"] = {
      {"id", snap->id},
      {"date", snap->date},
      {"window", {{"start", IsoTime(snap->window_start)}, {"end", IsoTime(snap->window_end)}}},
      {"partial", snap->partial},
      {"missing", snap->missing},
      {"provenance", ProvenanceJson(*snap)}};

  auto scores = st.Scores(snap->id, o.kind, id);
  if (!scores.ok()) return scores.status();
  ordered_json sj = ordered_json::object();
  for (const char* a : kActions) {
    for (const auto& row : *scores) {
      if (row.action != a) continue;
      sj[a] = ScoreEntry(row);
    }
  }
  r["scores"] = std::move(sj);

  auto history = st.History(o.kind, id, false);
  if (!history.ok()) return history.status();
  ordered_json hj = ordered_json::array();
  for (const auto& p : *history) {
    if (p.action == "overall")
      hj.push_back({{"date", p.date},
                    {"snapshot", p.snapshot},
                    {"overall", Num(p.score)},
                    {"overall_max", Num(p.score_max ? p.score_max : p.score)}});
  }
  r["history"] = std::move(hj);
  auto monthly = st.History(o.kind, id, true);
  if (!monthly.ok()) return monthly.status();
  ordered_json mh = ordered_json::array();
  for (const auto& p : *monthly) {
    if (p.action == "overall")
      mh.push_back({{"month", p.date},
                    {"overall", Num(p.score)},
                    {"overall_max", Num(p.score_max ? p.score_max : p.score)},
                    {"snapshots", p.snapshots}});
  }
  r["history_monthly"] = std::move(mh);

  if (o.kind == "as") {
    const Asn asn = static_cast<Asn>(std::stoul(id));
    auto metrics = st.Metrics(snap->id, asn);
    if (!metrics.ok()) return metrics.status();
    ordered_json mj = ordered_json::object();
    for (size_t k = 0; k < std::size(kMetrics); ++k) {
      ordered_json x = {{"value", nullptr}, {"raw", 0}, {"title", kMetricTitles[k]}};
      for (const auto& m : *metrics) {
        if (m.metric == kMetrics[k]) {
          x["value"] = Num(m.value);
          x["raw"] = std::round(m.raw * 1000) / 1000;
        }
      }
      mj[kMetrics[k]] = std::move(x);
    }
    r["metrics"] = std::move(mj);
    if (detail.is_object()) {
      r["routes"] = {{"originated", detail.value("routes", 0)},
                     {"rpki", detail.value("rpki", ordered_json::object())},
                     {"irr_registered", detail.value("irr_registered", 0)}};
      if (detail.contains("coverage")) r["coverage"] = detail["coverage"];
    }
    store::IncidentQuery q;
    q.snapshot = snap->id;
    q.asn = asn;
    q.limit = o.max_incidents;
    auto incidents = st.Incidents(q);
    if (!incidents.ok()) return incidents.status();
    ordered_json ij = ordered_json::array();
    for (const auto& in : *incidents) {
      ordered_json x;
      x["id"] = in.id;
      x["type"] = in.type;
      x["kind"] = in.kind;
      x["role"] = in.culprit == asn ? "culprit" : "propagator";
      x["culprit"] = in.culprit;
      x["propagator"] = in.propagator ? ordered_json(*in.propagator) : ordered_json(nullptr);
      x["prefixes"] = in.prefixes;
      x["start"] = IsoTime(in.start);
      x["end"] = IsoTime(in.end);
      x["confidence"] = in.confidence;
      x["evidence"] = ordered_json::parse(in.evidence, nullptr, false);
      x["contested"] = in.contests;
      ij.push_back(std::move(x));
    }
    r["incidents"] = std::move(ij);
    r["fixes"] =
        detail.is_object() ? detail.value("fixes", ordered_json::array()) : ordered_json::array();
    // The audit log: every contest of this AS's incidents, in any snapshot.
    auto contests = st.Contests(0, 0, asn, 1000);
    if (!contests.ok()) return contests.status();
    ordered_json cj = ordered_json::array();
    for (const auto& c : *contests) cj.push_back(ContestJson(c));
    r["contests"] = std::move(cj);
    return r;
  }

  // An aggregate: its members' scores, metrics and fixes.
  std::vector<Asn> members;
  if (detail.is_object() && detail.contains("members") && detail["members"].is_array()) {
    for (const auto& m : detail["members"]) {
      if (m.is_number_unsigned()) members.push_back(m.get<Asn>());
    }
  }
  ordered_json mem = ordered_json::array();
  // Metric means and the summed fix list.
  std::map<std::string, std::pair<double, size_t>> metric_sum;
  struct FixSum {
    size_t members = 0, items = 0;
  };
  std::map<std::pair<std::string, std::string>, FixSum> fixes;
  double after_sum = 0, now_sum = 0;
  size_t scored = 0;
  const ordered_json* summary =
      detail.is_object() && detail.contains("summary") && detail["summary"].is_object()
          ? &detail["summary"]
          : nullptr;
  if (summary && !o.from_members &&
      (o.max_members <= (*summary)["lowest"].size() ||
       (*summary)["lowest"].size() >= members.size())) {
    // What analyze summed over the members (cli/analyze.cc ReportSummary).
    for (const auto& m : (*summary)["lowest"]) {
      if (mem.size() >= o.max_members) break;
      mem.push_back({{"asn", m["asn"]},
                     {"name", m["name"]},
                     {"country", m["country"]},
                     {"manrs", m["manrs"]},
                     {"overall", m["overall"].is_number() ? Num(m["overall"].get<double>())
                                                          : ordered_json(nullptr)},
                     {"overall_max", m.value("overall_max", m["overall"]).is_number()
                                         ? Num(m.value("overall_max", m["overall"]).get<double>())
                                         : ordered_json(nullptr)},
                     {"measured", m.value("measured", ordered_json(nullptr))},
                     {"band", m["band"]}});
    }
    for (const auto& [k, v] : (*summary)["metrics"].items())
      metric_sum[k] = {v[0].get<double>(), v[1].get<size_t>()};
    for (const auto& f : (*summary)["fixes"]) {
      fixes[{f[0].get<std::string>(), f[1].get<std::string>()}] = {f[2].get<size_t>(),
                                                                   f[3].get<size_t>()};
    }
    now_sum = (*summary)["now_sum"].get<double>();
    after_sum = (*summary)["after_sum"].get<double>();
    scored = (*summary)["scored"].get<size_t>();
  } else {
    // Recomputed from every member's rows in the store.
    auto ranking = st.Ranking(snap->id, "as", 10'000'000, 0);
    if (!ranking.ok()) return ranking.status();
    std::map<Asn, const std::pair<store::EntityRow, store::ScoreRow>*> by_asn;
    for (const auto& x : *ranking) by_asn[static_cast<Asn>(std::stoul(x.first.id))] = &x;
    std::vector<const std::pair<store::EntityRow, store::ScoreRow>*> rows;
    for (Asn m : members) {
      auto it = by_asn.find(m);
      if (it != by_asn.end()) rows.push_back(it->second);
    }
    // The lowest first: those whose fixes matter most.
    std::stable_sort(rows.begin(), rows.end(), [](const auto* a, const auto* b) {
      const double x = a->second.score.value_or(101), y = b->second.score.value_or(101);
      return x < y;
    });
    for (const auto* x : rows) {
      if (mem.size() >= o.max_members) break;
      mem.push_back(
          {{"asn", std::stoul(x->first.id)},
           {"name", x->first.name},
           {"country", x->first.country},
           {"manrs", x->first.manrs},
           {"overall", Num(x->second.score)},
           {"overall_max", Num(x->second.score_max ? x->second.score_max : x->second.score)},
           {"measured", x->second.measured},
           {"band", x->second.band}});
    }
    for (const auto* x : rows) {
      const Asn asn = static_cast<Asn>(std::stoul(x->first.id));
      auto metrics = st.Metrics(snap->id, asn);
      if (!metrics.ok()) return metrics.status();
      for (const auto& m : *metrics) {
        if (!m.value) continue;
        auto& s = metric_sum[m.metric];
        s.first += *m.value;
        ++s.second;
      }
      auto ent = st.Entity(snap->id, "as", x->first.id);
      if (!ent.ok()) return ent.status();
      if (!x->second.score) continue;
      ++scored;
      now_sum += *x->second.score;
      double after = *x->second.score;
      if (ent->has_value()) {
        const ordered_json d = ordered_json::parse((*ent)->detail, nullptr, false);
        if (d.is_object() && d.contains("fixes") && d["fixes"].is_array()) {
          for (const auto& f : d["fixes"]) {
            FixSum& fs = fixes[{f.value("metric", ""), f.value("what", "")}];
            ++fs.members;
            fs.items += f.value("count", size_t{0});
            if (f.contains("overall_after") && f["overall_after"].is_number())
              after = f["overall_after"].get<double>();
          }
        }
      }
      after_sum += after;
    }
  }
  r["members"] = {{"count", members.size()}, {"listed", std::move(mem)}};
  if (detail.is_object() && detail.contains("coverage")) r["coverage"] = detail["coverage"];
  ordered_json mj = ordered_json::object();
  for (size_t k = 0; k < std::size(kMetrics); ++k) {
    auto it = metric_sum.find(kMetrics[k]);
    mj[kMetrics[k]] = {
        {"mean", it == metric_sum.end()
                     ? ordered_json(nullptr)
                     : Num(it->second.first / static_cast<double>(it->second.second))},
        {"members_with_data", it == metric_sum.end() ? 0 : it->second.second},
        {"title", kMetricTitles[k]}};
  }
  r["metrics"] = std::move(mj);
  ordered_json fj = ordered_json::array();
  std::vector<std::pair<std::pair<std::string, std::string>, FixSum>> sorted(fixes.begin(),
                                                                             fixes.end());
  std::stable_sort(sorted.begin(), sorted.end(), [](const auto& a, const auto& b) {
    return a.second.members > b.second.members;
  });
  for (const auto& [key, fs] : sorted) {
    fj.push_back({{"metric", key.first},
                  {"what", key.second},
                  {"members", fs.members},
                  {"items", fs.items}});
  }
  r["fixes"] = {
      {"by_kind", std::move(fj)},
      {"overall_now", scored ? Num(now_sum / static_cast<double>(scored)) : ordered_json(nullptr)},
      {"overall_if_all_fixed",
       scored ? Num(after_sum / static_cast<double>(scored)) : ordered_json(nullptr)}};
  return r;
}

std::string ReportCsv(const ordered_json& r) {
  auto cell = [](const ordered_json& v) -> std::string {
    if (v.is_null()) return "";
    return v.is_string() ? CsvField(v.get<std::string>()) : v.dump();
  };
  std::string out =
      "kind,id,date,what,name,score,band,members,ready,aspiring,lagging,no_data,score_max,"
      "measured,of\n";
  const std::string head =
      cell(r["kind"]) + "," + cell(r["id"]) + "," + cell(r["snapshot"]["date"]) + ",";
  const bool aggregate = r["kind"] != "as";
  for (const auto& [a, x] : r["scores"].items()) {
    out += head + a + ",," + cell(x["score"]) + "," + cell(x["band"]) + "," +
           (aggregate ? cell(x["members"]) + "," + cell(x["ready"]) + "," + cell(x["aspiring"]) +
                            "," + cell(x["lagging"]) + "," + cell(x["no_data"])
                      : std::string("1,,,,")) +
           "," + cell(x.value("score_max", ordered_json(nullptr))) + "," +
           cell(x.value("measured", ordered_json(nullptr))) + "," +
           cell(x.value("of", ordered_json(nullptr))) + "\n";
  }
  for (const auto& [m, x] : r["metrics"].items()) {
    out += head + m + "," + cell(x["title"]) + "," +
           cell(x.contains("value") ? x["value"] : x["mean"]) + ",,,,,,,,,\n";
  }
  return out;
}

std::string ReportText(const ordered_json& r) {
  std::string out;
  const std::string kind = r["kind"];
  const std::string title = kind == "as" ? fmt::format("AS{}", r["id"].get<std::string>())
                                         : fmt::format("{} {}", kind, r["id"].get<std::string>());
  out +=
      fmt::format("{}  {}{}\n", title, r["name"].get<std::string>(),
                  r.value("country", "").empty()
                      ? ""
                      : fmt::format("  ({}, {})", r.value("country", ""), r.value("region", "")));
  out += fmt::format("snapshot {} ({}), window {} .. {}\n", r["snapshot"]["id"].get<int64_t>(),
                     r["snapshot"]["date"].get<std::string>(),
                     r["snapshot"]["window"]["start"].get<std::string>(),
                     r["snapshot"]["window"]["end"].get<std::string>());
  if (r["snapshot"].contains("provenance")) out += ProvenanceText(r["snapshot"]["provenance"]);
  if (r["snapshot"].value("partial", false)) {
    out += "PARTIAL snapshot: scores fed by these inputs say no data:\n";
    for (const auto& m : r["snapshot"]["missing"]) out += "  " + m.get<std::string>() + "\n";
  }
  if (kind == "as")
    out += fmt::format("MANRS participant: {}\n", r.value("manrs", false) ? "yes" : "no");
  out += "\nScores\n";
  for (size_t k = 0; k < std::size(kActions); ++k) {
    if (!r["scores"].contains(kActions[k])) continue;
    const auto& x = r["scores"][kActions[k]];
    // An AS's overall rests on actions, its Action 4 on metrics; an
    // aggregate's on networks. The band is never shown without its reason.
    const std::string parts = kind != "as"                            ? "networks"
                              : std::string(kActions[k]) == "overall" ? "actions"
                                                                      : "metrics";
    const std::string band = x["band"].get<std::string>();
    out += fmt::format("  {:<28} {:<44} {:<12}", kActionTitles[k], ScoreText(x, parts),
                       band == "low_coverage" ? "low coverage" : band);
    if (kind != "as") {
      out += fmt::format("  ready {} aspiring {} lagging {} incomplete {} no data {}",
                         x["ready"].get<int64_t>(), x["aspiring"].get<int64_t>(),
                         x["lagging"].get<int64_t>(), x.value("incomplete", int64_t{0}),
                         x["no_data"].get<int64_t>());
    }
    while (!out.empty() && out.back() == ' ') out.pop_back();
    out += "\n";
  }
  if (r.contains("coverage") && r["coverage"].is_object()) {
    // Decision 3: a share without the data behind it is "no data", not 0 %.
    const auto& rpki = r["coverage"]["rpki"];
    const auto& irr = r["coverage"]["irr"];
    out += "\nRoutes (prefix, origin) and their coverage\n";
    out += rpki.value("no_data", false)
               ? std::string("  RPKI  no data (the snapshot had no VRPs)\n")
               : fmt::format("  RPKI  {} routes: valid {}, invalid {}, not found {}\n",
                             rpki.value("routes", 0), rpki.value("valid", 0),
                             rpki.value("invalid", 0), rpki.value("not_found", 0));
    out += irr.value("no_data", false)
               ? std::string("  IRR   no data (the snapshot had no route objects)\n")
               : fmt::format("  IRR   {} routes: {} with a route object\n", irr.value("routes", 0),
                             irr.value("registered", 0));
  }
  out += "\nMetrics\n";
  for (const auto& [m, x] : r["metrics"].items()) {
    const ordered_json& v = x.contains("value") ? x["value"] : x["mean"];
    out += fmt::format("  {:<7} {:>9}  {}{}\n", m, Pct(v), x["title"].get<std::string>(),
                       x.contains("raw") && x["raw"].is_number() && x["raw"].get<double>() != 0 &&
                               m[1] >= '1' && m[1] <= '4'
                           ? fmt::format(" (penalty {})", x["raw"].dump())
                           : "");
  }
  if (kind == "as") {
    if (r.contains("routes")) {
      const auto& rt = r["routes"];
      out += fmt::format(
          "\nRoutes originated: {} (RPKI valid {}, invalid {}, not found {}; IRR registered {})\n",
          rt["originated"].dump(), rt["rpki"].value("valid", 0), rt["rpki"].value("invalid", 0),
          rt["rpki"].value("not_found", 0), rt["irr_registered"].dump());
    }
    out += fmt::format("\nIncidents ({})\n", r["incidents"].size());
    for (const auto& in : r["incidents"]) {
      out += fmt::format(
          "  #{} {} ({}) as {}: AS{}{} {}{}, {} .. {}, confidence {:.2f}\n",
          in["id"].get<int64_t>(), in["type"].get<std::string>(), in["kind"].get<std::string>(),
          in["role"].get<std::string>(), in["culprit"].get<int64_t>(),
          in["propagator"].is_null() ? ""
                                     : fmt::format(" via AS{}", in["propagator"].get<int64_t>()),
          in["prefixes"].empty() ? "" : in["prefixes"][0].get<std::string>(),
          in["prefixes"].size() > 1 ? fmt::format(" (+{})", in["prefixes"].size() - 1) : "",
          in["start"].get<std::string>(), in["end"].get<std::string>(),
          in["confidence"].get<double>());
      const auto& ev = in["evidence"];
      if (ev.is_object() && ev.contains("reasons")) {
        for (const auto& why : ev["reasons"]) out += "      " + why.get<std::string>() + "\n";
      }
    }
    if (r.contains("contests") && !r["contests"].empty()) {
      out += fmt::format("\nContests (audit log, newest first: {})\n", r["contests"].size());
      for (const auto& c : r["contests"]) {
        out += fmt::format("  {} {} contested incident #{} ({}, {}): {}\n",
                           c["time"].get<std::string>(), c["author"].get<std::string>(),
                           c["incident"].get<int64_t>(), c["type"].get<std::string>(),
                           c["date"].get<std::string>(), c["reason"].get<std::string>());
      }
    }
    out += "\nFix list (each score is reached with this fix and those above it)\n";
    if (r["fixes"].empty()) out += "  nothing to fix\n";
    for (const auto& f : r["fixes"]) {
      out +=
          fmt::format("  - {} [{}; {} item{}] -> {} {}, overall {}\n", f["what"].get<std::string>(),
                      f["metric"].get<std::string>(), f["count"].get<size_t>(),
                      f["count"].get<size_t>() == 1 ? "" : "s", f["metric"].get<std::string>(),
                      Pct(f["metric_after"]), Pct(f["overall_after"]));
      size_t shown = 0;
      for (const auto& it : f["items"]) {
        if (++shown > 5) {
          out += fmt::format("      ... and {} more (--json lists up to 100)\n",
                             f["count"].get<size_t>() - 5);
          break;
        }
        out += "      " + it.get<std::string>() + "\n";
      }
    }
  } else {
    out += fmt::format("\nMembers: {} (the lowest scores first)\n",
                       r["members"]["count"].get<size_t>());
    for (const auto& m : r["members"]["listed"]) {
      const ordered_json entry = {{"score", m["overall"]},
                                  {"score_max", m.value("overall_max", m["overall"])},
                                  {"measured", m.value("measured", ordered_json(0))},
                                  {"of", m.contains("measured") ? 4 : 0}};
      out += fmt::format("  AS{:<10} {:<36} {:<10} {}{}\n", m["asn"].get<int64_t>(),
                         ScoreText(entry, "actions"), m["band"].get<std::string>(),
                         m["name"].get<std::string>(), m["manrs"].get<bool>() ? "  (MANRS)" : "");
    }
    out += "\nFix list over the members\n";
    for (const auto& f : r["fixes"]["by_kind"]) {
      out += fmt::format("  - {} [{}]: {} members, {} items\n", f["what"].get<std::string>(),
                         f["metric"].get<std::string>(), f["members"].get<size_t>(),
                         f["items"].get<size_t>());
    }
    out += fmt::format("  Mean overall now {}; if every member made every fix: {}\n",
                       Pct(r["fixes"]["overall_now"]), Pct(r["fixes"]["overall_if_all_fixed"]));
  }
  if (r["history"].size() > 1) {
    out += "\nHistory (overall)\n";
    for (const auto& p : r["history"])
      out += fmt::format(
          "  {}  {}\n", p["date"].get<std::string>(),
          ScoreText({{"score", p["overall"]}, {"score_max", p.value("overall_max", p["overall"])}},
                    "actions"));
  }
  return out;
}

}  // namespace vigia::report
