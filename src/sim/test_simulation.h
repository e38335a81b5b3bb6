// Test-only: the options of a small simulated snapshot, shared by the tests
// of the stages that read one (snapshot, detect, score, pipeline). Header
// only, no state: thread-safe.
#pragma once

#include <cstdint>
#include <string>

#include "sim/snapshot.h"

namespace vigia::sim::test {

// A simulation of `ases` ASes, `prefixes` prefixes and `peers` collector
// peers from `seed`, written to `out` (replacing what is there); every
// other option keeps its default. Callers change more before Simulate().
inline SimulateOptions SmallSimulation(const std::string& out, uint32_t ases, uint32_t prefixes,
                                       uint32_t peers, uint64_t seed) {
  SimulateOptions o;
  o.out = out;
  o.ases = ases;
  o.prefixes = prefixes;
  o.peers = peers;
  o.seed = seed;
  o.force = true;
  return o;
}

}  // namespace vigia::sim::test
