// See gate.h.
#include "alert/gate.h"

namespace vigia::alert {

std::optional<Alert> AlertGate::Fire(Alert a, int64_t now_ms) {
  a.state = AlertState::kFiring;
  a.summary = false;
  auto it = open_.find(a.key);
  if (it != open_.end()) {
    ++it->second.alert.repeats;
    it->second.alert.last_seen_ms = now_ms;
    ++suppressed_;
    return std::nullopt;
  }
  if (a.first_seen_ms == 0) a.first_seen_ms = now_ms;
  a.last_seen_ms = now_ms;
  a.repeats = 0;
  if (open_.size() >= kMaxOpenKeys) {
    ++overflow_;
    return a;
  }
  open_.emplace(a.key, Open{a, 0, now_ms});
  return a;
}

std::optional<Alert> AlertGate::Clear(const std::string& key, int64_t now_ms) {
  auto it = open_.find(key);
  if (it == open_.end()) return std::nullopt;
  Alert a = std::move(it->second.alert);
  open_.erase(it);
  a.state = AlertState::kRecovered;
  a.summary = false;
  a.last_seen_ms = now_ms;
  return a;
}

std::vector<Alert> AlertGate::Tick(int64_t now_ms) {
  std::vector<Alert> out;
  if (options_.summary_every_ms <= 0) return out;
  for (auto& [key, o] : open_) {
    if (o.alert.repeats == o.summarised) continue;
    if (now_ms - o.last_message_ms < options_.summary_every_ms) continue;
    Alert s = o.alert;
    s.summary = true;
    out.push_back(std::move(s));
    o.summarised = o.alert.repeats;
    o.last_message_ms = now_ms;
  }
  return out;
}

}  // namespace vigia::alert
