// The background re-analysis an accepted contest starts (docs/contests.md):
// a queue of dates and one worker thread that runs pipeline::Reanalyze on
// each, through its own Store (store.h: a Store per thread), so that the
// server's store mutex is never held for an analysis. A date already
// waiting is not queued twice. Each run is written to the audit log (who
// "recompute", action "recompute", target "snapshot DATE", outcome "ok:
// snapshot N, K incident(s) excluded" or "failed: ...").
//
// Ownership: owned by the Api; the destructor lets the analysis in
// progress finish (its snapshot is committed whole or not at all) and
// drops the dates still waiting: the next analysis of such a date applies
// its accepted contests anyway. Thread safety: Enqueue from any thread.
#pragma once

#include <condition_variable>
#include <deque>
#include <mutex>
#include <string>
#include <thread>

namespace vigia::serve {

class Recomputer {
 public:
  explicit Recomputer(std::string db) : db_(std::move(db)) {}
  ~Recomputer();
  Recomputer(const Recomputer&) = delete;
  Recomputer& operator=(const Recomputer&) = delete;

  // Queues a re-analysis of the snapshot date (YYYY-MM-DD).
  void Enqueue(const std::string& date);

 private:
  void Run();

  const std::string db_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::string> queue_;  // under mu_
  bool stop_ = false;              // under mu_
  std::thread worker_;             // started by the first Enqueue
};

}  // namespace vigia::serve
