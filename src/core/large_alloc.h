// Large allocations backed by transparent huge pages.
//
// Loading a full VRP set or RIB touches hundreds of MB once. On 4 KiB pages
// every first touch is a page fault, and on virtual machines a fault costs
// microseconds: measured, page faults were a third of the time to load 600 k
// VRPs. Allocations of at least kLargeAllocMin bytes are therefore mapped
// directly, 2 MiB aligned, with MADV_HUGEPAGE (Linux, where
// /sys/kernel/mm/transparent_hugepage/enabled is "always" or "madvise");
// smaller ones go to operator new. Elsewhere the advice is a no-op.
#pragma once

#include <cstddef>
#include <new>
#include <vector>

namespace vigia {

inline constexpr size_t kLargeAllocMin = size_t{1} << 20;

// Returns memory for `bytes` (never null; throws std::bad_alloc), to be
// released with FreeLarge(p, bytes) with the same size.
void* AllocateLarge(size_t bytes);
void FreeLarge(void* p, size_t bytes) noexcept;

// A std::allocator that sends large requests to AllocateLarge.
template <typename T>
struct LargeAllocator {
  using value_type = T;
  LargeAllocator() = default;
  template <typename U>
  LargeAllocator(const LargeAllocator<U>&) {}  // NOLINT(google-explicit-constructor)
  T* allocate(size_t n) { return static_cast<T*>(AllocateLarge(n * sizeof(T))); }
  void deallocate(T* p, size_t n) noexcept { FreeLarge(p, n * sizeof(T)); }
  friend bool operator==(const LargeAllocator&, const LargeAllocator&) { return true; }
};

template <typename T>
using LargeVector = std::vector<T, LargeAllocator<T>>;

}  // namespace vigia
