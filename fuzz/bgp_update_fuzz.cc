// Fuzz target for the BGP decoders and encoders.
//
// The first byte chooses the attribute context (bit 0: 4-octet ASNs, bit 1:
// ADD-PATH, bit 2: MRT RIB form); the rest is decoded three ways, as a whole
// message, as an UPDATE body and as a bare path attribute block, so a seed
// of any of the three shapes is useful. Whatever decodes is printed
// (AsPath::ToString), encoded (EncodeUpdate, EncodeAttributes) and decoded
// again.
//
// Round trip: when the first decode needed no repair (no warning, no
// ADD-PATH guessing, well-formed next hop lengths) and the encoding decodes,
// encoding that second value must give the same bytes again. The first
// encoding may differ from the input (attributes are reordered, SNPAs and
// AS4_PATH dropped), but after one pass the encoding must be a fixed point.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <span>
#include <vector>

#include "bgp/encode.h"
#include "bgp/message.h"
#include "bgp/path_attributes.h"

namespace {

using vigia::bgp::AttrContext;
using vigia::bgp::BgpMessage;
using vigia::bgp::PathAttributes;

[[noreturn]] void Fail(const char* what, const std::vector<uint8_t>& first,
                       const std::vector<uint8_t>& second) {
  size_t at = 0;
  while (at < first.size() && at < second.size() && first[at] == second[at]) ++at;
  std::fprintf(stderr,
               "%s: encoding is not a fixed point (%zu bytes, then %zu bytes, first difference at "
               "byte %zu)\n",
               what, first.size(), second.size(), at);
  std::abort();
}

// The encoder writes next_hop_length as given but the address at its own
// width, so only the lengths that mean an address round-trip.
bool NextHopsEncodable(const PathAttributes& a) {
  for (size_t i = 0; i < a.mp_reach_count; ++i) {
    const uint8_t n = a.mp_reach[i].next_hop_length;
    if (n != 0 && n != 4 && n != 16 && n != 32) return false;
  }
  return true;
}

// Decoded without repair and without an RFC 7606 action (a discarded or
// malformed attribute is not written back as it came).
bool Clean(const PathAttributes& a) {
  return a.warning.empty() && !a.add_path_detected && a.errors().empty() && NextHopsEncodable(a);
}

// Touches everything that prints or summarises a path.
size_t Describe(const PathAttributes& a) {
  return a.as_path.ToString().size() + a.as4_path.ToString().size() + a.as_path.HopCount() +
         a.as_path.Origin();
}

void CheckAttributes(const PathAttributes& a, const AttrContext& ctx) {
  (void)Describe(a);
  std::vector<uint8_t> first;
  vigia::bgp::EncodeAttributes(a, ctx, &first);
  PathAttributes again;
  if (!again.Decode(first, ctx).ok()) return;
  (void)Describe(again);
  if (!Clean(a) || !Clean(again)) return;
  std::vector<uint8_t> second;
  vigia::bgp::EncodeAttributes(again, ctx, &second);
  if (first != second) Fail("EncodeAttributes", first, second);
}

void CheckUpdate(const BgpMessage& m, const AttrContext& ctx) {
  (void)Describe(m.update.attrs);
  std::vector<uint8_t> first;
  vigia::bgp::EncodeUpdate(m.update, ctx, &first);
  BgpMessage again;
  if (!again.Decode(first, ctx).ok()) return;
  if (again.type == vigia::bgp::kMsgUpdate) (void)Describe(again.update.attrs);
  if (first.size() > vigia::bgp::kMaxMessageSize) return;  // the length field wrapped
  if (!m.warning.empty() || m.add_path_detected || !Clean(m.update.attrs)) return;
  if (!again.warning.empty() || again.add_path_detected || !Clean(again.update.attrs)) return;
  std::vector<uint8_t> second;
  vigia::bgp::EncodeUpdate(again.update, ctx, &second);
  if (first != second) Fail("EncodeUpdate", first, second);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  AttrContext ctx;
  ctx.as_size = (data[0] & 1) ? 4 : 2;
  ctx.add_path = (data[0] & 2) != 0;
  ctx.mrt_rib = (data[0] & 4) != 0;
  const std::span<const uint8_t> rest(data + 1, size - 1);

  // One message object for both calls: the decoders promise to reuse a
  // target, so the second decode must not trip over the first one's state.
  BgpMessage msg;
  if (msg.Decode(rest, ctx).ok() && msg.type == vigia::bgp::kMsgUpdate) CheckUpdate(msg, ctx);
  if (msg.DecodeUpdateBody(rest, ctx).ok()) CheckUpdate(msg, ctx);

  PathAttributes attrs;
  if (attrs.Decode(rest, ctx).ok()) CheckAttributes(attrs, ctx);
  return 0;
}
