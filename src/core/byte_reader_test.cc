#include "core/byte_reader.h"

#include <gtest/gtest.h>

#include <array>
#include <cstdint>
#include <span>
#include <vector>

namespace vigia {
namespace {

const std::array<uint8_t, 8> kBytes = {0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08};

TEST(ByteReader, ReadsBigEndianIntegersInOrder) {
  ByteReader r(kBytes);
  uint8_t a;
  uint16_t b;
  uint32_t c;
  ASSERT_TRUE(r.U8(&a));
  ASSERT_TRUE(r.U16(&b));
  ASSERT_TRUE(r.U32(&c));
  EXPECT_EQ(a, 0x01);
  EXPECT_EQ(b, 0x0203);
  EXPECT_EQ(c, 0x04050607u);
  EXPECT_EQ(r.position(), 7u);
  EXPECT_EQ(r.remaining(), 1u);
  EXPECT_EQ(r.size(), 8u);
  EXPECT_FALSE(r.empty());
  EXPECT_EQ(*r.current(), 0x08);
}

TEST(ByteReader, HighBitsDoNotSignExtend) {
  const uint8_t ff[4] = {0xFF, 0xFE, 0x80, 0x81};
  ByteReader r(ff, 4);
  uint16_t v16;
  ASSERT_TRUE(r.U16(&v16));
  EXPECT_EQ(v16, 0xFFFE);
  ByteReader r2(ff, 4);
  uint32_t v32;
  ASSERT_TRUE(r2.U32(&v32));
  EXPECT_EQ(v32, 0xFFFE8081u);
}

// Every read checks the length first and leaves the cursor and the output
// alone when the input is too short: for each read, and for each amount of
// input below what it needs.
TEST(ByteReader, EveryReadFailsWithoutMovingWhenInputIsShort) {
  for (size_t have = 0; have < 8; ++have) {
    // Allocated at exactly `have` bytes so that ASan flags any overread.
    std::vector<uint8_t> buf(kBytes.begin(), kBytes.begin() + static_cast<long>(have));
    SCOPED_TRACE(have);

    ByteReader r(buf.data(), buf.size());
    uint8_t v8 = 0xAA;
    uint16_t v16 = 0xAAAA;
    uint32_t v32 = 0xAAAAAAAA;
    if (have < 1) {
      EXPECT_FALSE(r.U8(&v8));
      EXPECT_EQ(v8, 0xAA);
    }
    if (have < 2) {
      EXPECT_FALSE(r.U16(&v16));
      EXPECT_EQ(v16, 0xAAAA);
      EXPECT_FALSE(r.Asn(2, &v32));
    }
    if (have < 4) {
      EXPECT_FALSE(r.U32(&v32));
      EXPECT_FALSE(r.Asn(4, &v32));
      EXPECT_EQ(v32, 0xAAAAAAAAu);
    }
    uint8_t out[9] = {};
    EXPECT_FALSE(r.Copy(out, have + 1));
    EXPECT_EQ(out[0], 0);
    EXPECT_FALSE(r.Skip(have + 1));
    ByteReader sub;
    EXPECT_FALSE(r.Sub(have + 1, &sub));
    EXPECT_EQ(sub.size(), 0u);
    std::span<const uint8_t> sp;
    EXPECT_FALSE(r.Span(have + 1, &sp));
    EXPECT_TRUE(sp.empty());

    EXPECT_EQ(r.position(), 0u);
    EXPECT_EQ(r.remaining(), have);
  }
}

TEST(ByteReader, FailsAtTheEndAfterConsumingEverything) {
  ByteReader r(kBytes);
  ASSERT_TRUE(r.Skip(8));
  EXPECT_TRUE(r.empty());
  uint8_t v8;
  uint16_t v16;
  uint32_t v32;
  EXPECT_FALSE(r.U8(&v8));
  EXPECT_FALSE(r.U16(&v16));
  EXPECT_FALSE(r.U32(&v32));
  EXPECT_FALSE(r.Asn(2, &v32));
  EXPECT_FALSE(r.Asn(4, &v32));
  EXPECT_FALSE(r.Skip(1));
  EXPECT_EQ(r.position(), 8u);
  // Zero-length operations at the end succeed and stay put.
  EXPECT_TRUE(r.Skip(0));
  std::span<const uint8_t> sp;
  EXPECT_TRUE(r.Span(0, &sp));
  EXPECT_TRUE(sp.empty());
  EXPECT_TRUE(r.Rest().empty());
  EXPECT_EQ(r.position(), 8u);
}

TEST(ByteReader, DefaultConstructedIsEmptyAndRefusesReads) {
  ByteReader r;
  EXPECT_TRUE(r.empty());
  EXPECT_EQ(r.remaining(), 0u);
  EXPECT_EQ(r.size(), 0u);
  uint8_t v;
  EXPECT_FALSE(r.U8(&v));
  EXPECT_FALSE(r.Skip(1));
}

TEST(ByteReader, AsnReadsTwoOrFourOctets) {
  const uint8_t raw[6] = {0x5B, 0xA0, 0xFA, 0x56, 0xEA, 0x00};
  ByteReader r(raw, sizeof raw);
  uint32_t two = 0, four = 0;
  ASSERT_TRUE(r.Asn(2, &two));
  EXPECT_EQ(two, 23456u);  // AS_TRANS
  EXPECT_EQ(r.position(), 2u);
  ASSERT_TRUE(r.Asn(4, &four));
  EXPECT_EQ(four, 4200000000u);
  EXPECT_EQ(r.position(), 6u);
}

TEST(ByteReader, AsnOfFourOctetsFailsWithThreeLeft) {
  const uint8_t raw[3] = {1, 2, 3};
  ByteReader r(raw, sizeof raw);
  uint32_t v = 7;
  EXPECT_FALSE(r.Asn(4, &v));
  EXPECT_EQ(v, 7u);
  EXPECT_EQ(r.position(), 0u);
  ASSERT_TRUE(r.Asn(2, &v));
  EXPECT_EQ(v, 0x0102u);
}

TEST(ByteReader, SubSplitsOffAnIndependentBoundedReader) {
  ByteReader r(kBytes);
  ASSERT_TRUE(r.Skip(1));
  ByteReader sub;
  ASSERT_TRUE(r.Sub(3, &sub));
  EXPECT_EQ(r.position(), 4u);
  EXPECT_EQ(sub.size(), 3u);
  EXPECT_EQ(sub.position(), 0u);
  uint16_t v16;
  ASSERT_TRUE(sub.U16(&v16));
  EXPECT_EQ(v16, 0x0203);
  uint32_t v32;
  // The sub-reader ends where it was cut even though the parent goes on.
  EXPECT_FALSE(sub.U32(&v32));
  EXPECT_FALSE(sub.U16(&v16));
  uint8_t v8;
  ASSERT_TRUE(sub.U8(&v8));
  EXPECT_EQ(v8, 0x04);
  EXPECT_TRUE(sub.empty());
  // The parent is unaffected by reads on the sub-reader.
  ASSERT_TRUE(r.U8(&v8));
  EXPECT_EQ(v8, 0x05);
}

TEST(ByteReader, SpanAndRestPointIntoTheInput) {
  ByteReader r(kBytes);
  std::span<const uint8_t> sp;
  ASSERT_TRUE(r.Span(3, &sp));
  EXPECT_EQ(sp.data(), kBytes.data());
  EXPECT_EQ(sp.size(), 3u);
  std::span<const uint8_t> rest = r.Rest();
  EXPECT_EQ(rest.data(), kBytes.data() + 3);
  EXPECT_EQ(rest.size(), 5u);
  // Rest() does not consume.
  EXPECT_EQ(r.position(), 3u);
  ASSERT_TRUE(r.Span(5, &sp));
  EXPECT_EQ(sp[4], 0x08);
  EXPECT_TRUE(r.empty());
}

TEST(ByteReader, CopyMovesBytesOut) {
  ByteReader r(kBytes);
  uint8_t out[4] = {};
  ASSERT_TRUE(r.Copy(out, 4));
  EXPECT_EQ(out[0], 0x01);
  EXPECT_EQ(out[3], 0x04);
  EXPECT_EQ(r.position(), 4u);
}

TEST(ByteReader, HugeLengthsFailRatherThanWrap) {
  ByteReader r(kBytes);
  ASSERT_TRUE(r.Skip(2));
  EXPECT_FALSE(r.Skip(SIZE_MAX));
  std::span<const uint8_t> sp;
  EXPECT_FALSE(r.Span(SIZE_MAX, &sp));
  ByteReader sub;
  EXPECT_FALSE(r.Sub(SIZE_MAX / 2 + 1, &sub));
  EXPECT_EQ(r.position(), 2u);
}

TEST(ByteReader, CopyIsAFork) {
  ByteReader r(kBytes);
  ByteReader fork = r;
  uint32_t v;
  ASSERT_TRUE(fork.U32(&v));
  EXPECT_EQ(fork.position(), 4u);
  EXPECT_EQ(r.position(), 0u);
}

}  // namespace
}  // namespace vigia
