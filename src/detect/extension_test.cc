// A detector added from outside the detect library (too_specific_test_detector.cc,
// linked into this binary only) reaches every consumer through the
// registries alone: the rule scenarios accept its type, Detect() runs it
// after the built-in detectors, the store keeps and filters its incidents,
// and the score counts them against the metric its type names and lists
// its fix.
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>

#include "core/test_util.h"
#include "detect/detect.h"
#include "detect/incident_type.h"
#include "detect/scenario_file.h"
#include "score/manrs.h"
#include "store/sqlite_store.h"

namespace vigia::detect {

bool TooSpecificRegistered();

namespace {

namespace fs = std::filesystem;

TEST(DetectorExtension, TypeAndDetectorAreRegistered) {
  ASSERT_TRUE(TooSpecificRegistered());
  const IncidentType* t = FindIncidentType("too_specific");
  ASSERT_NE(t, nullptr);
  EXPECT_EQ(t->metric, "M3");
  EXPECT_EQ(IncidentTypes().back().name, "too_specific");  // after the built-in ones
  EXPECT_NE(IncidentTypeNames().find("irr_unregistered, too_specific"), std::string::npos)
      << IncidentTypeNames();
  ASSERT_FALSE(Detectors().empty());
  EXPECT_STREQ(Detectors().back().name, "too_specific");  // runs last
  EXPECT_FALSE(
      RegisterDetector({"too_specific", Detectors().back().run}));  // one name, one detector
}

TEST(DetectorExtension, IncidentsFlowIntoTheStoreAndTheScore) {
  // 3100 originates a /25 inside its /16, through its provider 1100.
  scenario::Scenario sc;
  auto err = scenario::ParseScenario(R"(
rule too_specific_test_detector.cc: an IPv4 prefix longer than /24
checks too_specific
include base
include registry
rib p1000 85.10.0.0/16 1000 1100 3100
rib p1000 85.10.1.0/25 1000 1100 3100
expect too_specific longer_than_24 culprit=3100 propagator=1100 prefixes=85.10.1.0/25 start=+00:00 end=end
)",
                                     "inline.scn",
                                     fs::path(VIGIA_SOURCE_DIR) / "tests/scenarios/include", &sc);
  ASSERT_FALSE(err) << err->where.line << ": " << err->message;
  const test_util::ScopedTempDir tmp("vigia_extension_test_");
  const fs::path snapdir = tmp.path / "snapshot";
  ASSERT_TRUE(scenario::WriteScenarioSnapshot(sc, snapdir).ok());
  Snapshot snap;
  ASSERT_TRUE(LoadSnapshot(snapdir.string(), &snap).ok());

  // Detection: exactly the expected incident, and nothing else.
  const RouteView view(snap.routes);
  const std::vector<Incident> found = Detect(snap, view);
  for (const auto& m : scenario::CompareIncidents(sc, found)) ADD_FAILURE() << m.message;
  ASSERT_EQ(found.size(), 1u);

  // The store: kept as is, and found by its type.
  auto db = store::SqliteStore::Open((tmp.path / "store.db").string());
  ASSERT_TRUE(db.ok()) << db.status().message();
  store::SnapshotInfo info;
  info.date = "2024-05-01";
  info.window_start = snap.window_start;
  info.window_end = snap.window_end;
  auto w = (*db)->BeginSnapshot(info);
  ASSERT_TRUE(w.ok()) << w.status().message();
  store::IncidentRow row;
  row.id = 1;
  row.type = found[0].type;
  row.kind = found[0].kind;
  row.culprit = found[0].culprit;
  row.propagator = found[0].propagator;
  row.prefixes = {found[0].prefixes[0].ToString()};
  row.start = found[0].start;
  row.end = found[0].end;
  row.evidence = found[0].evidence;
  ASSERT_TRUE((*w)->AddIncident(row).ok());
  auto committed = (*w)->Commit();
  ASSERT_TRUE(committed.ok()) << committed.status().message();
  store::IncidentQuery q;
  q.snapshot = committed->id;
  q.type = "too_specific";
  auto rows = (*db)->Incidents(q);
  ASSERT_TRUE(rows.ok());
  ASSERT_EQ(rows->size(), 1u);
  EXPECT_EQ((*rows)[0].culprit, 3100u);
  EXPECT_EQ((*rows)[0].prefixes, std::vector<std::string>{"85.10.1.0/25"});
  auto counts = (*db)->IncidentCounts(committed->id);
  ASSERT_TRUE(counts.ok());
  EXPECT_EQ(counts->at("too_specific"), 1);

  // The score: M3 against the culprit, M3C against its provider, with the
  // fix its type names.
  score::Extras extras;
  const score::Scoreboard board =
      score::Score(snap, view, found, extras, score::ScoreOptions{.threads = 1});
  const score::AsScore* culprit = board.Find(3100);
  ASSERT_NE(culprit, nullptr);
  ASSERT_TRUE(culprit->value[score::kM3]);
  EXPECT_LT(*culprit->value[score::kM3], 100);
  const auto fix = std::find_if(culprit->fixes.begin(), culprit->fixes.end(),
                                [](const score::Fix& f) { return f.metric == "M3"; });
  ASSERT_NE(fix, culprit->fixes.end());
  EXPECT_EQ(fix->what, FindIncidentType("too_specific")->fix_text);
  EXPECT_EQ(fix->items.size(), 1u);
  const score::AsScore* provider = board.Find(1100);
  ASSERT_NE(provider, nullptr);
  ASSERT_TRUE(provider->value[score::kM3C]);
  EXPECT_LT(*provider->value[score::kM3C], 100);
  const score::AsScore* bystander = board.Find(1000);  // on the path, not the propagator
  ASSERT_NE(bystander, nullptr);
  EXPECT_EQ(bystander->value[score::kM3], 100);
}

}  // namespace
}  // namespace vigia::detect
