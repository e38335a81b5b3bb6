// The gzip decoder through ISA-L's igzip (the default), or, in a build
// without ISA-L (VIGIA_HAVE_ISAL unset), NewGzipDecoder hands out the zlib
// decoder of gzip_zlib_decoder.cc instead.
//
// Ownership and thread safety as every Decoder (decoder.h).
#ifdef VIGIA_HAVE_ISAL
#include <isa-l/igzip_lib.h>
#endif

#include <algorithm>
#include <cstdint>
#include <memory>
#include <utility>

#include "io/decoder.h"

namespace vigia::io::internal {

#ifdef VIGIA_HAVE_ISAL
namespace {

const char* IsalErrorText(int ret) {
  switch (ret) {
    case ISAL_INVALID_BLOCK:
      return "invalid deflate block";
    case ISAL_INVALID_SYMBOL:
      return "invalid deflate symbol";
    case ISAL_INVALID_LOOKBACK:
      return "invalid deflate distance";
    case ISAL_INVALID_WRAPPER:
      return "invalid gzip header";
    case ISAL_UNSUPPORTED_METHOD:
      return "unsupported gzip compression method";
    case ISAL_INCORRECT_CHECKSUM:
      return "gzip CRC-32 or length mismatch";
    default:
      return "ISA-L inflate error";
  }
}

// gzip through ISA-L's igzip rather than zlib: its inflate runs about twice
// as fast on the same core (2.1x zlib's gzread on a 13 MB MRT updates file
// when this was written), and gzip is RIPE RIS's format, the largest archive
// we replay, so this is where a replay spends its decompression time.
//
// A gzip file may hold several members back to back (`cat a.gz b.gz`, or a
// collector that appends); each is decoded in turn and their outputs
// concatenated, as RFC 1952 §2.2 asks. Zero bytes after the last member
// (block padding from tape or some uploaders) are ignored as gzip(1) does;
// anything else after a member is reported with its offset.
class GzipDecoder final : public Decoder {
 public:
  explicit GzipDecoder(std::unique_ptr<InputBuffer> in)
      : Decoder(Compression::kGzip, std::move(in)), state_(std::make_unique<inflate_state>()) {
    isal_inflate_init(state_.get());
    // Makes isal_inflate parse the member header and verify the trailer.
    state_->crc_flag = ISAL_GZIP;
  }

 private:
  size_t Step(std::byte* out, size_t n) override {
    InputBuffer& b = in();
    inflate_state& s = *state_;
    if (!in_member_) {
      SeekNextMember();
      return 0;
    }
    if (member_start_) {
      // RFC 1952 §2.3.1.2: a decompressor must reject a header with a
      // reserved FLG bit set; isal_inflate ignores them (zlib does not).
      member_start_ = false;
      b.FillAtLeast(4);
      if (b.size() >= 4 && (static_cast<uint8_t>(b.data()[3]) & 0xE0) != 0) {
        b.Consume(4);
        FailCorrupt("invalid gzip header");
        return 0;
      }
    }
    if (!EnsureInput()) return 0;
    const size_t in_room = std::min(b.size(), kMaxCallBytes);
    const size_t out_room = std::min(n, kMaxCallBytes);
    s.next_in = AsU8(b.data());
    s.avail_in = static_cast<uint32_t>(in_room);
    s.next_out = AsU8(out);
    s.avail_out = static_cast<uint32_t>(out_room);
    const int ret = isal_inflate(&s);
    // On some errors ISA-L leaves avail_in above what it was given (seen:
    // 0xFFFFFFFF); never let that turn into a huge consumed count.
    const size_t used = s.avail_in <= in_room ? in_room - s.avail_in : 0;
    const size_t got = s.avail_out <= out_room ? out_room - s.avail_out : 0;
    b.Consume(used);
    CountOutput(got);
    if (ret < 0) {
      FailCorrupt(IsalErrorText(ret));
    } else if (s.block_state == ISAL_BLOCK_FINISH) {
      in_member_ = false;
    } else if (used == 0 && got == 0 && !MoreInput() && !finished()) {
      FailTruncated();
    }
    return got;
  }

  // Called after a member's trailer was verified: ends cleanly at the end of
  // input (after optional zero padding), starts the next member, or fails.
  void SeekNextMember() {
    InputBuffer& b = in();
    for (;;) {
      size_t zeros = 0;
      while (zeros < b.size() && b.data()[zeros] == std::byte{0}) ++zeros;
      if (zeros > 0) {
        b.Consume(zeros);
        padding_ = true;
      }
      if (b.size() == 0 || (!padding_ && b.size() < 2)) {
        if (MoreInput()) continue;
        if (finished()) return;
        if (b.size() == 0) {
          Finish();
          return;
        }
      }
      const std::byte* p = b.data();
      if (padding_) {
        FailTrailingGarbage(b.offset());
      } else if (b.size() >= 2 && p[0] == std::byte{0x1f} && p[1] == std::byte{0x8b}) {
        isal_inflate_reset(state_.get());
        in_member_ = true;
        member_start_ = true;
      } else if (b.size() == 1 && p[0] == std::byte{0x1f}) {
        FailTruncated();
      } else {
        FailTrailingGarbage(b.offset());
      }
      return;
    }
  }

  // About 100 KB (Huffman tables and a 64 KiB history), so on the heap.
  std::unique_ptr<inflate_state> state_;
  bool in_member_ = true;
  bool member_start_ = true;
  bool padding_ = false;
};

}  // namespace

std::unique_ptr<Decoder> NewGzipDecoder(std::unique_ptr<InputBuffer> in) {
  return std::make_unique<GzipDecoder>(std::move(in));
}

#else  // no ISA-L: zlib decodes gzip

std::unique_ptr<Decoder> NewGzipDecoder(std::unique_ptr<InputBuffer> in) {
  return NewZlibGzipDecoder(std::move(in));
}

#endif

}  // namespace vigia::io::internal
