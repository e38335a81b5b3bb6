// Fuzz target for the passive BGP speaker's message stream (live::BgpSpeaker):
// the input is what a router sends on one TCP session, from its first byte
// (so a seed that starts with OPEN + KEEPALIVE reaches Established and its
// UPDATEs are decoded). The speaker reads it from a socketpair, then sees the
// end of the stream (a TCP reset: the graceful-restart path).
//
// Checks: the sink contract (Peer() before any event naming its handle;
// every Announce has usable attributes) and that the speaker
// never announces: everything it writes back is OPEN, KEEPALIVE or
// NOTIFICATION, each a well-framed message, OPEN first.
#include <sys/socket.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <set>
#include <vector>

#include "live/bgp_speaker.h"

namespace {

class CheckingSink : public vigia::bgp::RouteSink {
 public:
  void Peer(vigia::bgp::PeerHandle h, const vigia::bgp::PeerInfo&) override {
    if (!known_.insert(h).second) std::abort();  // introduced twice
  }
  void Announce(const vigia::bgp::Route& r, const vigia::bgp::PathAttributes& a) override {
    if (!known_.count(r.peer) || a.withdrawn()) std::abort();
  }
  void Withdraw(const vigia::bgp::Route& r, vigia::bgp::WithdrawCause) override {
    if (!known_.count(r.peer)) std::abort();
  }
  void SessionDown(vigia::bgp::PeerHandle p, vigia::bgp::RouteTime) override {
    if (!known_.count(p)) std::abort();
  }

 private:
  std::set<vigia::bgp::PeerHandle> known_;
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size > 60000) return 0;  // stays within one socket buffer
  CheckingSink sink;
  vigia::live::SpeakerConfig config;
  config.local_asn = 65000;
  config.graceful_restart_time = 0;
  vigia::live::BgpSpeaker speaker(config, &sink);
  int sv[2];
  if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0) return 0;
  if (!speaker.Adopt(sv[0], vigia::IpAddress::V4(0xC0000209)).ok()) std::abort();
  size_t off = 0;
  while (off < size) {
    const ssize_t n = ::write(sv[1], data + off, size - off);
    if (n <= 0) break;
    off += static_cast<size_t>(n);
  }
  ::shutdown(sv[1], SHUT_WR);
  for (int i = 0; i < 8 && !speaker.Sessions().empty(); ++i) (void)speaker.RunOnce(0);
  // What the speaker wrote: framed messages of types 1, 3 and 4, OPEN first.
  std::vector<uint8_t> out(1 << 16);
  size_t got = 0;
  for (;;) {
    const ssize_t n = ::recv(sv[1], out.data() + got, out.size() - got, MSG_DONTWAIT);
    if (n <= 0) break;
    got += static_cast<size_t>(n);
    if (got == out.size()) break;
  }
  for (size_t p = 0; p + 19 <= got;) {
    const size_t len = static_cast<size_t>(out[p + 16] << 8 | out[p + 17]);
    const uint8_t type = out[p + 18];
    if (len < 19 || (p == 0 && type != 1)) std::abort();
    if (type != 1 && type != 3 && type != 4) std::abort();  // never an UPDATE
    p += len;
  }
  ::close(sv[1]);
  return 0;
}
