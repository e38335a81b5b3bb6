// RTR protocol data units: the RPKI-to-Router protocol of RFC 8210
// (version 1; version 0 is RFC 6810) and version 2 of
// draft-ietf-sidrops-8210bis, which adds the ASPA PDU.
//
// DecodePdu() takes exactly one PDU (as PduReader splits them off a byte
// stream) and checks it strictly: the length field against the type's fixed
// or computed length (RFC 8210 §5), the prefix and max lengths (§5.6, §5.8),
// the Error Report's inner lengths (§5.11), the ASPA provider count, and
// caps on everything the input sizes (kMaxPduLength and friends). A bad PDU
// yields a Status naming the rule broken and the offset inside the PDU, and
// the RTR error code the client should report back.
//
// The version 2 ASPA PDU follows draft-ietf-sidrops-8210bis-10, the draft
// StayRTR 0.5.x speaks:
//   version(1) type=11(1) zero(2) length(4)
//   flags(1) afi_flags(1) provider_count(2) customer_asn(4) providers(4 each)
// with flags bit 0 = announce, AFI flags bit 0 = IPv6 (clear: IPv4).
//
// Pdu is one flat value holding the fields of every type (see the comments
// for which type uses which); decoding into the same object again reuses its
// vectors' capacity. Values only; no thread concerns.
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/asn.h"
#include "core/ip.h"
#include "core/limits.h"
#include "core/status.h"

namespace vigia::rpki::rtr {

enum class PduType : uint8_t {
  kSerialNotify = 0,   // RFC 8210 §5.2
  kSerialQuery = 1,    // §5.3
  kResetQuery = 2,     // §5.4
  kCacheResponse = 3,  // §5.5
  kIpv4Prefix = 4,     // §5.6
  kIpv6Prefix = 6,     // §5.7
  kEndOfData = 7,      // §5.8
  kCacheReset = 8,     // §5.9
  kRouterKey = 9,      // §5.10
  kErrorReport = 10,   // §5.11
  kAspa = 11,          // draft-ietf-sidrops-8210bis-10 §5.12
};
// "Serial Notify", ..., or "type N" for an unknown type.
std::string PduTypeName(uint8_t type);

// RFC 8210 §12 and draft-ietf-sidrops-8210bis §13.
enum class ErrorCode : uint16_t {
  kCorruptData = 0,
  kInternalError = 1,
  kNoDataAvailable = 2,
  kInvalidRequest = 3,
  kUnsupportedProtocolVersion = 4,
  kUnsupportedPduType = 5,
  kWithdrawalOfUnknownRecord = 6,
  kDuplicateAnnouncement = 7,
  kUnexpectedProtocolVersion = 8,  // 8210bis only
};
std::string ErrorCodeName(uint16_t code);

// The highest protocol version this codec speaks.
inline constexpr uint8_t kMaxVersion = 2;
inline constexpr size_t kHeaderLength = 8;
// kMaxPduLength, kMaxErrorTextLength, kMaxSpkiLength: core/limits.h.
inline constexpr size_t kMaxAspaProviders = (kMaxPduLength - 16) / 4;
// End of Data timer ranges, RFC 8210 §6.
inline constexpr uint32_t kMinRefresh = 1, kMaxRefresh = 86400;
inline constexpr uint32_t kMinRetry = 1, kMaxRetry = 7200;
inline constexpr uint32_t kMinExpire = 600, kMaxExpire = 172800;
// Defaults a version 0 cache implies (RFC 8210 §6 recommended values).
inline constexpr uint32_t kDefaultRefresh = 3600, kDefaultRetry = 600, kDefaultExpire = 7200;

// AFI flags of the ASPA PDU (draft-ietf-sidrops-8210bis-10 §5.12).
inline constexpr uint8_t kAspaAfiIpv6 = 0x01;

struct RouterKey {
  Asn asn = 0;
  std::array<uint8_t, 20> ski{};  // Subject Key Identifier
  std::vector<uint8_t> spki;      // DER SubjectPublicKeyInfo
  friend bool operator==(const RouterKey&, const RouterKey&) = default;
  friend auto operator<=>(const RouterKey&, const RouterKey&) = default;
};

struct Pdu {
  uint8_t version = 0;
  PduType type = PduType::kResetQuery;
  // Serial Notify, Serial Query, Cache Response, End of Data.
  uint16_t session_id = 0;
  uint32_t serial = 0;  // also End of Data
  // IPv4/IPv6 Prefix, Router Key, ASPA: flags bit 0 (RFC 8210 §5.6).
  bool announce = false;
  uint8_t flags = 0;  // the whole flags octet, reserved bits included
  // IPv4/IPv6 Prefix.
  Prefix prefix;
  uint8_t max_length = 0;
  Asn asn = 0;  // also Router Key
  // End of Data, version 1 and later (RFC 8210 §5.8).
  uint32_t refresh = kDefaultRefresh;
  uint32_t retry = kDefaultRetry;
  uint32_t expire = kDefaultExpire;
  // Router Key (RFC 8210 §5.10).
  std::array<uint8_t, 20> ski{};
  std::vector<uint8_t> spki;
  // Error Report (RFC 8210 §5.11): the code travels in the session field.
  uint16_t error_code = 0;
  std::vector<uint8_t> erroneous_pdu;
  std::string error_text;
  // ASPA (8210bis-10 §5.12).
  uint8_t afi_flags = 0;
  Asn customer = 0;
  std::vector<Asn> providers;
};

// Decodes one whole PDU; `bytes` must be exactly as long as its length
// field says. On failure *report (when given) is the error code an RTR
// speaker should send back: kUnsupportedProtocolVersion,
// kUnsupportedPduType or kCorruptData.
Status DecodePdu(std::span<const uint8_t> bytes, Pdu* out, ErrorCode* report = nullptr);

// Appends the wire form of p. The inverse of DecodePdu for every valid PDU
// (prefix PDUs use p.prefix's family: IPv4 or IPv6 Prefix regardless of
// p.type). Error Report copies longer than kMaxPduLength allows are cut.
void EncodePdu(const Pdu& p, std::vector<uint8_t>* out);

// The queries a router sends (RFC 8210 §5.3, §5.4).
std::vector<uint8_t> ResetQuery(uint8_t version);
std::vector<uint8_t> SerialQuery(uint8_t version, uint16_t session_id, uint32_t serial);
// An Error Report carrying (a prefix of) the offending PDU and a text
// (RFC 8210 §5.11).
std::vector<uint8_t> ErrorReport(uint8_t version, ErrorCode code,
                                 std::span<const uint8_t> erroneous_pdu, std::string_view text);

// One line for logs: "IPv4 Prefix v2 announce 192.0.2.0/24-24 AS64496".
std::string Describe(const Pdu& p);

// Splits a byte stream into PDUs by their length fields. Bytes are appended
// as they arrive; Next() hands out each complete PDU in turn. A header whose
// length is below 8 or above kMaxPduLength is unrecoverable (the stream has
// lost its framing): Next() then fails, and keeps failing.
class PduReader {
 public:
  void Append(std::span<const uint8_t> bytes);
  // true and *pdu set: one PDU, valid until the next Append or Next.
  // false: more bytes needed. Fails when the framing is broken.
  Result<bool> Next(std::span<const uint8_t>* pdu);
  // Stream offset of the PDU Next() returned last.
  uint64_t offset() const { return pdu_offset_; }
  // Bytes received but not yet handed out.
  size_t buffered() const { return buf_.size() - pos_; }
  void Reset();

 private:
  std::vector<uint8_t> buf_;
  size_t pos_ = 0;
  uint64_t consumed_ = 0;  // stream offset of buf_[pos_]
  uint64_t pdu_offset_ = 0;
  Status broken_;
};

// RFC 1982 serial number arithmetic on 32 bits, as RFC 8210 §5.3 requires:
// true when a precedes b.
inline bool SerialLess(uint32_t a, uint32_t b) {
  return a != b && static_cast<uint32_t>(b - a) < 0x80000000u;
}

}  // namespace vigia::rpki::rtr
