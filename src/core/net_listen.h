// Listening TCP sockets for the live collectors (BMP station, BGP
// speaker): "ADDRESS:PORT" / "[ADDRESS]:PORT" parsing, a non-blocking
// listening socket bound to it, and the address and port of a peer's
// sockaddr. Stateless functions; thread-safe.
#pragma once

#include <sys/socket.h>

#include <cstdint>
#include <string_view>
#include <utility>

#include "core/ip.h"
#include "core/status.h"

namespace vigia::net {

// "192.0.2.1:179" or "[2001:db8::1]:179" as an address and a port
// (0 to 65535); InvalidArgument naming the text otherwise.
Result<std::pair<IpAddress, uint16_t>> ParseHostPort(std::string_view text);

struct ListenSocket {
  int fd = -1;        // non-blocking, close-on-exec, SO_REUSEADDR; the caller closes it
  uint16_t port = 0;  // the port bound (the one the kernel picked for port 0)
};

// A TCP socket listening on `address` (see ParseHostPort). A failing bind
// or listen is an IoError "<error_prefix>listen on <address>: <reason>".
Result<ListenSocket> ListenTcp(std::string_view address, std::string_view error_prefix = "");

// The address and port in `ss` (AF_INET or AF_INET6); an IPv4-mapped IPv6
// address is given as the IPv4 address.
std::pair<IpAddress, uint16_t> FromSockaddr(const sockaddr_storage& ss);

}  // namespace vigia::net
