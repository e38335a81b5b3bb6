#include "ixp/members.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "core/test_util.h"

namespace vigia::ixp {
namespace {

using test_util::HaveSharedData;
using test_util::SharedData;

IpAddress Ip(const char* s) { return *IpAddress::Parse(s); }

constexpr char kIxf[] = R"({
  "version": "1.0", "timestamp": "2024-03-01T10:00:00Z",
  "ixp_list": [{"ixp_id": 1, "shortname": "LAB-IX"}, {"ixp_id": 2, "shortname": "OTHER"}],
  "member_list": [
    {"asnum": 64500, "name": "Two",
     "connection_list": [{"ixp_id": 1, "vlan_list": [
        {"vlan_id": 1, "ipv4": {"address": "192.0.2.2", "as_macro": "as-two", "max_prefix": 10},
                       "ipv6": {"address": "2001:DB8::2", "as_macro": "RIPE::AS-TWO", "max_prefix": 5}}]},
       {"ixp_id": 2, "vlan_list": [{"ipv4": {"address": "198.51.100.2"}}]}]},
    {"asnum": 64499, "connection_list": [{"ixp_id": 1, "vlan_list": [
        {"ipv4": {"address": "192.0.2.1", "routeserver": true}},
        {"ipv6": {"address": "2001:db8::1", "routeserver": false}}]}]},
    {"asnum": 0, "connection_list": []},
    {"asnum": 23456, "connection_list": []},
    {"asnum": "x"},
    {"asnum": 64501, "connection_list": [{"ixp_id": 1, "vlan_list": [
        {"ipv4": {"address": "not-an-ip", "as_macro": "AS-$BAD"}}]}]}
  ]})";

TEST(IxfMembers, MergesFamiliesAndNormalizesAsSets) {
  ProblemLog problems;
  auto list = ParseMembers(kIxf, "t.json", &problems);
  ASSERT_TRUE(list.ok()) << list.status().ToString();
  EXPECT_EQ(list->format, MemberFormat::kIxf);
  EXPECT_EQ(list->date, "2024-03-01");
  ASSERT_EQ(list->members.size(), 2u);
  // Sorted by ASN.
  EXPECT_EQ(list->members[0].asn, 64499u);
  const Member& two = list->members[1];
  EXPECT_EQ(two.name, "Two");
  // Both exchanges taken when none is named: three addresses, sorted.
  ASSERT_EQ(two.addresses.size(), 3u);
  EXPECT_EQ(two.addresses[0], Ip("192.0.2.2"));
  EXPECT_EQ(two.addresses[1], Ip("198.51.100.2"));
  EXPECT_EQ(two.addresses[2], Ip("2001:db8::2"));
  // Upper-cased, "RIPE::" dropped, merged.
  EXPECT_EQ(two.as_sets, std::vector<std::string>{"AS-TWO"});
  EXPECT_EQ(two.max_prefix4, 10u);
  EXPECT_EQ(two.max_prefix6, 5u);
  // routeserver:false is not a route-server address.
  EXPECT_EQ(list->members[0].addresses, std::vector<IpAddress>{Ip("192.0.2.1")});
  EXPECT_FALSE(list->members[0].max_prefix4);
  // AS0, AS_TRANS, a bad asnum and a member with no usable address.
  EXPECT_EQ(list->skipped, 4u);
  EXPECT_GE(problems.count(), 6u);  // + bad address, bad as-set
}

TEST(IxfMembers, IxSelectsOneExchange) {
  ProblemLog problems;
  auto list = ParseMembers(kIxf, "t.json", &problems, "lab-ix");
  ASSERT_TRUE(list.ok());
  EXPECT_EQ(list->ixp_name, "LAB-IX");
  const Member* two = FindMember(*list, 64500);
  ASSERT_NE(two, nullptr);
  EXPECT_EQ(two->addresses.size(), 2u);
  EXPECT_EQ(ParseMembers(kIxf, "t.json", &problems, "nope").status().code(), StatusCode::kNotFound);
}

TEST(MemberLookups, ByAsnAndByAddress) {
  ProblemLog problems;
  auto list = ParseMembers(kIxf, "t.json", &problems);
  ASSERT_TRUE(list.ok());
  EXPECT_EQ(FindMember(*list, 64500)->asn, 64500u);
  EXPECT_EQ(FindMember(*list, 1), nullptr);
  EXPECT_EQ(FindMemberByAddress(*list, Ip("2001:db8::2"))->asn, 64500u);
  EXPECT_EQ(FindMemberByAddress(*list, Ip("192.0.2.1"))->asn, 64499u);
  EXPECT_EQ(FindMemberByAddress(*list, Ip("192.0.2.99")), nullptr);
}

constexpr char kClients[] =
    R"(# Data fetched from https://example.net/ixf at 2017-09-05T18:08:42.386675 UTC
clients:
- asn: 42
  description: PCH
  cfg:
    filtering:
      irrdb:
        as_sets:
        - AS-PCH
      max_prefix:
        limit_ipv4: 600
        limit_ipv6: 300
  ip: 193.178.185.27
- asn: 42
  ip: [2001:7F8:19:1::2a:1, 193.178.185.27]
- asn: 112
  ip: 193.178.185.27
- asn: 113
- asn: -5
  ip: 10.0.0.1
- just a string
)";

TEST(ArouteserverMembers, OneMemberPerAsnAndAddressOwnership) {
  ProblemLog problems;
  auto list = ParseMembers(kClients, "c.yml", &problems);
  ASSERT_TRUE(list.ok()) << list.status().ToString();
  EXPECT_EQ(list->format, MemberFormat::kArouteserver);
  EXPECT_EQ(list->date, "2017-09-05");
  const Member* pch = FindMember(*list, 42);
  ASSERT_NE(pch, nullptr);
  EXPECT_EQ(pch->name, "PCH");
  EXPECT_EQ(pch->addresses.size(), 2u);  // the repeated v4 address counted once
  EXPECT_EQ(pch->as_sets, std::vector<std::string>{"AS-PCH"});
  EXPECT_EQ(pch->max_prefix4, 600u);
  EXPECT_EQ(pch->max_prefix6, 300u);
  // AS112 claims PCH's address: it keeps nothing but stays listed with no
  // address; the problem log says why.
  const Member* as112 = FindMember(*list, 112);
  ASSERT_NE(as112, nullptr);
  EXPECT_TRUE(as112->addresses.empty());
  EXPECT_EQ(list->skipped, 3u);  // no ip, negative asn, not a mapping
  bool saw_owner = false;
  for (const LoadProblem& p : problems)
    if (p.message.find("already belongs to AS42") != std::string::npos) saw_owner = true;
  EXPECT_TRUE(saw_owner);
}

TEST(ArouteserverMembers, YamlErrorsNameTheLine) {
  ProblemLog problems;
  auto bad = ParseMembers("clients:\n- asn: 1\n  ip: [1.2.3.4\n", "bad.yml", &problems);
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("bad.yml: line"), std::string::npos)
      << bad.status().message();
  EXPECT_EQ(ParseMembers("foo: bar\n", "x.yml", &problems).status().code(), StatusCode::kCorrupt);
  EXPECT_EQ(ParseMembers("  \n", "x.yml", &problems).status().code(), StatusCode::kCorrupt);
}

TEST(HostileMembers, DeepNestingIsRefusedNotRecursed) {
  ProblemLog problems;
  const std::string yaml = "clients: " + std::string(100000, '[') + std::string(100000, ']');
  EXPECT_EQ(ParseMembers(yaml, "deep.yml", &problems).status().code(), StatusCode::kLimitExceeded);
  const std::string json = std::string(100000, '[') + std::string(100000, ']');
  EXPECT_FALSE(ParseMembers(json, "deep.json", &problems).ok());
}

TEST(HostileMembers, WrongTypesAndBinaryAreProblemsNotCrashes) {
  ProblemLog problems;
  auto list = ParseMembers(
      R"({"member_list":[1,"x",null,{"asnum":64500,"connection_list":[{"vlan_list":[{"ipv4":7},{"ipv4":{"address":5,"max_prefix":-1}}]}]}]})",
      "w.json", &problems);
  ASSERT_TRUE(list.ok());
  EXPECT_TRUE(list->members.empty());
  EXPECT_EQ(list->skipped, 4u);
  EXPECT_FALSE(ParseMembers(std::string("{\"member_list\":\0\xff", 17), "b.json", &problems).ok());
  EXPECT_FALSE(ParseMembers(std::string("\xff\xfe\0\x01 clients", 11), "b.yml", &problems).ok());
  // An alias graph that would be huge if expanded is read node by node.
  auto aliases = ParseMembers("x: &a {asn: 64500, ip: 192.0.2.1}\nclients: [*a, *a, *a, *a]\n",
                              "a.yml", &problems);
  ASSERT_TRUE(aliases.ok());
  EXPECT_EQ(aliases->members.size(), 1u);
}

TEST(PeeringDbMembers, PortsOfOneExchangeThatPeerWithTheRouteServer) {
  constexpr char kDump[] = R"({
    "ix": {"data": [{"id": 7, "name": "Lab IX", "org_id": 1, "status": "ok"}]},
    "net": {"data": [
      {"id": 1, "asn": 64500, "name": "Net A", "irr_as_set": "RIPE::AS-A ARIN::AS-B",
       "info_prefixes4": 20, "info_prefixes6": 0, "status": "ok"},
      {"id": 2, "asn": 64501, "name": "Net B", "irr_as_set": "", "status": "ok"}]},
    "netixlan": {"data": [
      {"id": 10, "net_id": 1, "ix_id": 7, "ixlan_id": 70, "asn": 64500, "ipaddr4": "192.0.2.10",
       "ipaddr6": "2001:db8::10", "is_rs_peer": true, "operational": true, "status": "ok"},
      {"id": 11, "net_id": 2, "ix_id": 7, "ixlan_id": 70, "asn": 64501, "ipaddr4": "192.0.2.11",
       "is_rs_peer": false, "operational": true, "status": "ok"},
      {"id": 12, "net_id": 2, "ix_id": 8, "ixlan_id": 80, "asn": 64501, "ipaddr4": "198.51.100.1",
       "is_rs_peer": true, "operational": true, "status": "ok"}]}})";
  ProblemLog problems;
  EXPECT_EQ(ParseMembers(kDump, "pdb.json", &problems).status().code(),
            StatusCode::kInvalidArgument);  // which exchange?
  for (const char* ix : {"7", "lab ix"}) {
    auto list = ParseMembers(kDump, "pdb.json", &problems, ix);
    ASSERT_TRUE(list.ok()) << list.status().ToString();
    EXPECT_EQ(list->format, MemberFormat::kPeeringDb);
    EXPECT_EQ(list->ixp_name, "Lab IX");
    ASSERT_EQ(list->members.size(), 1u);
    const Member& a = list->members[0];
    EXPECT_EQ(a.name, "Net A");
    EXPECT_EQ(a.addresses.size(), 2u);
    EXPECT_EQ(a.as_sets, (std::vector<std::string>{"AS-A", "AS-B"}));
    EXPECT_EQ(a.max_prefix4, 20u);
    EXPECT_FALSE(a.max_prefix6);  // 0: not given
  }
}

TEST(Overrides, ReplaceFieldsByAsnAndAddMembers) {
  ProblemLog problems;
  auto list = ParseMembers(kIxf, "t.json", &problems, "1");
  ASSERT_TRUE(list.ok());
  constexpr char kOverrides[] = R"(clients:
- asn: 64500
  cfg: {filtering: {irrdb: {as_sets: [AS-NEW, AS64500]}, max_prefix: {limit_ipv4: 99}}}
- asn: 64400
  description: New member
  ip: [192.0.2.40, "2001:db8::40"]
- asn: 64401
- asn: 64499
  ip: [192.0.2.2, 192.0.2.99]
)";
  ASSERT_TRUE(ParseOverrides(kOverrides, "o.yml", &*list, &problems).ok());
  const Member* two = FindMember(*list, 64500);
  ASSERT_NE(two, nullptr);
  EXPECT_EQ(two->as_sets, (std::vector<std::string>{"AS-NEW", "AS64500"}));
  EXPECT_EQ(two->max_prefix4, 99u);
  EXPECT_EQ(two->max_prefix6, 5u);       // untouched
  EXPECT_EQ(two->addresses.size(), 2u);  // untouched
  const Member* added = FindMember(*list, 64400);
  ASSERT_NE(added, nullptr);
  EXPECT_EQ(added->name, "New member");
  EXPECT_EQ(added->addresses.size(), 2u);
  EXPECT_EQ(FindMember(*list, 64401), nullptr);  // no ip: cannot be added
  EXPECT_EQ(list->members.front().asn, 64400u);  // still sorted
  // 192.0.2.2 is AS64500's: AS64499 gets only the free address.
  EXPECT_EQ(FindMember(*list, 64499)->addresses, std::vector<IpAddress>{Ip("192.0.2.99")});
  EXPECT_EQ(FindMemberByAddress(*list, Ip("192.0.2.2"))->asn, 64500u);
}

// Figures observed on the real files (python3 + PyYAML cross-check: distinct
// ASNs and distinct addresses per file).
struct RealFile {
  const char* path;
  size_t members, addresses, v4;
};

TEST(RealMembers, CountsOfTheSharedExports) {
  if (!HaveSharedData("peeringdb/ixp-rs-clients") || !HaveSharedData("peeringdb/ixf"))
    GTEST_SKIP() << "../shared/data/peeringdb/{ixf,ixp-rs-clients} not present";
  const RealFile files[] = {
      {"ixf/bcix.json", 81, 182, 95},
      {"ixf/gr-ix.json", 28, 74, 39},
      {"ixp-rs-clients/ams-ix.yml", 785, 1660, 898},
      {"ixp-rs-clients/bcix.yml", 81, 182, 95},
      {"ixp-rs-clients/bix-ipv4.yml", 59, 80, 80},
      {"ixp-rs-clients/bix-ipv6.yml", 46, 64, 0},
      {"ixp-rs-clients/gr-ix.yml", 28, 74, 39},
      {"ixp-rs-clients/inex.yml", 89, 150, 92},
      {"ixp-rs-clients/lonap.yml", 186, 430, 236},
      {"ixp-rs-clients/six.yml", 286, 628, 314},
      {"ixp-rs-clients/sthix.yml", 99, 244, 122},
      {"ixp-rs-clients/swissix.yml", 188, 420, 210},
  };
  for (const RealFile& f : files) {
    SCOPED_TRACE(f.path);
    ProblemLog problems;
    auto list = LoadMembers(SharedData() + "/peeringdb/" + f.path, &problems);
    ASSERT_TRUE(list.ok()) << list.status().ToString();
    EXPECT_EQ(list->members.size(), f.members);
    size_t addresses = 0, v4 = 0;
    for (const Member& m : list->members) {
      addresses += m.addresses.size();
      for (const IpAddress& a : m.addresses) v4 += a.is_v4();
      EXPECT_TRUE(std::is_sorted(m.addresses.begin(), m.addresses.end()));
    }
    EXPECT_EQ(addresses, f.addresses);
    EXPECT_EQ(v4, f.v4);
    EXPECT_EQ(list->skipped, 0u);
  }
  // The same exchange from its IX-F export and from arouteserver's file
  // built from it gives the same members.
  ProblemLog p;
  auto ixf = LoadMembers(SharedData() + "/peeringdb/ixf/bcix.json", &p);
  auto yml = LoadMembers(SharedData() + "/peeringdb/ixp-rs-clients/bcix.yml", &p);
  ASSERT_TRUE(ixf.ok() && yml.ok());
  ASSERT_EQ(ixf->members.size(), yml->members.size());
  for (size_t i = 0; i < ixf->members.size(); ++i) {
    EXPECT_EQ(ixf->members[i].asn, yml->members[i].asn);
    EXPECT_EQ(ixf->members[i].addresses, yml->members[i].addresses);
  }
  EXPECT_EQ(ixf->date, "2017-11-24");
  EXPECT_EQ(yml->date, "2017-09-05");
}

TEST(RealMembers, MissingFileIsAnIoErrorNamingIt) {
  ProblemLog problems;
  auto r = LoadMembers("/nonexistent/members.json", &problems);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("/nonexistent/members.json"), std::string::npos);
}

}  // namespace
}  // namespace vigia::ixp
