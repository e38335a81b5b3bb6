#include "core/large_alloc.h"

#include <sys/mman.h>

#include <cstdint>

namespace vigia {

namespace {
constexpr size_t kHugePage = size_t{2} << 20;
size_t RoundUp(size_t n, size_t to) { return (n + to - 1) / to * to; }
}  // namespace

void* AllocateLarge(size_t bytes) {
  if (bytes < kLargeAllocMin) return ::operator new(bytes);
  // Map one huge page more than needed and trim, so that the block starts
  // on a 2 MiB boundary and the kernel can back all of it with huge pages.
  const size_t size = RoundUp(bytes, kHugePage);
  void* raw =
      mmap(nullptr, size + kHugePage, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (raw == MAP_FAILED) throw std::bad_alloc();
  const uintptr_t start = reinterpret_cast<uintptr_t>(raw);
  const uintptr_t aligned = RoundUp(start, kHugePage);
  if (aligned > start) munmap(raw, aligned - start);
  const uintptr_t end = aligned + size;
  const uintptr_t raw_end = start + size + kHugePage;
  if (raw_end > end) munmap(reinterpret_cast<void*>(end), raw_end - end);
  void* p = reinterpret_cast<void*>(aligned);
#ifdef MADV_HUGEPAGE
  madvise(p, size, MADV_HUGEPAGE);  // advice only: failure is harmless
#endif
  return p;
}

void FreeLarge(void* p, size_t bytes) noexcept {
  if (!p) return;
  if (bytes < kLargeAllocMin) {
    ::operator delete(p);
    return;
  }
  munmap(p, RoundUp(bytes, kHugePage));
}

}  // namespace vigia
