// OutputBuffer: an append-only text buffer that flushes to a file
// descriptor in large writes.
//
// Formatting millions of lines through stdio costs more than the parsing
// they describe; appending into one contiguous buffer with hand-written
// number formatting and writing it out in megabyte blocks does not. Owns its
// memory; does not own the descriptor. Not thread-safe.
#pragma once

#include <charconv>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace vigia {

class OutputBuffer {
 public:
  // fd < 0 keeps everything in memory (tests, fuzzers).
  explicit OutputBuffer(int fd = -1, size_t flush_at = 1 << 20);
  ~OutputBuffer();
  OutputBuffer(const OutputBuffer&) = delete;
  OutputBuffer& operator=(const OutputBuffer&) = delete;

  void Append(std::string_view s) {
    Reserve(s.size());
    std::memcpy(end_, s.data(), s.size());
    end_ += s.size();
  }
  void Append(char c) {
    Reserve(1);
    *end_++ = c;
  }
  void AppendU64(uint64_t v) {
    Reserve(20);
    end_ = std::to_chars(end_, end_ + 20, v).ptr;
  }
  void AppendI64(int64_t v) {
    Reserve(21);
    end_ = std::to_chars(end_, end_ + 21, v).ptr;
  }
  // Room for n more bytes at WritePointer(); Commit(p) marks them written.
  char* Reserve(size_t n) {
    if (static_cast<size_t>(cap_ - end_) < n) Grow(n);
    return end_;
  }
  char* WritePointer() { return end_; }
  void Commit(char* new_end) { end_ = new_end; }

  size_t size() const { return static_cast<size_t>(end_ - begin_); }
  std::string_view view() const { return {begin_, size()}; }
  void Clear() { end_ = begin_; }

  // Writes out the buffer when it is larger than the flush threshold.
  void MaybeFlush() {
    if (fd_ >= 0 && size() >= flush_at_) (void)Flush();
  }
  Status Flush();
  // The first write error, if any (a closed pipe, a full disk).
  const Status& write_status() const { return write_status_; }

 private:
  void Grow(size_t n);

  int fd_;
  size_t flush_at_;
  char* begin_ = nullptr;
  char* end_ = nullptr;
  char* cap_ = nullptr;
  Status write_status_;
};

}  // namespace vigia
