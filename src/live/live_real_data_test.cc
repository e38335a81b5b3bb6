// LiveDetector over real reference data (../shared/data, VIGIA_SHARED_DATA;
// skipped when absent): the AFRINIC/LACNIC delegated files and IANA
// registries for bogons, the AFRINIC VRPs for RPKI, CAIDA's as-rel for
// leaks. The routes are made up; what judges them is real.
#include <gtest/gtest.h>

#include <filesystem>

#include "core/test_util.h"
#include "live/live_detector.h"
#include "live/live_test_util.h"

namespace vigia::live {
namespace {

namespace fs = std::filesystem;

std::string Data(const std::string& rel) { return test_util::SharedData() + "/" + rel; }

LiveRules All() {
  LiveRules r;
  r.only_watched = false;
  r.min_peers = 1;
  return r;
}

TEST(LiveRealData, UndelegatedAfrinicSpaceIsABogonPrefix) {
  if (!fs::exists(Data("registry/delegated"))) GTEST_SKIP() << "no shared data at " << Data("");
  snapshot::Snapshot ref;
  ASSERT_TRUE(ref.registry.Load(Data("registry")).ok());
  ref.registry.Build();
  // 102.192.0.0/12 is "available" in delegated-afrinic-extended-20230323.
  test::EventLog log;
  LiveDetector d(All(), &ref, &log);
  test::Feeder f(&d, 1);
  f.Announce(0, "102.192.0.0/16", {3356, 37100});
  f.Announce(0, "41.0.0.0/16", {3356, 37100});  // delegated
  ASSERT_EQ(log.events.size(), 1u) << log.Keys();
  EXPECT_EQ(log.events[0].key, "bogon_prefix|102.192.0.0/16|AS37100");
  EXPECT_EQ(log.events[0].incident.kind, "unallocated");
  f.Withdraw(0, "102.192.0.0/16");
  ASSERT_EQ(log.events.size(), 2u);
  EXPECT_EQ(log.events[1].phase, EventPhase::kCleared);
}

TEST(LiveRealData, AfrinicVrpsJudgeOrigins) {
  const std::string file = Data("rpki/samples/afrinic-roas-validator-export.csv");
  if (!fs::exists(file)) GTEST_SKIP() << "no " << file;
  snapshot::Snapshot ref;
  ASSERT_TRUE(ref.vrps.LoadFile(file).ok());
  ASSERT_GT(ref.vrps.size(), 100u);
  // The first VRP with a real AS.
  const rpki::Vrp* vrp = nullptr;
  for (const rpki::Vrp& v : ref.vrps.vrps()) {
    if (v.asn != 0 && v.prefix.address().is_v4()) {
      vrp = &v;
      break;
    }
  }
  ASSERT_NE(vrp, nullptr);
  const std::string p = vrp->prefix.ToString();
  test::EventLog log;
  LiveDetector d(All(), &ref, &log);
  test::Feeder f(&d, 2);
  f.Announce(0, p, {3356, vrp->asn});
  EXPECT_TRUE(log.events.empty()) << "valid: " << log.Keys();
  f.Announce(1, p, {3356, 64666});
  ASSERT_EQ(log.events.size(), 1u) << log.Keys();
  EXPECT_EQ(log.events[0].rule, "rpki_invalid");
  EXPECT_EQ(log.events[0].incident.culprit, 64666u);
  // Without the VRPs the route is not-found: cleared, and a ROA gone.
  d.SetVrps(rpki::VrpSet());
  ASSERT_EQ(log.events.size(), 2u);
  EXPECT_EQ(log.events[1].phase, EventPhase::kCleared);
}

TEST(LiveRealData, LeakOverCaidaRelationships) {
  const std::string file = Data("caida/serial-1/20220301.as-rel.txt.bz2");
  if (!fs::exists(file)) GTEST_SKIP() << "no " << file;
  snapshot::Snapshot ref;
  ASSERT_TRUE(ref.relations.LoadFile(file).ok());
  // An AS with two providers, in the real graph.
  Asn x = 0, p1 = 0, p2 = 0;
  for (uint32_t i = 0; i < ref.relations.as_count() && x == 0; ++i) {
    const auto prov = ref.relations.Providers(i);
    if (prov.size() < 2) continue;
    x = ref.relations.AsnAt(i);
    p1 = ref.relations.AsnAt(prov[0]);
    p2 = ref.relations.AsnAt(prov[1]);
  }
  ASSERT_NE(x, 0u);
  test::EventLog log;
  LiveDetector d(All(), &ref, &log);
  test::Feeder f(&d, 1);
  // x passes its provider p1's route on to its other provider p2.
  f.Announce(0, "8.8.8.0/24", {p2, x, p1});
  ASSERT_EQ(log.events.size(), 1u) << log.Keys();
  EXPECT_EQ(log.events[0].rule, "route_leak");
  EXPECT_EQ(log.events[0].incident.kind, "rfc7908_type1");
  EXPECT_EQ(log.events[0].incident.culprit, x);
  EXPECT_EQ(log.events[0].incident.propagator, std::optional<Asn>(p2));
  f.Announce(0, "8.8.8.0/24", {p1});  // x's route gone
  ASSERT_EQ(log.events.size(), 2u);
  EXPECT_EQ(log.events[1].phase, EventPhase::kCleared);
}

}  // namespace
}  // namespace vigia::live
