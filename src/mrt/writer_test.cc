#include "mrt/writer.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "mrt/test_util.h"

namespace vigia::mrt {
namespace {

using test_util::Format;

// Round trip: decode a real file, write every RIB and BGP4MP UPDATE record
// again with the writer, decode that, and compare the JSON of both (it
// carries every decoded field). The writer always uses the AS4 and
// extended-timestamp encodings, so those fields are left out.
std::string Normalise(const std::string& text) {
  std::string out;
  for (const std::string& line : test_util::Lines(text)) {
    nlohmann::json j = nlohmann::json::parse(line);
    j.erase("mrt_type");
    j.erase("mrt_subtype");
    j.erase("microseconds");
    out += j.dump();
    out += '\n';
  }
  return out;
}

void RoundTrip(const std::string& path, size_t min_lines) {
  auto in = io::InputStream::Open(path, {.threaded = false});
  ASSERT_TRUE(in.ok());
  MrtReader r(std::move(in).value(), path);
  Decoder dec;
  Record rec;
  MrtWriter w;
  OutputBuffer before;
  JsonFormatter json;
  while (r.Next(&rec)) {
    if (!dec.Decode(rec).ok()) continue;
    switch (dec.kind()) {
      case EntryKind::kPeerIndexTable:
        ASSERT_TRUE(w.WritePeerIndexTable(rec.header.timestamp, dec.peer_index()).ok());
        break;
      case EntryKind::kRib:
        if (!dec.rib().prefix_decoded || dec.rib().safi != bgp::kSafiUnicast) break;
        json.Format(dec, &before);
        ASSERT_TRUE(w.WriteRib(rec.header.timestamp, dec.rib()).ok());
        break;
      case EntryKind::kBgp4mpMessage:
        if (dec.bgp4mp().message.type != bgp::kMsgUpdate) break;
        json.Format(dec, &before);
        ASSERT_TRUE(
            w.WriteBgp4mpUpdate(rec.header.timestamp, rec.header.microseconds, dec.bgp4mp()).ok());
        break;
      default:
        break;
    }
  }
  auto again = test_util::DecodeBytes(w.data(), Format::kJson);
  EXPECT_EQ(again.skipped, 0u);
  std::string a = Normalise(std::string(before.view()));
  std::string b = Normalise(again.text);
  EXPECT_GE(test_util::Lines(a).size(), min_lines);
  EXPECT_EQ(a, b);
}

class WriterRealData : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!test_util::HaveSharedData()) GTEST_SKIP() << "needs ../shared/data (absent)";
  }
};

TEST_F(WriterRealData, TableDumpV2Ipv6RoundTrips) {
  RoundTrip(test_util::SharedData() + "/mrt/pyasn/rib6.20151101.0600_firstMB.bz2", 149000);
}
TEST_F(WriterRealData, TableDumpV2AddPathRoundTrips) {
  RoundTrip(test_util::SharedData() + "/mrt/bgpdump-testdata/bview.ipv4_unicast_add_path.gz", 62);
  RoundTrip(test_util::SharedData() + "/mrt/bgpdump-testdata/bview.ipv6_unicast_add_path.gz", 62);
}
TEST_F(WriterRealData, Bgp4mpUpdatesRoundTrip) {
  RoundTrip(test_util::SharedData() + "/mrt/bgpdump-testdata/updates.20100722.2015.gz", 5000);
  RoundTrip(test_util::SharedData() + "/mrt/libbgpstream-testdata/ris.rrc06.updates.1427846400.gz",
            1500);
}

TEST(MrtWriter, GzipFileReadsBack) {
  const std::string f = ::testing::TempDir() + "/vigia_writer_test.mrt.gz";
  auto w = MrtWriter::Create(f);
  ASSERT_TRUE(w.ok());
  StateChange sc;
  sc.peer_as = 1;
  sc.local_as = 2;
  sc.peer_ip = IpAddress::V4(1);
  sc.local_ip = IpAddress::V4(2);
  sc.old_state = 1;
  sc.new_state = 2;
  for (int i = 0; i < 1000; ++i) ASSERT_TRUE((*w)->WriteStateChange(i, 0, sc).ok());
  ASSERT_TRUE((*w)->Close().ok());
  auto d = test_util::DecodeFile(f, Format::kBgpdumpM);
  EXPECT_EQ(d.records, 1000u);
  EXPECT_EQ(test_util::Lines(d.text)[999], "BGP4MP_ET|999.000000|STATE|0.0.0.1|1|1|2");
}

TEST(MrtWriter, UnwritablePathIsAnIoError) {
  auto w = MrtWriter::Create("/nonexistent-dir/x.mrt");
  ASSERT_FALSE(w.ok());
  EXPECT_EQ(w.status().code(), StatusCode::kIoError);
}

}  // namespace
}  // namespace vigia::mrt
