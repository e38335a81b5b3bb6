#include "mrt/writer.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <unistd.h>
#include <zlib.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "bgp/encode.h"
#include "core/byte_writer.h"

namespace vigia::mrt {

namespace {
constexpr size_t kFlushAt = 1 << 20;
}  // namespace

MrtWriter::MrtWriter() = default;

MrtWriter::~MrtWriter() { (void)Close(); }

Result<std::unique_ptr<MrtWriter>> MrtWriter::Create(const std::string& path, int gzip_level) {
  auto w = std::make_unique<MrtWriter>();
  w->to_memory_ = false;
  w->path_ = path;
  if (path.size() > 3 && path.compare(path.size() - 3, 3, ".gz") == 0) {
    const char mode[] = {'w', 'b', static_cast<char>('0' + std::clamp(gzip_level, 1, 9)), '\0'};
    gzFile gz = gzopen(path.c_str(), mode);
    if (!gz)
      return Status::IoError(fmt::format("{}: cannot create: {}", path, std::strerror(errno)));
    gzbuffer(gz, 1 << 18);
    w->gz_ = gz;
  } else {
    w->fd_ = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (w->fd_ < 0) {
      return Status::IoError(fmt::format("{}: cannot create: {}", path, std::strerror(errno)));
    }
  }
  return w;
}

Status MrtWriter::WriteAll() {
  size_t off = 0;
  while (off < mem_.size()) {
    ssize_t n = ::write(fd_, mem_.data() + off, mem_.size() - off);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return Status::IoError(fmt::format("{}: write: {}", path_, std::strerror(errno)));
    off += static_cast<size_t>(n);
  }
  return Status::Ok();
}

Status MrtWriter::Emit(uint32_t timestamp, uint16_t type, uint16_t subtype, bool extended,
                       uint32_t microseconds) {
  const size_t len = body_.size() + (extended ? 4 : 0);
  if (len > 0xFFFFFFFFu) return Status::LimitExceeded("MRT record over 4 GiB");
  Put32(&mem_, timestamp);
  Put16(&mem_, type);
  Put16(&mem_, subtype);
  Put32(&mem_, static_cast<uint32_t>(len));
  if (extended) Put32(&mem_, microseconds);
  mem_.insert(mem_.end(), body_.begin(), body_.end());
  ++records_;
  if (!to_memory_ && mem_.size() >= kFlushAt) {
    if (gz_) {
      if (gzwrite(static_cast<gzFile>(gz_), mem_.data(), static_cast<unsigned>(mem_.size())) <= 0) {
        return Status::IoError(fmt::format("{}: gzip write failed", path_));
      }
    } else {
      if (Status s = WriteAll(); !s.ok()) return s;
    }
    mem_.clear();
  }
  return Status::Ok();
}

Status MrtWriter::WritePeerIndexTable(uint32_t timestamp, const PeerIndexTable& t) {
  if (t.peers.size() > kMaxPeers) return Status::LimitExceeded("more than 65535 peers");
  body_.clear();
  PutAddr(&body_, t.collector_id);
  Put16(&body_, static_cast<uint16_t>(t.view_name.size()));
  body_.insert(body_.end(), t.view_name.begin(), t.view_name.end());
  Put16(&body_, static_cast<uint16_t>(t.peers.size()));
  for (const PeerEntry& p : t.peers) {
    // RFC 6396 §4.3.1: bit 0 IPv6 peer address, bit 1 four-octet AS.
    uint8_t type = static_cast<uint8_t>((p.ip.is_v6() ? 1 : 0) | 2);
    Put8(&body_, type);
    PutAddr(&body_, p.bgp_id);
    PutAddr(&body_, p.ip);
    Put32(&body_, p.asn);
  }
  return Emit(timestamp, kTypeTableDumpV2, kPeerIndexTable, false, 0);
}

Status MrtWriter::WriteRib(uint32_t timestamp, const Rib& rib) {
  const bool v6 = rib.afi == bgp::kAfiIpv6;
  const bool mc = rib.safi == bgp::kSafiMulticast;
  uint16_t st =
      v6 ? (mc ? kRibIpv6Multicast : kRibIpv6Unicast) : (mc ? kRibIpv4Multicast : kRibIpv4Unicast);
  if (rib.add_path) st = static_cast<uint16_t>(st + 6);  // RFC 8050: 2->8, 3->9, 4->10, 5->11
  if (rib.entry_count > kMaxRibEntries) return Status::LimitExceeded("more than 65535 RIB entries");
  body_.clear();
  Put32(&body_, rib.sequence);
  Put8(&body_, rib.prefix.length());
  const uint8_t* b = rib.prefix.address().bytes();
  body_.insert(body_.end(), b, b + (rib.prefix.length() + 7) / 8);
  Put16(&body_, static_cast<uint16_t>(rib.entry_count));
  bgp::AttrContext ctx{.as_size = 4, .add_path = false, .mrt_rib = true};
  std::vector<uint8_t> attrs;
  for (size_t i = 0; i < rib.entry_count; ++i) {
    const RibEntry& e = rib.entries[i];
    Put16(&body_, e.peer_index);
    Put32(&body_, e.originated_time);
    if (rib.add_path) Put32(&body_, e.path_id);
    attrs.clear();
    bgp::EncodeAttributes(e.attrs, ctx, &attrs);
    if (attrs.size() > 0xFFFF) return Status::LimitExceeded("RIB entry attributes over 64 KiB");
    Put16(&body_, static_cast<uint16_t>(attrs.size()));
    body_.insert(body_.end(), attrs.begin(), attrs.end());
  }
  return Emit(timestamp, kTypeTableDumpV2, st, false, 0);
}

// RFC 6396 §4.4.1-4.4.3: the fields BGP4MP state changes and messages
// share, with 4-octet ASes.
void MrtWriter::PutPeers(Asn peer_as, Asn local_as, uint16_t ifindex, const IpAddress& peer_ip,
                         const IpAddress& local_ip) {
  Put32(&body_, peer_as);
  Put32(&body_, local_as);
  Put16(&body_, ifindex);
  Put16(&body_, peer_ip.is_v6() ? bgp::kAfiIpv6 : bgp::kAfiIpv4);
  PutAddr(&body_, peer_ip);
  PutAddr(&body_, local_ip);
}

Status MrtWriter::WriteBgp4mpUpdate(uint32_t timestamp, uint32_t microseconds,
                                    const Bgp4mpMessage& m) {
  body_.clear();
  PutPeers(m.peer_as, m.local_as, m.interface_index, m.peer_ip, m.local_ip);
  bgp::AttrContext ctx{.as_size = 4, .add_path = m.add_path, .mrt_rib = false};
  size_t before = body_.size();
  bgp::EncodeUpdate(m.message.update, ctx, &body_);
  if (body_.size() - before > bgp::kMaxMessageSize) {
    return Status::LimitExceeded("UPDATE over 65535 bytes (RFC 8654)");
  }
  return Emit(timestamp, kTypeBgp4mpEt, m.add_path ? kMessageAs4AddPath : kMessageAs4, true,
              microseconds);
}

Status MrtWriter::WriteStateChange(uint32_t timestamp, uint32_t microseconds,
                                   const StateChange& sc) {
  body_.clear();
  PutPeers(sc.peer_as, sc.local_as, sc.interface_index, sc.peer_ip, sc.local_ip);
  Put16(&body_, sc.old_state);
  Put16(&body_, sc.new_state);
  return Emit(timestamp, kTypeBgp4mpEt, kStateChangeAs4, true, microseconds);
}

Status MrtWriter::Close() {
  if (to_memory_) return Status::Ok();
  Status s;
  if (gz_) {
    if (!mem_.empty() &&
        gzwrite(static_cast<gzFile>(gz_), mem_.data(), static_cast<unsigned>(mem_.size())) <= 0) {
      s = Status::IoError(fmt::format("{}: gzip write failed", path_));
    }
    if (gzclose(static_cast<gzFile>(gz_)) != Z_OK && s.ok()) {
      s = Status::IoError(fmt::format("{}: gzip close failed", path_));
    }
    gz_ = nullptr;
  } else if (fd_ >= 0) {
    s = WriteAll();
    if (::close(fd_) != 0 && s.ok()) s = Status::IoError(fmt::format("{}: close failed", path_));
    fd_ = -1;
  }
  mem_.clear();
  to_memory_ = true;
  return s;
}

}  // namespace vigia::mrt
