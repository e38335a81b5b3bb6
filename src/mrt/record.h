// MRT record framing (RFC 6396 §2, §3): type codes and the common header.
//
// A Record is a header plus a view of its body inside the reader's buffer;
// the view is valid until the reader's next call. Plain values otherwise.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>

namespace vigia::mrt {

// RFC 6396 §4 plus the deprecated types of its Appendix B that old dumps use.
enum MrtType : uint16_t {
  kTypeBgp = 5,  // deprecated MRTd BGP (RIS 1999-2001)
  kTypeOspfV2 = 11,
  kTypeTableDump = 12,
  kTypeTableDumpV2 = 13,
  kTypeBgp4mp = 16,
  kTypeBgp4mpEt = 17,
  kTypeIsis = 32,
  kTypeIsisEt = 33,
  kTypeOspfV3 = 48,
  kTypeOspfV3Et = 49,
};

// TABLE_DUMP_V2 subtypes, RFC 6396 §4.3 and RFC 8050 §4.
enum TableDumpV2Subtype : uint16_t {
  kPeerIndexTable = 1,
  kRibIpv4Unicast = 2,
  kRibIpv4Multicast = 3,
  kRibIpv6Unicast = 4,
  kRibIpv6Multicast = 5,
  kRibGeneric = 6,
  kRibIpv4UnicastAddPath = 8,
  kRibIpv4MulticastAddPath = 9,
  kRibIpv6UnicastAddPath = 10,
  kRibIpv6MulticastAddPath = 11,
  kRibGenericAddPath = 12,
};

// BGP4MP subtypes, RFC 6396 §4.4 and RFC 8050 §3.
enum Bgp4mpSubtype : uint16_t {
  kStateChange = 0,
  kMessage = 1,
  kEntry = 2,     // deprecated
  kSnapshot = 3,  // deprecated
  kMessageAs4 = 4,
  kStateChangeAs4 = 5,
  kMessageLocal = 6,
  kMessageAs4Local = 7,
  kMessageAddPath = 8,
  kMessageAs4AddPath = 9,
  kMessageLocalAddPath = 10,
  kMessageAs4LocalAddPath = 11,
};

// Deprecated MRTd BGP subtypes (RFC 6396 Appendix B.2.1).
enum BgpSubtype : uint16_t {
  kBgpNull = 0,
  kBgpUpdate = 1,
  kBgpPrefUpdate = 2,
  kBgpStateChange = 3,
  kBgpSync = 4,
  kBgpOpen = 5,
  kBgpNotify = 6,
  kBgpKeepalive = 7,
};

struct RecordHeader {
  uint32_t timestamp = 0;
  uint16_t type = 0;
  uint16_t subtype = 0;
  uint32_t length = 0;        // body length as declared (ET: includes the microseconds)
  uint32_t microseconds = 0;  // RFC 6396 §3 extended timestamp, *_ET types only
  bool extended() const {
    return type == kTypeBgp4mpEt || type == kTypeIsisEt || type == kTypeOspfV3Et;
  }
};

inline constexpr size_t kHeaderSize = 12;

struct Record {
  RecordHeader header;
  std::span<const uint8_t> body;  // after the header (and after the ET microseconds)
  uint64_t offset = 0;            // of the header, in the decompressed stream
};

std::string_view TypeName(uint16_t type);
std::string_view SubtypeName(uint16_t type, uint16_t subtype);
bool IsKnownType(uint16_t type);

}  // namespace vigia::mrt
