// Customer cones: for every AS, the set made of the AS itself and every AS
// it reaches by following provider-to-customer links, recursively (CAIDA's
// "recursive" cone definition, as used for AS Rank; Luckie et al., "AS
// Relationships, Customer Cones, and Validation", IMC 2013, §5).
//
// Inferred p2c graphs contain cycles (A provider of B provider of ... of A),
// which the definition allows: each cone is a reachability set, so a cycle
// simply puts its members in each other's cones. The computation walks from
// each AS that has customers with a per-walk stamp array (no per-AS set is
// kept), so memory is O(ASes) and time O(sum of cone sizes and their
// internal edges). Members() repeats one walk on demand.
//
// Holds a reference to the AsRelationships it was built from, which must
// outlive it and not change. Read-only after construction; safe to share.
#pragma once

#include <cstdint>
#include <vector>

#include "core/asn.h"
#include "topology/as_relationships.h"

namespace vigia::topology {

class CustomerCones {
 public:
  // Computes the cone size of every AS in g.
  explicit CustomerCones(const AsRelationships& g);

  // Cone size by dense index (1 for an AS without customers).
  uint32_t Size(uint32_t index) const { return size_[index]; }
  const std::vector<uint32_t>& sizes() const { return size_; }
  // Members of the cone of asn, the AS itself included, sorted; empty when
  // asn is not in the graph.
  std::vector<Asn> Members(Asn asn) const;

  // Groups of ASes that are each other's (indirect) providers: the strongly
  // connected components of more than one AS in the p2c graph, each sorted,
  // largest first. A sign of inference errors or of sibling ASes.
  std::vector<std::vector<Asn>> ProviderCycles() const;

 private:
  // Walks the cone of start; fn(index) for each member. stamp_ must hold no
  // value equal to mark.
  template <typename Fn>
  void Walk(uint32_t start, uint32_t mark, std::vector<uint32_t>* stamp, Fn&& fn) const;

  const AsRelationships& g_;
  std::vector<uint32_t> size_;
};

}  // namespace vigia::topology
