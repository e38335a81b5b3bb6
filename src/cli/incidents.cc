// vigia incidents --db DB [--as N] [--victim N] [--type T] [--json]: the
// incidents of a stored snapshot (written by `vigia analyze`), filtered as
// /api/incidents filters them (store::IncidentQuery). With --victim, "the
// attacks on your prefixes": the hijacks whose victims (the prefix's
// legitimate origins, method decision 4) include that AS, newest first.
//
// Reads the store only; one Store for the run.
#include <fmt/format.h>

#include <cstdio>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "cli/commands.h"
#include "core/ip.h"
#include "core/time_format.h"
#include "detect/incident_type.h"
#include "store/backends.h"
#include "store/store.h"

namespace vigia::cli {

namespace {

using nlohmann::ordered_json;

struct IncidentsArgs {
  std::string db = "sqlite:vigia.db";
  std::string date, type, country, region, prefix, match = "exact";
  int64_t asn = -1, victim = -1;
  size_t limit = 1000, offset = 0;
  bool json = false;
};

std::string AsnList(const std::vector<Asn>& v) {
  std::string out;
  for (Asn a : v) out += fmt::format("{}AS{}", out.empty() ? "" : ",", a);
  return out;
}

int RunIncidents(const IncidentsArgs& a) {
  store::IncidentQuery q;
  q.type = a.type;
  if (a.asn >= 0) q.asn = static_cast<Asn>(a.asn);
  if (a.victim >= 0) q.victim = static_cast<Asn>(a.victim);
  q.country = a.country;
  for (char& c : q.country) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  q.region = a.region;
  if (!a.prefix.empty()) {
    const auto p = Prefix::Parse(a.prefix);
    if (!p) {
      std::fprintf(stderr, "vigia: incidents: --prefix %s is not a prefix\n", a.prefix.c_str());
      return kExitFailed;
    }
    q.prefix = p->ToString();
  }
  q.match = a.match == "more"   ? store::PrefixMatch::kMore
            : a.match == "less" ? store::PrefixMatch::kLess
                                : store::PrefixMatch::kExact;
  // Attacks on an AS's prefixes read best newest first.
  q.newest_first = q.victim.has_value();
  q.limit = a.limit;
  q.offset = a.offset;

  auto store = store::Store::Open(a.db);
  if (!store.ok()) {
    std::fprintf(stderr, "vigia: incidents: %s\n", store.status().message().c_str());
    return kExitFailed;
  }
  auto found = (*store)->SnapshotFor(a.date);
  if (!found.ok()) {
    std::fprintf(stderr, "vigia: incidents: %s: %s\n", a.db.c_str(),
                 found.status().message().c_str());
    return kExitFailed;
  }
  const store::SnapshotInfo* snap = &*found;
  q.snapshot = snap->id;
  auto rows = (*store)->Incidents(q);
  auto total = (*store)->CountIncidents(q);
  if (!rows.ok() || !total.ok()) {
    std::fprintf(stderr, "vigia: incidents: %s\n",
                 (rows.ok() ? total.status() : rows.status()).message().c_str());
    return kExitFailed;
  }
  if (a.json) {
    ordered_json arr = ordered_json::array();
    for (const auto& r : *rows) {
      ordered_json o;
      o["id"] = r.id;
      o["type"] = r.type;
      o["kind"] = r.kind;
      o["culprit"] = r.culprit;
      o["propagator"] = r.propagator ? ordered_json(*r.propagator) : ordered_json(nullptr);
      o["prefixes"] = r.prefixes;
      o["start"] = IsoTime(r.start);
      o["end"] = IsoTime(r.end);
      o["confidence"] = r.confidence;
      o["victims"] = r.victims;
      o["cause"] = r.cause;
      o["evidence"] = ordered_json::parse(r.evidence, nullptr, false);
      arr.push_back(std::move(o));
    }
    std::printf("%s\n", arr.dump(1).c_str());
    return kExitOk;
  }
  const std::string partial = snap->partial ? ", PARTIAL (an input was missing or damaged)" : "";
  if (q.victim) {
    std::printf("snapshot %lld (%s)%s: %lld attack%s on the prefixes of AS%u%s\n",
                static_cast<long long>(snap->id), snap->date.c_str(), partial.c_str(),
                static_cast<long long>(*total), *total == 1 ? "" : "s", *q.victim,
                static_cast<int64_t>(rows->size()) < *total
                    ? fmt::format(" ({} shown)", rows->size()).c_str()
                    : "");
  } else {
    std::printf("snapshot %lld (%s)%s: %lld incident%s%s\n", static_cast<long long>(snap->id),
                snap->date.c_str(), partial.c_str(), static_cast<long long>(*total),
                *total == 1 ? "" : "s",
                static_cast<int64_t>(rows->size()) < *total
                    ? fmt::format(" ({} shown)", rows->size()).c_str()
                    : "");
  }
  for (const auto& r : *rows) {
    std::printf("%-17s AS%-10u %-12s %s .. %s  %s%s  confidence %.2f%s\n", r.type.c_str(),
                r.culprit, r.propagator ? fmt::format("via AS{}", *r.propagator).c_str() : "",
                IsoTime(r.start).c_str(), IsoTime(r.end).c_str(),
                r.prefixes.empty() ? "" : r.prefixes[0].c_str(),
                r.prefixes.size() > 1 ? fmt::format(" (+{})", r.prefixes.size() - 1).c_str() : "",
                r.confidence, r.victims.empty() ? "" : ("  victims " + AsnList(r.victims)).c_str());
  }
  return kExitOk;
}

}  // namespace

void RegisterIncidents(CLI::App& app, int* exit_code) {
  auto q = std::make_shared<IncidentsArgs>();
  CLI::App* inc = app.add_subcommand("incidents", "List the incidents of a stored snapshot");
  inc->add_option("--db", q->db, "Store URL: " + store::BackendUsage() + ", or a path (SQLite)")
      ->capture_default_str();
  inc->add_option("--date", q->date, "Snapshot date YYYY-MM-DD (default: the newest)");
  inc->add_option("--type", q->type, detect::IncidentTypeNames())
      ->check(CLI::IsMember(detect::IncidentTypeNameList()));
  inc->add_option("--as", q->asn, "Only incidents with this AS as culprit or propagator")
      ->check(CLI::Range(int64_t{0}, int64_t{4294967295}));
  inc->add_option("--victim", q->victim,
                  "Attacks on this AS's prefixes: incidents naming it a victim (a legitimate "
                  "origin of the prefix), newest first")
      ->check(CLI::Range(int64_t{0}, int64_t{4294967295}));
  inc->add_option("--country", q->country,
                  "Only incidents whose culprit or a victim is an AS of this country (ISO code)");
  inc->add_option("--region", q->region,
                  "Only incidents whose culprit or a victim is an AS of this RIR service region")
      ->check(CLI::IsMember({"afrinic", "apnic", "arin", "lacnic", "ripencc"}));
  inc->add_option("--prefix", q->prefix, "Only incidents for this prefix (see --match)");
  inc->add_option("--match", q->match,
                  "How --prefix matches: exact, more (it or more specifics), less (it or less "
                  "specifics)")
      ->check(CLI::IsMember({"exact", "more", "less"}))
      ->capture_default_str();
  inc->add_option("--limit", q->limit, "At most this many")
      ->check(CLI::Range(size_t{1}, size_t{100000}))
      ->capture_default_str();
  inc->add_option("--offset", q->offset, "Skip this many first")->capture_default_str();
  inc->add_flag("--json", q->json, "One JSON object per incident, in an array");
  inc->callback([q, exit_code] { *exit_code = RunIncidents(*q); });
}

}  // namespace vigia::cli
