// `vigia bogons` and `vigia registry ...` run as a user would, on the real
// registry files in ../shared/data/registry and on small hostile ones.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "core/test_util.h"

namespace {

using vigia::test_util::HaveSharedData;
using vigia::test_util::Lines;
using vigia::test_util::RunCommand;
using vigia::test_util::SharedData;
using vigia::test_util::Vigia;

std::string Vig(const std::string& args, int* code, bool with_stderr = false) {
  int status = 0;
  std::string out =
      RunCommand(Vigia() + " " + args + (with_stderr ? " 2>&1" : " 2>/dev/null"), &status);
  *code = WEXITSTATUS(status);
  return out;
}

std::string Registry() { return SharedData() + "/registry"; }

#define NEED_REGISTRY() \
  if (!HaveSharedData("registry/delegated")) GTEST_SKIP() << "../shared/data/registry absent"

TEST(BogonsCli, HelpAndUsageErrors) {
  int code = 0;
  EXPECT_NE(Vig("bogons --help", &code).find("--special-only"), std::string::npos);
  EXPECT_EQ(code, 0);
  EXPECT_NE(Vig("registry lookup --help", &code).find("QUERY"), std::string::npos);
  EXPECT_EQ(code, 0);
  Vig("bogons", &code);  // --registry is required
  EXPECT_EQ(code, 2);
  std::string err = Vig("bogons --registry /nonexistent-registry", &code, true);
  EXPECT_EQ(code, 2);
  EXPECT_NE(err.find("/nonexistent-registry"), std::string::npos);
}

TEST(BogonsCli, SpecialOnlyIpv4IsTheSpecialPurposeTable) {
  NEED_REGISTRY();
  int code = 0;
  const auto lines = Lines(Vig("bogons --registry " + Registry() + " --v4 --special-only", &code));
  EXPECT_EQ(code, 0);
  // The IPv4 entries of the IANA special-purpose registry (plus 224/4) that
  // are not globally reachable; 192.0.0.0/24 without 192.0.0.9 and .10.
  const std::vector<std::string> want = {
      "0.0.0.0/8\tspecial\t\"This network\" (RFC 791 §3.2)",
      "10.0.0.0/8\tspecial\tPrivate-Use (RFC 1918)",
      "100.64.0.0/10\tspecial\tShared Address Space (RFC 6598)",
      "127.0.0.0/8\tspecial\tLoopback (RFC 1122 §3.2.1.3)",
      "169.254.0.0/16\tspecial\tLink Local (RFC 3927)",
      "172.16.0.0/12\tspecial\tPrivate-Use (RFC 1918)",
      "192.0.0.0/29\tspecial\tIETF Protocol Assignments (RFC 6890 §2.1)",
      "192.0.0.8/32\tspecial\tIETF Protocol Assignments (RFC 6890 §2.1)",
      "192.0.0.11/32\tspecial\tIETF Protocol Assignments (RFC 6890 §2.1)",
      "192.0.0.12/30\tspecial\tIETF Protocol Assignments (RFC 6890 §2.1)",
      "192.0.0.16/28\tspecial\tIETF Protocol Assignments (RFC 6890 §2.1)",
      "192.0.0.32/27\tspecial\tIETF Protocol Assignments (RFC 6890 §2.1)",
      "192.0.0.64/26\tspecial\tIETF Protocol Assignments (RFC 6890 §2.1)",
      "192.0.0.128/25\tspecial\tIETF Protocol Assignments (RFC 6890 §2.1)",
      "192.0.2.0/24\tspecial\tDocumentation (TEST-NET-1) (RFC 5737)",
      "192.168.0.0/16\tspecial\tPrivate-Use (RFC 1918)",
      "198.18.0.0/15\tspecial\tBenchmarking (RFC 2544)",
      "198.51.100.0/24\tspecial\tDocumentation (TEST-NET-2) (RFC 5737)",
      "203.0.113.0/24\tspecial\tDocumentation (TEST-NET-3) (RFC 5737)",
      "224.0.0.0/4\tspecial\tMulticast (RFC 5771)",
      "240.0.0.0/4\tspecial\tReserved (RFC 1112 §4)",
  };
  EXPECT_EQ(lines, want);
}

TEST(BogonsCli, FullListLabelsEveryLine) {
  NEED_REGISTRY();
  int code = 0;
  const std::string out = Vig("bogons --registry " + Registry() + " --json", &code);
  ASSERT_EQ(code, 0);
  const auto j = nlohmann::json::parse(out);
  EXPECT_EQ(j["rir_regions_checked"]["ipv4"], (std::vector<std::string>{"afrinic", "lacnic"}));
  // LACNIC's four "available" IPv4 records hold 2304 addresses (awk -F'|'
  // '$3=="ipv4" && $7=="available"{s+=$5}' over the LACNIC file); none is
  // delegated elsewhere, so the list carries exactly those addresses.
  uint64_t lacnic_available = 0;
  for (const auto& e : j["ipv4"]) {
    ASSERT_TRUE(e["class"] == "special" || e["class"] == "administrative");
    ASSERT_FALSE(e["reason"].get<std::string>().empty());
    if (e["reason"] == "lacnic available") {
      const std::string p = e["prefix"];
      lacnic_available += uint64_t{1} << (32 - std::stoi(p.substr(p.find('/') + 1)));
    }
  }
  EXPECT_EQ(lacnic_available, 2304u);
  bool ula = false;
  for (const auto& e : j["ipv6"]) ula |= e["prefix"] == "fc00::/7" && e["class"] == "special";
  EXPECT_TRUE(ula);
}

TEST(BogonsCli, BogonAsns) {
  NEED_REGISTRY();
  int code = 0;
  const std::string out = Vig("bogons --registry " + Registry() + " --asn --json", &code);
  ASSERT_EQ(code, 0);
  const auto j = nlohmann::json::parse(out);
  uint64_t special = 0, admin = 0;
  for (const auto& e : j["asns"]) {
    const uint64_t n = e["last"].get<uint64_t>() - e["first"].get<uint64_t>() + 1;
    (e["class"] == "special" ? special : admin) += n;
  }
  // SPEC C5 ranges: 1 + 1 + 16 + 1023 + 1 + 16 + 65520 + 94967295 + 1.
  EXPECT_EQ(special, 95033874u);
  // ASNs the two files list as available or reserved, none of them special
  // or also delegated: awk -F'|' '$3=="asn" && ($7=="available" ||
  // $7=="reserved"){s+=$5}' over both files gives 3241.
  EXPECT_EQ(admin, 3241u);
  const std::string text = Vig("bogons --registry " + Registry() + " --asn", &code);
  EXPECT_NE(text.find("64496-64511\tspecial\tDocumentation (RFC 5398)\n"), std::string::npos);
  EXPECT_NE(text.find("37000\tadministrative\tafrinic available\n"), std::string::npos);
}

// Figures computed independently by src/registry/fullbogons_check.py (see
// docs/bogons.md): python3 src/registry/fullbogons_check.py ../shared/data/registry
TEST(BogonsCli, ComparisonWithTeamCymru) {
  NEED_REGISTRY();
  int code = 0;
  const std::string b = Registry() + "/bogons/";
  const std::string out = Vig("bogons --registry " + Registry() + " --json --compare " + b +
                                  "fullbogons-ipv4.txt --compare " + b + "fullbogons-ipv6.txt.gz",
                              &code);
  ASSERT_EQ(code, 0);
  const auto j = nlohmann::json::parse(out);
  std::map<std::string, std::vector<std::string>> got;
  for (const auto& r : j["rows"]) {
    got[r["region"].get<std::string>() + " " + r["family"].get<std::string>()] = {
        r["region_addresses"], r["both"], r["only_ours"], r["only_theirs"]};
  }
  EXPECT_EQ(got["afrinic ipv4"],
            (std::vector<std::string>{"100663296", "1376256", "3273728", "221696"}));
  EXPECT_EQ(got["lacnic ipv4"], (std::vector<std::string>{"167772160", "0", "39168", "1536"}));
  EXPECT_EQ(got["afrinic ipv6"],
            (std::vector<std::string>{
                "83117314555764545397335835770093568", "80537236406431488519441056995999744",
                "1773527344254522126645368255938560", "31453962538721940247456155435008"}));
  EXPECT_EQ(got["lacnic ipv6"],
            (std::vector<std::string>{
                "83117314555764545397335835770093568", "78920516613069226769816920417894400",
                "2912547725900133286965193434202112", "42393454909162264313105160863744"}));
  // The documented agreement figure: share of the region's addresses on
  // which both lists say the same, (region - only_ours - only_theirs) /
  // region, here for LACNIC IPv4: 1 - 40704 / 167772160.
  for (const auto& r : j["rows"]) {
    if (r["region"] == "lacnic" && r["family"] == "ipv4") {
      EXPECT_NEAR(r["agreement"].get<double>(), 1.0 - 40704.0 / 167772160.0, 1e-12);
    }
  }
}

TEST(RegistryCli, LookupAsnAndPrefix) {
  NEED_REGISTRY();
  int code = 0;
  auto j = nlohmann::json::parse(
      Vig("registry lookup --registry " + Registry() + " --json AS28000", &code));
  EXPECT_EQ(code, 0);
  ASSERT_EQ(j["delegations"].size(), 1u);
  // Line 73238 of the LACNIC file.
  EXPECT_EQ(j["delegations"][0]["text"], "lacnic|UY|asn|28000|1|20051005|allocated|35340");
  EXPECT_EQ(j["delegations"][0]["line"], 73238);
  EXPECT_EQ(j["delegations"][0]["cc"], "UY");
  EXPECT_EQ(j["delegations"][0]["date"], "2005-10-05");
  EXPECT_EQ(j["bogon"]["bogon"], false);

  j = nlohmann::json::parse(Vig(
      "registry lookup --registry " + Registry() + " --json 200.7.85.0/24 10.1.2.3 64512", &code));
  ASSERT_EQ(j.size(), 3u);
  EXPECT_EQ(j[0]["delegations"][0]["registry"], "lacnic");
  EXPECT_EQ(j[0]["delegations"][0]["range"], "200.7.84.0 - 200.7.85.255");
  EXPECT_EQ(j[0]["iana"]["designation"], "LACNIC");
  EXPECT_EQ(j[0]["bogon"]["bogon"], "no");
  EXPECT_EQ(j[1]["special_purpose"][0]["rfc"], "RFC 1918");
  EXPECT_EQ(j[1]["bogon"]["bogon"], "yes");
  EXPECT_EQ(j[2]["bogon"]["reason"], "Private use (RFC 6996)");

  // No RIR data for ARIN's space: the IANA designation answers.
  const std::string text = Vig("registry lookup --registry " + Registry() + " 8.8.8.0/24", &code);
  EXPECT_EQ(code, 0);
  EXPECT_NE(text.find("none in the loaded stats"), std::string::npos);
  EXPECT_NE(text.find("8.0.0.0/8 Administered by ARIN LEGACY"), std::string::npos);
  EXPECT_NE(text.find("bogon      no"), std::string::npos);
}

TEST(RegistryCli, BadQueryAndStats) {
  NEED_REGISTRY();
  int code = 0;
  std::string err = Vig("registry lookup --registry " + Registry() + " not-a-thing", &code, true);
  EXPECT_EQ(code, 2);
  EXPECT_NE(err.find("'not-a-thing' is not an AS number"), std::string::npos);
  const auto j =
      nlohmann::json::parse(Vig("registry stats --registry " + Registry() + " --json", &code));
  EXPECT_EQ(code, 0);
  EXPECT_EQ(j["records_total"], 101256);  // 15019 + 86237, the version lines' counts
  EXPECT_EQ(j["records"]["lacnic"]["ipv6"]["available"], 26602);
  EXPECT_EQ(j["skipped"], 0);
}

TEST(RegistryCli, SpecialTable) {
  int code = 0;
  const auto j = nlohmann::json::parse(Vig("registry special --json", &code));
  EXPECT_EQ(code, 0);
  EXPECT_EQ(j["prefixes"].size(), 53u);
  EXPECT_EQ(j["asns"].size(), 9u);
}

TEST(RegistryCli, MalformedLinesAreReportedSkippedAndCounted) {
  const std::string dir = ::testing::TempDir() + "/registry_cli_bad";
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  std::ofstream(dir + "/delegated-lacnic-test")
      << "2.3|lacnic|1|3|0|0|-0300\r\n"
         "lacnic|BR|ipv4|200.0.0.0|256|20230101|allocated|1\r\n"
         "lacnic|BR|ipv4|200.0.1.0|0|20230101|allocated|1\r\n"
         "garbage\r\n"
         "lacnic||ipv4|200.0.2.0|256||available\r\n";
  int code = 0;
  const std::string out = Vig("bogons --registry " + dir + " --v4", &code, true);
  EXPECT_EQ(code, 1);
  EXPECT_NE(out.find(dir + "/delegated-lacnic-test:3: address count 0"), std::string::npos);
  EXPECT_NE(out.find(dir + "/delegated-lacnic-test:4: "), std::string::npos);
  EXPECT_NE(out.find("(skipped)"), std::string::npos);
  EXPECT_NE(out.find("200.0.2.0/24\tadministrative\tlacnic available"), std::string::npos);
  // An empty file and a binary one: warnings or skips, never a crash.
  std::ofstream(dir + "/delegated-empty");
  std::ofstream(dir + "/delegated-binary") << std::string("\x00\xff\x1f\x8b", 4);
  Vig("registry stats --registry " + dir, &code);
  EXPECT_EQ(code, 1);
}

}  // namespace
