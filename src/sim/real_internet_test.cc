#include "sim/real_internet.h"

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <string>
#include <system_error>
#include <tuple>
#include <vector>

#include "core/test_util.h"
#include "registry/delegated.h"
#include "topology/as2org.h"
#include "topology/as_relationships.h"

namespace vigia::sim {
namespace {

using test_util::HaveSharedData;
using test_util::SharedData;

constexpr const char* kCaidaRel = "caida/serial-1/20220301.as-rel.txt.bz2";
constexpr const char* kCaidaOrg = "caida/as2org/20220401.as-org2info.txt.gz";
constexpr const char* kIpLocation = "ipmeta/ip-location-db/asn-ipv4.csv.xz";
constexpr const char* kPyasn = "ipmeta/pyasn/ipasn6_20151101.dat.gz";

#define SKIP_WITHOUT(sub)                                                                         \
  if (!HaveSharedData(sub)) {                                                                     \
    GTEST_SKIP() << SharedData() << "/" << (sub) << " is absent (real data from ../shared/data)"; \
  }

// A file of this run's small inputs, in a directory removed at exit.
std::string TempFile(const std::string& name, const std::string& text) {
  static const struct Dir {
    std::string path = fmt::format("{}/vigia_real_internet_{}", ::testing::TempDir(), ::getpid());
    Dir() { std::filesystem::create_directories(path); }
    ~Dir() {
      std::error_code ec;
      std::filesystem::remove_all(path, ec);
    }
  } dir;
  const std::string path = dir.path + "/" + name;
  std::ofstream(path, std::ios::binary) << text;
  return path;
}

SyntheticInternet Build(const RealInputs& in) {
  auto r = BuildRealInternet(in);
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  return r.ok() ? std::move(r).value() : SyntheticInternet{};
}

size_t Index(const SyntheticInternet& net, Asn asn) {
  for (size_t i = 0; i < net.ases.size(); ++i)
    if (net.ases[i].asn == asn) return i;
  ADD_FAILURE() << "AS" << asn << " missing";
  return 0;
}

std::vector<std::string> Announced(const SyntheticInternet& net) {
  std::vector<std::string> out;
  for (const Announcement& a : net.announcements) {
    out.push_back(fmt::format("{} {} {}", a.prefix.ToString(), a.origin,
                              net.allocations[a.allocation].prefix.ToString()));
  }
  return out;
}

std::string Fingerprint(const SyntheticInternet& net) {
  std::string s = AsRelText(net) + As2OrgText(net);
  for (const Announcement& a : net.announcements)
    s += fmt::format("{} {} {}\n", a.prefix.ToString(), a.origin, a.allocation);
  for (int r = 0; r < kRirCount; ++r) s += DelegatedExtendedText(net, static_cast<Rir>(r));
  for (const SynthIxp& x : net.ixps) s += fmt::format("{} {}\n", x.name, fmt::join(x.members, ","));
  return s;
}

// IanaBlocks, computed once.
const std::vector<Prefix>& Blocks(Rir r, Family f) {
  static const auto* blocks = [] {
    auto* b = new std::vector<std::vector<Prefix>>();
    for (int k = 0; k < 2 * kRirCount; ++k)
      b->push_back(IanaBlocks(static_cast<Rir>(k / 2), k % 2 ? Family::kIpv6 : Family::kIpv4));
    return b;
  }();
  return (*blocks)[2 * static_cast<int>(r) + (f == Family::kIpv6 ? 1 : 0)];
}

bool InIanaBlock(const Prefix& p, Rir r) {
  for (const Prefix& b : Blocks(r, p.family()))
    if (b.Contains(p)) return true;
  return false;
}

// The written files CheckShape reads back (the big graphs share the as-rel
// one, so read it once).
enum Files { kDelegated = 1, kAsRel = 2, kAs2Org = 4, kAllFiles = 7 };

// The rules every real-based Internet meets, whatever its inputs.
void CheckShape(const SyntheticInternet& net, int files = kAllFiles) {
  ASSERT_EQ(net.graph.as_count(), net.ases.size());
  EXPECT_EQ(net.config.ases, net.ases.size());
  EXPECT_EQ(net.config.prefixes, net.announcements.size());
  for (size_t i = 1; i < net.ases.size(); ++i) {
    const SynthAs& a = net.ases[i - 1];
    const SynthAs& b = net.ases[i];
    ASSERT_TRUE(a.tier < b.tier || (a.tier == b.tier && a.asn < b.asn))
        << "AS" << a.asn << " before AS" << b.asn;
  }
  size_t tier1 = 0;
  for (const SynthAs& as : net.ases) {
    const auto i = net.graph.Index(as.asn);
    ASSERT_TRUE(i) << "AS" << as.asn;
    const size_t customers = net.graph.Customers(*i).size();
    if (as.tier == Tier::kTier1) {
      ++tier1;
    } else if (as.tier == Tier::kTier2) {
      EXPECT_GE(customers, 100u) << "AS" << as.asn;
    } else if (as.tier == Tier::kTier3) {
      EXPECT_GE(customers, 1u) << "AS" << as.asn;
      EXPECT_LT(customers, 100u) << "AS" << as.asn;
    } else {
      EXPECT_EQ(customers, 0u) << "AS" << as.asn;
    }
    ASSERT_LT(as.org, net.orgs.size());
    EXPECT_EQ(as.country, net.orgs[as.org].country);
    EXPECT_EQ(as.country.size(), 2u);
  }
  EXPECT_EQ(tier1, net.clique.size());
  size_t org_ases = 0;
  for (const SynthOrg& o : net.orgs) {
    EXPECT_FALSE(o.ases.empty()) << o.id;
    org_ases += o.ases.size();
  }
  EXPECT_EQ(org_ases, net.ases.size());
  for (const Announcement& a : net.announcements) {
    ASSERT_LT(a.allocation, net.allocations.size());
    const Allocation& al = net.allocations[a.allocation];
    ASSERT_TRUE(al.prefix.Contains(a.prefix)) << a.prefix.ToString();
    ASSERT_EQ(al.holder, a.origin) << a.prefix.ToString();
  }
  // The files the simulator writes read back without a problem.
  size_t records = 0;
  for (int r = 0; r < kRirCount && (files & kDelegated); ++r) {
    registry::DelegatedStats stats;
    const Rir rir = static_cast<Rir>(r);
    ASSERT_TRUE(
        stats.LoadText(DelegatedExtendedText(net, rir), std::string(RirRegistry(rir))).ok());
    EXPECT_EQ(stats.skipped(), 0u)
        << RirName(rir) << ": "
        << (stats.problems().empty() ? "" : stats.problems().kept()[0].message);
    EXPECT_TRUE(stats.warnings().empty()) << RirName(rir);
    records += stats.records().size();
  }
  if (files & kDelegated) {
    EXPECT_EQ(records, net.ases.size() + net.allocations.size() + net.pool.size());
  }
  if (files & kAsRel) {
    topology::AsRelationships rel;
    ASSERT_TRUE(rel.LoadText(AsRelText(net), "asrel").ok());
    EXPECT_EQ(rel.problems().count(), 0u);
    EXPECT_EQ(rel.link_count(), net.graph.link_count());
    EXPECT_EQ(rel.as_count(), net.graph.as_count());
    ASSERT_EQ(rel.files().size(), 1u);
    EXPECT_EQ(rel.files()[0].clique, net.clique);
  }
  if (files & kAs2Org) {
    topology::As2Org orgs;
    ASSERT_TRUE(orgs.LoadText(As2OrgText(net), "as2org").ok());
    EXPECT_EQ(orgs.problems().count(), 0u);
    EXPECT_EQ(orgs.as_count(), net.ases.size());
  }
}

// Field by field: cheaper than Fingerprint on half a million prefixes.
void ExpectSame(const SyntheticInternet& a, const SyntheticInternet& b) {
  ASSERT_EQ(a.ases.size(), b.ases.size());
  for (size_t i = 0; i < a.ases.size(); ++i) {
    const SynthAs &x = a.ases[i], &y = b.ases[i];
    ASSERT_TRUE(std::tie(x.asn, x.tier, x.rir, x.country, x.org, x.asn_date) ==
                std::tie(y.asn, y.tier, y.rir, y.country, y.org, y.asn_date))
        << i;
  }
  ASSERT_EQ(a.orgs.size(), b.orgs.size());
  for (size_t i = 0; i < a.orgs.size(); ++i) {
    const SynthOrg &x = a.orgs[i], &y = b.orgs[i];
    ASSERT_TRUE(std::tie(x.id, x.name, x.country, x.rir, x.ases) ==
                std::tie(y.id, y.name, y.country, y.rir, y.ases))
        << i;
  }
  ASSERT_EQ(a.allocations.size(), b.allocations.size());
  for (size_t i = 0; i < a.allocations.size(); ++i) {
    const Allocation &x = a.allocations[i], &y = b.allocations[i];
    ASSERT_TRUE(std::tie(x.prefix, x.holder, x.rir, x.date, x.assigned) ==
                std::tie(y.prefix, y.holder, y.rir, y.date, y.assigned))
        << i;
  }
  ASSERT_EQ(a.announcements.size(), b.announcements.size());
  for (size_t i = 0; i < a.announcements.size(); ++i) {
    const Announcement &x = a.announcements[i], &y = b.announcements[i];
    ASSERT_TRUE(std::tie(x.prefix, x.origin, x.allocation) ==
                std::tie(y.prefix, y.origin, y.allocation))
        << i;
  }
  ASSERT_EQ(a.graph.link_count(), b.graph.link_count());
  for (size_t i = 0; i < a.graph.link_count(); ++i) {
    const topology::Link &x = a.graph.links()[i], &y = b.graph.links()[i];
    ASSERT_EQ(a.graph.AsnAt(x.a), b.graph.AsnAt(y.a)) << i;
    ASSERT_EQ(a.graph.AsnAt(x.b), b.graph.AsnAt(y.b)) << i;
    ASSERT_EQ(x.type, y.type) << i;
  }
  EXPECT_EQ(a.clique, b.clique);
  EXPECT_EQ(a.first_ixp_link, b.first_ixp_link);
  EXPECT_EQ(a.ixps.size(), b.ixps.size());
}

// A hand-made serial-2 graph: clique 10 and 20; AS30 with 100 customers is
// tier 2; 100 and 200 are tier 3; mlp peerings join {1000, 1001, 1002} and
// {300, 301}.
std::string SmallAsRel() {
  std::string s =
      "# input clique: 10 20 99\n"
      "# IXP ASes: 7\n"
      "10|20|0|bgp\n"
      "1000|1001|0|mlp\n"
      "10|100|-1|bgp\n"
      "20|100|-1|bgp\n"
      "10|200|-1|bgp\n"
      "10|30|-1|bgp\n"
      "100|1000|-1|bgp\n"
      "100|1001|-1|bgp\n"
      "200|1002|-1|bgp\n"
      "1001|1002|0|mlp\n"
      "300|301|0|mlp\n"
      "100|200|0|bgp\n"
      "20|300|-1|bgp\n"
      "20|301|-1|bgp\n";
  for (Asn c = 5000; c < 5100; ++c) s += fmt::format("30|{}|-1|bgp\n", c);
  return s;
}

// pyasn IPASN lines.
constexpr const char* kSmallPfx2As =
    "; IP-ASN32-DAT\n"
    "41.0.0.0/16\t100\n"   // AFRINIC block: 100's first prefix
    "41.0.1.0/24\t100\n"   // covered by 100's /16
    "41.0.2.0/24\t1001\n"  // MOAS with 1000, inside 100's /16
    "41.0.2.0/24\t1000\n"
    "41.0.2.0/24\t1000\n"  // exact duplicate
    "12.0.0.0/8\t200\n"    // legacy ARIN space, in no IanaBlocks
    "8.8.8.0/24\t64999\n"  // origin not in the graph
    "200.1.0.0/17\t30\n"   // LACNIC block; the /16 comes later in the file
    "200.1.0.0/16\t30\n"
    "200.1.128.0/17\t30\n"
    "200.0.0.0/24\t30\n"
    "2a00:1000::/32\t300\n"  // RIPE NCC block
    "2a00:1000:1::/48\t300\n"
    "2c0f:fe00::/32\t300\n";  // AFRINIC IPv6, not 300's first prefix

TEST(RealInternet, SmallGraphTiersAndOrder) {
  RealInputs in;
  in.asrel_path = TempFile("tiers.as-rel", SmallAsRel());
  in.pfx2as_path = TempFile("tiers.pfx2as", kSmallPfx2As);
  in.seed = 9;
  in.date = 20220301;
  const SyntheticInternet net = Build(in);
  ASSERT_EQ(net.ases.size(), 110u);
  std::vector<Asn> head;
  std::vector<Tier> tiers;
  for (size_t i = 0; i < 10; ++i) {
    head.push_back(net.ases[i].asn);
    tiers.push_back(net.ases[i].tier);
  }
  EXPECT_EQ(head, (std::vector<Asn>{10, 20, 30, 100, 200, 300, 301, 1000, 1001, 1002}));
  EXPECT_EQ(tiers,
            (std::vector<Tier>{Tier::kTier1, Tier::kTier1, Tier::kTier2, Tier::kTier3, Tier::kTier3,
                               Tier::kStub, Tier::kStub, Tier::kStub, Tier::kStub, Tier::kStub}));
  EXPECT_EQ(net.ases.back().asn, 5099u);
  EXPECT_EQ(net.clique, (std::vector<Asn>{10, 20}));  // 99 is in no link
  EXPECT_EQ(net.config.seed, 9u);
  EXPECT_EQ(net.config.date, 20220301u);
  EXPECT_EQ(net.config.tier1, 2u);
  for (const SynthAs& as : net.ases) EXPECT_EQ(as.asn_date, kRealDelegationDate);

  // Links: p2c, then p2p, then the mlp peerings.
  EXPECT_EQ(net.graph.link_count(), 114u);
  EXPECT_EQ(net.graph.p2c_count(), 109u);
  ASSERT_EQ(net.first_ixp_link, 111u);
  const auto& links = net.graph.links();
  for (size_t i = 0; i < links.size(); ++i) {
    EXPECT_EQ(links[i].type,
              i < net.graph.p2c_count() ? topology::LinkType::kP2c : topology::LinkType::kP2p);
  }
  EXPECT_EQ(net.graph.AsnAt(links[111].a), 1000u);
  EXPECT_EQ(net.graph.AsnAt(links[111].b), 1001u);
  EXPECT_EQ(net.graph.RelationOf(10, 100), topology::Relation::kProvider);
  EXPECT_EQ(net.graph.RelationOf(200, 100), topology::Relation::kPeer);

  // IXPs from the mlp peerings.
  ASSERT_EQ(net.ixps.size(), 2u);
  EXPECT_EQ(net.ixps[0].members, (std::vector<Asn>{300, 301}));
  EXPECT_EQ(net.ixps[1].members, (std::vector<Asn>{1000, 1001, 1002}));
  EXPECT_EQ(net.ixps[0].id, 1u);
  EXPECT_EQ(net.ixps[0].rir, Rir::kRipeNcc);  // 300 by its IPv6, 301 by default
  EXPECT_EQ(net.ixps[1].rir, Rir::kAfrinic);  // 1000 and 1001 by 41/8, 1002 by default
  EXPECT_EQ(net.ixps[1].name, "IX-ZZ-2");
  EXPECT_EQ(net.config.ixps, 2u);
  const std::string rel = AsRelText(net);
  EXPECT_NE(rel.find("\n1000|1001|0|mlp\n"), std::string::npos) << rel;
  EXPECT_NE(rel.find("\n100|200|0|bgp\n"), std::string::npos) << rel;  // file order kept
  CheckShape(net);
}

TEST(RealInternet, SmallTableAllocationsAndMoas) {
  RealInputs in;
  in.asrel_path = TempFile("alloc.as-rel", SmallAsRel());
  in.pfx2as_path = TempFile("alloc.pfx2as", kSmallPfx2As);
  const SyntheticInternet net = Build(in);
  // Sorted by prefix, then origin; the duplicate and AS64999's route gone.
  EXPECT_EQ(Announced(net), (std::vector<std::string>{
                                "12.0.0.0/8 200 12.0.0.0/8",
                                "41.0.0.0/16 100 41.0.0.0/16",
                                "41.0.1.0/24 100 41.0.0.0/16",
                                "41.0.2.0/24 1000 41.0.2.0/24",
                                "41.0.2.0/24 1001 41.0.2.0/24",
                                "200.0.0.0/24 30 200.0.0.0/24",
                                "200.1.0.0/16 30 200.1.0.0/16",
                                "200.1.0.0/17 30 200.1.0.0/16",
                                "200.1.128.0/17 30 200.1.0.0/16",
                                "2a00:1000::/32 300 2a00:1000::/32",
                                "2a00:1000:1::/48 300 2a00:1000::/32",
                                "2c0f:fe00::/32 300 2c0f:fe00::/32",
                            }));
  EXPECT_EQ(net.config.prefixes, 12u);
  std::vector<std::string> allocs;
  for (const Allocation& a : net.allocations) {
    allocs.push_back(fmt::format("{} {} {}", a.prefix.ToString(), a.holder, RirName(a.rir)));
    EXPECT_EQ(a.date, kRealDelegationDate);
    EXPECT_FALSE(a.assigned);
  }
  EXPECT_EQ(allocs, (std::vector<std::string>{
                        "12.0.0.0/8 200 RIPE NCC",  // in no IANA block: the holder's RIR
                        "41.0.0.0/16 100 AFRINIC",
                        "41.0.2.0/24 1000 AFRINIC",
                        "41.0.2.0/24 1001 AFRINIC",
                        "200.0.0.0/24 30 LACNIC",
                        "200.1.0.0/16 30 LACNIC",
                        "2a00:1000::/32 300 RIPE NCC",
                        "2c0f:fe00::/32 300 AFRINIC",
                    }));
  EXPECT_TRUE(net.pool.empty());
  // RIRs by the first prefix in an IANA block, else the RIPE NCC.
  EXPECT_EQ(net.ases[Index(net, 100)].rir, Rir::kAfrinic);
  EXPECT_EQ(net.ases[Index(net, 1000)].rir, Rir::kAfrinic);
  EXPECT_EQ(net.ases[Index(net, 30)].rir, Rir::kLacnic);
  EXPECT_EQ(net.ases[Index(net, 300)].rir, Rir::kRipeNcc);
  EXPECT_EQ(net.ases[Index(net, 200)].rir, Rir::kRipeNcc);
  EXPECT_EQ(net.ases[Index(net, 10)].rir, Rir::kRipeNcc);
  // Without as2org: an organisation per AS, country ZZ.
  ASSERT_EQ(net.orgs.size(), net.ases.size());
  const SynthOrg& o = net.orgs[net.ases[Index(net, 1000)].org];
  EXPECT_EQ(o.id, "REAL-1000");
  EXPECT_EQ(o.name, "AS1000");
  EXPECT_EQ(o.country, "ZZ");
  EXPECT_EQ(o.rir, Rir::kAfrinic);
  EXPECT_EQ(o.ases, (std::vector<Asn>{1000}));
  // The delegated files hold the MOAS prefix once per holder.
  const std::string afrinic = DelegatedExtendedText(net, Rir::kAfrinic);
  EXPECT_NE(afrinic.find("afrinic|ZZ|ipv4|41.0.2.0|256|20000101|allocated|REAL-1000\n"),
            std::string::npos)
      << afrinic;
  EXPECT_NE(afrinic.find("afrinic|ZZ|ipv4|41.0.2.0|256|20000101|allocated|REAL-1001\n"),
            std::string::npos);
  EXPECT_NE(afrinic.find("afrinic|ZZ|asn|100|1|20000101|allocated|REAL-100\n"), std::string::npos);
  CheckShape(net);
  EXPECT_EQ(Fingerprint(net), Fingerprint(Build(in)));
}

TEST(RealInternet, SmallAs2OrgGivesOrgsCountriesAndRirs) {
  RealInputs in;
  in.asrel_path = TempFile("orgs.as-rel", SmallAsRel());
  in.pfx2as_path = TempFile("orgs.pfx2as", kSmallPfx2As);
  in.as2org_path = TempFile("orgs.as2org",
                            "# format:org_id|changed|org_name|country|source\n"
                            "ORG-A|20200101|Alpha Net|ZA|AFRINIC\n"
                            "ORG-B|20200101|Beta KK|JP|JPNIC\n"
                            "ORG-C|20200101|Gamma|br|LACNIC\n"
                            "ORG-D|20200101|Delta|US|ripe ncc\n"
                            "ORG-E|20200101|Unused|DE|RIPE\n"
                            "# format:aut|changed|aut_name|org_id|opaque_id|source\n"
                            "10|20200101|ALPHA|ORG-A|x|AFRINIC\n"
                            "20|20200101|ALPHA-2|ORG-A|x|AFRINIC\n"
                            "30|20200101|BETA|ORG-B|x|JPNIC\n"
                            "100|20200101|GAMMA|ORG-C|x|SOMEWHERE\n"
                            "200|20200101|DELTA|ORG-D|x|ARIN\n"
                            "4000|20200101|NOT-IN-GRAPH|ORG-E|x|RIPE\n");
  const SyntheticInternet net = Build(in);
  const SynthAs& a10 = net.ases[Index(net, 10)];
  const SynthAs& a20 = net.ases[Index(net, 20)];
  EXPECT_EQ(a10.org, a20.org);
  const SynthOrg& alpha = net.orgs[a10.org];
  EXPECT_EQ(alpha.id, "ORG-A");
  EXPECT_EQ(alpha.name, "Alpha Net");
  EXPECT_EQ(alpha.country, "ZA");
  EXPECT_EQ(alpha.rir, Rir::kAfrinic);
  EXPECT_EQ(alpha.ases, (std::vector<Asn>{10, 20}));
  EXPECT_EQ(a10.country, "ZA");
  EXPECT_EQ(a10.rir, Rir::kAfrinic);
  EXPECT_EQ(net.ases[Index(net, 30)].rir, Rir::kApnic);  // JPNIC is under APNIC
  EXPECT_EQ(net.ases[Index(net, 30)].country, "JP");
  EXPECT_EQ(net.ases[Index(net, 100)].rir, Rir::kLacnic);  // the org's source
  EXPECT_EQ(net.ases[Index(net, 100)].country, "ZZ");      // "br" is no ISO code
  EXPECT_EQ(net.ases[Index(net, 200)].rir, Rir::kArin);    // the AS line's source
  EXPECT_EQ(net.orgs[net.ases[Index(net, 200)].org].rir, Rir::kRipeNcc);
  EXPECT_EQ(net.ases[Index(net, 1000)].country, "ZZ");
  // The orgs of graph ASes only, in the order of their first AS.
  ASSERT_GE(net.orgs.size(), 4u);
  EXPECT_EQ(net.orgs[0].id, "ORG-A");
  EXPECT_EQ(net.orgs[1].id, "ORG-B");
  EXPECT_EQ(net.orgs.size(), net.ases.size() - 1);
  for (const SynthOrg& o : net.orgs) EXPECT_NE(o.id, "ORG-E");
  // The allocation of 100's 41.0.0.0/16 stays AFRINIC's (where IANA put it).
  for (const Allocation& a : net.allocations) {
    if (a.holder == 100) {
      EXPECT_EQ(a.rir, Rir::kAfrinic);
    }
  }
  CheckShape(net);
  const std::string text = As2OrgText(net);
  EXPECT_NE(text.find("ORG-A|20261122|Alpha Net|ZA|AFRINIC\n"), std::string::npos) << text;
}

TEST(RealInternet, MissingOrEmptyFilesFail) {
  RealInputs in;
  in.asrel_path = ::testing::TempDir() + "/vigia_real_internet_no_such_file";
  EXPECT_FALSE(BuildRealInternet(in).ok());
  in.asrel_path = TempFile("empty.as-rel", "# input clique: 1 2\n");
  EXPECT_EQ(BuildRealInternet(in).status().code(), StatusCode::kInvalidArgument);
  in.asrel_path = TempFile("ok.as-rel", SmallAsRel());
  in.pfx2as_path = ::testing::TempDir() + "/vigia_real_internet_no_pfx2as";
  EXPECT_FALSE(BuildRealInternet(in).ok());
  in.pfx2as_path.clear();
  in.as2org_path = ::testing::TempDir() + "/vigia_real_internet_no_as2org";
  EXPECT_FALSE(BuildRealInternet(in).ok());
}

TEST(RealInternet, SmallGraphWithoutTableDrawsAddressSpace) {
  RealInputs in;
  in.asrel_path = TempFile("drawn.as-rel", SmallAsRel());
  in.prefixes = 400;
  const SyntheticInternet net = Build(in);
  EXPECT_EQ(net.announcements.size(), 400u);
  EXPECT_FALSE(net.pool.empty());
  CheckShape(net);
  EXPECT_EQ(Fingerprint(net), Fingerprint(Build(in)));
  in.seed = 2;
  EXPECT_NE(Fingerprint(net), Fingerprint(Build(in)));
}

// No two allocations overlap: by prefix order, none contains the next.
void ExpectDisjoint(const std::vector<Allocation>& allocations) {
  std::vector<Prefix> p;
  for (const Allocation& a : allocations) p.push_back(a.prefix);
  std::sort(p.begin(), p.end());
  for (size_t i = 1; i < p.size(); ++i) {
    ASSERT_FALSE(p[i - 1].Contains(p[i])) << p[i - 1].ToString() << " holds " << p[i].ToString();
  }
}

TEST(RealInternet, AddSyntheticAddressSpaceChecksItsInput) {
  SyntheticInternet empty;
  EXPECT_EQ(AddSyntheticAddressSpace(&empty, 1).code(), StatusCode::kInvalidArgument);
  SyntheticConfig config;
  config.ases = 300;
  config.prefixes = 2000;
  auto r = GenerateTopology(config);
  ASSERT_TRUE(r.ok());
  SyntheticInternet net = std::move(r).value();
  net.config.prefixes = 6'000'000;
  EXPECT_EQ(AddSyntheticAddressSpace(&net, 1).code(), StatusCode::kInvalidArgument);
  net.config.prefixes = 3000;
  net.config.ipv6_share = -0.5;
  EXPECT_EQ(AddSyntheticAddressSpace(&net, 1).code(), StatusCode::kInvalidArgument);
  net.config.ipv6_share = 0.25;
  ASSERT_TRUE(AddSyntheticAddressSpace(&net, 7).ok());
  EXPECT_EQ(net.announcements.size(), 3000u);  // replaced, not added to
  size_t v6 = 0;
  for (const Announcement& a : net.announcements) v6 += a.prefix.family() == Family::kIpv6;
  EXPECT_EQ(v6, 750u);
  ExpectDisjoint(net.allocations);
  std::set<Asn> asns;
  for (const SynthAs& as : net.ases) asns.insert(as.asn);
  for (const PoolRecord& p : net.pool) {
    if (p.is_asn) {
      EXPECT_FALSE(asns.count(p.asn)) << "pool ASN " << p.asn << " is an AS";
    }
  }
}

// --- The real CAIDA graph, 2022-03: 73,752 ASes, 418,744 links.

struct Built {
  SyntheticInternet net;
  double seconds = 0;
};

Built BuildTimed(const RealInputs& in) {
  const auto start = std::chrono::steady_clock::now();
  Built b{Build(in)};
  b.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return b;
}

// Graph only, drawn address space; built once for the tests that share it.
const Built& CaidaDrawn() {
  static const Built* b = [] {
    RealInputs in;
    in.asrel_path = SharedData() + "/" + kCaidaRel;
    in.prefixes = 20'000;
    return new Built(BuildTimed(in));
  }();
  return *b;
}

// Graph and the ip-location-db IPv4 table (2026).
const Built& CaidaWithTable() {
  static const Built* b = [] {
    RealInputs in;
    in.asrel_path = SharedData() + "/" + kCaidaRel;
    in.pfx2as_path = SharedData() + "/" + kIpLocation;
    Built built = BuildTimed(in);
    std::printf(
        "CAIDA 2022-03 + ip-location-db: %zu ASes, %zu announcements, %zu allocations "
        "in %.2f s\n",
        built.net.ases.size(), built.net.announcements.size(), built.net.allocations.size(),
        built.seconds);
    return new Built(std::move(built));
  }();
  return *b;
}

TEST(RealInternet, CaidaGraphCountsAndTiers) {
  SKIP_WITHOUT(kCaidaRel);
  const SyntheticInternet& net = CaidaDrawn().net;
  std::printf("CAIDA 2022-03 graph, %u drawn prefixes: %.2f s\n", net.config.prefixes,
              CaidaDrawn().seconds);
  EXPECT_EQ(net.ases.size(), 73'752u);
  EXPECT_EQ(net.graph.link_count(), 418'744u);
  EXPECT_EQ(net.first_ixp_link, net.graph.link_count());  // serial-1: no mlp
  EXPECT_TRUE(net.ixps.empty());
  EXPECT_EQ(net.clique, (std::vector<Asn>{174, 209, 286, 701, 1239, 1299, 2828, 2914, 3257, 3320,
                                          3356, 3491, 5511, 6453, 6461, 6762, 6830, 7018, 12956}));
  std::map<Tier, size_t> tiers;
  for (const SynthAs& as : net.ases) ++tiers[as.tier];
  std::printf("tiers: %zu / %zu / %zu / %zu stubs\n", tiers[Tier::kTier1], tiers[Tier::kTier2],
              tiers[Tier::kTier3], tiers[Tier::kStub]);
  EXPECT_EQ(tiers[Tier::kTier1], 19u);
  EXPECT_GT(tiers[Tier::kTier2], 100u);
  EXPECT_LT(tiers[Tier::kTier2], 2'000u);
  EXPECT_GT(tiers[Tier::kTier3], 5'000u);
  EXPECT_GT(tiers[Tier::kStub], net.ases.size() * 80 / 100);
  for (size_t i = 0; i < 19; ++i) EXPECT_EQ(net.ases[i].asn, net.clique[i]);
  // The clique's members are each other's peers.
  for (Asn a : net.clique) {
    for (Asn b : net.clique) {
      if (a != b) {
        EXPECT_EQ(net.graph.RelationOf(a, b), topology::Relation::kPeer);
      }
    }
  }
  for (const SynthAs& as : net.ases) EXPECT_EQ(as.rir, Rir::kRipeNcc);  // nothing says else
  CheckShape(net, kDelegated | kAsRel);
}

TEST(RealInternet, CaidaGraphWithDrawnAddressSpace) {
  SKIP_WITHOUT(kCaidaRel);
  const SyntheticInternet& net = CaidaDrawn().net;
  EXPECT_EQ(net.announcements.size(), 20'000u);
  EXPECT_EQ(net.config.prefixes, 20'000u);
  ExpectDisjoint(net.allocations);
  for (const Allocation& a : net.allocations)
    EXPECT_TRUE(InIanaBlock(a.prefix, a.rir)) << a.prefix.ToString();
}

TEST(RealInternet, CaidaGraphWithIpLocationTable) {
  SKIP_WITHOUT(kCaidaRel);
  SKIP_WITHOUT(kIpLocation);
  const SyntheticInternet& net = CaidaWithTable().net;
  EXPECT_GT(net.announcements.size(), 450'000u);
  EXPECT_LT(net.announcements.size(), 560'000u);
  std::set<Asn> origins;
  for (const Announcement& a : net.announcements) origins.insert(a.origin);
  std::printf("%zu origins in the graph\n", origins.size());
  EXPECT_GT(origins.size(), 55'000u);
  EXPECT_LT(origins.size(), 73'752u);
  // Allocations: no allocation of an origin inside another of the same
  // origin; each in the RIR IANA gave its block to, when one did.
  std::map<Asn, std::vector<Prefix>> by_holder;
  for (const Allocation& a : net.allocations) by_holder[a.holder].push_back(a.prefix);
  for (const auto& [holder, list] : by_holder) {
    for (size_t i = 1; i < list.size(); ++i) {
      ASSERT_LT(list[i - 1], list[i]);
      ASSERT_FALSE(list[i - 1].Contains(list[i])) << "AS" << holder << " " << list[i].ToString();
    }
  }
  EXPECT_EQ(by_holder.size(), origins.size());
  size_t per_rir[kRirCount] = {};
  size_t in_iana = 0;
  for (const Allocation& a : net.allocations) {
    ++per_rir[static_cast<int>(a.rir)];
    in_iana += InIanaBlock(a.prefix, a.rir);
  }
  for (int r = 0; r < kRirCount; ++r) {
    EXPECT_GT(per_rir[r], 1'000u) << RirName(static_cast<Rir>(r));
  }
  EXPECT_GT(in_iana, net.allocations.size() / 2);
  // ASes with prefixes mostly get their RIR from them, so every RIR has some.
  size_t as_per_rir[kRirCount] = {};
  for (const SynthAs& as : net.ases) ++as_per_rir[static_cast<int>(as.rir)];
  for (int r = 0; r < kRirCount; ++r) {
    EXPECT_GT(as_per_rir[r], 500u) << RirName(static_cast<Rir>(r));
  }
  // MOAS prefixes keep every origin.
  size_t moas = 0;
  for (size_t i = 1; i < net.announcements.size(); ++i) {
    const Announcement& a = net.announcements[i - 1];
    const Announcement& b = net.announcements[i];
    ASSERT_TRUE(a.prefix < b.prefix || (a.prefix == b.prefix && a.origin < b.origin));
    moas += a.prefix == b.prefix;
  }
  std::printf("%zu MOAS announcements beyond the first origin\n", moas);
  CheckShape(net, kDelegated);  // the same graph as CaidaGraphCountsAndTiers
}

TEST(RealInternet, CaidaGraphWithIpLocationTableIsDeterministic) {
  SKIP_WITHOUT(kCaidaRel);
  SKIP_WITHOUT(kIpLocation);
  const SyntheticInternet& a = CaidaWithTable().net;
  RealInputs in;
  in.asrel_path = SharedData() + "/" + kCaidaRel;
  in.pfx2as_path = SharedData() + "/" + kIpLocation;
  const Built b = BuildTimed(in);
  std::printf("again in %.2f s\n", b.seconds);
  ASSERT_EQ(a.announcements.size(), b.net.announcements.size());
  ExpectSame(a, b.net);
}

// ip-location-db's ranges never nest; a RIB-derived pyasn table (2015, IPv4
// and IPv6) has more-specifics of the same origin, so allocations cover
// several announcements.
TEST(RealInternet, CaidaGraphWithPyasnTableNestsAnnouncements) {
  SKIP_WITHOUT(kCaidaRel);
  SKIP_WITHOUT(kPyasn);
  RealInputs in;
  in.asrel_path = SharedData() + "/" + kCaidaRel;
  in.pfx2as_path = SharedData() + "/" + kPyasn;
  const Built b = BuildTimed(in);
  const SyntheticInternet& net = b.net;
  size_t v6 = 0, covered = 0;
  for (size_t i = 0; i < net.announcements.size(); ++i) {
    const Announcement& a = net.announcements[i];
    v6 += a.prefix.family() == Family::kIpv6;
    covered += net.allocations[a.allocation].prefix != a.prefix;
  }
  std::printf("pyasn 2015: %zu announcements (%zu IPv6), %zu allocations, %zu covered, %.2f s\n",
              net.announcements.size(), v6, net.allocations.size(), covered, b.seconds);
  EXPECT_GT(net.announcements.size(), 400'000u);
  EXPECT_GT(v6, 15'000u);
  EXPECT_GT(covered, 100'000u);
  EXPECT_EQ(net.allocations.size() + covered, net.announcements.size());
  size_t in_iana = 0;
  for (const Allocation& a : net.allocations) in_iana += InIanaBlock(a.prefix, a.rir);
  EXPECT_GT(in_iana, net.allocations.size() / 2);
  CheckShape(net, 0);
}

TEST(RealInternet, CaidaGraphWithAs2Org) {
  SKIP_WITHOUT(kCaidaRel);
  SKIP_WITHOUT(kCaidaOrg);
  RealInputs in;
  in.asrel_path = SharedData() + "/" + kCaidaRel;
  in.as2org_path = SharedData() + "/" + kCaidaOrg;
  in.prefixes = 5'000;
  const SyntheticInternet net = Build(in);
  topology::As2Org as2org;
  ASSERT_TRUE(as2org.LoadFile(in.as2org_path).ok());
  size_t known = 0, with_country = 0;
  size_t as_per_rir[kRirCount] = {};
  for (const SynthAs& as : net.ases) {
    ++as_per_rir[static_cast<int>(as.rir)];
    with_country += as.country != "ZZ";
    const topology::Org* o = as2org.OrgOf(as.asn);
    if (o == nullptr) {
      EXPECT_EQ(net.orgs[as.org].id, fmt::format("REAL-{}", as.asn));
      continue;
    }
    ++known;
    EXPECT_EQ(net.orgs[as.org].id, o->id);
  }
  std::printf("%zu of %zu ASes in as2org, %zu with a country, %zu orgs\n", known, net.ases.size(),
              with_country, net.orgs.size());
  EXPECT_GT(known, net.ases.size() * 95 / 100);
  EXPECT_GT(with_country, net.ases.size() * 95 / 100);
  EXPECT_LT(net.orgs.size(), net.ases.size());
  // Roughly the NRO's shares: RIPE NCC and ARIN largest, AFRINIC smallest.
  EXPECT_GT(as_per_rir[static_cast<int>(Rir::kRipeNcc)], as_per_rir[static_cast<int>(Rir::kApnic)]);
  EXPECT_GT(as_per_rir[static_cast<int>(Rir::kArin)], as_per_rir[static_cast<int>(Rir::kLacnic)]);
  EXPECT_GT(as_per_rir[static_cast<int>(Rir::kLacnic)],
            as_per_rir[static_cast<int>(Rir::kAfrinic)]);
  EXPECT_GT(as_per_rir[static_cast<int>(Rir::kAfrinic)], 500u);
  // Siblings share one organisation.
  const SynthAs& level3 = net.ases[Index(net, 3356)];
  for (Asn s : as2org.Siblings(3356)) {
    if (net.graph.Index(s)) {
      EXPECT_EQ(net.ases[Index(net, s)].org, level3.org) << "AS" << s;
    }
  }
  EXPECT_EQ(level3.rir, Rir::kArin);
  EXPECT_EQ(level3.country, "US");
  EXPECT_EQ(net.announcements.size(), 5'000u);
  ExpectDisjoint(net.allocations);
  CheckShape(net, kDelegated | kAs2Org);
}

}  // namespace
}  // namespace vigia::sim
