// `vigia analyze` and `vigia incidents` end to end (issue [4/5], in
// progress): a simulated snapshot is analysed into a SQLite store, and the
// incidents read back match truth.json.
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

int Exit(int wait_status) { return WIFEXITED(wait_status) ? WEXITSTATUS(wait_status) : -1; }

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
  const std::string out = RunCommand(Vigia() + " demo --dir " + dir.string() + " 2>&1", &status);
  ASSERT_EQ(Exit(status), 0) << out;
  EXPECT_TRUE(fs::exists(dir / "snapshot/truth.json"));
  EXPECT_TRUE(fs::exists(dir / "vigia.db"));
  for (const char* type : {"hijack", "subprefix_hijack", "route_leak", "bogon_prefix", "bogon_asn", "rpki_invalid"}) {
    EXPECT_NE(out.find(type), std::string::npos) << out;
  }
  EXPECT_NE(out.find("hijack               10 / 10"), std::string::npos) << out;
  // Run again: the store is rebuilt, not appended to.
  RunCommand(Vigia() + " demo --dir " + dir.string() + " >/dev/null 2>&1", &status);
  EXPECT_EQ(Exit(status), 0);
  const json snaps = json::parse(RunCommand(Vigia() + " incidents --json --db sqlite:" + (dir / "vigia.db").string()));
  EXPECT_EQ(snaps.size(), 60u);
}

}  // namespace
}  // namespace vigia
