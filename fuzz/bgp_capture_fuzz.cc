// Fuzz target for captured BGP sessions (src/live/bgp_capture.h): the
// input is one direction's TCP payload (after a first byte that says
// whether a reverse direction with a 2-octet-only OPEN exists); BGP
// framing, OPEN negotiation and every UPDATE decoder run over it.
#include <cstddef>
#include <cstdint>

#include "bgp/route_sink.h"
#include "live/bgp_capture.h"

namespace {

struct Sink : vigia::bgp::RouteSink {
  size_t n = 0;
  void Peer(vigia::bgp::PeerHandle h, const vigia::bgp::PeerInfo&) override { n += h; }
  void Announce(const vigia::bgp::Route& r, const vigia::bgp::PathAttributes&) override {
    n += r.prefix.length() + r.rd;
  }
  void Withdraw(const vigia::bgp::Route& r, vigia::bgp::WithdrawCause) override {
    n += r.prefix.length();
  }
  void SessionDown(vigia::bgp::PeerHandle p, vigia::bgp::RouteTime) override { n += p; }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  vigia::bmp::TcpStream a;
  a.src_port = 40000;
  a.dst_port = 179;
  a.saw_fin = data[0] & 2;
  a.data.assign(data + 1, data + size);
  vigia::bmp::TcpStream b;
  b.src_port = 179;
  b.dst_port = 40000;
  // An OPEN without capabilities (My AS 65002): a 2-octet speaker.
  b.data.assign(16, 0xFF);
  b.data.insert(b.data.end(), {0, 29, 1, 4, 0xFD, 0xEA, 0, 90, 10, 0, 0, 2, 0});
  Sink sink;
  (void)vigia::live::FeedBgpCapture(a, (data[0] & 1) ? &b : nullptr, "fuzz", &sink);
  return 0;
}
