// Test helpers for the BMP station's tests (station_test.cc and
// station_daemon_test.cc): ViewRecorder, a RouteSink that keeps the current
// routes of every (router, RIB view, peer) the way a consumer of the feed
// would, with AS path and next hop, so that a test can compare them with a
// router's own tables. Tests only. Thread-safe (a mutex): the daemon tests
// run the station in a thread and read from the test's thread.
#pragma once

#include <map>
#include <mutex>
#include <sstream>
#include <string>
#include <vector>

#include "bgp/route_sink.h"

namespace vigia::bmp::test {

// One route as the comparisons see it.
struct RouteView {
  std::string as_path;   // "65010 65020", "" for an empty path
  std::string next_hop;  // IPv4 NEXT_HOP or the first MP_REACH next hop
  friend bool operator==(const RouteView&, const RouteView&) = default;
};
inline std::ostream& operator<<(std::ostream& o, const RouteView& r) {
  return o << "[" << r.as_path << "] nh " << r.next_hop;
}
// prefix (with "#<path id>" when non-zero) -> route.
using Table = std::map<std::string, RouteView>;

class ViewRecorder : public bgp::RouteSink {
 public:
  void Peer(bgp::PeerHandle h, const bgp::PeerInfo& info) override {
    std::lock_guard l(mu_);
    // collector is "<station> <router> <view>[ rd <n>][ table <name>]".
    std::istringstream in{std::string(info.collector)};
    PeerName n;
    std::string station;
    in >> station >> n.router >> n.view;
    n.peer = info.ip.ToString();
    n.asn = info.asn;
    names_[h] = n;
  }
  void Announce(const bgp::Route& r, const bgp::PathAttributes& a) override {
    std::lock_guard l(mu_);
    std::string nh = a.next_hop.ToString();
    if (a.mp_reach_count > 0) nh = a.mp_reach[0].next_hop.ToString();
    routes_[r.peer][Key(r)] = RouteView{a.as_path.ToString(), nh};
    ++announces_;
  }
  void Withdraw(const bgp::Route& r, bgp::WithdrawCause c) override {
    std::lock_guard l(mu_);
    routes_[r.peer].erase(Key(r));
    if (c == bgp::WithdrawCause::kTreatAsWithdraw) ++treat_as_withdraw_;
  }
  void SessionDown(bgp::PeerHandle peer, bgp::RouteTime) override {
    std::lock_guard l(mu_);
    ++session_downs_;
    routes_[peer].clear();
  }
  void Problem(const bgp::FeedProblem& p) override {
    std::lock_guard l(mu_);
    if (problems_.size() < 200) problems_.push_back(p.ToString());
  }

  // Routes of every peer of `router` in `view` ("adj-rib-in-pre", ...):
  // peer address -> table. Peers with no route are left out.
  std::map<std::string, Table> View(const std::string& router, const std::string& view) const {
    std::lock_guard l(mu_);
    std::map<std::string, Table> out;
    for (const auto& [h, t] : routes_) {
      auto n = names_.find(h);
      if (n == names_.end() || n->second.router != router || n->second.view != view) continue;
      if (t.empty()) continue;
      auto& dst = out[n->second.peer];
      dst.insert(t.begin(), t.end());
    }
    return out;
  }
  // One peer's table in one view ({} when it has none).
  Table PeerTable(const std::string& router, const std::string& view,
                  const std::string& peer) const {
    auto v = View(router, view);
    auto it = v.find(peer);
    return it == v.end() ? Table{} : it->second;
  }
  size_t Count() const {
    std::lock_guard l(mu_);
    size_t n = 0;
    for (const auto& [h, t] : routes_) n += t.size();
    return n;
  }
  size_t session_downs() const {
    std::lock_guard l(mu_);
    return session_downs_;
  }
  size_t announces() const {
    std::lock_guard l(mu_);
    return announces_;
  }
  std::vector<std::string> problems() const {
    std::lock_guard l(mu_);
    return problems_;
  }
  std::string Dump() const {
    std::lock_guard l(mu_);
    std::string out;
    for (const auto& [h, t] : routes_) {
      auto n = names_.find(h);
      if (n == names_.end()) continue;
      out += "  " + n->second.router + " " + n->second.view + " peer " + n->second.peer + ": " +
             std::to_string(t.size()) + " routes\n";
    }
    for (const auto& p : problems_) out += "  problem: " + p + "\n";
    return out;
  }

 private:
  struct PeerName {
    std::string router, view, peer;
    uint32_t asn = 0;
  };
  static std::string Key(const bgp::Route& r) {
    std::string k = r.prefix.ToString();
    if (r.path_id) k += "#" + std::to_string(r.path_id);
    return k;
  }
  mutable std::mutex mu_;
  std::map<bgp::PeerHandle, PeerName> names_;
  std::map<bgp::PeerHandle, Table> routes_;
  std::vector<std::string> problems_;
  size_t session_downs_ = 0, treat_as_withdraw_ = 0, announces_ = 0;
};

}  // namespace vigia::bmp::test
