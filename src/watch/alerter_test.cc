// Tests of the Alerter (alerter.h): live events in, alerts out through real
// channels (JSON-lines files), the gate's once/recovery/summary behaviour,
// per-rule settings, the state file across a restart, and the latency
// histogram.
#include "watch/alerter.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace vigia::watch {
namespace {

namespace fs = std::filesystem;

class TempDir {
 public:
  TempDir() {
    path_ = fs::temp_directory_path() /
            ("vigia_alerter_test_" + std::to_string(::getpid()) + "_" + std::to_string(counter_++));
    fs::remove_all(path_);
    fs::create_directories(path_);
  }
  ~TempDir() { fs::remove_all(path_); }
  std::string operator/(const std::string& name) const { return (path_ / name).string(); }

 private:
  static inline int counter_ = 0;
  fs::path path_;
};

std::vector<nlohmann::json> Lines(const std::string& path) {
  std::vector<nlohmann::json> out;
  std::ifstream in(path);
  for (std::string line; std::getline(in, line);) out.push_back(nlohmann::json::parse(line));
  return out;
}

WatchConfig Config(const std::string& yaml) {
  auto r = ParseWatchConfig(yaml, "t.yml");
  EXPECT_TRUE(r.ok()) << r.status().message();
  return r.ok() ? *r : WatchConfig{};
}

live::LiveEvent Hijack(live::EventPhase phase, uint32_t peers = 5) {
  live::LiveEvent e;
  e.phase = phase;
  e.rule = std::string(live::kRuleHijack);
  e.key = "hijack|192.0.2.0/24|AS64666";
  e.incident.type = "hijack";
  e.incident.culprit = 64666;
  e.incident.prefixes = {*Prefix::Parse("192.0.2.0/24")};
  e.incident.victims = {64500};
  e.incident.reasons = {"origin AS64666 is not a declared origin"};
  e.incident.evidence = R"({"paths":["3356 64666"],"peers":5})";
  e.time = {1'700'000'000, 250'000};
  e.peers = peers;
  e.arrival_ns = NowSteadyNs();
  return e;
}

live::LiveEvent Leak(live::EventPhase phase) {
  live::LiveEvent e;
  e.phase = phase;
  e.rule = std::string(live::kRuleRouteLeak);
  e.key = "route_leak|192.0.2.0/24|AS64510";
  e.incident.culprit = 64510;
  e.incident.prefixes = {*Prefix::Parse("192.0.2.0/24")};
  e.peers = 4;
  return e;
}

constexpr const char* kBase =
    "prefixes:\n  192.0.2.0/24: {description: lab anycast, origins: [64500]}\n"
    "monitor: {min_peers: 1}\n";

TEST(Alerter, EachConditionOnceThenOneRecoveryWithTheRepeats) {
  TempDir d;
  const WatchConfig c =
      Config(std::string(kBase) + "channels: {log: {type: file, path: " + (d / "a.jsonl") + "}}\n");
  alert::PrometheusCounters counters;
  {
    Alerter a(c, &counters);
    a.AddConfiguredChannels();
    for (int i = 0; i < 3; ++i) a.OnEvent(Hijack(live::EventPhase::kRaised));
    a.OnEvent(Hijack(live::EventPhase::kCleared));
    a.OnEvent(Hijack(live::EventPhase::kCleared));  // a second clear is not a second recovery
    a.Drain();
    EXPECT_EQ(a.stats().fired, 1u);
    EXPECT_EQ(a.stats().suppressed, 2u);
    EXPECT_EQ(a.stats().recovered, 1u);
    EXPECT_EQ(a.open(), 0u);
  }
  const auto lines = Lines(d / "a.jsonl");
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_EQ(lines[0]["state"], "firing");
  EXPECT_EQ(lines[0]["severity"], "critical");
  EXPECT_EQ(lines[0]["prefix"], "192.0.2.0/24");
  EXPECT_EQ(lines[0]["asns"], nlohmann::json({64666, 64500}));
  EXPECT_EQ(lines[0]["evidence"]["paths"][0], "3356 64666");
  EXPECT_EQ(lines[0]["first_seen_ms"], 1'700'000'000'250);
  const std::string text = lines[0]["text"];
  EXPECT_NE(text.find("\"lab anycast\""), std::string::npos) << text;
  EXPECT_NE(text.find("AS64666"), std::string::npos) << text;
  EXPECT_NE(text.find("expected AS64500"), std::string::npos) << text;
  EXPECT_NE(text.find("seen by 5 peers"), std::string::npos) << text;
  EXPECT_EQ(lines[1]["state"], "recovered");
  EXPECT_EQ(lines[1]["repeats"], 2);
  EXPECT_EQ(counters.Delivered("hijack", "log", "firing", "ok"), 1u);
  EXPECT_EQ(counters.Delivered("hijack", "log", "recovered", "ok"), 1u);
  EXPECT_NE(counters.Render().find("log"), std::string::npos);
}

TEST(Alerter, PerRuleThresholdEnabledAndChannels) {
  TempDir d;
  const WatchConfig c = Config(std::string(kBase) +
                               "rules:\n  hijack: {min_peers: 3, channels: [pager]}\n"
                               "  rpki_invalid: {enabled: false}\n"
                               "channels:\n  pager: {type: file, path: " +
                               (d / "pager") +
                               "}\n"
                               "  log: {type: file, path: " +
                               (d / "log") + "}\n");
  Alerter a(c, nullptr);
  a.AddConfiguredChannels();
  a.OnEvent(Hijack(live::EventPhase::kRaised, 2));  // under the rule's threshold
  a.OnEvent(Hijack(live::EventPhase::kRaised, 3));  // reaches it
  a.OnEvent(Leak(live::EventPhase::kRaised));       // default: every channel
  live::LiveEvent inv = Leak(live::EventPhase::kRaised);
  inv.rule = "rpki_invalid";
  inv.key = "rpki_invalid|192.0.2.0/24|AS64510";
  a.OnEvent(inv);
  a.Drain();
  EXPECT_EQ(a.stats().below_threshold, 1u);
  EXPECT_EQ(a.stats().disabled, 1u);
  const auto pager = Lines(d / "pager");
  const auto log = Lines(d / "log");
  ASSERT_EQ(pager.size(), 2u);
  EXPECT_EQ(pager[0]["rule"], "hijack");
  EXPECT_EQ(pager[1]["rule"], "route_leak");
  ASSERT_EQ(log.size(), 1u);
  EXPECT_EQ(log[0]["rule"], "route_leak");
  EXPECT_EQ(log[0]["severity"], "warning");
}

class Recorder : public live::LiveEventSink {
 public:
  void OnEvent(const live::LiveEvent& e) override { keys.push_back(e.key); }
  std::vector<std::string> keys;
};

TEST(Alerter, EveryEventAlsoReachesTheStoreSinkUnfiltered) {
  TempDir d;
  const WatchConfig c = Config(std::string(kBase) + "rules: {hijack: {enabled: false}}\n");
  Recorder store;
  Alerter a(c, nullptr);
  a.SetAlsoSink(&store);
  a.OnEvent(Hijack(live::EventPhase::kRaised));
  a.OnEvent(Hijack(live::EventPhase::kCleared));
  EXPECT_EQ(store.keys.size(), 2u);
  EXPECT_EQ(a.stats().fired, 0u);
}

TEST(Alerter, RestartDoesNotReAlertAnOpenCondition) {
  TempDir d;
  const WatchConfig c = Config(
      std::string(kBase) + "state_file: " + (d / "state.json") +
      "\ngate: {restore_grace: 1m}\nchannels: {log: {type: file, path: " + (d / "log") + "}}\n");
  {
    Alerter a(c, nullptr);
    a.AddConfiguredChannels();
    a.OnEvent(Hijack(live::EventPhase::kRaised));
    a.OnEvent(Leak(live::EventPhase::kRaised));
    a.Tick(NowUnixMs());  // saves
  }
  ASSERT_TRUE(fs::exists(d / "state.json"));
  const int64_t start = NowUnixMs();
  {
    Alerter a(c, nullptr);
    a.AddConfiguredChannels();
    ASSERT_TRUE(a.LoadState(start).ok());
    EXPECT_EQ(a.stats().restored, 2u);
    a.OnEvent(Hijack(live::EventPhase::kRaised));  // still there: no new alert
    a.Tick(start + 30'000);
    a.Tick(start + 61'000);  // the leak was not seen again: recovered
    a.OnEvent(Hijack(live::EventPhase::kCleared));
    a.Drain();
    EXPECT_EQ(a.stats().fired, 0u);
    EXPECT_EQ(a.stats().expired, 1u);
    EXPECT_EQ(a.stats().recovered, 2u);
  }
  const auto log = Lines(d / "log");
  ASSERT_EQ(log.size(), 4u);  // two firings before the restart, two recoveries after
  EXPECT_EQ(log[2]["rule"], "route_leak");
  EXPECT_EQ(log[2]["state"], "recovered");
  EXPECT_NE(std::string(log[2]["text"]).find("not seen again since the restart"),
            std::string::npos);
  EXPECT_EQ(log[3]["rule"], "hijack");
  EXPECT_EQ(log[3]["state"], "recovered");
  EXPECT_EQ(log[3]["first_seen_ms"], 1'700'000'000'250);  // kept across the restart
}

TEST(Alerter, DamagedStateFileIsAnErrorNamingIt) {
  TempDir d;
  const WatchConfig c = Config(std::string(kBase) + "state_file: " + (d / "s.json") + "\n");
  for (const char* bad :
       {"{not json", "[]", R"({"version":2,"open":[]})", R"({"version":1,"open":[{"key":1}]})"}) {
    std::ofstream(d / "s.json") << bad;
    Alerter a(c, nullptr);
    const Status s = a.LoadState(NowUnixMs());
    EXPECT_FALSE(s.ok()) << bad;
    EXPECT_NE(s.message().find(d / "s.json"), std::string::npos) << s.message();
  }
  fs::remove(d / "s.json");
  Alerter a(c, nullptr);
  EXPECT_TRUE(a.LoadState(NowUnixMs()).ok());  // absent: a first start
}

TEST(Alerter, SummariesOfRepeatsGoOut) {
  TempDir d;
  const WatchConfig c =
      Config(std::string(kBase) + "gate: {summary_every: 1s}\nchannels: {log: {type: file, path: " +
             (d / "log") + "}}\n");
  Alerter a(c, nullptr);
  a.AddConfiguredChannels();
  a.OnEvent(Hijack(live::EventPhase::kRaised));
  a.OnEvent(Hijack(live::EventPhase::kRaised));
  a.Tick(NowUnixMs() + 2'000);
  a.Drain();
  const auto log = Lines(d / "log");
  ASSERT_EQ(log.size(), 2u);
  EXPECT_EQ(log[1]["summary"], true);
  EXPECT_EQ(log[1]["repeats"], 1);
  EXPECT_EQ(a.stats().summaries, 1u);
}

TEST(Alerter, LatencyFromArrivalToDeliveryIsRecorded) {
  TempDir d;
  const WatchConfig c =
      Config(std::string(kBase) + "channels: {log: {type: file, path: " + (d / "log") + "}}\n");
  Alerter a(c, nullptr);
  a.AddConfiguredChannels();
  a.OnEvent(Hijack(live::EventPhase::kRaised));
  a.OnEvent(Hijack(live::EventPhase::kCleared));
  a.Drain();
  EXPECT_EQ(a.latency().count(), 2u);
  EXPECT_GT(a.latency().Quantile(0.99), 0);
  EXPECT_LE(a.latency().Quantile(0.5), a.latency().Quantile(0.99));
  const std::string prom = a.latency().RenderPrometheus();
  EXPECT_NE(prom.find("vigia_alert_latency_seconds_count 2"), std::string::npos) << prom;
}

TEST(LatencyHistogram, QuantilesAreBucketEdgesWithinTenPercent) {
  LatencyHistogram h;
  for (int i = 1; i <= 1000; ++i) h.Record(int64_t{i} * 1'000'000);  // 1..1000 ms
  EXPECT_EQ(h.count(), 1000u);
  const double p50 = static_cast<double>(h.Quantile(0.5)) / 1e6;
  const double p99 = static_cast<double>(h.Quantile(0.99)) / 1e6;
  EXPECT_GE(p50, 500);
  EXPECT_LE(p50, 550);
  EXPECT_GE(p99, 990);
  EXPECT_LE(p99, 1000);  // capped at the maximum seen
  EXPECT_EQ(LatencyHistogram().Quantile(0.5), 0);
}

}  // namespace
}  // namespace vigia::watch
