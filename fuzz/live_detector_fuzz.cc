// Fuzz target for live::LiveDetector: arbitrary bytes go through MrtReader,
// Decoder and mrt::RouteFeed into the live detector with every rule on and
// every route checked; a SetVrps() every 1,024 records changes the VRPs.
//
// Besides memory errors it checks the LiveEvent contract (live_event.h):
// per key, events alternate raised, cleared, raised ..., starting with a
// raise, and a clear carries the key of a raise.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <span>
#include <string>
#include <utility>

#include "io/input_stream.h"
#include "live/live_detector.h"
#include "mrt/decoder.h"
#include "mrt/reader.h"
#include "mrt/route_feed.h"

namespace {

class CheckingSink : public vigia::live::LiveEventSink {
 public:
  void OnEvent(const vigia::live::LiveEvent& e) override {
    const bool raise = e.phase == vigia::live::EventPhase::kRaised;
    bool& open = open_[e.key];
    if (raise == open) {
      std::fprintf(stderr, "LiveEvent contract broken: %s %s twice\n", raise ? "raised" : "cleared",
                   e.key.c_str());
      std::abort();
    }
    open = raise;
  }

 private:
  std::map<std::string, bool> open_;
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace vigia;
  static snapshot::Snapshot* ref = [] {
    auto* s = new snapshot::Snapshot;
    (void)s->relations.LoadText("1|2|-1\n1|3|-1\n4|2|-1\n4|3|-1\n1|4|0\n", "rel");
    s->registry.Build();
    s->vrps.Add(*Prefix::Parse("0.0.0.0/1"), 24, 2);
    s->vrps.Build();
    return s;
  }();
  live::LiveRules rules;
  rules.only_watched = false;
  rules.min_peers = 1;
  rules.visibility_min_peers = 2;
  rules.asns = {2, 3};
  rules.prefixes.push_back({*Prefix::Parse("0.0.0.0/0"), {2}, "all", false});
  rules.path_patterns.push_back({"p", "(^| )3( |$)"});
  CheckingSink sink;
  live::LiveDetector detector(rules, ref, &sink);
  auto in = io::InputStream::FromMemory(std::as_bytes(std::span<const uint8_t>(data, size)));
  mrt::ReaderOptions opts;
  opts.max_record_size = 1 << 20;
  mrt::MrtReader reader(std::move(in), "<fuzz>", opts);
  mrt::Decoder decoder;
  mrt::RouteFeed feed("fuzz");
  mrt::Record rec;
  rpki::VrpSet empty;
  for (uint64_t n = 1; reader.Next(&rec); ++n) {
    if (!decoder.Decode(rec).ok()) continue;
    feed.Feed(decoder, "<fuzz>", &detector);
    if (n % 1024 == 0) detector.SetVrps(n % 2048 ? empty : ref->vrps);
  }
  return 0;
}
