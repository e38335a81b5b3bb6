// Fuzz target for the pcap reader and TCP reassembly (src/bmp/pcap_tcp.h):
// the input is a whole capture file. Each reassembled stream then goes
// through the BMP route feed, as `vigia collect --pcap` would replay it.
// Streams are capped at 1 MiB and 64 per capture.
#include <cstddef>
#include <cstdint>
#include <span>

#include "bgp/route_sink.h"
#include "bmp/pcap_tcp.h"
#include "bmp/route_feed.h"
#include "count_sink.h"

using Sink = vigia::fuzz::CountSink;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  vigia::bmp::PcapOptions opts;
  opts.max_stream_bytes = size_t{1} << 20;
  opts.max_streams = 64;
  auto r = vigia::bmp::ReadPcapTcp(std::span<const uint8_t>(data, size), opts);
  if (!r.ok()) return 0;
  vigia::bmp::BmpRouteFeed feed("fuzz");
  Sink sink;
  for (const vigia::bmp::TcpStream& s : r->streams) {
    (void)feed.FeedStream(s.data, s.src, "fuzz", &sink, 65536);
  }
  return 0;
}
