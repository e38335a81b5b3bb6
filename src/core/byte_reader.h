// ByteReader: a bounds-checked cursor over a span of octets in network order.
//
// Every read checks the remaining length first and fails without moving when
// the input is too short, so a parser built on it cannot read past its
// buffer whatever the input says. It does not own the bytes; the span must
// outlive the reader. Not thread-safe; cheap to copy (a copy is a fork).
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>

namespace vigia {

class ByteReader {
 public:
  ByteReader() = default;
  explicit ByteReader(std::span<const uint8_t> data)
      : p_(data.data()), begin_(data.data()), end_(data.data() + data.size()) {}
  ByteReader(const uint8_t* p, size_t n) : p_(p), begin_(p), end_(p + n) {}

  size_t remaining() const { return static_cast<size_t>(end_ - p_); }
  size_t position() const { return static_cast<size_t>(p_ - begin_); }
  size_t size() const { return static_cast<size_t>(end_ - begin_); }
  bool empty() const { return p_ == end_; }
  const uint8_t* current() const { return p_; }

  [[nodiscard]] bool U8(uint8_t* v) {
    if (p_ >= end_) return false;
    *v = *p_++;
    return true;
  }
  [[nodiscard]] bool U16(uint16_t* v) {
    if (remaining() < 2) return false;
    *v = static_cast<uint16_t>((p_[0] << 8) | p_[1]);
    p_ += 2;
    return true;
  }
  [[nodiscard]] bool U32(uint32_t* v) {
    if (remaining() < 4) return false;
    *v = (uint32_t{p_[0]} << 24) | (uint32_t{p_[1]} << 16) | (uint32_t{p_[2]} << 8) | p_[3];
    p_ += 4;
    return true;
  }
  // An AS number of 2 or 4 octets.
  [[nodiscard]] bool Asn(int width, uint32_t* v) {
    if (width == 4) return U32(v);
    uint16_t s;
    if (!U16(&s)) return false;
    *v = s;
    return true;
  }
  [[nodiscard]] bool Copy(void* out, size_t n) {
    if (remaining() < n) return false;
    std::memcpy(out, p_, n);
    p_ += n;
    return true;
  }
  [[nodiscard]] bool Skip(size_t n) {
    if (remaining() < n) return false;
    p_ += n;
    return true;
  }
  // Splits off the next n bytes as their own reader.
  [[nodiscard]] bool Sub(size_t n, ByteReader* out) {
    if (remaining() < n) return false;
    *out = ByteReader(p_, n);
    p_ += n;
    return true;
  }
  [[nodiscard]] bool Span(size_t n, std::span<const uint8_t>* out) {
    if (remaining() < n) return false;
    *out = {p_, n};
    p_ += n;
    return true;
  }
  std::span<const uint8_t> Rest() const { return {p_, remaining()}; }

 private:
  const uint8_t* p_ = nullptr;
  const uint8_t* begin_ = nullptr;
  const uint8_t* end_ = nullptr;
};

}  // namespace vigia
