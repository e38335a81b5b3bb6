// Fuzz target for mrt::RouteFeed: arbitrary bytes go through MrtReader and
// Decoder, and every decoded record through the feed into a checking sink.
//
// Besides memory errors it checks the RouteSink contract (bgp/route_sink.h):
// handles are dense and introduced by Peer() before any event names them,
// an announced route never carries treat-as-withdraw attributes, and every
// RFC 7606 action reaches Problem() with a message.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <span>
#include <utility>

#include "bgp/route_sink.h"
#include "io/input_stream.h"
#include "mrt/decoder.h"
#include "mrt/reader.h"
#include "mrt/route_feed.h"

namespace {

void Fail(const char* what) {
  std::fprintf(stderr, "RouteSink contract broken: %s\n", what);
  std::abort();
}

class CheckingSink : public vigia::bgp::RouteSink {
 public:
  void Peer(vigia::bgp::PeerHandle h, const vigia::bgp::PeerInfo&) override {
    if (h != peers_) Fail("handles not dense or introduced twice");
    ++peers_;
  }
  void Announce(const vigia::bgp::Route& r, const vigia::bgp::PathAttributes& a) override {
    if (r.peer >= peers_) Fail("announce names an unknown handle");
    if (a.withdrawn()) Fail("announced a treat-as-withdraw route");
  }
  void Withdraw(const vigia::bgp::Route& r, vigia::bgp::WithdrawCause) override {
    if (r.peer >= peers_) Fail("withdraw names an unknown handle");
  }
  void SessionDown(vigia::bgp::PeerHandle peer, vigia::bgp::RouteTime) override {
    if (peer >= peers_) Fail("session down names an unknown handle");
  }
  void Problem(const vigia::bgp::FeedProblem& p) override {
    if (p.message.empty()) Fail("problem without a message");
  }

 private:
  uint32_t peers_ = 0;
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace vigia;
  auto in = io::InputStream::FromMemory(std::as_bytes(std::span<const uint8_t>(data, size)));
  mrt::ReaderOptions opts;
  opts.max_record_size = 1 << 20;
  mrt::MrtReader reader(std::move(in), "<fuzz>", opts);
  mrt::Decoder decoder;
  mrt::RouteFeed feed("fuzz");
  CheckingSink sink;
  mrt::Record rec;
  while (reader.Next(&rec)) {
    if (!decoder.Decode(rec).ok()) continue;
    feed.Feed(decoder, "<fuzz>", &sink);
  }
  return 0;
}
