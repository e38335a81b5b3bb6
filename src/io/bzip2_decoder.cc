#include <bzlib.h>

#include <algorithm>
#include <cstdint>
#include <memory>
#include <utility>

#include "io/decoder.h"

namespace vigia::io::internal {

const char* Bzip2ErrorText(int ret) {
  switch (ret) {
    case BZ_DATA_ERROR:
      return "bzip2 block CRC mismatch or invalid block";
    case BZ_DATA_ERROR_MAGIC:
      return "bad bzip2 stream magic";
    case BZ_MEM_ERROR:
      return "out of memory";
    default:
      return "libbz2 error";
  }
}

namespace {

// bzip2 through libbz2. Parallel compressors (pbzip2, lbzip2) write one
// complete stream per slice of input, so a file is a sequence of streams;
// each is decoded with a fresh decoder state.
class Bzip2Decoder final : public Decoder {
 public:
  explicit Bzip2Decoder(std::unique_ptr<InputBuffer> in)
      : Decoder(Compression::kBzip2, std::move(in)) {
    StartStream();
  }
  ~Bzip2Decoder() override {
    if (live_) BZ2_bzDecompressEnd(&strm_);
  }

 private:
  void StartStream() {
    if (live_) BZ2_bzDecompressEnd(&strm_);
    strm_ = bz_stream{};
    stream_start_ = in().offset();
    live_ = BZ2_bzDecompressInit(&strm_, 0, 0) == BZ_OK;
    if (!live_) FailResource("cannot start a bzip2 decoder: out of memory");
  }

  size_t Step(std::byte* out, size_t n) override {
    InputBuffer& b = in();
    if (stream_ended_) {
      if (b.size() == 0 && !MoreInput()) {
        if (!finished()) Finish();
        return 0;
      }
      stream_ended_ = false;
      ++streams_done_;
      StartStream();
      return 0;
    }
    if (!EnsureInput()) return 0;
    const size_t in_room = std::min(b.size(), kMaxCallBytes);
    const size_t out_room = std::min(n, kMaxCallBytes);
    strm_.next_in = reinterpret_cast<char*>(b.data());
    strm_.avail_in = static_cast<unsigned>(in_room);
    strm_.next_out = reinterpret_cast<char*>(out);
    strm_.avail_out = static_cast<unsigned>(out_room);
    const int ret = BZ2_bzDecompress(&strm_);
    const size_t used = in_room - strm_.avail_in;
    const size_t got = out_room - strm_.avail_out;
    b.Consume(used);
    CountOutput(got);
    if (ret == BZ_STREAM_END) {
      stream_ended_ = true;
    } else if (ret == BZ_DATA_ERROR_MAGIC && streams_done_ > 0) {
      FailTrailingGarbage(stream_start_);
    } else if (ret != BZ_OK) {
      FailCorrupt(Bzip2ErrorText(ret));
    } else if (used == 0 && got == 0 && !MoreInput() && !finished()) {
      FailTruncated();
    }
    return got;
  }

  bz_stream strm_{};
  bool live_ = false;
  bool stream_ended_ = false;
  uint64_t streams_done_ = 0;
  uint64_t stream_start_ = 0;
};

}  // namespace

std::unique_ptr<Decoder> NewBzip2Decoder(std::unique_ptr<InputBuffer> in) {
  return std::make_unique<Bzip2Decoder>(std::move(in));
}

}  // namespace vigia::io::internal
