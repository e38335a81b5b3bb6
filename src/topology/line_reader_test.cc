#include "topology/line_reader.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace vigia::topology {
namespace {

std::vector<std::string> ReadAll(std::string_view text, size_t max_line,
                                 std::vector<bool>* too_long = nullptr) {
  auto in = io::InputStream::FromMemory(std::as_bytes(std::span(text.data(), text.size())));
  LineReader r(in.get(), max_line);
  std::vector<std::string> out;
  std::string_view line;
  while (r.Next(&line)) {
    out.emplace_back(line);
    if (too_long) too_long->push_back(r.too_long());
    EXPECT_EQ(r.line_number(), out.size());
  }
  return out;
}

TEST(LineReader, SplitsOnNewlineAndDropsCarriageReturns) {
  EXPECT_EQ(ReadAll("a|b\r\nc\n\nd", 100), (std::vector<std::string>{"a|b", "c", "", "d"}));
}

TEST(LineReader, EmptyInputHasNoLines) { EXPECT_TRUE(ReadAll("", 100).empty()); }

TEST(LineReader, OverlongLinesAreCutAndFlagged) {
  std::vector<bool> flags;
  const std::string big(5000, 'x');
  auto lines = ReadAll("ok\n" + big + "\nafter\n" + big, 64, &flags);
  ASSERT_EQ(lines.size(), 4u);
  EXPECT_EQ(lines[0], "ok");
  EXPECT_EQ(lines[1].size(), 64u);
  EXPECT_EQ(lines[2], "after");
  EXPECT_EQ(lines[3].size(), 64u);
  EXPECT_EQ(flags, (std::vector<bool>{false, true, false, true}));
}

TEST(LineReader, LinesAcrossBufferRefillsStayWhole) {
  // More than the 1 MiB buffer, so lines straddle refills.
  std::string text;
  for (int i = 0; i < 200000; ++i) text += std::to_string(i) + "|" + std::to_string(i * 7) + "|0\n";
  auto lines = ReadAll(text, 100);
  ASSERT_EQ(lines.size(), 200000u);
  EXPECT_EQ(lines[123456], "123456|864192|0");
  EXPECT_EQ(lines.back(), "199999|1399993|0");
}

}  // namespace
}  // namespace vigia::topology
