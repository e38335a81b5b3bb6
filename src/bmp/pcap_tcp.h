// Pcap files (the libpcap "classic" format) and TCP reassembly, so that
// captured BMP or BGP sessions can be replayed through the decoders.
//
// ReadPcapTcp() walks the records of a capture (microsecond or nanosecond
// timestamps, either byte order; link types Ethernet with 802.1Q/802.1ad
// tags, raw IP, Linux cooked SLL and SLL2), keeps the IPv4 and IPv6 TCP
// segments (IPv4 fragments and IPv6 extension headers other than the
// common hop-by-hop/routing/destination ones are counted and skipped) and
// reassembles each direction of each connection by sequence number:
// retransmitted and overlapping bytes are kept once, out-of-order segments
// wait for the gap before them, and a gap that never fills is skipped at
// the end (counted in TcpStream::gaps and the bytes missing in
// missing_bytes). pcapng is not read. Caps: a packet is at most
// kMaxPcapPacket octets, a stream at most max_stream_bytes.
//
// Pure functions over a buffer; thread-safe.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "core/ip.h"
#include "core/status.h"

namespace vigia::bmp {

inline constexpr size_t kMaxPcapPacket = 262144;

struct TcpStream {
  IpAddress src, dst;
  uint16_t src_port = 0, dst_port = 0;
  std::vector<uint8_t> data;   // the payload in sequence order
  uint32_t first_seconds = 0;  // time of the first segment with payload
  uint64_t segments = 0;       // segments with payload
  uint64_t gaps = 0;           // holes that never filled
  uint64_t missing_bytes = 0;
  bool saw_syn = false;
  bool saw_fin = false;
};

struct PcapSummary {
  uint32_t link_type = 0;
  uint64_t packets = 0;
  uint64_t tcp_segments = 0;
  uint64_t skipped = 0;            // not IP/TCP, fragments, malformed
  std::vector<TcpStream> streams;  // in order of first appearance
};

struct PcapOptions {
  size_t max_stream_bytes = size_t{256} << 20;
  size_t max_streams = 4096;
};

// The whole capture; fails on a bad file header or a record that runs past
// the file (with its offset). Damaged packets inside are skipped.
Result<PcapSummary> ReadPcapTcp(std::span<const uint8_t> file, const PcapOptions& opts = {});
// The same, from a file.
Result<PcapSummary> ReadPcapTcpFile(const std::string& path, const PcapOptions& opts = {});

}  // namespace vigia::bmp
