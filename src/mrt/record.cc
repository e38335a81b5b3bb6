#include "mrt/record.h"

namespace vigia::mrt {

bool IsKnownType(uint16_t type) {
  switch (type) {
    case kTypeBgp:
    case kTypeOspfV2:
    case kTypeTableDump:
    case kTypeTableDumpV2:
    case kTypeBgp4mp:
    case kTypeBgp4mpEt:
    case kTypeIsis:
    case kTypeIsisEt:
    case kTypeOspfV3:
    case kTypeOspfV3Et:
      return true;
    default:
      return false;
  }
}

std::string_view TypeName(uint16_t type) {
  switch (type) {
    case kTypeBgp:
      return "BGP";
    case kTypeOspfV2:
      return "OSPFv2";
    case kTypeTableDump:
      return "TABLE_DUMP";
    case kTypeTableDumpV2:
      return "TABLE_DUMP_V2";
    case kTypeBgp4mp:
      return "BGP4MP";
    case kTypeBgp4mpEt:
      return "BGP4MP_ET";
    case kTypeIsis:
      return "ISIS";
    case kTypeIsisEt:
      return "ISIS_ET";
    case kTypeOspfV3:
      return "OSPFv3";
    case kTypeOspfV3Et:
      return "OSPFv3_ET";
    default:
      return "UNKNOWN";
  }
}

std::string_view SubtypeName(uint16_t type, uint16_t subtype) {
  switch (type) {
    case kTypeTableDump:
      switch (subtype) {
        case 1:
          return "AFI_IPv4";
        case 2:
          return "AFI_IPv6";
        case 3:
          return "AFI_IPv4_32BIT_AS";
        case 4:
          return "AFI_IPv6_32BIT_AS";
      }
      break;
    case kTypeTableDumpV2:
      switch (subtype) {
        case kPeerIndexTable:
          return "PEER_INDEX_TABLE";
        case kRibIpv4Unicast:
          return "RIB_IPV4_UNICAST";
        case kRibIpv4Multicast:
          return "RIB_IPV4_MULTICAST";
        case kRibIpv6Unicast:
          return "RIB_IPV6_UNICAST";
        case kRibIpv6Multicast:
          return "RIB_IPV6_MULTICAST";
        case kRibGeneric:
          return "RIB_GENERIC";
        case kRibIpv4UnicastAddPath:
          return "RIB_IPV4_UNICAST_ADDPATH";
        case kRibIpv4MulticastAddPath:
          return "RIB_IPV4_MULTICAST_ADDPATH";
        case kRibIpv6UnicastAddPath:
          return "RIB_IPV6_UNICAST_ADDPATH";
        case kRibIpv6MulticastAddPath:
          return "RIB_IPV6_MULTICAST_ADDPATH";
        case kRibGenericAddPath:
          return "RIB_GENERIC_ADDPATH";
      }
      break;
    case kTypeBgp4mp:
    case kTypeBgp4mpEt:
      switch (subtype) {
        case kStateChange:
          return "STATE_CHANGE";
        case kMessage:
          return "MESSAGE";
        case kEntry:
          return "ENTRY";
        case kSnapshot:
          return "SNAPSHOT";
        case kMessageAs4:
          return "MESSAGE_AS4";
        case kStateChangeAs4:
          return "STATE_CHANGE_AS4";
        case kMessageLocal:
          return "MESSAGE_LOCAL";
        case kMessageAs4Local:
          return "MESSAGE_AS4_LOCAL";
        case kMessageAddPath:
          return "MESSAGE_ADDPATH";
        case kMessageAs4AddPath:
          return "MESSAGE_AS4_ADDPATH";
        case kMessageLocalAddPath:
          return "MESSAGE_LOCAL_ADDPATH";
        case kMessageAs4LocalAddPath:
          return "MESSAGE_AS4_LOCAL_ADDPATH";
      }
      break;
    case kTypeBgp:
      switch (subtype) {
        case kBgpNull:
          return "NULL";
        case kBgpUpdate:
          return "UPDATE";
        case kBgpPrefUpdate:
          return "PREF_UPDATE";
        case kBgpStateChange:
          return "STATE_CHANGE";
        case kBgpSync:
          return "SYNC";
        case kBgpOpen:
          return "OPEN";
        case kBgpNotify:
          return "NOTIFY";
        case kBgpKeepalive:
          return "KEEPALIVE";
      }
      break;
  }
  return "UNKNOWN";
}

}  // namespace vigia::mrt
