// Reports on one entity of a stored snapshot (issue [4/5] item 5): an AS, a
// country, an RIR region, an IXP or a group ("manrs", "all"). Built from
// the store alone, as JSON, for `vigia report` and the web API alike.
//
// An AS report holds its scores per action and metric with bands, the
// incidents it caused or passed on with their evidence, and its fix list.
// An aggregate report holds the means and band counts per action, the
// means of its members' metrics, its members (the lowest first), and a fix
// list summed over its members with the mean the aggregate would reach if
// every member made every fix. Both carry the entity's overall score per
// snapshot (history) and per calendar month (history_monthly).
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "core/score_json.h"
#include "core/status.h"
#include "store/store.h"

namespace vigia::report {

struct ReportOptions {
  std::string kind;  // "as", "country", "region", "ixp", "group"
  std::string id;    // "64496" (or "AS64496"), "BR", "lacnic", "26", "manrs"
  std::string date;  // YYYY-MM-DD; "" = the newest snapshot
  size_t max_incidents = 1000;
  size_t max_members = 50;  // aggregate reports list this many members
  // Aggregates: recompute from every member's stored rows instead of the
  // summary analyze stored with the aggregate (the same numbers; a check,
  // and the path for stores written before the summary existed).
  bool from_members = false;
};

// kNotFound when there is no such snapshot or entity.
Result<nlohmann::ordered_json> BuildReport(store::Store& store, const ReportOptions& opts);

// A score as the reports give it: core/score_json.h (kept under this name
// for the callers of report).
inline nlohmann::ordered_json Num(const std::optional<double>& v) { return ScoreJson(v); }

// A score entry as every output gives it (the API contract of issue
// [3/7]): {"score", "score_max", "band", "measured", "of", "members",
// "ready", "aspiring", "lagging", "incomplete", "no_data"}. `score` is the
// lower bound, `score_max` the upper (docs/methodology.md, "Coverage").
nlohmann::ordered_json ScoreEntry(const store::ScoreRow& row);

// "48.00-73.00 (2 of 4 actions measured)", "61.2 % from 8 of 135 networks",
// "90.0 %", "no data": a score entry for people, the same words in the CLI
// and the report. `what` names the parts: "actions", "metrics", "networks".
std::string ScoreText(const nlohmann::ordered_json& entry, const std::string& what);

// A snapshot's provenance (store.h SnapshotInfo::provenance) as JSON; null
// for a snapshot stored before provenance was kept.
nlohmann::ordered_json ProvenanceJson(const store::SnapshotInfo& s);
// The provenance for people: one line per input with its date and age, and
// the warnings ("" when there is none).
std::string ProvenanceText(const nlohmann::ordered_json& provenance);

// A contest of the audit log as JSON (also used by vigia serve).
nlohmann::ordered_json ContestJson(const store::ContestRow& c);

// The report as CSV: one row per action and metric.
std::string ReportCsv(const nlohmann::ordered_json& report);
// The report as text for people.
std::string ReportText(const nlohmann::ordered_json& report);

// Normalises an entity id for its kind: "AS64496" -> "64496", "br" -> "BR",
// "LACNIC" / "RIPE" -> "lacnic" / "ripencc". False when it cannot be one.
bool NormaliseEntity(const std::string& kind, std::string* id);

}  // namespace vigia::report
