// vigia contest {list|review}: the review queue of operators' contests
// (docs/contests.md). `review --accept` re-analyses the contest's date
// (pipeline::Reanalyze) so that the incident leaves the scores of a new
// snapshot of that date; the earlier snapshot, the incident and the audit
// trail stay. The CLI is the local administrator: its reviews are written
// to the audit log as done by "cli".
#include <fmt/format.h>

#include <cstdio>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "cli/commands.h"
#include "core/asn.h"
#include "core/printable.h"
#include "pipeline/analyze.h"
#include "report/report.h"
#include "store/backends.h"
#include "store/store.h"

namespace vigia::cli {

namespace {

struct ContestArgs {
  std::string db = "sqlite:vigia.db";
  std::string state, as, reason;
  size_t limit = 100;
  int64_t id = 0;
  bool accept = false, reject = false, json = false, no_recompute = false;
};

int Fail(const char* verb, const std::string& m) {
  std::fprintf(stderr, "vigia: contest %s: %s\n", verb, PrintableHead(m, 4096).c_str());
  return kExitFailed;
}

int RunList(const ContestArgs& a) {
  store::ContestQuery q;
  q.state = a.state;
  q.limit = a.limit;
  if (!a.as.empty()) {
    auto asn = ParseAsn(a.as);
    if (!asn) return Fail("list", "--as " + a.as + ": not an AS number");
    q.asns = {*asn};
  }
  auto st = store::Store::Open(a.db);
  if (!st.ok()) return Fail("list", st.status().message());
  auto rows = (*st)->ListContests(q);
  if (!rows.ok()) return Fail("list", rows.status().message());
  if (a.json) {
    nlohmann::ordered_json out = nlohmann::ordered_json::array();
    for (const auto& c : *rows) out.push_back(report::ContestJson(c));
    std::printf("%s\n", out.dump(1).c_str());
    return kExitOk;
  }
  std::printf("%-5s %-9s %-10s %-8s %-18s %-10s %-20s %s\n", "id", "state", "date", "incident",
              "type", "culprit", "author", "reason");
  for (const auto& c : *rows) {
    std::printf("%-5lld %-9s %-10s %-8lld %-18s AS%-8u %-20s %s\n", static_cast<long long>(c.id),
                c.state.c_str(), c.date.c_str(), static_cast<long long>(c.incident), c.type.c_str(),
                c.culprit, Printable(c.author).c_str(), PrintableHead(c.reason, 200).c_str());
  }
  return kExitOk;
}

int RunReview(const ContestArgs& a) {
  if (a.accept == a.reject) return Fail("review", "give one of --accept and --reject");
  if (a.reason.empty() || a.reason.size() > 4000)
    return Fail("review", "--reason: 1 to 4000 bytes, the decision's grounds");
  auto st = store::Store::Open(a.db);
  if (!st.ok()) return Fail("review", st.status().message());
  store::Store& s = **st;
  const std::string target = fmt::format("contest {}", a.id);
  auto audit = [&](const std::string& action, const std::string& what, const std::string& outcome) {
    auto r = s.AddAudit({0, "", 0, "cli", action, what, "", outcome});
    if (!r.ok()) std::fprintf(stderr, "vigia: contest review: %s\n", r.status().message().c_str());
    return r.ok();
  };
  const std::string decision = a.accept ? "accepted" : "rejected";
  auto review = s.AddReview({0, a.id, decision, "cli", a.reason, "", ""});
  if (!review.ok()) {
    audit("review", target, "failed: " + review.status().message());
    return Fail("review", review.status().message());
  }
  if (!audit("review", target, "ok: " + decision)) return kExitFailed;
  store::ContestQuery q;
  q.id = a.id;
  auto contest = s.ListContests(q);
  if (!contest.ok() || contest->empty())
    return Fail("review", "the contest vanished after its review");
  const store::ContestRow& c = (*contest)[0];
  std::fprintf(stderr, "vigia: contest %lld (incident %lld of %s) %s\n",
               static_cast<long long>(c.id), static_cast<long long>(c.incident), c.date.c_str(),
               decision.c_str());
  if (!a.accept || a.no_recompute) return kExitOk;
  std::fprintf(stderr, "vigia: contest review: re-analysing %s without the incident\n",
               c.date.c_str());
  auto r = pipeline::Reanalyze(c.date, s, pipeline::AnalyzeOptions{});
  const std::string snap = "snapshot " + c.date;
  if (!r.ok()) {
    audit("recompute", snap, "failed: " + r.status().message());
    return Fail("review", "accepted, but the re-analysis failed: " + r.status().message());
  }
  audit("recompute", snap,
        fmt::format("ok: snapshot {}, {} incident(s) excluded", r->stored.id, r->excluded));
  std::fprintf(stderr, "vigia: contest review: snapshot %lld of %s: %zu incident(s) excluded\n",
               static_cast<long long>(r->stored.id), c.date.c_str(), r->excluded);
  return kExitOk;
}

}  // namespace

void RegisterContest(CLI::App& app, int* exit_code) {
  CLI::App* cmd = app.add_subcommand("contest", "List and review operators' contests");
  cmd->require_subcommand(1);
  cmd->footer(
      "An accepted contest removes its incident from the scores of a new snapshot of the same "
      "date; the incident and the audit trail stay (docs/contests.md). Exit status 2 on any "
      "error.");
  const std::string db_help = "Store URL: " + store::BackendUsage() + ", or a path (SQLite)";

  auto l = std::make_shared<ContestArgs>();
  CLI::App* list = cmd->add_subcommand("list", "Contests, newest first, with their state");
  list->add_option("--db", l->db, db_help)->capture_default_str();
  list->add_option("--state", l->state, "submitted, accepted or rejected")
      ->check(CLI::IsMember({"submitted", "accepted", "rejected"}));
  list->add_option("--as", l->as, "Only contests of incidents with this culprit or propagator");
  list->add_option("--limit", l->limit, "At most this many")
      ->check(CLI::Range(size_t{1}, size_t{100000}))
      ->capture_default_str();
  list->add_flag("--json", l->json, "JSON, as the API's /api/contests");
  list->callback([l, exit_code] { *exit_code = RunList(*l); });

  auto r = std::make_shared<ContestArgs>();
  CLI::App* review = cmd->add_subcommand(
      "review", "Accept or reject a contest; accepting re-analyses its date without the incident");
  review->add_option("ID", r->id, "The contest's id (vigia contest list)")->required();
  review->add_option("--db", r->db, db_help)->capture_default_str();
  review->add_flag("--accept", r->accept, "The incident is a false positive");
  review->add_flag("--reject", r->reject, "The incident stands");
  review->add_option("--reason", r->reason, "The grounds of the decision")->required();
  review->add_flag("--no-recompute", r->no_recompute,
                   "Accept without re-analysing now (the next analysis of the date applies it)");
  review->callback([r, exit_code] { *exit_code = RunReview(*r); });
}

}  // namespace vigia::cli
