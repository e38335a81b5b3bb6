#include "io/input_stream.h"

#include <bzlib.h>
#include <fcntl.h>
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <lzma.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>
#include <zstd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <random>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

namespace vigia::io {
namespace {

using Bytes = std::vector<std::byte>;

constexpr Compression kAllFormats[] = {Compression::kNone, Compression::kGzip, Compression::kBzip2,
                                       Compression::kXz, Compression::kZstd};
constexpr Compression kCompressedFormats[] = {Compression::kGzip, Compression::kBzip2,
                                              Compression::kXz, Compression::kZstd};

Bytes ToBytes(std::string_view s) {
  Bytes out;
  for (char ch : s) out.push_back(static_cast<std::byte>(ch));
  return out;
}

// Text in the shape of bgpdump output, sprinkled with random bytes, so that
// it compresses the way real archives do while still exercising literals.
// It starts with a letter, so it is never taken for a compressed stream.
Bytes SampleData(size_t n, uint32_t seed) {
  static constexpr std::string_view kWords[] = {"TABLE_DUMP2|", "1400832000|",        "B|",
                                                "192.0.2.1|",   "64496 64497 64511|", "IGP|",
                                                "\n",           "2001:db8::/32|"};
  std::mt19937 rng(seed);
  Bytes out = ToBytes(kWords[0]);
  while (out.size() < n) {
    if (rng() % 8 == 0) {
      for (uint32_t i = rng() % 64; i > 0; --i) out.push_back(static_cast<std::byte>(rng()));
    } else {
      const Bytes word = ToBytes(kWords[rng() % std::size(kWords)]);
      out.insert(out.end(), word.begin(), word.end());
    }
  }
  out.resize(n);
  return out;
}

Bytes GzipCompress(const Bytes& data) {
  z_stream z{};
  // windowBits 15 + 16 asks zlib for a gzip wrapper.
  EXPECT_EQ(deflateInit2(&z, 6, Z_DEFLATED, 31, 8, Z_DEFAULT_STRATEGY), Z_OK);
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

Bytes Bzip2Compress(const Bytes& data) {
  // 100k blocks, so that even modest inputs span several blocks.
  unsigned int size = static_cast<unsigned int>(data.size() + data.size() / 100 + 600);
  Bytes out(size);
  EXPECT_EQ(BZ2_bzBuffToBuffCompress(reinterpret_cast<char*>(out.data()), &size,
                                     reinterpret_cast<char*>(const_cast<std::byte*>(data.data())),
                                     static_cast<unsigned int>(data.size()), 1, 0, 0),
            BZ_OK);
  out.resize(size);
  return out;
}

Bytes XzCompress(const Bytes& data) {
  Bytes out(lzma_stream_buffer_bound(data.size()));
  size_t pos = 0;
  EXPECT_EQ(lzma_easy_buffer_encode(1, LZMA_CHECK_CRC64, nullptr,
                                    reinterpret_cast<const uint8_t*>(data.data()), data.size(),
                                    reinterpret_cast<uint8_t*>(out.data()), &pos, out.size()),
            LZMA_OK);
  out.resize(pos);
  return out;
}

Bytes ZstdCompress(const Bytes& data) {
  Bytes out(ZSTD_compressBound(data.size()));
  const size_t size = ZSTD_compress(out.data(), out.size(), data.data(), data.size(), 3);
  EXPECT_FALSE(ZSTD_isError(size));
  out.resize(size);
  return out;
}

Bytes Compress(Compression c, const Bytes& data) {
  switch (c) {
    case Compression::kNone:
      return data;
    case Compression::kGzip:
      return GzipCompress(data);
    case Compression::kBzip2:
      return Bzip2Compress(data);
    case Compression::kXz:
      return XzCompress(data);
    case Compression::kZstd:
      return ZstdCompress(data);
  }
  return {};
}

Bytes Concat(std::initializer_list<Bytes> parts) {
  Bytes out;
  for (const Bytes& p : parts) out.insert(out.end(), p.begin(), p.end());
  return out;
}

Bytes Prefix(const Bytes& data, size_t n) { return Bytes(data.begin(), data.begin() + n); }

// A file under the test's temporary directory, removed when it goes.
class TempFile {
 public:
  explicit TempFile(const Bytes& contents) {
    static std::atomic<int> counter{0};
    path_ = fmt::format("{}vigia_io_test_{}_{}", ::testing::TempDir(), ::getpid(), counter++);
    FILE* f = std::fopen(path_.c_str(), "wb");
    EXPECT_NE(f, nullptr) << path_;
    if (f == nullptr) return;
    if (!contents.empty()) {
      EXPECT_EQ(std::fwrite(contents.data(), 1, contents.size(), f), contents.size());
    }
    std::fclose(f);
  }
  ~TempFile() { std::remove(path_.c_str()); }
  TempFile(const TempFile&) = delete;
  TempFile& operator=(const TempFile&) = delete;

  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

// Reads to the end in pieces of read_size bytes.
Bytes Drain(InputStream& stream, size_t read_size = 64 << 10) {
  Bytes out;
  Bytes buf(read_size);
  for (;;) {
    const size_t got = stream.Read(buf.data(), read_size);
    out.insert(out.end(), buf.begin(), buf.begin() + got);
    if (got == 0) break;
  }
  EXPECT_EQ(stream.Read(buf.data(), read_size), 0u) << "a read after the end must stay empty";
  return out;
}

std::unique_ptr<InputStream> OpenOrDie(const std::string& path, OpenOptions opts = {}) {
  auto stream = InputStream::Open(path, opts);
  EXPECT_TRUE(stream.ok()) << stream.status().ToString();
  return stream.ok() ? std::move(stream).value() : nullptr;
}

bool HasTool(const char* tool) {
  return std::system(fmt::format("command -v {} >/dev/null 2>&1", tool).c_str()) == 0;
}

// Runs a shell command and returns what it wrote to stdout.
Bytes CommandOutput(const std::string& command) {
  Bytes out;
  FILE* p = ::popen(command.c_str(), "r");
  EXPECT_NE(p, nullptr) << command;
  if (p == nullptr) return out;
  std::byte buf[1 << 16];
  size_t got;
  while ((got = std::fread(buf, 1, sizeof(buf), p)) > 0) out.insert(out.end(), buf, buf + got);
  ::pclose(p);
  return out;
}

bool IsPrefix(const Bytes& prefix, const Bytes& whole) {
  return prefix.size() <= whole.size() && std::equal(prefix.begin(), prefix.end(), whole.begin());
}

std::string FormatName(const ::testing::TestParamInfo<Compression>& info) {
  return std::string(CompressionName(info.param));
}

TEST(CompressionTest, NamesEveryFormat) {
  EXPECT_EQ(CompressionName(Compression::kNone), "plain");
  EXPECT_EQ(CompressionName(Compression::kGzip), "gzip");
  EXPECT_EQ(CompressionName(Compression::kBzip2), "bzip2");
  EXPECT_EQ(CompressionName(Compression::kXz), "xz");
  EXPECT_EQ(CompressionName(Compression::kZstd), "zstd");
}

TEST(CompressionTest, DetectsEachFormatByMagicBytes) {
  const Bytes data = SampleData(1000, 1);
  for (Compression c : kAllFormats) {
    EXPECT_EQ(DetectCompression(Compress(c, data)), c) << CompressionName(c);
  }
  EXPECT_EQ(DetectCompression(ToBytes("\x1f\x8b")), Compression::kGzip);
  EXPECT_EQ(DetectCompression(ToBytes("BZh9")), Compression::kBzip2);
  EXPECT_EQ(DetectCompression(ToBytes(std::string_view("\xfd"
                                                       "7zXZ\0",
                                                       6))),
            Compression::kXz);
  EXPECT_EQ(DetectCompression(ToBytes("\x28\xb5\x2f\xfd")), Compression::kZstd);
}

TEST(CompressionTest, ShortOrUnknownHeadIsPlain) {
  EXPECT_EQ(DetectCompression({}), Compression::kNone);
  EXPECT_EQ(DetectCompression(ToBytes("\x1f")), Compression::kNone);
  EXPECT_EQ(DetectCompression(ToBytes("BZh")), Compression::kNone);
  EXPECT_EQ(DetectCompression(ToBytes("BZhello")), Compression::kNone);
  EXPECT_EQ(DetectCompression(ToBytes("\xfd"
                                      "7zXZ")),
            Compression::kNone);
  EXPECT_EQ(DetectCompression(ToBytes("\x28\xb5\x2f")), Compression::kNone);
  EXPECT_EQ(DetectCompression(ToBytes("TABLE_DUMP2|")), Compression::kNone);
}

class EachFormatTest : public ::testing::TestWithParam<Compression> {};

INSTANTIATE_TEST_SUITE_P(Formats, EachFormatTest, ::testing::ValuesIn(kAllFormats), FormatName);

TEST_P(EachFormatTest, RoundTripsThroughAFile) {
  const Bytes data = SampleData(2 << 20, 2);
  const Bytes compressed = Compress(GetParam(), data);
  TempFile file(compressed);
  for (bool threaded : {true, false}) {
    SCOPED_TRACE(threaded ? "threaded" : "inline");
    auto stream = OpenOrDie(file.path(), {.threaded = threaded, .chunk_size = 64 << 10});
    ASSERT_NE(stream, nullptr);
    EXPECT_EQ(stream->compression(), GetParam());
    EXPECT_EQ(stream->compressed_size(), compressed.size());
    EXPECT_EQ(Drain(*stream), data);
    EXPECT_TRUE(stream->status().ok()) << stream->status().ToString();
    EXPECT_EQ(stream->compressed_bytes_read(), compressed.size());
  }
}

TEST_P(EachFormatTest, RoundTripsFromMemory) {
  const Bytes data = SampleData(300 << 10, 3);
  const Bytes compressed = Compress(GetParam(), data);
  auto stream = InputStream::FromMemory(compressed);
  EXPECT_EQ(stream->compression(), GetParam());
  EXPECT_EQ(stream->compressed_size(), compressed.size());
  EXPECT_EQ(Drain(*stream, 1000), data);
  EXPECT_TRUE(stream->status().ok()) << stream->status().ToString();
  EXPECT_EQ(stream->compressed_bytes_read(), compressed.size());
}

TEST_P(EachFormatTest, ThreadedAndInlineGiveIdenticalBytesForAnyChunkAndReadSize) {
  const Bytes data = SampleData(200 << 10, 4);
  TempFile file(Compress(GetParam(), data));
  for (size_t chunk_size : {size_t{7}, size_t{4096}, size_t{1} << 20}) {
    for (size_t read_size : {size_t{1}, size_t{5}, size_t{4096}, size_t{3} << 20}) {
      for (bool threaded : {true, false}) {
        SCOPED_TRACE(fmt::format("chunk {} read {} {}", chunk_size, read_size,
                                 threaded ? "threaded" : "inline"));
        auto stream = OpenOrDie(file.path(), {.threaded = threaded, .chunk_size = chunk_size});
        ASSERT_NE(stream, nullptr);
        EXPECT_EQ(Drain(*stream, read_size), data);
        EXPECT_TRUE(stream->status().ok()) << stream->status().ToString();
      }
    }
  }
}

TEST_P(EachFormatTest, CompressedBytesReadGrowsToTheFileSize) {
  const Bytes data = SampleData(1 << 20, 5);
  const Bytes compressed = Compress(GetParam(), data);
  TempFile file(compressed);
  for (bool threaded : {true, false}) {
    auto stream = OpenOrDie(file.path(), {.threaded = threaded, .chunk_size = 32 << 10});
    ASSERT_NE(stream, nullptr);
    uint64_t last = 0;
    std::byte buf[10000];
    while (stream->Read(buf, sizeof(buf)) > 0) {
      EXPECT_GE(stream->compressed_bytes_read(), last);
      EXPECT_LE(stream->compressed_bytes_read(), compressed.size());
      last = stream->compressed_bytes_read();
    }
    EXPECT_EQ(stream->compressed_bytes_read(), compressed.size());
  }
}

class EachCompressedFormatTest : public ::testing::TestWithParam<Compression> {};

INSTANTIATE_TEST_SUITE_P(Formats, EachCompressedFormatTest, ::testing::ValuesIn(kCompressedFormats),
                         FormatName);

// Every cut leaves the magic intact (6 bytes covers the longest), so the
// format is still recognised and the cut shows as a truncation.
TEST_P(EachCompressedFormatTest, TruncatedStreamYieldsPrefixThenTruncatedStatus) {
  const Bytes data = SampleData(300 << 10, 6);
  const Bytes compressed = Compress(GetParam(), data);
  const size_t size = compressed.size();
  for (size_t cut : {size_t{6}, size_t{7}, size_t{10}, size_t{11}, size_t{17}, size_t{100},
                     size / 3, size / 2, size - 100, size - 9, size - 5, size - 4, size - 1}) {
    const Bytes truncated = Prefix(compressed, cut);
    TempFile file(truncated);
    for (int mode = 0; mode < 3; ++mode) {
      SCOPED_TRACE(fmt::format("cut at {} of {}, mode {}", cut, size, mode));
      std::unique_ptr<InputStream> stream =
          mode == 0 ? InputStream::FromMemory(truncated)
                    : OpenOrDie(file.path(), {.threaded = mode == 1, .chunk_size = 4096});
      ASSERT_NE(stream, nullptr);
      const Bytes out = Drain(*stream, 3000);
      EXPECT_TRUE(IsPrefix(out, data)) << "got " << out.size() << " bytes that are not a prefix";
      EXPECT_LE(out.size(), data.size());
      EXPECT_EQ(stream->status().code(), StatusCode::kTruncated) << stream->status().ToString();
      const std::string name = mode == 0 ? "<memory>" : file.path();
      EXPECT_EQ(stream->status().message(),
                fmt::format("{}: {} stream truncated at compressed offset {} (after {} bytes "
                            "of output)",
                            name, CompressionName(GetParam()), cut, out.size()));
    }
  }
}

TEST_P(EachCompressedFormatTest, FlippedBytesAreReportedOrHarmlessAndNeverCrash) {
  const Bytes data = SampleData(100 << 10, 7);
  const Bytes compressed = Compress(GetParam(), data);
  std::mt19937 rng(8);
  for (int i = 0; i < 40; ++i) {
    Bytes damaged = compressed;
    // Past the magic, so that the format is still recognised.
    const size_t at = 6 + rng() % (damaged.size() - 6);
    damaged[at] ^= static_cast<std::byte>(1 + rng() % 255);
    SCOPED_TRACE(fmt::format("byte {} of {}", at, damaged.size()));
    auto stream = InputStream::FromMemory(damaged);
    const Bytes out = Drain(*stream);
    // zstd frames carry no checksum by default, so a flipped literal can
    // pass unnoticed; the other formats check every byte.
    if (GetParam() != Compression::kZstd && stream->status().ok()) {
      EXPECT_EQ(out, data);
    }
    if (!stream->status().ok()) {
      EXPECT_NE(stream->status().message().find("compressed offset"), std::string::npos)
          << stream->status().message();
    }
  }
}

TEST(GzipTest, MultiMemberGzipYieldsAllMembers) {
  const Bytes a = SampleData(150 << 10, 10);
  const Bytes b = SampleData(90 << 10, 11);
  const Bytes c = SampleData(1, 12);
  const Bytes compressed =
      Concat({GzipCompress(a), GzipCompress({}), GzipCompress(b), GzipCompress(c)});
  const Bytes expected = Concat({a, b, c});
  TempFile file(compressed);
  for (size_t chunk_size : {size_t{7}, size_t{1} << 20}) {
    for (bool threaded : {true, false}) {
      auto stream = OpenOrDie(file.path(), {.threaded = threaded, .chunk_size = chunk_size});
      ASSERT_NE(stream, nullptr);
      EXPECT_EQ(Drain(*stream), expected);
      EXPECT_TRUE(stream->status().ok()) << stream->status().ToString();
    }
  }
  auto stream = InputStream::FromMemory(compressed);
  EXPECT_EQ(Drain(*stream), expected);
  EXPECT_TRUE(stream->status().ok()) << stream->status().ToString();
}

TEST(GzipTest, TrailingZeroPaddingIsIgnored) {
  const Bytes data = SampleData(50 << 10, 13);
  const Bytes compressed = Concat({GzipCompress(data), Bytes(1000, std::byte{0})});
  TempFile file(compressed);
  auto stream = OpenOrDie(file.path(), {.threaded = false, .chunk_size = 7});
  ASSERT_NE(stream, nullptr);
  EXPECT_EQ(Drain(*stream), data);
  EXPECT_TRUE(stream->status().ok()) << stream->status().ToString();
  EXPECT_EQ(stream->compressed_bytes_read(), compressed.size());
}

TEST(GzipTest, TrailingGarbageIsCorruptAtItsOffset) {
  const Bytes data = SampleData(50 << 10, 14);
  const Bytes member = GzipCompress(data);
  auto stream = InputStream::FromMemory(Concat({member, ToBytes("garbage")}));
  EXPECT_EQ(Drain(*stream), data);
  EXPECT_EQ(stream->status().code(), StatusCode::kCorrupt);
  EXPECT_EQ(stream->status().message(),
            fmt::format("<memory>: trailing garbage after gzip data at compressed offset {} "
                        "(after {} bytes of output)",
                        member.size(), data.size()));
}

TEST(GzipTest, GarbageAfterZeroPaddingIsCorrupt) {
  const Bytes data = SampleData(1000, 15);
  const Bytes member = GzipCompress(data);
  auto stream = InputStream::FromMemory(Concat({member, Bytes(8, std::byte{0}), ToBytes("x")}));
  EXPECT_EQ(Drain(*stream), data);
  EXPECT_EQ(stream->status().code(), StatusCode::kCorrupt);
  EXPECT_NE(stream->status().message().find(fmt::format("offset {} ", member.size() + 8)),
            std::string::npos)
      << stream->status().message();
}

TEST(GzipTest, WrongCrcIsCorrupt) {
  const Bytes data = SampleData(1000, 16);
  Bytes compressed = GzipCompress(data);
  compressed[compressed.size() - 8] ^= std::byte{1};  // first byte of the CRC-32
  auto stream = InputStream::FromMemory(compressed);
  Drain(*stream);
  EXPECT_EQ(stream->status().code(), StatusCode::kCorrupt);
  EXPECT_NE(stream->status().message().find("CRC"), std::string::npos)
      << stream->status().message();
}

TEST(Bzip2Test, ConcatenatedStreamsAreAllDecoded) {
  // As pbzip2 writes them: one complete stream per slice of the input.
  const Bytes a = SampleData(250 << 10, 20);
  const Bytes b = SampleData(10, 21);
  const Bytes c = SampleData(130 << 10, 22);
  const Bytes compressed = Concat({Bzip2Compress(a), Bzip2Compress(b), Bzip2Compress(c)});
  TempFile file(compressed);
  for (bool threaded : {true, false}) {
    auto stream = OpenOrDie(file.path(), {.threaded = threaded, .chunk_size = 7});
    ASSERT_NE(stream, nullptr);
    EXPECT_EQ(Drain(*stream, 3), Concat({a, b, c}));
    EXPECT_TRUE(stream->status().ok()) << stream->status().ToString();
  }
}

TEST(Bzip2Test, TrailingGarbageIsCorruptAtItsOffset) {
  const Bytes data = SampleData(10 << 10, 23);
  const Bytes compressed = Bzip2Compress(data);
  auto stream = InputStream::FromMemory(Concat({compressed, ToBytes("not bzip2 at all")}));
  EXPECT_EQ(Drain(*stream), data);
  EXPECT_EQ(stream->status().code(), StatusCode::kCorrupt);
  EXPECT_EQ(stream->status().message(),
            fmt::format("<memory>: trailing garbage after bzip2 data at compressed offset {} "
                        "(after {} bytes of output)",
                        compressed.size(), data.size()));
}

TEST(Bzip2Test, TruncatedBzip2YieldsPrefixThenError) {
  const Bytes data = SampleData(400 << 10, 24);
  const Bytes compressed = Bzip2Compress(data);
  // Cutting mid-stream loses the block being read; the blocks before it
  // come out whole.
  const Bytes truncated = Prefix(compressed, compressed.size() / 2);
  TempFile file(truncated);
  auto stream = OpenOrDie(file.path());
  ASSERT_NE(stream, nullptr);
  const Bytes out = Drain(*stream);
  EXPECT_GT(out.size(), 0u);
  EXPECT_TRUE(IsPrefix(out, data));
  EXPECT_EQ(stream->status().code(), StatusCode::kTruncated);
  EXPECT_EQ(stream->status().message(),
            fmt::format("{}: bzip2 stream truncated at compressed offset {} (after {} bytes of "
                        "output)",
                        file.path(), truncated.size(), out.size()));
}

// With threads, bzip2 blocks are found by their magic and decoded on two
// workers (ParallelBzip2Decoder); the bytes must equal one-thread decoding.
TEST(Bzip2Test, ParallelBlocksDecodeLikeOneThread) {
  const Bytes a = SampleData(3 << 20, 30);  // ~30 blocks of 100k
  const Bytes b = SampleData(700 << 10, 31);
  const Bytes compressed = Concat({Bzip2Compress(a), Bzip2Compress(b)});
  TempFile file(compressed);
  auto parallel = OpenOrDie(file.path(), {.threaded = true});
  auto inline_stream = OpenOrDie(file.path(), {.threaded = false});
  ASSERT_NE(parallel, nullptr);
  ASSERT_NE(inline_stream, nullptr);
  const Bytes p = Drain(*parallel, 1000);
  EXPECT_EQ(p, Concat({a, b}));
  EXPECT_EQ(p, Drain(*inline_stream));
  EXPECT_TRUE(parallel->status().ok()) << parallel->status().ToString();
  EXPECT_EQ(parallel->compressed_bytes_read(), compressed.size());
}

TEST(Bzip2Test, ParallelTrailingGarbageIsCorruptAtItsOffset) {
  const Bytes data = SampleData(500 << 10, 32);
  const Bytes compressed = Bzip2Compress(data);
  TempFile file(Concat({compressed, ToBytes("not bzip2 at all")}));
  auto stream = OpenOrDie(file.path(), {.threaded = true});
  ASSERT_NE(stream, nullptr);
  EXPECT_EQ(Drain(*stream), data);
  EXPECT_EQ(stream->status().code(), StatusCode::kCorrupt);
  EXPECT_EQ(stream->status().message(),
            fmt::format("{}: trailing garbage after bzip2 data at compressed offset {} (after {} "
                        "bytes of output)",
                        file.path(), compressed.size(), data.size()));
}

TEST(Bzip2Test, ParallelDamagedBlockIsReportedAfterTheBlocksBeforeIt) {
  const Bytes data = SampleData(1 << 20, 33);
  Bytes compressed = Bzip2Compress(data);
  for (size_t at : {compressed.size() / 3, compressed.size() / 2, compressed.size() - 20}) {
    Bytes damaged = compressed;
    damaged[at] ^= std::byte{0x5A};
    TempFile file(damaged);
    for (bool threaded : {true, false}) {
      auto stream = OpenOrDie(file.path(), {.threaded = threaded});
      ASSERT_NE(stream, nullptr);
      const Bytes out = Drain(*stream);
      EXPECT_FALSE(stream->status().ok()) << "damage at " << at << " threaded " << threaded;
      if (threaded) {
        EXPECT_TRUE(IsPrefix(out, data)) << "damage at " << at;
      }
    }
  }
}

TEST(XzTest, ConcatenatedStreamsAreAllDecoded) {
  const Bytes a = SampleData(100 << 10, 30);
  const Bytes b = SampleData(70 << 10, 31);
  // Stream padding (a multiple of four zero bytes) is legal between streams.
  const Bytes compressed = Concat({XzCompress(a), Bytes(8, std::byte{0}), XzCompress(b)});
  auto stream = InputStream::FromMemory(compressed);
  EXPECT_EQ(Drain(*stream), Concat({a, b}));
  EXPECT_TRUE(stream->status().ok()) << stream->status().ToString();
}

// liblzma reads a whole 12-byte stream header before judging it, so a
// shorter tail shows as a truncated stream instead, as with xz(1).
TEST(XzTest, TrailingGarbageIsCorrupt) {
  const Bytes data = SampleData(1000, 32);
  auto stream =
      InputStream::FromMemory(Concat({XzCompress(data), ToBytes("this is not an xz stream")}));
  EXPECT_EQ(Drain(*stream), data);
  EXPECT_EQ(stream->status().code(), StatusCode::kCorrupt);
}

TEST(ZstdTest, MultipleFramesAreAllDecoded) {
  const Bytes a = SampleData(100 << 10, 40);
  const Bytes b = SampleData(3, 41);
  const Bytes c = SampleData(70 << 10, 42);
  const Bytes compressed = Concat({ZstdCompress(a), ZstdCompress(b), ZstdCompress(c)});
  TempFile file(compressed);
  for (bool threaded : {true, false}) {
    auto stream = OpenOrDie(file.path(), {.threaded = threaded, .chunk_size = 7});
    ASSERT_NE(stream, nullptr);
    EXPECT_EQ(Drain(*stream, 5), Concat({a, b, c}));
    EXPECT_TRUE(stream->status().ok()) << stream->status().ToString();
  }
}

TEST(ZstdTest, TrailingGarbageIsCorrupt) {
  const Bytes data = SampleData(1000, 43);
  auto stream = InputStream::FromMemory(Concat({ZstdCompress(data), ToBytes("garbage!")}));
  EXPECT_EQ(Drain(*stream), data);
  EXPECT_EQ(stream->status().code(), StatusCode::kCorrupt);
}

TEST(PlainTest, GarbageInputIsReadAsPlain) {
  std::mt19937 rng(50);
  Bytes data(100 << 10);
  for (std::byte& b : data) b = static_cast<std::byte>(rng());
  data[0] = std::byte{'x'};  // never a magic by chance
  TempFile file(data);
  for (bool threaded : {true, false}) {
    auto stream = OpenOrDie(file.path(), {.threaded = threaded, .chunk_size = 1000});
    ASSERT_NE(stream, nullptr);
    EXPECT_EQ(stream->compression(), Compression::kNone);
    EXPECT_EQ(Drain(*stream, 777), data);
    EXPECT_TRUE(stream->status().ok());
  }
}

TEST(PlainTest, InputShorterThanAnyMagicIsPlain) {
  for (std::string_view s : {"", "\x1f", "BZh",
                             "\xfd"
                             "7zX"}) {
    const Bytes data = ToBytes(s);
    TempFile file(data);
    auto stream = OpenOrDie(file.path());
    ASSERT_NE(stream, nullptr);
    EXPECT_EQ(stream->compression(), Compression::kNone);
    EXPECT_EQ(Drain(*stream), data);
    EXPECT_TRUE(stream->status().ok());
  }
}

TEST(OpenTest, EmptyFileIsACleanEnd) {
  TempFile file(Bytes{});
  for (bool threaded : {true, false}) {
    auto stream = OpenOrDie(file.path(), {.threaded = threaded});
    ASSERT_NE(stream, nullptr);
    std::byte buf[16];
    EXPECT_EQ(stream->Read(buf, sizeof(buf)), 0u);
    EXPECT_TRUE(stream->status().ok());
    EXPECT_EQ(stream->compressed_size(), 0u);
  }
  auto stream = InputStream::FromMemory({});
  std::byte buf[16];
  EXPECT_EQ(stream->Read(buf, sizeof(buf)), 0u);
  EXPECT_TRUE(stream->status().ok());
}

TEST(OpenTest, MissingFileIsIoErrorNamingPathAndReason) {
  const std::string path = ::testing::TempDir() + "vigia_io_test_no_such_file.gz";
  auto stream = InputStream::Open(path);
  ASSERT_FALSE(stream.ok());
  EXPECT_EQ(stream.status().code(), StatusCode::kIoError);
  EXPECT_NE(stream.status().message().find(path), std::string::npos);
  EXPECT_NE(stream.status().message().find(std::strerror(ENOENT)), std::string::npos)
      << stream.status().message();
}

TEST(OpenTest, DirectoryIsIoError) {
  auto stream = InputStream::Open(::testing::TempDir());
  ASSERT_FALSE(stream.ok());
  EXPECT_EQ(stream.status().code(), StatusCode::kIoError);
  EXPECT_NE(stream.status().message().find(std::strerror(EISDIR)), std::string::npos)
      << stream.status().message();
}

TEST(OpenTest, ZeroChunkSizeIsInvalidArgument) {
  TempFile file(ToBytes("abc"));
  auto stream = InputStream::Open(file.path(), {.chunk_size = 0});
  ASSERT_FALSE(stream.ok());
  EXPECT_EQ(stream.status().code(), StatusCode::kInvalidArgument);
}

TEST(OpenTest, DashReadsStdinFromAPipe) {
  const Bytes data = SampleData(500 << 10, 60);
  const Bytes compressed = GzipCompress(data);
  int fds[2];
  ASSERT_EQ(::pipe(fds), 0);
  const int saved_stdin = ::dup(STDIN_FILENO);
  ASSERT_GE(saved_stdin, 0);
  ASSERT_EQ(::dup2(fds[0], STDIN_FILENO), STDIN_FILENO);
  ::close(fds[0]);
  // The pipe holds less than the whole input, so the writer must run
  // alongside the reader.
  std::thread writer([&] {
    size_t done = 0;
    while (done < compressed.size()) {
      const ssize_t w = ::write(fds[1], compressed.data() + done, compressed.size() - done);
      if (w <= 0) break;
      done += static_cast<size_t>(w);
    }
    ::close(fds[1]);
  });
  {
    auto stream = OpenOrDie("-");
    if (stream != nullptr) {
      EXPECT_EQ(stream->compression(), Compression::kGzip);
      EXPECT_EQ(stream->compressed_size(), 0u);
      EXPECT_EQ(Drain(*stream), data);
      EXPECT_TRUE(stream->status().ok()) << stream->status().ToString();
    }
  }
  writer.join();
  ::dup2(saved_stdin, STDIN_FILENO);
  ::close(saved_stdin);
}

TEST(ThreadedTest, DestroyingBeforeTheEndStopsTheDecoderThread) {
  const Bytes data = SampleData(4 << 20, 70);
  for (Compression c : kCompressedFormats) {
    TempFile file(Compress(c, data));
    for (size_t consume : {size_t{0}, size_t{1}, size_t{100} << 10, size_t{3} << 20}) {
      for (int repeat = 0; repeat < 5; ++repeat) {
        auto stream = OpenOrDie(file.path(), {.threaded = true, .chunk_size = 16 << 10});
        ASSERT_NE(stream, nullptr);
        Bytes buf(consume);
        EXPECT_EQ(stream->Read(buf.data(), consume), consume);
        EXPECT_TRUE(std::equal(buf.begin(), buf.end(), data.begin()));
        // The destructor must stop and join the thread, which by now is
        // blocked on a full ring or busy decoding.
      }
    }
  }
}

TEST(ThreadedTest, ErrorArrivesAfterEveryDecodedChunk) {
  const Bytes data = SampleData(1 << 20, 71);
  const Bytes compressed = GzipCompress(data);
  const Bytes truncated = Prefix(compressed, compressed.size() * 3 / 4);
  TempFile file(truncated);
  auto threaded = OpenOrDie(file.path(), {.threaded = true, .chunk_size = 1000});
  auto inline_stream = OpenOrDie(file.path(), {.threaded = false, .chunk_size = 1000});
  ASSERT_NE(threaded, nullptr);
  ASSERT_NE(inline_stream, nullptr);
  const Bytes a = Drain(*threaded, 999);
  const Bytes b = Drain(*inline_stream, 1001);
  EXPECT_EQ(a, b);
  EXPECT_TRUE(IsPrefix(a, data));
  EXPECT_EQ(threaded->status().code(), StatusCode::kTruncated);
  EXPECT_EQ(threaded->status().message(), inline_stream->status().message());
}

std::string SharedMrtDir() { return std::string(VIGIA_SHARED_DATA) + "/mrt"; }

TEST(RealDataTest, GzipArchivesMatchZcat) {
  if (!std::filesystem::is_directory(SharedMrtDir())) GTEST_SKIP() << "needs ../shared/data";
  if (!HasTool("zcat")) GTEST_SKIP() << "needs zcat";
  std::vector<std::string> paths;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(SharedMrtDir())) {
    if (entry.is_regular_file() && entry.path().extension() == ".gz") {
      paths.push_back(entry.path().string());
    }
  }
  std::sort(paths.begin(), paths.end());
  ASSERT_FALSE(paths.empty());
  for (const std::string& path : paths) {
    SCOPED_TRACE(path);
    const Bytes expected = CommandOutput(fmt::format("zcat -- '{}'", path));
    auto stream = OpenOrDie(path);
    ASSERT_NE(stream, nullptr);
    EXPECT_EQ(stream->compression(), Compression::kGzip);
    const Bytes out = Drain(*stream, 1 << 20);
    EXPECT_EQ(out.size(), expected.size());
    EXPECT_TRUE(out == expected);
    EXPECT_TRUE(stream->status().ok()) << stream->status().ToString();
    EXPECT_EQ(stream->compressed_bytes_read(), stream->compressed_size());
  }
}

// All that libbz2 can decode from data cut short: every complete block.
// Decoded here in one pass over the whole file, independently of
// InputStream's buffering.
Bytes Bzip2DecodableBytes(const Bytes& compressed) {
  Bytes out;
  bz_stream z{};
  EXPECT_EQ(BZ2_bzDecompressInit(&z, 0, 0), BZ_OK);
  z.next_in = reinterpret_cast<char*>(const_cast<std::byte*>(compressed.data()));
  z.avail_in = static_cast<unsigned>(compressed.size());
  std::byte buf[1 << 16];
  for (;;) {
    z.next_out = reinterpret_cast<char*>(buf);
    z.avail_out = sizeof(buf);
    const int ret = BZ2_bzDecompress(&z);
    out.insert(out.end(), buf, buf + (sizeof(buf) - z.avail_out));
    if (ret != BZ_OK || z.avail_out == sizeof(buf)) break;
  }
  BZ2_bzDecompressEnd(&z);
  return out;
}

Bytes ReadFile(const std::string& path) {
  Bytes out;
  FILE* f = std::fopen(path.c_str(), "rb");
  if (f == nullptr) return out;
  std::byte buf[1 << 16];
  size_t got;
  while ((got = std::fread(buf, 1, sizeof(buf), f)) > 0) out.insert(out.end(), buf, buf + got);
  std::fclose(f);
  return out;
}

// pyasn's test data keeps about the first megabyte of RouteViews RIBs. bzcat prints what it
// decodes in 5000-byte pieces and drops the piece in hand when the input
// runs out, so its output is a prefix of ours, short by less than 5000
// bytes; we deliver every byte of every complete block.
TEST(RealDataTest, TruncatedBzip2ArchivesGiveBzcatOutputAndTheRestOfTheLastBlock) {
  const std::string dir = SharedMrtDir() + "/pyasn";
  if (!std::filesystem::is_directory(dir)) GTEST_SKIP() << "needs ../shared/data";
  if (!HasTool("bzcat")) GTEST_SKIP() << "needs bzcat";
  std::vector<std::string> paths;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    if (entry.path().filename().string().ends_with("_firstMB.bz2")) {
      paths.push_back(entry.path().string());
    }
  }
  std::sort(paths.begin(), paths.end());
  ASSERT_FALSE(paths.empty());
  for (const std::string& path : paths) {
    SCOPED_TRACE(path);
    const Bytes bzcat = CommandOutput(fmt::format("bzcat -- '{}' 2>/dev/null", path));
    const Bytes compressed = ReadFile(path);
    const Bytes decodable = Bzip2DecodableBytes(compressed);
    for (bool threaded : {true, false}) {
      auto stream = OpenOrDie(path, {.threaded = threaded});
      ASSERT_NE(stream, nullptr);
      EXPECT_EQ(stream->compression(), Compression::kBzip2);
      const Bytes out = Drain(*stream, 1 << 20);
      EXPECT_TRUE(out == decodable) << out.size() << " vs " << decodable.size();
      EXPECT_TRUE(IsPrefix(bzcat, out)) << bzcat.size() << " vs " << out.size();
      EXPECT_LT(out.size() - bzcat.size(), 5000u);
      EXPECT_EQ(stream->status().code(), StatusCode::kTruncated);
      EXPECT_EQ(stream->status().message(),
                fmt::format("{}: bzip2 stream truncated at compressed offset {} (after {} bytes "
                            "of output)",
                            path, compressed.size(), out.size()));
    }
  }
}

}  // namespace
}  // namespace vigia::io
