#include "serve/http_server.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <fmt/format.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <memory>
#include <mutex>
#include <optional>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

namespace vigia::serve {

namespace {

using Clock = std::chrono::steady_clock;

// "1.2.3.4" / "::1" and the port of a socket address.
void AddressText(const sockaddr_storage& a, std::string* ip, int* port) {
  char buf[INET6_ADDRSTRLEN] = {};
  if (a.ss_family == AF_INET) {
    const auto* v4 = reinterpret_cast<const sockaddr_in*>(&a);
    inet_ntop(AF_INET, &v4->sin_addr, buf, sizeof buf);
    *port = ntohs(v4->sin_port);
  } else if (a.ss_family == AF_INET6) {
    const auto* v6 = reinterpret_cast<const sockaddr_in6*>(&a);
    inet_ntop(AF_INET6, &v6->sin6_addr, buf, sizeof buf);
    *port = ntohs(v6->sin6_port);
  }
  *ip = buf;
}

// One request, already read whole, given to cpp-httplib as its Stream; the
// answer goes to the socket, each write waiting at most `write_seconds`.
class BufferStream : public httplib::Stream {
 public:
  BufferStream(int fd, std::string_view in, const std::string& ip, int port,
               const std::string& local_ip, int local_port, int write_seconds)
      : fd_(fd),
        in_(in),
        ip_(ip),
        port_(port),
        local_ip_(local_ip),
        local_port_(local_port),
        write_ms_(write_seconds * 1000) {}

  bool is_readable() const override { return pos_ < in_.size(); }
  bool is_writable() const override {
    pollfd p{fd_, POLLOUT, 0};
    return poll(&p, 1, write_ms_) > 0 && (p.revents & POLLOUT) != 0;
  }
  ssize_t read(char* ptr, size_t size) override {
    const size_t n = std::min(size, in_.size() - pos_);
    std::memcpy(ptr, in_.data() + pos_, n);
    pos_ += n;
    return static_cast<ssize_t>(n);
  }
  ssize_t write(const char* ptr, size_t size) override {
    if (!is_writable()) return -1;
    return send(fd_, ptr, size, MSG_NOSIGNAL);
  }
  void get_remote_ip_and_port(std::string& ip, int& port) const override {
    ip = ip_;
    port = port_;
  }
  void get_local_ip_and_port(std::string& ip, int& port) const override {
    ip = local_ip_;
    port = local_port_;
  }
  socket_t socket() const override { return fd_; }

 private:
  int fd_;
  std::string_view in_;
  size_t pos_ = 0;
  const std::string& ip_;
  int port_;
  const std::string& local_ip_;
  int local_port_;
  int write_ms_;
};

const char* Reason(int status) {
  switch (status) {
    case 400:
      return "Bad Request";
    case 408:
      return "Request Timeout";
    case 411:
      return "Length Required";
    case 413:
      return "Payload Too Large";
    case 431:
      return "Request Header Fields Too Large";
    default:
      return "Service Unavailable";
  }
}

// A whole answer with a short JSON body, the connection to be closed.
std::string Refusal(int status, std::string_view message) {
  const std::string body = fmt::format(R"({{"error":"{}","status":{}}})", message, status);
  return fmt::format(
      "HTTP/1.1 {} {}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: "
      "close\r\n\r\n{}",
      status, Reason(status), body.size(), body);
}

bool EqualsNoCase(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

}  // namespace

// The accept layer: one epoll thread reads every connection and hands each
// complete request to a worker (see http_server.h).
class HttpServer::Loop {
 public:
  explicit Loop(HttpServer& s) : s_(s), lim_(s.limits_), pool_(s.limits_.workers) {}

  Status Run() {
    ep_ = epoll_create1(EPOLL_CLOEXEC);
    wake_ = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    if (ep_ < 0 || wake_ < 0) return Status::IoError(std::string("epoll: ") + std::strerror(errno));
    Watch(s_.listen_fd_);
    Watch(s_.stop_fd_);
    Watch(wake_);
    epoll_event events[256];
    while (!s_.stopping_.load()) {
      const int n = epoll_wait(ep_, events, 256, 200);
      if (n < 0 && errno != EINTR)
        return Status::IoError(std::string("epoll_wait: ") + std::strerror(errno));
      for (int i = 0; i < n; ++i) {
        const int fd = events[i].data.fd;
        if (fd == s_.listen_fd_) {
          AcceptAll();
        } else if (fd == wake_ || fd == s_.stop_fd_) {
          uint64_t x;
          static_cast<void>(::read(fd, &x, sizeof x));
        } else if (auto it = conns_.find(fd); it != conns_.end()) {
          OnReadable(it->second);
        }
      }
      TakeBack();
      Expire();
    }
    // Stop: no new connections, no half-read requests; the requests in
    // flight are answered.
    for (auto& [fd, c] : conns_) {
      if (c.state != State::kWorking) ::close(fd);
    }
    pool_.shutdown();
    TakeBack();
    ::close(ep_);
    ::close(wake_);
    return Status::Ok();
  }

 private:
  enum class State { kReading, kWorking, kLingering };
  struct Conn {
    int fd = -1;
    State state = State::kReading;
    std::string in;  // read, not yet answered
    Clock::time_point deadline;
    size_t served = 0;
    size_t dropped = 0;      // bytes read and dropped while lingering
    bool continued = false;  // "100 Continue" sent for the request being read
    std::string ip, local_ip;
    int port = 0, local_port = 0;
  };

  void Watch(int fd) {
    epoll_event ev{};
    ev.events = EPOLLIN;
    ev.data.fd = fd;
    epoll_ctl(ep_, EPOLL_CTL_ADD, fd, &ev);
  }

  void AcceptAll() {
    for (;;) {
      sockaddr_storage peer{};
      socklen_t len = sizeof peer;
      const int fd = accept4(s_.listen_fd_, reinterpret_cast<sockaddr*>(&peer), &len,
                             SOCK_NONBLOCK | SOCK_CLOEXEC);
      if (fd < 0) {
        if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS || errno == ENOMEM) {
          // Out of descriptors: the listening socket stays readable, so stop
          // watching it for a moment rather than spin.
          epoll_ctl(ep_, EPOLL_CTL_DEL, s_.listen_fd_, nullptr);
          accept_paused_until_ = Clock::now() + std::chrono::milliseconds(100);
        }
        return;
      }
      if (conns_.size() >= lim_.max_connections) {
        const std::string r = Refusal(503, "too many connections; try again later");
        static_cast<void>(send(fd, r.data(), r.size(), MSG_NOSIGNAL | MSG_DONTWAIT));
        ::close(fd);
        continue;
      }
      // cpp-httplib writes the headers and the body with two send() calls;
      // with Nagle's algorithm on, the body waits for the client's delayed
      // ACK of the headers (40 ms on Linux) on every keep-alive request but
      // the first.
      const int one = 1;
      setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
      Conn& c = conns_[fd];
      c.fd = fd;
      AddressText(peer, &c.ip, &c.port);
      sockaddr_storage local{};
      len = sizeof local;
      if (getsockname(fd, reinterpret_cast<sockaddr*>(&local), &len) == 0)
        AddressText(local, &c.local_ip, &c.local_port);
      c.deadline = Clock::now() + std::chrono::seconds(lim_.request_seconds);
      Watch(fd);
    }
  }

  void OnReadable(Conn& c) {
    char buf[16384];
    for (;;) {
      const ssize_t n = recv(c.fd, buf, sizeof buf, 0);
      if (n > 0) {
        if (c.state == State::kLingering) {
          c.dropped += static_cast<size_t>(n);
          if (c.dropped > 16 * 1024 * 1024) return Close(c.fd);
          continue;
        }
        if (c.in.empty()) c.deadline = Clock::now() + std::chrono::seconds(lim_.request_seconds);
        c.in.append(buf, static_cast<size_t>(n));
        if (c.in.size() > lim_.max_header_bytes + lim_.max_body_bytes + 4) break;
        continue;
      }
      if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) break;
      if (n < 0 && errno == EINTR) continue;
      // The client closed (or the connection broke).
      if (c.state == State::kReading && !c.in.empty() && n == 0) {
        if (!TryDispatch(c)) Refuse(c, 400, "the request was cut short");
        if (c.state == State::kLingering) Close(c.fd);
        return;
      }
      if (c.state != State::kWorking) Close(c.fd);
      return;
    }
    if (c.state == State::kReading) TryDispatch(c);
  }

  // Hands a complete request to a worker; refuses one over a cap. True
  // when the connection was handed on or refused.
  bool TryDispatch(Conn& c) {
    const size_t end = c.in.find("\r\n\r\n");
    const std::string_view head(c.in.data(), end == std::string::npos ? c.in.size() : end + 4);
    const size_t lines = static_cast<size_t>(std::count(head.begin(), head.end(), '\n'));
    if (head.size() > lim_.max_header_bytes || lines > lim_.max_headers + 2) {
      Refuse(c, 431,
             fmt::format("request headers over {} bytes or {} lines", lim_.max_header_bytes,
                         lim_.max_headers));
      return true;
    }
    if (end == std::string::npos) return false;
    // Content-Length and Transfer-Encoding: the body to wait for.
    size_t body = 0;
    bool expect_continue = false;
    for (size_t b = head.find("\r\n") + 2; b < head.size();) {
      const size_t e = head.find("\r\n", b);
      const std::string_view line = head.substr(b, e - b);
      b = e + 2;
      const size_t colon = line.find(':');
      if (colon == std::string_view::npos) continue;
      const std::string_view name = line.substr(0, colon);
      std::string_view value = line.substr(colon + 1);
      while (!value.empty() && (value.front() == ' ' || value.front() == '\t'))
        value.remove_prefix(1);
      while (!value.empty() && (value.back() == ' ' || value.back() == '\t'))
        value.remove_suffix(1);
      if (EqualsNoCase(name, "Transfer-Encoding")) {
        Refuse(c, 411, "a request body needs Content-Length");
        return true;
      }
      if (EqualsNoCase(name, "Expect") && EqualsNoCase(value, "100-continue"))
        expect_continue = true;
      if (EqualsNoCase(name, "Content-Length")) {
        if (value.empty() || value.size() > 12 ||
            value.find_first_not_of("0123456789") != std::string_view::npos) {
          Refuse(c, 400, "bad Content-Length");
          return true;
        }
        body = std::stoull(std::string(value));
      }
    }
    if (body > lim_.max_body_bytes) {
      Refuse(c, 413, fmt::format("request body over {} bytes", lim_.max_body_bytes));
      return true;
    }
    if (c.in.size() < head.size() + body) {
      // RFC 9110 §10.1.1: a client that sent "Expect: 100-continue" waits
      // for this before it sends the body.
      if (expect_continue && c.in.size() == head.size() && !c.continued) {
        static constexpr std::string_view kContinue = "HTTP/1.1 100 Continue\r\n\r\n";
        static_cast<void>(
            send(c.fd, kContinue.data(), kContinue.size(), MSG_NOSIGNAL | MSG_DONTWAIT));
        c.continued = true;
      }
      return false;
    }
    c.continued = false;
    auto request = std::make_shared<std::string>(c.in.substr(0, head.size() + body));
    c.in.erase(0, head.size() + body);
    c.state = State::kWorking;
    epoll_ctl(ep_, EPOLL_CTL_DEL, c.fd, nullptr);
    const bool close_after = ++c.served >= lim_.keep_alive_max;
    pool_.enqueue([this, fd = c.fd, request, close_after, ip = c.ip, port = c.port,
                   lip = c.local_ip, lport = c.local_port] {
      BufferStream strm(fd, *request, ip, port, lip, lport, lim_.write_seconds);
      bool closed = false;
      const bool ok = s_.process_request(strm, close_after || s_.stopping_.load(), closed, nullptr);
      {
        std::lock_guard<std::mutex> l(mu_);
        returned_.emplace_back(fd, ok && !closed && !close_after);
      }
      const uint64_t one = 1;
      static_cast<void>(::write(wake_, &one, sizeof one));
    });
    return true;
  }

  // Connections a worker has answered: read on, or closed.
  void TakeBack() {
    std::vector<std::pair<int, bool>> back;
    {
      std::lock_guard<std::mutex> l(mu_);
      back.swap(returned_);
    }
    for (const auto& [fd, keep] : back) {
      auto it = conns_.find(fd);
      if (it == conns_.end()) continue;
      Conn& c = it->second;
      if (!keep || s_.stopping_.load()) {
        Close(fd);
        continue;
      }
      c.state = State::kReading;
      c.deadline = Clock::now() +
                   std::chrono::seconds(c.in.empty() ? lim_.idle_seconds : lim_.request_seconds);
      Watch(fd);
      if (!c.in.empty()) TryDispatch(c);  // a pipelined request
    }
  }

  // The answer, then a lingering close: the client reads it rather than a
  // reset.
  void Refuse(Conn& c, int status, std::string_view message) {
    const std::string r = Refusal(status, message);
    static_cast<void>(send(c.fd, r.data(), r.size(), MSG_NOSIGNAL | MSG_DONTWAIT));
    shutdown(c.fd, SHUT_WR);
    c.state = State::kLingering;
    c.in.clear();
    c.in.shrink_to_fit();
    c.deadline = Clock::now() + std::chrono::seconds(1);
  }

  void Expire() {
    const auto now = Clock::now();
    if (accept_paused_until_ && now >= *accept_paused_until_) {
      accept_paused_until_.reset();
      Watch(s_.listen_fd_);
    }
    std::vector<int> over;
    for (auto& [fd, c] : conns_) {
      if (c.state != State::kWorking && now >= c.deadline) over.push_back(fd);
    }
    for (int fd : over) {
      Conn& c = conns_[fd];
      if (c.state == State::kReading && !c.in.empty()) {
        Refuse(c, 408,
               fmt::format("the request did not arrive whole within {} s", lim_.request_seconds));
      } else {
        Close(fd);
      }
    }
  }

  void Close(int fd) {
    epoll_ctl(ep_, EPOLL_CTL_DEL, fd, nullptr);
    ::close(fd);
    conns_.erase(fd);
  }

  HttpServer& s_;
  const HttpLimits& lim_;
  httplib::ThreadPool pool_;
  int ep_ = -1, wake_ = -1;
  std::optional<Clock::time_point> accept_paused_until_;
  std::unordered_map<int, Conn> conns_;  // only the loop's thread
  std::mutex mu_;
  std::vector<std::pair<int, bool>> returned_;  // under mu_: fd, keep it open
};

HttpServer::HttpServer(const HttpLimits& limits) : limits_(limits) {
  stop_fd_ = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  set_payload_max_length(limits.max_body_bytes);
  set_keep_alive_max_count(limits.keep_alive_max);
  set_keep_alive_timeout(limits.idle_seconds);
}

HttpServer::~HttpServer() {
  if (listen_fd_ >= 0) ::close(listen_fd_);
  if (stop_fd_ >= 0) ::close(stop_fd_);
}

Result<int> HttpServer::Bind(const std::string& host, int port) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
  addrinfo* res = nullptr;
  const std::string service = std::to_string(port);
  if (getaddrinfo(host.empty() ? nullptr : host.c_str(), service.c_str(), &hints, &res) != 0 ||
      res == nullptr) {
    return Status::InvalidArgument("cannot resolve the address");
  }
  std::unique_ptr<addrinfo, decltype(&freeaddrinfo)> guard(res, freeaddrinfo);
  const int fd =
      socket(res->ai_family, res->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, res->ai_protocol);
  if (fd < 0) return Status::IoError(std::strerror(errno));
  const int one = 1;
  setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  if (::bind(fd, res->ai_addr, res->ai_addrlen) != 0 || ::listen(fd, 1024) != 0) {
    const int err = errno;
    ::close(fd);
    return Status::IoError(std::strerror(err));
  }
  sockaddr_storage a{};
  socklen_t len = sizeof a;
  getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
  std::string ip;
  int bound = port;
  AddressText(a, &ip, &bound);
  listen_fd_ = fd;
  return bound;
}

Status HttpServer::Run() {
  if (listen_fd_ < 0 || stop_fd_ < 0) return Status::InvalidArgument("not bound");
  Loop loop(*this);
  return loop.Run();
}

void HttpServer::Stop() {
  stopping_.store(true);
  const uint64_t one = 1;
  static_cast<void>(::write(stop_fd_, &one, sizeof one));
}

}  // namespace vigia::serve
