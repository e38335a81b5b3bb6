// The gate's behaviour: each alert once, repeats counted, a recovery, summaries.
#include "alert/gate.h"

#include <gtest/gtest.h>

namespace vigia::alert {
namespace {

Alert Hijack(std::string key = "hijack|192.0.2.0/24|64501") {
  Alert a;
  a.key = std::move(key);
  a.rule = "hijack";
  a.prefix = "192.0.2.0/24";
  a.asns = {64500, 64501};
  return a;
}

TEST(AlertGate, FirstFiringPassesRepeatsAreSuppressedAndCounted) {
  AlertGate gate({.summary_every_ms = 0});
  auto first = gate.Fire(Hijack(), 1000);
  ASSERT_TRUE(first.has_value());
  EXPECT_EQ(first->state, AlertState::kFiring);
  EXPECT_EQ(first->first_seen_ms, 1000);
  EXPECT_EQ(first->repeats, 0u);
  for (int i = 0; i < 5; ++i) EXPECT_FALSE(gate.Fire(Hijack(), 2000 + i).has_value());
  EXPECT_EQ(gate.suppressed(), 5u);
  EXPECT_EQ(gate.open(), 1u);
  // A different key is its own alert.
  EXPECT_TRUE(gate.Fire(Hijack("hijack|198.51.100.0/24|64501"), 3000).has_value());
}

TEST(AlertGate, RecoveryCarriesRepeatsAndReopens) {
  AlertGate gate({.summary_every_ms = 0});
  ASSERT_TRUE(gate.Fire(Hijack(), 1000).has_value());
  (void)gate.Fire(Hijack(), 1500);
  (void)gate.Fire(Hijack(), 1600);
  auto rec = gate.Clear("hijack|192.0.2.0/24|64501", 5000);
  ASSERT_TRUE(rec.has_value());
  EXPECT_EQ(rec->state, AlertState::kRecovered);
  EXPECT_EQ(rec->repeats, 2u);
  EXPECT_EQ(rec->first_seen_ms, 1000);
  EXPECT_EQ(rec->last_seen_ms, 5000);
  EXPECT_EQ(gate.open(), 0u);
  // A second clear, or a clear of a key never fired, sends nothing.
  EXPECT_FALSE(gate.Clear("hijack|192.0.2.0/24|64501", 6000).has_value());
  EXPECT_FALSE(gate.Clear("never", 6000).has_value());
  // The condition coming back is a new alert.
  auto again = gate.Fire(Hijack(), 7000);
  ASSERT_TRUE(again.has_value());
  EXPECT_EQ(again->repeats, 0u);
  EXPECT_EQ(again->first_seen_ms, 7000);
}

TEST(AlertGate, SummaryEveryIntervalOnlyWhenThereWereRepeats) {
  AlertGate gate({.summary_every_ms = 60'000});
  ASSERT_TRUE(gate.Fire(Hijack(), 0).has_value());
  EXPECT_TRUE(gate.Tick(120'000).empty());  // no repeats: nothing to summarise
  for (int i = 0; i < 3; ++i) (void)gate.Fire(Hijack(), 130'000 + i);
  auto s = gate.Tick(130'010);
  ASSERT_EQ(s.size(), 1u);
  EXPECT_TRUE(s[0].summary);
  EXPECT_EQ(s[0].state, AlertState::kFiring);
  EXPECT_EQ(s[0].repeats, 3u);
  (void)gate.Fire(Hijack(), 140'000);
  EXPECT_TRUE(gate.Tick(150'000).empty());  // within the interval of the last summary
  auto s2 = gate.Tick(190'010);
  ASSERT_EQ(s2.size(), 1u);
  EXPECT_EQ(s2[0].repeats, 4u);
  EXPECT_TRUE(gate.Tick(400'000).empty());  // nothing new since
}

TEST(AlertGate, OverCapNewKeysStillPassUntracked) {
  AlertGate gate({.summary_every_ms = 0});
  for (size_t i = 0; i < kMaxOpenKeys; ++i)
    ASSERT_TRUE(gate.Fire(Hijack("k" + std::to_string(i)), 1).has_value());
  auto over = gate.Fire(Hijack("one-too-many"), 2);
  EXPECT_TRUE(over.has_value());
  EXPECT_EQ(gate.overflow(), 1u);
  EXPECT_EQ(gate.open(), kMaxOpenKeys);
}

TEST(AlertJson, HugeOrInvalidEvidenceIsReplacedAndOutputStaysValid) {
  Alert a = Hijack();
  a.evidence_json = "{\"paths\":[\"" + std::string(kMaxEvidenceBytes + 10, 'x') + "\"]}";
  std::string j = AlertToJson(a);
  EXPECT_LT(j.size(), 4096u);
  EXPECT_NE(j.find("\"truncated\":true"), std::string::npos);
  a.evidence_json = "{not json";
  j = AlertToJson(a);
  EXPECT_NE(j.find("\"invalid\":true"), std::string::npos);
  a.evidence_json = R"({"origin":64501})";
  j = AlertToJson(a);
  EXPECT_NE(j.find(R"("evidence":{"origin":64501})"), std::string::npos);
}

}  // namespace
}  // namespace vigia::alert
