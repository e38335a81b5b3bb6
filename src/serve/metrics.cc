// /metrics: request counts and latency in the Prometheus text format (serve/api.h).
#include <fmt/format.h>

#include "serve/api.h"

namespace vigia::serve {

// Request counts and latency for /metrics, by route name and status.
void Api::Count(const std::string& route, int status, double seconds) {
  std::lock_guard<std::mutex> l(metrics_mu_);
  ++requests_[{route, status}];
  seconds_[route] += seconds;
}

Status Api::Metrics(const httplib::Request&, httplib::Response& res) {
  std::string out =
      "# HELP vigia_http_requests_total HTTP requests by route and status.\n"
      "# TYPE vigia_http_requests_total counter\n";
  std::lock_guard<std::mutex> l(metrics_mu_);
  for (const auto& [key, n] : requests_) {
    out += fmt::format("vigia_http_requests_total{{route=\"{}\",status=\"{}\"}} {}\n", key.first,
                       key.second, n);
  }
  out +=
      "# HELP vigia_http_request_seconds_sum Time spent answering, by route.\n"
      "# TYPE vigia_http_request_seconds_sum counter\n";
  for (const auto& [route, s] : seconds_) {
    out += fmt::format("vigia_http_request_seconds_sum{{route=\"{}\"}} {:.6f}\n", route, s);
  }
  res.status = 200;
  res.set_content(out, "text/plain; version=0.0.4");
  return Status::Ok();
}

}  // namespace vigia::serve
