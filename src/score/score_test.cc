#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "core/test_util.h"
#include "detect/incident_type.h"
#include "registry/rir_region.h"
#include "rpki/origin_validation.h"
#include "score/manrs.h"
#include "score/scoring.h"
#include "sim/snapshot.h"
#include "sim/test_simulation.h"

namespace vigia::score {
namespace {

namespace fs = std::filesystem;

// SPEC C8: < 30 min 0.5, < 24 h 1, +1 per further 24 h.
TEST(Weights, FollowTheDurationSteps) {
  EXPECT_EQ(IncidentWeight(0), 0.5);
  EXPECT_EQ(IncidentWeight(29 * 60 + 59), 0.5);
  EXPECT_EQ(IncidentWeight(30 * 60), 1);
  EXPECT_EQ(IncidentWeight(86399), 1);
  EXPECT_EQ(IncidentWeight(86400), 2);
  EXPECT_EQ(IncidentWeight(3 * 86400 + 5), 4);
}

// SPEC C8: overlapping incidents of one metric merge.
TEST(Weights, OverlapsMerge) {
  // Two 20-minute incidents overlapping into one of 30 minutes: weight 1,
  // not 0.5 + 0.5 counted apart... and not 2.
  EXPECT_EQ(MergedPenalty({{0, 1200, 1}, {600, 1800, 1}}), 1);
  // Apart: two short incidents.
  EXPECT_EQ(MergedPenalty({{0, 600, 1}, {5000, 5600, 1}}), 1);
  // Nested and unsorted; the merged stretch takes the highest confidence.
  EXPECT_DOUBLE_EQ(MergedPenalty({{100, 200, 0.5}, {0, 90000, 0.8}, {50, 60, 1}}), 2 * 1.0);
  EXPECT_DOUBLE_EQ(MergedPenalty({{0, 600, 0.5}}), 0.25);
  EXPECT_EQ(MergedPenalty({}), 0);
}

// Decision 1: a missing action counts 0 in the lower bound and 100 in the
// upper; the band is the one both bounds share.
TEST(Overall, MissingActionsWidenTheIntervalInsteadOfLeavingTheMean) {
  AsScore a;
  a.value[kM5] = std::nullopt;  // no Spoofer data
  a.value[kM6] = std::nullopt;  // no PeeringDB data
  a.value[kM7Irr] = 100;
  a.value[kM7Rpki] = std::nullopt;  // no VRPs
  internal::ComputeActions(&a, true, Bands{}, true);
  EXPECT_EQ(*a.action[kAction1], 100);
  EXPECT_EQ(a.band[kAction1], "ready");
  // Action 4: one metric of two, 100 and [0, 100] -> [50, 100].
  EXPECT_EQ(*a.action[kAction4], 50);
  EXPECT_EQ(*a.action_max[kAction4], 100);
  EXPECT_EQ(a.measured[kAction4], 1);
  EXPECT_EQ(a.of[kAction4], 2);
  EXPECT_EQ(a.band[kAction4], "incomplete");
  // Overall: (100 + 0 + 0 + 50) / 4 and (100 + 100 + 100 + 100) / 4.
  EXPECT_EQ(*a.action[kOverall], 37.5);
  EXPECT_EQ(*a.action_max[kOverall], 100);
  EXPECT_EQ(a.measured[kOverall], 2);
  EXPECT_EQ(a.of[kOverall], 4);
  EXPECT_EQ(a.band[kOverall], "incomplete");  // was "ready" (the mean of 100 and 100)
  // Every action measured: a point, banded as before.
  a.value[kM5] = 100;
  a.value[kM6] = 60;
  a.value[kM7Rpki] = 20;
  internal::ComputeActions(&a, true, Bands{}, true);
  EXPECT_EQ(*a.action[kOverall], (100 + 100 + 60 + 60) / 4.0);
  EXPECT_EQ(a.action_max[kOverall], a.action[kOverall]);
  EXPECT_EQ(a.measured[kOverall], 4);
  EXPECT_EQ(a.band[kOverall], "ready");
  // A damaged rpki/ or irr/: Action 4 has no data at all.
  internal::ComputeActions(&a, true, Bands{}, false);
  EXPECT_FALSE(a.action[kAction4]);
  EXPECT_EQ(a.measured[kOverall], 3);
  EXPECT_EQ(*a.action[kOverall], (100 + 100 + 60) / 4.0);
  EXPECT_EQ(*a.action_max[kOverall], (100 + 100 + 60 + 100) / 4.0);
  // Nothing measured: no score at all, no band.
  AsScore none;
  internal::ComputeActions(&none, false, Bands{}, true);
  EXPECT_FALSE(none.action[kOverall]);
  EXPECT_FALSE(none.action_max[kOverall]);
  EXPECT_EQ(none.band[kOverall], "");
}

// An interval is Lagging when even its upper bound is.
TEST(Overall, AnIntervalWithinOneBandTakesThatBand) {
  const Bands b;
  EXPECT_EQ(BandOfInterval(10, 40, b), "lagging");
  EXPECT_EQ(BandOfInterval(50, 79.9, b), "aspiring");
  EXPECT_EQ(BandOfInterval(80, 100, b), "ready");
  EXPECT_EQ(BandOfInterval(49, 50, b), "incomplete");
  EXPECT_EQ(BandOfInterval(std::nullopt, std::nullopt, b), "");
}

// Decision 2: at least 3 members with data, and at least half of them.
TEST(Coverage, LowCoverageRuleNeedsThreeMembersAndHalf) {
  EXPECT_FALSE(EnoughCoverage(2, 2));
  EXPECT_TRUE(EnoughCoverage(3, 3));
  EXPECT_TRUE(EnoughCoverage(3, 6));
  EXPECT_FALSE(EnoughCoverage(3, 7));
  EXPECT_FALSE(EnoughCoverage(8, 135));  // the country Action 2
  EXPECT_FALSE(EnoughCoverage(0, 0));
}

// SPEC C8: a decreasing map through 0.5 -> 60 %, 1 -> ≈49 %, 2 -> ≈36 %.
TEST(Weights, PenaltyMapPassesThroughThePublishedPoints) {
  EXPECT_EQ(PenaltyToPercent(0), 100);
  EXPECT_NEAR(PenaltyToPercent(0.5), 60, 1e-9);
  EXPECT_NEAR(PenaltyToPercent(1), 49, 0.5);
  EXPECT_NEAR(PenaltyToPercent(2), 36, 1e-9);
  double last = 101;
  for (double x = 0; x < 50; x += 0.25) {
    const double y = PenaltyToPercent(x);
    EXPECT_LT(y, last) << x;
    EXPECT_GT(y, 0);
    last = y;
  }
}

TEST(Bands, DefaultsAndParsing) {
  Bands b;
  EXPECT_EQ(BandOf(100, b), "ready");
  EXPECT_EQ(BandOf(80, b), "ready");
  EXPECT_EQ(BandOf(60, b), "aspiring");
  EXPECT_EQ(BandOf(49, b), "lagging");
  EXPECT_EQ(BandOf(std::nullopt, b), "");
  ASSERT_TRUE(ParseBands("90,40", &b));
  EXPECT_EQ(b.ready, 90);
  EXPECT_EQ(b.aspiring, 40);
  EXPECT_EQ(BandOf(60, b), "aspiring");
  for (const char* bad : {"", "90", "40,90", "x,1", "101,2", "90,-1", "90,40,1", "90 ,40x"}) {
    EXPECT_FALSE(ParseBands(bad, &b)) << bad;
  }
}

TEST(Regions, FromRegistriesAndAs2OrgSources) {
  EXPECT_EQ(RegionOf("lacnic"), "lacnic");
  EXPECT_EQ(RegionOf("RIPE"), "ripencc");
  EXPECT_EQ(RegionOf("ripencc"), "ripencc");
  EXPECT_EQ(RegionOf("JPNIC"), "apnic");
  EXPECT_EQ(RegionOf("NIC.BR"), "lacnic");
  EXPECT_EQ(RegionOf("ARIN,foo"), "arin");
  EXPECT_EQ(RegionOf("IANA"), "");
}

TEST(Extras, ManrsListInTheSiteFormat) {
  ManrsList l;
  ASSERT_TRUE(ParseManrsCsv("\xEF\xBB\xBFOrganization Name,Areas,ASNs,Action 1: Filtering\n"
                            "CEDIA,EC,61468;27841;27820;262212,Yes\n"
                            "\"Quoted, Inc.\",CN;DE,AS140731,No\n"
                            "Broken,BR,12x,Yes\n\n",
                            "m.csv", &l)
                  .ok());
  ASSERT_EQ(l.orgs.size(), 3u);
  EXPECT_EQ(l.orgs[0].asns, (std::vector<Asn>{61468, 27841, 27820, 262212}));
  EXPECT_EQ(l.orgs[1].org, "Quoted, Inc.");
  EXPECT_EQ(l.orgs[1].areas, (std::vector<std::string>{"CN", "DE"}));
  EXPECT_EQ(l.asns.count(140731), 1u);
  ASSERT_EQ(l.problems.count(), 1u);
  EXPECT_EQ(l.problems.kept()[0].where, "m.csv:4");
  EXPECT_EQ(l.problems.kept()[0].message, "'12x' is not an ASN");
  ManrsList none;
  EXPECT_FALSE(ParseManrsCsv("a,b,c\n1,2,3\n", "x.csv", &none).ok());
  EXPECT_FALSE(ParseManrsCsv("", "x.csv", &none).ok());
}

TEST(Extras, RealManrsList) {
  const std::string path =
      std::string(VIGIA_SHARED_DATA) + "/incidents/manrs-participants/manrs_isps.csv";
  if (!fs::exists(path))
    GTEST_SKIP() << path << " absent (../shared/data not beside the repository)";
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  ManrsList l;
  ASSERT_TRUE(ParseManrsCsv(ss.str(), path, &l).ok());
  EXPECT_EQ(l.orgs.size(), 668u);  // 669 lines with the header
  EXPECT_TRUE(l.problems.empty()) << l.problems.kept()[0].message;
  EXPECT_EQ(l.asns.count(61468), 1u);  // CEDIA, EC
  EXPECT_GT(l.asns.size(), 668u);
}

TEST(Extras, SpooferSessions) {
  SpooferResults r;
  ASSERT_TRUE(
      ParseSpooferCsv(
          "session,timestamp,asn4,client4,country,privaddr4,routable4,asn6,privaddr6,routable6\n"
          "1,2022-01-01,64500,192.0.2.0/24,br,blocked,received,,,\n"
          "2,2022-01-02,64500,192.0.2.0/24,br,blocked,blocked,64500,rewritten,unknown\n"
          "3,2022-01-02,,,br,blocked,blocked,,,\n"
          "4,2022-01-03,64501;64502,198.51.100.0/24,mx,blocked,blocked,,,\n",
          "s.csv", &r)
          .ok());
  ASSERT_EQ(r.by_asn.size(), 3u);
  EXPECT_EQ(r.by_asn[64500].sessions, 2u);
  EXPECT_EQ(r.by_asn[64500].blocked, 4u);
  EXPECT_EQ(r.by_asn[64500].received, 1u);
  EXPECT_EQ(r.by_asn[64502].blocked, 2u);
  ASSERT_EQ(r.problems.count(), 1u);
  EXPECT_EQ(r.problems.kept()[0].where, "s.csv:4");
  EXPECT_EQ(r.problems.kept()[0].message, "no AS in the session");
  SpooferResults bad;
  EXPECT_FALSE(ParseSpooferCsv("asn,foo\n1,2\n", "b.csv", &bad).ok());
}

TEST(Extras, CsvQuoting) {
  EXPECT_EQ(SplitCsvLine("a,\"b,c\",\"d\"\"e\",,f"),
            (std::vector<std::string>{"a", "b,c", "d\"e", "", "f"}));
}

// End to end on a simulated snapshot: the metrics follow from the
// incidents and the registrations, checked independently here.
class ScoreOnSimulation : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new fs::path(fs::temp_directory_path() / ("vigia_score_" + std::to_string(getpid())));
    auto rep = sim::Simulate(sim::test::SmallSimulation(dir_->string(), 800, 6000, 10, 5));
    ASSERT_TRUE(rep.ok()) << rep.status().message();
    // A Spoofer export for two ASes of the snapshot.
    snap_ = new detect::Snapshot;
    ASSERT_TRUE(detect::LoadSnapshot(dir_->string(), snap_).ok());
    view_ = new detect::RouteView(snap_->routes);
    found_ = new std::vector<detect::Incident>(detect::Detect(*snap_));
    extras_ = new Extras;
    LoadExtras(dir_->string(), extras_);
    board_ = new Scoreboard(Score(*snap_, *view_, *found_, *extras_, ScoreOptions{}));
  }
  static void TearDownTestSuite() {
    delete board_;
    delete extras_;
    delete found_;
    delete view_;
    delete snap_;
    fs::remove_all(*dir_);
    delete dir_;
  }
  static fs::path* dir_;
  static detect::Snapshot* snap_;
  static detect::RouteView* view_;
  static std::vector<detect::Incident>* found_;
  static Extras* extras_;
  static Scoreboard* board_;
};
fs::path* ScoreOnSimulation::dir_ = nullptr;
detect::Snapshot* ScoreOnSimulation::snap_ = nullptr;
detect::RouteView* ScoreOnSimulation::view_ = nullptr;
std::vector<detect::Incident>* ScoreOnSimulation::found_ = nullptr;
Extras* ScoreOnSimulation::extras_ = nullptr;
Scoreboard* ScoreOnSimulation::board_ = nullptr;

TEST_F(ScoreOnSimulation, EveryPathAsIsScored) {
  ASSERT_TRUE(extras_->have_peeringdb);
  ASSERT_TRUE(extras_->have_manrs);
  ASSERT_TRUE(extras_->have_spoofer);  // the simulator's extra/spoofer-sessions.csv
  std::set<Asn> on_paths;
  for (uint32_t id = 0; id < snap_->routes.paths().size(); ++id) {
    for (Asn a : snap_->routes.paths().Get(id)) on_paths.insert(a);
  }
  size_t with_m5 = 0, filtering = 0;
  for (Asn a : on_paths) {
    if (snap_->registry.bogons().ClassifyAsn(a)) continue;
    const AsScore* s = board_->Find(a);
    ASSERT_NE(s, nullptr) << a;
    EXPECT_TRUE(s->action[kAction1].has_value()) << a;
    // M5 only where Spoofer sessions ran: no session is no data, not zero.
    const bool tested = extras_->spoofer.by_asn.contains(a);
    EXPECT_EQ(s->value[kM5].has_value(), tested) << a;
    if (tested) {
      const auto& t = extras_->spoofer.by_asn.at(a);
      EXPECT_DOUBLE_EQ(*s->value[kM5], 100.0 * t.blocked / (t.blocked + t.received));
      ++with_m5;
      filtering += *s->value[kM5] == 100;
    }
    EXPECT_TRUE(s->value[kM6].has_value());
    EXPECT_FALSE(s->region.empty()) << a;
    EXPECT_FALSE(s->country.empty()) << a;
  }
  EXPECT_GT(with_m5, 20u);
  EXPECT_GT(filtering, 0u);
  EXPECT_LT(filtering, with_m5);
}

TEST_F(ScoreOnSimulation, Action1FollowsTheIncidents) {
  std::map<Asn, std::vector<Interval>> own2;  // M2 by hand
  for (const auto& in : *found_) {
    if (in.type == "hijack" || in.type == "subprefix_hijack") {
      own2[in.culprit].push_back({in.start, std::max(in.start, in.end), in.confidence});
    }
  }
  ASSERT_FALSE(own2.empty());
  for (const auto& [asn, spans] : own2) {
    const AsScore* s = board_->Find(asn);
    ASSERT_NE(s, nullptr);
    EXPECT_DOUBLE_EQ(s->raw[kM2], MergedPenalty(spans));
    EXPECT_LT(*s->value[kM2], 100);
    EXPECT_LT(*s->action[kAction1], 100);
    ASSERT_FALSE(s->fixes.empty());
    EXPECT_EQ(s->fixes[0].metric, "M2");
    EXPECT_EQ(*s->fixes[0].metric_after, 100);
  }
  size_t clean = 0;
  for (const AsScore& s : board_->ases) {
    if (s.incidents.empty() && s.action[kAction1]) {
      EXPECT_EQ(*s.action[kAction1], 100) << s.asn;
      EXPECT_EQ(s.band[kAction1], "ready");
      ++clean;
    }
  }
  EXPECT_GT(clean, 100u);
}

TEST_F(ScoreOnSimulation, CustomerMetricsNeedTheCustomerRelation) {
  size_t counted = 0;
  for (const auto& in : *found_) {
    if (in.type != "route_leak" || !in.propagator) continue;
    const AsScore* p = board_->Find(*in.propagator);
    ASSERT_NE(p, nullptr);
    const bool customer =
        snap_->relations.RelationOf(*in.propagator, in.culprit) == topology::Relation::kProvider;
    if (customer) {
      EXPECT_GT(p->raw[kM1C], 0) << in.culprit << " via " << *in.propagator;
      ++counted;
    }
  }
  EXPECT_GT(counted, 0u);
}

TEST_F(ScoreOnSimulation, Action4IsRecomputedIndependently) {
  // Per origin: valid and invalid counts by RFC 6811 directly.
  std::map<Asn, std::array<uint32_t, 3>> tally;  // routes, valid, invalid
  for (const auto& r : view_->routes()) {
    if (r.origin == 0) continue;
    const auto st = rpki::ValidateState(snap_->vrps, snap_->routes.prefixes()[r.prefix], r.origin);
    auto& t = tally[r.origin];
    ++t[0];
    if (st == rpki::RovState::kValid) ++t[1];
    if (st == rpki::RovState::kInvalidOrigin || st == rpki::RovState::kInvalidLength) ++t[2];
  }
  size_t with_invalid = 0, with_fix = 0;
  for (const auto& [asn, t] : tally) {
    const AsScore* s = board_->Find(asn);
    if (!s) continue;  // a bogon origin
    ASSERT_EQ(s->routes, t[0]);
    const double want = std::max(0.0, 100.0 * (t[1] - 10.0 * t[2]) / t[0]);
    EXPECT_NEAR(*s->value[kM7Rpki], want, 1e-9) << asn;
    EXPECT_GE(*s->value[kM7Irr], 0);
    EXPECT_LE(*s->value[kM7Irr], 100);
    if (t[2]) ++with_invalid;
    for (const Fix& f : s->fixes) {
      if (f.what == "create ROAs for these routes") {
        ++with_fix;
        EXPECT_LE(f.count, s->rpki_not_found);  // hijacked routes are to withdraw, not to register
        EXPECT_GE(*f.metric_after, *s->value[kM7Rpki]);
        EXPECT_LE(f.items.size(), kMaxFixItems);
      }
    }
  }
  EXPECT_GT(with_invalid, 0u);
  EXPECT_GT(with_fix, 0u);
}

// Decision 1: no AS is Ready, Aspiring or Lagging overall unless both ends
// of its interval are; the interval is a point only with all four actions.
TEST_F(ScoreOnSimulation, OverallBandHoldsForEveryValueTheMissingDataCouldTake) {
  size_t intervals = 0;
  for (const AsScore& a : board_->ases) {
    EXPECT_EQ(a.of[kOverall], 4);
    if (!a.action[kOverall]) {
      EXPECT_EQ(a.band[kOverall], "");
      continue;
    }
    ASSERT_TRUE(a.action_max[kOverall]);
    EXPECT_LE(*a.action[kOverall], *a.action_max[kOverall]);
    if (a.band[kOverall] == "ready") {
      EXPECT_GE(*a.action[kOverall], 80) << a.asn;
    }
    if (a.measured[kOverall] == 4 && a.measured[kAction4] == 2) {
      EXPECT_DOUBLE_EQ(*a.action[kOverall], *a.action_max[kOverall]) << a.asn;
    } else {
      ++intervals;
      EXPECT_LT(*a.action[kOverall], *a.action_max[kOverall]) << a.asn;
    }
  }
  EXPECT_GT(intervals, 0u);  // the simulation has ASes without Spoofer data
}

TEST_F(ScoreOnSimulation, AggregatesCountTheirMembers) {
  std::map<std::string, const Aggregate*> by;
  for (const Aggregate& g : board_->aggregates) by[g.kind + ":" + g.id] = &g;
  ASSERT_TRUE(by.count("group:all"));
  ASSERT_TRUE(by.count("group:manrs"));
  ASSERT_TRUE(by.count("region:lacnic"));
  EXPECT_EQ(by["group:all"]->members.size(), board_->ases.size());
  size_t ixps = 0;
  for (const Aggregate& g : board_->aggregates) {
    for (const auto& pa : g.action) {
      EXPECT_EQ(pa.ready + pa.aspiring + pa.lagging + pa.incomplete + pa.no_data, g.members.size())
          << g.kind << g.id;
      EXPECT_EQ(pa.of, g.members.size());
      EXPECT_EQ(pa.measured, g.members.size() - pa.no_data) << g.kind << g.id;
      // The low-coverage rule: never a band on too few members with data.
      if (pa.mean && (pa.measured < 3 || 2 * pa.measured < pa.of)) {
        EXPECT_EQ(pa.band, "low_coverage") << g.kind << g.id;
      } else if (pa.mean) {
        EXPECT_EQ(pa.band, BandOfInterval(pa.mean, pa.mean_max, Bands{})) << g.kind << g.id;
        EXPECT_LE(*pa.mean, *pa.mean_max);
      } else {
        EXPECT_EQ(pa.band, "");
      }
    }
    if (g.kind == "ixp") {
      ++ixps;
      EXPECT_FALSE(g.name.empty());
    }
  }
  EXPECT_GT(ixps, 0u);
  // The participants' Action 4 mean is the mean over their members.
  const Aggregate& m = *by["group:manrs"];
  double sum = 0;
  int n = 0;
  for (Asn a : m.members) {
    const AsScore* s = board_->Find(a);
    EXPECT_TRUE(s->manrs);
    if (s->action[kAction4]) {
      sum += *s->action[kAction4];
      ++n;
    }
  }
  ASSERT_GT(n, 0);
  EXPECT_NEAR(*m.action[kAction4].mean, sum / n, 1e-9);
}

// Every country of the simulation sits in the region the service-region
// table gives it, whatever RIRs its ASes registered with.
TEST_F(ScoreOnSimulation, CountriesSitInTheirRirServiceRegion) {
  size_t countries = 0;
  for (const Aggregate& g : board_->aggregates) {
    if (g.kind != "country") continue;
    ++countries;
    auto r = registry::RirServiceRegionOf(g.id);
    ASSERT_TRUE(r.has_value()) << g.id;
    EXPECT_EQ(g.region, *r) << g.id;
  }
  EXPECT_GT(countries, 0u);
  for (const Note& n : board_->notes) EXPECT_NE(n.key, "score.note.region_by_vote") << n.text;
  // Every AS sits in its country's region, as an entity and as a member.
  std::map<std::string, std::set<Asn>> members;
  for (const Aggregate& g : board_->aggregates) {
    if (g.kind == "region") members[g.id].insert(g.members.begin(), g.members.end());
  }
  for (const AsScore& a : board_->ases) {
    auto r = registry::RirServiceRegionOf(a.country);
    if (!r) continue;
    EXPECT_EQ(a.region, *r) << a.asn;
    EXPECT_TRUE(members[std::string(*r)].contains(a.asn)) << a.asn;
  }
}

// Aggregates built from hand-made ASes: the country's region comes from the
// table, not from a vote of its ASes' registries; only a code the table does
// not know falls back to the vote, and the fallback is noted.
class CountryRegionOfAggregates : public ::testing::Test {
 protected:
  void Add(Asn asn, std::string cc, std::string region) {
    AsScore a;
    a.asn = asn;
    a.country = std::move(cc);
    a.region = std::move(region);
    board_.ases.push_back(std::move(a));
  }
  std::map<std::string, const Aggregate*> Build() {
    std::sort(board_.ases.begin(), board_.ases.end(),
              [](const AsScore& x, const AsScore& y) { return x.asn < y.asn; });
    internal::Context c{snap_, view_, incidents_, extras_, opts_, board_};
    for (uint32_t i = 0; i < board_.ases.size(); ++i) c.index[board_.ases[i].asn] = i;
    internal::BuildAggregates(c);
    std::map<std::string, const Aggregate*> by;
    for (const Aggregate& g : board_.aggregates) by[g.kind + ":" + g.id] = &g;
    return by;
  }
  detect::Snapshot snap_;
  detect::RouteView view_{snap_.routes};
  std::vector<detect::Incident> incidents_;
  Extras extras_;
  ScoreOptions opts_;
  Scoreboard board_;
};

TEST_F(CountryRegionOfAggregates, ACubanNetworkAtRipeLeavesCubaInLacnic) {
  // Cuba: two ASes registered at RIPE NCC, one at LACNIC. The vote said Europe.
  Add(64500, "CU", "ripencc");
  Add(64501, "CU", "ripencc");
  Add(64502, "CU", "lacnic");
  // Jamaica, served by ARIN, with a LACNIC-registered AS; Brazil as usual.
  Add(64510, "JM", "lacnic");
  Add(64520, "BR", "lacnic");
  auto by = Build();
  ASSERT_TRUE(by.count("country:CU"));
  EXPECT_EQ(by["country:CU"]->region, "lacnic");
  EXPECT_EQ(by["country:JM"]->region, "arin");
  EXPECT_EQ(by["country:BR"]->region, "lacnic");
  // Decision 5: region aggregates add up the countries' ASes too, so the
  // RIPE-registered Cuban ASes count in LACNIC and the Jamaican in ARIN.
  EXPECT_FALSE(by.count("region:ripencc"));
  ASSERT_TRUE(by.count("region:lacnic"));
  EXPECT_EQ(by["region:lacnic"]->members, (std::vector<Asn>{64500, 64501, 64502, 64520}));
  ASSERT_TRUE(by.count("region:arin"));
  EXPECT_EQ(by["region:arin"]->members, (std::vector<Asn>{64510}));
  EXPECT_TRUE(board_.notes.empty());
}

// Without a country the table knows, an AS counts in its registry's region.
TEST_F(CountryRegionOfAggregates, AnAsWithoutACountryCountsInItsRegistrysRegion) {
  Add(64500, "", "apnic");
  Add(64501, "EU", "ripencc");
  Add(64502, "CU", "ripencc");
  auto by = Build();
  EXPECT_EQ(by["region:apnic"]->members, (std::vector<Asn>{64500}));
  EXPECT_EQ(by["region:ripencc"]->members, (std::vector<Asn>{64501}));
  EXPECT_EQ(by["region:lacnic"]->members, (std::vector<Asn>{64502}));
}

TEST_F(CountryRegionOfAggregates, CodesOutsideTheTableFallBackToTheVoteAndAreNoted) {
  Add(64500, "EU", "ripencc");
  Add(64501, "EU", "ripencc");
  Add(64502, "EU", "arin");
  Add(64503, "AP", "apnic");
  Add(64504, "DE", "ripencc");
  auto by = Build();
  EXPECT_EQ(by["country:EU"]->region, "ripencc");
  EXPECT_EQ(by["country:AP"]->region, "apnic");
  EXPECT_EQ(by["country:DE"]->region, "ripencc");
  ASSERT_EQ(board_.notes.size(), 1u);
  EXPECT_NE(board_.notes[0].text.find("2 code(s) not in the RIR service-region table (AP, EU)"),
            std::string::npos)
      << board_.notes[0].text;
  // The same note as a translation key with its arguments.
  EXPECT_EQ(board_.notes[0].key, "score.note.region_by_vote");
  EXPECT_EQ(board_.notes[0].args, (std::vector<std::pair<std::string, std::string>>{
                                      {"count", "2"}, {"codes", "AP, EU"}}));
}

}  // namespace
}  // namespace vigia::score

namespace vigia::score {
namespace {

nlohmann::json Locale(const std::string& file) {
  std::ifstream in(fs::path(VIGIA_SOURCE_DIR) / "web/src/locales" / file);
  return nlohmann::json::parse(in, nullptr, false);
}

// The "{name}" placeholders of a text, sorted.
std::set<std::string> Placeholders(const std::string& text) {
  std::set<std::string> out;
  for (size_t b = text.find('{'); b != std::string::npos; b = text.find('{', b + 1)) {
    const size_t e = text.find('}', b);
    if (e == std::string::npos) break;
    out.insert(text.substr(b + 1, e - b - 1));
  }
  return out;
}

// Server-made text goes out as keys (issue [3/7]): every key of
// server-score.en.json is in es and pt with the same placeholders, each
// note's English text is its key's text with the args filled in, and
// every fix key is translated in the web's locales.
TEST(ServerText, EveryNoteAndFixKeyIsTranslatedWithItsPlaceholders) {
  const nlohmann::json en = Locale("server-score.en.json");
  ASSERT_TRUE(en.is_object());
  for (const char* lang : {"es", "pt"}) {
    const nlohmann::json tr = Locale(std::string("server-score.") + lang + ".json");
    ASSERT_TRUE(tr.is_object()) << lang;
    EXPECT_EQ(tr.size(), en.size()) << lang;
    for (const auto& [k, v] : en.items()) {
      ASSERT_TRUE(tr.contains(k)) << lang << " " << k;
      EXPECT_EQ(Placeholders(tr[k]), Placeholders(v)) << lang << " " << k;
    }
  }
  // Notes: the real wording for a snapshot with nothing but routes.
  detect::Snapshot s;
  detect::RouteView v(s.routes);
  const Extras extras;
  const Scoreboard board = Score(s, v, {}, extras, ScoreOptions{});
  ASSERT_GE(board.notes.size(), 5u);
  for (const Note& n : board.notes) {
    ASSERT_TRUE(en.contains(n.key)) << n.key;
    std::string text = en[n.key];
    for (const auto& [k, val] : n.args) {
      const std::string ph = "{" + k + "}";
      const size_t at = text.find(ph);
      ASSERT_NE(at, std::string::npos) << n.key << " " << k;
      text.replace(at, ph.size(), val);
    }
    EXPECT_EQ(text, n.text) << n.key;
  }
  // Fix keys: "fix.<code>" in the web's locales, every language.
  std::set<std::string> codes = {"sav",         "pdb_contact",  "pdb_register",
                                 "create_roas", "correct_roas", "irr_register"};
  for (const auto& t : detect::IncidentTypes()) {
    if (!t.fix.empty()) codes.insert(std::string(t.fix));
    if (!t.customer_fix.empty()) codes.insert(std::string(t.customer_fix));
  }
  for (const char* lang : {"en", "es", "pt"}) {
    const nlohmann::json web = Locale(std::string(lang) + ".json");
    for (const std::string& c : codes) EXPECT_TRUE(web.contains("fix." + c)) << lang << " " << c;
  }
}

// Each fix carries its key beside its English text.
TEST_F(ScoreOnSimulation, FixesCarryTheirTranslationKey) {
  size_t fixes = 0;
  for (const AsScore& a : board_->ases) {
    for (const Fix& f : a.fixes) {
      ++fixes;
      EXPECT_EQ(f.key.rfind("fix.", 0), 0u) << f.what;
      EXPECT_GT(f.key.size(), 4u) << f.what;
    }
  }
  EXPECT_GT(fixes, 0u);
}

}  // namespace
}  // namespace vigia::score
