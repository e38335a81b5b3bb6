// See channels.h: the webhook channel (HTTP POST through libcurl).
#include <curl/curl.h>

#include <algorithm>
#include <chrono>
#include <mutex>
#include <nlohmann/json.hpp>
#include <thread>

#include "alert/channels.h"

namespace vigia::alert {

namespace {

int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

size_t Discard(char*, size_t size, size_t n, void*) { return size * n; }

std::string DedupKey(const Alert& a) {
  return a.key + (a.state == AlertState::kFiring ? "|firing" : "|recovered") +
         (a.summary ? "|summary" : "");
}

}  // namespace

std::string WebhookBody(const Alert& a, WebhookFormat format) {
  if (format == WebhookFormat::kJson) return AlertToJson(a);
  const std::string subject = AlertSubject(a);
  const char* color = a.state == AlertState::kRecovered   ? "good"
                      : a.severity == Severity::kCritical ? "danger"
                                                          : "warning";
  nlohmann::json j;
  if (format == WebhookFormat::kSlack) {
    // Slack incoming webhooks: "text" plus legacy attachments for colour/fields.
    j["text"] = subject;
    j["attachments"] = nlohmann::json::array(
        {{{"color", color},
          {"fields",
           {{{"title", "rule"}, {"value", a.rule}, {"short", true}},
            {{"title", "prefix"}, {"value", a.prefix}, {"short", true}},
            {{"title", "state"}, {"value", StateName(a.state)}, {"short", true}},
            {{"title", "repeats"}, {"value", std::to_string(a.repeats)}, {"short", true}}}},
          {"footer", "vigia " + a.key}}});
  } else {
    // Mattermost incoming webhooks: markdown "text", optional username.
    std::string md = "**" + subject +
                     "**\n| rule | prefix | state | repeats |\n|---|---|---|---|\n| " + a.rule +
                     " | " + a.prefix + " | " + std::string(StateName(a.state)) + " | " +
                     std::to_string(a.repeats) + " |";
    j["text"] = md;
    j["username"] = "vigia";
    j["props"] = {{"vigia_key", a.key}};
  }
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

WebhookChannel::WebhookChannel(WebhookOptions options) : options_(std::move(options)) {
  // curl_global_init is not thread-safe in every libcurl: once per process.
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

WebhookChannel::~WebhookChannel() = default;

uint64_t WebhookChannel::attempts() const {
  std::lock_guard lock(mu_);
  return attempts_;
}

uint64_t WebhookChannel::deduplicated() const {
  std::lock_guard lock(mu_);
  return deduplicated_;
}

Status WebhookChannel::Deliver(const Alert& a) {
  std::lock_guard lock(mu_);
  const int64_t now = NowMs();
  const std::string dkey = DedupKey(a);
  if (options_.dedup_window_ms > 0) {
    auto it = last_sent_ms_.find(dkey);
    if (it != last_sent_ms_.end() && now - it->second < options_.dedup_window_ms) {
      ++deduplicated_;
      return Status::Ok();
    }
    // Bound the table: forget entries older than the window.
    if (last_sent_ms_.size() > 10'000) {
      std::erase_if(last_sent_ms_,
                    [&](const auto& kv) { return now - kv.second >= options_.dedup_window_ms; });
    }
  }
  const std::string body = WebhookBody(a, options_.format);
  CURL* curl = curl_easy_init();
  if (!curl) return Status::IoError("webhook: curl_easy_init failed");
  curl_slist* headers = curl_slist_append(nullptr, "Content-Type: application/json");
  curl_easy_setopt(curl, CURLOPT_URL, options_.url.c_str());
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
  curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body.data());
  curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body.size()));
  curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, static_cast<long>(options_.timeout_ms));
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, Discard);
  curl_easy_setopt(curl, CURLOPT_USERAGENT, "vigia-alert/1");
  std::string last_error;
  int64_t backoff = std::max<int64_t>(options_.initial_backoff_ms, 1);
  const int attempts = std::max(options_.max_attempts, 1);
  Status result = Status::IoError("webhook: no attempt");
  int64_t retry_after_ms = 0;
  for (int i = 0; i < attempts; ++i) {
    if (i > 0) {
      // A server's Retry-After (RFC 9110 §10.2.3; Slack sends it with 429)
      // lengthens the wait, still within the cap.
      const int64_t wait = std::min(std::max(backoff, retry_after_ms), options_.max_backoff_ms);
      std::this_thread::sleep_for(std::chrono::milliseconds(wait));
      backoff = std::min(backoff * 2, options_.max_backoff_ms);
      retry_after_ms = 0;
    }
    ++attempts_;
    const CURLcode rc = curl_easy_perform(curl);
    if (rc != CURLE_OK) {
      last_error = curl_easy_strerror(rc);
      result = Status::IoError("webhook " + options_.url + ": " + last_error + " after " +
                               std::to_string(i + 1) + " attempt(s)");
      continue;
    }
    long code = 0;
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &code);
    if (code >= 200 && code < 300) {
      result = Status::Ok();
      break;
    }
    result = Status::IoError("webhook " + options_.url + ": HTTP " + std::to_string(code) +
                             " after " + std::to_string(i + 1) + " attempt(s)");
    const bool retryable = code == 408 || code == 429 || code >= 500;
    curl_off_t retry_after = 0;
    if (curl_easy_getinfo(curl, CURLINFO_RETRY_AFTER, &retry_after) == CURLE_OK &&
        retry_after > 0) {
      retry_after_ms = static_cast<int64_t>(retry_after) * 1000;
    }
    if (!retryable) break;
  }
  curl_slist_free_all(headers);
  curl_easy_cleanup(curl);
  if (result.ok() && options_.dedup_window_ms > 0) {
    last_sent_ms_[dkey] = now;
    // A recovery closes the firing: a re-fire after it is news, not a duplicate.
    if (a.state == AlertState::kRecovered) {
      last_sent_ms_.erase(a.key + "|firing");
      last_sent_ms_.erase(a.key + "|firing|summary");
    } else {
      last_sent_ms_.erase(a.key + "|recovered");
    }
  }
  return result;
}

}  // namespace vigia::alert
