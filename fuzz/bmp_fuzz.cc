// Fuzz target for the BMP decoder, stream reader and route feed
// (src/bmp/message.h, reader.h, route_feed.h).
//
// The first byte chooses how the rest is handed to the BmpReader: in one
// piece (0), or in chunks of (byte % 61) + 1 octets, so that messages split
// across appends are exercised. Every message the reader returns goes
// through BmpRouteFeed into a sink that touches what it is given; then the
// whole input is also decoded as one message. The reader is capped at
// 64 KiB so that an oversized length is a fatal error, not an allocation.
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>

#include "bgp/route_sink.h"
#include "bmp/message.h"
#include "bmp/reader.h"
#include "bmp/route_feed.h"

namespace {

struct Sink : vigia::bgp::RouteSink {
  size_t n = 0;
  void Peer(vigia::bgp::PeerHandle h, const vigia::bgp::PeerInfo& info) override {
    n += h + info.collector.size() + info.ip.ToString().size();
  }
  void Announce(const vigia::bgp::Route& r, const vigia::bgp::PathAttributes& a) override {
    n += r.prefix.ToString().size() + a.as_path.ToString().size() + r.path_id;
  }
  void Withdraw(const vigia::bgp::Route& r, vigia::bgp::WithdrawCause) override {
    n += r.prefix.length();
  }
  void SessionDown(vigia::bgp::PeerHandle p, vigia::bgp::RouteTime) override { n += p; }
  void Problem(const vigia::bgp::FeedProblem& p) override { n += p.ToString().size(); }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  const size_t chunk = data[0] == 0 ? size : (data[0] % 61) + 1;
  const std::span<const uint8_t> rest(data + 1, size - 1);
  vigia::bmp::BmpReader reader(65536);
  vigia::bmp::BmpRouteFeed feed("fuzz");
  const vigia::IpAddress router = vigia::IpAddress::V4(0x0A000001);
  Sink sink;
  vigia::bmp::Message m;
  bool fatal = false;
  for (size_t at = 0; at < rest.size() && !fatal; at += chunk) {
    reader.Append(rest.subspan(at, std::min(chunk, rest.size() - at)));
    for (;;) {
      const auto step = reader.Next(&m);
      if (step == vigia::bmp::BmpReader::Step::kMessage) {
        feed.Feed(m, router, "fuzz", reader.offset(), &sink);
        for (const auto& t : m.stats) sink.n += vigia::bmp::Message::StatValue(t);
      } else if (step == vigia::bmp::BmpReader::Step::kFatal) {
        fatal = true;
        break;
      } else if (step == vigia::bmp::BmpReader::Step::kNeedMore) {
        break;
      }
    }
  }
  feed.RouterDown(router, {}, &sink);
  (void)m.Decode(rest);
  return 0;
}
