// Prometheus counters for alerting, and the Dispatcher that feeds them.
//
// PrometheusCounters counts, per (rule, channel, state, result), the alerts
// delivered, plus per-rule gate suppressions, and renders them in the
// Prometheus text exposition format (version 0.0.4): one HELP and TYPE line
// per family, label values escaped (\\, \", \n). Render() is what
// `vigia watch --metrics` serves or writes for node_exporter's textfile
// collector (WriteTextfile renames into place atomically).
// Dispatcher fans one alert out to several channels and records each
// outcome. Memory: one entry per distinct label set; rules and channels are a
// handful, so a few KiB.
// Thread safety: PrometheusCounters is thread-safe (one mutex). Dispatcher
// is as thread-safe as its channels (all of this library's are).
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <tuple>
#include <vector>

#include "alert/alert.h"

namespace vigia::alert {

class PrometheusCounters {
 public:
  void CountDelivery(const Alert& a, std::string_view channel, bool ok);
  void CountSuppressed(std::string_view rule, uint64_t n = 1);
  uint64_t Delivered(std::string_view rule, std::string_view channel, std::string_view state,
                     std::string_view result) const;
  std::string Render() const;
  Status WriteTextfile(const std::string& path) const;

 private:
  mutable std::mutex mu_;
  std::map<std::tuple<std::string, std::string, std::string, std::string>, uint64_t> delivered_;
  std::map<std::string, uint64_t> suppressed_;
};

class Dispatcher {
 public:
  explicit Dispatcher(PrometheusCounters* counters) : counters_(counters) {}
  void Add(std::unique_ptr<Channel> c) { channels_.push_back(std::move(c)); }
  // Delivers to every channel (one failing does not stop the others);
  // returns the first error, if any.
  Status Deliver(const Alert& a);

 private:
  PrometheusCounters* counters_;
  std::vector<std::unique_ptr<Channel>> channels_;
};

}  // namespace vigia::alert
