#include "core/asn.h"

#include <gtest/gtest.h>

namespace vigia {
namespace {

TEST(ParseAsn, PlainAcceptsTheAsPrefixInAnyCaseOrNone) {
  EXPECT_EQ(ParseAsn("AS64496"), 64496u);
  EXPECT_EQ(ParseAsn("as64496"), 64496u);
  EXPECT_EQ(ParseAsn("aS64496"), 64496u);
  EXPECT_EQ(ParseAsn("64496"), 64496u);
  EXPECT_EQ(ParseAsn("0"), 0u);
  EXPECT_EQ(ParseAsn("4294967295"), 4294967295u);
}

TEST(ParseAsn, PlainRejectsAsdotSignsSpacesAndOverflow) {
  EXPECT_FALSE(ParseAsn("1.10"));
  EXPECT_FALSE(ParseAsn("AS1.10"));
  EXPECT_FALSE(ParseAsn("4294967296"));  // RFC 6793: 32 bits
  EXPECT_FALSE(ParseAsn("99999999999"));
  EXPECT_FALSE(ParseAsn("+1"));
  EXPECT_FALSE(ParseAsn("-1"));
  EXPECT_FALSE(ParseAsn(" 1"));
  EXPECT_FALSE(ParseAsn("1 "));
  EXPECT_FALSE(ParseAsn("AS"));
  EXPECT_FALSE(ParseAsn(""));
  EXPECT_FALSE(ParseAsn("AS-FOO"));
  EXPECT_FALSE(ParseAsn("12a"));
  EXPECT_FALSE(ParseAsn(std::string_view("12\0", 3)));
}

TEST(ParseAsn, AtMostTenDigits) {
  EXPECT_EQ(ParseAsn("0000064496"), 64496u);
  EXPECT_FALSE(ParseAsn("00000064496"));
}

TEST(ParseAsn, RpslNeedsThePrefixAndTakesAsdot) {
  EXPECT_EQ(ParseAsn("AS64496", kAsnRpsl), 64496u);
  EXPECT_EQ(ParseAsn("as4200000000", kAsnRpsl), 4200000000u);
  EXPECT_EQ(ParseAsn("AS1.10", kAsnRpsl), 65546u);  // RFC 5396 asdot
  EXPECT_EQ(ParseAsn("AS65535.65535", kAsnRpsl), 4294967295u);
  EXPECT_FALSE(ParseAsn("64496", kAsnRpsl));
  EXPECT_FALSE(ParseAsn("1.10", kAsnRpsl));
  EXPECT_FALSE(ParseAsn("AS", kAsnRpsl));
  EXPECT_FALSE(ParseAsn("AS1.65536", kAsnRpsl));
  EXPECT_FALSE(ParseAsn("AS65536.1", kAsnRpsl));
  EXPECT_FALSE(ParseAsn("AS1.", kAsnRpsl));
  EXPECT_FALSE(ParseAsn("AS.1", kAsnRpsl));
  EXPECT_FALSE(ParseAsn("AS1.2.3", kAsnRpsl));
  EXPECT_FALSE(ParseAsn("AS+1", kAsnRpsl));
}

TEST(ParseAsn, AnyTakesEveryForm) {
  EXPECT_EQ(ParseAsn("AS64496", kAsnAny), 64496u);
  EXPECT_EQ(ParseAsn("64496", kAsnAny), 64496u);
  EXPECT_EQ(ParseAsn("AS1.10", kAsnAny), 65546u);
  EXPECT_EQ(ParseAsn("1.10", kAsnAny), 65546u);
  EXPECT_FALSE(ParseAsn("AS", kAsnAny));
  EXPECT_FALSE(ParseAsn("ASAS1", kAsnAny));
}

TEST(ParseDecimal, TenDigitsAtMostAndBounded) {
  uint64_t v = 9;
  EXPECT_TRUE(ParseDecimal("128", 128, &v));
  EXPECT_EQ(v, 128u);
  EXPECT_FALSE(ParseDecimal("129", 128, &v));
  EXPECT_FALSE(ParseDecimal("", 128, &v));
  EXPECT_FALSE(ParseDecimal("00000000001", 128, &v));
  EXPECT_FALSE(ParseDecimal("-1", 128, &v));
  EXPECT_EQ(v, 128u);
}

TEST(ParseAsn, OutParameterIsUntouchedOnFailure) {
  Asn a = 7;
  EXPECT_FALSE(ParseAsn("x", &a));
  EXPECT_EQ(a, 7u);
  EXPECT_TRUE(ParseAsn("AS8", &a));
  EXPECT_EQ(a, 8u);
  EXPECT_TRUE(ParseAsn("AS0.8", &a, kAsnRpsl));
  EXPECT_EQ(a, 8u);
}

}  // namespace
}  // namespace vigia
