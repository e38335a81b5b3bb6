#include "detect/detect.h"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <ctime>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <set>

#include "rpki/origin_validation.h"
#include "sim/snapshot.h"
#include "sim/test_simulation.h"

namespace vigia::detect {
namespace {

namespace fs = std::filesystem;

uint32_t Epoch(const std::string& iso) {
  struct tm tm = {};
  strptime(iso.c_str(), "%Y-%m-%dT%H:%M:%SZ", &tm);
  return static_cast<uint32_t>(timegm(&tm));
}

struct Score {
  size_t detected = 0, true_pos = 0, truth = 0, found = 0;
  double precision() const { return detected ? static_cast<double>(true_pos) / detected : 1; }
  double recall() const { return truth ? static_cast<double>(found) / truth : 1; }
};

// A detection matches a truth entry of the same type and culprit that shares
// a prefix and overlaps it in time.
bool Matches(const Incident& d, const nlohmann::json& t) {
  if (d.type != t["type"] || d.culprit != t["culprit"].get<Asn>()) return false;
  const uint32_t start = Epoch(t["start"]), end = Epoch(t["end"]);
  if (d.end < start || d.start > end + 60) return false;
  for (const auto& p : t["prefixes"]) {
    const Prefix tp = *Prefix::Parse(p.get<std::string>());
    for (const Prefix& dp : d.prefixes) {
      if (dp == tp) return true;
    }
  }
  return false;
}

// Simulates, detects, and scores the detections against truth.json.
void Accuracy(uint64_t seed, uint32_t ases, uint32_t prefixes, std::map<std::string, Score>* scores,
              size_t* benign_flagged, size_t* benign_total, std::vector<std::string>* misses) {
  const fs::path dir = fs::temp_directory_path() /
                       ("vigia_detect_" + std::to_string(getpid()) + "_" + std::to_string(seed));
  auto rep = sim::Simulate(sim::test::SmallSimulation(dir.string(), ases, prefixes, 12, seed));
  ASSERT_TRUE(rep.ok()) << rep.status().message();
  Snapshot s;
  ASSERT_TRUE(LoadSnapshot(dir.string(), &s).ok());
  EXPECT_TRUE(s.problems.empty()) << s.problems.front();
  EXPECT_TRUE(s.skipped.empty()) << s.skipped.front();
  const std::vector<Incident> found = Detect(s);
  const nlohmann::json truth = nlohmann::json::parse(std::ifstream(dir / "truth.json"));
  std::vector<bool> used(truth["incidents"].size(), false);
  for (const Incident& d : found) {
    // A registration state, not an injected event: truth.json has no such type.
    if (d.type == kIrrUnregistered) continue;
    Score& sc = (*scores)[d.type];
    ++sc.detected;
    bool hit = false;
    for (size_t k = 0; k < truth["incidents"].size(); ++k) {
      if (Matches(d, truth["incidents"][k])) hit = true, used[k] = true;
    }
    if (hit) {
      ++sc.true_pos;
    } else if (misses->size() < 30) {
      misses->push_back(fmt::format("seed {} false {} AS{} {} ({})", seed, d.type, d.culprit,
                                    d.prefixes[0].ToString(), d.reasons[0]));
    }
  }
  for (size_t k = 0; k < truth["incidents"].size(); ++k) {
    const auto& t = truth["incidents"][k];
    Score& sc = (*scores)[t["type"].get<std::string>()];
    ++sc.truth;
    if (used[k]) {
      ++sc.found;
    } else if (misses->size() < 30) {
      misses->push_back(fmt::format("seed {} missed {}", seed, t.dump()));
    }
  }
  // No incident of any type on a benign lookalike.
  for (const auto& b : truth["benign"]) {
    ++*benign_total;
    for (const Incident& d : found) {
      if (d.type == kIrrUnregistered) continue;  // a lookalike may lack a route object
      nlohmann::json as_type = b;
      as_type["type"] = d.type;
      if (Matches(d, as_type)) {
        ++*benign_flagged;
        misses->push_back(fmt::format("seed {} flagged benign {}", seed, b.dump()));
        break;
      }
    }
  }
  fs::remove_all(dir);
}

// Issue [4/5] item 6: precision and recall per type on simulated snapshots
// of several seeds; >= 0.95 for hijacks, leaks and bogons; no benign
// lookalike flagged.
TEST(Detect, PrecisionAndRecallOnSimulatedSnapshots) {
  std::map<std::string, Score> scores;
  size_t benign_flagged = 0, benign_total = 0;
  std::vector<std::string> misses;
  for (uint64_t seed : {1, 2, 3})
    Accuracy(seed, 1500, 15000, &scores, &benign_flagged, &benign_total, &misses);
  std::string table =
      "type                precision  recall  (detected/true positives, truth/found)\n";
  for (const auto& [type, sc] : scores) {
    table += fmt::format("{:<19} {:>9.3f} {:>7.3f}  ({}/{}, {}/{})\n", type, sc.precision(),
                         sc.recall(), sc.detected, sc.true_pos, sc.truth, sc.found);
  }
  table += fmt::format("benign lookalikes flagged: {} of {}\n", benign_flagged, benign_total);
  std::printf("%s", table.c_str());
  for (const std::string& m : misses) std::printf("  %s\n", m.c_str());
  // Every type the simulator injects (all but irr_unregistered).
  for (const IncidentType& t : IncidentTypes()) {
    if (t.name == kIrrUnregistered) continue;
    const std::string type(t.name);
    ASSERT_TRUE(scores.contains(type)) << type;
    EXPECT_GE(scores[type].precision(), 0.95) << type;
    EXPECT_GE(scores[type].recall(), 0.95) << type;
  }
  EXPECT_EQ(benign_flagged, 0u);
}

// Issue [4/5] item 2: hijacks against the history of earlier snapshots.
// An origin earlier snapshots saw for the prefix is no conflict; an origin
// present at the window start that the history never saw for the prefix,
// unrelated to the historical ones, is a hijack of kind "history".
TEST(Detect, HijacksAgainstTheHistoryOfEarlierSnapshots) {
  const fs::path dir =
      fs::temp_directory_path() / ("vigia_detect_history_" + std::to_string(getpid()));
  sim::SimulateOptions o = sim::test::SmallSimulation(dir.string(), 600, 5000, 8, 11);
  o.incidents = "hijack=4";
  ASSERT_TRUE(sim::Simulate(o).ok());
  Snapshot s;
  ASSERT_TRUE(LoadSnapshot(dir.string(), &s).ok());
  const std::vector<Incident> before = Detect(s);
  std::vector<const Incident*> hijacks;
  for (const Incident& in : before) {
    if (in.type == kHijack) hijacks.push_back(&in);
  }
  ASSERT_EQ(hijacks.size(), 4u);

  // 1. History: the first hijacker was seen originating its prefix before.
  s.history[hijacks[0]->prefixes[0]] = {hijacks[0]->culprit};
  // 2. A prefix present at the window start whose historical origin is an
  // AS with no relation to today's: the history makes it a conflict.
  const RouteView v(s.routes);
  std::optional<Prefix> moved;
  Asn today = 0, earlier = 0;
  for (const OriginRoute& r : v.routes()) {
    if (!r.at_start || r.origin == 0) continue;
    const Prefix& p = s.routes.prefixes()[r.prefix];
    if (rpki::ValidateState(s.vrps, p, r.origin) != rpki::RovState::kNotFound) continue;
    if (p == hijacks[0]->prefixes[0] || s.registry.bogons().Classify(p.address())) continue;
    const auto [b, e] = v.OfPrefix(r.prefix);
    if (e - b != 1) continue;                     // one origin only
    for (Asn cand = 64000; cand > 100; --cand) {  // an AS unrelated to it
      if (s.relations.RelationOf(cand, r.origin) == topology::Relation::kNone &&
          !s.orgs.AreSiblings(cand, r.origin) && s.relations.Index(cand)) {
        earlier = cand;
        break;
      }
    }
    moved = p;
    today = r.origin;
    break;
  }
  ASSERT_TRUE(moved && earlier);
  s.history[*moved] = {earlier};
  // 3. The same prefix with today's origin also in the history: no conflict.
  const std::vector<Incident> after = Detect(s);
  size_t exact = 0, history = 0;
  for (const Incident& in : after) {
    if (in.type != kHijack) continue;
    EXPECT_FALSE(in.culprit == hijacks[0]->culprit && in.prefixes[0] == hijacks[0]->prefixes[0]);
    if (in.kind == "exact") ++exact;
    if (in.kind == "history") {
      ++history;
      EXPECT_EQ(in.culprit, today);
      EXPECT_EQ(in.prefixes[0], *moved);
      EXPECT_NE(in.reasons[0].find("earlier snapshots saw it originated only by AS" +
                                   std::to_string(earlier)),
                std::string::npos)
          << in.reasons[0];
    }
  }
  EXPECT_EQ(exact, 3u);
  EXPECT_EQ(history, 1u);
  s.history[*moved].push_back(today);
  size_t again = 0;
  for (const Incident& in : Detect(s)) again += in.kind == "history";
  EXPECT_EQ(again, 0u);
  fs::remove_all(dir);
}

}  // namespace
}  // namespace vigia::detect
