// BMP messages (RFC 7854 §4) and their decoder, with the RFC 8671
// Adj-RIB-Out (O flag) and RFC 9069 Loc-RIB (peer type 3, F flag, VRF/table
// name TLV) extensions.
//
// Message is a reusable decode target: Decode() overwrites it. Spans in it
// point into the caller's buffer and are valid as long as that buffer is;
// the BGP PDUs inside (route monitoring UPDATEs, peer-up OPENs, peer-down
// NOTIFICATIONs, mirrored messages) are kept as spans and decoded by the
// caller with bgp::BgpMessage, because their decoding depends on the
// session (4-octet ASNs, ADD-PATH) that route_feed.h keeps. Nothing is read
// past the buffer; every length is checked against its container. Not
// thread-safe.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "core/asn.h"
#include "core/ip.h"
#include "core/status.h"

namespace vigia::bmp {

// RFC 7854 §4.1 message types.
enum MessageType : uint8_t {
  kRouteMonitoring = 0,
  kStatisticsReport = 1,
  kPeerDown = 2,
  kPeerUp = 3,
  kInitiation = 4,
  kTermination = 5,
  kRouteMirroring = 6,
};

// RFC 7854 §4.2 peer types, RFC 9069 §4.1 Loc-RIB.
enum PeerType : uint8_t {
  kGlobalInstance = 0,
  kRdInstance = 1,
  kLocalInstance = 2,
  kLocRibInstance = 3,
};

// Per-peer header flags (RFC 7854 §4.2, RFC 8671 §4, RFC 9069 §4.2).
inline constexpr uint8_t kFlagV = 0x80;  // peer address is IPv6 (peer types 0-2)
inline constexpr uint8_t kFlagL = 0x40;  // post-policy Adj-RIB
inline constexpr uint8_t kFlagA = 0x20;  // legacy 2-octet AS_PATH
inline constexpr uint8_t kFlagO = 0x10;  // Adj-RIB-Out (RFC 8671)
inline constexpr uint8_t kFlagF = 0x80;  // Loc-RIB filtered (RFC 9069, peer type 3)

inline constexpr uint8_t kVersion = 3;
inline constexpr size_t kCommonHeaderSize = 6;
inline constexpr size_t kPerPeerHeaderSize = 42;
// The largest message the reader accepts by default: a BGP message is at
// most 65,535 octets (RFC 8654), a peer up carries two of them plus TLVs.
inline constexpr size_t kDefaultMaxMessage = size_t{1} << 20;
// Caps on what one message may list.
inline constexpr size_t kMaxTlvs = 4096;

// Which RIB a per-peer header's routes belong to.
enum class RibView : uint8_t {
  kAdjRibInPre,    // RFC 7854 L=0
  kAdjRibInPost,   // RFC 7854 L=1
  kAdjRibOutPre,   // RFC 8671 O=1 L=0
  kAdjRibOutPost,  // RFC 8671 O=1 L=1
  kLocRib,         // RFC 9069 peer type 3
};
const char* RibViewName(RibView v);

struct PerPeerHeader {
  uint8_t type = 0;
  uint8_t flags = 0;
  uint64_t distinguisher = 0;  // RFC 7854 §4.2 Peer Distinguisher (an RD for type 1)
  IpAddress address;           // IPv4 when V is clear (the last 4 of 16 octets)
  Asn as = 0;
  IpAddress bgp_id;
  uint32_t seconds = 0;
  uint32_t microseconds = 0;

  bool loc_rib() const { return type == kLocRibInstance; }
  bool ipv6() const { return !loc_rib() && (flags & kFlagV); }
  bool post_policy() const { return !loc_rib() && (flags & kFlagL); }
  bool legacy_as_path() const { return !loc_rib() && (flags & kFlagA); }
  bool adj_rib_out() const { return !loc_rib() && (flags & kFlagO); }
  bool filtered() const { return loc_rib() && (flags & kFlagF); }
  RibView view() const;
};

// A Type-Length-Value of initiation, termination, peer up, peer down,
// route mirroring (2-octet type, 2-octet length) or a statistics report.
struct Tlv {
  uint16_t type = 0;
  std::span<const uint8_t> value;
  std::string_view text() const {
    return {reinterpret_cast<const char*>(value.data()), value.size()};
  }
};

// Information TLV types (RFC 7854 §4.4, RFC 9069 §4.4).
inline constexpr uint16_t kInfoString = 0;
inline constexpr uint16_t kInfoSysDescr = 1;
inline constexpr uint16_t kInfoSysName = 2;
inline constexpr uint16_t kInfoVrfTableName = 3;
// Termination TLV types (RFC 7854 §4.5).
inline constexpr uint16_t kTermString = 0;
inline constexpr uint16_t kTermReason = 1;
// Route mirroring TLV types (RFC 7854 §4.7).
inline constexpr uint16_t kMirrorBgpMessage = 0;
inline constexpr uint16_t kMirrorInformation = 1;

// RFC 7854 §4.9 peer down reasons, RFC 9069 §4.6 reason 6.
enum PeerDownReason : uint8_t {
  kDownLocalNotification = 1,
  kDownLocalNoNotification = 2,
  kDownRemoteNotification = 3,
  kDownRemoteNoNotification = 4,
  kDownDeconfigured = 5,
  kDownLocalSystemClosed = 6,
};

struct PeerUp {
  IpAddress local_address;
  uint16_t local_port = 0;
  uint16_t remote_port = 0;
  std::span<const uint8_t> sent_open;      // whole BGP OPEN, header included
  std::span<const uint8_t> received_open;  // whole BGP OPEN, header included
  std::vector<Tlv> information;
};

struct PeerDown {
  uint8_t reason = 0;
  std::span<const uint8_t> notification;  // reasons 1, 3: the BGP NOTIFICATION
  uint16_t fsm_event = 0;                 // reason 2
  std::vector<Tlv> information;           // reason 6 (RFC 9069): TLVs
  std::span<const uint8_t> data;          // everything after the reason
};

struct Message {
  uint8_t version = 0;
  uint32_t length = 0;
  uint8_t type = 0;
  bool has_peer_header = false;
  PerPeerHeader peer;
  // Route monitoring: the BGP UPDATE, header included.
  std::span<const uint8_t> bgp_update;
  // Statistics report (RFC 7854 §4.8): type and value of each counter.
  std::vector<Tlv> stats;
  PeerUp peer_up;
  PeerDown peer_down;
  // Initiation, termination and route mirroring TLVs, in order.
  std::vector<Tlv> tlvs;

  // Decodes one whole message (common header included); data must be
  // exactly its length. On error the message is partly filled.
  Status Decode(std::span<const uint8_t> data);
  // The value of a statistics counter: 32-bit counter, 64-bit gauge, or the
  // AFI/SAFI gauges of types 9, 10 (RFC 7854 §4.8); 0 when malformed.
  static uint64_t StatValue(const Tlv& t);
};

// The common header's declared length, or 0 when data is too short to
// hold one; used by the stream reader.
uint32_t DeclaredLength(std::span<const uint8_t> data);

}  // namespace vigia::bmp
