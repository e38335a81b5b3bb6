// `vigia irr check` and `vigia irr expand`, run as a user would, on the RIPE
// route sample, the ARIN-WHOIS originAS export and the RPSL fixtures of
// ../shared/data/irr, and on small dumps written here.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>

#include "core/test_util.h"

namespace vigia {
namespace {

using test_util::RunCommand;
using test_util::Vigia;

std::string Irr() { return test_util::SharedData() + "/irr"; }

class IrrCli : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("vigia-irr-cli-" + std::to_string(getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::string Write(const std::string& name, const std::string& text) {
    const std::string path = (dir_ / name).string();
    std::ofstream(path) << text;
    return path;
  }
  std::filesystem::path dir_;
};

// Two sources, nested sets with a cycle, an unknown member, routes.
constexpr const char* kDump =
    "as-set:  AS-TOP\n"
    "members: AS65001, AS-MID, AS-GONE\n"
    "source:  ONE\n"
    "\n"
    "as-set:  AS-MID\n"
    "members: AS65002, AS-TOP\n"
    "source:  ONE\n"
    "\n"
    "as-set:  AS-MID\n"
    "members: AS65099\n"
    "source:  TWO\n"
    "\n"
    "route:   192.0.2.0/24\n"
    "origin:  AS65001\n"
    "mnt-by:  MNT-ONE\n"
    "source:  ONE\n"
    "\n"
    "route6:  2001:db8::/32\n"
    "origin:  AS65002\n"
    "source:  ONE\n"
    "\n"
    "route:   198.51.100.0/24\n"
    "origin:  AS65099\n"
    "source:  TWO\n"
    "\n"
    "person:  Somebody\n"
    "address: Somewhere\n";

TEST_F(IrrCli, HelpForEveryCommand) {
  for (const char* cmd : {"irr", "irr check", "irr expand"}) {
    int rc = 0;
    const std::string out = RunCommand(Vigia() + " " + cmd + " --help", &rc);
    EXPECT_EQ(WEXITSTATUS(rc), 0) << cmd;
    EXPECT_NE(out.find("Usage"), std::string::npos) << cmd;
  }
  const std::string out = RunCommand(Vigia() + " irr expand --help");
  EXPECT_NE(out.find("--depth"), std::string::npos);
  EXPECT_NE(out.find("--sources"), std::string::npos);
}

TEST_F(IrrCli, CheckOnTheRipeSampleAndArinWhois) {
  if (!test_util::HaveSharedData("irr")) GTEST_SKIP() << "needs ../shared/data/irr (absent)";
  const std::string files = Irr() + "/ripe-db-sample/ripe-db-route.txt " + Irr() +
                            "/arin-whois/arin-whois-originas-20220925.json.bz2";
  int rc = 0;
  std::string out =
      RunCommand(Vigia() + " irr check --irr " + files + " 193.254.30.0/24 AS12726", &rc);
  EXPECT_EQ(WEXITSTATUS(rc), 0);
  EXPECT_EQ(test_util::Lines(out)[0], "193.254.30.0/24 AS12726: exact");
  EXPECT_NE(out.find("route 193.254.30.0/24 AS12726 RIPE mnt-by AS12312-MNT (" + Irr() +
                     "/ripe-db-sample/ripe-db-route.txt:8)"),
            std::string::npos)
      << out;

  // First ARIN-WHOIS record: 3.0.0.0/15 AS38895 NET-3-0-0-0-2.
  out = RunCommand(Vigia() + " irr check --json --irr " + files + " 3.0.0.0/16 38895", &rc);
  EXPECT_EQ(WEXITSTATUS(rc), 0);
  auto j = nlohmann::json::parse(out);
  EXPECT_EQ(j["state"], "less-specific");
  EXPECT_EQ(j["prefix"], "3.0.0.0/16");
  EXPECT_EQ(j["origin"], 38895);
  ASSERT_EQ(j["objects"].size(), 1u);
  EXPECT_EQ(j["objects"][0]["prefix"], "3.0.0.0/15");
  EXPECT_EQ(j["objects"][0]["source"], "ARIN-WHOIS");
  EXPECT_EQ(j["objects"][0]["name"], "NET-3-0-0-0-2");
  EXPECT_EQ(j["objects"][0]["where"],
            Irr() + "/arin-whois/arin-whois-originas-20220925.json.bz2: whois_records.v4[0]");

  out = RunCommand(
      Vigia() + " irr check --json --sources RIPE --irr " + files + " 3.0.0.0/16 38895", &rc);
  EXPECT_EQ(nlohmann::json::parse(out)["state"], "not-found");
}

TEST_F(IrrCli, CheckStatesOnAHandWrittenDump) {
  const std::string f = Write("one.db", kDump);
  int rc = 0;
  std::string out = RunCommand(Vigia() + " irr check --irr " + f + " 192.0.2.128/25 AS65001", &rc);
  EXPECT_EQ(WEXITSTATUS(rc), 0);
  EXPECT_EQ(test_util::Lines(out)[0], "192.0.2.128/25 AS65001: less-specific");
  EXPECT_NE(out.find("route 192.0.2.0/24 AS65001 ONE mnt-by MNT-ONE (" + f + ":13)"),
            std::string::npos)
      << out;
  out = RunCommand(Vigia() + " irr check --json --irr " + f + " 192.0.2.0/24 AS65002", &rc);
  auto j = nlohmann::json::parse(out);
  EXPECT_EQ(j["state"], "other-origin");
  EXPECT_EQ(j["objects"][0]["origin"], 65001);
  EXPECT_EQ(j["objects"][0]["mnt_by"], nlohmann::json::array({"MNT-ONE"}));
  // Options after the positionals (CLI11 would let --irr swallow them).
  out = RunCommand(Vigia() + " irr check --irr " + f + " 192.0.2.0/24 AS65002 --json", &rc);
  EXPECT_EQ(WEXITSTATUS(rc), 0);
  EXPECT_EQ(nlohmann::json::parse(out)["state"], "other-origin");
  out = RunCommand(Vigia() + " irr check --irr " + f + " 2001:db8::/32 65002", &rc);
  EXPECT_EQ(test_util::Lines(out)[0], "2001:db8::/32 AS65002: exact");
  out = RunCommand(Vigia() + " irr check --irr " + f + " 203.0.113.0/24 AS1", &rc);
  EXPECT_EQ(out, "203.0.113.0/24 AS1: not-found\n");
  EXPECT_EQ(WEXITSTATUS(rc), 0);
}

// A dump cut inside "origin: AS12726" ends "origin: AS127": the cut object
// must not answer "AS127: exact", and the cut is counted (exit 1).
TEST_F(IrrCli, RpslCutInsideAValueIsATruncationNotAnAnswer) {
  const std::string f = Write("cut.db",
                              "route:  193.254.30.0/24\norigin: AS65001\nsource: ONE\n\n"
                              "route:  193.254.30.0/24\norigin: AS127");
  int rc = 0;
  std::string out = RunCommand(
      Vigia() + " irr check --irr " + f + " 193.254.30.0/24 AS127 2>" + (dir_ / "err").string(),
      &rc);
  EXPECT_EQ(test_util::Exit(rc), 1);
  EXPECT_EQ(test_util::Lines(out)[0], "193.254.30.0/24 AS127: other-origin") << out;
  std::ifstream err(dir_ / "err");
  const std::string msg((std::istreambuf_iterator<char>(err)), std::istreambuf_iterator<char>());
  EXPECT_NE(msg.find(f + ":6"), std::string::npos) << msg;
  EXPECT_NE(msg.find("truncated"), std::string::npos) << msg;
}

// CLI11 alone prints the root help and exits 0 for an unknown word.
TEST_F(IrrCli, UnknownCommandsAreNamedAndExit2) {
  const std::string err = (dir_ / "err").string();
  for (const auto& [cmd, word] : std::vector<std::pair<std::string, std::string>>{
           {"frobnicate foo", "frobnicate"}, {"irr foo --irr x", "foo"}, {"mrt foo", "foo"}}) {
    int rc = 0;
    const std::string out = RunCommand(Vigia() + " " + cmd + " 2>" + err, &rc);
    EXPECT_EQ(test_util::Exit(rc), 2) << cmd;
    EXPECT_EQ(out, "") << cmd;
    std::ifstream in(err);
    const std::string msg((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    EXPECT_NE(msg.find("unknown command '" + word + "'"), std::string::npos) << cmd << ": " << msg;
  }
  // Escape bytes in the word do not reach the terminal.
  int rc = 0;
  RunCommand(Vigia() + " \"$(printf '\\033[31mx')\" 2>" + err, &rc);
  std::ifstream in(err);
  const std::string msg((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_EQ(msg.find('\x1b'), std::string::npos) << msg;
  EXPECT_EQ(test_util::Exit(rc), 2);
}

TEST_F(IrrCli, ExitCodesAndErrorsNameTheFile) {
  const std::string f = Write("one.db", kDump);
  int rc = 0;
  std::string err = RunCommand(
      Vigia() + " irr check --irr /nonexistent/x.db 192.0.2.0/24 AS1 2>&1 >/dev/null", &rc);
  EXPECT_EQ(WEXITSTATUS(rc), 2);
  EXPECT_NE(err.find("/nonexistent/x.db"), std::string::npos) << err;
  err = RunCommand(Vigia() + " irr check --irr " + f + " AS1 2>&1 >/dev/null", &rc);
  EXPECT_EQ(WEXITSTATUS(rc), 2);
  EXPECT_NE(err.find("PREFIX and ASN are required"), std::string::npos) << err;
  RunCommand(Vigia() + " irr check --irr " + f + " 192.0.2.0/33 AS1 2>/dev/null", &rc);
  EXPECT_EQ(WEXITSTATUS(rc), 2);
  RunCommand(Vigia() + " irr check --irr " + f + " 192.0.2.0/24 ASX 2>/dev/null", &rc);
  EXPECT_EQ(WEXITSTATUS(rc), 2);
  err = RunCommand(
      Vigia() + " irr check --sources NOPE --irr " + f + " 192.0.2.0/24 AS1 2>&1 >/dev/null", &rc);
  EXPECT_EQ(WEXITSTATUS(rc), 2);
  EXPECT_NE(err.find("loaded: ONE, TWO"), std::string::npos) << err;

  // A malformed object: reported with file:line, the rest answered, exit 1.
  const std::string bad =
      Write("bad.db", std::string(kDump) + "\nroute: 10.0.0.0/8\norigin: oops\n");
  err = RunCommand(Vigia() + " irr check --irr " + bad + " 192.0.2.0/24 AS65001 2>&1 >/dev/null",
                   &rc);
  EXPECT_EQ(WEXITSTATUS(rc), 1);
  EXPECT_NE(err.find("vigia: " + bad + ":29: route 10.0.0.0/8: bad origin \"oops\" (skipped)"),
            std::string::npos)
      << err;
}

TEST_F(IrrCli, IllegalFixtureIsReported) {
  if (!test_util::HaveSharedData("irr")) GTEST_SKIP() << "needs ../shared/data/irr (absent)";
  int rc = 0;
  const std::string err =
      RunCommand(Vigia() + " irr check --irr " + Irr() + "/rpsl-fixtures/illegal.txt " + Irr() +
                     "/rpsl-fixtures/route.txt 167.96.0.0/16 AS2900 2>&1",
                 &rc);
  EXPECT_EQ(WEXITSTATUS(rc), 1);
  EXPECT_NE(err.find("illegal.txt:1: unknown class \"mnt\" (skipped)"), std::string::npos) << err;
  EXPECT_NE(err.find("167.96.0.0/16 AS2900: exact"), std::string::npos) << err;
}

TEST_F(IrrCli, ExpandTextReportsCyclesAndUnresolvedMembers) {
  const std::string f = Write("one.db", kDump);
  int rc = 0;
  const std::string out = RunCommand(Vigia() + " irr expand --irr " + f + " as-top", &rc);
  EXPECT_EQ(WEXITSTATUS(rc), 0);
  const std::string expected =
      "AS-TOP (source ONE): 2 ASNs, 1 IPv4 prefixes, 1 IPv6 prefixes; 2 sets expanded from ONE, "
      "TWO\n"
      "asns:\n"
      "  AS65001\n"
      "  AS65002\n"
      "ipv4:\n"
      "  192.0.2.0/24\n"
      "ipv6:\n"
      "  2001:db8::/32\n"
      "unresolved (no such as-set in the sources):\n"
      "  AS-GONE (member of AS-TOP)\n"
      "cycles (followed once):\n"
      "  AS-TOP -> AS-MID -> AS-TOP\n";
  EXPECT_EQ(out, expected);
}

TEST_F(IrrCli, ExpandJsonWithSourcePinningAndDepth) {
  const std::string f = Write("one.db", kDump);
  int rc = 0;
  std::string out =
      RunCommand(Vigia() + " irr expand --json --sources TWO,ONE --irr " + f + " AS-TOP", &rc);
  EXPECT_EQ(WEXITSTATUS(rc), 0);
  auto j = nlohmann::json::parse(out);
  EXPECT_EQ(j["set"], "AS-TOP");
  EXPECT_EQ(j["source"], "ONE");
  EXPECT_EQ(j["sources"], nlohmann::json::array({"TWO", "ONE"}));
  // AS-MID from TWO: AS65099 instead of AS65002 (and no cycle).
  EXPECT_EQ(j["asns"], nlohmann::json::array({65001, 65099}));
  EXPECT_EQ(j["ipv4"], nlohmann::json::array({"192.0.2.0/24", "198.51.100.0/24"}));
  EXPECT_EQ(j["ipv6"], nlohmann::json::array());
  EXPECT_EQ(j["cycles"], nlohmann::json::array());

  out = RunCommand(Vigia() + " irr expand --json --depth 1 --irr " + f + " AS-TOP", &rc);
  j = nlohmann::json::parse(out);
  EXPECT_EQ(j["asns"], nlohmann::json::array({65001}));
  EXPECT_EQ(j["depth_limit"], 1);
  ASSERT_EQ(j["depth_limited"].size(), 1u);
  EXPECT_EQ(j["depth_limited"][0]["set"], "AS-MID");
  EXPECT_EQ(j["depth_limited"][0]["member_of"], "AS-TOP");

  out = RunCommand(Vigia() + " irr expand --json --irr " + f + " AS65099", &rc);
  j = nlohmann::json::parse(out);
  EXPECT_EQ(j["asns"], nlohmann::json::array({65099}));
  EXPECT_EQ(j["ipv4"], nlohmann::json::array({"198.51.100.0/24"}));

  std::string err =
      RunCommand(Vigia() + " irr expand --sources TWO --irr " + f + " AS-TOP 2>&1 >/dev/null", &rc);
  EXPECT_EQ(WEXITSTATUS(rc), 2);
  EXPECT_NE(err.find("AS-TOP: no such as-set in TWO"), std::string::npos) << err;
  RunCommand(Vigia() + " irr expand --depth 0 --irr " + f + " AS-TOP 2>/dev/null", &rc);
  EXPECT_EQ(WEXITSTATUS(rc), 2);
}

TEST_F(IrrCli, CompressedDumpsAreReadByContent) {
  if (!test_util::HaveCommand("gzip")) GTEST_SKIP() << "needs gzip";
  const std::string f = Write("radb.db", kDump);
  int rc = 0;
  RunCommand("gzip -c " + f + " > " + f + ".gz", &rc);
  ASSERT_EQ(WEXITSTATUS(rc), 0);
  const std::string out =
      RunCommand(Vigia() + " irr expand --irr " + f + ".gz AS-MID --asns-only --json", &rc);
  EXPECT_EQ(WEXITSTATUS(rc), 0);
  auto j = nlohmann::json::parse(out);
  EXPECT_EQ(j["asns"], nlohmann::json::array({65001, 65002}));
  EXPECT_FALSE(j.contains("ipv4"));
}

TEST_F(IrrCli, EmptyAndGarbageFiles) {
  const std::string empty = Write("empty.db", "");
  int rc = 0;
  std::string out = RunCommand(Vigia() + " irr check --irr " + empty + " 192.0.2.0/24 AS1", &rc);
  EXPECT_EQ(WEXITSTATUS(rc), 0);
  EXPECT_EQ(out, "192.0.2.0/24 AS1: not-found\n");
  std::string garbage;
  for (int i = 0; i < 20000; ++i) garbage += static_cast<char>((i * 131) % 256);
  const std::string g = Write("garbage.db", garbage);
  out = RunCommand(Vigia() + " irr check --irr " + g + " 192.0.2.0/24 AS1 2>/dev/null", &rc);
  EXPECT_EQ(WEXITSTATUS(rc), 1);
  EXPECT_EQ(out, "192.0.2.0/24 AS1: not-found\n");
}

}  // namespace
}  // namespace vigia
