// WatchConfig: the operator's `vigia watch` configuration, read from YAML
// (issue [5/7] item 3; BGPalerter's config.yml + prefixes.yml are the model,
// folded into one file). It says where routes come from (the collector's
// inputs, collect/collector.h), what reference data judges them (a snapshot
// directory, an RTR cache), which prefixes and ASNs are one's own, which
// rules raise alerts with which thresholds, and where alerts go (the
// channels of alert/channels.h). `vigia watch init` writes a starting one
// (init.h); docs/alerts.md documents every key.
//
// Parsing is strict: an unknown key, a value of the wrong type or out of
// range is an error naming the file, line and column (yaml-cpp marks), so a
// typo never silently disables an alert. Inputs are capped (kMax* below).
// Parsing does no I/O besides LoadWatchConfig reading the file.
//
// Ownership: a WatchConfig is a plain value. Thread safety: none needed.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "alert/alert.h"
#include "alert/channels.h"
#include "alert/gate.h"
#include "collect/collector.h"
#include "core/status.h"
#include "live/live_detector.h"

namespace vigia::watch {

// Caps on what a config may hold (STYLE: one MAX_* place per module).
inline constexpr size_t kMaxConfigBytes = 16 * 1024 * 1024;  // a full table of own prefixes fits
inline constexpr size_t kMaxWatchedPrefixes = 200'000;
inline constexpr size_t kMaxWatchedAsns = 10'000;
inline constexpr size_t kMaxOriginsPerPrefix = 64;
inline constexpr size_t kMaxChannels = 64;
inline constexpr size_t kMaxInputs = 1'000;      // pcap, RIS Live, MRT replay entries
inline constexpr size_t kMaxYamlFlowDepth = 64;  // yaml-cpp recurses per level
inline constexpr size_t kMaxPathPatterns = 1'000;

enum class ChannelKind { kWebhook, kSmtp, kSyslog, kFile, kPrometheus };
std::string_view ChannelKindName(ChannelKind k);

struct ChannelConfig {
  std::string name;  // the config's name for it; rules list these
  ChannelKind kind = ChannelKind::kFile;
  alert::WebhookOptions webhook;
  alert::SmtpOptions smtp;
  alert::SyslogOptions syslog;
  std::string file_path;            // kFile
  std::string prometheus_listen;    // kPrometheus: "ADDR:PORT" serving /metrics, or empty
  std::string prometheus_textfile;  // kPrometheus: node_exporter textfile, or empty
};

// Per-rule settings (BGPalerter's per-monitor params).
struct RuleSettings {
  bool enabled = true;
  // An event is alerted only when at least this many collector peers see it
  // (BGPalerter's thresholdMinPeers); 0: the monitor-wide min_peers.
  uint32_t min_peers = 0;
  alert::Severity severity = alert::Severity::kWarning;
  std::vector<std::string> channels;  // channel names; empty: every channel
};

struct WatchConfig {
  std::string path;  // where it was read from (for messages)
  collect::CollectorOptions collect;
  std::vector<std::string> mrt_replay;  // MRT files fed through the detector at start
  std::string reference_dir;            // snapshot directory with the reference data
  std::string rtr;                      // "HOST:PORT" of an RTR cache, or empty
  std::string db;                       // store URL ("sqlite:PATH"), or empty
  std::string state_file;               // gate state (JSON), or empty: not persisted
  live::LiveRules rules;                // prefixes, ASNs, patterns, the rule switches
  std::map<std::string, RuleSettings, std::less<>> rule_settings;  // by live rule name
  std::vector<ChannelConfig> channels;
  alert::GateOptions gate;
  std::chrono::seconds restore_grace{600};  // restored open alerts not seen again: recovered
  size_t queue_capacity = 10'000;           // per channel (QueuedChannel)

  // The settings of `rule` (defaults when the config says nothing).
  RuleSettings Rule(std::string_view rule) const;
};

// The default severity of each live rule (hijacks critical, informational
// changes info, the rest warning).
alert::Severity DefaultSeverity(std::string_view rule);

// Parses YAML text; `name` (a file path) prefixes every message.
Result<WatchConfig> ParseWatchConfig(std::string_view text, const std::string& name);
// Reads and parses a file (at most kMaxConfigBytes).
Result<WatchConfig> LoadWatchConfig(const std::string& path);

// The parsed config as one JSON object (`vigia watch --dry-run`); secrets
// (SMTP password) are shown as "***".
std::string WatchConfigToJson(const WatchConfig& c);

// "5m", "8h", "30s", "1d", "500ms" or a plain number of seconds.
std::optional<std::chrono::milliseconds> ParseDuration(std::string_view text);

}  // namespace vigia::watch
