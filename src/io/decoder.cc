#include "io/decoder.h"

#include <algorithm>
#include <cstring>
#include <memory>
#include <utility>

namespace vigia::io::internal {
namespace {

class PlainDecoder final : public Decoder {
 public:
  explicit PlainDecoder(std::unique_ptr<InputBuffer> in)
      : Decoder(Compression::kNone, std::move(in)) {}

 private:
  size_t Step(std::byte* out, size_t n) override {
    InputBuffer& b = in();
    if (b.size() > 0) {
      const size_t k = std::min(b.size(), n);
      std::memcpy(out, b.data(), k);
      b.Consume(k);
      return k;
    }
    if (n >= b.capacity()) {
      const size_t got = b.ReadDirect(out, n);
      if (got > 0) return got;
    } else if (MoreInput()) {
      return 0;
    }
    if (finished()) return 0;
    if (b.status().ok()) {
      Finish();
    } else {
      Fail(b.status());
    }
    return 0;
  }
};

}  // namespace

std::unique_ptr<Decoder> NewPlainDecoder(std::unique_ptr<InputBuffer> in) {
  return std::make_unique<PlainDecoder>(std::move(in));
}

std::unique_ptr<Decoder> MakeDecoder(Compression c, std::unique_ptr<InputBuffer> in,
                                     bool parallel) {
  switch (c) {
    case Compression::kGzip:
      return NewGzipDecoder(std::move(in));
    case Compression::kBzip2:
      if (parallel) return NewParallelBzip2Decoder(std::move(in));
      return NewBzip2Decoder(std::move(in));
    case Compression::kXz:
      return NewXzDecoder(std::move(in));
    case Compression::kZstd:
      return NewZstdDecoder(std::move(in));
    case Compression::kNone:
      break;
  }
  return NewPlainDecoder(std::move(in));
}

}  // namespace vigia::io::internal
