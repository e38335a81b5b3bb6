#include <lzma.h>

#include <cstdint>
#include <memory>
#include <utility>

#include "io/decoder.h"

namespace vigia::io::internal {
namespace {

const char* LzmaErrorText(lzma_ret ret) {
  switch (ret) {
    case LZMA_MEM_ERROR:
      return "out of memory";
    case LZMA_MEMLIMIT_ERROR:
      return "memory limit reached";
    case LZMA_FORMAT_ERROR:
      return "not an xz stream";
    case LZMA_OPTIONS_ERROR:
      return "unsupported xz options";
    case LZMA_DATA_ERROR:
      return "invalid xz data or trailing garbage";
    default:
      return "liblzma error";
  }
}

// xz through liblzma. LZMA_CONCATENATED makes it accept several streams and
// the stream padding between them, as xz(1) does.
class XzDecoder final : public Decoder {
 public:
  explicit XzDecoder(std::unique_ptr<InputBuffer> in) : Decoder(Compression::kXz, std::move(in)) {
    const lzma_ret ret = lzma_stream_decoder(&strm_, UINT64_MAX, LZMA_CONCATENATED);
    if (ret != LZMA_OK) FailResource(LzmaErrorText(ret));
  }
  ~XzDecoder() override { lzma_end(&strm_); }

 private:
  size_t Step(std::byte* out, size_t n) override {
    InputBuffer& b = in();
    if (!EnsureInput()) return 0;
    const size_t in_room = b.size();
    strm_.next_in = AsU8(b.data());
    strm_.avail_in = in_room;
    strm_.next_out = AsU8(out);
    strm_.avail_out = n;
    // With LZMA_CONCATENATED only LZMA_FINISH tells liblzma that no
    // further stream follows.
    const lzma_ret ret = lzma_code(&strm_, b.exhausted() ? LZMA_FINISH : LZMA_RUN);
    const size_t used = in_room - strm_.avail_in;
    const size_t got = n - strm_.avail_out;
    b.Consume(used);
    CountOutput(got);
    if (ret == LZMA_STREAM_END) {
      Finish();
    } else if (ret == LZMA_BUF_ERROR) {
      FailTruncated();
    } else if (ret != LZMA_OK) {
      FailCorrupt(LzmaErrorText(ret));
    } else if (used == 0 && got == 0) {
      if (b.exhausted()) {
        FailTruncated();
      } else {
        MoreInput();
      }
    }
    return got;
  }

  lzma_stream strm_ = LZMA_STREAM_INIT;
};

}  // namespace

std::unique_ptr<Decoder> NewXzDecoder(std::unique_ptr<InputBuffer> in) {
  return std::make_unique<XzDecoder>(std::move(in));
}

}  // namespace vigia::io::internal
