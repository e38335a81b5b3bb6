// The alert channels: webhook, e-mail (SMTP), syslog, JSON-lines file, and
// QueuedChannel, which makes any of them non-blocking.
//
// Each channel is constructed from its options, holds its own connection
// state, and honours the Channel contract of alert.h: Deliver() blocks for the
// I/O (bounded by the options' timeouts and retry caps) and is thread-safe
// (a mutex per channel serialises deliveries). Nothing here throws.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "alert/alert.h"

namespace vigia::alert {

// ---- webhook (HTTP POST via libcurl) ----------------------------------------

enum class WebhookFormat {
  kJson,        // AlertToJson(a), Content-Type: application/json
  kSlack,       // {"text": subject, "attachments": [...]} (Slack incoming webhook)
  kMattermost,  // {"text": markdown, "username": "vigia"} (Mattermost incoming webhook)
};

struct WebhookOptions {
  std::string url;
  WebhookFormat format = WebhookFormat::kJson;
  int max_attempts = 5;  // 1 = no retry
  int64_t initial_backoff_ms = 500;
  int64_t max_backoff_ms = 30'000;  // the backoff doubles up to this cap
  int64_t timeout_ms = 10'000;      // per attempt, connect included
  // The same key+state+summary again within this window is not sent (a
  // restart replaying events, two detectors seeing one condition); a
  // recovery clears the firing's entry so that a re-fire goes out. 0: off.
  int64_t dedup_window_ms = 60'000;
};

// The request body for `a` in `format` (exposed for tests and `--dry-run`).
std::string WebhookBody(const Alert& a, WebhookFormat format);

class WebhookChannel : public Channel {
 public:
  explicit WebhookChannel(WebhookOptions options);
  ~WebhookChannel() override;
  std::string_view name() const override { return "webhook"; }
  // Retries on connection errors, timeouts, 408, 429 and 5xx, with
  // exponential backoff; a 4xx other than those is final.
  Status Deliver(const Alert& a) override;

  uint64_t attempts() const;      // HTTP attempts made in total
  uint64_t deduplicated() const;  // deliveries suppressed by the dedup window

 private:
  WebhookOptions options_;
  mutable std::mutex mu_;
  std::unordered_map<std::string, int64_t> last_sent_ms_;  // dedup key -> time
  uint64_t attempts_ = 0;
  uint64_t deduplicated_ = 0;
};

// ---- e-mail (SMTP via libcurl's smtp:// support) -----------------------------

enum class SmtpTls {
  kNone,        // plain SMTP
  kStartTls,    // STARTTLS required (RFC 3207); fail if the server does not offer it
  kTryStartTls  // STARTTLS when offered
};

struct SmtpOptions {
  std::string host = "127.0.0.1";
  int port = 25;
  SmtpTls tls = SmtpTls::kNone;
  std::string ca_file;             // PEM CA bundle to verify the server; empty: the system's
  bool verify_peer = true;         // false only for labs with self-signed certificates
  std::string username, password;  // AUTH when non-empty
  std::string from;                // envelope and From: header
  std::vector<std::string> to;     // envelope recipients and To: header
  std::string helo_domain = "vigia.localhost";
  int64_t timeout_ms = 20'000;
};

// The RFC 5322 message (CRLF line ends; headers Date, From, To, Subject,
// Message-ID, MIME-Version, Content-Type) for `a`. `now_unix` dates it.
std::string SmtpMessage(const Alert& a, const SmtpOptions& o, int64_t now_unix);

class SmtpChannel : public Channel {
 public:
  explicit SmtpChannel(SmtpOptions options) : options_(std::move(options)) {}
  std::string_view name() const override { return "smtp"; }
  Status Deliver(const Alert& a) override;

 private:
  SmtpOptions options_;
  std::mutex mu_;
};

// ---- syslog (RFC 5424 over UDP RFC 5426 or TCP RFC 6587) --------------------

enum class SyslogTransport { kUdp, kTcp };

struct SyslogOptions {
  std::string host = "127.0.0.1";  // an IPv4 or IPv6 literal
  int port = 514;
  SyslogTransport transport = SyslogTransport::kUdp;
  int facility = 16;     // local0
  std::string hostname;  // empty: gethostname()
  std::string app_name = "vigia";
  int64_t timeout_ms = 5'000;
};

// Largest message sent: RFC 5426 §3.2 receivers SHOULD take 2048 octets over
// UDP; TCP gets more room. Longer messages are cut at the MSG part.
inline constexpr size_t kMaxSyslogUdpBytes = 2048;
inline constexpr size_t kMaxSyslogTcpBytes = 16 * 1024;

// The RFC 5424 message for `a` (no framing). `now_ms` stamps it.
std::string SyslogMessage(const Alert& a, const SyslogOptions& o, int64_t now_ms);

class SyslogChannel : public Channel {
 public:
  explicit SyslogChannel(SyslogOptions options) : options_(std::move(options)) {}
  ~SyslogChannel() override;
  std::string_view name() const override { return "syslog"; }
  Status Deliver(const Alert& a) override;

 private:
  Status Connect();
  SyslogOptions options_;
  std::mutex mu_;
  int fd_ = -1;  // UDP: connected datagram socket; TCP: the stream, reopened on error
};

// ---- JSON-lines file ---------------------------------------------------------

class JsonLinesFileChannel : public Channel {
 public:
  explicit JsonLinesFileChannel(std::string path) : path_(std::move(path)) {}
  ~JsonLinesFileChannel() override;
  std::string_view name() const override { return "file"; }
  // Appends AlertToJson(a) and '\n' with one write(2) on an O_APPEND
  // descriptor, so concurrent writers (and logrotate's copytruncate) never
  // interleave half lines.
  Status Deliver(const Alert& a) override;

 private:
  std::string path_;
  std::mutex mu_;
  int fd_ = -1;
};

// ---- QueuedChannel: a worker thread and a bounded queue ----------------------

class QueuedChannel : public Channel {
 public:
  QueuedChannel(std::unique_ptr<Channel> inner, size_t capacity);
  ~QueuedChannel() override;  // delivers what is queued, then joins
  std::string_view name() const override { return inner_->name(); }
  // Never blocks on I/O: queues a copy and returns OK, or kLimitExceeded
  // when the queue is full (the alert is dropped and counted).
  Status Deliver(const Alert& a) override;
  // Blocks until the queue is empty and the worker idle (tests, shutdown).
  void Drain();

  uint64_t dropped() const;
  uint64_t failed() const;  // inner Deliver() errors

 private:
  void Run();
  std::unique_ptr<Channel> inner_;
  size_t capacity_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::deque<Alert> queue_;
  bool busy_ = false;
  bool stop_ = false;
  uint64_t dropped_ = 0;
  uint64_t failed_ = 0;
  std::thread worker_;
};

}  // namespace vigia::alert
