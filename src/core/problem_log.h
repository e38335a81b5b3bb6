// ProblemLog: what a loader found wrong in its input, one entry per bad
// record ("file:line" or "file: table[i]" and the reason), the first
// kMaxProblemsKept kept verbatim and every one counted (LevelDB's corruption
// reporter; the count is what decides a command's exit status, the kept
// entries are what it prints).
//
// Input text quoted in a message is made printable by Add (core/printable.h),
// so a problem can be written to a terminal or a log as it is.
//
// Ownership: the log owns copies of its strings. Thread safety: none; one
// loader fills it, readers read it afterwards.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "core/limits.h"

namespace vigia {

struct LoadProblem {
  std::string where;  // "file:line", "file: table[i]" or "file"
  std::string message;
};

class ProblemLog {
 public:
  explicit ProblemLog(size_t keep = kMaxProblemsKept) : keep_(keep) {}

  // Counts a problem and keeps it while fewer than the cap are kept. Both
  // strings are passed through Printable().
  void Add(std::string where, std::string message);
  // Appends other's kept problems and adds its count.
  void Merge(const ProblemLog& other);
  void Clear() {
    kept_.clear();
    count_ = 0;
  }

  // Every problem, including those past the cap.
  size_t count() const { return count_; }
  bool empty() const { return count_ == 0; }
  // The first problems, at most the cap; count() - kept().size() were not kept.
  const std::vector<LoadProblem>& kept() const { return kept_; }
  std::vector<LoadProblem>::const_iterator begin() const { return kept_.begin(); }
  std::vector<LoadProblem>::const_iterator end() const { return kept_.end(); }

 private:
  size_t keep_;
  std::vector<LoadProblem> kept_;
  size_t count_ = 0;
};

}  // namespace vigia
