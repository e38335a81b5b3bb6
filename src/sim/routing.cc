#include "sim/routing.h"

#include <algorithm>

namespace vigia::sim {

using topology::Relation;

const char* RouteTypeName(RouteType t) {
  switch (t) {
    case RouteType::kNone:
      return "none";
    case RouteType::kOrigin:
      return "origin";
    case RouteType::kCustomer:
      return "customer";
    case RouteType::kPeer:
      return "peer";
    case RouteType::kProvider:
      return "provider";
  }
  return "?";
}

void RouteTree::PathFrom(uint32_t as, std::vector<uint32_t>* path) const {
  path->clear();
  if (type[as] == RouteType::kNone) return;
  // Lengths strictly decrease along next hops, so this ends.
  for (uint32_t x = as;; x = next_hop[x]) {
    path->push_back(x);
    if (type[x] == RouteType::kOrigin) break;
  }
}

uint32_t RouteTree::OriginOf(uint32_t as) const {
  if (type[as] == RouteType::kNone) return kNoHop;
  uint32_t x = as;
  while (type[x] != RouteType::kOrigin) x = next_hop[x];
  return x;
}

Router::Router(const topology::AsRelationships& graph) : graph_(graph) {
  asn_.resize(graph.as_count());
  for (uint32_t i = 0; i < asn_.size(); ++i) asn_[i] = graph.AsnAt(i);
}

bool Router::Offer(RouteTree* t, uint32_t as, uint32_t from, RouteType type,
                   uint32_t length) const {
  const RouteType have = t->type[as];
  if (have != RouteType::kNone) {
    // Customer < peer < provider in the enum order after kOrigin: a lower
    // value is preferred.
    if (type != have) {
      if (type > have) return false;
    } else if (length != t->length[as]) {
      if (length > t->length[as]) return false;
    } else if (asn_[from] >= asn_[t->next_hop[as]]) {
      return false;
    }
  }
  t->type[as] = type;
  t->length[as] = static_cast<uint8_t>(std::min<uint32_t>(length, 255));
  t->next_hop[as] = from;
  return true;
}

void Router::Compute(uint32_t origin, RouteTree* t) {
  Compute(std::span<const uint32_t>(&origin, 1), t);
}

void Router::Compute(std::span<const uint32_t> origins, RouteTree* t) {
  const size_t n = graph_.as_count();
  t->next_hop.assign(n, RouteTree::kNoHop);
  t->length.assign(n, 0);
  t->type.assign(n, RouteType::kNone);
  frontier_.clear();
  for (uint32_t origin : origins) {
    if (origin >= n || t->type[origin] == RouteType::kOrigin) continue;
    t->type[origin] = RouteType::kOrigin;
    t->length[origin] = 1;
    t->next_hop[origin] = origin;
    frontier_.push_back(origin);
  }

  // 1. Customer routes: up provider links, level by level, so that the
  // first level that reaches an AS gives its shortest customer route and
  // ties within the level go to the lowest ASN.
  uint32_t level = 1;
  while (!frontier_.empty()) {
    next_.clear();
    for (uint32_t u : frontier_) {
      for (uint32_t p : graph_.Providers(u)) {
        const bool fresh = t->type[p] == RouteType::kNone;
        if (!fresh && !(t->type[p] == RouteType::kCustomer && t->length[p] == level + 1)) continue;
        if (Offer(t, p, u, RouteType::kCustomer, level + 1) && fresh) next_.push_back(p);
      }
    }
    frontier_.swap(next_);
    ++level;
  }

  // 2. Peer routes: one step across peer links from every AS that has a
  // route it exports to peers (its own or a customer's).
  std::vector<uint32_t>& exporters = next_;
  exporters.clear();
  for (uint32_t i = 0; i < n; ++i) {
    if (t->type[i] == RouteType::kOrigin || t->type[i] == RouteType::kCustomer) {
      exporters.push_back(i);
    }
  }
  for (uint32_t u : exporters) {
    for (uint32_t q : graph_.Peers(u)) {
      if (t->type[q] == RouteType::kOrigin || t->type[q] == RouteType::kCustomer) continue;
      Offer(t, q, u, RouteType::kPeer, t->length[u] + 1u);
    }
  }

  // 3. Provider routes: every AS with a route passes it down to its
  // customers, in order of length (a bucket queue), so each AS hears its
  // shortest provider route first; ties within a length go to the lowest
  // ASN.
  size_t max_len = 0;
  for (uint32_t i = 0; i < n; ++i) max_len = std::max<size_t>(max_len, t->length[i]);
  if (buckets_.size() < max_len + 2) buckets_.resize(max_len + 2);
  for (auto& b : buckets_) b.clear();
  for (uint32_t i = 0; i < n; ++i) {
    if (t->type[i] != RouteType::kNone) buckets_[t->length[i]].push_back(i);
  }
  for (size_t len = 1; len < buckets_.size(); ++len) {
    // buckets_ may grow while iterating: index, do not hold references.
    for (size_t k = 0; k < buckets_[len].size(); ++k) {
      const uint32_t u = buckets_[len][k];
      for (uint32_t c : graph_.Customers(u)) {
        const RouteType have = t->type[c];
        if (have != RouteType::kNone && have != RouteType::kProvider) continue;
        const bool fresh = have == RouteType::kNone;
        if (Offer(t, c, u, RouteType::kProvider, static_cast<uint32_t>(len) + 1) && fresh) {
          if (buckets_.size() < len + 2) buckets_.resize(len + 2);
          buckets_[len + 1].push_back(c);
        }
      }
    }
  }
}

bool Router::ComputeLeak(uint32_t origin, uint32_t culprit, uint32_t receiver, RouteTree* t,
                         std::vector<uint8_t>* leaked) {
  const size_t n = graph_.as_count();
  Compute(origin, t);
  leaked->assign(n, 0);
  if (culprit >= n || receiver >= n || culprit == origin || !t->HasRoute(culprit)) return false;
  // Only a route from a provider or a peer can leak; a customer's route
  // goes to everyone anyway.
  if (t->type[culprit] != RouteType::kProvider && t->type[culprit] != RouteType::kPeer)
    return false;
  // What the receiver is to the culprit decides how it takes the route. A
  // route sent to a customer is no leak.
  const Relation rel = graph_.RelationOf(asn_[receiver], asn_[culprit]);
  if (rel != Relation::kProvider && rel != Relation::kPeer) return false;
  std::vector<uint32_t> leaked_path;
  t->PathFrom(culprit, &leaked_path);
  std::vector<uint8_t> blocked(n, 0);
  for (uint32_t x : leaked_path) blocked[x] = 1;
  if (blocked[receiver]) return false;
  const uint32_t seed_length = static_cast<uint32_t>(leaked_path.size()) + 1;
  const RouteType seed_type = rel == Relation::kProvider ? RouteType::kCustomer : RouteType::kPeer;

  // The three phases of Compute, with two differences: customer routes
  // climb in order of length through a bucket queue (the leak enters at the
  // receiver with a longer path than the origin's), and every route
  // remembers whether it came through the leak, which the ASes on the
  // leaked path refuse.
  t->next_hop.assign(n, RouteTree::kNoHop);
  t->length.assign(n, 0);
  t->type.assign(n, RouteType::kNone);
  std::vector<uint8_t>& via = *leaked;
  auto offer = [&](uint32_t as, uint32_t from, RouteType type, uint32_t length, bool through_leak) {
    if (through_leak && blocked[as]) return false;
    if (!Offer(t, as, from, type, length)) return false;
    via[as] = through_leak;
    return true;
  };
  auto bucket = [&](size_t len) -> std::vector<uint32_t>& {
    if (buckets_.size() <= len) buckets_.resize(len + 1);
    return buckets_[len];
  };
  for (auto& b : buckets_) b.clear();
  t->type[origin] = RouteType::kOrigin;
  t->length[origin] = 1;
  t->next_hop[origin] = origin;
  bucket(1).push_back(origin);
  bucket(seed_length);  // the walk below must reach the leak's length

  // 1. Customer routes.
  for (size_t len = 1; len < buckets_.size(); ++len) {
    if (seed_type == RouteType::kCustomer && len == seed_length &&
        offer(receiver, culprit, RouteType::kCustomer, seed_length, true)) {
      bucket(len).push_back(receiver);
    }
    for (size_t k = 0; k < buckets_[len].size(); ++k) {
      const uint32_t u = buckets_[len][k];
      // Entries whose route has since changed are stale.
      if (t->length[u] != len ||
          (t->type[u] != RouteType::kOrigin && t->type[u] != RouteType::kCustomer)) {
        continue;
      }
      for (uint32_t p : graph_.Providers(u)) {
        if (offer(p, u, RouteType::kCustomer, static_cast<uint32_t>(len) + 1, via[u])) {
          bucket(len + 1).push_back(p);
        }
      }
    }
  }

  // 2. Peer routes.
  std::vector<uint32_t>& exporters = next_;
  exporters.clear();
  for (uint32_t i = 0; i < n; ++i) {
    if (t->type[i] == RouteType::kOrigin || t->type[i] == RouteType::kCustomer) {
      exporters.push_back(i);
    }
  }
  for (uint32_t u : exporters) {
    for (uint32_t q : graph_.Peers(u)) {
      if (t->type[q] == RouteType::kOrigin || t->type[q] == RouteType::kCustomer) continue;
      offer(q, u, RouteType::kPeer, t->length[u] + 1u, via[u]);
    }
  }
  if (seed_type == RouteType::kPeer && t->type[receiver] != RouteType::kOrigin &&
      t->type[receiver] != RouteType::kCustomer) {
    offer(receiver, culprit, RouteType::kPeer, seed_length, true);
  }

  // 3. Provider routes.
  for (auto& b : buckets_) b.clear();
  for (uint32_t i = 0; i < n; ++i) {
    if (t->type[i] != RouteType::kNone) bucket(t->length[i]).push_back(i);
  }
  for (size_t len = 1; len < buckets_.size(); ++len) {
    for (size_t k = 0; k < buckets_[len].size(); ++k) {
      const uint32_t u = buckets_[len][k];
      if (t->length[u] != len) continue;
      for (uint32_t c : graph_.Customers(u)) {
        const RouteType have = t->type[c];
        if (have != RouteType::kNone && have != RouteType::kProvider) continue;
        if (offer(c, u, RouteType::kProvider, static_cast<uint32_t>(len) + 1, via[u])) {
          bucket(len + 1).push_back(c);
        }
      }
    }
  }
  // The culprit's own route stays the one it leaked.
  return via[receiver] != 0;
}

bool IsValleyFree(const topology::AsRelationships& graph, std::span<const uint32_t> path) {
  // Read from the origin (the end of the AS_PATH): up, at most one peer
  // link, down.
  enum { kUp, kDown } phase = kUp;
  for (size_t i = path.size(); i-- > 1;) {
    const Asn from = graph.AsnAt(path[i]);
    const Asn to = graph.AsnAt(path[i - 1]);
    // What the next AS is to the one the route came from.
    const Relation r = graph.RelationOf(to, from);
    switch (r) {
      case Relation::kProvider:  // `to` is the provider of `from`: going up
        if (phase != kUp) return false;
        break;
      case Relation::kPeer:
        if (phase != kUp) return false;
        phase = kDown;
        break;
      case Relation::kCustomer:  // going down
        phase = kDown;
        break;
      case Relation::kNone:
        return false;
    }
  }
  return true;
}

}  // namespace vigia::sim
