// The `vigia` command line: help, exit codes, JSON output, stats.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <string>

#include "mrt/test_util.h"

namespace vigia::mrt {
namespace {

using test_util::HaveSharedData;
using test_util::Lines;
using test_util::RunCommand;
using test_util::SharedData;

std::string Vigia() { return std::string(VIGIA_BINARY_DIR) + "/vigia"; }

int ExitCode(const std::string& args) {
  int rc = 0;
  RunCommand(Vigia() + " " + args + " >/dev/null 2>&1", &rc);
  return WEXITSTATUS(rc);
}

TEST(Cli, EveryCommandHasHelp) {
  for (const char* cmd :
       {"", "mrt", "mrt dump", "mrt stats", "mrt generate", "rpki", "rpki validate", "rpki stats"}) {
    int rc = 0;
    std::string out = RunCommand(Vigia() + " " + cmd + " --help 2>&1", &rc);
    EXPECT_EQ(WEXITSTATUS(rc), 0) << cmd;
    EXPECT_NE(out.find("Usage"), std::string::npos) << cmd << ": " << out;
  }
}

TEST(Cli, MissingFileExitsTwoAndNamesIt) {
  int rc = 0;
  std::string err = RunCommand(Vigia() + " mrt dump -m /nonexistent/x.mrt 2>&1 >/dev/null", &rc);
  EXPECT_EQ(WEXITSTATUS(rc), 2);
  EXPECT_NE(err.find("/nonexistent/x.mrt"), std::string::npos) << err;
}

TEST(Cli, UsageErrorExitsTwo) {
  EXPECT_EQ(ExitCode("mrt dump -m -M x"), 2);
  EXPECT_EQ(ExitCode("mrt frobnicate"), 2);
}

TEST(Cli, GarbageFileIsReportedAndExitsOne) {
  const std::string f = ::testing::TempDir() + "/vigia_garbage.bin";
  RunCommand("head -c 5000 /dev/urandom > " + f);
  int rc = 0;
  std::string err = RunCommand(Vigia() + " mrt dump -m " + f + " 2>&1 >/dev/null", &rc);
  EXPECT_EQ(WEXITSTATUS(rc), 1);
  EXPECT_NE(err.find("offset"), std::string::npos) << err;
}

class CliRealData : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!HaveSharedData()) GTEST_SKIP() << "needs ../shared/data (absent)";
  }
};

TEST_F(CliRealData, CleanFileExitsZeroTruncatedExitsOne) {
  EXPECT_EQ(ExitCode("mrt dump -m " + SharedData() + "/mrt/mrtparse-samples/quagga_rib"), 0);
  int rc = 0;
  std::string err = RunCommand(Vigia() + " mrt stats " + SharedData() +
                            "/mrt/pyasn/rib.20140523.0600_firstMB.bz2 2>&1 >/dev/null",
                        &rc);
  EXPECT_EQ(WEXITSTATUS(rc), 1);
  EXPECT_NE(err.find("bzip2"), std::string::npos) << err;
}

TEST_F(CliRealData, JsonLinesParseAndMatchTextCounts) {
  const std::string f = SharedData() + "/mrt/bgpdump-testdata/bview.ipv6_unicast_add_path.gz";
  std::vector<std::string> lines = Lines(RunCommand(Vigia() + " mrt dump --json " + f));
  ASSERT_EQ(lines.size(), Lines(RunCommand(Vigia() + " mrt dump -m " + f)).size());
  for (const std::string& l : lines) {
    nlohmann::json j = nlohmann::json::parse(l);
    EXPECT_EQ(j["kind"], "rib");
    EXPECT_TRUE(j.contains("path_id"));
    EXPECT_TRUE(j.contains("prefix"));
    EXPECT_TRUE(j.contains("peer_as"));
  }
}

TEST_F(CliRealData, StatsJsonCountsTheRis2000Table) {
  nlohmann::json j = nlohmann::json::parse(RunCommand(
      Vigia() + " mrt stats --json -q " + SharedData() +
      "/mrt/bgpkit-fixtures/rrc00-bview.20000111.0032.gz"));
  EXPECT_EQ(j["rib_entries"], 452018);
  EXPECT_EQ(j["records"], 2490);
  EXPECT_EQ(j["legacy_length_fixes"], 2490);
  EXPECT_EQ(j["skipped_records"], 0);
  // Cross-checked with `vigia mrt dump -m | cut -d'|' -f4,5 | sort -u` (peers)
  // and -f6 (prefixes; none of them has host bits set).
  EXPECT_EQ(j["peers"], 7);
  EXPECT_EQ(j["ipv4_prefixes"], 82377);
}

TEST_F(CliRealData, StatsCountsSkippedReasons) {
  nlohmann::json j = nlohmann::json::parse(RunCommand(
      Vigia() + " mrt stats --json -q " + SharedData() + "/mrt/mrtparse-samples/openbgpd_rib_table-mp"));
  EXPECT_EQ(j["skipped_records"], 31);
  EXPECT_FALSE(j["skip_reasons"].empty());
}

}  // namespace
}  // namespace vigia::mrt

namespace vigia::mrt {
namespace {

class RpkiCli : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!test_util::HaveSharedData()) GTEST_SKIP() << "needs ../shared/data (absent)";
  }
  std::string Samples() { return test_util::SharedData() + "/rpki/samples/"; }
};

TEST_F(RpkiCli, ValidateReportsStateAndVrps) {
  int rc = 0;
  nlohmann::json j = nlohmann::json::parse(test_util::RunCommand(
      std::string(VIGIA_BINARY_DIR) + "/vigia rpki validate --json --vrps " + Samples() +
          "afrinic-roas-validator-export.csv 2001:43f8::/48 AS37100",
      &rc));
  EXPECT_EQ(WEXITSTATUS(rc), 0);
  EXPECT_EQ(j["state"], "invalid-origin");  // an AS0 VRP covers it
  ASSERT_EQ(j["covering"].size(), 1u);
  EXPECT_EQ(j["covering"][0]["asn"], 0);
}

TEST_F(RpkiCli, SkippedVrpIsReportedWithItsIndexAndExitsOne) {
  int rc = 0;
  std::string err = test_util::RunCommand(std::string(VIGIA_BINARY_DIR) +
                                              "/vigia rpki validate --vrps " + Samples() +
                                              "manrs-ixp-roa_test.json 185.186.79.0/24 64497 2>&1",
                                          &rc);
  EXPECT_EQ(WEXITSTATUS(rc), 1);
  EXPECT_NE(err.find("roas[2]"), std::string::npos) << err;
  EXPECT_NE(err.find("valid"), std::string::npos) << err;
}

TEST_F(RpkiCli, StatsCountsTheAfrinicVrps) {
  nlohmann::json j = nlohmann::json::parse(test_util::RunCommand(
      std::string(VIGIA_BINARY_DIR) + "/vigia rpki stats --json --vrps " + Samples() +
      "afrinic-roas-validator-export.csv"));
  EXPECT_EQ(j["vrps"], 4372);
  EXPECT_EQ(j["ipv4"].get<int>() + j["ipv6"].get<int>(), 4372);
  EXPECT_EQ(j["skipped"], 0);
}

TEST(RpkiCliArgs, BadPrefixOrAsnExitsTwo) {
  int rc = 0;
  test_util::RunCommand(std::string(VIGIA_BINARY_DIR) +
                            "/vigia rpki validate --vrps x.json 300.0.0.0/8 1 >/dev/null 2>&1",
                        &rc);
  EXPECT_EQ(WEXITSTATUS(rc), 2);
  test_util::RunCommand(std::string(VIGIA_BINARY_DIR) +
                            "/vigia rpki validate --vrps x.json 10.0.0.0/8 ASx >/dev/null 2>&1",
                        &rc);
  EXPECT_EQ(WEXITSTATUS(rc), 2);
}

}  // namespace
}  // namespace vigia::mrt
