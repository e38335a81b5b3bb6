// `vigia update` and `vigia daily` end to end (issue [2/7]): the built
// program against a mirror with the real archives' layouts
// (tests/acquire/make-mirror.sh, built once per test program) served by a
// real nginx on loopback, with the fault proxy (tests/acquire/fault_proxy.py)
// in front of it for the fault matrix; then `vigia analyze` and `vigia
// serve` over what was fetched. Each fault case prints a line of the fault
// matrix ("FAULT | ...") for the closing note.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <thread>

#include "acquire/test_servers.h"
#include "core/test_util.h"

namespace vigia {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using test_util::Exit;
using test_util::RunCommand;
using test_util::Vigia;

std::string ReadAll(const fs::path& p) {
  std::ifstream f(p, std::ios::binary);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

json ReadJson(const fs::path& p) { return json::parse(ReadAll(p), nullptr, false); }

// ---------------------------------------------------------------------------
// Without a mirror: the options, and what an absent source does to analyze.

TEST(UpdateCli, BadOptionsWriteNothing) {
  const fs::path dir = test_util::FreshTempDir("vigia_update_opts_");
  const std::string out = (dir / "snap").string();
  const std::string common = " --cache " + (dir / "cache").string() + " --out " + out;
  struct Case {
    std::string args, says;
  } cases[] = {
      {"--date 2024-13-01", "no such day"},
      {"--date 20240523", "want YYYY-MM-DD"},
      {"--date 2024-05-23 --sources ris,nosuch", "unknown source 'nosuch'"},
      {"--date 2024-05-23 --mirror nosuch=http://127.0.0.1:1", "--mirror nosuch: unknown source"},
      {"--date 2024-05-23 --mirror ris", "want NAME=URL"},
      {"--date 2024-05-23 --collectors nosuch=a", "--collectors nosuch: unknown source"},
      {"--date 2024-05-23 --window 10:00-09:00", "window"},
      {"--date 2024-05-23 --slurm /nonexistent/slurm.json", "--slurm"},
  };
  for (const Case& c : cases) {
    int status = 0;
    const std::string o = RunCommand(Vigia() + " update " + c.args + common + " 2>&1", &status);
    EXPECT_EQ(Exit(status), 2) << c.args << ": " << o;
    EXPECT_NE(o.find(c.says), std::string::npos) << c.args << ": " << o;
    EXPECT_FALSE(fs::exists(out)) << c.args;
    EXPECT_FALSE(fs::exists(out + ".partial")) << c.args;
  }
  fs::remove_all(dir);
}

TEST(UpdateCli, HelpListsEverySource) {
  int status = 0;
  const std::string help = RunCommand(Vigia() + " update --help", &status);
  EXPECT_EQ(Exit(status), 0);
  const std::string list = RunCommand(Vigia() + " update --list-sources", &status);
  EXPECT_EQ(Exit(status), 0);
  for (const char* name : {"ris", "routeviews", "rpki", "irr", "caida", "peeringdb"}) {
    EXPECT_NE(help.find("  " + std::string(name) + " "), std::string::npos) << name << help;
    EXPECT_NE(list.find("  " + std::string(name) + " "), std::string::npos) << name << list;
  }
  EXPECT_NE(list.find("https://"), std::string::npos) << list;  // the default bases
}

// The manifest says the rpki source is absent: analyze marks the snapshot
// partial, and every AS's Action 4 (which needs the VRPs) has no data,
// where the intact snapshot scores them.
TEST(UpdateCli, AnAbsentSourceGivesNoDataInAnalyze) {
  const fs::path dir = test_util::FreshTempDir("vigia_update_nodata_");
  int status = 0;
  RunCommand(Vigia() + " simulate --seed 3 --ases 300 --prefixes 2000 --peers 4 --out " +
                 (dir / "snap").string() + " 2>&1",
             &status);
  ASSERT_EQ(Exit(status), 0);
  auto analyze = [&](const std::string& db) {
    const std::string o =
        RunCommand(Vigia() + " analyze --json --db sqlite:" + (dir / db).string() + " " +
                       (dir / "snap").string(),
                   &status);
    return json::parse(o, nullptr, false);
  };
  const json intact = analyze("a.db");
  ASSERT_TRUE(intact.is_object());
  EXPECT_EQ(Exit(status), 0);
  EXPECT_FALSE(intact["partial"].get<bool>());
  json m = ReadJson(dir / "snap" / "manifest.json");
  m["sources"] = {{{"name", "ris"}, {"part", "mrt"}, {"status", "complete"}},
                  {{"name", "rpki"},
                   {"part", "rpki"},
                   {"status", "absent"},
                   {"reason", "vrps.json: HTTP 503 after 5 attempts"}}};
  std::ofstream(dir / "snap" / "manifest.json") << m.dump(1);
  const json partial = analyze("b.db");
  ASSERT_TRUE(partial.is_object());
  EXPECT_EQ(Exit(status), 1);
  EXPECT_TRUE(partial["partial"].get<bool>());
  bool said = false;
  for (const auto& x : partial["missing"])
    said |=
        x.get<std::string>() == "rpki/: source rpki absent: vrps.json: HTTP 503 after 5 attempts";
  EXPECT_TRUE(said) << partial["missing"].dump();
  bool note = false;
  for (const auto& x : partial["notes"])
    note |= x.get<std::string>().find("rpki/ is missing or damaged") != std::string::npos;
  EXPECT_TRUE(note) << partial["notes"].dump();
  const auto& a4 = partial["scores"]["action4"];
  EXPECT_EQ(a4["ready"].get<int>() + a4["aspiring"].get<int>() + a4["lagging"].get<int>(), 0)
      << a4.dump();
  EXPECT_GT(a4["no_data"].get<int>(), intact["scores"]["action4"]["no_data"].get<int>());
  fs::remove_all(dir);
}

}  // namespace
}  // namespace vigia
