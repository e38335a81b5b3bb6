// What an IXP's report adds in the API (issue [4/7] item 6; serve/api.h):
// what each member must fix, the latest route-server compliance report
// (`vigia ixp check --db URL --ixp ID`, store::Store::LatestRsCheck; the
// report JSON of docs/ixp.md: "rs_check") and the MANRS-for-IXPs checklist
// ("manrs_ixp"), each action with its evidence and coverage, or "not
// measured" when public data cannot show it: never a pass without data.
//
// The checklist follows the MANRS IXP Programme's five actions
// (https://manrs.org/ixps/): 1 prevent propagation of incorrect routing
// information (route-server filtering, mandatory), 2 promote MANRS to the
// members (mandatory), 3 protect the peering platform, 4 facilitate
// operational communication and coordination, 5 provide monitoring and
// debugging tools. Runs under the Api's store lock like every handler.
#include <fmt/format.h>

#include <algorithm>

#include "serve/api.h"

namespace vigia::serve {

namespace {

// The members whose fix lists an IXP's report reads back (one store read
// each); larger member lists are counted, not read.
constexpr size_t kMaxIxpMembers = 5000;
// Fixes listed per member (the AS page has the whole list with its items).
constexpr size_t kMaxMemberFixes = 10;

// A number of the stored report, 0 when absent or not a number.
int64_t NumberOf(const ordered_json& o, const char* key) {
  if (!o.is_object() || !o.contains(key) || !o[key].is_number()) return 0;
  return o[key].get<int64_t>();
}

ordered_json Action(int n, const char* key, bool mandatory, const char* status,
                    ordered_json evidence, ordered_json coverage) {
  return {{"action", n},
          {"key", key},
          {"mandatory", mandatory},
          {"status", status},
          {"evidence", std::move(evidence)},
          {"coverage", std::move(coverage)}};
}

}  // namespace

Status Api::IxpExtras(int64_t snapshot, const std::string& id, ordered_json* report) {
  ordered_json& r = *report;
  // The members: the IXP's stored list (PeeringDB's netixlan, score/aggregates.cc).
  auto ent = db().Entity(snapshot, "ixp", id);
  if (!ent.ok()) return ent.status();
  std::vector<Asn> members;
  if (ent->has_value()) {
    const ordered_json d = ordered_json::parse((*ent)->detail, nullptr, false);
    if (d.is_object() && d.contains("members") && d["members"].is_array()) {
      for (const auto& m : d["members"])
        if (m.is_number_unsigned()) members.push_back(m.get<Asn>());
    }
  }
  // Per member: MANRS participation, PeeringDB contacts (metric M6) and the
  // fix list the AS page shows, without its items.
  struct Facts {
    bool manrs = false;
    std::optional<bool> contact;  // M6: none when there was no PeeringDB data
    ordered_json fixes = ordered_json::array();
  };
  std::map<Asn, Facts> facts;
  size_t read = 0;
  for (Asn m : members) {
    if (++read > kMaxIxpMembers) break;
    Facts f;
    auto e = db().Entity(snapshot, "as", std::to_string(m));
    if (!e.ok()) return e.status();
    if (!e->has_value()) continue;
    f.manrs = (*e)->manrs;
    const ordered_json d = ordered_json::parse((*e)->detail, nullptr, false);
    if (d.is_object() && d.contains("fixes") && d["fixes"].is_array()) {
      for (const auto& x : d["fixes"]) {
        if (f.fixes.size() >= kMaxMemberFixes) break;
        f.fixes.push_back({{"metric", x.value("metric", "")},
                           {"what", x.value("what", "")},
                           {"key", x.value("key", "")},
                           {"args", x.value("args", ordered_json::object())},
                           {"count", x.value("count", 0)}});
      }
    }
    auto metrics = db().Metrics(snapshot, m);
    if (!metrics.ok()) return metrics.status();
    for (const auto& row : *metrics) {
      if (row.metric == "M6" && row.value) f.contact = *row.value >= 100;
    }
    facts[m] = std::move(f);
  }
  if (r.contains("members") && r["members"].contains("listed")) {
    for (auto& m : r["members"]["listed"]) {
      const auto it = facts.find(m["asn"].get<Asn>());
      m["fixes"] = it == facts.end() ? ordered_json::array() : it->second.fixes;
    }
  }

  // The route-server report, as `vigia ixp check --db` stored it, with
  // the time the store took it.
  auto stored = db().LatestRsCheck(id);
  if (!stored.ok()) return stored.status();
  ordered_json rs = nullptr;
  bool unreadable = false;  // a stored report without the report's shape
  if (stored->has_value()) {
    rs = ordered_json::parse((*stored)->report_json, nullptr, false);
    if (rs.is_object() && rs.contains("summary") && rs["summary"].is_object()) {
      rs["checked_at"] = (*stored)->checked_at;
    } else {
      rs = nullptr;
      unreadable = true;
    }
  }
  r["rs_check"] = rs;

  // The checklist.
  const size_t n = members.size();
  size_t known = 0, manrs = 0, with_contact_data = 0, with_contact = 0;
  for (const auto& [asn, f] : facts) {
    ++known;
    manrs += f.manrs ? 1 : 0;
    if (f.contact) {
      ++with_contact_data;
      with_contact += *f.contact ? 1 : 0;
    }
  }
  ordered_json actions = ordered_json::array();
  // Action 1: the route server's filters, judged by what it accepted.
  if (rs.is_null()) {
    actions.push_back(Action(1, "filtering", true, "not_measured",
                             {{"reason", unreadable ? "rs_check_unreadable" : "no_rs_check"}},
                             nullptr));
  } else {
    const ordered_json& s = rs["summary"];
    const int64_t routes = NumberOf(s, "routes"), bad = NumberOf(s, "accepted_bad");
    const ordered_json not_checked = s.contains("not_checked") && s["not_checked"].is_array()
                                         ? s["not_checked"]
                                         : ordered_json::array();
    // Clean routes are a pass only when every rule had data.
    const char* status = bad > 0                ? "not_met"
                         : routes == 0          ? "not_measured"
                         : !not_checked.empty() ? "partial"
                                                : "met";
    actions.push_back(Action(1, "filtering", true, status,
                             {{"checked_at", rs.value("checked_at", ordered_json(nullptr))},
                              {"rib_date", rs.contains("rib") && rs["rib"].is_object()
                                               ? rs["rib"].value("date", ordered_json(nullptr))
                                               : ordered_json(nullptr)},
                              {"routes", routes},
                              {"accepted_bad", bad},
                              {"members_with_bad", NumberOf(s, "members_with_bad")},
                              {"not_checked", not_checked}},
                             {{"measured", routes}, {"of", routes}, {"what", "routes"}}));
  }
  // Action 2: the members' own MANRS readiness, what promotion aims at. An
  // indicator, not a pass: the programme asks for the IXP's promotion work.
  const ordered_json& overall = r["scores"].value("overall", ordered_json::object());
  actions.push_back(
      Action(2, "promotion", true, n ? "indicator" : "not_measured",
             {{"members", n},
              {"manrs_participants", manrs},
              {"ready", NumberOf(overall, "ready")},
              {"scored", NumberOf(overall, "measured")}},
             {{"measured", NumberOf(overall, "measured")}, {"of", n}, {"what", "members"}}));
  // Action 3: a policy on the fabric's traffic, invisible in routing data.
  actions.push_back(
      Action(3, "platform", false, "not_measured", {{"reason", "not_public_data"}}, nullptr));
  // Action 4: reachable members (PeeringDB contacts, metric M6).
  actions.push_back(Action(4, "coordination", false,
                           with_contact_data ? "indicator" : "not_measured",
                           {{"members_with_contact", with_contact},
                            {"members_with_data", with_contact_data},
                            {"members", n}},
                           {{"measured", with_contact_data}, {"of", n}, {"what", "members"}}));
  // Action 5: looking glass and tools, not in the data Vigía reads.
  actions.push_back(
      Action(5, "tools", false, "not_measured", {{"reason", "not_public_data"}}, nullptr));
  r["manrs_ixp"] = {{"programme", "https://manrs.org/ixps/"},
                    {"members_read", known},
                    {"actions", std::move(actions)}};
  return Status::Ok();
}

}  // namespace vigia::serve
