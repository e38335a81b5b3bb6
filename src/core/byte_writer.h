// Appending octets in network order to a byte vector: the writing side of
// ByteReader, for the BGP and MRT encoders. Free functions over a
// caller-owned vector; no state.
#pragma once

#include <cstdint>
#include <vector>

#include "core/ip.h"

namespace vigia {

inline void Put8(std::vector<uint8_t>* o, uint8_t v) { o->push_back(v); }
inline void Put16(std::vector<uint8_t>* o, uint16_t v) {
  o->push_back(static_cast<uint8_t>(v >> 8));
  o->push_back(static_cast<uint8_t>(v));
}
inline void Put32(std::vector<uint8_t>* o, uint32_t v) {
  Put16(o, static_cast<uint16_t>(v >> 16));
  Put16(o, static_cast<uint16_t>(v));
}
// 4 octets for IPv4, 16 for IPv6.
inline void PutAddr(std::vector<uint8_t>* o, const IpAddress& a) {
  o->insert(o->end(), a.bytes(), a.bytes() + (a.is_v4() ? 4 : 16));
}

}  // namespace vigia
