#include "live/bgp_capture.h"

#include <fmt/format.h>

#include <algorithm>
#include <optional>
#include <string>
#include <vector>

#include "bgp/message.h"
#include "bmp/route_feed.h"

namespace vigia::live {

namespace {

using bgp::FeedProblem;

constexpr uint16_t kBgpPort = 179;

bool IsMarker(const uint8_t* p) {
  return std::all_of(p, p + 16, [](uint8_t b) { return b == 0xFF; });
}

// Walks the BGP messages of one direction (RFC 4271 §4.1 framing).
class Framer {
 public:
  enum class Step { kMessage, kSkipped, kTruncated, kEnd };
  explicit Framer(std::span<const uint8_t> data) : data_(data) {}

  // On kMessage, *msg is the whole message at offset(); on kSkipped,
  // skipped() bytes were passed over at offset() to the next marker.
  Step Next(std::span<const uint8_t>* msg) {
    offset_ = at_;
    if (at_ >= data_.size()) return Step::kEnd;
    if (data_.size() - at_ < bgp::kHeaderSize) return Step::kTruncated;
    const uint8_t* p = data_.data() + at_;
    const size_t len = size_t{p[16]} << 8 | p[17];
    if (!IsMarker(p) || len < bgp::kHeaderSize) {
      // Resynchronise on the next marker (a gap in the capture, damage).
      size_t next = at_ + 1;
      while (next + bgp::kHeaderSize <= data_.size() && !IsMarker(data_.data() + next)) ++next;
      if (next + bgp::kHeaderSize > data_.size()) next = data_.size();
      skipped_ = next - at_;
      at_ = next;
      return Step::kSkipped;
    }
    if (data_.size() - at_ < len) return Step::kTruncated;
    *msg = data_.subspan(at_, len);
    at_ += len;
    return Step::kMessage;
  }
  uint64_t offset() const { return offset_; }
  size_t skipped() const { return skipped_; }
  size_t left() const { return data_.size() - offset_; }

 private:
  std::span<const uint8_t> data_;
  size_t at_ = 0;
  size_t offset_ = 0;
  size_t skipped_ = 0;
};

// What one direction's first OPEN says about its speaker.
struct Speaker {
  bool have_open = false;
  Asn asn = 0;
  IpAddress bgp_id;
  bmp::OpenCapabilities caps;
};

Speaker FirstOpen(const bmp::TcpStream& s) {
  Speaker sp;
  Framer f(s.data);
  std::span<const uint8_t> msg;
  for (;;) {
    const Framer::Step st = f.Next(&msg);
    if (st == Framer::Step::kEnd || st == Framer::Step::kTruncated) return sp;
    if (st != Framer::Step::kMessage || msg[18] != bgp::kMsgOpen) continue;
    bgp::BgpMessage m;
    if (!m.Decode(msg, bgp::AttrContext{}).ok()) continue;
    sp.have_open = true;
    sp.asn = m.open.my_as;
    sp.bgp_id = m.open.bgp_id;
    (void)bmp::ParseOpenCapabilities(msg, &sp.caps);  // a damaged list keeps what was read
    if (sp.caps.as4) sp.asn = sp.caps.as4_value;
    return sp;
  }
}

class CaptureFeeder {
 public:
  CaptureFeeder(std::string_view where, bgp::RouteSink* sink, BgpCaptureStats* stats)
      : where_(where), sink_(sink), stats_(stats) {}

  // Returns whether the stream held a BGP marker at all.
  bool Direction(const bmp::TcpStream& s, const Speaker& from, const Speaker* to);

 private:
  void Problem(FeedProblem::Kind kind, const std::string& where, uint64_t offset,
               const std::string& msg) {
    sink_->Problem(FeedProblem{kind, where, offset, msg});
  }

  std::string_view where_;
  bgp::RouteSink* sink_;
  BgpCaptureStats* stats_;
  bgp::PeerHandle next_handle_ = 0;
  uint64_t attr_set_ = 0;
  bgp::BgpMessage msg_;
};

bool CaptureFeeder::Direction(const bmp::TcpStream& s, const Speaker& from, const Speaker* to) {
  const std::string where = fmt::format("{} {}.{} > {}.{}", where_, s.src.ToString(), s.src_port,
                                        s.dst.ToString(), s.dst_port);
  // RFC 6793 §4: 4-octet AS_PATH only when both sides advertised the
  // capability; an uncaptured side is taken to agree with the seen one.
  bgp::AttrContext ctx;
  const bool from_as4 =
      from.have_open ? from.caps.as4 : (to && to->have_open ? to->caps.as4 : true);
  const bool to_as4 = to && to->have_open ? to->caps.as4 : from_as4;
  ctx.as_size = from_as4 && to_as4 ? 4 : 2;
  // RFC 7911 §4: path identifiers flow when the sender may send (bit 2)
  // and the receiver may receive (bit 1).
  auto flows = [&](uint8_t send, uint8_t recv) { return (send & 2) && (recv & 1); };
  const uint8_t recv_v4 = to && to->have_open ? to->caps.add_path_v4 : 1;
  const uint8_t recv_v6 = to && to->have_open ? to->caps.add_path_v6 : 1;
  const bool ap_v4 = flows(from.caps.add_path_v4, recv_v4);
  const bool ap_v6 = flows(from.caps.add_path_v6, recv_v6);

  std::optional<bgp::PeerHandle> handle;
  auto peer = [&]() {
    if (!handle) {
      handle = next_handle_++;
      sink_->Peer(*handle, bgp::PeerInfo{where_, s.src, from.asn, from.bgp_id});
    }
    return *handle;
  };
  const bgp::RouteTime t{s.first_seconds, 0};
  bool marker = false;
  bool down = false;
  Framer f(s.data);
  std::span<const uint8_t> m;
  for (bool more = true; more && !down;) {
    switch (f.Next(&m)) {
      case Framer::Step::kEnd:
        more = false;
        break;
      case Framer::Step::kTruncated:
        if (stats_) ++stats_->bad;
        Problem(FeedProblem::Kind::kTruncated, where, f.offset(),
                fmt::format("stream ends inside a BGP message ({} octets)", f.left()));
        more = false;
        break;
      case Framer::Step::kSkipped:
        if (stats_) ++stats_->bad;
        Problem(FeedProblem::Kind::kBytesSkipped, where, f.offset(),
                fmt::format("RFC 4271 §4.1: no BGP marker or a length under 19; {} octets "
                            "skipped to the next marker",
                            f.skipped()));
        break;
      case Framer::Step::kMessage: {
        marker = true;
        if (stats_) ++stats_->messages;
        const uint8_t type = m[18];
        if (type == bgp::kMsgOpen) {
          if (stats_) ++stats_->opens;
          peer();
          break;
        }
        if (type == bgp::kMsgNotification) {
          // RFC 4271 §6: the session closes after a NOTIFICATION.
          if (handle) sink_->SessionDown(*handle, t);
          down = true;
          break;
        }
        if (type != bgp::kMsgUpdate) break;
        if (stats_) ++stats_->updates;
        ctx.add_path = bmp::UpdateHasPathIds(m, ap_v4, ap_v6);
        if (Status st = msg_.Decode(m, ctx); !st.ok()) {
          if (stats_) ++stats_->bad;
          Problem(FeedProblem::Kind::kRecordSkipped, where, f.offset(), "UPDATE: " + st.message());
          break;
        }
        if (!msg_.warning.empty()) {
          Problem(FeedProblem::Kind::kRepaired, where, f.offset(), msg_.warning);
        }
        const bgp::Update& u = msg_.update;
        const bgp::PathAttributes& a = u.attrs;
        for (const bgp::AttrError& e : a.errors()) {
          Problem(e.action == bgp::AttrAction::kTreatAsWithdraw
                      ? FeedProblem::Kind::kRouteWithdrawn
                      : FeedProblem::Kind::kAttributeDiscarded,
                  where, f.offset(), fmt::format("{}: {}", e.rule, e.message));
        }
        bgp::Route r;
        r.peer = peer();
        r.time = t;
        r.source = bgp::RouteSource::kUpdate;
        auto emit = [&](const std::vector<bgp::NlriEntry>& list, uint16_t afi, uint8_t safi,
                        bool reach) {
          r.afi = afi;
          r.safi = safi;
          for (const bgp::NlriEntry& n : list) {
            r.prefix = n.prefix;
            r.path_id = n.path_id;
            r.rd = n.rd;
            if (!reach || a.withdrawn()) {
              if (stats_) ++stats_->withdrawn;
              sink_->Withdraw(
                  r, reach ? bgp::WithdrawCause::kTreatAsWithdraw : bgp::WithdrawCause::kWithdrawn);
            } else {
              if (stats_) ++stats_->announced;
              sink_->Announce(r, a);
            }
          }
        };
        bgp::ForEachNlriList(u, emit, [&] { r.attr_set = ++attr_set_; });
        break;
      }
    }
  }
  // The TCP connection closed: the session is over (RFC 4271 §8.2.2).
  if (!down && s.saw_fin && handle) sink_->SessionDown(*handle, t);
  return marker;
}

}  // namespace

Status FeedBgpCapture(const bmp::TcpStream& a_to_b, const bmp::TcpStream* b_to_a,
                      std::string_view where, bgp::RouteSink* sink, BgpCaptureStats* stats) {
  CaptureFeeder feeder(where, sink, stats);
  const Speaker a = FirstOpen(a_to_b);
  const Speaker b = b_to_a ? FirstOpen(*b_to_a) : Speaker{};
  bool any = feeder.Direction(a_to_b, a, b_to_a ? &b : nullptr);
  if (b_to_a) any = feeder.Direction(*b_to_a, b, &a) || any;
  if (stats) ++stats->sessions;
  if (!any) {
    return Status::Corrupt(fmt::format("{}: no BGP message in the TCP stream {}.{} > {}.{}", where,
                                       a_to_b.src.ToString(), a_to_b.src_port,
                                       a_to_b.dst.ToString(), a_to_b.dst_port));
  }
  return Status::Ok();
}

Status FeedBgpPcap(const bmp::PcapSummary& pcap, std::string_view where, bgp::RouteSink* sink,
                   BgpCaptureStats* stats) {
  const std::vector<bmp::TcpStream>& st = pcap.streams;
  std::vector<bool> used(st.size(), false);
  CaptureFeeder feeder(where, sink, stats);
  size_t connections = 0;
  for (size_t i = 0; i < st.size(); ++i) {
    if (used[i] || (st[i].src_port != kBgpPort && st[i].dst_port != kBgpPort)) continue;
    used[i] = true;
    const bmp::TcpStream* rev = nullptr;
    for (size_t j = i + 1; j < st.size() && !rev; ++j) {
      if (!used[j] && st[j].src == st[i].dst && st[j].dst == st[i].src &&
          st[j].src_port == st[i].dst_port && st[j].dst_port == st[i].src_port) {
        used[j] = true;
        rev = &st[j];
      }
    }
    const Speaker a = FirstOpen(st[i]);
    const Speaker b = rev ? FirstOpen(*rev) : Speaker{};
    (void)feeder.Direction(st[i], a, rev ? &b : nullptr);
    if (rev) (void)feeder.Direction(*rev, b, &a);
    if (stats) ++stats->sessions;
    ++connections;
  }
  if (connections == 0) {
    return Status::NotFound(fmt::format("{}: no TCP connection to or from port 179", where));
  }
  return Status::Ok();
}

}  // namespace vigia::live
