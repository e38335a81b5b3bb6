// Graphs the simulator tests share.
#pragma once

#include "topology/as_relationships.h"

namespace vigia::sim::test {

// 1 and 2 peer at the top; 3 and 4 are customers of 1, 5 a customer of 2;
// 6 is a stub with providers 3 and 4.
inline topology::AsRelationships HandGraph() {
  using topology::LinkType;
  topology::AsRelationships g;
  g.AddLink(1, 2, LinkType::kP2p);
  g.AddLink(1, 3, LinkType::kP2c);
  g.AddLink(1, 4, LinkType::kP2c);
  g.AddLink(2, 5, LinkType::kP2c);
  g.AddLink(3, 6, LinkType::kP2c);
  g.AddLink(4, 6, LinkType::kP2c);
  g.Build();
  return g;
}

}  // namespace vigia::sim::test
