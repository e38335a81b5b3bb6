// Tests of `vigia watch init` (init.h) on the real data of
// $VIGIA_SHARED_DATA: AS3320's prefixes from a 2002 RIS RIB and RIPE route
// objects, AS174's from the same RIB and AFRINIC VRPs, each checked against
// an independent computation (bgpdump -m and awk over the same files), and
// the generated YAML read back by the config parser.
#include "watch/init.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <map>
#include <set>
#include <sstream>
#include <string>

#include "watch/config.h"

namespace vigia::watch {
namespace {

namespace fs = std::filesystem;

std::string Data(const std::string& rel) { return std::string(VIGIA_SHARED_DATA) + "/" + rel; }

const char* kRib = "mrt/bgpdump-testdata/bview.20020722.2337.gz";
const char* kRoutes = "irr/ripe-db-sample/ripe-db-route.txt";
const char* kVrps = "rpki/samples/afrinic-roas-validator-export.csv";

std::string RunCommand(const std::string& cmd) {
  std::string out;
  FILE* p = ::popen(cmd.c_str(), "r");
  if (!p) return out;
  char buf[65536];
  for (size_t n; (n = std::fread(buf, 1, sizeof buf, p)) > 0;) out.append(buf, n);
  ::pclose(p);
  return out;
}

std::set<std::string> Words(const std::string& text) {
  std::set<std::string> out;
  std::istringstream in(text);
  for (std::string w; in >> w;) out.insert(w);
  return out;
}

bool HaveInputs() {
  return fs::exists(Data(kRib)) && fs::exists(Data(kRoutes)) && fs::exists(Data(kVrps)) &&
         fs::exists("/usr/bin/bgpdump");
}

// Independent: the prefixes whose AS path ends in `asn` (a trailing set
// "{...}" is no origin), by bgpdump -m and awk.
std::set<std::string> RibPrefixes(Asn asn) {
  return Words(RunCommand("bgpdump -m " + Data(kRib) +
                          " 2>/dev/null | awk -F'|' -v a=" + std::to_string(asn) +
                          " '{n=split($7,p,\" \"); if (p[n]==a) print $6}' | sort -u"));
}

std::set<std::string> IrrPrefixes(Asn asn) {
  return Words(RunCommand("awk '/^route:/{p=$2} /^origin:/{if ($2==\"AS" + std::to_string(asn) +
                          "\") print p}' " + Data(kRoutes)));
}

std::set<std::string> VrpPrefixes(Asn asn) {
  return Words(RunCommand("awk -F, 'NR>1 && $2==\"AS" + std::to_string(asn) + "\" {print $3}' " +
                          Data(kVrps)));
}

std::set<std::string> Found(const InitResult& r) {
  std::set<std::string> out;
  for (const InitPrefix& p : r.prefixes) out.insert(p.prefix.ToString());
  return out;
}

TEST(WatchInit, RibAndIrrOfAs3320MatchBgpdumpAndAwk) {
  if (!HaveInputs())
    GTEST_SKIP() << "needs " << Data(kRib) << ", " << Data(kRoutes) << " and bgpdump";
  InitOptions o;
  o.asn = 3320;
  o.ribs = {Data(kRib)};
  o.irr_files = {Data(kRoutes)};
  o.vrp_files = {Data(kVrps)};
  auto r = BuildInit(o);
  ASSERT_TRUE(r.ok()) << r.status().message();
  const std::set<std::string> rib = RibPrefixes(3320), irr = IrrPrefixes(3320);
  ASSERT_GT(rib.size(), 100u);
  ASSERT_EQ(irr.size(), 2u);
  std::set<std::string> want = rib;
  want.insert(irr.begin(), irr.end());
  EXPECT_EQ(Found(*r), want);
  EXPECT_EQ(r->rib_prefixes, rib.size());
  EXPECT_EQ(r->irr_prefixes, 2u);
  EXPECT_EQ(r->vrp_prefixes, 0u);
  std::printf("AS3320: %zu RIB prefixes (bgpdump+awk: %zu), %zu IRR (awk: %zu), %zu listed\n",
              static_cast<size_t>(r->rib_prefixes), rib.size(),
              static_cast<size_t>(r->irr_prefixes), irr.size(), r->prefixes.size());
  for (const InitPrefix& p : r->prefixes) {
    EXPECT_TRUE(p.origins.count(3320)) << p.prefix.ToString();
    EXPECT_EQ(p.in_irr, irr.count(p.prefix.ToString()) == 1) << p.prefix.ToString();
    EXPECT_EQ(p.rib_peers > 0, rib.count(p.prefix.ToString()) == 1) << p.prefix.ToString();
  }
}

TEST(WatchInit, RibAndVrpsOfAs174MatchBgpdumpAndAwk) {
  if (!HaveInputs())
    GTEST_SKIP() << "needs " << Data(kRib) << ", " << Data(kVrps) << " and bgpdump";
  InitOptions o;
  o.asn = 174;
  o.ribs = {Data(kRib)};
  o.vrp_files = {Data(kVrps)};
  auto r = BuildInit(o);
  ASSERT_TRUE(r.ok()) << r.status().message();
  const std::set<std::string> rib = RibPrefixes(174), vrp = VrpPrefixes(174);
  ASSERT_GT(rib.size(), 100u);
  ASSERT_GT(vrp.size(), 5u);
  std::set<std::string> want = rib;
  want.insert(vrp.begin(), vrp.end());
  EXPECT_EQ(Found(*r), want);
  EXPECT_EQ(r->vrp_prefixes, vrp.size());
  std::printf("AS174: %zu RIB prefixes (bgpdump+awk: %zu), %zu VRP (awk: %zu), %zu listed\n",
              static_cast<size_t>(r->rib_prefixes), rib.size(),
              static_cast<size_t>(r->vrp_prefixes), vrp.size(), r->prefixes.size());
  // Origins: 174 plus only ASes with a VRP for the exact prefix.
  const std::string all = RunCommand(
      "awk -F, 'NR>1 && $2!=\"AS0\" {sub(\"AS\",\"\",$2); print $3\"|\"$2}' " + Data(kVrps));
  std::map<std::string, std::set<Asn>> vrp_asns;
  for (const std::string& w : Words(all)) {
    const size_t bar = w.find('|');
    vrp_asns[w.substr(0, bar)].insert(static_cast<Asn>(std::stoul(w.substr(bar + 1))));
  }
  for (const InitPrefix& p : r->prefixes) {
    std::set<Asn> want_origins = {174};
    if (auto it = vrp_asns.find(p.prefix.ToString()); it != vrp_asns.end() && p.in_rpki)
      want_origins.insert(it->second.begin(), it->second.end());
    EXPECT_EQ(p.origins, want_origins) << p.prefix.ToString();
  }
}

TEST(WatchInit, GeneratedYamlIsAValidConfig) {
  if (!HaveInputs()) GTEST_SKIP() << "needs " << Data(kRib) << " and " << Data(kRoutes);
  InitOptions o;
  o.asn = 3320;
  o.ribs = {Data(kRib)};
  o.irr_files = {Data(kRoutes)};
  auto r = BuildInit(o);
  ASSERT_TRUE(r.ok()) << r.status().message();
  const std::string yaml = RenderInitYaml(*r, 1'765'000'000);
  auto c = ParseWatchConfig(yaml, "init.yml");
  ASSERT_TRUE(c.ok()) << c.status().message() << "\n" << yaml.substr(0, 2000);
  EXPECT_EQ(c->rules.prefixes.size(), r->prefixes.size());
  EXPECT_EQ(c->rules.asns, std::vector<Asn>{3320});
  EXPECT_EQ(c->channels.size(), 1u);
  EXPECT_NE(yaml.find("# seen in: RIB"), std::string::npos);
  EXPECT_NE(yaml.find("), IRR\n"), std::string::npos);  // both route objects are also in the RIB
}

TEST(WatchInit, NoInputOrAs0IsAnError) {
  InitOptions o;
  o.asn = 64500;
  EXPECT_FALSE(BuildInit(o).ok());
  o.asn = 0;
  o.ribs = {"x"};
  EXPECT_FALSE(BuildInit(o).ok());
  o.asn = 64500;
  o.ribs = {"/nonexistent/rib.gz"};
  auto r = BuildInit(o);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("/nonexistent/rib.gz"), std::string::npos)
      << r.status().message();
}

TEST(WatchInit, EmptyResultStillRendersAValidConfig) {
  InitResult r;
  r.asn = 64500;
  auto c = ParseWatchConfig(RenderInitYaml(r, 0), "empty.yml");
  ASSERT_TRUE(c.ok()) << c.status().message();
  EXPECT_TRUE(c->rules.prefixes.empty());
  EXPECT_EQ(c->rules.asns, std::vector<Asn>{64500});
}

}  // namespace
}  // namespace vigia::watch
