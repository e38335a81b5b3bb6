#include "peeringdb/peeringdb.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <iterator>

#include "core/test_util.h"

namespace vigia::peeringdb {
namespace {

using test_util::HaveSharedData;
using test_util::SharedData;

std::string Api2016() { return SharedData() + "/peeringdb/pdb-api-20161019"; }
std::string Synthetic() { return SharedData() + "/peeringdb/synthetic-cache-format"; }

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

TEST(PeeringDbNames, TablesFromFileNames) {
  PeeringDb db;
  // The table comes from the name: "-0" page suffix and compression dropped.
  ASSERT_TRUE(db.LoadText(R"({"data":[{"id":5,"ix_id":1}]})", "dir/ixlan-0.json.gz").ok());
  ASSERT_TRUE(db.LoadText(R"({"data":[{"id":9,"name":"X"}]})", "ix.json").ok());
  EXPECT_TRUE(db.loaded(Table::kIxLan));
  EXPECT_TRUE(db.loaded(Table::kIx));
  EXPECT_FALSE(db.loaded(Table::kNet));
  EXPECT_EQ(db.LansOf(1).size(), 1u);
  EXPECT_EQ(db.IxById(9)->name, "X");
  // An API-form file whose name names no table cannot be placed.
  EXPECT_EQ(db.LoadText(R"({"data":[]})", "whatever.json").code(), StatusCode::kInvalidArgument);
}

constexpr char kFullDump[] = R"({
  "fac": {"data": [{"id": 1, "name": "a facility"}]},
  "org": {"data": [{"id": 10, "name": "Example Org", "country": "NL"}]},
  "net": {"data": [{"id": 100, "org_id": 10, "asn": 64500, "name": "Example Net",
                    "irr_as_set": "AS-EXAMPLE", "info_type": "NSP",
                    "social_media": [{"service": "website", "identifier": "x"}]},
                   {"id": 101, "org_id": 10, "asn": 64501, "name": "Gone", "status": "deleted"}]},
  "ix": {"data": [{"id": 7, "org_id": 10, "name": "EX-IX", "country": "NL",
                   "tech_email": "noc@ex-ix.example", "policy_email": ""}]},
  "ixlan": {"data": [{"id": 70, "ix_id": 7, "name": "", "rs_asn": 64999, "mtu": 1500}]},
  "ixpfx": {"data": [{"id": 700, "ixlan_id": 70, "protocol": "IPv4", "prefix": "192.0.2.0/24"},
                     {"id": 701, "ixlan_id": 70, "protocol": "IPv6", "prefix": "2001:db8:7::/64"}]},
  "netixlan": {"data": [{"id": 1000, "net_id": 100, "ixlan_id": 70, "asn": 64500,
                         "ipaddr4": "192.0.2.10", "ipaddr6": "2001:db8:7::a", "speed": 10000,
                         "is_rs_peer": true, "operational": true},
                        {"id": 1001, "net_id": 100, "ix_id": 7, "ixlan_id": 70, "asn": 64500,
                         "ipaddr4": "192.0.2.11", "ipaddr6": null, "speed": 1000,
                         "is_rs_peer": false}]},
  "poc": {"data": [{"id": 5, "net_id": 100, "role": "NOC", "visible": "Public",
                    "name": "NOC", "email": "noc@example.net", "phone": "", "url": ""},
                   {"id": 6, "net_id": 100, "role": "Abuse", "visible": "Public",
                    "name": "", "email": "abuse@example.net", "phone": "+31 20 000 0000"}]}
})";

TEST(PeeringDbFullDump, EveryTableFromOneFile) {
  PeeringDb db;
  ASSERT_TRUE(db.LoadText(kFullDump, "peeringdb_2_dump.json").ok());
  for (Table t : {Table::kNet, Table::kOrg, Table::kIx, Table::kIxLan, Table::kIxPfx,
                  Table::kNetIxLan, Table::kPoc}) {
    EXPECT_TRUE(db.loaded(t)) << TableName(t);
  }
  EXPECT_EQ(db.problem_count(), 0u);
  ASSERT_EQ(db.ignored(), (std::vector<std::string>{"peeringdb_2_dump.json: fac"}));
  EXPECT_EQ(db.stats(Table::kNet).records, 1u);
  EXPECT_EQ(db.stats(Table::kNet).deleted, 1u);
  EXPECT_EQ(db.NetByAsn(64501), nullptr);
  const Net* net = db.NetByAsn(64500);
  ASSERT_NE(net, nullptr);
  EXPECT_EQ(net->irr_as_set, "AS-EXAMPLE");
  EXPECT_EQ(db.OrgById(net->org_id)->country, "NL");

  // Memberships: the first port has no ix_id and is placed through its ixlan.
  auto m = db.MembershipsOf(64500);
  ASSERT_EQ(m.size(), 2u);
  ASSERT_NE(m[0].ix, nullptr);
  EXPECT_EQ(m[0].ix->name, "EX-IX");
  EXPECT_EQ(m[0].port->ipaddr4->ToString(), "192.0.2.10");
  EXPECT_EQ(m[0].port->ipaddr6->ToString(), "2001:db8:7::a");
  EXPECT_TRUE(m[0].port->is_rs_peer);
  EXPECT_EQ(m[0].port->speed, 10000u);
  EXPECT_FALSE(m[1].port->ipaddr6.has_value());
  EXPECT_EQ(db.MemberAsns(7), (std::vector<Asn>{64500}));
  EXPECT_EQ(db.PortsAt(7).size(), 2u);

  // LANs and prefixes.
  auto lans = db.LansOf(7);
  ASSERT_EQ(lans.size(), 1u);
  EXPECT_EQ(lans[0]->rs_asn, 64999u);
  EXPECT_EQ(lans[0]->mtu, 1500u);
  auto pfx = db.PrefixesOf(70);
  ASSERT_EQ(pfx.size(), 2u);
  EXPECT_EQ(pfx[1]->prefix.ToString(), "2001:db8:7::/64");
  const IxPfx* lan = db.LanPrefixOf(*IpAddress::Parse("192.0.2.77"));
  ASSERT_NE(lan, nullptr);
  EXPECT_EQ(lan->id, 700u);
  EXPECT_EQ(db.LanPrefixOf(*IpAddress::Parse("198.51.100.1")), nullptr);
  EXPECT_TRUE(db.IxById(7)->has_tech_email);
  EXPECT_FALSE(db.IxById(7)->has_policy_email);

  // Contacts: presence only.
  auto pocs = db.ContactsOf(64500);
  ASSERT_EQ(pocs.size(), 2u);
  EXPECT_EQ(pocs[0]->role, "NOC");
  EXPECT_TRUE(pocs[0]->has_email);
  EXPECT_FALSE(pocs[0]->has_phone);
  EXPECT_EQ(pocs[1]->role, "Abuse");
  EXPECT_FALSE(pocs[1]->has_name);
  EXPECT_TRUE(pocs[1]->has_phone);
  EXPECT_TRUE(db.ContactsOf(64999).empty());
}

TEST(PeeringDbHostile, BadRecordsAreReportedWithTableAndIndex) {
  PeeringDb db;
  ASSERT_TRUE(db.LoadText(R"({"data": [
      {"id": 1, "net_id": 1, "ixlan_id": 1, "asn": 64500, "ipaddr4": "192.0.2.1"},
      7,
      {"net_id": 1, "ixlan_id": 1, "asn": 64500},
      {"id": "two", "net_id": 1, "ixlan_id": 1, "asn": 64500},
      {"id": 3, "net_id": 1, "ixlan_id": 1, "asn": "AS-X"},
      {"id": 4, "net_id": 1, "ixlan_id": 1, "asn": 64500, "ipaddr4": "2001:db8::1"},
      {"id": 5, "net_id": 1, "ixlan_id": 1, "asn": 64500, "ipaddr6": "not an address"},
      {"id": 1, "net_id": 1, "ixlan_id": 1, "asn": 64501},
      {"id": -6, "net_id": 1, "ixlan_id": 1, "asn": 64500},
      {"id": 7, "net_id": 1, "ixlan_id": 1, "asn": 4294967296},
      {"id": 8, "net_id": 1, "ixlan_id": 1, "asn": "AS64502", "ipaddr4": "", "speed": 1.5}
    ]})",
                          "netixlan.json")
                  .ok());
  EXPECT_EQ(db.stats(Table::kNetIxLan).records, 2u);
  EXPECT_EQ(db.stats(Table::kNetIxLan).skipped, 9u);
  ASSERT_EQ(db.problems().kept().size(), 9u);
  EXPECT_EQ(db.problems().kept()[0].where, "netixlan.json: netixlan[1]");
  EXPECT_EQ(db.problems().kept()[0].message, "record is not an object");
  EXPECT_EQ(db.problems().kept()[1].message, "no \"id\"");
  EXPECT_EQ(db.problems().kept()[6].where, "netixlan.json: netixlan[7]");
  EXPECT_NE(db.problems().kept()[6].message.find("seen before"), std::string::npos);
  EXPECT_EQ(db.MembershipsOf(64502).size(), 1u);
}

TEST(PeeringDbHostile, PrefixesMustParseAndMatchTheirProtocol) {
  PeeringDb db;
  ASSERT_TRUE(db.LoadText(R"({"data": [
      {"id": 1, "ixlan_id": 1, "protocol": "IPv4", "prefix": "192.0.2.0/24"},
      {"id": 2, "ixlan_id": 1, "protocol": "IPv4", "prefix": "2001:db8::/64"},
      {"id": 3, "ixlan_id": 1, "protocol": "IPv4", "prefix": "192.0.2.1/24"},
      {"id": 4, "ixlan_id": 1, "protocol": "IPv6"},
      {"id": 5, "protocol": "IPv6", "prefix": "2001:db8::/64"}
    ]})",
                          "ixpfx.json")
                  .ok());
  EXPECT_EQ(db.ixpfxs().size(), 1u);
  EXPECT_EQ(db.stats(Table::kIxPfx).skipped, 4u);
}

TEST(PeeringDbHostile, BrokenDocuments) {
  {
    // Cut short: simdjson refuses the whole document up front, so nothing
    // half-read is kept, and the message names the file.
    for (std::string_view cut : {R"({"data": [{"id": 1, "name": "a"}, {"id": 2, "na)",
                                 R"({"data": [{"id": 1, "name": "a"}, {"id": 2, )"}) {
      PeeringDb db;
      Status s = db.LoadText(cut, "org.json");
      EXPECT_EQ(s.code(), StatusCode::kCorrupt);
      EXPECT_TRUE(s.message().starts_with("org.json: "));
      EXPECT_TRUE(db.orgs().empty());
    }
  }
  for (std::string_view text :
       {"", "   ", "garbage", "[1,2,3]", "{\"meta\": {}}", "{\"data\": 5", "\xff\xfe{}"}) {
    PeeringDb db;
    EXPECT_FALSE(db.LoadText(text, "net.json").ok()) << text;
    EXPECT_TRUE(db.nets().empty());
  }
  {
    PeeringDb db;  // "data" not an array, tables not objects: problems, not failures
    EXPECT_TRUE(db.LoadText(R"({"data": {"id": 1}})", "net.json").ok());
    EXPECT_TRUE(
        db.LoadText(R"({"net": 5, "ix": {"nodata": []}, "org": {"data": []}})", "d.json").ok());
    EXPECT_EQ(db.problem_count(), 3u);
  }
  {
    PeeringDb db;  // CRLF and odd whitespace are JSON whitespace
    EXPECT_TRUE(
        db.LoadText("{\r\n\"data\":\r\n[{\"id\":1,\"name\":\"a\"}]\r\n}\r\n", "org.json").ok());
    EXPECT_EQ(db.orgs().size(), 1u);
  }
  {
    PeeringDb db;  // over-long strings are cut to the cap
    const std::string big(100000, 'n');
    ASSERT_TRUE(db.LoadText("{\"data\":[{\"id\":1,\"name\":\"" + big + "\"}]}", "org.json").ok());
    EXPECT_EQ(db.orgs()[0].name.size(), kMaxStringBytes);
  }
  PeeringDb db;
  EXPECT_EQ(db.Load("/nonexistent/pdb").code(), StatusCode::kIoError);
  EXPECT_EQ(db.LoadFile("/nonexistent/net.json").code(), StatusCode::kIoError);
}

TEST(PeeringDbHostile, DirectoryWithABrokenTableAndStrangers) {
  const auto dir =
      std::filesystem::temp_directory_path() / ("vigia-pdb-dir-" + std::to_string(getpid()));
  std::filesystem::create_directories(dir);
  std::ofstream(dir / "net.json") << R"({"data": [{"id": 1, "asn": 64500, "name": "ok"}]})";
  std::ofstream(dir / "ix.json") << R"({"data": [{"id": 1, "na)";
  std::ofstream(dir / "notes.txt") << "not json";
  std::ofstream(dir / "other.json") << R"({"hello": "world"})";
  PeeringDb db;
  ASSERT_TRUE(db.Load(dir.string()).ok());
  EXPECT_EQ(db.nets().size(), 1u);
  ASSERT_EQ(db.problems().kept().size(), 1u);
  EXPECT_EQ(db.problems().kept()[0].where, (dir / "ix.json").string());
  EXPECT_TRUE(db.problems().kept()[0].message.starts_with("not PeeringDB JSON"))
      << db.problems().kept()[0].message;
  EXPECT_EQ(db.ignored().size(), 2u);
  std::filesystem::remove_all(dir);
}

TEST(PeeringDbRealData, Api2016Directory) {
  if (!HaveSharedData("peeringdb/pdb-api-20161019")) {
    GTEST_SKIP() << "needs ../shared/data/peeringdb (absent)";
  }
  PeeringDb db;
  ASSERT_TRUE(db.Load(Api2016()).ok());
  // Independently (python3 json.load of each file): 557 ix, 559 ixlan, 793
  // ixpfx (438 IPv4, 355 IPv6), all status "ok"; every ixpfx names a known
  // ixlan and every ixlan a known ix.
  EXPECT_EQ(db.ixs().size(), 557u);
  EXPECT_EQ(db.ixlans().size(), 559u);
  EXPECT_EQ(db.ixpfxs().size(), 793u);
  EXPECT_EQ(db.problem_count(), 0u);
  EXPECT_FALSE(db.loaded(Table::kNet));
  EXPECT_FALSE(db.loaded(Table::kNetIxLan));
  ASSERT_EQ(db.ignored().size(), 1u);  // IXPIP2ASN.json.gz is no PeeringDB table
  EXPECT_NE(db.ignored()[0].find("IXPIP2ASN"), std::string::npos);
  size_t v4 = 0;
  for (const IxPfx& p : db.ixpfxs()) v4 += p.prefix.family() == Family::kIpv4;
  EXPECT_EQ(v4, 438u);
  // Same python pass: ix 1 Equinix Ashburn (US) has ixlan 1 with
  // 2001:504:0:2::/64 and 206.126.236.0/22; LINX LON1 (18) has ixlans 18
  // (195.66.224.0/22, 2001:7f8:4::/64) and 1288 (195.66.230.0/26).
  const Ix* ash = db.IxById(1);
  ASSERT_NE(ash, nullptr);
  EXPECT_EQ(ash->name, "Equinix Ashburn");
  EXPECT_EQ(ash->country, "US");
  auto lans = db.LansOf(1);
  ASSERT_EQ(lans.size(), 1u);
  auto pfx = db.PrefixesOf(lans[0]->id);
  ASSERT_EQ(pfx.size(), 2u);
  EXPECT_EQ(pfx[0]->prefix.ToString(), "2001:504:0:2::/64");
  EXPECT_EQ(pfx[1]->prefix.ToString(), "206.126.236.0/22");
  auto linx = db.LansOf(18);
  ASSERT_EQ(linx.size(), 2u);
  EXPECT_EQ(linx[1]->id, 1288u);
  EXPECT_EQ(db.PrefixesOf(1288)[0]->prefix.ToString(), "195.66.230.0/26");
  const IxPfx* ams = db.LanPrefixOf(*IpAddress::Parse("80.249.209.10"));
  ASSERT_NE(ams, nullptr);
  EXPECT_EQ(db.IxById(db.IxLanById(ams->ixlan_id)->ix_id)->name, "AMS-IX");
}

TEST(PeeringDbRealData, SyntheticCacheDirectoryAndTheSameAsOneDump) {
  if (!HaveSharedData("peeringdb/synthetic-cache-format")) {
    GTEST_SKIP() << "needs ../shared/data/peeringdb (absent)";
  }
  PeeringDb dir;
  ASSERT_TRUE(dir.Load(Synthetic()).ok());
  // Record counts per file (python3 len(json.load(f)["data"])): net 3, org 7,
  // ix 3, ixlan 3, ixpfx 4, netixlan 2, poc 2; six other tables.
  EXPECT_EQ(dir.nets().size(), 3u);
  EXPECT_EQ(dir.orgs().size(), 7u);
  EXPECT_EQ(dir.ixs().size(), 3u);
  EXPECT_EQ(dir.ixlans().size(), 3u);
  EXPECT_EQ(dir.ixpfxs().size(), 4u);
  EXPECT_EQ(dir.netixlans().size(), 2u);
  EXPECT_EQ(dir.pocs().size(), 2u);
  EXPECT_EQ(dir.ignored().size(), 6u);
  EXPECT_EQ(dir.problem_count(), 0u);
  // netixlan-0.json: AS63312 at ix 1 ("ix b7b05aa8"), 206.223.116.101,
  // 2001:504:0:1::65, 1000 Mbit/s, route-server peer; poc-0.json: one
  // Public Abuse contact for net 1 with name, e-mail and phone.
  auto m = dir.MembershipsOf(63312);
  ASSERT_EQ(m.size(), 1u);
  ASSERT_NE(m[0].ix, nullptr);
  EXPECT_EQ(m[0].ix->name, "ix b7b05aa8");
  EXPECT_EQ(m[0].port->ipaddr4->ToString(), "206.223.116.101");
  EXPECT_EQ(m[0].port->ipaddr6->ToString(), "2001:504:0:1::65");
  EXPECT_EQ(m[0].port->speed, 1000u);
  EXPECT_TRUE(m[0].port->is_rs_peer);
  auto pocs = dir.ContactsOf(63312);
  ASSERT_EQ(pocs.size(), 1u);
  EXPECT_EQ(pocs[0]->role, "Abuse");
  EXPECT_EQ(pocs[0]->visible, "Public");
  EXPECT_TRUE(pocs[0]->has_name && pocs[0]->has_email && pocs[0]->has_phone);

  // The same tables wrapped into one full-dump document load the same.
  std::string dump = "{";
  for (const char* t : {"net", "org", "ix", "ixlan", "ixpfx", "netixlan", "poc", "fac"}) {
    if (dump.size() > 1) dump += ",";
    dump += "\"" + std::string(t) + "\":" + ReadFile(Synthetic() + "/" + t + "-0.json");
  }
  dump += "}";
  PeeringDb one;
  ASSERT_TRUE(one.LoadText(dump, "dump.json").ok());
  for (size_t i = 0; i < kTableCount; ++i) {
    const Table t = static_cast<Table>(i);
    EXPECT_EQ(one.stats(t).records, dir.stats(t).records) << TableName(t);
  }
  EXPECT_EQ(one.MembershipsOf(63313).size(), dir.MembershipsOf(63313).size());
  EXPECT_EQ(one.ignored(), (std::vector<std::string>{"dump.json: fac"}));
}

// 1 GiB of zeros in 1 MiB of gzip: refused at kMaxFileBytes with a clear
// error, within bounded memory (it used to take 2.1 GB).
TEST(PeeringDbHostile, GzipBombIsRefusedAtTheDecompressedCap) {
  const bool ran =
      test_util::ExpectGzipBombHandled("net.json.gz", kMaxFileBytes * 2, [](const std::string& f) {
        PeeringDb db;
        return test_util::RefusedNaming(db.Load(f), "kMaxFileBytes");
      });
  if (!ran) GTEST_SKIP() << "needs gzip(1)";
}

}  // namespace
}  // namespace vigia::peeringdb
