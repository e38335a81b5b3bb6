// Test helpers for src/collect: a RouteSink that keeps each peer's routes
// keyed by (peer address and AS, prefix, path id) with a fingerprint of the
// attributes (AS path, origin, next hop, communities, MED, LOCAL_PREF), so
// routes read back from MRT files compare with what was fed, whatever the
// handles. Tests only; not thread-safe.
#pragma once

#include <map>
#include <string>
#include <tuple>
#include <vector>

#include "bgp/route_sink.h"
#include "collect/mrt_archive.h"
#include "mrt/route_feed.h"

namespace vigia::collect::test {

using Key = std::tuple<std::string, std::string, uint32_t>;  // "ip AS", prefix, path id
using Routes = std::map<Key, std::string>;

inline std::string Fingerprint(const bgp::PathAttributes& a) {
  std::string s = a.as_path.ToString() + "|o" + std::to_string(a.origin) + "|nh ";
  s += a.mp_reach_count ? a.mp_reach[0].next_hop.ToString() : a.next_hop.ToString();
  s += "|c";
  for (uint32_t c : a.communities) s += " " + std::to_string(c);
  if (a.Has(bgp::kAttrMed)) s += "|med " + std::to_string(a.med);
  if (a.Has(bgp::kAttrLocalPref)) s += "|lp " + std::to_string(a.local_pref);
  for (const auto& l : a.large_communities)
    s += "|lc " + std::to_string(l.global_admin) + ":" + std::to_string(l.local1);
  return s;
}

class Recorder : public bgp::RouteSink {
 public:
  void Peer(bgp::PeerHandle h, const bgp::PeerInfo& info) override {
    names_[h] = info.ip.ToString() + " AS" + std::to_string(info.asn);
  }
  void Announce(const bgp::Route& r, const bgp::PathAttributes& a) override {
    routes[{names_[r.peer], r.prefix.ToString(), r.path_id}] = Fingerprint(a);
    ++announces;
  }
  void Withdraw(const bgp::Route& r, bgp::WithdrawCause) override {
    routes.erase({names_[r.peer], r.prefix.ToString(), r.path_id});
  }
  void SessionDown(bgp::PeerHandle peer, bgp::RouteTime) override {
    ++session_downs;
    const std::string n = names_[peer];
    for (auto it = routes.begin(); it != routes.end();)
      it = std::get<0>(it->first) == n ? routes.erase(it) : std::next(it);
  }
  void Problem(const bgp::FeedProblem& p) override { problems.push_back(p.ToString()); }

  Routes routes;
  std::vector<std::string> problems;
  size_t announces = 0, session_downs = 0;

 private:
  std::map<bgp::PeerHandle, std::string> names_;
};

// Reads MRT files in order into one recorder (one RouteFeed: stable peers).
inline Recorder ReadBack(const std::vector<std::string>& files) {
  Recorder r;
  mrt::RouteFeed feed("readback");
  for (const auto& f : files) (void)feed.ReadFile(f, &r);
  return r;
}

// The archive's routes, peers named by the names given to its handles.
inline Routes Held(const MrtArchive& a, const std::map<bgp::PeerHandle, std::string>& names) {
  Routes out;
  a.ForEach([&](const HeldRoute& h) {
    bgp::PathAttributes attrs;
    (void)attrs.Decode({reinterpret_cast<const uint8_t*>(h.attrs.data()), h.attrs.size()},
                       bgp::AttrContext{});
    out[{names.at(h.peer), h.prefix.ToString(), h.path_id}] = Fingerprint(attrs);
  });
  return out;
}

}  // namespace vigia::collect::test
