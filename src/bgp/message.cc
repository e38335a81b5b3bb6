#include "bgp/message.h"

#include <fmt/format.h>

#include "core/byte_reader.h"

namespace vigia::bgp {

Status BgpMessage::DecodeUpdateBody(std::span<const uint8_t> data, const AttrContext& ctx) {
  type = kMsgUpdate;
  body = data;
  warning.clear();
  add_path_detected = false;
  update.withdrawn.clear();
  update.nlri.clear();
  ByteReader r(data);
  uint16_t wlen, alen;
  std::span<const uint8_t> withdrawn, attrs;
  if (!r.U16(&wlen)) return Status::Corrupt("RFC 4271 §4.3: withdrawn routes length missing");
  if (!r.Span(wlen, &withdrawn)) {
    return Status::Corrupt(
        fmt::format("RFC 4271 §4.3: withdrawn routes length {} exceeds the {} bytes left", wlen,
                    r.remaining()));
  }
  if (!r.U16(&alen)) return Status::Corrupt("RFC 4271 §4.3: path attribute length missing");
  if (!r.Span(alen, &attrs)) {
    return Status::Corrupt(fmt::format(
        "RFC 4271 §4.3: path attribute length {} exceeds the {} bytes left", alen, r.remaining()));
  }
  AttrContext v4 = ctx;
  v4.mrt_rib = false;
  warning.clear();
  // RFC 7911 path identifiers are announced per AFI/SAFI in OPEN, which an
  // MRT dump does not carry; writers such as BIRD use them without the
  // *_ADDPATH subtype. When the plain reading fails and the ADD-PATH reading
  // succeeds, the latter is taken and a warning says so.
  auto nlri = [&](std::span<const uint8_t> in, std::vector<NlriEntry>* out,
                  const char* what) -> Status {
    Status s = DecodeNlri(in, Family::kIpv4, v4.add_path, out);
    if (!s.ok() && !v4.add_path) {
      std::vector<NlriEntry> alt;
      if (DecodeNlri(in, Family::kIpv4, true, &alt).ok()) {
        out->swap(alt);
        v4.add_path = true;
        warning = std::string(what) + " decoded with RFC 7911 path identifiers (" + s.message() +
                  " without them)";
        return Status::Ok();
      }
    }
    if (s.code() == StatusCode::kTruncated) {
      // The complete prefixes before a cut one are kept, as bgpdump does.
      warning = std::string(what) + ": " + s.message() + "; the prefixes before it are kept";
      return Status::Ok();
    }
    if (!s.ok()) return Status(s.code(), std::string(what) + ": " + s.message());
    return s;
  };
  if (Status s = nlri(withdrawn, &update.withdrawn, "withdrawn routes"); !s.ok()) return s;
  // RFC 7606: a malformed attribute is discarded or makes the UPDATE
  // treat-as-withdraw (update.attrs.withdrawn()); either way the NLRI are
  // still read, so that the prefixes it names can be withdrawn.
  (void)update.attrs.Decode(attrs, v4);
  if (update.attrs.add_path_detected) v4.add_path = true;
  if (!update.attrs.warning.empty()) warning = update.attrs.warning;
  if (Status s = nlri(r.Rest(), &update.nlri, "NLRI"); !s.ok()) return s;
  add_path_detected = v4.add_path && !ctx.add_path;
  return Status::Ok();
}

Status BgpMessage::Decode(std::span<const uint8_t> data, const AttrContext& ctx) {
  ByteReader r(data);
  for (int i = 0; i < 16; ++i) {
    uint8_t m;
    if (!r.U8(&m)) return Status::Corrupt("RFC 4271 §4.1: message header truncated");
    if (m != 0xFF) return Status::Corrupt("RFC 4271 §4.1: marker is not all ones");
  }
  if (!r.U16(&length) || !r.U8(&type)) {
    return Status::Corrupt("RFC 4271 §4.1: message header truncated");
  }
  if (length < kHeaderSize) {
    return Status::Corrupt(fmt::format("RFC 4271 §4.1: message length {} is below 19", length));
  }
  if (length > data.size()) {
    return Status::Truncated(
        fmt::format("RFC 4271 §4.1: message length {} exceeds the {} bytes in the record", length,
                    data.size()));
  }
  std::span<const uint8_t> b = data.subspan(kHeaderSize, length - kHeaderSize);
  body = b;
  switch (type) {
    case kMsgUpdate:
      return DecodeUpdateBody(b, ctx);
    case kMsgOpen: {
      ByteReader o(b);
      uint32_t id;
      uint8_t opt_len;
      if (!o.U8(&open.version) || !o.U16(&open.my_as) || !o.U16(&open.hold_time) || !o.U32(&id) ||
          !o.U8(&opt_len) || !o.Span(opt_len, &open.optional_parameters)) {
        return Status::Corrupt("RFC 4271 §4.2: OPEN message truncated");
      }
      open.bgp_id = IpAddress::V4(id);
      return Status::Ok();
    }
    case kMsgNotification: {
      ByteReader o(b);
      if (!o.U8(&notification.code) || !o.U8(&notification.subcode)) {
        return Status::Corrupt("RFC 4271 §4.5: NOTIFICATION message truncated");
      }
      notification.data = o.Rest();
      return Status::Ok();
    }
    case kMsgKeepalive:
    case kMsgRouteRefresh:
      return Status::Ok();
    default:
      return Status::Unsupported(fmt::format("RFC 4271 §4.1: unknown message type {}", type));
  }
}

}  // namespace vigia::bgp
