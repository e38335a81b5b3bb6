#include "rpki/rtr_pdu.h"

#include <gtest/gtest.h>

#include <vector>

namespace vigia::rpki::rtr {
namespace {

using Bytes = std::vector<uint8_t>;

Pdu Decoded(const Bytes& b) {
  Pdu p;
  Status s = DecodePdu(b, &p);
  EXPECT_TRUE(s.ok()) << s.ToString();
  return p;
}

// Decoding fails; returns the message and checks the reported code.
std::string Rejected(const Bytes& b, ErrorCode want = ErrorCode::kCorruptData) {
  Pdu p;
  ErrorCode code = ErrorCode::kInternalError;
  Status s = DecodePdu(b, &p, &code);
  EXPECT_FALSE(s.ok());
  EXPECT_EQ(static_cast<int>(code), static_cast<int>(want)) << s.message();
  return s.message();
}

Bytes ReEncoded(const Pdu& p) {
  Bytes out;
  EncodePdu(p, &out);
  return out;
}

// RFC 8210 §5.2.
TEST(RtrPdu, SerialNotify) {
  const Bytes b = {1, 0, 0x12, 0x34, 0, 0, 0, 12, 0, 0, 1, 0};
  Pdu p = Decoded(b);
  EXPECT_EQ(p.type, PduType::kSerialNotify);
  EXPECT_EQ(p.version, 1);
  EXPECT_EQ(p.session_id, 0x1234);
  EXPECT_EQ(p.serial, 256u);
  EXPECT_EQ(ReEncoded(p), b);
}

// RFC 8210 §5.3 and §5.4: what the client sends.
TEST(RtrPdu, QueriesHaveTheRfcLayout) {
  EXPECT_EQ(SerialQuery(2, 0xBEEF, 0x01020304), (Bytes{2, 1, 0xBE, 0xEF, 0, 0, 0, 12, 1, 2, 3, 4}));
  EXPECT_EQ(ResetQuery(1), (Bytes{1, 2, 0, 0, 0, 0, 0, 8}));
  Pdu p = Decoded(ResetQuery(0));
  EXPECT_EQ(p.type, PduType::kResetQuery);
  p = Decoded(SerialQuery(1, 7, 9));
  EXPECT_EQ(p.type, PduType::kSerialQuery);
  EXPECT_EQ(p.session_id, 7);
  EXPECT_EQ(p.serial, 9u);
}

// RFC 8210 §5.5 and §5.9.
TEST(RtrPdu, CacheResponseAndCacheReset) {
  Pdu p = Decoded({1, 3, 0, 42, 0, 0, 0, 8});
  EXPECT_EQ(p.type, PduType::kCacheResponse);
  EXPECT_EQ(p.session_id, 42);
  p = Decoded({1, 8, 0, 0, 0, 0, 0, 8});
  EXPECT_EQ(p.type, PduType::kCacheReset);
}

// RFC 8210 §5.6.
TEST(RtrPdu, Ipv4Prefix) {
  const Bytes b = {1, 4, 0, 0, 0, 0, 0, 20, 1, 24, 28, 0, 192, 0, 2, 0, 0, 0, 0xFB, 0xF0};
  Pdu p = Decoded(b);
  EXPECT_EQ(p.type, PduType::kIpv4Prefix);
  EXPECT_TRUE(p.announce);
  EXPECT_EQ(p.prefix, *Prefix::Parse("192.0.2.0/24"));
  EXPECT_EQ(p.max_length, 28);
  EXPECT_EQ(p.asn, 64496u);
  EXPECT_EQ(ReEncoded(p), b);
  EXPECT_EQ(Describe(p), "IPv4 Prefix v1 announce 192.0.2.0/24-28 AS64496");
}

// RFC 8210 §5.7.
TEST(RtrPdu, Ipv6PrefixWithdrawal) {
  Bytes b = {2, 6, 0, 0, 0, 0, 0, 32, 0, 32, 48, 0, 0x20, 0x01, 0x0d, 0xb8};
  b.resize(28, 0);
  b.insert(b.end(), {0xFB, 0xF1, 0, 0});  // AS 4226875392
  Pdu p = Decoded(b);
  EXPECT_EQ(p.type, PduType::kIpv6Prefix);
  EXPECT_FALSE(p.announce);
  EXPECT_EQ(p.prefix, *Prefix::Parse("2001:db8::/32"));
  EXPECT_EQ(p.max_length, 48);
  EXPECT_EQ(p.asn, 0xFBF10000u);
  EXPECT_EQ(ReEncoded(p), b);
}

TEST(RtrPdu, ReservedFlagBitsAreIgnoredOnlyBitZeroAnnounces) {
  Pdu p = Decoded({1, 4, 0, 0, 0, 0, 0, 20, 0xFE, 8, 8, 0, 10, 0, 0, 0, 0, 0, 0, 1});
  EXPECT_FALSE(p.announce);
  EXPECT_EQ(p.flags, 0xFE);
}

// RFC 8210 §5.8: version 0 has only the serial; 1 and 2 add the timers.
TEST(RtrPdu, EndOfDataByVersion) {
  Pdu p = Decoded({0, 7, 0, 5, 0, 0, 0, 12, 0, 0, 0, 9});
  EXPECT_EQ(p.serial, 9u);
  EXPECT_EQ(p.refresh, kDefaultRefresh);
  const Bytes v1 = {1, 7, 0, 5, 0, 0, 0, 24, 0, 0, 0, 9, 0, 0, 0, 60, 0, 0, 0, 30, 0, 0, 2, 88};
  p = Decoded(v1);
  EXPECT_EQ(p.session_id, 5);
  EXPECT_EQ(p.refresh, 60u);
  EXPECT_EQ(p.retry, 30u);
  EXPECT_EQ(p.expire, 600u);
  EXPECT_EQ(ReEncoded(p), v1);
  // A version 1 End of Data with the version 0 length is refused.
  EXPECT_NE(Rejected({1, 7, 0, 5, 0, 0, 0, 12, 0, 0, 0, 9}).find("must be 24"), std::string::npos);
  EXPECT_NE(Rejected({0, 7, 0, 5, 0, 0, 0, 24, 0, 0, 0, 9, 0, 0, 0, 60, 0, 0, 0, 30, 0, 0, 2, 88})
                .find("must be 12"),
            std::string::npos);
}

// RFC 8210 §5.10.
TEST(RtrPdu, RouterKey) {
  Bytes b = {1, 9, 1, 0, 0, 0, 0, 0};
  for (int i = 0; i < 20; ++i) b.push_back(static_cast<uint8_t>(i));
  b.insert(b.end(), {0, 0, 0xFB, 0xF0, 0x30, 0x59, 0x30});
  b[7] = static_cast<uint8_t>(b.size());
  Pdu p = Decoded(b);
  EXPECT_EQ(p.type, PduType::kRouterKey);
  EXPECT_TRUE(p.announce);
  EXPECT_EQ(p.asn, 64496u);
  EXPECT_EQ(p.ski[19], 19);
  EXPECT_EQ(p.spki, (Bytes{0x30, 0x59, 0x30}));
  EXPECT_EQ(ReEncoded(p), b);
  // Version 0 has no Router Key PDU.
  b[0] = 0;
  Rejected(b, ErrorCode::kUnsupportedPduType);
  // No room for a key.
  Bytes short_key(b.begin(), b.begin() + 32);
  short_key[0] = 1;
  short_key[7] = 32;
  EXPECT_NE(Rejected(short_key).find("RFC 8210 §5.10"), std::string::npos);
}

// RFC 8210 §5.11.
TEST(RtrPdu, ErrorReport) {
  const Bytes inner = {1, 2, 0, 0, 0, 0, 0, 8};
  Bytes b = ErrorReport(1, ErrorCode::kNoDataAvailable, inner, "no data");
  EXPECT_EQ(b.size(), 16u + 8 + 7);
  Pdu p = Decoded(b);
  EXPECT_EQ(p.type, PduType::kErrorReport);
  EXPECT_EQ(p.error_code, 2);
  EXPECT_EQ(p.erroneous_pdu, inner);
  EXPECT_EQ(p.error_text, "no data");
  EXPECT_EQ(Describe(p), "Error Report v1 No Data Available (2): \"no data\"");
}

TEST(RtrPdu, ErrorReportWithoutPduOrTextIsValid) {
  Pdu p = Decoded({1, 10, 0, 4, 0, 0, 0, 16, 0, 0, 0, 0, 0, 0, 0, 0});
  EXPECT_EQ(p.error_code, 4);
  EXPECT_TRUE(p.erroneous_pdu.empty());
  EXPECT_TRUE(p.error_text.empty());
}

// StayRTR NUL-terminates its texts.
TEST(RtrPdu, ErrorReportTrailingNulIsDropped) {
  Bytes b = {2, 10, 0, 0, 0, 0, 0, 20, 0, 0, 0, 0, 0, 0, 0, 4, 'a', 'b', 'c', 0};
  EXPECT_EQ(Decoded(b).error_text, "abc");
}

TEST(RtrPdu, ErrorReportInnerLengthsMustAddUp) {
  // Copied-PDU length runs past the end.
  EXPECT_NE(Rejected({1, 10, 0, 0, 0, 0, 0, 16, 0, 0, 0, 9, 0, 0, 0, 0}).find("§5.11"),
            std::string::npos);
  // Text length larger than what remains.
  Rejected({1, 10, 0, 0, 0, 0, 0, 18, 0, 0, 0, 0, 0, 0, 0, 5, 'h', 'i'});
  // Text length smaller than what remains: trailing garbage.
  Rejected({1, 10, 0, 0, 0, 0, 0, 18, 0, 0, 0, 0, 0, 0, 0, 1, 'h', 'i'});
  // Copied-PDU length so large that adding it would wrap.
  Rejected({1, 10, 0, 0, 0, 0, 0, 16, 0xFF, 0xFF, 0xFF, 0xFF, 0, 0, 0, 0});
  // Too short to hold the two length fields.
  Rejected({1, 10, 0, 0, 0, 0, 0, 12, 0, 0, 0, 0});
}

TEST(RtrPdu, OversizedErrorTextIsRefused) {
  const std::string text(kMaxErrorTextLength + 1, 'x');
  Bytes b = ErrorReport(1, ErrorCode::kInternalError, {}, text);
  EXPECT_NE(Rejected(b).find("cap"), std::string::npos);
}

TEST(RtrPdu, EncodedErrorReportStaysUnderTheCap) {
  const Bytes huge(kMaxPduLength, 7);
  Bytes b = ErrorReport(1, ErrorCode::kCorruptData, huge, "text");
  EXPECT_LE(b.size(), kMaxPduLength);
  Pdu p = Decoded(b);
  EXPECT_EQ(p.erroneous_pdu.size(), kMaxPduLength - 16);
}

// draft-ietf-sidrops-8210bis-10 §5.12, as StayRTR 0.5 sends it.
TEST(RtrPdu, AspaVersion2) {
  const Bytes b = {2, 11, 0,    0,    0, 0, 0, 24,  // header, 16 + 2 * 4
                   1, 1,  0,    2,                  // announce, IPv6, 2 providers
                   0, 0,  0x3C, 0xCA,               // customer AS 15562
                   0, 0,  0x0B, 0x62,               // AS 2914
                   0, 0,  0x20, 0x5B};              // AS 8283
  Pdu p = Decoded(b);
  EXPECT_EQ(p.type, PduType::kAspa);
  EXPECT_TRUE(p.announce);
  EXPECT_EQ(p.afi_flags, kAspaAfiIpv6);
  EXPECT_EQ(p.customer, 15562u);
  EXPECT_EQ(p.providers, (std::vector<Asn>{2914, 8283}));
  EXPECT_EQ(ReEncoded(p), b);
  EXPECT_EQ(Describe(p), "ASPA v2 announce AS15562 ipv6 2 providers");
}

TEST(RtrPdu, AspaWithNoProvidersIsValid) {
  Pdu p = Decoded({2, 11, 0, 0, 0, 0, 0, 16, 0, 0, 0, 0, 0, 0, 0, 1});
  EXPECT_FALSE(p.announce);
  EXPECT_TRUE(p.providers.empty());
}

TEST(RtrPdu, AspaCountMustMatchLength) {
  // Says 3 providers, carries 2.
  EXPECT_NE(Rejected({2, 11, 0, 0, 0, 0, 0, 24, 1, 0, 0, 3, 0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 3})
                .find("counts 3 providers"),
            std::string::npos);
  // Says 1, carries 1.5.
  Rejected({2, 11, 0, 0, 0, 0, 0, 22, 1, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 2, 0, 0});
  // Shorter than the fixed part.
  Rejected({2, 11, 0, 0, 0, 0, 0, 12, 1, 0, 0, 0});
}

TEST(RtrPdu, AspaBeforeVersion2IsAnUnsupportedType) {
  Rejected({1, 11, 0, 0, 0, 0, 0, 16, 1, 0, 0, 0, 0, 0, 0, 1}, ErrorCode::kUnsupportedPduType);
}

// Hostile input.

TEST(RtrPduHostile, TruncatedHeader) {
  Pdu p;
  Status s = DecodePdu(Bytes{1, 4, 0}, &p);
  EXPECT_EQ(s.code(), StatusCode::kTruncated);
  EXPECT_FALSE(DecodePdu(Bytes{}, &p).ok());
}

TEST(RtrPduHostile, LengthFieldDisagreesWithTheBytes) {
  // A Serial Notify whose length says 12 but 11 octets are given.
  EXPECT_NE(Rejected({1, 0, 0, 0, 0, 0, 0, 12, 0, 0, 1}).find("length field says 12"),
            std::string::npos);
}

TEST(RtrPduHostile, WrongLengthForType) {
  // Reset Query of 12 octets; IPv4 Prefix of 32 (the IPv6 length).
  Rejected({1, 2, 0, 0, 0, 0, 0, 12, 0, 0, 0, 0});
  Bytes v4as6 = {1, 4, 0, 0, 0, 0, 0, 32, 1, 8, 8, 0};
  v4as6.resize(32, 0);
  EXPECT_NE(Rejected(v4as6).find("must be 20"), std::string::npos);
}

TEST(RtrPduHostile, UnknownTypeAndVersion) {
  Rejected({1, 5, 0, 0, 0, 0, 0, 8}, ErrorCode::kUnsupportedPduType);    // 5 is unassigned
  Rejected({1, 200, 0, 0, 0, 0, 0, 8}, ErrorCode::kUnsupportedPduType);  // far out
  Rejected({3, 2, 0, 0, 0, 0, 0, 8}, ErrorCode::kUnsupportedProtocolVersion);
}

TEST(RtrPduHostile, BadPrefixAndMaxLengths) {
  // /33 in IPv4.
  EXPECT_NE(Rejected({1, 4, 0, 0, 0, 0, 0, 20, 1, 33, 33, 0, 10, 0, 0, 0, 0, 0, 0, 1})
                .find("prefix length 33"),
            std::string::npos);
  // Max length below the prefix length.
  EXPECT_NE(Rejected({1, 4, 0, 0, 0, 0, 0, 20, 1, 24, 16, 0, 10, 0, 0, 0, 0, 0, 0, 1})
                .find("max length 16"),
            std::string::npos);
  // Max length beyond 128 in IPv6.
  Bytes v6 = {1, 6, 0, 0, 0, 0, 0, 32, 1, 32, 129, 0, 0x20, 0x01};
  v6.resize(32, 0);
  Rejected(v6);
  // Address bits past the length.
  EXPECT_NE(Rejected({1, 4, 0, 0, 0, 0, 0, 20, 1, 8, 8, 0, 10, 0, 0, 1, 0, 0, 0, 1})
                .find("bits set beyond /8"),
            std::string::npos);
}

TEST(RtrPduHostile, OversizedLengthIsRefusedBeforeBuffering) {
  PduReader r;
  const Bytes head = {1, 4, 0, 0, 0x7F, 0xFF, 0xFF, 0xFF};
  r.Append(head);
  std::span<const uint8_t> pdu;
  Result<bool> next = r.Next(&pdu);
  ASSERT_FALSE(next.ok());
  EXPECT_NE(next.status().message().find("outside [8, 65536]"), std::string::npos);
  // The stream stays broken.
  r.Append(ResetQuery(1));
  EXPECT_FALSE(r.Next(&pdu).ok());
}

TEST(RtrPduHostile, LengthBelowTheHeaderBreaksTheStream) {
  PduReader r;
  r.Append(Bytes{1, 2, 0, 0, 0, 0, 0, 4});
  std::span<const uint8_t> pdu;
  EXPECT_FALSE(r.Next(&pdu).ok());
}

TEST(PduReader, SplitsPdusAcrossAndWithinReads) {
  Bytes stream = ResetQuery(1);
  const Bytes q = SerialQuery(1, 3, 4);
  stream.insert(stream.end(), q.begin(), q.end());
  const Bytes r = ResetQuery(2);
  stream.insert(stream.end(), r.begin(), r.end());
  // Feed one octet at a time: every PDU comes out whole, once.
  PduReader reader;
  std::vector<Bytes> got;
  std::vector<uint64_t> offsets;
  for (uint8_t b : stream) {
    reader.Append({&b, 1});
    std::span<const uint8_t> pdu;
    while (true) {
      Result<bool> next = reader.Next(&pdu);
      ASSERT_TRUE(next.ok());
      if (!*next) break;
      got.emplace_back(pdu.begin(), pdu.end());
      offsets.push_back(reader.offset());
    }
  }
  ASSERT_EQ(got.size(), 3u);
  EXPECT_EQ(got[1], q);
  EXPECT_EQ(offsets, (std::vector<uint64_t>{0, 8, 20}));
  EXPECT_EQ(reader.buffered(), 0u);
}

TEST(SerialArithmetic, Rfc1982Wraps) {
  EXPECT_TRUE(SerialLess(1, 2));
  EXPECT_FALSE(SerialLess(2, 1));
  EXPECT_FALSE(SerialLess(5, 5));
  EXPECT_TRUE(SerialLess(0xFFFFFFFFu, 0));  // wrap: 0 follows 2^32 - 1
  EXPECT_TRUE(SerialLess(0xFFFFFFF0u, 5));
  EXPECT_FALSE(SerialLess(5, 0xFFFFFFF0u));
}

TEST(RtrPdu, NamesOfTypesAndCodes) {
  EXPECT_EQ(PduTypeName(11), "ASPA");
  EXPECT_EQ(PduTypeName(99), "type 99");
  EXPECT_EQ(ErrorCodeName(7), "Duplicate Announcement Received");
  EXPECT_EQ(ErrorCodeName(300), "error code 300");
}

}  // namespace
}  // namespace vigia::rpki::rtr
