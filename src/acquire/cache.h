// Download cache: files fetched by URL, reused across dates and runs (SPEC
// C13). Layout under the cache directory:
//
//   objects/XX/KEY        the file, complete and verified
//   objects/XX/KEY.json   its metadata: url, final_url, size, sha256, md5,
//                         fetched (ISO 8601 UTC), etag, last_modified
//   objects/XX/KEY.part   bytes of an unfinished download (resumed with a
//                         Range request, fetcher.h)
//                         and If-Range: its xattr user.vigia.if_range holds
//                         the ETag or Last-Modified its bytes came with
//
// where KEY is the SHA-256 of the URL in hex and XX its first two digits.
// An entry is valid when its metadata names the URL and the file has the
// recorded size. Every final file is written under a temporary name and
// renamed (POSIX rename is atomic), and the metadata is removed before its
// file is replaced, so a kill -9 at any point leaves either a valid entry,
// an unfinished .part, or nothing: never a wrong final object.
//
// Thread safety: a Cache holds only its directory; concurrent processes on
// one cache are not coordinated (one `vigia update` at a time).
#pragma once

#include <cstdint>
#include <ctime>
#include <optional>
#include <string>
#include <vector>

#include "core/status.h"

namespace vigia::acquire {

struct CacheEntry {
  std::string url;
  std::string final_url;  // after redirects
  uint64_t size = 0;
  std::string sha256, md5;  // lower-case hex
  std::time_t fetched = 0;  // when the bytes were downloaded
  std::string etag, last_modified;
};

class Cache {
 public:
  explicit Cache(std::string dir) : dir_(std::move(dir)) {}

  const std::string& dir() const { return dir_; }
  static std::string Key(const std::string& url);  // SHA-256 hex of the URL
  std::string DataPath(const std::string& url) const;
  std::string PartPath(const std::string& url) const;
  std::string MetaPath(const std::string& url) const;

  // The valid entry for url, if any.
  std::optional<CacheEntry> Lookup(const std::string& url) const;

  // Makes `file` (a complete download, e.g. PartPath(url)) the entry for
  // entry.url: removes the old metadata, renames the file into place, then
  // writes the metadata (temporary file + rename). Creates directories.
  Status Store(const CacheEntry& entry, const std::string& file) const;

  // Removes url's file, metadata and .part.
  void Remove(const std::string& url) const;

 private:
  std::string dir_;
};

// Writes `data` to `path` atomically: a temporary file beside it, then
// rename. Atomic against a killed process (kill -9), not a power loss (no
// fsync: a crashed machine may leave an entry whose size check fails, which
// Lookup then ignores).
Status WriteFileAtomic(const std::string& path, const std::string& data);

struct PruneReport {
  size_t removed = 0;  // objects removed (a file with its metadata and .part counts once)
  uint64_t removed_bytes = 0;
  size_t kept = 0;
  std::vector<std::string> removed_urls;  // those whose metadata named one
};

// Removes every object of the cache at `dir` whose URL is not in keep_urls,
// with leftovers (.part, temporary files, files without metadata): `vigia
// daily --keep N` keeps the URLs of the last N dates. A missing cache is an
// empty one.
Result<PruneReport> PruneCache(const std::string& dir, const std::vector<std::string>& keep_urls);

}  // namespace vigia::acquire
