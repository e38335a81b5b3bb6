#include "core/problem_log.h"

#include <utility>

#include "core/printable.h"

namespace vigia {

void ProblemLog::Add(std::string where, std::string message) {
  ++count_;
  if (kept_.size() < keep_) kept_.push_back({Printable(where), Printable(message)});
}

void ProblemLog::Merge(const ProblemLog& other) {
  for (const LoadProblem& p : other.kept_) {
    if (kept_.size() < keep_) kept_.push_back(p);
  }
  count_ += other.count_;
}

}  // namespace vigia
