#include "registry/delegated.h"

#include <gtest/gtest.h>

#include <map>

#include "core/test_util.h"

namespace vigia::registry {
namespace {

using test_util::HaveSharedData;
using test_util::SharedData;

std::map<std::string, size_t> CountByTypeStatus(const DelegatedStats& s) {
  std::map<std::string, size_t> m;
  for (const DelegatedRecord& r : s.records()) {
    ++m[std::string(ResourceTypeName(r.type)) + " " + std::string(DelegationStatusName(r.status))];
  }
  return m;
}

// Expected counts below come from awk over the same files, independently of
// this parser:
//   zcat F | awk -F'|' '!/^#/ && NF>=7 && $6!="summary" && $1 !~ /^[0-9]/ {print $3, $7}'
//     | sort | uniq -c
TEST(DelegatedRealData, Afrinic20230323) {
  const std::string f = "registry/delegated/delegated-afrinic-extended-20230323.gz";
  if (!HaveSharedData(f)) GTEST_SKIP() << "../shared/data/" << f << " absent";
  DelegatedStats s;
  ASSERT_TRUE(s.LoadFile(SharedData() + "/" + f).ok());
  EXPECT_EQ(s.skipped(), 0u);
  EXPECT_TRUE(s.warnings().empty()) << s.warnings()[0].message;
  EXPECT_EQ(s.records().size(), 15019u);
  const std::map<std::string, size_t> want = {
      {"asn allocated", 2272},  {"asn available", 697},  {"asn reserved", 357},
      {"ipv4 allocated", 3135}, {"ipv4 assigned", 1486}, {"ipv4 available", 20},
      {"ipv4 reserved", 448},   {"ipv6 allocated", 956}, {"ipv6 assigned", 312},
      {"ipv6 available", 2359}, {"ipv6 reserved", 2977}};
  EXPECT_EQ(CountByTypeStatus(s), want);
  const DelegatedFileInfo& info = s.files()[0];
  EXPECT_EQ(info.header.version, "2");
  EXPECT_EQ(info.header.registry, "afrinic");
  EXPECT_EQ(info.header.start_date, "00000000");
  EXPECT_EQ(info.summary[static_cast<int>(ResourceType::kIpv6)], 6604u);
  // Line 5: afrinic|ZA|asn|1228|1|19910301|allocated|F36B9F4B
  const DelegatedRecord& r = s.records()[0];
  EXPECT_EQ(r.line, 5u);
  EXPECT_EQ(r.cc, "ZA");
  EXPECT_EQ(r.first, Uint128{1228});
  EXPECT_EQ(r.date, 19910301u);
  EXPECT_EQ(r.opaque_id, "F36B9F4B");
}

TEST(DelegatedRealData, Lacnic20230323) {
  const std::string f = "registry/delegated/delegated-lacnic-extended-20230323.gz";
  if (!HaveSharedData(f)) GTEST_SKIP() << "../shared/data/" << f << " absent";
  DelegatedStats s;
  ASSERT_TRUE(s.LoadFile(SharedData() + "/" + f).ok());
  EXPECT_EQ(s.skipped(), 0u);
  EXPECT_TRUE(s.warnings().empty());
  EXPECT_EQ(s.records().size(), 86237u);
  const std::map<std::string, size_t> want = {
      {"asn allocated", 12916},  {"asn available", 400},    {"asn reserved", 805},
      {"ipv4 allocated", 16551}, {"ipv4 assigned", 2538},   {"ipv4 available", 4},
      {"ipv4 reserved", 525},    {"ipv6 allocated", 10882}, {"ipv6 assigned", 1420},
      {"ipv6 available", 26602}, {"ipv6 reserved", 13594}};
  EXPECT_EQ(CountByTypeStatus(s), want);
  EXPECT_EQ(s.files()[0].header.version, "2.3");
  EXPECT_EQ(s.files()[0].header.utc_offset, "-0300");
}

TEST(DelegatedRealData, NroSampleHasVaryingRegistriesAndShortCounts) {
  const std::string f = "registry/delegated/nro-extended-stats-sample-20160406.txt";
  if (!HaveSharedData(f)) GTEST_SKIP() << "../shared/data/" << f << " absent";
  DelegatedStats s;
  ASSERT_TRUE(s.LoadFile(SharedData() + "/" + f).ok());
  EXPECT_EQ(s.skipped(), 0u);
  EXPECT_EQ(s.records().size(), 15u);
  EXPECT_EQ(s.Registries(), (std::vector<std::string>{"apnic", "arin", "iana", "ripencc"}));
  // iana|ZZ|asn|0|1|19920101|ietf|ietf|iana
  EXPECT_EQ(s.records()[0].status, DelegationStatus::kIetf);
  EXPECT_EQ(s.records()[0].extensions, "iana");
  EXPECT_EQ(s.records()[1].extensions, "e-stats");
  // The sample is an extract: the version line says 395402 records and the
  // summaries 74480/166309/154613, which do not match; warnings, not skips.
  EXPECT_EQ(s.warnings().size(), 4u);
}

// Hand-written snippets after each registry's published files, one per
// variant the parser must accept.
TEST(DelegatedVariants, Afrinic) {
  DelegatedStats s;
  ASSERT_TRUE(s.LoadText("2|afrinic|20230323|3|00000000|20230323|00000\n"
                         "afrinic|*|asn|*|1|summary\n"
                         "afrinic|*|ipv4|*|1|summary\n"
                         "afrinic|*|ipv6|*|1|summary\n"
                         "afrinic|ZZ|asn|5536|1||available|\n"
                         "afrinic|ZA|ipv4|196.4.20.0|2560|19930831|allocated|F369838C\n"
                         "afrinic|ZZ|ipv6|2001:4208::|29||available|\n",
                         "afrinic")
                  .ok());
  ASSERT_EQ(s.skipped(), 0u);
  EXPECT_TRUE(s.warnings().empty());
  ASSERT_EQ(s.records().size(), 3u);
  EXPECT_EQ(s.records()[0].date, 0u);
  EXPECT_EQ(s.records()[0].opaque_id, "");
  EXPECT_EQ(s.records()[1].last - s.records()[1].first, Uint128{2559});
  EXPECT_EQ(s.records()[2].last - s.records()[2].first, (Uint128{1} << 99) - 1);
}

TEST(DelegatedVariants, ApnicWithCommentsAndPlainRecords) {
  DelegatedStats s;
  ASSERT_TRUE(s.LoadText("#\n# Copyright and terms, comment lines first\n#\n"
                         "2|apnic|20230323|3|19830613|20230322|+1000\n"
                         "apnic|*|asn|*|1|summary\n"
                         "apnic|*|ipv4|*|1|summary\n"
                         "apnic|*|ipv6|*|1|summary\n"
                         "apnic|JP|asn|173|1|20020801|allocated\n"
                         "apnic|AU|ipv4|1.0.0.0|256|20110811|assigned|A91872ED\n"
                         "# a comment between records\n"
                         "apnic|JP|ipv6|2001:200::|35|19990813|allocated|A916B6AA\n",
                         "apnic")
                  .ok());
  EXPECT_EQ(s.skipped(), 0u);
  EXPECT_TRUE(s.warnings().empty());
  ASSERT_EQ(s.records().size(), 3u);
  EXPECT_EQ(s.records()[0].opaque_id, "");  // the non-extended 7-field form
  EXPECT_EQ(s.records()[2].line, 11u);
}

TEST(DelegatedVariants, ArinMillisecondSerialAndEmptyCountry) {
  DelegatedStats s;
  ASSERT_TRUE(s.LoadText("2.3|arin|1679547803461|3|19700101|20230322|-0400\n"
                         "arin|*|asn|*|1|summary\n"
                         "arin|*|ipv4|*|2|summary\n"
                         "arin|*|ipv6|*|0|summary\n"
                         "arin|US|asn|1|1|20010920|assigned|abc43e5fcdb68e284085cf6f1b34834e\n"
                         "arin||ipv4|23.128.0.0|1024||reserved|\n"
                         "arin|US|ipv4|3.0.0.0|16777216|19880223|allocated|"
                         "c58a69a3cd4b94d6b93f8b95e5b0c53d\n",
                         "arin")
                  .ok());
  EXPECT_EQ(s.skipped(), 0u);
  EXPECT_TRUE(s.warnings().empty());
  ASSERT_EQ(s.records().size(), 3u);
  EXPECT_EQ(s.records()[1].cc, "");
  EXPECT_EQ(s.records()[1].status, DelegationStatus::kReserved);
  EXPECT_EQ(s.files()[0].header.serial, "1679547803461");
}

TEST(DelegatedVariants, LacnicAvailableWithoutOpaqueIdAndAsnRanges) {
  DelegatedStats s;
  ASSERT_TRUE(s.LoadText("2.3|lacnic|20230323|3|19870101|20230322|-0300\n"
                         "lacnic|*|ipv4|*|1|summary\n"
                         "lacnic|*|ipv6|*|0|summary\n"
                         "lacnic|*|asn|*|2|summary\n"
                         "lacnic||asn|26596|2||available\n"
                         "lacnic|UY|asn|28000|1|20051005|allocated|35340\n"
                         "lacnic||ipv4|177.39.96.0|1024||available\n",
                         "lacnic")
                  .ok());
  EXPECT_EQ(s.skipped(), 0u);
  EXPECT_TRUE(s.warnings().empty());
  ASSERT_EQ(s.records().size(), 3u);
  EXPECT_EQ(s.records()[0].first, Uint128{26596});
  EXPECT_EQ(s.records()[0].last, Uint128{26597});
}

TEST(DelegatedVariants, RipeNccUuidsAndRegionCodeEu) {
  DelegatedStats s;
  ASSERT_TRUE(s.LoadText("2|ripencc|1679612399|3|19830705|20230323|+0100\n"
                         "ripencc|*|ipv4|*|2|summary\n"
                         "ripencc|*|asn|*|0|summary\n"
                         "ripencc|*|ipv6|*|1|summary\n"
                         "ripencc|EU|ipv4|2.16.0.0|524288|20100910|allocated|"
                         "aa4fcd43-2269-4754-9a9d-50927c3b004b\n"
                         "ripencc|ZZ|ipv4|2.56.168.0|1024|20190607|available|\n"
                         "ripencc|ZZ|ipv6|2001:601::|32|20160406|reserved|\n",
                         "ripencc")
                  .ok());
  EXPECT_EQ(s.skipped(), 0u);
  EXPECT_TRUE(s.warnings().empty());
  EXPECT_EQ(s.records()[0].cc, "EU");
  EXPECT_EQ(s.records()[1].status, DelegationStatus::kAvailable);
  EXPECT_EQ(s.records()[1].date, 20190607u);
}

TEST(DelegatedHostile, EveryBadLineIsReportedWithFileAndLine) {
  DelegatedStats s;
  const std::string text =
      "2|test|1|0|0|0|0\n"
      "afrinic|ZA|ipv4|196.4.20\n"                                // 2 truncated
      "\x01\x02garbage\xff\n"                                     // 3 garbage
      "afrinic|ZA|ipv4|10.0.0.0|0|20230101|allocated|x\n"         // 4 zero count
      "afrinic|ZA|ipv4|255.255.255.0|512|20230101|allocated|x\n"  // 5 past the end
      "afrinic|ZA|ipv6|2001:db8::|129|20230101|allocated|x\n"     // 6 length
      "afrinic|ZA|ipv6|2001:db8::1|32|20230101|allocated|x\n"     // 7 host bits
      "afrinic|ZA|asn|4294967295|2|20230101|allocated|x\n"        // 8 ASN overflow
      "afrinic|ZA|asn|1|1|20231340|allocated|x\n"                 // 9 bad date
      "afrinic|ZA|asn|1|1|20230101|stolen|x\n"                    // 10 bad status
      "afrinic|zaf|asn|1|1|20230101|allocated|x\n"                // 11 bad country
      "afrinic|ZA|ipx|1|1|20230101|allocated|x\n"                 // 12 bad type
      "afrinic|ZA|ipv4|1.2.3.4|1|20230101|allocated|x\r\n"        // 13 CRLF: fine
      "afrinic|x|*|asn|1|summary\n"                               // 14 bad summary
      "2|again|1|0|0|0|0\n"                                       // 15 second version
      + std::string(5000, 'a') + "\n";                            // 16 oversized
  ASSERT_TRUE(s.LoadText(text, "bad.txt").ok());
  EXPECT_EQ(s.records().size(), 1u);
  EXPECT_EQ(s.records()[0].line, 13u);
  EXPECT_EQ(s.records()[0].opaque_id, "x");  // the CR is not part of it
  ASSERT_EQ(s.skipped(), 14u);
  std::vector<std::string> where;
  for (const LoadProblem& p : s.problems()) {
    where.push_back(p.where);
    EXPECT_FALSE(p.message.empty());
  }
  EXPECT_EQ(where, (std::vector<std::string>{"bad.txt:2", "bad.txt:3", "bad.txt:4", "bad.txt:5",
                                             "bad.txt:6", "bad.txt:7", "bad.txt:8", "bad.txt:9",
                                             "bad.txt:10", "bad.txt:11", "bad.txt:12", "bad.txt:14",
                                             "bad.txt:15", "bad.txt:16"}));
  EXPECT_NE(s.problems().kept()[5].message.find("RFC 4291"), std::string::npos);
  EXPECT_NE(s.problems().kept()[13].message.find("4096"), std::string::npos);
}

TEST(DelegatedHostile, EmptyAndHeaderlessInput) {
  DelegatedStats s;
  ASSERT_TRUE(s.LoadText("", "empty").ok());
  EXPECT_TRUE(s.records().empty());
  ASSERT_EQ(s.warnings().size(), 1u);
  EXPECT_NE(s.warnings()[0].message.find("no version line"), std::string::npos);
  ASSERT_TRUE(s.LoadText("lacnic|BR|asn|1|1|20230101|allocated|1", "noheader").ok());
  EXPECT_EQ(s.records().size(), 1u);  // a record without a trailing newline still counts
  EXPECT_EQ(s.files().size(), 2u);
  EXPECT_EQ(s.records()[0].file, 1u);
}

TEST(DelegatedHostile, ProblemsKeptAreCappedButAllCounted) {
  std::string text;
  for (int i = 0; i < 3000; ++i) text += "junk\n";
  DelegatedStats s;
  ASSERT_TRUE(s.LoadText(text, "junk").ok());
  EXPECT_EQ(s.skipped(), 3000u);
  EXPECT_EQ(s.problems().kept().size(), kMaxProblemsKept);
}

TEST(DelegatedHostile, MissingAndTruncatedFiles) {
  DelegatedStats s;
  Status st = s.LoadFile("/nonexistent/delegated-x");
  EXPECT_EQ(st.code(), StatusCode::kIoError);
  EXPECT_NE(st.message().find("/nonexistent/delegated-x"), std::string::npos);
}

TEST(DelegatedParse, RecordParserRejectsTooManyFields) {
  DelegatedRecord r;
  std::string why;
  std::string line = "lacnic|BR|asn|1|1|20230101|allocated|1";
  for (int i = 0; i < 40; ++i) line += "|x";
  EXPECT_FALSE(ParseDelegatedRecord(line, &r, &why));
  EXPECT_NE(why.find("fields"), std::string::npos);
  EXPECT_TRUE(ParseDelegatedRecord("nro|BR|asn|1|1|20230101|allocated|1|e-stats", &r, &why));
  EXPECT_EQ(r.extensions, "e-stats");
}

}  // namespace
}  // namespace vigia::registry
