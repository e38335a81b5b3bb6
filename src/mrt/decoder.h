// Decoder: turns MRT records into typed entries (RFC 6396 §4, RFC 8050).
//
// One Decoder follows one file: it keeps the TABLE_DUMP_V2 PEER_INDEX_TABLE
// that later RIB records refer to. Decode() overwrites the entry of the
// previous call and reuses its storage, so a full table decodes with almost
// no allocation. Spans inside entries point into the record's buffer and
// are valid until the reader's next call. Not thread-safe.
#pragma once

#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <vector>

#include "bgp/message.h"
#include "bgp/path_attributes.h"
#include "core/asn.h"
#include "core/ip.h"
#include "core/limits.h"
#include "core/status.h"
#include "mrt/record.h"

namespace vigia::mrt {

enum class EntryKind {
  kNone,
  kPeerIndexTable,     // TABLE_DUMP_V2 PEER_INDEX_TABLE
  kRib,                // TABLE_DUMP_V2 RIB_* (AFI/SAFI-specific and GENERIC)
  kTableDump,          // TABLE_DUMP (v1), one or more entries
  kBgp4mpMessage,      // BGP4MP(_ET) MESSAGE*
  kBgp4mpStateChange,  // BGP4MP(_ET) STATE_CHANGE*
  kBgpMessage,         // deprecated MRTd BGP UPDATE/KEEPALIVE/OPEN/NOTIFY
  kBgpStateChange,     // deprecated MRTd BGP STATE_CHANGE
  kOther,              // a known type we do not decode (OSPF, IS-IS, ...)
};

struct PeerEntry {
  uint8_t peer_type = 0;  // RFC 6396 §4.3.1: bit 0 IPv6, bit 1 AS4
  IpAddress bgp_id;
  IpAddress ip;
  Asn asn = 0;
};

struct PeerIndexTable {
  IpAddress collector_id;
  std::string view_name;
  std::vector<PeerEntry> peers;
};

struct RibEntry {
  uint16_t peer_index = 0;
  uint32_t originated_time = 0;
  uint32_t path_id = 0;
  bgp::PathAttributes attrs;
};

struct Rib {
  uint16_t subtype = 0;
  uint32_t sequence = 0;
  uint16_t afi = 0;
  uint8_t safi = 0;
  bool add_path = false;
  bool prefix_decoded = false;  // false for RIB_GENERIC of other AFI/SAFI
  Prefix prefix;
  std::span<const uint8_t> raw_nlri;  // RIB_GENERIC NLRI as encoded
  size_t entry_count = 0;
  std::vector<RibEntry> entries;  // only [0, entry_count) are valid
};

struct TableDumpEntry {
  uint16_t view = 0;
  uint16_t sequence = 0;
  Prefix prefix;
  uint8_t status = 0;
  uint32_t originated_time = 0;
  IpAddress peer_ip;
  Asn peer_as = 0;
  bgp::PathAttributes attrs;
};

struct TableDump {
  uint16_t subtype = 0;
  size_t entry_count = 0;
  std::vector<TableDumpEntry> entries;  // more than one only in batched legacy files
};

// BGP4MP_MESSAGE* and the deprecated BGP records share this shape.
struct Bgp4mpMessage {
  uint16_t subtype = 0;
  Asn peer_as = 0;
  Asn local_as = 0;
  uint16_t interface_index = 0;
  uint16_t afi = 0;
  IpAddress peer_ip;
  IpAddress local_ip;
  bool as4 = false;
  bool local = false;  // sent by the collector, not received
  bool add_path = false;
  bgp::BgpMessage message;
};

struct StateChange {
  uint16_t subtype = 0;
  Asn peer_as = 0;
  Asn local_as = 0;
  uint16_t interface_index = 0;
  uint16_t afi = 0;
  IpAddress peer_ip;
  IpAddress local_ip;
  uint16_t old_state = 0;
  uint16_t new_state = 0;
};

class Decoder {
 public:
  // Decodes rec. On error the entry is unusable (kind() is kNone) and the
  // Status says which rule was broken; the caller reports it with the
  // record's offset and goes on with the next record.
  Status Decode(const Record& rec);

  EntryKind kind() const { return kind_; }
  // Non-empty when the record decoded only after a repair (a cut NLRI
  // tail, undeclared ADD-PATH); the entry is usable.
  const std::string& warning() const { return warning_; }
  // Some route of this record had an RFC 7606 action (see
  // ForEachRouteProblem); false for almost every record, checked first.
  bool has_route_problems() const { return route_problems_; }
  const Record& record() const { return rec_; }
  const PeerIndexTable& peer_index() const { return peer_index_; }
  bool has_peer_index() const { return has_peer_index_; }
  const Rib& rib() const { return rib_; }
  const TableDump& table_dump() const { return table_dump_; }
  const Bgp4mpMessage& bgp4mp() const { return bgp4mp_; }
  const StateChange& state_change() const { return state_change_; }

 private:
  Status DecodeTableDump(const Record& rec);
  Status DecodePeerIndex(const Record& rec);
  Status DecodeRib(const Record& rec);
  Status DecodeBgp4mp(const Record& rec);
  Status DecodeBgp4mpMessage(const Record& rec);
  Status DecodeStateChange(const Record& rec);
  Status DecodeLegacyBgp(const Record& rec);

  EntryKind kind_ = EntryKind::kNone;
  std::string warning_;
  bool route_problems_ = false;
  Record rec_;
  PeerIndexTable peer_index_;
  bool has_peer_index_ = false;
  Rib rib_;
  TableDump table_dump_;
  Bgp4mpMessage bgp4mp_;
  StateChange state_change_;
};

// One RFC 7606 action taken on a route of the record a Decoder holds: which
// peer's route, for which prefixes, and the action with its rule. The
// pointers are valid until the decoder's next Decode().
struct RouteProblem {
  const bgp::AttrError* error = nullptr;
  const bgp::PathAttributes* attrs = nullptr;  // the route's attributes
  IpAddress peer_ip;
  Asn peer_as = 0;
  std::string routes;  // "10.0.0.0/8", "2 prefixes from 10.0.0.0/8", "no prefix"
  // "peer 192.0.2.9 AS65000, 10.0.0.0/8: RFC 7606 §7.7 attribute discard: ..."
  std::string ToString() const;
};

// Calls f for every RFC 7606 action taken while decoding the current
// record (RIB and TABLE_DUMP entries, BGP4MP and MRTd UPDATEs).
void ForEachRouteProblem(const Decoder& d, const std::function<void(const RouteProblem&)>& f);

// The prefix of a TABLE_DUMP_V2 RIB record of one AFI/SAFI (RIB_IPV4_UNICAST
// and the like, RFC 6396 §4.3.2, and their RFC 8050 ADD-PATH forms), read
// without decoding the record's entries: the prefix follows the 4-octet
// sequence number. The same prefix Decoder::Decode() gives. False for any
// other record (RIB_GENERIC included) and for one whose prefix does not
// decode.
bool PeekRibPrefix(const Record& rec, Prefix* out);

// kMaxPeers and kMaxRibEntries, the caps on counts that come from input,
// are in core/limits.h.

}  // namespace vigia::mrt
