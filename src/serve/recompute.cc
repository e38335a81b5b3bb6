// Background re-analysis after an accepted contest (serve/recompute.h).
#include "serve/recompute.h"

#include <fmt/format.h>

#include <algorithm>
#include <cstdio>

#include "core/printable.h"
#include "pipeline/analyze.h"
#include "store/store.h"

namespace vigia::serve {

Recomputer::~Recomputer() {
  {
    std::lock_guard<std::mutex> l(mu_);
    stop_ = true;
    if (!queue_.empty()) {
      std::fprintf(stderr, "vigia: serve: %zu re-analysis(es) left for the next analysis\n",
                   queue_.size());
    }
    queue_.clear();
  }
  cv_.notify_all();
  if (worker_.joinable()) worker_.join();
}

void Recomputer::Enqueue(const std::string& date) {
  std::lock_guard<std::mutex> l(mu_);
  if (std::find(queue_.begin(), queue_.end(), date) == queue_.end()) queue_.push_back(date);
  if (!worker_.joinable()) worker_ = std::thread([this] { Run(); });
  cv_.notify_one();
}

void Recomputer::Run() {
  for (;;) {
    std::string date;
    {
      std::unique_lock<std::mutex> l(mu_);
      cv_.wait(l, [this] { return stop_ || !queue_.empty(); });
      if (stop_) return;
      date = queue_.front();
      queue_.pop_front();
    }
    std::string outcome;
    auto st = store::Store::Open(db_);
    if (!st.ok()) {
      std::fprintf(stderr, "vigia: serve: re-analysis of %s: %s\n", date.c_str(),
                   PrintableHead(st.status().message(), 4096).c_str());
      continue;
    }
    auto r = pipeline::Reanalyze(date, **st, pipeline::AnalyzeOptions{});
    outcome =
        r.ok() ? fmt::format("ok: snapshot {}, {} incident(s) excluded", r->stored.id, r->excluded)
               : "failed: " + r.status().message();
    std::fprintf(stderr, "vigia: serve: re-analysis of %s: %s\n", date.c_str(),
                 PrintableHead(outcome, 4096).c_str());
    auto a = (*st)->AddAudit({0, "", 0, "recompute", "recompute", "snapshot " + date, "", outcome});
    if (!a.ok()) {
      std::fprintf(stderr, "vigia: serve: audit: %s\n",
                   PrintableHead(a.status().message(), 4096).c_str());
    }
  }
}

}  // namespace vigia::serve
