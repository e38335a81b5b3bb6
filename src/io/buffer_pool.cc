#include "io/buffer_pool.h"

#include <cstring>
#include <iterator>
#include <mutex>
#include <utility>
#include <vector>

namespace vigia::io::internal {
namespace {

struct BufferPool {
  std::mutex mu;
  // Oldest first; the oldest are evicted when the pool is over its caps.
  std::vector<std::pair<size_t, std::unique_ptr<std::byte[]>>> free;  // guarded by mu
  size_t bytes = 0;                                                   // guarded by mu
};

// Never destroyed, so that a stream closed during static destruction can
// still return its buffers.
BufferPool& Pool() {
  static BufferPool* const pool = new BufferPool();
  return *pool;
}

}  // namespace

Buffer Buffer::Pooled(size_t size) {
  Buffer b;
  b.size_ = size;
  b.pooled_ = true;
  {
    BufferPool& pool = Pool();
    std::lock_guard lock(pool.mu);
    for (auto it = pool.free.rbegin(); it != pool.free.rend(); ++it) {
      if (it->first != size) continue;
      b.data_ = std::move(it->second);
      pool.free.erase(std::next(it).base());
      pool.bytes -= size;
      return b;
    }
  }
  b.data_ = std::make_unique_for_overwrite<std::byte[]>(size);
  return b;
}

Buffer Buffer::CopyOf(std::span<const std::byte> bytes) {
  Buffer b;
  b.size_ = bytes.size();
  b.data_ = std::make_unique_for_overwrite<std::byte[]>(bytes.size());
  if (!bytes.empty()) std::memcpy(b.data_.get(), bytes.data(), bytes.size());
  return b;
}

void Buffer::Release() {
  if (!pooled_ || data_ == nullptr || size_ > kMaxPooledBytes) return;
  // Evicted arrays are freed after the lock is released.
  std::vector<std::unique_ptr<std::byte[]>> evicted;
  BufferPool& pool = Pool();
  std::lock_guard lock(pool.mu);
  pool.free.emplace_back(size_, std::move(data_));
  pool.bytes += size_;
  while (pool.bytes > kMaxPooledBytes || pool.free.size() > kMaxPooledBuffers) {
    pool.bytes -= pool.free.front().first;
    evicted.push_back(std::move(pool.free.front().second));
    pool.free.erase(pool.free.begin());
  }
}

}  // namespace vigia::io::internal
