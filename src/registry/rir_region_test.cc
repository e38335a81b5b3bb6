#include "registry/rir_region.h"

#include <gtest/gtest.h>

#include <map>
#include <set>
#include <string>

#include "core/test_util.h"
#include "registry/delegated.h"

namespace vigia::registry {
namespace {

using test_util::HaveSharedData;
using test_util::SharedData;

TEST(RirServiceRegion, EveryIso3166CodeHasOneRegion) {
  // 249 officially assigned ISO 3166-1 alpha-2 codes (Debian iso-codes 4.x).
  EXPECT_EQ(RirServiceRegionTableSize(), 249u);
  std::map<std::string, size_t> per;
  for (char a = 'A'; a <= 'Z'; ++a) {
    for (char b = 'A'; b <= 'Z'; ++b) {
      const std::string cc{a, b};
      if (auto r = RirServiceRegionOf(cc)) ++per[std::string(*r)];
    }
  }
  const std::map<std::string, size_t> want = {
      {"afrinic", 57}, {"apnic", 56}, {"arin", 29}, {"lacnic", 31}, {"ripencc", 76}};
  EXPECT_EQ(per, want);
}

TEST(RirServiceRegion, CaribbeanIsSplitBetweenArinAndLacnic) {
  for (const char* cc : {"CU", "DO", "HT", "TT", "AW", "CW", "SX", "BQ", "GF", "BZ", "GY", "SR"}) {
    EXPECT_EQ(RirServiceRegionOf(cc), "lacnic") << cc;
  }
  for (const char* cc : {"BS", "BB", "JM", "PR", "VI", "AG", "DM", "GD", "KN", "LC", "VC", "KY",
                         "BM", "TC", "AI", "MS", "VG"}) {
    EXPECT_EQ(RirServiceRegionOf(cc), "arin") << cc;
  }
}

TEST(RirServiceRegion, OneCountryPerContinent) {
  EXPECT_EQ(RirServiceRegionOf("BR"), "lacnic");
  EXPECT_EQ(RirServiceRegionOf("MX"), "lacnic");
  EXPECT_EQ(RirServiceRegionOf("US"), "arin");
  EXPECT_EQ(RirServiceRegionOf("CA"), "arin");
  EXPECT_EQ(RirServiceRegionOf("AQ"), "arin");
  EXPECT_EQ(RirServiceRegionOf("ZA"), "afrinic");
  EXPECT_EQ(RirServiceRegionOf("MU"), "afrinic");  // Indian Ocean
  EXPECT_EQ(RirServiceRegionOf("EG"), "afrinic");
  EXPECT_EQ(RirServiceRegionOf("JP"), "apnic");
  EXPECT_EQ(RirServiceRegionOf("AU"), "apnic");
  EXPECT_EQ(RirServiceRegionOf("DE"), "ripencc");
  EXPECT_EQ(RirServiceRegionOf("SA"), "ripencc");  // Middle East
  EXPECT_EQ(RirServiceRegionOf("KZ"), "ripencc");  // Central Asia
  EXPECT_EQ(RirServiceRegionOf("RU"), "ripencc");
}

TEST(RirServiceRegion, CaseInsensitiveAndUnknownCodesAbsent) {
  EXPECT_EQ(RirServiceRegionOf("cu"), "lacnic");
  EXPECT_EQ(RirServiceRegionOf("Br"), "lacnic");
  for (const char* cc : {"", "B", "BRA", "EU", "AP", "ZZ", "UK", "XK", "AN", "1A"}) {
    EXPECT_FALSE(RirServiceRegionOf(cc).has_value()) << cc;
  }
}

// The AFRINIC and LACNIC rows against the countries of their own delegated
// files: every country with records there is in the RIR's row, except a few
// records of resources used abroad (listed in rir_region.h).
TEST(RirServiceRegionRealData, AfrinicAndLacnicRowsMatchTheirDelegatedFiles) {
  const std::map<std::string, std::set<std::string>> files = {
      {"registry/delegated/delegated-afrinic-extended-20230323.gz", {"CA"}},
      {"registry/delegated/delegated-lacnic-extended-20230323.gz", {"AU", "US"}}};
  for (const auto& [f, abroad] : files) {
    if (!HaveSharedData(f)) GTEST_SKIP() << "../shared/data/" << f << " absent";
    DelegatedStats s;
    ASSERT_TRUE(s.LoadFile(SharedData() + "/" + f).ok());
    std::set<std::string> outside;
    size_t in = 0;
    for (const DelegatedRecord& r : s.records()) {
      if (r.cc.size() != 2 || r.cc == "ZZ") continue;
      if (RirServiceRegionOf(r.cc) == r.registry) {
        ++in;
      } else {
        outside.insert(r.cc);
      }
    }
    EXPECT_GT(in, 1000u) << f;
    EXPECT_EQ(outside, abroad) << f;
  }
}

}  // namespace
}  // namespace vigia::registry
