// Buffer: a fixed-size byte array for the decoders' input and output, drawn
// from a small process-wide pool and returned to it on destruction.
//
// A replay opens thousands of archive files one after another, and fresh
// memory costs a page fault per 4 KiB on first touch: on our 2-core VMs,
// faulting in a 4 MiB ring took about 10 ms, as long as decoding a whole
// 13 MB updates file. Closed streams therefore leave their buffers (at most
// kMaxPooledBytes in all, kMaxPooledBuffers of them, oldest evicted first)
// for the next stream.
//
// Ownership: a Buffer owns its bytes; moving it moves them. A private copy
// (CopyOf) is never pooled.
//
// Thread safety: one Buffer is used by one thread at a time; the pool behind
// Pooled() and the destructor is guarded by a mutex, so Buffers may be
// created and destroyed on any thread. Internal to src/io.
#pragma once

#include <cstddef>
#include <memory>
#include <span>

namespace vigia::io::internal {

inline constexpr size_t kMaxPooledBytes = 16 << 20;
inline constexpr size_t kMaxPooledBuffers = 16;

class Buffer {
 public:
  Buffer() = default;

  // size bytes, uninitialised: a pooled array of that exact size if one is
  // free, else a new one.
  static Buffer Pooled(size_t size);
  // A private copy of bytes, never returned to the pool.
  static Buffer CopyOf(std::span<const std::byte> bytes);

  Buffer(Buffer&& other) noexcept
      : data_(std::move(other.data_)), size_(other.size_), pooled_(other.pooled_) {}
  Buffer& operator=(Buffer&& other) noexcept {
    Release();
    data_ = std::move(other.data_);
    size_ = other.size_;
    pooled_ = other.pooled_;
    return *this;
  }
  ~Buffer() { Release(); }

  std::byte* data() const { return data_.get(); }
  size_t size() const { return size_; }

 private:
  void Release();

  std::unique_ptr<std::byte[]> data_;
  size_t size_ = 0;
  bool pooled_ = false;
};

}  // namespace vigia::io::internal
