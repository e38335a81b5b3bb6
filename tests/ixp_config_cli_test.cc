// `vigia ixp config`, run as an operator would: the BIRD 2 configuration of
// the lab exchange (tests/golden/ixp/lab-members.yml + lab-irr.db) compared
// byte for byte with tests/golden/ixp/lab-bird2.conf and accepted by the
// real BIRD 2 (`bird -p`), the JSON summary, and the errors.
//
// Regenerate the golden file after an intended change with
// VIGIA_UPDATE_GOLDEN=1 (scripts/update-golden.sh sets it) and review the diff.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>

#include "core/test_util.h"

namespace vigia {
namespace {

namespace fs = std::filesystem;
using test_util::Exit;
using test_util::ReadText;
using test_util::RunCommand;
using test_util::Vigia;

const fs::path kGolden = fs::path(VIGIA_SOURCE_DIR) / "tests" / "golden" / "ixp";

std::string LabArgs() {
  return " ixp config --members " + (kGolden / "lab-members.yml").string() + " --irr " +
         (kGolden / "lab-irr.db").string() +
         " --rs-asn 64999 --rs-address 10.9.0.1 --rs-address6 2001:7f8:ffff::1"
         " --rtr 127.0.0.1:8282";
}

TEST(IxpConfigCli, LabConfigMatchesTheGoldenFileAndBirdAcceptsIt) {
  int status = 0;
  const std::string conf = RunCommand(Vigia() + LabArgs() + " 2>/dev/null", &status);
  ASSERT_EQ(Exit(status), 0);
  const fs::path golden = kGolden / "lab-bird2.conf";
  if (std::getenv("VIGIA_UPDATE_GOLDEN") != nullptr)
    std::ofstream(golden, std::ios::binary) << conf;
  EXPECT_EQ(conf, ReadText(golden)) << "regenerate with VIGIA_UPDATE_GOLDEN=1 and review the diff";
  // Same inputs, same bytes.
  EXPECT_EQ(RunCommand(Vigia() + LabArgs() + " 2>/dev/null"), conf);
  if (!test_util::HaveCommand("bird")) GTEST_SKIP() << "bird (BIRD 2) is not installed";
  const std::string out = RunCommand("bird -p -c " + golden.string() + " 2>&1", &status);
  EXPECT_EQ(Exit(status), 0) << out;
}

TEST(IxpConfigCli, OpenBgpdLabConfigMatchesTheGoldenFileAndBgpdAcceptsIt) {
  int status = 0;
  const std::string conf =
      RunCommand(Vigia() + LabArgs() + " --format openbgpd 2>/dev/null", &status);
  ASSERT_EQ(Exit(status), 0);
  const fs::path golden = kGolden / "lab-openbgpd.conf";
  if (std::getenv("VIGIA_UPDATE_GOLDEN") != nullptr)
    std::ofstream(golden, std::ios::binary) << conf;
  EXPECT_EQ(conf, ReadText(golden)) << "regenerate with VIGIA_UPDATE_GOLDEN=1 and review the diff";
  if (!test_util::HaveCommand("bgpd")) GTEST_SKIP() << "bgpd (OpenBGPD) is not installed";
  const std::string out = RunCommand("bgpd -n -f " + golden.string() + " 2>&1", &status);
  EXPECT_EQ(Exit(status), 0) << out;
}

TEST(IxpConfigCli, JsonSummaryNeedsOutAndDescribesTheConfig) {
  test_util::ScopedTempDir dir("vigia_ixp_config_cli_");
  const fs::path out = dir.path / "rs.conf";
  int status = 0;
  const std::string text =
      RunCommand(Vigia() + LabArgs() + " --out " + out.string() + " --json 2>/dev/null", &status);
  ASSERT_EQ(Exit(status), 0);
  const auto j = nlohmann::json::parse(text);
  EXPECT_EQ(j["format"], "bird2");
  EXPECT_EQ(j["members"]["count"], 3);
  EXPECT_EQ(j["members"]["format"], "arouteserver");
  EXPECT_EQ(j["sessions"]["ipv4"], 3);
  EXPECT_EQ(j["sessions"]["ipv6"], 3);
  EXPECT_EQ(j["irr"]["prefixes"], 6);
  EXPECT_EQ(j["rpki"], "127.0.0.1:8282");
  EXPECT_EQ(j["bogons"]["source"], "built-in");
  EXPECT_EQ(j["bytes"], fs::file_size(out));
  EXPECT_EQ(j["sha256"].get<std::string>().size(), 64u);
  RunCommand(Vigia() + LabArgs() + " --json 2>/dev/null", &status);
  EXPECT_EQ(Exit(status), 2);
}

TEST(IxpConfigCli, ErrorsNameTheProblem) {
  int status = 0;
  std::string err = RunCommand(Vigia() + " ixp config --rs-asn 1 2>&1", &status);
  EXPECT_EQ(Exit(status), 2) << err;
  err = RunCommand(Vigia() +
                       " ixp config --members /nonexistent/m.yml --rs-asn 1 --rs-address "
                       "10.0.0.1 2>&1",
                   &status);
  EXPECT_EQ(Exit(status), 2);
  EXPECT_NE(err.find("/nonexistent/m.yml"), std::string::npos) << err;
  const std::string members = (kGolden / "lab-members.yml").string();
  for (const std::string& bad :
       {std::string(" --rs-asn 64999"),  // no router id
        std::string(" --rs-asn 64999 --rs-address 10.9.0.1 --rtr nowhere"),
        std::string(" --rs-asn 64999 --rs-address 10.9.0.1 --format quagga"),
        std::string(" --rs-asn 64999 --rs-address 10.9.0.1 --prefix-len4 24-8"),
        std::string(" --rs-asn 64999 --rs-address 10.9.0.1 --max-prefix-action explode"),
        std::string(" --rs-asn 64999 --rs-address 10.9.0.1 --transit-free 174,x"),
        std::string(" --rs-asn 64999 --rs-address 10.9.0.1 --bogons /nonexistent/fb.txt")}) {
    err = RunCommand(Vigia() + " ixp config --members " + members + bad + " 2>&1", &status);
    EXPECT_EQ(Exit(status), 2) << bad << ": " << err;
    EXPECT_NE(err.find("vigia:"), std::string::npos) << bad << ": " << err;
  }
  // A YAML error names the file and the line.
  test_util::ScopedTempDir dir("vigia_ixp_config_cli_");
  const fs::path broken = dir.path / "broken.yml";
  std::ofstream(broken) << "clients:\n- asn: 1\n  ip: [10.0.0.1\n";
  err = RunCommand(Vigia() + " ixp config --members " + broken.string() +
                       " --rs-asn 64999 --rs-address 10.9.0.1 2>&1",
                   &status);
  EXPECT_EQ(Exit(status), 2);
  EXPECT_NE(err.find("broken.yml: line"), std::string::npos) << err;
}

TEST(IxpConfigCli, HelpListsTheFlags) {
  int status = 0;
  const std::string help = RunCommand(Vigia() + " ixp config --help", &status);
  EXPECT_EQ(Exit(status), 0);
  for (const char* flag : {"--members", "--overrides", "--ix", "--rs-asn", "--rs-address",
                           "--rs-address6", "--format", "--irr", "--rtr", "--bogons", "--registry",
                           "--out", "--json", "--max-prefix-action", "--transit-free"})
    EXPECT_NE(help.find(flag), std::string::npos) << flag;
}

}  // namespace
}  // namespace vigia
