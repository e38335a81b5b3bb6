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
    x->dir = test_util::FreshTempDir("vigia_analyze_");
    x->snap = x->dir / "snap";
    x->db = x->dir / "vigia.db";
    int status = 0;
    RunCommand(Vigia() + " simulate --seed 5 --ases 800 --prefixes 8000 --peers 10 --out " +
                   x->snap.string() + " 2>&1",
               &status);
    EXPECT_EQ(Exit(status), 0);
    const std::string out = RunCommand(
        Vigia() + " analyze --json --db sqlite:" + x->db.string() + " " + x->snap.string(),
        &status);
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
  const std::string out =
      RunCommand(Vigia() + " incidents --json --db sqlite:" + a.db.string(), &status);
  ASSERT_EQ(Exit(status), 0) << out;
  const json got = json::parse(out);
  std::set<std::pair<std::string, uint64_t>> seen;
  for (const auto& i : got) {
    for (const char* k :
         {"type", "culprit", "propagator", "prefixes", "start", "end", "confidence", "evidence"}) {
      EXPECT_TRUE(i.contains(k)) << k;
    }
    EXPECT_FALSE(i["evidence"]["reasons"].empty());
    EXPECT_FALSE(i["evidence"]["example_paths"].empty());
    seen.insert({i["type"].get<std::string>(), i["culprit"].get<uint64_t>()});
  }
  for (const auto& t : a.truth["incidents"]) {
    EXPECT_TRUE(seen.contains({t["type"].get<std::string>(), t["culprit"].get<uint64_t>()}))
        << t.dump();
  }
  for (const auto& b : a.truth["benign"]) {
    for (const auto& i : got) {
      if (i["type"] == "irr_unregistered")
        continue;  // a registration state, not a flag on the event
      EXPECT_FALSE(i["culprit"] == b["culprit"] && i["prefixes"] == b["prefixes"]) << b.dump();
    }
  }
}

TEST(AnalyzeCli, IncidentFilters) {
  const Analyzed& a = Shared();
  int status = 0;
  const json leaks = json::parse(RunCommand(
      Vigia() + " incidents --json --type route_leak --db sqlite:" + a.db.string(), &status));
  ASSERT_EQ(Exit(status), 0);
  ASSERT_FALSE(leaks.empty());
  for (const auto& i : leaks) EXPECT_EQ(i["type"], "route_leak");
  const uint64_t asn = leaks[0]["propagator"];
  const json mine = json::parse(RunCommand(
      Vigia() + " incidents --json --as " + std::to_string(asn) + " --db sqlite:" + a.db.string(),
      &status));
  ASSERT_EQ(Exit(status), 0);
  ASSERT_FALSE(mine.empty());
  for (const auto& i : mine) EXPECT_TRUE(i["culprit"] == asn || i["propagator"] == asn) << i.dump();
  const json one = json::parse(RunCommand(
      Vigia() + " incidents --json --limit 1 --offset 1 --db sqlite:" + a.db.string(), &status));
  ASSERT_EQ(one.size(), 1u);
  EXPECT_EQ(one[0]["id"], 2);
  // Bad requests are refused.
  RunCommand(Vigia() + " incidents --type nonsense --db sqlite:" + a.db.string() + " 2>&1",
             &status);
  EXPECT_EQ(Exit(status), 2);
  RunCommand(Vigia() + " incidents --date 1999-01-01 --db sqlite:" + a.db.string() + " 2>&1",
             &status);
  EXPECT_EQ(Exit(status), 2);
}

// Issue 15: `vigia incidents --victim N` lists the attacks on N's prefixes
// (the hijacks naming N a victim), newest first, with the total in text.
TEST(AnalyzeCli, IncidentsByVictimAreTheAttacksOnItsPrefixes) {
  const Analyzed& a = Shared();
  int status = 0;
  const json hijacks = json::parse(RunCommand(
      Vigia() + " incidents --json --type hijack --db sqlite:" + a.db.string(), &status));
  ASSERT_EQ(Exit(status), 0);
  ASSERT_FALSE(hijacks.empty());
  ASSERT_FALSE(hijacks[0]["victims"].empty()) << hijacks[0].dump();
  EXPECT_FALSE(hijacks[0]["cause"].get<std::string>().empty());
  const uint64_t victim = hijacks[0]["victims"][0];
  const json attacks =
      json::parse(RunCommand(Vigia() + " incidents --json --victim " + std::to_string(victim) +
                                 " --db sqlite:" + a.db.string(),
                             &status));
  ASSERT_EQ(Exit(status), 0);
  bool found = false;
  std::string last_start = "9999";
  for (const auto& i : attacks) {
    bool names = false;
    for (const auto& v : i["victims"]) names |= v == victim;
    EXPECT_TRUE(names) << i.dump();
    found |= i["id"] == hijacks[0]["id"];
    EXPECT_LE(i["start"].get<std::string>(), last_start);  // newest first
    last_start = i["start"].get<std::string>();
  }
  EXPECT_TRUE(found);
  const std::string text = RunCommand(
      Vigia() + " incidents --victim " + std::to_string(victim) + " --db sqlite:" + a.db.string(),
      &status);
  ASSERT_EQ(Exit(status), 0);
  EXPECT_NE(
      text.find(std::to_string(attacks.size()) + (attacks.size() == 1 ? " attack" : " attacks") +
                " on the prefixes of AS" + std::to_string(victim)),
      std::string::npos)
      << text;
  EXPECT_NE(text.find("victims AS"), std::string::npos) << text;
  // A victim filter with --as and --type narrows it; bad values are refused.
  const json none =
      json::parse(RunCommand(Vigia() + " incidents --json --type route_leak --victim " +
                                 std::to_string(victim) + " --db sqlite:" + a.db.string(),
                             &status));
  EXPECT_TRUE(none.empty());
  for (const char* bad :
       {" --victim -1", " --region europe", " --match fuzzy", " --prefix 1.2.3.4/33"}) {
    RunCommand(Vigia() + " incidents" + bad + " --db sqlite:" + a.db.string() + " 2>&1", &status);
    EXPECT_EQ(Exit(status), 2) << bad;
  }
}

TEST(AnalyzeCli, BadSnapshotFailsAndKeepsTheStore) {
  const Analyzed& a = Shared();
  int status = 0;
  const std::string err = RunCommand(Vigia() + " analyze --db sqlite:" + a.db.string() + " " +
                                         (a.dir / "nonexistent").string() + " 2>&1",
                                     &status);
  EXPECT_EQ(Exit(status), 2);
  EXPECT_NE(err.find("nonexistent"), std::string::npos) << err;
  // The store still holds its snapshot.
  RunCommand(Vigia() + " incidents --db sqlite:" + a.db.string() + " >/dev/null", &status);
  EXPECT_EQ(Exit(status), 0);
}

// A copy of the shared snapshot to damage, and a store of its own.
struct Damaged {
  fs::path snap, db;
};
Damaged CopyOfSnapshot(const std::string& name) {
  const Analyzed& a = Shared();
  Damaged d{a.dir / ("damaged_" + name), a.dir / ("damaged_" + name + ".db")};
  fs::remove_all(d.snap);
  fs::copy(a.snap, d.snap, fs::copy_options::recursive);
  return d;
}
// analyze --json on it: the summary, the exit status and stderr.
json AnalyzeDamaged(const Damaged& d, int* exit_status, std::string* err) {
  int status = 0;
  const fs::path err_file = d.db.string() + ".err";
  const std::string out = RunCommand(Vigia() + " analyze --json --db sqlite:" + d.db.string() +
                                         " " + d.snap.string() + " 2>" + err_file.string(),
                                     &status);
  *exit_status = Exit(status);
  std::ifstream in(err_file);
  std::stringstream ss;
  ss << in.rdbuf();
  *err = ss.str();
  return json::parse(out, nullptr, false);
}
// analyze --json on a damaged copy, which must exit 1 and store the snapshot
// marked partial; returns the summary (not an object when there was none)
// and leaves stderr in *err.
json AnalyzePartial(const Damaged& d, std::string* err) {
  int exit_status = 0;
  const json j = AnalyzeDamaged(d, &exit_status, err);
  EXPECT_EQ(exit_status, 1) << *err;
  EXPECT_TRUE(j.is_object() && j.value("partial", false)) << *err;
  return j;
}

// Issue [1/7] item 8: a symlink loop in mrt/, rpki/ or irr/ aborted analyze
// (SIGABRT, an uncaught filesystem_error). Now it is reported, the snapshot
// is stored partial, and the exit status is 1.
TEST(AnalyzeCli, SymlinkLoopsAreReportedNotAnAbort) {
  for (const char* part : {"mrt", "rpki", "irr"}) {
    SCOPED_TRACE(part);
    const Damaged d = CopyOfSnapshot(std::string("loop_") + part);
    fs::create_symlink("loop", d.snap / part / "loop");
    std::string err;
    const json j = AnalyzePartial(d, &err);
    ASSERT_TRUE(j.is_object()) << err;
    EXPECT_NE(err.find(std::string("partial: ") + part + "/loop: "), std::string::npos) << err;
    EXPECT_GT(j["prefixes"].get<size_t>(), 0u);
  }
}

// The manifest was never enforced: a deleted rpki/ or a changed IRR file
// gave exit 0 and inflated Action 4 scores. Now: exit 1, stored partial with
// what was missing, shown by report, and Action 4 has no data.
TEST(AnalyzeCli, TheManifestIsEnforced) {
  const Analyzed& a = Shared();
  ASSERT_FALSE(a.summary["partial"].get<bool>());
  ASSERT_TRUE(a.summary["scores"]["action4"]["mean"].is_number());
  {
    const Damaged d = CopyOfSnapshot("no_rpki");
    fs::remove_all(d.snap / "rpki");
    std::string err;
    const json j = AnalyzePartial(d, &err);
    ASSERT_TRUE(j.is_object()) << err;
    EXPECT_EQ(j["missing"], json::array({"rpki/: absent"}));
    EXPECT_TRUE(j["scores"]["action4"]["mean"].is_null()) << j["scores"].dump();
    int status = 0;
    const json r = json::parse(
        RunCommand(Vigia() + " report group all --json --db sqlite:" + d.db.string(), &status),
        nullptr, false);
    EXPECT_EQ(Exit(status), 0);
    ASSERT_TRUE(r.is_object());
    EXPECT_TRUE(r["snapshot"]["partial"].get<bool>());
    EXPECT_EQ(r["snapshot"]["missing"], json::array({"rpki/: absent"}));
    const std::string text =
        RunCommand(Vigia() + " report group all --db sqlite:" + d.db.string(), &status);
    EXPECT_NE(text.find("PARTIAL snapshot"), std::string::npos) << text;
  }
  {
    const Damaged d = CopyOfSnapshot("changed_irr");
    fs::path irr;
    for (const auto& e : fs::directory_iterator(d.snap / "irr")) irr = std::max(irr, e.path());
    ASSERT_FALSE(irr.empty());
    {
      std::fstream f(irr, std::ios::in | std::ios::out | std::ios::binary);
      f.seekp(static_cast<std::streamoff>(fs::file_size(irr) / 2));
      f.put('\x5a');
    }
    std::string err;
    const json j = AnalyzePartial(d, &err);
    ASSERT_TRUE(j.is_object()) << err;
    EXPECT_NE(j["missing"].dump().find("sha256 differs from the manifest"), std::string::npos)
        << j["missing"];
    EXPECT_TRUE(j["scores"]["action4"]["mean"].is_null()) << j["scores"].dump();
  }
}

// A VRP file with garbage in the middle was stored as complete (and more
// hijacks were found for want of the lost VRPs); with no manifest to catch
// it, the unreadable records alone now make the snapshot partial.
TEST(AnalyzeCli, AVrpFileWithGarbageMakesItPartial) {
  const Damaged d = CopyOfSnapshot("vrp_garbage");
  fs::remove(d.snap / "manifest.json");
  const fs::path vrps = d.snap / "rpki" / "vrps.json";
  std::ifstream in(vrps, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  std::string text = ss.str();
  text.insert(text.size() / 2, "\n#### garbage \x01 ####\n");
  std::ofstream(vrps, std::ios::binary | std::ios::trunc) << text;
  std::string err;
  const json j = AnalyzePartial(d, &err);
  ASSERT_TRUE(j.is_object()) << err;
  EXPECT_NE(j["missing"].dump().find("unreadable VRP records"), std::string::npos) << j["missing"];
}

// --db with an unknown scheme is an error, not a SQLite file of that name.
TEST(AnalyzeCli, AnUnknownStoreSchemeIsRefused) {
  const Analyzed& a = Shared();
  int status = 0;
  const std::string out = RunCommand("cd " + a.dir.string() + " && " + Vigia() +
                                         " analyze --db duckdb:x " + a.snap.string() + " 2>&1",
                                     &status);
  EXPECT_EQ(Exit(status), 2);
  EXPECT_NE(out.find("unknown store scheme 'duckdb:'"), std::string::npos) << out;
  EXPECT_FALSE(fs::exists(a.dir / "duckdb:x"));
}

// The README's main job: one command from nothing to a store and a
// comparison with the truth.
TEST(AnalyzeCli, DemoRunsThePipeline) {
  const Analyzed& a = Shared();
  const fs::path dir = a.dir / "demo";
  int status = 0;
  const std::string out =
      RunCommand(Vigia() + " demo --no-serve --dir " + dir.string() + " 2>&1", &status);
  ASSERT_EQ(Exit(status), 0) << out;
  EXPECT_TRUE(fs::exists(dir / "snapshot/truth.json"));
  EXPECT_TRUE(fs::exists(dir / "vigia.db"));
  for (const char* type :
       {"hijack", "subprefix_hijack", "route_leak", "bogon_prefix", "bogon_asn", "rpki_invalid"}) {
    EXPECT_NE(out.find(type), std::string::npos) << out;
  }
  EXPECT_NE(out.find("hijack               10 / 10"), std::string::npos) << out;
  // Run again: the store is rebuilt, not appended to.
  RunCommand(Vigia() + " demo --no-serve --dir " + dir.string() + " >/dev/null 2>&1", &status);
  EXPECT_EQ(Exit(status), 0);
  const json snaps = json::parse(RunCommand(
      Vigia() + " incidents --json --limit 100000 --db sqlite:" + (dir / "vigia.db").string()));
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
  const std::string out = RunCommand(
      Vigia() + " report " + what + " --json --db sqlite:" + a.db.string() + " 2>&1", &status);
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
  EXPECT_GE(r["fixes"].back()["overall_after"].get<double>(),
            r["scores"]["overall"]["score"].get<double>());

  int status = 0;
  const std::string csv = RunCommand(
      Vigia() + " report as " + std::to_string(hijacker) + " --csv --db sqlite:" + a.db.string(),
      &status);
  ASSERT_EQ(Exit(status), 0);
  EXPECT_EQ(std::count(csv.begin(), csv.end(), '\n'), 1 + 5 + 12)
      << csv;  // header, actions, metrics
  const std::string text = RunCommand(
      Vigia() + " report as " + std::to_string(hijacker) + " --db sqlite:" + a.db.string(),
      &status);
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
                  x["incomplete"].get<size_t>() + x["no_data"].get<size_t>(),
              members)
        << act;
    EXPECT_EQ(x["of"].get<size_t>(), members) << act;
    EXPECT_EQ(x["measured"].get<size_t>(), members - x["no_data"].get<size_t>()) << act;
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
  std::string err =
      RunCommand(Vigia() + " report as 4200000000 --db sqlite:" + a.db.string() + " 2>&1", &status);
  EXPECT_EQ(Exit(status), 2);
  EXPECT_NE(err.find("is not in snapshot"), std::string::npos) << err;
  err = RunCommand(Vigia() + " report region mars --db sqlite:" + a.db.string() + " 2>&1", &status);
  EXPECT_EQ(Exit(status), 2);
  EXPECT_NE(err.find("not a valid id"), std::string::npos) << err;
  err = RunCommand(
      Vigia() + " report as 1 --date 1999-01-01 --db sqlite:" + a.db.string() + " 2>&1", &status);
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
  for (std::string what : {"group all", "group manrs", "region lacnic", "region ripencc",
                           "country BR", "country US"}) {
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
  RunCommand(Vigia() + " analyze --db sqlite:" + db.string() + " " + a.snap.string() + " 2>&1",
             &status);
  ASSERT_EQ(Exit(status), 0);
  RunCommand(Vigia() +
                 " simulate --seed 5 --ases 800 --prefixes 8000 --peers 10 --date 20261123 --out " +
                 day2.string() + " 2>&1",
             &status);
  ASSERT_EQ(Exit(status), 0);
  const std::string out = RunCommand(
      Vigia() + " analyze --json --db sqlite:" + db.string() + " " + day2.string(), &status);
  ASSERT_EQ(Exit(status), 0) << out;
  const json s2 = json::parse(out);
  // The same Internet a day later: the history knows every origin, and
  // finds the same incidents, no more.
  EXPECT_EQ(s2["incidents"], a.summary["incidents"]);
  for (const auto& n : s2["notes"])
    EXPECT_EQ(n.get<std::string>().find("history:"), std::string::npos) << n;
  const std::string r =
      RunCommand(Vigia() + " report group all --json --db sqlite:" + db.string(), &status);
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
  EXPECT_NEAR(
      rep["history_monthly"][0]["overall"].get<double>(),
      (rep["history"][0]["overall"].get<double>() + rep["history"][1]["overall"].get<double>()) / 2,
      0.01);
  const json old =
      ReportJson(a, "group all --date 2026-11-22", &status);  // the shared store: one day only
  EXPECT_EQ(old["history"].size(), 1u);
}

// Every row of every table of a SQLite store, in row order, through the
// sqlite3 shell; the snapshots table's `created` (when) left out.
std::string DumpStore(const fs::path& db) {
  int status = 0;
  const std::string tables = RunCommand(
      "sqlite3 -readonly " + db.string() +
          " \"SELECT name || ' ' || (sql LIKE '%WITHOUT ROWID%') FROM sqlite_master WHERE type = "
          "'table' ORDER BY name\"",
      &status);
  std::string out;
  std::istringstream in(tables);
  std::string name;
  int without_rowid = 0;
  while (in >> name >> without_rowid) {
    const std::string cols =
        name == "snapshots" ? "id, date, window_start, window_end, source" : std::string("*");
    out += "== " + name + "\n" +
           RunCommand("sqlite3 -readonly " + db.string() + " \"SELECT " + cols + " FROM " + name +
                          (without_rowid ? "" : " ORDER BY rowid") + "\"",
                      &status);
  }
  return out;
}

// Issue [6/7] items 1 and 5: --memory, and --partition I/N run as separate
// processes then --merge, store the same snapshot as one plain analyze.
TEST(AnalyzeCli, PartitionsAndMergeStoreTheSameSnapshotByteForByte) {
  const Analyzed& a = Shared();
  const std::string whole = DumpStore(a.db);
  ASSERT_GT(whole.size(), 100'000u);
  test_util::ScopedTempDir tmp("vigia_partitions_");
  int status = 0;
  for (uint32_t n : {1u, 4u}) {
    const fs::path parts = tmp.path / ("parts" + std::to_string(n));
    const fs::path db = tmp.path / ("merged" + std::to_string(n) + ".db");
    for (uint32_t i = 1; i <= n; ++i) {
      const std::string out =
          RunCommand(Vigia() + " analyze --json --db sqlite:" + a.db.string() + " --partition " +
                         std::to_string(i) + "/" + std::to_string(n) + " --partials " +
                         parts.string() + " " + a.snap.string() + " 2>&1",
                     &status);
      ASSERT_EQ(Exit(status), 0) << out;
      EXPECT_TRUE(fs::exists(
          parts / ("partial-" + std::to_string(i) + "-of-" + std::to_string(n) + ".json")));
    }
    const std::string out =
        RunCommand(Vigia() + " analyze --json --merge --partials " + parts.string() +
                       " --db sqlite:" + db.string() + " " + a.snap.string() + " 2>/dev/null",
                   &status);
    ASSERT_EQ(Exit(status), 0) << out;
    const json j = json::parse(out, nullptr, false);
    ASSERT_TRUE(j.is_object()) << out;
    EXPECT_EQ(j["memory"]["partitions"].size(), n);
    EXPECT_EQ(j["rib_entries"], a.summary["rib_entries"]);
    EXPECT_TRUE(DumpStore(db) == whole) << n << " partitions merged: the stored snapshot differs";
  }
  // One process, bounded, in several partitions.
  const fs::path db = tmp.path / "bounded.db";
  const std::string out =
      RunCommand(Vigia() + " analyze --json --memory 1G --partitions 7 --db sqlite:" + db.string() +
                     " " + a.snap.string() + " 2>/dev/null",
                 &status);
  ASSERT_EQ(Exit(status), 0) << out;
  EXPECT_EQ(json::parse(out)["memory"]["partitions"].size(), 7u);
  EXPECT_TRUE(DumpStore(db) == whole) << "--memory: the stored snapshot differs";
}

TEST(AnalyzeCli, BadPartitionsAndPartialFilesAreClearErrors) {
  const Analyzed& a = Shared();
  test_util::ScopedTempDir tmp("vigia_partials_bad_");
  const fs::path parts = tmp.path / "parts";
  const std::string db = " --db sqlite:" + (tmp.path / "x.db").string() + " ";
  int status = 0;
  auto run = [&](const std::string& args) {
    return RunCommand(Vigia() + " analyze" + db + args + " " + a.snap.string() + " 2>&1", &status);
  };
  for (const char* bad : {"0/4", "5/4", "1/0", "x", "1/4/2", "1/4x"}) {
    const std::string out =
        run(std::string("--partials ") + parts.string() + " --partition " + bad);
    EXPECT_EQ(Exit(status), 2) << bad << ": " << out;
    EXPECT_NE(out.find("want I/N"), std::string::npos) << out;
  }
  std::string out = run("--partition 1/2");
  EXPECT_EQ(Exit(status), 2);
  EXPECT_NE(out.find("--partials"), std::string::npos) << out;
  out = run("--merge --partials " + parts.string());
  EXPECT_EQ(Exit(status), 2);
  EXPECT_NE(out.find("no partial file"), std::string::npos) << out;
  // One of two written: the other is named.
  out = run("--partition 1/2 --partials " + parts.string());
  ASSERT_EQ(Exit(status), 0) << out;
  out = run("--merge --partials " + parts.string());
  EXPECT_EQ(Exit(status), 2);
  EXPECT_NE(out.find("partial-2-of-2.json: missing"), std::string::npos) << out;
  // A damaged partial: truncated, then garbage, then another snapshot's.
  out = run("--partition 2/2 --partials " + parts.string());
  ASSERT_EQ(Exit(status), 0) << out;
  const fs::path second = parts / "partial-2-of-2.json";
  std::string text;
  {
    std::ifstream in(second);
    std::stringstream ss;
    ss << in.rdbuf();
    text = ss.str();
  }
  for (const std::string& damaged :
       {text.substr(0, text.size() / 2), std::string("\x00\xff garbage", 10),
        std::string("{\"format\": \"vigia-partial-1\", \"source\": \"manifest sha256:00\"}")}) {
    std::ofstream(second, std::ios::binary | std::ios::trunc) << damaged;
    out = run("--merge --partials " + parts.string());
    EXPECT_EQ(Exit(status), 2) << out;
    EXPECT_NE(out.find("partial-2-of-2.json"), std::string::npos) << out;
  }
  // Nothing was stored by the failed merges.
  EXPECT_EQ(RunCommand("sqlite3 " + (tmp.path / "x.db").string() +
                       " 'SELECT count(*) FROM snapshots' 2>&1"),
            "0\n");
}

}  // namespace
}  // namespace vigia
