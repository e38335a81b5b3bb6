// BmpStation: see station.h. RFC 7854 §3.2 (the router opens the TCP
// connection to the station; the station sends nothing), §3.3 (when the
// session ends the router's data is stale).
#include "bmp/station.h"

#include <arpa/inet.h>
#include <fmt/format.h>
#include <netinet/in.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <set>
#include <tuple>
#include <utility>

#include "core/net_listen.h"

namespace vigia::bmp {

namespace {

using bgp::FeedProblem;

// Caps on what one readiness may take from one router, so that a busy
// router cannot starve the others (epoll is level-triggered: the rest is
// read next round).
constexpr size_t kReadChunk = 65536;
constexpr int kReadsPerWake = 16;
// epoll data of a listening socket: the fd with the top bit set (a
// connection's is its Connection pointer, which never has it: user-space
// addresses are below 2^47 on x86-64 and 2^52 on arm64).
constexpr uint64_t kListenTag = uint64_t{1} << 63;

int64_t SteadyNs() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

bgp::RouteTime WallNow() {
  const auto us = std::chrono::duration_cast<std::chrono::microseconds>(
                      std::chrono::system_clock::now().time_since_epoch())
                      .count();
  return bgp::RouteTime{static_cast<uint32_t>(us / 1000000), static_cast<uint32_t>(us % 1000000)};
}

}  // namespace

struct BmpStation::Connection {
  int fd = -1;
  RouterStatus status;
  std::string where;  // "<station> router <address>"
  BmpReader reader;
  Message message;
  // Peers with a peer up and no peer down yet: (distinguisher, address, AS).
  std::set<std::tuple<uint64_t, IpAddress, Asn>> peers;
  bool closed = false;
  bool fatal = false;  // the reader lost the framing (already reported)

  explicit Connection(size_t max_message) : reader(max_message) {}
};

BmpStation::BmpStation(StationConfig config, bgp::RouteSink* sink)
    : config_(std::move(config)), sink_(sink), feed_(config_.name) {
  epfd_ = ::epoll_create1(EPOLL_CLOEXEC);
}

BmpStation::~BmpStation() {
  for (auto& c : connections_) {
    if (c->fd >= 0) ::close(c->fd);
  }
  for (int fd : listen_fds_) ::close(fd);
  if (epfd_ >= 0) ::close(epfd_);
}

Status BmpStation::Listen(std::string_view address) {
  if (epfd_ < 0) return Status::IoError(fmt::format("epoll_create1: {}", std::strerror(errno)));
  auto sock = net::ListenTcp(address, "BMP station: ");
  if (!sock.ok()) return sock.status();
  const int fd = sock.value().fd;
  port_ = sock.value().port;
  epoll_event ev{};
  ev.events = EPOLLIN;
  ev.data.u64 = kListenTag | static_cast<uint32_t>(fd);
  ::epoll_ctl(epfd_, EPOLL_CTL_ADD, fd, &ev);
  listen_fds_.push_back(fd);
  return Status::Ok();
}

void BmpStation::Accept(int listen_fd) {
  for (;;) {
    sockaddr_storage ss{};
    socklen_t len = sizeof ss;
    const int fd =
        ::accept4(listen_fd, reinterpret_cast<sockaddr*>(&ss), &len, SOCK_CLOEXEC | SOCK_NONBLOCK);
    if (fd < 0) return;  // EAGAIN: all taken; other errors: try next round
    const auto [ip, port] = net::FromSockaddr(ss);
    if (!config_.routers.empty() &&
        std::find(config_.routers.begin(), config_.routers.end(), ip) == config_.routers.end()) {
      ::close(fd);
      ++stats_.refused;
      sink_->Problem(FeedProblem{
          FeedProblem::Kind::kNote, config_.name, FeedProblem::kNoOffset,
          fmt::format("BMP connection from {} refused: not an allowed router", ip.ToString())});
      continue;
    }
    // The same router again: its old session is dead (see station.h).
    // Closed ones stay owned until RunOnce's sweep (the round's events
    // may still point at them).
    size_t live = 0;
    for (auto& c : connections_) {
      if (!c->closed && c->status.address == ip) Close(c.get());
      if (!c->closed) ++live;
    }
    if (live >= config_.max_routers) {
      ::close(fd);
      ++stats_.refused;
      sink_->Problem(FeedProblem{
          FeedProblem::Kind::kNote, config_.name, FeedProblem::kNoOffset,
          fmt::format("BMP connection from {} refused: already {} routers (max_routers)",
                      ip.ToString(), live)});
      continue;
    }
    auto c = std::make_unique<Connection>(config_.max_message);
    c->fd = fd;
    c->status.address = ip;
    c->status.port = port;
    c->where = fmt::format("{} router {}", config_.name, ip.ToString());
    epoll_event ev{};
    ev.events = EPOLLIN | EPOLLRDHUP;
    ev.data.ptr = c.get();
    ::epoll_ctl(epfd_, EPOLL_CTL_ADD, fd, &ev);
    connections_.push_back(std::move(c));
    ++stats_.accepted;
  }
}

void BmpStation::Close(Connection* c) {
  if (c->closed) return;
  c->closed = true;
  ::epoll_ctl(epfd_, EPOLL_CTL_DEL, c->fd, nullptr);
  ::close(c->fd);
  c->fd = -1;
  ++stats_.closed;
  if (c->reader.buffered() > 0 && !c->fatal) {
    ++stats_.errors;
    sink_->Problem(FeedProblem{
        FeedProblem::Kind::kTruncated, c->where, c->reader.pending_offset(),
        fmt::format("session ends inside a message ({} octets)", c->reader.buffered())});
  }
  // RFC 7854 §3.3: the session is gone, so is what the router reported.
  feed_.RouterDown(c->status.address, WallNow(), sink_);
}

void BmpStation::CloseAll() {
  for (auto& c : connections_) Close(c.get());
  connections_.clear();
}

void BmpStation::OnReadable(Connection* c) {
  uint8_t buf[kReadChunk];
  for (int round = 0; round < kReadsPerWake && !c->closed; ++round) {
    const ssize_t n = ::recv(c->fd, buf, sizeof buf, 0);
    if (n == 0) {
      Close(c);  // the router closed the session
      return;
    }
    if (n < 0) {
      if (errno == EINTR) continue;
      if (errno != EAGAIN && errno != EWOULDBLOCK) Close(c);  // reset
      return;
    }
    arrival_ns_ = SteadyNs();
    c->status.bytes += static_cast<uint64_t>(n);
    stats_.bytes += static_cast<uint64_t>(n);
    c->reader.Append(std::span<const uint8_t>(buf, static_cast<size_t>(n)));
    for (bool more = true; more && !c->closed;) {
      switch (c->reader.Next(&c->message)) {
        case BmpReader::Step::kMessage: {
          const Message& m = c->message;
          ++c->status.messages;
          ++stats_.messages;
          if (m.type == kRouteMonitoring) ++c->status.route_monitoring;
          if (m.type == kInitiation) {
            // RFC 7854 §4.3: sysDescr and sysName TLVs.
            for (const Tlv& t : m.tlvs) {
              if (t.type == kInfoSysName) c->status.sys_name = std::string(t.text());
              if (t.type == kInfoSysDescr) c->status.sys_descr = std::string(t.text());
            }
          } else if (m.type == kPeerUp) {
            c->peers.insert({m.peer.distinguisher, m.peer.address, m.peer.as});
          } else if (m.type == kPeerDown) {
            c->peers.erase({m.peer.distinguisher, m.peer.address, m.peer.as});
          } else if (m.type == kTermination) {
            c->peers.clear();
          }
          c->status.peers_up = static_cast<uint32_t>(c->peers.size());
          feed_.Feed(m, c->status.address, c->where, c->reader.offset(), sink_);
          break;
        }
        case BmpReader::Step::kBad:
          // The framing is intact: skip the message, keep the session.
          ++stats_.errors;
          sink_->Problem(FeedProblem{FeedProblem::Kind::kRecordSkipped, c->where,
                                     c->reader.offset(), c->reader.error().message()});
          break;
        case BmpReader::Step::kFatal:
          // No way to find the next message: end the session (reader.h).
          ++stats_.errors;
          c->fatal = true;
          sink_->Problem(FeedProblem{FeedProblem::Kind::kBytesSkipped, c->where, c->reader.offset(),
                                     c->reader.error().message() + "; connection closed"});
          Close(c);
          return;
        case BmpReader::Step::kNeedMore:
          more = false;
          break;
      }
    }
  }
}

Status BmpStation::RunOnce(int timeout_ms) {
  if (epfd_ < 0) return Status::IoError("BMP station: no epoll instance");
  epoll_event events[64];
  const int n = ::epoll_wait(epfd_, events, 64, timeout_ms);
  if (n < 0 && errno != EINTR) {
    return Status::IoError(fmt::format("epoll_wait: {}", std::strerror(errno)));
  }
  // Accept first, so that a router reconnecting replaces its old session
  // before the old one's last bytes or FIN are read this round.
  for (int i = 0; i < n; ++i) {
    if (events[i].data.u64 & kListenTag) Accept(static_cast<int>(events[i].data.u64 & 0xFFFFFFFF));
  }
  for (int i = 0; i < n; ++i) {
    if (events[i].data.u64 & kListenTag) continue;
    auto* c = static_cast<Connection*>(events[i].data.ptr);
    // A connection closed earlier in this round (replaced by a reconnect)
    // is still owned until the sweep below, so the pointer is valid.
    if (!c->closed) OnReadable(c);
  }
  std::erase_if(connections_, [](const auto& c) { return c->closed; });
  return Status::Ok();
}

std::vector<RouterStatus> BmpStation::Routers() const {
  std::vector<RouterStatus> out;
  for (const auto& c : connections_) {
    if (!c->closed) out.push_back(c->status);
  }
  return out;
}

}  // namespace vigia::bmp
