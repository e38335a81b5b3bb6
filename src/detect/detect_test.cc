#include "detect/detect.h"

#include <gtest/gtest.h>

#include <fmt/format.h>

#include <ctime>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <set>

#include "sim/snapshot.h"

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
  const fs::path dir = fs::temp_directory_path() / ("vigia_detect_" + std::to_string(getpid()) + "_" +
                                                    std::to_string(seed));
  sim::SimulateOptions o;
  o.out = dir.string();
  o.ases = ases;
  o.prefixes = prefixes;
  o.peers = 12;
  o.seed = seed;
  o.force = true;
  auto rep = sim::Simulate(o);
  ASSERT_TRUE(rep.ok()) << rep.status().message();
  Snapshot s;
  ASSERT_TRUE(LoadSnapshot(dir.string(), &s).ok());
  EXPECT_TRUE(s.problems.empty()) << s.problems.front();
  EXPECT_TRUE(s.skipped.empty()) << s.skipped.front();
  const std::vector<Incident> found = Detect(s);
  const nlohmann::json truth = nlohmann::json::parse(std::ifstream(dir / "truth.json"));
  std::vector<bool> used(truth["incidents"].size(), false);
  for (const Incident& d : found) {
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
  for (uint64_t seed : {1, 2, 3}) Accuracy(seed, 1500, 15000, &scores, &benign_flagged, &benign_total, &misses);
  std::string table = "type                precision  recall  (detected/true positives, truth/found)\n";
  for (const auto& [type, sc] : scores) {
    table += fmt::format("{:<19} {:>9.3f} {:>7.3f}  ({}/{}, {}/{})\n", type, sc.precision(), sc.recall(),
                         sc.detected, sc.true_pos, sc.truth, sc.found);
  }
  table += fmt::format("benign lookalikes flagged: {} of {}\n", benign_flagged, benign_total);
  std::printf("%s", table.c_str());
  for (const std::string& m : misses) std::printf("  %s\n", m.c_str());
  for (const char* type : {"hijack", "subprefix_hijack", "route_leak", "bogon_prefix", "bogon_asn", "rpki_invalid"}) {
    ASSERT_TRUE(scores.contains(type)) << type;
    EXPECT_GE(scores[type].precision(), 0.95) << type;
    EXPECT_GE(scores[type].recall(), 0.95) << type;
  }
  EXPECT_EQ(benign_flagged, 0u);
}

}  // namespace
}  // namespace vigia::detect
