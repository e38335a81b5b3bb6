#include <zstd.h>

#include <memory>
#include <utility>

#include "io/decoder.h"

namespace vigia::io::internal {
namespace {

// zstd through libzstd, whose streaming decoder walks from one frame to the
// next (and over skippable frames) by itself. The window is capped at
// libzstd's default (128 MiB), which keeps memory bounded and refuses only
// frames written with --long beyond that.
class ZstdDecoder final : public Decoder {
 public:
  explicit ZstdDecoder(std::unique_ptr<InputBuffer> in)
      : Decoder(Compression::kZstd, std::move(in)), dctx_(ZSTD_createDCtx()) {
    if (dctx_ == nullptr) FailResource("cannot start a zstd decoder: out of memory");
  }
  ~ZstdDecoder() override { ZSTD_freeDCtx(dctx_); }

 private:
  size_t Step(std::byte* out, size_t n) override {
    InputBuffer& b = in();
    if (!EnsureInput()) return 0;
    ZSTD_inBuffer input{b.data(), b.size(), 0};
    ZSTD_outBuffer output{out, n, 0};
    const size_t ret = ZSTD_decompressStream(dctx_, &output, &input);
    b.Consume(input.pos);
    CountOutput(output.pos);
    if (ZSTD_isError(ret)) {
      FailCorrupt(ZSTD_getErrorName(ret));
      return output.pos;
    }
    // 0 means a frame was fully decoded and flushed; consuming input
    // afterwards means the next one has begun.
    if (ret == 0) {
      frame_complete_ = true;
    } else if (input.pos > 0) {
      frame_complete_ = false;
    }
    if (input.pos == 0 && output.pos == 0 && !MoreInput() && !finished()) {
      if (frame_complete_) {
        Finish();
      } else {
        FailTruncated();
      }
    }
    return output.pos;
  }

  ZSTD_DCtx* dctx_;
  bool frame_complete_ = false;
};

}  // namespace

std::unique_ptr<Decoder> NewZstdDecoder(std::unique_ptr<InputBuffer> in) {
  return std::make_unique<ZstdDecoder>(std::move(in));
}

}  // namespace vigia::io::internal
