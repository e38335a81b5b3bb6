// `vigia rpki aspa` and `--slurm`, run as a user would, on the rpki-client
// sample of ../shared/data (ASPAs of AS15562 and AS64496) and on small files
// written here.
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

std::string Sample() {
  return test_util::SharedData() + "/rpki/samples/stayrtr-test.rpki-client.json";
}

std::string WriteTemp(const std::string& name, const std::string& text) {
  const std::string path = (std::filesystem::temp_directory_path() / name).string();
  std::ofstream(path) << text;
  return path;
}

class AspaCli : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!std::filesystem::exists(Sample())) GTEST_SKIP() << Sample() << " is absent";
  }
};

// AS15562's ASPA (in the file) names 2914, 8283, 51088 and 206238.
TEST_F(AspaCli, AttestedUpRampIsValid) {
  int rc = 0;
  const std::string out =
      RunCommand(Vigia() + " rpki aspa --vrps " + Sample() + " --path '2914 15562 15562'", &rc);
  EXPECT_EQ(WEXITSTATUS(rc), 0);
  EXPECT_NE(out.find("valid (route from a customer: upstream verification)"), std::string::npos)
      << out;
  EXPECT_NE(out.find("AS15562      providers 2914 8283 51088 206238"), std::string::npos) << out;
  EXPECT_NE(out.find("AS2914       no ASPA"), std::string::npos) << out;
}

TEST_F(AspaCli, JsonForAnUnattestedAndALeakedPath) {
  int rc = 0;
  // 64511 is not among AS15562's providers: from a customer, Invalid.
  std::string out = RunCommand(
      Vigia() + " rpki aspa --json --vrps " + Sample() + " --path 'AS64511 AS15562'", &rc);
  EXPECT_EQ(WEXITSTATUS(rc), 0);
  auto j = nlohmann::json::parse(out);
  EXPECT_EQ(j["state"], "invalid");
  EXPECT_EQ(j["algorithm"], "upstream");
  EXPECT_EQ(j["max_up_ramp"], 1);
  EXPECT_EQ(j["path"], nlohmann::json::array({64511, 15562}));
  EXPECT_TRUE(j["hops"][0]["providers"].is_null());
  // From a provider, the same two-AS path is Valid (downstream).
  out = RunCommand(
      Vigia() + " rpki aspa --json --role provider --vrps " + Sample() + " --path '64511 15562'",
      &rc);
  j = nlohmann::json::parse(out);
  EXPECT_EQ(j["state"], "valid");
  EXPECT_EQ(j["algorithm"], "downstream");
  // 2914 has no ASPA: one hop more makes it Unknown from a customer.
  out = RunCommand(Vigia() + " rpki aspa --json --vrps " + Sample() + " --path '3356 2914 15562'",
                   &rc);
  EXPECT_EQ(nlohmann::json::parse(out)["state"], "unknown");
}

TEST_F(AspaCli, AsSetMakesThePathInvalid) {
  int rc = 0;
  const std::string out = RunCommand(
      Vigia() + " rpki aspa --json --vrps " + Sample() + " --path '2914 {15562,64496}'", &rc);
  EXPECT_EQ(WEXITSTATUS(rc), 0);
  auto j = nlohmann::json::parse(out);
  EXPECT_EQ(j["state"], "invalid");
  EXPECT_EQ(j["as_set"], true);
}

TEST_F(AspaCli, SlurmAssertionsAndFiltersChangeTheAnswer) {
  const std::string slurm = WriteTemp("vigia-aspa-test.slurm", R"({"slurmVersion": 2,
    "validationOutputFilters": {"prefixFilters": [], "bgpsecFilters": [],
      "aspaFilters": [{"customerAsid": 15562}]},
    "locallyAddedAssertions": {"prefixAssertions": [], "bgpsecAssertions": [],
      "aspaAssertions": [{"customerAsid": 15562, "providerSet": [64511]}]}})");
  int rc = 0;
  const std::string out = RunCommand(Vigia() + " rpki aspa --json --vrps " + Sample() +
                                         " --slurm " + slurm + " --path '64511 15562' 2>&1",
                                     &rc);
  EXPECT_EQ(WEXITSTATUS(rc), 0);
  EXPECT_NE(out.find("1 ASPAs filtered, 1 asserted"), std::string::npos) << out;
  const auto j = nlohmann::json::parse(out.substr(out.find('{')));
  EXPECT_EQ(j["state"], "valid");
}

TEST(SlurmCli, PrefixAssertionMakesARouteValidAndABadFileStopsTheRun) {
  const std::string vrps =
      WriteTemp("vigia-slurm-vrps.json",
                R"({"roas":[{"asn":64496,"prefix":"192.0.2.0/24","maxLength":24,"ta":"test"}]})");
  const std::string slurm = WriteTemp("vigia-slurm-test.slurm", R"({"slurmVersion": 1,
    "validationOutputFilters": {"prefixFilters": [{"asn": 64496}], "bgpsecFilters": []},
    "locallyAddedAssertions": {"prefixAssertions": [
      {"asn": 64497, "prefix": "192.0.2.0/24", "maxPrefixLength": 25}], "bgpsecAssertions": []}})");
  int rc = 0;
  // Flags after the positional arguments are fine too.
  std::string out = RunCommand(Vigia() + " rpki validate --vrps " + vrps + " --slurm " + slurm +
                                   " 192.0.2.128/25 64497 --json 2>/dev/null",
                               &rc);
  EXPECT_EQ(WEXITSTATUS(rc), 0);
  auto j = nlohmann::json::parse(out);
  EXPECT_EQ(j["state"], "valid");
  EXPECT_EQ(j["covering"].size(), 1u);  // the filtered AS64496 VRP is gone
  // RFC 8416 §4.2: overlapping files are refused as a whole.
  const std::string other = WriteTemp("vigia-slurm-other.slurm", R"({"slurmVersion": 1,
    "validationOutputFilters": {"prefixFilters": [{"prefix": "192.0.2.0/25"}], "bgpsecFilters": []},
    "locallyAddedAssertions": {"prefixAssertions": [], "bgpsecAssertions": []}})");
  out = RunCommand(Vigia() + " rpki validate --vrps " + vrps + " --slurm " + slurm + " --slurm " +
                       other + " 192.0.2.0/24 64497 2>&1",
                   &rc);
  EXPECT_EQ(WEXITSTATUS(rc), 2);
  EXPECT_NE(out.find("RFC 8416 §4.2"), std::string::npos) << out;
}

TEST(AspaCliArgs, BadRoleOrPathExitsTwo) {
  int rc = 0;
  RunCommand(Vigia() + " rpki aspa --vrps x.json --path '1 2' --role sibling >/dev/null 2>&1", &rc);
  EXPECT_EQ(WEXITSTATUS(rc), 2);
  const std::string out = RunCommand(Vigia() + " rpki aspa --vrps x.json --path '1 {2' 2>&1", &rc);
  EXPECT_EQ(WEXITSTATUS(rc), 2);
  EXPECT_NE(out.find("unbalanced braces"), std::string::npos) << out;
}

// Input bytes quoted in a message are escaped: an ANSI escape in a VRP file
// does not reach the terminal, and a NUL does not cut the message short.
TEST(RpkiCliMessages, InputTextInProblemsIsEscaped) {
  const std::string vrps = WriteTemp("vigia-escape-" + std::to_string(::getpid()) + ".csv",
                                     std::string("ASN,IP Prefix,Max Length\n"
                                                 "AS64496,192.0.2.0/24,24\n"
                                                 "AS1\x1b[2J\0tail,198.51.100.0/24,24\n",
                                                 81));
  int rc = 0;
  const std::string err = RunCommand(
      Vigia() + " rpki validate --vrps " + vrps + " 192.0.2.0/24 64496 2>&1 >/dev/null", &rc);
  std::filesystem::remove(vrps);
  EXPECT_EQ(test_util::Exit(rc), 1);  // a skipped entry
  EXPECT_EQ(err.find('\x1b'), std::string::npos) << err;
  EXPECT_NE(err.find("AS1\\x1b[2J\\x00tail"), std::string::npos) << err;
  EXPECT_NE(err.find("(skipped)"), std::string::npos) << err;
}

}  // namespace
}  // namespace vigia
