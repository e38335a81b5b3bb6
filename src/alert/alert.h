// Alert and Channel: what `vigia watch` sends to operators, and where.
//
// An Alert is a value: one condition (rule + dedup key, e.g. "hijack|192.0.2.0/24|64500")
// at one moment, firing or recovered, with the batch incident's evidence as a
// JSON text. The AlertGate (gate.h) decides which alerts leave (each once, a
// recovery, summaries of repeats); a Channel delivers one alert to one place
// (webhook, SMTP, syslog, JSON-lines file; channels.h). Prometheus counters
// (metrics.h) count what every channel did.
//
// Ownership: Deliver() borrows the alert; channels copy what they keep.
// Thread safety: every Channel in this library is safe to call from several
// threads (each serialises its own I/O with a mutex). Deliver() BLOCKS for the
// network round trip and, for the webhook, its retries; a caller that must not
// block (the detection loop) wraps a channel in QueuedChannel, which owns one
// worker thread and a bounded queue and drops (and counts) when full.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace vigia::alert {

// Caps on what an alert carries into a channel (STYLE: one MAX_* place here).
inline constexpr size_t kMaxEvidenceBytes =
    64 * 1024;                                 // larger evidence is replaced, see AlertToJson
inline constexpr size_t kMaxAsns = 64;         // ASNs listed in one alert
inline constexpr size_t kMaxTextBytes = 1024;  // rule, key, prefix, summary each

enum class Severity { kInfo, kWarning, kCritical };
enum class AlertState { kFiring, kRecovered };

std::string_view SeverityName(Severity s);  // "info", "warning", "critical"
std::string_view StateName(AlertState s);   // "firing", "recovered"

struct Alert {
  std::string key;   // dedup key: the same condition always yields the same key
  std::string rule;  // "hijack", "sub-prefix-hijack", "leak", "rpki-invalid", ...
  Severity severity = Severity::kWarning;
  AlertState state = AlertState::kFiring;
  bool summary = false;  // a periodic "still firing, N repeats" message from the gate
  std::string prefix;
  std::vector<uint32_t> asns;
  std::string text;           // one line for humans
  std::string evidence_json;  // a JSON value (object) or empty
  int64_t first_seen_ms = 0;  // Unix ms when the condition began
  int64_t last_seen_ms = 0;   // Unix ms of the latest observation (or of recovery)
  uint64_t repeats = 0;       // observations suppressed since the first firing
};

// The alert as one JSON object (one line, no newline). Evidence that is not
// valid JSON or is over kMaxEvidenceBytes is replaced by
// {"truncated":true,"bytes":N} so that the output stays valid JSON.
std::string AlertToJson(const Alert& a);

// "[FIRING] hijack 192.0.2.0/24 (AS64500 AS64501): text" and the like.
std::string AlertSubject(const Alert& a);

// A place alerts go. See the file comment for the thread-safety contract.
class Channel {
 public:
  virtual ~Channel() = default;
  // A short stable name used as the Prometheus label: "webhook", "smtp", ...
  virtual std::string_view name() const = 0;
  // Delivers one alert. OK when the far end accepted it (or it was a
  // duplicate deliberately suppressed); kIoError when it could not be
  // delivered after the channel's own retries.
  virtual Status Deliver(const Alert& a) = 0;
};

}  // namespace vigia::alert
