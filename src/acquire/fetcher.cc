#include "acquire/fetcher.h"

#include <curl/curl.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <deque>
#include <filesystem>
#include <fstream>
#include <future>
#include <map>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <random>
#include <sstream>

#include "acquire/cache.h"
#include "acquire/digest.h"
#include "core/limits.h"
#include "io/input_stream.h"

namespace vigia::acquire {
namespace fs = std::filesystem;

namespace {

// src/cli/main.cc's --version.
constexpr const char* kDefaultUserAgent = "Vigia/0.1.0 (routing-security observatory; libcurl)";
// A server answering a Range request with 416, or ignoring it, restarts the
// file from zero; more restarts than this in one fetch is a loop.
constexpr int kMaxRestarts = 3;
// The extended attribute of a .part holding its If-Range validator.
constexpr const char* kValidatorXattr = "user.vigia.if_range";
// The longest the loop sleeps in curl_multi_poll; backoff timers and the
// total timeout shorten it, a finished verification wakes it.
constexpr int kTickMs = 100;

using Clock = std::chrono::steady_clock;

void GlobalInit() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

std::string HostOf(const std::string& url) {
  size_t start = url.find("://");
  start = start == std::string::npos ? 0 : start + 3;
  const size_t end = url.find_first_of("/?#", start);
  std::string host = url.substr(start, end == std::string::npos ? std::string::npos : end - start);
  if (const size_t at = host.rfind('@'); at != std::string::npos) host = host.substr(at + 1);
  std::transform(host.begin(), host.end(), host.begin(), ::tolower);
  return host;
}

std::string Seconds(double s) { return fmt::format("{:.1f} s", s); }

// The verification of a downloaded file (fetcher.h): size, published
// digests, then a read to the end of a compressed file.
struct Verified {
  Status status;
  Digests digests;
};

Verified Verify(const std::string& path, const FetchRequest& req) {
  Verified v;
  Result<Digests> d = DigestFile(path, !req.md5.empty());
  if (!d.ok()) return {d.status(), {}};
  v.digests = *d;
  if (req.size && v.digests.size != *req.size) {
    v.status = Status::Corrupt(
        fmt::format("size {} differs from the published {}", v.digests.size, *req.size));
    return v;
  }
  if (!req.md5.empty() && v.digests.md5 != req.md5) {
    v.status = Status::Corrupt("md5 differs");
    return v;
  }
  if (!req.sha256.empty() && v.digests.sha256 != req.sha256) {
    v.status = Status::Corrupt("sha256 differs");
    return v;
  }
  if (!req.check_decompression) return v;
  std::array<std::byte, 8> head{};
  {
    std::ifstream f(path, std::ios::binary);
    f.read(reinterpret_cast<char*>(head.data()), head.size());
    const io::Compression c = io::DetectCompression(
        std::span<const std::byte>(head.data(), static_cast<size_t>(f.gcount())));
    if (c == io::Compression::kNone) return v;
  }
  io::OpenOptions opts;
  opts.threaded = false;
  Result<std::unique_ptr<io::InputStream>> in = io::InputStream::Open(path, opts);
  if (!in.ok()) return {in.status(), v.digests};
  std::vector<std::byte> buf(1 << 20);
  while ((*in)->Read(buf.data(), buf.size()) > 0) {
  }
  if (!(*in)->status().ok()) {
    v.status = Status::Corrupt(fmt::format("{}: {}", io::CompressionName((*in)->compression()),
                                           (*in)->status().message()));
  }
  return v;
}

std::string CapMessage(uint64_t cap) {
  return fmt::format("larger than {} ({} bytes)",
                     cap == kMaxDownloadBytes ? "kMaxDownloadBytes" : "kMaxFetchedTextBytes", cap);
}

struct Job {
  size_t index = 0;
  const FetchRequest* req = nullptr;
  FetchResult* result = nullptr;
  std::string host, part;
  uint64_t cap = kMaxDownloadBytes;
  int retries_used = 0;
  int downloads = 0;  // complete downloads that failed verification
  int restarts = 0;   // restarts from zero after a 416 or an ignored Range
  Clock::time_point not_before{};
  // The transfer in flight.
  CURL* easy = nullptr;
  FILE* file = nullptr;
  uint64_t offset = 0;  // bytes already in the .part when it started
  uint64_t written = 0;
  long status = 0;
  bool status_seen = false;
  std::string etag, last_modified;
  std::optional<uint64_t> complete_length;  // of a 416's "Content-Range: bytes */N"
  std::optional<double> retry_after;        // seconds, from a 429 or 503
  std::string abort_reason;                 // set by the write callback when it stops the transfer
  char errbuf[CURL_ERROR_SIZE] = {};
  curl_slist* headers = nullptr;
  Progress* progress = nullptr;
  // The verification running beside the loop.
  std::future<Verified> verify;
  bool verifying = false;
};

void RemovePart(const Job& j) {
  std::error_code ec;
  fs::remove(j.part, ec);
}

// The validator a .part's bytes came with, for If-Range (RFC 9110 §13.1.5:
// a strong entity tag, else the Last-Modified date), kept in an extended
// attribute of the .part (cache.h): no extra file per download. "" = none
// (or a file system without user xattrs: the .part then resumes without).
std::string PartValidator(FILE* part) {
  char buf[512];
  const ssize_t n = ::fgetxattr(fileno(part), kValidatorXattr, buf, sizeof buf);
  return n > 0 ? std::string(buf, static_cast<size_t>(n)) : "";
}

void SetPartValidator(FILE* part, const std::string& etag, const std::string& last_modified) {
  const std::string v = !etag.empty() && etag.rfind("W/", 0) != 0 ? etag : last_modified;
  if (v.empty() || v.size() > 500) {
    ::fremovexattr(fileno(part), kValidatorXattr);
  } else {
    ::fsetxattr(fileno(part), kValidatorXattr, v.data(), v.size(), 0);
  }
}

// Body bytes from libcurl (CURLOPT_WRITEFUNCTION); returning less than n
// stops the transfer.
size_t WriteBody(char* data, size_t size, size_t nmemb, void* userdata) {
  Job& j = *static_cast<Job*>(userdata);
  const size_t n = size * nmemb;
  if (!j.status_seen) {
    j.status_seen = true;
    curl_easy_getinfo(j.easy, CURLINFO_RESPONSE_CODE, &j.status);
    if (j.status == 200 && j.offset > 0) {
      // RFC 9110 §14.2: a server may ignore Range and send the whole
      // representation with 200; what the .part held is replaced.
      std::fflush(j.file);
      if (::ftruncate(fileno(j.file), 0) != 0 || std::fseek(j.file, 0, SEEK_SET) != 0) {
        j.abort_reason = fmt::format("{}: cannot truncate", j.part);
        return 0;
      }
      j.result->events.push_back(
          fmt::format("attempt {}: the server ignored the Range (HTTP 200): restarting from zero",
                      j.result->attempts));
      j.offset = 0;
    } else if (j.status == 206 && j.offset > 0) {
      j.result->resumed = true;
    }
    // A fresh .part: remember what it is a prefix of, for If-Range.
    if (j.status == 200) SetPartValidator(j.file, j.etag, j.last_modified);
  }
  if (j.status < 200 || j.status >= 300) return n;  // an error page: not the file
  if (j.offset + j.written + n > j.cap) {
    j.abort_reason = CapMessage(j.cap);
    return 0;
  }
  if (std::fwrite(data, 1, n, j.file) != n) {
    j.abort_reason = fmt::format("{}: write failed", j.part);
    return 0;
  }
  j.written += n;
  if (j.progress) j.progress->Bytes(j.req->tag, n);
  return n;
}

std::string HeaderValue(std::string_view line, std::string_view name) {
  if (line.size() <= name.size() + 1 || line[name.size()] != ':') return "";
  for (size_t i = 0; i < name.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(line[i])) != name[i]) return "";
  }
  std::string_view v = line.substr(name.size() + 1);
  while (!v.empty() && (v.front() == ' ' || v.front() == '\t')) v.remove_prefix(1);
  while (!v.empty() && (v.back() == '\r' || v.back() == '\n' || v.back() == ' '))
    v.remove_suffix(1);
  return std::string(v);
}

size_t WriteHeader(char* data, size_t size, size_t nitems, void* userdata) {
  Job& j = *static_cast<Job*>(userdata);
  const std::string_view line(data, size * nitems);
  if (line.rfind("HTTP/", 0) == 0) {  // a new response (after a redirect)
    j.etag.clear();
    j.last_modified.clear();
    j.complete_length.reset();
    j.retry_after.reset();
  } else if (std::string cr = HeaderValue(line, "content-range"); cr.rfind("bytes */", 0) == 0) {
    // RFC 9110 §14.4: an unsatisfied-range answer gives the complete length.
    char* end = nullptr;
    const unsigned long long n = std::strtoull(cr.c_str() + 8, &end, 10);
    if (end != cr.c_str() + 8) j.complete_length = n;
  } else if (std::string ra = HeaderValue(line, "retry-after"); !ra.empty()) {
    // RFC 9110 §10.2.3, the delay-seconds form (an HTTP-date is ignored).
    char* end = nullptr;
    const double secs = std::strtod(ra.c_str(), &end);
    if (end != ra.c_str() && *end == 0 && secs >= 0) j.retry_after = secs;
  } else if (std::string v = HeaderValue(line, "etag"); !v.empty()) {
    j.etag = v;
  } else if (std::string lm = HeaderValue(line, "last-modified"); !lm.empty()) {
    j.last_modified = lm;
  }
  return size * nitems;
}

bool Retryable(CURLcode rc) {
  switch (rc) {
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_CONNECT:
    case CURLE_OPERATION_TIMEDOUT:
    case CURLE_PARTIAL_FILE:
    case CURLE_RECV_ERROR:
    case CURLE_SEND_ERROR:
    case CURLE_GOT_NOTHING:
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_HTTP2:
    case CURLE_HTTP2_STREAM:
      return true;
    default:
      return false;
  }
}

// One FetchAll: the scheduler around a libcurl multi handle.
class Run {
 public:
  Run(const FetchOptions& o, Progress* progress, uint64_t cap)
      : o_(o), cache_(o.cache_dir), progress_(progress), cap_(cap), rng_(std::random_device{}()) {}

  std::vector<FetchResult> FetchAll(const std::vector<FetchRequest>& requests);

 private:
  void Plan(const std::vector<FetchRequest>& requests);
  bool TryCache(Job& j);
  bool CachedMd5Matches(const CacheEntry& e, const std::string& md5) const;
  void Start(Job& j);
  void Complete(Job& j, CURLcode rc);
  void OnVerified(Job& j, Verified v);
  void Retry(Job& j, const std::string& why, bool retryable, std::optional<double> retry_after);
  void Again(Job& j) {
    j.not_before = Clock::now();
    queue_.push_back(&j);
  }
  void Fail(Job& j, const std::string& error);
  void Succeed(Job& j, const CacheEntry& e, bool from_cache);
  void CloseTransfer(Job& j);
  void TimeOut();

  const FetchOptions& o_;
  Cache cache_;
  Progress* progress_;
  uint64_t cap_;
  std::mt19937_64 rng_;
  CURLM* multi_ = nullptr;
  std::vector<FetchResult> results_;
  std::vector<std::unique_ptr<Job>> jobs_;
  std::deque<Job*> queue_;
  std::vector<Job*> active_, verifying_;
  std::map<std::string, int> per_host_;
  size_t open_ = 0;  // jobs not finished
};

void Run::Plan(const std::vector<FetchRequest>& requests) {
  // Progress totals per tag, in order of first appearance.
  std::vector<std::string> tags;
  std::map<std::string, std::pair<size_t, uint64_t>> totals;
  for (const FetchRequest& r : requests) {
    auto [it, fresh] = totals.try_emplace(r.tag, 0, 0);
    if (fresh) tags.push_back(r.tag);
    ++it->second.first;
    it->second.second += r.size.value_or(0);
  }
  if (progress_) {
    for (const std::string& t : tags) progress_->Begin(t, totals[t].first, totals[t].second);
  }
}

// An entry stored without its MD5 (no source asked for one then): computed
// now, once per run.
bool Run::CachedMd5Matches(const CacheEntry& e, const std::string& md5) const {
  if (!e.md5.empty()) return e.md5 == md5;
  Result<Digests> d = DigestFile(cache_.DataPath(e.url), true);
  return d.ok() && d->md5 == md5;
}

bool Run::TryCache(Job& j) {
  const FetchRequest& r = *j.req;
  std::optional<CacheEntry> e = cache_.Lookup(r.url);
  if (!e) return false;
  const double age = std::difftime(std::time(nullptr), e->fetched);
  std::string stale;
  if (r.max_age_seconds > 0 && age > r.max_age_seconds) {
    stale = fmt::format("cached copy is {:.0f} s old (max {:.0f} s)", age, r.max_age_seconds);
  } else if (r.size && e->size != *r.size) {
    stale = "cached size differs from the published one";
  } else if (!r.sha256.empty() && e->sha256 != r.sha256) {
    stale = "cached sha256 differs from the published one";
  } else if (!r.md5.empty() && e->md5 != r.md5 && !CachedMd5Matches(*e, r.md5)) {
    stale = "cached md5 differs from the published one";
  }
  if (!stale.empty()) {
    j.result->events.push_back(stale + ": fetching again");
    cache_.Remove(r.url);
    return false;
  }
  Succeed(j, *e, true);
  return true;
}

void Run::Start(Job& j) {
  FetchResult& r = *j.result;
  ++r.attempts;
  std::error_code ec;
  fs::create_directories(fs::path(j.part).parent_path(), ec);
  j.file = std::fopen(j.part.c_str(), "ab");
  if (j.file == nullptr) return Fail(j, fmt::format("{}: cannot write", j.part));
  // Unbuffered: each block libcurl hands over (at most CURLOPT_BUFFERSIZE)
  // is one write(2), so a killed process leaves in the .part what it received.
  std::setvbuf(j.file, nullptr, _IONBF, 0);
  std::fseek(j.file, 0, SEEK_END);
  const long at = std::ftell(j.file);
  j.offset = at > 0 ? static_cast<uint64_t>(at) : 0;
  if ((j.req->size && j.offset > *j.req->size) || j.offset > j.cap) {
    // Longer than the file can be: not a prefix of it.
    if (::ftruncate(fileno(j.file), 0) == 0) j.offset = 0;
    std::fseek(j.file, 0, SEEK_SET);
  }
  j.written = 0;
  j.status = 0;
  j.status_seen = false;
  j.abort_reason.clear();
  j.errbuf[0] = 0;
  j.progress = progress_;
  if (j.offset > 0) {
    r.events.push_back(fmt::format("attempt {}: resuming at byte {}", r.attempts, j.offset));
  }
  CURL* e = j.easy = curl_easy_init();
  if (e == nullptr) return Fail(j, "curl_easy_init failed");
  curl_easy_setopt(e, CURLOPT_URL, j.req->url.c_str());
  curl_easy_setopt(e, CURLOPT_PRIVATE, &j);
  curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, &WriteBody);
  curl_easy_setopt(e, CURLOPT_WRITEDATA, &j);
  curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, &WriteHeader);
  curl_easy_setopt(e, CURLOPT_HEADERDATA, &j);
  curl_easy_setopt(e, CURLOPT_ERRORBUFFER, j.errbuf);
  curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
  // Larger reads than the 16 KiB default: a third of the syscalls on a fast
  // link (bench/update.sh), and still one write(2) per block handed over.
  curl_easy_setopt(e, CURLOPT_BUFFERSIZE, 256L * 1024);
  curl_easy_setopt(e, CURLOPT_FAILONERROR, 0L);
  curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, 1L);
  curl_easy_setopt(e, CURLOPT_MAXREDIRS, static_cast<long>(kMaxRedirects));
  curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(e, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(e, CURLOPT_USERAGENT,
                   o_.user_agent.empty() ? kDefaultUserAgent : o_.user_agent.c_str());
  curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS,
                   static_cast<long>(std::max(1.0, o_.connect_timeout * 1000)));
  curl_easy_setopt(e, CURLOPT_LOW_SPEED_LIMIT, static_cast<long>(o_.low_speed_limit));
  curl_easy_setopt(e, CURLOPT_LOW_SPEED_TIME,
                   static_cast<long>(std::max(1.0, std::ceil(o_.low_speed_seconds))));
  curl_easy_setopt(e, CURLOPT_MAXFILESIZE_LARGE, static_cast<curl_off_t>(j.cap));
  if (j.offset > 0) {
    curl_easy_setopt(e, CURLOPT_RESUME_FROM_LARGE, static_cast<curl_off_t>(j.offset));
    // If the file changed since the .part began, the server sends all of it
    // (200) and the file restarts from zero instead of mixing two versions.
    if (const std::string v = PartValidator(j.file); !v.empty()) {
      j.headers = curl_slist_append(nullptr, ("If-Range: " + v).c_str());
      curl_easy_setopt(e, CURLOPT_HTTPHEADER, j.headers);
    }
  }
  curl_multi_add_handle(multi_, e);
  active_.push_back(&j);
  ++per_host_[j.host];
}

void Run::CloseTransfer(Job& j) {
  if (j.easy) {
    curl_multi_remove_handle(multi_, j.easy);
    curl_easy_cleanup(j.easy);
    j.easy = nullptr;
    curl_slist_free_all(j.headers);
    j.headers = nullptr;
    active_.erase(std::find(active_.begin(), active_.end(), &j));
    --per_host_[j.host];
  }
  if (j.file) {
    std::fclose(j.file);
    j.file = nullptr;
  }
}

void Run::Complete(Job& j, CURLcode rc) {
  FetchResult& r = *j.result;
  long code = 0;
  curl_easy_getinfo(j.easy, CURLINFO_RESPONSE_CODE, &code);
  const char* effective = nullptr;
  curl_easy_getinfo(j.easy, CURLINFO_EFFECTIVE_URL, &effective);
  r.http_status = code;
  if (effective) r.final_url = effective;
  const bool write_ok = j.file && std::fflush(j.file) == 0 && !std::ferror(j.file);
  CloseTransfer(j);
  if (!j.abort_reason.empty()) {
    RemovePart(j);
    r.events.push_back(fmt::format("attempt {}: {}", r.attempts, j.abort_reason));
    return Fail(j, j.abort_reason);
  }
  const bool part_complete =
      code == 416 && j.offset > 0 && j.complete_length && *j.complete_length == j.offset;
  if (part_complete) {
    // The .part already holds every byte (a run killed between the last byte
    // and the cache store): verify it rather than fetch it again.
    r.events.push_back(fmt::format("attempt {}: HTTP 416: the .part is complete ({} bytes)",
                                   r.attempts, j.offset));
  } else if (rc == CURLE_RANGE_ERROR || (code == 416 && j.offset > 0)) {
    // RFC 9110 §15.5.17: the .part is not a prefix of what the server has
    // now (or a server that cannot resume); start again from zero.
    RemovePart(j);
    const std::string why = code == 416 ? "HTTP 416" : "the server cannot resume";
    if (++j.restarts > kMaxRestarts) return Fail(j, why + " after restarting from zero");
    r.events.push_back(fmt::format("attempt {}: {}: restarting from zero", r.attempts, why));
    return Again(j);
  }
  if (part_complete || (rc == CURLE_OK && code >= 200 && code < 300)) {
    if (!write_ok) return Fail(j, fmt::format("{}: write failed", j.part));
    j.verifying = true;
    const FetchRequest* req = j.req;
    const std::string part = j.part;
    CURLM* multi = multi_;  // outlives the check: FetchAll collects every one first
    j.verify = std::async(std::launch::async, [part, req, multi] {
      Verified v = Verify(part, *req);
      curl_multi_wakeup(multi);  // the loop takes the result at once
      return v;
    });
    verifying_.push_back(&j);
    return;
  }
  if (rc == CURLE_OK) {
    return Retry(j, fmt::format("HTTP {}", code),
                 code == 408 || code == 429 || (code >= 500 && code < 600), j.retry_after);
  }
  if (rc == CURLE_FILESIZE_EXCEEDED) {  // the Content-Length said so (CURLOPT_MAXFILESIZE)
    RemovePart(j);
    return Retry(j, CapMessage(j.cap), false, std::nullopt);
  }
  std::string why = j.errbuf[0] ? j.errbuf : curl_easy_strerror(rc);
  if (rc == CURLE_OPERATION_TIMEDOUT && why.find("too slow") != std::string::npos) {
    why = fmt::format("stalled: under {} bytes/s for {} ({})", o_.low_speed_limit,
                      Seconds(o_.low_speed_seconds), why);
  }
  Retry(j, why, Retryable(rc), std::nullopt);
}

void Run::Retry(Job& j, const std::string& why, bool retryable, std::optional<double> retry_after) {
  FetchResult& r = *j.result;
  if (!retryable || j.retries_used >= o_.retries) {
    r.events.push_back(fmt::format("attempt {}: {}", r.attempts, why));
    return Fail(j, r.attempts > 1 && retryable
                       ? fmt::format("{} after {} attempts", why, r.attempts)
                       : why);
  }
  // Exponential backoff with full jitter: uniform in [0, min(max, initial * 2^k)].
  const double ceiling =
      std::min(o_.backoff_max, o_.backoff_initial * std::ldexp(1.0, j.retries_used));
  double wait = std::uniform_real_distribution<double>(0, std::max(0.0, ceiling))(rng_);
  std::string note;
  if (retry_after) {
    // The server's Retry-After is honoured up to backoff_max.
    wait = std::max(wait, std::min(*retry_after, o_.backoff_max));
    note = fmt::format(" (Retry-After: {:g})", *retry_after);
  }
  ++j.retries_used;
  r.events.push_back(
      fmt::format("attempt {}: {}; retry in {}{}", r.attempts, why, Seconds(wait), note));
  j.not_before = Clock::now() +
                 std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(wait));
  queue_.push_back(&j);
}

void Run::OnVerified(Job& j, Verified v) {
  FetchResult& r = *j.result;
  j.verifying = false;
  if (!v.status.ok()) {
    RemovePart(j);
    ++j.downloads;
    if (j.downloads < 2) {
      r.events.push_back(
          fmt::format("attempt {}: {}: fetching again from zero", r.attempts, v.status.message()));
      return Again(j);
    }
    r.events.push_back(fmt::format("attempt {}: {}", r.attempts, v.status.message()));
    return Fail(j, fmt::format("{} after 2 downloads", v.status.message()));
  }
  CacheEntry e;
  e.url = j.req->url;
  e.final_url = r.final_url.empty() ? j.req->url : r.final_url;
  e.size = v.digests.size;
  e.sha256 = v.digests.sha256;
  e.md5 = v.digests.md5;
  e.fetched = std::time(nullptr);
  e.etag = j.etag;
  e.last_modified = j.last_modified;
  if (Status s = cache_.Store(e, j.part); !s.ok()) return Fail(j, s.message());
  r.events.push_back(
      fmt::format("attempt {}: HTTP {}, {} bytes", r.attempts, r.http_status, e.size));
  Succeed(j, e, false);
}

void Run::Succeed(Job& j, const CacheEntry& e, bool from_cache) {
  FetchResult& r = *j.result;
  r.ok = true;
  r.error.clear();
  r.path = cache_.DataPath(e.url);
  r.size = e.size;
  r.sha256 = e.sha256;
  r.fetched = e.fetched;
  r.from_cache = from_cache;
  if (r.final_url.empty()) r.final_url = e.final_url;
  if (from_cache) r.events.push_back("from the cache");
  --open_;
  if (progress_) progress_->Done(j.req->tag, *j.req, r);
}

void Run::Fail(Job& j, const std::string& error) {
  CloseTransfer(j);
  FetchResult& r = *j.result;
  r.ok = false;
  r.error = error;
  r.path.clear();
  --open_;
  if (progress_) progress_->Done(j.req->tag, *j.req, r);
}

void Run::TimeOut() {
  const std::string why = fmt::format("total timeout ({})", Seconds(o_.total_timeout));
  for (Job* j : std::vector<Job*>(active_)) {
    j->result->events.push_back(fmt::format("attempt {}: {}", j->result->attempts, why));
    Fail(*j, why);  // the .part stays, for the next run to resume
  }
  for (Job* j : queue_) Fail(*j, why);
  queue_.clear();
  // A file being verified is local work: it ends and is reported normally.
}

std::vector<FetchResult> Run::FetchAll(const std::vector<FetchRequest>& requests) {
  results_.assign(requests.size(), FetchResult{});
  Plan(requests);
  std::map<std::string, size_t> first;  // url -> its first request: duplicates share its result
  std::vector<std::pair<size_t, size_t>> duplicates;
  for (size_t i = 0; i < requests.size(); ++i) {
    auto [it, fresh] = first.try_emplace(requests[i].url, i);
    if (!fresh) {
      duplicates.emplace_back(i, it->second);
      continue;
    }
    auto j = std::make_unique<Job>();
    j->index = i;
    j->req = &requests[i];
    j->result = &results_[i];
    j->host = HostOf(requests[i].url);
    j->part = cache_.PartPath(requests[i].url);
    j->cap = cap_;
    ++open_;
    if (TryCache(*j)) continue;
    if (requests[i].max_age_seconds > 0) {
      // A .part of a "latest" URL older than max_age is of an older version.
      struct stat st {};
      if (::stat(j->part.c_str(), &st) == 0 &&
          std::difftime(std::time(nullptr), st.st_mtime) > requests[i].max_age_seconds) {
        RemovePart(*j);
      }
    }
    queue_.push_back(j.get());
    jobs_.push_back(std::move(j));
  }
  multi_ = curl_multi_init();
  const int jobs = std::max(1, o_.jobs);
  const int per_host = std::max(1, o_.per_host);
  curl_multi_setopt(multi_, CURLMOPT_MAX_HOST_CONNECTIONS, static_cast<long>(per_host));
  curl_multi_setopt(multi_, CURLMOPT_MAX_TOTAL_CONNECTIONS, static_cast<long>(jobs));
  const Clock::time_point deadline =
      o_.total_timeout > 0 ? Clock::now() + std::chrono::duration_cast<Clock::duration>(
                                                std::chrono::duration<double>(o_.total_timeout))
                           : Clock::time_point::max();
  while (open_ > 0) {
    Clock::time_point now = Clock::now();
    if (now >= deadline) {
      TimeOut();
      now = Clock::now();
    }
    // Start what the caps allow, in request order.
    Clock::time_point next_ready = Clock::time_point::max();
    for (auto it = queue_.begin(); it != queue_.end() && static_cast<int>(active_.size()) < jobs;) {
      Job* j = *it;
      if (j->not_before > now) {
        next_ready = std::min(next_ready, j->not_before);
        ++it;
      } else if (per_host_[j->host] >= per_host) {
        ++it;
      } else {
        it = queue_.erase(it);
        Start(*j);
      }
    }
    int running = 0;
    curl_multi_perform(multi_, &running);
    int left = 0;
    bool finished = false;
    while (CURLMsg* m = curl_multi_info_read(multi_, &left)) {
      if (m->msg != CURLMSG_DONE) continue;
      Job* j = nullptr;
      curl_easy_getinfo(m->easy_handle, CURLINFO_PRIVATE, &j);
      if (j) Complete(*j, m->data.result);
      finished = true;
    }
    // Verified files go into the cache (renames, the metadata) only now,
    // with the next transfers already under way: with one job, doing it
    // first left the connection idle ~2 ms per file (bench/update.sh).
    for (size_t k = 0; k < verifying_.size();) {
      Job* j = verifying_[k];
      if (j->verify.wait_for(std::chrono::seconds(0)) != std::future_status::ready) {
        ++k;
        continue;
      }
      verifying_.erase(verifying_.begin() + static_cast<std::ptrdiff_t>(k));
      OnVerified(*j, j->verify.get());
      finished = true;  // a refetch may be queued, a slot may be free
    }
    if (open_ == 0) break;
    if (finished) continue;  // a free slot: start the next transfer now
    long wait_ms = kTickMs;
    const Clock::time_point wake = std::min(next_ready, deadline);
    if (wake != Clock::time_point::max()) {
      const auto until = std::chrono::duration_cast<std::chrono::milliseconds>(wake - Clock::now());
      wait_ms = std::clamp<long>(static_cast<long>(until.count()), 0, kTickMs);
    }
    curl_multi_poll(multi_, nullptr, 0, static_cast<int>(wait_ms), nullptr);
  }
  curl_multi_cleanup(multi_);
  multi_ = nullptr;
  for (auto [dup, orig] : duplicates) {
    results_[dup] = results_[orig];
    results_[dup].events = {"same URL as request " + std::to_string(orig + 1)};
    if (progress_) progress_->Done(requests[dup].tag, requests[dup], results_[dup]);
  }
  if (progress_) progress_->Finish();
  return std::move(results_);
}

}  // namespace

Fetcher::Fetcher(FetchOptions options) : options_(std::move(options)) { GlobalInit(); }
Fetcher::~Fetcher() = default;

std::vector<FetchResult> Fetcher::FetchAll(const std::vector<FetchRequest>& requests,
                                           Progress* progress) {
  if (options_.cache_dir.empty()) {
    std::vector<FetchResult> out(requests.size());
    for (FetchResult& r : out) r.error = "no cache directory";
    return out;
  }
  Run run(options_, progress, kMaxDownloadBytes);
  return run.FetchAll(requests);
}

Result<std::string> Fetcher::FetchText(const std::string& url, double max_age_seconds) {
  if (options_.cache_dir.empty()) return Status::InvalidArgument("no cache directory");
  FetchRequest req;
  req.url = url;
  req.tag = "text";
  req.check_decompression = false;
  req.max_age_seconds = max_age_seconds;
  Run run(options_, nullptr, kMaxFetchedTextBytes);
  std::vector<FetchResult> r = run.FetchAll({req});
  if (!r[0].ok) {
    const std::string msg = fmt::format("{}: {}", url, r[0].error);
    if (r[0].http_status == 404 || r[0].http_status == 410) return Status::NotFound(msg);
    if (r[0].error.find("kMaxFetchedTextBytes") != std::string::npos) {
      return Status::LimitExceeded(msg);
    }
    return Status::IoError(msg);
  }
  if (r[0].size > kMaxFetchedTextBytes) {
    return Status::LimitExceeded(
        fmt::format("{}: {} bytes, over kMaxFetchedTextBytes", url, r[0].size));
  }
  std::ifstream f(r[0].path, std::ios::binary);
  std::stringstream ss;
  ss << f.rdbuf();
  if (!f && !f.eof()) return Status::IoError(fmt::format("{}: cannot read", r[0].path));
  return ss.str();
}

}  // namespace vigia::acquire
