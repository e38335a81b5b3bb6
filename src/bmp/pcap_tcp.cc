#include "bmp/pcap_tcp.h"

#include <fmt/format.h>

#include <fstream>
#include <iterator>
#include <map>
#include <tuple>

namespace vigia::bmp {

namespace {

uint16_t Be16(const uint8_t* p) { return static_cast<uint16_t>(p[0] << 8 | p[1]); }
uint32_t Be32(const uint8_t* p) {
  return uint32_t{p[0]} << 24 | uint32_t{p[1]} << 16 | uint32_t{p[2]} << 8 | p[3];
}

// Link types (tcpdump.org "LINK-LAYER HEADER TYPES").
constexpr uint32_t kLinkNull = 0;
constexpr uint32_t kLinkEthernet = 1;
constexpr uint32_t kLinkRawOld = 12;
constexpr uint32_t kLinkRaw = 101;
constexpr uint32_t kLinkSll = 113;
constexpr uint32_t kLinkIpv4 = 228;
constexpr uint32_t kLinkIpv6 = 229;
constexpr uint32_t kLinkSll2 = 276;

struct Segment {
  IpAddress src, dst;
  uint16_t sport = 0, dport = 0;
  uint32_t seq = 0;
  uint8_t flags = 0;
  std::span<const uint8_t> payload;
};

constexpr uint8_t kTcpFin = 0x01;
constexpr uint8_t kTcpSyn = 0x02;

bool Tcp(std::span<const uint8_t> p, Segment* s) {
  if (p.size() < 20) return false;
  const size_t off = static_cast<size_t>(p[12] >> 4) * 4;
  if (off < 20 || off > p.size()) return false;
  s->sport = Be16(&p[0]);
  s->dport = Be16(&p[2]);
  s->seq = Be32(&p[4]);
  s->flags = p[13];
  s->payload = p.subspan(off);
  return true;
}

// An IP packet (version from its first nibble) to a TCP segment.
bool Ip(std::span<const uint8_t> p, Segment* s) {
  if (p.empty()) return false;
  if ((p[0] >> 4) == 4) {
    // RFC 791 §3.1.
    if (p.size() < 20) return false;
    const size_t ihl = static_cast<size_t>(p[0] & 15) * 4;
    size_t total = Be16(&p[2]);
    if (total == 0) total = p.size();  // segmentation offload: length not filled in
    if (ihl < 20 || total < ihl || total > p.size()) return false;
    if ((Be16(&p[6]) & 0x3FFF) != 0) return false;  // a fragment (MF or offset)
    if (p[9] != 6) return false;
    s->src = IpAddress::FromBytes(Family::kIpv4, &p[12]);
    s->dst = IpAddress::FromBytes(Family::kIpv4, &p[16]);
    return Tcp(p.subspan(ihl, total - ihl), s);
  }
  if ((p[0] >> 4) == 6) {
    // RFC 8200 §3, §4.
    if (p.size() < 40) return false;
    size_t len = Be16(&p[4]);
    if (len == 0 || 40 + len > p.size()) len = p.size() - 40;
    s->src = IpAddress::FromBytes(Family::kIpv6, &p[8]);
    s->dst = IpAddress::FromBytes(Family::kIpv6, &p[24]);
    uint8_t next = p[6];
    std::span<const uint8_t> rest = p.subspan(40, len);
    for (int i = 0; i < 8; ++i) {
      if (next == 6) return Tcp(rest, s);
      if (next != 0 && next != 43 && next != 60) return false;  // fragment (44) and others
      if (rest.size() < 8) return false;
      const size_t ext = (size_t{rest[1]} + 1) * 8;
      if (ext > rest.size()) return false;
      next = rest[0];
      rest = rest.subspan(ext);
    }
  }
  return false;
}

bool Packet(uint32_t link, std::span<const uint8_t> p, Segment* s) {
  switch (link) {
    case kLinkEthernet: {
      if (p.size() < 14) return false;
      size_t at = 12;
      uint16_t type = Be16(&p[at]);
      while ((type == 0x8100 || type == 0x88A8) && p.size() >= at + 6) {
        at += 4;
        type = Be16(&p[at]);
      }
      if (type != 0x0800 && type != 0x86DD) return false;
      return Ip(p.subspan(at + 2), s);
    }
    case kLinkRawOld:
    case kLinkRaw:
    case kLinkIpv4:
    case kLinkIpv6:
      return Ip(p, s);
    case kLinkSll:
      if (p.size() < 16) return false;
      return Ip(p.subspan(16), s);
    case kLinkSll2:
      if (p.size() < 20) return false;
      return Ip(p.subspan(20), s);
    case kLinkNull:
      if (p.size() < 4) return false;
      return Ip(p.subspan(4), s);
    default:
      return false;
  }
}

// One direction of one connection being put back in order.
struct Assembly {
  size_t stream = 0;  // index into PcapSummary::streams
  bool started = false;
  uint32_t next_seq = 0;
  uint64_t delivered = 0;  // stream position of next_seq
  std::map<uint64_t, std::vector<uint8_t>> pending;
  bool syn_data = false;  // the SYN carried data ending at syn_data_end
  uint32_t syn_data_end = 0;
};

class Reassembler {
 public:
  Reassembler(PcapSummary* out, const PcapOptions& opts) : out_(out), opts_(opts) {}

  void Add(const Segment& s, uint32_t seconds) {
    ++out_->tcp_segments;
    const auto key = std::make_tuple(s.src, s.sport, s.dst, s.dport);
    auto it = flows_.find(key);
    // A SYN on a flow that already carried data starts a new connection.
    if (it != flows_.end() && (s.flags & kTcpSyn) &&
        !out_->streams[it->second.stream].data.empty()) {
      Finish(&it->second);
      flows_.erase(it);
      it = flows_.end();
    }
    if (it == flows_.end()) {
      if (out_->streams.size() >= opts_.max_streams) return;
      TcpStream t;
      t.src = s.src;
      t.dst = s.dst;
      t.src_port = s.sport;
      t.dst_port = s.dport;
      out_->streams.push_back(std::move(t));
      it = flows_.emplace(key, Assembly{}).first;
      it->second.stream = out_->streams.size() - 1;
    }
    Assembly& a = it->second;
    TcpStream& t = out_->streams[a.stream];
    if (s.flags & kTcpSyn) {
      t.saw_syn = true;
      a.started = true;
      a.next_seq = s.seq + 1;  // RFC 9293 §3.4: the SYN takes one sequence number
      if (s.payload.empty()) return;
      // Data on a SYN (TCP Fast Open) starts after the SYN's number, but
      // synthetic captures (pmacct's test traffic) put it at the SYN's own
      // number and go on from seq + length. Deliver it, then accept either
      // continuation once.
      a.next_seq = s.seq;
      a.syn_data_end = s.seq + static_cast<uint32_t>(s.payload.size());
      a.syn_data = true;
    }
    if (s.flags & kTcpFin) t.saw_fin = true;
    if (s.payload.empty()) return;
    if (!a.started) {
      a.started = true;
      a.next_seq = s.seq;
    }
    if (t.segments++ == 0) t.first_seconds = seconds;
    if (a.syn_data && !(s.flags & kTcpSyn)) {
      a.syn_data = false;
      if (s.seq == a.syn_data_end + 1 && a.next_seq == a.syn_data_end) a.next_seq = s.seq;
    }
    // Signed distance from what is expected next (sequence numbers wrap).
    const auto d = static_cast<int32_t>(s.seq - a.next_seq);
    if (d < 0) {
      const size_t old = static_cast<size_t>(-static_cast<int64_t>(d));
      if (old >= s.payload.size()) return;  // a retransmission of delivered bytes
      Deliver(&a, s.payload.subspan(old));
    } else if (d == 0) {
      Deliver(&a, s.payload);
    } else {
      auto& slot = a.pending[a.delivered + static_cast<uint64_t>(d)];
      if (slot.size() < s.payload.size()) slot.assign(s.payload.begin(), s.payload.end());
      return;
    }
    Drain(&a);
  }

  void FinishAll() {
    for (auto& [k, a] : flows_) Finish(&a);
  }

 private:
  void Deliver(Assembly* a, std::span<const uint8_t> bytes) {
    TcpStream& t = out_->streams[a->stream];
    const size_t room = opts_.max_stream_bytes - std::min(opts_.max_stream_bytes, t.data.size());
    t.data.insert(t.data.end(), bytes.begin(), bytes.begin() + std::min(room, bytes.size()));
    a->delivered += bytes.size();
    a->next_seq += static_cast<uint32_t>(bytes.size());
  }

  void Drain(Assembly* a) {
    while (!a->pending.empty() && a->pending.begin()->first <= a->delivered) {
      auto node = a->pending.extract(a->pending.begin());
      const uint64_t skip = a->delivered - node.key();
      if (skip < node.mapped().size()) {
        Deliver(a, std::span<const uint8_t>(node.mapped()).subspan(skip));
      }
    }
  }

  // Skips the holes that never filled.
  void Finish(Assembly* a) {
    TcpStream& t = out_->streams[a->stream];
    while (!a->pending.empty()) {
      const uint64_t gap = a->pending.begin()->first - a->delivered;
      ++t.gaps;
      t.missing_bytes += gap;
      a->delivered += gap;
      a->next_seq += static_cast<uint32_t>(gap);
      Drain(a);
    }
  }

  PcapSummary* out_;
  const PcapOptions& opts_;
  std::map<std::tuple<IpAddress, uint16_t, IpAddress, uint16_t>, Assembly> flows_;
};

}  // namespace

Result<PcapSummary> ReadPcapTcp(std::span<const uint8_t> file, const PcapOptions& opts) {
  // The libpcap file header (24 octets): magic, version, zone, sigfigs,
  // snaplen, link type; the magic's byte order is the file's.
  if (file.size() < 24) return Status::Truncated("pcap: file header cut (24 octets needed)");
  const uint32_t magic = Be32(file.data());
  bool swap = false;  // little-endian file
  if (magic == 0xA1B2C3D4 || magic == 0xA1B23C4D) {
    swap = false;
  } else if (magic == 0xD4C3B2A1 || magic == 0x4D3CB2A1) {
    swap = true;
  } else if (magic == 0x0A0D0D0A) {
    return Status::Unsupported("pcap: pcapng files are not read (convert with editcap -F pcap)");
  } else {
    return Status::Corrupt(fmt::format("pcap: magic {:08x} is not a pcap file", magic));
  }
  auto u32 = [swap](const uint8_t* p) {
    const uint32_t v = Be32(p);
    return swap ? __builtin_bswap32(v) : v;
  };
  PcapSummary out;
  out.link_type = u32(file.data() + 20) & 0x0FFFFFFF;  // upper bits: FCS length flags
  Reassembler r(&out, opts);
  size_t at = 24;
  while (at < file.size()) {
    if (file.size() - at < 16) {
      return Status::Truncated(fmt::format("pcap: record header cut at offset {}", at));
    }
    const uint32_t seconds = u32(file.data() + at);
    const uint32_t caplen = u32(file.data() + at + 8);
    if (caplen > kMaxPcapPacket) {
      return Status::LimitExceeded(fmt::format(
          "pcap: record at offset {} captures {} octets (cap {})", at, caplen, kMaxPcapPacket));
    }
    if (file.size() - at - 16 < caplen) {
      return Status::Truncated(
          fmt::format("pcap: record at offset {} runs past the file ({} octets)", at, caplen));
    }
    ++out.packets;
    Segment s;
    if (Packet(out.link_type, file.subspan(at + 16, caplen), &s)) {
      r.Add(s, seconds);
    } else {
      ++out.skipped;
    }
    at += 16 + caplen;
  }
  r.FinishAll();
  return out;
}

Result<PcapSummary> ReadPcapTcpFile(const std::string& path, const PcapOptions& opts) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::IoError(path + ": cannot open");
  std::vector<uint8_t> bytes((std::istreambuf_iterator<char>(in)),
                             std::istreambuf_iterator<char>());
  Result<PcapSummary> r = ReadPcapTcp(bytes, opts);
  if (!r.ok()) return Status(r.status().code(), path + ": " + r.status().message());
  return r;
}

}  // namespace vigia::bmp
