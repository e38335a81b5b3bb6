// Policy routing over an AS graph: where every AS's best route towards one
// origin goes, under the Gao-Rexford model (Gao and Rexford, "Stable
// Internet routing without global coordination", 2001) that BGP
// simulators of the Internet use.
//
//   Preference  a route learnt from a customer beats one from a peer, which
//               beats one from a provider; then the shorter AS path; then
//               the neighbour with the lowest ASN (deterministic).
//   Export      routes from customers (and one's own prefixes) go to every
//               neighbour; routes from peers and providers only to
//               customers. Every path is therefore valley-free: up
//               customer-to-provider links, at most one peer link, then down.
//
// Routes towards one origin are computed in O(V + E): a breadth-first walk
// up provider links (customer routes), one step across peer links, then a
// walk down customer links in order of path length (provider routes). The
// graph must have no provider cycles for the result to be what BGP
// converges to; CAIDA's inferences have none on the files in ../shared/data
// (topology::CustomerCones::ProviderCycles tells).
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "core/asn.h"
#include "topology/as_relationships.h"

namespace vigia::sim {

// How an AS learnt its route.
enum class RouteType : uint8_t { kNone, kOrigin, kCustomer, kPeer, kProvider };
const char* RouteTypeName(RouteType t);

// Every AS's route towards one prefix, by dense index of the graph. The
// prefix has one origin, or several when it is announced from more than one
// AS (multi-origin, a hijack, an anycast service); each AS then reaches the
// origin its best route leads to.
struct RouteTree {
  static constexpr uint32_t kNoHop = UINT32_MAX;
  std::vector<uint32_t> next_hop;  // the neighbour the route came from
  std::vector<uint8_t> length;     // ASes on the path, the AS itself included
  std::vector<RouteType> type;

  bool HasRoute(uint32_t as) const { return type[as] != RouteType::kNone; }
  // The AS path `as` would announce, itself first and the origin last
  // (AS_PATH order, without prepending). Empty when it has no route.
  void PathFrom(uint32_t as, std::vector<uint32_t>* path) const;
  // The origin `as` routes to (kNoHop when it has no route).
  uint32_t OriginOf(uint32_t as) const;
};

class Router {
 public:
  // The graph must outlive the router and stay unchanged.
  explicit Router(const topology::AsRelationships& graph);

  // Routes of every AS towards a prefix announced by `origin` (a dense
  // index), or by each of `origins`.
  void Compute(uint32_t origin, RouteTree* tree);
  void Compute(std::span<const uint32_t> origins, RouteTree* tree);

  // Routes towards `origin` when `culprit` leaks its route to `receiver`, a
  // neighbour it should not have sent it to (RFC 7908 §3: types 1 and 4 to
  // a provider, 2 and 3 to a peer). The receiver takes it as a route from a
  // customer or a peer, as the link is, and BGP carries it on under the
  // usual rules: every AS ends with the best of its ordinary routes and the
  // routes derived from the leak, and an AS already on the leaked path
  // refuses it (AS_PATH loop detection, RFC 4271 §9.1.2). `leaked[as]` is
  // set when `as` ends up on a route through the leak. False (and the tree
  // as Compute(origin) gives it) when the leak cannot happen: the culprit
  // has no route or only a customer's (which it may send anywhere), the
  // receiver is on its path or is not its provider or peer, or the receiver
  // prefers a route of its own.
  bool ComputeLeak(uint32_t origin, uint32_t culprit, uint32_t receiver, RouteTree* tree,
                   std::vector<uint8_t>* leaked);

  const topology::AsRelationships& graph() const { return graph_; }

 private:
  // Offers `as` a route from `from` of the given type and length; keeps the
  // better of it and what `as` has. True when it changed.
  bool Offer(RouteTree* t, uint32_t as, uint32_t from, RouteType type, uint32_t length) const;

  const topology::AsRelationships& graph_;
  std::vector<Asn> asn_;  // by dense index, for tie-breaks
  // Work lists, kept between calls.
  std::vector<uint32_t> frontier_, next_;
  std::vector<std::vector<uint32_t>> buckets_;
};

// Whether an AS path (AS_PATH order, dense indexes) is valley-free over the
// graph: every link exists, and read from the origin it climbs customer to
// provider, crosses at most one peer link, then only descends.
bool IsValleyFree(const topology::AsRelationships& graph, std::span<const uint32_t> path);

}  // namespace vigia::sim
