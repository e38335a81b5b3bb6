#include "bgp/encode.h"

#include "bgp/attr_table.h"
#include "core/byte_writer.h"

namespace vigia::bgp {

void EncodeNlri(const std::vector<NlriEntry>& list, bool add_path, std::vector<uint8_t>* out) {
  for (const NlriEntry& n : list) {
    if (add_path) Put32(out, n.path_id);
    Put8(out, n.prefix.length());
    const uint8_t* b = n.prefix.address().bytes();
    out->insert(out->end(), b, b + (n.prefix.length() + 7) / 8);
  }
}

void EncodeLabeledNlri(const std::vector<NlriEntry>& list, bool vpn, bool add_path,
                       std::vector<uint8_t>* out) {
  for (const NlriEntry& n : list) {
    if (add_path) Put32(out, n.path_id);
    const size_t labels = n.label_count ? n.label_count : 1;
    Put8(out, static_cast<uint8_t>(labels * 24 + (vpn ? 64 : 0) + n.prefix.length()));
    for (size_t i = 0; i < labels; ++i) {
      const uint32_t v = (n.label_count ? n.labels[i] << 4 : 0) | (i + 1 == labels ? 1 : 0);
      Put8(out, static_cast<uint8_t>(v >> 16));
      Put8(out, static_cast<uint8_t>(v >> 8));
      Put8(out, static_cast<uint8_t>(v));
    }
    if (vpn) {
      for (int s = 56; s >= 0; s -= 8) Put8(out, static_cast<uint8_t>(n.rd >> s));
    }
    const uint8_t* b = n.prefix.address().bytes();
    out->insert(out->end(), b, b + (n.prefix.length() + 7) / 8);
  }
}

void EncodeAttributes(const PathAttributes& a, const AttrContext& ctx, std::vector<uint8_t>* out) {
  for (int type = 1; type < 256; ++type) {
    const AttrSpec& spec = AttrSpecFor(static_cast<uint8_t>(type));
    if (!spec.encode) continue;
    // MP blocks are written from their lists, which builders fill without
    // always marking the attribute present.
    const bool present = a.Has(static_cast<uint8_t>(type)) ||
                         (type == kAttrMpReach && a.mp_reach_count) ||
                         (type == kAttrMpUnreach && a.mp_unreach_count);
    if (present) spec.encode(a, ctx, out);
  }
  for (const RawAttribute& r : a.unknown) {
    AppendAttribute(r.flags & ~kFlagExtendedLength, r.type, r.data, out);
  }
}

void EncodeUpdate(const Update& u, const AttrContext& ctx, std::vector<uint8_t>* out) {
  const size_t start = out->size();
  out->insert(out->end(), 16, 0xFF);
  Put16(out, 0);  // length, patched below
  Put8(out, kMsgUpdate);
  std::vector<uint8_t> part;
  EncodeNlri(u.withdrawn, ctx.add_path, &part);
  Put16(out, static_cast<uint16_t>(part.size()));
  out->insert(out->end(), part.begin(), part.end());
  part.clear();
  AttrContext c = ctx;
  c.mrt_rib = false;
  EncodeAttributes(u.attrs, c, &part);
  Put16(out, static_cast<uint16_t>(part.size()));
  out->insert(out->end(), part.begin(), part.end());
  EncodeNlri(u.nlri, ctx.add_path, out);
  const size_t len = out->size() - start;
  (*out)[start + 16] = static_cast<uint8_t>(len >> 8);
  (*out)[start + 17] = static_cast<uint8_t>(len);
}

}  // namespace vigia::bgp
