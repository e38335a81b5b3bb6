// MetricsServer: `vigia watch`'s Prometheus endpoint. Serves GET /metrics
// (text exposition format 0.0.4) on one address from a thread of its own;
// the body is whatever the render function returns at that moment.
//
// Ownership: owns its thread and listening socket; Stop() (or the
// destructor) closes both. Thread safety: `render` is called on the
// server's thread and must be thread-safe (PrometheusCounters and
// LatencyHistogram are).
#pragma once

#include <functional>
#include <memory>
#include <string>

#include "core/status.h"

namespace vigia::watch {

class MetricsServer {
 public:
  explicit MetricsServer(std::function<std::string()> render);
  ~MetricsServer();
  MetricsServer(const MetricsServer&) = delete;
  MetricsServer& operator=(const MetricsServer&) = delete;

  // Listens on "ADDR:PORT" (port 0: a free one) and serves until Stop().
  Status Start(const std::string& listen);
  void Stop();
  int port() const { return port_; }

  struct Impl;

 private:
  std::function<std::string()> render_;
  std::unique_ptr<Impl> impl_;
  int port_ = 0;
};

}  // namespace vigia::watch
