#include "rpki/rtr_client.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <optional>

#include "core/printable.h"

namespace vigia::rpki::rtr {

AspaSet RtrSnapshot::MergedAspas() const {
  AspaSet set;
  for (const RtrAspa& a : aspas) set.Add(a.customer, a.providers);
  return set;
}

VrpSet RtrSnapshot::ToVrpSet(const std::string& ta) const {
  VrpSet set;
  for (const Vrp& v : vrps) (void)set.Add(v.prefix, v.max_length, v.asn, ta);
  set.aspas() = MergedAspas();
  set.Build();
  return set;
}

// ---------------------------------------------------------------------------
// RtrSession

RtrSession::RtrSession(uint8_t version) : version_(std::min(version, kMaxVersion)) {}

std::vector<uint8_t> RtrSession::Start() {
  // RFC 8210 §7: every connection starts with a query that offers a
  // version; the cache's answer settles it for the connection.
  version_agreed_ = false;
  state_ = State::kAwaitResponse;
  resetting_ = true;
  notify_pending_ = false;
  ++stats_.reset_queries;
  return ResetQuery(version_);
}

RtrSession::Output RtrSession::Fail(ErrorCode code, std::span<const uint8_t> pdu,
                                    std::string message) {
  Output out;
  out.send = ErrorReport(version_, code, pdu, message);
  ++stats_.errors_sent;
  out.close = true;
  out.retry_soon = false;
  out.message = fmt::format("sent {}: {}", ErrorCodeName(static_cast<uint16_t>(code)), message);
  // The payload may now be half a delta: only a Reset Query repairs it
  // (RFC 8210 §8.3), which the next Start() sends.
  state_ = State::kStart;
  return out;
}

RtrSession::Output RtrSession::OnRefresh() {
  Output out;
  if (state_ != State::kIdle || !have_session_) return out;
  // RFC 8210 §8.2: poll with the serial of the last End of Data.
  out.send = SerialQuery(version_, session_id_, serial_);
  ++stats_.serial_queries;
  state_ = State::kAwaitResponse;
  resetting_ = false;
  return out;
}

RtrSession::Output RtrSession::OnPdu(std::span<const uint8_t> bytes) {
  ErrorCode code;
  Status s = DecodePdu(bytes, &pdu_, &code);
  const Pdu& p = pdu_;
  if (!s.ok()) {
    // RFC 8210 §5.11: never answer an Error Report with another one.
    if (bytes.size() > 1 && bytes[1] == static_cast<uint8_t>(PduType::kErrorReport)) {
      Output out;
      out.close = true;
      out.message = "malformed Error Report from the cache: " + s.message();
      state_ = State::kStart;
      return out;
    }
    // A cache on a lower version answers Error 4 in its own version; any
    // other PDU with a version we do not speak is Unsupported Protocol
    // Version (RFC 8210 §7).
    return Fail(code, bytes, s.message());
  }

  if (p.type == PduType::kErrorReport) {
    ++stats_.errors_received;
    Output out;
    out.close = true;
    out.message = "cache reports " + Describe(p);
    state_ = State::kStart;
    // RFC 8210 §7: the cache does not speak our version; the router may
    // retry with a lower one, down to 0.
    if (p.error_code == static_cast<uint16_t>(ErrorCode::kUnsupportedProtocolVersion) &&
        !version_agreed_ && version_ > 0) {
      out.retry_version = --version_;
      out.message += fmt::format("; retrying with version {}", version_);
    } else {
      // RFC 8210 §8.4: No Data Available and the rest: try again after
      // the Retry interval.
      out.retry_soon = true;
    }
    return out;
  }

  // RFC 8210 §7: ignore Serial Notify while the version is not yet agreed.
  if (!version_agreed_ && p.type == PduType::kSerialNotify) return {};
  if (!version_agreed_) {
    if (p.version > version_) {
      return Fail(ErrorCode::kUnsupportedProtocolVersion, bytes,
                  fmt::format("RFC 8210 §7: cache answered a version {} query with version {}",
                              version_, p.version));
    }
    // RFC 8210 §7: a cache that answers in a lower version has
    // downgraded; follow it.
    version_ = p.version;
    version_agreed_ = true;
  } else if (p.version != version_) {
    return Fail(
        version_ >= 2 ? ErrorCode::kUnexpectedProtocolVersion
                      : ErrorCode::kUnsupportedProtocolVersion,
        bytes,
        fmt::format("RFC 8210 §7: version {} PDU in a version {} session", p.version, version_));
  }

  // RFC 8210 §5.1: a Session ID that differs from the Cache Response's is
  // Corrupt Data, and the data from this cache must be flushed.
  auto session_mismatch = [&] {
    return have_session_ && p.session_id != session_id_ &&
           !(p.type == PduType::kCacheResponse && resetting_);
  };
  auto unexpected = [&](const char* where) {
    return Fail(ErrorCode::kCorruptData, bytes,
                fmt::format("RFC 8210 §8: unexpected {} {}",
                            PduTypeName(static_cast<uint8_t>(p.type)), where));
  };

  Output out;
  switch (p.type) {
    case PduType::kSerialNotify:
      ++stats_.serial_notifies;
      if (session_mismatch()) {
        have_session_ = false;
        return Fail(ErrorCode::kCorruptData, bytes,
                    fmt::format("RFC 8210 §5.1: Serial Notify for session {}, ours is {}",
                                p.session_id, session_id_));
      }
      // RFC 8210 §5.2, §8.2: a notify of a newer serial asks for a Serial
      // Query; while a response is in flight, query again once it ends.
      if (state_ == State::kIdle && SerialLess(serial_, p.serial)) {
        out.send = SerialQuery(version_, session_id_, serial_);
        ++stats_.serial_queries;
        state_ = State::kAwaitResponse;
        resetting_ = false;
      } else if (state_ != State::kIdle) {
        notify_pending_ = true;
      }
      return out;

    case PduType::kCacheResponse:
      if (state_ != State::kAwaitResponse) return unexpected("outside a query");
      if (resetting_) {
        // RFC 8210 §8.1: the answer to a Reset Query is the whole set.
        session_id_ = p.session_id;
        have_session_ = true;
        vrps_.clear();
        aspas_.clear();
        keys_.clear();
      } else if (session_mismatch()) {
        have_session_ = false;
        return Fail(ErrorCode::kCorruptData, bytes,
                    fmt::format("RFC 8210 §5.1: Cache Response for session {}, ours is {}",
                                p.session_id, session_id_));
      }
      state_ = State::kReceiving;
      return out;

    case PduType::kIpv4Prefix:
    case PduType::kIpv6Prefix:
    case PduType::kRouterKey:
    case PduType::kAspa:
      if (state_ != State::kReceiving) return unexpected("outside a Cache Response");
      return Apply(p, bytes);

    case PduType::kEndOfData: {
      if (state_ != State::kReceiving) return unexpected("outside a Cache Response");
      if (session_mismatch()) {
        have_session_ = false;
        return Fail(ErrorCode::kCorruptData, bytes,
                    fmt::format("RFC 8210 §5.1: End of Data for session {}, ours is {}",
                                p.session_id, session_id_));
      }
      serial_ = p.serial;
      state_ = State::kIdle;
      ++generation_;
      Publish();
      out.synced = true;
      if (notify_pending_) {
        // The notify may have announced this very serial or a later one;
        // a Serial Query for the current one costs an empty response at
        // worst.
        notify_pending_ = false;
        out.send = SerialQuery(version_, session_id_, serial_);
        ++stats_.serial_queries;
        state_ = State::kAwaitResponse;
        resetting_ = false;
      }
      return out;
    }

    case PduType::kCacheReset:
      // RFC 8210 §5.9, §8.3: the cache has no delta from our serial; start
      // over with a Reset Query.
      if (state_ == State::kReceiving) return unexpected("inside a Cache Response");
      ++stats_.cache_resets;
      ++stats_.reset_queries;
      out.send = ResetQuery(version_);
      state_ = State::kAwaitResponse;
      resetting_ = true;
      out.message = "cache sent Cache Reset; sending Reset Query";
      return out;

    case PduType::kSerialQuery:
    case PduType::kResetQuery:
      return Fail(ErrorCode::kUnsupportedPduType, bytes,
                  fmt::format("RFC 8210 §5: {} is sent by routers, not caches",
                              PduTypeName(static_cast<uint8_t>(p.type))));
    case PduType::kErrorReport:
      break;  // handled above
  }
  return out;
}

RtrSession::Output RtrSession::Apply(const Pdu& p, std::span<const uint8_t> raw) {
  switch (p.type) {
    case PduType::kIpv4Prefix:
    case PduType::kIpv6Prefix: {
      const VrpKey key{p.prefix, p.max_length, p.asn};
      // RFC 8210 §5.6 and §12: announcing a VRP the router already holds
      // is a Duplicate Announcement; withdrawing one it does not hold is a
      // Withdrawal of Unknown Record. Both are fatal to the session.
      if (p.announce) {
        if (vrps_.size() >= kMaxVrps) {
          return Fail(ErrorCode::kInternalError, raw,
                      fmt::format("more than {} VRPs; refusing the rest", kMaxVrps));
        }
        if (!vrps_.insert(key).second) {
          return Fail(ErrorCode::kDuplicateAnnouncement, raw,
                      fmt::format("RFC 8210 §5.6: duplicate announcement of {}-{} AS{}",
                                  p.prefix.ToString(), p.max_length, p.asn));
        }
      } else if (vrps_.erase(key) == 0) {
        return Fail(ErrorCode::kWithdrawalOfUnknownRecord, raw,
                    fmt::format("RFC 8210 §5.6: withdrawal of unknown {}-{} AS{}",
                                p.prefix.ToString(), p.max_length, p.asn));
      }
      return {};
    }
    case PduType::kRouterKey: {
      RouterKey key{p.asn, p.ski, p.spki};
      if (p.announce) {
        if (keys_.size() >= kMaxVrps) {
          return Fail(ErrorCode::kInternalError, raw, "too many router keys");
        }
        if (!keys_.insert(std::move(key)).second) {
          return Fail(
              ErrorCode::kDuplicateAnnouncement, raw,
              fmt::format("RFC 8210 §5.10: duplicate announcement of a key of AS{}", p.asn));
        }
      } else if (keys_.erase(key) == 0) {
        return Fail(ErrorCode::kWithdrawalOfUnknownRecord, raw,
                    fmt::format("RFC 8210 §5.10: withdrawal of an unknown key of AS{}", p.asn));
      }
      return {};
    }
    case PduType::kAspa: {
      const std::pair<Asn, bool> key{p.customer, (p.afi_flags & kAspaAfiIpv6) != 0};
      std::vector<Asn> providers = p.providers;
      std::sort(providers.begin(), providers.end());
      providers.erase(std::unique(providers.begin(), providers.end()), providers.end());
      if (p.announce) {
        // draft-ietf-sidrops-8210bis-10 §5.12: an announcement for a
        // customer and address family already held replaces it.
        if (aspas_.size() >= kMaxVrps && !aspas_.count(key)) {
          return Fail(ErrorCode::kInternalError, raw, "too many ASPAs");
        }
        aspas_[key] = std::move(providers);
        return {};
      }
      auto it = aspas_.find(key);
      if (it == aspas_.end()) {
        return Fail(ErrorCode::kWithdrawalOfUnknownRecord, raw,
                    fmt::format("draft-ietf-sidrops-8210bis-10 §5.12: withdrawal of unknown ASPA "
                                "of AS{} ({})",
                                p.customer, key.second ? "ipv6" : "ipv4"));
      }
      // A withdrawal naming other providers than the ASPA held withdraws
      // a version the cache already replaced: StayRTR 0.5 announces the
      // new provider set before it withdraws the old one. Honouring it
      // would drop the new set; it is counted and ignored.
      if (!providers.empty() && providers != it->second) {
        ++stats_.stale_aspa_withdrawals;
        return {};
      }
      aspas_.erase(it);
      return {};
    }
    default:
      return {};
  }
}

void RtrSession::Publish() {
  auto s = std::make_shared<RtrSnapshot>();
  s->version = version_;
  s->session_id = session_id_;
  s->serial = serial_;
  // RFC 8210 §6: each timer has a range; values outside it are clamped.
  auto clamp = [&](uint32_t v, uint32_t lo, uint32_t hi) {
    if (v < lo || v > hi) ++stats_.timers_clamped;
    return std::clamp(v, lo, hi);
  };
  s->refresh = clamp(pdu_.refresh, kMinRefresh, kMaxRefresh);
  s->retry = clamp(pdu_.retry, kMinRetry, kMaxRetry);
  s->expire = clamp(pdu_.expire, kMinExpire, kMaxExpire);
  s->generation = generation_;
  s->incremental = !resetting_;
  s->synced_at = std::chrono::system_clock::now();
  s->vrps.reserve(vrps_.size());
  for (const VrpKey& k : vrps_) s->vrps.push_back({k.prefix, k.max_length, k.asn, 0});
  s->aspas.reserve(aspas_.size());
  for (const auto& [key, providers] : aspas_)
    s->aspas.push_back({key.first, key.second, providers});
  s->router_keys.assign(keys_.begin(), keys_.end());
  s->stats = stats_;
  snapshot_ = std::move(s);
}

// ---------------------------------------------------------------------------
// Transport

bool ParseHostPort(std::string_view text, std::string* host, uint16_t* port, std::string* error) {
  auto bad = [&](std::string_view why) {
    *error = fmt::format("'{}': {}", Printable(text), why);
    return false;
  };
  std::string_view h = text, p;
  bool has_port = false;
  if (!text.empty() && text.front() == '[') {
    const size_t close = text.find(']');
    if (close == std::string_view::npos) return bad("unclosed '['");
    h = text.substr(1, close - 1);
    const std::string_view rest = text.substr(close + 1);
    if (!rest.empty()) {
      if (rest.front() != ':') return bad("expected ':PORT' after ']'");
      p = rest.substr(1);
      has_port = true;
    }
  } else if (const size_t colon = text.find(':'); colon != std::string_view::npos) {
    if (text.find(':', colon + 1) != std::string_view::npos) {
      return bad("write an IPv6 address as [ADDRESS]:PORT");
    }
    h = text.substr(0, colon);
    p = text.substr(colon + 1);
    has_port = true;
  }
  if (h.empty()) return bad("no host");
  unsigned v = 323;
  if (has_port) {
    auto [end, ec] = std::from_chars(p.data(), p.data() + p.size(), v);
    if (p.empty() || ec != std::errc() || end != p.data() + p.size() || v == 0 || v > 65535) {
      return bad(fmt::format("bad port '{}'", Printable(p)));
    }
  }
  host->assign(h);
  *port = static_cast<uint16_t>(v);
  return true;
}

namespace {

std::string Errno(const char* what) { return fmt::format("{}: {}", what, std::strerror(errno)); }

// Connects to host:port, trying each address in turn. Returns the socket
// or -1 with *error set; gives up early when wake_fd becomes readable.
int Connect(const std::string& host, uint16_t port, std::chrono::milliseconds timeout, int wake_fd,
            std::string* error) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* res = nullptr;
  const std::string service = std::to_string(port);
  if (int rc = getaddrinfo(host.c_str(), service.c_str(), &hints, &res); rc != 0) {
    *error = fmt::format("resolving {}: {}", host, gai_strerror(rc));
    return -1;
  }
  int fd = -1;
  for (addrinfo* ai = res; ai && fd < 0; ai = ai->ai_next) {
    char name[NI_MAXHOST] = "?";
    getnameinfo(ai->ai_addr, ai->ai_addrlen, name, sizeof name, nullptr, 0, NI_NUMERICHOST);
    fd = socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, ai->ai_protocol);
    if (fd < 0) {
      *error = Errno("socket");
      continue;
    }
    int rc = connect(fd, ai->ai_addr, ai->ai_addrlen);
    if (rc < 0 && errno == EINPROGRESS) {
      pollfd fds[2] = {{fd, POLLOUT, 0}, {wake_fd, POLLIN, 0}};
      rc = poll(fds, 2, static_cast<int>(timeout.count()));
      if (rc == 0) {
        errno = ETIMEDOUT;
        rc = -1;
      } else if (rc > 0 && (fds[1].revents & POLLIN)) {
        errno = ECANCELED;
        rc = -1;
      } else if (rc > 0) {
        int err = 0;
        socklen_t len = sizeof err;
        getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len);
        errno = err;
        rc = err ? -1 : 0;
      }
    }
    if (rc < 0) {
      *error = fmt::format("connecting to {} port {}: {}", name, port, std::strerror(errno));
      close(fd);
      fd = -1;
    }
  }
  freeaddrinfo(res);
  if (fd >= 0) {
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  }
  return fd;
}

// Writes all of data to the non-blocking socket, waiting up to 10 s for
// room (queries are a few octets; only a stalled cache makes us wait).
bool SendAll(int fd, std::span<const uint8_t> data, std::string* error) {
  size_t done = 0;
  while (done < data.size()) {
    ssize_t n = send(fd, data.data() + done, data.size() - done, MSG_NOSIGNAL);
    if (n > 0) {
      done += static_cast<size_t>(n);
      continue;
    }
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      pollfd pfd{fd, POLLOUT, 0};
      if (poll(&pfd, 1, 10'000) <= 0) {
        *error = "sending to the cache: timed out";
        return false;
      }
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    *error = Errno("sending to the cache");
    return false;
  }
  return true;
}

}  // namespace

// ---------------------------------------------------------------------------
// RtrClient

RtrClient::RtrClient(RtrClientOptions options) : options_(std::move(options)) {}

RtrClient::~RtrClient() { Stop(); }

void RtrClient::Start() {
  if (thread_.joinable()) return;
  if (pipe2(wake_, O_CLOEXEC | O_NONBLOCK) != 0) {
    std::lock_guard lock(mu_);
    last_error_ = Errno("pipe");
    return;
  }
  stop_ = false;
  thread_ = std::thread([this] { Run(); });
}

void RtrClient::Stop() {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  if (wake_[1] >= 0) {
    const char c = 1;
    (void)!write(wake_[1], &c, 1);
  }
  if (thread_.joinable()) thread_.join();
  for (int& fd : wake_) {
    if (fd >= 0) close(fd);
    fd = -1;
  }
}

std::shared_ptr<const RtrSnapshot> RtrClient::snapshot() const {
  std::lock_guard lock(mu_);
  return snapshot_;
}

std::shared_ptr<const RtrSnapshot> RtrClient::WaitForSync(uint64_t after_generation,
                                                          std::chrono::milliseconds timeout) const {
  std::unique_lock lock(mu_);
  cv_.wait_for(lock, timeout,
               [&] { return stop_ || (snapshot_ && snapshot_->generation > after_generation); });
  return snapshot_;
}

std::string RtrClient::last_error() const {
  std::lock_guard lock(mu_);
  return last_error_;
}

RtrStats RtrClient::stats() const {
  std::lock_guard lock(mu_);
  return stats_;
}

void RtrClient::Log(const std::string& line) {
  if (options_.on_log) options_.on_log(line);
}

bool RtrClient::SleepFor(std::chrono::milliseconds d) {
  std::unique_lock lock(mu_);
  cv_.wait_for(lock, d, [&] { return stop_; });
  return !stop_;
}

void RtrClient::Publish(std::shared_ptr<const RtrSnapshot> s) {
  {
    std::lock_guard lock(mu_);
    snapshot_ = s;
    stats_ = s->stats;
  }
  cv_.notify_all();
  if (options_.on_sync) options_.on_sync(std::move(s));
}

void RtrClient::Run() {
  RtrSession session(options_.version);
  while (true) {
    {
      std::lock_guard lock(mu_);
      if (stop_) return;
    }
    const std::chrono::milliseconds delay = RunConnection(session);
    // RFC 8210 §6: data not refreshed within the Expire interval of its End
    // of Data must not be used any more.
    std::shared_ptr<const RtrSnapshot> last = snapshot();
    if (last && !last->expired &&
        std::chrono::system_clock::now() - last->synced_at > std::chrono::seconds(last->expire)) {
      auto empty = std::make_shared<RtrSnapshot>();
      empty->version = last->version;
      empty->session_id = last->session_id;
      empty->serial = last->serial;
      empty->generation = last->generation + 1;
      empty->expired = true;
      empty->synced_at = last->synced_at;
      empty->stats = session.stats();
      Log("data expired: no successful refresh within the Expire interval");
      Publish(std::move(empty));
    }
    if (!SleepFor(delay)) return;
  }
}

std::chrono::milliseconds RtrClient::RunConnection(RtrSession& session) {
  using std::chrono::milliseconds;
  using Clock = std::chrono::steady_clock;
  auto retry_delay = [&] {
    std::shared_ptr<const RtrSnapshot> s = session.snapshot();
    const milliseconds retry =
        s ? milliseconds(uint64_t{s->retry} * 1000) : options_.initial_retry_delay;
    return std::min(retry, options_.max_retry_delay);
  };
  auto fail = [&](const std::string& why) {
    Log(why);
    std::lock_guard lock(mu_);
    last_error_ = why;
  };

  std::string error;
  const int fd = Connect(options_.host, options_.port, options_.connect_timeout, wake_[0], &error);
  if (fd < 0) {
    fail(error);
    return retry_delay();
  }
  ++session.stats().connects;
  Log(fmt::format("connected to {} port {}, offering version {}", options_.host, options_.port,
                  session.version()));
  struct Closer {
    int fd;
    ~Closer() { close(fd); }
  } closer{fd};

  if (!SendAll(fd, session.Start(), &error)) {
    fail(error);
    return retry_delay();
  }
  PduReader reader;
  Clock::time_point last_sync = Clock::now();
  Clock::time_point last_activity = Clock::now();
  std::vector<uint8_t> buf(64 * 1024);
  while (true) {
    // While a query is outstanding the cache has response_timeout to make
    // progress; when idle, the Refresh timer runs from the last End of Data
    // (RFC 8210 §6).
    int timeout_ms = -1;
    std::optional<Clock::time_point> due;
    if (session.busy()) {
      due = last_activity + options_.response_timeout;
    } else if (std::shared_ptr<const RtrSnapshot> s = session.snapshot()) {
      due = last_sync + std::chrono::seconds(s->refresh);
    }
    if (due) {
      timeout_ms = static_cast<int>(std::max<int64_t>(
          0, std::chrono::duration_cast<milliseconds>(*due - Clock::now()).count()));
    }
    pollfd fds[2] = {{fd, POLLIN, 0}, {wake_[0], POLLIN, 0}};
    const int rc = poll(fds, 2, timeout_ms);
    if (rc < 0 && errno != EINTR) {
      fail(Errno("poll"));
      return retry_delay();
    }
    if (fds[1].revents & POLLIN) return milliseconds(0);  // Stop()
    RtrSession::Output out;
    if (rc == 0 && session.busy()) {
      fail(fmt::format("no answer from the cache within {} ms", options_.response_timeout.count()));
      return retry_delay();
    }
    if (rc == 0) {
      out = session.OnRefresh();
      last_sync = last_activity = Clock::now();  // next poll one Refresh interval on
    } else if (fds[0].revents & (POLLIN | POLLHUP | POLLERR)) {
      const ssize_t n = recv(fd, buf.data(), buf.size(), 0);
      last_activity = Clock::now();
      if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR)) {
        fail(n == 0 ? "the cache closed the connection" : Errno("receiving from the cache"));
        return retry_delay();
      }
      if (n < 0) continue;
      reader.Append({buf.data(), static_cast<size_t>(n)});
      std::span<const uint8_t> pdu;
      while (!out.close) {
        Result<bool> next = reader.Next(&pdu);
        if (!next.ok()) {
          // Framing is lost (a length outside [8, kMaxPduLength]): report
          // it, then start again on a new connection.
          std::vector<uint8_t> head =
              ErrorReport(session.version(), ErrorCode::kCorruptData, {}, next.status().message());
          (void)SendAll(fd, head, &error);
          ++session.stats().errors_sent;
          fail(next.status().message());
          return retry_delay();
        }
        if (!*next) break;
        RtrSession::Output o = session.OnPdu(pdu);
        if (!o.message.empty()) Log(o.message);
        if (!o.send.empty() && !SendAll(fd, o.send, &error)) {
          fail(error);
          return retry_delay();
        }
        if (o.synced) {
          last_sync = Clock::now();
          Publish(session.snapshot());
        }
        out.close = o.close;
        out.retry_version = o.retry_version;
        out.retry_soon = o.retry_soon;
        out.message = o.message;
      }
      if (out.close) {
        if (!out.message.empty()) {
          std::lock_guard lock(mu_);
          last_error_ = out.message;
        }
        return out.retry_version >= 0 ? milliseconds(0) : retry_delay();
      }
      {
        std::lock_guard lock(mu_);
        stats_ = session.stats();
      }
      continue;
    }
    if (!out.send.empty() && !SendAll(fd, out.send, &error)) {
      fail(error);
      return retry_delay();
    }
  }
}

}  // namespace vigia::rpki::rtr
