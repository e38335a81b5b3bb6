#include "acquire/cache.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "acquire/digest.h"
#include "core/time_format.h"

namespace vigia::acquire {
namespace fs = std::filesystem;

namespace {

// Metadata files are small; a bigger one is not ours.
constexpr uintmax_t kMaxMetaBytes = 64 << 10;

std::string ObjectDir(const std::string& dir, const std::string& key) {
  return dir + "/objects/" + key.substr(0, 2);
}

}  // namespace

std::string Cache::Key(const std::string& url) { return Sha256Hex(url); }

std::string Cache::DataPath(const std::string& url) const {
  const std::string key = Key(url);
  return ObjectDir(dir_, key) + "/" + key;
}
std::string Cache::PartPath(const std::string& url) const { return DataPath(url) + ".part"; }
std::string Cache::MetaPath(const std::string& url) const { return DataPath(url) + ".json"; }

Status WriteFileAtomic(const std::string& path, const std::string& data) {
  const std::string tmp = fmt::format("{}.tmp.{}", path, ::getpid());
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return Status::IoError(fmt::format("{}: cannot create", tmp));
  size_t done = 0;
  while (done < data.size()) {
    const ssize_t n = ::write(fd, data.data() + done, data.size() - done);
    if (n <= 0) {
      ::close(fd);
      ::unlink(tmp.c_str());
      return Status::IoError(fmt::format("{}: write failed", tmp));
    }
    done += static_cast<size_t>(n);
  }
  // No fsync: the rename makes it atomic against a killed process, which is
  // what the cache promises; the data files are not synced either.
  if (::close(fd) != 0 || ::rename(tmp.c_str(), path.c_str()) != 0) {
    ::unlink(tmp.c_str());
    return Status::IoError(fmt::format("{}: cannot write", path));
  }
  return Status::Ok();
}

std::optional<CacheEntry> Cache::Lookup(const std::string& url) const {
  std::error_code ec;
  const std::string meta = MetaPath(url);
  const uintmax_t meta_size = fs::file_size(meta, ec);
  if (ec || meta_size > kMaxMetaBytes) return std::nullopt;
  std::ifstream f(meta);
  const nlohmann::json j = nlohmann::json::parse(f, nullptr, false);
  if (!j.is_object() || j.value("url", "") != url) return std::nullopt;
  CacheEntry e;
  e.url = url;
  e.final_url = j.value("final_url", url);
  e.size = j.value("size", uint64_t{0});
  e.sha256 = j.value("sha256", "");
  e.md5 = j.value("md5", "");
  e.fetched = static_cast<std::time_t>(ParseIsoTime(j.value("fetched", "")).value_or(0));
  e.etag = j.value("etag", "");
  e.last_modified = j.value("last_modified", "");
  const uintmax_t data_size = fs::file_size(DataPath(url), ec);
  if (ec || data_size != e.size) return std::nullopt;
  return e;
}

Status Cache::Store(const CacheEntry& e, const std::string& file) const {
  std::error_code ec;
  const std::string data = DataPath(e.url);
  fs::create_directories(fs::path(data).parent_path(), ec);
  if (ec) return Status::IoError(fmt::format("{}: {}", data, ec.message()));
  fs::remove(MetaPath(e.url), ec);
  if (::rename(file.c_str(), data.c_str()) != 0) {
    return Status::IoError(fmt::format("{}: cannot rename to {}", file, data));
  }
  nlohmann::json j = {{"url", e.url},   {"final_url", e.final_url},
                      {"size", e.size}, {"sha256", e.sha256},
                      {"md5", e.md5},   {"fetched", IsoTime(e.fetched)},
                      {"etag", e.etag}, {"last_modified", e.last_modified}};
  return WriteFileAtomic(MetaPath(e.url), j.dump(1) + "\n");
}

void Cache::Remove(const std::string& url) const {
  std::error_code ec;
  fs::remove(MetaPath(url), ec);
  fs::remove(DataPath(url), ec);
  fs::remove(PartPath(url), ec);
}

Result<PruneReport> PruneCache(const std::string& dir, const std::vector<std::string>& keep_urls) {
  PruneReport report;
  std::set<std::string> keep;
  for (const std::string& u : keep_urls) keep.insert(Cache::Key(u));
  const fs::path objects = fs::path(dir) / "objects";
  std::error_code ec;
  if (!fs::exists(objects, ec)) return report;
  // Files grouped by object key (the name up to the first '.').
  std::map<std::string, std::vector<fs::path>> by_key;
  for (fs::recursive_directory_iterator it(objects, ec), end; !ec && it != end; it.increment(ec)) {
    if (!it->is_regular_file(ec)) continue;
    const std::string name = it->path().filename().string();
    by_key[name.substr(0, name.find('.'))].push_back(it->path());
  }
  if (ec) return Status::IoError(fmt::format("{}: {}", objects.string(), ec.message()));
  for (const auto& [key, files] : by_key) {
    if (keep.count(key)) {
      ++report.kept;
      continue;
    }
    ++report.removed;
    for (const fs::path& p : files) {
      if (p.extension() == ".json" && p.filename().string() == key + ".json") {
        std::ifstream f(p);
        const nlohmann::json j = nlohmann::json::parse(f, nullptr, false);
        if (j.is_object() && j.contains("url") && j["url"].is_string()) {
          report.removed_urls.push_back(j["url"].get<std::string>());
        }
      }
      const uintmax_t size = fs::file_size(p, ec);
      if (!ec) report.removed_bytes += size;
      if (!fs::remove(p, ec) || ec) {
        return Status::IoError(fmt::format("{}: cannot remove", p.string()));
      }
    }
  }
  return report;
}

}  // namespace vigia::acquire
