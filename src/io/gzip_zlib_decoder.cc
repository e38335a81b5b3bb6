// The gzip decoder through zlib: the fallback when the build has no ISA-L
// (VIGIA_HAVE_ISAL unset, see CMakeLists.txt), and the reference the tests
// and the decompress fuzzer compare the ISA-L decoder (gzip_decoder.cc)
// against, so it is always compiled.
//
// It keeps the ISA-L decoder's contract exactly: members decoded in turn and
// concatenated (RFC 1952 §2.2), the CRC-32 and ISIZE of every member checked
// (RFC 1952 §2.3.1; zlib does it when windowBits asks for gzip), zero padding
// after the last member ignored and anything else after a member reported
// as trailing garbage at its offset, a stream cut short reported as
// truncated after all the output it held. Error texts are the ISA-L
// decoder's where the two libraries detect the same fault.
//
// Ownership and thread safety as every Decoder (decoder.h).
#include <zlib.h>

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <memory>
#include <string_view>
#include <utility>

#include "io/decoder.h"

namespace vigia::io::internal {
namespace {

// zlib's messages, mapped to the ISA-L decoder's texts where they name the
// same fault; others are passed through.
std::string_view ZlibErrorText(const char* msg) {
  const std::string_view m = msg ? msg : "zlib inflate error";
  if (m == "incorrect data check" || m == "incorrect length check") {
    return "gzip CRC-32 or length mismatch";
  }
  if (m == "incorrect header check" || m == "unknown header flags set" ||
      m == "header crc mismatch") {
    return "invalid gzip header";
  }
  if (m == "unknown compression method") return "unsupported gzip compression method";
  if (m == "invalid block type" || m == "invalid stored block lengths") {
    return "invalid deflate block";
  }
  if (m == "invalid distance too far back" || m == "invalid distance code") {
    return "invalid deflate distance";
  }
  if (m.starts_with("invalid ")) return "invalid deflate symbol";
  return m;
}

class ZlibGzipDecoder final : public Decoder {
 public:
  explicit ZlibGzipDecoder(std::unique_ptr<InputBuffer> in)
      : Decoder(Compression::kGzip, std::move(in)) {
    std::memset(&z_, 0, sizeof z_);
    // 16 + 15: a gzip wrapper (header parsed, CRC-32 and ISIZE verified)
    // around a deflate stream with a 32 KiB window.
    if (inflateInit2(&z_, 16 + MAX_WBITS) != Z_OK) {
      FailResource("zlib inflateInit2 failed (out of memory?)");
      return;
    }
    initialized_ = true;
  }

  ~ZlibGzipDecoder() override {
    if (initialized_) inflateEnd(&z_);
  }

 private:
  size_t Step(std::byte* out, size_t n) override {
    InputBuffer& b = in();
    if (!in_member_) {
      SeekNextMember();
      return 0;
    }
    if (!EnsureInput()) return 0;
    const size_t in_room = std::min(b.size(), kMaxCallBytes);
    const size_t out_room = std::min(n, kMaxCallBytes);
    z_.next_in = AsU8(b.data());
    z_.avail_in = static_cast<uInt>(in_room);
    z_.next_out = AsU8(out);
    z_.avail_out = static_cast<uInt>(out_room);
    const int ret = inflate(&z_, Z_NO_FLUSH);
    const size_t used = in_room - z_.avail_in;
    const size_t got = out_room - z_.avail_out;
    b.Consume(used);
    CountOutput(got);
    if (ret == Z_STREAM_END) {
      in_member_ = false;
    } else if (ret == Z_DATA_ERROR && z_.msg &&
               std::string_view(z_.msg) == "incorrect data check") {
      // zlib checks the CRC-32 before reading ISIZE; ISA-L reads the whole
      // trailer first. Do as ISA-L: the error is reported after ISIZE, and
      // a trailer cut inside ISIZE is a truncation.
      b.FillAtLeast(4);
      const size_t isize = std::min<size_t>(b.size(), 4);
      b.Consume(isize);
      if (isize == 4) {
        FailCorrupt(ZlibErrorText(z_.msg));
      } else if (b.status().ok()) {
        FailTruncated();
      } else {
        Fail(b.status());
      }
    } else if (ret == Z_DATA_ERROR || ret == Z_NEED_DICT || ret == Z_STREAM_ERROR) {
      FailCorrupt(ZlibErrorText(z_.msg));
    } else if (ret == Z_MEM_ERROR) {
      FailResource("zlib inflate ran out of memory");
    } else if (used == 0 && got == 0 && !MoreInput() && !finished()) {
      // Z_BUF_ERROR with nothing left to read: the member was cut short.
      FailTruncated();
    }
    return got;
  }

  // As GzipDecoder::SeekNextMember (gzip_decoder.cc): after a verified
  // member, ends cleanly at the end of input (after optional zero padding),
  // starts the next member, or fails.
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
        if (inflateReset(&z_) != Z_OK) {
          FailResource("zlib inflateReset failed");
          return;
        }
        in_member_ = true;
      } else if (b.size() == 1 && p[0] == std::byte{0x1f}) {
        FailTruncated();
      } else {
        FailTrailingGarbage(b.offset());
      }
      return;
    }
  }

  z_stream z_;
  bool initialized_ = false;
  bool in_member_ = true;
  bool padding_ = false;
};

}  // namespace

std::unique_ptr<Decoder> NewZlibGzipDecoder(std::unique_ptr<InputBuffer> in) {
  return std::make_unique<ZlibGzipDecoder>(std::move(in));
}

}  // namespace vigia::io::internal
