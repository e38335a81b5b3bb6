// MuxSink: the fan-in/fan-out of `vigia collect`. Every live input (the BMP
// station, the BGP speaker, a RIS Live stream, a replayed pcap stream, the
// archive's own restart reader) numbers its peers from 0 (bgp/route_sink.h:
// "handles of two feeds are unrelated"); the mux gives each input a
// RouteSink of its own (Input()) and maps (input, input's PeerHandle) to one
// collector-wide PeerHandle, dense from 0, keyed by the peer's
// (PeerInfo::collector, address, AS). Events are forwarded, with the
// collector-wide handle and an attr_set made unique across inputs, to every
// output (the MRT archive, the optional tee).
//
// Restart: peers the archive restored from its files (input kind
// kRestore) are claimed by the first live peer with the same address and AS
// whose key is new. The claimed peer's old session ended when the
// collector stopped, so the claim first forwards SessionDown() for it
// (RFC 4271 §8.2.2) and the live session then announces afresh.
//
// Thread safety: not thread-safe; one thread drives every input.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <tuple>
#include <vector>

#include "bgp/route_sink.h"

namespace vigia::collect {

class MuxSink {
 public:
  enum class InputKind : uint8_t { kLive, kRestore };

  explicit MuxSink(std::vector<bgp::RouteSink*> outputs);
  ~MuxSink();
  MuxSink(const MuxSink&) = delete;
  MuxSink& operator=(const MuxSink&) = delete;

  // A sink for one input; owned by the mux, valid for its lifetime. name
  // is for problems ("pcap F stream 3").
  bgp::RouteSink* Input(std::string name, InputKind kind = InputKind::kLive);

  // Collector-wide peers so far and their keys.
  struct PeerKey {
    std::string collector;
    IpAddress ip;
    Asn asn = 0;
    friend auto operator<=>(const PeerKey&, const PeerKey&) = default;
  };
  size_t peers() const { return peers_.size(); }
  const PeerKey& peer(bgp::PeerHandle h) const { return peers_[h].key; }

  // Called by the inputs' sinks.
  struct In;
  void OnPeer(In* in, bgp::PeerHandle h, const bgp::PeerInfo& info);
  bgp::PeerHandle Map(In* in, bgp::PeerHandle h);
  void Forward(const bgp::Route& r, const bgp::PathAttributes& a);
  void Forward(const bgp::Route& r, bgp::WithdrawCause c);
  void Forward(bgp::PeerHandle h, bgp::RouteTime t);
  void Forward(const bgp::FeedProblem& p);

 private:
  struct Global {
    PeerKey key;
    bool restored = false;  // from the archive's files, not claimed yet
  };
  std::vector<bgp::RouteSink*> outputs_;
  std::vector<std::unique_ptr<In>> inputs_;
  std::vector<Global> peers_;
  std::map<PeerKey, bgp::PeerHandle> by_key_;
};

}  // namespace vigia::collect
