// The read connections and the answer cache of vigia serve
// (serve/read_pool.h).
#include "serve/read_pool.h"

#include "store/backends.h"
#include "store/sqlite_store.h"

namespace vigia::serve {

namespace {

// SQLite gets query_only readers with a small page cache each; another
// backend its ordinary connection.
Result<std::unique_ptr<store::Store>> OpenReader(const std::string& url) {
  const auto scheme = store::UrlScheme(url);
  if (!scheme || *scheme == "sqlite") {
    auto s = store::SqliteStore::OpenReader(scheme ? url.substr(scheme->size() + 1) : url);
    if (!s.ok()) return s.status();
    return std::unique_ptr<store::Store>(std::move(*s));
  }
  return store::Store::Open(url);
}

}  // namespace

Result<ReadPool::Lease> ReadPool::Acquire() {
  {
    std::unique_lock<std::mutex> l(mu_);
    freed_.wait(l, [this] { return !idle_.empty() || open_ < max_; });
    if (!idle_.empty()) {
      std::unique_ptr<Conn> c = std::move(idle_.back());
      idle_.pop_back();
      return Lease(this, std::move(c));
    }
    ++open_;  // reserved; opened outside the lock
  }
  auto st = OpenReader(url_);
  if (!st.ok()) {
    std::lock_guard<std::mutex> l(mu_);
    --open_;
    freed_.notify_one();
    return st.status();
  }
  auto c = std::make_unique<Conn>();
  c->store = std::move(*st);
  return Lease(this, std::move(c));
}

void ReadPool::Release(std::unique_ptr<Conn> c) {
  std::lock_guard<std::mutex> l(mu_);
  idle_.push_back(std::move(c));
  freed_.notify_one();
}

size_t ReadPool::open() const {
  std::lock_guard<std::mutex> l(mu_);
  return open_;
}

void ResponseCache::Advance(uint64_t generation) {
  if (generation <= generation_) return;
  generation_ = generation;
  lru_.clear();
  index_.clear();
  bytes_ = 0;
}

std::shared_ptr<const ResponseCache::Entry> ResponseCache::Find(uint64_t generation,
                                                                const std::string& key) {
  std::lock_guard<std::mutex> l(mu_);
  Advance(generation);
  if (generation != generation_) return nullptr;
  auto it = index_.find(key);
  if (it == index_.end()) return nullptr;
  lru_.splice(lru_.begin(), lru_, it->second);
  return it->second->second;
}

void ResponseCache::Put(uint64_t generation, const std::string& key,
                        std::shared_ptr<const Entry> e) {
  const size_t size = e->body.size() + key.size();
  if (size > max_bytes_ / 4) return;
  std::lock_guard<std::mutex> l(mu_);
  Advance(generation);
  if (generation != generation_ || index_.contains(key)) return;
  lru_.emplace_front(key, std::move(e));
  index_.emplace(key, lru_.begin());
  bytes_ += size;
  while (bytes_ > max_bytes_ && !lru_.empty()) {
    const auto& [k, v] = lru_.back();
    bytes_ -= v->body.size() + k.size();
    index_.erase(k);
    lru_.pop_back();
  }
}

size_t ResponseCache::bytes() const {
  std::lock_guard<std::mutex> l(mu_);
  return bytes_;
}

}  // namespace vigia::serve
