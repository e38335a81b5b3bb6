// See channels.h: e-mail through libcurl's SMTP client (smtp://).
//
// libcurl rather than a hand-written client: it speaks RFC 5321 (EHLO, MAIL
// FROM, RCPT TO, DATA), RFC 3207 STARTTLS over the OpenSSL it is built with,
// AUTH, and does the DATA dot-stuffing of RFC 5321 §4.5.2 itself; what is
// ours is the RFC 5322 message.
#include <curl/curl.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstring>
#include <ctime>
#include <mutex>

#include "alert/channels.h"

namespace vigia::alert {

namespace {

// RFC 5322 §2.1.1: a line MUST be at most 998 octets; header values are cut
// well below that so that the field name fits too.
constexpr size_t kMaxHeaderValue = 900;

std::string OneLine(std::string s) {
  if (s.size() > kMaxHeaderValue) s.resize(kMaxHeaderValue);
  for (char& c : s) {
    if (c == '\r' || c == '\n') c = ' ';
  }
  return s;
}

// RFC 5322 §3.3 date-time, always in UTC: "Mon, 07 Dec 2026 00:41:00 +0000".
std::string Rfc5322Date(int64_t unix_s) {
  const time_t t = static_cast<time_t>(unix_s);
  tm tmv{};
  gmtime_r(&t, &tmv);
  char buf[64];
  static const char* kDays[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
  static const char* kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                  "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  std::snprintf(buf, sizeof buf, "%s, %02d %s %04d %02d:%02d:%02d +0000", kDays[tmv.tm_wday],
                tmv.tm_mday, kMonths[tmv.tm_mon], tmv.tm_year + 1900, tmv.tm_hour, tmv.tm_min,
                tmv.tm_sec);
  return buf;
}

// Lines end in CRLF (RFC 5322 §2.1), and none is over 998 octets (§2.1.1).
void AppendBody(std::string& out, std::string_view text) {
  size_t col = 0;
  for (char c : text) {
    if (c == '\r') continue;
    if (c == '\n') {
      out += "\r\n";
      col = 0;
      continue;
    }
    if (col == 990) {
      out += "\r\n";
      col = 0;
    }
    out += c;
    ++col;
  }
  if (col) out += "\r\n";
}

struct Upload {
  const std::string* data;
  size_t pos = 0;
};

size_t ReadUpload(char* buf, size_t size, size_t n, void* user) {
  auto* u = static_cast<Upload*>(user);
  const size_t room = size * n;
  const size_t left = u->data->size() - u->pos;
  const size_t k = left < room ? left : room;
  std::memcpy(buf, u->data->data() + u->pos, k);
  u->pos += k;
  return k;
}

}  // namespace

std::string SmtpMessage(const Alert& a, const SmtpOptions& o, int64_t now_unix) {
  static std::atomic<uint64_t> counter{0};
  // Many recipients fold the To: field (RFC 5322 §2.2.3) to keep lines short.
  std::string to;
  size_t line = 4;  // "To: "
  for (const auto& r : o.to) {
    const std::string addr = "<" + OneLine(r) + ">";
    if (!to.empty()) {
      to += ",";
      if (line + addr.size() + 2 > kMaxHeaderValue) {
        to += "\r\n";
        line = 0;
      }
      to += " ";
      line += 2;
    }
    to += addr;
    line += addr.size();
  }
  std::string m;
  m += "Date: " + Rfc5322Date(now_unix) + "\r\n";
  m += "From: Vigia <" + OneLine(o.from) + ">\r\n";
  m += "To: " + to + "\r\n";
  m += "Subject: " + OneLine(AlertSubject(a)) + "\r\n";
  // RFC 5322 §3.6.4: unique id-left, a domain on the right.
  m += "Message-ID: <" + std::to_string(now_unix) + "." + std::to_string(::getpid()) + "." +
       std::to_string(counter.fetch_add(1)) + ".vigia@" + OneLine(o.helo_domain) + ">\r\n";
  m += "MIME-Version: 1.0\r\n";
  m += "Content-Type: text/plain; charset=utf-8\r\n";
  m += "Content-Transfer-Encoding: 8bit\r\n";
  m += "X-Vigia-Key: " + OneLine(a.key) + "\r\n";
  m += "X-Vigia-State: " + std::string(StateName(a.state)) + "\r\n";
  m += "\r\n";
  // Every part is capped (AlertToJson caps the evidence), so a message stays
  // under ~70 KiB whatever the detector put in the alert.
  auto cap = [](const std::string& v) { return v.substr(0, kMaxTextBytes); };
  std::string body = AlertSubject(a) + "\n\nrule: " + cap(a.rule) + "\nprefix: " + cap(a.prefix) +
                     "\nseverity: " + std::string(SeverityName(a.severity)) +
                     "\nstate: " + std::string(StateName(a.state)) +
                     "\nrepeats: " + std::to_string(a.repeats) + "\n\n" + cap(a.text) +
                     "\n\nalert (JSON):\n" + AlertToJson(a) + "\n";
  AppendBody(m, body);
  return m;
}

Status SmtpChannel::Deliver(const Alert& a) {
  std::lock_guard lock(mu_);
  if (options_.from.empty() || options_.to.empty()) {
    return Status::InvalidArgument("smtp: from and at least one recipient are required");
  }
  static std::once_flag once;  // curl_global_init is not thread-safe everywhere
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
  const int64_t now = std::chrono::duration_cast<std::chrono::seconds>(
                          std::chrono::system_clock::now().time_since_epoch())
                          .count();
  const std::string msg = SmtpMessage(a, options_, now);
  CURL* curl = curl_easy_init();
  if (!curl) return Status::IoError("smtp: curl_easy_init failed");
  const std::string url =
      "smtp://" + options_.host + ":" + std::to_string(options_.port) + "/" + options_.helo_domain;
  const std::string from = "<" + options_.from + ">";
  curl_slist* rcpt = nullptr;
  for (const auto& r : options_.to) rcpt = curl_slist_append(rcpt, ("<" + r + ">").c_str());
  Upload up{&msg};
  curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl, CURLOPT_MAIL_FROM, from.c_str());
  curl_easy_setopt(curl, CURLOPT_MAIL_RCPT, rcpt);
  curl_easy_setopt(curl, CURLOPT_UPLOAD, 1L);
  curl_easy_setopt(curl, CURLOPT_READFUNCTION, ReadUpload);
  curl_easy_setopt(curl, CURLOPT_READDATA, &up);
  curl_easy_setopt(curl, CURLOPT_INFILESIZE_LARGE, static_cast<curl_off_t>(msg.size()));
  curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, static_cast<long>(options_.timeout_ms));
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  if (options_.tls != SmtpTls::kNone) {
    curl_easy_setopt(curl, CURLOPT_USE_SSL,
                     options_.tls == SmtpTls::kStartTls ? static_cast<long>(CURLUSESSL_ALL)
                                                        : static_cast<long>(CURLUSESSL_TRY));
    if (!options_.ca_file.empty()) curl_easy_setopt(curl, CURLOPT_CAINFO, options_.ca_file.c_str());
    if (!options_.verify_peer) {
      curl_easy_setopt(curl, CURLOPT_SSL_VERIFYPEER, 0L);
      curl_easy_setopt(curl, CURLOPT_SSL_VERIFYHOST, 0L);
    }
  }
  if (!options_.username.empty()) {
    curl_easy_setopt(curl, CURLOPT_USERNAME, options_.username.c_str());
    curl_easy_setopt(curl, CURLOPT_PASSWORD, options_.password.c_str());
  }
  const CURLcode rc = curl_easy_perform(curl);
  curl_slist_free_all(rcpt);
  curl_easy_cleanup(curl);
  if (rc != CURLE_OK) {
    return Status::IoError("smtp " + options_.host + ":" + std::to_string(options_.port) + ": " +
                           curl_easy_strerror(rc));
  }
  return Status::Ok();
}

}  // namespace vigia::alert
