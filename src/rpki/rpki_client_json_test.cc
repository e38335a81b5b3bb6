#include "rpki/rpki_client_json.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <tuple>

#include "core/test_util.h"

namespace vigia::rpki {
namespace {

using VrpTuple = std::tuple<Prefix, uint8_t, Asn, std::string>;

std::set<VrpTuple> Tuples(const VrpSet& s) {
  std::set<VrpTuple> out;
  for (const Vrp& v : s.vrps()) {
    out.insert({v.prefix, v.max_length, v.asn, s.trust_anchors()[v.ta]});
  }
  return out;
}

VrpSet Sample() {
  VrpSet s;
  EXPECT_TRUE(s.Add(*Prefix::Parse("192.0.2.0/24"), 24, 64496, "ripe"));
  EXPECT_TRUE(s.Add(*Prefix::Parse("2001:db8::/32"), 48, 4200000000u, "apnic"));
  EXPECT_TRUE(s.Add(*Prefix::Parse("0.0.0.0/0"), 32, 0, "ripe"));
  const Asn p1[] = {64511, 64510};
  const Asn p2[] = {1};
  s.aspas().Add(64496, p1);
  s.aspas().Add(64497, p2);
  s.Build();
  return s;
}

std::string TempPath(const std::string& name) {
  return std::filesystem::temp_directory_path() /
         ("vigia-rpki-json-" + std::to_string(getpid()) + "-" + name);
}

TEST(RpkiClientJson, RoundTripsThroughVrpSetLoading) {
  const VrpSet s = Sample();
  RpkiClientJsonMetadata meta;
  meta.build_time = 1700000000;
  const std::string text = FormatRpkiClientJson(s, meta);
  VrpSet back;
  ASSERT_TRUE(back.LoadText(text, "t.json").ok());
  EXPECT_EQ(back.skipped(), 0u);
  EXPECT_EQ(Tuples(back), Tuples(s));
  EXPECT_TRUE(back.aspas() == s.aspas());
}

TEST(RpkiClientJson, HasTheFieldsRpkiClientWrites) {
  RpkiClientJsonMetadata meta;
  meta.build_time = 1700000000;
  meta.source = "rtr://127.0.0.1:8282";
  meta.rtr_session_id = 4711;
  meta.rtr_serial = 9;
  meta.rtr_version = 2;
  const auto j = nlohmann::json::parse(FormatRpkiClientJson(Sample(), meta));
  EXPECT_EQ(j["metadata"]["buildtime"], "2023-11-14T22:13:20Z");
  EXPECT_EQ(j["metadata"]["generated"], 1700000000);
  EXPECT_EQ(j["metadata"]["vrps"], 3);
  EXPECT_EQ(j["metadata"]["vaps"], 2);
  EXPECT_EQ(j["metadata"]["source"], "rtr://127.0.0.1:8282");
  EXPECT_EQ(j["metadata"]["rtr_session_id"], 4711);
  EXPECT_EQ(j["metadata"]["rtr_serial"], 9);
  EXPECT_EQ(j["metadata"]["rtr_version"], 2);
  const auto& roa = j["roas"][0];
  EXPECT_EQ(roa["asn"], 64496);
  EXPECT_EQ(roa["prefix"], "192.0.2.0/24");
  EXPECT_EQ(roa["maxLength"], 24);
  EXPECT_EQ(roa["ta"], "ripe");
  EXPECT_EQ(j["aspas"][0]["customer_asid"], 64496);
  EXPECT_EQ(j["aspas"][0]["providers"], nlohmann::json::parse("[64510, 64511]"));
  EXPECT_TRUE(j["bgpsec_keys"].empty());
  EXPECT_FALSE(j.contains("provider_authorizations"));
}

TEST(RpkiClientJson, LegacyAspaFormForStayRtr) {
  RpkiClientJsonMetadata meta;
  meta.legacy_aspa = true;
  const std::string text = FormatRpkiClientJson(Sample(), meta);
  const auto j = nlohmann::json::parse(text);
  EXPECT_EQ(j["provider_authorizations"]["ipv4"][1]["customer_asid"], 64497);
  EXPECT_EQ(j["provider_authorizations"]["ipv6"].size(), 2u);
  // Both forms together still load to the same ASPAs.
  VrpSet back;
  ASSERT_TRUE(back.LoadText(text, "t.json").ok());
  EXPECT_TRUE(back.aspas() == Sample().aspas());
}

TEST(RpkiClientJson, SnapshotIsWrittenWithTrustAnchorRtrAndRouterKeys) {
  rtr::RtrSnapshot snap;
  snap.version = 1;
  snap.session_id = 3;
  snap.serial = 77;
  snap.synced_at = std::chrono::system_clock::from_time_t(1700000000);
  snap.vrps.push_back({*Prefix::Parse("198.51.100.0/24"), 24, 64500, 0});
  snap.aspas.push_back({64500, false, {1, 2}});
  snap.aspas.push_back({64500, true, {3}});
  rtr::RouterKey key;
  key.asn = 64500;
  key.ski.fill(0xAB);
  key.spki = {'f', 'o', 'o', 'b', 'a', 'r', 'x'};
  snap.router_keys.push_back(key);
  const auto j = nlohmann::json::parse(FormatRpkiClientJson(snap, "rtr://[::1]:323"));
  EXPECT_EQ(j["roas"][0]["ta"], "rtr");
  EXPECT_EQ(j["metadata"]["rtr_serial"], 77);
  EXPECT_EQ(j["metadata"]["source"], "rtr://[::1]:323");
  EXPECT_EQ(j["aspas"][0]["providers"], nlohmann::json::parse("[1, 2, 3]"));
  EXPECT_EQ(j["bgpsec_keys"][0]["asn"], 64500);
  std::string ski;
  for (int i = 0; i < 20; ++i) ski += "ab";
  EXPECT_EQ(j["bgpsec_keys"][0]["ski"], ski);
  EXPECT_EQ(j["bgpsec_keys"][0]["pubkey"], "Zm9vYmFyeA==");
}

TEST(RpkiClientJson, Base64PaddingForEveryRemainder) {
  rtr::RtrSnapshot snap;
  for (const auto& [in, want] : std::vector<std::pair<std::string, std::string>>{
           {"f", "Zg=="}, {"fo", "Zm8="}, {"foo", "Zm9v"}, {"", ""}}) {
    snap.router_keys.assign(1, rtr::RouterKey{1, {}, std::vector<uint8_t>(in.begin(), in.end())});
    const auto j = nlohmann::json::parse(FormatRpkiClientJson(snap, ""));
    EXPECT_EQ(j["bgpsec_keys"][0]["pubkey"], want) << in;
  }
}

TEST(RpkiClientJson, StringsAreEscaped) {
  VrpSet s;
  ASSERT_TRUE(s.Add(*Prefix::Parse("192.0.2.0/24"), 24, 1, "odd \"ta\"\\\n"));
  RpkiClientJsonMetadata meta;
  meta.source = "a\tb";
  const auto j = nlohmann::json::parse(FormatRpkiClientJson(s, meta));
  EXPECT_EQ(j["roas"][0]["ta"], "odd \"ta\"\\\n");
  EXPECT_EQ(j["metadata"]["source"], "a\tb");
}

TEST(RpkiClientJson, EmptySetIsValidJson) {
  const auto j = nlohmann::json::parse(FormatRpkiClientJson(VrpSet(), {}));
  EXPECT_TRUE(j["roas"].empty());
  EXPECT_TRUE(j["aspas"].empty());
}

TEST(WriteFileAtomically, ReplacesWholeAndLeavesNoTemporary) {
  const std::string path = TempPath("atomic.json");
  ASSERT_TRUE(WriteFileAtomically(path, "first").ok());
  ASSERT_TRUE(WriteFileAtomically(path, "second").ok());
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  EXPECT_EQ(ss.str(), "second");
  for (const auto& e :
       std::filesystem::directory_iterator(std::filesystem::path(path).parent_path())) {
    EXPECT_EQ(e.path().string().find(path + ".tmp"), std::string::npos) << e.path();
  }
  std::filesystem::remove(path);
}

TEST(WriteFileAtomically, UnwritableDirectoryIsAnIoError) {
  Status s = WriteFileAtomically("/nonexistent-dir/x.json", "x");
  EXPECT_EQ(s.code(), StatusCode::kIoError);
  EXPECT_NE(s.message().find("/nonexistent-dir/x.json"), std::string::npos);
}

TEST(RpkiClientJsonRealData, StayRtrSampleRoundTrips) {
  if (!test_util::HaveSharedData("rpki/samples/stayrtr-test.rpki-client.json")) {
    GTEST_SKIP() << "needs ../shared/data (absent)";
  }
  VrpSet s;
  ASSERT_TRUE(
      s.LoadFile(test_util::SharedData() + "/rpki/samples/stayrtr-test.rpki-client.json").ok());
  const std::string path = TempPath("sample.json");
  ASSERT_TRUE(WriteFileAtomically(path, FormatRpkiClientJson(s, {})).ok());
  VrpSet back;
  ASSERT_TRUE(back.LoadFile(path).ok());
  std::filesystem::remove(path);
  EXPECT_EQ(back.size(), 19u);
  EXPECT_EQ(Tuples(back), Tuples(s));
  EXPECT_EQ(back.aspas().size(), s.aspas().size());
  EXPECT_TRUE(back.aspas() == s.aspas());
}

}  // namespace
}  // namespace vigia::rpki
