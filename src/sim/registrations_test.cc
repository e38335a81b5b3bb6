#include "sim/registrations.h"

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <set>
#include <span>
#include <sstream>
#include <string>
#include <tuple>
#include <unordered_map>
#include <vector>

#include "irr/irr_index.h"
#include "peeringdb/peeringdb.h"
#include "rpki/origin_validation.h"
#include "rpki/vrp.h"

namespace vigia::sim {
namespace {

// One small Internet and its registrations, shared by the tests
// (generation is deterministic, so sharing hides nothing).
const SyntheticInternet& Net() {
  static const SyntheticInternet* net = [] {
    SyntheticConfig c;
    c.ases = 600;
    c.prefixes = 4000;
    c.seed = 3;
    auto r = GenerateTopology(c);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return new SyntheticInternet(std::move(r).value());
  }();
  return *net;
}

RegistrationConfig Config() {
  RegistrationConfig c;
  c.seed = 3;
  return c;
}

const Registrations& Regs() {
  static const Registrations* regs = new Registrations(GenerateRegistrations(Net(), Config()));
  return *regs;
}

std::unordered_map<Asn, size_t> Positions(const SyntheticInternet& net) {
  std::unordered_map<Asn, size_t> pos;
  for (size_t i = 0; i < net.ases.size(); ++i) pos[net.ases[i].asn] = i;
  return pos;
}

// A fresh directory under the test temporary directory, removed on exit.
class TempDir {
 public:
  explicit TempDir(const std::string& name)
      : path_(fmt::format("{}/vigia-regs-{}-{}", ::testing::TempDir(), getpid(), name)) {
    std::filesystem::remove_all(path_);
    std::filesystem::create_directories(path_);
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

// Writes the three kinds of files into dir.
void WriteAll(const SyntheticInternet& net, const Registrations& regs, const std::string& dir) {
  Status s = WriteRoas(regs, dir + "/vrps.json", 1'790'000'000);
  ASSERT_TRUE(s.ok()) << s.ToString();
  std::filesystem::create_directories(dir + "/irr");
  s = WriteRpslDumps(net, regs, dir + "/irr");
  ASSERT_TRUE(s.ok()) << s.ToString();
  s = WritePeeringDb(net, regs, dir + "/peeringdb.json");
  ASSERT_TRUE(s.ok()) << s.ToString();
}

std::vector<std::string> FilesIn(const std::string& dir) {
  std::vector<std::string> out;
  for (const auto& e : std::filesystem::recursive_directory_iterator(dir)) {
    if (e.is_regular_file()) out.push_back(std::filesystem::relative(e.path(), dir).string());
  }
  std::sort(out.begin(), out.end());
  return out;
}

// Within four standard deviations of a binomial share, plus some slack.
void ExpectShare(size_t hits, size_t total, double p, const std::string& what) {
  if (total == 0) return;
  const double observed = static_cast<double>(hits) / static_cast<double>(total);
  const double tolerance = 4 * std::sqrt(p * (1 - p) / static_cast<double>(total)) + 0.05;
  EXPECT_NEAR(observed, p, tolerance) << what << ": " << hits << " of " << total;
}

TEST(Registrations, AdoptionFollowsConfigPerRegion) {
  const SyntheticInternet& net = Net();
  const Registrations& regs = Regs();
  const RegistrationConfig config = Config();
  ASSERT_EQ(regs.rpki_adopter.size(), net.ases.size());
  ASSERT_EQ(regs.irr_adopter.size(), net.ases.size());
  ASSERT_EQ(regs.in_peeringdb.size(), net.ases.size());
  ASSERT_EQ(regs.has_poc.size(), net.ases.size());
  std::array<size_t, kRirCount> all{}, rpki{}, irr{}, lower{}, pdb_lower{};
  size_t pdb = 0, poc = 0;
  for (size_t i = 0; i < net.ases.size(); ++i) {
    const SynthAs& as = net.ases[i];
    const int r = static_cast<int>(as.rir);
    ++all[r];
    rpki[r] += regs.rpki_adopter[i];
    irr[r] += regs.irr_adopter[i];
    if (as.tier == Tier::kTier1 || as.tier == Tier::kTier2) {
      EXPECT_TRUE(regs.in_peeringdb[i]) << "transit AS" << as.asn << " not in PeeringDB";
    } else {
      ++lower[r];
      pdb_lower[r] += regs.in_peeringdb[i];
    }
    pdb += regs.in_peeringdb[i];
    poc += regs.has_poc[i];
    if (regs.has_poc[i]) {
      EXPECT_TRUE(regs.in_peeringdb[i]);
    }
  }
  for (int r = 0; r < kRirCount; ++r) {
    const std::string region(RirName(static_cast<Rir>(r)));
    ExpectShare(rpki[r], all[r], config.roa_share[r], region + " RPKI");
    ExpectShare(irr[r], all[r], config.irr_share[r], region + " IRR");
    ExpectShare(pdb_lower[r], lower[r], config.peeringdb_share[r], region + " PeeringDB");
  }
  ExpectShare(poc, pdb, config.poc_share, "contacts");
}

TEST(Registrations, SiblingsShareTheRpkiDecision) {
  const SyntheticInternet& net = Net();
  const Registrations& regs = Regs();
  const auto pos = Positions(net);
  size_t sibling_orgs = 0;
  for (const SynthOrg& org : net.orgs) {
    if (org.ases.size() < 2) continue;
    ++sibling_orgs;
    const uint8_t first = regs.rpki_adopter[pos.at(org.ases[0])];
    for (Asn a : org.ases) EXPECT_EQ(regs.rpki_adopter[pos.at(a)], first) << org.id;
  }
  EXPECT_GT(sibling_orgs, 0u);
}

// What the RPKI guarantees rest on: a network announces only inside the
// allocations it holds.
TEST(Registrations, AnnouncementsAreInTheOriginsOwnAllocations) {
  const SyntheticInternet& net = Net();
  for (const Announcement& a : net.announcements) {
    ASSERT_LT(a.allocation, net.allocations.size());
    const Allocation& alloc = net.allocations[a.allocation];
    EXPECT_EQ(alloc.holder, a.origin) << a.prefix.ToString();
    EXPECT_TRUE(alloc.prefix.Contains(a.prefix)) << a.prefix.ToString();
  }
}

// RFC 6811: every announcement of an adopter is Valid; no other
// announcement is covered by any ROA (NotFound), so none is made Invalid.
TEST(Registrations, AdoptersAreValidAndTheRestNotFound) {
  const SyntheticInternet& net = Net();
  const Registrations& regs = Regs();
  const auto pos = Positions(net);
  rpki::VrpSet vrps;
  for (const SimRoa& r : regs.roas) {
    ASSERT_TRUE(vrps.Add(r.prefix, r.max_length, r.asn, std::string(TrustAnchorName(r.ta))));
  }
  vrps.Build();
  size_t valid = 0, not_found = 0;
  for (const Announcement& a : net.announcements) {
    const rpki::RovState state = rpki::Validate(vrps, a.prefix, a.origin).state;
    if (regs.rpki_adopter[pos.at(a.origin)]) {
      EXPECT_EQ(state, rpki::RovState::kValid) << a.prefix.ToString() << " AS" << a.origin;
      ++valid;
    } else {
      EXPECT_EQ(state, rpki::RovState::kNotFound) << a.prefix.ToString() << " AS" << a.origin;
      ++not_found;
    }
  }
  EXPECT_GT(valid, 0u);
  EXPECT_GT(not_found, 0u);

  // Each ROA lies in an allocation of its AS, under the AS's RIR; a share
  // of them covers a whole allocation with a loose maxLength.
  std::unordered_map<Asn, std::vector<const Allocation*>> held;
  for (const Allocation& a : net.allocations) held[a.holder].push_back(&a);
  size_t covering = 0;
  for (const SimRoa& r : regs.roas) {
    const auto& allocs = held[r.asn];
    EXPECT_TRUE(std::any_of(allocs.begin(), allocs.end(),
                            [&](const Allocation* a) { return a->prefix.Contains(r.prefix); }))
        << r.prefix.ToString() << " AS" << r.asn;
    EXPECT_EQ(r.ta, net.ases[pos.at(r.asn)].rir);
    EXPECT_GE(r.max_length, r.prefix.length());
    if (r.max_length > r.prefix.length()) {
      ++covering;
      EXPECT_EQ(r.max_length, r.prefix.family() == Family::kIpv4 ? 24 : 48);
    }
  }
  EXPECT_GT(covering, 0u);
  EXPECT_TRUE(
      std::is_sorted(regs.roas.begin(), regs.roas.end(), [](const SimRoa& a, const SimRoa& b) {
        return std::tie(a.prefix, a.max_length, a.asn) < std::tie(b.prefix, b.max_length, b.asn);
      }));
}

TEST(Registrations, AspaProvidersAreTheGraphProviders) {
  const SyntheticInternet& net = Net();
  const Registrations& regs = Regs();
  const auto pos = Positions(net);
  ASSERT_FALSE(regs.aspas.empty());
  size_t adopters_with_providers = 0;
  for (size_t i = 0; i < net.ases.size(); ++i) {
    adopters_with_providers +=
        regs.rpki_adopter[i] && !net.graph.Providers(*net.graph.Index(net.ases[i].asn)).empty();
  }
  ExpectShare(regs.aspas.size(), adopters_with_providers, Config().aspa_share, "ASPA");
  for (const SimAspa& a : regs.aspas) {
    EXPECT_TRUE(regs.rpki_adopter[pos.at(a.customer)]) << a.customer;
    std::vector<Asn> expected;
    for (uint32_t p : net.graph.Providers(*net.graph.Index(a.customer)))
      expected.push_back(net.graph.AsnAt(p));
    std::sort(expected.begin(), expected.end());
    EXPECT_FALSE(expected.empty());
    EXPECT_EQ(a.providers, expected) << "AS" << a.customer;
  }
}

TEST(Registrations, RouteObjectsFollowTheIrrAdopters) {
  const SyntheticInternet& net = Net();
  const Registrations& regs = Regs();
  const RegistrationConfig config = Config();
  const auto pos = Positions(net);
  std::set<std::tuple<Prefix, Asn, std::string>> objects;
  for (const SimRouteObject& r : regs.route_objects) {
    EXPECT_TRUE(objects.insert({r.prefix, r.origin, r.source}).second) << r.prefix.ToString();
    EXPECT_EQ(r.mnt_by, fmt::format("MAINT-AS{}", r.origin));
    EXPECT_LE(r.changed, config.date);
    EXPECT_GE(r.changed, 19900101u);
  }
  std::set<Prefix> stale_prefixes;
  size_t former = 0, unannounced = 0;
  for (const StaleRegistration& s : regs.stale) {
    if (s.kind == "irr_former_origin") {
      ++former;
      stale_prefixes.insert(s.prefix);
      EXPECT_NE(s.registered_origin, s.announced_origin);
      EXPECT_EQ(net.ases[pos.at(s.registered_origin)].rir,
                net.ases[pos.at(s.announced_origin)].rir);
      EXPECT_TRUE(objects.count({s.prefix, s.registered_origin, s.where}));
      EXPECT_FALSE(objects.count({s.prefix, s.announced_origin, s.where}));
    } else {
      EXPECT_EQ(s.kind, "irr_unannounced");
      ++unannounced;
      EXPECT_TRUE(objects.count({s.prefix, s.registered_origin, s.where}));
      EXPECT_EQ(s.prefix.length(), s.prefix.family() == Family::kIpv4 ? 24 : 48);
      for (const Announcement& a : net.announcements) EXPECT_NE(a.prefix, s.prefix);
    }
  }
  EXPECT_GT(former, 0u);
  EXPECT_GT(unannounced, 0u);

  // Every announcement of an adopter is registered for its origin, unless
  // stale; no other announcement is.
  size_t adopter_announcements = 0;
  std::set<std::pair<Prefix, Asn>> registered;
  std::map<Asn, std::set<std::string>> source_of;
  for (const SimRouteObject& r : regs.route_objects) {
    registered.insert({r.prefix, r.origin});
    source_of[r.origin].insert(r.source);
  }
  for (const Announcement& a : net.announcements) {
    const size_t i = pos.at(a.origin);
    if (regs.irr_adopter[i]) {
      ++adopter_announcements;
      EXPECT_TRUE(registered.count({a.prefix, a.origin}) || stale_prefixes.count(a.prefix))
          << a.prefix.ToString();
    } else {
      EXPECT_FALSE(registered.count({a.prefix, a.origin})) << a.prefix.ToString();
    }
  }
  ExpectShare(former, adopter_announcements, config.stale_irr_share, "stale route objects");
  // One database per adopter: its RIR's or RADB.
  size_t radb = 0, rir = 0;
  for (size_t i = 0; i < net.ases.size(); ++i) {
    if (!regs.irr_adopter[i]) continue;
    const auto it = source_of.find(net.ases[i].asn);
    if (it == source_of.end()) continue;
    std::set<std::string> own = it->second;
    for (const StaleRegistration& s : regs.stale) {
      if (s.registered_origin == net.ases[i].asn && s.kind == "irr_former_origin") own.clear();
    }
    if (own.empty()) continue;  // also registered as someone's former origin
    EXPECT_EQ(own.size(), 1u) << "AS" << net.ases[i].asn;
    const std::string& src = *own.begin();
    if (src == "RADB") {
      ++radb;
    } else {
      EXPECT_EQ(src, IrrSourceName(net.ases[i].rir));
      ++rir;
    }
  }
  ExpectShare(rir, rir + radb, 0.70, "RIR databases");
}

TEST(Registrations, IxpLansAvoidAllocatedSpace) {
  const SyntheticInternet& net = Net();
  const Registrations& regs = Regs();
  ASSERT_EQ(regs.ixp_lans.size(), net.ixps.size());
  ASSERT_FALSE(net.ixps.empty());
  const Prefix v4_block = *Prefix::Parse("185.0.0.0/8");
  const Prefix v6_block = *Prefix::Parse("2001:7f8::/29");
  EXPECT_EQ(regs.ixp_lans[0].v6, Prefix::Parse("2001:7f8:1::/64"));
  std::vector<Prefix> lans;
  for (size_t k = 0; k < net.ixps.size(); ++k) {
    const IxpLan& lan = regs.ixp_lans[k];
    ASSERT_TRUE(lan.v4 && lan.v6);
    EXPECT_TRUE(v4_block.Contains(*lan.v4)) << lan.v4->ToString();
    EXPECT_TRUE(v6_block.Contains(*lan.v6)) << lan.v6->ToString();
    EXPECT_LE(lan.v4->length(), 24);
    EXPECT_EQ(lan.v6->length(), 64);
    // Room for every member.
    EXPECT_GE(uint64_t{1} << (32 - lan.v4->length()), net.ixps[k].members.size() + 2);
    lans.push_back(*lan.v4);
    lans.push_back(*lan.v6);
  }
  auto overlap = [](const Prefix& a, const Prefix& b) { return a.Contains(b) || b.Contains(a); };
  for (const Prefix& lan : lans) {
    for (const Allocation& a : net.allocations) EXPECT_FALSE(overlap(lan, a.prefix));
    for (const Announcement& a : net.announcements) EXPECT_FALSE(overlap(lan, a.prefix));
  }
  for (size_t i = 0; i < lans.size(); ++i) {
    for (size_t j = i + 1; j < lans.size(); ++j) EXPECT_FALSE(overlap(lans[i], lans[j]));
  }
}

// A hand-made Internet whose address space is in the way of the first LANs
// and whose first IXP is too large for a /24.
TEST(Registrations, IxpLansSkipTakenSpaceAndGrowWithMembers) {
  SyntheticInternet net;
  SynthAs as;
  as.asn = 64500;
  as.rir = Rir::kRipeNcc;
  as.country = "NL";
  net.ases.push_back(as);
  net.orgs.push_back({"SYN-000001-RIPENCC", "Example Org NL", "NL", Rir::kRipeNcc, {64500}});
  for (const char* p : {"185.1.1.0/24", "2001:7f8:1::/48"}) {
    net.allocations.push_back({*Prefix::Parse(p), 64500, Rir::kRipeNcc, 20200101, false});
    net.announcements.push_back(
        {*Prefix::Parse(p), 64500, static_cast<uint32_t>(net.allocations.size() - 1)});
  }
  SynthIxp big{1, "IX-NL-1", Rir::kRipeNcc, "NL", {}};
  for (Asn a = 1; a <= 300; ++a) big.members.push_back(a);
  big.members.push_back(64500);
  net.ixps.push_back(big);
  net.ixps.push_back({2, "IX-NL-2", Rir::kRipeNcc, "NL", {64500}});
  net.graph.Build();

  RegistrationConfig config;
  config.peeringdb_share.fill(1.0);
  const Registrations regs = GenerateRegistrations(net, config);
  ASSERT_EQ(regs.ixp_lans.size(), 2u);
  // 301 members need a /23; 185.1.0.0/23 holds the allocation.
  EXPECT_EQ(regs.ixp_lans[0].v4, Prefix::Parse("185.1.2.0/23"));
  EXPECT_EQ(regs.ixp_lans[1].v4, Prefix::Parse("185.1.4.0/24"));
  EXPECT_EQ(regs.ixp_lans[0].v6, Prefix::Parse("2001:7f8:2::/64"));
  EXPECT_EQ(regs.ixp_lans[1].v6, Prefix::Parse("2001:7f8:3::/64"));

  // The one network in PeeringDB has a port at both, the last address of
  // the big LAN's members included.
  const TempDir dir("lans");
  const std::string path = dir.path() + "/peeringdb.json";
  Status s = WritePeeringDb(net, regs, path);
  ASSERT_TRUE(s.ok()) << s.ToString();
  peeringdb::PeeringDb db;
  ASSERT_TRUE(db.Load(path).ok());
  EXPECT_EQ(db.problem_count(), 0u);
  const std::vector<peeringdb::Membership> ports = db.MembershipsOf(64500);
  ASSERT_EQ(ports.size(), 2u);
  EXPECT_EQ(ports[0].port->ipaddr4->ToString(), "185.1.3.45");  // 185.1.2.0 + 301
  EXPECT_EQ(ports[1].port->ipaddr4->ToString(), "185.1.4.1");
  EXPECT_EQ(ports[0].port->ipaddr6->ToString(), "2001:7f8:2::fbf4:1");
}

TEST(Registrations, RoaFileLoadsAsGenerated) {
  const Registrations& regs = Regs();
  const TempDir dir("roas");
  const std::string path = dir.path() + "/vrps.json";
  Status s = WriteRoas(regs, path, 1'790'000'000);
  ASSERT_TRUE(s.ok()) << s.ToString();
  rpki::VrpSet loaded;
  s = loaded.LoadFile(path);
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ(loaded.skipped(), 0u);
  ASSERT_EQ(loaded.size(), regs.roas.size());
  std::vector<SimRoa> got;
  for (const rpki::Vrp& v : loaded.vrps()) {
    const std::string& ta = loaded.trust_anchors()[v.ta];
    Rir rir = Rir::kRipeNcc;
    bool known = false;
    for (int r = 0; r < kRirCount; ++r) {
      if (TrustAnchorName(static_cast<Rir>(r)) == ta) {
        rir = static_cast<Rir>(r);
        known = true;
      }
    }
    EXPECT_TRUE(known) << ta;
    got.push_back({v.prefix, v.max_length, v.asn, rir});
  }
  EXPECT_EQ(got, regs.roas);  // both sorted by prefix, maxLength, ASN
  ASSERT_EQ(loaded.aspas().size(), regs.aspas.size());
  for (const SimAspa& a : regs.aspas) {
    const std::vector<Asn>* p = loaded.aspas().Providers(a.customer);
    ASSERT_NE(p, nullptr) << a.customer;
    EXPECT_EQ(*p, a.providers);
  }
}

TEST(Registrations, RpslDumpsLoadAsGenerated) {
  const SyntheticInternet& net = Net();
  const Registrations& regs = Regs();
  const TempDir dir("rpsl");
  Status s = WriteRpslDumps(net, regs, dir.path());
  ASSERT_TRUE(s.ok()) << s.ToString();

  std::set<std::string> sources;
  for (const SimRouteObject& r : regs.route_objects) sources.insert(r.source);
  std::vector<std::string> expected_files;
  for (const std::string& src : sources) {
    std::string lower = src;
    std::transform(lower.begin(), lower.end(), lower.begin(),
                   [](char c) { return static_cast<char>(std::tolower(c)); });
    expected_files.push_back(lower + ".db.gz");
  }
  std::sort(expected_files.begin(), expected_files.end());
  EXPECT_EQ(FilesIn(dir.path()), expected_files);
  EXPECT_TRUE(sources.count("RADB") && sources.count("RIPE") && sources.count("ARIN"));

  irr::IrrDatabase db;
  for (const std::string& f : FilesIn(dir.path())) {
    s = db.LoadFile(dir.path() + "/" + f);
    ASSERT_TRUE(s.ok()) << s.ToString();
  }
  for (const LoadProblem& p : db.problems().kept()) ADD_FAILURE() << p.where << ": " << p.message;
  EXPECT_EQ(db.problems().count(), 0u);
  EXPECT_EQ(db.counts().skipped, 0u);
  ASSERT_EQ(db.routes().size(), regs.route_objects.size());

  std::set<std::tuple<Prefix, Asn, std::string>> loaded;
  for (const irr::RouteObject& r : db.routes()) {
    loaded.insert({r.prefix, r.origin, db.sources()[r.source]});
    EXPECT_EQ(db.strings().Get(r.mnt_by), fmt::format("MAINT-AS{}", r.origin));
  }
  for (const SimRouteObject& r : regs.route_objects) {
    EXPECT_TRUE(loaded.count({r.prefix, r.origin, r.source}))
        << r.prefix.ToString() << " AS" << r.origin << " " << r.source;
  }

  // An aut-num and a mntner for every origin, in its source.
  std::set<std::pair<Asn, std::string>> origins;
  for (const SimRouteObject& r : regs.route_objects) origins.insert({r.origin, r.source});
  EXPECT_EQ(db.aut_nums().size(), origins.size());
  EXPECT_EQ(db.mntners().size(), origins.size());
  for (const auto& [asn, src] : origins) {
    const irr::SourceId id = *db.FindSource(src);
    EXPECT_NE(db.FindAutNum(asn, std::span<const irr::SourceId>(&id, 1)), nullptr) << asn;
    EXPECT_NE(db.FindMntner(fmt::format("MAINT-AS{}", asn), std::span<const irr::SourceId>(&id, 1)),
              nullptr)
        << asn;
  }

  // Stale registrations are what the IRR says: the former origin is
  // registered, today's is not (in any source).
  ASSERT_FALSE(regs.stale.empty());
  for (const StaleRegistration& st : regs.stale) {
    bool registered = false, today = false;
    db.ForEachCoveringRoute(st.prefix, [&](uint32_t i) {
      const irr::RouteObject& r = db.routes()[i];
      if (r.prefix != st.prefix) return;
      if (r.origin == st.registered_origin && db.sources()[r.source] == st.where) registered = true;
      if (st.announced_origin != 0 && r.origin == st.announced_origin) today = true;
    });
    EXPECT_TRUE(registered) << st.kind << " " << st.prefix.ToString();
    EXPECT_FALSE(today) << st.kind << " " << st.prefix.ToString();
  }
}

TEST(Registrations, PeeringDbLoadsAsGenerated) {
  const SyntheticInternet& net = Net();
  const Registrations& regs = Regs();
  const TempDir dir("pdb");
  const std::string path = dir.path() + "/peeringdb.json";
  Status s = WritePeeringDb(net, regs, path);
  ASSERT_TRUE(s.ok()) << s.ToString();
  peeringdb::PeeringDb db;
  s = db.Load(path);
  ASSERT_TRUE(s.ok()) << s.ToString();
  for (const auto& p : db.problems()) ADD_FAILURE() << p.where << ": " << p.message;
  EXPECT_EQ(db.problem_count(), 0u);
  EXPECT_TRUE(db.ignored().empty());

  size_t nets = 0, contacts_min = 0, ports = 0;
  std::set<uint32_t> orgs;
  for (size_t i = 0; i < net.ases.size(); ++i) {
    if (!regs.in_peeringdb[i]) continue;
    ++nets;
    orgs.insert(net.ases[i].org);
    contacts_min += regs.has_poc[i];
  }
  const auto pos = Positions(net);
  std::map<Asn, std::vector<uint32_t>> expected_ixps;
  for (const SynthIxp& x : net.ixps) {
    for (Asn m : x.members) {
      if (regs.in_peeringdb[pos.at(m)]) {
        ++ports;
        expected_ixps[m].push_back(x.id);
      }
    }
  }
  EXPECT_EQ(db.nets().size(), nets);
  EXPECT_EQ(db.orgs().size(), orgs.size());
  EXPECT_EQ(db.ixs().size(), net.ixps.size());
  EXPECT_EQ(db.ixlans().size(), net.ixps.size());
  EXPECT_EQ(db.ixpfxs().size(), 2 * net.ixps.size());
  EXPECT_EQ(db.netixlans().size(), ports);
  EXPECT_GE(db.pocs().size(), contacts_min);
  EXPECT_LE(db.pocs().size(), 3 * contacts_min);
  for (int t = 0; t < static_cast<int>(peeringdb::kTableCount); ++t) {
    EXPECT_TRUE(db.loaded(static_cast<peeringdb::Table>(t)));
  }

  for (size_t i = 0; i < net.ases.size(); ++i) {
    const SynthAs& as = net.ases[i];
    const peeringdb::Net* n = db.NetByAsn(as.asn);
    if (!regs.in_peeringdb[i]) {
      EXPECT_EQ(n, nullptr) << as.asn;
      continue;
    }
    ASSERT_NE(n, nullptr) << as.asn;
    EXPECT_EQ(n->status, "ok");
    ASSERT_NE(db.OrgById(n->org_id), nullptr);
    EXPECT_EQ(db.OrgById(n->org_id)->country, net.orgs[as.org].country);
    EXPECT_EQ(n->info_type.empty(), false);
    EXPECT_EQ(n->irr_as_set.empty(), as.tier == Tier::kStub);
    int64_t v4 = 0, v6 = 0;
    for (const Announcement& a : net.announcements) {
      if (a.origin == as.asn) ++(a.prefix.family() == Family::kIpv4 ? v4 : v6);
    }
    EXPECT_EQ(n->info_prefixes4, v4);
    EXPECT_EQ(n->info_prefixes6, v6);

    // Membership per ASN, each port inside its exchange's LANs.
    std::vector<uint32_t> got;
    for (const peeringdb::Membership& m : db.MembershipsOf(as.asn)) {
      ASSERT_NE(m.ix, nullptr);
      got.push_back(m.ix->id);
      ASSERT_TRUE(m.port->ipaddr4 && m.port->ipaddr6);
      const peeringdb::IxPfx* p4 = db.LanPrefixOf(*m.port->ipaddr4);
      const peeringdb::IxPfx* p6 = db.LanPrefixOf(*m.port->ipaddr6);
      ASSERT_TRUE(p4 && p6);
      EXPECT_EQ(p4->ixlan_id, m.ix->id);
      EXPECT_EQ(p6->ixlan_id, m.ix->id);
      EXPECT_GE(m.port->speed, 1000u);
      EXPECT_LE(m.port->speed, 100000u);
      EXPECT_EQ(m.port->net_id, n->id);
    }
    std::sort(got.begin(), got.end());
    EXPECT_EQ(got, expected_ixps[as.asn]) << as.asn;

    // Contacts.
    const std::vector<const peeringdb::Poc*> pocs = db.ContactsOf(as.asn);
    if (!regs.has_poc[i]) {
      EXPECT_TRUE(pocs.empty()) << as.asn;
      continue;
    }
    EXPECT_GE(pocs.size(), 1u);
    EXPECT_LE(pocs.size(), 3u);
    std::set<std::string> roles;
    for (const peeringdb::Poc* p : pocs) {
      roles.insert(p->role);
      EXPECT_TRUE(p->role == "Abuse" || p->role == "NOC" || p->role == "Technical" ||
                  p->role == "Policy")
          << p->role;
      EXPECT_TRUE(p->visible == "Public" || p->visible == "Users") << p->visible;
      EXPECT_TRUE(p->has_name && p->has_email && p->has_phone);
      EXPECT_FALSE(p->has_url);
    }
    EXPECT_EQ(roles.size(), pocs.size()) << "roles repeat for AS" << as.asn;
  }

  // Exchanges and their LANs as planned.
  for (size_t k = 0; k < net.ixps.size(); ++k) {
    const peeringdb::Ix* x = db.IxById(net.ixps[k].id);
    ASSERT_NE(x, nullptr);
    EXPECT_EQ(x->name, net.ixps[k].name);
    EXPECT_EQ(x->country, net.ixps[k].country);
    EXPECT_FALSE(x->region_continent.empty());
    std::set<Prefix> lan;
    for (const peeringdb::IxLan* l : db.LansOf(x->id)) {
      for (const peeringdb::IxPfx* p : db.PrefixesOf(l->id)) lan.insert(p->prefix);
    }
    EXPECT_EQ(lan, (std::set<Prefix>{*regs.ixp_lans[k].v4, *regs.ixp_lans[k].v6}));
  }
}

TEST(Registrations, SameSeedGivesIdenticalFiles) {
  const SyntheticInternet& net = Net();
  const TempDir a("same-a"), b("same-b"), c("other");
  const Registrations ra = GenerateRegistrations(net, Config());
  const Registrations rb = GenerateRegistrations(net, Config());
  WriteAll(net, ra, a.path());
  WriteAll(net, rb, b.path());
  const std::vector<std::string> files = FilesIn(a.path());
  ASSERT_EQ(files, FilesIn(b.path()));
  ASSERT_GE(files.size(), 5u);  // vrps.json, peeringdb.json and some dumps
  for (const std::string& f : files) {
    const std::string x = ReadFile(a.path() + "/" + f);
    EXPECT_FALSE(x.empty()) << f;
    EXPECT_TRUE(x == ReadFile(b.path() + "/" + f)) << f << " differs between two runs";
    if (f.ends_with(".gz")) {
      // gzip header (RFC 1952 §2.3): magic, method, flags, then MTIME = 0.
      ASSERT_GE(x.size(), 10u);
      EXPECT_EQ(x.substr(0, 3), std::string("\x1f\x8b\x08", 3)) << f;
      EXPECT_EQ(x.substr(4, 4), std::string(4, '\0')) << f << ": gzip MTIME set";
    }
  }

  RegistrationConfig other = Config();
  other.seed = 4;
  WriteAll(net, GenerateRegistrations(net, other), c.path());
  EXPECT_NE(ReadFile(a.path() + "/vrps.json"), ReadFile(c.path() + "/vrps.json"));
  EXPECT_NE(ReadFile(a.path() + "/peeringdb.json"), ReadFile(c.path() + "/peeringdb.json"));
}

TEST(Registrations, ScenarioAdditionsAreWritten) {
  const SyntheticInternet& net = Net();
  Registrations regs = Regs();
  const Prefix p = *Prefix::Parse("192.0.2.0/24");
  regs.AddRoa({p, 24, 64500, Rir::kArin});
  regs.AddRouteObject({p, 64500, "ALTDB", "MNT-EXAMPLE", 20240101});
  const TempDir dir("scenario");
  WriteAll(net, regs, dir.path());

  rpki::VrpSet vrps;
  ASSERT_TRUE(vrps.LoadFile(dir.path() + "/vrps.json").ok());
  EXPECT_EQ(vrps.size(), regs.roas.size());
  EXPECT_EQ(rpki::Validate(vrps, p, 64500).state, rpki::RovState::kValid);

  irr::IrrDatabase db;
  ASSERT_TRUE(db.LoadFile(dir.path() + "/irr/altdb.db.gz").ok());
  EXPECT_EQ(db.problems().count(), 0u);
  ASSERT_EQ(db.routes().size(), 1u);
  EXPECT_EQ(db.routes()[0].prefix, p);
  EXPECT_EQ(db.routes()[0].origin, 64500u);
  EXPECT_EQ(db.sources()[db.routes()[0].source], "ALTDB");
  EXPECT_EQ(db.strings().Get(db.routes()[0].mnt_by), "MNT-EXAMPLE");
  EXPECT_EQ(db.mntners().size(), 2u);  // MNT-EXAMPLE and the origin's MAINT-AS64500
}

TEST(Registrations, BadInputIsRefused) {
  const SyntheticInternet& net = Net();
  Registrations regs = Regs();
  const TempDir dir("bad");
  EXPECT_EQ(WriteRpslDumps(net, regs, dir.path() + "/missing").code(), StatusCode::kIoError);
  EXPECT_EQ(WritePeeringDb(net, regs, dir.path() + "/missing/p.json").code(), StatusCode::kIoError);
  Registrations bad_source = regs;
  bad_source.AddRouteObject({*Prefix::Parse("192.0.2.0/24"), 64500, "../x", "M", 20240101});
  EXPECT_EQ(WriteRpslDumps(net, bad_source, dir.path()).code(), StatusCode::kInvalidArgument);
  Registrations bad_roa = regs;
  bad_roa.AddRoa({*Prefix::Parse("192.0.2.0/24"), 16, 64500, Rir::kArin});
  EXPECT_EQ(WriteRoas(bad_roa, dir.path() + "/v.json", 0).code(), StatusCode::kInvalidArgument);
  Registrations other = regs;
  other.in_peeringdb.pop_back();
  EXPECT_EQ(WritePeeringDb(net, other, dir.path() + "/p.json").code(),
            StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace vigia::sim
