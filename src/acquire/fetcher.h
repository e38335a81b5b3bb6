// Fetcher: downloads a list of URLs into a cache, the way a polite archive
// client should (SPEC C13). libcurl's multi interface does the HTTP; this
// layer adds what the archives need:
//
//   - a cache keyed by URL (cache.h), reused across dates and runs; a file
//     cut short is kept as CACHE/KEY.part and resumed with an HTTP Range
//     request (RFC 9110 §14.2); a server that ignores the Range (200, not
//     206) restarts the file from zero;
//   - verification: the expected size, the MD5 or SHA-256 a source
//     publishes, and a decompression check of every gzip, bzip2, xz or zstd
//     file (io/input_stream.h reads it to the end); a file that fails is
//     deleted and fetched once more from zero, then reported;
//   - retries with exponential backoff and full jitter on connection errors,
//     timeouts, stalls (a slow trickle under low_speed_limit for
//     low_speed_seconds) and HTTP 408, 429 and 5xx; 404 and other 4xx fail
//     at once; redirects are followed (at most kMaxRedirects);
//   - at most `jobs` transfers at once and `per_host` per host; a total
//     timeout after which what is unfinished fails with "total timeout";
//   - a User-Agent naming Vigía.
//
// One FetchResult per request, in request order; a failure never stops the
// other requests. Nothing throws.
//
// Thread safety: one FetchAll at a time per Fetcher; the Progress callbacks
// come from the calling thread.
#pragma once

#include <cstdint>
#include <ctime>
#include <optional>
#include <string>
#include <vector>

#include "core/status.h"

namespace vigia::acquire {

inline constexpr int kMaxRedirects = 5;

struct FetchOptions {
  std::string cache_dir;         // required: where downloads live (created if absent)
  int jobs = 4;                  // transfers at once, all hosts together
  int per_host = 2;              // transfers at once to one host (polite default)
  int retries = 4;               // further attempts after the first
  double backoff_initial = 1.0;  // seconds before the first retry
  double backoff_max = 60.0;  // cap of one wait; the wait is uniform in [0, min(max, initial*2^k)]
  double total_timeout = 0;   // seconds for the whole FetchAll; 0 = none
  double connect_timeout = 30;      // seconds
  uint64_t low_speed_limit = 1024;  // bytes/s under which a transfer is stalled ...
  double low_speed_seconds = 60;    // ... for this long: then it is retried (and resumed)
  std::string user_agent;  // "" = "Vigia/<version> (routing-security observatory; libcurl)"
};

struct FetchRequest {
  std::string url;
  std::string tag;               // the source it belongs to ("ris"): progress is grouped by it
  std::optional<uint64_t> size;  // expected size, when the source publishes it
  std::string md5;               // expected digests, lower-case hex; "" = not published
  std::string sha256;
  bool check_decompression = true;  // read compressed files to the end
  // A cached copy older than this is fetched again (for "latest" URLs whose
  // bytes change, e.g. the live VRP file); 0 = a cached copy is always good.
  double max_age_seconds = 0;
};

struct FetchResult {
  bool ok = false;
  std::string error;  // why not, after every attempt: "HTTP 404", "md5 differs after 2 downloads"
  std::string path;   // the cached file (ok only)
  uint64_t size = 0;
  std::string sha256;       // of the cached file (ok only)
  std::time_t fetched = 0;  // when its bytes were downloaded (a cache hit keeps the original time)
  bool from_cache = false;
  bool resumed = false;   // some bytes came from a Range request
  int attempts = 0;       // transfers started (0 for a cache hit)
  long http_status = 0;   // of the last transfer
  std::string final_url;  // after redirects
  std::vector<std::string>
      events;  // what happened, in order: "attempt 1: HTTP 503; retry in 1.3 s"
};

// Called as transfers progress: totals are known after planning, bytes as
// they arrive. Implementations: progress.h.
class Progress {
 public:
  virtual ~Progress() = default;
  virtual void Begin(const std::string& tag, size_t files, uint64_t known_bytes) = 0;
  virtual void Bytes(const std::string& tag, uint64_t delta) = 0;
  virtual void Done(const std::string& tag, const FetchRequest& req, const FetchResult& r) = 0;
  virtual void Finish() = 0;
};

class Fetcher {
 public:
  explicit Fetcher(FetchOptions options);
  ~Fetcher();
  Fetcher(const Fetcher&) = delete;
  Fetcher& operator=(const Fetcher&) = delete;

  // Fetches every request; one result each, in order. progress may be null.
  std::vector<FetchResult> FetchAll(const std::vector<FetchRequest>& requests, Progress* progress);

  // One small text (a directory listing, a checksum file), through the cache
  // unless max_age_seconds says otherwise; capped at kMaxFetchedTextBytes.
  Result<std::string> FetchText(const std::string& url, double max_age_seconds = 0);

  const FetchOptions& options() const { return options_; }

 private:
  FetchOptions options_;
};

}  // namespace vigia::acquire
