// See alert.h.
#include "alert/alert.h"

#include <nlohmann/json.hpp>

namespace vigia::alert {

std::string_view SeverityName(Severity s) {
  switch (s) {
    case Severity::kInfo:
      return "info";
    case Severity::kWarning:
      return "warning";
    case Severity::kCritical:
      return "critical";
  }
  return "warning";
}

std::string_view StateName(AlertState s) {
  return s == AlertState::kFiring ? "firing" : "recovered";
}

namespace {
std::string Capped(const std::string& s) {
  return s.size() <= kMaxTextBytes ? s : s.substr(0, kMaxTextBytes);
}
}  // namespace

std::string AlertToJson(const Alert& a) {
  nlohmann::json j;
  j["key"] = Capped(a.key);
  j["rule"] = Capped(a.rule);
  j["severity"] = SeverityName(a.severity);
  j["state"] = StateName(a.state);
  j["summary"] = a.summary;
  j["prefix"] = Capped(a.prefix);
  auto asns = nlohmann::json::array();
  for (size_t i = 0; i < a.asns.size() && i < kMaxAsns; ++i) asns.push_back(a.asns[i]);
  j["asns"] = std::move(asns);
  j["text"] = Capped(a.text);
  j["first_seen_ms"] = a.first_seen_ms;
  j["last_seen_ms"] = a.last_seen_ms;
  j["repeats"] = a.repeats;
  if (a.evidence_json.empty()) {
    j["evidence"] = nullptr;
  } else if (a.evidence_json.size() > kMaxEvidenceBytes) {
    j["evidence"] = {{"truncated", true}, {"bytes", a.evidence_json.size()}};
  } else {
    auto ev = nlohmann::json::parse(a.evidence_json, nullptr, /*allow_exceptions=*/false);
    if (ev.is_discarded()) {
      j["evidence"] = {{"invalid", true}, {"bytes", a.evidence_json.size()}};
    } else {
      j["evidence"] = std::move(ev);
    }
  }
  // Replace invalid UTF-8 rather than throw: alert text comes from routes.
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::string AlertSubject(const Alert& a) {
  std::string s = a.state == AlertState::kRecovered ? "[RECOVERED] "
                  : a.summary                       ? "[STILL FIRING] "
                                                    : "[FIRING] ";
  s += Capped(a.rule);
  if (!a.prefix.empty()) s += " " + Capped(a.prefix);
  if (!a.asns.empty()) {
    s += " (";
    for (size_t i = 0; i < a.asns.size() && i < 8; ++i) {
      if (i) s += ' ';
      s += "AS" + std::to_string(a.asns[i]);
    }
    if (a.asns.size() > 8) s += " ...";
    s += ")";
  }
  if (a.repeats) s += " x" + std::to_string(a.repeats + 1);
  if (!a.text.empty()) s += ": " + Capped(a.text);
  // Headers and syslog lines must stay one line.
  for (char& c : s) {
    if (c == '\r' || c == '\n') c = ' ';
  }
  return s;
}

}  // namespace vigia::alert
