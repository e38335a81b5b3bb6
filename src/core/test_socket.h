// Raw TCP connections to a server under test on 127.0.0.1 (header-only,
// tests only), for the tests that speak a protocol byte by byte (RTR,
// whois, HTTP edge cases) or hold connections open. No traffic leaves
// loopback. Thread safety: free functions, no state.
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <cstdint>

namespace vigia::test_util {

// A socket (close-on-exec) connected to 127.0.0.1:port whose receives and
// sends give up after timeout_seconds; -1 when it cannot connect.
inline int ConnectLoopback(int port, int timeout_seconds) {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return -1;
  timeval tv{timeout_seconds, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(static_cast<uint16_t>(port));
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
    ::close(fd);
    return -1;
  }
  return fd;
}

}  // namespace vigia::test_util
