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
  for (const char* cmd : {"", "mrt", "mrt dump", "mrt stats", "mrt generate", "rpki",
                          "rpki validate", "rpki stats"}) {
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
  nlohmann::json j =
      nlohmann::json::parse(RunCommand(Vigia() + " mrt stats --json -q " + SharedData() +
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

// Item 8: a plain MRT file cut mid-record used to report the cut and exit
// 0 with nothing counted. Truncation is an error: counted, exit 1.
TEST_F(CliRealData, PlainFileCutMidRecordIsCountedAndExitsOne) {
  const std::string f = ::testing::TempDir() + "/vigia_cut_quagga_rib";
  RunCommand("head -c 1000 " + SharedData() + "/mrt/mrtparse-samples/quagga_rib > " + f);
  int rc = 0;
  nlohmann::json j = nlohmann::json::parse(RunCommand(Vigia() + " mrt stats --json -q " + f, &rc));
  EXPECT_EQ(WEXITSTATUS(rc), 1);
  EXPECT_EQ(j["truncated_files"], 1);
  EXPECT_GT(j["records"].get<int>(), 0);
  std::string err = RunCommand(Vigia() + " mrt dump -m " + f + " 2>&1 >/dev/null", &rc);
  EXPECT_EQ(WEXITSTATUS(rc), 1);
  EXPECT_NE(err.find("stream ends inside"), std::string::npos) << err;
  EXPECT_NE(err.find("1 truncated files"), std::string::npos) << err;
}

TEST_F(CliRealData, StatsCountsSkippedReasons) {
  nlohmann::json j =
      nlohmann::json::parse(RunCommand(Vigia() + " mrt stats --json -q " + SharedData() +
                                       "/mrt/mrtparse-samples/openbgpd_rib_table-mp"));
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
  std::string err =
      test_util::RunCommand(std::string(VIGIA_BINARY_DIR) + "/vigia rpki validate --vrps " +
                                Samples() + "manrs-ixp-roa_test.json 185.186.79.0/24 64497 2>&1",
                            &rc);
  EXPECT_EQ(WEXITSTATUS(rc), 1);
  EXPECT_NE(err.find("roas[2]"), std::string::npos) << err;
  EXPECT_NE(err.find("valid"), std::string::npos) << err;
}

TEST_F(RpkiCli, StatsCountsTheAfrinicVrps) {
  nlohmann::json j = nlohmann::json::parse(
      test_util::RunCommand(std::string(VIGIA_BINARY_DIR) + "/vigia rpki stats --json --vrps " +
                            Samples() + "afrinic-roas-validator-export.csv"));
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

namespace vigia::mrt {
namespace {

void Put32(std::string* o, uint32_t v) {
  for (int s = 24; s >= 0; s -= 8) o->push_back(static_cast<char>(v >> s));
}
void Put16(std::string* o, uint32_t v) {
  o->push_back(static_cast<char>(v >> 8));
  o->push_back(static_cast<char>(v));
}
// One MRT record: timestamp, type, subtype, length, body.
std::string Record(uint16_t type, uint16_t subtype, const std::string& body) {
  std::string r;
  Put32(&r, 1700000000);
  Put16(&r, type);
  Put16(&r, subtype);
  Put32(&r, static_cast<uint32_t>(body.size()));
  return r + body;
}

// A TABLE_DUMP_V2 file: two peers, 10.0.0.0/8 seen by both; the second
// peer's entry carries a 5-byte AGGREGATOR (RFC 7606 §7.7) and, when
// bad_path, a malformed AS_PATH (§7.2).
std::string TwoPeerRib(bool bad_path) {
  std::string pit = {char(192), 0, 2, 1, 0, 0, 0, 2};
  for (char i = 1; i <= 2; ++i) {
    pit += {2, 10, 0, 0, i, char(192), 0, 2, char(10 + i), 0, 0, char(0xFD), char(0xE8 + i)};
  }
  auto attrs = [](uint32_t peer_as, bool aggregator, bool path_bad) {
    std::string a = {0x40, 1, 1, 0};  // ORIGIN IGP
    if (path_bad) {
      a += {0x40, 2, 4, 2, 9, 0, 0};  // 9 ASNs announced, none present
    } else {
      a += {0x40, 2, 10, 2, 2};
      Put32(&a, peer_as);
      Put32(&a, 13335);
    }
    a += {0x40, 3, 4, char(192), 0, 2, char(254)};
    if (aggregator) a += {char(0xC0), 7, 5, 0, 1, char(192), 0, 2};
    return a;
  };
  std::string rib = {0, 0, 0, 1, 8, 10, 0, 2};
  const std::string e[2] = {attrs(65001, false, false), attrs(65002, true, bad_path)};
  for (char i = 0; i < 2; ++i) {
    rib += {0, i, 0, 0, 0, 0};
    Put16(&rib, static_cast<uint32_t>(e[static_cast<int>(i)].size()));
    rib += e[static_cast<int>(i)];
  }
  return Record(13, 1, pit) + Record(13, 2, rib);
}

std::string WriteTemp(const std::string& name, const std::string& bytes) {
  const std::string f = ::testing::TempDir() + "/" + name;
  FILE* out = std::fopen(f.c_str(), "wb");
  std::fwrite(bytes.data(), 1, bytes.size(), out);
  std::fclose(out);
  return f;
}

// Item 1: the bad attribute costs that entry's aggregator only; every
// action is reported with file, offset, peer, prefix and rule, counted in
// `mrt stats`, and the exit status is 1.
TEST(CliRfc7606, AggregatorDiscardIsReportedCountedAndTheRouteKept) {
  const std::string f = WriteTemp("vigia_rfc7606_agg.mrt", TwoPeerRib(false));
  int rc = 0;
  std::string out = RunCommand(Vigia() + " mrt dump -m " + f + " 2>/dev/null", &rc);
  EXPECT_EQ(WEXITSTATUS(rc), 1);
  EXPECT_EQ(Lines(out).size(), 2u) << out;
  std::string err = RunCommand(Vigia() + " mrt dump -m " + f + " 2>&1 >/dev/null", &rc);
  EXPECT_NE(err.find(f + ": offset 46: peer 192.0.2.12 AS65002, 10.0.0.0/8: RFC 7606 §7.7 "
                         "attribute discard"),
            std::string::npos)
      << err;
  nlohmann::json j = nlohmann::json::parse(RunCommand(Vigia() + " mrt stats --json -q " + f));
  EXPECT_EQ(j["attributes_discarded"], 1);
  EXPECT_EQ(j["routes_withdrawn"], 0);
  EXPECT_EQ(j["rfc7606"]["RFC 7606 §7.7 attribute discard"], 1);
  std::string text = RunCommand(Vigia() + " mrt stats -q " + f);
  EXPECT_NE(text.find("attrs discarded    1"), std::string::npos) << text;
}

TEST(CliRfc7606, MalformedAsPathWithdrawsThatPeersRouteOnly) {
  const std::string f = WriteTemp("vigia_rfc7606_path.mrt", TwoPeerRib(true));
  int rc = 0;
  std::string out = RunCommand(Vigia() + " mrt dump --json " + f + " 2>/dev/null", &rc);
  EXPECT_EQ(WEXITSTATUS(rc), 1);
  std::vector<std::string> lines = Lines(out);
  ASSERT_EQ(lines.size(), 1u) << out;
  EXPECT_EQ(nlohmann::json::parse(lines[0])["peer_as"], 65001);
  nlohmann::json j = nlohmann::json::parse(RunCommand(Vigia() + " mrt stats --json -q " + f));
  EXPECT_EQ(j["routes_withdrawn"], 1);
  EXPECT_EQ(j["rfc7606"]["RFC 7606 §7.2 treat-as-withdraw"], 1);
  EXPECT_EQ(j["rfc7606"]["RFC 7606 §7.7 attribute discard"], 1);
  EXPECT_EQ(j["skipped_records"], 0);
}

}  // namespace
}  // namespace vigia::mrt
