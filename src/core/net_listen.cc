// See net_listen.h.
#include "core/net_listen.h"

#include <arpa/inet.h>
#include <fmt/format.h>
#include <netinet/in.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace vigia::net {

Result<std::pair<IpAddress, uint16_t>> ParseHostPort(std::string_view text) {
  std::string_view host, port;
  if (!text.empty() && text[0] == '[') {
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
  if (port.empty() || port.size() > 5) {
    return Status::InvalidArgument(fmt::format("'{}': bad port '{}'", text, port));
  }
  uint32_t p = 0;
  for (char c : port) {
    if (c < '0' || c > '9') return Status::InvalidArgument(fmt::format("'{}': bad port", text));
    p = p * 10 + static_cast<uint32_t>(c - '0');
  }
  if (p > 65535) return Status::InvalidArgument(fmt::format("'{}': port over 65535", text));
  return std::make_pair(*ip, static_cast<uint16_t>(p));
}

Result<ListenSocket> ListenTcp(std::string_view address, std::string_view error_prefix) {
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
    return Status::IoError(
        fmt::format("{}listen on {}: {}", error_prefix, address, std::strerror(e)));
  }
  sockaddr_storage bound{};
  socklen_t blen = sizeof bound;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&bound), &blen);
  return ListenSocket{fd, FromSockaddr(bound).second};
}

std::pair<IpAddress, uint16_t> FromSockaddr(const sockaddr_storage& ss) {
  if (ss.ss_family == AF_INET) {
    const auto* a = reinterpret_cast<const sockaddr_in*>(&ss);
    return {IpAddress::V4(ntohl(a->sin_addr.s_addr)), ntohs(a->sin_port)};
  }
  const auto* a = reinterpret_cast<const sockaddr_in6*>(&ss);
  const uint8_t* b = a->sin6_addr.s6_addr;
  // An IPv4 peer reaching a dual-stack socket is still an IPv4 peer.
  static constexpr uint8_t kMapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xFF, 0xFF};
  if (std::memcmp(b, kMapped, 12) == 0) {
    return {IpAddress::FromBytes(Family::kIpv4, b + 12), ntohs(a->sin6_port)};
  }
  return {IpAddress::FromBytes(Family::kIpv6, b), ntohs(a->sin6_port)};
}

}  // namespace vigia::net
