// The two gzip decoders, ISA-L's (gzip_decoder.cc, the default) and zlib's
// (gzip_zlib_decoder.cc, the fallback without ISA-L), fed the same hostile
// inputs: they must give the same bytes and the same status, so that a
// build without ISA-L reports what the default build reports. Inputs are
// written with zlib's deflate; damaged ones are cut, flipped or padded here.
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <zlib.h>

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "io/decoder.h"

namespace vigia::io::internal {
namespace {

using Bytes = std::vector<std::byte>;

Bytes Sample(size_t n, uint32_t seed) {
  static constexpr std::string_view kWords[] = {
      "BGP4MP|", "1427846400|", "A|", "192.0.2.1|", "64496 64511|", "IGP|", "\n", "2001:db8::/32|"};
  std::mt19937 rng(seed);
  Bytes out;
  while (out.size() < n) {
    if (rng() % 8 == 0) {
      for (uint32_t i = rng() % 64; i > 0; --i) out.push_back(static_cast<std::byte>(rng()));
    } else {
      for (char c : kWords[rng() % std::size(kWords)]) out.push_back(static_cast<std::byte>(c));
    }
  }
  out.resize(n);
  return out;
}

Bytes Gzip(const Bytes& data, int level = 6) {
  z_stream z{};
  EXPECT_EQ(deflateInit2(&z, level, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY), Z_OK);
  Bytes out(deflateBound(&z, data.size()) + 64);
  z.next_in = reinterpret_cast<Bytef*>(const_cast<std::byte*>(data.data()));
  z.avail_in = static_cast<uInt>(data.size());
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  z.avail_out = static_cast<uInt>(out.size());
  EXPECT_EQ(deflate(&z, Z_FINISH), Z_STREAM_END);
  out.resize(z.total_out);
  deflateEnd(&z);
  return out;
}

Bytes Cat(std::initializer_list<Bytes> parts) {
  Bytes out;
  for (const Bytes& p : parts) out.insert(out.end(), p.begin(), p.end());
  return out;
}

Bytes Text(std::string_view s) {
  Bytes out;
  for (char c : s) out.push_back(static_cast<std::byte>(c));
  return out;
}

struct Decoded {
  Bytes out;
  Status status;
};

using Factory = std::unique_ptr<Decoder> (*)(std::unique_ptr<InputBuffer>);

// Decodes all of input, asking for `step` bytes a call.
Decoded DecodeAll(Factory make, const Bytes& input, size_t step) {
  auto d = make(std::make_unique<InputBuffer>("<memory>", std::span<const std::byte>(input)));
  Decoded r;
  Bytes buf(step);
  for (;;) {
    const size_t got = d->Produce(buf.data(), step);
    r.out.insert(r.out.end(), buf.begin(), buf.begin() + got);
    if (got < step) break;
  }
  EXPECT_TRUE(d->finished());
  EXPECT_EQ(d->Produce(buf.data(), step), 0u) << "a call after the end must give nothing";
  r.status = d->status();
  return r;
}

// The decoders agree on bytes and status, at several output sizes; returns
// the ISA-L (default) result for further checks.
Decoded ExpectSame(const Bytes& input, bool same_message = true) {
  Decoded first;
  for (size_t step : {size_t{1} << 20, size_t{4096}, size_t{7}}) {
    SCOPED_TRACE(fmt::format("output step {}", step));
    const Decoded isal = DecodeAll(&NewGzipDecoder, input, step);
    const Decoded zlib = DecodeAll(&NewZlibGzipDecoder, input, step);
    EXPECT_EQ(isal.status.code(), zlib.status.code())
        << "default: " << isal.status.ToString() << "\nzlib: " << zlib.status.ToString();
    if (same_message) {
      EXPECT_EQ(isal.status.message(), zlib.status.message());
      EXPECT_TRUE(isal.out == zlib.out)
          << "default gave " << isal.out.size() << " bytes, zlib " << zlib.out.size();
    }
    if (step == size_t{1} << 20) first = isal;
  }
  return first;
}

TEST(GzipDecodersTest, OneMemberDecodesAlike) {
  const Bytes data = Sample(300 << 10, 1);
  const Decoded r = ExpectSame(Gzip(data));
  EXPECT_TRUE(r.status.ok()) << r.status.ToString();
  EXPECT_TRUE(r.out == data);
}

TEST(GzipDecodersTest, StoredAndBestCompressionDecodeAlike) {
  const Bytes data = Sample(70 << 10, 2);
  for (int level : {0, 1, 9}) {
    SCOPED_TRACE(level);
    const Decoded r = ExpectSame(Gzip(data, level));
    EXPECT_TRUE(r.status.ok()) << r.status.ToString();
    EXPECT_TRUE(r.out == data);
  }
}

TEST(GzipDecodersTest, MultiMemberDecodesAllMembersAlike) {
  const Bytes a = Sample(150 << 10, 3), b = Sample(9000, 4), c = Sample(1, 5);
  const Decoded r = ExpectSame(Cat({Gzip(a), Gzip({}), Gzip(b), Gzip(c), Gzip({})}));
  EXPECT_TRUE(r.status.ok()) << r.status.ToString();
  EXPECT_TRUE(r.out == Cat({a, b, c}));
}

TEST(GzipDecodersTest, EmptyInputIsTruncatedAlike) {
  const Decoded r = ExpectSame({});
  EXPECT_EQ(r.status.code(), StatusCode::kTruncated) << r.status.ToString();
  EXPECT_TRUE(r.out.empty());
}

TEST(GzipDecodersTest, ZeroPaddingIsIgnoredAndGarbageAfterItReportedAlike) {
  const Bytes data = Sample(5000, 6);
  const Bytes member = Gzip(data);
  Decoded r = ExpectSame(Cat({member, Bytes(512, std::byte{0})}));
  EXPECT_TRUE(r.status.ok()) << r.status.ToString();
  EXPECT_TRUE(r.out == data);
  r = ExpectSame(Cat({member, Bytes(8, std::byte{0}), Text("x")}));
  EXPECT_EQ(r.status.code(), StatusCode::kCorrupt);
  EXPECT_NE(r.status.message().find(fmt::format("offset {} ", member.size() + 8)),
            std::string::npos)
      << r.status.message();
}

TEST(GzipDecodersTest, TrailingGarbageIsReportedAtItsOffsetAlike) {
  const Bytes data = Sample(5000, 7);
  const Bytes member = Gzip(data);
  for (const Bytes& tail : {Text("garbage"), Text("\x1f"), Text("\x1f\x8b")}) {
    SCOPED_TRACE(tail.size());
    const Decoded r = ExpectSame(Cat({member, tail}));
    EXPECT_TRUE(r.out == data);
    EXPECT_FALSE(r.status.ok());
  }
}

TEST(GzipDecodersTest, EveryCutIsTruncatedAfterTheSameBytes) {
  const Bytes data = Sample(20 << 10, 8);
  const Bytes compressed = Cat({Gzip(data), Gzip(data)});
  for (size_t cut = 1; cut < compressed.size();
       cut += (cut < 40 || cut > compressed.size() - 40) ? 1 : 97) {
    SCOPED_TRACE(fmt::format("cut at {} of {}", cut, compressed.size()));
    const Decoded r = ExpectSame(Bytes(compressed.begin(), compressed.begin() + cut));
    EXPECT_EQ(r.status.code(), StatusCode::kTruncated) << r.status.ToString();
    EXPECT_TRUE(std::equal(r.out.begin(), r.out.end(), Cat({data, data}).begin()));
  }
}

TEST(GzipDecodersTest, WrongCrcOrLengthIsCorruptAlike) {
  const Bytes data = Sample(3000, 9);
  const Bytes good = Gzip(data);
  for (size_t from_end : {size_t{8}, size_t{5}, size_t{4}, size_t{1}}) {
    SCOPED_TRACE(fmt::format("trailer byte {} from the end", from_end));
    Bytes bad = good;
    bad[bad.size() - from_end] ^= std::byte{0x40};
    const Decoded r = ExpectSame(Cat({Gzip(data), bad}));
    EXPECT_EQ(r.status.code(), StatusCode::kCorrupt);
    EXPECT_NE(r.status.message().find("gzip CRC-32 or length mismatch"), std::string::npos)
        << r.status.message();
  }
}

TEST(GzipDecodersTest, BadHeaderIsCorruptAlike) {
  Bytes bad = Gzip(Sample(100, 10));
  bad[2] = std::byte{7};  // compression method other than deflate
  Decoded r = ExpectSame(bad, /*same_message=*/false);
  EXPECT_EQ(r.status.code(), StatusCode::kCorrupt) << r.status.ToString();
  bad = Gzip(Sample(100, 10));
  bad[3] = std::byte{0xE0};  // reserved flag bits
  r = ExpectSame(bad, /*same_message=*/false);
  EXPECT_EQ(r.status.code(), StatusCode::kCorrupt) << r.status.ToString();
}

// Damage inside the deflate data: where each library notices may differ by
// a block, so only the outcome is compared: both fail, or both give the
// original bytes (a flip the Huffman code absorbs still breaks the CRC).
TEST(GzipDecodersTest, FlippedBytesAndGarbageFailAlikeAndNeverCrash) {
  const Bytes data = Sample(64 << 10, 11);
  const Bytes good = Gzip(data);
  std::mt19937 rng(12);
  for (int i = 0; i < 200; ++i) {
    Bytes bad = good;
    if (i % 4 == 3) {
      // Garbage after a valid gzip magic and header.
      for (size_t k = 10; k < bad.size(); ++k) bad[k] = static_cast<std::byte>(rng());
    } else {
      bad[10 + rng() % (bad.size() - 10)] ^= static_cast<std::byte>(1 + rng() % 255);
    }
    SCOPED_TRACE(i);
    const Decoded r = ExpectSame(bad, /*same_message=*/false);
    const Decoded z = DecodeAll(&NewZlibGzipDecoder, bad, 1 << 20);
    EXPECT_EQ(r.status.ok(), z.status.ok());
    if (r.status.ok()) {
      EXPECT_TRUE(r.out == data);
    }
    for (const Decoded* d : {&r, &z}) {
      EXPECT_TRUE(std::equal(d->out.begin(), d->out.end(), data.begin(),
                             data.begin() + std::min(d->out.size(), data.size())) ||
                  !d->status.ok());
    }
  }
}

TEST(GzipDecodersTest, RealArchivesDecodeAlike) {
  const std::string dir = std::string(VIGIA_SHARED_DATA) + "/mrt";
  if (!std::filesystem::is_directory(dir)) GTEST_SKIP() << "needs " << dir;
  int files = 0;
  for (const auto& e : std::filesystem::recursive_directory_iterator(dir)) {
    if (!e.is_regular_file() || e.path().extension() != ".gz") continue;
    SCOPED_TRACE(e.path().string());
    std::ifstream f(e.path(), std::ios::binary);
    Bytes input;
    for (std::istreambuf_iterator<char> it(f), end; it != end; ++it) {
      input.push_back(static_cast<std::byte>(*it));
    }
    const Decoded isal = DecodeAll(&NewGzipDecoder, input, 1 << 20);
    const Decoded zlib = DecodeAll(&NewZlibGzipDecoder, input, 1 << 20);
    EXPECT_TRUE(isal.status.ok()) << isal.status.ToString();
    EXPECT_EQ(isal.status.ToString(), zlib.status.ToString());
    EXPECT_TRUE(isal.out == zlib.out);
    ++files;
  }
  EXPECT_GT(files, 0);
}

}  // namespace
}  // namespace vigia::io::internal
