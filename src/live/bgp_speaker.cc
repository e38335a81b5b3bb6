#include "live/bgp_speaker.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <fmt/format.h>
#include <netinet/in.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <unordered_map>

#include "bgp/message.h"

namespace vigia::live {

namespace {

using Clock = std::chrono::steady_clock;
using bgp::FeedProblem;

// RFC 4271 §4.1: without RFC 8654 extended messages (not advertised) a
// message is at most 4096 octets.
constexpr size_t kMaxMessage = 4096;
// RFC 4271 §8 "a large value" for the hold timer until OPEN is received.
constexpr auto kOpenHold = std::chrono::seconds(240);
constexpr uint16_t kAsTrans = 23456;  // RFC 6793 §9

// Capability codes.
constexpr uint8_t kCapMp = 1, kCapRouteRefresh = 2, kCapRole = 9, kCapGracefulRestart = 64,
                  kCapAs4 = 65, kCapAddPath = 69;

enum class State : uint8_t { kOpenSent, kOpenConfirm, kEstablished, kClosed };

const char* StateName(State s) {
  switch (s) {
    case State::kOpenSent:
      return "OpenSent";
    case State::kOpenConfirm:
      return "OpenConfirm";
    case State::kEstablished:
      return "Established";
    case State::kClosed:
      return "Idle";
  }
  return "?";
}

struct RouteKey {
  Prefix prefix;
  uint32_t path_id;
  uint16_t afi;
  uint8_t safi;
  friend bool operator==(const RouteKey&, const RouteKey&) = default;
};
struct RouteKeyHash {
  size_t operator()(const RouteKey& k) const {
    return PrefixHash()(k.prefix) ^ (size_t{k.path_id} * 0x9E3779B97F4A7C15ull) ^
           (size_t{k.afi} << 8 | k.safi);
  }
};

void PutU16(std::vector<uint8_t>* v, uint16_t x) {
  v->push_back(static_cast<uint8_t>(x >> 8));
  v->push_back(static_cast<uint8_t>(x));
}
void PutU32(std::vector<uint8_t>* v, uint32_t x) {
  PutU16(v, static_cast<uint16_t>(x >> 16));
  PutU16(v, static_cast<uint16_t>(x));
}
uint16_t GetU16(const uint8_t* p) { return static_cast<uint16_t>(p[0] << 8 | p[1]); }
uint32_t GetU32(const uint8_t* p) { return uint32_t{GetU16(p)} << 16 | GetU16(p + 2); }

// A message with its RFC 4271 §4.1 header.
std::vector<uint8_t> Message(uint8_t type, const std::vector<uint8_t>& body) {
  std::vector<uint8_t> m(16, 0xFF);
  PutU16(&m, static_cast<uint16_t>(bgp::kHeaderSize + body.size()));
  m.push_back(type);
  m.insert(m.end(), body.begin(), body.end());
  return m;
}

void SetNonBlocking(int fd) { ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) | O_NONBLOCK); }

IpAddress FromSockaddr(const sockaddr_storage& ss) {
  if (ss.ss_family == AF_INET) {
    const auto* a = reinterpret_cast<const sockaddr_in*>(&ss);
    return IpAddress::V4(ntohl(a->sin_addr.s_addr));
  }
  const auto* a = reinterpret_cast<const sockaddr_in6*>(&ss);
  const uint8_t* b = a->sin6_addr.s6_addr;
  static constexpr uint8_t kMapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xFF, 0xFF};
  if (std::memcmp(b, kMapped, 12) == 0) return IpAddress::FromBytes(Family::kIpv4, b + 12);
  return IpAddress::FromBytes(Family::kIpv6, b);
}

// RFC 9234 §4.2: the role pairs that may peer.
bool RolesMatch(BgpRole ours, BgpRole theirs) {
  switch (ours) {
    case BgpRole::kProvider:
      return theirs == BgpRole::kCustomer;
    case BgpRole::kCustomer:
      return theirs == BgpRole::kProvider;
    case BgpRole::kRouteServer:
      return theirs == BgpRole::kRsClient;
    case BgpRole::kRsClient:
      return theirs == BgpRole::kRouteServer;
    case BgpRole::kPeer:
      return theirs == BgpRole::kPeer;
  }
  return false;
}

}  // namespace

struct BgpSpeaker::PeerState {
  bgp::PeerHandle handle = 0;
  IpAddress ip;
  Asn asn = 0;
  Session* session = nullptr;  // the Established session, if any
  // Adj-RIB-In keys, kept while a session with graceful restart is up or
  // its routes are stale; the value is true for stale (RFC 4724 §4.2) routes.
  std::unordered_map<RouteKey, bool, RouteKeyHash> routes;
  std::optional<Clock::time_point> restart_deadline;  // GR: peer gone, routes stale
  std::optional<Clock::time_point> stale_deadline;    // GR: peer back, waiting for End-of-RIB
};

struct BgpSpeaker::Session {
  int fd = -1;
  IpAddress ip;
  State state = State::kOpenSent;
  std::vector<uint8_t> in, out;
  uint16_t hold = 0;  // negotiated, seconds; 0: no timers
  Clock::time_point hold_deadline, keepalive_deadline;
  Asn peer_asn = 0;
  IpAddress peer_id;
  bool as4 = false, add_path_v4 = false, add_path_v6 = false, gr = false;
  uint16_t restart_time = 0;
  std::optional<BgpRole> peer_role;
  PeerState* peer = nullptr;
  bool want_out = false;
};

Result<std::pair<IpAddress, uint16_t>> ParseHostPort(std::string_view text) {
  std::string_view host, port;
  if (!text.empty() && text.front() == '[') {
    const size_t close = text.find(']');
    if (close == std::string_view::npos || close + 1 >= text.size() || text[close + 1] != ':') {
      return Status::InvalidArgument(fmt::format("'{}': expected [ADDRESS]:PORT", text));
    }
    host = text.substr(1, close - 1);
    port = text.substr(close + 2);
  } else {
    const size_t colon = text.rfind(':');
    if (colon == std::string_view::npos) {
      return Status::InvalidArgument(fmt::format("'{}': expected ADDRESS:PORT", text));
    }
    host = text.substr(0, colon);
    port = text.substr(colon + 1);
  }
  auto ip = IpAddress::Parse(host);
  if (!ip) return Status::InvalidArgument(fmt::format("'{}': bad address '{}'", text, host));
  uint32_t p = 0;
  if (port.empty() || port.size() > 5) {
    return Status::InvalidArgument(fmt::format("'{}': bad port '{}'", text, port));
  }
  for (char c : port) {
    if (c < '0' || c > '9') return Status::InvalidArgument(fmt::format("'{}': bad port", text));
    p = p * 10 + static_cast<uint32_t>(c - '0');
  }
  if (p > 65535) return Status::InvalidArgument(fmt::format("'{}': port over 65535", text));
  return std::make_pair(*ip, static_cast<uint16_t>(p));
}

BgpSpeaker::BgpSpeaker(SpeakerConfig config, bgp::RouteSink* sink)
    : config_(std::move(config)), sink_(sink), scratch_(std::make_unique<bgp::BgpMessage>()) {
  epfd_ = ::epoll_create1(EPOLL_CLOEXEC);
}

BgpSpeaker::~BgpSpeaker() {
  for (auto& [fd, s] : sessions_) ::close(fd);
  for (int fd : listen_fds_) ::close(fd);
  if (epfd_ >= 0) ::close(epfd_);
}

bgp::RouteTime BgpSpeaker::Now() const {
  const auto us = std::chrono::duration_cast<std::chrono::microseconds>(
                      std::chrono::system_clock::now().time_since_epoch())
                      .count();
  return bgp::RouteTime{static_cast<uint32_t>(us / 1000000), static_cast<uint32_t>(us % 1000000)};
}

Status BgpSpeaker::Listen(std::string_view address) {
  if (epfd_ < 0) return Status::IoError(fmt::format("epoll_create1: {}", std::strerror(errno)));
  auto hp = ParseHostPort(address);
  if (!hp.ok()) return hp.status();
  const auto& [ip, port] = hp.value();
  sockaddr_storage ss{};
  socklen_t len;
  if (ip.is_v4()) {
    auto* a = reinterpret_cast<sockaddr_in*>(&ss);
    a->sin_family = AF_INET;
    a->sin_port = htons(port);
    a->sin_addr.s_addr = htonl(ip.v4());
    len = sizeof(sockaddr_in);
  } else {
    auto* a = reinterpret_cast<sockaddr_in6*>(&ss);
    a->sin6_family = AF_INET6;
    a->sin6_port = htons(port);
    std::memcpy(a->sin6_addr.s6_addr, ip.bytes(), 16);
    len = sizeof(sockaddr_in6);
  }
  const int fd = ::socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  if (fd < 0) return Status::IoError(fmt::format("socket: {}", std::strerror(errno)));
  const int one = 1;
  ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  if (::bind(fd, reinterpret_cast<sockaddr*>(&ss), len) != 0 || ::listen(fd, 128) != 0) {
    const int e = errno;
    ::close(fd);
    return Status::IoError(fmt::format("listen on {}: {}", address, std::strerror(e)));
  }
  sockaddr_storage bound{};
  socklen_t blen = sizeof bound;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&bound), &blen);
  port_ = ntohs(bound.ss_family == AF_INET ? reinterpret_cast<sockaddr_in*>(&bound)->sin_port
                                           : reinterpret_cast<sockaddr_in6*>(&bound)->sin6_port);
  epoll_event ev{};
  ev.events = EPOLLIN;
  ev.data.fd = fd;
  ::epoll_ctl(epfd_, EPOLL_CTL_ADD, fd, &ev);
  listen_fds_.push_back(fd);
  return Status::Ok();
}

Status BgpSpeaker::Adopt(int fd, const IpAddress& peer_ip) {
  if (sessions_.size() >= config_.max_sessions) {
    ::close(fd);
    ++stats_.refused;
    return Status::LimitExceeded("too many sessions");
  }
  if (!config_.peers.empty() &&
      std::none_of(config_.peers.begin(), config_.peers.end(),
                   [&](const AllowedPeer& p) { return !p.ip || *p.ip == peer_ip; })) {
    ::close(fd);
    ++stats_.refused;
    return Status::InvalidArgument(fmt::format("{} is not a configured peer", peer_ip.ToString()));
  }
  SetNonBlocking(fd);
  auto s = std::make_unique<Session>();
  s->fd = fd;
  s->ip = peer_ip;
  s->hold_deadline = Clock::now() + kOpenHold;
  epoll_event ev{};
  ev.events = EPOLLIN;
  ev.data.fd = fd;
  ::epoll_ctl(epfd_, EPOLL_CTL_ADD, fd, &ev);
  Session* raw = s.get();
  sessions_[fd] = std::move(s);
  ++stats_.accepted;
  // RFC 4271 §8.2.2 (Active state, TCP connection succeeds): send OPEN and
  // move to OpenSent.
  SendOpen(raw);
  return Status::Ok();
}

void BgpSpeaker::Accept(int lfd) {
  for (;;) {
    sockaddr_storage ss{};
    socklen_t len = sizeof ss;
    const int fd =
        ::accept4(lfd, reinterpret_cast<sockaddr*>(&ss), &len, SOCK_CLOEXEC | SOCK_NONBLOCK);
    if (fd < 0) return;
    (void)Adopt(fd, FromSockaddr(ss));
  }
}

void BgpSpeaker::Send(Session* s, const std::vector<uint8_t>& msg) {
  if (s->state == State::kClosed) return;
  s->out.insert(s->out.end(), msg.begin(), msg.end());
  OnWritable(s);
}

void BgpSpeaker::OnWritable(Session* s) {
  while (!s->out.empty()) {
    const ssize_t n = ::send(s->fd, s->out.data(), s->out.size(), MSG_NOSIGNAL);
    if (n < 0) {
      if (errno == EAGAIN || errno == EWOULDBLOCK) break;
      if (errno == EINTR) continue;
      s->out.clear();
      Close(s, true);
      return;
    }
    s->out.erase(s->out.begin(), s->out.begin() + n);
  }
  const bool want = !s->out.empty();
  if (want != s->want_out) {
    epoll_event ev{};
    ev.events = want ? (EPOLLIN | EPOLLOUT) : EPOLLIN;
    ev.data.fd = s->fd;
    ::epoll_ctl(epfd_, EPOLL_CTL_MOD, s->fd, &ev);
    s->want_out = want;
  }
}

void BgpSpeaker::SendOpen(Session* s) {
  // RFC 4271 §4.2, RFC 5492 capabilities in one optional parameter.
  std::vector<uint8_t> caps;
  auto cap = [&](uint8_t code, const std::vector<uint8_t>& v) {
    caps.push_back(code);
    caps.push_back(static_cast<uint8_t>(v.size()));
    caps.insert(caps.end(), v.begin(), v.end());
  };
  cap(kCapMp, {0, bgp::kAfiIpv4, 0, bgp::kSafiUnicast});  // RFC 4760 §8
  cap(kCapMp, {0, bgp::kAfiIpv6, 0, bgp::kSafiUnicast});
  cap(kCapRouteRefresh, {});  // RFC 2918 §2
  {
    // RFC 4724 §3: restart time and no AFI/SAFI: we keep no forwarding
    // state but help a restarting peer.
    std::vector<uint8_t> v;
    PutU16(&v, config_.graceful_restart_time & 0x0FFF);
    cap(kCapGracefulRestart, v);
  }
  {
    std::vector<uint8_t> v;
    PutU32(&v, config_.local_asn);  // RFC 6793 §3
    cap(kCapAs4, v);
  }
  // RFC 7911 §4: Send/Receive = 1, receive only, for both families.
  cap(kCapAddPath,
      {0, bgp::kAfiIpv4, bgp::kSafiUnicast, 1, 0, bgp::kAfiIpv6, bgp::kSafiUnicast, 1});
  if (config_.role) cap(kCapRole, {static_cast<uint8_t>(*config_.role)});  // RFC 9234 §4.1
  std::vector<uint8_t> body;
  body.push_back(4);
  PutU16(&body, config_.local_asn > 0xFFFF ? kAsTrans : static_cast<uint16_t>(config_.local_asn));
  PutU16(&body, config_.hold_time);
  PutU32(&body, config_.bgp_id.v4());
  body.push_back(static_cast<uint8_t>(caps.size() + 2));
  body.push_back(2);  // optional parameter type 2: capabilities
  body.push_back(static_cast<uint8_t>(caps.size()));
  body.insert(body.end(), caps.begin(), caps.end());
  Send(s, Message(bgp::kMsgOpen, body));
  s->state = State::kOpenSent;
}

void BgpSpeaker::SendKeepalive(Session* s) {
  Send(s, Message(bgp::kMsgKeepalive, {}));
  if (s->hold) s->keepalive_deadline = Clock::now() + std::chrono::seconds(s->hold / 3);
}

void BgpSpeaker::Fail(Session* s, uint8_t code, uint8_t subcode, std::vector<uint8_t> data) {
  if (s->state == State::kClosed) return;
  std::vector<uint8_t> body{code, subcode};
  body.insert(body.end(), data.begin(), data.end());
  Send(s, Message(bgp::kMsgNotification, body));
  ++stats_.notifications_sent;
  stats_.last_sent_code = code;
  stats_.last_sent_subcode = subcode;
  sink_->Problem(FeedProblem{FeedProblem::Kind::kNote, config_.collector, FeedProblem::kNoOffset,
                             fmt::format("BGP session with {}: sent NOTIFICATION {}/{}",
                                         s->ip.ToString(), code, subcode)});
  // RFC 4271 §6: after a NOTIFICATION the connection is closed; routes go
  // (RFC 4724 does not apply: the session did not fail, we ended it).
  Close(s, false);
}

void BgpSpeaker::Close(Session* s, bool graceful) {
  if (s->state == State::kClosed) return;
  const bool was_established = s->state == State::kEstablished;
  s->state = State::kClosed;
  ::shutdown(s->fd, SHUT_RDWR);
  PeerState* p = s->peer;
  if (!p || p->session != s || !was_established) return;
  p->session = nullptr;
  if (graceful && s->gr && s->restart_time > 0) {
    // RFC 4724 §4.2: the peer restarts; keep its routes, marked stale,
    // for up to its restart time.
    for (auto& [k, stale] : p->routes) stale = true;
    p->restart_deadline = Clock::now() + std::chrono::seconds(s->restart_time);
    p->stale_deadline.reset();
    return;
  }
  p->routes.clear();
  p->restart_deadline.reset();
  p->stale_deadline.reset();
  sink_->SessionDown(p->handle, Now());
}

BgpSpeaker::PeerState* BgpSpeaker::PeerFor(const IpAddress& ip, Asn asn) {
  auto& slot = peers_[{ip, asn}];
  if (!slot) {
    slot = std::make_unique<PeerState>();
    slot->handle = static_cast<bgp::PeerHandle>(peers_.size() - 1);
    slot->ip = ip;
    slot->asn = asn;
  }
  return slot.get();
}

void BgpSpeaker::FlushStale(PeerState* p, bool all) {
  (void)all;
  bgp::Route r;
  r.peer = p->handle;
  r.time = Now();
  for (auto it = p->routes.begin(); it != p->routes.end();) {
    if (!it->second) {
      ++it;
      continue;
    }
    r.prefix = it->first.prefix;
    r.path_id = it->first.path_id;
    r.afi = it->first.afi;
    r.safi = it->first.safi;
    sink_->Withdraw(r, bgp::WithdrawCause::kWithdrawn);
    ++stats_.stale_flushed;
    it = p->routes.erase(it);
  }
}

void BgpSpeaker::OnReadable(Session* s) {
  uint8_t buf[65536];
  // At most 16 reads per readiness, so that one busy peer cannot starve
  // the others (epoll is level-triggered: the rest is read next round).
  for (int round = 0; round < 16; ++round) {
    const ssize_t n = ::recv(s->fd, buf, sizeof buf, 0);
    if (n == 0) {
      Close(s, true);  // TCP closed by the peer
      return;
    }
    if (n < 0) {
      if (errno == EINTR) continue;
      if (errno != EAGAIN && errno != EWOULDBLOCK) Close(s, true);
      return;
    }
    arrival_ns_ =
        std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now().time_since_epoch())
            .count();
    s->in.insert(s->in.end(), buf, buf + n);
    size_t pos = 0;
    while (s->state != State::kClosed && s->in.size() - pos >= bgp::kHeaderSize) {
      const uint8_t* m = s->in.data() + pos;
      // RFC 4271 §6.1: header errors.
      for (int i = 0; i < 16; ++i) {
        if (m[i] != 0xFF) return Fail(s, 1, 1);  // Connection Not Synchronized
      }
      const uint16_t len = GetU16(m + 16);
      const uint8_t type = m[18];
      auto bad_length = [&] {
        Fail(s, 1, 2, {static_cast<uint8_t>(len >> 8), static_cast<uint8_t>(len)});
      };
      if (len < bgp::kHeaderSize || len > kMaxMessage) return bad_length();
      if (type < bgp::kMsgOpen || type > bgp::kMsgRouteRefresh) return Fail(s, 1, 3, {type});
      if ((type == bgp::kMsgOpen && len < 29) || (type == bgp::kMsgUpdate && len < 23) ||
          (type == bgp::kMsgNotification && len < 21) ||
          (type == bgp::kMsgKeepalive && len != 19) ||
          (type == bgp::kMsgRouteRefresh && len != 23)) {
        return bad_length();
      }
      if (s->in.size() - pos < len) break;
      if (!HandleMessage(s, m, len)) return;
      pos += len;
    }
    if (s->state == State::kClosed) return;
    s->in.erase(s->in.begin(), s->in.begin() + static_cast<ptrdiff_t>(pos));
  }
}

bool BgpSpeaker::HandleMessage(Session* s, const uint8_t* msg, size_t len) {
  const uint8_t type = msg[18];
  if (type == bgp::kMsgNotification) {
    ++stats_.notifications_received;
    stats_.last_received_code = msg[19];
    stats_.last_received_subcode = msg[20];
    sink_->Problem(FeedProblem{FeedProblem::Kind::kNote, config_.collector, FeedProblem::kNoOffset,
                               fmt::format("BGP session with {}: received NOTIFICATION {}/{}",
                                           s->ip.ToString(), msg[19], msg[20])});
    Close(s, false);  // RFC 4271 §8.2.2: NotifMsg -> Idle, routes deleted
    return false;
  }
  switch (s->state) {
    case State::kOpenSent:
      if (type != bgp::kMsgOpen) {
        Fail(s, 5, 1);  // RFC 6608 §4: unexpected message in OpenSent
        return false;
      }
      return HandleOpen(s, msg + bgp::kHeaderSize, len - bgp::kHeaderSize);
    case State::kOpenConfirm:
      if (type != bgp::kMsgKeepalive) {
        Fail(s, 5, 2);  // RFC 6608 §4: unexpected message in OpenConfirm
        return false;
      }
      // RFC 4271 §8.2.2 (OpenConfirm, KeepAliveMsg): Established.
      s->state = State::kEstablished;
      ++stats_.established;
      if (s->hold) s->hold_deadline = Clock::now() + std::chrono::seconds(s->hold);
      {
        PeerState* p = PeerFor(s->ip, s->peer_asn);
        if (p->session && p->session != s) Close(p->session, true);
        if (p->routes.empty()) {
          // The sink is told about the peer once; a new session keeps its handle.
        }
        s->peer = p;
        p->session = s;
        p->restart_deadline.reset();
        bool stale = false;
        for (auto& [k, st] : p->routes) stale |= st;
        if (stale) {
          if (s->gr) {
            p->stale_deadline = Clock::now() + config_.stale_routes_time;
          } else {
            FlushStale(p, true);  // RFC 4724 §4.2: no GR capability any more
          }
        }
      }
      return true;
    case State::kEstablished:
      if (s->hold) s->hold_deadline = Clock::now() + std::chrono::seconds(s->hold);
      if (type == bgp::kMsgKeepalive || type == bgp::kMsgRouteRefresh) return true;
      if (type == bgp::kMsgUpdate) return HandleUpdate(s, msg, len);
      Fail(s, 5, 3);  // RFC 6608 §4: unexpected message in Established
      return false;
    case State::kClosed:
      return false;
  }
  return false;
}

bool BgpSpeaker::HandleOpen(Session* s, const uint8_t* b, size_t len) {
  // RFC 4271 §6.2: OPEN message error handling.
  const uint8_t version = b[0];
  const uint16_t my_as = GetU16(b + 1);
  const uint16_t hold = GetU16(b + 3);
  const uint32_t id = GetU32(b + 5);
  const uint8_t opt_len = b[9];
  if (version != 4) {
    Fail(s, 2, 1, {0, 4});  // Unsupported Version Number; data: the largest we support
    return false;
  }
  if (10 + size_t{opt_len} != len) {
    Fail(s, 1, 2, {static_cast<uint8_t>((len + 19) >> 8), static_cast<uint8_t>(len + 19)});
    return false;
  }
  if (hold == 1 || hold == 2) {
    Fail(s, 2, 6);  // Unacceptable Hold Time
    return false;
  }
  Asn asn = my_as;
  bool as4 = false;
  bool ap4 = false, ap6 = false, gr = false;
  uint16_t restart_time = 0;
  std::optional<BgpRole> role;
  const uint8_t* o = b + 10;
  const uint8_t* end = o + opt_len;
  while (o < end) {
    if (end - o < 2 || end - o < 2 + o[1]) {
      Fail(s, 2, 0);  // malformed optional parameters
      return false;
    }
    const uint8_t ptype = o[0], plen = o[1];
    const uint8_t* c = o + 2;
    const uint8_t* cend = c + plen;
    o = cend;
    if (ptype != 2) {
      Fail(s, 2, 4);  // Unsupported Optional Parameter
      return false;
    }
    // RFC 5492 §4: a sequence of capabilities.
    while (c < cend) {
      if (cend - c < 2 || cend - c < 2 + c[1]) {
        Fail(s, 2, 0);
        return false;
      }
      const uint8_t code = c[0], clen = c[1];
      const uint8_t* v = c + 2;
      c += 2 + clen;
      switch (code) {
        case kCapAs4:
          if (clen == 4) {
            asn = GetU32(v);
            as4 = true;
          }
          break;
        case kCapAddPath:
          for (size_t i = 0; i + 4 <= clen; i += 4) {
            const uint16_t afi = GetU16(v + i);
            // RFC 7911 §4: the peer sends path identifiers when its value is 2 or 3.
            if (v[i + 2] == bgp::kSafiUnicast && (v[i + 3] & 2)) {
              if (afi == bgp::kAfiIpv4) ap4 = true;
              if (afi == bgp::kAfiIpv6) ap6 = true;
            }
          }
          break;
        case kCapGracefulRestart:
          if (clen >= 2) {
            gr = true;
            restart_time = GetU16(v) & 0x0FFF;
          }
          break;
        case kCapRole:
          if (clen == 1 && v[0] <= 4) role = static_cast<BgpRole>(v[0]);
          break;
        default:
          break;  // RFC 5492 §3: unknown capabilities are ignored
      }
    }
  }
  if (as4 && my_as != kAsTrans && my_as != asn) {
    Fail(s, 2, 2);  // RFC 6793 §4.1 inconsistency: Bad Peer AS
    return false;
  }
  if (!config_.peers.empty()) {
    const bool ok =
        std::any_of(config_.peers.begin(), config_.peers.end(), [&](const AllowedPeer& p) {
          return (!p.ip || *p.ip == s->ip) && (p.asn == 0 || p.asn == asn);
        });
    if (!ok) {
      Fail(s, 2, 2);  // Bad Peer AS
      return false;
    }
  }
  // RFC 4271 §6.2 / RFC 6286 §2.2: 0 is never valid; the same identifier
  // inside one AS is a collision of identifiers.
  if (id == 0 || (id == config_.bgp_id.v4() && asn == config_.local_asn)) {
    Fail(s, 2, 3);  // Bad BGP Identifier
    return false;
  }
  // RFC 9234 §4.2: Role Mismatch (eBGP only; a missing role is allowed in
  // non-strict mode).
  if (config_.role && role && asn != config_.local_asn && !RolesMatch(*config_.role, *role)) {
    Fail(s, 2, 11);
    return false;
  }
  s->peer_asn = asn;
  s->peer_id = IpAddress::V4(id);
  s->as4 = as4;
  s->add_path_v4 = ap4;
  s->add_path_v6 = ap6;
  s->gr = gr;
  s->restart_time = restart_time;
  s->peer_role = role;
  // RFC 4271 §4.2: the smaller of the two hold times.
  s->hold = std::min(hold, config_.hold_time);
  if (s->hold) s->hold_deadline = Clock::now() + std::chrono::seconds(s->hold);
  // Introduce the peer to the sink before any route of it.
  const size_t before = peers_.size();
  PeerState* p = PeerFor(s->ip, asn);
  if (peers_.size() != before) {
    sink_->Peer(p->handle, bgp::PeerInfo{config_.collector, s->ip, asn, s->peer_id});
  }
  // RFC 4724 §4.2: a new OPEN from a peer whose session is still up means
  // the peer restarted: the old session is closed, its routes kept stale.
  if (p->session && p->session != s) Close(p->session, true);
  s->state = State::kOpenConfirm;
  SendKeepalive(s);
  return true;
}

bool BgpSpeaker::HandleUpdate(Session* s, const uint8_t* msg, size_t len) {
  ++stats_.updates;
  PeerState* p = s->peer;
  bgp::AttrContext ctx;
  ctx.as_size = s->as4 ? 4 : 2;
  bgp::BgpMessage& m = *scratch_;
  Status st;
  if (s->add_path_v4 == s->add_path_v6) {
    ctx.add_path = s->add_path_v4;
    st = m.Decode({msg, len}, ctx);
  } else {
    // RFC 7911 §4: ADD-PATH is negotiated per AFI/SAFI, the decoder takes
    // one flag. The attribute block (MP_REACH/MP_UNREACH: IPv6) is decoded
    // with the IPv6 setting, the IPv4 withdrawn routes and NLRI fields
    // (RFC 4271 §4.3) here with the IPv4 one.
    ctx.add_path = s->add_path_v6;
    const uint8_t* b = msg + bgp::kHeaderSize;
    const size_t blen = len - bgp::kHeaderSize;
    const size_t wlen = GetU16(b);
    if (2 + wlen + 2 > blen) {
      st = Status::Corrupt("RFC 4271 §4.3: withdrawn routes length exceeds the message");
    } else {
      const size_t alen = GetU16(b + 2 + wlen);
      if (4 + wlen + alen > blen) {
        st = Status::Corrupt("RFC 4271 §4.3: path attribute length exceeds the message");
      } else {
        m.warning.clear();
        m.add_path_detected = false;
        m.update.withdrawn.clear();
        m.update.nlri.clear();
        st = bgp::DecodeNlri({b + 2, wlen}, Family::kIpv4, s->add_path_v4, &m.update.withdrawn);
        (void)m.update.attrs.Decode({b + 4 + wlen, alen}, ctx);  // RFC 7606: errors in attrs
        if (st.ok()) {
          st = bgp::DecodeNlri({b + 4 + wlen + alen, blen - 4 - wlen - alen}, Family::kIpv4,
                               s->add_path_v4, &m.update.nlri);
        }
      }
    }
  }
  if (!st.ok()) {
    // RFC 7606 §3 j, §5.3: what cannot be parsed as an UPDATE resets the
    // session (Malformed Attribute List).
    sink_->Problem(FeedProblem{FeedProblem::Kind::kRecordSkipped, config_.collector,
                               FeedProblem::kNoOffset,
                               fmt::format("UPDATE from {}: {}", s->ip.ToString(), st.message())});
    Fail(s, 3, 1);
    return false;
  }
  const bgp::Update& u = m.update;
  const bgp::PathAttributes& a = u.attrs;
  if (!m.warning.empty()) {
    sink_->Problem(FeedProblem{FeedProblem::Kind::kRepaired, config_.collector,
                               FeedProblem::kNoOffset,
                               fmt::format("UPDATE from {}: {}", s->ip.ToString(), m.warning)});
  }
  for (const bgp::AttrError& e : a.errors()) {
    sink_->Problem(FeedProblem{
        e.action == bgp::AttrAction::kTreatAsWithdraw ? FeedProblem::Kind::kRouteWithdrawn
                                                      : FeedProblem::Kind::kAttributeDiscarded,
        config_.collector, FeedProblem::kNoOffset,
        fmt::format("UPDATE from {}: {}: {}", s->ip.ToString(), e.rule, e.message)});
  }
  // RFC 4724 §2: End-of-RIB is an UPDATE with nothing but an empty
  // withdrawal (IPv4) or an empty MP_UNREACH_NLRI (other families).
  const bool eor_v4 = len == 23;
  const bool eor_mp = u.withdrawn.empty() && u.nlri.empty() && a.mp_reach_count == 0 &&
                      a.mp_unreach_count == 1 && a.mp_unreach[0].nlri.empty();
  if (eor_v4 || eor_mp) {
    const uint16_t afi = eor_v4 ? bgp::kAfiIpv4 : a.mp_unreach[0].afi;
    const uint8_t safi = eor_v4 ? bgp::kSafiUnicast : a.mp_unreach[0].safi;
    bgp::Route r;
    r.peer = p->handle;
    r.time = Now();
    for (auto it = p->routes.begin(); it != p->routes.end();) {
      if (it->second && it->first.afi == afi && it->first.safi == safi) {
        r.prefix = it->first.prefix;
        r.path_id = it->first.path_id;
        r.afi = afi;
        r.safi = safi;
        sink_->Withdraw(r, bgp::WithdrawCause::kWithdrawn);
        ++stats_.stale_flushed;
        it = p->routes.erase(it);
      } else {
        ++it;
      }
    }
    return true;
  }
  bgp::Route r;
  r.peer = p->handle;
  r.time = Now();
  r.source = bgp::RouteSource::kUpdate;
  // The Adj-RIB-In keys serve graceful restart only (RFC 4724 §4.2: stale
  // marking, End-of-RIB and timer flushes). Without the capability the
  // session's routes are dropped when it ends and, once Established, no
  // stale route of an earlier session is left (they were flushed), so the
  // keys are not kept: one hash insert per prefix saved.
  const bool track = s->gr;
  auto emit = [&](const std::vector<bgp::NlriEntry>& list, uint16_t afi, uint8_t safi, bool reach) {
    r.afi = afi;
    r.safi = safi;
    for (const bgp::NlriEntry& n : list) {
      r.prefix = n.prefix;
      r.path_id = n.path_id;
      const RouteKey k{n.prefix, n.path_id, afi, safi};
      if (!reach) {
        if (!p->routes.empty()) p->routes.erase(k);
        sink_->Withdraw(r, bgp::WithdrawCause::kWithdrawn);
      } else if (a.withdrawn()) {
        if (!p->routes.empty()) p->routes.erase(k);
        sink_->Withdraw(r, bgp::WithdrawCause::kTreatAsWithdraw);
      } else {
        if (track) p->routes[k] = false;
        sink_->Announce(r, a);
      }
    }
  };
  emit(u.withdrawn, bgp::kAfiIpv4, bgp::kSafiUnicast, false);
  for (size_t i = 0; i < a.mp_unreach_count; ++i) {
    emit(a.mp_unreach[i].nlri, a.mp_unreach[i].afi, a.mp_unreach[i].safi, false);
  }
  r.attr_set = ++attr_set_;
  emit(u.nlri, bgp::kAfiIpv4, bgp::kSafiUnicast, true);
  for (size_t i = 0; i < a.mp_reach_count; ++i) {
    emit(a.mp_reach[i].nlri, a.mp_reach[i].afi, a.mp_reach[i].safi, true);
  }
  return true;
}

void BgpSpeaker::Timers() {
  const auto now = Clock::now();
  for (auto& [fd, sp] : sessions_) {
    Session* s = sp.get();
    if (s->state == State::kClosed) continue;
    const bool timed = s->state == State::kOpenSent || s->hold > 0;
    if (timed && now >= s->hold_deadline) {
      Fail(s, 4, 0);  // RFC 4271 §6.5: Hold Timer Expired
      continue;
    }
    if (s->hold > 0 && s->state != State::kOpenSent && now >= s->keepalive_deadline) {
      SendKeepalive(s);  // RFC 4271 §4.4: every hold/3
    }
  }
  for (auto& [key, p] : peers_) {
    if (p->restart_deadline && now >= *p->restart_deadline) {
      // RFC 4724 §4.2: no new session within the restart time: the stale
      // routes go.
      p->restart_deadline.reset();
      stats_.stale_flushed += p->routes.size();
      p->routes.clear();
      sink_->SessionDown(p->handle, Now());
    }
    if (p->stale_deadline && now >= *p->stale_deadline) {
      p->stale_deadline.reset();
      FlushStale(p.get(), true);  // RFC 4724 §4.2 stale routes timer
    }
  }
}

Status BgpSpeaker::RunOnce(int timeout_ms) {
  // Wake for the nearest timer.
  const auto now = Clock::now();
  auto nearest = now + std::chrono::milliseconds(timeout_ms);
  for (auto& [fd, s] : sessions_) {
    if (s->state == State::kClosed) continue;
    if (s->state == State::kOpenSent || s->hold) nearest = std::min(nearest, s->hold_deadline);
    if (s->hold && s->state != State::kOpenSent) nearest = std::min(nearest, s->keepalive_deadline);
  }
  for (auto& [k, p] : peers_) {
    if (p->restart_deadline) nearest = std::min(nearest, *p->restart_deadline);
    if (p->stale_deadline) nearest = std::min(nearest, *p->stale_deadline);
  }
  const int wait = static_cast<int>(std::max<int64_t>(
      0, std::chrono::duration_cast<std::chrono::milliseconds>(nearest - now).count() + 1));
  epoll_event events[64];
  const int n = ::epoll_wait(epfd_, events, 64, wait);
  if (n < 0 && errno != EINTR)
    return Status::IoError(fmt::format("epoll_wait: {}", std::strerror(errno)));
  for (int i = 0; i < n; ++i) {
    const int fd = events[i].data.fd;
    if (std::find(listen_fds_.begin(), listen_fds_.end(), fd) != listen_fds_.end()) {
      Accept(fd);
      continue;
    }
    auto it = sessions_.find(fd);
    if (it == sessions_.end()) continue;
    Session* s = it->second.get();
    if (s->state != State::kClosed && (events[i].events & EPOLLOUT)) OnWritable(s);
    if (s->state != State::kClosed && (events[i].events & (EPOLLIN | EPOLLHUP | EPOLLERR))) {
      OnReadable(s);
    }
  }
  Timers();
  for (auto it = sessions_.begin(); it != sessions_.end();) {
    if (it->second->state == State::kClosed) {
      ::epoll_ctl(epfd_, EPOLL_CTL_DEL, it->first, nullptr);
      ::close(it->first);
      it = sessions_.erase(it);
    } else {
      ++it;
    }
  }
  return Status::Ok();
}

std::vector<SessionStatus> BgpSpeaker::Sessions() const {
  std::vector<SessionStatus> out;
  for (const auto& [fd, s] : sessions_) {
    if (s->state == State::kClosed) continue;
    out.push_back(SessionStatus{s->ip, s->peer_asn, StateName(s->state), s->hold, s->add_path_v4,
                                s->add_path_v6, s->gr, s->peer_role});
  }
  return out;
}

size_t BgpSpeaker::EstablishedCount() const {
  return static_cast<size_t>(std::count_if(sessions_.begin(), sessions_.end(), [](const auto& e) {
    return e.second->state == State::kEstablished;
  }));
}

}  // namespace vigia::live
