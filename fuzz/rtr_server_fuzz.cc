// Fuzz target for the RTR cache's side of a session (rpki/rtr_server.h):
// the input is what a router sends. One server runs for the whole fuzzing
// process on 127.0.0.1 with a small payload (VRPs of both families and an
// ASPA) and a history of changes; each input is sent on a new connection,
// whose write side is then shut. The server must answer with well-formed
// PDUs only and close the connection (it answers what it can, then sees
// the end of the stream); a hang (nothing for 10 s) or a malformed answer
// aborts.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdint>
#include <cstdlib>
#include <memory>
#include <thread>
#include <vector>

#include "rpki/rtr_server.h"

namespace {

using namespace vigia;
using namespace vigia::rpki::rtr;

struct Fixture {
  Fixture() {
    RtrServerOptions o;
    o.listen = {"127.0.0.1:0"};
    o.session_id = 7;
    o.first_serial = 0xFFFFFFFEu;  // the history crosses the wrap
    server = std::make_unique<RtrServer>(o);
    if (!server->Listen().ok()) std::abort();
    const std::string& a = server->addresses().at(0);
    port = static_cast<uint16_t>(std::stoi(a.substr(a.rfind(':') + 1)));
    thread = std::thread([this] { server->Run(); });
    for (uint32_t step = 0; step < 4; ++step) {
      auto p = std::make_shared<RtrPayload>();
      p->vrps.push_back({*Prefix::Parse("192.0.2.0/24"), 24, 64496 + step});
      p->vrps.push_back({*Prefix::Parse("2001:db8::/32"), 48, 64500});
      std::sort(p->vrps.begin(), p->vrps.end());
      p->aspas.push_back({64496, {64510 + step}});
      server->SetPayload(p);
      // Each payload must reach the loop before the next replaces it.
      while (server->stats().updates != step + 1) std::this_thread::yield();
    }
  }
  std::unique_ptr<RtrServer> server;
  std::thread thread;
  uint16_t port = 0;
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static Fixture* f = new Fixture();  // lives as long as the process
  const int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  timeval tv{10, 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(f->port);
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) std::abort();
  // Send and read at once: a large input of queries must not deadlock
  // against answers nobody reads.
  std::thread writer([&] {
    size_t off = 0;
    while (off < size) {
      const ssize_t n = send(fd, data + off, size - off, MSG_NOSIGNAL);
      if (n <= 0) break;  // the server closed (an error it reported)
      off += static_cast<size_t>(n);
    }
    shutdown(fd, SHUT_WR);
  });
  PduReader reader;
  uint8_t buf[65536];
  for (;;) {
    const ssize_t n = recv(fd, buf, sizeof buf, 0);
    if (n == 0) break;
    if (n < 0) {
      if (errno == ECONNRESET) break;
      std::abort();  // a hang: the server neither answered nor closed
    }
    reader.Append({buf, static_cast<size_t>(n)});
    std::span<const uint8_t> one;
    for (;;) {
      auto next = reader.Next(&one);
      if (!next.ok()) std::abort();  // the server broke the framing
      if (!next.value()) break;
      Pdu p;
      if (!DecodePdu(one, &p).ok()) std::abort();  // a malformed answer
    }
  }
  writer.join();
  close(fd);
  return 0;
}
