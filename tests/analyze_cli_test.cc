// `vigia analyze`, `vigia incidents` and `vigia report` end to end (issue
// [4/5]): a simulated snapshot is analysed into a SQLite store; the
// incidents read back match truth.json, and the reports match the store.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "core/test_util.h"

namespace vigia {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using test_util::RunCommand;
using test_util::Vigia;

using test_util::Exit;

struct Analyzed {
  fs::path dir, snap, db;
  json summary, truth;
};

const Analyzed& Shared() {
  static Analyzed* a = [] {
    auto* x = new Analyzed;
    x->dir = fs::temp_directory_path() / ("vigia_analyze_" + std::to_string(getpid()));
    fs::remove_all(x->dir);
    fs::create_directories(x->dir);
    x->snap = x->dir / "snap";
    x->db = x->dir / "vigia.db";
    int status = 0;
    RunCommand(Vigia() + " simulate --seed 5 --ases 800 --prefixes 8000 --peers 10 --out " + x->snap.string() +
                   " 2>&1",
               &status);
    EXPECT_EQ(Exit(status), 0);
    const std::string out =
        RunCommand(Vigia() + " analyze --json --db sqlite:" + x->db.string() + " " + x->snap.string(), &status);
    EXPECT_EQ(Exit(status), 0) << out;
    x->summary = json::parse(out, nullptr, false);
    std::ifstream in(x->snap / "truth.json");
    std::stringstream ss;
    ss << in.rdbuf();
    x->truth = json::parse(ss.str());
    return x;
  }();
  return *a;
}

TEST(AnalyzeCli, StoresEveryInjectedIncident) {
  const Analyzed& a = Shared();
  ASSERT_TRUE(a.summary.is_object());
  EXPECT_EQ(a.summary["date"], "2026-11-22");
  EXPECT_TRUE(a.summary["skipped"].empty()) << a.summary.dump();
  EXPECT_EQ(a.summary["problems"], 0);
  int status = 0;
  const std::string out = RunCommand(Vigia() + " incidents --json --db sqlite:" + a.db.string(), &status);
  ASSERT_EQ(Exit(status), 0) << out;
  const json got = json::parse(out);
  std::set<std::pair<std::string, uint64_t>> seen;
  for (const auto& i : got) {
    for (const char* k : {"type", "culprit", "propagator", "prefixes", "start", "end", "confidence", "evidence"}) {
      EXPECT_TRUE(i.contains(k)) << k;
    }
    EXPECT_FALSE(i["evidence"]["reasons"].empty());
    EXPECT_FALSE(i["evidence"]["example_paths"].empty());
    seen.insert({i["type"].get<std::string>(), i["culprit"].get<uint64_t>()});
  }
  for (const auto& t : a.truth["incidents"]) {
    EXPECT_TRUE(seen.contains({t["type"].get<std::string>(), t["culprit"].get<uint64_t>()})) << t.dump();
  }
  for (const auto& b : a.truth["benign"]) {
    for (const auto& i : got) {
      if (i["type"] == "irr_unregistered") continue;  // a registration state, not a flag on the event
      EXPECT_FALSE(i["culprit"] == b["culprit"] && i["prefixes"] == b["prefixes"]) << b.dump();
    }
  }
}

TEST(AnalyzeCli, IncidentFilters) {
  const Analyzed& a = Shared();
  int status = 0;
  const json leaks = json::parse(
      RunCommand(Vigia() + " incidents --json --type route_leak --db sqlite:" + a.db.string(), &status));
  ASSERT_EQ(Exit(status), 0);
  ASSERT_FALSE(leaks.empty());
  for (const auto& i : leaks) EXPECT_EQ(i["type"], "route_leak");
  const uint64_t asn = leaks[0]["propagator"];
  const json mine = json::parse(RunCommand(
      Vigia() + " incidents --json --as " + std::to_string(asn) + " --db sqlite:" + a.db.string(), &status));
  ASSERT_EQ(Exit(status), 0);
  ASSERT_FALSE(mine.empty());
  for (const auto& i : mine) EXPECT_TRUE(i["culprit"] == asn || i["propagator"] == asn) << i.dump();
  const json one = json::parse(
      RunCommand(Vigia() + " incidents --json --limit 1 --offset 1 --db sqlite:" + a.db.string(), &status));
  ASSERT_EQ(one.size(), 1u);
  EXPECT_EQ(one[0]["id"], 2);
  // Bad requests are refused.
  RunCommand(Vigia() + " incidents --type nonsense --db sqlite:" + a.db.string() + " 2>&1", &status);
  EXPECT_EQ(Exit(status), 2);
  RunCommand(Vigia() + " incidents --date 1999-01-01 --db sqlite:" + a.db.string() + " 2>&1", &status);
  EXPECT_EQ(Exit(status), 2);
}

TEST(AnalyzeCli, BadSnapshotFailsAndKeepsTheStore) {
  const Analyzed& a = Shared();
  int status = 0;
  const std::string err = RunCommand(
      Vigia() + " analyze --db sqlite:" + a.db.string() + " " + (a.dir / "nonexistent").string() + " 2>&1", &status);
  EXPECT_EQ(Exit(status), 2);
  EXPECT_NE(err.find("nonexistent"), std::string::npos) << err;
  // The store still holds its snapshot.
  RunCommand(Vigia() + " incidents --db sqlite:" + a.db.string() + " >/dev/null", &status);
  EXPECT_EQ(Exit(status), 0);
}

// The README's main job: one command from nothing to a store and a
// comparison with the truth.
TEST(AnalyzeCli, DemoRunsThePipeline) {
  const Analyzed& a = Shared();
  const fs::path dir = a.dir / "demo";
  int status = 0;
  const std::string out = RunCommand(Vigia() + " demo --no-serve --dir " + dir.string() + " 2>&1", &status);
  ASSERT_EQ(Exit(status), 0) << out;
  EXPECT_TRUE(fs::exists(dir / "snapshot/truth.json"));
  EXPECT_TRUE(fs::exists(dir / "vigia.db"));
  for (const char* type : {"hijack", "subprefix_hijack", "route_leak", "bogon_prefix", "bogon_asn", "rpki_invalid"}) {
    EXPECT_NE(out.find(type), std::string::npos) << out;
  }
  EXPECT_NE(out.find("hijack               10 / 10"), std::string::npos) << out;
  // Run again: the store is rebuilt, not appended to.
  RunCommand(Vigia() + " demo --no-serve --dir " + dir.string() + " >/dev/null 2>&1", &status);
  EXPECT_EQ(Exit(status), 0);
  const json snaps = json::parse(RunCommand(Vigia() + " incidents --json --limit 100000 --db sqlite:" + (dir / "vigia.db").string()));
  size_t events = 0;
  for (const auto& i : snaps) events += i["type"] != "irr_unregistered";
  EXPECT_EQ(events, 60u);
}

}  // namespace
}  // namespace vigia

namespace vigia {
namespace {

json ReportJson(const Analyzed& a, const std::string& what, int* exit_status) {
  int status = 0;
  const std::string out =
      RunCommand(Vigia() + " report " + what + " --json --db sqlite:" + a.db.string() + " 2>&1", &status);
  *exit_status = Exit(status);
  return json::parse(out, nullptr, false);
}

// Issue [4/5] item 5: the AS report holds scores per action and metric with
// bands, the incidents with evidence, and the fix list; its numbers are
// those in the store.
TEST(ReportCli, AsReportOfAHijacker) {
  const Analyzed& a = Shared();
  uint64_t hijacker = 0;
  for (const auto& t : a.truth["incidents"]) {
    if (t["type"] == "hijack") hijacker = t["culprit"].get<uint64_t>();
  }
  ASSERT_NE(hijacker, 0u);
  int code = 0;
  const json r = ReportJson(a, "as AS" + std::to_string(hijacker), &code);
  ASSERT_EQ(code, 0) << r.dump();
  EXPECT_EQ(r["id"], std::to_string(hijacker));
  for (const char* act : {"action1", "action2", "action3", "action4", "overall"}) {
    ASSERT_TRUE(r["scores"].contains(act)) << act;
  }
  // One hijack of a few hours or less: M2 is 100 · 0.6^√(2·w) for w = 0.5 or 1,
  // times the confidence.
  const double m2 = r["metrics"]["M2"]["value"].get<double>();
  EXPECT_LT(m2, 100);
  EXPECT_GT(m2, 30);
  EXPECT_EQ(r["scores"]["action1"]["score"].get<double>(), m2);  // its only incident
  EXPECT_NE(r["scores"]["action1"]["band"], "ready");
  bool found = false;
  for (const auto& in : r["incidents"]) {
    if (in["type"] == "hijack" && in["role"] == "culprit") {
      found = true;
      EXPECT_FALSE(in["evidence"]["reasons"].empty());
    }
  }
  EXPECT_TRUE(found);
  ASSERT_FALSE(r["fixes"].empty());
  EXPECT_EQ(r["fixes"][0]["metric"], "M2");
  EXPECT_EQ(r["fixes"][0]["metric_after"], 100.0);
  // The last fix reaches the best score the AS can reach; never lower than now.
  EXPECT_GE(r["fixes"].back()["overall_after"].get<double>(), r["scores"]["overall"]["score"].get<double>());

  int status = 0;
  const std::string csv =
      RunCommand(Vigia() + " report as " + std::to_string(hijacker) + " --csv --db sqlite:" + a.db.string(), &status);
  ASSERT_EQ(Exit(status), 0);
  EXPECT_EQ(std::count(csv.begin(), csv.end(), '\n'), 1 + 5 + 12) << csv;  // header, actions, metrics
  const std::string text =
      RunCommand(Vigia() + " report as " + std::to_string(hijacker) + " --db sqlite:" + a.db.string(), &status);
  ASSERT_EQ(Exit(status), 0);
  EXPECT_NE(text.find("Fix list"), std::string::npos);
  EXPECT_NE(text.find("Action 1 Filtering"), std::string::npos);
}

// Aggregates: the band counts add up to the members, and the members of a
// region are the ASes the store gives that region.
TEST(ReportCli, RegionCountryIxpAndGroups) {
  const Analyzed& a = Shared();
  int code = 0;
  const json region = ReportJson(a, "region LACNIC", &code);
  ASSERT_EQ(code, 0) << region.dump();
  const size_t members = region["members"]["count"].get<size_t>();
  ASSERT_GT(members, 10u);
  for (const auto& [act, x] : region["scores"].items()) {
    EXPECT_EQ(x["ready"].get<size_t>() + x["aspiring"].get<size_t>() + x["lagging"].get<size_t>() +
                  x["no_data"].get<size_t>(),
              members)
        << act;
  }
  const json br = ReportJson(a, "country br", &code);
  ASSERT_EQ(code, 0) << br.dump();
  EXPECT_EQ(br["region"], "lacnic");  // the region of most of its members
  EXPECT_LE(br["members"]["count"].get<size_t>(), members);
  const json manrs = ReportJson(a, "group manrs", &code);
  ASSERT_EQ(code, 0);
  const json all = ReportJson(a, "group all", &code);
  ASSERT_EQ(code, 0);
  EXPECT_LT(manrs["members"]["count"].get<size_t>(), all["members"]["count"].get<size_t>());
  EXPECT_EQ(all["members"]["count"].get<size_t>(), a.summary["ases"].get<size_t>());
  // An IXP from the snapshot's PeeringDB.
  std::ifstream in(a.snap / "peeringdb" / "peeringdb.json");
  const json pdb = json::parse(in);
  const auto ix_id = pdb["ix"]["data"][0]["id"].get<uint64_t>();
  const json ixp = ReportJson(a, "ixp " + std::to_string(ix_id), &code);
  ASSERT_EQ(code, 0) << ixp.dump();
  EXPECT_EQ(ixp["name"], pdb["ix"]["data"][0]["name"]);
  EXPECT_GT(ixp["members"]["count"].get<size_t>(), 0u);

  // Unknown entities and bad ids: exit 2 with a message.
  int status = 0;
  std::string err = RunCommand(Vigia() + " report as 4200000000 --db sqlite:" + a.db.string() + " 2>&1", &status);
  EXPECT_EQ(Exit(status), 2);
  EXPECT_NE(err.find("is not in snapshot"), std::string::npos) << err;
  err = RunCommand(Vigia() + " report region mars --db sqlite:" + a.db.string() + " 2>&1", &status);
  EXPECT_EQ(Exit(status), 2);
  EXPECT_NE(err.find("not a valid id"), std::string::npos) << err;
  err = RunCommand(Vigia() + " report as 1 --date 1999-01-01 --db sqlite:" + a.db.string() + " 2>&1", &status);
  EXPECT_EQ(Exit(status), 2);
  EXPECT_NE(err.find("no snapshot for 1999-01-01"), std::string::npos) << err;
}

// History: a second day analysed into the same store adds a point to every
// entity's history, and the monthly roll-up averages them.
// An aggregate's report from the summary analyze stored equals the one
// recomputed from every member's rows (--from-members), to the byte.
TEST(ReportCli, StoredSummaryEqualsTheMembers) {
  const Analyzed& a = Shared();
  int code = 0;
  for (std::string what : {"group all", "group manrs", "region lacnic", "region ripencc", "country BR", "country US"}) {
    for (const char* members : {"", " --members 1000", " --members 0"}) {
      const json fast = ReportJson(a, what + members, &code);
      ASSERT_EQ(code, 0) << what;
      const json slow = ReportJson(a, what + members + " --from-members", &code);
      ASSERT_EQ(code, 0) << what;
      EXPECT_EQ(fast, slow) << what << members;
      EXPECT_FALSE(fast["fixes"]["by_kind"].empty()) << what;
    }
  }
}

TEST(ReportCli, HistoryAcrossSnapshots) {
  const Analyzed& a = Shared();
  const fs::path db = a.dir / "history.db";
  const fs::path day2 = a.dir / "day2";
  int status = 0;
  RunCommand(Vigia() + " analyze --db sqlite:" + db.string() + " " + a.snap.string() + " 2>&1", &status);
  ASSERT_EQ(Exit(status), 0);
  RunCommand(Vigia() + " simulate --seed 5 --ases 800 --prefixes 8000 --peers 10 --date 20261123 --out " +
                 day2.string() + " 2>&1",
             &status);
  ASSERT_EQ(Exit(status), 0);
  const std::string out = RunCommand(Vigia() + " analyze --json --db sqlite:" + db.string() + " " + day2.string(), &status);
  ASSERT_EQ(Exit(status), 0) << out;
  const json s2 = json::parse(out);
  // The same Internet a day later: the history knows every origin, and
  // finds the same incidents, no more.
  EXPECT_EQ(s2["incidents"], a.summary["incidents"]);
  for (const auto& n : s2["notes"]) EXPECT_EQ(n.get<std::string>().find("history:"), std::string::npos) << n;
  const std::string r = RunCommand(Vigia() + " report group all --json --db sqlite:" + db.string(), &status);
  ASSERT_EQ(Exit(status), 0);
  const json rep = json::parse(r);
  ASSERT_EQ(rep["history"].size(), 2u);
  EXPECT_EQ(rep["history"][0]["date"], "2026-11-22");
  EXPECT_EQ(rep["history"][1]["date"], "2026-11-23");
  EXPECT_EQ(rep["snapshot"]["date"], "2026-11-23");
  // The monthly roll-up: one month, the mean of its two snapshots.
  ASSERT_EQ(rep["history_monthly"].size(), 1u);
  EXPECT_EQ(rep["history_monthly"][0]["month"], "2026-11");
  EXPECT_EQ(rep["history_monthly"][0]["snapshots"], 2);
  EXPECT_NEAR(rep["history_monthly"][0]["overall"].get<double>(),
              (rep["history"][0]["overall"].get<double>() + rep["history"][1]["overall"].get<double>()) / 2, 0.01);
  const json old = ReportJson(a, "group all --date 2026-11-22", &status);  // the shared store: one day only
  EXPECT_EQ(old["history"].size(), 1u);
}

}  // namespace
}  // namespace vigia
