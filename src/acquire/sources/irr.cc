// IRR databases: the RPSL dumps the five RIRs and RADB publish, with the
// object classes Vigía's IRR index keeps (route, route6, aut-num, as-set,
// route-set; irr/irr_index.h). Where a registry splits its dump by class
// (RIPE: ftp.ripe.net/ripe/dbase/split/, APNIC: ftp.apnic.net/apnic/whois/)
// only those classes are fetched; ARIN, AFRINIC, LACNIC and RADB publish
// one file. Any other name given with --collectors (e.g. "altdb", "level3")
// is read from RADB's mirror directory, ftp.radb.net/radb/dbase/NAME.db.gz.
//
// IRR dumps are not archived: each URL holds the database as it is when
// fetched, so the bytes are of the fetch time whatever the date (every
// PlannedFile's source_date is empty; the plan says so in a note).
#include <fmt/format.h>

#include "acquire/sources/sources.h"

namespace vigia::acquire {
namespace {

Result<SourcePlan> Plan(const PlanContext& ctx) {
  SourcePlan plan;
  static const char* kClasses[] = {"route", "route6", "aut-num", "as-set", "route-set"};
  auto add = [&](const std::string& irr, std::string_view host, const std::string& path) {
    PlannedFile f;
    f.url = plan::HostUrl(ctx, host, path);
    f.dest = "irr/" + plan::BaseName(path);
    f.item = irr;
    plan.files.push_back(std::move(f));
  };
  for (const std::string& irr :
       plan::Chosen(ctx, {"ripe", "arin", "apnic", "afrinic", "lacnic", "radb"})) {
    if (irr == "ripe") {
      for (const char* c : kClasses) {
        add(irr, "ftp.ripe.net", fmt::format("/ripe/dbase/split/ripe.db.{}.gz", c));
      }
    } else if (irr == "apnic") {
      for (const char* c : kClasses) {
        add(irr, "ftp.apnic.net", fmt::format("/apnic/whois/apnic.db.{}.gz", c));
      }
    } else if (irr == "arin") {
      add(irr, "ftp.arin.net", "/pub/rr/arin.db.gz");
    } else if (irr == "afrinic") {
      add(irr, "ftp.afrinic.net", "/pub/dbase/afrinic.db.gz");
    } else if (irr == "lacnic") {
      add(irr, "ftp.lacnic.net", "/lacnic/dbase/lacnic.db.gz");
    } else if (irr.empty() || irr.find_first_of("/.") != std::string::npos) {
      plan.problems.push_back(fmt::format("\"{}\": not an IRR name", irr));
    } else {
      add(irr, "ftp.radb.net", fmt::format("/radb/dbase/{}.db.gz", irr));
    }
  }
  plan.notes.push_back(
      "IRR dumps are not archived: the files are the databases at the fetch time, "
      "whatever the snapshot's date");
  if (plan.files.empty()) plan.unavailable = "no IRR database chosen";
  return plan;
}

}  // namespace

SourceInfo IrrSource() {
  return {.name = "irr",
          .part = snapshot::Part::kIrr,
          .default_base = std::string(kMultiHostBase),
          .what = "IRR: RIPE, ARIN, APNIC, AFRINIC, LACNIC and RADB RPSL dumps (current only)",
          .default_on = true,
          .plan = Plan};
}

}  // namespace vigia::acquire
