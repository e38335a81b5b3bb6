// Encoders for BGP path attributes and UPDATE messages: the inverse of
// PathAttributes::Decode and BgpMessage::Decode, for the MRT writer.
//
// Output is appended to a caller-owned byte vector. Stateless functions;
// thread-safe.
#pragma once

#include <cstdint>
#include <vector>

#include "bgp/message.h"
#include "bgp/path_attributes.h"

namespace vigia::bgp {

// Appends the attribute block (without its length field). Attributes are
// written in type order; MP_REACH in RIB form (ctx.mrt_rib) carries only
// the next hop, per RFC 6396 §4.3.4. AS_PATH is written with ctx.as_size
// octets per AS; AS4_PATH is not written.
void EncodeAttributes(const PathAttributes& a, const AttrContext& ctx, std::vector<uint8_t>* out);

// Appends an NLRI list (RFC 4271 §4.3, RFC 7911 §3 with add_path).
void EncodeNlri(const std::vector<NlriEntry>& list, bool add_path, std::vector<uint8_t>* out);

// Appends a labeled NLRI list (RFC 8277 §2; RFC 4364 §4.3.4 with vpn):
// each entry's labels (bottom-of-stack bit on the last; one label 0 when it
// has none) and, with vpn, its route distinguisher before the prefix.
void EncodeLabeledNlri(const std::vector<NlriEntry>& list, bool vpn, bool add_path,
                       std::vector<uint8_t>* out);

// Appends a whole UPDATE message, header included (RFC 4271 §4.3).
void EncodeUpdate(const Update& u, const AttrContext& ctx, std::vector<uint8_t>* out);

}  // namespace vigia::bgp
