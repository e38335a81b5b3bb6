// BGP messages (RFC 4271 §4): the header and the UPDATE, OPEN and
// NOTIFICATION bodies that MRT dumps carry.
//
// BgpMessage is a reusable decode target like PathAttributes: Decode()
// overwrites it and keeps vector capacity. Spans point into the caller's
// buffer. Not thread-safe.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "bgp/path_attributes.h"
#include "core/limits.h"
#include "core/status.h"

namespace vigia::bgp {

enum MessageType : uint8_t {
  kMsgOpen = 1,
  kMsgUpdate = 2,
  kMsgNotification = 3,
  kMsgKeepalive = 4,
  kMsgRouteRefresh = 5,  // RFC 2918
};

inline constexpr size_t kHeaderSize = 19;
// kMaxMessageSize (65,535, RFC 8654 extended messages) is in core/limits.h.

struct Update {
  std::vector<NlriEntry> withdrawn;  // IPv4 withdrawn routes
  PathAttributes attrs;
  std::vector<NlriEntry> nlri;  // IPv4 announced routes
};

// Calls emit(list, afi, safi, reach) for each NLRI list of `u` in the
// order they take effect: the withdrawn routes (IPv4 body, then each
// MP_UNREACH_NLRI, RFC 4760 §4) with reach false, then before_reach(),
// then the announced routes (IPv4 body, then each MP_REACH_NLRI, §3) with
// reach true.
template <typename Emit, typename BeforeReach>
void ForEachNlriList(const Update& u, Emit&& emit, BeforeReach&& before_reach) {
  const PathAttributes& a = u.attrs;
  emit(u.withdrawn, kAfiIpv4, kSafiUnicast, false);
  for (size_t i = 0; i < a.mp_unreach_count; ++i) {
    emit(a.mp_unreach[i].nlri, a.mp_unreach[i].afi, a.mp_unreach[i].safi, false);
  }
  before_reach();
  emit(u.nlri, kAfiIpv4, kSafiUnicast, true);
  for (size_t i = 0; i < a.mp_reach_count; ++i) {
    emit(a.mp_reach[i].nlri, a.mp_reach[i].afi, a.mp_reach[i].safi, true);
  }
}

struct Open {
  uint8_t version = 0;
  uint16_t my_as = 0;
  uint16_t hold_time = 0;
  IpAddress bgp_id;
  std::span<const uint8_t> optional_parameters;
};

struct Notification {
  uint8_t code = 0;
  uint8_t subcode = 0;
  std::span<const uint8_t> data;
};

class BgpMessage {
 public:
  // Decodes a whole message, header included. as_size and add_path describe
  // the session (from the MRT subtype).
  Status Decode(std::span<const uint8_t> data, const AttrContext& ctx);
  // Decodes an UPDATE body without the 19-octet header (MRT type 5 records).
  Status DecodeUpdateBody(std::span<const uint8_t> body, const AttrContext& ctx);

  uint8_t type = 0;
  uint16_t length = 0;  // from the header
  Update update;
  Open open;
  Notification notification;
  std::span<const uint8_t> body;  // everything after the header
  // Set when the message was decoded with a repair; empty otherwise.
  std::string warning;
  // NLRI carried RFC 7911 path identifiers although the context said not.
  bool add_path_detected = false;
};

}  // namespace vigia::bgp
