// Alerter: the live detector's events turned into operators' alerts (issue
// [5/7] item 3). It is the LiveEventSink of `vigia watch`:
//
//   LiveEvent -> per-rule settings (enabled, min_peers, severity, channels)
//             -> alert::Alert (rule, key, severity, prefix, ASNs, one line of
//                text, the incident's evidence JSON, first/last seen)
//             -> alert::AlertGate (each condition once, a recovery when it
//                ends, summaries of repeats)
//             -> the rule's channels, each behind a QueuedChannel so that the
//                detection loop never waits on a network round trip.
//
// Every event is also passed, unfiltered, to an optional second sink (the
// store's live-event writer), so the store keeps what the alerts summarise.
// Each delivery is counted in the Prometheus counters under the channel's
// config name, and the time from the causing message's arrival
// (LiveEvent::arrival_ns, steady clock) to the channel's far end accepting
// the alert goes into a latency histogram (the bench reads it).
//
// Gate state survives a restart: the open conditions are written to a JSON
// state file (atomically, on Tick and Flush). On start they are reopened in
// the gate without sending anything, so a condition still present is not
// alerted again; one not seen again within `restore_grace` is recovered
// (it ended while we were down).
//
// Per-rule min_peers is applied to LiveEvent::peers of each raised event; a
// raised event under its rule's threshold is held back (counted) and goes
// out if the detector raises the key again with enough peers.
//
// Thread safety: OnEvent, Tick, Flush, LoadState are called from the
// detection thread only; channel workers run on their own threads.
// LatencyHistogram is thread-safe.
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "alert/alert.h"
#include "alert/channels.h"
#include "alert/gate.h"
#include "alert/metrics.h"
#include "core/status.h"
#include "live/live_event.h"
#include "watch/config.h"

namespace vigia::watch {

// Latencies in log-spaced buckets (8 per power of two, about 9% wide) from
// 1 µs to about 1,000 s; a quantile is a bucket's upper edge.
class LatencyHistogram {
 public:
  void Record(int64_t ns);
  uint64_t count() const;
  int64_t Quantile(double q) const;  // ns; 0 when empty
  int64_t max() const;
  // Prometheus histogram "vigia_alert_latency_seconds" (cumulative buckets).
  std::string RenderPrometheus() const;

 private:
  static constexpr int kSub = 8;
  static constexpr int kBuckets = 30 * kSub;  // 2^0 .. 2^30 µs
  static int Bucket(int64_t ns);
  static int64_t UpperNs(int b);
  mutable std::mutex mu_;
  std::array<uint64_t, kBuckets + 1> buckets_{};
  uint64_t count_ = 0;
  int64_t sum_ns_ = 0, max_ns_ = 0;
};

struct AlerterStats {
  uint64_t events = 0, raised = 0, cleared = 0;
  uint64_t disabled = 0;         // events of rules switched off
  uint64_t below_threshold = 0;  // raised with fewer peers than the rule's min_peers
  uint64_t fired = 0, recovered = 0, summaries = 0, suppressed = 0;
  uint64_t restored = 0, expired = 0;  // from the state file; recovered after restore_grace
  uint64_t dropped = 0, failed = 0;    // queue full; channel errors (from the queues)
};

struct ArrivalBook;  // alerter.cc: alert -> arrival time, for the latency

class Alerter : public live::LiveEventSink {
 public:
  // config and counters are borrowed and outlive the alerter.
  Alerter(const WatchConfig& config, alert::PrometheusCounters* counters);
  ~Alerter() override;  // drains the queues
  Alerter(const Alerter&) = delete;
  Alerter& operator=(const Alerter&) = delete;

  // Adds a channel under `name` (the name rules list), queued.
  void AddChannel(const std::string& name, std::unique_ptr<alert::Channel> channel);
  // Builds every webhook, SMTP, syslog and file channel of the config
  // (Prometheus "channels" are the counters, served by the caller).
  void AddConfiguredChannels();
  // Also receives every event (the store writer); borrowed, may be null.
  void SetAlsoSink(live::LiveEventSink* sink) { also_ = sink; }

  // Reopens the conditions of config.state_file (absent file: nothing).
  // A damaged file is an error naming it; the caller may go on without it.
  Status LoadState(int64_t now_ms);
  // Writes the state file if anything changed (tmp + rename).
  Status SaveState();

  void OnEvent(const live::LiveEvent& e) override;
  // Summaries due, restored conditions past restore_grace, state saved.
  void Tick(int64_t now_ms);
  // Waits until every queued alert has been delivered (tests, shutdown).
  void Drain();

  AlerterStats stats() const;
  const LatencyHistogram& latency() const { return *latency_; }
  size_t open() const { return open_.size(); }

  // The alert for a raised event (exposed for tests and --dry-run).
  static alert::Alert ToAlert(const live::LiveEvent& e, const WatchConfig& config);

  struct Route;  // one channel and its queue

 private:
  void Send(const alert::Alert& a, int64_t arrival_ns);
  const WatchConfig& config_;
  alert::PrometheusCounters* counters_;
  alert::AlertGate gate_;
  live::LiveEventSink* also_ = nullptr;
  std::vector<std::unique_ptr<Route>> channels_;
  std::shared_ptr<LatencyHistogram> latency_;
  std::shared_ptr<ArrivalBook> arrivals_;
  std::map<std::string, alert::Alert> open_;  // mirrors the gate's open keys (for the state file)
  std::map<std::string, int64_t> restored_;   // key -> deadline (Unix ms) to be seen again
  bool dirty_ = false;
  AlerterStats stats_;
};

// Unix ms now (the gate's clock).
int64_t NowUnixMs();
// steady_clock ns now (LiveEvent::arrival_ns's clock).
int64_t NowSteadyNs();

}  // namespace vigia::watch
