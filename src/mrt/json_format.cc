#include "mrt/json_format.h"

#include <fmt/format.h>

#include <string>

namespace vigia::mrt {

using bgp::PathAttributes;

namespace {

class Obj {
 public:
  explicit Obj(OutputBuffer* out) : out_(out) { out_->Append('{'); }
  void Key(std::string_view k) {
    if (!first_) out_->Append(',');
    first_ = false;
    out_->Append('"');
    out_->Append(k);
    out_->Append("\":");
  }
  void Str(std::string_view k, std::string_view v) {
    Key(k);
    out_->Append('"');
    for (char c : v) {
      if (c == '"' || c == '\\') {
        out_->Append('\\');
        out_->Append(c);
      } else if (static_cast<unsigned char>(c) < 0x20) {
        out_->Append(fmt::format("\\u{:04x}", static_cast<unsigned char>(c)));
      } else {
        out_->Append(c);
      }
    }
    out_->Append('"');
  }
  void Num(std::string_view k, uint64_t v) {
    Key(k);
    out_->AppendU64(v);
  }
  void Bool(std::string_view k, bool v) {
    Key(k);
    out_->Append(v ? "true" : "false");
  }
  void Ip(std::string_view k, const IpAddress& a) {
    Key(k);
    out_->Append('"');
    out_->Commit(a.Format(out_->Reserve(64)));
    out_->Append('"');
  }
  void End() { out_->Append("}\n"); }
  OutputBuffer* out() { return out_; }

 private:
  OutputBuffer* out_;
  bool first_ = true;
};

void Header(Obj& o, const Decoder& d, std::string_view kind) {
  const RecordHeader& h = d.record().header;
  o.Str("kind", kind);
  o.Num("timestamp", h.timestamp);
  if (h.extended()) o.Num("microseconds", h.microseconds);
  o.Str("mrt_type", TypeName(h.type));
  o.Str("mrt_subtype", SubtypeName(h.type, h.subtype));
}

void Prefix(Obj& o, const vigia::Prefix& p) {
  o.Key("prefix");
  OutputBuffer* out = o.out();
  out->Append('"');
  out->Commit(p.Format(out->Reserve(64)));
  out->Append('"');
}

const char* Origin(uint8_t o) { return o == 0 ? "IGP" : o == 1 ? "EGP" : "INCOMPLETE"; }

// The attributes of a route. next_hop is the one that applies to it.
void Attributes(Obj& o, const PathAttributes& a, const IpAddress* next_hop) {
  OutputBuffer* out = o.out();
  if (a.Has(bgp::kAttrAsPath)) {
    o.Key("as_path");
    out->Append('"');
    // The whole path: unlike bgpdump's text, JSON does not cut long paths.
    out->Commit(a.as_path.FormatFull(out->Reserve(a.as_path.FullTextRoom())));
    out->Append('"');
    o.Num("origin_as", a.as_path.Origin());
  }
  if (a.Has(bgp::kAttrOrigin)) o.Str("origin", Origin(a.origin));
  if (next_hop) o.Ip("next_hop", *next_hop);
  if (a.Has(bgp::kAttrLocalPref)) o.Num("local_pref", a.local_pref);
  if (a.Has(bgp::kAttrMed)) o.Num("med", a.med);
  if (!a.communities.empty()) {
    o.Key("communities");
    out->Append('[');
    for (size_t i = 0; i < a.communities.size(); ++i) {
      if (i) out->Append(',');
      out->Append('"');
      out->AppendU64(a.communities[i] >> 16);
      out->Append(':');
      out->AppendU64(a.communities[i] & 0xFFFF);
      out->Append('"');
    }
    out->Append(']');
  }
  if (!a.large_communities.empty()) {
    o.Key("large_communities");
    out->Append('[');
    for (size_t i = 0; i < a.large_communities.size(); ++i) {
      const bgp::LargeCommunity& c = a.large_communities[i];
      if (i) out->Append(',');
      out->Append(fmt::format("\"{}:{}:{}\"", c.global_admin, c.local1, c.local2));
    }
    out->Append(']');
  }
  if (!a.ext_communities.empty()) {
    o.Key("ext_communities");
    out->Append('[');
    for (size_t i = 0; i < a.ext_communities.size(); ++i) {
      if (i) out->Append(',');
      out->Append(fmt::format("\"{:016x}\"", a.ext_communities[i]));
    }
    out->Append(']');
  }
  if (a.Has(bgp::kAttrAtomicAggregate)) o.Bool("atomic_aggregate", true);
  if (a.Has(bgp::kAttrAggregator)) {
    o.Key("aggregator");
    out->Append(fmt::format("{{\"as\":{},\"address\":\"{}\"}}", a.aggregator_as,
                            a.aggregator_addr.ToString()));
  }
  if (a.Has(bgp::kAttrOriginatorId)) o.Ip("originator_id", a.originator_id);
  if (a.Has(bgp::kAttrOtc)) o.Num("otc", a.otc);
  if (!a.unknown.empty()) {
    o.Key("unknown_attributes");
    out->Append('[');
    for (size_t i = 0; i < a.unknown.size(); ++i) {
      const bgp::RawAttribute& u = a.unknown[i];
      if (i) out->Append(',');
      std::string hex;
      for (uint8_t b : u.data) hex += fmt::format("{:02x}", b);
      out->Append(
          fmt::format("{{\"type\":{},\"flags\":{},\"data\":\"{}\"}}", u.type, u.flags, hex));
    }
    out->Append(']');
  }
}

const IpAddress* RibNextHop(const PathAttributes& a) {
  for (size_t i = 0; i < a.mp_reach_count; ++i) {
    if (a.mp_reach[i].next_hop_length) return &a.mp_reach[i].next_hop;
  }
  return a.Has(bgp::kAttrNextHop) ? &a.next_hop : nullptr;
}

}  // namespace

size_t JsonFormatter::Format(const Decoder& d, OutputBuffer* out) {
  size_t lines = 0;
  switch (d.kind()) {
    case EntryKind::kRib: {
      const Rib& rib = d.rib();
      if (!rib.prefix_decoded) return 0;
      for (size_t i = 0; i < rib.entry_count; ++i) {
        const RibEntry& e = rib.entries[i];
        if (e.attrs.withdrawn()) continue;  // RFC 7606 treat-as-withdraw
        const PeerEntry& peer = d.peer_index().peers[e.peer_index];
        Obj o(out);
        Header(o, d, "rib");
        o.Ip("peer_ip", peer.ip);
        o.Num("peer_as", peer.asn);
        Prefix(o, rib.prefix);
        if (rib.add_path) o.Num("path_id", e.path_id);
        o.Num("originated", e.originated_time);
        Attributes(o, e.attrs, RibNextHop(e.attrs));
        o.End();
        ++lines;
      }
      return lines;
    }
    case EntryKind::kTableDump: {
      const TableDump& td = d.table_dump();
      for (size_t i = 0; i < td.entry_count; ++i) {
        const TableDumpEntry& e = td.entries[i];
        if (e.attrs.withdrawn()) continue;  // RFC 7606 treat-as-withdraw
        Obj o(out);
        Header(o, d, "rib");
        o.Ip("peer_ip", e.peer_ip);
        o.Num("peer_as", e.peer_as);
        Prefix(o, e.prefix);
        o.Num("originated", e.originated_time);
        o.Num("status", e.status);
        Attributes(o, e.attrs, RibNextHop(e.attrs));
        o.End();
        ++lines;
      }
      return lines;
    }
    case EntryKind::kBgp4mpMessage:
    case EntryKind::kBgpMessage: {
      const Bgp4mpMessage& m = d.bgp4mp();
      if (m.message.type != bgp::kMsgUpdate) return 0;
      const bgp::Update& u = m.message.update;
      const bool add_path = m.add_path || m.message.add_path_detected || u.attrs.add_path_detected;
      auto common = [&](Obj& o, std::string_view kind) {
        Header(o, d, kind);
        o.Ip("peer_ip", m.peer_ip);
        o.Num("peer_as", m.peer_as);
        o.Ip("local_ip", m.local_ip);
        o.Num("local_as", m.local_as);
        if (m.local) o.Bool("sent", true);
      };
      auto withdraw = [&](const std::vector<bgp::NlriEntry>& list) {
        for (const bgp::NlriEntry& n : list) {
          Obj o(out);
          common(o, "withdraw");
          Prefix(o, n.prefix);
          if (add_path) o.Num("path_id", n.path_id);
          o.End();
          ++lines;
        }
      };
      auto announce = [&](const std::vector<bgp::NlriEntry>& list, const IpAddress* nh) {
        if (u.attrs.withdrawn()) return;  // RFC 7606 treat-as-withdraw
        for (const bgp::NlriEntry& n : list) {
          Obj o(out);
          common(o, "announce");
          Prefix(o, n.prefix);
          if (add_path) o.Num("path_id", n.path_id);
          Attributes(o, u.attrs, nh);
          o.End();
          ++lines;
        }
      };
      withdraw(u.withdrawn);
      // Labeled and VPN blocks (SAFI 4, 128) are left out, as before the
      // decoder read them: a line has no field for their RD and labels.
      for (size_t i = 0; i < u.attrs.mp_unreach_count; ++i) {
        if (!bgp::IsLabeledSafi(u.attrs.mp_unreach[i].safi)) withdraw(u.attrs.mp_unreach[i].nlri);
      }
      announce(u.nlri, u.attrs.Has(bgp::kAttrNextHop) ? &u.attrs.next_hop : nullptr);
      for (size_t i = 0; i < u.attrs.mp_reach_count; ++i) {
        const bgp::MpReach& r = u.attrs.mp_reach[i];
        if (!bgp::IsLabeledSafi(r.safi)) announce(r.nlri, &r.next_hop);
      }
      return lines;
    }
    case EntryKind::kBgp4mpStateChange:
    case EntryKind::kBgpStateChange: {
      const StateChange& sc = d.state_change();
      Obj o(out);
      Header(o, d, "state");
      o.Ip("peer_ip", sc.peer_ip);
      o.Num("peer_as", sc.peer_as);
      if (d.kind() == EntryKind::kBgp4mpStateChange) {
        o.Ip("local_ip", sc.local_ip);
        o.Num("local_as", sc.local_as);
      }
      o.Num("old_state", sc.old_state);
      o.Num("new_state", sc.new_state);
      o.End();
      return 1;
    }
    default:
      return 0;
  }
}

}  // namespace vigia::mrt
