// InputStream: the decompressed bytes of one archive file, read front to back.
//
// MRT archives come as gzip (RIPE RIS), bzip2 (RouteViews), xz or zstd, and
// are often cut short by an interrupted download. An InputStream hides which: Open() looks at the
// first bytes, picks the decoder and hands out plain bytes through Read(). A damaged file yields
// every byte that could be decoded before the damage, then an error naming the
// file and the compressed offset, so a reader can report how far it got
// instead of dropping the whole file.
//
// Memory is bounded whatever the file size: one input buffer, the decoder's
// own state and an output chunk, or when threaded a ring of four. Closed
// streams leave their buffers (at most 16 MiB in all) in a process-wide pool
// for the next stream, since faulting in fresh pages costs as much as
// decoding a small file.
//
// Ownership: Open() and FromMemory() return a stream that owns its file
// descriptor (stdin excepted, which is left open), its buffers and, when
// threaded, its decoder thread, which the destructor stops and joins.
//
// Thread safety: a stream is used by one thread at a time; distinct streams
// may be used from distinct threads. With OpenOptions::threaded the decoding
// runs on a private thread, invisibly to the caller.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>

#include "core/status.h"

namespace vigia::io {

enum class Compression { kNone, kGzip, kBzip2, kXz, kZstd };

// "plain", "gzip", "bzip2", "xz" or "zstd".
std::string_view CompressionName(Compression c);

// Recognises the format from its magic bytes (1f 8b; "BZh" and a block-size
// digit 1-9; fd 37 7a 58 5a 00; 28 b5 2f fd). Anything else, including a head
// too short to hold a magic, is kNone.
Compression DetectCompression(std::span<const std::byte> head);

struct OpenOptions {
  // Decode on a second thread so that decompression overlaps with parsing.
  bool threaded = true;
  // Bytes per decoded chunk; also bounds the compressed read size (at most
  // 256 KiB). Tiny values are legal, which the tests use to reach every
  // buffer boundary.
  size_t chunk_size = 1 << 20;
};

class InputStream {
 public:
  virtual ~InputStream();

  InputStream(const InputStream&) = delete;
  InputStream& operator=(const InputStream&) = delete;

  // Opens a file ("-" = stdin), detecting compression from the first bytes.
  // Fails with kIoError naming the path and the system's reason when the file
  // cannot be opened or read, kInvalidArgument when chunk_size is 0.
  static Result<std::unique_ptr<InputStream>> Open(const std::string& path, OpenOptions opts = {});

  // Wraps an in-memory buffer (copied), for tests and fuzzers; never threaded.
  static std::unique_ptr<InputStream> FromMemory(std::span<const std::byte> data);

  // Fills up to n bytes and returns the count. It returns fewer than n only
  // when the data has ended, and 0 on every call after that.
  virtual size_t Read(std::byte* buf, size_t n) = 0;

  // Once Read has returned 0: OK on a clean end, else kTruncated (stream cut
  // short), kCorrupt (bad data or trailing garbage) or kIoError, with a
  // message naming the file and the compressed offset, e.g.
  // "x.bz2: bzip2 stream truncated at compressed offset 1048576 (after
  // 15274550 bytes of output)".
  virtual const Status& status() const = 0;

  virtual Compression compression() const = 0;

  // Compressed bytes behind the data returned so far, for progress bars.
  virtual uint64_t compressed_bytes_read() const = 0;

  // Size of the compressed input (the file, or the memory buffer), 0 when
  // unknown (a pipe or terminal on stdin).
  virtual uint64_t compressed_size() const = 0;

 protected:
  InputStream() = default;
};

}  // namespace vigia::io
