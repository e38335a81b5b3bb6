// The watch pipeline in one process: live::LiveDetector (helper "detect")
// with a reference snapshot that has relationships and VRPs but no MRT,
// feeding the Alerter, with the four conditions of the alert matrix
// (hijack, sub-prefix hijack, leak, RPKI invalid) announced and withdrawn
// as route events. Checks one firing and one recovery each in a real
// JSON-lines file channel; the daemon version is alert_matrix_test.cc.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "live/live_detector.h"
#include "snapshot/snapshot.h"
#include "watch/alerter.h"
#include "watch/config.h"

namespace vigia::watch {
namespace {

namespace fs = std::filesystem;

bgp::PathAttributes Path(std::vector<Asn> asns) {
  bgp::PathAttributes a;
  a.Set(bgp::kAttrOrigin);
  a.Set(bgp::kAttrAsPath);
  a.as_path.segments.push_back({bgp::kAsSequence, static_cast<uint16_t>(asns.size())});
  a.as_path.asns = std::move(asns);
  a.Set(bgp::kAttrNextHop);
  a.next_hop = *IpAddress::Parse("127.0.0.3");
  return a;
}

bgp::Route At(const std::string& prefix, uint32_t t) {
  bgp::Route r;
  r.peer = 1;
  r.time = {t, 0};
  r.prefix = *Prefix::Parse(prefix);
  return r;
}

TEST(WatchPipeline, FourConditionsEachFireOnceAndRecoverOnce) {
  const fs::path dir =
      fs::temp_directory_path() / ("vigia_watch_pipeline_" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir / "ref" / "rpki");
  fs::create_directories(dir / "ref" / "topology");
  std::ofstream(dir / "ref" / "topology" / "20260101.as-rel.txt")
      << "# lab\n1299|3320|-1\n1299|8220|-1\n174|8220|-1\n";
  std::ofstream(dir / "ref" / "rpki" / "vrps.csv")
      << "ASN,IP Prefix,Max Length,Trust Anchor\nAS3333,185.30.0.0/24,24,lab\n";
  snapshot::Snapshot ref;
  const Status load = snapshot::LoadSnapshot((dir / "ref").string(), &ref);
  std::printf("reference without MRT: %s; %zu VRPs\n", load.ok() ? "ok" : load.message().c_str(),
              ref.vrps.size());
  ASSERT_EQ(ref.vrps.size(), 1u);

  auto cfg_r = ParseWatchConfig(
      "prefixes:\n"
      "  185.10.0.0/16: {description: hijack target, origins: [3320]}\n"
      "  185.20.0.0/16: {origins: [3320]}\n"
      "  185.30.0.0/24: {origins: [3320]}\n"
      "asns: [3320]\n"
      "monitor: {min_peers: 1, visibility_min_peers: 1}\n"
      "rules: {bogon_prefix: {enabled: false}, bogon_asn: {enabled: false}, visibility_loss: "
      "{enabled: false}, new_upstream: {enabled: false}, new_downstream: {enabled: false}, "
      "roa_disappeared: {enabled: false}}\n"
      "channels: {file: {type: file, path: " +
          (dir / "alerts.jsonl").string() + "}}\n",
      "pipeline.yml");
  ASSERT_TRUE(cfg_r.ok()) << cfg_r.status().message();
  const WatchConfig cfg = *cfg_r;
  Alerter alerter(cfg, nullptr);
  alerter.AddConfiguredChannels();
  live::LiveDetector det(cfg.rules, &ref, &alerter);
  det.SetVrps(ref.vrps);
  det.Peer(1, bgp::PeerInfo{"lab", *IpAddress::Parse("127.0.0.3"), 174, IpAddress()});
  uint32_t t = 1'800'000'000;
  det.Announce(At("185.10.0.0/16", t++), Path({174, 3320}));  // legitimate
  struct Step {
    std::string rule, prefix;
    std::vector<Asn> bad;
    std::vector<Asn> back;  // empty: withdraw
  };
  const std::vector<Step> steps = {
      {"hijack", "185.10.0.0/16", {174, 9009}, {174, 3320}},
      {"subprefix_hijack", "185.10.1.0/24", {174, 9009}, {}},
      {"route_leak", "185.20.0.0/16", {174, 8220, 1299, 3320}, {}},
      {"rpki_invalid", "185.30.0.0/24", {174, 3320}, {}},
  };
  for (const Step& s : steps) {
    det.Announce(At(s.prefix, t++), Path(s.bad));
    if (s.back.empty())
      det.Withdraw(At(s.prefix, t++), bgp::WithdrawCause::kWithdrawn);
    else
      det.Announce(At(s.prefix, t++), Path(s.back));
  }
  alerter.Drain();
  std::map<std::pair<std::string, std::string>, int> seen;
  std::ifstream in(dir / "alerts.jsonl");
  for (std::string line; std::getline(in, line);) {
    const auto j = nlohmann::json::parse(line);
    ++seen[{j["rule"], j["state"]}];
    std::printf("  %s\n", std::string(j["text"]).c_str());
  }
  for (const Step& s : steps) {
    EXPECT_EQ((seen[{s.rule, "firing"}]), 1) << s.rule;
    EXPECT_EQ((seen[{s.rule, "recovered"}]), 1) << s.rule;
  }
  EXPECT_EQ(seen.size(), 8u);
  fs::remove_all(dir);
}

}  // namespace
}  // namespace vigia::watch
