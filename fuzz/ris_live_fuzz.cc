// Fuzz target for the RIS Live JSON reader (src/live/ris_live.h): the
// input is split at newlines like a JSON-lines file and each line is fed
// through RisLiveFeed, once preferring raw and once reading the fields.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "bgp/route_sink.h"
#include "live/ris_live.h"

namespace {

struct Sink : vigia::bgp::RouteSink {
  size_t n = 0;
  void Peer(vigia::bgp::PeerHandle h, const vigia::bgp::PeerInfo& i) override {
    n += h + i.collector.size();
  }
  void Announce(const vigia::bgp::Route& r, const vigia::bgp::PathAttributes& a) override {
    n += r.prefix.length() + a.as_path.asns.size();
  }
  void Withdraw(const vigia::bgp::Route& r, vigia::bgp::WithdrawCause) override {
    n += r.prefix.length();
  }
  void SessionDown(vigia::bgp::PeerHandle p, vigia::bgp::RouteTime) override { n += p; }
  void Problem(const vigia::bgp::FeedProblem& p) override { n += p.ToString().size(); }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  for (bool raw : {true, false}) {
    vigia::live::RisLiveOptions opts;
    opts.prefer_raw = raw;
    vigia::live::RisLiveFeed feed(opts);
    Sink sink;
    size_t at = 0, line = 1;
    while (at <= text.size()) {
      size_t nl = text.find('\n', at);
      if (nl == std::string_view::npos) nl = text.size();
      feed.Feed(text.substr(at, nl - at), "fuzz", line++, &sink);
      at = nl + 1;
    }
  }
  return 0;
}
