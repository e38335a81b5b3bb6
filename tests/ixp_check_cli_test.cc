// `vigia ixp check` run as an operator would: on the real NL-ix route-server
// dump of the MANRS IXP validation tool's tests (23 routes under
// 185.186.0.0/16, 2020-10-08, a client's session with the route server),
// with the members written here from the dump's next hops, the VRPs of that
// tool's test and the real (partial) VRP sets of ../shared/data; on BIRD's
// and OpenBGPD's own RIB dumps; and on hostile inputs.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "core/test_util.h"
#include "store/store.h"

namespace vigia {
namespace {

using test_util::RunCommand;
using test_util::Vigia;

std::string Nlix() { return test_util::SharedData() + "/mrt/ixp-rs/185.186.nlix.mrt.gz"; }
std::string Rpki(const std::string& f) { return test_util::SharedData() + "/rpki/samples/" + f; }

// The ten networks whose routes the NL-ix route server sent in the dump,
// each at the next hop its routes carry (`vigia mrt dump -m` of the dump).
constexpr const char* kNlixClients =
    "clients:\n"
    "  - {asn: 8529, ip: \"193.239.118.210\"}\n"
    "  - {asn: 58299, ip: \"193.239.118.73\"}\n"
    "  - {asn: 3216, ip: \"193.239.118.254\"}\n"
    "  - {asn: 6939, ip: \"193.239.116.14\"}\n"
    "  - {asn: 50673, ip: \"193.239.116.25\"}\n"
    "  - {asn: 43350, ip: \"193.239.116.142\"}\n"
    "  - {asn: 286, ip: \"193.239.118.38\"}\n"
    "  - {asn: 25369, ip: \"193.239.118.199\"}\n"
    "  - {asn: 8368, ip: \"193.239.117.9\"}\n"
    "  - {asn: 9009, ip: \"193.239.118.115\"}\n";

class IxpCheckCli : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("vigia-ixp-check-" + std::to_string(getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::create_directories(dir_);
    members_ = Write("clients.yml", kNlixClients);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::string Write(const std::string& name, const std::string& text) {
    const std::string path = (dir_ / name).string();
    std::ofstream(path, std::ios::binary) << text;
    return path;
  }
  // Runs vigia with args; stdout back, exit code in *code.
  std::string Run(const std::string& args, int* code) {
    int rc = 0;
    std::string out = RunCommand(Vigia() + " " + args + " 2>" + (dir_ / "err").string(), &rc);
    *code = test_util::Exit(rc);
    return out;
  }
  std::string Err() { return test_util::ReadText(dir_ / "err"); }
  nlohmann::json Json(const std::string& args, int* code) {
    const std::string out = Run(args + " --json", code);
    auto j = nlohmann::json::parse(out, nullptr, false);
    EXPECT_FALSE(j.is_discarded()) << out;
    return j;
  }
  bool NeedData() {
    if (!test_util::HaveSharedData("mrt/ixp-rs/185.186.nlix.mrt.gz")) return false;
    return true;
  }
  std::filesystem::path dir_;
  std::string members_;
};

#define NEED_DATA()                                                             \
  if (!NeedData())                                                              \
  GTEST_SKIP() << "needs ../shared/data/mrt/ixp-rs (absent: VIGIA_SHARED_DATA=" \
               << test_util::SharedData() << ")"

TEST_F(IxpCheckCli, Help) {
  int code = 0;
  const std::string out = Run("ixp check --help", &code);
  EXPECT_EQ(code, 0);
  for (const char* flag :
       {"--members", "--overrides", "--vrps", "--irr", "--bogons", "--rs-asn", "--json", "--db",
        "--ixp", "--irr-allow-more-specific", "--irr-prefix-origin", "Exit status"})
    EXPECT_NE(out.find(flag), std::string::npos) << flag;
}

// The MANRS tool's own integration test on this file, with its roa_test.json:
// "Processed 23 MRT entries, 5 ROAs, found 1 RPKI invalid entries", the
// invalid being 185.186.79.0/24 from AS136258 via AS9009, covered by
// 185.186.79.0/24 AS64496 max 28 and AS64497 max 24. Vigía finds the same,
// and nothing else: every other rule holds for the 23 routes.
TEST_F(IxpCheckCli, NlixDumpAgreesWithTheManrsToolsTest) {
  NEED_DATA();
  int code = 0;
  nlohmann::json j = Json("ixp check " + Nlix() + " --members " + members_ + " --vrps " +
                              Rpki("manrs-ixp-roa_test.json"),
                          &code);
  EXPECT_EQ(code, 1);
  EXPECT_EQ(j["rib"]["format"], "TABLE_DUMP_V2");
  EXPECT_EQ(j["rib"]["date"], "2020-10-08");
  EXPECT_EQ(j["rib"]["routes"], 23);
  EXPECT_EQ(j["rib"]["peers"], 1);
  ASSERT_EQ(j["rib"]["route_server_peers"].size(), 1u);
  EXPECT_EQ(j["rib"]["route_server_peers"][0]["peer"], "193.239.116.255");
  EXPECT_EQ(j["rib"]["route_server_peers"][0]["asn"], 34307);
  EXPECT_EQ(j["members"]["format"], "arouteserver");
  EXPECT_EQ(j["members"]["count"], 10);
  EXPECT_EQ(j["inputs"]["vrps"]["count"], 5);  // the sixth has maxLength 64 on an IPv4 /24
  EXPECT_TRUE(j["inputs"]["vrps"]["date"].is_null());
  EXPECT_EQ(j["summary"]["routes"], 23);
  EXPECT_EQ(j["summary"]["accepted_bad"], 1);
  EXPECT_EQ(j["summary"]["members"], 10);
  EXPECT_EQ(j["summary"]["members_with_bad"], 1);
  EXPECT_EQ(j["summary"]["not_checked"], nlohmann::json::array({"irr"}));
  nlohmann::json expected = {
      {"prefix_too_long", 0},   {"prefix_too_short", 0},  {"bogon", 0},
      {"bogon_asn", 0},         {"as_path_too_long", 0},  {"as_path_too_short", 0},
      {"first_as_not_peer", 0}, {"next_hop_not_peer", 0}, {"rpki_invalid", 1},
      {"transit_free_asn", 0}};
  EXPECT_EQ(j["summary"]["by_reason"], expected);
  EXPECT_TRUE(j["unknown_peers"].empty());
  // Routes per member, as the next hops give them.
  std::map<int, int> routes;
  for (const auto& m : j["per_member"]) routes[m["asn"]] = m["routes"];
  EXPECT_EQ(routes, (std::map<int, int>{{286, 1},
                                        {3216, 3},
                                        {6939, 7},
                                        {8368, 1},
                                        {8529, 3},
                                        {9009, 1},
                                        {25369, 2},
                                        {43350, 1},
                                        {50673, 3},
                                        {58299, 1}}));
  for (const auto& m : j["per_member"]) {
    if (m["asn"] != 9009) continue;
    ASSERT_EQ(m["bad_routes"].size(), 1u);
    const auto& b = m["bad_routes"][0];
    EXPECT_EQ(b["prefix"], "185.186.79.0/24");
    EXPECT_EQ(b["as_path"], "9009 136258");
    EXPECT_EQ(b["next_hop"], "193.239.118.115");
    EXPECT_EQ(b["peer"], "193.239.116.255");
    EXPECT_EQ(b["reasons"], nlohmann::json::array({"rpki_invalid"}));
    EXPECT_NE(b["detail"].get<std::string>().find("185.186.79.0/24-28 AS64496"), std::string::npos);
    EXPECT_NE(b["detail"].get<std::string>().find("185.186.79.0/24-24 AS64497"), std::string::npos);
  }

  // The text report: the summary, the member's line, the route.
  const std::string text = Run("ixp check " + Nlix() + " --members " + members_ + " --vrps " +
                                   Rpki("manrs-ixp-roa_test.json"),
                               &code);
  EXPECT_EQ(code, 1);
  EXPECT_NE(text.find("23 routes of 10 members checked: 1 accepted that should not have been"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("by reason: rpki_invalid 1"), std::string::npos) << text;
  EXPECT_NE(text.find("AS9009: 1 of 1 routes bad (rpki_invalid 1)"), std::string::npos) << text;
  EXPECT_NE(text.find("185.186.79.0/24 path 9009 136258"), std::string::npos) << text;
}

// Without VRPs or IRR data those rules are "not checked", never clean.
TEST_F(IxpCheckCli, RulesWithoutDataAreNotChecked) {
  NEED_DATA();
  int code = 0;
  nlohmann::json j = Json("ixp check " + Nlix() + " --members " + members_, &code);
  EXPECT_EQ(code, 0);
  EXPECT_EQ(j["summary"]["accepted_bad"], 0);
  EXPECT_EQ(j["summary"]["not_checked"], nlohmann::json::array({"rpki", "irr"}));
  EXPECT_FALSE(j["summary"]["by_reason"].contains("rpki_invalid"));
  EXPECT_FALSE(j["summary"]["by_reason"].contains("irr_origin"));
  EXPECT_TRUE(j["inputs"]["vrps"].is_null());
  const std::string text = Run("ixp check " + Nlix() + " --members " + members_, &code);
  EXPECT_NE(text.find("NOT checked (no data): rpki, irr"), std::string::npos) << text;
}

// The real VRP sets of ../shared/data: none is of 2020-10 (the closest is
// rpki-client's of 2021-07-21, one VRP left; AFRINIC's ~2022-01 states no
// date), so the report says how far each is from the RIB; none covers
// 185.186.0.0/16, so nothing is invalid.
TEST_F(IxpCheckCli, RealVrpsAreDatedAgainstTheRib) {
  NEED_DATA();
  if (!test_util::HaveSharedData("rpki/samples/afrinic-roas-validator-export.csv"))
    GTEST_SKIP() << "needs ../shared/data/rpki/samples";
  int code = 0;
  nlohmann::json j = Json("ixp check " + Nlix() + " --members " + members_ + " --vrps " +
                              Rpki("arouteserver-rpki-client-expired.json"),
                          &code);
  EXPECT_EQ(code, 0);
  EXPECT_EQ(j["inputs"]["vrps"]["date"], "2021-07-21");
  EXPECT_EQ(j["inputs"]["vrps"]["count"], 1);
  EXPECT_EQ(j["summary"]["by_reason"]["rpki_invalid"], 0);
  ASSERT_EQ(j["warnings"].size(), 1u);
  EXPECT_NE(j["warnings"][0].get<std::string>().find("286 days after the RIB (2020-10-08)"),
            std::string::npos)
      << j["warnings"];

  j = Json("ixp check " + Nlix() + " --members " + members_ + " --vrps " +
               Rpki("afrinic-roas-validator-export.csv"),
           &code);
  EXPECT_EQ(code, 0);
  EXPECT_EQ(j["inputs"]["vrps"]["count"], 4372);
  EXPECT_TRUE(j["inputs"]["vrps"]["date"].is_null());
  EXPECT_EQ(j["summary"]["accepted_bad"], 0);
  ASSERT_EQ(j["warnings"].size(), 1u);
  EXPECT_NE(j["warnings"][0].get<std::string>().find("VRPs states no date"), std::string::npos);
}

// IRR on the RIPE route sample of 2016: no route object there covers
// 185.186.0.0/16, and the members (no as-set given: their own ASN) are the
// origin of none of the 23 routes, so every route fails both IRR rules.
TEST_F(IxpCheckCli, IrrWithoutRouteObjectsFailsEveryRoute) {
  NEED_DATA();
  int code = 0;
  nlohmann::json j = Json("ixp check " + Nlix() + " --members " + members_ + " --irr " +
                              test_util::SharedData() + "/irr/ripe-db-sample/ripe-db-route.txt",
                          &code);
  EXPECT_EQ(code, 1);
  EXPECT_EQ(j["summary"]["accepted_bad"], 23);
  EXPECT_EQ(j["summary"]["by_reason"]["irr_prefix"], 23);
  EXPECT_EQ(j["summary"]["by_reason"]["irr_origin"], 23);
  EXPECT_FALSE(j["summary"]["by_reason"].contains("prefix_not_in_origin"));  // --irr-prefix-origin
  EXPECT_EQ(j["summary"]["not_checked"], nlohmann::json::array({"rpki"}));
  EXPECT_EQ(j["inputs"]["irr"].size(), 1u);
}

// A member missing from the file: its routes are listed under the peer
// they came from. A member at another address: its routes are given by
// first AS and break the next-hop rule (RFC 7948 §4.8).
TEST_F(IxpCheckCli, UnknownPeersAndWrongNextHops) {
  NEED_DATA();
  std::string clients = kNlixClients;
  clients.erase(clients.find("  - {asn: 6939"),
                std::string("  - {asn: 6939, ip: \"193.239.116.14\"}\n").size());
  clients.replace(clients.find("193.239.118.210"), 15, "193.239.118.211");
  const std::string members = Write("other.yml", clients);
  int code = 0;
  nlohmann::json j = Json("ixp check " + Nlix() + " --members " + members, &code);
  EXPECT_EQ(code, 1);
  EXPECT_EQ(j["summary"]["routes"], 16);
  ASSERT_EQ(j["unknown_peers"].size(), 1u);
  EXPECT_EQ(j["unknown_peers"][0]["peer"], "193.239.116.255");
  EXPECT_EQ(j["unknown_peers"][0]["asn"], 34307);
  EXPECT_EQ(j["unknown_peers"][0]["routes"], 7);
  EXPECT_EQ(j["summary"]["by_reason"]["next_hop_not_peer"], 3);
  EXPECT_EQ(j["summary"]["accepted_bad"], 3);
}

// An overrides file replaces a member's fields: AS8529 moved to another
// address, so its three routes' next hop is no longer its own.
TEST_F(IxpCheckCli, OverridesApply) {
  NEED_DATA();
  const std::string ov =
      Write("overrides.yml", "clients:\n  - asn: 8529\n    ip: \"193.239.118.211\"\n");
  int code = 0;
  nlohmann::json j =
      Json("ixp check " + Nlix() + " --members " + members_ + " --overrides " + ov, &code);
  EXPECT_EQ(code, 1);
  EXPECT_EQ(j["summary"]["routes"], 23);
  EXPECT_EQ(j["summary"]["accepted_bad"], 3);
  EXPECT_EQ(j["summary"]["by_reason"]["next_hop_not_peer"], 3);
  Run("ixp check " + Nlix() + " --members " + members_ + " --overrides " +
          (dir_ / "none.yml").string(),
      &code);
  EXPECT_EQ(code, 2);
  EXPECT_NE(Err().find("none.yml"), std::string::npos) << Err();
}

// An IX-F export (members dated) works the same.
TEST_F(IxpCheckCli, IxfMembers) {
  NEED_DATA();
  const std::string ixf = Write("ixf.json",
                                R"({"version": "1.0", "timestamp": "2020-10-08T00:00:00Z",
 "ixp_list": [{"ixp_id": 1, "shortname": "NL-ix", "vlan": [{"id": 1}]}],
 "member_list": [
  {"asnum": 8529, "name": "Omantel", "connection_list": [{"ixp_id": 1, "vlan_list": [{"vlan_id": 1, "ipv4": {"address": "193.239.118.210"}}]}]},
  {"asnum": 9009, "name": "M247", "connection_list": [{"ixp_id": 1, "vlan_list": [{"vlan_id": 1, "ipv4": {"address": "193.239.118.115"}}]}]}]})");
  int code = 0;
  nlohmann::json j = Json(
      "ixp check " + Nlix() + " --members " + ixf + " --vrps " + Rpki("manrs-ixp-roa_test.json"),
      &code);
  EXPECT_EQ(code, 1);
  EXPECT_EQ(j["members"]["format"], "ixf");
  EXPECT_EQ(j["members"]["date"], "2020-10-08");
  EXPECT_EQ(j["summary"]["routes"], 4);
  EXPECT_EQ(j["unknown_peers"][0]["routes"], 19);
  EXPECT_EQ(j["per_member"][1]["name"], "M247");
  EXPECT_EQ(j["per_member"][1]["by_reason"]["rpki_invalid"], 1);
}

// BIRD's TABLE_DUMP_V2 (its static routes as peer AS 0, ADD-PATH entries) and OpenBGPD's
// TABLE_DUMP v1 samples of mrtparse: lab RIBs full of private space.
TEST_F(IxpCheckCli, BirdAndOpenBgpdDumps) {
  if (!test_util::HaveSharedData("mrt/mrtparse-samples/bird-mrtdump_rib"))
    GTEST_SKIP() << "needs ../shared/data/mrt/mrtparse-samples";
  const std::string m = Write("lab.yml",
                              "clients:\n  - asn: 65000\n    ip: [\"192.168.0.10\", "
                              "\"192.168.1.10\", \"2001:db8:0:1::10\"]\n");
  const std::string dir = test_util::SharedData() + "/mrt/mrtparse-samples/";
  int code = 0;
  nlohmann::json j = Json("ixp check " + dir + "bird-mrtdump_rib --members " + m, &code);
  EXPECT_EQ(code, 1);
  EXPECT_EQ(j["rib"]["format"], "TABLE_DUMP_V2");
  // Two periodic dumps a minute apart in one file: the second is judged.
  EXPECT_EQ(j["rib"]["dumps_replaced"], 1);
  EXPECT_EQ(j["rib"]["routes"], 9);
  EXPECT_EQ(j["rib"]["local_routes"], 3);
  EXPECT_EQ(j["summary"]["routes"], 6);
  EXPECT_EQ(j["summary"]["by_reason"]["bogon"], 6);
  EXPECT_EQ(j["summary"]["by_reason"]["bogon_asn"], 6);

  j = Json("ixp check " + dir + "openbgpd_rib_table --members " + m, &code);
  EXPECT_EQ(code, 1);
  EXPECT_EQ(j["rib"]["format"], "TABLE_DUMP");
  EXPECT_EQ(j["rib"]["routes"], 31);
  EXPECT_EQ(j["summary"]["routes"], 31);
  EXPECT_EQ(j["summary"]["by_reason"]["bogon"], 31);
  EXPECT_EQ(j["summary"]["by_reason"]["as_path_too_short"], 29);
}

// --db URL --ixp ID keeps the report; the newest is the IXP's.
TEST_F(IxpCheckCli, StoresTheReport) {
  NEED_DATA();
  const std::string db = (dir_ / "vigia.db").string();
  int code = 0;
  nlohmann::json printed = Json("ixp check " + Nlix() + " --members " + members_ + " --vrps " +
                                    Rpki("manrs-ixp-roa_test.json") + " --db " + db + " --ixp 18",
                                &code);
  EXPECT_EQ(code, 1);
  EXPECT_NE(Err().find("report stored in"), std::string::npos) << Err();
  auto st = store::Store::Open(db);
  ASSERT_TRUE(st.ok()) << st.status().message();
  auto row = (*st)->LatestRsCheck("18");
  ASSERT_TRUE(row.ok());
  ASSERT_TRUE(row->has_value());
  EXPECT_EQ((*row)->rib_file, Nlix());
  EXPECT_EQ((*row)->rib_date, "2020-10-08");
  EXPECT_EQ(nlohmann::json::parse((*row)->report_json), printed);
  EXPECT_FALSE((*st)->LatestRsCheck("19")->has_value());

  Run("ixp check " + Nlix() + " --members " + members_ + " --db " + db, &code);
  EXPECT_EQ(code, 2);  // --db without --ixp
  EXPECT_NE(Err().find("--db and --ixp go together"), std::string::npos);
}

TEST_F(IxpCheckCli, HostileInputs) {
  NEED_DATA();
  int code = 0;
  // A truncated RIB: what could be read is judged, but never reported clean.
  const std::string plain = (dir_ / "nlix.mrt").string();
  RunCommand("gzip -dc " + Nlix() + " > " + plain);
  const std::string whole = test_util::ReadText(plain);
  ASSERT_GT(whole.size(), 1000u);
  const std::string cut = Write("cut.mrt", whole.substr(0, whole.size() - 40));
  nlohmann::json j = Json("ixp check " + cut + " --members " + members_, &code);
  EXPECT_EQ(code, 2);
  EXPECT_EQ(j["rib"]["routes"], 22);
  ASSERT_FALSE(j["warnings"].empty());
  EXPECT_NE(j["warnings"].back().get<std::string>().find("the RIB is damaged"), std::string::npos);
  EXPECT_NE(Err().find("cut.mrt"), std::string::npos) << Err();
  // ... but bad routes in it are still reported (exit 1).
  Json("ixp check " + cut + " --members " + members_ + " --vrps " + Rpki("manrs-ixp-roa_test.json"),
       &code);
  EXPECT_EQ(code, 2);  // the invalid route was in the cut tail
  // The peer index (444 bytes) and one route of three hops.
  const std::string cut2 = Write("cut2.mrt", whole.substr(0, 700));
  j = Json("ixp check " + cut2 + " --members " + members_ + " --max-as-path 2", &code);
  EXPECT_EQ(code, 1);
  EXPECT_EQ(j["summary"]["by_reason"]["as_path_too_long"], 1);

  // Garbage, an empty file, a missing file: exit 2 naming the file.
  const std::string garbage = Write("garbage.mrt", std::string(5000, '\x7f'));
  Run("ixp check " + garbage + " --members " + members_, &code);
  EXPECT_EQ(code, 2);
  EXPECT_NE(Err().find("garbage.mrt"), std::string::npos) << Err();
  const std::string empty = Write("empty.mrt", "");
  Run("ixp check " + empty + " --members " + members_, &code);
  EXPECT_EQ(code, 2);
  Run("ixp check " + (dir_ / "absent.mrt").string() + " --members " + members_, &code);
  EXPECT_EQ(code, 2);
  EXPECT_NE(Err().find("absent.mrt"), std::string::npos) << Err();

  // Members: empty, garbage, none listed.
  for (const char* text : {"", "\x01\x02\x03 not a members file {[", "clients: []\n"}) {
    const std::string m = Write("m.yml", text);
    Run("ixp check " + Nlix() + " --members " + m, &code);
    EXPECT_EQ(code, 2) << text;
    EXPECT_NE(Err().find("m.yml"), std::string::npos) << Err();
  }
  // Usage: no members, a bad VRP file.
  Run("ixp check " + Nlix(), &code);
  EXPECT_EQ(code, 2);
  Run("ixp check " + Nlix() + " --members " + members_ + " --vrps " + garbage, &code);
  EXPECT_EQ(code, 2);
  EXPECT_NE(Err().find("garbage.mrt"), std::string::npos) << Err();
}

}  // namespace
}  // namespace vigia
