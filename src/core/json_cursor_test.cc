#include "core/json_cursor.h"

#include <gtest/gtest.h>

namespace vigia {
namespace {

using Step = JsonCursor::Step;
using Type = JsonCursor::Type;

TEST(JsonCursor, WalksObjectsArraysAndScalars) {
  JsonCursor c(R"( {"a": 1, "b" : ["x", 18446744073709551615, {"c": null}], "d": true} )");
  ASSERT_TRUE(c.BeginObject());
  std::string_view key, s;
  uint64_t n = 0;
  ASSERT_EQ(c.NextMember(&key), Step::kItem);
  EXPECT_EQ(key, "a");
  ASSERT_TRUE(c.Uint64(&n));
  EXPECT_EQ(n, 1u);
  ASSERT_EQ(c.NextMember(&key), Step::kItem);
  EXPECT_EQ(key, "b");
  ASSERT_TRUE(c.BeginArray());
  ASSERT_EQ(c.NextElement(), Step::kItem);
  ASSERT_TRUE(c.String(&s));
  EXPECT_EQ(s, "x");
  ASSERT_EQ(c.NextElement(), Step::kItem);
  ASSERT_TRUE(c.Uint64(&n));
  EXPECT_EQ(n, UINT64_MAX);
  ASSERT_EQ(c.NextElement(), Step::kItem);
  EXPECT_EQ(c.Peek(), Type::kObject);
  ASSERT_TRUE(c.Skip());
  EXPECT_EQ(c.NextElement(), Step::kEnd);
  ASSERT_EQ(c.NextMember(&key), Step::kItem);
  EXPECT_EQ(c.Peek(), Type::kBool);
  ASSERT_TRUE(c.Skip());
  EXPECT_EQ(c.NextMember(&key), Step::kEnd);
  EXPECT_TRUE(c.AtEnd());
  EXPECT_FALSE(c.failed());
}

TEST(JsonCursor, DecodesEscapes) {
  JsonCursor c(R"("a\"b\\c\/\n\u00e9\ud83d\ude00")");
  std::string_view s;
  ASSERT_TRUE(c.String(&s)) << c.error();
  EXPECT_EQ(s, "a\"b\\c/\n\xC3\xA9\xF0\x9F\x98\x80");
}

TEST(JsonCursor, EmptyContainers) {
  JsonCursor c("{\"a\":[],\"b\":{}}");
  ASSERT_TRUE(c.Skip());
  EXPECT_TRUE(c.AtEnd());
}

// Every malformed input fails with the offset, never reads out of bounds
// and never loops.
TEST(JsonCursor, MalformedInputFailsWithOffset) {
  struct Case {
    const char* text;
    const char* error;
  } cases[] = {
      {"", "offset 0: unexpected end of input"},
      {"{", "offset 1: expected a member name"},
      {"{\"a\" 1}", "offset 5: expected ':'"},
      {"{\"a\":1 \"b\":2}", "offset 7: expected ',' or '}'"},
      {"[1,]", "offset 3: unexpected character"},
      {"[1 2]", "offset 3: expected ',' or ']'"},
      {"\"abc", "offset 4: unterminated string"},
      {"\"a\x01\"", "offset 2: control character in a string"},
      {"\"\\x\"", "offset 3: bad escape"},
      {"\"\\u12\"", "offset 3: bad \\u escape"},
      {"\"\\ud800x\"", "offset 7: lone surrogate in \\u escape"},
      {"-", "offset 1: bad number"},
      {"1.", "offset 2: bad number"},
      {"1e", "offset 2: bad number"},
      {"tru", "offset 0: bad literal"},
      {"nul", "offset 0: bad literal"},
      {"[1] x", "offset 4: trailing characters after the JSON value"},
      {"{\"a\":1}}", "offset 7: trailing characters after the JSON value"},
  };
  for (const Case& k : cases) {
    JsonCursor c(k.text);
    const bool ok = c.Skip() && c.AtEnd();
    EXPECT_FALSE(ok) << k.text;
    EXPECT_EQ(c.error(), k.error) << k.text;
  }
}

TEST(JsonCursor, TypeMismatchesAreErrors) {
  uint64_t n;
  std::string_view s;
  {
    JsonCursor c("-1");
    EXPECT_FALSE(c.Uint64(&n));
  }
  {
    JsonCursor c("1.5");
    EXPECT_FALSE(c.Uint64(&n));
  }
  {
    JsonCursor c("18446744073709551616");  // 2^64
    EXPECT_FALSE(c.Uint64(&n));
  }
  {
    JsonCursor c("12");
    EXPECT_FALSE(c.String(&s));
    EXPECT_EQ(c.error(), "offset 0: expected a string");
  }
}

TEST(JsonCursor, DeepNestingIsRefusedNotRecursed) {
  std::string deep(100000, '[');
  JsonCursor c(deep);
  EXPECT_FALSE(c.Skip());
  EXPECT_EQ(c.error(), "offset 512: nested too deeply");
  std::string ok(JsonCursor::kMaxDepth, '[');
  ok += std::string(JsonCursor::kMaxDepth, ']');
  JsonCursor d(ok);
  EXPECT_TRUE(d.Skip() && d.AtEnd()) << d.error();
}

}  // namespace
}  // namespace vigia
