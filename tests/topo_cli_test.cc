// `vigia topo rel / cone / stats`, run as a user would, on the CAIDA and
// TopoScope files of ../shared/data and on small files written here.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "core/test_util.h"

namespace vigia {
namespace {

using test_util::RunCommand;
using test_util::Vigia;

std::string Data(const std::string& sub) { return test_util::SharedData() + "/caida/" + sub; }
std::string AsRel() { return Data("serial-1/20220301.as-rel.txt.bz2"); }
std::string As2Org() { return Data("as2org/20220401.as-org2info.txt.gz"); }

std::string WriteTemp(const std::string& name, const std::string& text) {
  const std::string path = (std::filesystem::temp_directory_path() /
                            ("vigia-topo-" + std::to_string(getpid()) + "-" + name))
                               .string();
  std::ofstream(path, std::ios::binary) << text;
  return path;
}

class TopoCli : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!test_util::HaveSharedData("caida")) GTEST_SKIP() << "needs ../shared/data/caida (absent)";
  }
};

// 3356|33491|-1 is line 56731 of the file (awk '/^3356\|33491\|/{print NR}').
TEST_F(TopoCli, RelNamesTheRelationshipAndTheLine) {
  int rc = 0;
  std::string out = RunCommand(Vigia() + " topo rel --rel " + AsRel() + " 3356 AS33491", &rc);
  EXPECT_EQ(WEXITSTATUS(rc), 0);
  EXPECT_NE(out.find("AS3356 is a provider of AS33491"), std::string::npos) << out;
  EXPECT_NE(out.find("20220301.as-rel.txt.bz2:56731"), std::string::npos) << out;
  out = RunCommand(Vigia() + " topo rel --rel " + AsRel() + " 33491 3356 --json", &rc);
  EXPECT_EQ(WEXITSTATUS(rc), 0);
  auto j = nlohmann::json::parse(out);
  EXPECT_EQ(j["relation"], "customer");
  EXPECT_EQ(j["link"]["provider"], 3356);
  EXPECT_EQ(j["link"]["line"], 56731);
}

// 15169 and 36040 are both GOGL-ARIN in as2org; the as-rel file also has a
// 15169|36040|-1 line. 36040 and 13949 (also GOGL-ARIN) have no link.
TEST_F(TopoCli, RelReportsSiblingsFromAs2Org) {
  int rc = 0;
  const std::string base = Vigia() + " topo rel --rel " + AsRel() + " --as2org " + As2Org();
  auto j = nlohmann::json::parse(RunCommand(base + " 36040 13949 --json", &rc));
  EXPECT_EQ(WEXITSTATUS(rc), 0);
  EXPECT_EQ(j["relation"], "sibling");
  EXPECT_TRUE(j["link"].is_null());
  EXPECT_EQ(j["org_a"]["org_id"], "GOGL-ARIN");
  std::string out = RunCommand(base + " 15169 36040", &rc);
  EXPECT_NE(out.find("is a provider of"), std::string::npos) << out;
  EXPECT_NE(out.find("both ASes belong to organisation GOGL-ARIN"), std::string::npos) << out;
  j = nlohmann::json::parse(
      RunCommand(Vigia() + " topo rel --rel " + AsRel() + " 36040 13949 --json", &rc));
  EXPECT_EQ(j["relation"], "none");
}

// Cone sizes from an independent python3 DFS over the -1 lines (see
// customer_cone_test.cc): AS15169 13, AS3356 66558 (the largest).
TEST_F(TopoCli, ConeSizeRankAndMembers) {
  int rc = 0;
  auto j = nlohmann::json::parse(
      RunCommand(Vigia() + " topo cone --rel " + AsRel() + " 15169 --list --json", &rc));
  EXPECT_EQ(WEXITSTATUS(rc), 0);
  EXPECT_EQ(j["cone_size"], 13);
  ASSERT_EQ(j["members"].size(), 13u);
  EXPECT_EQ(j["members"][0], 15169);
  j = nlohmann::json::parse(
      RunCommand(Vigia() + " topo cone --json --rel " + AsRel() + " 3356", &rc));
  EXPECT_EQ(j["cone_size"], 66558);
  EXPECT_EQ(j["rank"], 1);
  EXPECT_EQ(j["providers"], 0);
  const std::string out =
      RunCommand(Vigia() + " topo cone --rel " + AsRel() + " 15169 --list", &rc);
  EXPECT_NE(out.find("customer cone of 13 ASes"), std::string::npos) << out;
  EXPECT_NE(out.find("\nAS36040\n"), std::string::npos) << out;
}

TEST_F(TopoCli, StatsOfTopoScopeShowsCyclesAndDuplicates) {
  int rc = 0;
  auto j = nlohmann::json::parse(RunCommand(
      Vigia() + " topo stats --json --top 3 --rel " + Data("toposcope/asrel_201701.txt.xz"), &rc));
  EXPECT_EQ(WEXITSTATUS(rc), 0);
  // Independent python3/networkx figures, see the library tests.
  EXPECT_EQ(j["links"], 248966);
  EXPECT_EQ(j["files"][0]["duplicates"], 164);
  EXPECT_EQ(j["provider_cycles"], 5);
  EXPECT_EQ(j["largest_provider_cycle"].size(), 9u);
  EXPECT_EQ(j["largest_cones"].size(), 3u);
}

TEST_F(TopoCli, ConflictingFilesExitOneAndNameTheLines) {
  int rc = 0;
  const std::string err =
      RunCommand(Vigia() + " topo rel --rel " + Data("toposcope/asrel_201806.txt.xz") + "," +
                     Data("toposcope/asrel_hidden.txt.gz") + " 6762 42 2>&1 >/dev/null",
                 &rc);
  EXPECT_EQ(WEXITSTATUS(rc), 1);
  EXPECT_NE(err.find("asrel_hidden.txt.gz:"), std::string::npos) << err.substr(0, 500);
  EXPECT_NE(err.find("AS6762|AS42|-1 conflicts with"), std::string::npos) << err.substr(0, 500);
  EXPECT_NE(err.find("(skipped)"), std::string::npos);
}

TEST(TopoCliHostile, BadLinesAreReportedAndBadArgumentsFail) {
  const std::string f = WriteTemp("bad.txt", "1|2|-1\r\nnonsense\n2|3|7\n3|4|0\n");
  int rc = 0;
  std::string err = RunCommand(Vigia() + " topo cone --rel " + f + " 1 2>&1", &rc);
  EXPECT_EQ(WEXITSTATUS(rc), 1);
  EXPECT_NE(err.find(f + ":2: 1 fields"), std::string::npos) << err;
  EXPECT_NE(err.find(f + ":3: relationship '7'"), std::string::npos) << err;
  EXPECT_NE(err.find("customer cone of 2 ASes"), std::string::npos) << err;
  RunCommand(Vigia() + " topo cone --rel " + f + " 99 2>/dev/null", &rc);
  EXPECT_EQ(WEXITSTATUS(rc), 2);  // not in the graph
  RunCommand(Vigia() + " topo rel --rel " + f + " x 1 2>/dev/null", &rc);
  EXPECT_EQ(WEXITSTATUS(rc), 2);
  err = RunCommand(Vigia() + " topo rel --rel /nonexistent/as-rel.txt 1 2 2>&1", &rc);
  EXPECT_EQ(WEXITSTATUS(rc), 2);
  EXPECT_NE(err.find("/nonexistent/as-rel.txt"), std::string::npos) << err;
  const std::string empty = WriteTemp("empty.txt", "");
  RunCommand(Vigia() + " topo stats --rel " + empty + " >/dev/null", &rc);
  EXPECT_EQ(WEXITSTATUS(rc), 0);
  std::filesystem::remove(f);
  std::filesystem::remove(empty);
}

TEST(TopoCliHelp, EverySubcommandHasHelp) {
  for (const char* sub : {"rel", "cone", "stats"}) {
    int rc = 0;
    const std::string out = RunCommand(Vigia() + " topo " + sub + " --help", &rc);
    EXPECT_EQ(WEXITSTATUS(rc), 0) << sub;
    EXPECT_NE(out.find("--rel"), std::string::npos) << sub;
    EXPECT_NE(out.find("--as2org"), std::string::npos) << sub;
    EXPECT_NE(out.find("--json"), std::string::npos) << sub;
  }
}

}  // namespace
}  // namespace vigia
