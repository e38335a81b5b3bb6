// HttpServer: cpp-httplib's routing and answers behind our own accept
// layer, so that slow or hostile clients cannot take the server down.
//
// cpp-httplib 0.11.4 (Debian, a compiled library: its CPPHTTPLIB_* macros
// are fixed at its build) gives each connection a worker thread from the
// moment it is accepted, reads headers with no cap on their count or total
// size, and its read timeout is per recv(): 66 sockets sending one byte a
// second held all 64 workers (slowloris), and 200,000 headers (23 MB) were
// read and answered 200. Here one thread reads every connection with
// epoll, under these rules, and only a complete request goes to a worker,
// which answers it through Server::process_request (httplib's protected
// entry point) from the bytes already read:
//   - at most `max_connections` open; one more is answered 503 with a
//     short JSON body and closed;
//   - a request head of at most `max_header_bytes` and `max_headers` lines
//     (else 431, RFC 6585 §5), a body of at most `max_body_bytes` given by
//     Content-Length (else 413; a chunked request body gets 411);
//   - a request must arrive whole within `request_seconds` of its first
//     byte (else 408, RFC 9110 §15.5.9), an idle keep-alive connection is
//     closed after `idle_seconds`, and after `keep_alive_max` requests.
// A refused connection is shut for writing and its input read and dropped
// for up to a second before it is closed (lingering close), so that the
// client reads the refusal instead of a reset.
//
// Memory: at most max_connections x (max_header_bytes + max_body_bytes)
// of buffered input (1024 x 96 KiB = 96 MiB at the defaults).
//
// Thread safety: Run() blocks on the calling thread; Stop() may be called
// from any thread and from a signal handler (it writes to an eventfd).
#pragma once

#include <httplib.h>

#include <atomic>
#include <cstddef>
#include <string>

#include "core/limits.h"
#include "core/status.h"

namespace vigia::serve {

struct HttpLimits {
  // Defaults from core/limits.h, where each is explained.
  size_t max_connections = kMaxConnections;
  size_t max_header_bytes = kMaxHeaderBytes;  // request line and headers
  size_t max_headers = kMaxHeaders;
  size_t max_body_bytes = kMaxBodyBytes;
  int request_seconds = kRequestSeconds;  // from a request's first byte to its last
  int idle_seconds = kIdleSeconds;        // a keep-alive connection waiting for its next request
  int write_seconds = kWriteSeconds;      // each write of an answer
  size_t keep_alive_max = kMaxKeepAliveRequests;
  size_t workers = 64;
};

class HttpServer : public httplib::Server {
 public:
  explicit HttpServer(const HttpLimits& limits);
  ~HttpServer() override;

  // Binds HOST:PORT (port 0: any free port); returns the port.
  Result<int> Bind(const std::string& host, int port);
  // Serves until Stop(); then waits for the requests in flight.
  Status Run();
  // Async-signal-safe.
  void Stop();

 private:
  class Loop;
  HttpLimits limits_;
  int listen_fd_ = -1;
  int stop_fd_ = -1;  // eventfd
  std::atomic<bool> stopping_{false};
  friend class Loop;
};

}  // namespace vigia::serve
