// The store connections `vigia serve` reads through (issue [6/7]) and the
// answers it keeps (serve/api.h).
//
// ReadPool: one Store per request in flight instead of one connection
// behind a mutex. A connection is opened on demand (SQLite: a query_only
// reader, store/sqlite_store.h OpenReader) and kept; at most `max` are
// open, which is the server's worker count, so a request never waits for
// one. Each connection remembers the data version its last read view saw
// (store.h BeginRead).
//
// ResponseCache: whole answers (status, headers, body) of the read routes
// by request target, for one store generation: an answer cached under
// generation G is given only to a request whose read view is that of G
// (Api::Handle explains how views are matched to generations). A newer
// generation drops every older answer; past `max_bytes` of bodies the
// least recently used are dropped.
//
// Thread safety: both are safe for concurrent use (one mutex each, held
// for list and map operations only; answers are shared immutable objects,
// copied outside the lock).
#pragma once

#include <httplib.h>

#include <condition_variable>
#include <cstdint>
#include <list>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/status.h"
#include "store/store.h"

namespace vigia::serve {

class ReadPool {
 public:
  struct Conn {
    std::unique_ptr<store::Store> store;
    std::optional<uint64_t> seen;  // the data version of its last read view
  };
  // Gives its connection back to the pool when destroyed.
  class Lease {
   public:
    Lease(ReadPool* pool, std::unique_ptr<Conn> c) : pool_(pool), c_(std::move(c)) {}
    Lease(Lease&&) = default;
    Lease& operator=(Lease&&) = delete;
    ~Lease() {
      if (c_) pool_->Release(std::move(c_));
    }
    Conn* operator->() const { return c_.get(); }
    Conn& operator*() const { return *c_; }

   private:
    ReadPool* pool_;
    std::unique_ptr<Conn> c_;
  };

  // `url`: the store (store.h Store::Open); `max`: connections at most.
  ReadPool(std::string url, size_t max) : url_(std::move(url)), max_(max) {}

  // An idle connection, or a new one; waits only when `max` are in use.
  // The store's error when a new one cannot be opened.
  Result<Lease> Acquire();
  size_t open() const;

 private:
  void Release(std::unique_ptr<Conn> c);

  const std::string url_;
  const size_t max_;
  mutable std::mutex mu_;
  std::vector<std::unique_ptr<Conn>> idle_;  // under mu_
  size_t open_ = 0;                          // under mu_
  std::condition_variable freed_;
};

class ResponseCache {
 public:
  struct Entry {
    int status = 200;
    httplib::Headers headers;
    std::string body;
  };
  explicit ResponseCache(size_t max_bytes) : max_bytes_(max_bytes) {}

  // The answer kept for `key` under `generation`; null when none.
  std::shared_ptr<const Entry> Find(uint64_t generation, const std::string& key);
  // Keeps `e` (an answer read under `generation`); ignored for an older
  // generation than the newest seen, or a body over a quarter of the cap.
  void Put(uint64_t generation, const std::string& key, std::shared_ptr<const Entry> e);
  size_t bytes() const;

 private:
  using Lru = std::list<std::pair<std::string, std::shared_ptr<const Entry>>>;
  void Advance(uint64_t generation);  // under mu_

  const size_t max_bytes_;
  mutable std::mutex mu_;
  uint64_t generation_ = 0;  // under mu_, and everything below
  Lru lru_;                  // most recently used first
  std::unordered_map<std::string, Lru::iterator> index_;
  size_t bytes_ = 0;
};

}  // namespace vigia::serve
