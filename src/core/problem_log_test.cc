#include "core/problem_log.h"

#include <gtest/gtest.h>

#include <string>

namespace vigia {
namespace {

TEST(ProblemLog, KeepsTheFirstAndCountsAll) {
  ProblemLog log(3);
  EXPECT_TRUE(log.empty());
  for (int i = 0; i < 5; ++i) log.Add("f:" + std::to_string(i), "bad");
  EXPECT_EQ(log.count(), 5u);
  ASSERT_EQ(log.kept().size(), 3u);
  EXPECT_EQ(log.kept()[2].where, "f:2");
  size_t n = 0;
  for (const LoadProblem& p : log) n += p.message == "bad";
  EXPECT_EQ(n, 3u);
}

TEST(ProblemLog, DefaultCapIsTheSharedLimit) {
  ProblemLog log;
  for (size_t i = 0; i < kMaxProblemsKept + 10; ++i) log.Add("f", "m");
  EXPECT_EQ(log.kept().size(), kMaxProblemsKept);
  EXPECT_EQ(log.count(), kMaxProblemsKept + 10);
}

TEST(ProblemLog, InputTextInMessagesIsMadePrintable) {
  ProblemLog log;
  log.Add(std::string("f\0x", 3), "bad AS '\x1b[31mAS1'");
  EXPECT_EQ(log.kept()[0].where, "f\\x00x");
  EXPECT_EQ(log.kept()[0].message, "bad AS '\\x1b[31mAS1'");
}

TEST(ProblemLog, MergeAddsCountsAndKeepsWithinTheCap) {
  ProblemLog a(2), b;
  a.Add("a", "1");
  for (int i = 0; i < 3; ++i) b.Add("b", "2");
  a.Merge(b);
  EXPECT_EQ(a.count(), 4u);
  EXPECT_EQ(a.kept().size(), 2u);
}

}  // namespace
}  // namespace vigia
