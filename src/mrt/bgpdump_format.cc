#include "mrt/bgpdump_format.h"

#include <array>
#include <charconv>
#include <cstring>
#include <ctime>

namespace vigia::mrt {

using bgp::MpReach;
using bgp::PathAttributes;

char* FormatIpv6Bgpdump(const uint8_t b[16], char* out) {
  auto word = [&](int i) { return static_cast<uint16_t>((b[2 * i] << 8) | b[2 * i + 1]); };
  const bool zero96 = word(0) == 0 && word(1) == 0 && word(2) == 0 && word(3) == 0 && word(4) == 0;
  const bool mapped = zero96 && word(5) == 0xFFFF;
  const uint32_t low =
      (uint32_t{b[12]} << 24) | (uint32_t{b[13]} << 16) | (uint32_t{b[14]} << 8) | b[15];
  const bool compat = zero96 && word(5) == 0 && low > 1;
  if (mapped || compat) {
    std::memcpy(out, mapped ? "::ffff:" : "::", mapped ? 7 : 2);
    out += mapped ? 7 : 2;
    for (int i = 12; i < 16; ++i) {
      out = std::to_chars(out, out + 3, b[i]).ptr;
      if (i != 15) *out++ = '.';
    }
    return out;
  }
  // Longest run of zero groups, the first of equal ones, even of length 1.
  int run_at = -1, run_len = 0;
  for (int i = 0; i < 8;) {
    if (word(i) != 0) {
      ++i;
      continue;
    }
    int j = i;
    while (j < 8 && word(j) == 0) ++j;
    if (j - i > run_len) run_at = i, run_len = j - i;
    i = j;
  }
  for (int i = 0; i < 8; ++i) {
    if (i == run_at) {
      if (i == 0) *out++ = ':';
      *out++ = ':';
      i += run_len - 1;
      continue;
    }
    out = std::to_chars(out, out + 4, word(i), 16).ptr;
    if (i != 7) *out++ = ':';
  }
  return out;
}

namespace {

// Decimal text of 0..255, padded to four bytes for a fixed-size copy: the
// dotted quads of millions of prefixes are the hottest text here.
struct OctetText {
  char text[4];
  uint8_t size;
};
constexpr std::array<OctetText, 256> MakeOctetTable() {
  std::array<OctetText, 256> t{};
  for (int v = 0; v < 256; ++v) {
    OctetText& o = t[static_cast<size_t>(v)];
    if (v >= 100) {
      o.text[0] = static_cast<char>('0' + v / 100);
      o.text[1] = static_cast<char>('0' + v / 10 % 10);
      o.text[2] = static_cast<char>('0' + v % 10);
      o.size = 3;
    } else if (v >= 10) {
      o.text[0] = static_cast<char>('0' + v / 10);
      o.text[1] = static_cast<char>('0' + v % 10);
      o.size = 2;
    } else {
      o.text[0] = static_cast<char>('0' + v);
      o.size = 1;
    }
  }
  return t;
}
constexpr std::array<OctetText, 256> kOctets = MakeOctetTable();

char* Octet(uint8_t v, char* out) {
  std::memcpy(out, kOctets[v].text, 4);  // the caller's buffer has room
  return out + kOctets[v].size;
}

char* Ipv4(const IpAddress& a, char* out) {
  const uint8_t* b = a.bytes();
  out = Octet(b[0], out);
  *out++ = '.';
  out = Octet(b[1], out);
  *out++ = '.';
  out = Octet(b[2], out);
  *out++ = '.';
  return Octet(b[3], out);
}
char* Ipv6(const IpAddress& a, char* out) { return FormatIpv6Bgpdump(a.bytes(), out); }
// bgpdump picks the text form from the session's AFI, not the address.
char* PeerIp(const IpAddress& a, bool v6, char* out) { return v6 ? Ipv6(a, out) : Ipv4(a, out); }

char* U32(uint32_t v, char* out) { return std::to_chars(out, out + 10, v).ptr; }
char* I32(int32_t v, char* out) { return std::to_chars(out, out + 11, v).ptr; }
char* Str(std::string_view s, char* out) {
  std::memcpy(out, s.data(), s.size());
  return out + s.size();
}

const char* OriginName(const PathAttributes& a) {
  // bgpdump prints INCOMPLETE for a missing ORIGIN (it starts from -1).
  if (!a.Has(bgp::kAttrOrigin)) return "INCOMPLETE";
  return a.origin == 0 ? "IGP" : a.origin == 1 ? "EGP" : "INCOMPLETE";
}

// Room needed for the attribute text of one line, beyond the AS path.
size_t TailRoom(const PathAttributes& a) {
  return bgp::kMaxAsPathText + 256 + a.communities.size() * 16;
}

char* AsPathText(const PathAttributes& a, char* out) {
  if (!a.Has(bgp::kAttrAsPath)) return out;
  return a.as_path.Format(out);
}

// " 65000:1 no-export" without the leading space (bgpdump prints str+1).
char* Communities(const PathAttributes& a, char* out) {
  bool first = true;
  for (uint32_t c : a.communities) {
    if (!first) *out++ = ' ';
    first = false;
    switch (c) {
      case 0xFFFFFF01:
        out = Str("no-export", out);
        break;
      case 0xFFFFFF02:
        out = Str("no-advertise", out);
        break;
      case 0xFFFFFF03:
        out = Str("local-AS", out);
        break;
      default:
        out = U32(c >> 16, out);
        *out++ = ':';
        out = U32(c & 0xFFFF, out);
    }
  }
  return out;
}

// "comm|AG|agg|": the common end of every long line.
char* CommAgAgg(const PathAttributes& a, char* out) {
  if (a.Has(bgp::kAttrCommunities)) out = Communities(a, out);
  *out++ = '|';
  out = Str(a.Has(bgp::kAttrAtomicAggregate) ? "AG|" : "NAG|", out);
  if (a.aggregator_addr.v4() != 0xFFFFFFFF) {
    out = U32(a.aggregator_as, out);
    *out++ = ' ';
    out = Ipv4(a.aggregator_addr, out);
  }
  *out++ = '|';
  return out;
}

uint32_t Pref(const PathAttributes& a) { return a.Has(bgp::kAttrLocalPref) ? a.local_pref : 0; }
uint32_t Med(const PathAttributes& a) { return a.Has(bgp::kAttrMed) ? a.med : 0; }

// bgpdump keeps one MP_REACH per AFI/SAFI slot, the first; the MRT
// abbreviated form goes to the IPv6 unicast slot whatever it holds.
const MpReach* ReachSlot(const PathAttributes& a, uint16_t afi, uint8_t safi) {
  for (size_t i = 0; i < a.mp_reach_count; ++i) {
    const MpReach& m = a.mp_reach[i];
    if (m.abbreviated) {
      if (afi == bgp::kAfiIpv6 && safi == bgp::kSafiUnicast) return &m;
      continue;
    }
    if (m.afi == afi && m.safi == safi) return &m;
  }
  return nullptr;
}
const bgp::MpUnreach* UnreachSlot(const PathAttributes& a, uint16_t afi, uint8_t safi) {
  for (size_t i = 0; i < a.mp_unreach_count; ++i) {
    if (a.mp_unreach[i].afi == afi && a.mp_unreach[i].safi == safi) return &a.mp_unreach[i];
  }
  return nullptr;
}

// The next hop a RIB line shows (bgpdump's table_line_dump_v2_prefix).
char* RibNextHop(const PathAttributes& a, char* out) {
  if (a.Has(bgp::kAttrMpReach)) {
    const MpReach* m = ReachSlot(a, bgp::kAfiIpv6, bgp::kSafiUnicast);
    if (!m) m = ReachSlot(a, bgp::kAfiIpv4, bgp::kSafiUnicast);
    if (m) {
      if (m->next_hop_length == 4) return Ipv4(m->next_hop, out);
      if (m->next_hop_length == 16 || m->next_hop_length == 32) return Ipv6(m->next_hop, out);
      return out;
    }
  }
  return Ipv4(a.next_hop, out);
}

}  // namespace

void BgpdumpFormatter::SetTime(const RecordHeader& h, bool with_us) {
  int kind = with_us ? 1 : 0;
  if (time_kind_ == kind && time_ts_ == h.timestamp && (!with_us || time_us_ == h.microseconds)) {
    return;
  }
  time_kind_ = kind;
  time_ts_ = h.timestamp;
  time_us_ = h.microseconds;
  char buf[64];
  char* p = buf;
  if (mode_ == BgpdumpMode::kUnixTime) {
    p = U32(h.timestamp, p);
  } else {
    time_t t = static_cast<time_t>(h.timestamp);
    struct tm tm;
    gmtime_r(&t, &tm);
    auto two = [&](int v) {
      *p++ = static_cast<char>('0' + v / 10 % 10);
      *p++ = static_cast<char>('0' + v % 10);
    };
    two(tm.tm_mon + 1);
    *p++ = '/';
    two(tm.tm_mday);
    *p++ = '/';
    two(tm.tm_year % 100);
    *p++ = ' ';
    two(tm.tm_hour);
    *p++ = ':';
    two(tm.tm_min);
    *p++ = ':';
    two(tm.tm_sec);
  }
  if (with_us) {
    // "%06ld": at least six digits.
    char us[16];
    char* e = U32(h.microseconds, us);
    *p++ = '.';
    for (ptrdiff_t pad = 6 - (e - us); pad > 0; --pad) *p++ = '0';
    p = Str(std::string_view(us, static_cast<size_t>(e - us)), p);
  }
  time_.assign(buf, p);
}

size_t BgpdumpFormatter::Format(const Decoder& d, OutputBuffer* out) {
  switch (d.kind()) {
    case EntryKind::kTableDump:
      return FormatTableDump(d, out);
    case EntryKind::kRib:
      return FormatRib(d, out);
    case EntryKind::kBgp4mpMessage:
      return FormatBgp4mp(d, out);
    case EntryKind::kBgp4mpStateChange:
      return FormatStateChange(d, out,
                               d.record().header.type == kTypeBgp4mpEt ? "BGP4MP_ET" : "BGP4MP");
    case EntryKind::kBgpMessage:
      return FormatLegacyBgp(d, out);
    case EntryKind::kBgpStateChange:
      return FormatStateChange(d, out, "BGP");
    default:
      return 0;
  }
}

// bgpdump.c table_line_mrtd_route.
size_t BgpdumpFormatter::FormatTableDump(const Decoder& d, OutputBuffer* out) {
  const TableDump& td = d.table_dump();
  SetTime(d.record().header, false);
  // Only subtype 2 prints as IPv6; subtype 4 prints the first four octets
  // as IPv4, as bgpdump does.
  const bool v6 = td.subtype == 2;
  size_t lines = 0;
  for (size_t i = 0; i < td.entry_count; ++i) {
    const TableDumpEntry& e = td.entries[i];
    const PathAttributes& a = e.attrs;
    // RFC 7606 treat-as-withdraw: the entry is no route (reported by the
    // caller); the other entries print.
    if (a.withdrawn()) continue;
    ++lines;
    char* p = out->Reserve(TailRoom(a) + 256);
    p = Str("TABLE_DUMP|", p);
    p = Str(time_, p);
    p = Str("|B|", p);
    p = PeerIp(e.peer_ip, v6, p);
    *p++ = '|';
    p = U32(e.peer_as, p);
    *p++ = '|';
    p = PeerIp(e.prefix.address(), v6, p);
    *p++ = '/';
    p = U32(e.prefix.length(), p);
    *p++ = '|';
    p = AsPathText(a, p);
    *p++ = '|';
    p = Str(OriginName(a), p);
    if (mode_ == BgpdumpMode::kUnixTime) {
      *p++ = '|';
      const MpReach* m =
          a.Has(bgp::kAttrMpReach) ? ReachSlot(a, bgp::kAfiIpv6, bgp::kSafiUnicast) : nullptr;
      p = m ? Ipv6(m->next_hop, p) : Ipv4(a.next_hop, p);
      *p++ = '|';
      p = U32(Pref(a), p);
      *p++ = '|';
      p = U32(Med(a), p);
      *p++ = '|';
      p = CommAgAgg(a, p);
    }
    *p++ = '\n';
    out->Commit(p);
  }
  return lines;
}

// bgpdump.c table_line_dump_v2_prefix. bgpdump prints only the unicast
// subtypes; multicast and RIB_GENERIC records it decodes to nothing.
size_t BgpdumpFormatter::FormatRib(const Decoder& d, OutputBuffer* out) {
  const Rib& rib = d.rib();
  if (rib.subtype != kRibIpv4Unicast && rib.subtype != kRibIpv6Unicast &&
      rib.subtype != kRibIpv4UnicastAddPath && rib.subtype != kRibIpv6UnicastAddPath) {
    return 0;
  }
  SetTime(d.record().header, false);
  const bool v6_prefix = rib.afi == bgp::kAfiIpv6;
  char prefix[64];
  char* pe = PeerIp(rib.prefix.address(), v6_prefix, prefix);
  *pe++ = '/';
  pe = U32(rib.prefix.length(), pe);
  const std::string_view prefix_text(prefix, static_cast<size_t>(pe - prefix));
  const std::vector<PeerEntry>& peers = d.peer_index().peers;
  size_t lines = 0;
  for (size_t i = 0; i < rib.entry_count; ++i) {
    const RibEntry& e = rib.entries[i];
    const PathAttributes& a = e.attrs;
    // RFC 7606 treat-as-withdraw affects this peer's entry alone.
    if (a.withdrawn()) continue;
    ++lines;
    const PeerEntry& peer = peers[e.peer_index];
    char* p = out->Reserve(TailRoom(a) + 256);
    p = Str(rib.add_path ? "TABLE_DUMP2_AP|" : "TABLE_DUMP2|", p);
    p = Str(time_, p);
    p = Str("|B|", p);
    p = PeerIp(peer.ip, peer.ip.is_v6(), p);
    *p++ = '|';
    p = U32(peer.asn, p);
    *p++ = '|';
    p = Str(prefix_text, p);
    *p++ = '|';
    if (rib.add_path) {
      p = U32(e.path_id, p);
      *p++ = '|';
    }
    p = AsPathText(a, p);
    *p++ = '|';
    p = Str(OriginName(a), p);
    if (mode_ == BgpdumpMode::kUnixTime) {
      *p++ = '|';
      p = RibNextHop(a, p);
      *p++ = '|';
      p = U32(Pref(a), p);
      *p++ = '|';
      p = U32(Med(a), p);
      *p++ = '|';
      p = CommAgAgg(a, p);
    }
    *p++ = '\n';
    out->Commit(p);
  }
  return lines;
}

size_t BgpdumpFormatter::FormatStateChange(const Decoder& d, OutputBuffer* out,
                                           const char* type_name) {
  const StateChange& sc = d.state_change();
  const RecordHeader& h = d.record().header;
  SetTime(h, h.type == kTypeBgp4mpEt);
  char* p = out->Reserve(256);
  p = Str(type_name, p);
  *p++ = '|';
  p = Str(time_, p);
  p = Str("|STATE|", p);
  p = PeerIp(sc.peer_ip, sc.afi == bgp::kAfiIpv6, p);
  *p++ = '|';
  p = U32(sc.peer_as, p);
  *p++ = '|';
  p = U32(sc.old_state, p);
  *p++ = '|';
  p = U32(sc.new_state, p);
  *p++ = '\n';
  out->Commit(p);
  return 1;
}

// bgpdump.c table_line_withdraw/_withdraw6/_announce/_announce_1/_announce6.
size_t BgpdumpFormatter::FormatBgp4mp(const Decoder& d, OutputBuffer* out) {
  const Bgp4mpMessage& m = d.bgp4mp();
  if (m.message.type != bgp::kMsgUpdate) return 0;
  const RecordHeader& h = d.record().header;
  const bool et = h.type == kTypeBgp4mpEt;
  SetTime(h, et);
  const bgp::Update& u = m.message.update;
  const PathAttributes& a = u.attrs;
  const bool human = mode_ == BgpdumpMode::kHumanTime;
  const bool peer_v6 = m.afi == bgp::kAfiIpv6;
  size_t lines = 0;

  // "FORMAT|time|" once per message.
  std::string_view format = et ? (m.local ? (m.add_path ? "BGP4MP_ET_LOCAL_AP" : "BGP4MP_ET_LOCAL")
                                          : (m.add_path ? "BGP4MP_ET_AP" : "BGP4MP_ET"))
                               : (m.local ? (m.add_path ? "BGP4MP_LOCAL_AP" : "BGP4MP_LOCAL")
                                          : (m.add_path ? "BGP4MP_AP" : "BGP4MP"));
  char peer_buf[128];
  char* pb = PeerIp(m.peer_ip, peer_v6, peer_buf);
  *pb++ = '|';
  pb = U32(m.peer_as, pb);
  *pb++ = '|';
  const std::string_view peer(peer_buf, static_cast<size_t>(pb - peer_buf));
  // table_line_withdraw6 prints an IPv4 peer of a sent message through the
  // IPv6 formatter (bgpdump bug, reproduced).
  char peer6_buf[128];
  std::string_view peer6 = peer;
  if (!peer_v6 && m.local) {
    char* q = Ipv6(m.peer_ip, peer6_buf);
    *q++ = '|';
    q = U32(m.peer_as, q);
    *q++ = '|';
    peer6 = std::string_view(peer6_buf, static_cast<size_t>(q - peer6_buf));
  }

  auto line_head = [&](char* p, const char* kind) {
    p = Str(format, p);
    *p++ = '|';
    p = Str(time_, p);
    *p++ = '|';
    p = Str(kind, p);
    *p++ = '|';
    return p;
  };
  auto prefix_text = [&](const bgp::NlriEntry& n, bool v6, char* p) {
    p = v6 ? Ipv6(n.prefix.address(), p) : Ipv4(n.prefix.address(), p);
    *p++ = '/';
    return Octet(n.prefix.length(), p);
  };

  // Withdrawals: IPv4 NLRI, then MP_UNREACH by AFI/SAFI slot.
  auto withdraw = [&](const std::vector<bgp::NlriEntry>& list, bool v6, std::string_view who) {
    for (const bgp::NlriEntry& n : list) {
      char* p = out->Reserve(256);
      p = line_head(p, "W");
      p = Str(who, p);
      p = prefix_text(n, v6, p);
      if (m.add_path) {
        *p++ = '|';
        p = U32(n.path_id, p);
      }
      *p++ = '\n';
      out->Commit(p);
      ++lines;
    }
  };
  if (!u.withdrawn.empty() || a.Has(bgp::kAttrMpUnreach)) {
    withdraw(u.withdrawn, false, peer);
    for (uint16_t afi : {bgp::kAfiIpv4, bgp::kAfiIpv6}) {
      for (uint8_t safi = 1; safi <= 3; ++safi) {
        if (const bgp::MpUnreach* w = UnreachSlot(a, afi, safi)) {
          withdraw(w->nlri, afi == bgp::kAfiIpv6, afi == bgp::kAfiIpv6 ? peer6 : peer);
        }
      }
    }
  }
  if (u.nlri.empty() && !a.Has(bgp::kAttrMpReach)) return lines;
  // RFC 7606 treat-as-withdraw: the announcements are not routes (the
  // caller reports them); the withdrawals above stand.
  if (a.withdrawn()) return lines;

  // Announcements. The attribute tail is the same for every prefix of a
  // block, so it is formatted once.
  const size_t room = TailRoom(a) + 64;
  tail_.resize(room);
  auto announce = [&](const std::vector<bgp::NlriEntry>& list, bool v6, std::string_view tail) {
    for (const bgp::NlriEntry& n : list) {
      char* p = out->Reserve(tail.size() + 256);
      p = line_head(p, "A");
      p = Str(peer, p);
      p = prefix_text(n, v6, p);
      *p++ = '|';
      if (m.add_path) {
        p = U32(n.path_id, p);
        *p++ = '|';
      }
      p = Str(tail, p);
      out->Commit(p);
      ++lines;
    }
  };
  auto path_origin = [&](char* p) {
    p = AsPathText(a, p);
    *p++ = '|';
    return Str(OriginName(a), p);
  };

  if (!u.nlri.empty()) {
    char* p = path_origin(tail_.data());
    if (!human) {
      *p++ = '|';
      p = Ipv4(a.next_hop, p);
      *p++ = '|';
      p = U32(Pref(a), p);
      *p++ = '|';
      p = U32(Med(a), p);
      *p++ = '|';
      p = CommAgAgg(a, p);
    }
    *p++ = '\n';
    announce(u.nlri, false, std::string_view(tail_.data(), static_cast<size_t>(p - tail_.data())));
  }
  for (uint16_t afi : {bgp::kAfiIpv4, bgp::kAfiIpv6}) {
    for (uint8_t safi = 1; safi <= 3; ++safi) {
      const MpReach* r = ReachSlot(a, afi, safi);
      if (!r || r->nlri.empty()) continue;
      char* p = tail_.data();
      if (human) {
        p = path_origin(p);
      } else {
        const bool nh4 = r->next_hop_length == 4;
        const bool nh6 = r->next_hop_length == 16 || r->next_hop_length == 32;
        if (afi == bgp::kAfiIpv4) {
          // table_line_announce_1: path and origin always; preference and
          // MED printed signed.
          p = path_origin(p);
          *p++ = '|';
          if (nh4 || nh6) {
            p = nh4 ? Ipv4(r->next_hop, p) : Ipv6(r->next_hop, p);
            *p++ = '|';
            p = I32(static_cast<int32_t>(Pref(a)), p);
            *p++ = '|';
            p = I32(static_cast<int32_t>(Med(a)), p);
            *p++ = '|';
          }
        } else if (nh4 || nh6) {
          // table_line_announce6: path, origin and next hop only for a
          // next hop length it knows.
          p = path_origin(p);
          *p++ = '|';
          p = nh4 ? Ipv4(r->next_hop, p) : Ipv6(r->next_hop, p);
          *p++ = '|';
          p = U32(Pref(a), p);
          *p++ = '|';
          p = U32(Med(a), p);
          *p++ = '|';
        }
        p = CommAgAgg(a, p);
      }
      *p++ = '\n';
      // table_line_announce6 prints an IPv4 peer through the IPv4 formatter
      // in both directions, so the plain peer text is right here.
      announce(r->nlri, afi == bgp::kAfiIpv6,
               std::string_view(tail_.data(), static_cast<size_t>(p - tail_.data())));
    }
  }
  return lines;
}

// bgpdump.c process_bgpdump_mrtd_bgp, mrtd_table_line_withdraw/_announce.
size_t BgpdumpFormatter::FormatLegacyBgp(const Decoder& d, OutputBuffer* out) {
  const Bgp4mpMessage& m = d.bgp4mp();
  if (m.subtype != kBgpUpdate) return 0;
  SetTime(d.record().header, false);
  const bgp::Update& u = m.message.update;
  const PathAttributes& a = u.attrs;
  char who_buf[64];
  char* w = Ipv4(m.peer_ip, who_buf);
  *w++ = '|';
  w = U32(m.peer_as, w);
  *w++ = '|';
  const std::string_view who(who_buf, static_cast<size_t>(w - who_buf));
  size_t lines = 0;
  for (const bgp::NlriEntry& n : u.withdrawn) {
    char* p = out->Reserve(256);
    p = Str("BGP|", p);
    p = Str(time_, p);
    p = Str("|W|", p);
    p = Str(who, p);
    p = Ipv4(n.prefix.address(), p);
    *p++ = '/';
    p = U32(n.prefix.length(), p);
    *p++ = '\n';
    out->Commit(p);
    ++lines;
  }
  for (const bgp::NlriEntry& n : u.nlri) {
    if (a.withdrawn()) break;  // RFC 7606 treat-as-withdraw, reported by the caller
    char* p = out->Reserve(TailRoom(a) + 256);
    p = Str("BGP|", p);
    p = Str(time_, p);
    p = Str("|A|", p);
    p = Str(who, p);
    p = Ipv4(n.prefix.address(), p);
    *p++ = '/';
    p = U32(n.prefix.length(), p);
    *p++ = '|';
    p = AsPathText(a, p);
    *p++ = '|';
    p = Str(OriginName(a), p);
    if (mode_ == BgpdumpMode::kUnixTime) {
      *p++ = '|';
      p = Ipv4(a.next_hop, p);
      *p++ = '|';
      p = U32(Pref(a), p);
      *p++ = '|';
      p = U32(Med(a), p);
      // mrtd_table_line_announce runs the communities into the MED (no
      // separator) and ends the aggregator differently; reproduced.
      if (a.Has(bgp::kAttrCommunities)) {
        p = Communities(a, p);
        *p++ = '|';
      } else {
        *p++ = '|';
      }
      p = Str(a.Has(bgp::kAttrAtomicAggregate) ? "AG|" : "NAG|", p);
      if (a.aggregator_addr.v4() != 0xFFFFFFFF) {
        p = U32(a.aggregator_as, p);
        *p++ = ' ';
        p = Ipv4(a.aggregator_addr, p);
      }
      *p++ = '|';
    }
    *p++ = '\n';
    out->Commit(p);
    ++lines;
  }
  return lines;
}

}  // namespace vigia::mrt
