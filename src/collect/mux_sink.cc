#include "collect/mux_sink.h"

#include <fmt/format.h>

#include <ctime>

namespace vigia::collect {

namespace {
constexpr bgp::PeerHandle kUnmapped = UINT32_MAX;
}  // namespace

struct MuxSink::In final : bgp::RouteSink {
  MuxSink* mux = nullptr;
  std::string name;
  InputKind kind = InputKind::kLive;
  uint64_t index = 0;
  std::vector<bgp::PeerHandle> map;  // input handle -> collector-wide

  // Unique across inputs: the input's number in the top 16 bits.
  uint64_t AttrSet(uint64_t s) const { return (index + 1) << 48 | (s & ((uint64_t{1} << 48) - 1)); }
  bool Translate(const bgp::Route& r, bgp::Route* out) {
    const bgp::PeerHandle g = mux->Map(this, r.peer);
    if (g == kUnmapped) return false;
    *out = r;
    out->peer = g;
    out->attr_set = AttrSet(r.attr_set);
    return true;
  }
  void Peer(bgp::PeerHandle h, const bgp::PeerInfo& info) override { mux->OnPeer(this, h, info); }
  void Announce(const bgp::Route& r, const bgp::PathAttributes& attrs) override {
    bgp::Route g;
    if (Translate(r, &g)) mux->Forward(g, attrs);
  }
  void Withdraw(const bgp::Route& r, bgp::WithdrawCause cause) override {
    bgp::Route g;
    if (Translate(r, &g)) mux->Forward(g, cause);
  }
  void SessionDown(bgp::PeerHandle peer, bgp::RouteTime t) override {
    const bgp::PeerHandle g = mux->Map(this, peer);
    if (g != kUnmapped) mux->Forward(g, t);
  }
  void Problem(const bgp::FeedProblem& p) override { mux->Forward(p); }
};

MuxSink::MuxSink(std::vector<bgp::RouteSink*> outputs) : outputs_(std::move(outputs)) {
  std::erase(outputs_, nullptr);
}
MuxSink::~MuxSink() = default;

bgp::RouteSink* MuxSink::Input(std::string name, InputKind kind) {
  auto in = std::make_unique<In>();
  in->mux = this;
  in->name = std::move(name);
  in->kind = kind;
  in->index = inputs_.size();
  inputs_.push_back(std::move(in));
  return inputs_.back().get();
}

bgp::PeerHandle MuxSink::Map(In* in, bgp::PeerHandle h) {
  if (h < in->map.size() && in->map[h] != kUnmapped) return in->map[h];
  const std::string msg = fmt::format("event for peer handle {} before its Peer()", h);
  Forward(bgp::FeedProblem{.kind = bgp::FeedProblem::Kind::kRecordSkipped,
                           .where = in->name,
                           .offset = bgp::FeedProblem::kNoOffset,
                           .message = msg});
  return kUnmapped;
}

void MuxSink::OnPeer(In* in, bgp::PeerHandle h, const bgp::PeerInfo& info) {
  PeerKey key{std::string(info.collector), info.ip, info.asn};
  bgp::PeerHandle g = kUnmapped;
  if (auto it = by_key_.find(key); it != by_key_.end()) g = it->second;
  if (in->kind == InputKind::kLive && (g == kUnmapped || peers_[g].restored)) {
    // A restored peer with the same address and AS is this one, back.
    bgp::PeerHandle claim = g;
    for (bgp::PeerHandle i = 0; claim == kUnmapped && i < peers_.size(); ++i) {
      if (peers_[i].restored && peers_[i].key.ip == info.ip && peers_[i].key.asn == info.asn)
        claim = i;
    }
    if (claim != kUnmapped) {
      // RFC 4271 §8.2.2: the session the restored routes came over ended
      // with the collector; the new one announces afresh.
      const auto now = static_cast<uint32_t>(::time(nullptr));
      Forward(claim, bgp::RouteTime{now, 0});
      peers_[claim].restored = false;
      by_key_.erase(peers_[claim].key);
      peers_[claim].key = key;
      by_key_[key] = claim;
      g = claim;
    }
  }
  if (g == kUnmapped) {
    g = static_cast<bgp::PeerHandle>(peers_.size());
    peers_.push_back({key, in->kind == InputKind::kRestore});
    by_key_[key] = g;
    for (bgp::RouteSink* o : outputs_) o->Peer(g, info);
  }
  if (in->map.size() <= h) in->map.resize(size_t{h} + 1, kUnmapped);
  in->map[h] = g;
}

void MuxSink::Forward(const bgp::Route& r, const bgp::PathAttributes& a) {
  for (bgp::RouteSink* o : outputs_) o->Announce(r, a);
}
void MuxSink::Forward(const bgp::Route& r, bgp::WithdrawCause c) {
  for (bgp::RouteSink* o : outputs_) o->Withdraw(r, c);
}
void MuxSink::Forward(bgp::PeerHandle h, bgp::RouteTime t) {
  for (bgp::RouteSink* o : outputs_) o->SessionDown(h, t);
}
void MuxSink::Forward(const bgp::FeedProblem& p) {
  for (bgp::RouteSink* o : outputs_) o->Problem(p);
}

}  // namespace vigia::collect
