// AlertGate: each alert once, a recovery when it ends, summaries of repeats.
//
// Detectors report a condition every time they see it (every UPDATE that
// re-announces a hijacked prefix); operators want one message. The gate keys
// conditions by Alert::key:
//   - Fire(): the first firing of a key passes; later firings while it is
//     open are suppressed and counted (Alert::repeats).
//   - Clear(): the condition ended: a kRecovered alert passes, carrying the
//     total repeats, and the key is closed (a later Fire() is new again).
//   - Tick(): every `summary_every_ms`, for each open key with repeats since
//     its last message, one summary alert (summary=true, state firing).
// Time is passed in (Unix ms) so that tests and replays are deterministic.
//
// Memory: at most kMaxOpenKeys open conditions (about 300 bytes each plus the
// alert's text and evidence); past it new keys still pass (an operator would
// rather get a duplicate than miss an alert) but are not tracked, and
// overflow() counts them.
// Thread safety: none; one gate belongs to one thread (the detection loop).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "alert/alert.h"

namespace vigia::alert {

inline constexpr size_t kMaxOpenKeys = 100'000;

struct GateOptions {
  int64_t summary_every_ms = 15 * 60 * 1000;  // 0: summaries only on recovery
};

class AlertGate {
 public:
  explicit AlertGate(GateOptions options = {}) : options_(options) {}

  // The alert to send, or nullopt when it repeats an open condition.
  std::optional<Alert> Fire(Alert a, int64_t now_ms);
  // The recovery to send, or nullopt when `key` is not open.
  std::optional<Alert> Clear(const std::string& key, int64_t now_ms);
  // Summaries due at now_ms.
  std::vector<Alert> Tick(int64_t now_ms);

  size_t open() const { return open_.size(); }
  uint64_t suppressed() const { return suppressed_; }
  uint64_t overflow() const { return overflow_; }

 private:
  struct Open {
    Alert alert;              // as first fired, with repeats/last_seen updated
    uint64_t summarised = 0;  // repeats already reported in a summary
    int64_t last_message_ms = 0;
  };
  GateOptions options_;
  std::map<std::string, Open> open_;
  uint64_t suppressed_ = 0;
  uint64_t overflow_ = 0;
};

}  // namespace vigia::alert
