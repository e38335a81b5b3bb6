// `vigia peeringdb as / ix / stats`, run as a user would, on the PeeringDB
// files of ../shared/data (2016 API dump, synthetic cache files) and on a
// full-dump file written here.
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

std::string Api2016() { return test_util::SharedData() + "/peeringdb/pdb-api-20161019"; }
std::string Synthetic() { return test_util::SharedData() + "/peeringdb/synthetic-cache-format"; }

std::string WriteTemp(const std::string& name, const std::string& text) {
  const std::string path = (std::filesystem::temp_directory_path() /
                            ("vigia-pdb-" + std::to_string(getpid()) + "-" + name))
                               .string();
  std::ofstream(path, std::ios::binary) << text;
  return path;
}

class PeeringDbCli : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!test_util::HaveSharedData("peeringdb")) {
      GTEST_SKIP() << "needs ../shared/data/peeringdb (absent)";
    }
  }
};

// python3 over ixlan/ixpfx.json.gz: LINX LON1 (ix 18) has ixlans 18 and
// 1288; AMS-IX (26) has 80.249.208.0/21 and 2001:7f8:1::/64.
TEST_F(PeeringDbCli, IxShowsLansAndPrefixes) {
  int rc = 0;
  std::string out = RunCommand(Vigia() + " peeringdb ix --pdb " + Api2016() + " 18", &rc);
  EXPECT_EQ(WEXITSTATUS(rc), 0);
  EXPECT_NE(out.find("ix 18 LINX LON1"), std::string::npos) << out;
  EXPECT_NE(out.find("lan 1288 mtu 1500: 195.66.230.0/26"), std::string::npos) << out;
  EXPECT_NE(out.find("tables not loaded: netixlan"), std::string::npos) << out;
  auto j = nlohmann::json::parse(
      RunCommand(Vigia() + " peeringdb ix --json --pdb " + Api2016() + " 26", &rc));
  EXPECT_EQ(j["name"], "AMS-IX");
  ASSERT_EQ(j["lans"].size(), 1u);
  EXPECT_EQ(j["lans"][0]["prefixes"],
            nlohmann::json::array({"2001:7f8:1::/64", "80.249.208.0/21"}));
}

TEST_F(PeeringDbCli, StatsListsTablesLoadedAndIgnored) {
  int rc = 0;
  auto j = nlohmann::json::parse(
      RunCommand(Vigia() + " peeringdb stats --json --pdb " + Api2016(), &rc));
  EXPECT_EQ(WEXITSTATUS(rc), 0);
  EXPECT_EQ(j["tables"]["ix"]["records"], 557);
  EXPECT_EQ(j["tables"]["ixlan"]["records"], 559);
  EXPECT_EQ(j["tables"]["ixpfx"]["records"], 793);
  EXPECT_EQ(j["tables_missing"], nlohmann::json::array({"net", "org", "netixlan", "poc"}));
  EXPECT_EQ(j["ignored"].size(), 1u);
}

// netixlan-0.json and poc-0.json of the synthetic cache: AS63312 has one
// port at ix 1 and one Public Abuse contact.
TEST_F(PeeringDbCli, AsShowsNetworkPortsAndContacts) {
  int rc = 0;
  std::string out = RunCommand(Vigia() + " peeringdb as --pdb " + Synthetic() + " AS63312", &rc);
  EXPECT_EQ(WEXITSTATUS(rc), 0);
  EXPECT_NE(out.find("AS63312 net 25304adc (net 1)"), std::string::npos) << out;
  EXPECT_NE(out.find("ix 1 ix b7b05aa8  206.223.116.101 2001:504:0:1::65  1000 Mbit/s  "
                     "route-server peer"),
            std::string::npos)
      << out;
  EXPECT_NE(out.find("Abuse      Public   name email phone url"), std::string::npos) << out;
  auto j = nlohmann::json::parse(
      RunCommand(Vigia() + " peeringdb as --json --pdb " + Synthetic() + " 63313", &rc));
  EXPECT_EQ(j["org"]["name"], "org d1aa972c");
  EXPECT_EQ(j["ixps"][0]["ipaddr4"], "206.223.123.101");
  EXPECT_EQ(j["contacts"][0]["role"], "Abuse");
  EXPECT_TRUE(j["tables_missing"].empty());
}

TEST(PeeringDbCliDump, FullDumpFileWithABadRecord) {
  const std::string f = WriteTemp("dump.json", R"({
    "net": {"data": [{"id": 1, "org_id": 1, "asn": 64500, "name": "N"}]},
    "netixlan": {"data": [{"id": 1, "net_id": 1, "ix_id": 3, "ixlan_id": 3, "asn": 64500,
                           "ipaddr4": "192.0.2.9", "is_rs_peer": false, "speed": 100},
                          {"id": 2, "net_id": 1, "ixlan_id": 3, "asn": 64500,
                           "ipaddr4": "not-an-ip"}]},
    "ix": {"data": [{"id": 3, "name": "Tiny IX", "country": "AR"}]},
    "ixlan": {"data": [{"id": 3, "ix_id": 3}]},
    "poc": {"data": []}})");
  int rc = 0;
  const std::string out = RunCommand(Vigia() + " peeringdb as --pdb " + f + " 64500 2>&1", &rc);
  EXPECT_EQ(WEXITSTATUS(rc), 1);
  EXPECT_NE(out.find(f + ": netixlan[1]: \"ipaddr4\" is not an IPv4 address (skipped)"),
            std::string::npos)
      << out;
  EXPECT_NE(out.find("ix 3 Tiny IX  192.0.2.9 -  100 Mbit/s"), std::string::npos) << out;
  EXPECT_NE(out.find("tables not loaded: org"), std::string::npos) << out;
  auto j = nlohmann::json::parse(
      RunCommand(Vigia() + " peeringdb ix --json --list --pdb " + f + " 3 2>/dev/null", &rc));
  EXPECT_EQ(j["members"], nlohmann::json::array({64500}));
  std::filesystem::remove(f);
}

TEST(PeeringDbCliHostile, UnreadableAndNonPeeringDbInputs) {
  int rc = 0;
  std::string err = RunCommand(Vigia() + " peeringdb stats --pdb /nonexistent/pdb 2>&1", &rc);
  EXPECT_EQ(WEXITSTATUS(rc), 2);
  EXPECT_NE(err.find("/nonexistent/pdb"), std::string::npos) << err;
  const std::string garbage = WriteTemp("garbage.json", "{\"net\": {\"data\": [ {\"id\": 1,");
  err = RunCommand(Vigia() + " peeringdb stats --pdb " + garbage + " 2>&1", &rc);
  EXPECT_EQ(WEXITSTATUS(rc), 2);
  EXPECT_NE(err.find(garbage + ": not PeeringDB JSON"), std::string::npos) << err;
  const std::string empty = WriteTemp("empty.json", "");
  RunCommand(Vigia() + " peeringdb stats --pdb " + empty + " 2>/dev/null", &rc);
  EXPECT_EQ(WEXITSTATUS(rc), 2);
  RunCommand(Vigia() + " peeringdb ix --pdb " + empty + " abc 2>/dev/null", &rc);
  EXPECT_EQ(WEXITSTATUS(rc), 2);
  RunCommand(Vigia() + " peeringdb as --pdb " + empty + " AS-FOO 2>/dev/null", &rc);
  EXPECT_EQ(WEXITSTATUS(rc), 2);
  std::filesystem::remove(garbage);
  std::filesystem::remove(empty);
}

TEST(PeeringDbCliHelp, EverySubcommandHasHelp) {
  for (const char* sub : {"as", "ix", "stats"}) {
    int rc = 0;
    const std::string out = RunCommand(Vigia() + " peeringdb " + sub + " --help", &rc);
    EXPECT_EQ(WEXITSTATUS(rc), 0) << sub;
    EXPECT_NE(out.find("--pdb"), std::string::npos) << sub;
    EXPECT_NE(out.find("--json"), std::string::npos) << sub;
  }
}

}  // namespace
}  // namespace vigia
