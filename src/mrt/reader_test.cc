#include "mrt/reader.h"

#include <gtest/gtest.h>

#include "mrt/test_util.h"
#include "mrt/writer.h"

namespace vigia::mrt {
namespace {

using test_util::DecodeBytes;
using test_util::Format;
using test_util::Lines;

// A small BGP4MP_ET file with n updates, written by the writer.
std::vector<uint8_t> Updates(int n) {
  MrtWriter w;
  for (int i = 0; i < n; ++i) {
    Bgp4mpMessage m;
    m.peer_as = 64500;
    m.local_as = 64501;
    m.peer_ip = IpAddress::V4(0xC0000201);
    m.local_ip = IpAddress::V4(0xC0000202);
    bgp::Update& u = m.message.update;
    u.attrs.Set(bgp::kAttrOrigin);
    u.attrs.Set(bgp::kAttrAsPath);
    u.attrs.as_path.segments.push_back({bgp::kAsSequence, 1});
    u.attrs.as_path.asns = {static_cast<Asn>(64500 + i)};
    u.attrs.Set(bgp::kAttrNextHop);
    u.attrs.next_hop = IpAddress::V4(0xC0000201);
    u.nlri.push_back({Prefix(IpAddress::V4(0x0A000000u + (static_cast<uint32_t>(i) << 8)), 24), 0});
    EXPECT_TRUE(w.WriteBgp4mpUpdate(1700000000 + i, 0, m).ok());
  }
  return w.data();
}

TEST(MrtReader, ReadsEveryRecordOfACleanStream) {
  auto d = DecodeBytes(Updates(50), Format::kBgpdumpM);
  EXPECT_EQ(d.records, 50u);
  EXPECT_EQ(d.skipped, 0u);
  EXPECT_TRUE(d.problems.empty());
  EXPECT_EQ(Lines(d.text).size(), 50u);
  EXPECT_TRUE(d.stream.ok());
}

// RFC 6396 §2 has no sync marker: a damaged length must not swallow the
// records that follow.
TEST(MrtReader, DamagedLengthFieldIsSkippedAndFollowingRecordsRecovered) {
  std::vector<uint8_t> bytes = Updates(30);
  // Each record here has the same size; damage the length of record 10.
  size_t rec_size = 12 + ((bytes[8] << 24) | (bytes[9] << 16) | (bytes[10] << 8) | bytes[11]);
  size_t at = 10 * rec_size;
  bytes[at + 8] = 0x00;
  bytes[at + 9] = 0x00;
  bytes[at + 10] = 0x7F;
  bytes[at + 11] = 0x00;
  auto d = DecodeBytes(bytes, Format::kBgpdumpM);
  EXPECT_EQ(d.records, 29u);  // all but the damaged one
  ASSERT_FALSE(d.problems.empty());
  EXPECT_EQ(d.problems[0].offset, at);
  EXPECT_NE(d.problems[0].message.find("RFC 6396 §2"), std::string::npos);
  EXPECT_EQ(d.stats.skipped_bytes, rec_size);
}

TEST(MrtReader, GarbageBetweenRecordsIsSkipped) {
  std::vector<uint8_t> bytes = Updates(20);
  size_t rec_size = bytes.size() / 20;
  std::vector<uint8_t> junk(37, 0xEE);
  bytes.insert(bytes.begin() + static_cast<long>(5 * rec_size), junk.begin(), junk.end());
  auto d = DecodeBytes(bytes, Format::kBgpdumpM);
  EXPECT_EQ(d.records, 20u);
  EXPECT_EQ(d.stats.skipped_bytes, 37u);
  EXPECT_EQ(d.stats.resyncs, 1u);
}

TEST(MrtReader, TruncatedAtEveryByteNeverCrashesAndKeepsCompleteRecords) {
  const std::vector<uint8_t> full = Updates(4);
  const size_t rec_size = full.size() / 4;
  for (size_t cut = 0; cut <= full.size(); ++cut) {
    std::vector<uint8_t> part(full.begin(), full.begin() + static_cast<long>(cut));
    auto d = DecodeBytes(part, Format::kBgpdumpM);
    EXPECT_EQ(d.records, cut / rec_size) << "cut at " << cut;
    EXPECT_EQ(d.skipped, 0u);
    if (cut % rec_size != 0) {
      EXPECT_FALSE(d.problems.empty()) << "cut at " << cut << " must be reported";
      EXPECT_EQ(d.stats.truncated_tail, 1u);
    }
  }
}

TEST(MrtReader, NonMrtInputIsReportedNotFatal) {
  std::vector<uint8_t> text(4000, 'x');
  auto d = DecodeBytes(text, Format::kBgpdumpM);
  EXPECT_EQ(d.records, 0u);
  ASSERT_FALSE(d.problems.empty());
  EXPECT_NE(d.problems[0].message.find("not an MRT file"), std::string::npos);
}

class MrtReaderRealData : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!test_util::HaveSharedData()) GTEST_SKIP() << "needs ../shared/data (absent)";
  }
};

TEST_F(MrtReaderRealData, Ris2000LengthBugIsCorrected) {
  auto d = test_util::DecodeFile(
      test_util::SharedData() + "/mrt/bgpkit-fixtures/rrc00-bview.20000111.0032.gz",
      Format::kBgpdumpM);
  EXPECT_EQ(d.records, 2490u);
  EXPECT_EQ(d.stats.length_fixes, 2490u);
  EXPECT_EQ(d.skipped, 0u);
  EXPECT_EQ(Lines(d.text).size(), 452018u);
}

TEST_F(MrtReaderRealData, TruncatedBzip2YieldsEveryCompleteRecordThenAnError) {
  auto d = test_util::DecodeFile(
      test_util::SharedData() + "/mrt/pyasn/rib.20140523.0600_firstMB.bz2", Format::kBgpdumpM,
      /*threaded=*/true);
  EXPECT_EQ(Lines(d.text).size(), 270005u);
  EXPECT_FALSE(d.stream.ok());
  EXPECT_EQ(d.stream.code(), StatusCode::kTruncated);
  EXPECT_EQ(d.skipped, 0u);
}

TEST_F(MrtReaderRealData, ThreadedAndInlineDecompressionAgree) {
  const std::string f = test_util::SharedData() + "/mrt/bgpdump-testdata/updates.20070211.0141.gz";
  auto a = test_util::DecodeFile(f, Format::kJson, true);
  auto b = test_util::DecodeFile(f, Format::kJson, false);
  EXPECT_EQ(a.text, b.text);
  EXPECT_EQ(Lines(a.text).size(), 53657u);
}

}  // namespace
}  // namespace vigia::mrt
