// Digests of downloaded files: MD5 (RFC 1321) and SHA-256 (FIPS 180-4), in
// lower-case hex, through OpenSSL's libcrypto (as core/sha256.h). Archives
// publish one or the other (RIPE RIS and RouteViews list MD5s, CAIDA and
// rpki-client SHA-256), so a file is read once and both are computed; the
// cache and the manifest keep the SHA-256. MD5 is only a transfer check
// here: it detects damage, not an attacker.
//
// Thread safety: the functions are reentrant; a Hasher is one thread's.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "core/status.h"

namespace vigia::acquire {

struct Digests {
  uint64_t size = 0;
  std::string md5;     // lower-case hex; "" when not computed
  std::string sha256;  // lower-case hex
};

// The digests of a file, read once in 1 MiB blocks: SHA-256 always, MD5
// when `md5` (it costs more than SHA-256 on CPUs with SHA extensions, so it
// is computed only where a source publishes one). kIoError when the file
// cannot be opened or read.
Result<Digests> DigestFile(const std::string& path, bool md5 = true);

// Of a string in memory.
std::string Md5Hex(std::string_view data);
std::string Sha256Hex(std::string_view data);

// Incremental SHA-256 (and MD5 when `md5`) of a byte stream.
class Hasher {
 public:
  explicit Hasher(bool md5 = true);
  ~Hasher();
  Hasher(const Hasher&) = delete;
  Hasher& operator=(const Hasher&) = delete;
  void Update(const void* data, size_t n);
  Digests Finish();  // once

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace vigia::acquire
