// Simulate() at small sizes with the options of issue [6/7] item 2: the
// IPv6 share, the collectors and their names, the background churn's
// update count, and identical bytes whatever the number of threads.
#include "sim/snapshot.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include "mrt/test_util.h"

namespace vigia::sim {
namespace {

namespace fs = std::filesystem;

fs::path TempDir(const std::string& name) {
  fs::path p =
      fs::temp_directory_path() / ("vigia_simsnap_" + name + "_" + std::to_string(getpid()));
  fs::remove_all(p);
  return p;
}

SimulateOptions Small(const fs::path& out) {
  SimulateOptions o;
  o.out = out.string();
  o.ases = 400;
  o.prefixes = 4000;
  o.peers = 8;
  o.collectors = 2;
  o.days = 1;
  o.seed = 5;
  return o;
}

std::string ReadFile(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::map<std::string, std::string> Files(const fs::path& dir) {
  std::map<std::string, std::string> m;
  for (const auto& e : fs::recursive_directory_iterator(dir)) {
    if (e.is_regular_file()) m[fs::relative(e.path(), dir).string()] = ReadFile(e.path());
  }
  return m;
}

// `bgpdump -m` lines of one MRT file.
std::vector<std::string> Dump(const fs::path& file) {
  const std::string text =
      mrt::test_util::DecodeFile(file.string(), mrt::test_util::Format::kBgpdumpM).text;
  std::vector<std::string> lines;
  std::stringstream ss(text);
  for (std::string l; std::getline(ss, l);) lines.push_back(l);
  return lines;
}

std::string Field(const std::string& line, int n) {
  size_t b = 0;
  for (int i = 0; i < n; ++i) b = line.find('|', b) + 1;
  return line.substr(b, line.find('|', b) - b);
}

TEST(SimulateSnapshot, Ipv6ShareIsTheShareOfRibPrefixes) {
  for (double share : {0.0, 0.5}) {
    const fs::path d = TempDir("v6");
    SimulateOptions o = Small(d);
    o.ipv6_share = share;
    o.incidents = "none";
    auto r = Simulate(o);
    ASSERT_TRUE(r.ok()) << r.status().message();
    std::map<std::string, bool> prefixes;  // prefix -> IPv6
    for (const std::string& l : Dump(d / "mrt" / "sim00.bview.20261122.0000.gz")) {
      const std::string p = Field(l, 5);
      prefixes[p] = p.find(':') != std::string::npos;
    }
    size_t v6 = 0;
    for (const auto& [p, is6] : prefixes) v6 += is6;
    ASSERT_GT(prefixes.size(), 3000u);
    const double got = static_cast<double>(v6) / static_cast<double>(prefixes.size());
    EXPECT_NEAR(got, share, 0.05) << share;
    fs::remove_all(d);
  }
}

TEST(SimulateSnapshot, RealCollectorNamesAndCount) {
  const fs::path d = TempDir("names");
  SimulateOptions o = Small(d);
  o.collectors = 5;
  o.collector_names = "real";
  o.incidents = "none";
  auto r = Simulate(o);
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r->collectors, 5u);
  for (const char* c : {"rrc00", "route-views2", "rrc01", "route-views3", "rrc03"}) {
    EXPECT_TRUE(fs::exists(d / "mrt" / (std::string(c) + ".bview.20261122.0000.gz"))) << c;
    EXPECT_TRUE(fs::exists(d / "mrt" / (std::string(c) + ".updates.20261122.gz"))) << c;
  }
  size_t files = 0;
  for (const auto& e : fs::directory_iterator(d / "mrt")) files += e.is_regular_file();
  EXPECT_EQ(files, 10u);
  fs::remove_all(d);
}

TEST(SimulateSnapshot, ChurnAddsTheAskedPrefixUpdatesInTimeOrder) {
  const fs::path plain = TempDir("plain"), churned = TempDir("churn");
  SimulateOptions o = Small(plain);
  auto a = Simulate(o);
  ASSERT_TRUE(a.ok()) << a.status().message();
  o.out = churned.string();
  o.churn = 30'000;
  auto b = Simulate(o);
  ASSERT_TRUE(b.ok()) << b.status().message();
  EXPECT_EQ(a->churn_prefix_updates, 0u);
  EXPECT_GT(b->churn_prefix_updates, 29'400u);
  EXPECT_LE(b->churn_prefix_updates, 30'100u);
  // The RIBs do not change; the updates gain exactly the churn, in time
  // order, from more than one peer.
  EXPECT_EQ(ReadFile(plain / "mrt/sim00.bview.20261122.0000.gz"),
            ReadFile(churned / "mrt/sim00.bview.20261122.0000.gz"));
  uint64_t lines_a = 0, lines_b = 0;
  std::map<std::string, uint64_t> per_peer;
  for (const char* c : {"sim00", "sim01"}) {
    const std::string f = std::string(c) + ".updates.20261122.gz";
    lines_a += Dump(plain / "mrt" / f).size();
    double last = 0;
    for (const std::string& l : Dump(churned / "mrt" / f)) {
      const double t = std::stod(Field(l, 1));
      EXPECT_GE(t, last) << l;
      last = t;
      ++per_peer[Field(l, 4)];
      ++lines_b;
    }
  }
  EXPECT_EQ(lines_b - lines_a, b->churn_prefix_updates);
  EXPECT_GT(per_peer.size(), 4u);
  // The manifest names the new options only when set.
  EXPECT_EQ(ReadFile(plain / "manifest.json").find("churn"), std::string::npos);
  EXPECT_NE(ReadFile(churned / "manifest.json").find("\"churn\": 30000"), std::string::npos);
  fs::remove_all(plain);
  fs::remove_all(churned);
}

TEST(SimulateSnapshot, SameBytesWhateverTheThreads) {
  const fs::path d1 = TempDir("t1"), d2 = TempDir("t2");
  SimulateOptions o = Small(d1);
  o.collectors = 3;
  o.churn = 20'000;
  o.gzip_level = 1;
  o.threads = 1;
  ASSERT_TRUE(Simulate(o).ok());
  o.out = d2.string();
  o.threads = 3;
  ASSERT_TRUE(Simulate(o).ok());
  const auto f1 = Files(d1), f2 = Files(d2);
  ASSERT_EQ(f1.size(), f2.size());
  for (const auto& [name, bytes] : f1) {
    ASSERT_TRUE(f2.contains(name)) << name;
    EXPECT_TRUE(f2.at(name) == bytes) << name;
  }
  fs::remove_all(d1);
  fs::remove_all(d2);
}

TEST(SimulateSnapshot, BadScaleOptionsAreRefused) {
  const fs::path d = TempDir("bad");
  SimulateOptions o = Small(d);
  o.ipv6_share = 1.5;
  EXPECT_EQ(Simulate(o).status().code(), StatusCode::kInvalidArgument);
  o = Small(d);
  o.gzip_level = 0;
  EXPECT_EQ(Simulate(o).status().code(), StatusCode::kInvalidArgument);
  o = Small(d);
  o.collector_names = "ris";
  auto r = Simulate(o);
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(r.status().message().find("--collector-names"), std::string::npos);
  o = Small(d);
  o.churn = 4'000'000'000ull;
  EXPECT_EQ(Simulate(o).status().code(), StatusCode::kInvalidArgument);
  EXPECT_FALSE(fs::exists(d));
}

}  // namespace
}  // namespace vigia::sim
