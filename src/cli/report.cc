// vigia report {as ASN|country CC|region R|ixp ID|group manrs|all}: one
// entity of a stored snapshot, with scores, incidents and fix list.
#include "report/report.h"

#include <fmt/format.h>

#include <cstdio>
#include <memory>

#include "cli/commands.h"
#include "store/backends.h"

namespace vigia::cli {

namespace {

struct ReportArgs {
  std::string db = "sqlite:vigia.db";
  std::string kind, id, date;
  bool json = false, csv = false, from_members = false;
  size_t members = 50;
};

int RunReport(const ReportArgs& a) {
  auto st = store::Store::Open(a.db);
  if (!st.ok()) {
    std::fprintf(stderr, "vigia: report: %s\n", st.status().message().c_str());
    return kExitFailed;
  }
  report::ReportOptions o;
  o.kind = a.kind;
  o.id = a.id;
  o.date = a.date;
  o.max_members = a.members;
  o.from_members = a.from_members;
  auto r = report::BuildReport(**st, o);
  if (!r.ok()) {
    std::fprintf(stderr, "vigia: report: %s: %s\n", a.db.c_str(), r.status().message().c_str());
    return kExitFailed;
  }
  if (a.json) {
    std::printf("%s\n", r->dump(1).c_str());
  } else if (a.csv) {
    std::fputs(report::ReportCsv(*r).c_str(), stdout);
  } else {
    std::fputs(report::ReportText(*r).c_str(), stdout);
  }
  return kExitOk;
}

}  // namespace

void RegisterReport(CLI::App& app, int* exit_code) {
  CLI::App* cmd = app.add_subcommand(
      "report",
      "Report on an AS, a country, an RIR region, an IXP or a group from a stored snapshot");
  cmd->require_subcommand(1);
  cmd->footer(
      "Scores per MANRS action and metric with Ready/Aspiring/Lagging bands, incidents with "
      "evidence, "
      "and a fix list with the score each fix would reach. Methodology: docs/methodology.md. Exit "
      "status 2 when the store, the snapshot or the entity is missing.");
  struct Kind {
    const char* name;
    const char* arg;
    const char* help;
  };
  for (const Kind& k : {Kind{"as", "ASN", "An AS (64496 or AS64496)"},
                        Kind{"country", "CC", "A country (ISO 3166 alpha-2, e.g. BR)"},
                        Kind{"region", "R", "An RIR region: afrinic, apnic, arin, lacnic, ripencc"},
                        Kind{"ixp", "ID", "An IXP by its PeeringDB ix id"},
                        Kind{"group", "G", "manrs (the participants) or all"}}) {
    auto a = std::make_shared<ReportArgs>();
    a->kind = k.name;
    CLI::App* sub = cmd->add_subcommand(k.name, k.help);
    sub->add_option(k.arg, a->id, k.help)->required();
    sub->add_option("--db", a->db, "Store URL: " + store::BackendUsage() + ", or a path (SQLite)")
        ->capture_default_str();
    sub->add_option("--date", a->date, "Snapshot date YYYY-MM-DD (default: the newest)");
    sub->add_option("--members", a->members, "Aggregates: list this many members, the lowest first")
        ->capture_default_str();
    auto* json = sub->add_flag("--json", a->json, "JSON");
    sub->add_flag("--csv", a->csv, "CSV: one row per action and metric")->excludes(json);
    sub->add_flag(
        "--from-members", a->from_members,
        "Aggregates: recompute from every member's stored rows instead of the summary analyze "
        "stored (the same numbers, slower; a check)");
    sub->callback([a, exit_code] {
      std::string id = a->id;
      if (!report::NormaliseEntity(a->kind, &id)) {
        std::fprintf(stderr, "vigia: report %s: '%s' is not a valid id\n", a->kind.c_str(),
                     a->id.c_str());
        *exit_code = kExitFailed;
        return;
      }
      *exit_code = RunReport(*a);
    });
  }
}

}  // namespace vigia::cli
