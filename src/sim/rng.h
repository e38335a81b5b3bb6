// The simulator's random draws: bounded integers over std::mt19937_64, whose
// output sequence the C++ standard fixes. The std:: distributions are
// implementation-defined, so they are not used: one seed must give
// byte-identical output with every compiler and standard library.
#pragma once

#include <cstddef>
#include <cstdint>
#include <random>

namespace vigia::sim {

class Rng {
 public:
  explicit Rng(uint64_t seed) : g_(seed) {}
  // Uniform in [0, n), n > 0, by rejection (no modulo bias).
  uint64_t Below(uint64_t n) {
    const uint64_t limit = UINT64_MAX - UINT64_MAX % n;
    uint64_t x;
    do {
      x = g_();
    } while (x >= limit);
    return x % n;
  }
  // Uniform in [lo, hi].
  uint64_t Between(uint64_t lo, uint64_t hi) { return lo + Below(hi - lo + 1); }
  // True with probability p (resolution 2^-30; p * 2^30 is exact).
  bool Chance(double p) {
    if (p <= 0) return false;
    return Below(uint64_t{1} << 30) < static_cast<uint64_t>(p * static_cast<double>(1 << 30));
  }
  // An index drawn in proportion to integer weights (not all zero).
  template <typename W>
  size_t Weighted(const W* weights, size_t n) {
    uint64_t total = 0;
    for (size_t i = 0; i < n; ++i) total += weights[i];
    uint64_t x = Below(total);
    for (size_t i = 0; i < n; ++i) {
      if (x < weights[i]) return i;
      x -= weights[i];
    }
    return n - 1;
  }
  // Roughly log-uniform in [lo, hi] (lo >= 1): as many values per octave.
  uint64_t LogUniform(uint64_t lo, uint64_t hi) {
    int octaves = 0;
    while ((lo << (octaves + 1)) <= hi) ++octaves;
    const uint64_t base = lo << Below(static_cast<uint64_t>(octaves) + 1);
    const uint64_t top = base * 2 - 1 < hi ? base * 2 - 1 : hi;
    return Between(base, top);
  }

 private:
  std::mt19937_64 g_;
};

}  // namespace vigia::sim
