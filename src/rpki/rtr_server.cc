#include "rpki/rtr_server.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <fmt/format.h>
#include <netdb.h>
#include <netinet/in.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <random>
#include <unordered_map>

namespace vigia::rpki::rtr {

// ---------------------------------------------------------------- payload

RtrPayload RtrPayload::FromVrpSet(const VrpSet& set) {
  RtrPayload p;
  p.vrps.reserve(set.size());
  for (const Vrp& v : set.vrps()) p.vrps.push_back({v.prefix, v.max_length, v.asn});
  std::sort(p.vrps.begin(), p.vrps.end());
  p.vrps.erase(std::unique(p.vrps.begin(), p.vrps.end()), p.vrps.end());
  for (Aspa& a : set.aspas().Sorted()) {
    // The PDU's 16-bit count and kMaxPduLength bound the providers one ASPA
    // PDU can carry (8210bis-10 §5.12); a larger set cannot be served whole.
    if (a.providers.size() <= kMaxAspaProviders) p.aspas.push_back(std::move(a));
  }
  return p;
}

// ---------------------------------------------------------------- cache

namespace {

void EncodeVrps(uint8_t version, bool announce, std::span<const RtrVrp> vrps,
                std::vector<uint8_t>* out) {
  Pdu p;
  p.version = version;
  p.type = PduType::kIpv4Prefix;  // EncodePdu picks IPv4 or IPv6 by the prefix
  p.announce = announce;
  for (const RtrVrp& v : vrps) {
    p.prefix = v.prefix;
    p.max_length = v.max_length;
    p.asn = v.asn;
    EncodePdu(p, out);
  }
}

// draft-ietf-sidrops-8210bis-10 §5.12 carries an ASPA per address family;
// the current ASPA profile has one provider set for both, so each ASPA
// goes out twice, for IPv4 and for IPv6 (as StayRTR sends the per-family
// lists it reads). A withdrawal names the providers held, which is what
// the clients that check it (Vigía's, StayRTR's) expect.
void EncodeAspa(uint8_t version, bool announce, Asn customer, const std::vector<Asn>& providers,
                std::vector<uint8_t>* out) {
  Pdu p;
  p.version = version;
  p.type = PduType::kAspa;
  p.announce = announce;
  p.customer = customer;
  p.providers = providers;
  for (const uint8_t afi : {uint8_t{0}, kAspaAfiIpv6}) {
    p.afi_flags = afi;
    EncodePdu(p, out);
  }
}

}  // namespace

RtrCache::RtrCache(uint16_t session_id, uint32_t first_serial, RtrTimers timers)
    : session_id_(session_id), serial_(first_serial), timers_(timers) {}

RtrCache::Diff RtrCache::Compute(const RtrPayload& from, const RtrPayload& to) {
  Diff d;
  std::set_difference(to.vrps.begin(), to.vrps.end(), from.vrps.begin(), from.vrps.end(),
                      std::back_inserter(d.announced));
  std::set_difference(from.vrps.begin(), from.vrps.end(), to.vrps.begin(), to.vrps.end(),
                      std::back_inserter(d.withdrawn));
  size_t i = 0, j = 0;
  while (i < from.aspas.size() || j < to.aspas.size()) {
    if (j == to.aspas.size() ||
        (i < from.aspas.size() && from.aspas[i].customer < to.aspas[j].customer)) {
      d.aspas.push_back({from.aspas[i].customer, from.aspas[i].providers, std::nullopt});
      ++i;
    } else if (i == from.aspas.size() || to.aspas[j].customer < from.aspas[i].customer) {
      d.aspas.push_back({to.aspas[j].customer, std::nullopt, to.aspas[j].providers});
      ++j;
    } else {
      if (from.aspas[i].providers != to.aspas[j].providers) {
        d.aspas.push_back({to.aspas[j].customer, from.aspas[i].providers, to.aspas[j].providers});
      }
      ++i;
      ++j;
    }
  }
  return d;
}

bool RtrCache::Update(std::shared_ptr<const RtrPayload> payload) {
  if (!payload) return false;
  if (payload_) {
    Diff d = Compute(*payload_, *payload);
    if (d.entries() == 0) return false;
    // RFC 8210 §5.3 with RFC 1982 arithmetic: the serial wraps at 2^32.
    ++serial_;
    history_entries_ += d.entries();
    history_.push_back(std::move(d));
    // A history longer than the full set saves a router nothing over a
    // Cache Reset; kMaxHistory bounds it for small sets that churn.
    const size_t budget =
        std::max<size_t>(payload->vrps.size() + payload->aspas.size(), size_t{1} << 16);
    while (history_.size() > kMaxHistory || (history_.size() > 1 && history_entries_ > budget)) {
      history_entries_ -= history_.front().entries();
      history_.pop_front();
    }
  }
  payload_ = std::move(payload);
  for (auto& f : full_) f.reset();
  for (auto& n : notify_) n.reset();
  deltas_.clear();
  return true;
}

void RtrCache::EncodeBegin(uint8_t version, std::vector<uint8_t>* out) const {
  Pdu p;
  p.version = version;
  p.type = PduType::kCacheResponse;  // RFC 8210 §5.5
  p.session_id = session_id_;
  EncodePdu(p, out);
}

void RtrCache::EncodeEnd(uint8_t version, std::vector<uint8_t>* out) const {
  Pdu p;
  p.version = version;
  p.type = PduType::kEndOfData;  // RFC 8210 §5.8; version 0 has no timers
  p.session_id = session_id_;
  p.serial = serial_;
  p.refresh = timers_.refresh;
  p.retry = timers_.retry;
  p.expire = timers_.expire;
  EncodePdu(p, out);
}

void RtrCache::EncodeRecords(uint8_t version, const Diff& d, std::vector<uint8_t>* out) const {
  // Withdrawals first, so that a router never holds both sides of a change.
  EncodeVrps(version, false, d.withdrawn, out);
  EncodeVrps(version, true, d.announced, out);
  if (version < 2) return;  // ASPA exists from version 2 on (8210bis-10 §5.12)
  for (const AspaChange& c : d.aspas) {
    if (!c.after) EncodeAspa(version, false, c.customer, *c.before, out);
  }
  // An announcement for a customer held replaces its providers.
  for (const AspaChange& c : d.aspas) {
    if (c.after) EncodeAspa(version, true, c.customer, *c.after, out);
  }
}

SharedBytes RtrCache::FullSet(uint8_t version) {
  if (!payload_ || version > kMaxVersion) return nullptr;
  if (full_[version]) return full_[version];
  auto out = std::make_shared<std::vector<uint8_t>>();
  const size_t aspa_bytes = version >= 2 ? payload_->aspas.size() * 2 * 32 : 0;
  out->reserve(8 + payload_->vrps.size() * 32 + aspa_bytes + 24);
  EncodeBegin(version, out.get());
  EncodeVrps(version, true, payload_->vrps, out.get());
  if (version >= 2) {
    for (const Aspa& a : payload_->aspas)
      EncodeAspa(version, true, a.customer, a.providers, out.get());
  }
  EncodeEnd(version, out.get());
  full_[version] = out;
  return out;
}

SharedBytes RtrCache::Delta(uint8_t version, uint16_t session_id, uint32_t serial, bool* reset) {
  *reset = false;
  const uint32_t distance = serial_ - serial;
  // RFC 8210 §8.3: a Session ID of another cache run, or a serial the
  // history does not reach back to (or one from the future), can only be
  // repaired by a full reload: Cache Reset.
  if (!payload_ || version > kMaxVersion || session_id != session_id_ ||
      (serial != serial_ && (!SerialLess(serial, serial_) || distance > history_.size()))) {
    *reset = true;
    Pdu p;
    p.version = version;
    p.type = PduType::kCacheReset;  // RFC 8210 §5.9
    auto out = std::make_shared<std::vector<uint8_t>>();
    EncodePdu(p, out.get());
    return out;
  }
  const auto key = std::make_pair(serial, version);
  if (auto it = deltas_.find(key); it != deltas_.end()) return it->second;

  auto out = std::make_shared<std::vector<uint8_t>>();
  EncodeBegin(version, out.get());
  if (distance == 1) {
    EncodeRecords(version, history_.back(), out.get());
  } else if (distance > 1) {
    // The net change over several serials: a VRP announced and withdrawn
    // again cancels out, an ASPA keeps its first "before" and last "after".
    std::map<RtrVrp, int> net;
    std::map<Asn, AspaChange> aspas;
    for (size_t i = history_.size() - distance; i < history_.size(); ++i) {
      const Diff& d = history_[i];
      for (const RtrVrp& v : d.announced) ++net[v];
      for (const RtrVrp& v : d.withdrawn) --net[v];
      for (const AspaChange& c : d.aspas) {
        auto [it, fresh] = aspas.try_emplace(c.customer, c);
        if (!fresh) it->second.after = c.after;
      }
    }
    Diff d;
    for (const auto& [v, n] : net) {
      if (n > 0) d.announced.push_back(v);
      if (n < 0) d.withdrawn.push_back(v);
    }
    for (auto& [customer, c] : aspas) {
      if (c.before != c.after) d.aspas.push_back(std::move(c));
    }
    EncodeRecords(version, d, out.get());
  }
  EncodeEnd(version, out.get());
  // Routers that missed the same notifies ask the same question.
  if (deltas_.size() >= 4 * (kMaxVersion + 1)) deltas_.erase(deltas_.begin());
  deltas_[key] = out;
  return out;
}

SharedBytes RtrCache::Notify(uint8_t version) {
  if (!payload_ || version > kMaxVersion) return nullptr;
  if (!notify_[version]) {
    Pdu p;
    p.version = version;
    p.type = PduType::kSerialNotify;  // RFC 8210 §5.2
    p.session_id = session_id_;
    p.serial = serial_;
    auto out = std::make_shared<std::vector<uint8_t>>();
    EncodePdu(p, out.get());
    notify_[version] = out;
  }
  return notify_[version];
}

// ---------------------------------------------------------------- server

namespace {

using Clock = std::chrono::steady_clock;

// Answers waiting for a client before it is no longer read from, and the
// most it may have waiting before it is dropped. An answer is a shared
// chunk, so the memory a slow client holds is its own Error Reports and
// notifies plus references to answers every client shares.
constexpr size_t kPauseReadChunks = 4;
constexpr size_t kMaxQueuedChunks = 64;
constexpr size_t kReadChunk = 64 * 1024;
constexpr size_t kMaxReadPerEvent = 4 * kReadChunk;  // fairness between clients
constexpr int kMaxEvents = 256;
// epoll user data below this is one of our own descriptors (listening
// sockets, the wake eventfd); anything else is a Client*.
constexpr uint64_t kMaxSpecialFd = 1 << 16;

std::string AddressText(const sockaddr_storage& a) {
  char host[INET6_ADDRSTRLEN] = {};
  if (a.ss_family == AF_INET6) {
    const auto* s = reinterpret_cast<const sockaddr_in6*>(&a);
    inet_ntop(AF_INET6, &s->sin6_addr, host, sizeof host);
    return fmt::format("[{}]:{}", host, ntohs(s->sin6_port));
  }
  const auto* s = reinterpret_cast<const sockaddr_in*>(&a);
  inet_ntop(AF_INET, &s->sin_addr, host, sizeof host);
  return fmt::format("{}:{}", host, ntohs(s->sin_port));
}

// "HOST:PORT" or "[V6]:PORT" (port 0: any free one).
Status ParseListen(const std::string& text, sockaddr_storage* addr, socklen_t* len) {
  std::string host, port;
  if (!text.empty() && text[0] == '[') {
    const size_t close = text.find(']');
    if (close == std::string::npos || close + 1 >= text.size() || text[close + 1] != ':') {
      return Status::InvalidArgument(fmt::format("--listen {}: expected [V6]:PORT", text));
    }
    host = text.substr(1, close - 1);
    port = text.substr(close + 2);
  } else {
    const size_t colon = text.rfind(':');
    if (colon == std::string::npos || text.find(':') != colon) {
      return Status::InvalidArgument(
          fmt::format("--listen {}: expected HOST:PORT or [V6]:PORT", text));
    }
    host = text.substr(0, colon);
    port = text.substr(colon + 1);
  }
  unsigned p = 0;
  auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), p);
  if (port.empty() || ec != std::errc() || end != port.data() + port.size() || p > 65535) {
    return Status::InvalidArgument(fmt::format("--listen {}: bad port '{}'", text, port));
  }
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_NUMERICSERV | AI_PASSIVE;
  addrinfo* res = nullptr;
  if (const int rc = getaddrinfo(host.empty() ? nullptr : host.c_str(), port.c_str(), &hints, &res);
      rc != 0) {
    return Status::InvalidArgument(fmt::format("--listen {}: {}", text, gai_strerror(rc)));
  }
  std::memcpy(addr, res->ai_addr, res->ai_addrlen);
  *len = res->ai_addrlen;
  freeaddrinfo(res);
  return Status::Ok();
}

uint16_t RandomSessionId() {
  std::random_device rd;
  return static_cast<uint16_t>(rd());
}

}  // namespace

struct RtrServer::Client {
  int fd = -1;
  std::string peer;
  PduReader reader;
  int version = -1;  // agreed by the first PDU (RFC 8210 §7)
  struct Chunk {
    SharedBytes bytes;
    size_t off = 0;
  };
  std::deque<Chunk> out;
  bool tail_notify = false;  // out.back() is a Serial Notify not yet started
  bool closing = false;      // send what is queued, then close
  bool dead = false;
  uint32_t events = 0;  // registered with epoll
  Clock::time_point connected, last_input, last_progress;
};

RtrServer::RtrServer(RtrServerOptions options)
    : options_(std::move(options)),
      cache_(options_.session_id.value_or(RandomSessionId()), options_.first_serial,
             options_.timers) {
  epfd_ = epoll_create1(EPOLL_CLOEXEC);
  wake_fd_ = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  reserve_fd_ = open("/dev/null", O_RDONLY | O_CLOEXEC);
  epoll_event ev{};
  ev.events = EPOLLIN;
  ev.data.u64 = static_cast<uint64_t>(wake_fd_);
  epoll_ctl(epfd_, EPOLL_CTL_ADD, wake_fd_, &ev);
  stats_.session_id = cache_.session_id();
  stats_.serial = cache_.serial();
}

RtrServer::~RtrServer() {
  for (auto& [p, c] : clients_) {
    if (!c->dead) close(c->fd);
  }
  for (int fd : listen_fds_) close(fd);
  if (reserve_fd_ >= 0) close(reserve_fd_);
  if (wake_fd_ >= 0) close(wake_fd_);
  if (epfd_ >= 0) close(epfd_);
}

void RtrServer::Log(const std::string& line) {
  if (options_.on_log) options_.on_log(line);
}

Status RtrServer::Listen() {
  if (epfd_ < 0 || wake_fd_ < 0) return Status::IoError(std::string("epoll: ") + strerror(errno));
  for (const std::string& text : options_.listen) {
    sockaddr_storage addr{};
    socklen_t len = 0;
    if (Status s = ParseListen(text, &addr, &len); !s.ok()) return s;
    const int fd = socket(addr.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    const int one = 1;
    if (fd >= 0) setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (fd >= 0 && addr.ss_family == AF_INET6) {
      setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof one);
    }
    // A backlog of 4096 lets a thousand routers reconnect at once (the
    // kernel caps it at net.core.somaxconn).
    if (fd < 0 || bind(fd, reinterpret_cast<sockaddr*>(&addr), len) != 0 || listen(fd, 4096) != 0) {
      const std::string why = strerror(errno);
      if (fd >= 0) close(fd);
      return Status::IoError(fmt::format("cannot listen on {}: {}", text, why));
    }
    sockaddr_storage bound{};
    socklen_t bound_len = sizeof bound;
    getsockname(fd, reinterpret_cast<sockaddr*>(&bound), &bound_len);
    addresses_.push_back(AddressText(bound));
    listen_fds_.push_back(fd);
    epoll_event ev{};
    ev.events = EPOLLIN;
    ev.data.u64 = static_cast<uint64_t>(fd);
    epoll_ctl(epfd_, EPOLL_CTL_ADD, fd, &ev);
  }
  return Status::Ok();
}

void RtrServer::SetPayload(std::shared_ptr<const RtrPayload> payload) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    pending_ = std::move(payload);
  }
  const uint64_t one = 1;
  (void)!write(wake_fd_, &one, sizeof one);
}

void RtrServer::Stop() {
  stop_ = true;
  const uint64_t one = 1;
  (void)!write(wake_fd_, &one, sizeof one);
}

RtrServerStats RtrServer::stats() const {
  std::lock_guard<std::mutex> lock(mu_);
  return stats_;
}

void RtrServer::Accept(int lfd) {
  for (int k = 0; k < 256; ++k) {
    sockaddr_storage a{};
    socklen_t len = sizeof a;
    int fd = accept4(lfd, reinterpret_cast<sockaddr*>(&a), &len, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd < 0) {
      if ((errno == EMFILE || errno == ENFILE) && reserve_fd_ >= 0) {
        // Out of descriptors: take the connection with the one held in
        // reserve and close it, rather than leave it in the backlog where
        // epoll would report it forever.
        close(reserve_fd_);
        fd = accept4(lfd, nullptr, nullptr, SOCK_CLOEXEC);
        if (fd >= 0) close(fd);
        reserve_fd_ = open("/dev/null", O_RDONLY | O_CLOEXEC);
        std::lock_guard<std::mutex> lock(mu_);
        ++stats_.refused;
        continue;
      }
      return;  // EAGAIN, or an error of that one connection
    }
    if (clients_.size() >= options_.max_clients) {
      close(fd);
      uint64_t refused;
      {
        std::lock_guard<std::mutex> lock(mu_);
        refused = stats_.refused++;
      }
      if (refused % 1000 == 0) {
        Log(fmt::format("refusing {}: {} clients connected (--max-clients); {} refused so far",
                        AddressText(a), clients_.size(), refused + 1));
      }
      continue;
    }
    auto c = std::make_unique<Client>();
    c->fd = fd;
    c->peer = AddressText(a);
    c->connected = c->last_input = c->last_progress = Clock::now();
    c->events = EPOLLIN;
    epoll_event ev{};
    ev.events = EPOLLIN;
    ev.data.ptr = c.get();
    epoll_ctl(epfd_, EPOLL_CTL_ADD, fd, &ev);
    Client* key = c.get();
    clients_[key] = std::move(c);
    std::lock_guard<std::mutex> lock(mu_);
    ++stats_.accepted;
    stats_.clients = clients_.size();
  }
}

void RtrServer::Queue(Client* c, SharedBytes bytes) {
  if (!bytes || c->dead) return;
  if (c->out.empty()) c->last_progress = Clock::now();
  c->out.push_back({std::move(bytes), 0});
  c->tail_notify = false;
}

void RtrServer::Fail(Client* c, ErrorCode code, std::span<const uint8_t> pdu,
                     const std::string& why, uint8_t version) {
  Log(fmt::format("{}: {}; sending Error Report {} and closing", c->peer, why,
                  ErrorCodeName(static_cast<uint16_t>(code))));
  Queue(c, std::make_shared<std::vector<uint8_t>>(ErrorReport(version, code, pdu, why)));
  c->closing = true;
  std::lock_guard<std::mutex> lock(mu_);
  ++stats_.errors_sent;
}

void RtrServer::HandlePdu(Client* c, std::span<const uint8_t> bytes) {
  const uint8_t version = bytes[0];
  const bool is_error = bytes[1] == static_cast<uint8_t>(PduType::kErrorReport);
  // RFC 8210 §5.11: an Error Report is never answered with another one.
  auto drop_on_error = [&](const std::string& why) {
    Drop(c, fmt::format("Error Report that cannot be read ({})", why));
  };
  if (c->version < 0 && version > kMaxVersion) {
    // RFC 8210 §7: a version the cache does not speak gets "Unsupported
    // Protocol Version" in the highest version it does; the router may then
    // try a lower one.
    if (is_error) return drop_on_error("version " + std::to_string(version));
    return Fail(c, ErrorCode::kUnsupportedProtocolVersion, bytes,
                fmt::format("RFC 8210 §7: protocol version {} is not supported (0 to {})", version,
                            kMaxVersion),
                kMaxVersion);
  }
  if (c->version >= 0 && version != c->version) {
    if (is_error) return drop_on_error("version " + std::to_string(version));
    // RFC 8210 §7: once agreed, the version does not change within a
    // session (8210bis: "Unexpected Protocol Version").
    return Fail(
        c,
        c->version >= 2 ? ErrorCode::kUnexpectedProtocolVersion
                        : ErrorCode::kUnsupportedProtocolVersion,
        bytes,
        fmt::format("RFC 8210 §7: version {} PDU in a version {} session", version, c->version),
        static_cast<uint8_t>(c->version));
  }
  Pdu p;
  ErrorCode code = ErrorCode::kCorruptData;
  if (Status s = DecodePdu(bytes, &p, &code); !s.ok()) {
    if (is_error) return drop_on_error(s.message());
    return Fail(c, code, bytes, s.message(), version);
  }
  c->version = version;  // RFC 8210 §7: the first PDU fixes the version
  const uint8_t v = version;
  switch (p.type) {
    case PduType::kResetQuery:
    case PduType::kSerialQuery: {
      const bool reset_query = p.type == PduType::kResetQuery;
      {
        std::lock_guard<std::mutex> lock(mu_);
        ++(reset_query ? stats_.reset_queries : stats_.serial_queries);
      }
      if (!cache_.has_data()) {
        // RFC 8210 §8.4: not fatal; the router retries, and gets a Serial
        // Notify once there is data.
        Queue(c, std::make_shared<std::vector<uint8_t>>(ErrorReport(
                     v, ErrorCode::kNoDataAvailable, bytes, "the cache has no data yet")));
        std::lock_guard<std::mutex> lock(mu_);
        ++stats_.errors_sent;
        return;
      }
      if (reset_query) {
        Queue(c, cache_.FullSet(v));  // RFC 8210 §8.1
        return;
      }
      bool reset = false;
      Queue(c, cache_.Delta(v, p.session_id, p.serial, &reset));  // RFC 8210 §8.2
      if (reset) {
        Log(
            fmt::format("{}: Cache Reset for session {} serial {} (have session {}, serials {} to "
                        "{})",
                        c->peer, p.session_id, p.serial, cache_.session_id(),
                        cache_.oldest_serial(), cache_.serial()));
        std::lock_guard<std::mutex> lock(mu_);
        ++stats_.cache_resets;
      }
      return;
    }
    case PduType::kErrorReport: {
      {
        std::lock_guard<std::mutex> lock(mu_);
        ++stats_.errors_received;
      }
      // RFC 8210 §12: every error but No Data Available is fatal.
      if (p.error_code == static_cast<uint16_t>(ErrorCode::kNoDataAvailable)) {
        Log(fmt::format("{}: router reports {}", c->peer, Describe(p)));
        return;
      }
      return Drop(c, "router reports " + Describe(p));
    }
    default:
      // RFC 8210 §5: the other PDUs go from cache to router only.
      return Fail(c, ErrorCode::kInvalidRequest, bytes,
                  fmt::format("RFC 8210 §5: a router does not send {}",
                              PduTypeName(static_cast<uint8_t>(p.type))),
                  v);
  }
}

void RtrServer::Drop(Client* c, const std::string& why) {
  if (c->dead) return;
  c->dead = true;
  // The log line first: whoever sees the connection close finds it written.
  if (!why.empty()) Log(fmt::format("{}: closed: {}", c->peer, why));
  epoll_ctl(epfd_, EPOLL_CTL_DEL, c->fd, nullptr);
  close(c->fd);
  std::lock_guard<std::mutex> lock(mu_);
  ++stats_.closed;
}

void RtrServer::Flush(Client* c) {
  while (!c->dead && !c->out.empty()) {
    Client::Chunk& ch = c->out.front();
    const ssize_t n = send(c->fd, ch.bytes->data() + ch.off, ch.bytes->size() - ch.off,
                           MSG_NOSIGNAL | MSG_DONTWAIT);
    if (n > 0) {
      ch.off += static_cast<size_t>(n);
      c->last_progress = Clock::now();
      if (ch.off == ch.bytes->size()) {
        c->out.pop_front();
        if (c->out.empty()) c->tail_notify = false;
      }
    } else if (n < 0 && errno == EINTR) {
      continue;
    } else if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      break;
    } else {
      Drop(c, n < 0 ? strerror(errno) : "send failed");
      return;
    }
  }
  if (!c->dead && c->closing && c->out.empty()) Drop(c, "");
}

void RtrServer::Rearm(Client* c) {
  if (c->dead) return;
  const bool paused = c->closing || c->out.size() >= kPauseReadChunks;
  const uint32_t want = (paused ? 0u : uint32_t{EPOLLIN}) | (c->out.empty() ? 0u : EPOLLOUT);
  if (want == c->events) return;
  epoll_event ev{};
  ev.events = want;
  ev.data.ptr = c;
  epoll_ctl(epfd_, EPOLL_CTL_MOD, c->fd, &ev);
  c->events = want;
}

// Reads what the client sent and answers every whole PDU, as long as its
// queue of answers is short; the rest waits in its PduReader (at most one
// read's worth) until the client has taken some of what it was sent.
void RtrServer::OnReadable(Client* c) {
  uint8_t buf[kReadChunk];
  size_t total = 0;
  while (!c->dead && !c->closing && c->out.size() < kPauseReadChunks && total < kMaxReadPerEvent) {
    // Whole PDUs already buffered go first.
    std::span<const uint8_t> pdu;
    Result<bool> next = c->reader.Next(&pdu);
    if (!next.ok()) {
      // RFC 8210 §5: a length outside [8, kMaxPduLength] leaves no way to
      // find the next PDU.
      return Fail(c, ErrorCode::kCorruptData, {}, next.status().message(),
                  c->version >= 0 ? static_cast<uint8_t>(c->version) : kMaxVersion);
    }
    if (next.value()) {
      c->last_input = Clock::now();
      HandlePdu(c, pdu);
      continue;
    }
    const ssize_t n = recv(c->fd, buf, sizeof buf, MSG_DONTWAIT);
    if (n > 0) {
      c->last_input = Clock::now();
      c->reader.Append({buf, static_cast<size_t>(n)});
      total += static_cast<size_t>(n);
    } else if (n == 0) {
      // The router closed its side: send what is queued, then close.
      c->closing = true;
      if (c->out.empty()) Drop(c, "closed by the router");
    } else if (errno == EINTR) {
      continue;
    } else if (errno == EAGAIN || errno == EWOULDBLOCK) {
      break;
    } else {
      return Drop(c, strerror(errno));
    }
  }
}

void RtrServer::ApplyPending() {
  std::shared_ptr<const RtrPayload> p;
  {
    std::lock_guard<std::mutex> lock(mu_);
    p = std::move(pending_);
    pending_.reset();
  }
  if (!p) return;
  const bool first = !cache_.has_data();
  if (!cache_.Update(p)) return;
  {
    std::lock_guard<std::mutex> lock(mu_);
    ++stats_.updates;
    stats_.serial = cache_.serial();
    stats_.has_data = true;
    stats_.vrps = p->vrps.size();
    stats_.aspas = p->aspas.size();
  }
  Log(fmt::format("{} serial {}: {} VRPs, {} ASPAs; notifying {} clients",
                  first ? "data loaded," : "data changed,", cache_.serial(), p->vrps.size(),
                  p->aspas.size(), clients_.size()));
  // RFC 8210 §5.2, §7: every client whose version is agreed hears of the
  // new serial; a notify still waiting to be sent is replaced, so a client
  // that reads slowly holds one at most.
  uint64_t sent = 0;
  for (auto& [key, cp] : clients_) {
    Client* c = cp.get();
    if (c->dead || c->closing || c->version < 0) continue;
    SharedBytes n = cache_.Notify(static_cast<uint8_t>(c->version));
    if (c->tail_notify && c->out.back().off == 0) {
      c->out.back().bytes = std::move(n);
    } else {
      Queue(c, std::move(n));
      c->tail_notify = true;
    }
    ++sent;
    Flush(c);
    Rearm(c);
  }
  std::lock_guard<std::mutex> lock(mu_);
  stats_.notifies += sent;
}

void RtrServer::Sweep() {
  const auto now = Clock::now();
  const auto limit = options_.client_timeout;
  for (auto& [key, cp] : clients_) {
    Client* c = cp.get();
    if (c->dead) continue;
    std::string why;
    if (!c->out.empty() && now - c->last_progress > limit) {
      why = "reads nothing of what it is sent";
    } else if (c->out.size() > kMaxQueuedChunks) {
      why = "too many answers waiting";
    } else if (c->reader.buffered() > 0 && now - c->last_input > limit) {
      why = "stopped halfway through a PDU";
    } else if (c->version < 0 && c->reader.buffered() == 0 && now - c->connected > limit) {
      // A router that sent part of a PDU is judged by the rule above, from
      // its last input, not from when it connected.
      why = "sent no query";
    }
    if (why.empty()) continue;
    {
      std::lock_guard<std::mutex> lock(mu_);
      ++stats_.slow_dropped;
    }
    Drop(c, why);
  }
}

void RtrServer::Run() {
  std::vector<epoll_event> events(kMaxEvents);
  auto last_sweep = Clock::now();
  ApplyPending();
  while (!stop_) {
    const int n = epoll_wait(epfd_, events.data(), kMaxEvents, 500);
    if (n < 0 && errno != EINTR) {
      Log(fmt::format("epoll_wait: {}", strerror(errno)));
      break;
    }
    for (int i = 0; i < n; ++i) {
      const epoll_event& ev = events[static_cast<size_t>(i)];
      if (ev.data.u64 < kMaxSpecialFd) {
        const int fd = static_cast<int>(ev.data.u64);
        if (fd == wake_fd_) {
          uint64_t v;
          (void)!read(wake_fd_, &v, sizeof v);
          ApplyPending();
        } else {
          Accept(fd);
        }
        continue;
      }
      Client* c = static_cast<Client*>(ev.data.ptr);
      if (c->dead) continue;
      if (ev.events & EPOLLERR) {
        Drop(c, "socket error");
        continue;
      }
      if (ev.events & (EPOLLIN | EPOLLHUP)) OnReadable(c);
      // Answer PDUs left buffered while the queue was long, once it drains.
      for (int round = 0; round < 4 && !c->dead; ++round) {
        Flush(c);
        if (c->dead || c->closing || c->out.size() >= kPauseReadChunks ||
            c->reader.buffered() == 0) {
          break;
        }
        OnReadable(c);
      }
      if (!c->dead && (ev.events & EPOLLHUP) && c->out.empty()) Drop(c, "hung up");
      Rearm(c);
    }
    if (Clock::now() - last_sweep > std::chrono::milliseconds(500)) {
      Sweep();
      last_sweep = Clock::now();
    }
    // Forget the closed clients; no event of this batch refers to them now.
    for (auto it = clients_.begin(); it != clients_.end();) {
      if (it->second->dead) {
        it = clients_.erase(it);
      } else {
        ++it;
      }
    }
    std::lock_guard<std::mutex> lock(mu_);
    stats_.clients = clients_.size();
  }
  for (auto& [key, c] : clients_) {
    if (!c->dead) {
      epoll_ctl(epfd_, EPOLL_CTL_DEL, c->fd, nullptr);
      close(c->fd);
      c->dead = true;
    }
  }
  clients_.clear();
}

}  // namespace vigia::rpki::rtr
