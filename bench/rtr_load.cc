// rtr_load: N concurrent RTR clients against one cache, each sending a Reset
// Query (RFC 8210 §8.1) and reading until its End of Data. Prints the time
// from the first connect until every client has its End of Data, the
// spread of per-client times, and the records each received (they must all
// agree). One thread, epoll, non-blocking sockets; it parses only PDU
// headers, so that the client side costs little next to the server.
//
//   rtr_load HOST PORT CLIENTS [VERSION] [TIMEOUT_S]
//
// Exit status: 0 when every client synced with the same record count, 1
// otherwise. Used by bench/rtr_serve.sh; not part of the tests.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <vector>

namespace {

using Clock = std::chrono::steady_clock;

struct Conn {
  int fd = -1;
  bool sent = false, done = false, failed = false;
  uint8_t header[8];
  size_t header_have = 0;
  uint64_t skip = 0;  // body bytes of the current PDU still to skip
  uint64_t records = 0;
  uint8_t type = 0;
  double seconds = 0;
};

}  // namespace

int main(int argc, char** argv) {
  if (argc < 4) {
    std::fprintf(stderr, "usage: rtr_load HOST PORT CLIENTS [VERSION] [TIMEOUT_S]\n");
    return 2;
  }
  const char* host = argv[1];
  const int port = std::atoi(argv[2]);
  const int n = std::atoi(argv[3]);
  const uint8_t version = static_cast<uint8_t>(argc > 4 ? std::atoi(argv[4]) : 1);
  const int timeout_s = argc > 5 ? std::atoi(argv[5]) : 300;
  rlimit rl{};
  if (getrlimit(RLIMIT_NOFILE, &rl) == 0) {
    rl.rlim_cur = rl.rlim_max;
    setrlimit(RLIMIT_NOFILE, &rl);
  }
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  if (inet_pton(AF_INET, host, &addr.sin_addr) != 1) {
    std::fprintf(stderr, "rtr_load: %s: an IPv4 address is needed\n", host);
    return 2;
  }
  const uint8_t query[8] = {version, 2, 0, 0, 0, 0, 0, 8};  // Reset Query
  const int ep = epoll_create1(0);
  std::vector<Conn> conns(static_cast<size_t>(n));
  const auto start = Clock::now();
  for (size_t i = 0; i < conns.size(); ++i) {
    Conn& c = conns[i];
    c.fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
    if (c.fd < 0 || (connect(c.fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 &&
                     errno != EINPROGRESS)) {
      c.failed = true;
      continue;
    }
    epoll_event ev{};
    ev.events = EPOLLIN | EPOLLOUT;
    ev.data.u64 = i;
    epoll_ctl(ep, EPOLL_CTL_ADD, c.fd, &ev);
  }
  size_t remaining = 0;
  for (const Conn& c : conns) remaining += c.failed ? 0 : 1;
  std::vector<epoll_event> events(1024);
  std::vector<uint8_t> buf(256 * 1024);
  while (remaining > 0) {
    const double elapsed = std::chrono::duration<double>(Clock::now() - start).count();
    if (elapsed > timeout_s) break;
    const int k = epoll_wait(ep, events.data(), static_cast<int>(events.size()), 1000);
    for (int e = 0; e < k; ++e) {
      Conn& c = conns[events[static_cast<size_t>(e)].data.u64];
      if (c.done || c.failed) continue;
      if (!c.sent && (events[static_cast<size_t>(e)].events & EPOLLOUT)) {
        if (send(c.fd, query, sizeof query, MSG_NOSIGNAL) != sizeof query) {
          c.failed = true;
          --remaining;
          close(c.fd);
          continue;
        }
        c.sent = true;
        epoll_event ev{};
        ev.events = EPOLLIN;
        ev.data.u64 = events[static_cast<size_t>(e)].data.u64;
        epoll_ctl(ep, EPOLL_CTL_MOD, c.fd, &ev);
      }
      if (!(events[static_cast<size_t>(e)].events & (EPOLLIN | EPOLLHUP | EPOLLERR))) continue;
      const ssize_t got = recv(c.fd, buf.data(), buf.size(), 0);
      if (got <= 0) {
        if (got < 0 && errno == EAGAIN) continue;
        c.failed = true;
        --remaining;
        close(c.fd);
        continue;
      }
      size_t pos = 0;
      const size_t len = static_cast<size_t>(got);
      while (pos < len && !c.done) {
        if (c.skip > 0) {
          const size_t take = static_cast<size_t>(std::min<uint64_t>(c.skip, len - pos));
          c.skip -= take;
          pos += take;
          if (c.skip == 0 && c.type == 7) c.done = true;
          continue;
        }
        const size_t take = std::min(len - pos, 8 - c.header_have);
        std::memcpy(c.header + c.header_have, buf.data() + pos, take);
        c.header_have += take;
        pos += take;
        if (c.header_have < 8) break;
        c.header_have = 0;
        c.type = c.header[1];
        const uint32_t plen = (uint32_t{c.header[4]} << 24) | (uint32_t{c.header[5]} << 16) |
                              (uint32_t{c.header[6]} << 8) | c.header[7];
        if (plen < 8 || c.type == 10) {  // broken, or an Error Report
          c.failed = true;
          break;
        }
        if (c.type == 4 || c.type == 6 || c.type == 11) ++c.records;
        c.skip = plen - 8;
        if (c.skip == 0 && c.type == 7) c.done = true;
      }
      if (c.done || c.failed) {
        c.seconds = std::chrono::duration<double>(Clock::now() - start).count();
        --remaining;
        close(c.fd);
      }
    }
  }
  const double total = std::chrono::duration<double>(Clock::now() - start).count();
  std::vector<double> times;
  uint64_t records = 0;
  size_t synced = 0, disagree = 0;
  for (const Conn& c : conns) {
    if (!c.done) continue;
    if (synced++ == 0) records = c.records;
    if (c.records != records) ++disagree;
    times.push_back(c.seconds);
  }
  std::sort(times.begin(), times.end());
  std::printf("clients %d synced %zu records/client %llu disagreeing %zu\n", n, synced,
              static_cast<unsigned long long>(records), disagree);
  if (!times.empty()) {
    std::printf("all synced in %.3f s (first %.3f s, median %.3f s, last %.3f s)\n", total,
                times.front(), times[times.size() / 2], times.back());
  }
  return synced == static_cast<size_t>(n) && disagree == 0 ? 0 : 1;
}
