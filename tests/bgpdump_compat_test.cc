// `vigia mrt dump -m` and `-M` against Debian bgpdump 1.6.2 on every MRT
// file in ../shared/data/mrt, run at test time. The known differences, all
// cases where bgpdump misreads the file, are listed in kExceptions and in
// docs/bgpdump-compatibility.md; each is checked for what Vigía prints
// instead.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "mrt/test_util.h"

namespace vigia::mrt {
namespace {

using test_util::HaveCommand;
using test_util::HaveSharedData;
using test_util::Lines;
using test_util::RunCommand;
using test_util::SharedData;

std::string Vigia() { return std::string(VIGIA_BINARY_DIR) + "/vigia"; }

// bgpdump prints MRTd BGP (type 5) withdrawals with two inet_ntoa() calls in
// one printf, so the prefix shows the peer's address (bgpdump.c,
// mrtd_table_line_withdraw). Vigía prints the prefix; to compare, put
// bgpdump's mistake into Vigía's line.
std::string ApplyLegacyWithdrawBug(const std::string& line) {
  if (line.rfind("BGP|", 0) != 0) return line;
  std::vector<std::string> f;
  size_t start = 0;
  while (true) {
    size_t bar = line.find('|', start);
    f.push_back(line.substr(start, bar == std::string::npos ? std::string::npos : bar - start));
    if (bar == std::string::npos) break;
    start = bar + 1;
  }
  if (f.size() != 6 || f[2] != "W") return line;
  size_t slash = f[5].find('/');
  return f[0] + "|" + f[1] + "|" + f[2] + "|" + f[3] + "|" + f[4] + "|" + f[3] + f[5].substr(slash);
}

enum class Expect {
  kIdentical,       // byte for byte (after the type-5 withdrawal normalisation)
  kBgpdumpStops,    // bgpdump's output is a strict prefix of Vigía's
  kBgpdumpGarbles,  // bgpdump misdecodes some records; compared up to there
};

struct Exception {
  Expect expect;
  bool m_only;             // bgpdump -M does not print the field concerned
  size_t lines_in_common;  // leading lines that must still be identical
  const char* why;
};

const std::map<std::string, Exception> kExceptions = {
    {"bgpkit-fixtures/rrc00-bview.20000111.0032.gz",
     {Expect::kBgpdumpStops, false, 1,
      "RIS 2000 TABLE_DUMP length bug: records are 4 bytes longer than declared; bgpdump stops "
      "after the first entry, Vigía corrects the length and reads all 452,018"}},
    {"bgpkit-fixtures/rrc00-updates.20000325.0345.gz",
     {Expect::kBgpdumpGarbles, false, 4,
      "damaged record framing at offset 188: bgpdump decodes the damaged record as garbage and "
      "stops; Vigía skips 32 damaged bytes and reads on"}},
    {"mrtparse-samples/bird_bgp",
     {Expect::kBgpdumpGarbles, false, 5,
      "BIRD writes ADD-PATH NLRI in MESSAGE_AS4 records; bgpdump reads the path identifiers as "
      "prefixes (0.0.0.0/0), Vigía detects the encoding"}},
    {"mrtparse-samples/bird6_bgp", {Expect::kBgpdumpGarbles, false, 5, "as bird_bgp, for IPv6"}},
    {"mrtparse-samples/openbgpd_rib_table",
     {Expect::kBgpdumpGarbles, true, 0,
      "a 4-octet AGGREGATOR in a 2-octet TABLE_DUMP record: bgpdump prints \"0 "
      "253.232.192.168\", Vigía reads the width from the length (65000 192.168.0.15)"}},
};

std::vector<std::string> MrtFiles() {
  std::vector<std::string> files;
  for (const auto& e : std::filesystem::recursive_directory_iterator(SharedData() + "/mrt")) {
    if (!e.is_regular_file() || e.path().extension() == ".json") continue;
    files.push_back(std::filesystem::relative(e.path(), SharedData() + "/mrt").string());
  }
  std::sort(files.begin(), files.end());
  return files;
}

class BgpdumpCompat : public ::testing::TestWithParam<const char*> {
 protected:
  void SetUp() override {
    if (!HaveSharedData()) GTEST_SKIP() << "needs ../shared/data (absent)";
    if (!HaveCommand("bgpdump")) GTEST_SKIP() << "needs Debian bgpdump (scripts/setup.sh)";
  }
};

TEST_P(BgpdumpCompat, EveryFileMatchesOrDiffersOnlyWhereBgpdumpIsWrong) {
  const std::string mode = GetParam();
  size_t identical = 0, compared = 0;
  for (const std::string& rel : MrtFiles()) {
    SCOPED_TRACE(rel + " " + mode);
    const std::string path = SharedData() + "/mrt/" + rel;
    const std::string ref = RunCommand("bgpdump " + mode + " -q '" + path + "' 2>/dev/null");
    const std::string ours = RunCommand(Vigia() + " mrt dump " + mode + " -q '" + path + "'");
    ++compared;
    std::vector<std::string> a = Lines(ours), b = Lines(ref);
    for (std::string& l : a) l = ApplyLegacyWithdrawBug(l);
    auto it = kExceptions.find(rel);
    if (it == kExceptions.end() || (it->second.m_only && mode == "-M")) {
      ASSERT_EQ(a.size(), b.size());
      for (size_t i = 0; i < a.size(); ++i) ASSERT_EQ(a[i], b[i]) << "line " << i + 1;
      ++identical;
      continue;
    }
    const Exception& ex = it->second;
    ASSERT_GE(a.size(), ex.lines_in_common) << ex.why;
    ASSERT_GE(b.size(), ex.lines_in_common) << ex.why;
    for (size_t i = 0; i < ex.lines_in_common; ++i) ASSERT_EQ(a[i], b[i]) << "line " << i + 1;
    if (ex.expect == Expect::kBgpdumpStops) {
      ASSERT_GT(a.size(), b.size()) << ex.why;
      for (size_t i = 0; i < b.size(); ++i) ASSERT_EQ(a[i], b[i]) << "line " << i + 1;
    } else {
      ASSERT_NE(a, b) << "listed as an exception but now identical: " << ex.why;
    }
  }
  EXPECT_GE(compared, 30u);
  size_t exceptions = 0;
  for (const auto& [name, ex] : kExceptions) exceptions += !(ex.m_only && mode == "-M");
  EXPECT_EQ(identical + exceptions, compared);
}

INSTANTIATE_TEST_SUITE_P(Modes, BgpdumpCompat, ::testing::Values("-m", "-M"));

class RealData : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!HaveSharedData()) GTEST_SKIP() << "needs ../shared/data (absent)";
  }
};

// The acceptance figure for the length-bug file.
TEST_F(RealData, Ris2000TableDumpGives452018Entries) {
  const std::string out = RunCommand(Vigia() + " mrt dump -m -q " + SharedData() +
                                     "/mrt/bgpkit-fixtures/rrc00-bview.20000111.0032.gz");
  EXPECT_EQ(Lines(out).size(), 452018u);
}

TEST_F(RealData, BirdUndeclaredAddPathIsDecoded) {
  const std::string out =
      RunCommand(Vigia() + " mrt dump -m -q " + SharedData() + "/mrt/mrtparse-samples/bird_bgp");
  EXPECT_NE(out.find("|A|192.168.0.10|65000|172.17.0.0/24|4200000000 4200000000 4200000000 "
                     "64512 64512 64512|IGP|"),
            std::string::npos);
  EXPECT_EQ(out.find("|0.0.0.0/0|"), std::string::npos);
}

TEST_F(RealData, FourOctetAggregatorInTwoOctetTableDump) {
  const std::string out = RunCommand(Vigia() + " mrt dump -m -q " + SharedData() +
                                     "/mrt/mrtparse-samples/openbgpd_rib_table");
  EXPECT_EQ(Lines(out)[0],
            "TABLE_DUMP|1444843994|B|192.168.1.10|65000|192.168.0.0/16|65015|IGP|192.168.0.15|100|"
            "0||NAG|65000 192.168.0.15|");
}

TEST_F(RealData, DamagedFramingIsSkippedAndReadingGoesOn) {
  int rc = 0;
  const std::string out =
      RunCommand(Vigia() + " mrt dump -m " + SharedData() +
                     "/mrt/bgpkit-fixtures/rrc00-updates.20000325.0345.gz 2>/tmp/vigia_damaged.err",
                 &rc);
  EXPECT_EQ(Lines(out).size(), 5684u);
  EXPECT_EQ(WEXITSTATUS(rc), 1) << "skipped bytes must show in the exit status";
  const std::string err = RunCommand("cat /tmp/vigia_damaged.err");
  EXPECT_NE(err.find("offset 188: RFC 6396 §2"), std::string::npos) << err;
}

// Files written by Vigía's MRT writer read the same in bgpdump and Vigía.
TEST(WriterCompat, GeneratedRibReadsIdenticallyInBgpdump) {
  if (!HaveCommand("bgpdump")) GTEST_SKIP() << "needs Debian bgpdump";
  const std::string f = ::testing::TempDir() + "/vigia_gen.mrt.gz";
  int rc = 0;
  RunCommand(Vigia() + " mrt generate --entries 20000 --seed 7 --out " + f + " 2>/dev/null", &rc);
  ASSERT_EQ(rc, 0);
  const std::string ref = RunCommand("bgpdump -m -q " + f + " 2>/dev/null");
  const std::string ours = RunCommand(Vigia() + " mrt dump -m -q " + f);
  EXPECT_EQ(Lines(ours).size(), 20000u);
  EXPECT_EQ(ours, ref);
}

}  // namespace
}  // namespace vigia::mrt
