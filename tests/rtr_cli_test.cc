// `vigia rpki fetch` end to end: the built program against the real
// StayRTR on loopback (skipped with a message when stayrtr is absent).
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "core/test_util.h"
#include "rpki/stayrtr_process.h"

namespace vigia {
namespace {

using namespace std::chrono_literals;
using test_util::RunCommand;
using test_util::Vigia;

int ExitCode(int status) { return WIFEXITED(status) ? WEXITSTATUS(status) : -1; }

std::string Slurp(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Writes through a rename, so that stayrtr never reads half a file.
void Put(const std::string& path, const std::string& text) {
  {
    std::ofstream out(path + ".new");
    out << text;
  }
  std::filesystem::rename(path + ".new", path);
}

// VRP JSON as StayRTR 0.5 reads it, n VRPs (192.0.N.0/24 from AS 64496+N)
// and one ASPA, which StayRTR takes from "provider_authorizations".
std::string VrpJson(int n) {
  std::string j = "{\"metadata\": {\"buildtime\": \"2024-01-01T00:00:00Z\"}, \"roas\": [";
  for (int i = 0; i < n; ++i) {
    j += (i ? "," : "") + std::string("{\"asn\": ") + std::to_string(64496 + i) +
         ", \"prefix\": \"192.0." + std::to_string(i) + ".0/24\", \"maxLength\": 24}";
  }
  j += "], \"provider_authorizations\": {\"ipv4\": [{\"customer_asid\": 64496, \"providers\": "
       "[64510, 64511]}], \"ipv6\": []}}";
  return j;
}

using StayRtr = rpki::test::StayRtrProcess;

class RtrCli : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("vigia-rtr-cli-" + std::to_string(getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::string dir_;
};

TEST_F(RtrCli, HelpNamesTheOptions) {
  int rc = 0;
  const std::string out = RunCommand(Vigia() + " rpki fetch --help", &rc);
  EXPECT_EQ(ExitCode(rc), 0);
  for (const char* opt : {"--rtr", "--out", "--version", "--timeout", "--follow", "--json"}) {
    EXPECT_NE(out.find(opt), std::string::npos) << opt;
  }
}

TEST_F(RtrCli, UsageErrorsExitWith2) {
  int rc = 0;
  RunCommand(Vigia() + " rpki fetch --out x.json 2>/dev/null", &rc);
  EXPECT_EQ(ExitCode(rc), 2);
  RunCommand(Vigia() + " rpki fetch --rtr 127.0.0.1:1 --out x --version 3 2>/dev/null", &rc);
  EXPECT_EQ(ExitCode(rc), 2);
  std::string err = RunCommand(Vigia() + " rpki fetch --rtr ::1:323 --out x 2>&1", &rc);
  EXPECT_EQ(ExitCode(rc), 2);
  EXPECT_NE(err.find("[ADDRESS]:PORT"), std::string::npos) << err;
  err = RunCommand(Vigia() + " rpki fetch --rtr host:99999 --out x 2>&1", &rc);
  EXPECT_EQ(ExitCode(rc), 2);
  EXPECT_NE(err.find("bad port"), std::string::npos) << err;
}

TEST_F(RtrCli, NoCacheListeningExitsWith2AndSaysWhy) {
  int rc = 0;
  const std::string out = dir_ + "/out.json";
  const rpki::test::RefusingLoopbackPort port;
  ASSERT_NE(port.port(), 0);
  const std::string err =
      RunCommand(Vigia() + " rpki fetch --rtr 127.0.0.1:" + std::to_string(port.port()) +
                     " --out " + out + " --timeout 1 2>&1",
                 &rc);
  EXPECT_EQ(ExitCode(rc), 2);
  EXPECT_NE(err.find("Connection refused"), std::string::npos) << err;
  EXPECT_FALSE(std::filesystem::exists(out));
}

TEST_F(RtrCli, FetchWritesRpkiClientJsonThatLoadsBack) {
  if (!test_util::HaveCommand("stayrtr")) GTEST_SKIP() << "stayrtr is not installed";
  const std::string in = dir_ + "/in.json", out = dir_ + "/out.json";
  Put(in, VrpJson(5));
  StayRtr server(in, dir_ + "/stayrtr.log");
  int rc = 0;
  const std::string summary = RunCommand(
      Vigia() + " rpki fetch --rtr " + server.addr() + " --out " + out + " --json --timeout 10",
      &rc);
  ASSERT_EQ(ExitCode(rc), 0) << summary;
  EXPECT_NE(summary.find("\"version\":2"), std::string::npos) << summary;
  EXPECT_NE(summary.find("\"vrps\":5"), std::string::npos) << summary;
  EXPECT_NE(summary.find("\"aspas\":1"), std::string::npos) << summary;
  // The file is rpki-client JSON that vigia's own loader reads.
  const std::string text = Slurp(out);
  EXPECT_NE(text.find("\"source\": \"rtr://" + server.addr() + "\""), std::string::npos);
  EXPECT_NE(text.find("\"customer_asid\": 64496, \"providers\": [64510, 64511]"),
            std::string::npos);
  const std::string stats = RunCommand(Vigia() + " rpki stats --json --vrps " + out, &rc);
  EXPECT_EQ(ExitCode(rc), 0);
  EXPECT_NE(stats.find("\"vrps\": 5"), std::string::npos) << stats;
  EXPECT_NE(stats.find("\"skipped\": 0"), std::string::npos) << stats;
  const std::string valid =
      RunCommand(Vigia() + " rpki validate --vrps " + out + " 192.0.3.0/24 64499", &rc);
  EXPECT_NE(valid.find("valid"), std::string::npos) << valid;
  EXPECT_EQ(valid.find("invalid"), std::string::npos) << valid;

  // Offering version 1 gets no ASPAs.
  const std::string v1 = RunCommand(
      Vigia() + " rpki fetch --rtr " + server.addr() + " --out " + out + " --json --version 1",
      &rc);
  EXPECT_EQ(ExitCode(rc), 0);
  EXPECT_NE(v1.find("\"version\":1"), std::string::npos) << v1;
  EXPECT_NE(v1.find("\"aspas\":0"), std::string::npos) << v1;
}

TEST_F(RtrCli, FollowRewritesTheFileOnEachUpdate) {
  if (!test_util::HaveCommand("stayrtr")) GTEST_SKIP() << "stayrtr is not installed";
  const std::string in = dir_ + "/in.json", out = dir_ + "/out.json";
  Put(in, VrpJson(3));
  StayRtr server(in, dir_ + "/stayrtr.log");
  int rc = -1;
  std::string lines;
  std::thread fetch([&] {
    lines = RunCommand(Vigia() + " rpki fetch --rtr " + server.addr() + " --out " + out +
                           " --json --timeout 10 --follow 4",
                       &rc);
  });
  // Once the first set is written, change the cache's data.
  for (int i = 0; i < 200 && !std::filesystem::exists(out); ++i) std::this_thread::sleep_for(25ms);
  Put(in, VrpJson(7));
  fetch.join();
  ASSERT_EQ(ExitCode(rc), 0) << lines;
  const std::vector<std::string> reports = test_util::Lines(lines);
  ASSERT_GE(reports.size(), 2u) << lines;
  EXPECT_NE(reports[0].find("\"vrps\":3"), std::string::npos) << reports[0];
  EXPECT_NE(reports.back().find("\"vrps\":7"), std::string::npos) << reports.back();
  EXPECT_NE(reports.back().find("\"incremental\":true"), std::string::npos) << reports.back();
  const std::string stats = RunCommand(Vigia() + " rpki stats --json --vrps " + out, &rc);
  EXPECT_NE(stats.find("\"vrps\": 7"), std::string::npos) << stats;
}

}  // namespace
}  // namespace vigia
