// RouteRecorder: a RouteSink for tests that keeps each peer's current
// routes (prefix, path id -> origin AS and AS path text), like a consumer
// of the feed would. Tests only. Thread-safe: a mutex, because the daemon
// tests run the speaker in a thread and read from the test's thread.
#pragma once

#include <map>
#include <mutex>
#include <set>
#include <string>
#include <tuple>
#include <vector>

#include "bgp/route_sink.h"

namespace vigia::live::test {

class RouteRecorder : public bgp::RouteSink {
 public:
  void Peer(bgp::PeerHandle h, const bgp::PeerInfo& info) override {
    std::lock_guard l(mu_);
    peers_[h] = info.ip.ToString() + " AS" + std::to_string(info.asn);
  }
  void Announce(const bgp::Route& r, const bgp::PathAttributes& a) override {
    std::lock_guard l(mu_);
    routes_[{r.peer, r.prefix.ToString(), r.path_id}] = a.as_path.Origin();
  }
  void Withdraw(const bgp::Route& r, bgp::WithdrawCause c) override {
    std::lock_guard l(mu_);
    routes_.erase({r.peer, r.prefix.ToString(), r.path_id});
    if (c == bgp::WithdrawCause::kTreatAsWithdraw) ++treat_as_withdraw_;
  }
  void SessionDown(bgp::PeerHandle peer, bgp::RouteTime) override {
    std::lock_guard l(mu_);
    ++session_downs_;
    for (auto it = routes_.begin(); it != routes_.end();) {
      it = std::get<0>(it->first) == peer ? routes_.erase(it) : std::next(it);
    }
  }

  void Problem(const bgp::FeedProblem& p) override {
    std::lock_guard l(mu_);
    if (problems_.size() < 100) problems_.push_back(p.ToString());
  }
  std::vector<std::string> problems() const {
    std::lock_guard l(mu_);
    return problems_;
  }

  size_t Count() const {
    std::lock_guard l(mu_);
    return routes_.size();
  }
  // Origin AS of a route, 0 when absent.
  uint32_t Origin(bgp::PeerHandle p, const std::string& prefix, uint32_t path_id) const {
    std::lock_guard l(mu_);
    auto it = routes_.find({p, prefix, path_id});
    return it == routes_.end() ? 0 : it->second;
  }
  // path id -> origin AS of every route for prefix (any peer).
  std::map<uint32_t, uint32_t> Paths(const std::string& prefix) const {
    std::lock_guard l(mu_);
    std::map<uint32_t, uint32_t> out;
    for (const auto& [k, v] : routes_) {
      if (std::get<1>(k) == prefix) out[std::get<2>(k)] = v;
    }
    return out;
  }
  // The prefixes of every peer (path ids dropped).
  std::set<std::string> Prefixes() const {
    std::lock_guard l(mu_);
    std::set<std::string> out;
    for (const auto& [k, v] : routes_) out.insert(std::get<1>(k));
    return out;
  }
  size_t session_downs() const {
    std::lock_guard l(mu_);
    return session_downs_;
  }
  size_t treat_as_withdraw() const {
    std::lock_guard l(mu_);
    return treat_as_withdraw_;
  }

 private:
  mutable std::mutex mu_;
  std::map<bgp::PeerHandle, std::string> peers_;
  std::map<std::tuple<bgp::PeerHandle, std::string, uint32_t>, uint32_t> routes_;
  std::vector<std::string> problems_;
  size_t session_downs_ = 0, treat_as_withdraw_ = 0;
};

}  // namespace vigia::live::test
