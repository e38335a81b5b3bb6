#include "mrt/stats.h"

#include <sys/mman.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>

namespace vigia::mrt {

size_t PrefixHash::operator()(const Prefix& p) const {
  uint64_t a, b;
  std::memcpy(&a, p.address().bytes(), 8);
  std::memcpy(&b, p.address().bytes() + 8, 8);
  uint64_t h = a * 0x9E3779B97F4A7C15ULL ^ (b + 0x632BE59BD9B4E019ULL + p.length());
  h ^= h >> 29;
  h *= 0xBF58476D1CE4E5B9ULL;
  return static_cast<size_t>(h ^ (h >> 32));
}

void DistinctU64::Compact() {
  if (values_.size() < 2) return;
  // LSD radix sort, 16 bits a pass, skipping passes whose digit never varies.
  uint64_t all_or = 0, all_and = ~uint64_t{0};
  for (uint64_t v : values_) all_or |= v, all_and &= v;
  scratch_.resize(values_.size());
  std::vector<uint32_t> count(1 << 16);
  for (int shift = 0; shift < 64; shift += 16) {
    if ((((all_or ^ all_and) >> shift) & 0xFFFF) == 0) continue;
    std::fill(count.begin(), count.end(), 0);
    for (uint64_t v : values_) ++count[(v >> shift) & 0xFFFF];
    uint32_t sum = 0;
    for (uint32_t& c : count) {
      uint32_t t = c;
      c = sum;
      sum += t;
    }
    for (uint64_t v : values_) scratch_[count[(v >> shift) & 0xFFFF]++] = v;
    values_.swap(scratch_);
  }
  values_.erase(std::unique(values_.begin(), values_.end()), values_.end());
  scratch_.clear();
  scratch_.shrink_to_fit();
  next_compaction_ = std::max<size_t>(1 << 20, values_.size() * 2);
  values_.reserve(next_compaction_);
}

size_t PeerKeyHash::operator()(const PeerKey& k) const {
  return PrefixHash()(Prefix(k.ip, 0)) ^ (k.asn * 0x9E3779B97F4A7C15ULL);
}

void Ipv4PrefixSet::Allocate() {
  // Fresh anonymous pages are zero, so nothing is written up front. A table
  // sets bits all over the 2 MiB of /24s: on 4 KiB pages most inserts were
  // TLB misses, so the bitmap asks for huge pages (a hint; without them it
  // works the same, slower).
  void* p = ::mmap(nullptr, kWords * sizeof(uint64_t), PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (p == MAP_FAILED) std::abort();
  (void)::madvise(p, kWords * sizeof(uint64_t), MADV_HUGEPAGE);
  bits_ = static_cast<uint64_t*>(p);
}

Ipv4PrefixSet::~Ipv4PrefixSet() {
  if (bits_ != nullptr) ::munmap(bits_, kWords * sizeof(uint64_t));
}

void MrtStats::AddPrefix(const Prefix& p) {
  if (p.family() == Family::kIpv4) {
    uint32_t a = p.address().v4();
    uint32_t mask = p.length() == 0 ? 0 : ~uint32_t{0} << (32 - p.length());
    ipv4_prefixes.Add(a & mask, static_cast<uint8_t>(p.length()));
  } else {
    ipv6_prefixes.Insert(p.Masked());
  }
}

void MrtStats::AddOrigin(const bgp::PathAttributes& a) {
  if (!a.Has(bgp::kAttrAsPath) || a.withdrawn()) return;
  Asn o = a.as_path.Origin();
  if (o && o != last_origin_) {
    origins.Insert(o);
    last_origin_ = o;
  }
}

void MrtStats::AddPeer(const IpAddress& ip, Asn asn) {
  if (have_last_peer_ && last_peer_.asn == asn && last_peer_.ip == ip) return;
  last_peer_ = PeerKey{ip, asn};
  have_last_peer_ = true;
  peers.Insert(last_peer_);
}

void MrtStats::Add(const Decoder& d) {
  const RecordHeader& h = d.record().header;
  if (h.type != last_type_ || h.subtype != last_subtype_) {
    std::string key(TypeName(h.type));
    key += '/';
    key += SubtypeName(h.type, h.subtype);
    last_counter_ = &records_by_type[key];
    last_type_ = h.type;
    last_subtype_ = h.subtype;
  }
  ++*last_counter_;
  switch (d.kind()) {
    case EntryKind::kPeerIndexTable:
      for (const PeerEntry& p : d.peer_index().peers) AddPeer(p.ip, p.asn);
      break;
    case EntryKind::kRib: {
      const Rib& rib = d.rib();
      rib_entries += rib.entry_count;
      if (rib.add_path) add_path_entries += rib.entry_count;
      if (!rib.prefix_decoded) break;
      AddPrefix(rib.prefix);
      for (size_t i = 0; i < rib.entry_count; ++i) {
        // A TABLE_DUMP_V2 entry counts its origin even when RFC 7606 marked
        // the route withdrawn (as it always has).
        const bgp::PathAttributes& a = rib.entries[i].attrs;
        if (a.Has(bgp::kAttrAsPath)) {
          Asn o = a.as_path.Origin();
          if (o && o != last_origin_) {
            origins.Insert(o);
            last_origin_ = o;
          }
        }
      }
      break;
    }
    case EntryKind::kTableDump: {
      const TableDump& td = d.table_dump();
      rib_entries += td.entry_count;
      for (size_t i = 0; i < td.entry_count; ++i) {
        const TableDumpEntry& e = td.entries[i];
        AddPrefix(e.prefix);
        AddOrigin(e.attrs);
        AddPeer(e.peer_ip, e.peer_as);
      }
      break;
    }
    case EntryKind::kBgp4mpMessage:
    case EntryKind::kBgpMessage: {
      const Bgp4mpMessage& m = d.bgp4mp();
      AddPeer(m.peer_ip, m.peer_as);
      if (m.message.type != bgp::kMsgUpdate) {
        ++other_messages;
        break;
      }
      const bgp::Update& u = m.message.update;
      withdrawals += u.withdrawn.size();
      for (const bgp::NlriEntry& n : u.withdrawn) AddPrefix(n.prefix);
      const uint64_t announced_before = announcements;
      announcements += u.nlri.size();
      for (const bgp::NlriEntry& n : u.nlri) AddPrefix(n.prefix);
      // Global-table counts: labeled and VPN blocks (SAFI 4, 128) stay out.
      for (size_t i = 0; i < u.attrs.mp_unreach_count; ++i) {
        if (bgp::IsLabeledSafi(u.attrs.mp_unreach[i].safi)) continue;
        withdrawals += u.attrs.mp_unreach[i].nlri.size();
        for (const bgp::NlriEntry& n : u.attrs.mp_unreach[i].nlri) AddPrefix(n.prefix);
      }
      for (size_t i = 0; i < u.attrs.mp_reach_count; ++i) {
        if (bgp::IsLabeledSafi(u.attrs.mp_reach[i].safi)) continue;
        announcements += u.attrs.mp_reach[i].nlri.size();
        for (const bgp::NlriEntry& n : u.attrs.mp_reach[i].nlri) AddPrefix(n.prefix);
      }
      // All announced prefixes share the attributes: one origin per UPDATE.
      if (announcements != announced_before) AddOrigin(u.attrs);
      if (m.add_path) add_path_entries += u.nlri.size() + u.withdrawn.size();
      break;
    }
    case EntryKind::kBgp4mpStateChange:
    case EntryKind::kBgpStateChange: {
      const StateChange& sc = d.state_change();
      ++state_changes;
      AddPeer(sc.peer_ip, sc.peer_as);
      break;
    }
    default:
      break;
  }
}

}  // namespace vigia::mrt
