// See metrics.h.
#include "alert/metrics.h"

#include <cstdio>
#include <fstream>

namespace vigia::alert {

namespace {
// Prometheus text format: label values escape backslash, quote and newline.
std::string LabelValue(std::string_view v) {
  std::string out;
  for (char c : v.substr(0, std::min(v.size(), kMaxTextBytes))) {
    if (c == '\\')
      out += "\\\\";
    else if (c == '"')
      out += "\\\"";
    else if (c == '\n')
      out += "\\n";
    else
      out += c;
  }
  return out;
}
}  // namespace

void PrometheusCounters::CountDelivery(const Alert& a, std::string_view channel, bool ok) {
  std::string state = a.summary ? "summary" : std::string(StateName(a.state));
  std::lock_guard lock(mu_);
  ++delivered_[{a.rule, std::string(channel), state, ok ? "ok" : "error"}];
}

void PrometheusCounters::CountSuppressed(std::string_view rule, uint64_t n) {
  std::lock_guard lock(mu_);
  suppressed_[std::string(rule)] += n;
}

uint64_t PrometheusCounters::Delivered(std::string_view rule, std::string_view channel,
                                       std::string_view state, std::string_view result) const {
  std::lock_guard lock(mu_);
  auto it = delivered_.find(
      {std::string(rule), std::string(channel), std::string(state), std::string(result)});
  return it == delivered_.end() ? 0 : it->second;
}

std::string PrometheusCounters::Render() const {
  std::lock_guard lock(mu_);
  std::string out =
      "# HELP vigia_alerts_delivered_total Alerts handed to a channel, by rule, channel, state and "
      "result.\n"
      "# TYPE vigia_alerts_delivered_total counter\n";
  for (const auto& [k, v] : delivered_) {
    const auto& [rule, channel, state, result] = k;
    out += "vigia_alerts_delivered_total{rule=\"" + LabelValue(rule) + "\",channel=\"" +
           LabelValue(channel) + "\",state=\"" + LabelValue(state) + "\",result=\"" +
           LabelValue(result) + "\"} " + std::to_string(v) + "\n";
  }
  out +=
      "# HELP vigia_alerts_suppressed_total Repeats of an open alert that were not sent.\n"
      "# TYPE vigia_alerts_suppressed_total counter\n";
  for (const auto& [rule, v] : suppressed_) {
    out += "vigia_alerts_suppressed_total{rule=\"" + LabelValue(rule) + "\"} " + std::to_string(v) +
           "\n";
  }
  return out;
}

Status PrometheusCounters::WriteTextfile(const std::string& path) const {
  const std::string tmp = path + ".tmp";
  {
    std::ofstream f(tmp, std::ios::trunc);
    f << Render();
    if (!f.flush()) return Status::IoError(tmp + ": write failed");
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0) return Status::IoError(path + ": rename failed");
  return Status::Ok();
}

Status Dispatcher::Deliver(const Alert& a) {
  Status first;
  for (auto& c : channels_) {
    Status s = c->Deliver(a);
    if (counters_) counters_->CountDelivery(a, c->name(), s.ok());
    if (!s.ok() && first.ok()) first = std::move(s);
  }
  return first;
}

}  // namespace vigia::alert
