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
  size_t Decode(std::byte* out, size_t n) override {
    InputBuffer& b = in();
    size_t total = 0;
    while (total < n && !finished()) {
      if (b.size() > 0) {
        const size_t k = std::min(b.size(), n - total);
        std::memcpy(out + total, b.data(), k);
        b.Consume(k);
        total += k;
        continue;
      }
      if (n - total >= b.capacity()) {
        const size_t got = b.ReadDirect(out + total, n - total);
        total += got;
        if (got > 0) continue;
      } else if (MoreInput()) {
        continue;
      }
      if (finished()) break;
      if (b.status().ok()) {
        Finish();
      } else {
        Fail(b.status());
      }
    }
    return total;
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
