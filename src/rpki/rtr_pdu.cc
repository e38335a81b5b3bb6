#include "rpki/rtr_pdu.h"

#include <fmt/format.h>

#include <algorithm>

#include "core/byte_reader.h"
#include "core/byte_writer.h"
#include "core/printable.h"

namespace vigia::rpki::rtr {

std::string PduTypeName(uint8_t type) {
  switch (type) {
    case 0:
      return "Serial Notify";
    case 1:
      return "Serial Query";
    case 2:
      return "Reset Query";
    case 3:
      return "Cache Response";
    case 4:
      return "IPv4 Prefix";
    case 6:
      return "IPv6 Prefix";
    case 7:
      return "End of Data";
    case 8:
      return "Cache Reset";
    case 9:
      return "Router Key";
    case 10:
      return "Error Report";
    case 11:
      return "ASPA";
    default:
      return fmt::format("type {}", type);
  }
}

std::string ErrorCodeName(uint16_t code) {
  switch (code) {
    case 0:
      return "Corrupt Data";
    case 1:
      return "Internal Error";
    case 2:
      return "No Data Available";
    case 3:
      return "Invalid Request";
    case 4:
      return "Unsupported Protocol Version";
    case 5:
      return "Unsupported PDU Type";
    case 6:
      return "Withdrawal of Unknown Record";
    case 7:
      return "Duplicate Announcement Received";
    case 8:
      return "Unexpected Protocol Version";
    default:
      return fmt::format("error code {}", code);
  }
}

namespace {

// The fixed length of each fixed-size PDU type (RFC 8210 §5), 0 for the
// variable ones.
uint32_t FixedLength(PduType t, uint8_t version) {
  switch (t) {
    case PduType::kSerialNotify:
    case PduType::kSerialQuery:
      return 12;
    case PduType::kResetQuery:
    case PduType::kCacheResponse:
    case PduType::kCacheReset:
      return 8;
    case PduType::kIpv4Prefix:
      return 20;
    case PduType::kIpv6Prefix:
      return 32;
    // RFC 6810 §5.8 (version 0) has no timers; RFC 8210 §5.8 adds three.
    case PduType::kEndOfData:
      return version == 0 ? 12 : 24;
    default:
      return 0;
  }
}

Status Bad(const Pdu& p, size_t offset, std::string_view rule, std::string_view what) {
  return Status::Corrupt(fmt::format("{}: {} PDU {} (offset {})", rule,
                                     PduTypeName(static_cast<uint8_t>(p.type)), what, offset));
}

// Prefix PDUs, RFC 8210 §5.6 (IPv4) and §5.7 (IPv6).
Status DecodePrefix(ByteReader& r, Family fam, Pdu* p) {
  uint8_t len = 0, max = 0, zero = 0;
  uint8_t addr[16] = {};
  const size_t width = fam == Family::kIpv4 ? 4 : 16;
  if (!r.U8(&p->flags) || !r.U8(&len) || !r.U8(&max) || !r.U8(&zero) || !r.Copy(addr, width) ||
      !r.U32(&p->asn)) {
    return Bad(*p, r.position(), "RFC 8210 §5.6", "is truncated");
  }
  p->announce = p->flags & 1;
  const int bits = fam == Family::kIpv4 ? 32 : 128;
  if (len > bits) {
    return Bad(*p, 9, "RFC 8210 §5.6", fmt::format("has prefix length {} > {}", len, bits));
  }
  if (max > bits || max < len) {
    return Bad(*p, 10, "RFC 8210 §5.6",
               fmt::format("has max length {} outside [{}, {}]", max, len, bits));
  }
  p->prefix = Prefix(IpAddress::FromBytes(fam, addr), len);
  if (p->prefix.HasHostBits()) {
    return Bad(
        *p, 12, "RFC 8210 §5.6",
        fmt::format("has address bits set beyond /{}: {}", len, p->prefix.address().ToString()));
  }
  p->max_length = max;
  return Status::Ok();
}

}  // namespace

Status DecodePdu(std::span<const uint8_t> bytes, Pdu* p, ErrorCode* report) {
  ErrorCode dummy;
  if (!report) report = &dummy;
  *report = ErrorCode::kCorruptData;
  ByteReader r(bytes);
  uint8_t type = 0;
  uint32_t length = 0;
  if (!r.U8(&p->version) || !r.U8(&type) || !r.U16(&p->session_id) || !r.U32(&length)) {
    return Status::Truncated(
        fmt::format("RFC 8210 §5.1: {} octets, shorter than the 8-octet header", bytes.size()));
  }
  p->type = static_cast<PduType>(type);
  if (length != bytes.size()) {
    return Status::Corrupt(
        fmt::format("RFC 8210 §5.1: {} PDU length field says {}, PDU has {} octets (offset 4)",
                    PduTypeName(type), length, bytes.size()));
  }
  if (length > kMaxPduLength) {
    return Status::LimitExceeded(fmt::format("{} PDU of {} octets exceeds the {}-octet cap",
                                             PduTypeName(type), length, kMaxPduLength));
  }
  // RFC 8210 §7: a version we do not speak is answered with error 4.
  if (p->version > kMaxVersion) {
    *report = ErrorCode::kUnsupportedProtocolVersion;
    return Status::Unsupported(
        fmt::format("RFC 8210 §7: protocol version {} (offset 0); this client speaks 0 to {}",
                    p->version, kMaxVersion));
  }
  const bool known = type <= 11 && type != 5;
  // Router Keys arrived with version 1 (RFC 8210 §5.10), ASPA with 2.
  const bool in_version =
      known && !(type == 9 && p->version < 1) && !(type == 11 && p->version < 2);
  if (!in_version) {
    *report = ErrorCode::kUnsupportedPduType;
    return Status::Unsupported(fmt::format("RFC 8210 §5: PDU type {} ({}) in protocol version {}",
                                           type, known ? PduTypeName(type) : "unknown",
                                           p->version));
  }
  const uint32_t fixed = FixedLength(p->type, p->version);
  if (fixed != 0 && length != fixed) {
    return Bad(*p, 4, "RFC 8210 §5", fmt::format("has length {}, must be {}", length, fixed));
  }
  p->announce = false;
  p->flags = 0;
  switch (p->type) {
    case PduType::kSerialNotify:
    case PduType::kSerialQuery:
      (void)r.U32(&p->serial);  // length checked above
      return Status::Ok();
    case PduType::kResetQuery:
    case PduType::kCacheResponse:
    case PduType::kCacheReset:
      return Status::Ok();
    case PduType::kIpv4Prefix:
      return DecodePrefix(r, Family::kIpv4, p);
    case PduType::kIpv6Prefix:
      return DecodePrefix(r, Family::kIpv6, p);
    case PduType::kEndOfData:
      (void)r.U32(&p->serial);
      if (p->version == 0) {
        p->refresh = kDefaultRefresh;
        p->retry = kDefaultRetry;
        p->expire = kDefaultExpire;
      } else {
        (void)r.U32(&p->refresh);
        (void)r.U32(&p->retry);
        (void)r.U32(&p->expire);
      }
      return Status::Ok();
    case PduType::kRouterKey: {
      // RFC 8210 §5.10: flags in the first octet of the session field,
      // then the 20-octet SKI, the AS and the SPKI.
      p->flags = static_cast<uint8_t>(p->session_id >> 8);
      p->announce = p->flags & 1;
      if (length < 8 + 20 + 4 + 1) {
        return Bad(*p, 4, "RFC 8210 §5.10",
                   fmt::format("has length {}, below the 33 octets of SKI, AS and a key", length));
      }
      const size_t spki_len = length - 32;
      if (spki_len > kMaxSpkiLength) {
        return Bad(
            *p, 32, "RFC 8210 §5.10",
            fmt::format("carries a {}-octet key, over the {}-octet cap", spki_len, kMaxSpkiLength));
      }
      (void)r.Copy(p->ski.data(), 20);
      (void)r.U32(&p->asn);
      p->spki.assign(r.current(), r.current() + spki_len);
      return Status::Ok();
    }
    case PduType::kErrorReport: {
      p->error_code = p->session_id;
      uint32_t pdu_len = 0, text_len = 0;
      if (!r.U32(&pdu_len))
        return Bad(*p, 8, "RFC 8210 §5.11", "is truncated before its PDU length");
      if (pdu_len > r.remaining() || r.remaining() - pdu_len < 4) {
        return Bad(*p, 8, "RFC 8210 §5.11",
                   fmt::format("says its copied PDU has {} octets; {} remain for it and the text "
                               "length",
                               pdu_len, r.remaining()));
      }
      std::span<const uint8_t> inner;
      (void)r.Span(pdu_len, &inner);
      p->erroneous_pdu.assign(inner.begin(), inner.end());
      const size_t text_at = r.position();
      (void)r.U32(&text_len);
      if (text_len != r.remaining()) {
        return Bad(*p, text_at, "RFC 8210 §5.11",
                   fmt::format("says its text has {} octets; {} remain", text_len, r.remaining()));
      }
      if (text_len > kMaxErrorTextLength) {
        return Bad(*p, text_at, "RFC 8210 §5.11",
                   fmt::format("has a {}-octet text, over the {}-octet cap", text_len,
                               kMaxErrorTextLength));
      }
      p->error_text.assign(reinterpret_cast<const char*>(r.current()), text_len);
      // StayRTR NUL-terminates its texts; the RFC's text is not a C string.
      while (!p->error_text.empty() && p->error_text.back() == '\0') p->error_text.pop_back();
      return Status::Ok();
    }
    case PduType::kAspa: {
      uint16_t count = 0;
      if (!r.U8(&p->flags) || !r.U8(&p->afi_flags) || !r.U16(&count) || !r.U32(&p->customer)) {
        return Bad(*p, r.position(), "draft-ietf-sidrops-8210bis-10 §5.12", "is truncated");
      }
      p->announce = p->flags & 1;
      if (r.remaining() != size_t{count} * 4) {
        return Bad(*p, 10, "draft-ietf-sidrops-8210bis-10 §5.12",
                   fmt::format("counts {} providers but carries {} octets for them", count,
                               r.remaining()));
      }
      p->providers.resize(count);
      for (Asn& a : p->providers) (void)r.U32(&a);
      return Status::Ok();
    }
  }
  return Status::Unsupported("unreachable");
}

void EncodePdu(const Pdu& p, std::vector<uint8_t>* o) {
  const size_t start = o->size();
  auto header = [&](PduType t, uint16_t session) {
    Put8(o, p.version);
    Put8(o, static_cast<uint8_t>(t));
    Put16(o, session);
    Put32(o, 0);  // patched below
  };
  switch (p.type) {
    case PduType::kSerialNotify:
    case PduType::kSerialQuery:
      header(p.type, p.session_id);
      Put32(o, p.serial);
      break;
    case PduType::kResetQuery:
    case PduType::kCacheReset:
      header(p.type, 0);
      break;
    case PduType::kCacheResponse:
      header(p.type, p.session_id);
      break;
    case PduType::kIpv4Prefix:
    case PduType::kIpv6Prefix:
      header(p.prefix.family() == Family::kIpv4 ? PduType::kIpv4Prefix : PduType::kIpv6Prefix, 0);
      Put8(o, static_cast<uint8_t>((p.flags & ~1u) | (p.announce ? 1 : 0)));
      Put8(o, p.prefix.length());
      Put8(o, p.max_length);
      Put8(o, 0);
      PutAddr(o, p.prefix.address());
      Put32(o, p.asn);
      break;
    case PduType::kEndOfData:
      header(p.type, p.session_id);
      Put32(o, p.serial);
      if (p.version > 0) {
        Put32(o, p.refresh);
        Put32(o, p.retry);
        Put32(o, p.expire);
      }
      break;
    case PduType::kRouterKey:
      header(p.type, static_cast<uint16_t>(((p.flags & ~1u) | (p.announce ? 1 : 0)) << 8));
      o->insert(o->end(), p.ski.begin(), p.ski.end());
      Put32(o, p.asn);
      o->insert(o->end(), p.spki.begin(), p.spki.end());
      break;
    case PduType::kErrorReport: {
      header(p.type, p.error_code);
      // Keep the whole PDU under the cap: cut the copy, then the text.
      const size_t room = kMaxPduLength - 16;
      const size_t copy = std::min(p.erroneous_pdu.size(), room);
      const size_t text = std::min(p.error_text.size(), room - copy);
      Put32(o, static_cast<uint32_t>(copy));
      o->insert(o->end(), p.erroneous_pdu.begin(), p.erroneous_pdu.begin() + copy);
      Put32(o, static_cast<uint32_t>(text));
      o->insert(o->end(), p.error_text.begin(), p.error_text.begin() + text);
      break;
    }
    case PduType::kAspa: {
      header(p.type, 0);
      const size_t n = std::min(p.providers.size(), kMaxAspaProviders);
      Put8(o, static_cast<uint8_t>((p.flags & ~1u) | (p.announce ? 1 : 0)));
      Put8(o, p.afi_flags);
      Put16(o, static_cast<uint16_t>(n));
      Put32(o, p.customer);
      for (size_t i = 0; i < n; ++i) Put32(o, p.providers[i]);
      break;
    }
  }
  const uint32_t len = static_cast<uint32_t>(o->size() - start);
  (*o)[start + 4] = static_cast<uint8_t>(len >> 24);
  (*o)[start + 5] = static_cast<uint8_t>(len >> 16);
  (*o)[start + 6] = static_cast<uint8_t>(len >> 8);
  (*o)[start + 7] = static_cast<uint8_t>(len);
}

std::vector<uint8_t> ResetQuery(uint8_t version) {
  Pdu p;
  p.version = version;
  p.type = PduType::kResetQuery;
  std::vector<uint8_t> out;
  EncodePdu(p, &out);
  return out;
}

std::vector<uint8_t> SerialQuery(uint8_t version, uint16_t session_id, uint32_t serial) {
  Pdu p;
  p.version = version;
  p.type = PduType::kSerialQuery;
  p.session_id = session_id;
  p.serial = serial;
  std::vector<uint8_t> out;
  EncodePdu(p, &out);
  return out;
}

std::vector<uint8_t> ErrorReport(uint8_t version, ErrorCode code,
                                 std::span<const uint8_t> erroneous_pdu, std::string_view text) {
  Pdu p;
  p.version = version;
  p.type = PduType::kErrorReport;
  p.error_code = static_cast<uint16_t>(code);
  p.erroneous_pdu.assign(erroneous_pdu.begin(), erroneous_pdu.end());
  p.error_text.assign(text);
  std::vector<uint8_t> out;
  EncodePdu(p, &out);
  return out;
}

std::string Describe(const Pdu& p) {
  const std::string head =
      fmt::format("{} v{}", PduTypeName(static_cast<uint8_t>(p.type)), p.version);
  const char* verb = p.announce ? "announce" : "withdraw";
  switch (p.type) {
    case PduType::kSerialNotify:
    case PduType::kSerialQuery:
      return fmt::format("{} session {} serial {}", head, p.session_id, p.serial);
    case PduType::kCacheResponse:
      return fmt::format("{} session {}", head, p.session_id);
    case PduType::kIpv4Prefix:
    case PduType::kIpv6Prefix:
      return fmt::format("{} {} {}-{} AS{}", head, verb, p.prefix.ToString(), p.max_length, p.asn);
    case PduType::kEndOfData:
      return fmt::format("{} session {} serial {} refresh {} retry {} expire {}", head,
                         p.session_id, p.serial, p.refresh, p.retry, p.expire);
    case PduType::kRouterKey:
      return fmt::format("{} {} AS{} key of {} octets", head, verb, p.asn, p.spki.size());
    case PduType::kErrorReport:
      return fmt::format("{} {} ({}): \"{}\"", head, ErrorCodeName(p.error_code), p.error_code,
                         PrintableHead(p.error_text, 512));
    case PduType::kAspa:
      return fmt::format("{} {} AS{} {} {} providers", head, verb, p.customer,
                         p.afi_flags & kAspaAfiIpv6 ? "ipv6" : "ipv4", p.providers.size());
    default:
      return head;
  }
}

void PduReader::Append(std::span<const uint8_t> bytes) {
  // Drop what has been handed out before growing, so that the buffer stays
  // around one PDU plus one read whatever the session's length.
  if (pos_ > 0 && (pos_ == buf_.size() || pos_ >= 64 * 1024)) {
    buf_.erase(buf_.begin(), buf_.begin() + static_cast<std::ptrdiff_t>(pos_));
    pos_ = 0;
  }
  buf_.insert(buf_.end(), bytes.begin(), bytes.end());
}

Result<bool> PduReader::Next(std::span<const uint8_t>* pdu) {
  if (!broken_.ok()) return broken_;
  const size_t avail = buf_.size() - pos_;
  if (avail < kHeaderLength) return false;
  const uint8_t* h = buf_.data() + pos_;
  const uint32_t len =
      (uint32_t{h[4]} << 24) | (uint32_t{h[5]} << 16) | (uint32_t{h[6]} << 8) | h[7];
  if (len < kHeaderLength || len > kMaxPduLength) {
    broken_ = Status::Corrupt(fmt::format(
        "RFC 8210 §5.1: {} PDU at stream offset {} has length {}, outside [8, {}]; the stream "
        "cannot be resynchronised",
        PduTypeName(h[1]), consumed_, len, kMaxPduLength));
    return broken_;
  }
  if (avail < len) return false;
  *pdu = {h, len};
  pdu_offset_ = consumed_;
  consumed_ += len;
  pos_ += len;
  return true;
}

void PduReader::Reset() {
  buf_.clear();
  pos_ = 0;
  consumed_ = 0;
  pdu_offset_ = 0;
  broken_ = Status::Ok();
}

}  // namespace vigia::rpki::rtr
