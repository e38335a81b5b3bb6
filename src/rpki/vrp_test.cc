#include "rpki/vrp.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <random>

#include "core/test_util.h"
#include "rpki/origin_validation.h"

namespace vigia::rpki {
namespace {

std::string Samples() { return std::string(VIGIA_SHARED_DATA) + "/rpki/samples"; }
bool HaveSamples() { return std::filesystem::is_directory(Samples()); }

TEST(VrpSet, JsonWithBadEntriesLoadsTheRestAndSaysWhere) {
  VrpSet v;
  ASSERT_TRUE(v.LoadText(R"({"roas":[
    {"asn":"AS64496","prefix":"192.0.2.0/24","maxLength":24,"ta":"ripe"},
    {"asn":64497,"prefix":"2001:db8::/32","maxLength":48},
    {"asn":"ASx","prefix":"192.0.2.0/24","maxLength":24},
    {"asn":1,"prefix":"192.0.2.0/33","maxLength":24},
    {"asn":1,"prefix":"192.0.2.0/24","maxLength":64},
    {"asn":1,"prefix":"192.0.2.0/24"},
    7]})",
                         "t.json")
                  .ok());
  EXPECT_EQ(v.size(), 2u);
  ASSERT_EQ(v.problems().kept().size(), 5u);
  EXPECT_EQ(v.problems().kept()[0].where, "t.json: roas[2]");
  EXPECT_NE(v.problems().kept()[2].message.find("RFC 6482"), std::string::npos);
  EXPECT_EQ(v.trust_anchors()[v.vrps()[0].ta], "ripe");
}

// The JSON fast path (vrp.cc) against the cursor path: the same VRPs, trust
// anchors and problems on random documents mixing good entries with every
// kind it must hand back (escapes, other value types, duplicate members,
// bad prefixes and lengths, non-canonical addresses that Prefix::Parse
// still takes), and large enough to be read by two threads.
TEST(VrpSet, JsonFastPathAgreesWithTheCursorPath) {
  std::mt19937_64 rng(5);
  const std::vector<std::string> prefixes = {"10.0.0.0/8",
                                             "10.1.0.0/16",
                                             "192.0.2.0/24",
                                             "192.0.2.1/32",
                                             "0.0.0.0/0",
                                             "010.0.0.0/8",
                                             "10.0.0.0/08",
                                             "10.0.0.0/008",
                                             "10.0.0.1/8",
                                             "10.0.0.0/33",
                                             "256.0.0.0/8",
                                             "10.0.0/8",
                                             "2001:db8::/32",
                                             "2001:DB8::/48",
                                             "::/0",
                                             "::ffff:10.0.0.0/104",
                                             "2001:db8::1/128",
                                             "2001:db8::/129",
                                             "1.2.3.4",
                                             "10.0.0.0/ 8",
                                             "",
                                             "1.2.3.4.5/32"};
  const std::vector<std::string> tas = {"ripe", "arin", "apnic", "", "lacnic"};
  for (int round = 0; round < 40; ++round) {
    const bool large = round % 10 == 9;  // past the two-thread threshold
    const int entries = large ? 120000 : 1 + static_cast<int>(rng() % 40);
    const int bad_odds = round % 3 == 0 ? 0 : 400;  // a third of the documents all good
    std::string doc = "{\"metadata\":{\"x\":[1,2]},\"roas\" : [";
    for (int i = 0; i < entries; ++i) {
      if (i) doc += rng() % 2 ? ",\n" : " , ";
      const std::string& p = prefixes[rng() % (bad_odds ? prefixes.size() : 5)];
      const int len_guess = p.find(':') != std::string::npos ? 48 : 24;
      std::string asn = rng() % 4 == 0 ? "\"AS" + std::to_string(rng() % 70000) + "\""
                                       : std::to_string(rng() % 70000);
      std::string e = "{\"asn\":" + asn + ",\"prefix\":\"" + p +
                      "\",\"maxLength\":" + std::to_string(len_guess + rng() % 9) + ",\"ta\":\"" +
                      tas[rng() % tas.size()] + "\"";
      if (bad_odds && rng() % bad_odds == 0) {
        const char* odd[] = {",\"x\":true", ",\"asn\":1",          ",\"x\":-1", ",\"x\":1.5",
                             ",\"x\":{}",   ",\"t\\u0061\":\"a\"", ",\"x\":01"};
        e += odd[rng() % 7];
      }
      if (bad_odds && rng() % bad_odds == 0) e = "{\"asn\":1,\"prefix\":\"10.0.0.0/8\"}";
      if (bad_odds && rng() % bad_odds == 0) e = "[]";
      doc += e + "}";
    }
    doc += "]}";
    VrpSet fast, cursor;
    cursor.set_json_fast_path(false);
    const Status a = fast.LoadText(doc, "t.json");
    const Status b = cursor.LoadText(doc, "t.json");
    ASSERT_EQ(a.ok(), b.ok()) << round;
    ASSERT_EQ(fast.size(), cursor.size()) << round;
    ASSERT_TRUE(std::equal(fast.vrps().begin(), fast.vrps().end(), cursor.vrps().begin())) << round;
    ASSERT_EQ(fast.trust_anchors(), cursor.trust_anchors()) << round;
    ASSERT_EQ(fast.skipped(), cursor.skipped()) << round;
  }
}

// A guessed split point inside a string (",{" in a trust anchor's name)
// must not cut the array there. The names are most of the document, so the
// guess, the first ",{" past the middle, falls inside one.
TEST(VrpSet, JsonTwoThreadSplitInsideAStringIsRefused) {
  std::string ta;
  for (int i = 0; i < 500; ++i) ta += ", {";
  std::string doc = "{\"roas\":[";
  for (int i = 0; i < 5000; ++i) {
    if (i) doc += ",";
    doc += "{\"asn\":" + std::to_string(i) +
           ",\"prefix\":\"10.0.0.0/8\",\"maxLength\":8,\"ta\":\"" + ta + std::to_string(i % 3) +
           "\"}";
  }
  doc += "]}";
  ASSERT_GT(doc.size(), size_t{4} << 20);
  VrpSet fast, cursor;
  cursor.set_json_fast_path(false);
  ASSERT_TRUE(fast.LoadText(doc, "t.json").ok());
  ASSERT_TRUE(cursor.LoadText(doc, "t.json").ok());
  ASSERT_EQ(fast.size(), 5000u);
  EXPECT_TRUE(std::equal(fast.vrps().begin(), fast.vrps().end(), cursor.vrps().begin()));
  EXPECT_EQ(fast.trust_anchors(), cursor.trust_anchors());
  EXPECT_EQ(fast.trust_anchors().size(), 4u);
}

TEST(VrpSet, CsvColumnsComeFromTheHeader) {
  VrpSet v;
  ASSERT_TRUE(v.LoadText("URI,ASN,IP Prefix,Max Length,Not Before,Not After\n"
                         "rsync://x,AS64496,192.0.2.0/24,24,2019-01-01,2029-01-01\n"
                         "rsync://y,AS64497,bad,24,2019-01-01,2029-01-01\n"
                         "rsync://z,AS64498\n",
                         "r.csv")
                  .ok());
  EXPECT_EQ(v.size(), 1u);
  ASSERT_EQ(v.problems().kept().size(), 2u);
  EXPECT_EQ(v.problems().kept()[0].where, "r.csv:3");
  EXPECT_EQ(v.problems().kept()[1].where, "r.csv:4");
}

TEST(VrpSet, TextThatIsNoVrpFileIsAnError) {
  VrpSet v;
  EXPECT_FALSE(v.LoadText("hello,world\n1,2\n", "x").ok());
  EXPECT_FALSE(v.LoadText("{\"not\":1}", "x").ok());
  EXPECT_FALSE(v.LoadText("{broken", "x").ok());
  EXPECT_FALSE(v.LoadFile("/nonexistent/vrps.json").ok());
}

TEST(VrpSetRealData, RpkiClientJsonSample) {
  if (!HaveSamples()) GTEST_SKIP() << "needs ../shared/data (absent)";
  VrpSet v;
  ASSERT_TRUE(v.LoadFile(Samples() + "/stayrtr-test.rpki-client.json").ok());
  EXPECT_EQ(v.size(), 19u);
  EXPECT_EQ(v.skipped(), 0u);
  EXPECT_EQ(ValidateState(v, *Prefix::Parse("1.0.0.0/24"), 13335), RovState::kValid);
}

TEST(VrpSetRealData, AfrinicValidatorCsv) {
  if (!HaveSamples()) GTEST_SKIP() << "needs ../shared/data (absent)";
  VrpSet v;
  ASSERT_TRUE(v.LoadFile(Samples() + "/afrinic-roas-validator-export.csv").ok());
  EXPECT_EQ(v.size() + v.skipped(), 4372u);
  EXPECT_EQ(v.skipped(), 0u);
  // First data line: AS0 for 2001:43f8::/48, max 128.
  EXPECT_EQ(ValidateState(v, *Prefix::Parse("2001:43f8::/48"), 37100), RovState::kInvalidOrigin);
}

TEST(VrpSetRealData, ManrsIxpTestFileFlagsTheImpossibleMaxLength) {
  if (!HaveSamples()) GTEST_SKIP() << "needs ../shared/data (absent)";
  VrpSet v;
  ASSERT_TRUE(v.LoadFile(Samples() + "/manrs-ixp-roa_test.json").ok());
  // maxLength 28 on an IPv4 /24 is allowed; 64 is beyond the address width.
  EXPECT_EQ(v.size(), 5u);
  ASSERT_EQ(v.skipped(), 1u);
  EXPECT_NE(v.problems().kept()[0].message.find("maxLength 64"), std::string::npos);
}

// 1 GiB of zeros in 1 MiB of gzip: refused at kMaxVrpFileBytes with a clear
// error, and the load never holds much more than the cap (it used to take
// 2.1 GB).
TEST(VrpHostile, GzipBombIsRefusedAtTheDecompressedCap) {
  const bool ran = test_util::ExpectGzipBombHandled(
      "vrps.json.gz", kMaxVrpFileBytes * 2, [](const std::string& f) {
        VrpSet v;
        return test_util::RefusedNaming(v.LoadFile(f), "kMaxVrpFileBytes");
      });
  if (!ran) GTEST_SKIP() << "needs gzip(1)";
}

}  // namespace
}  // namespace vigia::rpki
