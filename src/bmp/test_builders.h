// Wire-byte builders for the BMP tests (bmp, station, collect): the common
// header (RFC 7854 §4.1) and a global-instance per-peer header (§4.2).
// Test-only; header-only. BGP messages: bgp/test_builders.h.
#pragma once

#include <cstdint>

#include "bgp/test_builders.h"
#include "bmp/message.h"

namespace vigia::bmp::test {

using bgp::test::Bytes;

// RFC 7854 §4.1 common header around body.
inline Bytes Msg(uint8_t type, const Bytes& body) {
  Bytes out = {kVersion};
  bgp::test::Put32(&out, static_cast<uint32_t>(kCommonHeaderSize + body.size()));
  out.push_back(type);
  out.insert(out.end(), body.begin(), body.end());
  return out;
}

// RFC 7854 §4.2 per-peer header: global instance, no flags, the IPv4 peer
// `address` (also its BGP identifier) in AS `as`, at 1700000000.000000.
inline Bytes PeerHeader(const char* address, uint32_t as) {
  using bgp::test::Cat;
  using bgp::test::IpBytes;
  using bgp::test::U32;
  return Cat({Bytes{kGlobalInstance, 0}, U32(0), U32(0), Bytes(12, 0), IpBytes(address), U32(as),
              IpBytes(address), U32(1700000000), U32(0)});
}

}  // namespace vigia::bmp::test
