#include "sim/synthetic_topology.h"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <bit>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <map>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/test_util.h"
#include "registry/delegated.h"
#include "topology/as2org.h"

namespace vigia::sim {
namespace {

using topology::LinkType;

// One generated Internet shared by the structural tests (generation is
// deterministic, so sharing hides nothing).
const SyntheticInternet& Default() {
  static const SyntheticInternet* net = [] {
    auto r = GenerateTopology(SyntheticConfig{});
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return new SyntheticInternet(std::move(r).value());
  }();
  return *net;
}

std::string Fingerprint(const SyntheticInternet& net) {
  std::string s;
  for (const SynthAs& as : net.ases) {
    s += fmt::format("{} {} {} {} {}\n", as.asn, TierName(as.tier), RirName(as.rir), as.country,
                     as.org);
  }
  for (const topology::Link& l : net.graph.links()) {
    s += fmt::format("{}|{}|{}\n", net.graph.AsnAt(l.a), net.graph.AsnAt(l.b),
                     static_cast<int>(l.type));
  }
  for (const Announcement& a : net.announcements) {
    s += fmt::format("{} {} {}\n", a.prefix.ToString(), a.origin, a.allocation);
  }
  for (const SynthIxp& x : net.ixps) s += fmt::format("{} {}\n", x.name, x.members.size());
  for (int r = 0; r < kRirCount; ++r) s += DelegatedExtendedText(net, static_cast<Rir>(r));
  s += As2OrgText(net);
  return s;
}

std::unordered_map<Asn, size_t> Positions(const SyntheticInternet& net) {
  std::unordered_map<Asn, size_t> pos;
  for (size_t i = 0; i < net.ases.size(); ++i) pos[net.ases[i].asn] = i;
  return pos;
}

TEST(SyntheticTopology, SameSeedGivesTheSameInternet) {
  SyntheticConfig c;
  c.ases = 800;
  c.prefixes = 6000;
  c.seed = 42;
  auto a = GenerateTopology(c);
  auto b = GenerateTopology(c);
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_EQ(Fingerprint(*a), Fingerprint(*b));
  c.seed = 43;
  auto d = GenerateTopology(c);
  ASSERT_TRUE(d.ok());
  EXPECT_NE(Fingerprint(*a), Fingerprint(*d));
}

// A fixed seed must give the same Internet with every compiler and library:
// pins a few values of seed 1 so a change of the draws shows up here.
TEST(SyntheticTopology, SeedOneIsPinned) {
  const SyntheticInternet& net = Default();
  const std::string fp = Fingerprint(net);
  uint64_t h = 1469598103934665603ull;  // FNV-1a
  for (unsigned char ch : fp) h = (h ^ ch) * 1099511628211ull;
  std::printf("seed 1: %zu ASes, %zu links, %zu prefixes, fingerprint %016llx\n", net.ases.size(),
              net.graph.link_count(), net.announcements.size(), static_cast<unsigned long long>(h));
  EXPECT_EQ(net.ases.size(), 2000u);
  EXPECT_EQ(net.announcements.size(), 20000u);
  EXPECT_EQ(h, 0xc0723194eac0b5e4ull) << "the Internet of seed 1 changed";
}

TEST(SyntheticTopology, CliqueIsAFullMesh) {
  const SyntheticInternet& net = Default();
  ASSERT_GE(net.clique.size(), 10u);
  ASSERT_LE(net.clique.size(), 20u);
  for (size_t i = 0; i < net.clique.size(); ++i) {
    for (size_t j = 0; j < net.clique.size(); ++j) {
      if (i == j) continue;
      EXPECT_EQ(net.graph.RelationOf(net.clique[i], net.clique[j]), topology::Relation::kPeer);
    }
    auto idx = net.graph.Index(net.clique[i]);
    ASSERT_TRUE(idx);
    EXPECT_TRUE(net.graph.Providers(*idx).empty()) << "a Tier-1 AS has no provider";
  }
}

TEST(SyntheticTopology, EveryOtherAsHasAProviderFromEarlierAndNoCycles) {
  const SyntheticInternet& net = Default();
  const auto pos = Positions(net);
  EXPECT_EQ(net.graph.as_count(), net.ases.size());
  for (const topology::Link& l : net.graph.links()) {
    if (l.type != LinkType::kP2c) continue;
    const size_t p = pos.at(net.graph.AsnAt(l.a));
    const size_t c = pos.at(net.graph.AsnAt(l.b));
    EXPECT_LT(p, c) << "provider AS" << net.ases[p].asn << " comes after customer";
    EXPECT_LE(static_cast<int>(net.ases[p].tier), static_cast<int>(net.ases[c].tier));
  }
  // Kahn's algorithm over provider -> customer edges consumes every AS.
  const size_t n = net.graph.as_count();
  std::vector<size_t> indegree(n);
  std::vector<uint32_t> ready;
  for (uint32_t i = 0; i < n; ++i) {
    indegree[i] = net.graph.Providers(i).size();
    if (indegree[i] == 0) ready.push_back(i);
  }
  size_t seen = 0;
  while (!ready.empty()) {
    const uint32_t i = ready.back();
    ready.pop_back();
    ++seen;
    for (uint32_t c : net.graph.Customers(i))
      if (--indegree[c] == 0) ready.push_back(c);
  }
  EXPECT_EQ(seen, n) << "provider cycle";
  for (const SynthAs& as : net.ases) {
    const auto i = *net.graph.Index(as.asn);
    const size_t providers = net.graph.Providers(i).size();
    if (as.tier == Tier::kTier1) continue;
    EXPECT_GE(providers, 1u) << "AS" << as.asn;
    EXPECT_LE(providers, 4u) << "AS" << as.asn;
  }
}

TEST(SyntheticTopology, TierSharesAndStubsWithoutCustomers) {
  const SyntheticInternet& net = Default();
  std::map<Tier, size_t> count;
  for (const SynthAs& as : net.ases) {
    ++count[as.tier];
    if (as.tier == Tier::kStub) {
      EXPECT_TRUE(net.graph.Customers(*net.graph.Index(as.asn)).empty()) << "AS" << as.asn;
    }
  }
  EXPECT_EQ(count[Tier::kTier1], net.clique.size());
  EXPECT_EQ(count[Tier::kTier2], 60u);   // 3 % of 2000
  EXPECT_EQ(count[Tier::kTier3], 240u);  // 12 %
  EXPECT_GE(count[Tier::kStub], 1650u);  // ~85 %
  // Transit ASes have customers, mostly.
  size_t transit_with_customers = 0;
  for (const SynthAs& as : net.ases) {
    if (as.tier == Tier::kTier2 && !net.graph.Customers(*net.graph.Index(as.asn)).empty())
      ++transit_with_customers;
  }
  EXPECT_GE(transit_with_customers, 50u);
}

TEST(SyntheticTopology, PeeringAmongTransitAndAtIxps) {
  const SyntheticInternet& net = Default();
  const auto pos = Positions(net);
  size_t tier2_same_region = 0;
  for (const topology::Link& l : net.graph.links()) {
    if (l.type != LinkType::kP2p) continue;
    const SynthAs& a = net.ases[pos.at(net.graph.AsnAt(l.a))];
    const SynthAs& b = net.ases[pos.at(net.graph.AsnAt(l.b))];
    if (a.tier == Tier::kTier2 && b.tier == Tier::kTier2 && a.rir == b.rir) ++tier2_same_region;
  }
  EXPECT_GT(tier2_same_region, 30u);
  ASSERT_GE(net.ixps.size(), 20u);
  size_t ixp_peerings = 0;
  for (const SynthIxp& x : net.ixps) {
    EXPECT_TRUE(std::is_sorted(x.members.begin(), x.members.end()));
    EXPECT_EQ(std::set<Asn>(x.members.begin(), x.members.end()).size(), x.members.size());
    EXPECT_GE(x.members.size(), 2u) << x.name;
    for (Asn m : x.members) {
      EXPECT_EQ(net.ases[pos.at(m)].rir, x.rir) << x.name;
      for (Asn o : x.members)
        if (net.graph.RelationOf(m, o) == topology::Relation::kPeer) ++ixp_peerings;
    }
  }
  EXPECT_GT(ixp_peerings, 100u);
}

TEST(SyntheticTopology, AsRelTextReadsBackAsTheSameGraph) {
  const SyntheticInternet& net = Default();
  topology::AsRelationships loaded;
  ASSERT_TRUE(loaded.LoadText(AsRelText(net), "synthetic.as-rel2").ok());
  EXPECT_EQ(loaded.problems().count(), 0u);
  ASSERT_EQ(loaded.files().size(), 1u);
  EXPECT_EQ(loaded.files()[0].format, "serial-2");
  EXPECT_EQ(loaded.files()[0].clique, net.clique);
  EXPECT_TRUE(loaded.files()[0].ixp_ases.empty());  // no route-server ASes
  EXPECT_EQ(loaded.link_count(), net.graph.link_count());
  EXPECT_EQ(loaded.p2c_count(), net.graph.p2c_count());
  for (const topology::Link& l : net.graph.links()) {
    const Asn a = net.graph.AsnAt(l.a), b = net.graph.AsnAt(l.b);
    EXPECT_EQ(loaded.RelationOf(a, b), net.graph.RelationOf(a, b));
  }
  // IXP peerings are tagged mlp and join two members of one IXP.
  std::set<std::pair<Asn, Asn>> co_members;
  for (const SynthIxp& x : net.ixps)
    for (Asn a : x.members)
      for (Asn b : x.members) co_members.emplace(a, b);
  ASSERT_LT(net.first_ixp_link, net.graph.link_count());
  for (size_t i = net.first_ixp_link; i < net.graph.links().size(); ++i) {
    const topology::Link& l = net.graph.links()[i];
    EXPECT_EQ(l.type, LinkType::kP2p);
    EXPECT_TRUE(co_members.count({net.graph.AsnAt(l.a), net.graph.AsnAt(l.b)}));
  }
}

TEST(SyntheticTopology, CustomerCountsAreHeavyTailed) {
  // Preferential attachment: a few providers collect many customers.
  const SyntheticInternet& net = Default();
  std::vector<size_t> customers;
  for (const SynthAs& as : net.ases) {
    if (as.tier == Tier::kStub) continue;
    customers.push_back(net.graph.Customers(*net.graph.Index(as.asn)).size());
  }
  std::sort(customers.rbegin(), customers.rend());
  const size_t median = customers[customers.size() / 2];
  std::printf("customers per transit AS: max %zu, median %zu\n", customers[0], median);
  EXPECT_GT(customers[0], 10 * std::max<size_t>(median, 1));
}

TEST(SyntheticTopology, AsnsArePublicUniqueAndMixed) {
  const SyntheticInternet& net = Default();
  std::set<Asn> seen;
  size_t two_octet = 0;
  for (const SynthAs& as : net.ases) {
    EXPECT_FALSE(IsBogonAsn(as.asn)) << as.asn;
    EXPECT_TRUE(seen.insert(as.asn).second) << as.asn;
    if (as.asn < 65536) ++two_octet;
  }
  EXPECT_GT(two_octet, net.ases.size() / 3);
  EXPECT_LT(two_octet, net.ases.size() * 3 / 4);
  for (const PoolRecord& p : net.pool) {
    if (p.is_asn) {
      EXPECT_TRUE(seen.insert(p.asn).second) << "pool ASN in use: " << p.asn;
    }
  }
  EXPECT_TRUE(IsBogonAsn(0));
  EXPECT_TRUE(IsBogonAsn(23456));
  EXPECT_TRUE(IsBogonAsn(64496));
  EXPECT_TRUE(IsBogonAsn(131071));
  EXPECT_TRUE(IsBogonAsn(4200000000u));
  EXPECT_TRUE(IsBogonAsn(4294967295u));
  EXPECT_FALSE(IsBogonAsn(64495));
  EXPECT_FALSE(IsBogonAsn(131072));
}

TEST(SyntheticTopology, RegionsAndLacnicCountries) {
  const SyntheticInternet& net = Default();
  std::map<Rir, size_t> by_rir;
  std::map<std::string, size_t> lac;
  for (const SynthAs& as : net.ases) {
    ++by_rir[as.rir];
    EXPECT_EQ(as.country.size(), 2u);
    if (as.rir == Rir::kLacnic) ++lac[as.country];
  }
  EXPECT_EQ(by_rir.size(), 5u);
  EXPECT_GT(by_rir[Rir::kRipeNcc], by_rir[Rir::kAfrinic]);
  EXPECT_GT(by_rir[Rir::kLacnic], 200u);
  for (const char* cc : {"BR", "MX", "AR", "CO", "CL", "PE", "EC", "UY", "CR", "PA"})
    EXPECT_GT(lac[cc], 0u) << cc;
  // BR then MX are the largest LACNIC countries, whatever the seed.
  for (uint64_t seed = 1; seed <= 5; ++seed) {
    SyntheticConfig c;
    c.seed = seed;
    auto r = GenerateTopology(c);
    ASSERT_TRUE(r.ok());
    std::map<std::string, size_t> k;
    for (const SynthAs& as : r->ases)
      if (as.rir == Rir::kLacnic) ++k[as.country];
    std::vector<std::pair<size_t, std::string>> ranked;
    for (const auto& [cc, m] : k) ranked.emplace_back(m, cc);
    std::sort(ranked.rbegin(), ranked.rend());
    ASSERT_GE(ranked.size(), 2u);
    EXPECT_EQ(ranked[0].second, "BR") << "seed " << seed;
    EXPECT_EQ(ranked[1].second, "MX") << "seed " << seed;
  }
}

TEST(SyntheticTopology, SiblingOrganisations) {
  const SyntheticInternet& net = Default();
  const auto pos = Positions(net);
  size_t multi = 0;
  for (size_t o = 0; o < net.orgs.size(); ++o) {
    const SynthOrg& org = net.orgs[o];
    ASSERT_GE(org.ases.size(), 1u);
    ASSERT_LE(org.ases.size(), 5u);
    if (org.ases.size() > 1) ++multi;
    for (Asn a : org.ases) {
      EXPECT_EQ(net.ases[pos.at(a)].org, o);
      EXPECT_EQ(net.ases[pos.at(a)].country, org.country);
    }
  }
  EXPECT_GT(multi, net.orgs.size() / 100);
  EXPECT_LT(multi, net.orgs.size() / 10);
  // The as2org text reads back with Vigía's own as2org loader.
  topology::As2Org loaded;
  ASSERT_TRUE(loaded.LoadText(As2OrgText(net), "synthetic.as2org").ok());
  EXPECT_EQ(loaded.problems().count(), 0u);
  EXPECT_EQ(loaded.orgs().size(), net.orgs.size());
  EXPECT_EQ(loaded.as_count(), net.ases.size());
  for (const SynthOrg& org : net.orgs) {
    if (org.ases.size() < 2) continue;
    EXPECT_TRUE(loaded.AreSiblings(org.ases[0], org.ases[1]));
  }
}

TEST(SyntheticTopology, AllocationsAreDisjointUnbogonAndInTheirRegion) {
  const SyntheticInternet& net = Default();
  std::vector<std::pair<Prefix, int>> blocks;  // allocations and pool space
  for (const Allocation& a : net.allocations) {
    EXPECT_FALSE(a.prefix.HasHostBits()) << a.prefix.ToString();
    bool inside = false;
    for (const Prefix& b : IanaBlocks(a.rir, a.prefix.family())) inside |= b.Contains(a.prefix);
    EXPECT_TRUE(inside) << a.prefix.ToString() << " outside " << RirName(a.rir);
    blocks.emplace_back(a.prefix, 0);
  }
  for (const PoolRecord& p : net.pool)
    if (!p.is_asn) blocks.emplace_back(p.prefix, 1);
  std::sort(blocks.begin(), blocks.end());
  for (size_t i = 1; i < blocks.size(); ++i) {
    const Prefix& x = blocks[i - 1].first;
    const Prefix& y = blocks[i].first;
    EXPECT_FALSE(x.Contains(y) || y.Contains(x)) << x.ToString() << " overlaps " << y.ToString();
  }
  // Sizes by tier: transit larger than stubs.
  std::unordered_map<Asn, Tier> tier;
  for (const SynthAs& as : net.ases) tier[as.asn] = as.tier;
  for (const Allocation& a : net.allocations) {
    const bool v4 = a.prefix.family() == Family::kIpv4;
    if (tier[a.holder] == Tier::kTier2 || tier[a.holder] == Tier::kTier3) {
      EXPECT_LE(a.prefix.length(), v4 ? 20 : 32) << a.prefix.ToString();
    }
    EXPECT_LE(a.prefix.length(), v4 ? 24 : 48);
  }
}

TEST(SyntheticTopology, AnnouncementsLieInTheirAllocation) {
  const SyntheticInternet& net = Default();
  std::set<Prefix> seen;
  size_t v6 = 0, more_specific = 0;
  for (const Announcement& a : net.announcements) {
    ASSERT_LT(a.allocation, net.allocations.size());
    const Allocation& al = net.allocations[a.allocation];
    EXPECT_EQ(al.holder, a.origin);
    EXPECT_TRUE(al.prefix.Contains(a.prefix));
    EXPECT_FALSE(a.prefix.HasHostBits());
    EXPECT_TRUE(seen.insert(a.prefix).second) << "announced twice: " << a.prefix.ToString();
    if (a.prefix.family() == Family::kIpv6) {
      ++v6;
      EXPECT_LE(a.prefix.length(), 48);
    } else {
      EXPECT_LE(a.prefix.length(), 24);
    }
    if (!(a.prefix == al.prefix)) ++more_specific;
  }
  EXPECT_EQ(net.announcements.size(), 20000u);
  EXPECT_EQ(v6, 4000u);
  EXPECT_GT(more_specific, 5000u);
  // Every AS announces at least one IPv4 prefix.
  std::set<Asn> origins;
  for (const Announcement& a : net.announcements)
    if (a.prefix.family() == Family::kIpv4) origins.insert(a.origin);
  EXPECT_EQ(origins.size(), net.ases.size());
}

std::vector<std::string> Fields(const std::string& line) {
  std::vector<std::string> f;
  size_t start = 0;
  for (;;) {
    const size_t bar = line.find('|', start);
    f.push_back(line.substr(start, bar == std::string::npos ? std::string::npos : bar - start));
    if (bar == std::string::npos) return f;
    start = bar + 1;
  }
}

// Checks the RIR statistics exchange format v2.3 rules the files must meet.
TEST(SyntheticTopology, DelegatedFilesFollowTheExchangeFormat) {
  const SyntheticInternet& net = Default();
  std::set<Asn> asns_listed;
  size_t allocations_listed = 0;
  for (int r = 0; r < kRirCount; ++r) {
    const Rir rir = static_cast<Rir>(r);
    const std::string reg(RirRegistry(rir));
    const std::vector<std::string> lines = test_util::Lines(DelegatedExtendedText(net, rir));
    ASSERT_GE(lines.size(), 4u);
    const auto version = Fields(lines[0]);
    ASSERT_EQ(version.size(), 7u) << lines[0];
    EXPECT_EQ(version[0], "2.3");
    EXPECT_EQ(version[1], reg);
    EXPECT_EQ(version[3], std::to_string(lines.size() - 4));
    EXPECT_EQ(version[5], "20261122");
    const char* types[] = {"asn", "ipv4", "ipv6"};
    size_t summary[3];
    for (int t = 0; t < 3; ++t) {
      const auto s = Fields(lines[1 + t]);
      ASSERT_EQ(s.size(), 6u) << lines[1 + t];
      EXPECT_EQ(s[0], reg);
      EXPECT_EQ(s[1], "*");
      EXPECT_EQ(s[2], types[t]);
      EXPECT_EQ(s[3], "*");
      EXPECT_EQ(s[5], "summary");
      summary[t] = std::stoul(s[4]);
    }
    size_t count[3] = {0, 0, 0};
    std::map<std::string, size_t> statuses;
    for (size_t i = 4; i < lines.size(); ++i) {
      const auto f = Fields(lines[i]);
      ASSERT_EQ(f.size(), 8u) << lines[i];
      EXPECT_EQ(f[0], reg);
      EXPECT_EQ(f[1].size(), 2u) << lines[i];
      ++statuses[f[6]];
      const bool delegated = f[6] == "allocated" || f[6] == "assigned";
      EXPECT_TRUE(delegated || f[6] == "available" || f[6] == "reserved") << lines[i];
      if (delegated) {
        EXPECT_EQ(f[5].size(), 8u) << lines[i];
        EXPECT_FALSE(f[7].empty()) << lines[i];
      } else {
        EXPECT_EQ(f[1], "ZZ");
        EXPECT_TRUE(f[5].empty());
      }
      const int t = static_cast<int>(std::find(types, types + 3, f[2]) - types);
      ASSERT_LT(t, 3) << lines[i];
      ++count[t];
      if (t == 0) {
        EXPECT_EQ(f[4], "1");
        if (delegated) asns_listed.insert(static_cast<Asn>(std::stoul(f[3])));
      } else {
        auto addr = IpAddress::Parse(f[3]);
        ASSERT_TRUE(addr) << lines[i];
        const uint64_t value = std::stoull(f[4]);
        int len;
        if (t == 1) {
          ASSERT_TRUE(addr->is_v4());
          ASSERT_EQ(value & (value - 1), 0u) << "not a power of two: " << lines[i];
          len = 32 - std::countr_zero(value);
        } else {
          ASSERT_TRUE(addr->is_v6());
          len = static_cast<int>(value);
        }
        const Prefix p(*addr, static_cast<uint8_t>(len));
        EXPECT_FALSE(p.HasHostBits()) << lines[i];
        bool inside = false;
        for (const Prefix& b : IanaBlocks(rir, p.family())) inside |= b.Contains(p);
        EXPECT_TRUE(inside) << lines[i];
        if (delegated) ++allocations_listed;
      }
    }
    for (int t = 0; t < 3; ++t) EXPECT_EQ(summary[t], count[t]) << reg << " " << types[t];
    EXPECT_GT(statuses["allocated"], 0u) << reg;
    EXPECT_GT(statuses["available"], 0u) << reg;
    EXPECT_GT(statuses["reserved"], 0u) << reg;
  }
  EXPECT_EQ(asns_listed.size(), net.ases.size());
  EXPECT_EQ(allocations_listed, net.allocations.size());
}

TEST(SyntheticTopology, WritesOneDelegatedFilePerRir) {
  const SyntheticInternet& net = Default();
  const std::string dir = ::testing::TempDir() + "/synth_delegated";
  std::filesystem::create_directories(dir);
  ASSERT_TRUE(WriteDelegatedFiles(net, dir).ok());
  for (int r = 0; r < kRirCount; ++r) {
    const std::string path =
        fmt::format("{}/delegated-{}-extended-20261122", dir, RirRegistry(static_cast<Rir>(r)));
    ASSERT_TRUE(std::filesystem::exists(path)) << path;
    EXPECT_EQ(std::filesystem::file_size(path),
              DelegatedExtendedText(net, static_cast<Rir>(r)).size());
  }
  std::filesystem::remove_all(dir);
  EXPECT_FALSE(WriteDelegatedFiles(net, dir + "/missing/dir").ok());
}

TEST(SyntheticTopology, RejectsConfigsItCannotHonour) {
  SyntheticConfig c;
  c.ases = 5;
  EXPECT_EQ(GenerateTopology(c).status().code(), StatusCode::kInvalidArgument);
  c = SyntheticConfig{};
  c.tier2_share = 0.6;
  c.tier3_share = 0.6;
  EXPECT_EQ(GenerateTopology(c).status().code(), StatusCode::kInvalidArgument);
  c = SyntheticConfig{};
  c.prefixes = 10'000'000;
  EXPECT_EQ(GenerateTopology(c).status().code(), StatusCode::kInvalidArgument);
  c = SyntheticConfig{};
  c.tier1 = 1000;
  EXPECT_EQ(GenerateTopology(c).status().code(), StatusCode::kInvalidArgument);
  c = SyntheticConfig{};
  c.ipv6_share = 1.5;
  EXPECT_EQ(GenerateTopology(c).status().code(), StatusCode::kInvalidArgument);
}

TEST(SyntheticTopology, FewerPrefixesThanAsesAndTinyInternets) {
  SyntheticConfig c;
  c.ases = 40;
  c.prefixes = 25;
  auto r = GenerateTopology(c);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->announcements.size(), 25u);
  EXPECT_EQ(r->ases.size(), 40u);
  c.prefixes = 200'000;  // thousands per AS: several allocations each
  r = GenerateTopology(c);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->announcements.size(), 200'000u);
}

TEST(SyntheticTopology, FullScale) {
  SyntheticConfig c;
  c.ases = 75'000;
  c.prefixes = 1'000'000;
  const auto start = std::chrono::steady_clock::now();
  auto r = GenerateTopology(c);
  const double secs =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  std::printf(
      "full scale: %zu ASes, %zu links (%zu p2c, %zu p2p), %zu allocations, %zu prefixes, "
      "%zu IXPs, %zu orgs in %.2f s\n",
      r->ases.size(), r->graph.link_count(), r->graph.p2c_count(), r->graph.p2p_count(),
      r->allocations.size(), r->announcements.size(), r->ixps.size(), r->orgs.size(), secs);
  EXPECT_EQ(r->announcements.size(), 1'000'000u);
  EXPECT_EQ(r->graph.as_count(), 75'000u);
  size_t stubs = 0;
  for (const SynthAs& as : r->ases) stubs += as.tier == Tier::kStub;
  EXPECT_GT(stubs, 75'000u * 80 / 100);
  size_t bytes = 0;
  for (int k = 0; k < kRirCount; ++k)
    bytes += DelegatedExtendedText(*r, static_cast<Rir>(k)).size();
  EXPECT_GT(bytes, 0u);
}

}  // namespace
}  // namespace vigia::sim

namespace vigia::sim {
namespace {

// The delegated files read back through Vigía's own RIR-stats parser
// without a skipped line, and hold every allocation.
TEST(SyntheticTopology, DelegatedFilesParseWithTheRegistryReader) {
  SyntheticConfig config;
  config.ases = 500;
  config.prefixes = 3000;
  auto net = GenerateTopology(config);
  ASSERT_TRUE(net.ok()) << net.status().message();
  size_t records = 0;
  for (int r = 0; r < kRirCount; ++r) {
    registry::DelegatedStats stats;
    const std::string text = DelegatedExtendedText(*net, static_cast<Rir>(r));
    ASSERT_TRUE(stats.LoadText(text, std::string(RirRegistry(static_cast<Rir>(r)))).ok());
    EXPECT_EQ(stats.skipped(), 0u) << RirName(static_cast<Rir>(r));
    EXPECT_TRUE(stats.warnings().empty()) << RirName(static_cast<Rir>(r));
    records += stats.records().size();
  }
  EXPECT_GE(records, net->allocations.size() + net->ases.size());
}

}  // namespace
}  // namespace vigia::sim
