// Wire-byte builders shared by the BGP unit tests: attributes, NLRI,
// contexts and a text form of NLRI lists. Test-only; header-only.
#pragma once

#include <gtest/gtest.h>

#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "bgp/path_attributes.h"
#include "core/ip.h"

namespace vigia::bgp::test {

using Bytes = std::vector<uint8_t>;

// The attribute flag combinations (RFC 4271 §4.3).
inline constexpr uint8_t kWellKnown = kFlagTransitive;
inline constexpr uint8_t kOptTrans = kFlagOptional | kFlagTransitive;
inline constexpr uint8_t kOptNonTrans = kFlagOptional;
using Strings = std::vector<std::string>;

inline void Put16(Bytes* b, uint32_t v) {
  b->push_back(static_cast<uint8_t>(v >> 8));
  b->push_back(static_cast<uint8_t>(v));
}
inline void Put32(Bytes* b, uint32_t v) {
  Put16(b, v >> 16);
  Put16(b, v & 0xFFFF);
}
inline Bytes U16(uint32_t v) {
  Bytes b;
  Put16(&b, v);
  return b;
}
inline Bytes U32(uint32_t v) {
  Bytes b;
  Put32(&b, v);
  return b;
}

inline Bytes Cat(std::initializer_list<Bytes> parts) {
  Bytes out;
  for (const Bytes& p : parts) out.insert(out.end(), p.begin(), p.end());
  return out;
}

inline IpAddress Ip(const char* text) {
  auto a = IpAddress::Parse(text);
  EXPECT_TRUE(a.has_value()) << text;
  return a.value_or(IpAddress());
}

// The 4 or 16 network-order octets of an address.
inline Bytes IpBytes(const char* text) {
  IpAddress a = Ip(text);
  return Bytes(a.bytes(), a.bytes() + (a.is_v4() ? 4 : 16));
}

// One path attribute (RFC 4271 §4.3): flags, type, a one-octet length, or a
// two-octet one when the flags carry Extended Length, then the body.
inline Bytes Attr(uint8_t flags, uint8_t type, const Bytes& body) {
  Bytes out = {flags, type};
  if (flags & kFlagExtendedLength) {
    Put16(&out, static_cast<uint32_t>(body.size()));
  } else {
    EXPECT_LE(body.size(), 255u) << "use kFlagExtendedLength";
    out.push_back(static_cast<uint8_t>(body.size()));
  }
  out.insert(out.end(), body.begin(), body.end());
  return out;
}

// A whole BGP message (RFC 4271 §4.1): marker, length, type, then body.
inline Bytes WithHeader(uint8_t type, const Bytes& body) {
  Bytes out(16, 0xFF);
  Put16(&out, static_cast<uint32_t>(19 + body.size()));
  out.push_back(type);
  out.insert(out.end(), body.begin(), body.end());
  return out;
}

// One NLRI entry (RFC 4271 §4.3, RFC 7911 §3 when a path id is given): the
// length octet, then only the octets the length covers.
inline Bytes Nlri(const char* prefix, std::optional<uint32_t> path_id = std::nullopt) {
  auto p = Prefix::Parse(prefix, /*lenient=*/true);
  EXPECT_TRUE(p.has_value()) << prefix;
  Bytes out;
  if (path_id) Put32(&out, *path_id);
  out.push_back(p->length());
  out.insert(out.end(), p->address().bytes(), p->address().bytes() + (p->length() + 7) / 8);
  return out;
}

inline AttrContext Ctx(int as_size = 4, bool add_path = false, bool mrt_rib = false) {
  AttrContext c;
  c.as_size = as_size;
  c.add_path = add_path;
  c.mrt_rib = mrt_rib;
  return c;
}

// An AsPath from {segment type, ASNs} pairs.
inline AsPath MakePath(std::initializer_list<std::pair<uint8_t, std::vector<Asn>>> segments) {
  AsPath p;
  for (const auto& [type, asns] : segments) {
    p.segments.push_back({type, static_cast<uint16_t>(asns.size())});
    p.asns.insert(p.asns.end(), asns.begin(), asns.end());
  }
  return p;
}

// "prefix" or "prefix#path_id" for each entry.
inline Strings Texts(const std::vector<NlriEntry>& list) {
  Strings out;
  for (const NlriEntry& e : list) {
    out.push_back(e.prefix.ToString() +
                  (e.path_id ? "#" + std::to_string(e.path_id) : std::string()));
  }
  return out;
}

}  // namespace vigia::bgp::test
