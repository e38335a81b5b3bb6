// See channels.h: syslog, RFC 5424 messages over UDP (RFC 5426) or TCP with
// octet-counting framing (RFC 6587 §3.4.1).
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <ctime>

#include "alert/channels.h"

namespace vigia::alert {

namespace {

// RFC 5424 §6.2.1: syslog severities.
int SyslogSeverity(const Alert& a) {
  if (a.state == AlertState::kRecovered) return 5;  // notice
  switch (a.severity) {
    case Severity::kCritical:
      return 2;  // critical
    case Severity::kWarning:
      return 4;  // warning
    case Severity::kInfo:
      return 6;  // informational
  }
  return 4;
}

// RFC 5424 §6.3.3: in PARAM-VALUE, '"', '\' and ']' MUST be escaped.
std::string SdEscape(std::string_view v) {
  std::string out;
  for (char c : v.substr(0, std::min(v.size(), kMaxTextBytes))) {
    if (c == '"' || c == '\\' || c == ']') out += '\\';
    out += (c == '\n' || c == '\r') ? ' ' : c;
  }
  return out;
}

// RFC 5424 §6.2: HOSTNAME, APP-NAME are PRINTUSASCII without spaces, capped.
std::string Token(std::string_view v, size_t max) {
  std::string out;
  for (char c : v.substr(0, std::min(v.size(), max))) {
    if (c > 32 && c < 127) out += c;
  }
  return out.empty() ? "-" : out;
}

}  // namespace

std::string SyslogMessage(const Alert& a, const SyslogOptions& o, int64_t now_ms) {
  const int pri = (o.facility & 23) * 8 + SyslogSeverity(a);
  // RFC 5424 §6.2.3: TIMESTAMP, RFC 3339 with fractional seconds, UTC "Z".
  const time_t secs = static_cast<time_t>(now_ms / 1000);
  tm tmv{};
  gmtime_r(&secs, &tmv);
  char ts[80];
  std::snprintf(ts, sizeof ts, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tmv.tm_year + 1900,
                tmv.tm_mon + 1, tmv.tm_mday, tmv.tm_hour, tmv.tm_min, tmv.tm_sec,
                static_cast<int>(now_ms % 1000));
  std::string host = o.hostname;
  if (host.empty()) {
    char buf[256] = {};
    if (::gethostname(buf, sizeof buf - 1) == 0) host = buf;
  }
  const char* msgid = a.state == AlertState::kRecovered ? "recovered"
                      : a.summary                       ? "summary"
                                                        : "firing";
  std::string m = "<" + std::to_string(pri) + ">1 " + ts + " " + Token(host, 255) + " " +
                  Token(o.app_name, 48) + " " + std::to_string(::getpid()) + " " + msgid + " ";
  // RFC 5424 §7.2.2: private SD-ID name@<enterprise number>; 32473 is the
  // documentation PEN of RFC 5612 until Vigía has its own.
  m += "[vigia@32473 rule=\"" + SdEscape(a.rule) + "\" key=\"" + SdEscape(a.key) + "\" prefix=\"" +
       SdEscape(a.prefix) + "\" state=\"" + std::string(StateName(a.state)) + "\" severity=\"" +
       std::string(SeverityName(a.severity)) + "\" repeats=\"" + std::to_string(a.repeats) + "\"]";
  // MSG: UTF-8 with the BOM of RFC 5424 §6.4, the subject and the JSON alert.
  m += " \xEF\xBB\xBF" + AlertSubject(a) + " " + AlertToJson(a);
  return m;
}

SyslogChannel::~SyslogChannel() {
  if (fd_ >= 0) ::close(fd_);
}

Status SyslogChannel::Connect() {
  sockaddr_storage ss{};
  socklen_t len = 0;
  auto* v4 = reinterpret_cast<sockaddr_in*>(&ss);
  auto* v6 = reinterpret_cast<sockaddr_in6*>(&ss);
  if (::inet_pton(AF_INET, options_.host.c_str(), &v4->sin_addr) == 1) {
    v4->sin_family = AF_INET;
    v4->sin_port = htons(static_cast<uint16_t>(options_.port));
    len = sizeof *v4;
  } else if (::inet_pton(AF_INET6, options_.host.c_str(), &v6->sin6_addr) == 1) {
    v6->sin6_family = AF_INET6;
    v6->sin6_port = htons(static_cast<uint16_t>(options_.port));
    len = sizeof *v6;
  } else {
    return Status::InvalidArgument("syslog: host must be an IP literal: " + options_.host);
  }
  const int type = options_.transport == SyslogTransport::kUdp ? SOCK_DGRAM : SOCK_STREAM;
  const int fd = ::socket(ss.ss_family, type | SOCK_CLOEXEC, 0);
  if (fd < 0) return Status::IoError(std::string("syslog: socket: ") + std::strerror(errno));
  timeval tv{static_cast<time_t>(options_.timeout_ms / 1000),
             static_cast<suseconds_t>((options_.timeout_ms % 1000) * 1000)};
  ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&ss), len) != 0) {
    const int e = errno;
    ::close(fd);
    return Status::IoError("syslog " + options_.host + ":" + std::to_string(options_.port) +
                           ": connect: " + std::strerror(e));
  }
  fd_ = fd;
  return Status::Ok();
}

Status SyslogChannel::Deliver(const Alert& a) {
  std::lock_guard lock(mu_);
  const int64_t now = std::chrono::duration_cast<std::chrono::milliseconds>(
                          std::chrono::system_clock::now().time_since_epoch())
                          .count();
  std::string msg = SyslogMessage(a, options_, now);
  const bool udp = options_.transport == SyslogTransport::kUdp;
  const size_t cap = udp ? kMaxSyslogUdpBytes : kMaxSyslogTcpBytes;
  if (msg.size() > cap) msg.resize(cap);  // RFC 5424 §6.1: truncation of MSG is allowed
  // RFC 6587 has no acknowledgement: a write to a connection the server has
  // closed (rsyslog restarted) succeeds locally and the message is lost. So
  // before writing, look for the server's FIN (a syslog server never sends
  // data) and reconnect; a write that still fails is tried once more on a
  // fresh connection.
  if (!udp && fd_ >= 0) {
    char b;
    const ssize_t n = ::recv(fd_, &b, 1, MSG_PEEK | MSG_DONTWAIT);
    if (n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK)) {
      ::close(fd_);
      fd_ = -1;
    }
  }
  for (int attempt = 0; attempt < 2; ++attempt) {
    if (fd_ < 0) {
      if (Status s = Connect(); !s.ok()) return s;
    }
    std::string frame = udp ? msg : std::to_string(msg.size()) + " " + msg;  // RFC 6587 §3.4.1
    size_t off = 0;
    bool failed = false;
    while (off < frame.size()) {
      const ssize_t n = ::send(fd_, frame.data() + off, frame.size() - off, MSG_NOSIGNAL);
      if (n < 0) {
        if (errno == EINTR) continue;
        failed = true;
        break;
      }
      off += static_cast<size_t>(n);
    }
    if (!failed) return Status::Ok();
    const int e = errno;
    ::close(fd_);
    fd_ = -1;
    if (udp || off > 0 || attempt == 1) {
      return Status::IoError("syslog " + options_.host + ":" + std::to_string(options_.port) +
                             ": send: " + std::strerror(e));
    }
  }
  return Status::IoError("syslog: unreachable");
}

}  // namespace vigia::alert
