#include "rpki/vrp.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

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
