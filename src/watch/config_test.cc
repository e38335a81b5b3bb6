// Tests of the `vigia watch` YAML config (config.h): a full config read into
// every structure it feeds, and hostile or mistaken configs rejected with
// the file, line and column of the fault.
#include "watch/config.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>

namespace vigia::watch {
namespace {

constexpr const char* kFull = R"(# a full config
collector:
  name: lab
  bmp: 127.0.0.1:11019
  bgp:
    listen: 127.0.0.1:1179
    asn: 64512
    router_id: 192.0.2.9
    peers:
      - {ip: 127.0.0.2, asn: 65001}
  pcap: [a.pcap, b.pcap]
  ris_live: ws://ris-live.example/v1/ws/
  mrt_replay: [updates.gz]
  archive: {dir: /tmp/mrt, rotate: 5m, rib_every: 8h}
reference: /data/snap
rtr: 127.0.0.1:3323
store: sqlite:/tmp/v.db
state_file: /tmp/state.json
prefixes:
  192.0.2.0/24:
    description: our anycast
    origins: [64500, AS64501]
  2001:db8::/32:
    asn: 64500
    ignoreMorespecifics: true
  198.51.100.0/24:
    ignore: true
asns: [64500]
monitor: {only_watched: true, min_peers: 3, visibility_min_peers: 2, warmup: 30s}
rules:
  hijack: {min_peers: 1, severity: critical, channels: [ops, mail]}
  route_leak: {enabled: false}
  path_pattern:
    patterns:
      - {name: via-bad, regex: " 666 "}
channels:
  ops: {type: webhook, url: "http://127.0.0.1:8080/hook", format: slack, retries: 3, backoff: 200ms}
  mail: {type: smtp, server: "127.0.0.1:2525", from: vigia@example.net, to: [noc@example.net], starttls: try}
  sys: {type: syslog, server: "127.0.0.1:5514", transport: tcp}
  log: {type: file, path: /tmp/alerts.jsonl}
  prom: {type: prometheus, listen: "127.0.0.1:9650"}
gate: {summary_every: 10m, restore_grace: 2m, queue: 100}
)";

TEST(WatchConfig, FullConfigFillsEveryPart) {
  auto r = ParseWatchConfig(kFull, "w.yml");
  ASSERT_TRUE(r.ok()) << r.status().message();
  const WatchConfig& c = *r;
  EXPECT_EQ(c.collect.name, "lab");
  EXPECT_EQ(*c.collect.bmp_listen, "127.0.0.1:11019");
  EXPECT_EQ(*c.collect.bgp_listen, "127.0.0.1:1179");
  EXPECT_EQ(c.collect.asn, 64512u);
  EXPECT_EQ(c.collect.bgp_id.ToString(), "192.0.2.9");
  ASSERT_EQ(c.collect.bgp_peers.size(), 1u);
  EXPECT_EQ(c.collect.bgp_peers[0].asn, 65001u);
  EXPECT_EQ(c.collect.pcaps.size(), 2u);
  EXPECT_EQ(c.collect.ris_live.size(), 1u);
  EXPECT_EQ(c.mrt_replay.size(), 1u);
  EXPECT_EQ(c.collect.out_dir, "/tmp/mrt");
  EXPECT_EQ(c.collect.rotate.count(), 300);
  EXPECT_EQ(c.collect.rib_every.count(), 8 * 3600);
  EXPECT_EQ(c.reference_dir, "/data/snap");
  EXPECT_EQ(c.rtr, "127.0.0.1:3323");
  EXPECT_EQ(c.db, "sqlite:/tmp/v.db");
  ASSERT_EQ(c.rules.prefixes.size(), 2u);  // the ignored one is left out
  EXPECT_EQ(c.rules.prefixes[0].prefix.ToString(), "192.0.2.0/24");
  EXPECT_EQ(c.rules.prefixes[0].origins, (std::vector<Asn>{64500, 64501}));
  EXPECT_EQ(c.rules.prefixes[0].description, "our anycast");
  EXPECT_TRUE(c.rules.prefixes[1].ignore_more_specifics);
  EXPECT_EQ(c.rules.asns, std::vector<Asn>{64500});
  EXPECT_FALSE(c.rules.route_leak);
  EXPECT_TRUE(c.rules.hijack);
  EXPECT_EQ(c.rules.min_peers, 1u);  // lowered to the hijack rule's threshold
  EXPECT_EQ(c.rules.visibility_min_peers, 2u);
  EXPECT_EQ(c.rules.warmup.count(), 30);
  ASSERT_EQ(c.rules.path_patterns.size(), 1u);
  EXPECT_EQ(c.rules.path_patterns[0].name, "via-bad");
  EXPECT_EQ(c.Rule("hijack").min_peers, 1u);
  EXPECT_EQ(c.Rule("hijack").channels, (std::vector<std::string>{"ops", "mail"}));
  EXPECT_EQ(c.Rule("rpki_invalid").severity, alert::Severity::kWarning);
  ASSERT_EQ(c.channels.size(), 5u);
  EXPECT_EQ(c.channels[0].webhook.format, alert::WebhookFormat::kSlack);
  EXPECT_EQ(c.channels[0].webhook.max_attempts, 4);
  EXPECT_EQ(c.channels[0].webhook.initial_backoff_ms, 200);
  EXPECT_EQ(c.channels[1].smtp.port, 2525);
  EXPECT_EQ(c.channels[1].smtp.tls, alert::SmtpTls::kTryStartTls);
  EXPECT_EQ(c.channels[2].syslog.transport, alert::SyslogTransport::kTcp);
  EXPECT_EQ(c.channels[3].file_path, "/tmp/alerts.jsonl");
  EXPECT_EQ(c.channels[4].prometheus_listen, "127.0.0.1:9650");
  EXPECT_EQ(c.gate.summary_every_ms, 600'000);
  EXPECT_EQ(c.restore_grace.count(), 120);
  EXPECT_EQ(c.queue_capacity, 100u);
  const auto j = nlohmann::json::parse(WatchConfigToJson(c));
  EXPECT_EQ(j["channels"][1]["starttls"], "try");
  EXPECT_EQ(j["rules"]["route_leak"]["enabled"], false);
}

TEST(WatchConfig, PasswordIsHiddenInDryRunJson) {
  auto r = ParseWatchConfig(
      "asns: [1]\nchannels:\n  m: {type: smtp, server: 'h:25', from: a@b, to: c@d, password: "
      "s3cret}\n",
      "p.yml");
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r->channels[0].smtp.password, "s3cret");
  EXPECT_EQ(WatchConfigToJson(*r).find("s3cret"), std::string::npos);
}

std::string ErrorOf(const std::string& text) {
  auto r = ParseWatchConfig(text, "bad.yml");
  EXPECT_FALSE(r.ok()) << text;
  return r.ok() ? "" : r.status().message();
}

TEST(WatchConfig, UnknownKeyIsNamedWithLineAndColumn) {
  const std::string m = ErrorOf("asns: [1]\nrules:\n  hijack:\n    min_peer: 2\n");
  EXPECT_NE(m.find("bad.yml:4:5:"), std::string::npos) << m;
  EXPECT_NE(m.find("unknown key 'min_peer'"), std::string::npos) << m;
}

TEST(WatchConfig, UnknownRuleAndChannelTypeAreErrors) {
  EXPECT_NE(ErrorOf("asns: [1]\nrules: {hijak: {}}\n").find("unknown rule 'hijak'"),
            std::string::npos);
  EXPECT_NE(ErrorOf("asns: [1]\nchannels: {x: {type: pager}}\n").find("unknown channel type"),
            std::string::npos);
}

TEST(WatchConfig, PrefixWithHostBitsSuggestsTheNetwork) {
  const std::string m = ErrorOf("prefixes:\n  192.0.2.1/24: {origins: [1]}\n");
  EXPECT_NE(m.find("bad.yml:2:3:"), std::string::npos) << m;
  EXPECT_NE(m.find("192.0.2.0/24"), std::string::npos) << m;
}

TEST(WatchConfig, BadValuesAreRejected) {
  EXPECT_NE(ErrorOf("prefixes: {192.0.2.0/24: {origins: [ASX]}}\n").find("AS number"),
            std::string::npos);
  EXPECT_NE(ErrorOf("prefixes: {banana: {}}\n").find("not a prefix"), std::string::npos);
  EXPECT_NE(ErrorOf("asns: [4294967296]\n").find("AS number"), std::string::npos);
  EXPECT_NE(ErrorOf("asns: [1]\nmonitor: {min_peers: -1}\n").find("whole number"),
            std::string::npos);
  EXPECT_NE(ErrorOf("asns: [1]\nmonitor: {warmup: 5 minutes}\n").find("duration"),
            std::string::npos);
  EXPECT_NE(ErrorOf("asns: [1]\nrules: {hijack: {severity: panic}}\n").find("severity"),
            std::string::npos);
  EXPECT_NE(ErrorOf("asns: [1]\ncollector: {bmp: 'localhost:1'}\n").find("not an IP address"),
            std::string::npos);
  EXPECT_TRUE(
      ParseWatchConfig("asns: [1]\ncollector: {bmp: '127.0.0.1:0'}\n", "x").ok());  // any free port
  EXPECT_NE(ErrorOf("asns: [1]\nchannels: {s: {type: syslog, server: '127.0.0.1:0'}}\n")
                .find("HOST:PORT"),
            std::string::npos);  // a server needs its port
  EXPECT_NE(ErrorOf("asns: [1]\ncollector: {bmp: '127.0.0.1:70000'}\n").find("HOST:PORT"),
            std::string::npos);
  EXPECT_NE(
      ErrorOf("asns: [1]\ncollector: {bgp: {listen: '127.0.0.1:179'}}\n").find("needs listen"),
      std::string::npos);
  EXPECT_NE(ErrorOf("asns: [1]\ncollector: {archive: {rotate: 1s}}\n").find("from 1m"),
            std::string::npos);
  EXPECT_NE(ErrorOf("asns: [1]\nchannels: {w: {type: webhook, url: 'file:///etc/passwd'}}\n")
                .find("http://"),
            std::string::npos);
  EXPECT_NE(ErrorOf("asns: [1]\nchannels: {m: {type: smtp, server: 'h:25', from: a@b, "
                    "to: \"x@y\\r\\nRCPT TO:<evil@z>\"}}\n")
                .find("not an e-mail address"),
            std::string::npos);
  EXPECT_NE(
      ErrorOf("asns: [1]\nchannels: {s: {type: syslog, server: '127.0.0.1:514', facility: 24}}\n")
          .find("facility"),
      std::string::npos);
}

TEST(WatchConfig, RuleNamingAMissingChannelIsAnError) {
  const std::string m = ErrorOf(
      "asns: [1]\nrules: {hijack: {channels: [pager]}}\nchannels: {f: {type: file, path: x}}\n");
  EXPECT_NE(m.find("channel 'pager'"), std::string::npos) << m;
}

TEST(WatchConfig, DuplicatesAreErrors) {
  EXPECT_NE(ErrorOf("prefixes:\n  10.0.0.0/8: {}\n  10.0.0.0/8: {}\n").find("twice"),
            std::string::npos);
}

TEST(WatchConfig, NothingToWatchIsAnError) {
  EXPECT_NE(ErrorOf("monitor: {min_peers: 1}\n").find("nothing to watch"), std::string::npos);
  EXPECT_TRUE(ParseWatchConfig("monitor: {only_watched: false}\n", "x").ok());
}

TEST(WatchConfig, MalformedYamlGivesLineAndColumn) {
  const std::string m = ErrorOf("asns: [1\nprefixes: {\n");
  EXPECT_NE(m.find("bad.yml:"), std::string::npos) << m;
  EXPECT_NE(m.find("YAML"), std::string::npos) << m;
  EXPECT_NE(ErrorOf("").find("empty config"), std::string::npos);
  EXPECT_NE(ErrorOf("- just\n- a list\n").find("must be a mapping"), std::string::npos);
  EXPECT_NE(ErrorOf("asns: [1]\nprefixes: [10.0.0.0/8]\n").find("mapping"), std::string::npos);
  EXPECT_NE(ErrorOf("asns: {[1]: x}\n").find("AS number"), std::string::npos);
}

TEST(WatchConfig, DeepNestingAndHugeInputAreRefusedBeforeParsing) {
  const std::string deep = "asns: " + std::string(100, '[') + std::string(100, ']') + "\n";
  auto r = ParseWatchConfig(deep, "deep.yml");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kLimitExceeded);
  auto big = ParseWatchConfig(std::string(kMaxConfigBytes + 1, '#'), "big.yml");
  ASSERT_FALSE(big.ok());
  EXPECT_EQ(big.status().code(), StatusCode::kLimitExceeded);
}

TEST(WatchConfig, AliasesAndAnchorsDoNotBreakTheReader) {
  // A billion-laughs style alias fan-out stays small in yaml-cpp (aliases
  // share nodes); the reader must just take it or refuse it cleanly.
  auto r = ParseWatchConfig("x: &a [1, 1]\nasns: *a\n", "a.yml");
  EXPECT_FALSE(r.ok());  // "x" is not a known key
  auto ok = ParseWatchConfig("base: &b {type: file, path: p}\n", "b.yml");
  EXPECT_FALSE(ok.ok());
  auto good = ParseWatchConfig("asns: &a [1]\nchannels: {f: {type: file, path: p}}\n", "c.yml");
  EXPECT_TRUE(good.ok()) << good.status().message();
}

TEST(WatchConfig, DurationsParse) {
  EXPECT_EQ(ParseDuration("500ms")->count(), 500);
  EXPECT_EQ(ParseDuration("30")->count(), 30'000);
  EXPECT_EQ(ParseDuration("5m")->count(), 300'000);
  EXPECT_EQ(ParseDuration("1d")->count(), 86'400'000);
  EXPECT_FALSE(ParseDuration(""));
  EXPECT_FALSE(ParseDuration("m"));
  EXPECT_FALSE(ParseDuration("5 m"));
  EXPECT_FALSE(ParseDuration("99999999999999s"));
}

}  // namespace
}  // namespace vigia::watch
