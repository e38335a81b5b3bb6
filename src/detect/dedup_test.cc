// detect::Deduplicate (detect.h): duplicates by (type, prefixes, culprit,
// cause) become one incident whose evidence keeps every origin's paths; and
// what that does to the culprit's score (one incident and one fix item
// instead of one per origin, the same M4 value).
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <set>

#include "core/test_util.h"
#include "detect/detect.h"
#include "detect/scenario_file.h"
#include "score/manrs.h"

namespace vigia::detect {
namespace {

Incident BogonAsnVia(Asn origin, uint32_t start, uint32_t end, double confidence, Asn propagator) {
  Incident in;
  in.type = kBogonAsn;
  in.kind = "Private use (RFC 6996)";
  in.culprit = 1200;
  in.cause = "AS64512";
  in.propagator = propagator;
  in.prefixes = {*Prefix::Parse("85.12.0.0/16")};
  in.start = start;
  in.end = end;
  in.confidence = confidence;
  in.reasons = {"AS1200 passes on a path with bogon AS64512 (Private use (RFC 6996))"};
  nlohmann::ordered_json e;
  e["reasons"] = in.reasons;
  e["example_paths"] = {"1000 1200 64512 " + std::to_string(origin),
                        "2000 1000 1200 64512 " + std::to_string(origin)};
  e["peers_seen"] = 1;
  e["peers"] = {"rrc00 AS" + std::to_string(propagator) + " 185.1.0.1"};
  e["collectors"] = {"rrc00"};
  e["first_seen"] = start;
  e["last_seen"] = end;
  in.evidence = e.dump();
  return in;
}

// Merged incidents name every victim any of them named, once, ascending;
// the evidence repeats them.
TEST(Deduplicate, MergedIncidentKeepsEveryVictim) {
  std::vector<Incident> in = {BogonAsnVia(3110, 100, 200, 0.5, 1000),
                              BogonAsnVia(3300, 50, 150, 1.0, 1000)};
  in[0].victims = {3100, 3500};
  in[1].victims = {3100, 3200};
  const std::vector<Incident> out = Deduplicate(in);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].victims, (std::vector<Asn>{3100, 3200, 3500}));
  EXPECT_EQ(nlohmann::json::parse(out[0].evidence)["victims"],
            nlohmann::json::array({3100, 3200, 3500}));
}

TEST(Deduplicate, SameBogonAsnBehindSeveralOriginsIsOneIncidentWithEveryOriginsPaths) {
  std::vector<Incident> in = {BogonAsnVia(3110, 100, 200, 0.5, 1000),
                              BogonAsnVia(3300, 50, 150, 1.0, 1000),
                              BogonAsnVia(3600, 120, 400, 0.7, 2000)};
  const std::vector<Incident> out = Deduplicate(in);
  ASSERT_EQ(out.size(), 1u);
  const Incident& m = out[0];
  EXPECT_EQ(m.type, kBogonAsn);
  EXPECT_EQ(m.culprit, 1200u);
  EXPECT_EQ(m.start, 50u);          // the earliest start
  EXPECT_EQ(m.end, 400u);           // the latest end
  EXPECT_EQ(m.confidence, 1.0);     // the highest
  EXPECT_EQ(m.propagator, 1000u);   // named by two of three
  EXPECT_EQ(m.reasons.size(), 1u);  // the same reason once
  const auto e = nlohmann::json::parse(m.evidence);
  EXPECT_EQ(e["merged"], 3);
  EXPECT_EQ(e["origins"], nlohmann::json({3110, 3300, 3600}));
  EXPECT_EQ(e["origins_seen"], 3);
  EXPECT_EQ(e["example_paths"].size(), 6u);
  EXPECT_EQ(e["example_paths_total"], 6);
  EXPECT_EQ(e["first_seen"], 50);
  EXPECT_EQ(e["last_seen"], 400);
  EXPECT_EQ(e["peers"].size(), 2u);
  EXPECT_EQ(e["collectors"], nlohmann::json({"rrc00"}));
}

TEST(Deduplicate, KeepsIncidentsThatDifferInCausePrefixCulpritOrType) {
  std::vector<Incident> in;
  in.push_back(BogonAsnVia(3110, 100, 200, 1, 1000));
  in.push_back(BogonAsnVia(3110, 100, 200, 1, 1000));
  in.back().cause = "AS64513";  // another bogon ASN
  in.push_back(BogonAsnVia(3110, 100, 200, 1, 1000));
  in.back().prefixes = {*Prefix::Parse("85.13.0.0/16")};
  in.push_back(BogonAsnVia(3110, 100, 200, 1, 1000));
  in.back().culprit = 1300;
  in.push_back(BogonAsnVia(3110, 100, 200, 1, 1000));
  in.back().type = kBogonPrefix;
  const std::vector<Incident> out = Deduplicate(in);
  ASSERT_EQ(out.size(), 5u);
  for (size_t i = 0; i < out.size(); ++i) {
    EXPECT_EQ(out[i].evidence, in[i].evidence) << i;  // untouched, in order
  }
}

TEST(Deduplicate, WithoutACauseOnlyIdenticalKindAndReasonsMerge) {
  std::vector<Incident> in = {BogonAsnVia(3110, 100, 200, 1, 1000),
                              BogonAsnVia(3300, 100, 200, 1, 1000),
                              BogonAsnVia(3600, 100, 200, 1, 1000)};
  for (Incident& x : in) x.cause.clear();
  in[2].reasons = {"another reason"};
  const std::vector<Incident> out = Deduplicate(in);
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(nlohmann::json::parse(out[0].evidence)["merged"], 2);
  EXPECT_EQ(out[1].reasons, std::vector<std::string>{"another reason"});
}

TEST(Deduplicate, EveryOriginKeepsAPathUnderTheCap) {
  std::vector<Incident> in;
  for (Asn o = 1; o <= kMaxMergedPaths + 5; ++o) in.push_back(BogonAsnVia(o, 1, 2, 1, 1000));
  const auto e = nlohmann::json::parse(Deduplicate(in).at(0).evidence);
  EXPECT_EQ(e["example_paths"].size(), kMaxMergedPaths);
  EXPECT_EQ(e["example_paths_total"], 2 * (kMaxMergedPaths + 5));
  EXPECT_EQ(e["origins_seen"], kMaxMergedPaths + 5);
  EXPECT_EQ(e["origins"].size(), kMaxMergedPaths);
  // Round robin: the first kMaxMergedPaths origins each have one path.
  std::set<std::string> last;
  for (const auto& p : e["example_paths"]) {
    const std::string s = p.get<std::string>();
    last.insert(s.substr(s.find_last_of(' ') + 1));
  }
  EXPECT_EQ(last.size(), kMaxMergedPaths);
}

// The scenario of the rule (tests/scenarios): AS1200 passes on private-use
// AS64512 for 85.12.0.0/16 behind three origins. Scored from the detectors'
// raw output (one incident per origin) and from Detect() (merged).
TEST(Deduplicate, TheCulpritIsScoredForOneIncidentNotOnePerOrigin) {
  namespace fs = std::filesystem;
  const fs::path dir = fs::path(VIGIA_SOURCE_DIR) / "tests/scenarios";
  scenario::Scenario sc;
  auto err = scenario::ParseScenarioFile(
      dir / "bogon_asn_behind_several_origins_is_one_incident.scn", dir / "include", &sc);
  ASSERT_FALSE(err) << err->where.line << ": " << err->message;
  const test_util::ScopedTempDir tmp("vigia_dedup_test_");
  ASSERT_TRUE(scenario::WriteScenarioSnapshot(sc, tmp.path / "snapshot").ok());
  Snapshot snap;
  ASSERT_TRUE(LoadSnapshot((tmp.path / "snapshot").string(), &snap).ok());
  const RouteView view(snap.routes);
  std::vector<Incident> raw;
  for (const DetectorEntry& d : Detectors()) d.run(snap, view, &raw);
  const std::vector<Incident> merged = Detect(snap, view);
  auto culprit_of = [](const std::vector<Incident>& v) {
    return std::count_if(v.begin(), v.end(), [](const Incident& in) {
      return in.type == kBogonAsn && in.culprit == 1200;
    });
  };
  ASSERT_EQ(culprit_of(raw), 3);  // what the detectors give: one per origin
  ASSERT_EQ(culprit_of(merged), 1);

  score::Extras extras;
  const score::ScoreOptions opts{.threads = 1};
  const score::Scoreboard before = score::Score(snap, view, raw, extras, opts);
  const score::Scoreboard after = score::Score(snap, view, merged, extras, opts);
  const score::AsScore* b = before.Find(1200);
  const score::AsScore* a = after.Find(1200);
  ASSERT_NE(b, nullptr);
  ASSERT_NE(a, nullptr);
  EXPECT_EQ(b->incidents.size(), 3u);
  EXPECT_EQ(a->incidents.size(), 1u);
  auto m4_fix = [](const score::AsScore* s) {
    for (const score::Fix& f : s->fixes) {
      if (f.metric == "M4") return f.count;
    }
    return size_t{0};
  };
  EXPECT_EQ(m4_fix(b), 3u);
  EXPECT_EQ(m4_fix(a), 1u);
  // The penalty already merged overlapping incidents of a metric: the
  // value is the same, and below 100.
  ASSERT_TRUE(a->value[score::kM4]);
  EXPECT_EQ(a->value[score::kM4], b->value[score::kM4]);
  EXPECT_LT(*a->value[score::kM4], 100);
}

}  // namespace
}  // namespace vigia::detect
