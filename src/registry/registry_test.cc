#include "registry/registry.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "core/test_util.h"

namespace vigia::registry {
namespace {

using test_util::HaveSharedData;
using test_util::SharedData;

class RegistryRealData : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    if (!HaveSharedData("registry/delegated")) return;
    reg_ = new Registry;
    ASSERT_TRUE(reg_->Load(SharedData() + "/registry").ok());
    reg_->Build();
  }
  static void TearDownTestSuite() {
    delete reg_;
    reg_ = nullptr;
  }
  void SetUp() override {
    if (!reg_) GTEST_SKIP() << "../shared/data/registry absent";
  }
  static Registry* reg_;
};
Registry* RegistryRealData::reg_ = nullptr;

TEST_F(RegistryRealData, FindsTheFilesOfTheDefaultLayout) {
  // delegated-* only: the NRO sample is not named so and is not read.
  EXPECT_EQ(reg_->delegated_files().size(), 2u);
  EXPECT_EQ(reg_->iana_files().size(), 2u);
  EXPECT_EQ(reg_->stats().records().size(), 15019u + 86237u);
  EXPECT_TRUE(reg_->file_problems().empty());
}

TEST_F(RegistryRealData, PrefixLookupUsesTheCoveringDelegation) {
  // Line 16032 of the LACNIC file: lacnic|UY|ipv4|200.7.84.0|512|20080125|assigned|35340
  auto v = reg_->Covering(*Prefix::Parse("200.7.85.0/24"));
  ASSERT_EQ(v.size(), 1u);
  EXPECT_EQ(v[0]->cc, "UY");
  EXPECT_EQ(v[0]->line, 16032u);
  EXPECT_EQ(v[0]->text, "lacnic|UY|ipv4|200.7.84.0|512|20080125|assigned|35340");
  // AFRINIC line 5836: 196.4.20.0 + 2560 addresses, a record that is no
  // prefix (indexed as /22 + /22 + /23).
  for (const char* inside : {"196.4.20.0/22", "196.4.28.0/23", "196.4.29.255/32"}) {
    v = reg_->Covering(*Prefix::Parse(inside));
    ASSERT_EQ(v.size(), 1u) << inside;
    EXPECT_EQ(v[0]->line, 5836u);
  }
  EXPECT_TRUE(reg_->Covering(*Prefix::Parse("196.4.16.0/20")).empty());
  size_t total = 0;
  v = reg_->Covered(*Prefix::Parse("196.4.16.0/20"), 2, &total);
  ASSERT_EQ(v.size(), 2u);
  EXPECT_GE(total, 2u);
  EXPECT_LT(v[0]->first, v[1]->first);
  // IPv6, line 26839: lacnic|BR|ipv6|2801:80::|48|20081201|assigned|116083
  v = reg_->Covering(*Prefix::Parse("2801:80:0:1::/64"));
  ASSERT_EQ(v.size(), 1u);
  EXPECT_EQ(v[0]->cc, "BR");
}

TEST_F(RegistryRealData, AsnLookup) {
  // LACNIC line 73238: lacnic|UY|asn|28000|1|20051005|allocated|35340
  auto v = reg_->ForAsn(28000);
  ASSERT_EQ(v.size(), 1u);
  EXPECT_EQ(v[0]->line, 73238u);
  EXPECT_EQ(v[0]->opaque_id, "35340");
  // AFRINIC line 395: afrinic|ZZ|asn|37000|1||available|
  v = reg_->ForAsn(37000);
  ASSERT_EQ(v.size(), 1u);
  EXPECT_EQ(v[0]->status, DelegationStatus::kAvailable);
  EXPECT_EQ(reg_->bogons().ClassifyAsn(37000)->detail, "afrinic available");
  EXPECT_TRUE(reg_->ForAsn(3356).empty());  // ARIN's: no data
}

TEST(Registry, DirectoryErrors) {
  Registry reg;
  EXPECT_EQ(reg.Load("/nonexistent-dir").code(), StatusCode::kIoError);
  const std::string dir = ::testing::TempDir() + "/registry_empty";
  std::filesystem::create_directories(dir);
  std::ofstream(dir + "/README") << "nothing here\n";
  EXPECT_EQ(reg.Load(dir).code(), StatusCode::kNotFound);
}

TEST(Registry, UnreadableIanaFileIsAProblemNotAFailure) {
  const std::string dir = ::testing::TempDir() + "/registry_badiana";
  std::filesystem::create_directories(dir + "/sub");
  std::ofstream(dir + "/sub/ipv4-address-space.csv") << "not,a,registry\n";
  std::ofstream(dir + "/delegated-test") << "2|lacnic|1|1|0|0|0\n"
                                            "lacnic|BR|asn|1|1|20230101|allocated|1\n";
  Registry reg;
  ASSERT_TRUE(reg.Load(dir).ok());
  EXPECT_EQ(reg.delegated_files().size(), 1u);
  ASSERT_EQ(reg.file_problems().kept().size(), 1u);
  EXPECT_NE(reg.file_problems().kept()[0].message.find("not an IANA"), std::string::npos);
}

}  // namespace
}  // namespace vigia::registry
