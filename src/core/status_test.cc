#include "core/status.h"

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace vigia {
namespace {

TEST(Status, DefaultIsOk) {
  Status s;
  EXPECT_TRUE(s.ok());
  EXPECT_EQ(s.code(), StatusCode::kOk);
  EXPECT_EQ(s.message(), "");
  EXPECT_EQ(s.ToString(), "ok");
  EXPECT_TRUE(Status::Ok().ok());
}

TEST(Status, FactoriesSetCodeAndMessage) {
  struct Case {
    Status status;
    StatusCode code;
    const char* text;
  };
  const std::vector<Case> cases = {
      {Status::Corrupt("c"), StatusCode::kCorrupt, "corrupt: c"},
      {Status::Truncated("t"), StatusCode::kTruncated, "truncated: t"},
      {Status::Unsupported("u"), StatusCode::kUnsupported, "unsupported: u"},
      {Status::InvalidArgument("i"), StatusCode::kInvalidArgument, "invalid argument: i"},
      {Status::IoError("e"), StatusCode::kIoError, "I/O error: e"},
      {Status::NotFound("n"), StatusCode::kNotFound, "not found: n"},
      {Status::LimitExceeded("l"), StatusCode::kLimitExceeded, "limit exceeded: l"},
  };
  for (const Case& c : cases) {
    EXPECT_FALSE(c.status.ok()) << c.text;
    EXPECT_EQ(c.status.code(), c.code) << c.text;
    EXPECT_EQ(c.status.message().size(), 1u) << c.text;
    EXPECT_EQ(c.status.ToString(), c.text);
  }
}

TEST(Status, CodeNamesAreDistinct) {
  EXPECT_EQ(StatusCodeName(StatusCode::kOk), "ok");
  EXPECT_EQ(StatusCodeName(StatusCode::kCorrupt), "corrupt");
  EXPECT_EQ(StatusCodeName(StatusCode::kTruncated), "truncated");
  EXPECT_EQ(StatusCodeName(StatusCode::kLimitExceeded), "limit exceeded");
  EXPECT_EQ(StatusCodeName(static_cast<StatusCode>(200)), "unknown");
}

TEST(Status, ExplicitCodeConstructorKeepsMessage) {
  Status s(StatusCode::kCorrupt, "RFC 4271 §4.3: bad");
  EXPECT_EQ(s.code(), StatusCode::kCorrupt);
  EXPECT_EQ(s.message(), "RFC 4271 §4.3: bad");
  EXPECT_EQ(s.ToString(), "corrupt: RFC 4271 §4.3: bad");
}

TEST(Status, CopiesAndMovesKeepCodeAndMessage) {
  Status a = Status::NotFound("x");
  Status b = a;
  EXPECT_EQ(b.code(), StatusCode::kNotFound);
  EXPECT_EQ(b.message(), "x");
  Status c = std::move(a);
  EXPECT_EQ(c.code(), StatusCode::kNotFound);
  EXPECT_EQ(c.message(), "x");
}

Result<int> Half(int v) {
  if (v % 2) return Status::InvalidArgument("odd");
  return v / 2;
}

TEST(Result, HoldsAValue) {
  Result<int> r = Half(8);
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r.status().ok());
  EXPECT_EQ(r.value(), 4);
  EXPECT_EQ(*r, 4);
  r.value() = 5;
  EXPECT_EQ(*r, 5);
}

TEST(Result, HoldsAnError) {
  Result<int> r = Half(7);
  EXPECT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(r.status().message(), "odd");
}

TEST(Result, ArrowReachesMembers) {
  Result<std::string> r(std::string("abc"));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->size(), 3u);
  const Result<std::string>& cr = r;
  EXPECT_EQ(cr->front(), 'a');
  EXPECT_EQ(*cr, "abc");
}

TEST(Result, MovesOutMoveOnlyValues) {
  Result<std::unique_ptr<int>> r(std::make_unique<int>(42));
  ASSERT_TRUE(r.ok());
  std::unique_ptr<int> p = std::move(r).value();
  ASSERT_NE(p, nullptr);
  EXPECT_EQ(*p, 42);
}

TEST(Result, OkStatusOfAValueIsSharedAndOk) {
  Result<int> a(1), b(2);
  EXPECT_EQ(&a.status(), &b.status());
  EXPECT_EQ(a.status().ToString(), "ok");
}

}  // namespace
}  // namespace vigia
